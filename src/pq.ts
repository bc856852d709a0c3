/**
 * Post-quantum primitives used across the Pars contracts: ML-DSA (FIPS 204, pure mode) and ML-KEM
 * (FIPS 203), from @noble/post-quantum.
 *
 * ML-DSA signatures bind a FIPS 204 context string, which the precompile profile of the deployment
 * decides (DESIGN §3): `"lux-evm-precompile-mldsa-v1"` for `lux` (the chain's code), empty for `pip`.
 * A signature made under one context does not verify under the other. Sign through
 * `mldsaSign(sk, msg, { profile })`, with the profile read from the deployment (`pqProfileOf`).
 *
 * Mode encodings (the `uint8` the precompiles take):
 * - ML-DSA: the parameter set's own number, 44, 65 or 87.
 * - ML-KEM: 0 = ML-KEM-512, 1 = ML-KEM-768, 2 = ML-KEM-1024 (a `uint8` cannot hold 512).
 * Verify / encapsulate / decapsulate infer the parameter set from the key length.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { ml_kem512, ml_kem768, ml_kem1024 } from "@noble/post-quantum/ml-kem.js";

export type MLDSAMode = 44 | 65 | 87;

/** A precompile profile: which wire format and signing context the chain's PQ precompiles speak. */
export type PQProfile = "lux" | "pip";

/** The FIPS 204 context string each profile's ML-DSA precompile verifies under. */
export const MLDSA_CONTEXT: Record<PQProfile, string> = {
  lux: "lux-evm-precompile-mldsa-v1",
  pip: "",
};

/** The context bytes of `profile`. */
export function mldsaContext(profile: PQProfile): Uint8Array {
  return new TextEncoder().encode(MLDSA_CONTEXT[profile]);
}

/** Signing and verification options: the deployment's profile decides the context. */
export interface MLDSAOptions {
  /** The deployment's precompile profile; its context is bound into the signature. */
  profile: PQProfile;
  /** Randomised (hedged) signing; deterministic by default. */
  hedged?: boolean;
}
export type MLKEMParameterSet = 0 | 1 | 2;

export interface MLDSAParams {
  mode: MLDSAMode;
  publicKeyBytes: number;
  secretKeyBytes: number;
  signatureBytes: number;
}

export interface MLKEMParams {
  parameterSet: MLKEMParameterSet;
  name: "ML-KEM-512" | "ML-KEM-768" | "ML-KEM-1024";
  publicKeyBytes: number;
  secretKeyBytes: number;
  ciphertextBytes: number;
}

const DSA = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;
const KEM = { 0: ml_kem512, 1: ml_kem768, 2: ml_kem1024 } as const;

export const MLDSA_PARAMS: Record<MLDSAMode, MLDSAParams> = {
  44: { mode: 44, publicKeyBytes: 1312, secretKeyBytes: 2560, signatureBytes: 2420 },
  65: { mode: 65, publicKeyBytes: 1952, secretKeyBytes: 4032, signatureBytes: 3309 },
  87: { mode: 87, publicKeyBytes: 2592, secretKeyBytes: 4896, signatureBytes: 4627 },
};

export const MLKEM_PARAMS: Record<MLKEMParameterSet, MLKEMParams> = {
  0: { parameterSet: 0, name: "ML-KEM-512", publicKeyBytes: 800, secretKeyBytes: 1632, ciphertextBytes: 768 },
  1: { parameterSet: 1, name: "ML-KEM-768", publicKeyBytes: 1184, secretKeyBytes: 2400, ciphertextBytes: 1088 },
  2: { parameterSet: 2, name: "ML-KEM-1024", publicKeyBytes: 1568, secretKeyBytes: 3168, ciphertextBytes: 1568 },
};

/** The ML-KEM shared secret is 32 bytes for every parameter set. */
export const MLKEM_SHARED_SECRET_BYTES = 32;

export function mldsaParams(mode: number): MLDSAParams | undefined {
  return (MLDSA_PARAMS as Record<number, MLDSAParams>)[mode];
}
export function mldsaParamsByPublicKey(len: number): MLDSAParams | undefined {
  return Object.values(MLDSA_PARAMS).find((p) => p.publicKeyBytes === len);
}
export function mldsaParamsBySecretKey(len: number): MLDSAParams | undefined {
  return Object.values(MLDSA_PARAMS).find((p) => p.secretKeyBytes === len);
}
export function mlkemParams(parameterSet: number): MLKEMParams | undefined {
  return (MLKEM_PARAMS as Record<number, MLKEMParams>)[parameterSet];
}
export function mlkemParamsByPublicKey(len: number): MLKEMParams | undefined {
  return Object.values(MLKEM_PARAMS).find((p) => p.publicKeyBytes === len);
}
export function mlkemParamsBySecretKey(len: number): MLKEMParams | undefined {
  return Object.values(MLKEM_PARAMS).find((p) => p.secretKeyBytes === len);
}

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** ML-DSA key pair; deterministic when a 32-byte seed is given. */
export function mldsaKeyGen(mode: MLDSAMode = 65, seed?: Uint8Array): KeyPair {
  return DSA[mode].keygen(seed);
}

/**
 * ML-DSA signature (pure mode) under the context of `opts.profile`. Deterministic by default so that a
 * transaction's gas estimate and its execution see the same bytes; pass `hedged: true` for randomised
 * signing.
 */
export function mldsaSign(secretKey: Uint8Array, message: Uint8Array, opts: MLDSAOptions): Uint8Array {
  const p = mldsaParamsBySecretKey(secretKey.length);
  if (!p) throw new Error(`ML-DSA secret key of ${secretKey.length} bytes matches no parameter set`);
  const context = mldsaContext(opts.profile);
  return DSA[p.mode].sign(message, secretKey, opts.hedged ? { context } : { context, extraEntropy: false });
}

/** ML-DSA verification under the context of `profile`; false (never an exception) for anything malformed. */
export function mldsaVerify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  profile: PQProfile,
): boolean {
  const p = mldsaParamsByPublicKey(publicKey.length);
  if (!p || signature.length !== p.signatureBytes) return false;
  try {
    return DSA[p.mode].verify(signature, message, publicKey, { context: mldsaContext(profile) });
  } catch {
    return false;
  }
}

/** The ML-KEM sizes by name (512, 768, 1024), as `mldsaKeyGen` takes ML-DSA's (44, 65, 87). */
export type MLKEMSize = 512 | 768 | 1024;
const KEM_BY_SIZE: Record<MLKEMSize, MLKEMParameterSet> = { 512: 0, 768: 1, 1024: 2 };

/**
 * ML-KEM key pair; deterministic when a 64-byte seed is given. The parameter set is its size (512,
 * 768, 1024) or the precompile's index (0, 1, 2); ML-KEM-768 by default.
 */
export function mlkemKeyGen(parameterSet: MLKEMParameterSet | MLKEMSize = 768, seed?: Uint8Array): KeyPair {
  const index = (KEM_BY_SIZE as Record<number, MLKEMParameterSet | undefined>)[parameterSet] ?? parameterSet;
  const kem = (KEM as Record<number, (typeof KEM)[MLKEMParameterSet] | undefined>)[index];
  if (!kem) throw new Error(`mlkemKeyGen: ${String(parameterSet)} is not an ML-KEM parameter set (512, 768 or 1024; or the indexes 0, 1, 2)`);
  return kem.keygen(seed);
}

export interface Encapsulation {
  cipherText: Uint8Array;
  sharedSecret: Uint8Array;
}

/**
 * ML-KEM encapsulation. Throws on an invalid encapsulation key (FIPS 203 §7.2 modulus check).
 * `m` (32 bytes) makes it deterministic; without it fresh randomness is used.
 */
export function mlkemEncapsulate(publicKey: Uint8Array, m?: Uint8Array): Encapsulation {
  const p = mlkemParamsByPublicKey(publicKey.length);
  if (!p) throw new Error(`ML-KEM public key of ${publicKey.length} bytes matches no parameter set`);
  return KEM[p.parameterSet].encapsulate(publicKey, m);
}

/** ML-KEM decapsulation (implicit rejection: a wrong ciphertext gives an unrelated secret). */
export function mlkemDecapsulate(secretKey: Uint8Array, cipherText: Uint8Array): Uint8Array {
  const p = mlkemParamsBySecretKey(secretKey.length);
  if (!p) throw new Error(`ML-KEM secret key of ${secretKey.length} bytes matches no parameter set`);
  if (cipherText.length !== p.ciphertextBytes) {
    throw new Error(`${p.name} ciphertext must be ${p.ciphertextBytes} bytes, got ${cipherText.length}`);
  }
  return KEM[p.parameterSet].decapsulate(cipherText, secretKey);
}
