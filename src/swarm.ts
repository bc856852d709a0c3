/**
 * Swarms (DESIGN §5, PIP-0008 §3.3, §4.1): the TypeScript side of the SwarmCoordinator.
 *
 * - `calculateSwarmCount`, `inboxHash`, `inboxToSwarm`: identical to the contract's pure functions.
 * - `networkHealth`, `isHealthy`: the contract's health figures from the same inputs.
 * - `SwarmModel`: a reference model of membership that keeps the contract's data structures and
 *   repeats its random picks exactly from each block's `prevrandao`, so a client can follow (or
 *   predict) every assignment, and tests can compare the contract against it step by step.
 */
import { getBytes, keccak256, sha256, type BytesLike } from "ethers";

export const MIN_NODES_PER_SWARM = 3;
export const TARGET_NODES_PER_SWARM = 5;
export const MAX_NODES_PER_SWARM = 10;
/** `type(uint32).max`: "no swarm" (a node that is not active; `from` of a join, `to` of a leave). */
export const NO_SWARM = 0xffffffff;
/** Storage each active node adds to capacity: 10 GiB (PIP-0008's "10 GB", binary gigabytes). */
export const STORAGE_PER_NODE = 10n * 2n ** 30n;
/** Most nodes one add / remove moves between swarms (joins and leaves not counted). */
export const MAX_MOVES_PER_CHANGE = 5;
/** Placements the registry's heartbeat batch asks `settle` for; each moves 0 or 2 nodes. */
export const SETTLES_PER_CALL = 2;
/** Most placements queued at once; an add into a full ring settles the oldest first, or reverts (PlacementQueueFull) if it is not ready. */
export const MAX_PENDING_PLACEMENTS = 32;
/** Most placements one `settle` settles, whatever its argument. */
export const MAX_SETTLES_PER_TX = 8;
/** `blockhash` serves the 256 most recent blocks. */
const BLOCKHASH_WINDOW = 256;
/** 5 × (2^24 − 1): swarm positions are 24-bit fields in the contract. */
export const MAX_ACTIVE_NODES = TARGET_NODES_PER_SWARM * (2 ** 24 - 1);
/** Swarm sizes the contract's packed counters track (balanced swarms never exceed 5, a join makes 6). */
const TRACKED_SIZES = TARGET_NODES_PER_SWARM + 2;
/** Scale of `averageSwarmSizeWad`. */
export const WAD = 10n ** 18n;

/** S(n) = 1 if n < 3, else ceil(n / 5) (PIP-0008 `calculateSwarmCount`). */
export function calculateSwarmCount(n: number | bigint): number {
  const v = BigInt(n);
  if (v < 0n) throw new RangeError(`negative node count ${v}`);
  if (v < BigInt(MIN_NODES_PER_SWARM)) return 1;
  const s = (v + BigInt(TARGET_NODES_PER_SWARM) - 1n) / BigInt(TARGET_NODES_PER_SWARM);
  if (s > 0xffffffffn) throw new RangeError(`swarm count of ${v} nodes does not fit in a uint32`);
  return Number(s);
}

/** h = the first 8 bytes of sha256(id), big-endian (PIP-0008 `userToSwarm`). `id` is 32 bytes. */
export function inboxHash(id: BytesLike): bigint {
  const bytes = getBytes(id);
  if (bytes.length !== 32) throw new RangeError(`inbox id must be 32 bytes, got ${bytes.length}`);
  return BigInt(sha256(bytes).slice(0, 18));
}

/**
 * Linear hashing of an inbox / session id onto `swarmCount` swarms, exactly as the contract:
 * i = floor(log2 S), a = h mod 2^i, and if a < S − 2^i then a = h mod 2^(i+1).
 * Equals h mod S when S is a power of two; when S grows by one only keys of swarm S − 2^i move.
 */
export function inboxToSwarm(id: BytesLike, swarmCount: number): number {
  return hashToSwarm(inboxHash(id), swarmCount);
}

/** The linear-hashing step on an already computed 64-bit hash. */
export function hashToSwarm(h: bigint, swarmCount: number): number {
  if (!Number.isInteger(swarmCount) || swarmCount < 1 || swarmCount > 0xffffffff) {
    throw new RangeError(`invalid swarm count ${swarmCount}`);
  }
  const low = BigInt(2 ** (31 - Math.clz32(swarmCount))); // 2^floor(log2 S)
  let a = h & (low - 1n);
  if (a < BigInt(swarmCount) - low) a = h & (2n * low - 1n);
  return Number(a);
}

// ---------------------------------------------------------------------------------------------
// Health
// ---------------------------------------------------------------------------------------------

/** The contract's `NetworkHealth` struct, with bigints where the contract returns uint256. */
export interface NetworkHealth {
  totalNodes: bigint;
  activeNodes: bigint;
  swarmCount: bigint;
  averageSwarmSizeWad: bigint;
  minSwarmSize: bigint;
  maxSwarmSize: bigint;
  storageCapacity: bigint;
  storageUsed: bigint;
  replicationOk: boolean;
  healthy: boolean;
}

export interface HealthInputs {
  /** The registry's total; `undefined` (no registry) means equal to active. Never below active. */
  registryTotal?: bigint;
  activeNodes: bigint;
  swarmCount: bigint;
  minSwarmSize: bigint;
  maxSwarmSize: bigint;
  storageUsed: bigint;
}

/** Health figures as the contract computes them: exact 80% / 90% comparisons, average rounded down. */
export function networkHealth(x: HealthInputs): NetworkHealth {
  const totalNodes = x.registryTotal === undefined || x.registryTotal < x.activeNodes ? x.activeNodes : x.registryTotal;
  const storageCapacity = x.activeNodes * STORAGE_PER_NODE;
  const replicationOk = x.minSwarmSize >= BigInt(MIN_NODES_PER_SWARM);
  return {
    totalNodes,
    activeNodes: x.activeNodes,
    swarmCount: x.swarmCount,
    averageSwarmSizeWad: (x.activeNodes * WAD) / x.swarmCount,
    minSwarmSize: x.minSwarmSize,
    maxSwarmSize: x.maxSwarmSize,
    storageCapacity,
    storageUsed: x.storageUsed,
    replicationOk,
    healthy: isHealthy({ replicationOk, activeNodes: x.activeNodes, totalNodes, storageUsed: x.storageUsed, storageCapacity }),
  };
}

/** min swarm ≥ 3 && active ≥ 80% of total && used < 90% of capacity (compared exactly). */
export function isHealthy(h: Pick<NetworkHealth, "replicationOk" | "activeNodes" | "totalNodes" | "storageUsed" | "storageCapacity">): boolean {
  return h.replicationOk && h.activeNodes * 5n >= h.totalNodes * 4n && h.storageUsed * 10n < h.storageCapacity * 9n;
}

/** Storage utilisation in whole percent, rounded down (PIP-0008 §4.2), 0 with no capacity. */
export function storageUtilisationPercent(h: Pick<NetworkHealth, "storageUsed" | "storageCapacity">): bigint {
  return h.storageCapacity === 0n ? 0n : (h.storageUsed * 100n) / h.storageCapacity;
}

// ---------------------------------------------------------------------------------------------
// Reference model of membership
// ---------------------------------------------------------------------------------------------

/** One membership change, as passed to `ISwarmListener.onSwarmMove`. */
export interface SwarmChange {
  nodeId: bigint;
  fromSwarm: number;
  toSwarm: number;
}

interface ModelSwarm {
  size: number;
  /** This swarm's position in the size order. */
  position: number;
  /** The swarm standing at position `id` of the order. */
  occupant: number;
  /** Ten slots; entries at or past `size` are stale, as in the contract. */
  members: bigint[];
}

interface ModelNode {
  index: number;
  swarmId: number;
  usedBytes: bigint;
}

const U256 = 2n ** 256n;

function word(v: bigint): string {
  if (v < 0n || v >= U256) throw new RangeError(`not a uint256: ${v}`);
  return v.toString(16).padStart(64, "0");
}

/** keccak256(abi.encode(a, b)) for two uint256 words. */
function keccakWords(a: bigint, b: bigint): bigint {
  return BigInt(keccak256("0x" + word(a) + word(b)));
}

class Picker {
  private draws = 0n;
  constructor(private readonly entropy: bigint) {}
  static for(prevrandao: bigint, nodeId: bigint): Picker {
    return new Picker(keccakWords(prevrandao, nodeId));
  }
  /** A draw below n; n ≤ 1 consumes nothing (as in the contract). */
  draw(n: number): number {
    if (n <= 1) return 0;
    const r = keccakWords(this.entropy, this.draws);
    this.draws += 1n;
    return Number(r % BigInt(n));
  }
}

/**
 * The coordinator's first draw below `n` in a join or leave of `nodeId` executed in a block with
 * `prevrandao`: for a join, the index of the entered swarm among the smallest ones (in the size order).
 */
export function firstDraw(prevrandao: bigint, nodeId: bigint, n: number): number {
  return Picker.for(prevrandao, nodeId).draw(n);
}

/** keccak256(abi.encode(bytes32 seed, uint64 nodeId, uint256 index)): the draw of a queued placement. */
export function placementDraw(seed: bigint, nodeId: bigint, index: bigint): bigint {
  return BigInt(keccak256("0x" + word(seed) + word(nodeId) + word(index)));
}

/** The block a call executes in: its number, its prevrandao, and the hashes of earlier blocks. */
export interface BlockContext {
  number: number;
  prevrandao: bigint;
  /** The hash of an earlier block (what `blockhash(n)` returns in this block). */
  hash(n: number): bigint;
}

/** Where a model finds the block of a call that passed only a prevrandao. */
export interface ChainView {
  /** The number of the block the latest call executed in. */
  number(): number;
  hash(n: number): bigint;
}

interface QueuedPlacement {
  nodeId: bigint;
  joined: number;
}

/**
 * The SwarmCoordinator's membership, step for step. `addNode` / `removeNode` / `settle` take the block
 * that executed the call: a `BlockContext`, or just its `prevrandao` (the header's `mixHash`), the
 * number and hashes then coming from `SwarmModel.chain`. They return the changes in the order the
 * contract reports them to its listener (settled placements first). Several calls in one block (a
 * batch) each use that block.
 */
export class SwarmModel {
  /** The chain view used when a call passes only a prevrandao (tests set it). */
  static chain: ChainView | undefined;
  private readonly queue: QueuedPlacement[] = [];
  private queueHead = 0;
  private deferredTo = 0;
  private readonly swarms: ModelSwarm[] = [];
  private readonly nodes = new Map<bigint, ModelNode>();
  /** atLeast[s] for s = 1..7 (index 0 unused: it is the swarm count). */
  private readonly atLeast: number[] = new Array(TRACKED_SIZES + 1).fill(0);
  private count = 1;
  private used = 0n;

  constructor() {
    this.swarms.push(SwarmModel.freshSwarm(0));
  }

  private static freshSwarm(id: number): ModelSwarm {
    return { size: 0, position: id, occupant: id, members: new Array(MAX_NODES_PER_SWARM).fill(0n) };
  }

  // ---- views -------------------------------------------------------------------------------

  get swarmCount(): number {
    return this.count;
  }
  get activeNodes(): number {
    return this.nodes.size;
  }
  get storageUsed(): bigint {
    return this.used;
  }
  swarmOf(nodeId: bigint): number {
    return this.nodes.get(nodeId)?.swarmId ?? NO_SWARM;
  }
  /** Members in the contract's storage order. */
  swarmMembers(swarmId: number): bigint[] {
    if (swarmId >= this.count) throw new RangeError(`swarm ${swarmId} does not exist`);
    const sw = this.swarms[swarmId];
    return sw.members.slice(0, sw.size);
  }
  swarmSize(swarmId: number): number {
    return this.swarmMembers(swarmId).length;
  }
  activeNodeIds(): bigint[] {
    return [...this.nodes.keys()];
  }
  nodeStorageUsed(nodeId: bigint): bigint {
    return this.nodes.get(nodeId)?.usedBytes ?? 0n;
  }
  sizeRange(): { min: number; max: number } {
    return this.range();
  }
  health(registryTotal?: bigint): NetworkHealth {
    const { min, max } = this.sizeRange();
    return networkHealth({
      registryTotal,
      activeNodes: BigInt(this.activeNodes),
      swarmCount: BigInt(this.count),
      minSwarmSize: BigInt(min),
      maxSwarmSize: BigInt(max),
      storageUsed: this.used,
    });
  }

  // ---- flows -------------------------------------------------------------------------------

  /** Queued placements, oldest first, with the block whose hash will draw each. */
  pendingPlacements(): { nodeId: bigint; seedBlock: number }[] {
    return this.queue.map((e) => ({ nodeId: e.nodeId, seedBlock: Math.max(e.joined + 1, this.deferredTo) }));
  }

  addNode(nodeId: bigint, at: bigint | BlockContext): SwarmChange[] {
    if (nodeId === 0n) throw new Error("InvalidNodeId");
    if (this.nodes.has(nodeId)) throw new Error("NodeAlreadyInSwarm");
    if (this.nodes.size >= MAX_ACTIVE_NODES) throw new Error("NetworkFull");
    const block = SwarmModel.blockOf(at);
    const changes: SwarmChange[] = [];
    const pick = Picker.for(block.prevrandao, nodeId);
    // No swap, except into a full ring (its oldest entry first); a known seed is deferred.
    if (this.queue.length > 0) {
      const settled = this.settleReady(block, this.queue.length === MAX_PENDING_PLACEMENTS ? 1 : 0, changes);
      if (this.queue.length === MAX_PENDING_PLACEMENTS) {
        this.undo(settled);
        throw new Error("PlacementQueueFull");
      }
    }

    const smallest = this.range().min;
    const entered = this.swarms[this.atLeastOf(smallest + 1)].occupant;
    this.grow(entered, nodeId, 0n);
    changes.push({ nodeId, fromSwarm: NO_SWARM, toSwarm: entered });

    const oldCount = this.count;
    if (calculateSwarmCount(this.nodes.size) > oldCount) {
      this.swarms[oldCount] = SwarmModel.freshSwarm(oldCount);
      this.count = oldCount + 1;
    }
    this.rebalance(pick, changes);
    this.queue.push({ nodeId, joined: block.number });
    return changes;
  }

  removeNode(nodeId: bigint, at: bigint | BlockContext): SwarmChange[] {
    if (!this.nodes.has(nodeId)) throw new Error("NodeNotInSwarm");
    const block = SwarmModel.blockOf(at);
    const changes: SwarmChange[] = [];
    const pick = Picker.for(block.prevrandao, nodeId);
    // No swap: a known seed is deferred past this change.
    this.settleReady(block, 0, changes);
    const node = this.nodes.get(nodeId)!;

    this.shrink(node.swarmId, node.index);
    this.nodes.delete(nodeId);
    this.used -= node.usedBytes;
    changes.push({ nodeId, fromSwarm: node.swarmId, toSwarm: NO_SWARM });

    if (calculateSwarmCount(this.nodes.size) < this.count) {
      this.dissolveLastSwarm(changes);
    } else {
      this.rebalance(pick, changes);
    }
    return changes;
  }

  /** `settle(maxCount)`: anyone draws up to `maxCount` ready placements. */
  settle(maxCount: number, at: bigint | BlockContext): SwarmChange[] {
    if (maxCount <= 0) throw new Error("InvalidSettleCount");
    const changes: SwarmChange[] = [];
    this.settleReady(SwarmModel.blockOf(at), Math.min(maxCount, MAX_SETTLES_PER_TX), changes);
    return changes;
  }

  reportStorageUsed(nodeId: bigint, usedBytes: bigint): void {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error("NodeNotInSwarm");
    this.used += usedBytes - node.usedBytes;
    node.usedBytes = usedBytes;
  }

  // ---- invariants ----------------------------------------------------------------------------

  /**
   * Throws (with the broken invariant as a sentence) unless: the swarm count is S(N); swarm sizes
   * differ by at most one; every swarm has 3..10 nodes when N ≥ 3; no node is in two swarms; every
   * member list agrees with swarmOf; the size order and its counters describe the sizes.
   */
  checkInvariants(): void {
    const n = this.nodes.size;
    const fail = (msg: string) => {
      throw new Error(`swarm invariant broken: ${msg}`);
    };
    if (this.count !== calculateSwarmCount(n)) fail(`swarm count ${this.count} is not S(${n})`);
    const sizes = Array.from({ length: this.count }, (_, i) => this.swarms[i].size);
    const min = Math.min(...sizes);
    const max = Math.max(...sizes);
    if (max - min > 1) fail(`swarm sizes differ by more than one (${min}..${max})`);
    if (n >= MIN_NODES_PER_SWARM && (min < MIN_NODES_PER_SWARM || max > MAX_NODES_PER_SWARM)) {
      fail(`a swarm is outside 3..10 nodes with ${n} active nodes (${min}..${max})`);
    }
    const seen = new Set<bigint>();
    for (let i = 0; i < this.count; i++) {
      this.swarmMembers(i).forEach((m, idx) => {
        if (seen.has(m)) fail(`node ${m} is in two swarms`);
        seen.add(m);
        const rec = this.nodes.get(m);
        if (!rec || rec.swarmId !== i || rec.index !== idx) fail(`member ${m} of swarm ${i} disagrees with its record`);
      });
    }
    if (seen.size !== n) fail(`${n} active nodes but ${seen.size} swarm members`);
    const { min: rmin, max: rmax } = this.range();
    if (rmin !== min || rmax !== max) fail(`size counters say ${rmin}..${rmax}, swarms are ${min}..${max}`);
    for (let p = 0; p < this.count; p++) {
      const sw = this.swarms[this.swarms[p].occupant];
      if (sw.position !== p) fail(`order position ${p} and its occupant disagree`);
      if (p > 0 && this.swarms[this.swarms[p - 1].occupant].size < sw.size) fail(`size order not descending at ${p}`);
    }
  }

  // ---- the contract's internals, mirrored ----------------------------------------------------

  private static blockOf(at: bigint | BlockContext): BlockContext {
    if (typeof at !== "bigint") return at;
    const chain = SwarmModel.chain;
    if (!chain) throw new Error("SwarmModel: pass a BlockContext or set SwarmModel.chain");
    return { number: chain.number(), prevrandao: at, hash: (n) => chain.hash(n) };
  }

  /** Undo record of a settle pass, for an add that then reverts (PlacementQueueFull). */
  private snapshotQueue() {
    return { queue: [...this.queue], head: this.queueHead, deferredTo: this.deferredTo };
  }

  private undo(saved: { queue: QueuedPlacement[]; head: number; deferredTo: number; swaps: [bigint, bigint][] }): void {
    // Only swaps can have happened: undo them in reverse order.
    for (const [x, y] of [...saved.swaps].reverse()) this.swapNodes(x, y);
    this.queue.splice(0, this.queue.length, ...saved.queue);
    this.queueHead = saved.head;
    this.deferredTo = saved.deferredTo;
  }

  private settleReady(block: BlockContext, maxCount: number, changes: SwarmChange[]) {
    const saved = { ...this.snapshotQueue(), swaps: [] as [bigint, bigint][] };
    let settled = 0;
    while (this.queue.length > 0) {
      const e = this.queue[0];
      const seedBlock = Math.max(e.joined + 1, this.deferredTo);
      if (seedBlock >= block.number) break;
      if (settled === maxCount || block.number - seedBlock > BLOCKHASH_WINDOW) {
        this.deferredTo = block.number + 1;
        break;
      }
      // The contract's cursor counts modulo 2^16.
      const index = BigInt(this.queueHead & 0xffff);
      this.queue.shift();
      this.queueHead++;
      settled++;
      const node = this.nodes.get(e.nodeId);
      if (!node) continue;
      const r = placementDraw(block.hash(seedBlock), e.nodeId, index);
      const from = node.swarmId;
      const to = Number(r % BigInt(this.count));
      if (to === from) continue;
      const b = this.swarms[to];
      const other = b.members[Number((r >> 128n) % BigInt(b.size))];
      this.swapNodes(e.nodeId, other);
      saved.swaps.push([e.nodeId, other]);
      changes.push({ nodeId: e.nodeId, fromSwarm: from, toSwarm: to });
      changes.push({ nodeId: other, fromSwarm: to, toSwarm: from });
    }
    return saved;
  }

  /** Exchanges two nodes of different swarms, each taking the other's member slot. */
  private swapNodes(x: bigint, y: bigint): void {
    const nx = this.nodes.get(x)!;
    const ny = this.nodes.get(y)!;
    this.swarms[nx.swarmId].members[nx.index] = y;
    this.swarms[ny.swarmId].members[ny.index] = x;
    [nx.swarmId, ny.swarmId] = [ny.swarmId, nx.swarmId];
    [nx.index, ny.index] = [ny.index, nx.index];
  }

  private rebalance(pick: Picker, changes: SwarmChange[]): void {
    const limit = changes.length + MAX_MOVES_PER_CHANGE;
    for (;;) {
      const { min, max } = this.range();
      if (max - min <= 1) return;
      if (changes.length === limit) throw new Error(`SwarmsUnbalanced(${min}, ${max})`);
      const from = this.swarms[this.atLeastOf(max) - 1].occupant;
      const to = this.swarms[this.atLeastOf(min + 1)].occupant;
      const index = pick.draw(max);
      const moved = this.swarms[from].members[index];
      const usedBytes = this.nodes.get(moved)!.usedBytes;
      this.shrink(from, index);
      this.grow(to, moved, usedBytes);
      changes.push({ nodeId: moved, fromSwarm: from, toSwarm: to });
    }
  }

  private dissolveLastSwarm(changes: SwarmChange[]): void {
    const count = this.count;
    const last = count - 1;
    const gone = this.swarms[last];
    const fill = Math.floor(this.nodes.size / (count - 1));
    let left = gone.size;
    for (let p = count; left > 0; ) {
      const to = this.swarms[--p].occupant;
      if (to === last) continue;
      const sw = this.swarms[to];
      for (let size = sw.size; size < fill && left > 0; size++) {
        const moved = gone.members[--left];
        gone.size = left;
        this.append(sw, to, moved, this.nodes.get(moved)!.usedBytes);
        changes.push({ nodeId: moved, fromSwarm: last, toSwarm: to });
      }
    }
    this.swapPositions(gone.position, last);
    this.count = last;
    this.atLeast.fill(0);
    for (let s = 1; s <= fill; s++) this.atLeast[s] = last;
  }

  private grow(swarmId: number, nodeId: bigint, usedBytes: bigint): void {
    const sw = this.swarms[swarmId];
    const size = sw.size;
    this.append(sw, swarmId, nodeId, usedBytes);
    const target = this.atLeastOf(size + 1);
    this.atLeast[size + 1] += 1;
    this.swapPositions(sw.position, target);
  }

  private shrink(swarmId: number, index: number): void {
    const sw = this.swarms[swarmId];
    const size = sw.size;
    const last = size - 1;
    if (index !== last) {
      const tail = sw.members[last];
      sw.members[index] = tail;
      this.nodes.get(tail)!.index = index;
    }
    sw.size = last;
    const target = this.atLeastOf(size) - 1;
    this.atLeast[size] -= 1;
    this.swapPositions(sw.position, target);
  }

  private append(sw: ModelSwarm, swarmId: number, nodeId: bigint, usedBytes: bigint): void {
    if (sw.size === TRACKED_SIZES) throw new Error(`SwarmsUnbalanced(${sw.size}, ${sw.size + 1})`);
    sw.members[sw.size] = nodeId;
    this.nodes.set(nodeId, { index: sw.size, swarmId, usedBytes });
    sw.size += 1;
  }

  private swapPositions(p: number, q: number): void {
    if (p === q) return;
    const a = this.swarms[p].occupant;
    const b = this.swarms[q].occupant;
    this.swarms[p].occupant = b;
    this.swarms[q].occupant = a;
    this.swarms[a].position = q;
    this.swarms[b].position = p;
  }

  private atLeastOf(s: number): number {
    if (s === 0) return this.count;
    if (s > TRACKED_SIZES) return 0;
    return this.atLeast[s];
  }

  private range(): { min: number; max: number } {
    let min = 0;
    while (min < TRACKED_SIZES && this.atLeastOf(min + 1) === this.count) min++;
    let max = min;
    while (max < TRACKED_SIZES && this.atLeastOf(max + 1) !== 0) max++;
    return { min, max };
  }
}
