/**
 * Network attestations (NetworkAttestations.sol): the messages the active node set signs with BLS,
 * and the call arguments that carry an aggregate signature to the chain.
 *
 * A deregistration of node T is signed by every active node except T itself (the contract subtracts
 * T's key without it being listed) and except the listed non-signers, whose full keys travel in
 * calldata so the contract can check them against its compressed copies without a square root.
 */
import { AbiCoder, getBytes, keccak256, toUtf8Bytes } from "ethers";
import { aggregateAttestation, type AggregatedAttestation, type BLSKeyPair, type G1Point, type G2Point, type SecretKey } from "./bls";

const coder = AbiCoder.defaultAbiCoder();

/** NetworkAttestations.DEREGISTER_TYPEHASH: the purpose of a deregistration message. */
export const DEREGISTER_TYPEHASH = keccak256(
  toUtf8Bytes("ParsDeregisterNode(uint256 chainId,address verifier,uint64 nodeId,uint64 issuedAt)"),
);
/** NetworkAttestations.SIGNATURE_EXPIRY (seconds). */
export const SIGNATURE_EXPIRY = 600n;
/** NetworkAttestations.MAX_NON_SIGNERS_CAP. */
export const MAX_NON_SIGNERS_CAP = 500n;

export interface DeregistrationMessageInput {
  chainId: bigint | number;
  /** The NetworkAttestations contract. */
  verifier: string;
  nodeId: bigint | number;
  issuedAt: bigint | number;
}

/** NetworkAttestations.deregistrationMessage: keccak256(abi.encode(typehash, chainId, verifier, nodeId, issuedAt)). */
export function deregistrationMessage(i: DeregistrationMessageInput): string {
  return keccak256(
    coder.encode(
      ["bytes32", "uint256", "address", "uint64", "uint64"],
      [DEREGISTER_TYPEHASH, i.chainId, i.verifier, i.nodeId, i.issuedAt],
    ),
  );
}

/** min(activeNodes / 3, cap): NetworkAttestations.nonSignerLimit. */
export function nonSignerLimit(activeNodes: bigint, cap: bigint = MAX_NON_SIGNERS_CAP): bigint {
  const third = activeNodes / 3n;
  return third < cap ? third : cap;
}

/** The arguments of `deregister(nodeId, issuedAt, nonSigners, nonSignerKeys, signature)`, in order. */
export type DeregisterArgs = [bigint, bigint, bigint[], G2Point[], G1Point];

export interface Deregistration {
  /** The 32-byte message the signers signed. */
  message: string;
  /** Ready for `attestations.deregister(...args)`. */
  args: DeregisterArgs;
  /** The aggregation behind it (signers, non-signers, aggregate keys). */
  attestation: AggregatedAttestation<bigint>;
}

export interface DeregistrationInput extends DeregistrationMessageInput {
  /**
   * BLS keys of the active set, by node id (the target may be included: it is left out, since it
   * never signs its own deregistration and the contract subtracts it by itself).
   */
  keys: Map<bigint, SecretKey | BLSKeyPair>;
  /** Active nodes that do not sign; they become the non-signers, ascending. */
  absent?: Iterable<bigint | number>;
}

/**
 * Signs a deregistration of `nodeId` with every key in `keys` except the target and `absent`, and
 * returns the message and the call arguments (non-signers ascending with their keys).
 */
export function buildDeregistration(i: DeregistrationInput): Deregistration {
  const nodeId = BigInt(i.nodeId);
  const issuedAt = BigInt(i.issuedAt);
  const absent = new Set([...(i.absent ?? [])].map((id) => BigInt(id)));
  const keys = new Map([...i.keys].filter(([id]) => id !== nodeId));
  for (const id of absent) if (!keys.has(id)) throw new Error(`absent node ${id} has no key`);
  const message = deregistrationMessage({ ...i, nodeId, issuedAt });
  const signers = [...keys.keys()].filter((id) => !absent.has(id));
  const attestation = aggregateAttestation(keys, signers, getBytes(message));
  return {
    message,
    args: [nodeId, issuedAt, attestation.nonSigners, attestation.nonSignerPublicKeys, attestation.signature],
    attestation,
  };
}
