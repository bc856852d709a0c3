/**
 * The bridge fixture: the shared suite (registry, swarms, attestations, rewards) with 15 active nodes
 * in 3 swarms, a SessionBridge wired to the coordinator and the rewards contract, a Warp messenger
 * mock (not configured by default), and a storage reporter that can set utilisation.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { deploySuite, registerActive, type Suite } from "../helpers/suite";
import { mlkemKeyGen } from "../../src/pq";
import { DEFAULT_SESSION_TTL, deriveSessionId, quoteCreateSession, quoteMessage, readUtilisation } from "../../src/sessions";
import type { SessionBridge, WarpMessenger__Mock } from "../../typechain-types";

export const NODES = 15;

export interface BridgeSuite extends Suite {
  bridge: SessionBridge;
  warp: WarpMessenger__Mock;
  nodeIds: bigint[];
  users: HardhatEthersSigner[];
  reporter: HardhatEthersSigner;
  chainId: bigint;
}

const mlkemCache = new Map<string, Uint8Array>();

/** A real ML-KEM-768 public key for `label` (deterministic, cached). */
export function mlkemKey(label: string): Uint8Array {
  let pk = mlkemCache.get(label);
  if (!pk) {
    const seed = ethers.getBytes(ethers.concat([ethers.id(`${label}/d`), ethers.id(`${label}/z`)]));
    pk = mlkemKeyGen(1, seed).publicKey;
    mlkemCache.set(label, pk);
  }
  return pk;
}

export function keyOf(user: { address: string }): Uint8Array {
  return mlkemKey(`user ${user.address.toLowerCase()}`);
}

/** A SessionBridge on the suite's coordinator and rewards, no Warp messenger, the default TTL. */
export async function deployBridge(s: Suite): Promise<SessionBridge> {
  return (await ethers.deployContract("SessionBridge", [
    s.admin.address,
    s.guardian.address,
    await s.swarms.getAddress(),
    await s.rewards.getAddress(),
    ethers.ZeroAddress,
    DEFAULT_SESSION_TTL,
  ])) as unknown as SessionBridge;
}

export async function deployBridgeSuite(): Promise<BridgeSuite> {
  const s = await deploySuite();
  const nodeIds: bigint[] = [];
  for (let i = 0; i < NODES; i++) {
    nodeIds.push((await registerActive(s, s.operators[i % s.operators.length], `bridge node ${i}`)).nodeId);
  }
  const warp = (await ethers.deployContract("WarpMessenger__Mock")) as unknown as WarpMessenger__Mock;
  const bridge = await deployBridge(s);
  const reporter = s.others[15];
  await s.swarms.connect(s.admin).grantRole(await s.swarms.STORAGE_ROLE(), reporter.address);
  return {
    ...s,
    bridge,
    warp,
    nodeIds,
    users: s.others.slice(0, 12),
    reporter,
    chainId: (await ethers.provider.getNetwork()).chainId,
  };
}

export async function createFee(f: BridgeSuite): Promise<bigint> {
  return quoteCreateSession(await readUtilisation(f.swarms));
}

export async function messageFee(f: BridgeSuite, size: number): Promise<bigint> {
  return quoteMessage(size, await readUtilisation(f.swarms));
}

export interface Opened {
  sessionId: string;
  expiresAt: bigint;
  receipt: ContractTransactionReceipt;
}

/**
 * Creates a session from `creator` for `participants`, with every key given (default) or only those
 * whose index is in `withKeys`.
 */
export async function openSession(
  f: BridgeSuite,
  creator: HardhatEthersSigner,
  participants: { address: string }[],
  opts: { salt?: string; withKeys?: number[]; value?: bigint } = {},
): Promise<Opened> {
  const salt = opts.salt ?? ethers.id(`salt ${Math.random()}`);
  const addrs = participants.map((p) => p.address);
  const keys = participants.map((p, i) => (opts.withKeys === undefined || opts.withKeys.includes(i) ? keyOf(p) : "0x"));
  const sessionId = deriveSessionId({
    chainId: f.chainId,
    bridge: await f.bridge.getAddress(),
    creator: creator.address,
    salt,
    participants: addrs,
  });
  const value = opts.value ?? (await createFee(f));
  const tx = await f.bridge.connect(creator)["createSession(address[],bytes[],bytes32)"](addrs, keys, salt, { value });
  const receipt = (await tx.wait())!;
  const info = await f.bridge.getSession(sessionId);
  return { sessionId, expiresAt: info.expiresAt, receipt };
}

/** Sends `ciphertext` as `sender` with the session's next sequence, paying the exact quote. */
export async function send(f: BridgeSuite, sender: HardhatEthersSigner, sessionId: string, ciphertext: Uint8Array) {
  const seq = (await f.bridge.getSession(sessionId)).messageCount;
  const fee = await messageFee(f, ciphertext.length);
  return f.bridge.connect(sender)["sendMessage(bytes32,uint64,bytes)"](sessionId, seq, ciphertext, { value: fee });
}

export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Everything a refused call must leave unchanged. */
export async function bridgeState(f: BridgeSuite, sessionId?: string) {
  const bridgeAddress = await f.bridge.getAddress();
  const swarmCount = Number(await f.swarms.swarmCount());
  const pools: bigint[] = [];
  for (let i = 0; i < swarmCount; i++) pools.push(await f.rewards.feePerStake(i));
  return {
    bridgeBalance: await ethers.provider.getBalance(bridgeAddress),
    rewardsBalance: await ethers.provider.getBalance(await f.rewards.getAddress()),
    treasuryOwed: await f.rewards.treasuryOwed(),
    pools,
    health: (await f.bridge.health()).toString(),
    channels: await f.bridge.channelSlotsUsed(),
    session: sessionId ? (await f.bridge.getSession(sessionId).catch(() => undefined))?.toString() : undefined,
    warp: await f.warp.mock__count(),
  };
}

/** Pays every swarm's pending fees into the rewards pool (anyone may); returns the total flushed. */
export async function flushAll(f: { bridge: BridgeSuite["bridge"]; swarms: BridgeSuite["swarms"] }): Promise<bigint> {
  let total = 0n;
  const count = Number(await f.swarms.swarmCount());
  for (let w = 0; w < Math.max(count, 1); w++) {
    const pending = await f.bridge.pendingFees(w);
    if (pending === 0n) continue;
    await (await f.bridge.flushFees(w)).wait();
    total += pending;
  }
  return total;
}
