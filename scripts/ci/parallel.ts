/**
 * Runs npm scripts at the same time (the machine's cores are otherwise idle while one mocha process
 * runs), keeps each one's output apart, prints it when the script ends, and fails if any failed.
 *
 *   ts-node scripts/ci/parallel.ts test:plain coverage
 */
import { spawn } from "child_process";

interface Outcome {
  script: string;
  code: number;
  seconds: number;
  output: string;
}

function run(script: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    child.on("close", (code) =>
      resolve({ script, code: code ?? 1, seconds: (Date.now() - started) / 1000, output: Buffer.concat(chunks).toString() }),
    );
  });
}

async function main() {
  const scripts = process.argv.slice(2);
  if (scripts.length === 0) throw new Error("usage: parallel.ts <npm script> [<npm script> ...]");
  console.log(`running at once: ${scripts.join(", ")}`);
  const outcomes = await Promise.all(
    scripts.map((s) =>
      run(s).then((o) => {
        console.log(`\n===== npm run ${o.script}: ${o.code === 0 ? "passed" : `FAILED (exit ${o.code})`} in ${o.seconds.toFixed(0)} s =====`);
        process.stdout.write(o.output);
        return o;
      }),
    ),
  );
  console.log("");
  for (const o of outcomes) console.log(`npm run ${o.script}: ${o.code === 0 ? "passed" : "FAILED"} (${o.seconds.toFixed(0)} s)`);
  if (outcomes.some((o) => o.code !== 0)) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
