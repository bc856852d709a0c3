/**
 * Who may do what to a node, read from the chain, and the two ways an action is sent:
 *
 * - the **owner** (the registering address; may be a Safe or a hardware wallet) stakes, exits,
 *   withdraws, sets the fee, the manager and the beneficiary. Its key is never needed here: with
 *   `--unsigned` a task prints the exact transaction (`to`, `value`, full `data`) for the owner's
 *   wallet to sign, the owner's address read from the chain;
 * - the **manager** (a hot address the owner names) sets the endpoint and rotates the transport key,
 *   signed by the node's keystore;
 * - anyone relays heartbeats, applies a due fee change and pays the operator's income to the
 *   beneficiary.
 *
 * A task refuses before sending when the signer is not allowed, naming the node's owner and manager,
 * so no gas is spent on a transaction the contract would revert.
 */
import { Interface, ZeroAddress, getAddress, isAddress } from "ethers";
import { formatPars } from "../../src/units";
import type { ConfigurableTaskDefinition as HardhatTask } from "hardhat/types";
import { formatRevert } from "../../src/revert";
import type { Chain, Sender } from "./chain";
import { ParsTaskError, type Output } from "./io";
import { senderFor, withSending, type SendingArgs, type SuiteContext } from "./operator";
import type { LoadedSuite } from "./suite";
import { adviceFor, chainTime, errorMessage, executeTx, type TxIntent, type TxOutcome } from "../../src/cli/tx";

export interface NodeRoles {
  nodeId: bigint;
  owner: string;
  /** Null when the owner named none. */
  manager: string | null;
  /** Where the operator's income is paid: the named beneficiary, or the owner. */
  beneficiary: string;
  feeBps: number;
}

export async function nodeRoles(suite: LoadedSuite, nodeId: bigint): Promise<NodeRoles> {
  const [owner, feeBps] = await suite.registry.nodeTerms(nodeId);
  if (owner === ZeroAddress) throw new ParsTaskError(`no node ${nodeId} on chain ${suite.deployment.chainId}`);
  const [manager, beneficiary] = await Promise.all([suite.directory.managerOf(nodeId), suite.directory.beneficiaryOf(nodeId)]);
  return { nodeId, owner, manager: manager === ZeroAddress ? null : manager, beneficiary, feeBps: Number(feeBps) };
}

/** "owner 0x…, manager 0x…" (or "no manager"). */
export function rolesText(r: NodeRoles): string {
  return `owner ${r.owner}, ${r.manager ? `manager ${r.manager}` : "no manager"}`;
}

const same = (a: string | null | undefined, b: string | null | undefined) => Boolean(a && b && a.toLowerCase() === b.toLowerCase());

/** The role `address` holds on the node: "owner", "manager" or null. */
export function roleOf(r: NodeRoles, address: string): "owner" | "manager" | null {
  if (same(address, r.owner)) return "owner";
  if (same(address, r.manager)) return "manager";
  return null;
}

/** Refuses unless `address` is the node's owner or manager (what the directory checks for `action`). */
export function requireOwnerOrManager(r: NodeRoles, address: string, action: string): void {
  if (roleOf(r, address)) return;
  throw new ParsTaskError(
    `${action}: ${address} is neither the owner nor the manager of node ${r.nodeId} (${rolesText(r)}). ` +
      `Use the keystore of the manager, or have the owner name this account: node:set-manager --manager ${address} --unsigned`,
    { nodeId: r.nodeId.toString(), signer: address, owner: r.owner, manager: r.manager },
  );
}

/** Refuses unless `address` is the node's owner (or, when `contributors` is given, one of them). */
export function requireOwner(r: NodeRoles, address: string, action: string, contributors?: string[]): void {
  if (same(address, r.owner)) return;
  if (contributors?.some((c) => same(c, address))) return;
  const who = contributors ? "neither the owner nor a contributor" : "not the owner";
  const role = same(address, r.manager) ? " (it is the manager, which sets the endpoint and the transport key only)" : "";
  throw new ParsTaskError(
    `${action}: ${address} is ${who} of node ${r.nodeId}${role}; ${rolesText(r)}. ` +
      "Only the owner may do this: run the task with --unsigned to print the transaction for the owner's wallet (a Safe, a hardware wallet) to sign",
    { nodeId: r.nodeId.toString(), signer: address, owner: r.owner, manager: r.manager },
  );
}

// ---------------------------------------------------------------------------------------------------
// Unsigned transactions for the owner's wallet
// ---------------------------------------------------------------------------------------------------

export interface OwnerSendArgs extends SendingArgs {
  unsigned: boolean;
  /** With --unsigned: who signs, when not the owner (a contributor). */
  from?: string;
}

/** The sending flags plus `--unsigned`: for actions only the owner may take. */
export function withOwnerSending(t: HardhatTask): HardhatTask {
  return withSending(t).addFlag(
    "unsigned",
    "Print the unsigned transaction (to, value, full calldata) for the owner's wallet (a Safe, a hardware wallet) to sign; no key needed, nothing sent",
  );
}

/** `withOwnerSending` plus `--from`: for actions a contributor may take too. */
export function withStakeSending(t: HardhatTask): HardhatTask {
  return withOwnerSending(t).addOptionalParam("from", "With --unsigned: the address that signs (default: the node's owner, read from the chain)");
}

/** The function a calldata calls, decoded with the ABI of the deployment's contract at `to`. */
export function decodeCall(suite: LoadedSuite, to: string, data: string, value: bigint): { contract: string; function: string; args: Record<string, string> } | undefined {
  for (const [name, rec] of Object.entries(suite.deployment.contracts)) {
    if (!same(rec.address, to) || !suite.abis[name]) continue;
    const parsed = new Interface(suite.abis[name]).parseTransaction({ data, value });
    if (!parsed) return undefined;
    const args: Record<string, string> = {};
    parsed.fragment.inputs.forEach((p, i) => (args[p.name || String(i)] = formatArg(parsed.args[i])));
    return { contract: name, function: parsed.signature, args };
  }
  return undefined;
}

function formatArg(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map(formatArg).join(", ")}]`;
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
  return String(v);
}

/**
 * Prints the transaction `from` must sign: chain id, `to`, `value` and the whole calldata, what it
 * does and the function it calls. It is simulated from `from` first: a transaction the contract would
 * revert is refused (its custom error named); one that cannot be simulated (the signer lacks the
 * value, say) is printed with the reason.
 */
export async function printUnsigned(chain: Chain, suite: LoadedSuite, out: Output, intent: TxIntent, from: string): Promise<Record<string, unknown>> {
  if (!intent.to) throw new ParsTaskError("an unsigned contract creation is not supported");
  const value = intent.value ?? 0n;
  const to = getAddress(intent.to);
  let simulation: { ok: boolean; gas?: string; note?: string };
  try {
    const gas = await chain.provider.estimateGas({ from, to, data: intent.data, value });
    simulation = { ok: true, gas: gas.toString() };
  } catch (e) {
    const revert = suite.decoder.decodeError(e);
    if (revert) {
      const now = await chainTime(chain);
      const advice = adviceFor(revert, { local: chain.local, network: chain.name, now });
      throw new ParsTaskError(`${intent.description}: the transaction would revert when ${from} sends it, with ${formatRevert(revert, { now })}${advice ? `. ${advice}` : ""}`, {
        revert: { contract: revert.contract, name: revert.name, signature: revert.signature, args: revert.args, data: revert.data },
      });
    }
    simulation = { ok: false, note: errorMessage(e) };
    out.progress(`not simulated (${simulation.note}): check it in the wallet before signing`);
  }
  const call = decodeCall(suite, to, intent.data, value);
  const transaction = { chainId: chain.chainId, from: getAddress(from), to, value: value.toString(), data: intent.data };
  out.line(`unsigned transaction for ${transaction.from} to sign (nothing sent):`);
  out.table([
    ["does", intent.description],
    ["chain id", transaction.chainId],
    ["from", transaction.from],
    ["to", `${to}${call ? ` (${call.contract})` : ""}`],
    ["value", `${transaction.value} wei (${formatPars(value)})`],
    ...(call ? ([["function", `${call.function}`], ...Object.entries(call.args).map(([k, v]) => [`  ${k}`, v])] as [string, unknown][]) : []),
    ["data", intent.data],
    ["simulated", simulation.ok ? `succeeds (about ${Number(simulation.gas).toLocaleString("en")} gas)` : `no: ${simulation.note}`],
  ]);
  return { unsigned: true, description: intent.description, transaction, call, simulation };
}

export function outcomeOf(o: TxOutcome): Record<string, unknown> {
  return o.dryRun ? { dryRun: true, unsignedTransaction: o.transaction } : { dryRun: false, transaction: o.transaction };
}

/**
 * An owner's action: with --unsigned, printed for the owner (or `--from`) to sign; otherwise signed
 * by the keystore (or the network's account) after checking on chain that it is the owner (or, with
 * `contributors`, a contributor).
 */
export async function ownerAction(
  { out, chain, suite }: SuiteContext,
  args: OwnerSendArgs,
  roles: NodeRoles,
  intent: TxIntent,
  opts: { contributorsToo?: boolean } = {},
): Promise<{ result: Record<string, unknown>; outcome?: TxOutcome; sender?: Sender }> {
  if (args.unsigned) {
    if (args.from !== undefined && !isAddress(args.from)) throw new ParsTaskError(`--from: "${args.from}" is not an address`);
    return { result: await printUnsigned(chain, suite, out, intent, args.from ?? roles.owner) };
  }
  // The role is checked before a keystore is unlocked: its address is in clear.
  const signer = (await senderFor(chain, { ...args, dryRun: true })).address;
  const contributors = opts.contributorsToo ? (await suite.registry.getContributors(roles.nodeId)).map((c) => c.addr) : undefined;
  requireOwner(roles, signer, intent.description, contributors);
  const sender = await senderFor(chain, args);
  const outcome = await executeTx(chain, sender, intent, args, out, suite.decoder);
  return { result: outcomeOf(outcome), outcome, sender };
}
