/**
 * One fixture for the registry and swarm tests: the coordinator and registry deployed and wired,
 * the precompiles installed, and node key material made with real ML-DSA-65, ML-KEM-768 and BLS keys.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { TEST_PROFILE, usePrecompiles } from "./precompiles";
import { pqProfileId, pqProfileOf, type PQProfile } from "../../src/networks";
import { mldsaKeyGen, mldsaSign, mlkemKeyGen, type KeyPair } from "../../src/pq";
import { HeartbeatChain, epochOf } from "../../src/heartbeat";
import { registrationDigest } from "../../src/registry";
import { blsKeyPair, proofOfPossession, type BLSKeyPair } from "../../src/bls";
import type { NetworkAttestations, NodeDirectory, ServiceNodeRegistry, ServiceNodeRewards, SwarmCoordinator } from "../../typechain-types";

export const REQUIREMENT = ethers.parseEther("15000");
/** Emission base of the test suite: 100M PARS (8% a year in year one). */
export const EMISSION_BASE = ethers.parseEther("100000000");

export interface NodeKeys {
  mldsa: KeyPair;
  mlkem: KeyPair;
  bls: BLSKeyPair;
  chain: HeartbeatChain;
}

const keyCache = new Map<string, NodeKeys>();

/** Deterministic key material for a test node (cached: key generation is the slow part). */
export function nodeKeys(label: string, anchorEpoch: number): NodeKeys {
  const cacheKey = `${label}@${anchorEpoch}`;
  let keys = keyCache.get(cacheKey);
  if (!keys) {
    const seed = (tag: string) => ethers.getBytes(ethers.id(`${label}/${tag}`));
    keys = {
      mldsa: mldsaKeyGen(65, seed("mldsa")),
      mlkem: mlkemKeyGen(1, ethers.getBytes(ethers.concat([seed("mlkem-d"), seed("mlkem-z")]))),
      bls: blsKeyPair(seed("bls")),
      chain: HeartbeatChain.create({ length: 2000, anchorEpoch, interval: 32, seed: seed("heartbeat") }),
    };
    keyCache.set(cacheKey, keys);
  }
  return keys;
}

export interface RegistrationArgs {
  mldsaPublicKey: Uint8Array;
  mldsaSignature: Uint8Array;
  mlkemPublicKey: Uint8Array;
  blsPublicKey: { xIm: bigint; xRe: bigint; yIm: bigint; yRe: bigint };
  blsSignature: { x: bigint; y: bigint };
  heartbeatAnchor: string;
  operatorFeeBps: number;
  reserved: { contributor: string; amount: bigint }[];
}

/** Builds a complete, correctly signed registration for `operator`. */
export async function buildRegistration(
  registry: ServiceNodeRegistry,
  operator: string,
  keys: NodeKeys,
  opts: { feeBps?: number; reserved?: { contributor: string; amount: bigint }[]; chainId?: bigint; registryAddress?: string } = {},
): Promise<RegistrationArgs> {
  const chainId = opts.chainId ?? (await ethers.provider.getNetwork()).chainId;
  const blsPublicKey = keys.bls.publicKey;
  const digest = registrationDigest({
    chainId,
    registry: opts.registryAddress ?? (await registry.getAddress()),
    operator,
    mldsaPublicKey: keys.mldsa.publicKey,
    mlkemPublicKey: keys.mlkem.publicKey,
    blsPublicKey: [blsPublicKey.xIm, blsPublicKey.xRe, blsPublicKey.yIm, blsPublicKey.yRe],
    heartbeatAnchor: keys.chain.anchor,
  });
  return {
    mldsaPublicKey: keys.mldsa.publicKey,
    // Signed under the context of the registry's own precompile profile.
    mldsaSignature: mldsaSign(keys.mldsa.secretKey, ethers.getBytes(digest), { profile: await pqProfileOf(registry) }),
    mlkemPublicKey: keys.mlkem.publicKey,
    blsPublicKey,
    blsSignature: proofOfPossession(keys.bls.secretKey, digest),
    heartbeatAnchor: keys.chain.anchor,
    operatorFeeBps: opts.feeBps ?? 500,
    reserved: opts.reserved ?? [],
  };
}

export interface Suite {
  registry: ServiceNodeRegistry;
  directory: NodeDirectory;
  swarms: SwarmCoordinator;
  attestations: NetworkAttestations;
  rewards: ServiceNodeRewards;
  admin: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  slasher: HardhatEthersSigner;
  operators: HardhatEthersSigner[];
  others: HardhatEthersSigner[];
}

/**
 * Deploys the coordinator and the registry, wired, with the precompiles installed. `precompiles`
 * points the registry at other ML-DSA / ML-KEM addresses (a misbehaving stand-in, in the
 * adversarial tests).
 */
export async function deploySuite(
  precompiles: { mldsa?: string; mlkem?: string; profile?: PQProfile } = {},
): Promise<Suite> {
  const pc = await usePrecompiles();
  const profile = precompiles.profile ?? TEST_PROFILE;
  const signers = await ethers.getSigners();
  const [admin, guardian, treasury, slasher] = signers;
  const swarms = await ethers.deployContract("SwarmCoordinator", [admin.address]);
  const attestations = await ethers.deployContract("NetworkAttestations", [admin.address]);
  const directory = await ethers.deployContract("NodeDirectory", [
    pqProfileId(profile),
    precompiles.mldsa ?? pc.profiles[profile].mldsa,
    precompiles.mlkem ?? pc.profiles[profile].mlkem,
    await attestations.getAddress(),
  ]);
  const registry = await ethers.deployContract("ServiceNodeRegistry", [
    admin.address,
    guardian.address,
    await directory.getAddress(),
    await swarms.getAddress(),
    await attestations.getAddress(),
    treasury.address,
  ]);
  await directory.connect(admin).setRegistry(await registry.getAddress());
  await swarms.connect(admin).setRegistry(await registry.getAddress());
  await attestations.connect(admin).setRegistry(await registry.getAddress());
  await registry.connect(admin).grantRole(await registry.SLASHER_ROLE(), slasher.address);
  await registry.connect(admin).grantRole(await registry.SLASHER_ROLE(), await attestations.getAddress());
  const rewards = await ethers.deployContract("ServiceNodeRewards", [
    admin.address,
    await registry.getAddress(),
    await swarms.getAddress(),
    treasury.address,
    EMISSION_BASE,
  ]);
  await registry.connect(admin).setLifecycleListener(await rewards.getAddress());
  await swarms.connect(admin).setSwarmListener(await rewards.getAddress());
  return {
    registry,
    directory,
    swarms,
    attestations,
    rewards,
    admin,
    guardian,
    treasury,
    slasher,
    operators: signers.slice(4, 24),
    others: signers.slice(24),
  };
}

export async function currentEpoch(): Promise<number> {
  return epochOf(await time.latest());
}

/** Registers a fully staked node for `operator` and returns its id and keys. */
export async function registerActive(
  s: Suite,
  operator: HardhatEthersSigner,
  label: string,
): Promise<{ nodeId: bigint; keys: NodeKeys }> {
  const keys = nodeKeys(label, await currentEpoch());
  const reg = await buildRegistration(s.registry, operator.address, keys);
  await (await s.registry.connect(operator).register(reg, { value: REQUIREMENT })).wait();
  const nodeId = await s.registry.lastNodeId();
  return { nodeId, keys };
}
