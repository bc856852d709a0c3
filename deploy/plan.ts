/**
 * What a deployment run must send, given what the chain and the record hold now: the deployments
 * missing, then every step whose check fails, then the hand-over to the timelock. A step on a
 * contract the deployer no longer administers cannot be sent by it: it becomes a governance action,
 * for which `proposals` builds the timelock calls.
 *
 * A plan is data; nothing here sends, asks or prints.
 */
import { Interface, ZeroHash, concat, getCreateAddress, id as keccakId } from "ethers";
import type { TxIntent } from "../src/cli/tx";
import { foreignContracts, holds, Reader, unexpectedHolders, type CheckResult, type Revocation } from "./checks";
import { DEFAULT_ADMIN_ROLE, type RoleFinding } from "./roles";
import { deploySteps, recordedAddresses, stepContext, type DeployState } from "./state";
import { stepName, TIMELOCK, type DeployStep, type Step, type StepContext } from "./steps";

export interface Action {
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

/** Why nothing may be sent from this record: what the plan would build on is not what it should be. */
export type Refusal =
  /** Recorded contracts that are not their artifact, or not created by their recorded transaction. */
  | { kind: "foreignContracts"; failed: CheckResult[] }
  /** Role holders the config does not name, as of `atBlock`, and the calls that revoke them. */
  | { kind: "unexpectedHolders"; atBlock: number; findings: RoleFinding[]; revocations: Revocation[] };

export interface Plan {
  state: DeployState;
  /** What the deployer sends, in order. */
  actions: Action[];
  /** Steps that fail on contracts the deployer no longer administers: only the timelock can send them. */
  governance: Action[];
  /** Set when the run must not send anything. */
  refusal?: Refusal;
}

/** A timelock proposal that makes a governance action's step pass. */
export interface Proposal {
  step: string;
  target: string | undefined;
  data: string;
  timelock: string;
  scheduleCalldata: string;
  executeCalldata: string;
}

/** Reads the chain and the record and plans the run; records the predicted addresses in `s`. */
export async function plan(s: DeployState): Promise<Plan> {
  const c = stepContext(s);
  const r = Reader.of(s, c);
  const deploys = deploySteps(s.steps);
  const deployed = (name: string) => Boolean(s.record.contracts[name]);
  const actions: Action[] = [];
  const governance: Action[] = [];
  const adminOf = new Map<string, boolean>();
  const deployerIsAdmin = async (name: string) => {
    if (!deployed(name)) return true;
    if (!adminOf.has(name)) adminOf.set(name, await r.hasRole(name, DEFAULT_ADMIN_ROLE, c.deployer));
    return adminOf.get(name)!;
  };
  const call = (contract: string, name: string, fn: string, args: (c: StepContext) => unknown[], step?: Step): Action => ({
    name,
    contract,
    intent: (cc) => ({ description: name, to: cc.addr(contract), data: new Interface(s.abis[contract]).encodeFunctionData(fn, args(cc)) }),
    satisfied: step ? (cc, rr) => holds(step, rr, cc) : undefined,
  });
  const need = async (a: Action) => ((await deployerIsAdmin(a.contract)) ? actions : governance).push(a);

  // Deployments go first, in list order; their addresses follow from the deployer's nonce, so the
  // wiring can be planned (and shown in a dry run) before anything exists.
  const nonce = await s.chain.provider.getTransactionCount(c.deployer, "pending");
  for (const d of deploys) {
    if (deployed(d.name)) continue;
    s.predicted[d.name] = getCreateAddress({ from: c.deployer, nonce: nonce + actions.length });
    actions.push({
      name: `deploy ${d.name}`,
      contract: d.name,
      deploy: d,
      intent: (cc) => ({
        description: `deploy ${d.name}`,
        data: concat([s.bytecode[d.name], new Interface(s.abis[d.name]).encodeDeploy(d.args(cc))]),
      }),
    });
  }
  for (const step of s.steps) {
    if (step.kind === "deploy" || step.kind === "expect" || step.kind === "roles") continue;
    const contract = step.contract;
    if (step.kind === "set") {
      if (step.value(c) === undefined) continue;
      if (deployed(contract) && (await holds(step, r, c))) continue;
      await need(call(contract, stepName(step), step.setter, (cc) => [step.value(cc)], step));
    } else if (step.kind === "grant") {
      if (deployed(contract) && (await holds(step, r, c))) continue;
      await need(call(contract, stepName(step), "grantRole", (cc) => [keccakId(step.role), step.account(cc)], step));
    } else if (step.kind === "once") {
      if (!step.enabled(c)) continue;
      if (deployed(contract) && (await holds(step, r, c))) continue;
      await need(call(contract, stepName(step), step.call, () => [], step));
    }
  }

  // The hand-over comes last: afterwards the deployer can change nothing.
  for (const d of deploys.filter((x) => x.administered)) {
    const timelockHas = deployed(d.name) && deployed(TIMELOCK) && (await r.hasRole(d.name, DEFAULT_ADMIN_ROLE, c.addr(TIMELOCK)));
    if (!timelockHas) {
      await need(call(d.name, `${d.name}.grantRole(DEFAULT_ADMIN_ROLE, timelock)`, "grantRole", (cc) => [ZeroHash, cc.addr(TIMELOCK)]));
    }
    if (await deployerIsAdmin(d.name)) {
      actions.push(call(d.name, `${d.name}.renounceRole(DEFAULT_ADMIN_ROLE, deployer)`, "renounceRole", (cc) => [ZeroHash, cc.deployer]));
    }
  }
  return { state: s, actions, governance, refusal: await refusal(s) };
}

/**
 * Before sending anything: a recorded contract that is not its artifact, or not created by its
 * recorded transaction, refuses the run (wiring would otherwise grant roles to it or point the suite
 * at it); so does an account holding a role the config does not give it (the deployer's own admin
 * role excepted, which the hand-over removes): handing over a suite with such a holder would leave
 * it a power no check of the config shows.
 */
async function refusal(s: DeployState): Promise<Refusal | undefined> {
  const failed = await foreignContracts(s);
  if (failed.length > 0) return { kind: "foreignContracts", failed };
  const holders = await unexpectedHolders(s);
  if (holders.findings.length > 0) return { kind: "unexpectedHolders", ...holders };
  return undefined;
}

/** The recorded addresses and, for the contracts not deployed yet, the predicted ones. */
export function plannedAddresses(p: Plan): Record<string, string> {
  return { ...recordedAddresses(p.state), ...p.state.predicted };
}

/** The timelock proposals that would make the governance actions' steps pass, with the addresses as recorded now. */
export function proposals(p: Plan): Proposal[] {
  const s = p.state;
  const c = stepContext(s);
  const timelock = new Interface(s.abis[TIMELOCK]);
  return p.governance.map((a) => {
    const intent = a.intent(c);
    return {
      step: a.name,
      target: intent.to,
      data: intent.data,
      timelock: c.addr(TIMELOCK),
      scheduleCalldata: timelock.encodeFunctionData("schedule", [intent.to, 0n, intent.data, ZeroHash, keccakId(a.name), s.cfg.timelock.minDelay]),
      executeCalldata: timelock.encodeFunctionData("execute", [intent.to, 0n, intent.data, ZeroHash, keccakId(a.name)]),
    };
  });
}
