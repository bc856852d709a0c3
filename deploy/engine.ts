/**
 * Runs a list of deployment steps against a chain: plans (reading what is already there), shows the
 * plan, sends only what is missing, records every deployment in `deployments/<chainId>.json` as it
 * happens, hands the admin roles to the timelock, and finally reads everything back.
 *
 * Idempotent: a step whose check passes is skipped, so a second run sends nothing. A run that stopped
 * half-way resumes where it stopped. Once the deployer has renounced its admin roles, a check that
 * fails cannot be fixed by this tool: the run stops and prints the timelock proposal that would fix it.
 */
import * as fs from "fs";
import {
  Contract,
  Interface,
  concat,
  formatEther,
  ZeroHash,
  getAddress,
  getCreateAddress,
  id as keccakId,
  isAddress,
  type InterfaceAbi,
} from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { DEPLOYMENT_FORMAT, deploymentPath, type ContractDeployment, type Deployment, type RecordedValue } from "../src/deployments";
import { probePrecompiles } from "../src/precompiles/probe";
import { RevertDecoder } from "../src/revert";
import type { Chain, Sender } from "../src/cli/chain";
import { confirm, ParsTaskError, type Output } from "../src/cli/io";
import { prepareTx, printDryRun, showCost, sendPrepared, type PreparedTx, type SendFlags, type TxIntent } from "../src/cli/tx";
import { probeOptions, type ResolvedConfig } from "./config";
import { checkCreation, checkRuntimeCode, readArtifactCode } from "./provenance";
import { compareRoles, configuredRoles, describeFinding, isAccessControlled, DEFAULT_ADMIN_ROLE, type AccessControlled, type RoleFinding } from "./roles";
import { stepName, type DeployStep, type Step, type StepContext, type Value } from "./steps";

const ADMIN_ROLE = ZeroHash;

export interface CheckResult {
  check: string;
  ok: boolean;
  expected?: string;
  actual?: string;
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

export interface EngineInput {
  hre: HardhatRuntimeEnvironment;
  chain: Chain;
  sender: Sender;
  cfg: ResolvedConfig;
  steps: Step[];
  dir: string;
  flags: SendFlags;
  out: Output;
}

interface Action {
  name: string;
  /** The contract the call goes to, or the one deployed. */
  contract: string;
  /** Builds the transaction once earlier actions have run (addresses are then known). */
  intent(c: StepContext): TxIntent;
  deploy?: DeployStep;
  /**
   * Re-checked just before sending: steps planned against contracts that did not exist yet may
   * already hold (a constructor argument set the value) and are then skipped.
   */
  satisfied?(c: StepContext, r: Reader): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------

function jsonSafe(v: unknown): RecordedValue {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v as RecordedValue;
}

export function loadRecord(dir: string, chainId: number): Deployment | undefined {
  const file = deploymentPath(chainId, dir);
  if (!fs.existsSync(file)) return undefined;
  const d = JSON.parse(fs.readFileSync(file, "utf8")) as Deployment;
  if (d.format !== DEPLOYMENT_FORMAT || d.chainId !== chainId) throw new ParsTaskError(`${file}: not a format-${DEPLOYMENT_FORMAT} record of chain ${chainId}`);
  return d;
}

export function saveRecord(dir: string, d: Deployment): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = deploymentPath(d.chainId, dir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(d, null, 2) + "\n");
  fs.renameSync(tmp, file);
  return file;
}

/**
 * Whether every recorded contract is still on this chain (code at its address, and the deployment
 * block still has the recorded hash). A local chain that was restarted fails this.
 */
async function recordIsCurrent(chain: Chain, d: Deployment): Promise<string | undefined> {
  for (const [name, c] of Object.entries(d.contracts)) {
    const code = await chain.provider.getCode(c.address);
    if (code === "0x") return `${name} has no code at ${c.address}`;
    const block = await chain.provider.getBlock(c.blockNumber);
    if (!block || block.hash !== c.blockHash) return `block ${c.blockNumber} (${name}'s deployment) has a different hash`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Reading the chain
// ---------------------------------------------------------------------------------------------------

function norm(v: unknown): string {
  if (typeof v === "string" && isAddress(v)) return getAddress(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return v.toString();
  return String(v);
}

class Reader {
  private readonly roleIds = new Map<string, string>();
  constructor(
    private readonly chain: Chain,
    private readonly abis: Record<string, InterfaceAbi>,
    private readonly ctx: StepContext,
  ) {}

  code(address: string): Promise<string> {
    return this.chain.provider.getCode(address);
  }

  contract(name: string): Contract {
    return new Contract(this.ctx.addr(name), this.abis[name], this.chain.provider);
  }

  async roleId(name: string, role: string): Promise<string> {
    if (role === "DEFAULT_ADMIN_ROLE") return ADMIN_ROLE;
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
async function evaluate(step: Step, r: Reader, c: StepContext): Promise<CheckResult[]> {
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

// ---------------------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------------------

export class DeploymentEngine {
  private record!: Deployment;
  private abis: Record<string, InterfaceAbi> = {};
  private bytecode: Record<string, string> = {};
  private readonly decoder = new RevertDecoder();
  private readonly predicted: Record<string, string> = {};

  constructor(private readonly input: EngineInput) {}

  private get deploySteps(): DeployStep[] {
    return this.input.steps.filter((s): s is DeployStep => s.kind === "deploy");
  }

  private ctx(): StepContext {
    const { cfg } = this.input;
    return {
      cfg,
      deployer: cfg.deployer,
      addr: (name) => {
        const a = this.record.contracts[name]?.address ?? this.predicted[name];
        if (!a) throw new ParsTaskError(`${name} is neither deployed nor planned`);
        return a;
      },
      has: (name) => this.deploySteps.some((s) => s.name === name),
    };
  }

  private async loadArtifacts(): Promise<void> {
    for (const s of this.deploySteps) {
      const a = await this.input.hre.artifacts.readArtifact(s.artifact);
      this.abis[s.name] = a.abi as InterfaceAbi;
      this.bytecode[s.name] = a.bytecode;
      this.decoder.add(s.name, a.abi as InterfaceAbi);
    }
  }

  private async loadOrStartRecord(): Promise<void> {
    const { chain, cfg, dir, out, sender } = this.input;
    const existing = loadRecord(dir, chain.chainId);
    if (existing) {
      const stale = await recordIsCurrent(chain, existing);
      if (!stale) {
        this.record = existing;
        return;
      }
      if (chain.chainId !== 31337) {
        throw new ParsTaskError(
          `${deploymentPath(chain.chainId, dir)} does not match chain ${chain.chainId}: ${stale}. Refusing to continue; ` +
            "check the RPC URL, or move the record aside if the deployment is really gone",
        );
      }
      out.progress(`note: the recorded local deployment is gone (${stale}); the local chain was reset, deploying afresh`);
    }
    this.record = {
      format: DEPLOYMENT_FORMAT,
      chainId: chain.chainId,
      network: cfg.network,
      deployer: getAddress(sender.address),
      governance: { timelock: "", minDelaySeconds: Number(cfg.timelock.minDelay), handedOver: false },
      contracts: {},
      transactions: [],
    };
  }

  private save(): string {
    return saveRecord(this.input.dir, this.record);
  }

  /** What must be sent, in order, given what the chain holds now. */
  private async plan(): Promise<{ actions: Action[]; governance: Action[] }> {
    const c = this.ctx();
    const r = new Reader(this.input.chain, this.abis, c);
    const deployed = (name: string) => Boolean(this.record.contracts[name]);
    const actions: Action[] = [];
    const governance: Action[] = [];
    const adminOf = new Map<string, boolean>();
    const deployerIsAdmin = async (name: string) => {
      if (!deployed(name)) return true;
      if (!adminOf.has(name)) adminOf.set(name, await r.hasRole(name, "DEFAULT_ADMIN_ROLE", c.deployer));
      return adminOf.get(name)!;
    };
    const call = (contract: string, name: string, fn: string, args: (c: StepContext) => unknown[], step?: Step): Action => ({
      name,
      contract,
      intent: (cc) => ({ description: name, to: cc.addr(contract), data: new Interface(this.abis[contract]).encodeFunctionData(fn, args(cc)) }),
      satisfied: step ? async (cc, rr) => (await evaluate(step, rr, cc)).every((x) => x.ok) : undefined,
    });
    const need = async (a: Action) => ((await deployerIsAdmin(a.contract)) ? actions : governance).push(a);

    // Deployments go first, in list order; their addresses follow from the deployer's nonce, so the
    // wiring can be planned (and shown in a dry run) before anything exists.
    const nonce = await this.input.chain.provider.getTransactionCount(c.deployer, "pending");
    for (const s of this.deploySteps) {
      if (deployed(s.name)) continue;
      this.predicted[s.name] = getCreateAddress({ from: c.deployer, nonce: nonce + actions.length });
      actions.push({
        name: `deploy ${s.name}`,
        contract: s.name,
        deploy: s,
        intent: (cc) => ({
          description: `deploy ${s.name}`,
          data: concat([this.bytecode[s.name], new Interface(this.abis[s.name]).encodeDeploy(s.args(cc))]),
        }),
      });
    }
    for (const s of this.input.steps) {
      if (s.kind === "deploy" || s.kind === "expect" || s.kind === "roles") continue;
      const contract = s.contract;
      if (s.kind === "set") {
        if (s.value(c) === undefined) continue;
        if (deployed(contract) && (await evaluate(s, r, c)).every((x) => x.ok)) continue;
        await need(call(contract, stepName(s), s.setter, (cc) => [s.value(cc)], s));
      } else if (s.kind === "grant") {
        if (deployed(contract) && (await evaluate(s, r, c)).every((x) => x.ok)) continue;
        await need(call(contract, stepName(s), "grantRole", (cc) => [keccakId(s.role), s.account(cc)], s));
      } else if (s.kind === "once") {
        if (!s.enabled(c)) continue;
        if (deployed(contract) && (await evaluate(s, r, c)).every((x) => x.ok)) continue;
        await need(call(contract, stepName(s), s.call, () => [], s));
      }
    }

    // The hand-over comes last: afterwards the deployer can change nothing.
    for (const s of this.deploySteps.filter((d) => d.administered)) {
      const timelockHas = deployed(s.name) && deployed("TimelockController") && (await r.hasRole(s.name, "DEFAULT_ADMIN_ROLE", c.addr("TimelockController")));
      if (!timelockHas) {
        await need(call(s.name, `${s.name}.grantRole(DEFAULT_ADMIN_ROLE, timelock)`, "grantRole", (cc) => [ADMIN_ROLE, cc.addr("TimelockController")]));
      }
      if (await deployerIsAdmin(s.name)) {
        actions.push(call(s.name, `${s.name}.renounceRole(DEFAULT_ADMIN_ROLE, deployer)`, "renounceRole", (cc) => [ADMIN_ROLE, cc.deployer]));
      }
    }
    return { actions, governance };
  }

  /** The timelock proposals that would make the failing steps pass. */
  private proposals(governance: Action[]): Record<string, unknown>[] {
    const c = this.ctx();
    const timelock = new Interface(this.abis.TimelockController);
    return governance.map((a) => {
      const intent = a.intent(c);
      return {
        step: a.name,
        target: intent.to,
        data: intent.data,
        timelock: c.addr("TimelockController"),
        scheduleCalldata: timelock.encodeFunctionData("schedule", [intent.to, 0n, intent.data, ZeroHash, keccakId(a.name), this.input.cfg.timelock.minDelay]),
        executeCalldata: timelock.encodeFunctionData("execute", [intent.to, 0n, intent.data, ZeroHash, keccakId(a.name)]),
      };
    });
  }

  /** Deploys and wires what is missing, hands over, then checks. */
  async run(): Promise<DeployReport> {
    const { chain, out, flags, sender, cfg } = this.input;
    await this.loadArtifacts();
    await this.loadOrStartRecord();
    const { actions, governance } = await this.plan();
    await this.refuseForeignContracts();
    await this.refuseUnexpectedHolders();
    const file = deploymentPath(chain.chainId, this.input.dir);

    const report: DeployReport = { chainId: chain.chainId, network: cfg.network, file, dryRun: flags.dryRun, deployed: [], transactions: [], addresses: {}, checks: [] };
    if (governance.length > 0) {
      out.line(`needs the timelock (the deployer is no longer admin there): ${governance.map((g) => g.name).join(", ")}`);
    }
    if (actions.length === 0 && governance.length === 0) {
      out.line(`chain ${chain.chainId}: the suite is deployed and configured; nothing to send`);
    } else if (actions.length > 0) {
      await this.show(actions);
      if (flags.dryRun) {
        report.transactions = await this.dryRun(actions);
        report.addresses = { ...this.addresses(), ...this.predicted };
        return report;
      }
      await this.showTotal(actions);
      if (!flags.yes && !(await confirm(`Send ${actions.length} transaction(s) from ${sender.address} to chain ${chain.chainId}`))) {
        throw new ParsTaskError("not sent: declined at the prompt");
      }
      await this.execute(actions, report);
    }

    if (governance.length > 0) {
      // What the deployer could do is done (e.g. a contract added to a live suite, with its own
      // wiring and hand-over); the rest needs proposals, built now with the real addresses.
      const proposals = this.proposals(governance);
      throw new ParsTaskError(
        `${report.transactions.length} transaction(s) sent; ${governance.length} step(s) differ from the config where the deployer ` +
          `no longer holds the admin role: ${governance.map((g) => g.name).join(", ")}. Only the timelock can change them now: ` +
          "schedule and execute the proposals in the error details (--json), then run deploy:check; or fix the config if it is " +
          "the config that is wrong",
        { proposals, transactions: report.transactions },
      );
    }

    report.addresses = this.addresses();
    report.checks = await this.check();
    this.record.governance = {
      timelock: this.record.contracts.TimelockController?.address ?? "",
      minDelaySeconds: Number(cfg.timelock.minDelay),
      handedOver: true,
    };
    this.record.checkedAt = new Date().toISOString();
    this.save();
    return report;
  }

  private addresses(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.record.contracts).map(([k, v]) => [k, v.address]));
  }

  private async show(actions: Action[]): Promise<void> {
    const { out, chain, sender } = this.input;
    out.line(`plan for chain ${chain.chainId} (${chain.name}), from ${sender.address}:`);
    actions.forEach((a, i) => out.line(`  ${String(i + 1).padStart(2)}. ${a.name}`));
  }

  /**
   * Every planned transaction, fully prepared with consecutive nonces and the predicted addresses.
   * A call to a contract this run would deploy cannot be estimated before it exists: its entry has
   * the calldata and nonce only.
   */
  private async prepareAll(actions: Action[]): Promise<{ action: Action; intent: TxIntent; nonce: number; prepared?: PreparedTx }[]> {
    const { chain, sender } = this.input;
    let nonce = await chain.provider.getTransactionCount(sender.address, "pending");
    const c = this.ctx();
    const all = [];
    for (const [i, action] of actions.entries()) {
      const intent = action.intent(c);
      const estimable = Boolean(action.deploy) || Boolean(this.record.contracts[action.contract]);
      let prepared: PreparedTx | undefined;
      if (estimable) {
        try {
          prepared = await prepareTx(chain, sender, intent, this.decoder, nonce);
        } catch (e) {
          // A constructor that reads a contract this run deploys first cannot run before it exists.
          if (i === 0 || !actions.slice(0, i).some((a) => a.deploy)) throw e;
        }
      }
      all.push({ action, intent, nonce, prepared });
      nonce++;
    }
    return all;
  }

  /** The cost shown before asking: what can be estimated, and how many calls cannot be yet. */
  private async showTotal(actions: Action[]): Promise<void> {
    const all = await this.prepareAll(actions);
    const known = all.filter((x) => x.prepared);
    const expected = known.reduce((sum, x) => sum + x.prepared!.expectedCost, 0n);
    const max = known.reduce((sum, x) => sum + x.prepared!.maxCost, 0n);
    const gas = known.reduce((sum, x) => sum + x.prepared!.gasEstimate, 0n);
    const rest = all.length - known.length;
    this.input.out.line(
      `estimated: ${gas.toLocaleString("en")} gas, ≈ ${formatEther(expected)} PARS (at most ${formatEther(max)} PARS) for ${known.length} ` +
        `transaction(s)${rest ? `; ${rest} more depend on contracts not deployed yet and are estimated when they are sent` : ""}`,
    );
  }

  /** The --dry-run output: every unsigned transaction. */
  private async dryRun(actions: Action[]): Promise<DeployReport["transactions"]> {
    const { chain, sender, out } = this.input;
    const txs: DeployReport["transactions"] = [];
    for (const { action, intent, nonce, prepared } of await this.prepareAll(actions)) {
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

  private async execute(actions: Action[], report: DeployReport): Promise<void> {
    const { chain, sender, out, flags } = this.input;
    for (const a of actions) {
      const c = this.ctx();
      if (a.satisfied && (await a.satisfied(c, new Reader(chain, this.abis, c)))) {
        out.line(`${a.name}: already as configured, skipped`);
        continue;
      }
      const intent = a.intent(c);
      let p: PreparedTx;
      try {
        p = await prepareTx(chain, sender, intent, this.decoder);
      } catch (e) {
        throw this.stopped(e, report);
      }
      showCost(out, p);
      const sent = await sendPrepared(chain, sender, p, out, this.decoder, flags.confirmations ?? 1).catch((e: unknown) => {
        throw this.stopped(e, report);
      });
      if (a.deploy) {
        const s = a.deploy;
        if (!sent.contractAddress) throw new ParsTaskError(`${a.name}: the receipt has no contract address`);
        const rec: ContractDeployment = {
          abi: s.artifact.split(":")[1],
          artifact: s.artifact,
          address: getAddress(sent.contractAddress),
          blockNumber: sent.blockNumber,
          blockHash: sent.blockHash,
          transactionHash: sent.hash,
          args: jsonSafe(s.args(this.ctx())) as RecordedValue[],
        };
        this.record.contracts[s.name] = rec;
        if (s.name === "TimelockController") this.record.governance.timelock = rec.address;
        report.deployed.push(s.name);
        out.line(`${s.name} at ${rec.address}`);
      } else {
        this.record.transactions.push({ step: a.name, hash: sent.hash, blockNumber: sent.blockNumber });
      }
      report.transactions.push({ step: a.name, hash: sent.hash, blockNumber: sent.blockNumber });
      this.save();
    }
  }

  private stopped(e: unknown, report: DeployReport): ParsTaskError {
    const err = e instanceof ParsTaskError ? e : new ParsTaskError((e as Error).message);
    return new ParsTaskError(
      `${err.message}\nstopped; ${report.transactions.length} transaction(s) of this run were recorded. ` +
        "Run deploy-suite again to resume where it stopped.",
      err.details,
    );
  }

  /**
   * Every recorded contract of the suite is its artifact (runtime code outside the immutables) and
   * was created by its recorded transaction, from the deployer, with the recorded arguments.
   */
  private async provenance(atBlock: number): Promise<CheckResult[]> {
    const { chain, hre } = this.input;
    const results: CheckResult[] = [];
    for (const s of this.deploySteps) {
      const rec = this.record.contracts[s.name];
      if (!rec) continue;
      const code = await readArtifactCode(hre, s.artifact);
      results.push(await checkRuntimeCode(chain.provider, s.name, rec, code, atBlock));
      results.push(...(await checkCreation(chain.provider, s.name, rec, code, this.record.deployer)));
    }
    return results;
  }

  /**
   * The holders of every role of every deployed access-controlled contract (the timelock's included),
   * rebuilt from the role events up to `atBlock`, against the holders the steps configure.
   */
  private async roleFindings(atBlock: number): Promise<RoleFinding[]> {
    const c = this.ctx();
    const contracts: AccessControlled[] = this.deploySteps
      .filter((s) => this.record.contracts[s.name] && isAccessControlled(this.abis[s.name]))
      .map((s) => ({ name: s.name, address: this.record.contracts[s.name].address, fromBlock: this.record.contracts[s.name].blockNumber, abi: this.abis[s.name] }));
    const table = configuredRoles(
      this.input.steps,
      c,
      contracts.map((x) => x.name),
      this.deploySteps.filter((s) => s.administered).map((s) => s.name),
    );
    return compareRoles(this.input.chain.provider, contracts, table, atBlock);
  }

  /**
   * Before sending anything: a recorded contract that is not its artifact, or not created by its
   * recorded transaction, stops the run; wiring would otherwise grant roles to it or point the suite at it.
   */
  private async refuseForeignContracts(): Promise<void> {
    const wrong = (await this.provenance(await this.input.chain.provider.getBlockNumber())).filter((x) => !x.ok);
    if (wrong.length === 0) return;
    const lines = wrong.map((x) => `  ✗ ${x.check}: expected ${x.expected}, read ${x.actual}`);
    throw new ParsTaskError(
      `${deploymentPath(this.input.chain.chainId, this.input.dir)} records contracts that are not what it says; nothing sent:\n${lines.join("\n")}\n` +
        "Check the record against the chain (and the artifacts against the sources it was deployed from) before running deploy-suite again",
      { failed: wrong },
    );
  }

  /**
   * Before sending anything: an account holding a role the config does not give it (the deployer's
   * own admin role excepted, which the hand-over removes) stops the run. Handing over a suite with
   * such a holder would leave it a power no check of the config shows.
   */
  private async refuseUnexpectedHolders(): Promise<void> {
    const atBlock = await this.input.chain.provider.getBlockNumber();
    const c = this.ctx();
    const administered = new Set(this.deploySteps.filter((s) => s.administered).map((s) => s.name));
    const wrong = (await this.roleFindings(atBlock)).filter(
      (f) => (f.kind === "unexpected" || f.kind === "disagrees") && !(f.role === DEFAULT_ADMIN_ROLE && f.account === getAddress(c.deployer) && administered.has(f.contract)),
    );
    if (wrong.length === 0) return;
    const revocations = wrong
      .filter((f) => f.kind === "unexpected")
      .map((f) => ({
        contract: f.contract,
        role: f.role,
        account: f.account,
        to: c.addr(f.contract),
        data: new Interface(this.abis[f.contract]).encodeFunctionData("revokeRole", [f.roleId, f.account]),
      }));
    const lines = wrong.map((f) => describeFinding(f, atBlock)).map((x) => `  ✗ ${x.check}: expected ${x.expected}, read ${x.actual}`);
    throw new ParsTaskError(
      `chain ${this.input.chain.chainId} has role holders the config does not name; nothing sent:\n${lines.join("\n")}\n` +
        "Revoke them (revokeRole: from the deployer while it administers the contract, otherwise by a timelock proposal; " +
        "the calldata is in the error details with --json), or name them in the config, then run deploy-suite again",
      { unexpected: wrong, revocations },
    );
  }

  /** Reads everything back; throws listing every mismatch. */
  async check(): Promise<CheckResult[]> {
    const { chain, cfg, out } = this.input;
    if (!this.record) {
      await this.loadArtifacts();
      const rec = loadRecord(this.input.dir, chain.chainId);
      if (!rec) throw new ParsTaskError(`no deployment recorded for chain ${chain.chainId} in ${this.input.dir}`);
      const stale = await recordIsCurrent(chain, rec);
      if (stale) throw new ParsTaskError(`the recorded deployment is not on this chain: ${stale}`);
      this.record = rec;
    }
    const c = this.ctx();
    const r = new Reader(chain, this.abis, c);
    const results: CheckResult[] = [];
    for (const s of this.input.steps) {
      if (s.kind === "deploy" && !this.record.contracts[s.name]) {
        results.push({ check: `${s.name} deployed`, ok: false, expected: "recorded", actual: "missing" });
        continue;
      }
      results.push(...(await evaluate(s, r, c)));
    }
    for (const s of this.deploySteps) {
      if (!s.administered || !this.record.contracts[s.name]) continue;
      const deployerHas = await r.hasRole(s.name, "DEFAULT_ADMIN_ROLE", c.deployer);
      results.push({ check: `${s.name}: the deployer holds no DEFAULT_ADMIN_ROLE`, ok: !deployerHas, expected: "false", actual: String(deployerHas) });
    }
    const atBlock = await chain.provider.getBlockNumber();
    results.push(...(await this.provenance(atBlock)));
    results.push(...(await this.roleFindings(atBlock)).map((f) => describeFinding(f, atBlock)));
    results.push(...(await checkPrecompiles(chain, cfg, c.deployer)));

    const failed = results.filter((x) => !x.ok);
    out.line(`post-deploy checks: ${results.length - failed.length}/${results.length} passed`);
    if (failed.length > 0) {
      const lines = failed.map((f) => `  ✗ ${f.check}: expected ${f.expected ?? "ok"}, read ${f.actual ?? "?"}`);
      throw new ParsTaskError(`post-deploy checks failed on chain ${chain.chainId}:\n${lines.join("\n")}`, { failed, checks: results });
    }
    return results;
  }
}

/** The precompiles at the configured addresses answer as the configured profile does (the pre-flight probe). */
async function checkPrecompiles(chain: Chain, cfg: ResolvedConfig, deployer: string): Promise<CheckResult[]> {
  const report = await probePrecompiles(chain.provider, probeOptions(cfg, deployer));
  // The allow-list matters before deploying, not for checking what is deployed.
  return report.checks
    .filter((c) => c.kind !== "allowList")
    .map((c) => ({ check: c.name, ok: c.ok, expected: c.expected, actual: c.actual }));
}
