/**
 * Shared plumbing for the LXBook / LXFeed tests: decoding custom errors and logs into plain
 * `{ name, args }` records, normalising values so chain results and model results compare with
 * `deep.equal`, and cheap parallel reads through raw `eth_call`.
 */
import hre from "hardhat";
import { expect } from "chai";
import type { Interface, TransactionReceipt } from "ethers";

/** A custom error or an event, reduced to comparable values. */
export interface Named {
  name: string;
  args: unknown[];
}

/** bigint for every number, lowercase for every string (addresses, bytes32), arrays element-wise. */
export function norm(value: unknown): unknown {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "string") return value.toLowerCase();
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(norm);
  if (value !== null && typeof value === "object" && typeof (value as { toArray?: unknown }).toArray === "function") {
    return (value as { toArray(): unknown[] }).toArray().map(norm);
  }
  throw new Error(`cannot normalise ${String(value)}`);
}

export function normNamed(x: { name: string; args: readonly unknown[] }): Named {
  return { name: x.name, args: x.args.map(norm) };
}

/** Finds the revert data in whatever error object ethers / Hardhat threw. */
export function revertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): string | undefined => {
    if (e === null || typeof e !== "object" || seen.has(e) || depth > 5) return undefined;
    seen.add(e);
    const rec = e as Record<string, unknown>;
    if (typeof rec.data === "string" && /^0x[0-9a-fA-F]*$/.test(rec.data)) return rec.data;
    for (const k of ["error", "info", "cause", "data"]) {
      const hit = visit(rec[k], depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** The custom error a failed call reverted with, decoded with `iface`; throws if it is not one. */
export function decodeRevert(iface: Interface, error: unknown): Named {
  const data = revertData(error);
  const parsed = data ? iface.parseError(data) : null;
  if (!parsed) throw error;
  return normNamed({ name: parsed.name, args: parsed.args.toArray() });
}

/** The events `address` emitted in `receipt`, decoded with `iface`. */
export function decodeLogs(iface: Interface, address: string, receipt: TransactionReceipt): Named[] {
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === address.toLowerCase())
    .map((log) => {
      const parsed = iface.parseLog(log);
      if (!parsed) throw new Error(`unknown log ${log.topics[0]}`);
      return normNamed({ name: parsed.name, args: parsed.args.toArray() });
    });
}

/** Read-only calls to `to`, sent in parallel as raw `eth_call`s at the latest block. */
export async function readMany(iface: Interface, to: string, calls: [string, unknown[]][]): Promise<unknown[][]> {
  return Promise.all(
    calls.map(async ([fn, args]) => {
      const data = iface.encodeFunctionData(fn, args);
      const result = (await hre.network.provider.request({
        method: "eth_call",
        params: [{ to, data }, "latest"],
      })) as string;
      return norm(iface.decodeFunctionResult(fn, result)) as unknown[];
    }),
  );
}

export async function evmSnapshot(): Promise<string> {
  return (await hre.network.provider.request({ method: "evm_snapshot", params: [] })) as string;
}

export async function evmRevert(id: string): Promise<void> {
  const ok = await hre.network.provider.request({ method: "evm_revert", params: [id] });
  if (ok !== true) throw new Error(`evm_revert(${id}) failed`);
}

const bigintJson = (_key: string, v: unknown): unknown => (typeof v === "bigint" ? `${v}n` : v);

/**
 * `expect(actual).to.deep.equal(expected)` for plain data (arrays, bigints, strings), fast on the common
 * equal case: chai's deep equality is only used to report a difference.
 */
export function expectEqual(actual: unknown, expected: unknown, message?: string): void {
  if (JSON.stringify(actual, bigintJson) === JSON.stringify(expected, bigintJson)) return;
  expect(actual, message).to.deep.equal(expected);
}
