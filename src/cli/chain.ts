/**
 * The connection every flow starts with: the chain-id guard first, then an ethers provider over an
 * EIP-1193 provider (Hardhat's, for the tasks; a JSON-RPC URL, for the `pars-node` command), and the
 * account that signs: a key held here, or an account the node signs for.
 */
import { BrowserProvider, Network, Wallet, type Eip1193Provider } from "ethers";
import { NETWORKS, assertChainId, ChainIdMismatchError } from "../networks";
import { ParsTaskError } from "./io";

export interface Chain {
  /** Network name (Hardhat's, or the one the command was given). */
  name: string;
  chainId: number;
  /** The EIP-1193 provider of the network. */
  raw: Eip1193Provider;
  provider: BrowserProvider;
  /** The in-process Hardhat network (the precompile host is installed by the tasks themselves). */
  inProcess: boolean;
  /** A local network (in-process or `hardhat node`), which mines a block per transaction. */
  local: boolean;
  /** Receipt polling interval. */
  pollMs: number;
  /** The node's URL, when known (for messages). */
  url?: string;
}

export interface ConnectOptions {
  name: string;
  /** The chain id the network must have. */
  expectedChainId: number;
  inProcess?: boolean;
  url?: string;
}

/** The chain id a network name stands for in src/networks.ts, if any. */
export function knownChainId(name: string): number | undefined {
  return (NETWORKS as Record<string, { chainId: number } | undefined>)[name]?.chainId;
}

/**
 * Connects to a network over an EIP-1193 provider. Refuses, before anything is sent, when the
 * node's chain id is not the expected one.
 */
export async function connectProvider(raw: Eip1193Provider, opts: ConnectOptions): Promise<Chain> {
  try {
    await assertChainId(raw as Parameters<typeof assertChainId>[0], opts.name, opts.expectedChainId);
  } catch (e) {
    if (e instanceof ChainIdMismatchError) {
      throw new ParsTaskError(e.message, { network: e.network, expectedChainId: e.expected, actualChainId: e.actual }, e);
    }
    throw e;
  }
  const inProcess = opts.inProcess ?? false;
  const provider = new BrowserProvider(raw, Network.from(opts.expectedChainId), { staticNetwork: true, cacheTimeout: -1 });
  const local = inProcess || opts.expectedChainId === NETWORKS.localhost.chainId;
  return { name: opts.name, chainId: opts.expectedChainId, raw, provider, inProcess, local, pollMs: local ? 100 : 1_000, url: opts.url };
}

/**
 * Who signs: a key held here (a node keystore's EVM key, a private key, an ethers JSON wallet), an
 * account the network's provider signs for, or an address only (dry runs and checks, which never
 * sign).
 */
export type Sender =
  | { kind: "wallet"; address: string; wallet: Wallet }
  | { kind: "account"; address: string }
  | { kind: "address"; address: string };

/** The network's first configured account (`accounts` in hardhat.config.ts, or the node's). */
export async function defaultSender(chain: Chain): Promise<Sender> {
  const accounts = (await chain.provider.send("eth_accounts", [])) as string[];
  if (accounts.length === 0) {
    throw new ParsTaskError(
      `network "${chain.name}" has no account to send from: set its private key variable (see README, Networks)` +
        " or pass --keystore",
    );
  }
  return { kind: "account", address: accounts[0] };
}

/** The node accounts of a local network (for `account:N` references in deploy configs). */
export async function nodeAccounts(chain: Chain): Promise<string[]> {
  return (await chain.provider.send("eth_accounts", [])) as string[];
}

export function walletSender(wallet: Wallet, chain: Chain): Sender {
  return { kind: "wallet", address: wallet.address, wallet: wallet.connect(chain.provider) };
}

/** True for a failure to reach the node at all (refused, reset, DNS, Hardhat's HH108). */
export function unreachable(e: unknown): boolean {
  const text = (x: unknown): string => {
    if (!x || typeof x !== "object") return String(x ?? "");
    const o = x as { message?: unknown; code?: unknown; cause?: unknown; parent?: unknown };
    return `${String(o.code ?? "")} ${String(o.message ?? "")} ${o.cause ? text(o.cause) : ""} ${o.parent ? text(o.parent) : ""}`;
  };
  return /HH108|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT|fetch failed|Cannot connect to the network/i.test(text(e));
}

/** What to do when the node of `network` does not answer at `url`. */
export function unreachableMessage(network: string, url: string): string {
  const known = (NETWORKS as Record<string, { envPrefix: string } | undefined>)[network];
  const env = known ? `${known.envPrefix}_RPC_URL` : undefined;
  if (network === "localhost") {
    return `no node answers at ${url} (network localhost): start one with \`npx hardhat node --hostname 127.0.0.1\` (and \`npx hardhat deploy-suite --network localhost --yes\`), or set LOCALHOST_RPC_URL to the URL of a running one`;
  }
  return `no node answers at ${url} (network ${network})${env ? `: set ${env} to the RPC URL of a ${network} node (see README, Networks)` : ": check the network's url in hardhat.config.ts"}`;
}
