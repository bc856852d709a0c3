/**
 * `npm run sizes`: the deployed size of every production contract against the EIP-170 limit
 * (24,576 bytes). Fails when a contract leaves less than `MARGIN` bytes of headroom, so that a
 * change which would push a contract over the limit is caught while there is still room to act.
 * Mocks and test harnesses (contracts/mocks) never reach a chain and are not gated.
 */
import hre from "hardhat";
import { productionContractSizes } from "./contract-sizes";

const LIMIT = 24_576;
/** Required headroom below the limit (~4%): room for the next fix or feature without a split. */
const MARGIN = 1_024;

async function main() {
  const rows = (await productionContractSizes(hre)).map(({ contract, bytes }) => ({
    contract,
    bytes,
    "% of limit": ((bytes / LIMIT) * 100).toFixed(1),
    headroom: LIMIT - bytes,
    ok: LIMIT - bytes >= MARGIN ? "yes" : "NO",
  }));
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
