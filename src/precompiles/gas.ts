/**
 * On-chain gas of the PQ precompiles, for estimates. The local TypeScript host charges nothing for the
 * primitive, so gas reports show "local" and "local + precompile" side by side.
 *
 * The prices are the `lux` profile's, the chain's own (luxfi/precompile v0.19, DESIGN §3):
 * ML-DSA-44 / 65 / 87 verify 75,000 / 100,000 / 150,000 + 10 per message byte; a batch 50,000 + 40,000
 * per signature; ML-KEM-512 / 768 / 1024 encapsulate 50,000 / 75,000 / 100,000. The `pip` interface has
 * no published prices; its calls are charged as the same operations of `lux`, and its tooling-only
 * functions (key generation, signing, decapsulation) by their work relative to verification.
 */
import type { PrecompileOutcome } from "./handlers";

export const MLDSA_VERIFY_GAS: Record<number, number> = { 44: 75_000, 65: 100_000, 87: 150_000 };
export const MLDSA_GAS_PER_MESSAGE_BYTE = 10;
export const MLDSA_BATCH_GAS_BASE = 50_000;
export const MLDSA_BATCH_GAS_PER_SIGNATURE = 40_000;
export const MLKEM_ENCAPSULATE_GAS: Record<number, number> = { 0: 50_000, 1: 75_000, 2: 100_000 };
const MLDSA_SIGN_GAS: Record<number, number> = { 44: 225_000, 65: 300_000, 87: 450_000 };

/** Estimated on-chain gas of one precompile call, from the host's record of it. */
export function estimatePrecompileGas(precompile: "mldsa" | "mlkem", call: PrecompileOutcome): number {
  const mode = call.mode ?? (precompile === "mldsa" ? 65 : 1);
  const bytes = call.messageBytes ?? 0;
  if (precompile === "mlkem") return MLKEM_ENCAPSULATE_GAS[mode] ?? MLKEM_ENCAPSULATE_GAS[1];
  switch (call.fn) {
    case "verifyBatch":
      return MLDSA_BATCH_GAS_BASE + MLDSA_BATCH_GAS_PER_SIGNATURE * (call.count ?? 0);
    case "sign":
      return MLDSA_SIGN_GAS[mode] + MLDSA_GAS_PER_MESSAGE_BYTE * bytes;
    default:
      return (MLDSA_VERIFY_GAS[mode] ?? MLDSA_VERIFY_GAS[65]) + MLDSA_GAS_PER_MESSAGE_BYTE * bytes;
  }
}
