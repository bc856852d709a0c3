import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import hre from "hardhat";
import { ethers } from "ethers";
import { startHardhatNode, type LocalNode } from "../helpers/node-process";
import { getDeployment } from "../../src/deployments";
import { PASSWORD_ENV } from "../../tasks/lib/io";
import { onNetwork, rejection, rpc, runTask, setEnv, tempDir } from "./helpers";
import { localProvider } from "../../tasks/local";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const PASSWORD = "operator e2e password";
const SEND = { yes: true, dryRun: false, json: true, confirmations: 1 };

type Json = Record<string, unknown>;

/**
 * An operator's whole flow through the tasks against a real `hardhat node` in another process:
 * deploy (CLI, child process), keys, register, status, heartbeats (one-shot and --loop), a dry-run
 * exit, and calls that fail with a named custom error.
 */
describe("delivery: operator flow on a real `hardhat node`", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let dir: string;
  let keystore: string;
  let restoreEnv: () => void;
  let operator: string;
  let nodeId: string;

  const task = <T = Json>(name: string, args: Json) => onNetwork(hre, "localhost", node.url, () => runTask<T>(hre, name, args));
  const status = async () => (await task("node:status", { keystore, json: true })).result;
  const nextEpoch = async () => {
    await rpc(node.url, "evm_increaseTime", [3600]);
    await rpc(node.url, "evm_mine");
  };

  before(async () => {
    node = await startHardhatNode();
    dir = tempDir("e2e");
    keystore = path.join(dir, "operator.keystore.json");
    restoreEnv = setEnv({ PARS_DEPLOYMENTS_DIR: dir, [PASSWORD_ENV]: PASSWORD });
  });

  after(async () => {
    restoreEnv?.();
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deploy-suite --network localhost, as a child process, deploys and checks the suite", async () => {
    const cli = require.resolve("hardhat/internal/cli/cli.js");
    const { stdout } = await run(process.execPath, [cli, "deploy-suite", "--network", "localhost", "--yes", "--json"], {
      cwd: ROOT,
      env: { ...process.env, LOCALHOST_RPC_URL: node.url, PARS_DEPLOYMENTS_DIR: dir, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      maxBuffer: 1 << 24,
    });
    const report = JSON.parse(stdout) as { ok: boolean; deployed: string[]; checks: { ok: boolean }[]; addresses: Record<string, string> };
    expect(report.ok).to.equal(true);
    expect(report.deployed).to.have.length(7);
    expect(report.checks.every((c) => c.ok)).to.equal(true);
    expect(getDeployment(31337, dir)!.contracts.ServiceNodeRegistry!.address).to.equal(report.addresses.ServiceNodeRegistry);
  });

  it("keys:generate, then node:register --yes registers and activates the node", async () => {
    const gen = await task("keys:generate", { out: keystore, heartbeatEpochs: 200, scryptLogN: 15, json: true, force: false });
    operator = gen.result.address as string;
    const funded = await task("local:fund", { keystore, amount: "20000", json: true });
    expect(funded.result).to.deep.include({ account: operator, balance: ethers.parseEther("20000").toString() });

    // A local node mines a block per transaction: more confirmations than one would never come.
    const reg = await task("node:register", { ...SEND, confirmations: 3, keystore, feeBps: 500 });
    const doc = JSON.parse(reg.stdout);
    expect(doc.ok).to.equal(true);
    expect(doc.nodeId).to.equal("1");
    expect(doc.activated).to.equal(true);
    expect(doc.transaction.hash).to.match(/^0x[0-9a-f]{64}$/);
    expect(reg.stderr).to.match(/waiting for 0x[0-9a-f]{64}/);
    expect(reg.stderr).to.match(/waiting for 1 confirmation, not 3/);
    nodeId = doc.nodeId;

    const again = await rejection(task("node:register", { ...SEND, keystore, feeBps: 500 }));
    expect(again.message).to.match(/already registered, as node 1/);
  });

  it("node:status --json reports the active node, its swarm and its contributors", async () => {
    const { stdout } = await task("node:status", { keystore, json: true });
    const s = JSON.parse(stdout);
    expect(s).to.include({ ok: true, nodeId, status: "Active", operator, operatorFeeBps: 500, heartbeatDue: false, swarmId: 0, swarmSize: 1 });
    expect(s.stake).to.equal(ethers.parseEther("15000").toString());
    expect(s.contributors).to.deep.equal([{ account: operator, contributed: s.stake, withdrawn: false, claimable: "0" }]);
    const human = await task("node:status", { nodeId, json: false });
    expect(human.stdout).to.match(/status\s+Active/);
  });

  it("a third-party client (Foundry's cast) reads network health and the node's status from the recorded addresses", async function () {
    let castBin: string;
    try {
      castBin = require.resolve("@foundry-rs/cast-linux-amd64/bin/cast", { paths: [ROOT] });
    } catch {
      this.skip();
    }
    const cast = async (...args: string[]) => (await run(castBin, args, { maxBuffer: 1 << 24 })).stdout.trim();
    const record = JSON.parse(fs.readFileSync(path.join(dir, "31337.json"), "utf8"));
    const swarms = record.contracts.SwarmCoordinator.address as string;
    const registry = record.contracts.ServiceNodeRegistry.address as string;
    // Hardhat refuses cast's own eth_call object, so cast encodes the call, sends it as raw JSON-RPC
    // and decodes the answer itself.
    const call = async (to: string, sig: string, ...args: string[]) => {
      const data = await cast("calldata", sig.replace(/\(([^()]*)\)\(.*\)$/, "($1)"), ...args);
      const out = JSON.parse(await cast("rpc", "--rpc-url", node.url, "eth_call", JSON.stringify({ to, data }), "latest")) as string;
      return cast("abi-decode", sig, out);
    };
    expect(await call(swarms, "activeNodes()(uint256)")).to.equal("1");
    expect(await call(swarms, "swarmCount()(uint32)")).to.equal("1");
    expect(await call(registry, "activeNodes()(uint256)")).to.equal("1");
    // getNode(1).status: Active = 2 (the second word of the returned tuple).
    const node1 = await call(
      registry,
      "getNode(uint64)((address,uint8,uint8,uint8,uint16,uint16,uint16,uint40,uint40,uint32,uint32,uint96,uint96,bytes32,uint256))",
      String(nodeId),
    );
    expect(node1).to.match(new RegExp(`^\\(${operator}, 2, 1,`, "i"));
  });

  it("a call that reverts is explained by its custom error: an exit before the minimum age", async () => {
    const err = await rejection(task("node:exit", { ...SEND, keystore, nodeId }));
    expect(err.message).to.match(/reverted with ServiceNodeRegistry: ExitTooEarly\(nodeId: 1, allowedAt: \d+\)/);
    expect(err.details!.revert).to.include({ contract: "ServiceNodeRegistry", name: "ExitTooEarly" });
    const early = await rejection(task("node:withdraw", { ...SEND, keystore }));
    expect(early.message).to.match(/InvalidNodeStatus\(nodeId: 1, status: 2 \(Active\)\)/);
  });

  it("node:heartbeat after an epoch passes proves liveness; a second one in the same epoch sends nothing", async () => {
    await nextEpoch();
    expect((await status()).heartbeatDue).to.equal(true);
    const hb = await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 });
    expect(hb.result).to.include({ sent: true });
    const after = await status();
    expect(after.heartbeatDue).to.equal(false);
    expect(after.lastHeartbeatEpoch).to.equal(after.currentEpoch);
    const again = await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 });
    expect(again.result).to.include({ sent: false });
    expect(again.result.reason).to.match(/already proven/);
  });

  it("node:heartbeat --loop sends one per epoch and stops at --max-iterations", async () => {
    // While the loop runs, the node is read directly (the task helpers swap global state: one at a time).
    const provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const registry = new ethers.Contract(
      getDeployment(31337, dir)!.contracts.ServiceNodeRegistry!.address,
      ["function currentEpoch() view returns (uint32)", "function getNode(uint64) view returns ((address,uint8,uint8,uint8,uint16,uint16,uint16,uint40,uint40,uint32,uint32,uint96,uint96,bytes32,uint256))"],
      provider,
    );
    const loop = task<{ heartbeats: { epoch: number }[] }>("node:heartbeat", { ...SEND, keystore, loop: true, maxIterations: 2, pollSeconds: 0.05 });
    for (let i = 0; i < 2; i++) {
      await nextEpoch();
      const deadline = Date.now() + 20_000;
      for (;;) {
        const lastHeartbeatEpoch = (await registry.getNode(1))[9];
        if (lastHeartbeatEpoch === (await registry.currentEpoch())) break;
        if (Date.now() > deadline) throw new Error("the loop sent no heartbeat for the new epoch");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const { result } = await loop;
    provider.destroy();
    expect(result.heartbeats).to.have.length(2);
    expect(result.heartbeats[1].epoch).to.equal(result.heartbeats[0].epoch + 1);
  });

  it("node:exit --dry-run prints the unsigned transaction and changes nothing", async () => {
    const nonce = await rpc<string>(node.url, "eth_getTransactionCount", [operator, "latest"]);
    const block = await rpc<string>(node.url, "eth_blockNumber");
    const { stdout } = await task("node:exit", { ...SEND, yes: false, dryRun: true, keystore });
    const doc = JSON.parse(stdout);
    const registry = getDeployment(31337, dir)!.contracts.ServiceNodeRegistry!.address;
    expect(doc.dryRun).to.equal(true);
    const tx = doc.unsignedTransaction;
    expect(tx).to.include({ from: operator, to: registry, nonce: Number(nonce), chainId: 31337 });
    expect(tx.data).to.equal(new ethers.Interface(["function requestExit(uint64)"]).encodeFunctionData("requestExit", [1]));
    expect(ethers.Transaction.from(tx.unsignedSerialized).to).to.equal(registry);
    expect(await rpc(node.url, "eth_getTransactionCount", [operator, "latest"])).to.equal(nonce);
    expect(await rpc(node.url, "eth_blockNumber")).to.equal(block);
    expect((await status()).status).to.equal("Active");
  });

  it("rewards:claim names the error when there is nothing to claim; fees:quote quotes from the bridge; node:commit-storage commits once per epoch", async () => {
    const claim = await rejection(task("rewards:claim", { ...SEND, keystore }));
    expect(claim.message).to.match(/ServiceNodeRewards: NothingToClaim\(nodeId: 1, account: 0x[0-9a-fA-F]{40}\)/);
    const quote = await task<Json>("fees:quote", { inbox: "alice", messageBytes: 1024, json: false });
    expect(quote.result.sessions).to.deep.include({
      available: true,
      feeMultiplier: "1",
      createSession: ethers.parseEther("0.001").toString(),
      message: { bytes: 1024, fee: ethers.parseEther("0.0001").toString() },
    });
    expect(quote.stdout).to.match(/create session\s+0\.001 PARS/);
    expect(quote.stdout).to.match(/network\s+1 active nodes in 1 swarms, not healthy/);
    expect(quote.stdout).to.match(/swarm 0 fees to flush\s+0\.0 PARS/);
    expect((quote.result.inbox as Json).swarmId).to.equal(0);
    const root = ethers.keccak256(ethers.toUtf8Bytes("the node's messages"));
    const commit = await task("node:commit-storage", { ...SEND, keystore, merkleRoot: root, messageCount: "3", usedBytes: "4096" });
    expect(commit.result).to.include({ nodeId, swarmId: 0 });
    expect((commit.result.transaction as Json).hash).to.match(/^0x[0-9a-f]{64}$/);
    const again = await rejection(task("node:commit-storage", { ...SEND, keystore, merkleRoot: root, messageCount: "3", usedBytes: "4096" }));
    expect(again.message).to.match(/StorageCommitment: AlreadyCommitted\(nodeId: 1, epoch: \d+\)/);
  });

  it("node:contribute fills a second node's open stake from the network's account, which activates it", async () => {
    const second = path.join(dir, "second.keystore.json");
    const gen = await task("keys:generate", { out: second, heartbeatEpochs: 100, scryptLogN: 15, json: true, force: false });
    await rpc(node.url, "hardhat_setBalance", [gen.result.address, ethers.toQuantity(ethers.parseEther("5000"))]);
    const reg = await task("node:register", { ...SEND, keystore: second, feeBps: 1000, stake: "3750" });
    expect(reg.result).to.include({ nodeId: "2", activated: false });
    const awaiting = (await task("node:status", { nodeId: "2", json: true })).result;
    expect(awaiting).to.include({ status: "AwaitingContributions", minimumContribution: ethers.parseEther("1250").toString() });

    const first = await task("node:contribute", { ...SEND, nodeId: "2", minimum: true });
    expect(first.result.amount).to.equal(ethers.parseEther("1250").toString());
    const tooMuch = await rejection(task("node:contribute", { ...SEND, nodeId: "2", amount: "20000", minimum: false }));
    expect(tooMuch.message).to.match(/ContributionTooHigh\(sent: 20000000000000000000000, maximum: 10000000000000000000000\)/);
    await task("node:contribute", { ...SEND, nodeId: "2", amount: "10000", minimum: false });
    const active = (await task("node:status", { nodeId: "2", json: true })).result;
    expect(active.status).to.equal("Active");
    expect((active.contributors as unknown[]).length).to.equal(2);
  });

  it("node:rotate-anchor starts a fresh heartbeat chain, kept in the keystore, and heartbeats continue on it", async () => {
    await nextEpoch();
    const before = JSON.parse(fs.readFileSync(keystore, "utf8")).public.heartbeat.anchor as string;
    const rot = await task("node:rotate-anchor", { ...SEND, keystore, heartbeatEpochs: 100 });
    const after = JSON.parse(fs.readFileSync(keystore, "utf8")).public.heartbeat.anchor as string;
    expect(rot.result.anchor).to.equal(after);
    expect(after).to.not.equal(before);
    expect(fs.existsSync(`${keystore}.previous`)).to.equal(true);
    expect(fs.existsSync(`${keystore}.rotating`)).to.equal(false);
    await nextEpoch();
    const hb = await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 });
    expect(hb.result).to.include({ sent: true });
  });

  it("rewards:claim pays the operator its share of a funded emission pool", async () => {
    const rewards = getDeployment(31337, dir)!.contracts.ServiceNodeRewards!.address;
    const funded = await task("local:fund", { pool: true, amount: "1000", json: true });
    expect(funded.result).to.deep.include({ pool: rewards, amount: ethers.parseEther("1000").toString() });
    expect(BigInt(await rpc<string>(node.url, "eth_getBalance", [rewards, "latest"]))).to.be.at.least(ethers.parseEther("1000"));
    expect((await rejection(task("local:fund", { pool: true, to: operator, amount: "1", json: true }))).message).to.equal("pass --to or --pool, not both");
    await nextEpoch();
    const balance = BigInt(await rpc<string>(node.url, "eth_getBalance", [operator, "latest"]));
    const claim = await task("rewards:claim", { ...SEND, keystore });
    expect(BigInt(claim.result.claimable as string)).to.be.greaterThan(0n);
    const after = BigInt(await rpc<string>(node.url, "eth_getBalance", [operator, "latest"]));
    expect(after - balance).to.be.greaterThan(BigInt(claim.result.claimable as string) - ethers.parseEther("0.01"));
  });

  it("node:exit, then node:withdraw: refused while locked (StakeLocked), paid after the lock period", async () => {
    const exit = await task("node:exit", { ...SEND, keystore });
    expect(exit.result.transaction).to.have.property("hash");
    expect((await status()).status).to.equal("Decommissioning");
    const locked = await rejection(task("node:withdraw", { ...SEND, keystore }));
    expect(locked.message).to.match(/ServiceNodeRegistry: StakeLocked\(nodeId: 1, unlockAt: \d+\)/);
    await rpc(node.url, "evm_increaseTime", [30 * 24 * 3600]);
    await rpc(node.url, "evm_mine");
    const paid = await task("node:withdraw", { ...SEND, keystore });
    expect(BigInt(paid.result.amount as string)).to.be.greaterThan(ethers.parseEther("14000"));
    const retired = await status();
    expect(retired.status).to.equal("Retired");
    expect((retired.contributors as Json[])[0]).to.include({ account: operator, withdrawn: true });
    const human = await task("node:status", { keystore, json: false });
    expect(human.stdout).to.match(/contributor 0x[0-9a-fA-F]{40}: 15000\.0 PARS \(withdrawn\)/);
  });

  it("local:advance moves the local clock by whole epochs; local:* refuse any chain but 31337", async () => {
    const before = (await task("local:advance", { hours: 1, json: true })).result as { epoch: number };
    const after = (await task("local:advance", { hours: 2, json: true })).result as { epoch: number };
    expect(after.epoch - before.epoch).to.equal(2);
    expect((await rejection(task("local:advance", { hours: 0, json: true }))).message).to.match(/--hours: a positive whole number/);
    const elsewhere = { name: "parsTestnet", provider: { request: async () => "0x1b9f" } } as unknown as typeof hre.network;
    const refused = await rejection(localProvider({ ...hre, network: elsewhere } as typeof hre));
    expect(refused.message).to.equal("network parsTestnet is chain 7071: local:* tasks run only on a local node (chain 31337)");
  });
});
