/**
 * `deploy-suite`: deploys, wires and hands over the suite (idempotent), then checks it.
 * `deploy:check`: reads a recorded deployment back: each contract's code and creation transaction
 * against its artifact, every role's holders (exactly the configured ones), wiring and parameters.
 *
 * The engine under deploy/ plans, sends through the transport given here and checks; everything
 * people see is done here: the plan, the dry-run transactions, the cost, the prompt, progress, and
 * the errors (refusals, failed checks, the timelock proposals) with their `--json` details.
 */
import * as path from "path";
import { formatEther } from "ethers";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deploymentPath, deploymentsDir, getDeployment, type Deployment } from "../src/deployments";
import { ChainIdMismatchError, PQ_PRECOMPILES, PQ_PROFILES, type PQProfile } from "../src/networks";
import type { CheckResult } from "../deploy/checks";
import { configPathFor, probeOptions, readConfigFile, resolveConfig, DeployConfigError, type ResolvedConfig } from "../deploy/config";
import { DeployError } from "../deploy/errors";
import type { PreparedAction, Transport } from "../deploy/execute";
import type { Plan, Refusal } from "../deploy/plan";
import { describeFinding } from "../deploy/roles";
import type { DeployState } from "../deploy/state";
import { SUITE } from "../deploy/suite";
import { connect, defaultSender, nodeAccounts, type Chain, type Sender } from "./lib/chain";
import { confirm, Declined, Output, ParsTaskError, runTask } from "./lib/io";
import { prepareTx, printDryRun, sendPrepared, showCost } from "../src/cli/tx";
import { PrecompileProbeError, probePrecompiles, type ProbeReport } from "../src/precompiles/probe";

interface DeployArgs {
  deployConfig?: string;
  deploymentsDir?: string;
  yes: boolean;
  dryRun: boolean;
  json: boolean;
  confirmations: number;
}

/**
 * Connects (chain-id guard), reads the config (its chain id must match too) and resolves it. For a
 * check, "deployer" means the account recorded as the deployer, not whoever runs the check.
 */
async function prepare(
  hre: HardhatRuntimeEnvironment,
  args: DeployArgs,
  forCheck = false,
): Promise<{ chain: Chain; sender: Sender; cfg: ResolvedConfig; dir: string }> {
  const chain = await connect(hre);
  const file = path.resolve(args.deployConfig ?? configPathFor(hre.network.name));
  const raw = readConfigFile(file);
  if (raw.chainId !== chain.chainId) {
    const e = new ChainIdMismatchError(`${hre.network.name} (config ${file})`, raw.chainId, chain.chainId);
    throw new ParsTaskError(e.message, { expectedChainId: raw.chainId, actualChainId: chain.chainId });
  }
  const dir = path.resolve(args.deploymentsDir ?? deploymentsDir());
  const recorded = forCheck ? getDeployment(chain.chainId, dir) : undefined;
  const sender: Sender = recorded ? { kind: "address", address: recorded.deployer } : await defaultSender(chain);
  let cfg: ResolvedConfig;
  try {
    cfg = resolveConfig(file, raw, {
      network: hre.network.name,
      deployer: sender.address,
      accounts: chain.local ? await nodeAccounts(chain) : [],
      localChain: chain.local,
    });
  } catch (e) {
    if (e instanceof DeployConfigError) throw new ParsTaskError(e.message);
    throw e;
  }
  return { chain, sender, cfg, dir };
}

/** Probes the configured PQ precompiles and the deployer allow-list; stops with the fix if they are not ready. */
async function preflight(chain: Chain, cfg: ResolvedConfig, deployer: string, out: Output): Promise<ProbeReport> {
  const report = await probePrecompiles(chain.provider, probeOptions(cfg, deployer));
  for (const c of report.checks) out.line(`  ${c.ok ? "✓" : "✗"} ${c.name}${c.ok ? "" : `: expected ${c.expected}, got ${c.actual}`}`);
  if (!report.ok) {
    const e = new PrecompileProbeError(report, `${cfg.network} (chain ${chain.chainId})`);
    throw new ParsTaskError(e.message, { probe: report });
  }
  out.line(`pre-flight: the ${report.profile} precompiles at ${report.addresses.mldsa} and ${report.addresses.mlkem} answer as the chain's code does`);
  return report;
}

export interface DeployReport {
  chainId: number;
  network: string;
  file: string;
  dryRun: boolean;
  /** Contracts deployed by this run. */
  deployed: string[];
  /** Transactions sent (or, in a dry run, that would be sent) by this run. */
  transactions: { step: string; hash?: string; blockNumber?: number; unsigned?: Record<string, unknown> }[];
  addresses: Record<string, string>;
  checks: CheckResult[];
}

/** Runs engine code; its errors become task errors with the same message and details. */
async function engine<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DeployError) throw new ParsTaskError(e.message, e.details);
    throw e;
  }
}

/** The suite's state on this chain, from `record`. */
async function open(hre: HardhatRuntimeEnvironment, chain: Chain, cfg: ResolvedConfig, dir: string, record: Deployment): Promise<DeployState> {
  const { openState } = await import("../deploy/state");
  return openState({ hre, chain, cfg, steps: SUITE, dir, record });
}

const failureLine = (x: CheckResult) => `  ✗ ${x.check}: expected ${x.expected}, read ${x.actual}`;

/** Why the plan sends nothing, as the task's error. */
function refused(chain: Chain, dir: string, r: Refusal): ParsTaskError {
  if (r.kind === "foreignContracts") {
    return new ParsTaskError(
      `${deploymentPath(chain.chainId, dir)} records contracts that are not what it says; nothing sent:\n${r.failed.map(failureLine).join("\n")}\n` +
        "Check the record against the chain (and the artifacts against the sources it was deployed from) before running deploy-suite again",
      { failed: r.failed },
    );
  }
  const lines = r.findings.map((f) => describeFinding(f, r.atBlock)).map(failureLine);
  return new ParsTaskError(
    `chain ${chain.chainId} has role holders the config does not name; nothing sent:\n${lines.join("\n")}\n` +
      "Revoke them (revokeRole: from the deployer while it administers the contract, otherwise by a timelock proposal; " +
      "the calldata is in the error details with --json), or name them in the config, then run deploy-suite again",
    { unexpected: r.findings, revocations: r.revocations },
  );
}

/** Prints how many checks passed; throws listing every failure. */
function passing(out: Output, chain: Chain, results: CheckResult[]): CheckResult[] {
  const failed = results.filter((x) => !x.ok);
  out.line(`post-deploy checks: ${results.length - failed.length}/${results.length} passed`);
  if (failed.length > 0) {
    const lines = failed.map((f) => `  ✗ ${f.check}: expected ${f.expected ?? "ok"}, read ${f.actual ?? "?"}`);
    throw new ParsTaskError(`post-deploy checks failed on chain ${chain.chainId}:\n${lines.join("\n")}`, { failed, checks: results });
  }
  return results;
}

function showPlan(out: Output, chain: Chain, sender: Sender, p: Plan): void {
  out.line(`plan for chain ${chain.chainId} (${chain.name}), from ${sender.address}:`);
  p.actions.forEach((a, i) => out.line(`  ${String(i + 1).padStart(2)}. ${a.name}`));
}

/** The cost shown before asking: what can be estimated, and how many calls cannot be yet. */
function showTotal(out: Output, all: PreparedAction[]): void {
  const known = all.filter((x) => x.prepared);
  const expected = known.reduce((sum, x) => sum + x.prepared!.expectedCost, 0n);
  const max = known.reduce((sum, x) => sum + x.prepared!.maxCost, 0n);
  const gas = known.reduce((sum, x) => sum + x.prepared!.gasEstimate, 0n);
  const rest = all.length - known.length;
  out.line(
    `estimated: ${gas.toLocaleString("en")} gas, ≈ ${formatEther(expected)} PARS (at most ${formatEther(max)} PARS) for ${known.length} ` +
      `transaction(s)${rest ? `; ${rest} more depend on contracts not deployed yet and are estimated when they are sent` : ""}`,
  );
}

/** The --dry-run output: every unsigned transaction. */
function showDryRun(out: Output, chain: Chain, sender: Sender, all: PreparedAction[]): DeployReport["transactions"] {
  const txs: DeployReport["transactions"] = [];
  for (const { action, intent, nonce, prepared } of all) {
    if (prepared) {
      txs.push({ step: action.name, unsigned: printDryRun(out, prepared) });
    } else {
      out.line(`${action.name}: ${intent.to ? `to ${intent.to}` : "contract creation"} (depends on contracts not deployed yet: no gas estimate), nonce ${nonce}, data ${intent.data.length > 200 ? `${intent.data.slice(0, 74)}… (${(intent.data.length - 2) / 2} bytes)` : intent.data}`);
      txs.push({ step: action.name, unsigned: { description: action.name, from: sender.address, to: intent.to, data: intent.data, nonce, chainId: chain.chainId, gasLimit: null } });
    }
  }
  out.line("dry run: nothing sent");
  return txs;
}

/**
 * Plans the run, shows the plan, asks (unless --yes), sends what is missing, hands over, and checks.
 * Stops with the timelock proposals when a step differs where only the timelock can change it.
 */
async function deploySuite(hre: HardhatRuntimeEnvironment, chain: Chain, sender: Sender, cfg: ResolvedConfig, dir: string, flags: DeployArgs, out: Output): Promise<DeployReport> {
  const { recordToContinue } = await import("../deploy/records");
  const { plan, plannedAddresses, proposals } = await import("../deploy/plan");
  const { execute, prepareAll, recordHandedOver } = await import("../deploy/execute");
  const { check } = await import("../deploy/checks");
  const { recordedAddresses } = await import("../deploy/state");

  const { record, reset } = await recordToContinue(chain, dir, cfg, sender.address);
  if (reset) out.progress(`note: the recorded local deployment is gone (${reset}); the local chain was reset, deploying afresh`);
  const state = await open(hre, chain, cfg, dir, record);
  const p = await plan(state);
  if (p.refusal) throw refused(chain, dir, p.refusal);
  const transport: Transport = {
    prepare: (intent, nonce) => prepareTx(chain, sender, intent, state.decoder, nonce),
    send: (tx) => sendPrepared(chain, sender, tx, out, state.decoder, flags.confirmations ?? 1),
  };

  const report: DeployReport = { chainId: chain.chainId, network: cfg.network, file: deploymentPath(chain.chainId, dir), dryRun: flags.dryRun, deployed: [], transactions: [], addresses: {}, checks: [] };
  const { actions, governance } = p;
  if (governance.length > 0) {
    out.line(`needs the timelock (the deployer is no longer admin there): ${governance.map((g) => g.name).join(", ")}`);
  }
  if (actions.length === 0 && governance.length === 0) {
    out.line(`chain ${chain.chainId}: the suite is deployed and configured; nothing to send`);
  } else if (actions.length > 0) {
    showPlan(out, chain, sender, p);
    if (flags.dryRun) {
      report.transactions = showDryRun(out, chain, sender, await prepareAll(p, transport.prepare));
      report.addresses = plannedAddresses(p);
      return report;
    }
    showTotal(out, await prepareAll(p, transport.prepare));
    if (!flags.yes && !(await confirm(`Send ${actions.length} transaction(s) from ${sender.address} to chain ${chain.chainId}`))) {
      throw new Declined(`the deployment's ${actions.length} transaction(s)`);
    }
    const done = await execute(p, transport, (e) => {
      if (e.kind === "skipped") out.line(`${e.action.name}: already as configured, skipped`);
      else if (e.kind === "sending") showCost(out, e.prepared);
      else if (e.kind === "deployed") out.line(`${e.name} at ${e.address}`);
    });
    report.deployed = done.deployed;
    report.transactions = done.transactions;
  }

  if (governance.length > 0) {
    // What the deployer could do is done (e.g. a contract added to a live suite, with its own
    // wiring and hand-over); the rest needs proposals, built now with the real addresses.
    throw new ParsTaskError(
      `${report.transactions.length} transaction(s) sent; ${governance.length} step(s) differ from the config where the deployer ` +
        `no longer holds the admin role: ${governance.map((g) => g.name).join(", ")}. Only the timelock can change them now: ` +
        "schedule and execute the proposals in the error details (--json), then run deploy:check; or fix the config if it is " +
        "the config that is wrong",
      { proposals: proposals(p), transactions: report.transactions },
    );
  }

  report.addresses = recordedAddresses(state);
  report.checks = passing(out, chain, await check(state));
  recordHandedOver(p);
  return report;
}

task("deploy-suite", "Deploys the Pars service-node suite, wires it, hands it to the timelock and checks it (idempotent)")
  .addOptionalParam("deployConfig", "Deployment config (default: deploy/config/<network>.json)")
  .addOptionalParam("deploymentsDir", "Where deployments/<chainId>.json is kept (default: PARS_DEPLOYMENTS_DIR or ./deployments)")
  .addOptionalParam("confirmations", "Blocks to wait for after each transaction", 1, types.int)
  .addFlag("yes", "Send without asking for confirmation")
  .addFlag("dryRun", "Print the plan and the unsigned transactions; send nothing")
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args: DeployArgs, hre) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      const { chain, sender, cfg, dir } = await prepare(hre, args);
      // Pre-flight: the precompiles must answer as the profile does before anything is sent.
      await preflight(chain, cfg, sender.address, out);
      const report = await engine(() => deploySuite(hre, chain, sender, cfg, dir, args, out));
      if (!report.dryRun) {
        out.line(`deployment of chain ${report.chainId} recorded in ${report.file}`);
        out.table(Object.entries(report.addresses));
      }
      return out.result(report);
    });
  });

task("deploy:check", "Reads the recorded deployment back: code and creation transactions, every role's holders, wiring, parameters and precompiles")
  .addOptionalParam("deployConfig", "Deployment config (default: deploy/config/<network>.json)")
  .addOptionalParam("deploymentsDir", "Where deployments/<chainId>.json is kept (default: PARS_DEPLOYMENTS_DIR or ./deployments)")
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args: DeployArgs, hre) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      const { chain, cfg, dir } = await prepare(hre, { ...args, yes: false, dryRun: true, confirmations: 1 }, true);
      const checks = await engine(async () => {
        const { recordToCheck } = await import("../deploy/records");
        const { check } = await import("../deploy/checks");
        const state = await open(hre, chain, cfg, dir, await recordToCheck(chain, dir));
        return passing(out, chain, await check(state));
      });
      return out.result({ chainId: chain.chainId, checks });
    });
  });

task("precompiles:probe", "Probes the PQ precompiles of a network in its profile (a valid and a tampered ML-DSA-65 signature, an ML-KEM-768 encapsulation) and the deployer allow-list; sends nothing")
  .addOptionalParam("deployConfig", "Deployment config (default: deploy/config/<network>.json)")
  .addOptionalParam("profile", "Probe this profile instead of the config's: lux or pip")
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args: { deployConfig?: string; profile?: string; json: boolean }, hre) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      const { chain, sender, cfg } = await prepare(hre, { ...args, yes: false, dryRun: true, confirmations: 1 });
      if (args.profile !== undefined && !PQ_PROFILES.includes(args.profile as PQProfile)) {
        throw new ParsTaskError(`--profile: "${args.profile}" is not a profile (${PQ_PROFILES.join(", ")})`);
      }
      const profile = (args.profile as PQProfile | undefined) ?? cfg.pqProfile;
      const addresses = args.profile === undefined ? cfg.precompiles : { ...cfg.precompiles, ...PQ_PRECOMPILES[profile] };
      const report = await preflight(chain, { ...cfg, pqProfile: profile, precompiles: addresses }, sender.address, out);
      return out.result(report);
    });
  });
