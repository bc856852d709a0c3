/**
 * The step kinds the suite's deployment is written in. Each step can be checked against the chain
 * (read back) and, when the check fails and the deployer still holds the admin role, applied.
 * The same list drives the first deployment, idempotent re-runs and the post-deploy checks.
 */
import type { ResolvedConfig } from "./config";

export interface StepContext {
  cfg: ResolvedConfig;
  deployer: string;
  /** Address of a contract of the suite (recorded, or predicted while planning a dry run). */
  addr(name: string): string;
  /** True when the contract is part of this deployment. */
  has(name: string): boolean;
}

/**
 * The name the timelock is deployed and recorded under: every `administered` contract is handed
 * over to it, and governance proposals go through it.
 */
export const TIMELOCK = "TimelockController";

/** A comparable value read from or written to a contract. */
export type Value = string | bigint | boolean;

/** Deploys a contract (skipped when the recorded one is on chain). */
export interface DeployStep {
  kind: "deploy";
  name: string;
  /** Fully qualified artifact name. */
  artifact: string;
  /** Whether the contract has a DEFAULT_ADMIN_ROLE that must end up with the timelock alone. */
  administered: boolean;
  args(c: StepContext): unknown[];
}

/** `getter()` must equal `value`; `setter(value)` makes it so. Skipped when `value` is undefined. */
export interface SetStep {
  kind: "set";
  contract: string;
  getter: string;
  setter: string;
  value(c: StepContext): Value | undefined;
}

/** `account` must hold `role` (a constant getter such as "SLASHER_ROLE"); grantRole makes it so. */
export interface GrantStep {
  kind: "grant";
  contract: string;
  role: string;
  account(c: StepContext): string;
}

/** A value fixed at construction (immutables, constructor grants): checked, never changed. */
export interface ExpectStep {
  kind: "expect";
  contract: string;
  /** A view function; or `hasRole:<ROLE>` to check a role of `args[0]`. */
  getter: string;
  args?(c: StepContext): unknown[];
  value(c: StepContext): Value;
}

/** Every one of `accounts` must hold `role` (fixed at construction: checked, never changed). */
export interface RolesStep {
  kind: "roles";
  contract: string;
  role: string;
  accounts(c: StepContext): string[];
}

/** A one-time call (e.g. starting emission), when `enabled`; done once `done` reads true. */
export interface OnceStep {
  kind: "once";
  contract: string;
  call: string;
  enabled(c: StepContext): boolean;
  /** A view whose result is non-zero / true once the call was made. */
  doneWhen: string;
}

export type Step = DeployStep | SetStep | GrantStep | ExpectStep | RolesStep | OnceStep;

export const deploy = (name: string, artifact: string, administered: boolean, args: DeployStep["args"]): DeployStep => ({
  kind: "deploy",
  name,
  artifact,
  administered,
  args,
});
export const set = (contract: string, getter: string, setter: string, value: SetStep["value"]): SetStep => ({
  kind: "set",
  contract,
  getter,
  setter,
  value,
});
export const grant = (contract: string, role: string, account: GrantStep["account"]): GrantStep => ({ kind: "grant", contract, role, account });
export const expectValue = (contract: string, getter: string, value: ExpectStep["value"]): ExpectStep => ({
  kind: "expect",
  contract,
  getter,
  value,
});
export const expectRole = (contract: string, role: string, account: (c: StepContext) => string): ExpectStep => ({
  kind: "expect",
  contract,
  getter: `hasRole:${role}`,
  args: (c) => [account(c)],
  value: () => true,
});
export const expectRoles = (contract: string, role: string, accounts: RolesStep["accounts"]): RolesStep => ({
  kind: "roles",
  contract,
  role,
  accounts,
});
export const once = (contract: string, call: string, doneWhen: string, enabled: OnceStep["enabled"]): OnceStep => ({
  kind: "once",
  contract,
  call,
  doneWhen,
  enabled,
});

/** A short name for reports: "ServiceNodeRegistry.setLifecycleListener". */
export function stepName(s: Step): string {
  switch (s.kind) {
    case "deploy":
      return `deploy ${s.name}`;
    case "set":
      return `${s.contract}.${s.setter}`;
    case "grant":
      return `${s.contract}.grantRole(${s.role})`;
    case "expect":
      return `${s.contract}.${s.getter}`;
    case "roles":
      return `${s.contract}.hasRole:${s.role}`;
    case "once":
      return `${s.contract}.${s.call}`;
  }
}
