/**
 * Network attestations (NetworkAttestations.sol): the messages the active node set signs with BLS,
 * and the call arguments that carry an aggregate signature to the chain.
 *
 * A deregistration of node T is signed by every active node except T itself (the contract subtracts
 * T's key without it being listed) and except the listed non-signers, whose full keys travel in
 * calldata so the contract can check them against its compressed copies without a square root.
 */
import { AbiCoder, getBytes, keccak256, toUtf8Bytes, type BytesLike } from "ethers";
import {
  aggregateAttestation,
  g2Add,
  g2IsInfinity,
  hashToG1Roots,
  publicKeyOf,
  type AggregatedAttestation,
  type BLSKeyPair,
  type G1Point,
  type G2Point,
  type SecretKey,
} from "./bls";

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

/** Signers a deregistration needs among `n` active nodes, the target counted: ceil(2n/3). */
export function requiredSigners(n: bigint): bigint {
  return (2n * n + 2n) / 3n;
}

/**
 * NetworkAttestations.nonSignerLimit: the most non-signers a deregistration among `n` active nodes (the
 * target counted, which never signs) may list, min(n - 1 - ceil(2n/3), cap); 0 where none is possible
 * (n < 3, where the contract refuses every deregistration with `TooFewSigners`).
 */
export function nonSignerLimit(n: bigint, cap: bigint = MAX_NON_SIGNERS_CAP): bigint {
  const required = requiredSigners(n);
  if (n < required + 1n) return 0n;
  const limit = n - 1n - required;
  return limit < cap ? limit : cap;
}

/**
 * INetworkAttestations.DeregistrationHint: the y coordinates of the stored aggregate key and of the
 * node's key (their x are stored compressed) and the aggregate without the node, so the contract takes
 * the key out of the aggregate without a square root or an inversion; and the square roots of the
 * message's hash to G1, so it hashes without a modexp. It checks every word: a wrong hint is refused
 * (`InvalidDeregistrationHint`, or `InvalidAggregateSignature` for wrong hash roots), never stored.
 */
export interface DeregistrationHint {
  aggregateYIm: bigint;
  aggregateYRe: bigint;
  keyYIm: bigint;
  keyYRe: bigint;
  remaining: G2Point;
  hashRoots: bigint[];
}

/** No hint (all zero, no roots): the contract rebuilds both keys, subtracts and hashes by itself. */
export const NO_DEREGISTRATION_HINT: DeregistrationHint = Object.freeze({
  aggregateYIm: 0n,
  aggregateYRe: 0n,
  keyYIm: 0n,
  keyYRe: 0n,
  remaining: Object.freeze({ xIm: 0n, xRe: 0n, yIm: 0n, yRe: 0n }),
  hashRoots: [],
});

/**
 * The hint for taking `key` out of an aggregate and checking the hash of `message`: `remaining` is
 * the aggregate without the key (the sum of the other active keys). The key part is left empty when
 * the chord rule cannot express it (the others sum to infinity or to plus or minus the key), which the
 * contract handles without it.
 */
export function deregistrationHint(remaining: G2Point, key: G2Point, message?: BytesLike): DeregistrationHint {
  const hashRoots = message === undefined ? [] : hashToG1Roots(message);
  if (g2IsInfinity(remaining) || (remaining.xIm === key.xIm && remaining.xRe === key.xRe)) {
    return { ...NO_DEREGISTRATION_HINT, hashRoots };
  }
  const aggregate = g2Add(remaining, key);
  return { aggregateYIm: aggregate.yIm, aggregateYRe: aggregate.yRe, keyYIm: key.yIm, keyYRe: key.yRe, remaining, hashRoots };
}

/** The arguments of `deregister(nodeId, issuedAt, nonSigners, nonSignerKeys, signature, hint)`, in order. */
export type DeregisterArgs = [bigint, bigint, bigint[], G2Point[], G1Point, DeregistrationHint];

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
  /** The target's public key when `keys` does not hold it (for the hint; without either, no hint). */
  targetPublicKey?: G2Point;
  /**
   * With exactly one non-signer, append the signers' key to `nonSignerKeys` (the contract checks it
   * and skips a subtraction and an inversion). Default true.
   */
  signersKeyHint?: boolean;
}

/**
 * Signs a deregistration of `nodeId` with every key in `keys` except the target and `absent`, and
 * returns the message and the call arguments (non-signers ascending with their keys). The hint takes
 * `keys` for the whole active set: the aggregate without the target is the sum of the other keys.
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
  const own = i.keys.get(nodeId);
  const targetKey = i.targetPublicKey ?? (own === undefined ? undefined : typeof own === "bigint" ? publicKeyOf(own) : own.publicKey);
  const hint = targetKey
    ? deregistrationHint(attestation.aggregatePublicKey, targetKey, getBytes(message))
    : { ...NO_DEREGISTRATION_HINT, hashRoots: hashToG1Roots(getBytes(message)) };
  const keysArg = [...attestation.nonSignerPublicKeys];
  const signersKey = attestation.signersPublicKey;
  const [only] = keysArg;
  if (
    (i.signersKeyHint ?? true) &&
    keysArg.length === 1 &&
    !g2IsInfinity(signersKey) &&
    (signersKey.xIm !== only.xIm || signersKey.xRe !== only.xRe)
  ) {
    keysArg.push(signersKey);
  }
  return {
    message,
    args: [nodeId, issuedAt, attestation.nonSigners, keysArg, attestation.signature, hint],
    attestation,
  };
}
