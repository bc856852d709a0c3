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

/**
 * The SwarmCoordinator's membership, step for step. `addNode` / `removeNode` take the `prevrandao`
 * of the block that executed the call (the header's `mixHash`; ethers' `block.prevRandao` on a plain
 * JSON-RPC provider) and return the changes in the order the contract reports them to its listener.
 * Several calls in one block (a batch) each use that block's prevrandao.
 */
export class SwarmModel {
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

  addNode(nodeId: bigint, prevrandao: bigint): SwarmChange[] {
    if (nodeId === 0n) throw new Error("InvalidNodeId");
    if (this.nodes.has(nodeId)) throw new Error("NodeAlreadyInSwarm");
    if (this.nodes.size >= MAX_ACTIVE_NODES) throw new Error("NetworkFull");
    const changes: SwarmChange[] = [];
    const pick = Picker.for(prevrandao, nodeId);

    const smallest = this.range().min;
    const start = this.atLeastOf(smallest + 1);
    const entered = this.swarms[start + pick.draw(this.atLeastOf(smallest) - start)].occupant;
    this.grow(entered, nodeId, 0n);
    changes.push({ nodeId, fromSwarm: NO_SWARM, toSwarm: entered });

    const oldCount = this.count;
    if (calculateSwarmCount(this.nodes.size) > oldCount) {
      this.swarms[oldCount] = SwarmModel.freshSwarm(oldCount);
      this.count = oldCount + 1;
    }
    this.rebalance(pick, changes);
    return changes;
  }

  removeNode(nodeId: bigint, prevrandao: bigint): SwarmChange[] {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error("NodeNotInSwarm");
    const changes: SwarmChange[] = [];
    const pick = Picker.for(prevrandao, nodeId);

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

  private rebalance(pick: Picker, changes: SwarmChange[]): void {
    for (;;) {
      const { min, max } = this.range();
      if (max - min <= 1) return;
      if (changes.length === 1 + MAX_MOVES_PER_CHANGE) throw new Error(`SwarmsUnbalanced(${min}, ${max})`);
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
