/**
 * The `pip` profile's PQ precompiles (the interface the Pars PIPs describe: ABI-encoded, empty ML-DSA
 * context) as pure functions of their calldata: the same code serves the EDR call-override hook, the
 * recorded fallback mocks and off-chain tooling. The `lux` profile's are in `./lux`.
 *
 * A precompile either returns ABI-encoded output or fails. Malformed input (unknown selector,
 * undecodable or non-canonical ABI, wrong key / signature / ciphertext length, unknown mode)
 * fails, exactly as the native precompile would: the caller sees a reverted call with no data.
 * Stateless by design: nothing here survives between calls, so `evm_revert` cannot desynchronise it.
 */
import { AbiCoder, getBytes, hexlify, type Interface, type Result } from "ethers";
import { mldsaInterface, mlkemInterface } from "./abi";
import {
  MLKEM_SHARED_SECRET_BYTES,
  mldsaKeyGen,
  mldsaParams,
  mldsaParamsByPublicKey,
  mldsaParamsBySecretKey,
  mldsaSign,
  mldsaVerify,
  mlkemDecapsulate,
  mlkemEncapsulate,
  mlkemKeyGen,
  mlkemParams,
  mlkemParamsByPublicKey,
  type MLDSAMode,
  type MLKEMParameterSet,
} from "../pq";
import { keccak_256, sha3_256 } from "@noble/hashes/sha3.js";

export interface PrecompileOutcome {
  /** ABI-encoded return data; empty when the call fails. */
  output: Uint8Array;
  /** True when the precompile fails (the calling frame sees `success == false`). */
  reverted: boolean;
  /** The function that was called, when the selector was known. */
  fn?: string;
  /** Bytes of message (ML-DSA sign / verify), for on-chain gas estimates. */
  messageBytes?: number;
  /** Parameter set / mode used, for on-chain gas estimates. */
  mode?: number;
  /** Signatures of a batch call, for on-chain gas estimates. */
  count?: number;
}

const FAIL: PrecompileOutcome = { output: new Uint8Array(), reverted: true };
const coder = AbiCoder.defaultAbiCoder();

/** Decodes calldata for `iface` strictly: re-encoding must give back the exact bytes. */
function decodeStrict(iface: Interface, data: Uint8Array): { name: string; args: Result } | undefined {
  if (data.length < 4) return undefined;
  const hex = hexlify(data);
  const fn = iface.getFunction(hex.slice(0, 10));
  if (!fn) return undefined;
  try {
    const args = iface.decodeFunctionData(fn, hex);
    if (iface.encodeFunctionData(fn, args) !== hex) return undefined;
    return { name: fn.name, args };
  } catch {
    return undefined;
  }
}

function ok(types: string[], values: unknown[], extra: Partial<PrecompileOutcome> = {}): PrecompileOutcome {
  return { output: getBytes(coder.encode(types, values)), reverted: false, ...extra };
}

/** `pip` ML-DSA precompile (default address 0x…0601). */
export function mldsaPrecompile(data: Uint8Array): PrecompileOutcome {
  const call = decodeStrict(mldsaInterface, data);
  if (!call) return FAIL;
  const { name, args } = call;
  try {
    switch (name) {
      case "keyGen":
      case "keyGenFromSeed": {
        const params = mldsaParams(Number(args[0]));
        if (!params) return { ...FAIL, fn: name };
        const seed = name === "keyGenFromSeed" ? getBytes(args[1]) : undefined;
        const kp = mldsaKeyGen(params.mode as MLDSAMode, seed);
        return ok(["bytes", "bytes"], [kp.publicKey, kp.secretKey], { fn: name, mode: params.mode });
      }
      case "sign": {
        const sk = getBytes(args[0]);
        const msg = getBytes(args[1]);
        const params = mldsaParamsBySecretKey(sk.length);
        if (!params) return { ...FAIL, fn: name };
        return ok(["bytes"], [mldsaSign(sk, msg, { profile: "pip" })], { fn: name, mode: params.mode, messageBytes: msg.length });
      }
      case "verify": {
        const pk = getBytes(args[0]);
        const msg = getBytes(args[1]);
        const sig = getBytes(args[2]);
        const params = mldsaParamsByPublicKey(pk.length);
        if (!params || sig.length !== params.signatureBytes) return { ...FAIL, fn: name };
        return ok(["bool"], [mldsaVerify(pk, msg, sig, "pip")], { fn: name, mode: params.mode, messageBytes: msg.length });
      }
    }
  } catch {
    return { ...FAIL, fn: name };
  }
  return FAIL;
}

/**
 * The encapsulation randomness used by the `encapsulate` precompile: a precompile must be
 * deterministic, so `m = SHA3-256("PARS/ML-KEM/encapsulate" || publicKey)`. On a public chain every
 * input is public anyway; on-chain encapsulation exists to validate keys and for tooling.
 */
export function precompileEncapsulationSeed(publicKey: Uint8Array): Uint8Array {
  const tag = new TextEncoder().encode("PARS/ML-KEM/encapsulate");
  const buf = new Uint8Array(tag.length + publicKey.length);
  buf.set(tag);
  buf.set(publicKey, tag.length);
  return sha3_256(buf);
}

/** `pip` ML-KEM precompile (default address 0x…0603). */
export function mlkemPrecompile(data: Uint8Array): PrecompileOutcome {
  const call = decodeStrict(mlkemInterface, data);
  if (!call) return FAIL;
  const { name, args } = call;
  try {
    switch (name) {
      case "keyGen":
      case "keyGenFromSeed": {
        const params = mlkemParams(Number(args[0]));
        if (!params) return { ...FAIL, fn: name };
        let seed: Uint8Array | undefined;
        if (name === "keyGenFromSeed") {
          seed = getBytes(args[1]);
          if (seed.length !== 64) return { ...FAIL, fn: name };
        }
        const kp = mlkemKeyGen(params.parameterSet as MLKEMParameterSet, seed);
        return ok(["bytes", "bytes"], [kp.publicKey, kp.secretKey], { fn: name, mode: params.parameterSet });
      }
      case "encapsulate": {
        const pk = getBytes(args[0]);
        const params = mlkemParamsByPublicKey(pk.length);
        if (!params) return { ...FAIL, fn: name };
        const enc = mlkemEncapsulate(pk, precompileEncapsulationSeed(pk));
        return ok(["bytes", "bytes"], [enc.cipherText, enc.sharedSecret], { fn: name, mode: params.parameterSet });
      }
      case "decapsulate": {
        const ss = mlkemDecapsulate(getBytes(args[0]), getBytes(args[1]));
        if (ss.length !== MLKEM_SHARED_SECRET_BYTES) return { ...FAIL, fn: name };
        return ok(["bytes"], [ss], { fn: name });
      }
    }
  } catch {
    return { ...FAIL, fn: name };
  }
  return FAIL;
}

/** keccak256 of calldata, the key under which the fallback mocks record outcomes. */
export function calldataKey(data: Uint8Array): string {
  return hexlify(keccak_256(data));
}
