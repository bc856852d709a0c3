/**
 * The Pars network table: chain ids, precompile profiles and addresses, and default RPC endpoints.
 *
 * Precompile addresses are defaults only: every contract that calls a precompile takes its profile and
 * address as constructor parameters, because the addresses have moved between Lux releases and the
 * Pars PIPs describe another interface than the chain runs (DESIGN §3).
 */
import { Contract, type ContractRunner } from "ethers";
import type { PQProfile } from "./pq";

export type { PQProfile } from "./pq";

/** Every precompile profile, in the order of the contracts' `PQPrecompiles.Profile` enum. */
export const PQ_PROFILES = ["lux", "pip"] as const satisfies readonly PQProfile[];

/** The value of a profile in the contracts' `PQPrecompiles.Profile` enum (`PQ_PROFILE()` views). */
export function pqProfileId(profile: PQProfile): number {
  return PQ_PROFILES.indexOf(profile);
}

/** The profile a contract's `PQ_PROFILE()` names. */
export function pqProfileFromId(id: number | bigint): PQProfile {
  const profile = PQ_PROFILES[Number(id)];
  if (profile === undefined) throw new Error(`unknown precompile profile ${id} (known: ${PQ_PROFILES.join(", ")})`);
  return profile;
}

/** A contract that knows its precompile profile (NodeDirectory, StorageCommitment) or its directory (the registry). */
export type ProfileSource =
  | { PQ_PROFILE(): Promise<bigint | number> }
  | { DIRECTORY(): Promise<string>; runner: ContractRunner | null };

/**
 * The precompile profile of a deployment, read from a deployed contract's `PQ_PROFILE()` (the
 * directory's, for the registry): signatures for a deployment bind the context of its profile, never
 * a guessed one.
 */
export async function pqProfileOf(contract: ProfileSource): Promise<PQProfile> {
  if ("PQ_PROFILE" in contract) return pqProfileFromId(await contract.PQ_PROFILE());
  const directory = new Contract(await contract.DIRECTORY(), ["function PQ_PROFILE() view returns (uint8)"], contract.runner);
  return pqProfileFromId(await directory.PQ_PROFILE());
}

/**
 * The PQ precompile addresses of each profile:
 * - `lux`: the chain's code, luxfi/evm with luxfi/precompile v0.19 (`mldsa/module.go`, `mlkem/module.go`).
 * - `pip`: PIP-0000 / PIP-0007 / PIP-0008.
 */
export const PQ_PRECOMPILES = {
  lux: {
    mldsa: "0x0000000000000000000000000000000000012202",
    mlkem: "0x0000000000000000000000000000000000012201",
  },
  pip: {
    mldsa: "0x0000000000000000000000000000000000000601",
    mlkem: "0x0000000000000000000000000000000000000603",
  },
} as const satisfies Record<PQProfile, { mldsa: string; mlkem: string }>;

/**
 * The LX precompiles in the Lux code (luxfi/precompile `dex` constants; only LXPool is a registered
 * module there). They speak the Lux LX API (`getBBO(MarketId)`, `getPrice(AssetId)`), not PIP-0008's
 * interface that `ILXBook` / `ILXFeed` and the mocks follow; listed for reference.
 */
export const LUX_DEX_PRECOMPILES = {
  lxPool: "0x0000000000000000000000000000000000009010",
  lxBook: "0x0000000000000000000000000000000000009020",
  lxFeed: "0x0000000000000000000000000000000000009040",
} as const;

/** Default precompile addresses: the `lux` PQ precompiles, PIP-0008's LXBook / LXFeed, Warp. */
export const PRECOMPILES = {
  mldsa: PQ_PRECOMPILES.lux.mldsa as string,
  mlkem: PQ_PRECOMPILES.lux.mlkem as string,
  lxBook: "0x0000000000000000000000000000000000002000",
  lxFeed: "0x0000000000000000000000000000000000002300",
  warp: "0x0200000000000000000000000000000000000005",
} as const;

export type PrecompileAddresses = { -readonly [K in keyof typeof PRECOMPILES]: string };

/** The default addresses of a profile (its PQ precompiles, and the shared others). */
export function precompilesFor(profile: PQProfile): PrecompileAddresses {
  return { ...PRECOMPILES, ...PQ_PRECOMPILES[profile] };
}

/** The RPC path a parsd node serves the Pars EVM chain on. */
export const PARS_RPC_PATH = "/ext/bc/C/rpc";

export interface ParsNetwork {
  /** Hardhat network name. */
  name: string;
  chainId: number;
  /** Used when `<envPrefix>_RPC_URL` is not set: a local parsd node, never a public host. */
  defaultRpcUrl: string;
  /** Environment variable prefix: `<envPrefix>_RPC_URL`, `<envPrefix>_PRIVATE_KEY`. */
  envPrefix: string;
  /** The precompile profile a deployment on this network uses by default. */
  pqProfile: PQProfile;
  precompiles: PrecompileAddresses;
  /** True where the precompiles are served by the local TypeScript host (installParsPrecompiles). */
  localPrecompiles: boolean;
}

function net(name: string, chainId: number, defaultRpcUrl: string, envPrefix: string, local: boolean): ParsNetwork {
  return { name, chainId, defaultRpcUrl, envPrefix, pqProfile: "lux", precompiles: precompilesFor("lux"), localPrecompiles: local };
}

/** The port parsd serves its HTTP API on (luxd alone serves 9650). */
export const PARSD_HTTP_PORT = 9660;

export const NETWORKS = {
  parsMainnet: net("parsMainnet", 7070, `http://127.0.0.1:${PARSD_HTTP_PORT}${PARS_RPC_PATH}`, "PARS_MAINNET", false),
  parsTestnet: net("parsTestnet", 7071, `http://127.0.0.1:${PARSD_HTTP_PORT}${PARS_RPC_PATH}`, "PARS_TESTNET", false),
  parsDevnet: net("parsDevnet", 7072, `http://127.0.0.1:${PARSD_HTTP_PORT}${PARS_RPC_PATH}`, "PARS_DEVNET", false),
  hardhat: net("hardhat", 31337, "", "HARDHAT", true),
  localhost: net("localhost", 31337, "http://127.0.0.1:8545", "LOCALHOST", true),
} as const satisfies Record<string, ParsNetwork>;

export type ParsNetworkName = keyof typeof NETWORKS;

/** The network entry for a chain id (the first match; 31337 resolves to `hardhat`). */
export function networkByChainId(chainId: number | bigint): ParsNetwork | undefined {
  const id = Number(chainId);
  return Object.values(NETWORKS).find((n) => n.chainId === id);
}

/** Thrown when a script is pointed at a node whose chain id differs from the configured network's. */
export class ChainIdMismatchError extends Error {
  constructor(
    readonly network: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `chain id mismatch: network "${network}" is configured for chain ${expected}, ` +
        `but the node at its RPC URL reports chain ${actual}. Refusing to continue.`,
    );
    this.name = "ChainIdMismatchError";
  }
}

/** Minimal provider surface, so the guard works with hre.network.provider and ethers providers alike. */
export interface ChainIdSource {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/**
 * Stops with a clear message unless the node answers with the chain id configured for `network`.
 * Every script that sends transactions calls this first.
 */
export async function assertChainId(provider: ChainIdSource, network: string, expected: number): Promise<number> {
  const actual = Number(BigInt((await provider.request({ method: "eth_chainId" })) as string));
  if (actual !== expected) throw new ChainIdMismatchError(network, expected, actual);
  return actual;
}
