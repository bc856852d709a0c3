/**
 * Helpers for the delivery tests: run a task with its output captured, point the tasks at another
 * network for a while, and talk to a node over JSON-RPC.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { HardhatRuntimeEnvironment, Network } from "hardhat/types";

export interface Captured<T> {
  result: T;
  stdout: string;
  stderr: string;
}

/** Runs `fn` with console.log and stderr captured (a failure is rethrown with the output attached). */
export async function captured<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  let stdout = "";
  let stderr = "";
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...args: unknown[]) => {
    stdout += args.map(String).join(" ") + "\n";
  };
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, stdout, stderr };
  } catch (e) {
    Object.assign(e as object, { stdout, stderr });
    throw e;
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

/** `hre.run` with the output captured; resolves to the task's result. */
export async function runTask<T = Record<string, unknown>>(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>): Promise<Captured<T>> {
  return captured(() => hre.run(name, args) as Promise<T>);
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { details?: Record<string, unknown>; stdout?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { details?: Record<string, unknown> };
  }
  throw new Error("expected a rejection");
}

/**
 * Runs `fn` with `hre.network` replaced by the named network of the config pointed at `url`: the
 * provider is built the way `--network <name>` builds it, so in-process `hre.run` calls behave as
 * the CLI would against that node.
 */
export async function onNetwork<T>(hre: HardhatRuntimeEnvironment, name: string, url: string, fn: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createProvider } = require("hardhat/internal/core/providers/construction") as {
    createProvider(config: unknown, network: string, artifacts: unknown): Promise<Network["provider"]>;
  };
  const netConfig = { ...hre.config.networks[name], url };
  const config = { ...hre.config, networks: { ...hre.config.networks, [name]: netConfig } };
  const provider = await createProvider(config, name, hre.artifacts);
  const mutable = hre as unknown as { network: Network };
  const saved = mutable.network;
  mutable.network = { name, config: netConfig, provider } as Network;
  try {
    return await fn();
  } finally {
    mutable.network = saved;
  }
}

/** One JSON-RPC call. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const post = () => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  let res: Response;
  try {
    res = await post();
  } catch {
    // A kept-alive connection the node closed as it was reused ("other side closed"): the request
    // never reached it, so asking again is safe.
    res = await post();
  }
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pars-${prefix}-`));
}

/** Sets environment variables for the duration of a suite; returns the restorer. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  apply(vars);
  return () => apply(saved);
}

/**
 * Runs `fn` with `hre.network`'s provider refusing the transactions `drops` picks, as a connection
 * that drops while they are sent would: the tasks see a failed send, everything else goes through.
 */
export async function withDroppedSends<T>(hre: HardhatRuntimeEnvironment, drops: (tx: { data?: string; to?: string }) => boolean, fn: () => Promise<T>): Promise<T> {
  return withProviderFault(hre, (method, params) => method === "eth_sendTransaction" && drops(params[0] as { data?: string; to?: string }), fn);
}

/**
 * Sends a transaction printed by a task's `--unsigned` from `from`, an account the node signs for
 * (as a Safe or a hardware wallet would send it), and waits for its receipt; fails when it reverted.
 */
export async function sendAs(url: string, tx: { from: string; to: string; value: string; data: string }): Promise<{ status: string; logs: { address: string; topics: string[]; data: string }[] }> {
  const hash = await rpc<string>(url, "eth_sendTransaction", [{ from: tx.from, to: tx.to, value: `0x${BigInt(tx.value).toString(16)}`, data: tx.data }]);
  for (let i = 0; i < 200; i++) {
    const receipt = await rpc<{ status: string; logs: { address: string; topics: string[]; data: string }[] } | null>(url, "eth_getTransactionReceipt", [hash]);
    if (receipt) {
      if (BigInt(receipt.status) !== 1n) throw new Error(`${hash} reverted`);
      return receipt;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no receipt for ${hash}`);
}

/**
 * Runs `fn` with `hre.network`'s provider failing the requests `fails` picks, as a connection that
 * drops would (the node never answers them).
 */
export async function withProviderFault<T>(
  hre: HardhatRuntimeEnvironment,
  fails: (method: string, params: unknown[]) => boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const mutable = hre as unknown as { network: Network };
  const saved = mutable.network;
  const inner = saved.provider;
  const provider = new Proxy(inner, {
    get(target, key) {
      if (key === "request") {
        return async (args: { method: string; params?: unknown[] }) => {
          if (fails(args.method, args.params ?? [])) throw new Error(`${args.method}: connection reset by peer`);
          return target.request(args);
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  mutable.network = { ...saved, provider } as Network;
  try {
    return await fn();
  } finally {
    mutable.network = saved;
  }
}
