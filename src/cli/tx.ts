/**
 * One way to send a transaction, for every task, the deployment engine and the `pars-node` command:
 *
 * 1. estimate gas (a revert here is explained by its custom error and stops everything);
 * 2. show the cost (gas × fee per gas, in PARS) and what is sent;
 * 3. `--dry-run`: print the unsigned transaction (fields and its unsigned serialisation) and stop;
 * 4. otherwise ask for confirmation unless `--yes`;
 * 5. send, print the hash at once, wait for the receipt with progress on stderr;
 * 6. a transaction that reverted on chain is replayed to name its error.
 */
import { Transaction, formatUnits, getAddress, type Interface, type Log, type TransactionRequest } from "ethers";
import { RevertDecoder, formatRevert, unitOf, type DecodedRevert } from "../revert";
import type { Chain, Sender } from "./chain";
import { confirm, Declined, ParsTaskError, type Output } from "./io";
import { formatPars, formatTimestamp } from "../units";

export interface SendFlags {
  yes: boolean;
  dryRun: boolean;
  json: boolean;
  /** Blocks to wait for (default 1). */
  confirmations?: number;
}

export interface TxIntent {
  /** What the transaction does, for people: "register node", "ServiceNodeRegistry.setRegistry". */
  description: string;
  /** Recipient; omitted for a contract creation. */
  to?: string;
  data: string;
  value?: bigint;
}

export interface PreparedTx {
  intent: TxIntent;
  from: string;
  request: TransactionRequest & { nonce: number; gasLimit: bigint; chainId: bigint };
  gasEstimate: bigint;
  /** gasLimit × max fee per gas: the most the sender can be charged. */
  maxCost: bigint;
  /** gasEstimate × (base fee + tip): the expected charge. */
  expectedCost: bigint;
  feePerGas: bigint;
}

export interface SentTx {
  hash: string;
  blockNumber: number;
  blockHash: string;
  gasUsed: bigint;
  fee: bigint;
  contractAddress?: string;
  logs: readonly Log[];
}

/** Extra gas above the estimate, percent: the state can move between estimate and inclusion. */
export const GAS_MARGIN_PERCENT = 20n;

/**
 * A failure explained by the reverting contract's custom error, when it can be decoded: amounts,
 * dates (with the time left from `now`, the chain's time) and sizes in human units in the message,
 * the raw values in `details.revert`.
 */
export function revertError(prefix: string, err: unknown, decoder: RevertDecoder, now?: number, chain?: Pick<Chain, "local" | "name">): ParsTaskError {
  const revert = decoder.decodeError(err);
  if (revert) {
    const advice = chain ? adviceFor(revert, { local: chain.local, network: chain.name, now }) : undefined;
    return new ParsTaskError(`${prefix}: reverted with ${formatRevert(revert, { now })}${advice ? `. ${advice}` : ""}`, { revert: plainRevert(revert), ...(advice ? { advice } : {}) });
  }
  return new ParsTaskError(`${prefix}: ${errorMessage(err)}`);
}

/** The first argument of a decoded error that is a time still ahead of `now`, if any. */
function timeAhead(r: DecodedRevert, now: number): number | undefined {
  for (const [k, v] of Object.entries(r.args)) {
    if (unitOf(r.name, k) === "time" && /^\d+$/.test(v) && Number(v) > now) return Number(v);
  }
  return undefined;
}

/**
 * What to do about a decoded revert: for a time not reached yet, when it is reached (and, on a local
 * node, how to move the clock there); for the suite's state errors, what the state means.
 */
export function adviceFor(r: DecodedRevert, ctx: { local: boolean; network: string; now?: number }): string | undefined {
  const now = ctx.now ?? Math.floor(Date.now() / 1000);
  const at = timeAhead(r, now);
  if (at !== undefined) {
    if (ctx.local) {
      const hours = Math.ceil((at - now) / 3600);
      return `On this local node, move the clock there: npx hardhat local:advance --network ${ctx.network} --hours ${hours}`;
    }
    return `Run it again from ${formatTimestamp(at, now)}`;
  }
  switch (r.name) {
    case "NothingToClaim":
      return "Nothing has accrued to this account yet: rewards accrue each epoch the node is active while the emission pool is funded";
    case "NothingToWithdraw":
      return "This account has no stake left in the node (already withdrawn, or it never contributed)";
    case "InvalidNodeStatus": {
      const status = r.args.status ?? "";
      if (/Retired/.test(status)) return "The node is retired: every stake in it was withdrawn or refunded; nothing is left to do";
      if (/Decommission/.test(status)) return "The node has left the network: its stake is withdrawn with node:withdraw once the lock period ends";
      if (/AwaitingContributions/.test(status)) return "The node is not active yet: it activates once its stake is complete (node:contribute)";
      if (/Active/.test(status)) return "The node is active: its stake is locked until node:exit and the lock period after it";
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The chain's time (the latest block's timestamp), or undefined when it cannot be read. */
export async function chainTime(chain: Chain): Promise<number | undefined> {
  try {
    return (await chain.provider.getBlock("latest"))?.timestamp;
  } catch {
    return undefined;
  }
}

/**
 * The most specific message in a provider error: ethers wraps the node's own answer (in `error`,
 * `info.error` or `cause`) under a generic one such as "could not coalesce error".
 */
export function errorMessage(err: unknown): string {
  const messages: string[] = [];
  const walk = (x: unknown, depth: number) => {
    if (!x || typeof x !== "object" || depth > 5) return;
    const o = x as Record<string, unknown>;
    for (const key of ["error", "info", "cause"]) walk(o[key], depth + 1);
    const m = (typeof o.shortMessage === "string" && o.shortMessage) || (typeof o.message === "string" && o.message);
    if (m) messages.push(m);
  };
  walk(err, 0);
  return messages[0] ?? String(err);
}

function plainRevert(r: DecodedRevert): DecodedRevert {
  return { contract: r.contract, name: r.name, signature: r.signature, args: r.args, data: r.data };
}

/**
 * Estimates gas and fees and fills every field of the transaction. With `warnOnly` (dry runs), a
 * transaction that would revert now is a warning on `out`, and its gas limit is the block's.
 */
export async function prepareTx(
  chain: Chain,
  sender: Sender,
  intent: TxIntent,
  decoder: RevertDecoder,
  nonce?: number,
  opts: { warnOnly?: Output } = {},
): Promise<PreparedTx> {
  const base: TransactionRequest = { from: sender.address, to: intent.to, data: intent.data, value: intent.value ?? 0n };
  let gasEstimate: bigint | undefined;
  try {
    gasEstimate = await chain.provider.estimateGas(base);
  } catch (e) {
    const err = revertError(intent.description, e, decoder, await chainTime(chain), chain);
    if (!opts.warnOnly) throw err;
    opts.warnOnly.progress(`warning: ${err.message}`);
    opts.warnOnly.progress("warning: the gas limit below is the block's, not an estimate");
  }
  const block = await chain.provider.getBlock("latest");
  const blockGasLimit = block?.gasLimit ?? gasEstimate ?? 30_000_000n;
  let gasLimit: bigint;
  if (gasEstimate === undefined) {
    gasEstimate = blockGasLimit;
    gasLimit = blockGasLimit;
  } else {
    if (gasEstimate * 100n >= blockGasLimit * 95n) gasEstimate = await bisectGas(chain, base, gasEstimate);
    gasLimit = (gasEstimate * (100n + GAS_MARGIN_PERCENT)) / 100n;
  }
  if (gasLimit > blockGasLimit) gasLimit = blockGasLimit;
  const fees = await chain.provider.getFeeData();
  const n = nonce ?? (await chain.provider.getTransactionCount(sender.address, "pending"));
  const request: PreparedTx["request"] = {
    ...base,
    to: intent.to ? getAddress(intent.to) : null,
    from: getAddress(sender.address),
    nonce: n,
    gasLimit,
    chainId: BigInt(chain.chainId),
  };
  let maxFee: bigint;
  let expectedFee: bigint;
  if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null && block?.baseFeePerGas != null) {
    request.type = 2;
    request.maxFeePerGas = fees.maxFeePerGas;
    request.maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
    maxFee = fees.maxFeePerGas;
    expectedFee = block.baseFeePerGas + fees.maxPriorityFeePerGas;
  } else {
    request.type = 0;
    request.gasPrice = fees.gasPrice ?? 0n;
    maxFee = request.gasPrice as bigint;
    expectedFee = maxFee;
  }
  return { intent, from: sender.address, request, gasEstimate, maxCost: gasLimit * maxFee, expectedCost: gasEstimate * expectedFee, feePerGas: expectedFee };
}

/**
 * The least gas with which the call succeeds, by bisection over eth_call with an explicit gas
 * limit. Used when a node's eth_estimateGas answers the whole block gas limit, as Hardhat's network
 * does for calls that reach the precompile host (a local-network artifact; Pars nodes estimate).
 */
async function bisectGas(chain: Chain, tx: TransactionRequest, high: bigint): Promise<bigint> {
  const ok = async (gas: bigint) => {
    try {
      await chain.provider.call({ ...tx, gasLimit: gas });
      return true;
    } catch {
      return false;
    }
  };
  let low = 21_000n;
  while (high - low > high / 200n + 1_000n) {
    const mid = (low + high) / 2n;
    if (await ok(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/** The unsigned transaction, as printed by --dry-run. */
export function unsignedView(p: PreparedTx): Record<string, unknown> {
  const r = p.request;
  const tx = Transaction.from({
    type: r.type,
    to: r.to as string | null,
    data: r.data as string,
    value: r.value as bigint,
    nonce: r.nonce,
    gasLimit: r.gasLimit,
    chainId: r.chainId,
    ...(r.type === 2 ? { maxFeePerGas: r.maxFeePerGas, maxPriorityFeePerGas: r.maxPriorityFeePerGas } : { gasPrice: r.gasPrice }),
  });
  return {
    description: p.intent.description,
    from: p.from,
    to: r.to ?? null,
    value: (r.value as bigint).toString(),
    data: r.data,
    nonce: r.nonce,
    gasLimit: r.gasLimit.toString(),
    chainId: Number(r.chainId),
    type: r.type,
    ...(r.type === 2
      ? { maxFeePerGas: (r.maxFeePerGas as bigint).toString(), maxPriorityFeePerGas: (r.maxPriorityFeePerGas as bigint).toString() }
      : { gasPrice: (r.gasPrice as bigint).toString() }),
    unsignedSerialized: tx.unsignedSerialized,
    unsignedHash: tx.unsignedHash,
  };
}

/** The cost lines shown before sending. */
export function showCost(out: Output, p: PreparedTx): void {
  out.line(`${p.intent.description}`);
  out.table([
    ["from", p.from],
    ["to", p.request.to ?? "(new contract)"],
    ...((p.request.value as bigint) > 0n ? ([["value", formatPars(p.request.value as bigint)]] as [string, unknown][]) : []),
    ["gas", `${p.gasEstimate.toLocaleString("en")} estimated, limit ${p.request.gasLimit.toLocaleString("en")}`],
    ["fee per gas", `${formatUnits(p.feePerGas, "gwei")} gwei`],
    ["cost", `≈ ${formatPars(p.expectedCost)} (at most ${formatPars(p.maxCost)})`],
  ]);
}

/**
 * Prints the --dry-run view of a prepared transaction: every field in full (the data and the
 * unsigned serialisation too, so the text can be signed offline as the `--json` document can).
 */
export function printDryRun(out: Output, p: PreparedTx): Record<string, unknown> {
  const view = unsignedView(p);
  if (!out.json) {
    showCost(out, p);
    out.line("dry run: nothing sent. Unsigned transaction:");
    out.table(Object.entries(view).filter(([k]) => k !== "description"));
  }
  return view;
}

/** Signs (keystore) or hands to the node (account) and returns the hash. */
export async function broadcast(chain: Chain, sender: Sender, p: PreparedTx): Promise<string> {
  if (sender.kind === "address") throw new ParsTaskError(`${sender.address} cannot sign here (address only)`);
  if (sender.kind === "wallet") {
    const { from: _from, ...unsigned } = p.request;
    const raw = await sender.wallet.signTransaction(unsigned);
    return (await chain.provider.send("eth_sendRawTransaction", [raw])) as string;
  }
  return (await chain.provider.send("eth_sendTransaction", [chain.provider.getRpcTransaction(p.request)])) as string;
}

interface RpcReceipt {
  status: string;
  blockNumber: string;
  blockHash: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  contractAddress?: string | null;
  logs: { address: string; topics: string[]; data: string; logIndex: string; transactionIndex: string; blockNumber: string; blockHash: string; transactionHash: string; removed?: boolean }[];
}

/**
 * Polls for the receipt, reporting progress every few seconds; waits for `confirmations` blocks. A
 * local Hardhat node mines a block only per transaction, so there one confirmation is all there is.
 */
export async function waitForReceipt(chain: Chain, hash: string, out: Output, confirmations = 1, timeoutMs = 10 * 60_000): Promise<RpcReceipt> {
  if (confirmations > 1 && chain.local) {
    out.progress(`a local node mines a block per transaction: waiting for 1 confirmation, not ${confirmations}`);
    confirmations = 1;
  }
  const started = Date.now();
  let lastReport = started;
  out.progress(`waiting for ${hash} (${confirmations} confirmation${confirmations === 1 ? "" : "s"})…`);
  for (;;) {
    const receipt = (await chain.provider.send("eth_getTransactionReceipt", [hash])) as RpcReceipt | null;
    if (receipt) {
      const head = Number(await chain.provider.send("eth_blockNumber", []));
      const have = head - Number(receipt.blockNumber) + 1;
      if (have >= confirmations) return receipt;
    }
    const now = Date.now();
    if (now - started > timeoutMs) throw new ParsTaskError(`no receipt for ${hash} after ${Math.round(timeoutMs / 1000)} s; it may still be mined`, { hash });
    if (now - lastReport >= 5_000) {
      out.progress(`  … ${Math.round((now - started) / 1000)} s, ${receipt ? "mined, waiting for confirmations" : "pending"}`);
      lastReport = now;
    }
    await new Promise((r) => setTimeout(r, chain.pollMs));
  }
}

/** Sends a prepared transaction and waits; a revert on chain is replayed to name its error. */
export async function sendPrepared(chain: Chain, sender: Sender, p: PreparedTx, out: Output, decoder: RevertDecoder, confirmations = 1): Promise<SentTx> {
  let hash: string;
  try {
    hash = await broadcast(chain, sender, p);
  } catch (e) {
    throw revertError(`${p.intent.description}: sending failed`, e, decoder);
  }
  out.progress(`sent ${p.intent.description}: ${hash}`);
  const receipt = await waitForReceipt(chain, hash, out, confirmations);
  const blockNumber = Number(receipt.blockNumber);
  if (BigInt(receipt.status) !== 1n) {
    let reason = "";
    try {
      await chain.provider.call({ ...p.request, blockTag: blockNumber - 1 });
    } catch (e) {
      const r = decoder.decodeError(e);
      if (r) {
        const now = (await chain.provider.getBlock(blockNumber))?.timestamp;
        const advice = adviceFor(r, { local: chain.local, network: chain.name, now });
        throw new ParsTaskError(`${p.intent.description}: reverted on chain in ${hash} with ${formatRevert(r, { now })}${advice ? `. ${advice}` : ""}`, { hash, revert: plainRevert(r) });
      }
      reason = `: ${(e as Error).message}`;
    }
    throw new ParsTaskError(`${p.intent.description}: reverted on chain in ${hash}${reason}`, { hash });
  }
  const gasUsed = BigInt(receipt.gasUsed);
  const price = receipt.effectiveGasPrice ? BigInt(receipt.effectiveGasPrice) : p.feePerGas;
  out.progress(`  mined in block ${blockNumber}, gas used ${gasUsed.toLocaleString("en")}, fee ${formatPars(gasUsed * price)}`);
  const logs = receipt.logs.map((l) => ({
    address: l.address,
    topics: l.topics,
    data: l.data,
    index: Number(l.logIndex),
    transactionIndex: Number(l.transactionIndex),
    blockNumber: Number(l.blockNumber),
    blockHash: l.blockHash,
    transactionHash: l.transactionHash,
    removed: Boolean(l.removed),
  })) as unknown as Log[];
  return {
    hash,
    blockNumber,
    blockHash: receipt.blockHash,
    gasUsed,
    fee: gasUsed * price,
    contractAddress: receipt.contractAddress ?? undefined,
    logs,
  };
}

export interface TxHooks {
  /**
   * Runs after the estimate and the confirmation, right before the transaction leaves: what must
   * exist if it is mined (a new heartbeat chain) is written here. From here on any error may come
   * after the transaction was broadcast.
   */
  beforeBroadcast?: () => void | Promise<void>;
}

export interface TxOutcome {
  dryRun: boolean;
  transaction: Record<string, unknown>;
  sent?: SentTx;
}

/**
 * The whole flow for one transaction: estimate, show, dry run or confirm, send, wait. Returns what
 * the task reports (the unsigned view for a dry run, the receipt summary otherwise).
 */
export async function executeTx(
  chain: Chain,
  sender: Sender,
  intent: TxIntent,
  flags: SendFlags,
  out: Output,
  decoder: RevertDecoder,
  hooks: TxHooks = {},
): Promise<TxOutcome> {
  // The sender must hold the value before anything else can be checked (a node's estimate then
  // fails with its own "insufficient funds" text).
  const value = intent.value ?? 0n;
  const balance = await chain.provider.getBalance(sender.address);
  const fund = chain.local ? ` (on this local node: npx hardhat local:fund --network ${chain.name} --to ${sender.address})` : "";
  const problem = (message: string) => {
    if (!flags.dryRun) throw new ParsTaskError(message, { balance: balance.toString(), from: sender.address });
    out.progress(`warning: ${message}`);
  };
  if (balance < value) problem(`${sender.address} holds ${formatPars(balance)}, less than the ${formatPars(value)} this transaction sends: fund it first${fund}`);
  const p = await prepareTx(chain, sender, intent, decoder, undefined, flags.dryRun || balance < value ? { warnOnly: out } : {});
  if (balance >= value && balance < value + p.maxCost) {
    problem(
      `${sender.address} holds ${formatPars(balance)}: the transaction needs ${value > 0n ? `${formatPars(value)} plus ` : ""}up to ${formatPars(p.maxCost)} for gas; fund it first${fund}`,
    );
  }
  if (flags.dryRun) return { dryRun: true, transaction: printDryRun(out, p) };
  showCost(out, p);
  if (!flags.yes && !(await confirm(`Send "${intent.description}"`))) throw new Declined(`"${intent.description}"`);
  await hooks.beforeBroadcast?.();
  const sent = await sendPrepared(chain, sender, p, out, decoder, flags.confirmations ?? 1);
  out.line(`transaction ${sent.hash} (block ${sent.blockNumber})`);
  return {
    dryRun: false,
    transaction: { hash: sent.hash, blockNumber: sent.blockNumber, gasUsed: sent.gasUsed.toString(), fee: sent.fee.toString() },
    sent,
  };
}

/** Decodes the events of `iface` among the logs of a receipt (others are skipped). */
export function eventsOf(iface: Interface, address: string, logs: readonly Log[]): { name: string; args: Record<string, unknown> }[] {
  const out: { name: string; args: Record<string, unknown> }[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) continue;
    const args: Record<string, unknown> = {};
    parsed.fragment.inputs.forEach((p, i) => (args[p.name || String(i)] = parsed.args[i]));
    out.push({ name: parsed.name, args });
  }
  return out;
}
