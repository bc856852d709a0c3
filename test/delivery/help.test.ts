import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

describe("delivery: hardhat help", function () {
  this.timeout(60_000);

  it("every task says what it does; node (a local chain) and check (a toolbox placeholder) say what they are beside node:* and deploy:check", async () => {
    const cli = require.resolve("hardhat/internal/cli/cli.js");
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "help"], {
      cwd: path.resolve(__dirname, "..", ".."),
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    });
    const tasks = stdout.slice(stdout.indexOf("AVAILABLE TASKS:"), stdout.indexOf("AVAILABLE TASK SCOPES:"));
    const rows = tasks.split("\n").filter((l) => /^ {2}\S/.test(l));
    expect(rows.length).to.be.greaterThan(30);
    for (const row of rows) expect(row.split("\t")[1]?.trim(), row).to.not.equal("");
    expect(tasks).to.not.include("Check whatever you need");
    expect(tasks).to.match(/\n {2}node\s+\tStarts a local chain .*not a service node/);
  });
});
