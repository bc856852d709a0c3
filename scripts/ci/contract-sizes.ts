/**
 * The production contracts (contracts/, not mocks, with deployed code and external functions) and
 * their deployed sizes, read from the compiled artifacts. Shared by the size gate (`npm run sizes`),
 * the gas snapshot (`size.<Name>`) and the interfaces test.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

export interface ProductionContract {
  contract: string;
  /** The source file, e.g. contracts/registry/ServiceNodeRegistry.sol. */
  source: string;
  bytes: number;
  abi: { type: string; name?: string; inputs?: { type: string }[]; stateMutability?: string }[];
}

/** Every production contract, largest first. */
export async function productionContracts(hre: HardhatRuntimeEnvironment): Promise<ProductionContract[]> {
  const out: ProductionContract[] = [];
  for (const fqn of await hre.artifacts.getAllFullyQualifiedNames()) {
    const [source] = fqn.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/mocks/")) continue;
    const artifact = await hre.artifacts.readArtifact(fqn);
    const bytes = (artifact.deployedBytecode.length - 2) / 2;
    // Interfaces deploy nothing; a library of internal functions deploys a stub that is never used.
    if (bytes === 0 || !artifact.abi.some((e: { type: string }) => e.type === "function")) continue;
    out.push({ contract: artifact.contractName, source, bytes, abi: artifact.abi });
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** The deployed size of every production contract, largest first. */
export async function productionContractSizes(hre: HardhatRuntimeEnvironment): Promise<{ contract: string; bytes: number }[]> {
  return (await productionContracts(hre)).map(({ contract, bytes }) => ({ contract, bytes }));
}
