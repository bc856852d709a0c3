/**
 * Recorded deployments of the suite, one JSON file per chain: `deployments/<chainId>.json`.
 *
 * The deploy task (`npx hardhat deploy-suite`, through `deploy/records.ts`) writes them; this module
 * is their one reader (the tasks and the demo use it too), so tooling and dApps find every
 * contract's address, where and how it was deployed, and which ABI to use.
 *
 * Format (version 1):
 * ```json
 * {
 *   "format": 1, "chainId": 7071, "network": "parsTestnet", "deployer": "0x…",
 *   "governance": { "timelock": "0x…", "minDelaySeconds": 86400, "handedOver": true },
 *   "contracts": {
 *     "ServiceNodeRegistry": {
 *       "abi": "ServiceNodeRegistry",
 *       "artifact": "contracts/registry/ServiceNodeRegistry.sol:ServiceNodeRegistry",
 *       "address": "0x…", "blockNumber": 123, "blockHash": "0x…", "transactionHash": "0x…",
 *       "args": ["0x…", …]
 *     }, …
 *   },
 *   "transactions": [{ "step": "SwarmCoordinator.setRegistry", "hash": "0x…", "blockNumber": 125 }, …]
 * }
 * ```
 * Numbers that may exceed 2^53 (constructor arguments) are decimal strings.
 */
import * as fs from "fs";
import * as path from "path";
import { NETWORKS, type ParsNetworkName } from "./networks";

export const DEPLOYMENT_FORMAT = 1;

/** The contracts of the suite, by the name they are recorded under (= their ABI name). */
export const SUITE_CONTRACTS = [
  "TimelockController",
  "SwarmCoordinator",
  "NetworkAttestations",
  "NodeDirectory",
  "ServiceNodeRegistry",
  "ServiceNodeRewards",
  "StorageCommitment",
  "SessionBridge",
  "NodeLens",
] as const;
export type SuiteContractName = (typeof SUITE_CONTRACTS)[number];

/** A JSON value as recorded (bigints become decimal strings). */
export type RecordedValue = string | number | boolean | null | RecordedValue[] | { [k: string]: RecordedValue };

export interface ContractDeployment {
  /** Name of the ABI (the contract's artifact / TypeChain name). */
  abi: string;
  /** Fully qualified artifact name, `source.sol:Contract`. */
  artifact: string;
  address: string;
  blockNumber: number;
  /** Hash of the deployment block: a later run compares it to tell a reset local chain. */
  blockHash: string;
  transactionHash: string;
  /** Constructor arguments, in order. */
  args: RecordedValue[];
}

/** A wiring, parameter or governance transaction sent after the deployments. */
export interface DeploymentTransaction {
  step: string;
  hash: string;
  blockNumber: number;
}

export interface Deployment {
  format: number;
  chainId: number;
  network: string;
  deployer: string;
  governance: {
    timelock: string;
    minDelaySeconds: number;
    /** True once every contract's admin role is held by the timelock alone. */
    handedOver: boolean;
  };
  contracts: Partial<Record<SuiteContractName, ContractDeployment>> & Record<string, ContractDeployment>;
  transactions: DeploymentTransaction[];
  /** ISO time of the last successful post-deploy check. */
  checkedAt?: string;
}

const ROOTS = [path.resolve(__dirname, ".."), path.resolve(__dirname, "..", "..")];

/**
 * The folder deployments are read from and written to: `PARS_DEPLOYMENTS_DIR` when set, else the
 * package's own `deployments/` (from source or from the build).
 */
export function deploymentsDir(): string {
  const fromEnv = process.env.PARS_DEPLOYMENTS_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  for (const root of ROOTS) {
    const dir = path.join(root, "deployments");
    if (fs.existsSync(dir)) return dir;
  }
  return path.join(ROOTS[0], "deployments");
}

export function deploymentPath(chainId: number | bigint, dir: string = deploymentsDir()): string {
  return path.join(dir, `${Number(chainId)}.json`);
}

/** The recorded deployment on `chainId`, or undefined when there is none. */
export function getDeployment(chainId: number | bigint, dir?: string): Deployment | undefined {
  const file = deploymentPath(chainId, dir);
  if (!fs.existsSync(file)) return undefined;
  const d = JSON.parse(fs.readFileSync(file, "utf8")) as Deployment;
  if (d.format !== DEPLOYMENT_FORMAT) {
    throw new Error(`${file}: deployment format ${d.format}, this package reads format ${DEPLOYMENT_FORMAT}`);
  }
  if (d.chainId !== Number(chainId)) throw new Error(`${file} records chain ${d.chainId}, not ${Number(chainId)}`);
  return d;
}

/** Like getDeployment, but throws a clear error when nothing is recorded. */
export function requireDeployment(chainId: number | bigint, dir?: string): Deployment {
  const d = getDeployment(chainId, dir);
  if (!d) {
    throw new Error(
      `no deployment recorded for chain ${Number(chainId)} (${deploymentPath(chainId, dir)}): ` +
        `set PARS_DEPLOYMENTS_DIR to the folder that holds ${Number(chainId)}.json (the package ships the public networks' in its deployments/), ` +
        "or deploy with `npx hardhat deploy-suite --network <network>` first",
    );
  }
  return d;
}

/** Every recorded deployment in the folder. */
export function listDeployments(dir: string = deploymentsDir()): Deployment[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d+\.json$/.test(f))
    .map((f) => getDeployment(Number(f.slice(0, -5)), dir)!)
    .sort((a, b) => a.chainId - b.chainId);
}

/**
 * The addresses of a deployment: each suite contract by name (typed `string`, so
 * `addresses.SessionBridge` needs no check under `noUncheckedIndexedAccess`), and any other recorded
 * contract by its name.
 */
export type SuiteAddresses = { readonly [K in SuiteContractName]: string } & { readonly [name: string]: string | undefined };

/**
 * Contract name → address on a chain (by chain id or by a network name of src/networks.ts). Reading
 * a suite contract the deployment does not record (one made before it existed) throws, naming it.
 */
export function addressesOf(chain: number | bigint | ParsNetworkName, dir?: string): SuiteAddresses {
  const chainId = typeof chain === "string" ? NETWORKS[chain].chainId : chain;
  const d = requireDeployment(chainId, dir);
  const out: Record<string, string> = Object.fromEntries(Object.entries(d.contracts).map(([name, c]) => [name, c.address]));
  for (const name of SUITE_CONTRACTS) {
    if (name in out) continue;
    Object.defineProperty(out, name, {
      enumerable: false,
      get() {
        throw new Error(`${name} is not in the deployment of chain ${Number(chainId)} (${deploymentPath(chainId, dir)}): it was deployed before ${name} existed`);
      },
    });
  }
  return out as SuiteAddresses;
}

/** The address of one contract, or undefined when the deployment does not include it. */
export function contractAddress(chainId: number | bigint, name: string, dir?: string): string | undefined {
  return getDeployment(chainId, dir)?.contracts[name]?.address;
}
