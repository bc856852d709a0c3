/**
 * The deployed suite as the operator tasks see it: contracts from the recorded deployment of the
 * connected chain, with their ABIs, and one revert decoder that knows every error they declare.
 */
import { Contract, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { deploymentPath, requireDeployment, type Deployment } from "../../src/deployments";
import { RevertDecoder } from "../../src/revert";
import type {
  NetworkAttestations,
  NodeDirectory,
  ServiceNodeRegistry,
  ServiceNodeRewards,
  SessionBridge,
  StorageCommitment,
  SwarmCoordinator,
} from "../../typechain-types";
import type { Chain } from "./chain";
import { ParsTaskError } from "./io";

export interface LoadedSuite {
  deployment: Deployment;
  registry: ServiceNodeRegistry;
  directory: NodeDirectory;
  swarms: SwarmCoordinator;
  attestations: NetworkAttestations;
  rewards: ServiceNodeRewards;
  /** Contracts a deployment may lack (one made before they existed): undefined then. */
  storage?: StorageCommitment;
  bridge?: SessionBridge;
  abis: Record<string, InterfaceAbi>;
  decoder: RevertDecoder;
}

/** The ABIs of every contract of a deployment, from the compiled artifacts. */
export async function deploymentAbis(hre: HardhatRuntimeEnvironment, d: Deployment): Promise<Record<string, InterfaceAbi>> {
  const abis: Record<string, InterfaceAbi> = {};
  for (const [name, c] of Object.entries(d.contracts)) {
    try {
      abis[name] = (await hre.artifacts.readArtifact(c.artifact)).abi as InterfaceAbi;
    } catch {
      throw new ParsTaskError(`no artifact ${c.artifact} for ${name}: run \`npx hardhat compile\` on the code that was deployed`);
    }
  }
  return abis;
}

export function decoderFor(abis: Record<string, InterfaceAbi>): RevertDecoder {
  const decoder = new RevertDecoder();
  for (const [name, abi] of Object.entries(abis)) decoder.add(name, abi);
  return decoder;
}

export async function loadSuite(hre: HardhatRuntimeEnvironment, chain: Chain): Promise<LoadedSuite> {
  let deployment: Deployment;
  // Without --network the tasks run on Hardhat's in-process network, which starts empty every run.
  const noNetwork = chain.inProcess
    ? " (no --network given: the task ran on Hardhat's in-process network, which starts empty every run; pass --network localhost for a `hardhat node`, or --network parsTestnet …)"
    : "";
  try {
    deployment = requireDeployment(chain.chainId);
  } catch (e) {
    throw new ParsTaskError(`${(e as Error).message}${noNetwork}`);
  }
  const registryAddress = deployment.contracts.ServiceNodeRegistry?.address;
  if (registryAddress && (await chain.provider.getCode(registryAddress)) === "0x") {
    throw new ParsTaskError(
      `no contract at ${registryAddress}, the ServiceNodeRegistry recorded for chain ${chain.chainId} in ${deploymentPath(chain.chainId)}, on network ${chain.name}${chain.url ? ` (${chain.url})` : ""}` +
        (noNetwork || ": the node is not the chain the deployment was recorded on (a restarted local node starts empty: run deploy-suite again)"),
      { network: chain.name, url: chain.url, address: registryAddress },
    );
  }
  const abis = await deploymentAbis(hre, deployment);
  const at = <T>(name: string): T => {
    const rec = deployment.contracts[name];
    if (!rec) throw new ParsTaskError(`${name} is not in the deployment of chain ${chain.chainId}`);
    return new Contract(rec.address, abis[name], chain.provider) as unknown as T;
  };
  const optional = <T>(name: string): T | undefined => (deployment.contracts[name] ? at<T>(name) : undefined);
  return {
    deployment,
    registry: at<ServiceNodeRegistry>("ServiceNodeRegistry"),
    directory: at<NodeDirectory>("NodeDirectory"),
    swarms: at<SwarmCoordinator>("SwarmCoordinator"),
    attestations: at<NetworkAttestations>("NetworkAttestations"),
    rewards: at<ServiceNodeRewards>("ServiceNodeRewards"),
    storage: optional<StorageCommitment>("StorageCommitment"),
    bridge: optional<SessionBridge>("SessionBridge"),
    abis,
    decoder: decoderFor(abis),
  };
}
