/**
 * Reading a deployment back: each step's check against the chain, that the deployer administers
 * nothing, each recorded contract's code and creation transaction, every role's holders, and the
 * PQ precompiles. The results are data (`CheckResult[]`); what to print, and whether a failure
 * stops anything, is the caller's business.
 */
import { Contract, Interface, ZeroHash, getAddress, isAddress, type InterfaceAbi } from "ethers";
import { probePrecompiles } from "../src/precompiles/probe";
import type { Chain } from "../src/cli/chain";
import { probeOptions, type ResolvedConfig } from "./config";
import { checkCreation, checkRuntimeCode, readArtifactCode } from "./provenance";
import { compareRoles, configuredRoles, describeFinding, isAccessControlled, DEFAULT_ADMIN_ROLE, type AccessControlled, type RoleFinding } from "./roles";
import { deploySteps, stepContext, type DeployState } from "./state";
import { stepName, type Step, type StepContext } from "./steps";

export interface CheckResult {
  check: string;
  ok: boolean;
  expected?: string;
  actual?: string;
}

function norm(v: unknown): string {
  if (typeof v === "string" && isAddress(v)) return getAddress(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return v.toString();
  return String(v);
}

/** Reads the suite's contracts at their recorded (or predicted) addresses. */
export class Reader {
  private readonly roleIds = new Map<string, string>();
  constructor(
    private readonly chain: Chain,
    private readonly abis: Record<string, InterfaceAbi>,
    private readonly ctx: StepContext,
  ) {}

  static of(s: DeployState, c: StepContext = stepContext(s)): Reader {
    return new Reader(s.chain, s.abis, c);
  }

  code(address: string): Promise<string> {
    return this.chain.provider.getCode(address);
  }

  contract(name: string): Contract {
    return new Contract(this.ctx.addr(name), this.abis[name], this.chain.provider);
  }

  async roleId(name: string, role: string): Promise<string> {
    if (role === DEFAULT_ADMIN_ROLE) return ZeroHash;
    const key = `${name}.${role}`;
    if (!this.roleIds.has(key)) this.roleIds.set(key, (await this.contract(name).getFunction(role).staticCall()) as string);
    return this.roleIds.get(key)!;
  }

  async hasRole(name: string, role: string, account: string): Promise<boolean> {
    return (await this.contract(name).getFunction("hasRole").staticCall(await this.roleId(name, role), account)) as boolean;
  }

  async read(name: string, getter: string, args: unknown[] = []): Promise<unknown> {
    if (getter.startsWith("hasRole:")) return this.hasRole(name, getter.slice(8), args[0] as string);
    return this.contract(name).getFunction(getter).staticCall(...args);
  }
}

/** Where a step's check stands; a read that fails is a failed check, reported with the error. */
export async function evaluate(step: Step, r: Reader, c: StepContext): Promise<CheckResult[]> {
  try {
    return await evaluateUnguarded(step, r, c);
  } catch (e) {
    const err = e as { shortMessage?: string; message?: string };
    return [{ check: stepName(step), ok: false, expected: "a readable value", actual: `read failed: ${err.shortMessage ?? err.message}` }];
  }
}

async function evaluateUnguarded(step: Step, r: Reader, c: StepContext): Promise<CheckResult[]> {
  const name = stepName(step);
  switch (step.kind) {
    case "deploy": {
      const code = await r.code(c.addr(step.name));
      return [{ check: `${step.name} has code at ${c.addr(step.name)}`, ok: code !== "0x" }];
    }
    case "set": {
      const want = step.value(c);
      if (want === undefined) return [];
      const have = await r.read(step.contract, step.getter);
      return [{ check: `${step.contract}.${step.getter}`, ok: norm(have) === norm(want), expected: norm(want), actual: norm(have) }];
    }
    case "grant": {
      const account = step.account(c);
      const have = await r.hasRole(step.contract, step.role, account);
      return [{ check: `${step.contract}: ${account} has ${step.role}`, ok: have, expected: "true", actual: String(have) }];
    }
    case "expect": {
      const want = step.value(c);
      const have = await r.read(step.contract, step.getter, step.args?.(c));
      const label = step.getter.startsWith("hasRole:") ? `${step.contract}: ${norm(step.args?.(c)[0])} has ${step.getter.slice(8)}` : name;
      return [{ check: label, ok: norm(have) === norm(want), expected: norm(want), actual: norm(have) }];
    }
    case "roles": {
      const results: CheckResult[] = [];
      for (const account of step.accounts(c)) {
        const have = await r.hasRole(step.contract, step.role, account);
        results.push({ check: `${step.contract}: ${account} has ${step.role}`, ok: have, expected: "true", actual: String(have) });
      }
      return results;
    }
    case "once": {
      if (!step.enabled(c)) return [];
      const have = await r.read(step.contract, step.doneWhen);
      const done = typeof have === "boolean" ? have : BigInt(have as bigint) !== 0n;
      return [{ check: `${step.contract}.${step.call}() called (${step.doneWhen} set)`, ok: done, expected: "set", actual: norm(have) }];
    }
  }
}

/** Whether a step's check passes in full. */
export async function holds(step: Step, r: Reader, c: StepContext): Promise<boolean> {
  return (await evaluate(step, r, c)).every((x) => x.ok);
}

/**
 * Every recorded contract of the suite is its artifact (runtime code outside the immutables) and
 * was created by its recorded transaction, from the deployer, with the recorded arguments.
 */
export async function provenance(s: DeployState, atBlock: number): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const d of deploySteps(s.steps)) {
    const rec = s.record.contracts[d.name];
    if (!rec) continue;
    const code = await readArtifactCode(s.hre, d.artifact);
    results.push(await checkRuntimeCode(s.chain.provider, d.name, rec, code, atBlock));
    results.push(...(await checkCreation(s.chain.provider, d.name, rec, code, s.record.deployer)));
  }
  return results;
}

/**
 * The holders of every role of every deployed access-controlled contract (the timelock's included),
 * rebuilt from the role events up to `atBlock`, against the holders the steps configure.
 */
export async function roleFindings(s: DeployState, atBlock: number): Promise<RoleFinding[]> {
  const c = stepContext(s);
  const deploys = deploySteps(s.steps);
  const contracts: AccessControlled[] = deploys
    .filter((d) => s.record.contracts[d.name] && isAccessControlled(s.abis[d.name]))
    .map((d) => ({ name: d.name, address: s.record.contracts[d.name].address, fromBlock: s.record.contracts[d.name].blockNumber, abi: s.abis[d.name] }));
  const table = configuredRoles(
    s.steps,
    c,
    contracts.map((x) => x.name),
    deploys.filter((d) => d.administered).map((d) => d.name),
  );
  return compareRoles(s.chain.provider, contracts, table, atBlock);
}

/** The recorded contracts that are not their artifact, or not created by their recorded transaction. */
export async function foreignContracts(s: DeployState): Promise<CheckResult[]> {
  return (await provenance(s, await s.chain.provider.getBlockNumber())).filter((x) => !x.ok);
}

/** A `revokeRole` call that removes a holder the config does not name. */
export interface Revocation {
  contract: string;
  role: string;
  account: string;
  to: string;
  data: string;
}

/**
 * The role holders the config does not name (the deployer's own admin role on a contract it is to
 * hand over excepted, which the hand-over removes), with the calls that revoke them.
 */
export async function unexpectedHolders(s: DeployState): Promise<{ atBlock: number; findings: RoleFinding[]; revocations: Revocation[] }> {
  const atBlock = await s.chain.provider.getBlockNumber();
  const c = stepContext(s);
  const administered = new Set(deploySteps(s.steps).filter((d) => d.administered).map((d) => d.name));
  const findings = (await roleFindings(s, atBlock)).filter(
    (f) => (f.kind === "unexpected" || f.kind === "disagrees") && !(f.role === DEFAULT_ADMIN_ROLE && f.account === getAddress(c.deployer) && administered.has(f.contract)),
  );
  const revocations = findings
    .filter((f) => f.kind === "unexpected")
    .map((f) => ({
      contract: f.contract,
      role: f.role,
      account: f.account!,
      to: c.addr(f.contract),
      data: new Interface(s.abis[f.contract]).encodeFunctionData("revokeRole", [f.roleId, f.account]),
    }));
  return { atBlock, findings, revocations };
}

/** The precompiles at the configured addresses answer as the configured profile does (the pre-flight probe). */
export async function checkPrecompiles(chain: Chain, cfg: ResolvedConfig, deployer: string): Promise<CheckResult[]> {
  const report = await probePrecompiles(chain.provider, probeOptions(cfg, deployer));
  // The allow-list matters before deploying, not for checking what is deployed.
  return report.checks
    .filter((c) => c.kind !== "allowList")
    .map((c) => ({ check: c.name, ok: c.ok, expected: c.expected, actual: c.actual }));
}

/** Reads everything back: every step, the hand-over, provenance, role holders and precompiles. */
export async function check(s: DeployState): Promise<CheckResult[]> {
  const c = stepContext(s);
  const r = Reader.of(s, c);
  const results: CheckResult[] = [];
  for (const step of s.steps) {
    if (step.kind === "deploy" && !s.record.contracts[step.name]) {
      results.push({ check: `${step.name} deployed`, ok: false, expected: "recorded", actual: "missing" });
      continue;
    }
    results.push(...(await evaluate(step, r, c)));
  }
  for (const d of deploySteps(s.steps)) {
    if (!d.administered || !s.record.contracts[d.name]) continue;
    const deployerHas = await r.hasRole(d.name, DEFAULT_ADMIN_ROLE, c.deployer);
    results.push({ check: `${d.name}: the deployer holds no DEFAULT_ADMIN_ROLE`, ok: !deployerHas, expected: "false", actual: String(deployerHas) });
  }
  const atBlock = await s.chain.provider.getBlockNumber();
  results.push(...(await provenance(s, atBlock)));
  results.push(...(await roleFindings(s, atBlock)).map((f) => describeFinding(f, atBlock)));
  results.push(...(await checkPrecompiles(s.chain, s.cfg, c.deployer)));
  return results;
}
