/**
 * The node's ML-KEM-768 transport keys in its keystore, across rotations.
 *
 * The keystore's `mlkemSeed` is always the current key (so its public section, and every tool that
 * reads it, sees the key the directory publishes). A rotation moves the replaced seed into
 * `previousMlkem` among the encrypted secrets, with the time the directory keeps it valid until, so
 * the node still decrypts messages sent to it during the grace period. Keystores written before
 * rotations existed have no `previousMlkem` and stay valid as they are.
 *
 * Loaded on first use (`await import`): it pulls in the PQ library.
 */
import { getBytes, hexlify, keccak256 } from "ethers";
import { mlkemKeyGen, type KeyPair } from "../../src/pq";
import type { KeystoreSecrets } from "../../src/keystore";

export interface PreviousTransportKey {
  /** ML-KEM-768 seed (d ‖ z, 64 bytes). */
  seed: string;
  keyHash: string;
  /** Chain time (seconds) it was replaced at. */
  replacedAt: number;
  /** Chain time (seconds) until which the directory accepts it: replacedAt + the grace period. */
  validUntil: number;
}

export type SecretsWithTransportHistory = KeystoreSecrets & { previousMlkem?: PreviousTransportKey[] };

/** A replaced key is dropped from the keystore this long after its grace period ended. */
export const KEEP_AFTER_GRACE_SECONDS = 24 * 3600;

/** The secrets after a rotation to `newSeed`: the replaced key kept, keys long past their grace dropped. */
export function rotateTransportSecrets(secrets: KeystoreSecrets, newSeed: Uint8Array, now: number, graceSeconds: number): SecretsWithTransportHistory {
  const s = secrets as SecretsWithTransportHistory;
  const replaced: PreviousTransportKey = {
    seed: s.mlkemSeed,
    keyHash: keccak256(mlkemKeyGen(1, getBytes(s.mlkemSeed)).publicKey),
    replacedAt: now,
    validUntil: now + graceSeconds,
  };
  const kept = (s.previousMlkem ?? []).filter((k) => k.validUntil + KEEP_AFTER_GRACE_SECONDS > now);
  return { ...s, mlkemSeed: hexlify(newSeed), previousMlkem: [replaced, ...kept] };
}

/** Every transport key the node can decrypt with: the current one first, then replaced ones still within their grace at `now`. */
export function transportKeyPairs(secrets: KeystoreSecrets, now: number): { keyHash: string; keyPair: KeyPair; validUntil?: number }[] {
  const s = secrets as SecretsWithTransportHistory;
  const current = mlkemKeyGen(1, getBytes(s.mlkemSeed));
  return [
    { keyHash: keccak256(current.publicKey), keyPair: current },
    ...(s.previousMlkem ?? [])
      .filter((k) => k.validUntil > now)
      .map((k) => ({ keyHash: k.keyHash, keyPair: mlkemKeyGen(1, getBytes(k.seed)), validUntil: k.validUntil })),
  ];
}
