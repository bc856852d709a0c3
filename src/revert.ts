/**
 * Explaining a failed call: finds the revert data in whatever error a provider threw and decodes it
 * with the contracts' ABIs into the custom error's name and named arguments.
 */
import { Interface, type ErrorDescription, type InterfaceAbi, type ParamType } from "ethers";
import { KeyKind, NodeStatus } from "./registry";
import { formatBytes, formatPars, formatTimestamp } from "./units";
import { SUITE_ERRORS } from "./suite-errors";

export interface DecodedRevert {
  /** The contract whose ABI declares the error (the first that does), or "" for a built-in. */
  contract: string;
  /** Error name: a custom error, `Error` (require with a reason) or `Panic`. */
  name: string;
  /** Error signature, e.g. `ExitTooEarly(uint64,uint256)`. */
  signature: string;
  /** Arguments by name (by index when unnamed), as strings. */
  args: Record<string, string>;
  /** Raw revert data. */
  data: string;
}

const BUILTIN = new Interface(["error Error(string reason)", "error Panic(uint256 code)"]);

/** Known enums among error arguments, by argument name, so a status reads as its name. */
const ENUMS: Record<string, readonly string[]> = {
  status: Object.keys(NodeStatus).filter((k) => Number.isNaN(Number(k))),
  reason: ["ExitRequested", "PenaltyCap", "Deregistered"],
  which: Object.keys(KeyKind).filter((k) => Number.isNaN(Number(k))),
};

const PANICS: Record<string, string> = {
  "1": "assertion failed",
  "17": "arithmetic overflow or underflow",
  "18": "division or modulo by zero",
  "33": "invalid enum value",
  "34": "invalid storage byte array",
  "49": "pop on an empty array",
  "50": "array index out of bounds",
  "65": "out of memory",
  "81": "call to an uninitialised function",
};

let suiteInterfaces: { name: string; iface: Interface }[] | undefined;

/** The suite's contracts' errors (src/suite-errors.ts), parsed once. */
function suiteErrors(): { name: string; iface: Interface }[] {
  suiteInterfaces ??= Object.entries(SUITE_ERRORS).map(([name, errors]) => ({ name, iface: new Interface([...errors]) }));
  return suiteInterfaces;
}

export class RevertDecoder {
  private readonly interfaces: { name: string; iface: Interface }[] = [];
  private readonly fallback: { name: string; iface: Interface }[];

  /**
   * A decoder that knows the custom errors of every contract of the suite (after the ABIs `add`ed,
   * which are looked up first); `{ suite: false }` for one that knows only what is added.
   */
  constructor(opts: { suite?: boolean } = {}) {
    this.fallback = opts.suite === false ? [] : suiteErrors();
  }

  /** Adds the ABI of a contract; errors are looked up in the order ABIs were added. */
  add(name: string, abi: InterfaceAbi | Interface): this {
    this.interfaces.push({ name, iface: abi instanceof Interface ? abi : new Interface(abi) });
    return this;
  }

  /** Decodes revert data; undefined when no known ABI declares the selector. */
  decode(data: string): DecodedRevert | undefined {
    if (!/^0x[0-9a-fA-F]*$/.test(data) || data.length < 10) return undefined;
    for (const { name, iface } of [...this.interfaces, ...this.fallback, { name: "", iface: BUILTIN }]) {
      let desc: ErrorDescription | null = null;
      try {
        desc = iface.parseError(data);
      } catch {
        desc = null;
      }
      if (desc) return { contract: name, name: desc.name, signature: desc.signature, args: namedArgs(desc), data };
    }
    return undefined;
  }

  /** Decodes the revert hidden in a thrown provider error, if any. */
  decodeError(err: unknown): DecodedRevert | undefined {
    const data = findRevertData(err);
    return data === undefined ? undefined : this.decode(data);
  }
}

function formatValue(param: ParamType, value: unknown): string {
  if (param.baseType === "array" || param.baseType === "tuple") {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }
  const s = typeof value === "bigint" ? value.toString() : String(value);
  const names = ENUMS[param.name];
  if (names && param.type === "uint8" && names[Number(value)] !== undefined) return `${s} (${names[Number(value)]})`;
  return s;
}

function namedArgs(desc: ErrorDescription): Record<string, string> {
  const out: Record<string, string> = {};
  desc.fragment.inputs.forEach((p, i) => {
    let v = formatValue(p, desc.args[i]);
    if (desc.name === "Panic") v = `${v} (${PANICS[v] ?? "unknown panic"})`;
    out[p.name || String(i)] = v;
  });
  return out;
}

/** The unit of an error argument a person reads: PARS amounts, timestamps, byte sizes. */
export type ArgUnit = "pars" | "time" | "bytes";

/** Units of the suite's error arguments, by argument name (`Error.arg` where a name is ambiguous). */
const UNITS: Record<string, ArgUnit | null> = {
  sent: "pars",
  minimum: "pars",
  maximum: "pars",
  required: "pars",
  total: "pars",
  requirement: "pars",
  reserved: "pars",
  amount: "pars",
  requested: "pars",
  remainingInCycle: "pars",
  allowedAt: "time",
  unlockAt: "time",
  effectiveAt: "time",
  deadline: "time",
  expiredAt: "time",
  issuedAt: "time",
  now_: "time",
  size: "bytes",
  maxSize: "bytes",
  usedBytes: "bytes",
  "UsedBytesAboveLimit.limit": "bytes",
  "MessageTooLarge.max": "bytes",
  "EndpointTooLong.length": "bytes",
  "EndpointTooLong.maxLength": "bytes",
  // Counts, not sizes.
  "InvalidBatchSize.size": null,
  "InvalidBatchSize.maxSize": null,
};

/** The unit of argument `arg` of error `name`, if it has one a person should read it in. */
export function unitOf(name: string, arg: string): ArgUnit | undefined {
  const key = `${name}.${arg}`;
  return (key in UNITS ? UNITS[key] : UNITS[arg]) ?? undefined;
}

export interface FormatRevertOptions {
  /**
   * Render amounts as PARS, timestamps as dates with the time left and sizes in bytes (the raw
   * values stay in `DecodedRevert.args`). Default true.
   */
  human?: boolean;
  /** The time "time left" is counted from: the chain's, where known (default: the wall clock). */
  now?: number;
}

/** One argument as a person reads it. */
export function formatArg(name: string, arg: string, value: string, opts: FormatRevertOptions = {}): string {
  if (opts.human === false || !/^\d+$/.test(value)) return value;
  switch (unitOf(name, arg)) {
    case "pars":
      return formatPars(value);
    case "time":
      return formatTimestamp(Number(value), opts.now);
    case "bytes":
      return formatBytes(value);
    default:
      return value;
  }
}

/**
 * `Name(arg: value, …)`, prefixed with the contract when known; amounts, timestamps and sizes in
 * human units unless `human: false`.
 */
export function formatRevert(r: DecodedRevert, opts: FormatRevertOptions = {}): string {
  const args = Object.entries(r.args)
    .map(([k, v]) => `${k}: ${formatArg(r.name, k, v, opts)}`)
    .join(", ");
  return `${r.contract ? `${r.contract}: ` : ""}${r.name}(${args})`;
}

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

/**
 * The revert data inside an error thrown by ethers, Hardhat's in-process network or a JSON-RPC node:
 * looks through the usual places (`data`, `error`, `info`, `cause`, nested `data.data`)
 * for a hex string of at least a selector.
 */
export function findRevertData(err: unknown, depth = 0): string | undefined {
  if (err === null || err === undefined || depth > 6) return undefined;
  if (typeof err === "string") return HEX.test(err) && err.length >= 10 ? err : undefined;
  if (typeof err !== "object") return undefined;
  const o = err as Record<string, unknown>;
  // Not `payload` or `transaction`: those hold the request's calldata, not the revert data.
  for (const key of ["data", "error", "info", "cause", "originalError"]) {
    if (!(key in o)) continue;
    const found = findRevertData(o[key], depth + 1);
    if (found) return found;
  }
  // Some nodes only put it in the message: "... reverted with data 0x…" / "custom error 0x…".
  const message = typeof o.message === "string" ? o.message : "";
  const m = /(?:return data|reverted with (?:custom error|data))[^0x]*(0x[0-9a-fA-F]{8,})/.exec(message);
  return m ? m[1] : undefined;
}
