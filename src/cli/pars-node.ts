#!/usr/bin/env node
/**
 * `pars-node`: the operator's read commands without Hardhat or a clone of the repository, from the
 * installed package (`npx @pars-network/service-node-contracts pars-node status --rpc <url>`).
 *
 *   pars-node health                     the network: nodes, swarms, storage, health flags
 *   pars-node status   --node-id <id>    a node: state, stake, penalty (and pending), heartbeat, lock
 *                      | --keystore <f>  (the node registered with the keystore's ML-DSA key)
 *   pars-node inbox    <name | 0x…32>    an inbox's swarm and its nodes
 *   pars-node swarms                     the swarm layout: each swarm's size and members
 *   pars-node session  <0x…32>           a session of the SessionBridge
 *   pars-node heartbeat --keystore <f>   this epoch's liveness proof of the keystore's node (sends;
 *                      [--yes] [--dry-run]  the send flow of the tasks: cost, prompt, receipt)
 *
 * Common options: --rpc <url> (or PARS_RPC_URL), --deployments <dir> (or PARS_DEPLOYMENTS_DIR; the
 * package's own records otherwise), --json. It shares its connection, output and units with the
 * Hardhat tasks (src/cli/, src/units.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { Contract, keccak256, toUtf8Bytes, isHexString, type InterfaceAbi } from "ethers";
import { connectProvider, unreachable, type Chain } from "./chain";
import { Declined, Output, ParsTaskError, asTaskError, keystorePassword, toJson } from "./io";
import { walletSender } from "./chain";
import { executeTx } from "./tx";
import { planHeartbeat } from "./heartbeat";
import { settlePendingRotation } from "./rotation";
import { RevertDecoder } from "../revert";
import { deploymentPath, requireDeployment, type Deployment } from "../deployments";
import { NodeStatus, pendingPenalty } from "../registry";
import { formatBps, formatBytes, formatPars, formatTimestamp } from "../units";
import { loadArtifact } from "../artifacts";

export const RPC_ENV = "PARS_RPC_URL";

const USAGE = `usage: pars-node <command> [options]

commands:
  health                          the network: nodes, swarms, storage, health
  status --node-id <id>           a node: state, stake, penalty, heartbeat, lock
  status --keystore <file>        the node registered with a keystore's ML-DSA key
  inbox <name | 0x…32 bytes>      an inbox's swarm and its nodes
  swarms                          each swarm's size and members
  session <0x…32 bytes>           a session of the SessionBridge
  heartbeat --keystore <file>     sends this epoch's heartbeat of the keystore's node
                                  (password: $PARS_KEYSTORE_PASSWORD or the terminal; --yes, --dry-run)

options:
  --rpc <url>                     the node's JSON-RPC URL (default: $${RPC_ENV})
  --deployments <dir>             the folder holding <chainId>.json (default: $PARS_DEPLOYMENTS_DIR, else the package's)
  --json                          print one JSON document
`;

export interface CliArgs {
  command?: string;
  positional: string[];
  options: Record<string, string | true>;
}

/** Parses `argv` (without node and the script); a leading `pars-node` (as npx passes it) is skipped. */
export function parseArgs(argv: string[]): CliArgs {
  const args = argv[0] === "pars-node" ? argv.slice(1) : argv;
  const out: CliArgs = { positional: [], options: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      const [k, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
      if (inline !== undefined) out.options[k] = inline;
      else if (["json", "help", "yes", "dry-run"].includes(k)) out.options[k] = true;
      else {
        const v = args[i + 1];
        if (v === undefined || v.startsWith("--")) throw new ParsTaskError(`--${k} needs a value`);
        out.options[k] = v;
        i++;
      }
    } else if (out.command === undefined) out.command = a;
    else out.positional.push(a);
  }
  return out;
}

/** A minimal EIP-1193 provider over HTTP JSON-RPC (no Hardhat). */
function httpProvider(url: string) {
  let id = 0;
  return {
    async request({ method, params }: { method: string; params?: unknown[] | object }): Promise<unknown> {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }) });
      const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
      return body.result;
    },
  };
}

/** The ABI of a contract: the package's `abi/<Name>.json`, else the repository's artifacts. */
function abiOf(name: string): InterfaceAbi {
  for (const dir of [path.join(__dirname, "..", "..", "abi"), path.join(__dirname, "..", "..", "..", "abi")]) {
    const file = path.join(dir, `${name}.json`);
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as InterfaceAbi;
  }
  return loadArtifact(name).abi as InterfaceAbi;
}

/** A chain with the suite's recorded deployment: what the read commands need. */
export interface Connected {
  chain: Chain;
  deployment: Deployment;
  at(name: string): Contract;
}

async function open(options: CliArgs["options"]): Promise<Connected> {
  const url = (options.rpc as string | undefined) ?? process.env[RPC_ENV];
  if (!url) throw new ParsTaskError(`which node? pass --rpc <url> or set ${RPC_ENV}`);
  const raw = httpProvider(url);
  let chainId: number;
  try {
    chainId = Number(BigInt((await raw.request({ method: "eth_chainId" })) as string));
  } catch (e) {
    if (unreachable(e)) throw new ParsTaskError(`no node answers at ${url}: pass --rpc <url> of a running node, or set ${RPC_ENV}`, { url });
    throw e;
  }
  const chain = await connectProvider(raw, { name: `chain ${chainId}`, expectedChainId: chainId, url });
  const dir = options.deployments as string | undefined;
  let deployment: Deployment;
  try {
    deployment = requireDeployment(chainId, dir);
  } catch (e) {
    throw new ParsTaskError((e as Error).message);
  }
  const registry = deployment.contracts.ServiceNodeRegistry?.address;
  if (registry && (await chain.provider.getCode(registry)) === "0x") {
    throw new ParsTaskError(`no contract at ${registry}, the ServiceNodeRegistry recorded for chain ${chainId} in ${deploymentPath(chainId, dir)}, on ${url}: the node is not the chain the deployment was recorded on`);
  }
  return {
    chain,
    deployment,
    at(name: string): Contract {
      const rec = deployment.contracts[name];
      if (!rec) throw new ParsTaskError(`${name} is not in the deployment of chain ${chainId}`);
      return new Contract(rec.address, abiOf(name), chain.provider);
    },
  };
}

function table(out: Output, rows: [string, unknown][]): void {
  out.table(rows);
}

export async function health(c: Connected, out: Output): Promise<Record<string, unknown>> {
  const h = await c.at("SwarmCoordinator").networkHealth();
  const r = {
    chainId: c.chain.chainId,
    totalNodes: h.totalNodes.toString(),
    activeNodes: h.activeNodes.toString(),
    swarmCount: h.swarmCount.toString(),
    minSwarmSize: h.minSwarmSize.toString(),
    maxSwarmSize: h.maxSwarmSize.toString(),
    storageCapacity: h.storageCapacity.toString(),
    storageUsed: h.storageUsed.toString(),
    replicationOk: h.replicationOk as boolean,
    healthy: h.healthy as boolean,
  };
  out.line(`network of chain ${c.chain.chainId}: ${r.healthy ? "healthy" : "not healthy"}`);
  table(out, [
    ["nodes", `${r.activeNodes} active of ${r.totalNodes}`],
    ["swarms", `${r.swarmCount} (sizes ${r.minSwarmSize}..${r.maxSwarmSize})`],
    ["replication", r.replicationOk ? "ok" : "below the target"],
    ["storage", `${formatBytes(r.storageUsed)} used of ${formatBytes(r.storageCapacity)}`],
  ]);
  return r;
}

async function nodeIdOf(c: Connected, options: CliArgs["options"]): Promise<bigint> {
  if (typeof options["node-id"] === "string") {
    const v = options["node-id"];
    if (!/^\d+$/.test(v) || BigInt(v) === 0n) throw new ParsTaskError(`--node-id: "${v}" is not a node id`);
    return BigInt(v);
  }
  const file = (options.keystore as string | undefined) ?? process.env.PARS_KEYSTORE;
  if (!file) throw new ParsTaskError("which node? pass --node-id <id> or --keystore <file> (or set PARS_KEYSTORE)");
  const { readKeystore } = await import("../keystore");
  let key: string;
  try {
    key = readKeystore(file).public.mldsa.publicKey;
  } catch (e) {
    throw new ParsTaskError((e as Error).message);
  }
  const id = (await c.at("NodeDirectory").nodeIdByMldsaKey(keccak256(key))) as bigint;
  if (id === 0n) throw new ParsTaskError(`the keystore's ML-DSA key is not registered on chain ${c.chain.chainId}`);
  return id;
}

async function status(c: Connected, options: CliArgs["options"], out: Output): Promise<Record<string, unknown>> {
  const id = await nodeIdOf(c, options);
  const registry = c.at("ServiceNodeRegistry");
  const n = await registry.getNode(id);
  if (Number(n.status) === NodeStatus.None) throw new ParsTaskError(`no node ${id} on chain ${c.chain.chainId}`);
  const epoch = Number(await registry.currentEpoch());
  const now = (await c.chain.provider.getBlock("latest"))?.timestamp ?? Math.floor(Date.now() / 1000);
  const owed = pendingPenalty(n, epoch, await registry.missedEpochPenaltyBps());
  const statusName = NodeStatus[Number(n.status)] ?? `Unknown(${n.status})`;
  const active = Number(n.status) === NodeStatus.Active;
  const r = {
    nodeId: id.toString(),
    status: statusName,
    operator: n.operator as string,
    stake: (n.stake as bigint).toString(),
    requirement: (n.requirement as bigint).toString(),
    penaltyBps: Number(n.penaltyBps),
    pendingPenalty: owed.missedEpochs === 0 ? null : { ...owed, amount: owed.amount.toString() },
    currentEpoch: epoch,
    lastHeartbeatEpoch: Number(n.lastHeartbeatEpoch),
    heartbeatDue: active && Number(n.lastHeartbeatEpoch) < epoch,
    unlockAt: Number(n.unlockAt) || null,
    chainTime: now,
  };
  out.line(`node ${r.nodeId} on chain ${c.chain.chainId}`);
  table(out, [
    ["status", r.status],
    ["operator", r.operator],
    ["stake", `${formatPars(r.stake)} of ${formatPars(r.requirement)}`],
    ["penalty", r.penaltyBps === 0 ? "none" : formatBps(r.penaltyBps)],
    ...(owed.missedEpochs > 0
      ? ([["pending penalty", `${owed.missedEpochs} epoch(s) without a heartbeat: +${formatBps(owed.addedBps)} (${formatPars(owed.amount)}) at the next heartbeat`]] as [string, unknown][])
      : []),
    ["heartbeat", `last epoch ${r.lastHeartbeatEpoch}, now ${epoch}${r.heartbeatDue ? " (due)" : ""}`],
    ...(r.unlockAt ? ([["unlocks at", formatTimestamp(r.unlockAt, now)]] as [string, unknown][]) : []),
  ]);
  return r;
}

function inboxId(v: string | undefined): string {
  if (!v) throw new ParsTaskError("which inbox? pars-node inbox <name | 0x + 64 hex digits>");
  return isHexString(v, 32) ? v : keccak256(toUtf8Bytes(v));
}

export async function inbox(c: Connected, positional: string[], out: Output): Promise<Record<string, unknown>> {
  const id = inboxId(positional[0]);
  const swarms = c.at("SwarmCoordinator");
  const swarm = Number(await swarms.swarmForInbox(id));
  const members = ((await swarms.swarmMembers(swarm)) as bigint[]).map((m) => m.toString());
  out.line(`inbox ${id}: swarm ${swarm}, ${members.length} node${members.length === 1 ? "" : "s"}: ${members.join(", ")}`);
  return { inbox: id, swarmId: swarm, nodes: members };
}

export async function swarmLayout(c: Connected, out: Output): Promise<Record<string, unknown>> {
  const swarms = c.at("SwarmCoordinator");
  const count = Number(await swarms.swarmCount());
  const list: { swarmId: number; nodes: string[] }[] = [];
  for (let s = 0; s < count; s++) list.push({ swarmId: s, nodes: ((await swarms.swarmMembers(s)) as bigint[]).map((m) => m.toString()) });
  out.line(`${count} swarm${count === 1 ? "" : "s"} on chain ${c.chain.chainId}`);
  table(out, list.map((s) => [`swarm ${s.swarmId}`, `${s.nodes.length} nodes: ${s.nodes.join(", ")}`]));
  return { swarmCount: count, swarms: list };
}

export async function session(c: Connected, positional: string[], out: Output): Promise<Record<string, unknown>> {
  const id = positional[0];
  if (!id || !isHexString(id, 32)) throw new ParsTaskError("which session? pars-node session <0x + 64 hex digits>");
  const s = await c.at("SessionBridge").getSession(id);
  const r = JSON.parse(toJson(s.toObject ? s.toObject(true) : s)) as Record<string, unknown>;
  out.line(`session ${id}`);
  table(out, Object.entries(r));
  return { sessionId: id, session: r };
}

async function heartbeat(c: Connected, options: CliArgs["options"], out: Output): Promise<Record<string, unknown>> {
  const file = (options.keystore as string | undefined) ?? process.env.PARS_KEYSTORE;
  if (!file) throw new ParsTaskError("which keystore? pass --keystore <file> or set PARS_KEYSTORE");
  const id = await nodeIdOf(c, { ...options, keystore: file });
  const { decryptKeystore, readKeystore } = await import("../keystore");
  const password = await keystorePassword();
  let keys;
  try {
    keys = decryptKeystore(readKeystore(file), password, file);
  } catch (e) {
    throw new ParsTaskError((e as Error).message);
  }
  const registry = c.at("ServiceNodeRegistry");
  const n = await registry.getNode(id);
  if (Number(n.status) !== NodeStatus.Active) throw new ParsTaskError(`node ${id} is ${NodeStatus[Number(n.status)]}: only active nodes send heartbeats`);
  const epoch = Number(await registry.currentEpoch());
  const pending = settlePendingRotation(file, password, { lastRevealed: n.lastRevealed as string, currentEpoch: epoch });
  if (pending.state === "adopted") keys = pending.keys;
  const last = Number(n.lastHeartbeatEpoch);
  if (last === epoch) {
    out.line(`node ${id}: already proven for epoch ${epoch}; nothing sent`);
    return { nodeId: id.toString(), epoch, sent: false, reason: `already proven for epoch ${epoch}` };
  }
  const plan = planHeartbeat(keys.heartbeat, n.lastRevealed as string, last, epoch);
  if (plan.kind !== "reveal") throw new ParsTaskError(plan.kind === "exhausted" ? "the heartbeat chain is used up: rotate it (node:rotate-anchor)" : `the registry's last revealed value of node ${id} is not on the heartbeat chain of ${file}`);
  const owed = pendingPenalty(n, epoch, await registry.missedEpochPenaltyBps());
  if (owed.addedBps > 0) out.progress(`node ${id} missed ${owed.missedEpochs} epoch(s): this heartbeat applies a penalty of +${formatBps(owed.addedBps)} (${formatPars(owed.amount)})`);
  const flags = { yes: options.yes === true, dryRun: options["dry-run"] === true, json: options.json === true };
  const result = await executeTx(
    c.chain,
    walletSender(keys.wallet, c.chain),
    { description: `heartbeat of node ${id} for epoch ${epoch}`, to: await registry.getAddress(), data: registry.interface.encodeFunctionData("heartbeat", [id, plan.value]) },
    flags,
    out,
    new RevertDecoder(),
  );
  return { nodeId: id.toString(), epoch, sent: !result.dryRun, ...(result.dryRun ? { unsignedTransaction: result.transaction } : { transaction: result.transaction }) };
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let json = argv.includes("--json");
  const out = new Output(json);
  try {
    const args = parseArgs(argv);
    json = args.options.json === true;
    if (!args.command || args.options.help) {
      process.stdout.write(USAGE);
      return args.command ? 0 : 1;
    }
    const known = ["health", "status", "inbox", "swarms", "session", "heartbeat"];
    if (!known.includes(args.command)) throw new ParsTaskError(`unknown command "${args.command}" (${known.join(", ")}; pars-node --help)`);
    const c = await open(args.options);
    const result =
      args.command === "health"
        ? await health(c, out)
        : args.command === "status"
          ? await status(c, args.options, out)
          : args.command === "inbox"
            ? await inbox(c, args.positional, out)
            : args.command === "swarms"
              ? await swarmLayout(c, out)
              : args.command === "heartbeat"
                ? await heartbeat(c, args.options, out)
                : await session(c, args.positional, out);
    out.result(result);
    return 0;
  } catch (e) {
    if (e instanceof Declined) {
      out.line(e.message);
      out.result({ sent: false, declined: true });
      return 0;
    }
    const err = asTaskError(out, e);
    process.stderr.write(`pars-node: ${err.message}\n`);
    if (process.argv.includes("--show-stack-traces")) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
