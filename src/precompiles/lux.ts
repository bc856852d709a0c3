/**
 * The `lux` precompile profile (DESIGN §3): the PQ precompiles as the Lux EVM runs them
 * (luxfi/precompile v0.19 `mldsa/contract.go`, `mlkem/contract.go`), as pure functions of their input.
 *
 * ML-DSA (raw bytes, no selector):
 * - verify: `[mode][public key][message length, uint256 BE][signature][message]` → one 32-byte word,
 *   1 valid / 0 invalid, under the FIPS 204 context `"lux-evm-precompile-mldsa-v1"`;
 * - batch: `[0x10][mode][count, uint16 BE]` then per entry `[public key][message length][signature]
 *   [message]` → one byte 0/1 per entry, right-aligned in a 32-byte-padded answer.
 * Mode bytes: 0x44, 0x65, 0x87 (ML-DSA-44 / 65 / 87). Anything that does not parse exactly (unknown
 * mode, a total length that does not match) is an error: the call fails, and on the chain it burns the
 * gas it was given.
 *
 * ML-KEM: encapsulate `[0x01][mode 0x00 512 | 0x01 768 | 0x02 1024][seed, 32 bytes][public key]` →
 * `ciphertext ‖ shared secret`, with the FIPS 203 randomness
 * `m = SHA-256("MLKEM_ENCAP_v1" ‖ caller address ‖ seed)`, so the answer depends on who calls. Every
 * other operation (no key generation, no decapsulation: a secret key in calldata is public) is an error.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes } from "@noble/hashes/utils.js";
import type { PrecompileOutcome } from "./handlers";
import { MLDSA_PARAMS, mldsaVerify, mlkemEncapsulate, MLKEM_PARAMS, type MLDSAMode, type MLKEMParameterSet } from "../pq";

/** Mode byte → ML-DSA parameter set. */
export const LUX_MLDSA_MODES: Record<number, MLDSAMode> = { 0x44: 44, 0x65: 65, 0x87: 87 };
/** The ML-DSA mode byte of a parameter set. */
export const LUX_MLDSA_MODE_BYTE: Record<MLDSAMode, number> = { 44: 0x44, 65: 0x65, 87: 0x87 };
/** The batch operation byte. */
export const LUX_MLDSA_BATCH_OP = 0x10;
/** The encapsulate operation byte. */
export const LUX_MLKEM_ENCAPSULATE_OP = 0x01;
/** The domain tag of the caller-bound encapsulation randomness. */
export const LUX_MLKEM_ENCAP_TAG = "MLKEM_ENCAP_v1";

const ERROR: PrecompileOutcome = { output: new Uint8Array(), reverted: true };

function word(value: number): Uint8Array {
  const out = new Uint8Array(32);
  out[31] = value;
  return out;
}

function readUint256(data: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(data[offset + i]);
  return v;
}

/**
 * Parses one `[pk][msgLen][sig][msg]` entry at `offset`: its parts and where it ends, or undefined when
 * the data ends before it does.
 */
function parseEntry(
  data: Uint8Array,
  offset: number,
  mode: MLDSAMode,
): { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array; end: number } | undefined {
  const p = MLDSA_PARAMS[mode];
  const sigAt = offset + p.publicKeyBytes + 32;
  const msgAt = sigAt + p.signatureBytes;
  if (data.length < msgAt) return undefined;
  const msgLength = readUint256(data, offset + p.publicKeyBytes);
  if (msgLength > BigInt(data.length - msgAt)) return undefined;
  const end = msgAt + Number(msgLength);
  return {
    publicKey: data.subarray(offset, offset + p.publicKeyBytes),
    signature: data.subarray(sigAt, msgAt),
    message: data.subarray(msgAt, end),
    end,
  };
}

/** The `lux` ML-DSA precompile. */
export function luxMldsaPrecompile(data: Uint8Array): PrecompileOutcome {
  if (data.length < 1) return ERROR;
  if (data[0] === LUX_MLDSA_BATCH_OP) return luxMldsaBatch(data);
  const mode = LUX_MLDSA_MODES[data[0]];
  if (mode === undefined) return { ...ERROR, fn: "verify" };
  const entry = parseEntry(data, 1, mode);
  if (!entry || entry.end !== data.length) return { ...ERROR, fn: "verify", mode };
  const valid = mldsaVerify(entry.publicKey, entry.message, entry.signature, "lux");
  return { output: word(valid ? 1 : 0), reverted: false, fn: "verify", mode, messageBytes: entry.message.length };
}

function luxMldsaBatch(data: Uint8Array): PrecompileOutcome {
  if (data.length < 4) return { ...ERROR, fn: "verifyBatch" };
  const mode = LUX_MLDSA_MODES[data[1]];
  const count = (data[2] << 8) | data[3];
  if (mode === undefined) return { ...ERROR, fn: "verifyBatch" };
  // An empty batch is still checked (mode, no trailing bytes) and answers one zero word.
  if (count === 0) return data.length === 4 ? { output: new Uint8Array(32), reverted: false, fn: "verifyBatch", mode, count } : { ...ERROR, fn: "verifyBatch", mode };
  const verdicts = new Uint8Array(count);
  let offset = 4;
  let messageBytes = 0;
  for (let i = 0; i < count; i++) {
    const entry = parseEntry(data, offset, mode);
    if (!entry) return { ...ERROR, fn: "verifyBatch", mode };
    verdicts[i] = mldsaVerify(entry.publicKey, entry.message, entry.signature, "lux") ? 1 : 0;
    messageBytes += entry.message.length;
    offset = entry.end;
  }
  if (offset !== data.length) return { ...ERROR, fn: "verifyBatch", mode };
  const padded = new Uint8Array(Math.ceil(count / 32) * 32);
  padded.set(verdicts, padded.length - count);
  return { output: padded, reverted: false, fn: "verifyBatch", mode, messageBytes, count };
}

/** `m = SHA-256("MLKEM_ENCAP_v1" ‖ caller ‖ seed)`: the FIPS 203 encapsulation randomness of a call. */
export function luxEncapsulationRandomness(caller: Uint8Array, seed: Uint8Array): Uint8Array {
  if (caller.length !== 20) throw new Error(`caller must be a 20-byte address, got ${caller.length} bytes`);
  if (seed.length !== 32) throw new Error(`seed must be 32 bytes, got ${seed.length}`);
  return sha256(concatBytes(new TextEncoder().encode(LUX_MLKEM_ENCAP_TAG), caller, seed));
}

/** The `lux` ML-KEM precompile, called by `caller` (20 bytes). */
export function luxMlkemPrecompile(caller: Uint8Array, data: Uint8Array): PrecompileOutcome {
  if (data.length < 2 || data[0] !== LUX_MLKEM_ENCAPSULATE_OP) return ERROR;
  const parameterSet = data[1];
  const params = (MLKEM_PARAMS as Record<number, (typeof MLKEM_PARAMS)[MLKEMParameterSet]>)[parameterSet];
  if (!params || data.length !== 34 + params.publicKeyBytes) return { ...ERROR, fn: "encapsulate" };
  const seed = data.subarray(2, 34);
  const publicKey = data.subarray(34);
  try {
    const enc = mlkemEncapsulate(publicKey, luxEncapsulationRandomness(caller, seed));
    return {
      output: concatBytes(enc.cipherText, enc.sharedSecret),
      reverted: false,
      fn: "encapsulate",
      mode: parameterSet,
    };
  } catch {
    // An encapsulation key that fails the FIPS 203 modulus check.
    return { ...ERROR, fn: "encapsulate", mode: parameterSet };
  }
}

/** Encodes a `lux` verify input (tooling and tests). */
export function luxVerifyInput(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, mode: MLDSAMode = 65): Uint8Array {
  return concatBytes(new Uint8Array([LUX_MLDSA_MODE_BYTE[mode]]), luxEntry(publicKey, message, signature));
}

/** One `lux` batch entry: `[public key][message length][signature][message]`. */
export function luxEntry(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Uint8Array {
  const length = new Uint8Array(32);
  let n = message.length;
  for (let i = 31; i >= 0 && n > 0; i--, n = Math.floor(n / 256)) length[i] = n % 256;
  return concatBytes(publicKey, length, signature, message);
}

/** Encodes a `lux` batch input (tooling and tests). */
export function luxBatchInput(
  entries: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[],
  mode: MLDSAMode = 65,
): Uint8Array {
  const header = new Uint8Array([LUX_MLDSA_BATCH_OP, LUX_MLDSA_MODE_BYTE[mode], entries.length >> 8, entries.length & 0xff]);
  return concatBytes(header, ...entries.map((e) => luxEntry(e.publicKey, e.message, e.signature)));
}

/** Encodes a `lux` encapsulate input (tooling and tests). */
export function luxEncapsulateInput(publicKey: Uint8Array, seed: Uint8Array = new Uint8Array(32), parameterSet: MLKEMParameterSet = 1): Uint8Array {
  return concatBytes(new Uint8Array([LUX_MLKEM_ENCAPSULATE_OP, parameterSet]), seed, publicKey);
}
