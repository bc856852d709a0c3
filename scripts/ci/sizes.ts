/**
 * `npm run sizes`: the deployed size of every production contract against the EIP-170 limit
 * (24,576 bytes). Fails when a contract leaves less than `MARGIN` bytes of headroom, so that a
 * change which would push a contract over the limit is caught while there is still room to act.
 * Mocks and test harnesses (contracts/mocks) never reach a chain and are not gated.
 */
import hre from "hardhat";

const LIMIT = 24_576;
/** Required headroom below the limit (~4%): room for the next fix or feature without a split. */
const MARGIN = 1_024;

async function main() {
  const names = await hre.artifacts.getAllFullyQualifiedNames();
  const rows: { contract: string; bytes: number; "% of limit": string; headroom: number; ok: string }[] = [];
  for (const fqn of names) {
    const [source] = fqn.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/mocks/")) continue;
    const artifact = await hre.artifacts.readArtifact(fqn);
    const bytes = (artifact.deployedBytecode.length - 2) / 2;
    // Interfaces deploy nothing; a library of internal functions deploys a stub that is never used.
    if (bytes === 0 || !artifact.abi.some((e: { type: string }) => e.type === "function")) continue;
    rows.push({
      contract: artifact.contractName,
      bytes,
      "% of limit": ((bytes / LIMIT) * 100).toFixed(1),
      headroom: LIMIT - bytes,
      ok: LIMIT - bytes >= MARGIN ? "yes" : "NO",
    });
  }
  rows.sort((a, b) => b.bytes - a.bytes);
  console.table(rows);
  const over = rows.filter((r) => r.ok !== "yes");
  if (over.length > 0) {
    console.error(
      `less than ${MARGIN} bytes below the ${LIMIT}-byte limit: ${over.map((r) => `${r.contract} (${r.bytes})`).join(", ")}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`every contract is at least ${MARGIN} bytes below the ${LIMIT}-byte limit`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
