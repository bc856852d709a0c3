/**
 * Values as people read them, in one format everywhere a person reads them (task output, decoded
 * errors, the demo): PARS amounts, byte sizes, timestamps with the time left, durations. Machine
 * output (`--json`) keeps the raw values.
 */
import { formatEther } from "ethers";

/** Groups the digits of a non-negative integer string by thousands: 15000 → 15,000. */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A PARS amount (in wei, 18 decimals), exact, with thousands separators and no trailing zeros:
 * `15,000 PARS`, `937.5 PARS`, `0.000617114 PARS`.
 */
export function formatPars(wei: bigint | string | number): string {
  const v = BigInt(wei);
  const negative = v < 0n;
  const [int, frac = ""] = formatEther(negative ? -v : v).split(".");
  const fraction = frac.replace(/0+$/, "");
  return `${negative ? "-" : ""}${group(int)}${fraction ? `.${fraction}` : ""} PARS`;
}

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/** A byte size: `1,024 bytes`, `160 GiB (171,798,691,840 bytes)`. */
export function formatBytes(bytes: bigint | string | number): string {
  const v = BigInt(bytes);
  const exact = `${group(v.toString())} byte${v === 1n ? "" : "s"}`;
  if (v < 10_240n) return exact;
  let unit = -1;
  let scaled = Number(v);
  while (scaled >= 1024 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const shown = Number.isInteger(scaled) ? String(scaled) : scaled.toFixed(scaled < 10 ? 2 : 1).replace(/\.?0+$/, "");
  return `${shown} ${BYTE_UNITS[unit]} (${exact})`;
}

/** A duration in seconds, to the two largest units: `29 d 23 h`, `59 min 30 s`, `12 s`. */
export function formatDuration(seconds: number | bigint): string {
  let s = Math.max(0, Math.round(Number(seconds)));
  const parts: [number, string][] = [];
  for (const [size, name] of [
    [86_400, "d"],
    [3_600, "h"],
    [60, "min"],
    [1, "s"],
  ] as const) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || (size === 1 && parts.length === 0)) parts.push([n, name]);
  }
  return parts
    .slice(0, 2)
    .map(([n, name]) => `${n} ${name}`)
    .join(" ");
}

/** A Unix time as a UTC date: `2027-01-05 14:03:53 UTC`. */
export function formatDate(unixSeconds: number | bigint): string {
  return `${new Date(Number(unixSeconds) * 1000).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "")} UTC`;
}

/**
 * A Unix time with the time left until it (or since it), against `now` (the chain's time where the
 * chain is known; a local node's clock can be ahead of the wall clock):
 * `2027-01-05 14:03:53 UTC (in 29 d 23 h)`, `… (3 h ago)`, `… (now)`.
 */
export function formatTimestamp(unixSeconds: number | bigint, now: number = Math.floor(Date.now() / 1000)): string {
  const t = Number(unixSeconds);
  const d = t - now;
  const rel = d === 0 ? "now" : d > 0 ? `in ${formatDuration(d)}` : `${formatDuration(-d)} ago`;
  return `${formatDate(t)} (${rel})`;
}

/** Basis points as a percentage: 100 bps → `1%`, 25 → `0.25%`. */
export function formatBps(bps: number | bigint): string {
  return `${Number(bps) / 100}%`;
}
