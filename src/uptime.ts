/**
 * The uptime score, mirrored exactly from contracts/registry/Uptime.sol (integer for integer).
 *
 * U is in units of 1e-9 (ONE = 1e9). Every epoch U ← U·β + α·[liveness proven], α = 1/720, β = 1 - α:
 * an exponential moving average with a 30-day (720-epoch) time constant. New nodes start at ONE.
 */
export const UPTIME_ONE = 1_000_000_000n;
export const UPTIME_WINDOW = 720n;
/** α rounded up: an always-live node stays at exactly ONE. */
export const UPTIME_ALPHA = (UPTIME_ONE + UPTIME_WINDOW - 1n) / UPTIME_WINDOW;
const WAD = 10n ** 18n;
export const UPTIME_BETA_WAD = WAD - WAD / UPTIME_WINDOW;
export const UPTIME_MAX_DECAY_EPOCHS = 16n * UPTIME_WINDOW;

export function powWad(base: bigint, exp: bigint): bigint {
  let result = WAD;
  while (exp !== 0n) {
    if ((exp & 1n) !== 0n) result = (result * base) / WAD;
    base = (base * base) / WAD;
    exp >>= 1n;
  }
  return result;
}

/** The score after `missed` epochs without proof. */
export function decayUptime(score: bigint, missed: bigint): bigint {
  if (missed === 0n || score === 0n) return score;
  if (missed > UPTIME_MAX_DECAY_EPOCHS) return 0n;
  return (score * powWad(UPTIME_BETA_WAD, missed)) / WAD;
}

/** The score after one proven epoch. */
export function recordUptime(score: bigint): bigint {
  return (score * UPTIME_BETA_WAD) / WAD + UPTIME_ALPHA;
}

/** The score in basis points, rounded down. */
export function uptimeBps(score: bigint): bigint {
  return (score * 10_000n) / UPTIME_ONE;
}
