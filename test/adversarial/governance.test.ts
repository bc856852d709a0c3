/**
 * Every governance or role-gated function, called by every account that does not hold its role.
 *
 * The gates are read from the contracts' own source (onlyRole / onlyRoleOrOpenRole modifiers,
 * `_checkRole` in a body, `if (msg.sender != X) revert E(...)` caller checks, OpenZeppelin's inherited
 * grantRole / revokeRole), checked against the table below, and the ABI of each contract is checked to
 * have no state-changing function that is neither gated nor listed as permissionless by design, so a new
 * function cannot slip in unclassified. Then every gated function is called (eth_call, the arguments
 * irrelevant: the gate is checked first) from each of the suite's accounts and contracts that is not
 * authorised, and must fail with the exact error: AccessControlUnauthorizedAccount(caller, role),
 * UnauthorizedCaller(caller) or TimelockUnauthorizedCaller(caller).
 *
 * Defence: OpenZeppelin AccessControl on every setter and hook; the listed holders of each role are
 * checked too (a role granted to one account too many fails this test).
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract, FunctionFragment, Interface, ParamType } from "ethers";
import { adversarialNet, type AdversarialNet } from "./fixture";

type Gate = { kind: "role"; role: string } | { kind: "roleAdmin" } | { kind: "sender"; allowed: string; error: string };

/** The source with comments removed. */
function code(file: string): string {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
}

/** Role gates of every function declared in `files`, by function name. */
function gatesOf(files: string[]): Map<string, Gate> {
  const gates = new Map<string, Gate>();
  for (const file of files) {
    const src = code(file);
    const starts = [...src.matchAll(/function\s+(\w+)\s*\(/g)];
    for (const [i, m] of starts.entries()) {
      const chunk = src.slice(m.index!, starts[i + 1]?.index ?? src.length);
      const header = chunk.slice(0, chunk.search(/[{;]/));
      const role = header.match(/onlyRole(?:OrOpenRole)?\((\w+)\)/);
      const caller = chunk.match(/(?:msg\.sender|sender) != (?:address\()?(\w+)\)?\)\s*\{?\s*revert (\w+)\(/);
      const checked = chunk.match(/_checkRole\((\w+)\)/);
      if (/onlyRole\(getRoleAdmin\(role\)\)/.test(header)) gates.set(m[1], { kind: "roleAdmin" });
      else if (role) gates.set(m[1], { kind: "role", role: role[1] });
      else if (checked) gates.set(m[1], { kind: "role", role: checked[1] });
      else if (caller) gates.set(m[1], { kind: "sender", allowed: caller[1], error: caller[2] });
    }
  }
  return gates;
}

const contractsDir = hre.config.paths.sources;
const oz = (p: string) => require.resolve(`@openzeppelin/contracts/${p}`);
const ACCESS_CONTROL = oz("access/AccessControl.sol");
const GUARDIAN_PAUSE = path.join(contractsDir, "governance/GuardianPause.sol");

interface Target {
  name: string;
  contract: (f: AdversarialNet) => BaseContract & { interface: Interface };
  sources: string[];
  /** The gated functions, by gate (the table of record; the source must agree). */
  gated: Record<string, string>;
  /** State-changing functions open to anyone by design. */
  permissionless: string[];
}

const TARGETS: Target[] = [
  {
    name: "ServiceNodeRegistry",
    contract: (f) => f.registry,
    sources: [path.join(contractsDir, "registry/ServiceNodeRegistry.sol"), GUARDIAN_PAUSE, ACCESS_CONTROL],
    gated: {
      setStakingRequirement: "DEFAULT_ADMIN_ROLE",
      setLockPeriod: "DEFAULT_ADMIN_ROLE",
      setMissedEpochPenaltyBps: "DEFAULT_ADMIN_ROLE",
      setTreasury: "DEFAULT_ADMIN_ROLE",
      setLifecycleListener: "DEFAULT_ADMIN_ROLE",
      pause: "GUARDIAN_ROLE",
      unpause: "GUARDIAN_ROLE",
      slash: "SLASHER_ROLE",
      decommission: "SLASHER_ROLE",
      setOperatorFee: "caller DIRECTORY",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["register", "contribute", "withdraw", "heartbeat", "heartbeatBatch", "rotateHeartbeatAnchor", "penalize", "requestExit", "payTreasury", "claimCredit", "claimCreditTo", "renounceRole"],
  },
  {
    name: "SwarmCoordinator",
    contract: (f) => f.swarms,
    sources: [path.join(contractsDir, "swarm/SwarmCoordinator.sol"), ACCESS_CONTROL],
    gated: {
      setRegistry: "DEFAULT_ADMIN_ROLE",
      setSwarmListener: "DEFAULT_ADMIN_ROLE",
      addNode: "REGISTRY_ROLE",
      removeNode: "REGISTRY_ROLE",
      reportStorageUsed: "STORAGE_ROLE",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["settle", "renounceRole"],
  },
  {
    name: "NetworkAttestations",
    contract: (f) => f.attestations,
    sources: [path.join(contractsDir, "attestations/NetworkAttestations.sol"), ACCESS_CONTROL],
    gated: {
      setRegistry: "DEFAULT_ADMIN_ROLE",
      setMaxNonSigners: "DEFAULT_ADMIN_ROLE",
      setDeregistrationPenaltyBps: "DEFAULT_ADMIN_ROLE",
      storeKey: "REGISTRY_ROLE",
      activate: "REGISTRY_ROLE",
      deactivate: "REGISTRY_ROLE",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["deregister", "renounceRole"],
  },
  {
    name: "ServiceNodeRewards",
    contract: (f) => f.rewards,
    sources: [path.join(contractsDir, "rewards/ServiceNodeRewards.sol"), ACCESS_CONTROL],
    gated: {
      start: "DEFAULT_ADMIN_ROLE",
      setEmissionBase: "DEFAULT_ADMIN_ROLE",
      setClaimThreshold: "DEFAULT_ADMIN_ROLE",
      setClaimCycle: "DEFAULT_ADMIN_ROLE",
      setTreasury: "DEFAULT_ADMIN_ROLE",
      onNodeActivated: "caller REGISTRY",
      onNodeStakeChanged: "caller REGISTRY",
      onNodeFeeChanged: "caller REGISTRY",
      onNodeDeactivated: "caller REGISTRY",
      onSwarmMove: "caller SWARMS",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["fund", "depositFees", "claim", "claimTo", "payOperator", "payTreasury", "renounceRole"],
  },
  {
    name: "NodeDirectory",
    contract: (f) => f.directory,
    sources: [path.join(contractsDir, "registry/NodeDirectory.sol")],
    gated: {
      setRegistry: "caller DEPLOYER",
      registerKeys: "caller registry",
    },
    // A node's owner (or manager) acts on its own node only: checked per node, not by a role.
    permissionless: ["setEndpoint", "rotateTransportKey", "setManager", "setBeneficiary", "setOperatorFee", "applyFeeChange"],
  },
  {
    name: "StorageCommitment",
    contract: (f) => f.storage,
    sources: [path.join(contractsDir, "storage/StorageCommitment.sol"), GUARDIAN_PAUSE, ACCESS_CONTROL],
    gated: {
      setChallengeBond: "DEFAULT_ADMIN_ROLE",
      setFailedChallengePenaltyBps: "DEFAULT_ADMIN_ROLE",
      setChallengerShareBps: "DEFAULT_ADMIN_ROLE",
      pause: "GUARDIAN_ROLE",
      unpause: "GUARDIAN_ROLE",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["commit", "commitBatch", "publishIdentityKey", "challenge", "respond", "resolve", "withdraw", "renounceRole"],
  },
  {
    name: "SessionBridge",
    contract: (f) => f.bridge,
    sources: [path.join(contractsDir, "bridge/SessionBridge.sol"), GUARDIAN_PAUSE, ACCESS_CONTROL],
    gated: {
      setMessenger: "DEFAULT_ADMIN_ROLE",
      setMaxMessages: "DEFAULT_ADMIN_ROLE",
      setMaxChannels: "DEFAULT_ADMIN_ROLE",
      setChannelPricing: "DEFAULT_ADMIN_ROLE",
      pause: "GUARDIAN_ROLE",
      unpause: "GUARDIAN_ROLE",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["createSession", "joinSession", "sendMessage", "closeSession", "releaseExpiredChannels", "flushFees", "renounceRole"],
  },
  {
    name: "TimelockController",
    contract: (f) => f.timelock,
    sources: [oz("governance/TimelockController.sol"), ACCESS_CONTROL],
    gated: {
      schedule: "PROPOSER_ROLE",
      scheduleBatch: "PROPOSER_ROLE",
      cancel: "CANCELLER_ROLE",
      execute: "EXECUTOR_ROLE",
      executeBatch: "EXECUTOR_ROLE",
      updateDelay: "caller this",
      grantRole: "admin of the role",
      revokeRole: "admin of the role",
    },
    permissionless: ["renounceRole", "onERC721Received", "onERC1155Received", "onERC1155BatchReceived"],
  },
];

/** Who holds what, as deployed (DEFAULT_ADMIN_ROLE is the deployer's stand-in for the timelock). */
const HOLDERS: Record<string, Record<string, string[]>> = {
  ServiceNodeRegistry: { DEFAULT_ADMIN_ROLE: ["admin"], GUARDIAN_ROLE: ["guardian"], SLASHER_ROLE: ["slasher", "attestations", "storage", "twinStorage"] },
  SwarmCoordinator: { DEFAULT_ADMIN_ROLE: ["admin"], REGISTRY_ROLE: ["registry"], STORAGE_ROLE: ["storage", "twinStorage"] },
  NetworkAttestations: { DEFAULT_ADMIN_ROLE: ["admin"], REGISTRY_ROLE: ["registry"] },
  ServiceNodeRewards: { DEFAULT_ADMIN_ROLE: ["admin"] },
  NodeDirectory: {},
  StorageCommitment: { DEFAULT_ADMIN_ROLE: ["admin"], GUARDIAN_ROLE: ["guardian"] },
  SessionBridge: { DEFAULT_ADMIN_ROLE: ["admin"], GUARDIAN_ROLE: ["guardian"] },
  TimelockController: { DEFAULT_ADMIN_ROLE: ["timelock"], PROPOSER_ROLE: ["admin"], CANCELLER_ROLE: ["admin"], EXECUTOR_ROLE: ["admin"] },
};

/** Every account and contract of the fixture, by name. */
async function actors(f: AdversarialNet): Promise<Map<string, string>> {
  const named: [string, { getAddress(): Promise<string> } | { address: string }][] = [
    ["admin", f.admin],
    ["guardian", f.guardian],
    ["treasury", f.treasury],
    ["slasher", f.slasher],
    ["operator", f.operators[0]],
    ["stranger", f.others[0]],
    ["attacker", f.attacker],
    ["registry", f.registry],
    ["directory", f.directory],
    ["swarms", f.swarms],
    ["attestations", f.attestations],
    ["rewards", f.rewards],
    ["storage", f.storage],
    ["twinStorage", f.twinStorage],
    ["bridge", f.bridge],
    ["timelock", f.timelock],
  ];
  const out = new Map<string, string>();
  for (const [name, a] of named) out.set(name, "address" in a ? a.address : await a.getAddress());
  return out;
}

/** A placeholder value of an ABI type (the gate is checked before any argument is used). */
function placeholder(t: ParamType, filler: string): unknown {
  if (t.isArray()) return [];
  if (t.isTuple()) return t.components!.map((c) => placeholder(c, filler));
  if (t.baseType === "address") return filler;
  if (t.baseType === "bool") return false;
  if (t.baseType === "string") return "";
  if (t.baseType === "bytes") return "0x";
  if (t.baseType.startsWith("bytes")) return ethers.ZeroHash.slice(0, 2 + 2 * Number(t.baseType.slice(5)));
  return 0n;
}

/** The revert of `from` calling `fragment` on `contract`, decoded with the contract's errors. */
async function revertOf(contract: BaseContract & { interface: Interface }, fragment: FunctionFragment, from: string) {
  const data = contract.interface.encodeFunctionData(fragment, fragment.inputs.map((i) => placeholder(i, from)));
  try {
    await ethers.provider.call({ from, to: await contract.getAddress(), data });
  } catch (e) {
    const raw = (e as { data?: string }).data;
    const parsed = raw ? contract.interface.parseError(raw) : null;
    return parsed ? { name: parsed.name, args: [...parsed.args] } : { name: `undecoded ${raw}`, args: [] };
  }
  return { name: "no revert", args: [] };
}

describe("adversarial: every gated function called by every unauthorised account", () => {
  it("the gates in the source are exactly the table, and every other state-changing function is permissionless by design", async () => {
    const f = await loadFixture(adversarialNet);
    for (const t of TARGETS) {
      const c = t.contract(f);
      const abiNames = new Set<string>();
      c.interface.forEachFunction((fn) => {
        if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") abiNames.add(fn.name);
      });
      const gates = gatesOf(t.sources);
      const described = [...abiNames]
        .filter((n) => gates.has(n))
        .map((n) => {
          const g = gates.get(n)!;
          return [n, g.kind === "role" ? g.role : g.kind === "roleAdmin" ? "admin of the role" : `caller ${g.allowed}`];
        });
      expect(Object.fromEntries(described), `${t.name} gates`).to.deep.equal(t.gated);
      const open = [...abiNames].filter((n) => !gates.has(n)).sort();
      expect(open, `${t.name}: functions neither gated nor listed as permissionless`).to.deep.equal([...t.permissionless].sort());
    }
  });

  it("each role is held by exactly the listed accounts and contracts", async () => {
    const f = await loadFixture(adversarialNet);
    const who = await actors(f);
    for (const t of TARGETS) {
      const c = t.contract(f) as unknown as { hasRole(role: string, a: string): Promise<boolean> } & BaseContract;
      for (const [role, holders] of Object.entries(HOLDERS[t.name])) {
        const id = role === "DEFAULT_ADMIN_ROLE" ? ethers.ZeroHash : ethers.id(role);
        const actual = [];
        for (const [name, address] of who) if (await c.hasRole(id, address)) actual.push(name);
        expect(actual, `${t.name}.${role}`).to.deep.equal(holders);
      }
    }
  });

  it("refuses each gated call from every account and contract without the role, with the exact error", async () => {
    const f = await loadFixture(adversarialNet);
    const who = await actors(f);
    let refusals = 0;
    for (const t of TARGETS) {
      const c = t.contract(f);
      const self = await c.getAddress();
      const gates = gatesOf(t.sources);
      const fragments: FunctionFragment[] = [];
      c.interface.forEachFunction((fn) => {
        if (t.gated[fn.name]) fragments.push(fn);
      });
      const getter = c as unknown as Record<string, () => Promise<string>> & { hasRole(r: string, a: string): Promise<boolean> };
      for (const fn of fragments) {
        const gate = gates.get(fn.name)!;
        const allowed = gate.kind === "sender" ? (gate.allowed === "this" ? self : await getter[gate.allowed]()) : undefined;
        const role = gate.kind === "role" ? await getter[gate.role]() : ethers.ZeroHash;
        const checks = [...who].map(async ([name, from]) => {
          if (gate.kind === "sender" ? from === allowed : await getter.hasRole(role, from)) return 0;
          const expected = gate.kind === "sender" ? { name: gate.error, args: [from] } : { name: "AccessControlUnauthorizedAccount", args: [from, role] };
          expect(await revertOf(c, fn, from), `${t.name}.${fn.format()} from ${name}`).to.deep.equal(expected);
          return 1;
        });
        refusals += (await Promise.all(checks)).reduce((a: number, b) => a + b, 0);
      }
    }
    // 8 contracts, 64 gated functions, 16 callers less each function's holders.
    expect(refusals).to.be.greaterThan(700);
  });

  it("renounceRole cannot be used on someone else's behalf", async () => {
    const f = await loadFixture(adversarialNet);
    for (const t of TARGETS) {
      const c = t.contract(f);
      const fn = c.interface.getFunction("renounceRole");
      if (!fn) continue; // no roles at all (NodeDirectory)
      const data = c.interface.encodeFunctionData(fn, [ethers.ZeroHash, f.admin.address]);
      await expect(f.others[0].sendTransaction({ to: await c.getAddress(), data })).to.be.revertedWithCustomError(c, "AccessControlBadConfirmation");
    }
  });
});
