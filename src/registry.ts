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
