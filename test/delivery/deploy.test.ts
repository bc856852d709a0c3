import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import hre, { ethers } from "hardhat";
import { impersonateAccount, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { addressesOf, getDeployment, listDeployments } from "../../src/deployments";
import { readConfigFile, resolveConfig, configPathFor, DeployConfigError } from "../../deploy/config";
import { check } from "../../deploy/checks";
import { DeployError } from "../../deploy/errors";
import { execute, type ExecutionEvent } from "../../deploy/execute";
import { plan } from "../../deploy/plan";
import { recordToContinue } from "../../deploy/records";
import { openState } from "../../deploy/state";
import { SUITE as STEPS } from "../../deploy/suite";
import type { DeployReport } from "../../tasks/deploy";
import { connect } from "../../tasks/lib/chain";
import { prepareTx, type TxIntent } from "../../src/cli/tx";
import { captured, rejection, runTask, setEnv, tempDir, withDroppedSends } from "./helpers";

const ADMIN = ethers.ZeroHash;
const SUITE = [
  "TimelockController",
  "SwarmCoordinator",
  "NetworkAttestations",
  "NodeDirectory",
  "ServiceNodeRegistry",
  "ServiceNodeRewards",
  "SessionBridge",
  "StorageCommitment",
  "NodeLens",
];
/** The contracts with an admin the timelock takes over (the directory and the lens have none). */
const ADMINISTERED = ["SwarmCoordinator", "NetworkAttestations", "ServiceNodeRegistry", "ServiceNodeRewards", "SessionBridge", "StorageCommitment"];
const FLAGS = { yes: true, dryRun: false, json: false, confirmations: 1 };

describe("delivery: deploy-suite on the in-process network", function () {
  let snapshot: string;
  let dir: string;
  let restoreEnv: () => void;
  let report: DeployReport;

  before(async () => {
    snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
    dir = tempDir("deployments");
    restoreEnv = setEnv({ PARS_DEPLOYMENTS_DIR: dir });
    report = (await runTask<DeployReport>(hre, "deploy-suite", FLAGS)).result;
  });

  after(async () => {
    restoreEnv();
    fs.rmSync(dir, { recursive: true, force: true });
    await ethers.provider.send("evm_revert", [snapshot]);
  });

  it("deploys the nine contracts and records each with its address, block, transaction, arguments and ABI", async () => {
    expect(report.deployed).to.deep.equal(SUITE);
    const d = getDeployment(31337, dir)!;
    expect(d.chainId).to.equal(31337);
    expect(d.deployer).to.equal((await ethers.getSigners())[0].address);
    expect(d.governance).to.include({ timelock: d.contracts.TimelockController!.address, minDelaySeconds: 60, handedOver: true });
    for (const name of SUITE) {
      const c = d.contracts[name];
      expect(c.abi).to.equal(name);
      expect(await ethers.provider.getCode(c.address)).to.not.equal("0x");
      const receipt = (await ethers.provider.getTransactionReceipt(c.transactionHash))!;
      expect(receipt.contractAddress).to.equal(c.address);
      expect(receipt.blockNumber).to.equal(c.blockNumber);
      expect(receipt.blockHash).to.equal(c.blockHash);
      expect((await hre.artifacts.readArtifact(c.artifact)).contractName).to.equal(name);
    }
    const [deployer, guardian, treasury] = await ethers.getSigners();
    expect(d.contracts.NodeDirectory!.args).to.deep.equal([
      0,
      "0x0000000000000000000000000000000000012202",
      "0x0000000000000000000000000000000000012201",
      d.contracts.NetworkAttestations!.address,
    ]);
    expect(d.contracts.ServiceNodeRegistry!.args).to.deep.equal([
      deployer.address,
      guardian.address,
      d.contracts.NodeDirectory!.address,
      d.contracts.SwarmCoordinator!.address,
      d.contracts.NetworkAttestations!.address,
      treasury.address,
    ]);
    expect(d.contracts.ServiceNodeRewards!.args[4]).to.equal(ethers.parseEther("100000000").toString());
    // Local chains have no Warp messenger: the bridge forwards nothing there.
    expect(d.contracts.SessionBridge!.args).to.deep.equal([
      deployer.address,
      guardian.address,
      d.contracts.SwarmCoordinator!.address,
      d.contracts.ServiceNodeRewards!.address,
      ethers.ZeroAddress,
      "86400",
    ]);
    expect(d.transactions.map((t) => t.step)).to.include("SwarmCoordinator.setRegistry");
    expect(addressesOf(31337, dir)).to.deep.equal(report.addresses);
    expect(listDeployments(dir).map((x) => x.chainId)).to.deep.equal([31337]);
  });

  it("leaves the timelock (24 h in production, 60 s in the local config) as the only admin, with the wiring in place", async () => {
    const d = getDeployment(31337, dir)!;
    const at = (name: string) => ethers.getContractAt(name, d.contracts[name].address);
    const timelock = await ethers.getContractAt("TimelockController", d.contracts.TimelockController!.address);
    const [deployer, guardian] = await ethers.getSigners();
    expect(await timelock.getMinDelay()).to.equal(60n);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), deployer.address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), ethers.ZeroAddress)).to.equal(true);
    expect(await timelock.hasRole(ADMIN, deployer.address)).to.equal(false);
    for (const name of ADMINISTERED) {
      const c = (await at(name)) as unknown as { hasRole(role: string, a: string): Promise<boolean> };
      expect(await c.hasRole(ADMIN, await timelock.getAddress()), name).to.equal(true);
      expect(await c.hasRole(ADMIN, deployer.address), name).to.equal(false);
    }
    const registry = await ethers.getContractAt("ServiceNodeRegistry", d.contracts.ServiceNodeRegistry!.address);
    const swarms = await ethers.getContractAt("SwarmCoordinator", d.contracts.SwarmCoordinator!.address);
    const rewards = await ethers.getContractAt("ServiceNodeRewards", d.contracts.ServiceNodeRewards!.address);
    expect(await swarms.registry()).to.equal(await registry.getAddress());
    expect(await swarms.swarmListener()).to.equal(await rewards.getAddress());
    expect(await registry.lifecycleListener()).to.equal(await rewards.getAddress());
    expect(await registry.hasRole(await registry.SLASHER_ROLE(), d.contracts.NetworkAttestations!.address)).to.equal(true);
    expect(await registry.hasRole(await registry.GUARDIAN_ROLE(), guardian.address)).to.equal(true);
    expect(await rewards.startTime()).to.not.equal(0n);
    expect(report.checks.length).to.be.greaterThan(30);
    expect(report.checks.every((c) => c.ok)).to.equal(true);
  });

  it("a second run deploys nothing, sends nothing and passes the checks again", async () => {
    const [deployer] = await ethers.getSigners();
    const block = await ethers.provider.getBlockNumber();
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const { result, stdout } = await runTask<DeployReport>(hre, "deploy-suite", FLAGS);
    expect(result.deployed).to.deep.equal([]);
    expect(result.transactions).to.deep.equal([]);
    expect(result.checks.every((c) => c.ok)).to.equal(true);
    expect(stdout).to.match(/nothing to send/);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    expect(result.addresses).to.deep.equal(report.addresses);
  });

  it("--json prints one parseable document", async () => {
    const { stdout } = await runTask(hre, "deploy:check", { json: true });
    const doc = JSON.parse(stdout);
    expect(doc.ok).to.equal(true);
    expect(doc.chainId).to.equal(31337);
    expect(doc.checks.length).to.equal(report.checks.length);
  });

  describe("the engine without the task", () => {
    /** The suite's state on the in-process chain, from the record in `from` (a new record when there is none). */
    const state = async (from: string) => {
      const chain = await connect(hre);
      const [deployer] = await ethers.getSigners();
      const file = configPathFor("hardhat");
      const cfg = resolveConfig(file, readConfigFile(file), { network: "hardhat", deployer: deployer.address, accounts: (await ethers.getSigners()).map((x) => x.address), localChain: true });
      const { record } = await recordToContinue(chain, from, cfg, deployer.address);
      return openState({ hre, chain, cfg, steps: STEPS, dir: from, record });
    };

    it("plans nothing for the deployed suite and checks it, printing nothing", async () => {
      const { result, stdout, stderr } = await captured(async () => {
        const s = await state(dir);
        const p = await plan(s);
        return { p, checks: await check(s) };
      });
      expect(result.p.actions).to.deep.equal([]);
      expect(result.p.governance).to.deep.equal([]);
      expect(result.p.refusal).to.equal(undefined);
      expect(result.checks.length).to.equal(report.checks.length);
      expect(result.checks.every((c) => c.ok)).to.equal(true);
      expect(stdout + stderr).to.equal("");
    });

    it("sends through the transport it is given and reports each step as an event; a failed send stops it with the failure's details, printing nothing", async () => {
      const fresh = tempDir("engine");
      try {
        const events: ExecutionEvent[] = [];
        const block = await ethers.provider.getBlockNumber();
        const { result, stdout, stderr } = await captured(async () => {
          const s = await state(fresh);
          const p = await plan(s);
          const transport = {
            prepare: (intent: TxIntent, nonce?: number) => prepareTx(s.chain, { kind: "address", address: s.cfg.deployer }, intent, s.decoder, nonce),
            send: () => Promise.reject(Object.assign(new Error("the node refused it"), { details: { hash: "0x01" } })),
          };
          return { p, err: await rejection(execute(p, transport, (e) => events.push(e))) };
        });
        expect(result.p.actions[0].name).to.equal("deploy TimelockController");
        expect(result.err).to.be.instanceOf(DeployError);
        expect(result.err.message).to.equal(
          "the node refused it\nstopped; 0 transaction(s) of this run were recorded. Run deploy-suite again to resume where it stopped.",
        );
        expect(result.err.details).to.deep.equal({ hash: "0x01" });
        expect(events.map((e) => [e.kind, e.action.name])).to.deep.equal([["sending", "deploy TimelockController"]]);
        expect(fs.existsSync(path.join(fresh, "31337.json"))).to.equal(false);
        expect(await ethers.provider.getBlockNumber()).to.equal(block);
        expect(stdout + stderr).to.equal("");
      } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
      }
    });
  });

  it("--dry-run on a fresh record prints every unsigned transaction with predicted addresses and sends nothing", async () => {
    const other = tempDir("dry");
    try {
      const block = await ethers.provider.getBlockNumber();
      const { result } = await runTask<DeployReport>(hre, "deploy-suite", { ...FLAGS, yes: false, dryRun: true, deploymentsDir: other });
      expect(result.dryRun).to.equal(true);
      expect(result.transactions.length).to.be.greaterThan(15);
      const first = result.transactions[0].unsigned!;
      expect(first.to).to.equal(null);
      expect(first.unsignedSerialized).to.match(/^0x02/);
      expect(Number(first.gasLimit)).to.be.greaterThan(100_000);
      const [deployer] = await ethers.getSigners();
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      expect(result.addresses.TimelockController).to.equal(ethers.getCreateAddress({ from: deployer.address, nonce }));
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(fs.existsSync(path.join(other, "31337.json"))).to.equal(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it("the checks catch a broken wiring, and the deployer (no longer admin) cannot fix it: the run prints the timelock proposal", async () => {
    const inner = (await ethers.provider.send("evm_snapshot", [])) as string;
    try {
      const d = getDeployment(31337, dir)!;
      const timelock = d.contracts.TimelockController!.address;
      await impersonateAccount(timelock);
      await setBalance(timelock, ethers.parseEther("1"));
      const swarms = await ethers.getContractAt("SwarmCoordinator", d.contracts.SwarmCoordinator!.address, await ethers.getSigner(timelock));
      await (await swarms.setSwarmListener(ethers.ZeroAddress)).wait();

      const check = await rejection(runTask(hre, "deploy:check", { json: false }));
      expect(check.message).to.match(/post-deploy checks failed/);
      expect(check.message).to.match(/SwarmCoordinator\.swarmListener: expected 0x[0-9a-fA-F]{40}, read 0x0{40}/);

      const block = await ethers.provider.getBlockNumber();
      const rerun = await rejection(runTask(hre, "deploy-suite", FLAGS));
      expect(rerun.message).to.match(/0 transaction\(s\) sent; 1 step\(s\) differ from the config .* Only the timelock can change them now/);
      const proposals = rerun.details!.proposals as { step: string; target: string; scheduleCalldata: string }[];
      expect(proposals.map((p) => p.step)).to.deep.equal(["SwarmCoordinator.setSwarmListener"]);
      expect(proposals[0].target).to.equal(d.contracts.SwarmCoordinator!.address);
      expect(proposals[0].scheduleCalldata.slice(0, 10)).to.equal(
        (await ethers.getContractAt("TimelockController", timelock)).interface.getFunction("schedule").selector,
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    } finally {
      await ethers.provider.send("evm_revert", [inner]);
    }
  });

  it("refuses, before sending anything, a config written for another chain and a network configured for another chain", async () => {
    const block = await ethers.provider.getBlockNumber();
    const file = path.join(dir, "wrong-chain.json");
    fs.writeFileSync(file, JSON.stringify({ ...readConfigFile(configPathFor("hardhat")), chainId: 7071 }));
    const wrongConfig = await rejection(runTask(hre, "deploy-suite", { ...FLAGS, deployConfig: file }));
    expect(wrongConfig.message).to.match(/chain id mismatch: .* configured for chain 7071, but the node at its RPC URL reports chain 31337/);

    const config = hre.network.config as { chainId?: number };
    const saved = config.chainId;
    config.chainId = 7071;
    try {
      const wrongNetwork = await rejection(runTask(hre, "deploy-suite", FLAGS));
      expect(wrongNetwork.message).to.match(/chain id mismatch: network "hardhat" is configured for chain 7071, but .* reports chain 31337/);
      const status = await rejection(runTask(hre, "node:status", { nodeId: "1", json: false }));
      expect(status.message).to.match(/chain id mismatch/);
    } finally {
      config.chainId = saved;
    }
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("tasks say clearly what a deployment lacks: fees:quote without the SessionBridge, node:commit-storage without StorageCommitment", async () => {
    const partial = tempDir("partial");
    const restore = setEnv({ PARS_DEPLOYMENTS_DIR: partial });
    try {
      const d = getDeployment(31337, dir)!;
      delete d.contracts.SessionBridge;
      delete d.contracts.StorageCommitment;
      fs.writeFileSync(path.join(partial, "31337.json"), JSON.stringify(d));
      const { result, stdout } = await runTask<Record<string, unknown>>(hre, "fees:quote", { messageBytes: 1024, json: false });
      expect(result.sessions).to.deep.include({ available: false });
      expect(stdout).to.match(/SessionBridge is not in the deployment of chain 31337: create-session and message quotes come from the bridge/);
      expect(result.split).to.deep.equal({ swarmBps: 8000, treasuryBps: 2000 });
      const commit = await rejection(
        runTask(hre, "node:commit-storage", { ...FLAGS, nodeId: "1", merkleRoot: ethers.ZeroHash, messageCount: "0", usedBytes: "0" }),
      );
      expect(commit.message).to.match(/StorageCommitment is not in the deployment of chain 31337/);
    } finally {
      restore();
      fs.rmSync(partial, { recursive: true, force: true });
    }
  });

  it("adds a contract to a handed-over deployment: deploys and hands it over, then prints the timelock proposals its roles need", async () => {
    const inner = (await ethers.provider.send("evm_snapshot", [])) as string;
    const older = tempDir("older");
    try {
      // A record made before StorageCommitment was part of the suite, and a chain where no storage
      // contract holds a role (the exact role check would otherwise name the one deployed above).
      const d = getDeployment(31337, dir)!;
      const timelockSigner = await ethers.getImpersonatedSigner(d.contracts.TimelockController!.address);
      await setBalance(timelockSigner.address, ethers.parseEther("1"));
      const oldRegistry = await ethers.getContractAt("ServiceNodeRegistry", d.contracts.ServiceNodeRegistry!.address, timelockSigner);
      const oldSwarms = await ethers.getContractAt("SwarmCoordinator", d.contracts.SwarmCoordinator!.address, timelockSigner);
      await (await oldRegistry.revokeRole(await oldRegistry.SLASHER_ROLE(), d.contracts.StorageCommitment!.address)).wait();
      await (await oldSwarms.revokeRole(await oldSwarms.STORAGE_ROLE(), d.contracts.StorageCommitment!.address)).wait();
      delete d.contracts.StorageCommitment;
      fs.writeFileSync(path.join(older, "31337.json"), JSON.stringify(d));
      const err = await rejection(runTask(hre, "deploy-suite", { ...FLAGS, deploymentsDir: older }));
      expect(err.message).to.match(/step\(s\) differ from the config where the deployer no longer holds the admin role/);
      const proposals = err.details!.proposals as { step: string; target: string; data: string }[];
      expect(proposals.map((p) => p.step)).to.deep.equal(["ServiceNodeRegistry.grantRole(SLASHER_ROLE)", "SwarmCoordinator.grantRole(STORAGE_ROLE)"]);
      const storage = getDeployment(31337, older)!.contracts.StorageCommitment!;
      expect((err.details!.transactions as { step: string }[]).map((t) => t.step)).to.include("deploy StorageCommitment");
      const storageContract = await ethers.getContractAt("StorageCommitment", storage.address);
      const timelock = await ethers.getContractAt("TimelockController", d.contracts.TimelockController!.address);
      expect(await storageContract.hasRole(ADMIN, await timelock.getAddress())).to.equal(true);
      expect(await storageContract.hasRole(ADMIN, d.deployer)).to.equal(false);

      // Governance: the deployer is a proposer in the local config; anyone may execute after 60 s.
      const [proposer] = await ethers.getSigners();
      const salt = (i: number) => ethers.zeroPadValue(ethers.toBeHex(i + 1), 32);
      for (const [i, p] of proposals.entries()) await (await timelock.connect(proposer).schedule(p.target, 0, p.data, ethers.ZeroHash, salt(i), 60)).wait();
      await ethers.provider.send("evm_increaseTime", [61]);
      for (const [i, p] of proposals.entries()) await (await timelock.execute(p.target, 0, p.data, ethers.ZeroHash, salt(i))).wait();
      const { result } = await runTask<{ checks: { ok: boolean }[] }>(hre, "deploy:check", { json: false, deploymentsDir: older });
      expect(result.checks.every((c) => c.ok)).to.equal(true);
    } finally {
      fs.rmSync(older, { recursive: true, force: true });
      await ethers.provider.send("evm_revert", [inner]);
    }
  });

  describe("deploy:check against hidden powers and look-alike contracts", () => {
    let inner: string;
    let other: string;
    beforeEach(async () => {
      inner = (await ethers.provider.send("evm_snapshot", [])) as string;
      other = tempDir("forged");
    });
    afterEach(async () => {
      fs.rmSync(other, { recursive: true, force: true });
      await ethers.provider.send("evm_revert", [inner]);
    });

    /** The failure line deploy:check prints for a check. */
    const line = (check: string, expected: string, actual: string) => `  ✗ ${check}: expected ${expected}, read ${actual}`;
    const failedChecks = (e: { details?: Record<string, unknown> }) => (e.details!.failed as { check: string }[]).map((f) => f.check);

    it("an interrupted deploy whose deployer grants itself SLASHER_ROLE: the resumed deploy-suite refuses to hand over, and deploy:check names the role, the registry and the deployer", async () => {
      const [deployer] = await ethers.getSigners();
      // The connection drops as the first admin grant of the hand-over is sent.
      const adminGrant = ethers.id("grantRole(bytes32,address)").slice(0, 10) + ethers.ZeroHash.slice(2);
      const stopped = await rejection(
        withDroppedSends(hre, (tx) => (tx.data ?? "").startsWith(adminGrant), () => runTask(hre, "deploy-suite", { ...FLAGS, deploymentsDir: other })),
      );
      expect(stopped.message).to.match(/connection reset by peer[\s\S]*Run deploy-suite again to resume where it stopped/);
      const d = getDeployment(31337, other)!;
      const registry = await ethers.getContractAt("ServiceNodeRegistry", d.contracts.ServiceNodeRegistry!.address);
      expect(await registry.hasRole(ADMIN, deployer.address)).to.equal(true);

      // Still admin, the deployer gives itself the power to slash any node to its own account.
      await (await registry.grantRole(await registry.SLASHER_ROLE(), deployer.address)).wait();
      const slashers = [d.contracts.StorageCommitment!.address, d.contracts.NetworkAttestations!.address].sort();
      const block = await ethers.provider.getBlockNumber();
      const hidden = line(
        `ServiceNodeRegistry: unexpected SLASHER_ROLE holder ${deployer.address}`,
        `only ${slashers.join(", ")} (the config)`,
        `${[...slashers, deployer.address].sort().join(", ")} (role events to block ${block})`,
      );
      const rerun = await rejection(runTask(hre, "deploy-suite", { ...FLAGS, deploymentsDir: other }));
      expect(rerun.message).to.equal(
        `chain 31337 has role holders the config does not name; nothing sent:\n${hidden}\n` +
          "Revoke them (revokeRole: from the deployer while it administers the contract, otherwise by a timelock proposal; " +
          "the calldata is in the error details with --json), or name them in the config, then run deploy-suite again",
      );
      expect(rerun.details!.revocations).to.deep.equal([
        {
          contract: "ServiceNodeRegistry",
          role: "SLASHER_ROLE",
          account: deployer.address,
          to: d.contracts.ServiceNodeRegistry!.address,
          data: registry.interface.encodeFunctionData("revokeRole", [await registry.SLASHER_ROLE(), deployer.address]),
        },
      ]);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);

      // Handing over by hand does not hide it either: deploy:check fails on that holder alone.
      const timelock = d.contracts.TimelockController!.address;
      for (const name of ADMINISTERED) {
        const c = (await ethers.getContractAt(name, d.contracts[name].address)) as unknown as {
          grantRole(role: string, a: string): Promise<{ wait(): Promise<unknown> }>;
          renounceRole(role: string, a: string): Promise<{ wait(): Promise<unknown> }>;
        };
        await (await c.grantRole(ADMIN, timelock)).wait();
        await (await c.renounceRole(ADMIN, deployer.address)).wait();
      }
      const atBlock = await ethers.provider.getBlockNumber();
      const check = await rejection(runTask(hre, "deploy:check", { json: false, deploymentsDir: other }));
      expect(failedChecks(check)).to.deep.equal([`ServiceNodeRegistry: unexpected SLASHER_ROLE holder ${deployer.address}`]);
      expect(check.message).to.equal(`post-deploy checks failed on chain 31337:\n${hidden.replace(`to block ${block}`, `to block ${atBlock}`)}`);
    });

    it("an extra timelock proposer fails deploy:check", async () => {
      const d = getDeployment(31337, dir)!;
      const [deployer, , , stranger] = await ethers.getSigners();
      const timelockSigner = await ethers.getImpersonatedSigner(d.contracts.TimelockController!.address);
      await setBalance(timelockSigner.address, ethers.parseEther("1"));
      const timelock = await ethers.getContractAt("TimelockController", timelockSigner.address, timelockSigner);
      await (await timelock.grantRole(await timelock.PROPOSER_ROLE(), stranger.address)).wait();
      const block = await ethers.provider.getBlockNumber();
      const check = await rejection(runTask(hre, "deploy:check", { json: false }));
      expect(failedChecks(check)).to.deep.equal([`TimelockController: unexpected PROPOSER_ROLE holder ${stranger.address}`]);
      expect(check.message).to.include(
        line(
          `TimelockController: unexpected PROPOSER_ROLE holder ${stranger.address}`,
          `only ${deployer.address} (the config)`,
          `${[deployer.address, stranger.address].sort().join(", ")} (role events to block ${block})`,
        ),
      );
    });

    it("a look-alike recorded as the SessionBridge answers every getter and role as the bridge does, and fails the code checks; deploy-suite refuses to resume from that record", async () => {
      const d = getDeployment(31337, dir)!;
      const [, guardian] = await ethers.getSigners();
      const bridge = d.contracts.SessionBridge!;
      const lookAlike = await ethers.deployContract("SessionBridgeLookAlike__Mock", [
        d.contracts.TimelockController!.address,
        guardian.address,
        d.contracts.SwarmCoordinator!.address,
        d.contracts.ServiceNodeRewards!.address,
        ethers.ZeroAddress,
        86400,
      ]);
      const receipt = (await lookAlike.deploymentTransaction()!.wait())!;
      const address = await lookAlike.getAddress();
      d.contracts.SessionBridge = { ...bridge, address, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, transactionHash: receipt.hash };
      fs.writeFileSync(path.join(other, "31337.json"), JSON.stringify(d));

      const check = await rejection(runTask(hre, "deploy:check", { json: false, deploymentsDir: other }));
      const artifact = await hre.artifacts.readArtifact("SessionBridge");
      const code = ethers.getBytes(await ethers.provider.getCode(address));
      const want = ethers.getBytes(artifact.deployedBytecode);
      const input = ethers.getBytes(lookAlike.deploymentTransaction()!.data);
      const init = ethers.getBytes(artifact.bytecode);
      const firstDiff = (a: Uint8Array, b: Uint8Array) => a.findIndex((x, i) => x !== b[i]);
      const runtime = `SessionBridge: the code at ${address} is the artifact's (contracts/bridge/SessionBridge.sol:SessionBridge)`;
      const creation = `SessionBridge: transaction ${receipt.hash} sends the artifact's creation code and the recorded constructor arguments`;
      // Everything the checks read from it passes: only its code and its creation tell it apart.
      expect(failedChecks(check)).to.deep.equal([runtime, creation]);
      expect(check.message).to.equal(
        "post-deploy checks failed on chain 31337:\n" +
          line(runtime, `${want.length} bytes, equal outside the immutables`, `${code.length} bytes, keccak ${ethers.keccak256(code).slice(0, 18)}…, different from byte ${firstDiff(code, want)}`) +
          "\n" +
          line(creation, `the artifact's creation code (${init.length} bytes), then the 6 recorded arguments`, `other creation code (${input.length} bytes of input, different from byte ${firstDiff(input, init)})`),
      );

      // deploy-suite resuming from that record sends nothing: wiring would point the suite at it.
      const block = await ethers.provider.getBlockNumber();
      const rerun = await rejection(runTask(hre, "deploy-suite", { ...FLAGS, deploymentsDir: other }));
      expect(rerun.message).to.match(/records contracts that are not what it says; nothing sent:\n {2}✗ SessionBridge: the code at 0x[0-9a-fA-F]{40} is the artifact's/);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
    });

    it("the real SessionBridge recorded with another contract's creation transaction fails the creation checks", async () => {
      const d = getDeployment(31337, dir)!;
      const [deployer] = await ethers.getSigners();
      const bridge = d.contracts.SessionBridge!;
      const storage = d.contracts.StorageCommitment!;
      d.contracts.SessionBridge = { ...bridge, transactionHash: storage.transactionHash };
      fs.writeFileSync(path.join(other, "31337.json"), JSON.stringify(d));

      const check = await rejection(runTask(hre, "deploy:check", { json: false, deploymentsDir: other }));
      const created = `SessionBridge: transaction ${storage.transactionHash} created ${bridge.address}`;
      const sends = `SessionBridge: transaction ${storage.transactionHash} sends the artifact's creation code and the recorded constructor arguments`;
      expect(failedChecks(check)).to.deep.equal([created, sends]);
      expect(check.message).to.include(
        line(
          created,
          `the creation of ${bridge.address} by ${deployer.address} in block ${bridge.blockNumber} (${bridge.blockHash})`,
          `the creation of ${storage.address} by ${deployer.address} in block ${storage.blockNumber} (${storage.blockHash})`,
        ),
      );
    });
  });

  it("validates configs: the testnet template names every field to fill, and testnet refuses a delay under 24 h", () => {
    const ctx = { network: "parsTestnet", deployer: ethers.ZeroAddress.replace(/0$/, "1"), accounts: [], localChain: false };
    const file = configPathFor("parsTestnet");
    let err: unknown;
    try {
      resolveConfig(file, readConfigFile(file), ctx);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(DeployConfigError);
    expect((err as Error).message).to.match(/treasury: required/).and.match(/guardian: required/).and.match(/timelock\.proposers\[0\]: required/);

    const filled = {
      ...readConfigFile(file),
      treasury: "0x00000000000000000000000000000000000000aa",
      guardian: "0x00000000000000000000000000000000000000bb",
      timelock: { minDelaySeconds: 3600, proposers: ["0x00000000000000000000000000000000000000cc"], executors: ["anyone"] },
    };
    expect(() => resolveConfig(file, filled, ctx)).to.throw(/parsTestnet requires at least 86400 s \(24 h\)/);
    const ok = resolveConfig(file, { ...filled, timelock: { ...filled.timelock, minDelaySeconds: 86400 } }, ctx);
    expect(ok.timelock.executors).to.deep.equal([ethers.ZeroAddress]);
    expect(ok.pqProfile).to.equal("lux");
    expect(ok.precompiles.mldsa).to.equal("0x0000000000000000000000000000000000012202");
    expect(() => resolveConfig(file, { ...filled, guardian: "account:1", timelock: { ...filled.timelock, minDelaySeconds: 86400 } }, ctx)).to.throw(/only allowed on local networks/);
  });
});
