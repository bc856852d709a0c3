/**
 * The connection every task starts with: the chain-id guard first, then an ethers provider over
 * Hardhat's own provider (so `--network` accounts, the in-process network and remote nodes all work),
 * and the account that signs: the node's keystore key, or the network's first configured account.
 */
import { BrowserProvider, Network, Wallet, type Eip1193Provider } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { NETWORKS, assertChainId, ChainIdMismatchError } from "../../src/networks";
import { ParsTaskError } from "./io";

export interface Chain {
  /** Hardhat network name. */
  name: string;
  chainId: number;
  /** Hardhat's EIP-1193 provider of the network. */
  raw: Eip1193Provider;
  provider: BrowserProvider;
  /** The in-process Hardhat network (the precompile host is installed by the tasks themselves). */
  inProcess: boolean;
  /** A local Hardhat network (in-process or `hardhat node`), which mines a block per transaction. */
  local: boolean;
  /** Receipt polling interval. */
  pollMs: number;
}

/** The chain id the selected network is configured for: hardhat.config.ts first, then src/networks.ts. */
export function expectedChainId(hre: HardhatRuntimeEnvironment): number {
  const configured = hre.network.config.chainId;
  if (configured !== undefined) return configured;
  const known = (NETWORKS as Record<string, { chainId: number } | undefined>)[hre.network.name];
  if (known) return known.chainId;
  throw new ParsTaskError(`network "${hre.network.name}" has no chainId in hardhat.config.ts; refusing to guess`);
}

/**
 * Connects to the selected network. Refuses, before anything is sent, when the node's chain id is
 * not the configured one.
 */
export async function connect(hre: HardhatRuntimeEnvironment): Promise<Chain> {
  const expected = expectedChainId(hre);
  const raw = hre.network.provider as unknown as Eip1193Provider;
  try {
    await assertChainId(hre.network.provider, hre.network.name, expected);
  } catch (e) {
    if (e instanceof ChainIdMismatchError) {
      throw new ParsTaskError(e.message, { network: e.network, expectedChainId: e.expected, actualChainId: e.actual }, e);
    }
    throw e;
  }
  const inProcess = hre.network.name === "hardhat";
  if (inProcess) {
    const { installParsPrecompiles } = await import("../../src/precompiles/install");
    await installParsPrecompiles(hre);
  }
  const provider = new BrowserProvider(raw, Network.from(expected), { staticNetwork: true, cacheTimeout: -1 });
  const local = inProcess || expected === NETWORKS.localhost.chainId;
  return { name: hre.network.name, chainId: expected, raw, provider, inProcess, local, pollMs: local ? 100 : 1_000 };
}

/**
 * Who signs: a keystore's EVM key (signed here), an account the network's provider signs for, or
 * an address only (dry runs and checks, which never sign).
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
