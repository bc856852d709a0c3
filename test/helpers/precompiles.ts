import hre from "hardhat";
import { installParsPrecompiles, type InstalledPrecompiles } from "../../src/precompiles/install";

let installed: InstalledPrecompiles | undefined;

/**
 * Installs the Pars precompiles on the in-process network once per test run. The hook lives on the
 * provider, so it survives loadFixture snapshots and is re-installed by the installer after
 * hardhat_reset.
 */
export async function usePrecompiles(): Promise<InstalledPrecompiles> {
  installed ??= await installParsPrecompiles(hre);
  return installed;
}
