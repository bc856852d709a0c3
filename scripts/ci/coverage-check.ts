/**
 * `npm run coverage:check`: enforces the contract coverage floor on the summary that
 * `hardhat coverage` wrote (coverage/coverage-summary.json): at least 95% of lines and 90% of
 * branches over all production contracts, and prints the files that fall below it.
 */
import * as fs from "fs";
import * as path from "path";

const FLOOR = { lines: 95, branches: 90 } as const;

type Metric = { total: number; covered: number; pct: number };
type Summary = Record<string, { lines: Metric; branches: Metric; statements: Metric; functions: Metric }>;

function main() {
  const file = path.join(__dirname, "..", "..", "coverage", "coverage-summary.json");
  if (!fs.existsSync(file)) {
    console.error(`${path.relative(process.cwd(), file)} not found: run \`hardhat coverage\` first`);
    process.exit(1);
  }
  const summary = JSON.parse(fs.readFileSync(file, "utf8")) as Summary;
  const { total, ...files } = summary;
  const weak = Object.entries(files)
    .filter(([, m]) => m.lines.pct < FLOOR.lines || m.branches.pct < FLOOR.branches)
    .map(([name, m]) => ({
      file: path.relative(process.cwd(), name),
      lines: `${m.lines.covered}/${m.lines.total} (${m.lines.pct}%)`,
      branches: `${m.branches.covered}/${m.branches.total} (${m.branches.pct}%)`,
    }));
  if (weak.length > 0) {
    console.log("files below the floor (the floor applies to the total):");
    console.table(weak);
  }
  const ok = total.lines.pct >= FLOOR.lines && total.branches.pct >= FLOOR.branches;
  console.log(
    `contract coverage: lines ${total.lines.pct}% (floor ${FLOOR.lines}%), branches ${total.branches.pct}% (floor ${FLOOR.branches}%)`,
  );
  if (!ok) {
    console.error("contract coverage is below the floor");
    process.exit(1);
  }
}

main();
