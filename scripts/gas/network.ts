/**
 * A network of `size` active nodes for the gas benchmarks, built once per scale and shared by every
 * benchmark (each runs from a snapshot of it). Real keys throughout: ML-DSA-65, ML-KEM-768, BLS.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { EPOCH_SECONDS } from "../../src/heartbeat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { flushPlacements } from "./draws";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys, type NodeKeys, type Suite } from "../../test/helpers/suite";

export interface BenchNode {
  nodeId: bigint;
  keys: NodeKeys;
  operator: HardhatEthersSigner;
}

export interface BenchNetwork {
  suite: Suite;
  nodes: BenchNode[];
}

/** Deploys the suite and registers `size` fully staked nodes, operators taking turns. */
export async function buildNetwork(size: number): Promise<BenchNetwork> {
  const suite = await deploySuite();
  // Start at an epoch boundary so that every registration (one block each) lands in the same epoch.
  await time.increaseTo((Math.floor((await time.latest()) / EPOCH_SECONDS) + 1) * EPOCH_SECONDS);
  const epoch = await currentEpoch();
  const registryAddress = await suite.registry.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const nodes: BenchNode[] = [];
  const lanes = suite.operators.length;
  // Operators send in parallel lanes; each lane waits for its own transactions only.
  const lane = async (l: number, round: number) => {
    const i = round + l;
    if (i >= size) return;
    const operator = suite.operators[l];
    const keys = nodeKeys(`bench-node-${i}`, epoch);
    const reg = await buildRegistration(suite.registry, operator.address, keys, { chainId, registryAddress });
    await (await suite.registry.connect(operator).register(reg, { value: REQUIREMENT, gasLimit: 2_000_000 })).wait();
  };
  // Rounds of one registration per lane, each followed by settling the queued swarm placements, so
  // the coordinator's ring of MAX_PENDING_PLACEMENTS never fills (a keeper's or the heartbeat
  // batches' role on a live network).
  for (let round = 0; round < size; round += lanes) {
    await Promise.all(Array.from({ length: Math.min(lanes, size) }, (_, l) => lane(l, round)));
    await flushPlacements(suite.swarms);
  }
  const count = Number(await suite.registry.lastNodeId());
  if (count !== size) throw new Error(`expected ${size} nodes, registered ${count}`);
  // Map ids back to keys by the ML-DSA key hash of each registration event.
  const events = await suite.registry.queryFilter(suite.registry.filters.NodeRegistered());
  const byKey = new Map<string, number>();
  for (let i = 0; i < size; i++) byKey.set(ethers.keccak256(nodeKeys(`bench-node-${i}`, epoch).mldsa.publicKey), i);
  for (const ev of events) {
    const i = byKey.get(ev.args.mldsaKeyHash)!;
    nodes.push({ nodeId: ev.args.nodeId, keys: nodeKeys(`bench-node-${i}`, epoch), operator: suite.operators[i % lanes] });
  }
  nodes.sort((a, b) => Number(a.nodeId - b.nodeId));
  if ((await currentEpoch()) !== epoch) throw new Error("the network took more than one epoch to build");
  // The queued swarm placements are settled first: the batches below then find the queue empty and
  // clear every node's placement mark, so a measured batch takes the common path at both scales.
  await flushPlacements(suite.swarms);
  // Every node proves liveness in the next epoch, so all of them start the benchmarks settled alike.
  await time.increaseTo((epoch + 1) * EPOCH_SECONDS);
  for (let i = 0; i < nodes.length; i += 100) {
    const batch = nodes.slice(i, i + 100);
    await (
      await suite.registry.heartbeatBatch(
        batch.map((n) => n.nodeId),
        batch.map((n) => n.keys.chain.valueForEpoch(epoch + 1)),
        { gasLimit: 14_000_000 },
      )
    ).wait();
  }
  return { suite, nodes };
}
