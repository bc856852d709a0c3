/**
 * The long system campaign: random sequences of every user action against the whole suite and the
 * system model (test/system/harness.ts), on the in-process network.
 *
 *   npm run fuzz -- --runs 10000 --seed 42 [--max-commands 40]
 *   npm run fuzz -- --seed <seed> --max-commands <n> --path "<path>" --replay-path "<replayPath>"
 *       (replays a reported counterexample: the failure prints this line with its own values)
 *
 * (or FUZZ_RUNS / FUZZ_SEED / FUZZ_MAX_COMMANDS / FUZZ_PATH / FUZZ_REPLAY_PATH). Prints the seed, progress with the rate
 * and an estimate of the time left, and the time taken; on failure prints fast-check's shrunk
 * counterexample (the command list, the seed and the path to replay it) and exits with status 1.
 */
import { runCampaign, type Stats } from "../test/system/harness";

function arg(name: string, env: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : process.env[env];
}

async function main(): Promise<void> {
  const runs = Number(arg("runs", "FUZZ_RUNS") ?? 1000);
  const seed = Number(arg("seed", "FUZZ_SEED") ?? Date.now() % 2 ** 31);
  const maxCommands = Number(arg("max-commands", "FUZZ_MAX_COMMANDS") ?? 40);
  const path = arg("path", "FUZZ_PATH");
  const replayPath = arg("replay-path", "FUZZ_REPLAY_PATH");
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || !Number.isInteger(maxCommands)) {
    throw new Error("usage: npm run fuzz -- --runs <n> --seed <int> [--max-commands <n>] [--path <p> [--replay-path <r>]]");
  }
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new Error(`--path: "${path}" is not a fast-check path (numbers joined by ":")`);
  if (replayPath !== undefined && path === undefined) throw new Error("--replay-path needs the --path it was reported with");
  console.log(`system fuzz: ${runs} sequences of up to ${maxCommands} commands, seed ${seed}${path ? `, path ${path}` : ""}`);
  const started = Date.now();
  let lastReport = started;
  let ready = started;
  const every = Math.max(1, Math.floor(runs / 100));
  const progress = (done: number, stats: Stats) => {
    const now = Date.now();
    if (done % every !== 0 && now - lastReport < 30_000 && done !== runs) return;
    lastReport = now;
    const elapsed = (now - ready) / 1000;
    const left = ((runs - done) * elapsed) / done;
    console.log(
      `  ${done}/${runs} sequences, ${stats.steps} commands, ${((now - started) / 1000).toFixed(0)} s, ` +
        `${(done / elapsed).toFixed(2)} seq/s, about ${(left / 60).toFixed(1)} min left`,
    );
  };
  try {
    const stats = await runCampaign({ runs, seed, maxCommands, path, replayPath, progress, ready: () => {
      ready = Date.now();
      console.log(`  suite deployed and key pool made in ${((ready - started) / 1000).toFixed(1)} s`);
    } });
    const seconds = (Date.now() - started) / 1000;
    console.log(`no invariant broken in ${stats.sequences} sequences (${stats.steps} commands), seed ${seed}, ${seconds.toFixed(1)} s`);
    console.log(`outcomes: ${stats.summary()}`);
    console.log(
      `partial claims ${stats.partialClaims}x; claim cycles waited in settlements ${stats.cyclesWaited}; ` +
        `largest rounding dust left in the rewards contract ${stats.rewardsDust} wei`,
    );
    console.log(`no profit from faults: checked on ${stats.honestNodes} honest and ${stats.faultyNodes} faulty nodes and ${stats.culprits} culprits`);
  } catch (e) {
    // fast-check refuses a replay path that does not belong to this seed, path and command count
    // before running anything: that is a usage error, not a broken invariant.
    if (replayPath !== undefined && e instanceof Error && /replayPath/.test(e.message) && !/Property failed/.test(e.message)) {
      throw new Error(`--replay-path "${replayPath}" does not replay seed ${seed}, path ${path}, ${maxCommands} commands: ${e.message.split("\n")[0]}`);
    }
    const seconds = (Date.now() - started) / 1000;
    console.error(`\nINVARIANT BROKEN (seed ${seed}, after ${seconds.toFixed(1)} s):\n`);
    console.error(e instanceof Error ? e.message : e);
    const cause = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
    if (cause) console.error(`\ncaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    console.error(
      `\nreplay: npm run fuzz -- --seed ${seed} --max-commands ${maxCommands} --path "<path>" --replay-path "<replayPath>" (both above)`,
    );
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
