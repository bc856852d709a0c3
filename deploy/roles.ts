/**
 * Who holds which role, as the chain says and as the config says.
 *
 * The chain's answer is rebuilt from every `RoleGranted` / `RoleRevoked` event of a contract since
 * its creation block (AccessControl emits one for every change, so the events are the complete list
 * of holders; `hasRole` alone can only answer for accounts one already suspects). The config's answer
 * is the list of steps: the accounts its `grant`, `expectRole` and `expectRoles` steps name, and the
 * timelock as the only DEFAULT_ADMIN_ROLE of every contract handed over. A role nobody configured
 * has no holder at all.
 */
import { Contract, ZeroHash, getAddress, id as keccakId, type InterfaceAbi, type JsonRpcApiProvider, type Log } from "ethers";
import { TIMELOCK, type Step, type StepContext } from "./steps";

export const DEFAULT_ADMIN_ROLE = "DEFAULT_ADMIN_ROLE";
export const ROLE_GRANTED = keccakId("RoleGranted(bytes32,address,address)");
export const ROLE_REVOKED = keccakId("RoleRevoked(bytes32,address,address)");
/** Blocks per eth_getLogs request to start with; halved while the node refuses the range. */
export const LOG_RANGE = 10_000;

/** What the log scan needs of a provider (any ethers provider has it). */
export interface LogReader {
  getLogs(filter: { address: string | string[]; topics: (string | string[] | null)[]; fromBlock: number; toBlock: number }): Promise<Log[]>;
}

/** contract name → role name → holders (checksummed addresses). */
export type RoleTable = Map<string, Map<string, Set<string>>>;

/** One account's standing in one role, or a role that is exactly as configured (`kind: "exact"`). */
export interface RoleFinding {
  contract: string;
  /** The role's name, or its id when the contract's ABI has no getter for it. */
  role: string;
  /** The role's id (bytes32), when known. */
  roleId?: string;
  kind: "exact" | "unexpected" | "missing" | "disagrees" | "unknownRole";
  account?: string;
  expected: string[];
  actual: string[];
  /** hasRole's answer, for `disagrees`. */
  hasRole?: boolean;
}

export interface AccessControlled {
  name: string;
  address: string;
  /** The creation block: no event of the contract can be older. */
  fromBlock: number;
  abi: InterfaceAbi;
}

/** Whether an ABI is AccessControl's (hasRole and the two role events). */
export function isAccessControlled(abi: InterfaceAbi): boolean {
  const items = (typeof abi === "string" ? JSON.parse(abi) : abi) as { type: string; name?: string }[];
  const has = (type: string, name: string) => items.some((x) => typeof x === "object" && x.type === type && x.name === name);
  return has("function", "hasRole") && has("event", "RoleGranted") && has("event", "RoleRevoked");
}

/** The role getters of an ABI: constant `bytes32` views named `…_ROLE`, DEFAULT_ADMIN_ROLE first. */
export function roleNames(abi: InterfaceAbi): string[] {
  const items = (typeof abi === "string" ? JSON.parse(abi) : abi) as { type: string; name?: string; inputs?: unknown[]; outputs?: { type: string }[] }[];
  const names = items
    .filter((x) => x.type === "function" && /^[A-Z0-9_]+_ROLE$/.test(x.name ?? "") && (x.inputs ?? []).length === 0 && x.outputs?.length === 1 && x.outputs[0].type === "bytes32")
    .map((x) => x.name!);
  return [DEFAULT_ADMIN_ROLE, ...names.filter((n) => n !== DEFAULT_ADMIN_ROLE).sort()];
}

/**
 * The holders the steps configure, for the named access-controlled contracts. `administered` lists
 * the contracts handed over to the timelock: their DEFAULT_ADMIN_ROLE belongs to it alone.
 */
export function configuredRoles(steps: Step[], c: StepContext, contracts: string[], administered: string[]): RoleTable {
  const table: RoleTable = new Map(contracts.map((n) => [n, new Map<string, Set<string>>()]));
  // An account that names a contract neither recorded nor planned is left out: that contract's own
  // "deployed" check fails already.
  const add = (contract: string, role: string, accounts: () => string[]) => {
    const roles = table.get(contract);
    if (!roles) return;
    let resolved: string[];
    try {
      resolved = accounts();
    } catch {
      return;
    }
    if (!roles.has(role)) roles.set(role, new Set());
    for (const a of resolved) roles.get(role)!.add(getAddress(a));
  };
  for (const name of administered) add(name, DEFAULT_ADMIN_ROLE, () => [c.addr(TIMELOCK)]);
  for (const s of steps) {
    if (s.kind === "grant") add(s.contract, s.role, () => [s.account(c)]);
    else if (s.kind === "roles") add(s.contract, s.role, () => s.accounts(c));
    else if (s.kind === "expect" && s.getter.startsWith("hasRole:")) add(s.contract, s.getter.slice(8), () => [s.args!(c)[0] as string]);
  }
  return table;
}

/**
 * eth_getLogs over [fromBlock, toBlock] in bounded ranges. A node that refuses a range (most public
 * RPCs cap the blocks or the results of one request) is asked again with half the range, down to a
 * single block; the range that worked is kept for the rest of the scan.
 */
export async function getLogsInRanges(
  provider: LogReader,
  filter: { address: string | string[]; topics: (string | string[] | null)[] },
  fromBlock: number,
  toBlock: number,
  range = LOG_RANGE,
): Promise<Log[]> {
  const logs: Log[] = [];
  let from = fromBlock;
  while (from <= toBlock) {
    const to = Math.min(toBlock, from + range - 1);
    try {
      logs.push(...(await provider.getLogs({ ...filter, fromBlock: from, toBlock: to })));
      from = to + 1;
    } catch (e) {
      if (range === 1) throw new Error(`eth_getLogs refused even a single block (${from}): ${(e as Error).message}`);
      range = Math.ceil(range / 2);
    }
  }
  return logs;
}

/** Holders rebuilt from the role events: address (checksummed) → role id → holders. */
export async function holdersFromEvents(
  provider: LogReader,
  contracts: AccessControlled[],
  toBlock: number,
  range = LOG_RANGE,
): Promise<Map<string, Map<string, Set<string>>>> {
  const result = new Map(contracts.map((x) => [getAddress(x.address), new Map<string, Set<string>>()]));
  if (contracts.length === 0) return result;
  const created = new Map(contracts.map((x) => [getAddress(x.address), x.fromBlock]));
  const fromBlock = Math.min(...contracts.map((x) => x.fromBlock));
  const logs = await getLogsInRanges(provider, { address: [...created.keys()], topics: [[ROLE_GRANTED, ROLE_REVOKED]] }, fromBlock, toBlock, range);
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  for (const log of logs) {
    const address = getAddress(log.address);
    if (!result.has(address) || log.blockNumber < created.get(address)! || log.topics.length < 3) continue;
    const roles = result.get(address)!;
    const role = log.topics[1];
    const account = getAddress(`0x${log.topics[2].slice(26)}`);
    if (!roles.has(role)) roles.set(role, new Set());
    if (log.topics[0] === ROLE_GRANTED) roles.get(role)!.add(account);
    else roles.get(role)!.delete(account);
  }
  return result;
}

const sorted = (s: Iterable<string>) => [...s].sort();

/**
 * Compares, for every role of every access-controlled contract, the holders rebuilt from the events
 * with the configured ones (exactly: an extra holder fails as a missing one does), and asks hasRole
 * about every account either side names, at `atBlock`, so events and storage must agree too. A role
 * id in the events that the contract's ABI does not name is a failure whoever holds it.
 */
export async function compareRoles(
  provider: JsonRpcApiProvider,
  contracts: AccessControlled[],
  configured: RoleTable,
  atBlock: number,
  range = LOG_RANGE,
): Promise<RoleFinding[]> {
  const events = await holdersFromEvents(provider, contracts, atBlock, range);
  const findings: RoleFinding[] = [];
  for (const x of contracts) {
    const contract = new Contract(x.address, x.abi, provider);
    const byId = events.get(getAddress(x.address))!;
    const wanted = configured.get(x.name) ?? new Map<string, Set<string>>();
    const names = roleNames(x.abi);
    for (const role of wanted.keys()) {
      if (!names.includes(role)) findings.push({ contract: x.name, role, kind: "unknownRole", expected: sorted(wanted.get(role)!), actual: [] });
    }
    const ids = new Map<string, string>();
    for (const role of names) {
      ids.set(role === DEFAULT_ADMIN_ROLE ? ZeroHash : ((await contract.getFunction(role).staticCall({ blockTag: atBlock })) as string), role);
    }
    for (const [id, role] of ids) {
      const expected = wanted.get(role) ?? new Set<string>();
      const actual = byId.get(id) ?? new Set<string>();
      const base = { contract: x.name, role, roleId: id, expected: sorted(expected), actual: sorted(actual) };
      const found: RoleFinding[] = [];
      for (const a of sorted(actual)) if (!expected.has(a)) found.push({ ...base, kind: "unexpected", account: a });
      for (const a of sorted(expected)) if (!actual.has(a)) found.push({ ...base, kind: "missing", account: a });
      for (const a of sorted(new Set([...actual, ...expected]))) {
        const has = (await contract.getFunction("hasRole").staticCall(id, a, { blockTag: atBlock })) as boolean;
        if (has !== actual.has(a)) found.push({ ...base, kind: "disagrees", account: a, hasRole: has });
      }
      findings.push(...(found.length > 0 ? found : [{ ...base, kind: "exact" as const }]));
    }
    for (const [id, holders] of byId) {
      if (ids.has(id) || holders.size === 0) continue;
      const role = `${id} (a role its ABI does not name)`;
      for (const a of sorted(holders)) findings.push({ contract: x.name, role, roleId: id, kind: "unexpected", account: a, expected: [], actual: sorted(holders) });
    }
  }
  return findings;
}

const list = (xs: string[]) => (xs.length > 0 ? xs.join(", ") : "(none)");

/** A finding as a check line. */
export function describeFinding(f: RoleFinding, atBlock: number): { check: string; ok: boolean; expected: string; actual: string } {
  const events = `${list(f.actual)} (role events to block ${atBlock})`;
  switch (f.kind) {
    case "exact":
      return { check: `${f.contract}: the ${f.role} holders are exactly the configured ones`, ok: true, expected: list(f.expected), actual: events };
    case "unexpected":
      return { check: `${f.contract}: unexpected ${f.role} holder ${f.account}`, ok: false, expected: `only ${list(f.expected)} (the config)`, actual: events };
    case "missing":
      return { check: `${f.contract}: configured ${f.role} holder ${f.account} missing`, ok: false, expected: `${list(f.expected)} (the config)`, actual: events };
    case "disagrees":
      return {
        check: `${f.contract}: hasRole(${f.role}, ${f.account}) at block ${atBlock} disagrees with the role events`,
        ok: false,
        expected: String(!f.hasRole),
        actual: String(f.hasRole),
      };
    case "unknownRole":
      return { check: `${f.contract}: the config names a role ${f.role} the contract's ABI does not have`, ok: false, expected: `a ${f.role}() getter`, actual: "none" };
  }
}
