/**
 * The Pars network table: chain ids, precompile addresses and default RPC endpoints.
 *
 * Precompile addresses are defaults only: every contract that calls a precompile takes its address
 * as a constructor parameter, because the addresses have moved between Lux releases.
 */

/** Precompile addresses of the Pars EVM (DESIGN §3). */
export const PRECOMPILES = {
  mldsa: "0x0000000000000000000000000000000000000601",
  mlkem: "0x0000000000000000000000000000000000000603",
  lxBook: "0x0000000000000000000000000000000000002000",
  lxFeed: "0x0000000000000000000000000000000000002300",
  warp: "0x0200000000000000000000000000000000000005",
} as const;

export type PrecompileAddresses = { -readonly [K in keyof typeof PRECOMPILES]: string };

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
  precompiles: PrecompileAddresses;
  /** True where the precompiles are served by the local TypeScript host (installParsPrecompiles). */
  localPrecompiles: boolean;
}

function net(name: string, chainId: number, defaultRpcUrl: string, envPrefix: string, local: boolean): ParsNetwork {
  return { name, chainId, defaultRpcUrl, envPrefix, precompiles: { ...PRECOMPILES }, localPrecompiles: local };
}

export const NETWORKS = {
  parsMainnet: net("parsMainnet", 7070, `http://127.0.0.1:9650${PARS_RPC_PATH}`, "PARS_MAINNET", false),
  parsTestnet: net("parsTestnet", 7071, `http://127.0.0.1:9650${PARS_RPC_PATH}`, "PARS_TESTNET", false),
  parsDevnet: net("parsDevnet", 7072, `http://127.0.0.1:9650${PARS_RPC_PATH}`, "PARS_DEVNET", false),
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
