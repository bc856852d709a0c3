/**
 * `deploy-suite`: deploys, wires and hands over the suite (idempotent), then checks it.
 * `deploy:check`: reads a recorded deployment back: each contract's code and creation transaction
 * against its artifact, every role's holders (exactly the configured ones), wiring and parameters.
 */
import * as path from "path";
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deploymentsDir } from "../src/deployments";
import { ChainIdMismatchError, PQ_PRECOMPILES, PQ_PROFILES, type PQProfile } from "../src/networks";
import { configPathFor, probeOptions, readConfigFile, resolveConfig, DeployConfigError, type ResolvedConfig } from "../deploy/config";
import { SUITE } from "../deploy/suite";
import { connect, defaultSender, nodeAccounts, type Chain, type Sender } from "./lib/chain";
import { Output, ParsTaskError, runTask } from "./lib/io";
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
  const { loadRecord } = await import("../deploy/engine");
  const recorded = forCheck ? loadRecord(dir, chain.chainId) : undefined;
  const sender: Sender = recorded ? { kind: "address", address: recorded.deployer } : await defaultSender(chain);
  let cfg: ResolvedConfig;
  try {
    cfg = resolveConfig(file, raw, {
      network: hre.network.name,
      deployer: sender.address,
      accounts: chain.chainId === 31337 ? await nodeAccounts(chain) : [],
      localChain: chain.chainId === 31337,
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
      const { DeploymentEngine } = await import("../deploy/engine");
      const engine = new DeploymentEngine({ hre, chain, sender, cfg, steps: SUITE, dir, flags: args, out });
      const report = await engine.run();
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
      const { chain, sender, cfg, dir } = await prepare(hre, { ...args, yes: false, dryRun: true, confirmations: 1 }, true);
      const { DeploymentEngine } = await import("../deploy/engine");
      const engine = new DeploymentEngine({ hre, chain, sender, cfg, steps: SUITE, dir, flags: { yes: false, dryRun: true, json: args.json }, out });
      const checks = await engine.check();
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
