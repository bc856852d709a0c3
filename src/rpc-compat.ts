/**
 * JSON-RPC compatibility of the local node (`npx hardhat node`) with third-party clients.
 *
 * Foundry's cast (and other clients following the execution API spec) send a call's calldata twice,
 * as `input` (the spec's name) and as `data` (the older one). Hardhat's network reads `input` as
 * another name of `data` and refuses the request with `duplicate field 'data'`. The wrapper keeps one
 * of the two when both are given and equal (and refuses them when they differ, as geth does), so
 * plain `cast call` and `cast send` work against the local node as they do against anvil.
 */
import type { EIP1193Provider, RequestArguments } from "hardhat/types";

/** The methods whose first parameter is a transaction object. */
const TX_METHODS = new Set(["eth_call", "eth_estimateGas", "eth_sendTransaction", "eth_createAccessList", "eth_signTransaction", "debug_traceCall"]);

/** One transaction object with `input` folded into `data` (the request is not modified). */
export function foldInput(tx: unknown): unknown {
  if (!tx || typeof tx !== "object" || !("input" in tx)) return tx;
  const { input, ...rest } = tx as { input?: unknown; data?: unknown };
  if (rest.data !== undefined && rest.data !== null && input !== undefined && input !== null) {
    if (String(rest.data).toLowerCase() !== String(input).toLowerCase()) {
      throw Object.assign(new Error('both "data" and "input" are set and differ; pass only "input"'), { code: -32602 });
    }
    return rest;
  }
  return { ...rest, data: input ?? rest.data };
}

/** The request with its transaction object folded, for the methods that take one. */
export function foldRequest(args: RequestArguments): RequestArguments {
  if (!TX_METHODS.has(args.method) || !Array.isArray(args.params) || args.params.length === 0) return args;
  const [tx, ...rest] = args.params as unknown[];
  return { ...args, params: [foldInput(tx), ...rest] };
}

/** `provider` with every request folded (everything else, events included, passes through). */
export function acceptInputField<P extends EIP1193Provider>(provider: P): P {
  return new Proxy(provider, {
    get(target, key) {
      if (key === "request") return (args: RequestArguments) => target.request(foldRequest(args));
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
