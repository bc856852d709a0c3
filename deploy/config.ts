/**
 * Per-network deployment parameters: `deploy/config/<network>.json`.
 *
 * ```json
 * {
 *   "chainId": 7071,
 *   "treasury": "0x…",                 receives penalties, slashes and the treasury's fee share
 *   "guardian": "0x…",                 may pause new inflows at once (GUARDIAN_ROLE)
 *   "timelock": {
 *     "minDelaySeconds": 86400,        24 h on testnet and mainnet (enforced); shorter allowed elsewhere
 *     "proposers": ["0x…"],            PROPOSER_ROLE and CANCELLER_ROLE
 *     "executors": ["anyone"]          EXECUTOR_ROLE; "anyone" opens execution to every account
 *   },
 *   "emissionBasePars": "100000000",   PARS (decimal string); 8% of it a year in year one
 *   "startEmission": false,            call ServiceNodeRewards.start() before the hand-over
 *   "bridge": {                        optional
 *     "messenger": "warp",             "warp" (the Warp precompile; default off local chains), "none"
 *                                      (no forwarding; default on local chains) or an address
 *     "sessionTTLSeconds": 86400       default 86,400
 *   },
 *   "pqProfile": "lux",                optional: the PQ precompiles' profile, "lux" (the chain's code) or
 *                                      "pip" (the PIPs' interface); default from src/networks.ts (DESIGN §3)
 *   "precompiles": { "mldsa": "0x…" }, optional; defaults: the profile's addresses in src/networks.ts
 *   "parameters": { … }                optional governance parameters, set before the hand-over
 * }
 * ```
 * Address fields also take `"deployer"` (the deploying account) and, on local networks,
 * `"account:N"` (the node's N-th account).
 */
import * as fs from "fs";
import * as path from "path";
import { ZeroAddress, getAddress, isAddress, parseEther } from "ethers";
import type { ProbeOptions } from "../src/precompiles/probe";
import { NETWORKS, PQ_PROFILES, PRECOMPILES, precompilesFor, type PQProfile, type PrecompileAddresses } from "../src/networks";

export const CONFIG_DIR = path.join(__dirname, "config");

/** Chains whose timelock must wait at least 24 hours (DESIGN §10). */
export const GOVERNED_CHAINS: Record<number, string> = { 7070: "parsMainnet", 7071: "parsTestnet" };
export const MIN_GOVERNED_DELAY = 24 * 3600;

export interface DeployConfigFile {
  chainId: number;
  treasury: string;
  guardian: string;
  timelock: { minDelaySeconds: number; proposers: string[]; executors: string[] };
  emissionBasePars: string;
  startEmission?: boolean;
  pqProfile?: PQProfile;
  precompiles?: Partial<PrecompileAddresses>;
  bridge?: { messenger?: string; sessionTTLSeconds?: number };
  parameters?: {
    registry?: { stakingRequirementPars?: string; lockPeriodSeconds?: number; missedEpochPenaltyBps?: number };
    attestations?: { maxNonSigners?: number; deregistrationPenaltyBps?: number };
    rewards?: { claimThresholdPars?: string; claimCycleSeconds?: number };
    storage?: { challengeBondPars?: string; failedChallengePenaltyBps?: number; challengerShareBps?: number };
  };
}

/** Governance parameters to set before the hand-over; undefined ones keep the contracts' defaults. */
export interface ResolvedParameters {
  stakingRequirement?: bigint;
  lockPeriod?: bigint;
  missedEpochPenaltyBps?: bigint;
  maxNonSigners?: bigint;
  deregistrationPenaltyBps?: bigint;
  claimThreshold?: bigint;
  claimCycle?: bigint;
  challengeBond?: bigint;
  failedChallengePenaltyBps?: bigint;
  challengerShareBps?: bigint;
}

export interface ResolvedConfig {
  file: string;
  network: string;
  chainId: number;
  deployer: string;
  treasury: string;
  guardian: string;
  timelock: { minDelay: bigint; proposers: string[]; executors: string[] };
  emissionBase: bigint;
  startEmission: boolean;
  /** The PQ precompiles' profile: their wire format and ML-DSA signing context. */
  pqProfile: PQProfile;
  precompiles: PrecompileAddresses;
  /** SessionBridge: its Warp messenger (zero: none) and session lifetime. */
  bridge: { messenger: string; sessionTTL: bigint };
  parameters: ResolvedParameters;
}

/** What the pre-flight probe of a config's precompiles needs (`probePrecompiles`). */
export function probeOptions(cfg: ResolvedConfig, deployer: string): ProbeOptions {
  return { profile: cfg.pqProfile, mldsa: cfg.precompiles.mldsa, mlkem: cfg.precompiles.mlkem, from: deployer, network: cfg.network };
}

export class DeployConfigError extends Error {
  constructor(file: string, problems: string[]) {
    super(`deploy config ${file}:\n  - ${problems.join("\n  - ")}`);
    this.name = "DeployConfigError";
  }
}

export function configPathFor(network: string): string {
  return path.join(CONFIG_DIR, `${network}.json`);
}

export function readConfigFile(file: string): DeployConfigFile {
  if (!fs.existsSync(file)) throw new DeployConfigError(file, ["file not found: create it (see deploy/config/*.json)"]);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DeployConfigFile;
  } catch (e) {
    throw new DeployConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
}

/**
 * Validates a config and resolves every reference to an address. Collects all problems and
 * reports them together.
 */
export function resolveConfig(
  file: string,
  raw: DeployConfigFile,
  ctx: { network: string; deployer: string; accounts: string[]; localChain: boolean },
): ResolvedConfig {
  const problems: string[] = [];
  const addr = (field: string, v: unknown, opts: { anyone?: boolean } = {}): string => {
    if (typeof v !== "string" || v.trim() === "") {
      problems.push(`${field}: required (an address, "deployer"${ctx.localChain ? ' or "account:N"' : ""})`);
      return ZeroAddress;
    }
    if (v === "deployer") return getAddress(ctx.deployer);
    if (v === "anyone") {
      if (opts.anyone) return ZeroAddress;
      problems.push(`${field}: "anyone" is only meaningful for timelock executors`);
      return ZeroAddress;
    }
    const m = /^account:(\d+)$/.exec(v);
    if (m) {
      if (!ctx.localChain) problems.push(`${field}: "${v}" is only allowed on local networks`);
      const a = ctx.accounts[Number(m[1])];
      if (!a) problems.push(`${field}: the node has no account ${m[1]}`);
      return a ? getAddress(a) : ZeroAddress;
    }
    if (!isAddress(v)) {
      problems.push(`${field}: "${v}" is not an address`);
      return ZeroAddress;
    }
    const a = getAddress(v);
    if (a === ZeroAddress) problems.push(`${field}: the zero address`);
    return a;
  };
  const uint = (field: string, v: unknown): bigint | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      problems.push(`${field}: a non-negative integer`);
      return undefined;
    }
    return BigInt(v);
  };
  const pars = (field: string, v: unknown, required = false): bigint | undefined => {
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || !/^\d+(\.\d{1,18})?$/.test(v)) {
      problems.push(`${field}: PARS as a decimal string, e.g. "15000"`);
      return undefined;
    }
    return parseEther(v);
  };

  const known = (NETWORKS as Record<string, { chainId: number; pqProfile: PQProfile } | undefined>)[ctx.network];
  if (!Number.isSafeInteger(raw.chainId)) problems.push("chainId: required");
  else if (known && known.chainId !== raw.chainId) {
    problems.push(`chainId: ${raw.chainId}, but network "${ctx.network}" is chain ${known.chainId} in src/networks.ts`);
  }

  const tl = raw.timelock ?? ({} as DeployConfigFile["timelock"]);
  const minDelay = uint("timelock.minDelaySeconds", tl.minDelaySeconds ?? -1) ?? 0n;
  const governed = GOVERNED_CHAINS[raw.chainId];
  if (governed && minDelay < BigInt(MIN_GOVERNED_DELAY)) {
    problems.push(`timelock.minDelaySeconds: ${minDelay} s, but ${governed} requires at least ${MIN_GOVERNED_DELAY} s (24 h)`);
  }
  const list = (field: string, v: unknown, anyone: boolean): string[] => {
    if (!Array.isArray(v) || v.length === 0) {
      problems.push(`${field}: at least one entry`);
      return [];
    }
    const out = v.map((x, i) => addr(`${field}[${i}]`, x, { anyone }));
    if (new Set(out).size !== out.length) problems.push(`${field}: duplicate entries`);
    return out;
  };
  const proposers = list("timelock.proposers", tl.proposers, false);
  const executors = list("timelock.executors", tl.executors, true);

  const pqProfile: PQProfile = raw.pqProfile ?? known?.pqProfile ?? "lux";
  if (!PQ_PROFILES.includes(pqProfile)) problems.push(`pqProfile: "${pqProfile}" is not a profile (${PQ_PROFILES.join(", ")})`);
  const precompiles = precompilesFor(PQ_PROFILES.includes(pqProfile) ? pqProfile : "lux");
  for (const [k, v] of Object.entries(raw.precompiles ?? {})) {
    if (!(k in PRECOMPILES)) problems.push(`precompiles.${k}: unknown precompile (${Object.keys(PRECOMPILES).join(", ")})`);
    else (precompiles as Record<string, string>)[k] = addr(`precompiles.${k}`, v);
  }

  const messengerSpec = raw.bridge?.messenger ?? (ctx.localChain ? "none" : "warp");
  const messenger =
    messengerSpec === "none" ? ZeroAddress : messengerSpec === "warp" ? precompiles.warp : addr("bridge.messenger", messengerSpec);
  const sessionTTL = uint("bridge.sessionTTLSeconds", raw.bridge?.sessionTTLSeconds) ?? 86_400n;

  const p = raw.parameters ?? {};
  const parameters: ResolvedParameters = {
    stakingRequirement: pars("parameters.registry.stakingRequirementPars", p.registry?.stakingRequirementPars),
    lockPeriod: uint("parameters.registry.lockPeriodSeconds", p.registry?.lockPeriodSeconds),
    missedEpochPenaltyBps: uint("parameters.registry.missedEpochPenaltyBps", p.registry?.missedEpochPenaltyBps),
    maxNonSigners: uint("parameters.attestations.maxNonSigners", p.attestations?.maxNonSigners),
    deregistrationPenaltyBps: uint("parameters.attestations.deregistrationPenaltyBps", p.attestations?.deregistrationPenaltyBps),
    claimThreshold: pars("parameters.rewards.claimThresholdPars", p.rewards?.claimThresholdPars),
    claimCycle: uint("parameters.rewards.claimCycleSeconds", p.rewards?.claimCycleSeconds),
    challengeBond: pars("parameters.storage.challengeBondPars", p.storage?.challengeBondPars),
    failedChallengePenaltyBps: uint("parameters.storage.failedChallengePenaltyBps", p.storage?.failedChallengePenaltyBps),
    challengerShareBps: uint("parameters.storage.challengerShareBps", p.storage?.challengerShareBps),
  };

  const resolved: ResolvedConfig = {
    file,
    network: ctx.network,
    chainId: raw.chainId,
    deployer: getAddress(ctx.deployer),
    treasury: addr("treasury", raw.treasury),
    guardian: addr("guardian", raw.guardian),
    timelock: { minDelay, proposers, executors },
    emissionBase: pars("emissionBasePars", raw.emissionBasePars, true) ?? 0n,
    startEmission: raw.startEmission ?? false,
    pqProfile,
    precompiles,
    bridge: { messenger, sessionTTL },
    parameters,
  };
  if (problems.length > 0) throw new DeployConfigError(file, problems);
  return resolved;
}
