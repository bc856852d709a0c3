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
