/**
 * `npm run gas`: measures every named operation with 10 and with 1,000 active nodes, prints a table
 * against the DESIGN §11 targets, and writes `gas-snapshot.json` (flat: name → gas; `name+precompile`
 * → gas plus the on-chain precompile estimate; `size.<Contract>` → deployed bytes of each production
 * contract). The snapshot is committed and reviewed like code.
 *
 *   npx hardhat run scripts/gas.ts            # measure and write the snapshot
 *   GAS_CHECK=1 npx hardhat run scripts/gas.ts  # measure and fail if the snapshot differs by more than 1%
 *   GAS_CHECK=1 GAS_SCALES=10 ...             # the test command's gate: the 10-node entries only
 *
 * Writing the snapshot fails when an operation misses its DESIGN §11 target or is not flat in N (within
 * 5% either way between 10 and 1,000 nodes; the paths in SHAPE_DEPENDENT are shown, not judged); the
 * check fails only on drift (a change beyond 1% must be committed deliberately, with `npm run gas`).
 */
import * as fs from "fs";
import * as path from "path";
import hre from "hardhat";
import { usePrecompiles } from "../test/helpers/precompiles";
import { GasMeter, type Benchmark } from "./gas/meter";
import { buildNetwork } from "./gas/network";
import { GAS_TARGETS, PRECOMPILE_TARGETS, SHAPE_DEPENDENT, flat, nodeYear } from "./gas/targets";
import { precompileBench } from "./gas/precompiles.bench";
import { blsBench } from "./gas/bls.bench";
import { attestationBench, registryBench, rewardsBench } from "./gas/registry.bench";
import { bridgeBench } from "./gas/bridge.bench";
import { storageBench } from "./gas/storage.bench";
import { productionContractSizes } from "./ci/contract-sizes";

const BENCHMARKS: Benchmark[] = [
  precompileBench,
  blsBench,
  registryBench,
  attestationBench,
  rewardsBench,
  storageBench,
  bridgeBench,
];
/** GAS_SCALES=10 measures the 10-node network only (quick checks; the snapshot is not written). */
const SCALES = process.env.GAS_SCALES ? process.env.GAS_SCALES.split(",").map(Number) : [10, 1000];
const SNAPSHOT = path.join(__dirname, "..", "gas-snapshot.json");

async function main() {
  const precompiles = await usePrecompiles();
  const meter = new GasMeter(precompiles);
  const only = process.env.GAS_ONLY;
  const benches = BENCHMARKS.filter((b) => !only || b.name.startsWith(only));
  for (const nodes of SCALES) {
    const start = Date.now();
    const base = await hre.network.provider.request({ method: "evm_snapshot" });
    const net = await buildNetwork(nodes);
    console.log(`built a network of ${nodes} active nodes in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    meter.suffix = nodes === 10 ? "" : `@${nodes}`;
    for (const bench of benches) {
      const snap = await hre.network.provider.request({ method: "evm_snapshot" });
      await bench.run(meter, net);
      await hre.network.provider.request({ method: "evm_revert", params: [snap] });
    }
    await hre.network.provider.request({ method: "evm_revert", params: [base] });
  }

  const snapshot: Record<string, number> = {};
  for (const m of meter.results) {
    snapshot[m.name] = m.gas;
    if (m.precompileCalls > 0) snapshot[`${m.name}+precompile`] = m.withPrecompile;
  }

  // Each production contract's deployed size in bytes (compared exactly, not within 1%).
  for (const { contract, bytes } of await productionContractSizes(hre)) snapshot[`size.${contract}`] = bytes;

  for (const suffix of ["", "@1000"]) {
    const year = nodeYear(snapshot, suffix);
    if (!year) continue;
    snapshot[`upkeep.nodeYear${suffix}+precompile`] = year.total;
    console.log(`upkeep.nodeYear${suffix}+precompile = ${year.total.toLocaleString("en-US")} gas:`);
    for (const [part, gas] of Object.entries(year.parts)) console.log(`  ${part}: ${gas.toLocaleString("en-US")}`);
  }
  const precompileFailures = Object.entries(PRECOMPILE_TARGETS)
    .filter(([name, target]) => snapshot[name] !== undefined && snapshot[name] > target)
    .map(([name, target]) => `${name} (${snapshot[name]} > ${target})`);
  for (const [name, target] of Object.entries(PRECOMPILE_TARGETS)) {
    if (snapshot[name] !== undefined) console.log(`${name}: ${snapshot[name].toLocaleString("en-US")} (target ≤ ${target.toLocaleString("en-US")})`);
  }

  const rows = meter.results
    .filter((m) => !m.name.includes("@"))
    .map((m) => {
      const at1000 = snapshot[`${m.name}@1000`];
      const ratio = at1000 === undefined ? undefined : at1000 / m.gas;
      const target = GAS_TARGETS[m.name];
      return {
        operation: m.name,
        "gas (10 nodes)": m.gas,
        "gas (1,000 nodes)": at1000 ?? "-",
        "1000/10": ratio === undefined ? "-" : ratio.toFixed(3),
        "+ precompile est.": m.precompileCalls > 0 ? m.withPrecompile : "-",
        target: target ?? "-",
        ok:
          target !== undefined && m.gas > target
            ? "NO"
            : ratio === undefined || flat(ratio)
              ? "yes"
              : m.name in SHAPE_DEPENDENT
                ? "shape"
                : "NO",
      };
    });
  console.table(rows);
  for (const r of rows.filter((r) => r.ok === "shape")) console.log(`${r.operation}: ${SHAPE_DEPENDENT[r.operation]}`);

  const failures = [...rows.filter((r) => r.ok === "NO").map((r) => r.operation), ...precompileFailures];
  if (process.env.GAS_CHECK) {
    const all = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>;
    // A run of some scales (or benchmarks) checks what it measured, and flags what is new; a full run
    // also flags an entry that is no longer measured.
    const partial = Boolean(only || process.env.GAS_SCALES);
    const committed = partial ? Object.fromEntries(Object.entries(all).filter(([k]) => k in snapshot)) : all;
    const drift = Object.keys({ ...committed, ...snapshot }).filter((k) => {
      const a = committed[k];
      const b = snapshot[k];
      return a === undefined || b === undefined || Math.abs(b - a) > (k.startsWith("size.") ? 0 : a * 0.01);
    });
    if (drift.length > 0) {
      for (const k of drift) console.error(`  ${k}: committed ${committed[k] ?? "-"}, measured ${snapshot[k] ?? "-"}`);
      console.error(`gas-snapshot.json is out of date (gas beyond 1%, any size change): ${drift.join(", ")}. Run \`npm run gas\` and commit it.`);
      process.exitCode = 1;
    } else {
      console.log(`gas-snapshot.json holds: ${Object.keys(committed).length} entries within 1%`);
    }
  } else if (!only && !process.env.GAS_SCALES) {
    const sorted = Object.fromEntries(Object.entries(snapshot).sort(([a], [b]) => a.localeCompare(b)));
    fs.writeFileSync(SNAPSHOT, JSON.stringify(sorted, null, 2) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), SNAPSHOT)} (${Object.keys(sorted).length} entries)`);
  }
  if (failures.length > 0) {
    console.error(`over target or not flat in N: ${failures.join(", ")}`);
    if (!process.env.GAS_CHECK) process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
