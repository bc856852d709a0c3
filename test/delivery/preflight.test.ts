import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { promisify } from "util";
import hre, { ethers } from "hardhat";
import { freePort } from "../helpers/node-process";
import { rejection, runTask } from "./helpers";
import { usePrecompiles } from "../helpers/precompiles";
import { LUX_DEPLOYER_ALLOW_LIST, probePrecompiles, type ProbeReport } from "../../src/precompiles/probe";
import { PQ_PRECOMPILES } from "../../src/networks";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");

/** Starts anvil (a node without the PQ precompiles or Hardhat's hook) on a free loopback port. */
async function startAnvil(): Promise<{ url: string; stop(): void }> {
  const bin = require.resolve("@foundry-rs/anvil-linux-amd64/bin/anvil", { paths: [ROOT] });
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ["--host", "127.0.0.1", "--port", String(port), "--silent"], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
  for (let i = 0; ; i++) {
    try {
      await provider.getBlockNumber();
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  provider.destroy();
  return { url, stop: () => child.kill("SIGKILL") };
}

describe("delivery: the precompile pre-flight", function () {
  this.timeout(180_000);

  it("probes the in-process network in both profiles: the drift vector, a tampered signature, a caller-bound encapsulation", async () => {
    await usePrecompiles();
    const [deployer] = await ethers.getSigners();
    for (const profile of ["lux", "pip"] as const) {
      const report = await probePrecompiles(ethers.provider, { profile, ...PQ_PRECOMPILES[profile], from: deployer.address });
      expect(report.ok, report.problems.join("\n")).to.equal(true);
      expect(report.checks.map((c) => c.ok)).to.deep.equal([true, true, true]);
      expect(report.allowList).to.deep.equal({ active: false, mayDeploy: true });
    }
    // The lux precompiles probed as pip (and the other way round) are "not speaking the profile".
    const crossed = await probePrecompiles(ethers.provider, { profile: "pip", ...PQ_PRECOMPILES.lux, from: deployer.address, network: "hardhat" });
    expect(crossed.ok).to.equal(false);
    expect(crossed.problems[0]).to.match(/^the ML-DSA precompile at 0x0000000000000000000000000000000000012202 does not speak the profile \(profile pip/);
    expect(crossed.problems[0]).to.include("enable `mldsaVerify` in the chain's precompile configuration");
    expect(crossed.problems[0]).to.include('deploy/config/hardhat.json');
  });

  it("reads the deployer's role where the chain runs the Lux deployer allow-list", async () => {
    await usePrecompiles();
    const [deployer, stranger] = await ethers.getSigners();
    // A stand-in that answers readAllowList like the Lux precompile: 2 (admin) for the deployer, 0 otherwise.
    const { bytecode } = await hre.artifacts.readArtifact("AllowList__Mock");
    const deployed = await ethers.deployContract("AllowList__Mock", [deployer.address]);
    const code = await ethers.provider.getCode(await deployed.getAddress());
    await ethers.provider.send("hardhat_setCode", [LUX_DEPLOYER_ALLOW_LIST, code]);
    await ethers.provider.send("hardhat_setStorageAt", [LUX_DEPLOYER_ALLOW_LIST, ethers.ZeroHash, ethers.zeroPadValue(deployer.address, 32)]);
    try {
      const ok = await probePrecompiles(ethers.provider, { profile: "lux", ...PQ_PRECOMPILES.lux, from: deployer.address });
      expect(ok.allowList).to.deep.equal({ active: true, role: "admin", mayDeploy: true });
      const refused = await probePrecompiles(ethers.provider, { profile: "lux", ...PQ_PRECOMPILES.lux, from: stranger.address });
      expect(refused.ok).to.equal(false);
      expect(refused.allowList).to.deep.equal({ active: true, role: "none", mayDeploy: false });
      expect(refused.problems).to.deep.equal([
        `the chain runs the deployer allow-list (${LUX_DEPLOYER_ALLOW_LIST}) and ${stranger.address} has role none: ask the chain's operators to enable it (setEnabled) before deploying`,
      ]);
      expect(bytecode).to.not.equal("0x");
    } finally {
      await ethers.provider.send("hardhat_setCode", [LUX_DEPLOYER_ALLOW_LIST, "0x"]);
    }
  });

  it("precompiles:probe reports every check in the configured profile", async () => {
    await usePrecompiles();
    const { result, stdout } = await runTask<ProbeReport>(hre, "precompiles:probe", { json: false });
    expect(result.ok).to.equal(true);
    expect(result.profile).to.equal("lux");
    expect(stdout).to.include("✓ ML-DSA-65 at 0x0000000000000000000000000000000000012202 verifies a valid signature (lux");
    expect(stdout).to.include("pre-flight: the lux precompiles at 0x0000000000000000000000000000000000012202 and 0x0000000000000000000000000000000000012201 answer as the chain's code does");
    const bad = await rejection(runTask(hre, "precompiles:probe", { json: false, profile: "kyber" }));
    expect(bad.message).to.equal('--profile: "kyber" is not a profile (lux, pip)');
  });

  it("deploy-suite against a node without the PQ precompiles (anvil) stops before any transaction, naming the address, the profile and the fix", async () => {
    const anvil = await startAnvil();
    try {
      const cli = require.resolve("hardhat/internal/cli/cli.js");
      const failure = await run(process.execPath, [cli, "deploy-suite", "--network", "localhost", "--yes"], {
        cwd: ROOT,
        env: { ...process.env, LOCALHOST_RPC_URL: anvil.url, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      }).then(
        () => undefined,
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(failure, "deploy-suite succeeded on a chain without the precompiles").to.not.equal(undefined);
      expect(failure!.code).to.equal(1);
      const text = failure!.stdout + failure!.stderr;
      expect(text).to.include("the PQ precompiles of localhost (chain 31337) are not ready for a lux deployment; nothing was sent:");
      expect(text).to.include(
        "the ML-DSA precompile at 0x0000000000000000000000000000000000012202 is absent or inactive (profile lux: a valid signature gave an empty answer (nothing runs at this address)",
      );
      expect(text).to.include("enable `mldsaVerify` in the chain's precompile configuration (genesis or precompileUpgrades), or choose the other profile (\"pqProfile\") or other addresses (\"precompiles\") in deploy/config/localhost.json");
      expect(text).to.include("the ML-KEM precompile at 0x0000000000000000000000000000000000012201 is absent or inactive");
      expect(text).to.include("enable `mlkemConfig`");
      // Nothing was sent: no block, no nonce used.
      const provider = new ethers.JsonRpcProvider(anvil.url, undefined, { staticNetwork: true });
      expect(await provider.getBlockNumber()).to.equal(0);
      const [first] = (await provider.send("eth_accounts", [])) as string[];
      expect(await provider.getTransactionCount(first)).to.equal(0);
      provider.destroy();
    } finally {
      anvil.stop();
    }
  });
});
