import { ethers, network } from "hardhat";
import type { ContractTransactionResponse, Log, TransactionReceipt } from "ethers";
import type {
  SwarmCoordinator,
  SwarmInspector__Mock,
  SwarmListener__Mock,
  SwarmNodeRegistry__Mock,
} from "../../typechain-types";
import { MAX_PENDING_PLACEMENTS, MAX_SETTLES_PER_TX, NO_SWARM, SwarmModel, type ChainView, type SwarmChange } from "../../src/swarm";

/** Coordinator with an EOA registry, an EOA storage reporter, a recording listener and a test lens. */
export async function deploySwarmFixture() {
  const [admin, registrar, reporter, stranger] = await ethers.getSigners();
  const coordinator = (await ethers.deployContract("SwarmCoordinator", [admin.address])) as unknown as SwarmCoordinator;
  await coordinator.grantRole(await coordinator.REGISTRY_ROLE(), registrar.address);
  await coordinator.grantRole(await coordinator.STORAGE_ROLE(), reporter.address);
  const listener = (await ethers.deployContract("SwarmListener__Mock")) as unknown as SwarmListener__Mock;
  const registryMock = (await ethers.deployContract("SwarmNodeRegistry__Mock")) as unknown as SwarmNodeRegistry__Mock;
  const inspector = (await ethers.deployContract("SwarmInspector__Mock")) as unknown as SwarmInspector__Mock;
  return { coordinator, listener, registryMock, inspector, admin, registrar, reporter, stranger };
}

export type SwarmFixture = Awaited<ReturnType<typeof deploySwarmFixture>>;

type RawBlock = { hash: string; mixHash?: string } | null;

async function rawBlock(n: number): Promise<RawBlock> {
  return (await network.provider.send("eth_getBlockByNumber", [ethers.toQuantity(n), false])) as RawBlock;
}

/**
 * The chain as the tests have followed it: the block of the latest receipt read by `prevrandaoOf`,
 * and the hashes of the blocks up to it (a reverted snapshot is noticed by a hash that changed).
 * Models built without a BlockContext read it (`SwarmModel.chain`).
 */
const followed = { latest: 0, hashes: new Map<number, bigint>() };
export const testChain: ChainView = {
  number: () => followed.latest,
  hash: (n) => {
    const h = followed.hashes.get(n);
    if (h === undefined) throw new Error(`block ${n} has not been followed`);
    return h;
  },
};
SwarmModel.chain = testChain;

/** Follows the chain up to block `n` (fetching only the hashes that changed since the last call). */
async function follow(n: number, top: RawBlock): Promise<void> {
  for (let b = n; b >= 0; b--) {
    const h = BigInt((b === n ? top : await rawBlock(b))!.hash);
    if (followed.hashes.get(b) === h) break;
    followed.hashes.set(b, h);
  }
  followed.latest = n;
}

/**
 * The prevrandao of the block that mined a receipt (the rebalancing draws' input). Also follows the
 * chain to that block, so that a model fed this value knows the block number and the seed hashes.
 */
export async function prevrandaoOf(receipt: TransactionReceipt): Promise<bigint> {
  // Post-merge headers carry prevrandao in the mixHash field (ethers' hardhat wrapper drops it).
  const block = await rawBlock(receipt.blockNumber);
  if (!block?.mixHash) throw new Error("block has no mixHash / prevrandao");
  await follow(receipt.blockNumber, block);
  return BigInt(block.mixHash);
}

export async function mined(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt;
}

/** Membership changes in the order the coordinator emitted them (joins, leaves, moves). */
export function coordinatorChanges(coordinator: SwarmCoordinator, logs: readonly Log[]): SwarmChange[] {
  const address = (coordinator.target as string).toLowerCase();
  const out: SwarmChange[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = coordinator.interface.parseLog(log);
    if (!parsed) continue;
    if (parsed.name === "NodeJoinedSwarm") {
      out.push({ nodeId: parsed.args.nodeId, fromSwarm: NO_SWARM, toSwarm: Number(parsed.args.swarmId) });
    } else if (parsed.name === "NodeLeftSwarm") {
      out.push({ nodeId: parsed.args.nodeId, fromSwarm: Number(parsed.args.swarmId), toSwarm: NO_SWARM });
    } else if (parsed.name === "NodeMovedSwarm") {
      out.push({ nodeId: parsed.args.nodeId, fromSwarm: Number(parsed.args.fromSwarm), toSwarm: Number(parsed.args.toSwarm) });
    }
  }
  return out;
}

export interface ObservedMove extends SwarmChange {
  swarmOfAtCall: number;
}

/** What the listener mock saw, in call order, from its MoveObserved events. */
export function listenerMoves(listener: SwarmListener__Mock, logs: readonly Log[]): ObservedMove[] {
  const address = (listener.target as string).toLowerCase();
  return logs
    .filter((l) => l.address.toLowerCase() === address)
    .map((l) => listener.interface.parseLog(l))
    .filter((p) => p?.name === "MoveObserved")
    .map((p) => ({
      nodeId: p!.args.nodeId as bigint,
      fromSwarm: Number(p!.args.fromSwarm),
      toSwarm: Number(p!.args.toSwarm),
      swarmOfAtCall: Number(p!.args.swarmOfAtCall),
    }));
}

/**
 * Adds nodes through the registry mock in batches of at most MAX_PENDING_PLACEMENTS (one block each),
 * then leaves one block for the seed and settles the batch, replaying everything in the model.
 */
export async function bulkAdd(
  f: Pick<SwarmFixture, "coordinator" | "registryMock">,
  model: SwarmModel | undefined,
  firstId: bigint,
  count: number,
  batch = MAX_PENDING_PLACEMENTS,
): Promise<void> {
  batch = Math.min(batch, MAX_PENDING_PLACEMENTS);
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    const receipt = await mined(f.registryMock.mock__addNodes(f.coordinator.target, firstId + BigInt(done), n));
    if (model) {
      const r = await prevrandaoOf(receipt);
      for (let i = 0; i < n; i++) model.addNode(firstId + BigInt(done + i), r);
    }
    await settleAll(f, model);
  }
}

/**
 * Mines a block (the seed block of the latest joins), then settles every queued placement, at most
 * MAX_SETTLES_PER_TX per call and one block each (a call that leaves known seeds defers them to the
 * next block). Returns the settle receipts in order.
 */
export async function settleAll(f: Pick<SwarmFixture, "coordinator">, model: SwarmModel | undefined): Promise<TransactionReceipt[]> {
  await network.provider.send("evm_mine", []);
  const receipts: TransactionReceipt[] = [];
  for (;;) {
    const receipt = await mined(f.coordinator.settle(MAX_SETTLES_PER_TX));
    receipts.push(receipt);
    if (model) model.settle(MAX_SETTLES_PER_TX, await prevrandaoOf(receipt));
    const [pending] = await f.coordinator.pendingPlacements();
    if (pending.length === 0) return receipts;
    if (receipts.length > MAX_PENDING_PLACEMENTS) throw new Error("settleAll: the queue does not drain");
  }
}

/** Grants the registry mock REGISTRY_ROLE (beside the EOA registrar) so it can bulk-add. */
export async function enableBulk(f: Pick<SwarmFixture, "coordinator" | "registryMock">): Promise<void> {
  await f.coordinator.grantRole(await f.coordinator.REGISTRY_ROLE(), f.registryMock.target);
}

export async function snapshot(): Promise<string> {
  return (await network.provider.send("evm_snapshot", [])) as string;
}

export async function revertTo(id: string): Promise<void> {
  const ok = (await network.provider.send("evm_revert", [id])) as boolean;
  if (!ok) throw new Error(`evm_revert(${id}) failed`);
}
