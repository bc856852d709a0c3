/**
 * Interface first, documented once: every production contract has its interface in
 * contracts/interfaces, which declares every external function, event and error the contract has
 * (OpenZeppelin's AccessControl and reentrancy guard aside), and the contract documents each external
 * function by `@inheritdoc` only, so a reader finds each one's documentation in exactly one place.
 */
import { expect } from "chai";
import { readFileSync } from "fs";
import hre, { artifacts } from "hardhat";
import { productionContracts as listProductionContracts } from "../../scripts/ci/contract-sizes";

type Entry = { type: string; name?: string; inputs?: { type: string }[]; stateMutability?: string };

/** Inherited unchanged from OpenZeppelin; documented there. */
const OPENZEPPELIN = new Set([
  "hasRole",
  "getRoleAdmin",
  "grantRole",
  "revokeRole",
  "renounceRole",
  "supportsInterface",
  "DEFAULT_ADMIN_ROLE",
  "RoleGranted",
  "RoleRevoked",
  "RoleAdminChanged",
  "AccessControlUnauthorizedAccount",
  "AccessControlBadConfirmation",
  "ReentrancyGuardReentrantCall",
]);

const signature = (e: Entry) => `${e.type} ${e.name}(${(e.inputs ?? []).map((i) => i.type).join(",")})`;

/** The production contracts, as the size gate counts them. */
async function productionContracts(): Promise<{ name: string; source: string; abi: Entry[] }[]> {
  // OpenZeppelin's TimelockController is compiled from its own package's path, so it is not among them.
  return (await listProductionContracts(hre)).map((c) => ({ name: c.contract, source: c.source, abi: c.abi }));
}

/** Every error declared in contracts/interfaces or in a library the suite uses. */
async function declaredErrors(): Promise<Set<string>> {
  const errors = new Set<string>();
  for (const fqn of await artifacts.getAllFullyQualifiedNames()) {
    const [source, name] = fqn.split(":");
    const library = source.startsWith("contracts/libraries/") || source.startsWith("contracts/precompiles/");
    if (!source.startsWith("contracts/interfaces/") && !library) continue;
    for (const e of (await artifacts.readArtifact(`${source}:${name}`)).abi as Entry[]) {
      if (e.type === "error") errors.add(signature(e));
    }
  }
  return errors;
}

describe("interfaces: complete and documented once", function () {
  it("finds the suite's production contracts", async function () {
    const names = (await productionContracts()).map((c) => c.name).sort();
    expect(names).to.include.members([
      "NetworkAttestations",
      "NodeDirectory",
      "NodeLens",
      "ServiceNodeRegistry",
      "ServiceNodeRewards",
      "SessionBridge",
      "StorageCommitment",
      "SwarmCoordinator",
    ]);
  });

  it("each production contract's interface declares every external function, event and error it has", async function () {
    const errors = await declaredErrors();
    const gaps: string[] = [];
    for (const c of await productionContracts()) {
      const iface = await artifacts.readArtifact(`I${c.name}`);
      const declared = new Map((iface.abi as Entry[]).map((e) => [signature(e), e]));
      for (const e of c.abi) {
        if (!e.name || OPENZEPPELIN.has(e.name)) continue;
        if (e.type === "error") {
          if (!errors.has(signature(e))) gaps.push(`${c.name}: ${signature(e)} is declared in no interface or library`);
          continue;
        }
        const d = declared.get(signature(e));
        if (!d) gaps.push(`${c.name}: ${signature(e)} is missing from I${c.name}`);
        else if (d.stateMutability !== e.stateMutability) {
          gaps.push(`${c.name}: ${signature(e)} is ${e.stateMutability}, I${c.name} says ${d.stateMutability}`);
        }
      }
    }
    expect(gaps, gaps.join("\n")).to.deep.equal([]);
  });

  it("each production contract documents its external functions and public variables by @inheritdoc only", async function () {
    const undocumented: string[] = [];
    // The contracts' own files and the abstract parts they inherit (RegistryState, GuardianPause).
    const sources = new Set((await productionContracts()).map((c) => c.source));
    for (const fqn of await artifacts.getAllFullyQualifiedNames()) {
      const [source] = fqn.split(":");
      if (/^contracts\/(registry|swarm|storage|rewards|attestations|bridge|lens|governance)\//.test(source)) sources.add(source);
    }
    for (const source of sources) {
      const lines = readFileSync(source, "utf8").split("\n");
      lines.forEach((line, i) => {
        const fn = /^\s*function\s+(\w+)\s*\(/.exec(line);
        const variable = /^\s*[\w.() =>]+\s+public\s+(?:constant\s+|immutable\s+)?(\w+)/.exec(line);
        const name = fn?.[1] ?? variable?.[1];
        if (!name) return;
        // A function's visibility may sit on a later line of its header.
        const header = fn ? lines.slice(i, i + 8).join(" ").split("{")[0] : line;
        if (fn && !/\b(external|public)\b/.test(header)) return;
        let j = i;
        const doc: string[] = [];
        // Plain comments (a linter directive) may sit between the documentation and the declaration.
        while (j > 0 && lines[j - 1].trim().startsWith("//")) {
          const l = lines[--j].trim();
          if (l.startsWith("///")) doc.unshift(l);
        }
        if (!doc.some((d) => d.startsWith("/// @inheritdoc"))) undocumented.push(`${source}:${i + 1} ${name}`);
        else if (doc.some((d) => d.startsWith("/// @notice"))) undocumented.push(`${source}:${i + 1} ${name} (documented twice)`);
      });
    }
    expect(undocumented, undocumented.join("\n")).to.deep.equal([]);
  });
});
