/**
 * The deployed bytecode size of every production contract (contracts/, not mocks), read from the
 * compiled artifacts. Shared by the size gate (`npm run sizes`) and the gas snapshot (`size.<Name>`).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

export async function productionContractSizes(hre: HardhatRuntimeEnvironment): Promise<{ contract: string; bytes: number }[]> {
  const out: { contract: string; bytes: number }[] = [];
  for (const fqn of await hre.artifacts.getAllFullyQualifiedNames()) {
    const [source] = fqn.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/mocks/")) continue;
    const artifact = await hre.artifacts.readArtifact(fqn);
    const bytes = (artifact.deployedBytecode.length - 2) / 2;
    // Interfaces deploy nothing; a library of internal functions deploys a stub that is never used.
    if (bytes === 0 || !artifact.abi.some((e: { type: string }) => e.type === "function")) continue;
    out.push({ contract: artifact.contractName, bytes });
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}
