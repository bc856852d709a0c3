/**
 * The system-level model-based test: every user action and time jump of the deployed suite (registry,
 * coordinator, BLS key registry, rewards, storage commitments, session bridge), by many actors, driven
 * through the contracts and through SystemModel (./model.ts) in fast-check command sequences. After
 * every command the invariants below are checked against the chain; each sequence ends by settling
 * everything while every pausable contract is paused, which must return every wei the model says is due.
 *
 * Speed: the suite is deployed once with five active nodes and each sequence starts from an EVM
 * snapshot of it; node keys (ML-DSA-65, ML-KEM-768, BLS on BN254, heartbeat chains) come from a pool
 * made once, with their registrations pre-signed; only storage commitments are signed as they go.
 * Block timestamps are set explicitly, so a seed replays exactly.
 *
 * Adversaries (DESIGN.md §12) act beside the honest users: an operator that commits a junk root for
 * its node and challenges it itself without answering; a colluding minority or majority of a swarm
 * that commits a shared invented root and tries to frame the honest members with its leaves; a griefer
 * that opens challenges against honest nodes (answered, its bonds lost) and sessions at the bridge's
 * quoted price; a node that requests exit with a challenge open. At the end of every sequence the
 * economic-security invariant (NO_PROFIT_FROM_FAULTS, ./model.ts) is checked on everyone's flows.
 */
import { TEST_PROFILE } from "../helpers/precompiles";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { EMISSION_BASE, REQUIREMENT, buildRegistration, deploySuite, nodeKeys, type NodeKeys, type RegistrationArgs, type Suite } from "../helpers/suite";
import { deployStorage, HONEST, DEVIANT, message } from "../storage/helpers";
import { deployBridge, keyOf, bytes } from "../bridge/fixture";
import { prevrandaoOf, testChain } from "../swarm/helpers";
import type { BlockContext } from "../../src/swarm";
import { SystemModel, leafKey, NO_PROFIT_FROM_FAULTS, type ModelChallenge, type Outcome, type SystemParams } from "./model";
import { PENALTY_CAP_BPS } from "../registry/model";
import { NodeStatus, minimumContribution, operatorMinimum } from "../../src/registry";
import { EPOCH_SECONDS, epochOf } from "../../src/heartbeat";
import { MAX_NODES_PER_SWARM, MIN_NODES_PER_SWARM, NO_SWARM, calculateSwarmCount } from "../../src/swarm";
import { answerChallenge, challengeId, rootPrefix, signStorageProof, storageProofOf, StorageTree } from "../../src/storage";
import { DEFAULT_SESSION_TTL, deriveSessionId } from "../../src/sessions";
import type { SessionBridge, StorageCommitment } from "../../typechain-types";

const HOUR = 3600n;
const DAY = 24n * HOUR;
const GIB = 2n ** 30n;
/** Keys in the pool: the first INITIAL_NODES are registered in the base state, the rest by sequences. */
const INITIAL_NODES = 5;
const POOL_SIZE = 22;
const OPERATOR_FEES = [0n, 500n, 1000n, 2500n, 10_000n];
/** A low claim limit so that sequences reach it. */
export const CLAIM_THRESHOLD = ethers.parseEther("2500");
const INITIAL_FUNDING = ethers.parseEther("20000");
const FUNDING = ethers.parseEther("5000");
/** StorageCommitment.MAX_MESSAGE_BYTES: a leaf above it cannot be challenged (nor answered). */
const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * The trees nodes commit, by root: HONEST (the swarm's messages), DEVIANT (a node that lost one and
 * holds one nobody else has: still honest, it commits what it stores), a per-node junk tree only its
 * operator knows, and the coalition's invented tree.
 */
const TREES = new Map<string, StorageTree>();
function known(tree: StorageTree): StorageTree {
  TREES.set(tree.root.toLowerCase(), tree);
  return tree;
}
known(HONEST);
known(DEVIANT);
const COLLUDED = known(StorageTree.fromMessages([message("invented by the coalition", 96), message("invented 2", 300), message("invented 3", 4000)]));
const junkTrees = new Map<number, StorageTree>();
/** Node `id`'s junk tree: messages its operator invented and nobody stores for the swarm. */
function junkOf(id: number): StorageTree {
  let t = junkTrees.get(id);
  if (!t) junkTrees.set(id, (t = known(StorageTree.fromMessages([message(`junk of node ${id}`, 64), message(`more junk of node ${id}`, 700)]))));
  return t;
}
/** The leaves of a tree, as ModelCommitment keys. */
const leavesOf = (tree: StorageTree) => new Set(tree.leaves().map(([hash, size]) => leafKey(hash, size)));

export const PARAMS: SystemParams = {
  requirement: REQUIREMENT,
  penaltyPerEpochBps: 50n,
  lockPeriod: 30n * DAY,
  emissionBase: EMISSION_BASE,
  claimThreshold: CLAIM_THRESHOLD,
  claimCycle: 12n * HOUR,
  challengeBond: ethers.parseEther("10"),
  failedChallengePenaltyBps: 100n,
  challengerShareBps: 2_000n,
  sessionTTL: BigInt(DEFAULT_SESSION_TTL),
};

interface PoolKey {
  keys: NodeKeys;
  operator: HardhatEthersSigner;
  feeBps: bigint;
  registration: RegistrationArgs;
}

export interface SystemFixture extends Suite {
  storage: StorageCommitment;
  bridge: SessionBridge;
  chainId: bigint;
  pool: PoolKey[];
  nodeOperators: HardhatEthersSigner[];
  contributors: HardhatEthersSigner[];
  challengers: HardhatEthersSigner[];
  users: HardhatEthersSigner[];
  funder: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Opens challenges against honest nodes and sessions, only to fill the shared pools. */
  griefer: HardhatEthersSigner;
  addresses: { registry: string; rewards: string; bridge: string; storage: string };
  /** The model of the base state, rebuilt for each sequence by replaying these steps. */
  baseSteps: ((m: SystemModel) => void)[];
  baseNow: bigint;
  snapshot: string;
}

/** Statistics of a campaign: commands run, by kind and outcome. */
export class Stats {
  readonly counts = new Map<string, number>();
  sequences = 0;
  steps = 0;
  /** Claims that paid only part of what was owed (the cycle's allowance ran out); the rest stayed owed. */
  partialClaims = 0;
  /** Claim cycles the final settlements waited for the allowance to pay what was owed. */
  cyclesWaited = 0;
  /** Largest rounding dust (wei) a settled sequence left in the rewards contract beyond the unallocated pool. */
  rewardsDust = 0n;
  /** Nodes and accounts NO_PROFIT_FROM_FAULTS was checked on: honest nodes, faulty nodes, culprits. */
  honestNodes = 0;
  faultyNodes = 0;
  culprits = 0;
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  summary(): string {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(", ");
  }
}

// --------------------------------------------------------------------------------------- fixture

let fixture: SystemFixture | undefined;
let before: string | undefined;

/** Returns the network to the state before the system fixture was deployed (for the test suite's later files). */
export async function releaseSystemFixture(): Promise<void> {
  if (before !== undefined) await network.provider.send("evm_revert", [before]);
  fixture = undefined;
  before = undefined;
}

/** Deploys the suite once per process (keys, contracts, five active nodes, funded emission) and snapshots it. */
export async function systemFixture(): Promise<SystemFixture> {
  if (fixture) return fixture;
  before = await network.provider.send("evm_snapshot", []);
  const s = await deploySuite();
  const storage = await deployStorage(s);
  const bridge = await deployBridge(s);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const nodeOperators = s.operators.slice(0, 6);
  const o = s.others;
  const registryAddress = await s.registry.getAddress();
  const pool: PoolKey[] = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const operator = nodeOperators[i % nodeOperators.length];
    const keys = nodeKeys(`system node ${i}`, 0);
    const feeBps = OPERATOR_FEES[i % OPERATOR_FEES.length];
    const registration = await buildRegistration(s.registry, operator.address, keys, { feeBps: Number(feeBps), chainId, registryAddress });
    pool.push({ keys, operator, feeBps, registration });
  }
  for (const u of o.slice(7, 12)) keyOf(u); // ML-KEM keys of the session users, made now
  await (await s.rewards.connect(s.admin).setClaimThreshold(CLAIM_THRESHOLD)).wait();
  // The model's parameters are the deployment's, and within the governance bounds of DESIGN.md §12.
  const deployed = {
    requirement: await s.registry.stakingRequirement(),
    penaltyPerEpochBps: await s.registry.missedEpochPenaltyBps(),
    lockPeriod: await s.registry.lockPeriod(),
    challengeBond: await storage.challengeBond(),
    failedChallengePenaltyBps: await storage.failedChallengePenaltyBps(),
    challengerShareBps: await storage.challengerShareBps(),
  };
  for (const [k, v] of Object.entries(deployed)) expect(BigInt(v), `PARAMS.${k} is the deployment's`).to.equal(PARAMS[k as keyof SystemParams]);
  expect(PARAMS.lockPeriod >= (await s.registry.MIN_LOCK_PERIOD()) && PARAMS.lockPeriod <= (await s.registry.MAX_LOCK_PERIOD()), "lock period within bounds").to.equal(true);
  expect(PARAMS.requirement >= (await s.registry.MIN_STAKING_REQUIREMENT()), "staking requirement above its floor").to.equal(true);
  expect(PARAMS.challengerShareBps <= (await storage.MAX_CHALLENGER_SHARE_BPS()), "challenger share within its bound").to.equal(true);
  expect(PARAMS.challengerShareBps < 2_500n, "the challenger's share stays below the operator's smallest stake share").to.equal(true);

  const f: SystemFixture = {
    ...s,
    storage,
    bridge,
    chainId,
    pool,
    nodeOperators,
    contributors: o.slice(0, 5),
    challengers: o.slice(5, 7),
    users: o.slice(7, 12),
    funder: o[12],
    relayer: o[13],
    stranger: o[14],
    griefer: o[15],
    addresses: {
      registry: registryAddress,
      rewards: await s.rewards.getAddress(),
      bridge: await bridge.getAddress(),
      storage: await storage.getAddress(),
    },
    baseSteps: [],
    baseNow: 0n,
    snapshot: "",
  };

  // The base state, recorded as model steps.
  const w = new World(f, new Stats(), BigInt((await ethers.provider.getBlock("latest"))!.timestamp));
  const started = await w.tx(() => s.rewards.connect(s.admin).start());
  f.baseSteps.push((m) => m.rewards.start(started.t));
  const funded = await w.tx(() => s.rewards.connect(w.f.funder).fund({ value: INITIAL_FUNDING }));
  f.baseSteps.push((m) => m.fund(funded.t, INITIAL_FUNDING));
  w.m.rewards.start(started.t);
  w.m.fund(funded.t, INITIAL_FUNDING);
  for (let i = 0; i < INITIAL_NODES; i++) await new Register(true).act(w);
  f.baseSteps.push(...w.replay);
  f.baseNow = w.now;
  f.snapshot = await network.provider.send("evm_snapshot", []);
  fixture = f;
  return f;
}

// --------------------------------------------------------------------------------------- world

type Tx = () => Promise<ContractTransactionResponse>;

/** The chain and the model of one sequence. */
export class World {
  readonly m = new SystemModel({ ...PARAMS });
  /** Timestamp of the latest block (every transaction is mined one second after it). */
  now: bigint;
  nextKey: number;
  saltCounter = 0;
  readonly chains = new Map<number, NodeKeys>();
  /** Coalitions that committed an invented root: swarm, epoch, members, whether it was the swarm root. */
  readonly coalitions: { swarm: number; epoch: number; colluders: number[]; majority: boolean }[] = [];
  /** Model steps of this world so far (the base fixture keeps them to rebuild its model). */
  readonly replay: ((m: SystemModel) => void)[] = [];

  constructor(
    readonly f: SystemFixture,
    readonly stats: Stats,
    now: bigint,
  ) {
    this.now = now;
    this.nextKey = 0;
    for (const step of f.baseSteps) step(this.m);
    if (f.baseSteps.length) {
      this.nextKey = INITIAL_NODES;
      for (let i = 0; i < INITIAL_NODES; i++) {
        const n = this.m.node(i + 1)!;
        this.chains.set(n.id, { ...f.pool[i].keys, chain: f.pool[i].keys.chain.withAnchorEpoch(n.lastEpoch) });
      }
    }
  }

  /** Timestamp the next transaction will carry. */
  get t(): bigint {
    return this.now + 1n;
  }

  get epoch(): number {
    return epochOf(this.t);
  }

  /** Sends a transaction in a block one second after the latest; returns its receipt, time and block (number, prevrandao, hashes). */
  async tx(send: Tx): Promise<{ receipt: ContractTransactionReceipt; t: bigint; block: BlockContext }> {
    const t = this.t;
    await network.provider.send("evm_setNextBlockTimestamp", [Number(t)]);
    const receipt = (await (await send()).wait())!;
    this.now = t;
    const prevrandao = await prevrandaoOf(receipt);
    return { receipt, t, block: { number: receipt.blockNumber, prevrandao, hash: testChain.hash } };
  }

  /** The transaction must revert with `error` (the model's prediction); nothing is mined. */
  async reverts(contract: BaseContract, error: string, send: Tx): Promise<void> {
    await network.provider.send("evm_setNextBlockTimestamp", [Number(this.t)]);
    await expect(send(), `the model predicts ${error}`).to.be.revertedWithCustomError(contract, error);
    // The in-process network mines a failed transaction too.
    this.now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  }

  /**
   * Runs `send` from `who` as `outcome` predicts: a revert with the named error, or success, then the
   * account's balance change (gas excluded) must be exactly `received`.
   */
  async perform(
    kind: string,
    contract: BaseContract,
    outcome: Outcome,
    who: string,
    send: Tx,
    received: (amount: bigint) => bigint,
  ): Promise<{ t: bigint; block: BlockContext } | undefined> {
    if (!outcome.ok) {
      await this.reverts(contract, outcome.error, send);
      this.stats.add(`${kind}:${outcome.error}`);
      return undefined;
    }
    const before = await ethers.provider.getBalance(who);
    const r = await this.tx(send);
    const after = await ethers.provider.getBalance(who);
    const delta = after - before + (r.receipt.from.toLowerCase() === who.toLowerCase() ? r.receipt.gasUsed * r.receipt.gasPrice : 0n);
    expect(delta, `${kind}: ${who} receives exactly what the model says`).to.equal(received(outcome.amount));
    this.stats.add(`${kind}:ok`);
    return r;
  }

  signer(address: string): HardhatEthersSigner {
    const f = this.f;
    const all = [...f.nodeOperators, ...f.contributors, ...f.challengers, ...f.users, f.funder, f.relayer, f.stranger, f.admin];
    return all.find((x) => x.address === address)!;
  }

  nodes() {
    return [...this.m.reg.nodes.values()];
  }

  /** A node by an arbitrary pick (undefined when there is none). */
  pickNode(pick: number) {
    const nodes = this.nodes();
    return nodes.length === 0 ? undefined : nodes[pick % nodes.length];
  }

  /** Every account that may act on a node: its stakeholders, and a stranger one time in eight. */
  pickAccount(node: ReturnType<World["nodes"]>[number], pick: number): string {
    const who = this.m.stakeholders(node);
    return pick % 8 === 7 ? this.f.stranger.address : who[pick % who.length];
  }
}

// --------------------------------------------------------------------------------------- invariants

/** Checks every invariant against the chain; throws with each broken one as a sentence. */
export async function checkInvariants(w: World, after: string): Promise<void> {
  const { f, m } = w;
  const broken: string[] = [];
  const say = (holds: boolean, sentence: string) => {
    if (!holds) broken.push(sentence);
  };
  const [registryBalance, rewardsBalance, bridgeBalance, storageBalance] = await Promise.all(
    [f.addresses.registry, f.addresses.rewards, f.addresses.bridge, f.addresses.storage].map((a) => ethers.provider.getBalance(a)),
  );

  // PARS is conserved.
  const stakes = m.reg.stakesHeld();
  const penalties = m.reg.treasuryOwed + m.reg.creditsOwed();
  const pool = m.rewardsHeld();
  const fees = m.bridgeHeld();
  const bonds = m.storageHeld();
  const total = registryBalance + rewardsBalance + bridgeBalance + storageBalance;
  say(
    total === stakes + penalties + pool + fees + bonds,
    `PARS is conserved: the sum of all contract balances (${total}) equals stakes held (${stakes}) + unpaid penalties and slash credits (${penalties}) + reward pool (${pool}) + fees owed (${fees}) + challenge bonds and credits (${bonds}), to the wei`,
  );
  say(registryBalance === stakes + penalties, `The registry holds exactly the stakes held plus unpaid penalties (${registryBalance} vs ${stakes + penalties})`);
  say(rewardsBalance === pool, `The rewards contract holds exactly funding plus fees less claims and treasury payouts (${rewardsBalance} vs ${pool})`);
  say(bridgeBalance === fees, `The bridge holds exactly the fees not yet flushed (${bridgeBalance} vs ${fees})`);
  say(storageBalance === bonds, `The storage contract holds exactly the open bonds and credits (${storageBalance} vs ${bonds})`);
  const owed = m.totalClaimable(w.now) + m.rewards.treasuryOwed;
  const unallocated = m.rewards.emissionFunded - m.rewards.emissionAllocated - m.pendingEmission(w.now);
  // Exact: every update books the whole amount it spreads and every credit rounds down, so what the
  // contract holds covers everything claimable plus the unallocated pool, to the wei.
  say(
    rewardsBalance >= owed + unallocated,
    `The reward pool is solvent: it holds ${rewardsBalance}, at least everything claimable (${owed}) plus the unallocated pool (${unallocated})`,
  );

  // Every node is in exactly one state, the model's.
  const views = await Promise.all(w.nodes().map((n) => f.registry.getNode(n.id)));
  w.nodes().forEach((n, i) => {
    const v = views[i];
    say(Number(v.status) === n.status, `Every node is in exactly one state: node ${n.id} is ${NodeStatus[Number(v.status)]}, the model says ${NodeStatus[n.status]}`);
    say(v.stake === n.stake && BigInt(v.penaltyBps) === n.penaltyBps, `Node ${n.id}'s stake and penalty are the model's (${v.stake}/${v.penaltyBps} vs ${n.stake}/${n.penaltyBps})`);
    say(BigInt(v.decommissionedAt) === n.decommissionedAt, `Node ${n.id} left the active set at ${v.decommissionedAt}, the model says ${n.decommissionedAt}`);
    // NO_PROFIT_FROM_FAULTS, its per-step half: what a node lost is exactly what its own faults cost, capped.
    const cost = m.faultCost(n.id);
    say(
      BigInt(v.penaltyBps) === cost && cost <= PENALTY_CAP_BPS,
      `A node pays for its own faults and no more, at most ${PENALTY_CAP_BPS} bps: node ${n.id}'s penalty is ${v.penaltyBps} bps, its faults (${(m.faults.get(n.id) ?? ["none"]).join("; ")}) cost ${cost} bps`,
    );
  });
  const [activeNodes, totalNodes, registryOwed] = await Promise.all([f.registry.activeNodes(), f.registry.totalNodes(), f.registry.treasuryOwed()]);
  say(Number(activeNodes) === m.reg.activeNodes && Number(totalNodes) === m.reg.totalNodes, `The registry counts ${activeNodes} active of ${totalNodes} nodes, the model ${m.reg.activeNodes} of ${m.reg.totalNodes}`);
  say(registryOwed === m.reg.treasuryOwed, `The registry owes the treasury ${registryOwed}, the model ${m.reg.treasuryOwed}`);

  // Every active node is in exactly one swarm; sizes 3..10 and balanced.
  const count = Number(await f.swarms.swarmCount());
  const active = m.activeNodes().map((n) => BigInt(n.id));
  const members = await Promise.all(Array.from({ length: count }, (_, i) => f.swarms.swarmMembers(i)));
  const where = new Map<bigint, number>();
  members.forEach((ms, i) =>
    ms.forEach((id) => {
      say(!where.has(id), `Every active node is in exactly one swarm: node ${id} is in swarms ${where.get(id)} and ${i}`);
      where.set(id, i);
    }),
  );
  say(where.size === active.length && active.every((id) => where.has(id)), `Every active node is in exactly one swarm: ${active.length} active nodes, ${where.size} swarm members`);
  say(count === calculateSwarmCount(active.length), `There are S(${active.length}) = ${calculateSwarmCount(active.length)} swarms, not ${count}`);
  if (active.length >= MIN_NODES_PER_SWARM) {
    const sizes = members.map((ms) => ms.length);
    const min = Math.min(...sizes);
    const max = Math.max(...sizes);
    say(min >= MIN_NODES_PER_SWARM && max <= MAX_NODES_PER_SWARM && max - min <= 1, `Swarm sizes are 3..10 and differ by at most one with ${active.length} active nodes (${sizes.join(", ")})`);
  }
  say(count === m.swarms.swarmCount && members.every((ms, i) => ms.join() === m.swarms.swarmMembers(i).join()), `Swarm membership is the model's`);
  try {
    m.swarms.checkInvariants();
  } catch (e) {
    broken.push((e as Error).message);
  }

  // The aggregate BLS key equals the sum of the active nodes' keys.
  const agg = await f.attestations.blsAggregateKey();
  const want = m.aggregateKey();
  say(
    agg.xIm === want.xIm && agg.xRe === want.xRe && agg.yIm === want.yIm && agg.yRe === want.yRe,
    `The aggregate BLS key equals the sum of the ${m.blsActive.size} active nodes' keys`,
  );

  // Rewards accounting; claims never exceed the per-cycle limit.
  const [totalStake, emissionPerStake, rewardsOwed, claimedInCycle, threshold] = await Promise.all([
    f.rewards.totalStake(),
    f.rewards.emissionPerStake(),
    f.rewards.treasuryOwed(),
    f.rewards.claimedInCycle(),
    f.rewards.claimThreshold(),
  ]);
  say(totalStake === m.rewards.totalStake, `The earning stake is the model's (${totalStake} vs ${m.rewards.totalStake})`);
  say(emissionPerStake === m.rewards.emissionPerStake, `The emission accumulator is the model's`);
  say(rewardsOwed === m.rewards.treasuryOwed, `The rewards contract owes the treasury ${rewardsOwed}, the model ${m.rewards.treasuryOwed}`);
  say(
    claimedInCycle <= threshold && claimedInCycle === m.rewards.claimedInCycle,
    `Claims never exceed the per-cycle limit: ${claimedInCycle} claimed in the cycle (model ${m.rewards.claimedInCycle}), limit ${threshold}`,
  );

  // Fees owed, per swarm.
  for (const swarm of m.feeSwarms) {
    const pending = await f.bridge.pendingFees(swarm);
    say(pending === (m.pendingFees.get(swarm) ?? 0n), `Swarm ${swarm}'s pending fees are the model's (${pending})`);
  }

  if (broken.length) throw new Error(`after ${after}:\n  - ${broken.join("\n  - ")}`);
}

// --------------------------------------------------------------------------------------- commands

type Cmd = fc.AsyncCommand<World, World>;

/** A user action or time jump; after it ran, every invariant is checked. */
abstract class Command implements Cmd {
  check(_w: Readonly<World>): boolean {
    return true;
  }
  async run(_model: World, w: World): Promise<void> {
    await this.act(w);
    w.stats.steps++;
    await checkInvariants(w, this.toString());
  }
  abstract act(w: World): Promise<void>;
  abstract toString(): string;
}

/** Registers the next pool key (fully staked, or with the operator's minimum awaiting contributors). */
export class Register extends Command {
  constructor(readonly full: boolean) {
    super();
  }
  override check(w: Readonly<World>) {
    return w.nextKey < POOL_SIZE;
  }
  async act(w: World) {
    const k = w.f.pool[w.nextKey];
    const value = this.full ? REQUIREMENT : operatorMinimum(REQUIREMENT);
    const send = () => w.f.registry.connect(k.operator).register(k.registration, { value });
    if (w.m.registryPaused) return w.reverts(w.f.registry, "EnforcedPause", send);
    const { t, block } = await w.tx(send);
    w.nextKey++;
    const epoch = epochOf(t);
    const step = (m: SystemModel) => m.register(k.operator.address, value, k.feeBps, k.keys.bls.publicKey, epoch, t, block);
    const node = step(w.m);
    w.replay.push(step);
    w.chains.set(node.id, { ...k.keys, chain: k.keys.chain.withAnchorEpoch(epoch) });
    w.stats.add(`register:${this.full ? "full" : "partial"}`);
  }
  toString() {
    return `register(${this.full ? "full" : "partial"})`;
  }
}

/** A contributor adds the minimum or the whole rest to a node awaiting contributions. */
class Contribute extends Command {
  constructor(readonly node: number, readonly who: number, readonly rest: boolean) {
    super();
  }
  async act(w: World) {
    const awaiting = w.nodes().filter((n) => n.status === NodeStatus.AwaitingContributions);
    if (awaiting.length === 0) return;
    const n = awaiting[this.node % awaiting.length];
    const c = w.f.contributors[this.who % w.f.contributors.length];
    const existing = n.contributors.find((x) => x.addr === c.address);
    if (!existing && n.contributors.length >= 10) return;
    const min = minimumContribution(n.requirement, n.stake, 0n, BigInt(n.contributors.length));
    const value = this.rest || existing ? n.requirement - n.stake : min;
    if (value === 0n) return;
    const send = () => w.f.registry.connect(c).contribute(n.id, { value });
    if (w.m.registryPaused) return w.reverts(w.f.registry, "EnforcedPause", send);
    const { t, block } = await w.tx(send);
    w.m.block = block;
    w.m.contribute(n, c.address, value, epochOf(t), t);
    w.stats.add(`contribute:${n.status === NodeStatus.Active ? "activates" : "ok"}`);
  }
  toString() {
    return `contribute(${this.node}, ${this.who}, ${this.rest ? "rest" : "min"})`;
  }
}

/**
 * Liveness proofs relayed by a third party for every live node but those skipped (one batch). With
 * `stale`, the batch also carries an entry of a node that left the active set (as if a `penalize`
 * decommissioned it after the batch was signed): it is skipped, and the batch goes through.
 */
class Heartbeats extends Command {
  constructor(readonly skip: number, readonly stale = false) {
    super();
  }
  async act(w: World) {
    const accepted = await heartbeatAll(w, (_, i) => ((this.skip >> i) & 1) === 0, this.stale);
    if (accepted !== undefined) w.stats.add(this.stale ? "heartbeats:stale-skipped" : "heartbeats");
  }
  toString() {
    return `heartbeats(skip ${this.skip.toString(2)}${this.stale ? ", stale entry" : ""})`;
  }
}

/** One heartbeat batch of the due active nodes `pick` keeps (and a stale entry); undefined if nothing was sent. */
async function heartbeatAll(w: World, pick: (n: ReturnType<World["nodes"]>[number], i: number) => boolean, stale = false): Promise<number | undefined> {
  const e = w.epoch;
  const due = w
    .nodes()
    .filter((n, i) => n.status === NodeStatus.Active && n.lastEpoch < e && e - n.lastEpoch <= 64 && e <= w.chains.get(n.id)!.chain.lastEpoch && pick(n, i));
  const gone = stale ? w.nodes().find((n) => n.status === NodeStatus.Decommissioning || n.status === NodeStatus.Retired) : undefined;
  if (due.length === 0 && !gone) return undefined;
  const ids = due.map((n) => n.id);
  const values = due.map((n) => w.chains.get(n.id)!.chain.valueForEpoch(e));
  if (gone) {
    ids.splice(ids.length >> 1, 0, gone.id);
    values.splice(values.length >> 1, 0, ethers.ZeroHash);
  }
  const { receipt, t, block } = await w.tx(() => w.f.registry.connect(w.f.relayer).heartbeatBatch(ids, values));
  if (gone) {
    const proven = receipt.logs.map((l) => w.f.registry.interface.parseLog(l)).filter((l) => l?.name === "HeartbeatAccepted").map((l) => Number(l!.args.nodeId));
    expect(proven, "a heartbeat batch skips the entry of a node that left the active set").not.to.include(gone.id);
  }
  w.m.heartbeatBatch(due, e, t, block);
  return due.length;
}

/** Anyone settles a node's missed epochs (penalty, possibly decommissioning it). */
class Penalize extends Command {
  constructor(readonly node: number) {
    super();
  }
  async act(w: World) {
    const n = w.pickNode(this.node);
    if (!n) return;
    const e = w.epoch;
    const send = () => w.f.registry.connect(w.f.relayer).penalize(n.id);
    if (n.status !== NodeStatus.Active) return w.reverts(w.f.registry, "InvalidNodeStatus", send);
    if (e - 1 <= n.settledEpoch) return w.reverts(w.f.registry, "NothingToPenalize", send);
    const { t, block } = await w.tx(send);
    w.m.block = block;
    w.m.reg.settle(n, e, false, t);
    w.stats.add("penalize:ok");
  }
  toString() {
    return `penalize(${this.node})`;
  }
}

class RequestExit extends Command {
  constructor(readonly node: number, readonly who: number) {
    super();
  }
  async act(w: World) {
    const n = w.pickNode(this.node);
    if (!n) return;
    const who = w.pickAccount(n, this.who);
    const outcome = w.m.exit(n, who, w.t);
    const send = () => w.f.registry.connect(w.signer(who)).requestExit(n.id);
    const r = await w.perform("exit", w.f.registry, outcome, who, send, () => 0n);
    if (r) {
      w.m.block = r.block;
      w.m.reg.requestExit(n, epochOf(r.t), r.t);
    }
  }
  toString() {
    return `requestExit(${this.node}, ${this.who})`;
  }
}

/** Anyone asks for a node's stake back: paid exactly what the model says is due, or refused. */
class Withdraw extends Command {
  constructor(readonly node: number, readonly who: number) {
    super();
  }
  async act(w: World) {
    const n = w.pickNode(this.node);
    if (!n) return;
    await withdraw(w, n, w.pickAccount(n, this.who));
  }
  toString() {
    return `withdraw(${this.node}, ${this.who})`;
  }
}

async function withdraw(w: World, n: ReturnType<World["nodes"]>[number], who: string) {
  const outcome = w.m.withdrawal(n, who, w.t);
  const send = () => w.f.registry.connect(w.signer(who)).withdraw(n.id);
  const r = await w.perform("withdraw", w.f.registry, outcome, who, send, (a) => a);
  if (r) expect(w.m.withdraw(n, who)).to.equal(outcome.ok ? outcome.amount : -1n, "the registry model pays what it predicted");
}

/**
 * Anyone claims a node's rewards: exactly the calculator's amount, all that is owed or what the cycle's
 * allowance has left (the rest stays owed), or refused.
 */
class Claim extends Command {
  constructor(readonly node: number, readonly who: number) {
    super();
  }
  async act(w: World) {
    const n = w.pickNode(this.node);
    if (!n) return;
    await claim(w, n, w.pickAccount(n, this.who));
  }
  toString() {
    return `claim(${this.node}, ${this.who})`;
  }
}

async function claim(w: World, n: ReturnType<World["nodes"]>[number], who: string): Promise<Outcome> {
  const owed = w.m.owed(n, who, w.t);
  const outcome = w.m.claimOutcome(n, who, w.t);
  const send = () => w.f.rewards.connect(w.signer(who)).claim(n.id);
  const r = await w.perform("claim", w.f.rewards, outcome, who, send, (a) => a);
  if (r) {
    expect(w.m.claim(n, who, r.t)).to.equal(outcome.ok ? outcome.amount : -1n, "the calculator pays what it predicted");
    if (outcome.ok && outcome.amount < owed) {
      w.stats.partialClaims++;
      // The rest stays owed, to the wei, and the cycle's allowance is used up.
      expect(w.m.owed(n, who, r.t)).to.equal(owed - outcome.amount, "a partial claim keeps the rest owed");
      expect(await w.f.rewards.claimable(n.id, who)).to.equal(owed - outcome.amount, "the contract keeps the rest claimable");
      expect(await w.f.rewards.claimedInCycle()).to.equal(await w.f.rewards.claimThreshold(), "a partial claim uses up the cycle");
    }
  }
  return outcome;
}

class Wait extends Command {
  constructor(readonly seconds: bigint) {
    super();
  }
  async act(w: World) {
    await advance(w, this.seconds);
    w.stats.add("wait");
  }
  toString() {
    return `wait(${this.seconds}s)`;
  }
}

async function advance(w: World, seconds: bigint) {
  w.now += seconds;
  await network.provider.send("evm_setNextBlockTimestamp", [Number(w.now)]);
  await network.provider.send("evm_mine", []);
}

class Fund extends Command {
  async act(w: World) {
    const { t } = await w.tx(() => w.f.rewards.connect(w.f.funder).fund({ value: FUNDING }));
    w.m.fund(t, FUNDING);
    w.stats.add("fund");
  }
  toString() {
    return "fund";
  }
}

type Target = "registry" | "storage" | "bridge";
const TARGETS: Target[] = ["registry", "storage", "bridge"];

function pausedOf(w: World, target: Target): boolean {
  return target === "registry" ? w.m.registryPaused : target === "storage" ? w.m.storagePaused : w.m.bridgePaused;
}

async function setPaused(w: World, target: Target, paused: boolean, by?: HardhatEthersSigner) {
  const contract = target === "registry" ? w.f.registry : target === "storage" ? w.f.storage : w.f.bridge;
  const signer = by ?? w.f.guardian;
  const send = () => (paused ? contract.connect(signer).pause() : contract.connect(signer).unpause());
  if (signer !== w.f.guardian) return w.reverts(contract, "AccessControlUnauthorizedAccount", send);
  await w.tx(send);
  if (target === "registry") w.m.registryPaused = paused;
  else if (target === "storage") w.m.storagePaused = paused;
  else w.m.bridgePaused = paused;
}

/** The guardian pauses or unpauses one contract (a stranger's attempt is refused). */
class TogglePause extends Command {
  constructor(readonly target: Target, readonly byStranger: boolean) {
    super();
  }
  async act(w: World) {
    await setPaused(w, this.target, !pausedOf(w, this.target), this.byStranger ? w.f.stranger : undefined);
    w.stats.add(`pause:${this.byStranger ? "refused" : "guardian"}`);
  }
  toString() {
    return `${this.byStranger ? "stranger-" : ""}togglePause(${this.target})`;
  }
}

/** A user opens a session for 2..4 users (some keys given later), paying the quote or more (refunded). */
class CreateSession extends Command {
  /** `keyed[i] === 0`: participant i gives its ML-KEM key later (joinSession). */
  constructor(readonly creator: number, readonly members: number[], readonly keyed: number[], readonly overpay: boolean) {
    super();
  }
  async act(w: World) {
    const creator = w.f.users[this.creator % w.f.users.length];
    const participants = this.members.map((i) => w.f.users[i]);
    const keyed = participants.map((_, i) => (this.keyed[i] ?? 1) !== 0);
    const salt = ethers.id(`system session ${w.saltCounter++}`);
    const addrs = participants.map((p) => p.address);
    const id = deriveSessionId({ chainId: w.f.chainId, bridge: w.f.addresses.bridge, creator: creator.address, salt, participants: addrs });
    const t = w.t;
    const outcome = w.m.createSession(id, addrs, keyed, t);
    const value = (outcome.ok ? outcome.amount : 10n ** 16n) + (this.overpay ? 12345n : 0n);
    const keys = participants.map((p, i) => (keyed[i] ? keyOf(p) : "0x"));
    const send = () => w.f.bridge.connect(creator)["createSession(address[],bytes[],bytes32)"](addrs, keys, salt, { value });
    await w.perform("createSession", w.f.bridge, outcome, creator.address, send, (fee) => -fee);
  }
  toString() {
    return `createSession(${this.creator}, [${this.members}], [${this.keyed}], ${this.overpay ? "overpay" : "exact"})`;
  }
}

/** A participant of the session (pending ones first when `pending`), or another user one time in six. */
function pickUser(w: World, s: { participants: string[]; pending: Set<string> }, pick: number, pending = false): HardhatEthersSigner {
  const among = pending && s.pending.size ? [...s.pending] : s.participants;
  if (pick % 6 === 5) return w.f.users[pick % w.f.users.length];
  return w.signer(among[pick % among.length]);
}

function pickSession(w: World, pick: number) {
  const all = [...w.m.sessions.values()];
  return all.length === 0 ? undefined : all[pick % all.length];
}

class JoinSession extends Command {
  constructor(readonly session: number, readonly who: number) {
    super();
  }
  async act(w: World) {
    const s = pickSession(w, this.session);
    if (!s) return;
    const user = pickUser(w, s, this.who, true);
    const outcome = w.m.joinSession(s, user.address, w.t);
    await w.perform("joinSession", w.f.bridge, outcome, user.address, () => w.f.bridge.connect(user).joinSession(s.id, keyOf(user)), () => 0n);
  }
  toString() {
    return `joinSession(${this.session}, ${this.who})`;
  }
}

class SendMessage extends Command {
  constructor(readonly session: number, readonly who: number, readonly size: number) {
    super();
  }
  async act(w: World) {
    const s = pickSession(w, this.session);
    if (!s) return;
    const user = pickUser(w, s, this.who);
    const seq = s.messageCount;
    const outcome = w.m.sendMessage(s, user.address, this.size, w.t);
    const value = outcome.ok ? outcome.amount : 10n ** 16n;
    const send = () => w.f.bridge.connect(user)["sendMessage(bytes32,uint64,bytes)"](s.id, seq, bytes(this.size, seq + 1), { value });
    await w.perform("sendMessage", w.f.bridge, outcome, user.address, send, (fee) => -fee);
  }
  toString() {
    return `sendMessage(${this.session}, ${this.who}, ${this.size} B)`;
  }
}

class CloseSession extends Command {
  constructor(readonly session: number, readonly who: number) {
    super();
  }
  async act(w: World) {
    const s = pickSession(w, this.session);
    if (!s) return;
    const user = pickUser(w, s, this.who);
    const outcome = w.m.closeSession(s, user.address, w.t);
    await w.perform("closeSession", w.f.bridge, outcome, user.address, () => w.f.bridge.connect(user).closeSession(s.id), () => 0n);
  }
  toString() {
    return `closeSession(${this.session}, ${this.who})`;
  }
}

/** Anyone pays a swarm's collected fees into the rewards pool. */
class FlushFees extends Command {
  constructor(readonly swarm: number) {
    super();
  }
  async act(w: World) {
    await flush(w, this.swarm % Math.max(w.m.swarms.swarmCount, 1));
  }
  toString() {
    return `flushFees(${this.swarm})`;
  }
}

async function flush(w: World, swarm: number) {
  const outcome = w.m.flushFees(swarm);
  await w.perform("flushFees", w.f.bridge, outcome, w.f.addresses.rewards, () => w.f.bridge.connect(w.f.relayer).flushFees(swarm), (a) => a);
}

class PayTreasury extends Command {
  constructor(readonly rewards: boolean) {
    super();
  }
  async act(w: World) {
    await payTreasury(w, this.rewards);
  }
  toString() {
    return `payTreasury(${this.rewards ? "rewards" : "registry"})`;
  }
}

async function payTreasury(w: World, rewards: boolean) {
  const amount = rewards ? w.m.rewards.treasuryOwed : w.m.reg.treasuryOwed;
  const contract = rewards ? w.f.rewards : w.f.registry;
  await w.perform("payTreasury", contract, { ok: true, amount }, w.f.treasury.address, () => contract.connect(w.f.relayer).payTreasury(), (a) => a);
  if (rewards) {
    w.m.rewards.treasuryOwed = 0n;
    w.m.rewardsTreasuryPaid += amount;
  } else {
    w.m.reg.treasuryOwed = 0n;
    w.m.reg.paidOut += amount;
  }
}

/** Stored bytes a commitment may report: the tree's own, or a share of a node's 10 GiB. */
const USED_BYTES = [0n, (GIB * 52n) / 10n, (GIB * 74n) / 10n, (GIB * 88n) / 10n, (GIB * 98n) / 10n];

/** Every member of one swarm commits its storage for the epoch (ML-DSA-65 signed); one may deviate. */
class CommitSwarm extends Command {
  constructor(readonly swarm: number, readonly deviant: number, readonly used: number) {
    super();
  }
  async act(w: World) {
    const swarm = this.swarm % w.m.swarms.swarmCount;
    const members = w.m.swarms.swarmMembers(swarm);
    for (const [i, id] of members.entries()) {
      const nodeId = Number(id);
      if (w.m.committed(nodeId, w.epoch) || w.m.swarms.swarmOf(id) !== swarm) continue;
      // The deviant lost a message and holds one nobody else has: it commits what it stores (honest).
      const deviant = i === this.deviant % (members.length + 1);
      const tree = deviant ? DEVIANT : HONEST;
      await commitTree(w, nodeId, swarm, tree, true, USED_BYTES[this.used % USED_BYTES.length] || tree.usedBytes);
      w.stats.add(`commit:${deviant ? "deviant" : "honest"}`);
    }
  }
  toString() {
    return `commitSwarm(${this.swarm}, deviant ${this.deviant}, used ${this.used})`;
  }
}

/** Node `nodeId` of `swarm` signs its commitment of `tree` for the current epoch; a relayer sends it. */
async function commitTree(w: World, nodeId: number, swarm: number, tree: StorageTree, honest: boolean, usedBytes = tree.usedBytes): Promise<void> {
  const epoch = w.epoch;
  const proof = { ...storageProofOf(tree, BigInt(nodeId), swarm, epoch), usedBytes };
  const keys = w.chains.get(nodeId)!;
  const signature = signStorageProof(keys.mldsa.secretKey, w.f.chainId, w.f.addresses.storage, proof, TEST_PROFILE);
  await w.tx(() => w.f.storage.connect(w.f.relayer).commit(proof, keys.mldsa.publicKey, signature));
  w.m.commit(nodeId, swarm, epoch, tree.root, leavesOf(tree), honest, usedBytes);
}

/** Roots whose messages everybody can know: the swarm's, and the deviant's (the swarm's less one, plus one). */
const PUBLIC = new Set([HONEST.root.toLowerCase(), DEVIANT.root.toLowerCase()]);

/** Commitments of epochs a challenge may name now (epoch < current <= epoch + 3), as [nodeId, epoch]. */
function challengeable(w: World, keep: (nodeId: number, epoch: number, c: ModelCommitmentOf) => boolean = () => true): [number, number][] {
  const e = w.epoch;
  const out: [number, number][] = [];
  for (const [key, c] of w.m.commitments) {
    const [nodeId, epoch] = key.split(":").map(Number);
    if (epoch < e && epoch + 3 >= e && keep(nodeId, epoch, c)) out.push([nodeId, epoch]);
  }
  return out;
}
type ModelCommitmentOf = NonNullable<ReturnType<SystemModel["committed"]>>;

/**
 * `challenger` bonds a challenge of node `nodeId`'s commitment of `epoch`, naming the `pick`-th leaf of
 * `cited` (of those a node could answer, with `answerable`) with a proof in `cited`'s root: accepted
 * only if that is the node's own committed root and holds the leaf (LeafNotCommitted otherwise).
 */
async function openChallenge(
  w: World,
  kind: string,
  challenger: HardhatEthersSigner,
  nodeId: number,
  epoch: number,
  cited: StorageTree,
  pick: number,
  answerable = false,
): Promise<{ outcome: Outcome; id: string }> {
  const leaves = cited.leaves().filter(([, size]) => !answerable || size <= BigInt(MAX_MESSAGE_BYTES));
  const [hash, size] = leaves[pick % leaves.length];
  const id = challengeId(BigInt(nodeId), epoch, hash, size);
  const outcome = w.m.challenge(id, challenger.address, nodeId, epoch, { messageHash: hash, size: Number(size), citedRoot: cited.root }, w.t, w.epoch);
  const send = () => w.f.storage.connect(challenger).challenge(nodeId, epoch, hash, size, cited.proof(hash), { value: PARAMS.challengeBond });
  await w.perform(kind, w.f.storage, outcome, challenger.address, send, (bond) => -bond);
  return { outcome, id };
}

/**
 * A challenger bonds a challenge of a leaf it can know against a node's commitment: mostly a leaf of
 * the node's own root (public roots only), one time in four a leaf of the swarm's messages, which a
 * node that committed another root does not answer for (LeafNotCommitted).
 */
class Challenge extends Command {
  constructor(readonly target: number, readonly message: number, readonly challenger: number, readonly cite: number) {
    super();
  }
  async act(w: World) {
    const targets = challengeable(w);
    if (targets.length === 0) return;
    const [nodeId, epoch] = targets[this.target % targets.length];
    const own = w.m.committed(nodeId, epoch)!.root;
    const cited = this.cite % 4 === 3 || !PUBLIC.has(own) ? HONEST : TREES.get(own)!;
    const challenger = w.f.challengers[this.challenger % w.f.challengers.length];
    await openChallenge(w, "challenge", challenger, nodeId, epoch, cited, this.message);
  }
  toString() {
    return `challenge(${this.target}, message ${this.message}, challenger ${this.challenger}, cite ${this.cite % 4 === 3 ? "swarm" : "own"})`;
  }
}

function pickChallenge(w: World, pick: number) {
  const all = [...w.m.challenges.values()];
  return all.length === 0 ? undefined : all[pick % all.length];
}

/** Anyone answers a challenge with the message of the node's committed tree (a self-challenger never does). */
class Respond extends Command {
  constructor(readonly challenge: number) {
    super();
  }
  async act(w: World) {
    const c = pickChallenge(w, this.challenge);
    if (!c || c.self) return;
    await respond(w, c);
  }
  toString() {
    return `respond(${this.challenge})`;
  }
}

async function respond(w: World, c: ModelChallenge, kind = "respond") {
  const tree = TREES.get(w.m.committed(c.nodeId, c.epoch)!.root)!;
  // Only leaves of the node's own root are challengeable, and the node holds what it committed.
  const answer = answerChallenge(tree, { messageHash: c.messageHash, size: c.size });
  expect(answer, "a node can answer every challenge of its own committed root").not.to.equal(undefined);
  const outcome = w.m.respond(c, w.t);
  const operator = w.m.node(c.nodeId)!.operator;
  const send = () => w.f.storage.connect(w.f.relayer).respond(c.id, answer!.message, answer!.proof);
  await w.perform(kind, w.f.storage, outcome, operator, send, () => 0n);
}

/** Anyone resolves an unanswered challenge after its window: the bond back and the node slashed. */
class Resolve extends Command {
  constructor(readonly challenge: number) {
    super();
  }
  async act(w: World) {
    const c = pickChallenge(w, this.challenge);
    if (!c) return;
    await resolve(w, c);
  }
  toString() {
    return `resolve(${this.challenge})`;
  }
}

/**
 * Resolves challenge `c` (or sees it refused as the model predicts): the bond credited back and, for the
 * first default of its node and epoch while the node is slashable, the penalty. Returns whether it slashed.
 */
async function resolve(w: World, c: ModelChallenge): Promise<boolean | undefined> {
  const send = () => w.f.storage.connect(w.f.relayer).resolve(c.id);
  if (c.status !== "open") return void (await w.reverts(w.f.storage, "ChallengeNotOpen", send));
  if (w.t <= c.deadline) return void (await w.reverts(w.f.storage, "ResponseWindowOpen", send));
  const before = await ethers.provider.getBalance(c.challenger);
  const r = await w.tx(send);
  expect(await ethers.provider.getBalance(c.challenger), "resolving credits the bond, it sends nothing").to.equal(before);
  w.m.block = r.block;
  const { slashed } = w.m.resolve(c, r.t) as { slashed: boolean };
  const event = r.receipt.logs.map((l) => w.f.storage.interface.parseLog(l)).find((l) => l?.name === "ChallengeDefaulted")!;
  expect(event.args.penaltyBps, "a default is penalised at most once per node and epoch, and only while the stake is locked").to.equal(
    slashed ? PARAMS.failedChallengePenaltyBps : 0n,
  );
  w.stats.add(`resolve:${slashed ? "slashed" : "bond only"}${c.self ? ":self" : ""}`);
  return slashed;
}

// ------------------------------------------------------------------ adversaries

/**
 * An operator's node commits a junk root (messages its operator invented, that nobody stores for the
 * swarm) for the current epoch: a fault, and the start of a self-challenge.
 */
class CommitJunk extends Command {
  constructor(readonly node: number) {
    super();
  }
  async act(w: World) {
    await commitJunk(w, this.node);
  }
  toString() {
    return `commitJunk(${this.node})`;
  }
}

async function commitJunk(w: World, pick: number): Promise<boolean> {
  const e = w.epoch;
  const candidates = w.m.activeNodes().filter((n) => !w.m.committed(n.id, e) && w.m.swarms.swarmOf(BigInt(n.id)) !== NO_SWARM);
  if (candidates.length === 0) return false;
  const n = candidates[pick % candidates.length];
  await commitTree(w, n.id, w.m.swarms.swarmOf(BigInt(n.id)), junkOf(n.id), false);
  w.m.culprits.add(n.operator);
  w.stats.add("commit:junk");
  return true;
}

/** Lets time run to the first second of the next epoch (the current one becomes challengeable). */
async function nextEpoch(w: World): Promise<void> {
  const e = BigInt(EPOCH_SECONDS);
  await advance(w, (w.now / e + 1n) * e - w.now);
}

/**
 * The operator challenges a leaf of its node's junk root and never answers, to collect the challenger's
 * share of its own node's penalty: its bond comes back, but the share (20%) is below its own stake's
 * share of the penalty (at least 25%), so it ends poorer.
 */
class SelfChallenge extends Command {
  constructor(readonly target: number, readonly leaf: number) {
    super();
  }
  async act(w: World) {
    const junk = () => challengeable(w, (id, _, c) => c.root === junkOf(id).root.toLowerCase());
    let targets = junk();
    if (targets.length === 0) {
      // None yet: a node commits junk now, and its operator challenges it in the next epoch.
      if (!(await commitJunk(w, this.target))) return;
      await nextEpoch(w);
      targets = junk();
    }
    const [nodeId, epoch] = targets[this.target % targets.length];
    const operator = w.signer(w.m.node(nodeId)!.operator);
    await openChallenge(w, "selfChallenge", operator, nodeId, epoch, junkOf(nodeId), this.leaf);
  }
  toString() {
    return `selfChallenge(${this.target}, leaf ${this.leaf})`;
  }
}

/**
 * A coalition of `size` members of a swarm (a minority or a majority of the ones yet to commit this
 * epoch, at least one honest member left) commits one invented root; the others commit the swarm's
 * messages. A coalition of SWARM_QUORUM or more and more than half makes its root the swarm root.
 */
class Collude extends Command {
  constructor(readonly swarm: number, readonly size: number) {
    super();
  }
  async act(w: World) {
    if (w.m.swarms.swarmCount === 0) return;
    const swarm = this.swarm % w.m.swarms.swarmCount;
    const e = w.epoch;
    const members = w.m.swarms.swarmMembers(swarm).map(Number).filter((id) => !w.m.committed(id, e));
    if (members.length < 2) return;
    const colluders = members.slice(0, 1 + (this.size % (members.length - 1)));
    for (const id of members) {
      if (w.m.swarms.swarmOf(BigInt(id)) !== swarm) continue;
      const colluding = colluders.includes(id);
      await commitTree(w, id, swarm, colluding ? COLLUDED : HONEST, !colluding);
      if (colluding) w.m.culprits.add(w.m.node(id)!.operator);
    }
    const view = w.m.tallies.get(`${swarm}:${e}`)!.view();
    const majority = view.agreed && view.rootPrefix.toLowerCase() === rootPrefix(COLLUDED.root).toLowerCase();
    w.coalitions.push({ swarm, epoch: e, colluders, majority });
    w.stats.add(`collude:${majority ? "majority" : "minority"}`);
  }
  toString() {
    return `collude(${this.swarm}, ${this.size})`;
  }
}

/**
 * A colluder challenges an honest member of its swarm on a leaf of the coalition's root, with a proof
 * in that root (the swarm root, when the coalition is a majority): refused with LeafNotCommitted, since
 * the evidence is the honest node's own root. A majority cannot frame a minority.
 */
class Frame extends Command {
  constructor(readonly pick: number, readonly leaf: number) {
    super();
  }
  async act(w: World) {
    const live = () => w.coalitions.filter((c) => c.epoch < w.epoch && c.epoch + 3 >= w.epoch);
    if (live().length === 0) {
      // No coalition yet: one forms now, and tries to frame in the next epoch.
      await new Collude(this.pick, this.pick >> 2).act(w);
      await nextEpoch(w);
    }
    const coalitions = live();
    if (coalitions.length === 0) return;
    const co = coalitions[this.pick % coalitions.length];
    const honest = challengeable(w, (_, epoch, c) => epoch === co.epoch && c.swarm === co.swarm && c.honest);
    if (honest.length === 0) return;
    const [target] = honest[this.pick % honest.length];
    const colluder = w.signer(w.m.node(co.colluders[(this.pick >> 4) % co.colluders.length])!.operator);
    const sr = await w.f.storage.swarmRoot(co.swarm, co.epoch);
    const view = w.m.tallies.get(`${co.swarm}:${co.epoch}`)!.view();
    expect(sr.agreed, "the swarm root agreement is the tally model's").to.equal(view.agreed);
    // Whether the coalition still leads is the tally's now: commitments after the coalition's own (in the
    // same epoch) may have taken its majority away.
    if (view.agreed) expect(sr.rootPrefix.toLowerCase(), "the swarm root is the tally model's").to.equal(view.rootPrefix.toLowerCase());
    const majority = view.agreed && view.rootPrefix.toLowerCase() === rootPrefix(COLLUDED.root).toLowerCase();
    const kind = `frame:${majority ? "majority" : "minority"}`;
    const { outcome } = await openChallenge(w, kind, colluder, target, co.epoch, COLLUDED, this.leaf);
    expect(outcome.ok, "a coalition cannot challenge an honest node on its own invented leaves").to.equal(false);
    if (!w.m.storagePaused) expect(outcome.ok ? "" : outcome.error).to.equal("LeafNotCommitted");
  }
  toString() {
    return `frame(${this.pick}, leaf ${this.leaf})`;
  }
}

/**
 * A griefer fills the shared pools: it challenges `count` honest commitments on leaves their nodes hold
 * (each answered at once, its bond paid to the node's operator), and opens a two-party session (not a
 * channel: no cap to corner) at the price the bridge quotes (`quoteCreateSession`).
 */
class Grief extends Command {
  constructor(readonly count: number, readonly pick: number) {
    super();
  }
  async act(w: World) {
    const g = w.f.griefer;
    w.m.culprits.add(g.address);
    const targets = challengeable(w, (_, __, c) => c.honest && PUBLIC.has(c.root));
    for (let i = 0; i < Math.min(this.count, targets.length); i++) {
      const [nodeId, epoch] = targets[(this.pick + i) % targets.length];
      const tree = TREES.get(w.m.committed(nodeId, epoch)!.root)!;
      const { outcome, id } = await openChallenge(w, "grief:challenge", g, nodeId, epoch, tree, this.pick + i, true);
      if (outcome.ok) await respond(w, w.m.challenges.get(id)!, "grief:answered");
    }
    const participants = [w.f.users[this.pick % w.f.users.length], w.f.users[(this.pick + 1) % w.f.users.length]];
    const addrs = participants.map((p) => p.address);
    const salt = ethers.id(`system session ${w.saltCounter++}`);
    const id = deriveSessionId({ chainId: w.f.chainId, bridge: w.f.addresses.bridge, creator: g.address, salt, participants: addrs });
    const quote = await w.f.bridge.quoteCreateSession();
    const outcome = w.m.createSession(id, addrs, [true, true], w.t);
    if (outcome.ok) expect(quote, "the bridge quotes the model's session price").to.equal(outcome.amount);
    const send = () => w.f.bridge.connect(g)["createSession(address[],bytes[],bytes32)"](addrs, participants.map(keyOf), salt, { value: quote });
    await w.perform("grief:session", w.f.bridge, outcome, g.address, send, (fee) => -fee);
  }
  toString() {
    return `grief(${this.count}, ${this.pick})`;
  }
}

/**
 * An exit raced against a pending penalty: a node with a challenge open (opened now on one of its
 * public leaves if none is) requests exit instead of answering. Past the window the default still
 * reaches its locked stake: the penalty rises by the failed-challenge rate (to the cap), once per epoch.
 */
class ExitRace extends Command {
  constructor(readonly pick: number) {
    super();
  }
  async act(w: World) {
    const open = [...w.m.challenges.values()].filter((c) => c.status === "open" && !c.self && w.t <= c.deadline && w.m.node(c.nodeId)!.status === NodeStatus.Active);
    let c = open.length ? open[this.pick % open.length] : undefined;
    if (!c) {
      const targets = challengeable(w, (id, _, cm) => PUBLIC.has(cm.root) && w.m.node(id)!.status === NodeStatus.Active);
      if (targets.length === 0) return;
      const [nodeId, epoch] = targets[this.pick % targets.length];
      const tree = TREES.get(w.m.committed(nodeId, epoch)!.root)!;
      const challenger = w.f.challengers[this.pick % w.f.challengers.length];
      const { outcome, id } = await openChallenge(w, "exitRace:challenge", challenger, nodeId, epoch, tree, this.pick, true);
      if (!outcome.ok) return;
      c = w.m.challenges.get(id)!;
    }
    const n = w.m.node(c.nodeId)!;
    const send = () => w.f.registry.connect(w.signer(n.operator)).requestExit(n.id);
    const r = await w.perform("exitRace:exit", w.f.registry, w.m.exit(n, n.operator, w.t), n.operator, send, () => 0n);
    if (!r) return;
    w.m.block = r.block;
    w.m.reg.requestExit(n, epochOf(r.t), r.t);
    const before = n.penaltyBps;
    const first = !w.m.penalised.has(`${n.id}:${c.epoch}`);
    if (w.t <= c.deadline) await advance(w, c.deadline - w.now);
    const slashed = await resolve(w, c);
    expect(slashed, "a default of an exited node is penalised while its stake is locked (once per epoch)").to.equal(first);
    const v = await w.f.registry.getNode(n.id);
    const want = before + PARAMS.failedChallengePenaltyBps > PENALTY_CAP_BPS ? PENALTY_CAP_BPS : before + PARAMS.failedChallengePenaltyBps;
    if (slashed) expect(BigInt(v.penaltyBps), "the penalty reached the exited node's locked stake").to.equal(want);
    expect(Number(v.status), "the node stays decommissioning, its stake locked").to.equal(NodeStatus.Decommissioning);
  }
  toString() {
    return `exitRace(${this.pick})`;
  }
}

/** Challenge bonds and answers are credited; anyone withdraws their credit. */
class StorageWithdraw extends Command {
  constructor(readonly who: number) {
    super();
  }
  async act(w: World) {
    const accounts = [...w.f.challengers, ...w.f.nodeOperators, w.f.stranger];
    await storageWithdraw(w, accounts[this.who % accounts.length]);
  }
  toString() {
    return `storageWithdraw(${this.who})`;
  }
}

async function storageWithdraw(w: World, who: HardhatEthersSigner) {
  await w.perform("storageWithdraw", w.f.storage, w.m.storageWithdraw(who.address), who.address, () => w.f.storage.connect(who).withdraw(), (a) => a);
}

/** Slash shares are credited in the registry; anyone claims their credit. */
class ClaimCredit extends Command {
  constructor(readonly who: number) {
    super();
  }
  async act(w: World) {
    const accounts = [...w.f.challengers, w.f.stranger];
    await claimCredit(w, accounts[this.who % accounts.length]);
  }
  toString() {
    return `claimCredit(${this.who})`;
  }
}

async function claimCredit(w: World, who: HardhatEthersSigner) {
  const amount = w.m.reg.credits.get(who.address) ?? 0n;
  const outcome: Outcome = amount === 0n ? { ok: false, error: "NothingToWithdraw" } : { ok: true, amount };
  const r = await w.perform("claimCredit", w.f.registry, outcome, who.address, () => w.f.registry.connect(who).claimCredit(), (a) => a);
  if (r) w.m.reg.claimCredit(who.address);
}

const weighted = (n: number, a: fc.Arbitrary<Cmd>): fc.Arbitrary<Cmd>[] => Array.from({ length: n }, () => a);

/** Every user action and time jump; an action listed n times is n times as likely. */
export const commandArbitraries: fc.Arbitrary<Cmd>[] = [
  fc.boolean().map((full) => new Register(full)),
  fc.boolean().map((full) => new Register(full)),
  ...weighted(2, fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([n, w, r]) => new Contribute(n, w, r))),
  fc.nat(255).map((skip) => new Heartbeats(skip)),
  fc.tuple(fc.nat(255), fc.nat(3)).map(([skip, s]) => new Heartbeats(skip, s === 0)),
  fc.nat(1).map(() => new Heartbeats(0)),
  fc.nat().map((n) => new Penalize(n)),
  fc.tuple(fc.nat(), fc.nat()).map(([n, w]) => new RequestExit(n, w)),
  fc.tuple(fc.nat(), fc.nat()).map(([n, w]) => new Withdraw(n, w)),
  fc.tuple(fc.nat(), fc.nat()).map(([n, w]) => new Claim(n, w)),
  fc.tuple(fc.nat(), fc.nat()).map(([n, w]) => new Claim(n, w)),
  fc
    .oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }).map((h) => BigInt(h) * HOUR) },
      { weight: 2, arbitrary: fc.integer({ min: 60, max: 1800 }).map(BigInt) },
      { weight: 1, arbitrary: fc.constantFrom(13n * HOUR, 70n * HOUR, 31n * DAY) },
    )
    .map((s) => new Wait(s)),
  fc.constant(new Fund()),
  fc.tuple(fc.constantFrom(...TARGETS), fc.nat(5)).map(([t, k]) => new TogglePause(t, k === 0)),
  fc
    .tuple(fc.nat(), fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 2, maxLength: 4 }), fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }), fc.boolean())
    .map(([c, m, k, o]) => new CreateSession(c, m, k, o)),
  fc.tuple(fc.nat(), fc.nat()).map(([s, u]) => new JoinSession(s, u)),
  ...weighted(2, fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 16 * 1024 })).map(([s, u, z]) => new SendMessage(s, u, z))),
  fc.tuple(fc.nat(), fc.nat()).map(([s, u]) => new CloseSession(s, u)),
  fc.nat().map((s) => new FlushFees(s)),
  fc.boolean().map((r) => new PayTreasury(r)),
  ...weighted(2, fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([s, d, u]) => new CommitSwarm(s, d, u))),
  ...weighted(3, fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()).map(([t, m, c, k]) => new Challenge(t, m, c, k))),
  ...weighted(2, fc.nat().map((c) => new Respond(c))),
  ...weighted(2, fc.nat().map((c) => new Resolve(c))),
  fc.nat().map((k) => new StorageWithdraw(k)),
  fc.nat().map((k) => new ClaimCredit(k)),
  // adversaries
  fc.nat().map((n) => new CommitJunk(n)),
  fc.tuple(fc.nat(), fc.nat()).map(([t, l]) => new SelfChallenge(t, l)),
  fc.tuple(fc.nat(), fc.nat()).map(([s, k]) => new Collude(s, k)),
  fc.tuple(fc.nat(), fc.nat()).map(([p, l]) => new Frame(p, l)),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.nat()).map(([c, p]) => new Grief(c, p)),
  fc.nat().map((p) => new ExitRace(p)),
];

// --------------------------------------------------------------------------------------- settlement

/**
 * Ends a sequence: with every pausable contract paused, open challenges are resolved, every node is
 * exited, and after the lock period everybody withdraws, claims and is credited exactly what the model
 * says; then the registry, the bridge and the storage contract hold nothing and the rewards contract
 * only the unallocated pool and rounding dust.
 */
export async function settleEverything(w: World): Promise<void> {
  const check = (what: string) => checkInvariants(w, `settlement: ${what}`);
  for (const target of TARGETS) if (!pausedOf(w, target)) await setPaused(w, target, true);
  // Every node still active is online for the settlement (heartbeats are not pausable): it answers the
  // challenges still in their window (a self-challenger never does) and proves every epoch, so only
  // what it missed before counts against it. Two hours pass (every node may then exit, every window closes).
  for (const c of w.m.challenges.values()) if (c.status === "open" && !c.self && w.t <= c.deadline) await respond(w, c);
  const until = w.now + 2n * HOUR;
  await heartbeatAll(w, () => true);
  while (w.now < until) {
    const next = (w.now / BigInt(EPOCH_SECONDS) + 1n) * BigInt(EPOCH_SECONDS);
    await advance(w, (next < until ? next : until) - w.now);
    await heartbeatAll(w, () => true);
  }
  for (const c of w.m.challenges.values()) if (c.status === "open") await resolve(w, c);
  for (const n of w.m.activeNodes()) {
    const r = await w.tx(() => w.f.registry.connect(w.signer(n.operator)).requestExit(n.id));
    w.m.block = r.block;
    w.m.reg.requestExit(n, epochOf(r.t), r.t);
  }
  await check("every node exited while paused");
  await advance(w, PARAMS.lockPeriod + 1n);
  for (const n of w.nodes()) {
    for (const who of w.m.stakeholders(n)) {
      const outcome = w.m.withdrawal(n, who, w.t);
      if (outcome.ok) await withdraw(w, n, who);
    }
  }
  for (const who of [...w.m.reg.credits.keys()]) await claimCredit(w, w.signer(who));
  for (const who of [...w.m.storageCredits.keys()]) await storageWithdraw(w, w.signer(who));
  for (const [swarm, pending] of [...w.m.pendingFees]) if (pending !== 0n) await flush(w, swarm);
  await payTreasury(w, false);
  await payTreasury(w, true);
  await check("every stake withdrawn while paused");
  // Nobody needs governance: a claim pays what the cycle's allowance has left and keeps the rest owed,
  // so each stakeholder claims once a cycle until nothing is owed (the limit is never raised).
  for (const n of w.nodes()) {
    for (const who of w.m.stakeholders(n)) {
      const bound = w.m.owed(n, who, w.t) / w.m.p.claimThreshold + 3n;
      for (let attempt = 0n; ; attempt++) {
        expect(attempt < bound, "everything owed is paid within ⌈owed / limit⌉ + 2 cycles").to.equal(true);
        const outcome = await claim(w, n, who);
        if (!outcome.ok && outcome.error === "NothingToClaim") break;
        if (outcome.ok && w.m.owed(n, who, w.t) === 0n) break;
        // The cycle's allowance ran out (partly paid, or refused with ClaimLimitExceeded): wait for the next.
        w.stats.cyclesWaited++;
        await advance(w, w.m.p.claimCycle);
      }
    }
  }
  await check("every reward claimed while paused");
  const balances = await Promise.all(
    [w.f.addresses.registry, w.f.addresses.bridge, w.f.addresses.storage].map((a) => ethers.provider.getBalance(a)),
  );
  expect(balances, "money is never locked: registry, bridge and storage hold nothing once everybody took what is due").to.deep.equal([0n, 0n, 0n]);
  for (const n of w.nodes()) {
    expect([NodeStatus.Retired, NodeStatus.Cancelled], `node ${n.id} ended`).to.include(n.status);
  }
  const left = await ethers.provider.getBalance(w.f.addresses.rewards);
  const unallocated = w.m.rewards.emissionFunded - w.m.rewards.emissionAllocated;
  // Every claim was paid in full; the contract keeps the unallocated pool plus the rounding dust of
  // what was allocated (never less).
  expect(left >= unallocated, `the rewards contract keeps the whole unallocated pool (${left} vs ${unallocated})`).to.equal(true);
  const dust = left - unallocated;
  if (dust > w.stats.rewardsDust) w.stats.rewardsDust = dust;
  expect(dust, "only rounding dust of allocated emission stays behind").to.be.lessThan(10n ** 9n);

  // Everybody took what is due: the economic-security invariant on everyone's flows.
  const economics = w.m.noProfitFromFaults();
  w.stats.honestNodes += economics.honest;
  w.stats.faultyNodes += economics.faulty;
  w.stats.culprits += economics.culprits;
  if (economics.broken.length) throw new Error(`settled: ${NO_PROFIT_FROM_FAULTS}:\n  - ${economics.broken.join("\n  - ")}`);
}

// --------------------------------------------------------------------------------------- runner

export interface CampaignOptions {
  runs: number;
  seed?: number;
  maxCommands?: number;
  /** fast-check's replay path of a reported counterexample (with its seed), and the command list's replayPath. */
  path?: string;
  replayPath?: string;
  /** Called once the base state is deployed (before the first sequence). */
  ready?: () => void;
  /** Called after each sequence with the sequence count so far. */
  progress?: (done: number, stats: Stats) => void;
  verbose?: boolean;
}

/** The base state again (EVM snapshot), with its model. */
export async function freshWorld(f: SystemFixture, stats = new Stats()): Promise<World> {
  await network.provider.send("evm_revert", [f.snapshot]);
  f.snapshot = await network.provider.send("evm_snapshot", []);
  const w = new World(f, stats, f.baseNow);
  await checkInvariants(w, "the base state");
  return w;
}

/** Lets `seconds` pass (one empty block at the new time). */
export async function elapse(w: World, seconds: bigint): Promise<void> {
  await advance(w, seconds);
}

/** Runs `runs` random command sequences from the base state; throws fast-check's report on failure. */
export async function runCampaign(opts: CampaignOptions): Promise<Stats> {
  const f = await systemFixture();
  opts.ready?.();
  const stats = new Stats();
  const cmds = fc.commands(commandArbitraries, { maxCommands: opts.maxCommands ?? 40, size: "max", replayPath: opts.replayPath });
  await fc.assert(
    fc.asyncProperty(cmds, async (commands) => {
      const w = await freshWorld(f, stats);
      await fc.asyncModelRun(() => ({ model: w, real: w }), commands);
      await settleEverything(w);
      stats.sequences++;
      opts.progress?.(stats.sequences, stats);
    }),
    { numRuns: opts.runs, seed: opts.seed, path: opts.path, verbose: opts.verbose ? 1 : 0 },
  );
  return stats;
}
