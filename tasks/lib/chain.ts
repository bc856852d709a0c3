/**
 * The Hardhat side of the connection: the selected network's chain id and provider, handed to the
 * shared flow of src/cli/chain.ts (the in-process network also gets the precompile host).
 */
import type { Eip1193Provider } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { connectProvider, knownChainId, unreachable, unreachableMessage, type Chain } from "../../src/cli/chain";
import { ParsTaskError } from "./io";

export { defaultSender, nodeAccounts, walletSender, type Chain, type Sender } from "../../src/cli/chain";

/** The chain id the selected network is configured for: hardhat.config.ts first, then src/networks.ts. */
export function expectedChainId(hre: HardhatRuntimeEnvironment): number {
  const configured = hre.network.config.chainId;
  if (configured !== undefined) return configured;
  const known = knownChainId(hre.network.name);
  if (known !== undefined) return known;
  throw new ParsTaskError(`network "${hre.network.name}" has no chainId in hardhat.config.ts; refusing to guess`);
}

/**
 * Connects to the selected network. Refuses, before anything is sent, when the node's chain id is
 * not the configured one.
 */
export async function connect(hre: HardhatRuntimeEnvironment): Promise<Chain> {
  const inProcess = hre.network.name === "hardhat";
  const url = "url" in hre.network.config ? hre.network.config.url : undefined;
  let chain: Chain;
  try {
    chain = await connectProvider(hre.network.provider as unknown as Eip1193Provider, {
      name: hre.network.name,
      expectedChainId: expectedChainId(hre),
      inProcess,
      url,
    });
  } catch (e) {
    if (url !== undefined && unreachable(e)) throw new ParsTaskError(unreachableMessage(hre.network.name, url), { network: hre.network.name, url });
    throw e;
  }
  if (inProcess) {
    const { installParsPrecompiles } = await import("../../src/precompiles/install");
    await installParsPrecompiles(hre);
  }
  return chain;
}
