/**
 * Steering the gas benchmarks onto the same path at both scales, where the swarm coordinator's cost
 * depends on where a swarm stands in its size order rather than on the number of nodes.
 *
 * The coordinator keeps the swarms sorted by size; a swarm that grows or shrinks swaps places with
 * the swarm at the edge of its size class. When it is not at the edge itself (the common case), the
 * swap rewrites the order entries of two positions and the positions of two swarms: up to four swarm
 * records, about 14k more than a resize at the edge.
 * - A join enters the first swarm of the smallest class, at the edge, at both scales; its fair draw is
 *   queued and applied later by `settle` (a swap, no resize). `flushPlacements` empties that queue
 *   before a measurement, so no measured join or leave also defers queued seeds.
 * - A leave shrinks the leaving node's swarm. `leaver` picks a node whose swarm is away from the edge
 *   (where its class has more than the edge).
 * Among the candidates `leaver` prefers the ones whose swap touches the most distinct records, as it does
 * in a large network (a network of three swarms has only three records to touch).
 */
import hre, { ethers } from "hardhat";
import type { SwarmCoordinator } from "../../typechain-types";
import type { BenchNode } from "./network";

/** Storage slot of the coordinator's `_swarms` mapping (after AccessControl's roles, `_stored`, `_storageUsed`, `registry` and `_nodes`). */
const SWARMS_SLOT = 5n;

/** The size order as stored: occupants[p] is the swarm at position p; between calls the swarms are balanced. */
interface Order {
  occupants: number[];
  positions: Map<number, number>;
  /** The first position of the smallest class (n mod S swarms have one node more). */
  edge: number;
}

async function readOrder(swarms: SwarmCoordinator): Promise<Order> {
  const address = await swarms.getAddress();
  const n = Number(await swarms.activeNodes());
  const count = Number(await swarms.swarmCount());
  const word = async (id: number) => {
    const slot = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [id, SWARMS_SLOT]));
    return BigInt(await ethers.provider.getStorage(address, slot));
  };
  const occupants: number[] = [];
  const positions = new Map<number, number>();
  for (let id = 0; id < count; id++) {
    const w = await word(id);
    // Slot 0 of a swarm record: size (8 bits), position (24), occupant (24), then the members.
    if (BigInt(w & 0xffn) !== (await swarms.swarmSize(id))) throw new Error(`swarm record layout: swarm ${id}`);
    positions.set(id, Number((w >> 8n) & 0xffffffn));
    occupants.push(Number((w >> 32n) & 0xffffffn));
  }
  for (const [id, p] of positions) if (occupants[p] !== id) throw new Error(`swarm order: swarm ${id} at ${p}`);
  return { occupants, positions, edge: n % count };
}

/** Distinct swarm records a resize of the swarm at `pos` touches when it swaps with `target`. */
function recordsTouched(order: Order, pos: number, target: number): number {
  return new Set([pos, order.occupants[pos], target, order.occupants[target]]).size;
}

/**
 * Settles every queued swarm placement (each settle runs in its own block, after the seeds it reads),
 * so that a measured join or leave finds an empty queue at both scales: with seeds known and unapplied
 * it would also defer them, and the cost would depend on what the setup left behind.
 */
export async function flushPlacements(swarms: SwarmCoordinator): Promise<void> {
  for (let i = 0; i < 64; i++) {
    const [ids] = await swarms.pendingPlacements();
    if (ids.length === 0) return;
    await (await swarms.settle(await swarms.MAX_SETTLES_PER_TX())).wait();
  }
  throw new Error("placements still queued after 64 settle calls");
}

/**
 * A node among `nodes` whose leave shrinks a swarm of the largest class (no node moves) or of the
 * smallest class while larger ones exist (one node moves to it): one away from the edge its swarm
 * leaves the class by, unless the class has only that edge.
 */
export async function leaver(swarms: SwarmCoordinator, nodes: BenchNode[], from: "largest" | "smallest"): Promise<BenchNode> {
  const order = await readOrder(swarms);
  const count = order.occupants.length;
  if (order.edge === 0) throw new Error("all swarms have the same size");
  // A shrinking swarm swaps with the last of its class.
  const target = from === "largest" ? order.edge - 1 : count - 1;
  let best: { node: BenchNode; score: number } | undefined;
  for (const node of nodes) {
    const pos = order.positions.get(Number(await swarms.swarmOf(node.nodeId)));
    if (pos === undefined || (from === "largest") !== pos < order.edge) continue;
    const score = (pos === target ? 0 : 10) + recordsTouched(order, pos, target);
    if (!best || score > best.score) best = { node, score };
  }
  if (!best) throw new Error(`no node in a ${from} swarm`);
  return best.node;
}

/**
 * A node whose leave shrinks the swarm standing at the end of its size class (no reordering, no
 * move): the path the deregistration benchmarks measure at both scales. Settled placements swap nodes
 * between swarms, so a fixed node id would stand at the edge at one scale and away from it at the
 * other (a leave away from the edge rewrites up to four swarm records more, measured by
 * `registry.requestExit`).
 */
export async function leaverAtEdge(swarms: SwarmCoordinator): Promise<bigint> {
  const order = await readOrder(swarms);
  const count = order.occupants.length;
  // All swarms of one size: the class ends at the last position; otherwise the largest class ends
  // just before the edge.
  const position = order.edge === 0 ? count - 1 : order.edge - 1;
  return (await swarms.swarmMembers(order.occupants[position]))[0];
}
