/**
 * One reference model of the whole Pars network, composed of the per-contract models:
 * the registry model (test/registry/model.ts) for stakes, lifecycle, liveness, penalties and slashes;
 * SwarmModel (src/swarm) for membership, repeating the coordinator's picks from each block's prevrandao
 * and its placement draws from the hash of the block after each join;
 * RewardsCalculator (src/rewards) for emission, swarm fees and claims; SwarmTallyModel (src/storage) for
 * the storage commitments' swarm roots; plus small models of the challenge bonds, the session bridge and
 * the rewards contract's claim cycle. Lifecycle events of the registry are forwarded to the swarm,
 * rewards and BLS models in the order the contracts call each other.
 *
 * Beside the contracts' state it keeps the economics of every actor (DESIGN.md §12): each node's faults
 * and what they cost it, what every account put in and took out, and which accounts caused a fault
 * on purpose, for the invariant NO_PROFIT_FROM_FAULTS.
 */
import { RegistryModel, BPS, PENALTY_CAP_BPS, type ModelNode } from "../registry/model";
import { NodeStatus } from "../../src/registry";
import { SwarmModel, NO_SWARM as SWARM_NONE, STORAGE_PER_NODE, SETTLES_PER_CALL, inboxToSwarm, type BlockContext } from "../../src/swarm";
import { RewardsCalculator, NO_SWARM, cumulativeEmission } from "../../src/rewards";
import { SwarmTallyModel } from "../../src/storage";
import { CREATE_FEE, MESSAGE_FEE_PER_KIB, feeMultiplier, messageKiB, SessionStatus } from "../../src/sessions";
import { aggregatePublicKeys, type G2Point } from "../../src/bls";

/** A predicted outcome: paid/charged `amount`, or a revert with the named custom error. */
export type Outcome = { ok: true; amount: bigint } | { ok: false; error: string };
const ok = (amount: bigint): Outcome => ({ ok: true, amount });
const fail = (error: string): Outcome => ({ ok: false, error });

export interface SystemParams {
  requirement: bigint;
  penaltyPerEpochBps: bigint;
  lockPeriod: bigint;
  emissionBase: bigint;
  claimThreshold: bigint;
  claimCycle: bigint;
  challengeBond: bigint;
  failedChallengePenaltyBps: bigint;
  challengerShareBps: bigint;
  sessionTTL: bigint;
}

export interface ModelSession {
  id: string;
  participants: string[];
  pending: Set<string>;
  closed: boolean;
  expiresAt: bigint;
  messageCount: number;
}

export interface ModelChallenge {
  id: string;
  challenger: string;
  nodeId: number;
  epoch: number;
  /** The challenged leaf: keccak256 of the message and its size. */
  messageHash: string;
  size: number;
  deadline: bigint;
  status: "open" | "answered" | "defaulted";
  bond: bigint;
  /** The node's own operator challenged it (it never answers). */
  self: boolean;
}

/**
 * A node's signed commitment of one epoch: its root and the leaves (message hash and size) the root
 * holds. Honest commitments hold the messages the node stores (the swarm's, or what is left of them);
 * dishonest ones a set nobody else has (a junk root, or a colluding coalition's invented root).
 */
export interface ModelCommitment {
  swarm: number;
  root: string;
  leaves: ReadonlySet<string>;
  /** Committed what the node stores (false: a junk or colluding root, itself a fault). */
  honest: boolean;
}

/** A leaf's key in ModelCommitment.leaves. */
export const leafKey = (messageHash: string, size: number | bigint): string => `${messageHash.toLowerCase()}:${size}`;

/**
 * The economic-security invariant, checked at the end of every sequence once everybody has taken what
 * is due (and its first half, a node's penalty equals its own faults' cost, after every step).
 */
export const NO_PROFIT_FROM_FAULTS =
  "a contributor of an honest node loses nothing, and a contributor of a faulty node loses no more than that node's own faults cost; nobody ends richer for a fault they caused";

/** What an account put into and took out of the suite, by kind (rewards are income for service, apart). */
export interface Flows {
  /** Stake paid in (register, contribute) and paid back (withdraw). */
  staked: bigint;
  unstaked: bigint;
  /** Challenge bonds posted, and bonds credited back to it (its default refunds, its own answers). */
  bonded: bigint;
  refunded: bigint;
  /** Slash shares credited to it as a challenger. */
  shares: bigint;
  /** Credited for answering others' challenges of its node, and reward claims: pay for service. */
  income: bigint;
}

const EXIT_MIN_AGE = 2n * 3600n;
const SMALL_EXIT_DELAY = 30n * 86400n;
const SMALL_CONTRIBUTOR_BPS = 2_500n;
const CHALLENGE_EPOCHS = 3;
const RESPONSE_WINDOW = 3600n;
/** StorageCommitment.MAX_MESSAGE_BYTES: a larger leaf cannot be challenged (it could not be answered). */
const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * The registry model with the registry's calls into the coordinator, the BLS key registry and the
 * rewards contract forwarded to the system model, in the contracts' order.
 */
class WiredRegistry extends RegistryModel {
  constructor(
    private readonly sys: SystemModel,
    p: SystemParams,
  ) {
    super(p.requirement, p.penaltyPerEpochBps, p.lockPeriod);
  }
  protected override activate(node: ModelNode, epoch: number, now: bigint): void {
    super.activate(node, epoch, now);
    this.sys.joined(node, now);
  }
  override decommission(node: ModelNode, now: bigint): void {
    super.decommission(node, now);
    this.sys.left(node, now);
  }
  protected override stakeChanged(node: ModelNode, now: bigint): void {
    this.sys.rewards.update(now);
    this.sys.rewards.setNodeStake(BigInt(node.id), this.effective(node));
  }
  /** Every epoch settled as missed is the node's own fault (it sent no heartbeat), costing the per-epoch rate. */
  override settle(node: ModelNode, epoch: number, proven: boolean, now: bigint): boolean {
    const missed = epoch - 1 > node.settledEpoch ? epoch - 1 - node.settledEpoch : 0;
    if (missed > 0) this.sys.fault(node.id, `missed ${missed} epoch(s) before ${epoch}`, BigInt(missed) * this.penaltyPerEpochBps);
    return super.settle(node, epoch, proven, now);
  }
}

export class SystemModel {
  readonly reg: WiredRegistry;
  readonly swarms = new SwarmModel();
  readonly rewards: RewardsCalculator;
  /** BLS public keys by node id, and the ids whose key is in the aggregate. */
  readonly blsKeys = new Map<number, G2Point>();
  readonly blsActive = new Set<number>();
  /** Operator fee of each node (bps), as registered. */
  readonly feeBps = new Map<number, bigint>();
  /** The block being applied: its number, prevrandao and earlier hashes (the coordinator's entropy and placement seeds). */
  block: BlockContext = { number: 0, prevrandao: 0n, hash: () => 0n };
  /**
   * Nodes whose `placementPending` bit is set in the registry: marked at activation (the swarm
   * placement was queued); a batched heartbeat takes the mark over and the batch ends with `settle(2)`.
   */
  readonly placementMarked = new Set<number>();

  // rewards contract
  rewardsFunded = 0n;
  feesDeposited = 0n;
  claimsPaid = 0n;
  rewardsTreasuryPaid = 0n;

  // registry payouts to the treasury
  registryTreasuryPaid = 0n;

  // session bridge
  bridgePaused = false;
  readonly sessions = new Map<string, ModelSession>();
  readonly pendingFees = new Map<number, bigint>();
  /** Every swarm id fees were ever collected for (their pending fees are checked). */
  readonly feeSwarms = new Set<number>();

  // storage commitments
  storagePaused = false;
  readonly commitments = new Map<string, ModelCommitment>();
  readonly tallies = new Map<string, SwarmTallyModel>();
  readonly challenges = new Map<string, ModelChallenge>();
  readonly storageCredits = new Map<string, bigint>();
  /** `node:epoch` of every storage penalty: at most one per node and epoch. */
  readonly penalised = new Set<string>();

  // economics (NO_PROFIT_FROM_FAULTS)
  /** Each node's faults, in words, and what they cost it by the rules (bps, summed before the cap). */
  readonly faults = new Map<number, string[]>();
  readonly faultBps = new Map<number, bigint>();
  /** Accounts that caused a fault on purpose (an operator challenging its own node, a colluder, a griefer). */
  readonly culprits = new Set<string>();
  readonly flows = new Map<string, Flows>();
  /** Stake each account put into / took out of each node, by `node:account`. */
  readonly stakeIn = new Map<string, bigint>();
  readonly stakeOut = new Map<string, bigint>();

  registryPaused = false;

  constructor(readonly p: SystemParams) {
    this.reg = new WiredRegistry(this, p);
    this.rewards = new RewardsCalculator(p.emissionBase);
    this.rewards.claimThreshold = p.claimThreshold;
    this.rewards.claimCycle = p.claimCycle;
  }

  // ------------------------------------------------------------------ lifecycle wiring

  /** `_activate`: BLS key into the aggregate, `swarms.addNode` (moves reported to rewards), `onNodeActivated`. */
  joined(node: ModelNode, now: bigint): void {
    const id = BigInt(node.id);
    this.rewards.update(now);
    this.blsActive.add(node.id);
    this.placementMarked.add(node.id);
    for (const c of this.swarms.addNode(id, this.block)) {
      if (c.nodeId !== id) this.rewards.move(c.nodeId, BigInt(c.toSwarm));
    }
    const swarm = this.swarms.swarmOf(id);
    const feeBps = this.feeBps.get(node.id) ?? 0n;
    this.rewards.activate(id, swarm === SWARM_NONE ? NO_SWARM : BigInt(swarm), node.stake, feeBps, node.stake);
  }

  /**
   * `heartbeatBatch` of `nodes` (the due ones; stale entries are skipped and change nothing), in a
   * block `block`. Each proven node that is still active takes over its placement mark (the
   * last such node is the batch's); a batch that took one ends with `swarms.settle(2)`, its swaps
   * reported to rewards, and marks that node again while placements stay queued.
   */
  heartbeatBatch(nodes: readonly ModelNode[], epoch: number, now: bigint, block: BlockContext): void {
    this.block = block;
    let queued: number | undefined;
    for (const n of nodes) {
      this.reg.heartbeat(n, epoch, now);
      if (n.status === NodeStatus.Active && this.placementMarked.delete(n.id)) queued = n.id;
    }
    if (queued === undefined) return;
    const changes = this.swarms.settle(SETTLES_PER_CALL, block);
    if (changes.length > 0) this.rewards.update(now);
    for (const c of changes) this.rewards.move(c.nodeId, BigInt(c.toSwarm));
    if (this.swarms.pendingPlacements().length !== 0) this.placementMarked.add(queued);
  }

  /** `_decommission`: BLS key out, `swarms.removeNode` (every move reported), `onNodeDeactivated`. */
  left(node: ModelNode, now: bigint): void {
    const id = BigInt(node.id);
    this.rewards.update(now);
    this.blsActive.delete(node.id);
    for (const c of this.swarms.removeNode(id, this.block)) this.rewards.move(c.nodeId, BigInt(c.toSwarm));
    this.rewards.setNodeStake(id, 0n);
  }

  /** `register` with `value`, the node's BLS key and operator fee, in `block`. */
  register(operator: string, value: bigint, feeBps: bigint, blsKey: G2Point, epoch: number, now: bigint, block: BlockContext): ModelNode {
    const id = this.reg.lastId + 1;
    this.feeBps.set(id, feeBps);
    this.blsKeys.set(id, blsKey);
    this.block = block;
    this.stakePaid(id, operator, value);
    return this.reg.register(operator, value, epoch, now);
  }

  /** `contribute` of `value` from `who`. */
  contribute(node: ModelNode, who: string, value: bigint, epoch: number, now: bigint): void {
    this.stakePaid(node.id, who, value);
    this.reg.contribute(node, who, value, epoch, now);
  }

  /** `withdraw(nodeId)` from `who`: the amount paid. */
  withdraw(node: ModelNode, who: string): bigint {
    const amount = this.reg.withdraw(node, who);
    const key = `${node.id}:${who}`;
    this.stakeOut.set(key, (this.stakeOut.get(key) ?? 0n) + amount);
    this.account(who).unstaked += amount;
    return amount;
  }

  // ------------------------------------------------------------------ economics

  account(who: string): Flows {
    let f = this.flows.get(who);
    if (!f) this.flows.set(who, (f = { staked: 0n, unstaked: 0n, bonded: 0n, refunded: 0n, shares: 0n, income: 0n }));
    return f;
  }

  private stakePaid(nodeId: number, who: string, value: bigint): void {
    const key = `${nodeId}:${who}`;
    this.stakeIn.set(key, (this.stakeIn.get(key) ?? 0n) + value);
    this.account(who).staked += value;
  }

  /** Records a fault of node `nodeId` and what the rules make it cost (bps of its stake). */
  fault(nodeId: number, what: string, bps: bigint): void {
    const list = this.faults.get(nodeId) ?? [];
    list.push(what);
    this.faults.set(nodeId, list);
    this.faultBps.set(nodeId, (this.faultBps.get(nodeId) ?? 0n) + bps);
  }

  /** What a node's own faults cost it in all: their sum, capped at PENALTY_CAP_BPS. */
  faultCost(nodeId: number): bigint {
    const bps = this.faultBps.get(nodeId) ?? 0n;
    return bps > PENALTY_CAP_BPS ? PENALTY_CAP_BPS : bps;
  }

  /**
   * NO_PROFIT_FROM_FAULTS, once everybody took what is due (every stake withdrawn, every credit
   * claimed): the broken parts, as sentences.
   *  (1) every contributor of an honest node (no fault at all) got its whole stake back;
   *  (2) a contributor of a faulty node lost at most its pro-rata share of the node's faults' cost,
   *      ceil(contributed * min(Σ fault bps, 50%) / 10,000), so never more than half;
   *  (3) an account that caused a fault on purpose took out (stake back, bonds back, slash shares) no
   *      more than it put in (stake, bonds). Pay for service (rewards, others' bonds for answers) apart.
   * Returns [sentences broken, honest nodes checked, faulty nodes checked, culprits checked].
   */
  noProfitFromFaults(): { broken: string[]; honest: number; faulty: number; culprits: number } {
    const broken: string[] = [];
    let honest = 0;
    let faulty = 0;
    for (const n of this.reg.nodes.values()) {
      const isHonest = !this.faults.has(n.id);
      if (isHonest) honest++;
      else faulty++;
      const cost = this.faultCost(n.id);
      for (const [key, paid] of this.stakeIn) {
        const [id, who] = key.split(":");
        if (Number(id) !== n.id) continue;
        const loss = paid - (this.stakeOut.get(key) ?? 0n);
        const bound = isHonest ? 0n : (paid * cost + BPS - 1n) / BPS;
        if (loss < 0n || loss > bound) {
          broken.push(
            isHonest
              ? `(1) ${who}, a contributor of honest node ${n.id}, got back ${paid - loss} of its ${paid}`
              : `(2) ${who}, a contributor of faulty node ${n.id} (${this.faults.get(n.id)!.join("; ")}: ${cost} bps), lost ${loss} of its ${paid}, more than its share ${bound}`,
          );
        }
      }
    }
    for (const who of this.culprits) {
      const f = this.account(who);
      const out = f.unstaked + f.refunded + f.shares;
      const put = f.staked + f.bonded;
      if (out > put) broken.push(`(3) ${who} caused a fault and took out ${out} (stake ${f.unstaked}, bonds ${f.refunded}, shares ${f.shares}), more than the ${put} it put in`);
    }
    return { broken, honest, faulty, culprits: this.culprits.size };
  }

  // ------------------------------------------------------------------ views

  node(id: number): ModelNode | undefined {
    return this.reg.nodes.get(id);
  }

  activeNodes(): ModelNode[] {
    return [...this.reg.nodes.values()].filter((n) => n.status === NodeStatus.Active);
  }

  aggregateKey(): G2Point {
    return aggregatePublicKeys([...this.blsActive].map((id) => this.blsKeys.get(id)!));
  }

  multiplier(): bigint {
    return feeMultiplier({
      storageUsed: this.swarms.storageUsed,
      storageCapacity: BigInt(this.swarms.activeNodes) * STORAGE_PER_NODE,
    });
  }

  // ------------------------------------------------------------------ registry

  /** Who may request the node's exit at `now`, as `requestExit` decides. */
  exit(node: ModelNode, who: string, now: bigint): Outcome {
    if (node.status !== NodeStatus.Active) return fail("InvalidNodeStatus");
    let allowedAt = node.activatedAt + EXIT_MIN_AGE;
    if (who !== node.operator) {
      const c = node.contributors.find((x) => x.addr === who);
      if (!c) return fail("NotContributor");
      if (c.amount * BPS < node.stake * SMALL_CONTRIBUTOR_BPS) allowedAt = node.activatedAt + SMALL_EXIT_DELAY;
    }
    if (now < allowedAt) return fail("ExitTooEarly");
    return ok(0n);
  }

  /** What `withdraw(nodeId)` from `who` at `now` pays, or why it reverts. */
  withdrawal(node: ModelNode, who: string, now: bigint): Outcome {
    const slot = node.contributors.findIndex((c) => c.addr === who);
    switch (node.status) {
      case NodeStatus.AwaitingContributions:
        if (who === node.operator) return ok(node.contributors[0].amount);
        return slot < 0 || node.contributors[slot].amount === 0n ? fail("NothingToWithdraw") : ok(node.contributors[slot].amount);
      case NodeStatus.Cancelled:
      case NodeStatus.Decommissioning: {
        if (node.status === NodeStatus.Decommissioning && now < node.unlockAt) return fail("StakeLocked");
        if (slot < 0 || node.contributors[slot].amount === 0n || node.withdrawn.has(who)) return fail("NothingToWithdraw");
        const staked = node.contributors[slot].amount;
        return ok(node.status === NodeStatus.Cancelled ? staked : (staked * (BPS - node.penaltyBps)) / BPS);
      }
      default:
        return fail("InvalidNodeStatus");
    }
  }

  // ------------------------------------------------------------------ rewards

  fund(now: bigint, amount: bigint): void {
    this.rewards.fund(now, amount);
    this.rewardsFunded += amount;
  }

  /** What `who` is owed by `claim(nodeId)` at `now` (a claim pays it up to the cycle's allowance). */
  owed(node: ModelNode, who: string, now: bigint): bigint {
    const { contribution, isOperator } = this.reg.shareOf(node, who);
    return this.rewards.claimable(now, BigInt(node.id), who, contribution, isOperator);
  }

  /**
   * What `claim(nodeId)` from `who` at `now` pays, or why it reverts (nothing applied): everything owed,
   * or what is left of the cycle's allowance if that is less. The pool always covers it (solvency is
   * exact: what is booked covers every rounded-down credit).
   */
  claimOutcome(node: ModelNode, who: string, now: bigint): Outcome {
    const owed = this.owed(node, who, now);
    if (owed === 0n) return fail("NothingToClaim");
    const left = this.rewards.allowance(now);
    if (left === 0n) return fail("ClaimLimitExceeded");
    return ok(owed < left ? owed : left);
  }

  /** Applies a successful claim; returns what the calculator paid. */
  claim(node: ModelNode, who: string, now: bigint): bigint {
    const { contribution, isOperator } = this.reg.shareOf(node, who);
    const amount = this.rewards.claim(now, BigInt(node.id), who, contribution, isOperator);
    this.claimsPaid += amount;
    this.account(who).income += amount;
    return amount;
  }

  /** Every account that has or had a stake in a node: the ones that may have rewards to claim. */
  stakeholders(node: ModelNode): string[] {
    return [...new Set([node.operator, ...node.contributors.map((c) => c.addr)])];
  }

  /** Σ claimable over every node and stakeholder at `now`. */
  totalClaimable(now: bigint): bigint {
    let sum = 0n;
    for (const n of this.reg.nodes.values()) {
      for (const who of this.stakeholders(n)) {
        const { contribution, isOperator } = this.reg.shareOf(n, who);
        sum += this.rewards.claimable(now, BigInt(n.id), who, contribution, isOperator);
      }
    }
    return sum;
  }

  /** Emission an update at `now` would allocate (scheduled since the last update, capped by the pool). */
  pendingEmission(now: bigint): bigint {
    const r = this.rewards;
    if (r.startTime === 0n || now <= r.lastUpdate || r.totalStake === 0n) return 0n;
    const due =
      cumulativeEmission(r.emissionBase, now - r.startTime) - cumulativeEmission(r.emissionBase, r.lastUpdate - r.startTime);
    const available = r.emissionFunded - r.emissionAllocated;
    return due < available ? due : available;
  }

  /** Wei the rewards contract holds by its flows: funded + fees − claims − treasury payouts. */
  rewardsHeld(): bigint {
    return this.rewardsFunded + this.feesDeposited - this.claimsPaid - this.rewardsTreasuryPaid;
  }

  // ------------------------------------------------------------------ session bridge

  sessionStatus(s: ModelSession, now: bigint): SessionStatus {
    if (s.closed) return SessionStatus.Closed;
    if (now >= s.expiresAt) return SessionStatus.Expired;
    if (s.pending.size !== 0) return SessionStatus.Pending;
    return SessionStatus.Active;
  }

  private collect(sessionId: string, fee: bigint): void {
    const swarm = inboxToSwarm(sessionId, this.swarms.swarmCount);
    this.pendingFees.set(swarm, (this.pendingFees.get(swarm) ?? 0n) + fee);
    this.feeSwarms.add(swarm);
  }

  createSession(id: string, participants: string[], keyed: boolean[], now: bigint): Outcome {
    if (this.bridgePaused) return fail("EnforcedPause");
    if (this.sessions.has(id)) return fail("SessionExists");
    const fee = CREATE_FEE * this.multiplier();
    this.sessions.set(id, {
      id,
      participants,
      pending: new Set(participants.filter((_, i) => !keyed[i])),
      closed: false,
      expiresAt: now + this.p.sessionTTL,
      messageCount: 0,
    });
    this.collect(id, fee);
    return ok(fee);
  }

  joinSession(s: ModelSession, who: string, now: bigint): Outcome {
    if (!s.participants.includes(who)) return fail("NotParticipant");
    if (!s.pending.has(who)) return fail("AlreadyJoined");
    if (this.sessionStatus(s, now) !== SessionStatus.Pending) return fail("InvalidSessionStatus");
    s.pending.delete(who);
    return ok(0n);
  }

  sendMessage(s: ModelSession, who: string, size: number, now: bigint): Outcome {
    if (this.bridgePaused) return fail("EnforcedPause");
    if (this.sessionStatus(s, now) !== SessionStatus.Active) return fail("InvalidSessionStatus");
    if (!s.participants.includes(who)) return fail("NotParticipant");
    const fee = MESSAGE_FEE_PER_KIB * messageKiB(size) * this.multiplier();
    s.messageCount++;
    this.collect(s.id, fee);
    return ok(fee);
  }

  closeSession(s: ModelSession, who: string, now: bigint): Outcome {
    if (!s.participants.includes(who)) return fail("NotParticipant");
    const status = this.sessionStatus(s, now);
    if (status !== SessionStatus.Pending && status !== SessionStatus.Active) return fail("InvalidSessionStatus");
    s.closed = true;
    return ok(0n);
  }

  flushFees(swarm: number): Outcome {
    const amount = this.pendingFees.get(swarm) ?? 0n;
    if (amount === 0n) return fail("NothingToFlush");
    this.pendingFees.set(swarm, 0n);
    this.rewards.depositFees(BigInt(swarm), amount);
    this.feesDeposited += amount;
    return ok(amount);
  }

  bridgeHeld(): bigint {
    let sum = 0n;
    for (const v of this.pendingFees.values()) sum += v;
    return sum;
  }

  // ------------------------------------------------------------------ storage commitments

  /**
   * A node's commitment of `root`, whose tree holds `leaves`. A dishonest one (a root of messages the
   * node does not store for the swarm: junk, or a coalition's invention) is a fault costing nothing by itself.
   */
  commit(nodeId: number, swarm: number, epoch: number, root: string, leaves: ReadonlySet<string>, honest: boolean, usedBytes: bigint): void {
    this.commitments.set(`${nodeId}:${epoch}`, { swarm, root: root.toLowerCase(), leaves, honest });
    if (!honest) this.fault(nodeId, `committed an invented root in epoch ${epoch}`, 0n);
    const key = `${swarm}:${epoch}`;
    let tally = this.tallies.get(key);
    if (!tally) this.tallies.set(key, (tally = new SwarmTallyModel()));
    tally.commit(BigInt(nodeId), root);
    this.swarms.reportStorageUsed(BigInt(nodeId), usedBytes);
  }

  committed(nodeId: number, epoch: number): ModelCommitment | undefined {
    return this.commitments.get(`${nodeId}:${epoch}`);
  }

  /**
   * Whether a challenge of `nodeId` for `epoch` at `currentEpoch` is accepted: the leaf (`messageHash`,
   * `size`) proven, with a proof of the tree whose root is `citedRoot`, to be in the node's OWN committed
   * root. A leaf of another root (the swarm's, a coalition's) is refused with LeafNotCommitted, whatever
   * the swarm's majority committed.
   */
  challenge(
    id: string,
    challenger: string,
    nodeId: number,
    epoch: number,
    leaf: { messageHash: string; size: number; citedRoot: string },
    now: bigint,
    currentEpoch: number,
  ): Outcome {
    if (this.storagePaused) return fail("EnforcedPause");
    if (epoch >= currentEpoch || epoch + CHALLENGE_EPOCHS < currentEpoch) return fail("EpochNotChallengeable");
    if (leaf.size > MAX_MESSAGE_BYTES) return fail("MessageTooLarge");
    const c = this.committed(nodeId, epoch);
    if (!c) return fail("NoCommitment");
    if (leaf.citedRoot.toLowerCase() !== c.root || !c.leaves.has(leafKey(leaf.messageHash, leaf.size))) return fail("LeafNotCommitted");
    if (this.challenges.has(id)) return fail("ChallengeExists");
    const self = challenger === this.node(nodeId)!.operator;
    this.challenges.set(id, {
      id,
      challenger,
      nodeId,
      epoch,
      messageHash: leaf.messageHash,
      size: leaf.size,
      deadline: now + RESPONSE_WINDOW,
      status: "open",
      bond: this.p.challengeBond,
      self,
    });
    this.account(challenger).bonded += this.p.challengeBond;
    if (self) this.culprits.add(challenger);
    return ok(this.p.challengeBond);
  }

  respond(c: ModelChallenge, now: bigint): Outcome {
    if (c.status !== "open") return fail("ChallengeNotOpen");
    if (now > c.deadline) return fail("ResponseWindowClosed");
    c.status = "answered";
    const operator = this.node(c.nodeId)!.operator;
    this.storageCredits.set(operator, (this.storageCredits.get(operator) ?? 0n) + c.bond);
    // The operator's own bond comes back to it; another challenger's bond pays the node for its answer.
    if (operator === c.challenger) this.account(operator).refunded += c.bond;
    else this.account(operator).income += c.bond;
    return ok(c.bond);
  }

  /**
   * `resolve`: the bond back to the challenger and, if the node is still slashable and was not penalised
   * for a default in the challenge's epoch yet, the slash (at most one storage penalty per node and
   * epoch). Returns the outcome and whether the node was slashed.
   */
  resolve(c: ModelChallenge, now: bigint): Outcome & { slashed?: boolean } {
    if (c.status !== "open") return fail("ChallengeNotOpen");
    if (now <= c.deadline) return fail("ResponseWindowOpen");
    c.status = "defaulted";
    this.storageCredits.set(c.challenger, (this.storageCredits.get(c.challenger) ?? 0n) + c.bond);
    this.account(c.challenger).refunded += c.bond;
    const node = this.node(c.nodeId)!;
    const key = `${c.nodeId}:${c.epoch}`;
    const slashed = this.reg.slashable(node, now) && !this.penalised.has(key);
    this.fault(node.id, `defaulted a challenge of epoch ${c.epoch}${c.self ? " its operator opened" : ""}`, slashed ? this.p.failedChallengePenaltyBps : 0n);
    if (slashed) {
      this.penalised.add(key);
      const before = this.reg.credits.get(c.challenger) ?? 0n;
      this.reg.slash(node, this.p.failedChallengePenaltyBps, c.challenger, this.p.challengerShareBps, now);
      this.account(c.challenger).shares += (this.reg.credits.get(c.challenger) ?? 0n) - before;
    }
    return { ok: true, amount: c.bond, slashed };
  }

  storageWithdraw(who: string): Outcome {
    const amount = this.storageCredits.get(who) ?? 0n;
    if (amount === 0n) return fail("NothingToWithdraw");
    this.storageCredits.delete(who);
    return ok(amount);
  }

  storageHeld(): bigint {
    let sum = 0n;
    for (const c of this.challenges.values()) if (c.status === "open") sum += c.bond;
    for (const v of this.storageCredits.values()) sum += v;
    return sum;
  }
}
