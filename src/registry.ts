/**
 * Registry helpers that mirror ServiceNodeRegistry: the registration digest both proofs of
 * possession sign, the anchor-rotation digest, and the contribution rules.
 */
import { AbiCoder, getBytes, keccak256, toUtf8Bytes, type BytesLike } from "ethers";

const coder = AbiCoder.defaultAbiCoder();

export const REGISTRATION_TYPEHASH = keccak256(
  toUtf8Bytes(
    "ParsNodeRegistration(uint256 chainId,address registry,address operator,bytes32 mldsaKey,bytes32 mlkemKey,bytes32 blsKey,bytes32 heartbeatAnchor)",
  ),
);
export const ROTATION_TYPEHASH = keccak256(
  toUtf8Bytes("ParsHeartbeatRotation(uint256 chainId,address registry,uint64 nodeId,bytes32 anchor,uint32 epoch)"),
);

export const MAX_CONTRIBUTORS = 10n;
export const OPERATOR_MIN_BPS = 2_500n;
export const BPS = 10_000n;

/** What `InvalidKeyLength` and `KeyAlreadyRegistered` name (the contracts' `KeyKind`). */
export enum KeyKind {
  MlDsa = 0,
  MlKem = 1,
  Bls = 2,
  MlDsaSignature = 3,
}

export enum NodeStatus {
  None = 0,
  AwaitingContributions = 1,
  Active = 2,
  Decommissioning = 3,
  Retired = 4,
  Cancelled = 5,
}

export type G2Words = readonly [bigint, bigint, bigint, bigint];

/** keccak256(abi.encode(uint256[4])) of a BLS public key, as the registry indexes it. */
export function blsKeyHash(pk: G2Words): string {
  return keccak256(coder.encode(["uint256[4]"], [pk]));
}

export interface RegistrationDigestInput {
  chainId: bigint | number;
  registry: string;
  operator: string;
  mldsaPublicKey: BytesLike;
  mlkemPublicKey: BytesLike;
  blsPublicKey: G2Words;
  heartbeatAnchor: string;
}

/** The digest signed by a registration's ML-DSA and BLS proofs of possession. */
export function registrationDigest(i: RegistrationDigestInput): string {
  return keccak256(
    coder.encode(
      ["bytes32", "uint256", "address", "address", "bytes32", "bytes32", "bytes32", "bytes32"],
      [
        REGISTRATION_TYPEHASH,
        i.chainId,
        i.registry,
        i.operator,
        keccak256(getBytes(i.mldsaPublicKey)),
        keccak256(getBytes(i.mlkemPublicKey)),
        blsKeyHash(i.blsPublicKey),
        i.heartbeatAnchor,
      ],
    ),
  );
}

/** The digest an anchor rotation's ML-DSA signature signs. */
export function anchorRotationDigest(chainId: bigint | number, registry: string, nodeId: bigint | number, anchor: string, epoch: number): string {
  return keccak256(
    coder.encode(
      ["bytes32", "uint256", "address", "uint64", "bytes32", "uint32"],
      [ROTATION_TYPEHASH, chainId, registry, nodeId, anchor, epoch],
    ),
  );
}

/** The operator's minimum initial stake: 25% of the requirement, rounded up. */
export function operatorMinimum(requirement: bigint): bigint {
  return (requirement * OPERATOR_MIN_BPS + BPS - 1n) / BPS;
}

/** Session's minimum contribution: ceil(unreserved remaining / open slots); 0 when no slot is open. */
export function minimumContribution(requirement: bigint, stake: bigint, unfilledReserved: bigint, contributors: bigint): bigint {
  if (contributors >= MAX_CONTRIBUTORS) return 0n;
  const remaining = requirement - stake - unfilledReserved;
  const open = MAX_CONTRIBUTORS - contributors;
  return (remaining + open - 1n) / open;
}

/** The penalty cap: a node at 50% is decommissioned. */
export const PENALTY_CAP_BPS = 5_000;

export interface PendingPenalty {
  /** Epochs missed since the registry last settled the node (not counting the current one). */
  missedEpochs: number;
  /** The node's penalty once they are settled, basis points (capped). */
  penaltyBps: number;
  /** What settling adds, basis points. */
  addedBps: number;
  /** What settling takes from the stake, wei. */
  amount: bigint;
  /** Settling reaches the cap: the node is decommissioned. */
  reachesCap: boolean;
}

/**
 * The penalty the next heartbeat (or anyone's `penalize`) applies to an active node for the epochs
 * it missed: the registry's `_settle`, computed ahead. Zero when nothing is missed.
 */
export function pendingPenalty(
  node: { status: bigint | number; penaltyBps: bigint | number; penalizedThroughEpoch: bigint | number; stake: bigint },
  currentEpoch: number,
  missedEpochPenaltyBps: bigint | number,
): PendingPenalty {
  const current = Number(node.penaltyBps);
  const settled = Number(node.penalizedThroughEpoch);
  const missed = Number(node.status) === NodeStatus.Active && currentEpoch - 1 > settled ? currentEpoch - 1 - settled : 0;
  if (missed === 0 || current >= PENALTY_CAP_BPS) return { missedEpochs: missed, penaltyBps: current, addedBps: 0, amount: 0n, reachesCap: false };
  const next = Math.min(PENALTY_CAP_BPS, current + missed * Number(missedEpochPenaltyBps));
  const amount = (node.stake * BigInt(next)) / BPS - (node.stake * BigInt(current)) / BPS;
  return { missedEpochs: missed, penaltyBps: next, addedBps: next - current, amount, reachesCap: next >= PENALTY_CAP_BPS };
}
