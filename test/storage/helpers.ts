/**
 * The storage fixture: the shared suite (registry, swarms, attestations, rewards, real keys) plus
 * StorageCommitment with the registry's SLASHER_ROLE and the coordinator's STORAGE_ROLE, and helpers
 * that sign and relay commitments with the nodes' real ML-DSA-65 keys.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { usePrecompiles } from "../helpers/precompiles";
import { pqProfileId, pqProfileOf } from "../../src/networks";
import { currentEpoch, deploySuite, registerActive, type NodeKeys, type Suite } from "../helpers/suite";
import { EPOCH_SECONDS } from "../../src/heartbeat";
import { signStorageProof, storageProofOf, StorageTree, type StorageProof } from "../../src/storage";
import type { StorageCommitment } from "../../typechain-types";

export interface StorageNode {
  nodeId: bigint;
  keys: NodeKeys;
  operator: HardhatEthersSigner;
}

export interface StorageSuite extends Suite {
  storage: StorageCommitment;
  nodes: StorageNode[];
  chainId: bigint;
}

/**
 * Deploys StorageCommitment next to an existing suite and grants it its two roles. `mldsa` points it
 * at another ML-DSA address (a misbehaving stand-in, in the adversarial tests).
 */
export async function deployStorage(s: Suite, mldsa?: string): Promise<StorageCommitment> {
  const pc = await usePrecompiles();
  // The registry's profile: the suite speaks one.
  const profile = await pqProfileOf(s.registry);
  const storage = await ethers.deployContract("StorageCommitment", [
    s.admin.address,
    s.guardian.address,
    await s.registry.getAddress(),
    await s.swarms.getAddress(),
    pqProfileId(profile),
    mldsa ?? pc.profiles[profile].mldsa,
  ]);
  const address = await storage.getAddress();
  await (await s.registry.connect(s.admin).grantRole(await s.registry.SLASHER_ROLE(), address)).wait();
  await (await s.swarms.connect(s.admin).grantRole(await s.swarms.STORAGE_ROLE(), address)).wait();
  return storage;
}

/** The suite with `count` active nodes (operators 0..count-1) and StorageCommitment. */
export async function deployStorageSuite(count: number): Promise<StorageSuite> {
  const s = await deploySuite();
  const nodes: StorageNode[] = [];
  for (let i = 0; i < count; i++) {
    const { nodeId, keys } = await registerActive(s, s.operators[i], `storage-node-${i}`);
    nodes.push({ nodeId, keys, operator: s.operators[i] });
  }
  const storage = await deployStorage(s);
  return { ...s, storage, nodes, chainId: (await ethers.provider.getNetwork()).chainId };
}

/** Five active nodes: one swarm (S(5) = 1), swarm 0. */
export function fiveNodes(): Promise<StorageSuite> {
  return deployStorageSuite(5);
}

/** Moves to the first second of the next epoch and returns that epoch. */
export async function nextEpoch(): Promise<number> {
  const e = (await currentEpoch()) + 1;
  await time.increaseTo(e * EPOCH_SECONDS + 1);
  return e;
}

type CommitSuite = { storage: StorageCommitment; swarms: Suite["swarms"]; chainId: bigint };

/** A signed commitment of `tree` by `node` for `epoch` (its current swarm unless overridden). */
export async function signedCommitment(
  s: CommitSuite,
  node: StorageNode,
  tree: StorageTree,
  epoch: number,
  overrides: Partial<StorageProof> = {},
): Promise<{ proof: StorageProof; publicKey: Uint8Array; signature: Uint8Array }> {
  const swarmId = Number(await s.swarms.swarmOf(node.nodeId));
  const proof = { ...storageProofOf(tree, node.nodeId, swarmId, epoch), ...overrides };
  const signature = signStorageProof(node.keys.mldsa.secretKey, s.chainId, await s.storage.getAddress(), proof, await pqProfileOf(s.storage));
  return { proof, publicKey: node.keys.mldsa.publicKey, signature };
}

/** Signs and relays (from `relayer`, default the first signer) a commitment of `tree` by `node`. */
export async function commitTree(s: CommitSuite, node: StorageNode, tree: StorageTree, epoch: number, relayer?: HardhatEthersSigner) {
  const c = await signedCommitment(s, node, tree, epoch);
  const storage = relayer ? s.storage.connect(relayer) : s.storage;
  return storage.commit(c.proof, c.publicKey, c.signature);
}

/** Deterministic message bytes of `size` bytes, distinct per label. */
export function message(label: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let block = ethers.getBytes(ethers.id(label));
  for (let i = 0; i < size; i += 32) {
    out.set(block.subarray(0, Math.min(32, size - i)), i);
    block = ethers.getBytes(ethers.keccak256(block));
  }
  return out;
}

/** The swarm's messages: small ones, one of exactly 16 KiB, and one byte over it. */
export const SWARM_MESSAGES = [
  message("hello", 120),
  message("photo", 9000),
  message("voice note", 2048),
  message("largest answerable", 16 * 1024),
  message("too large to challenge", 16 * 1024 + 1),
  message("empty-ish", 1),
];
/** What an honest node of the swarm stores. */
export const HONEST = StorageTree.fromMessages(SWARM_MESSAGES);
/** A node that lost the photo and stores something nobody else has. */
export const DEVIANT = StorageTree.fromMessages([...SWARM_MESSAGES.filter((_, i) => i !== 1), message("junk", 64)]);

/**
 * Five nodes; in epoch `e`, nodes 0..3 commit HONEST and node 4 commits DEVIANT; then the next epoch
 * starts, so `e` is challengeable (each node on the leaves of its own root) and its swarm root (HONEST,
 * 4 of 5) is final.
 */
export async function committedEpoch(): Promise<StorageSuite & { epoch: number }> {
  const s = await fiveNodes();
  const epoch = await nextEpoch();
  for (const [i, node] of s.nodes.entries()) await (await commitTree(s, node, i === 4 ? DEVIANT : HONEST, epoch)).wait();
  await nextEpoch();
  return { ...s, epoch };
}

/** Everything a failed call must leave unchanged. */
export async function storageState(s: StorageSuite, epoch: number) {
  const st = s.storage;
  const perNode = await Promise.all(
    s.nodes.map(async (n) => [(await st.commitmentOf(n.nodeId, epoch)).toString(), await s.swarms.nodeStorageUsed(n.nodeId)]),
  );
  return {
    perNode: perNode.map(String),
    swarmRoot: (await st.swarmRoot(0, epoch)).toString(),
    storageUsed: await s.swarms.storageUsed(),
    balance: await ethers.provider.getBalance(await st.getAddress()),
    registryBalance: await ethers.provider.getBalance(await s.registry.getAddress()),
    stakes: (await Promise.all(s.nodes.map((n) => s.registry.getNode(n.nodeId)))).map((v) => v.toString()),
    treasuryOwed: await s.registry.treasuryOwed(),
  };
}
