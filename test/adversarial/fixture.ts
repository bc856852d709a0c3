/**
 * The adversarial suite's one fixture (built once, restored by loadFixture in every test file):
 *
 * - the shared suite (registry, swarms, attestations, rewards) with StorageCommitment and SessionBridge,
 *   emission started and funded;
 * - five active nodes in one swarm: four honest ones (operators 0..3) and one operated by a hostile
 *   contract (`attacker`, a Reentrancy__Attacker), every one of them with real ML-DSA-65, ML-KEM-768
 *   and BLS keys; a sixth node waiting for contributions (operator 4), the attacker one of its
 *   contributors;
 * - storage commitments of HONEST by every active node for `commitEpoch`, final and challengeable
 *   (each node on the leaves of its own committed root);
 * - a second deployment for replays and precompile faults: `twin`, a whole suite whose registry calls
 *   the PQ precompiles through FaultyPQPrecompile__Mock stand-ins (forwarding honestly by default),
 *   with the same five keys registered in the same order (so node ids and the BLS aggregate match);
 *   `twinStorage`, a StorageCommitment on the main registry whose ML-DSA is the faulty stand-in; and
 *   `sinkBridge`, a SessionBridge whose rewards contract is a second attacker (`sink`);
 * - a TimelockController (the production admin) for the governance checks.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, Interface } from "ethers";
import { TEST_PROFILE, usePrecompiles } from "../helpers/precompiles";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys, registerActive, type NodeKeys, type Suite } from "../helpers/suite";
import { HONEST, commitTree, deployStorage, nextEpoch, type StorageNode } from "../storage/helpers";
import { deployBridge } from "../bridge/fixture";
import { DEFAULT_SESSION_TTL } from "../../src/sessions";
import { anchorRotationDigest, operatorMinimum } from "../../src/registry";
import { mldsaSign } from "../../src/pq";
import type {
  FaultyPQPrecompile__Mock,
  Reentrancy__Attacker,
  SessionBridge,
  StorageCommitment,
  TimelockController,
} from "../../typechain-types";

/** FaultyPQPrecompile__Mock.Mode, in declaration order. */
export enum Fault {
  Forward,
  Revert,
  RevertWithAnswer,
  Empty,
  Truncated,
  Padded,
  Huge,
  WordTwo,
  HighByteTrue,
  False,
  OutOfGas,
}

export interface AdversarialNet extends Suite {
  storage: StorageCommitment;
  bridge: SessionBridge;
  attacker: Reentrancy__Attacker;
  /** The four honest active nodes (operators 0..3). */
  honest: StorageNode[];
  /** The active node whose operator is `attacker`. */
  hostile: { nodeId: bigint; keys: NodeKeys };
  /** A node of operator 4 waiting for contributions; `attacker` contributed `attackerContribution`. */
  partialNode: bigint;
  attackerContribution: bigint;
  /** The epoch every active node committed HONEST for (final; each node challengeable on its own root). */
  commitEpoch: number;
  chainId: bigint;
  faultyDsa: FaultyPQPrecompile__Mock;
  faultyKem: FaultyPQPrecompile__Mock;
  twin: Suite;
  twinStorage: StorageCommitment;
  sink: Reentrancy__Attacker;
  sinkBridge: SessionBridge;
  timelock: TimelockController;
}

/** Every active node of the fixture, honest ones first, with the BLS keys the aggregate holds. */
export function activeKeys(f: AdversarialNet) {
  return new Map([...f.honest.map((n) => [n.nodeId, n.keys.bls] as const), [f.hostile.nodeId, f.hostile.keys.bls] as const]);
}

async function deployAttacker(): Promise<Reentrancy__Attacker> {
  return (await ethers.deployContract("Reentrancy__Attacker")) as unknown as Reentrancy__Attacker;
}

export async function adversarialNet(): Promise<AdversarialNet> {
  const pc = await usePrecompiles();
  const s = await deploySuite();
  const storage = await deployStorage(s);
  const bridge = await deployBridge(s);
  const attacker = await deployAttacker();
  const attackerAddress = await attacker.getAddress();

  const honest: StorageNode[] = [];
  for (let i = 0; i < 4; i++) {
    const { nodeId, keys } = await registerActive(s, s.operators[i], `adversarial-${i}`);
    honest.push({ nodeId, keys, operator: s.operators[i] });
  }
  // The hostile contract registers a node of its own: the proofs are made for its address.
  const hostileKeys = nodeKeys("adversarial-hostile", await currentEpoch());
  const hostileReg = await buildRegistration(s.registry, attackerAddress, hostileKeys);
  await (await act(attacker, s.registry, "register", [hostileReg], REQUIREMENT)).wait();
  const hostile = { nodeId: await s.registry.lastNodeId(), keys: hostileKeys };

  // A node waiting for contributions; the attacker takes a slot with the minimum contribution.
  const partialOperator = s.operators[4];
  const partialReg = await buildRegistration(s.registry, partialOperator.address, nodeKeys("adversarial-partial", await currentEpoch()));
  await (await s.registry.connect(partialOperator).register(partialReg, { value: operatorMinimum(REQUIREMENT) })).wait();
  const partialNode = await s.registry.lastNodeId();
  const attackerContribution = await s.registry.minimumContribution(partialNode);
  await (await act(attacker, s.registry, "contribute", [partialNode], attackerContribution)).wait();

  await (await s.rewards.connect(s.admin).start()).wait();
  await (await s.rewards.connect(s.admin).fund({ value: ethers.parseEther("10000000") })).wait();

  // Every active node (one swarm of five) commits the same store, then the epoch ends.
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const commitEpoch = await nextEpoch();
  const all: StorageNode[] = [...honest, { ...hostile, operator: s.others[0] }];
  for (const node of all) await (await commitTree({ storage, swarms: s.swarms, chainId }, node, HONEST, commitEpoch)).wait();
  await nextEpoch();

  // The second deployment: the same keys, the same order, precompiles behind faulty stand-ins.
  const faultyDsa = (await ethers.deployContract("FaultyPQPrecompile__Mock", [pc.addresses.mldsa])) as unknown as FaultyPQPrecompile__Mock;
  const faultyKem = (await ethers.deployContract("FaultyPQPrecompile__Mock", [pc.addresses.mlkem])) as unknown as FaultyPQPrecompile__Mock;
  const twin = await deploySuite({ mldsa: await faultyDsa.getAddress(), mlkem: await faultyKem.getAddress() });
  for (const [i, node] of all.entries()) {
    const op = s.operators[i];
    const reg = await buildRegistration(twin.registry, op.address, node.keys);
    await (await twin.registry.connect(op).register(reg, { value: REQUIREMENT })).wait();
  }
  const twinStorage = await deployStorage(s, await faultyDsa.getAddress());

  const sink = await deployAttacker();
  const sinkBridge = (await ethers.deployContract("SessionBridge", [
    s.admin.address,
    s.guardian.address,
    await s.swarms.getAddress(),
    await sink.getAddress(),
    ethers.ZeroAddress,
    DEFAULT_SESSION_TTL,
  ])) as unknown as SessionBridge;

  const timelock = (await ethers.deployContract("TimelockController", [
    60,
    [s.admin.address],
    [s.admin.address],
    ethers.ZeroAddress,
  ])) as unknown as TimelockController;

  return {
    ...s,
    storage,
    bridge,
    attacker,
    honest,
    hostile,
    partialNode,
    attackerContribution,
    commitEpoch,
    chainId,
    faultyDsa,
    faultyKem,
    twin,
    twinStorage,
    sink,
    sinkBridge,
    timelock,
  };
}

/** An ML-DSA signature by `keys` of node `nodeId`'s anchor rotation, made for `chainId` and `registry`. */
export function rotationSignature(keys: NodeKeys, chainId: bigint, registry: string, nodeId: bigint, anchor: string, epoch: number) {
  return mldsaSign(keys.mldsa.secretKey, ethers.getBytes(anchorRotationDigest(chainId, registry, nodeId, anchor, epoch)), { profile: TEST_PROFILE });
}

// ------------------------------------------------------------------ the hostile account

type AnyContract = BaseContract & { interface: Interface };

/** A call for the attacker to make: `fn(...args)` on `target`, with `value` wei. */
export interface PlannedCall {
  target: AnyContract;
  fn: string;
  args?: unknown[];
  value?: bigint;
}

async function encode(c: PlannedCall) {
  return { target: await c.target.getAddress(), value: c.value ?? 0n, data: c.target.interface.encodeFunctionData(c.fn, c.args ?? []) };
}

/** Makes `attacker` call `fn(...args)` on `target` with `value` (which the transaction brings along). */
export async function act(attacker: Reentrancy__Attacker, target: AnyContract, fn: string, args: unknown[] = [], value = 0n) {
  const c = await encode({ target, fn, args, value });
  return attacker.act(c.target, c.value, c.data, { value });
}

/** Makes `attacker` run `calls` in one transaction (the sum of their values comes with it). */
export async function actBatch(attacker: Reentrancy__Attacker, calls: PlannedCall[], overrides: { gasLimit?: number } = {}) {
  const value = calls.reduce((sum, c) => sum + (c.value ?? 0n), 0n);
  return attacker.batch(await Promise.all(calls.map(encode)), { value, ...overrides });
}

/** Arms `attacker` to make `calls`, in order, when PARS next reaches it. */
export async function arm(attacker: Reentrancy__Attacker, calls: PlannedCall[]) {
  await (await attacker.mock__arm(await Promise.all(calls.map(encode)))).wait();
}

/** The recorded re-entries of the last armed receipt: target, success, and the revert's error name. */
export async function attempts(attacker: Reentrancy__Attacker, contracts: AnyContract[]) {
  const n = Number(await attacker.attemptCount());
  const out: { ok: boolean; error?: string; args?: unknown[] }[] = [];
  for (let i = 0; i < n; i++) {
    const a = await attacker.attempt(i);
    if (a.ok) {
      out.push({ ok: true });
      continue;
    }
    let parsed;
    for (const c of contracts) parsed ??= c.interface.parseError(a.data);
    out.push({ ok: false, error: parsed?.name ?? a.data, args: parsed ? [...parsed.args] : undefined });
  }
  return out;
}

/** The native balances of `who`, in order. */
export async function balances(...who: (AnyContract | HardhatEthersSigner | string)[]): Promise<bigint[]> {
  return Promise.all(
    who.map(async (w) => ethers.provider.getBalance(typeof w === "string" ? w : "getAddress" in w ? await w.getAddress() : w)),
  );
}

/** Expects every recorded re-entry to have been stopped by the contracts' reentrancy guard. */
export async function expectAllGuarded(attacker: Reentrancy__Attacker, contracts: AnyContract[], count: number) {
  const list = await attempts(attacker, contracts);
  expect(list).to.have.length(count);
  for (const a of list) expect(a).to.deep.equal({ ok: false, error: "ReentrancyGuardReentrantCall", args: [] });
}

/** Everything a refused call must leave unchanged: balances, counters, debts and the key aggregate. */
export async function systemState(f: AdversarialNet) {
  const ids = [...f.honest.map((n) => n.nodeId), f.hostile.nodeId, f.partialNode];
  return {
    balances: (await balances(f.registry, f.rewards, f.storage, f.bridge, f.twin.registry)).map(String),
    nodes: (await Promise.all(ids.map((id) => f.registry.getNode(id)))).map((n) => n.toString()),
    registry: [await f.registry.lastNodeId(), await f.registry.activeNodes(), await f.registry.totalActiveStake(), await f.registry.treasuryOwed()].map(String),
    rewards: [await f.rewards.emissionFunded(), await f.rewards.treasuryOwed(), await f.rewards.totalStake(), await f.rewards.claimedInCycle()].map(String),
    aggregate: (await f.attestations.blsAggregateKey()).toString(),
    twinAggregate: (await f.twin.attestations.blsAggregateKey()).toString(),
    twinNodes: [await f.twin.registry.lastNodeId(), await f.twin.registry.activeNodes()].map(String),
    storage: (await Promise.all(ids.slice(0, 5).map((id) => f.storage.commitmentOf(id, f.commitEpoch)))).map(String),
    bridge: [(await f.bridge.health()).toString(), await f.bridge.pendingFees(0)].map(String),
  };
}
