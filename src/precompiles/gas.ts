/**
 * On-chain gas of the Pars PQ precompiles, for estimates. The local TypeScript host charges nothing
 * for the primitive, so gas reports show "local" and "local + precompile estimate" side by side.
 *
 * ML-DSA-65 verify (100,000 + 10 per message byte) and ML-KEM-768 encapsulate (75,000) are the Lux
 * precompile figures (DESIGN §3). The other parameter sets are scaled by their work relative to
 * those two (matrix dimensions k·l for ML-DSA, k² for ML-KEM) and are estimates only.
 */
import type { PrecompileOutcome } from "./handlers";

const MLDSA_VERIFY_BASE: Record<number, number> = { 44: 70_000, 65: 100_000, 87: 150_000 };
const MLDSA_SIGN_BASE: Record<number, number> = { 44: 200_000, 65: 300_000, 87: 450_000 };
const MLDSA_KEYGEN: Record<number, number> = { 44: 70_000, 65: 100_000, 87: 150_000 };
const MLDSA_PER_BYTE = 10;
const MLKEM_ENCAPSULATE: Record<number, number> = { 0: 45_000, 1: 75_000, 2: 110_000 };

/** Estimated on-chain gas of one precompile call, from the host's record of it. */
export function estimatePrecompileGas(precompile: "mldsa" | "mlkem", call: PrecompileOutcome): number {
  const mode = call.mode ?? (precompile === "mldsa" ? 65 : 1);
  const bytes = call.messageBytes ?? 0;
  if (precompile === "mldsa") {
    switch (call.fn) {
      case "verify":
        return MLDSA_VERIFY_BASE[mode] + MLDSA_PER_BYTE * bytes;
      case "sign":
        return MLDSA_SIGN_BASE[mode] + MLDSA_PER_BYTE * bytes;
      default:
        return MLDSA_KEYGEN[mode];
    }
  }
  // keyGen, encapsulate and decapsulate cost about the same.
  return MLKEM_ENCAPSULATE[mode] ?? MLKEM_ENCAPSULATE[1];
}
