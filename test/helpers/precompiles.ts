import hre from "hardhat";
import { installParsPrecompiles, type InstalledPrecompiles } from "../../src/precompiles/install";
import type { PQProfile } from "../../src/pq";

/**
 * The precompile profile the suite's contracts are deployed with in tests: `lux` (the chain's code),
 * unless `PARS_TEST_PROFILE=pip`. The `pip` profile keeps its own tests on every PQ path.
 */
export const TEST_PROFILE: PQProfile = process.env.PARS_TEST_PROFILE === "pip" ? "pip" : "lux";

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
