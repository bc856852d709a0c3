/**
 * Steering the gas benchmarks onto the same path at both scales, where the swarm coordinator's cost
 * depends on where a swarm stands in its size order rather than on the number of nodes.
 *
 * The coordinator keeps the swarms sorted by size; a swarm that grows or shrinks swaps places with
 * the swarm at the edge of its size class. When it is not at the edge itself (the common case), the
 * swap rewrites the order entries of two positions and the positions of two swarms: up to four swarm
 * records, about 14k more than a resize at the edge.
 * - A join enters a swarm drawn at random among the k smallest, from the block's prevrandao: a single
 *   measurement is a coin toss between the two paths (the swap has probability (k − 1) / k).
 *   `steerJoin` sets the next block's prevrandao so that the draw lands away from the edge.
 * - A leave shrinks the leaving node's swarm. `leaver` picks a node whose swarm is away from the edge
 *   (where its class has more than the edge).
 * Among the candidates both prefer the ones whose swap touches the most distinct records, as it does
 * in a large network (a network of three swarms has only three records to touch).
 */
import hre, { ethers } from "hardhat";
import { firstDraw } from "../../src/swarm";
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
 * Sets the next block's prevrandao so that the join of `nodeId` enters a smallest swarm away from the
 * edge of its class (which must have more than one swarm).
 */
export async function steerJoin(swarms: SwarmCoordinator, nodeId: bigint): Promise<void> {
  const order = await readOrder(swarms);
  const smallest = order.occupants.length - order.edge;
  // One smallest swarm leaves the join one path, not the common one: the benchmark must measure
  // joins where both scales have a choice.
  if (smallest <= 1) throw new Error(`join of node ${nodeId}: only one smallest swarm, nothing to steer`);
  let best: { prevrandao: bigint; touched: number } | undefined;
  for (let candidate = 1n; candidate <= 256n; candidate++) {
    const pos = order.edge + firstDraw(candidate, nodeId, smallest);
    if (pos === order.edge) continue;
    const touched = recordsTouched(order, pos, order.edge);
    if (!best || touched > best.touched) best = { prevrandao: candidate, touched };
  }
  await hre.network.provider.request({ method: "hardhat_setPrevRandao", params: [ethers.toBeHex(best!.prevrandao, 32)] });
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
