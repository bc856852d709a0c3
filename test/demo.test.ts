import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);

/** The main job, `npm run demo`, runs end to end and every one of its checks passes. */
describe("npm run demo", function () {
  this.timeout(300_000);

  it("deploys, operates and settles the whole system on the in-process network, exiting 0", async () => {
    const cli = require.resolve("hardhat/internal/cli/cli.js");
    const { stdout } = await run(process.execPath, [cli, "run", "scripts/demo.ts"], {
      cwd: path.resolve(__dirname, ".."),
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      maxBuffer: 1 << 26,
    });
    expect(stdout).to.include("post-deploy checks:");
    expect(stdout).to.include("Demo complete: every check passed.");
    expect(stdout).to.not.include("demo check failed");
    const checks = stdout.split("\n").filter((l) => l.startsWith("  ok  "));
    expect(checks.length).to.be.greaterThanOrEqual(20);
  });
});
