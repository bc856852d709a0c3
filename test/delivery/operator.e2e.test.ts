import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import hre from "hardhat";
import { ethers } from "ethers";
import { startHardhatNode, type LocalNode } from "../helpers/node-process";
import { SUITE_CONTRACTS, getDeployment } from "../../src/deployments";
import { PASSWORD_ENV } from "../../tasks/lib/io";
import { onNetwork, rejection, rpc, runTask, sendAs, setEnv, tempDir, withProviderFault } from "./helpers";
import { findRevertData } from "../../src/revert";
import { encodeMultiaddr } from "../../src/multiaddr";
import { localProvider } from "../../tasks/local";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const PASSWORD = "operator e2e password";
const SEND = { yes: true, dryRun: false, json: true, confirmations: 1 };
/** The private key of `hardhat node`'s second account (public, the same on every Hardhat node). */
const HARDHAT_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

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
    expect(report.deployed).to.have.members([...SUITE_CONTRACTS]);
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
    expect(s.contributors).to.deep.equal([{ account: operator, contributed: s.stake, withdrawn: false, reserved: null, claimable: "0" }]);
    const human = await task("node:status", { nodeId, json: false });
    expect(human.stdout).to.match(/status\s+Active/);
  });

  it("a third-party client (plain cast call and cast send) reads network health and the node's status and sends a transaction", async function () {
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
    // Plain `cast call` and `cast send`, as a user types them (cast sends both `input` and `data`).
    const call = (to: string, sig: string, ...args: string[]) => cast("call", "--rpc-url", node.url, to, sig, ...args);
    expect(await call(swarms, "activeNodes()(uint256)")).to.equal("1");
    expect(await call(swarms, "swarmCount()(uint32)")).to.equal("1");
    expect(await call(registry, "activeNodes()(uint256)")).to.equal("1");
    // getNode(1).status: Active = 2 (the second word of the returned tuple).
    const node1 = await call(
      registry,
      "getNode(uint64)((address,uint8,uint8,uint8,uint16,uint16,uint16,uint40,uint40,uint40,uint32,uint32,uint96,uint96,bytes32,uint256))",
      String(nodeId),
    );
    expect(node1).to.match(new RegExp(`^\\(${operator}, 2, 1,`, "i"));
    // cast send with a key (the node's second account) and calldata, gas estimated by the node (to a
    // fresh account: the suite's state stays as the next tests expect it).
    const to = ethers.Wallet.createRandom().address;
    const sent = await cast("send", "--rpc-url", node.url, "--private-key", HARDHAT_KEY_1, to, "hello(uint256)", "7", "--value", "1ether");
    expect(sent).to.match(/status\s+1 \(success\)/);
    expect(await cast("balance", "--rpc-url", node.url, to)).to.equal(ethers.parseEther("1").toString());
  });

  it("a call that reverts is explained by its custom error: an exit before the minimum age", async () => {
    const err = await rejection(task("node:exit", { ...SEND, keystore, nodeId }));
    expect(err.message).to.match(/reverted with ServiceNodeRegistry: ExitTooEarly\(nodeId: 1, allowedAt: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in [12] h( \d+ min)?\)\)/);
    // The raw value stays in the details (and in --json).
    expect((err.details!.revert as { args: Json }).args.allowedAt).to.match(/^\d+$/);
    // What to do next: on a local node, move the clock; a dry run warns and still prints the transaction.
    expect(err.message).to.match(/On this local node, move the clock there: npx hardhat local:advance --network localhost --hours 2$/);
    const dry = await task("node:exit", { ...SEND, dryRun: true, keystore, nodeId });
    expect(dry.stderr).to.match(/warning: .*ExitTooEarly/);
    expect(dry.result.unsignedTransaction).to.have.property("data");
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
      (await hre.artifacts.readArtifact("ServiceNodeRegistry")).abi,
      provider,
    );
    const loop = task<{ heartbeats: { epoch: number }[] }>("node:heartbeat", { ...SEND, keystore, loop: true, maxIterations: 2, pollSeconds: 0.05 });
    for (let i = 0; i < 2; i++) {
      await nextEpoch();
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { lastHeartbeatEpoch } = await registry.getNode(1);
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
    // Refused before sending: nothing is claimable, and the message says how rewards accrue.
    expect(claim.message).to.match(/^nothing to claim for 0x[0-9a-fA-F]{40} from node 1: rewards accrue each epoch the node is active while the emission pool is funded \(on this local node: npx hardhat local:fund --network localhost --pool/);
    const dry = await task("rewards:claim", { ...SEND, dryRun: true, keystore });
    expect(dry.stderr).to.match(/warning: nothing to claim/);
    expect(dry.result.unsignedTransaction).to.have.property("data");
    const quote = await task<Json>("fees:quote", { inbox: "alice", messageBytes: 1024, json: false });
    expect(quote.result.sessions).to.deep.include({
      available: true,
      feeMultiplier: "1",
      createSession: ethers.parseEther("0.001").toString(),
      message: { bytes: 1024, fee: ethers.parseEther("0.0001").toString() },
    });
    expect(quote.stdout).to.match(/create session\s+0\.001 PARS/);
    expect(quote.stdout).to.match(/network\s+1 active nodes in 1 swarms, not healthy/);
    expect(quote.stdout).to.match(/swarm 0 fees to flush\s+0 PARS/);
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
    expect(tooMuch.message).to.match(/ContributionTooHigh\(sent: 20,000 PARS, maximum: 10,000 PARS\)/);
    expect((tooMuch.details!.revert as { args: Json }).args).to.deep.equal({ sent: "20000000000000000000000", maximum: "10000000000000000000000" });
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

  it("node:rotate-anchor survives an error after broadcast: the new chain is kept until the chain decides (adopted when mined, removed once it cannot be), and the next heartbeat succeeds", async () => {
    const pending = `${keystore}.rotating`;
    const receiptsFail = (method: string) => method === "eth_getTransactionReceipt";
    // 1. Broadcast, not yet mined, the receipt poll fails: the pending chain stays, the error says where.
    await nextEpoch();
    await rpc(node.url, "evm_setAutomine", [false]);
    let failed: Awaited<ReturnType<typeof rejection>>;
    try {
      failed = await rejection(onNetwork(hre, "localhost", node.url, () => withProviderFault(hre, receiptsFail, () => runTask(hre, "node:rotate-anchor", { ...SEND, keystore, heartbeatEpochs: 100 }))));
    } finally {
      await rpc(node.url, "evm_setAutomine", [true]);
    }
    expect(failed.message).to.include("eth_getTransactionReceipt: connection reset by peer");
    expect(failed.message).to.include(`its heartbeat chain is kept in ${pending}`);
    expect(fs.existsSync(pending)).to.equal(true);
    const pendingAnchor = JSON.parse(fs.readFileSync(pending, "utf8")).public.heartbeat.anchor as string;
    // A second rotation in that epoch is refused while the first may still be mined.
    expect((await rejection(task("node:rotate-anchor", { ...SEND, keystore, heartbeatEpochs: 100 }))).message).to.match(/may still be mined/);
    await rpc(node.url, "evm_mine");
    // 2. Mined: the next heartbeat finds the registry on the pending chain, adopts it and proves liveness.
    await nextEpoch();
    const hb = await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 });
    expect(hb.result).to.include({ sent: true });
    expect(hb.stderr).to.include("it is now the keystore");
    expect(fs.existsSync(pending)).to.equal(false);
    expect(JSON.parse(fs.readFileSync(keystore, "utf8")).public.heartbeat.anchor).to.equal(pendingAnchor);
    // 3. Mined at once and the receipt lost: the task sees the anchor on chain and finishes the swap.
    await nextEpoch();
    const lost = await onNetwork(hre, "localhost", node.url, () => withProviderFault(hre, receiptsFail, () => runTask(hre, "node:rotate-anchor", { ...SEND, keystore, heartbeatEpochs: 100 })));
    expect(lost.result.receiptError).to.include("connection reset by peer");
    expect(JSON.parse(fs.readFileSync(keystore, "utf8")).public.heartbeat.anchor).to.equal(lost.result.anchor);
    expect(fs.existsSync(pending)).to.equal(false);
    await nextEpoch();
    expect((await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 })).result).to.include({ sent: true });
    // 4. The connection drops as the rotation is sent and it never arrives: the pending chain is kept
    //    while the registry could still accept it (this epoch), and removed once it no longer can.
    await nextEpoch();
    const dropped = await rejection(
      onNetwork(hre, "localhost", node.url, () => withProviderFault(hre, (m) => m === "eth_sendRawTransaction", () => runTask(hre, "node:rotate-anchor", { ...SEND, keystore, heartbeatEpochs: 100 }))),
    );
    expect(dropped.message).to.include(`its heartbeat chain is kept in ${pending}`);
    const sameEpoch = await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 });
    expect(sameEpoch.result).to.include({ sent: true });
    expect(fs.existsSync(pending)).to.equal(true);
    await nextEpoch();
    const later = await task("node:heartbeat", { ...SEND, keystore, loop: false, pollSeconds: 1 });
    expect(later.result).to.include({ sent: true });
    expect(later.stderr).to.include(`removed ${pending}: its rotation`);
    expect(fs.existsSync(pending)).to.equal(false);
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
    expect(locked.message).to.match(/ServiceNodeRegistry: StakeLocked\(nodeId: 1, unlockAt: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (29 d 23 h|30 d)\)\)/);
    await rpc(node.url, "evm_increaseTime", [30 * 24 * 3600]);
    await rpc(node.url, "evm_mine");
    const paid = await task("node:withdraw", { ...SEND, keystore });
    expect(BigInt(paid.result.amount as string)).to.be.greaterThan(ethers.parseEther("14000"));
    const retired = await status();
    expect(retired.status).to.equal("Retired");
    const again = await rejection(task("node:withdraw", { ...SEND, keystore }));
    expect(again.message).to.match(/InvalidNodeStatus\(nodeId: 1, status: 4 \(Retired\)\)\. The node is retired: every stake in it was withdrawn or refunded; nothing is left to do$/);
    expect((retired.contributors as Json[])[0]).to.include({ account: operator, withdrawn: true });
    const human = await task("node:status", { keystore, json: false });
    expect(human.stdout).to.match(/contributor 0x[0-9a-fA-F]{40}: 15,000 PARS \(withdrawn\)/);
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

  /**
   * The roles of DESIGN §13 through the tasks, on the same node and deployment: the owner is an
   * account whose key the tasks never see (a Safe or a hardware wallet: here an account the node
   * signs for, sent the printed transactions), the node's keystore holds the manager's hot key.
   */
  describe("node roles: the owner's wallet signs printed transactions, the node's keystore is the manager", () => {
    let nodeKeystore: string;
    let owner: string;
    let manager: string;
    let beneficiary: string;
    let node3: string;
    let deployment: ReturnType<typeof getDeployment>;
    type Unsigned = { unsigned: true; transaction: { chainId: number; from: string; to: string; value: string; data: string }; call: { contract: string; function: string; args: Json } };
    const balance = async (a: string) => BigInt(await rpc<string>(node.url, "eth_getBalance", [a, "latest"]));
    const nonce = async (a: string) => Number(await rpc<string>(node.url, "eth_getTransactionCount", [a, "latest"]));
    const status3 = async () => (await task("node:status", { keystore: nodeKeystore, json: true })).result;
    const iface = async (name: string) => new ethers.Interface((await hre.artifacts.readArtifact(name)).abi);
    /** The custom error an eth_call from `from` reverts with. */
    const revertOf = async (name: string, from: string, data: string) => {
      const i = await iface(name);
      const provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true });
      const err = await rejection(provider.call({ from, to: deployment!.contracts[name]!.address, data })).finally(() => provider.destroy());
      return i.parseError(findRevertData(err)!)!;
    };

    before(async () => {
      deployment = getDeployment(31337, dir);
      const accounts = await rpc<string[]>(node.url, "eth_accounts");
      owner = ethers.getAddress(accounts[5]);
      beneficiary = ethers.Wallet.createRandom().address;
      nodeKeystore = path.join(dir, "node3.keystore.json");
      const gen = await task("keys:generate", { out: nodeKeystore, heartbeatEpochs: 100, scryptLogN: 15, json: true, force: false });
      manager = gen.result.address as string;
      // The node's account pays gas only.
      await rpc(node.url, "hardhat_setBalance", [manager, ethers.toQuantity(ethers.parseEther("1"))]);
    });

    it("node:register --owner --unsigned: the node's keystore proves its keys for the owner, whose wallet sends the printed registration", async () => {
      const refused = await rejection(task("node:register", { ...SEND, keystore: nodeKeystore, owner, feeBps: 500, stake: "11250" }));
      expect(refused.message).to.equal(
        `the owner ${owner} sends the registration and the stake: sign with its key (--wallet <JSON wallet> or --private-key-env <VAR>), or pass --unsigned to print the transaction for its wallet (a Safe, a hardware wallet) to sign`,
      );
      const printed = await task<Unsigned>("node:register", { ...SEND, yes: false, unsigned: true, keystore: nodeKeystore, owner, feeBps: 500, stake: "11250" });
      const tx = printed.result.transaction;
      expect(tx).to.include({ chainId: 31337, from: owner, to: deployment!.contracts.ServiceNodeRegistry!.address, value: ethers.parseEther("11250").toString() });
      expect(printed.result.call.function).to.match(/^register\(/);
      expect(JSON.parse(printed.stdout).transaction.data).to.equal(tx.data);
      // The text form prints the whole calldata (several kilobytes of keys and proofs), never cut.
      const text = await task<Unsigned>("node:register", { ...SEND, yes: false, json: false, unsigned: true, keystore: nodeKeystore, owner, feeBps: 500, stake: "11250" });
      expect(text.stdout).to.include(`unsigned transaction for ${owner} to sign (nothing sent)`);
      expect(text.stdout).to.match(new RegExp(`data\\s+${text.result.transaction.data}\\n`));
      expect(text.result.transaction.data.length).to.be.greaterThan(5000);
      expect(await nonce(manager)).to.equal(0);

      await sendAs(node.url, tx);
      const s = await status3();
      node3 = s.nodeId as string;
      expect(s).to.include({ status: "AwaitingContributions", owner, operator: owner, manager: null, beneficiary: owner, endpoint: null, operatorFeeBps: 500 });
      expect(s.keystore).to.deep.equal({ address: manager, role: null });
      // A contributor fills the rest: the network's account.
      await task("node:contribute", { ...SEND, nodeId: node3, amount: "3750", minimum: false });
      expect((await status3()).status).to.equal("Active");
    });

    it("node:set-manager and node:set-beneficiary --unsigned print the owner's transactions (owner read from the chain); sent by the owner they do what was printed", async () => {
      const dir_ = deployment!.contracts.NodeDirectory!.address;
      const directory = await iface("NodeDirectory");
      const setManager = (await task<Unsigned>("node:set-manager", { ...SEND, yes: false, unsigned: true, keystore: nodeKeystore, manager })).result;
      expect(setManager.transaction).to.deep.equal({ chainId: 31337, from: owner, to: dir_, value: "0", data: directory.encodeFunctionData("setManager", [node3, manager]) });
      expect(setManager.call).to.deep.equal({ contract: "NodeDirectory", function: "setManager(uint64,address)", args: { nodeId: node3, manager } });
      const setBeneficiary = await task<Unsigned>("node:set-beneficiary", { ...SEND, yes: false, json: false, unsigned: true, nodeId: node3, beneficiary });
      expect(setBeneficiary.result.transaction.data).to.equal(directory.encodeFunctionData("setBeneficiary", [node3, beneficiary]));
      expect(setBeneficiary.stdout).to.match(new RegExp(`to\\s+${dir_} \\(NodeDirectory\\)`));
      expect(setBeneficiary.stdout).to.match(new RegExp(`value\\s+0 wei \\(0 PARS\\)`));
      expect(setBeneficiary.stdout).to.include(setBeneficiary.result.transaction.data);
      expect(setBeneficiary.stdout).to.match(/simulated\s+succeeds/);

      await sendAs(node.url, setManager.transaction);
      await sendAs(node.url, setBeneficiary.result.transaction);
      const s = await status3();
      expect(s).to.include({ owner, manager, beneficiary });
      expect(s.keystore).to.deep.equal({ address: manager, role: "manager" });
      const human = await task("node:status", { keystore: nodeKeystore, json: false });
      expect(human.stdout).to.match(new RegExp(`manager\\s+${manager}`));
      expect(human.stdout).to.match(new RegExp(`keystore account\\s+${manager} \\(manager\\)`));
    });

    it("the manager's keystore sets the endpoint, rotates the transport key (the replaced key kept for its grace period) and relays heartbeats", async () => {
      const endpoint = "/dns4/n3.example/tcp/443/wss";
      const set = await task("node:set-endpoint", { ...SEND, keystore: nodeKeystore, endpoint });
      expect(set.result).to.include({ nodeId: node3, endpoint, endpointBytes: encodeMultiaddr(endpoint) });
      expect((await status3()).endpoint).to.equal(endpoint);
      const bad = await rejection(task("node:set-endpoint", { ...SEND, keystore: nodeKeystore, endpoint: "/ip4/203.0.113.7/tcp/443/quic-v1" }));
      expect(bad.message).to.match(/^--endpoint: /);

      const before = JSON.parse(fs.readFileSync(nodeKeystore, "utf8")).public.mlkem.keyHash as string;
      const rot = await task("node:rotate-transport-key", { ...SEND, keystore: nodeKeystore });
      const after = JSON.parse(fs.readFileSync(nodeKeystore, "utf8")).public.mlkem.keyHash as string;
      expect(after).to.equal(rot.result.keyHash).and.not.equal(before);
      expect(rot.result.previousKeyHash).to.equal(before);
      const s = await status3();
      expect(s.transportKeys).to.deep.equal({ current: after, previous: before, previousValidUntil: rot.result.previousValidUntil, previousValid: true });
      expect(rot.result.previousValidUntil).to.equal((s.chainTime as number) + 86400);
      // The keystore still decrypts what was sent to the replaced key; the previous file is the old, valid keystore.
      const { readKeystore, decryptKeystore } = await import("../../src/keystore");
      const { transportKeyPairs } = await import("../../tasks/lib/transport");
      const { mlkemEncapsulate, mlkemDecapsulate } = await import("../../src/pq");
      const keys = decryptKeystore(readKeystore(nodeKeystore), PASSWORD);
      const pairs = transportKeyPairs(keys.secrets, s.chainTime as number);
      expect(pairs.map((p) => p.keyHash)).to.deep.equal([after, before]);
      const sent = mlkemEncapsulate(ethers.getBytes(decryptKeystore(readKeystore(`${nodeKeystore}.previous`), PASSWORD).public.mlkem.publicKey));
      expect(ethers.hexlify(mlkemDecapsulate(pairs[1].keyPair.secretKey, sent.cipherText))).to.equal(ethers.hexlify(sent.sharedSecret));
      expect(transportKeyPairs(keys.secrets, (s.chainTime as number) + 86401).map((p) => p.keyHash)).to.deep.equal([after]);

      // What the node runs by itself needs no owner: heartbeats, storage commitments, a fresh heartbeat chain.
      await nextEpoch();
      const hb = await task("node:heartbeat", { ...SEND, keystore: nodeKeystore, loop: false, pollSeconds: 1 });
      expect(hb.result).to.include({ sent: true });
      const root = ethers.keccak256(ethers.toUtf8Bytes("node 3's messages"));
      const commit = await task("node:commit-storage", { ...SEND, keystore: nodeKeystore, merkleRoot: root, messageCount: "1", usedBytes: "512" });
      expect(commit.result).to.include({ nodeId: node3 });
      await nextEpoch();
      const anchor = await task("node:rotate-anchor", { ...SEND, keystore: nodeKeystore, heartbeatEpochs: 50 });
      expect(anchor.result.transaction).to.have.property("hash");
    });

    it("the manager cannot touch stake, exit, fee or roles: each task refuses before sending, naming the owner and the manager, and the contracts refuse too", async () => {
      const sent = await nonce(manager);
      const named = `owner ${owner}, manager ${manager}`;
      for (const [name, extra] of [
        ["node:set-fee", { feeBps: 100 }],
        ["node:set-manager", { manager: owner, none: false }],
        ["node:set-beneficiary", { beneficiary: manager, owner: false }],
      ] as [string, Json][]) {
        const err = await rejection(task(name, { ...SEND, keystore: nodeKeystore, ...extra }));
        expect(err.message, name).to.include(`${manager} is not the owner of node ${node3} (it is the manager, which sets the endpoint and the transport key only); ${named}.`);
        expect(err.message, name).to.include("--unsigned");
      }
      for (const name of ["node:exit", "node:withdraw"]) {
        const err = await rejection(task(name, { ...SEND, keystore: nodeKeystore }));
        expect(err.message, name).to.include(`${manager} is neither the owner nor a contributor of node ${node3}`);
        expect(err.message, name).to.include(named);
      }
      expect(await nonce(manager)).to.equal(sent);
      // Another node's operator is neither owner nor manager of node 3.
      const outsider = await rejection(task("node:set-endpoint", { ...SEND, keystore, nodeId: node3, endpoint: "/ip4/203.0.113.7/udp/22025/quic-v1" }));
      expect(outsider.message).to.include(`is neither the owner nor the manager of node ${node3} (${named})`);

      const directory = await iface("NodeDirectory");
      const registry = await iface("ServiceNodeRegistry");
      expect((await revertOf("NodeDirectory", manager, directory.encodeFunctionData("setOperatorFee", [node3, 100]))).name).to.equal("NotOwner");
      expect((await revertOf("NodeDirectory", manager, directory.encodeFunctionData("setManager", [node3, manager]))).args.map(String)).to.deep.equal([node3, manager]);
      expect((await revertOf("ServiceNodeRegistry", manager, registry.encodeFunctionData("requestExit", [node3]))).name).to.equal("NotContributor");
    });

    it("rewards:pay-operator, sent by anyone, pays the operator's income to the beneficiary; rewards:claim --to pays a contributor's claim elsewhere", async () => {
      await task("local:fund", { pool: true, amount: "1000", json: true });
      await nextEpoch();
      const ownerBefore = await balance(owner);
      const pay = await task("rewards:pay-operator", { ...SEND, nodeId: node3 });
      expect(pay.result).to.include({ owner, beneficiary });
      const paid = BigInt(pay.result.paid as string);
      expect(paid).to.be.greaterThan(0n);
      expect(await balance(beneficiary)).to.equal(paid);
      expect(await balance(owner)).to.equal(ownerBefore);

      const elsewhere = ethers.Wallet.createRandom().address;
      const claim = await task("rewards:claim", { ...SEND, nodeId: node3, to: elsewhere });
      expect(claim.result.to).to.equal(elsewhere);
      expect(await balance(elsewhere)).to.equal(BigInt(claim.result.paid as string)).and.to.be.greaterThan(0n);
    });

    it("node:set-fee: an increase is scheduled and node:apply-fee applies it (anyone) after the notice; a decrease applies at once", async () => {
      const raise = (await task<Unsigned & Json>("node:set-fee", { ...SEND, yes: false, unsigned: true, keystore: nodeKeystore, feeBps: 800 })).result;
      expect(raise).to.include({ kind: "scheduled", currentFeeBps: 500, feeBps: 800, noticeSeconds: 30 * 86400 });
      await sendAs(node.url, raise.transaction);
      let s = await status3();
      expect(s.operatorFeeBps).to.equal(500);
      const pending = s.pendingFee as { feeBps: number; effectiveAt: number; due: boolean };
      expect(pending).to.include({ feeBps: 800, due: false });
      expect(pending.effectiveAt).to.equal((s.chainTime as number) + 30 * 86400);
      const early = await rejection(task("node:apply-fee", { ...SEND, nodeId: node3 }));
      expect(early.message).to.match(new RegExp(`the fee change of node ${node3} to 800 bps applies from .* on; the chain's time is `));

      await rpc(node.url, "evm_increaseTime", [30 * 86400]);
      await rpc(node.url, "evm_mine");
      expect(((await status3()).pendingFee as { due: boolean }).due).to.equal(true);
      const applied = await task("node:apply-fee", { ...SEND, nodeId: node3 });
      expect(applied.result).to.include({ previousFeeBps: 500, feeBps: 800 });
      s = await status3();
      expect(s).to.include({ operatorFeeBps: 800, pendingFee: null });

      const lower = (await task<Unsigned & Json>("node:set-fee", { ...SEND, yes: false, unsigned: true, nodeId: node3, feeBps: 300 })).result;
      expect(lower).to.include({ kind: "immediate", feeBps: 300 });
      await sendAs(node.url, lower.transaction);
      expect((await status3()).operatorFeeBps).to.equal(300);
      expect((await rejection(task("node:apply-fee", { ...SEND, nodeId: node3 }))).message).to.equal(`node ${node3} has no scheduled fee change (its fee is 300 bps)`);
    });

    it("node:exit and node:withdraw --unsigned: printed for the owner, refused when the contract would revert (StakeLocked)", async () => {
      const exit = (await task<Unsigned>("node:exit", { ...SEND, yes: false, unsigned: true, keystore: nodeKeystore })).result;
      expect(exit.transaction).to.include({ from: owner, to: deployment!.contracts.ServiceNodeRegistry!.address, value: "0" });
      expect(exit.call.function).to.equal("requestExit(uint64)");
      await sendAs(node.url, exit.transaction);
      expect((await status3()).status).to.be.oneOf(["Decommissioning", "Decommissioned"]);
      const locked = await rejection(task("node:withdraw", { ...SEND, yes: false, unsigned: true, keystore: nodeKeystore }));
      expect(locked.message).to.match(new RegExp(`would revert when ${owner} sends it, with ServiceNodeRegistry: StakeLocked\\(nodeId: ${node3}, unlockAt: \\d{4}-\\d\\d-\\d\\d [^)]+ UTC \\(in [^)]+\\)\\)`));
    });
  });
  describe("what a user trips on: messages that say what happened and what to do", () => {
    const reservedWallet = ethers.Wallet.createRandom();
    const otherWallet = ethers.Wallet.createRandom();
    let node4: string;

    it("no --network, or a node that does not answer: the message names the network, the URL and what to set", async () => {
      // Without --network the tasks run on a fresh in-process network, where nothing is deployed: as a
      // user types it, in a process of its own (this test's process has deployed on its in-process network).
      const cli = require.resolve("hardhat/internal/cli/cli.js");
      const inProcess = (await run(process.execPath, [cli, "node:status", "--node-id", "1", "--json"], {
        cwd: ROOT,
        env: { ...process.env, PARS_DEPLOYMENTS_DIR: dir, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      }).then(
        () => expect.fail("node:status without --network succeeded"),
        (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`,
      )) as string;
      expect(inProcess).to.include("no --network given");
      expect(inProcess).to.include("pass --network localhost");
      expect(inProcess).to.not.include("could not decode");
      const testnet = await rejection(onNetwork(hre, "parsTestnet", "http://127.0.0.1:9", () => runTask(hre, "node:status", { nodeId: "1", json: true })));
      expect(testnet.message).to.equal("no node answers at http://127.0.0.1:9 (network parsTestnet): set PARS_TESTNET_RPC_URL to the RPC URL of a parsTestnet node (see README, Networks)");
      expect(testnet.details).to.include({ network: "parsTestnet", url: "http://127.0.0.1:9" });
    });

    it("node:contribute: --amount 0, a node that does not exist and an active node each get their own message", async () => {
      expect((await rejection(task("node:contribute", { ...SEND, nodeId: "2", amount: "0", minimum: false }))).message).to.equal("--amount: a contribution must be more than 0 PARS");
      expect((await rejection(task("node:contribute", { ...SEND, nodeId: "99", minimum: true }))).message).to.equal("no node 99 on chain 31337 (node:status --node-id <id> shows a node)");
      expect((await rejection(task("node:contribute", { ...SEND, nodeId: "2", minimum: true }))).message).to.equal("node 2 is Active: it takes contributions only while it awaits them (before activation)");
    });

    it("an unfunded sender is told to fund it (a dry run warns); a reserved slot (--reserve with spaces) shows what activation waits for; a new contributor is told the rest is reserved; text --dry-run prints the whole transaction", async () => {
      const fourth = path.join(dir, "fourth.keystore.json");
      const gen = await task("keys:generate", { out: fourth, heartbeatEpochs: 100, scryptLogN: 15, json: true, force: false });
      const exists = await rejection(task("keys:generate", { out: fourth, heartbeatEpochs: 100, scryptLogN: 15, json: true, force: false }));
      expect(exists.message).to.equal(`${fourth} exists: pass --force to replace it (the keys it holds are lost unless you keep a copy)`);
      // Unfunded: refused before sending, with what to do; a dry run warns and prints the transaction.
      const broke = await rejection(task("node:register", { ...SEND, keystore: fourth, feeBps: 0, stake: "3750" }));
      expect(broke.message).to.equal(
        `${gen.result.address} holds 0 PARS, less than the 3,750 PARS this transaction sends: fund it first (on this local node: npx hardhat local:fund --network localhost --to ${gen.result.address})`,
      );
      const brokeDry = await task("node:register", { ...SEND, dryRun: true, keystore: fourth, feeBps: 0, stake: "3750" });
      expect(brokeDry.stderr).to.include(`warning: ${gen.result.address} holds 0 PARS`);
      expect(brokeDry.result.unsignedTransaction).to.have.property("data");
      await rpc(node.url, "hardhat_setBalance", [gen.result.address, ethers.toQuantity(ethers.parseEther("5000"))]);
      const reserved = reservedWallet.address;
      const other = otherWallet.address;
      const dry = await task("node:register", { ...SEND, json: false, dryRun: true, keystore: fourth, feeBps: 0, stake: "3750", reserve: ` ${reserved} : 10000 , ${other}:1250 ` });
      const data = (dry.result.unsignedTransaction as { data: string }).data;
      expect(data.length).to.be.greaterThan(10_000);
      expect(dry.stdout).to.include(data);
      expect(dry.stdout).to.not.include("…");
      const reg = await task("node:register", { ...SEND, keystore: fourth, feeBps: 0, stake: "3750", reserve: `${reserved}: 10000, ${other}: 1250` });
      const id = reg.result.nodeId as string;
      node4 = id;
      const human = await task("node:status", { nodeId: id, json: false });
      expect(human.stdout).to.match(/activation waits for\s+2 reserved slots to be paid/);
      expect(human.stdout).to.include(`contributor ${reserved}: 0 PARS (reserved: 10,000 PARS not paid yet)`);
      const full = await rejection(task("node:contribute", { ...SEND, nodeId: id, minimum: true }));
      expect(full.message).to.equal(
        `node ${id} has no stake left for a new contributor: the 11,250 PARS still open is reserved for ${reserved.toLowerCase()}, ${other.toLowerCase()}, who each send exactly their reserved amount; activation waits for them`,
      );
    });

    it("contributors sign with a private key from an environment variable or an encrypted JSON wallet: the reserved slots are paid and the node activates", async () => {
      for (const w of [reservedWallet, otherWallet]) await rpc(node.url, "hardhat_setBalance", [w.address, ethers.toQuantity(ethers.parseEther("20000"))]);
      const walletFile = path.join(dir, "contributor.wallet.json");
      fs.writeFileSync(walletFile, ethers.encryptKeystoreJsonSync({ address: otherWallet.address, privateKey: otherWallet.privateKey }, "contributor wallet password", { scrypt: { N: 1 << 12 } }));
      const restore = setEnv({ CONTRIBUTOR_KEY: reservedWallet.privateKey, PARS_WALLET_PASSWORD: "contributor wallet password" });
      try {
        // --minimum takes a reserved contributor's reservation.
        const byKey = await task("node:contribute", { ...SEND, nodeId: node4, minimum: true, privateKeyEnv: "CONTRIBUTOR_KEY" });
        expect(byKey.result.amount).to.equal(ethers.parseEther("10000").toString());
        const dry = await task("node:contribute", { ...SEND, dryRun: true, nodeId: node4, minimum: true, wallet: walletFile });
        expect((dry.result.unsignedTransaction as Json).from).to.equal(otherWallet.address);
        await task("node:contribute", { ...SEND, nodeId: node4, minimum: true, wallet: walletFile });
      } finally {
        restore();
      }
      expect((await task("node:status", { nodeId: node4, json: true })).result.status).to.equal("Active");
      expect((await rejection(task("rewards:claim", { ...SEND, nodeId: node4, privateKeyEnv: "NOT_SET_ANYWHERE" }))).message).to.equal(
        "--private-key-env: the environment variable NOT_SET_ANYWHERE is not set",
      );
    });

    it("pars-node heartbeat (the package's command, here from source) proves the keystore's node's liveness through the shared send flow", async () => {
      await nextEpoch();
      const cli = path.join(ROOT, "src", "cli", "pars-node.ts");
      const { stdout } = await run(process.execPath, ["-r", "ts-node/register/transpile-only", cli, "heartbeat", "--keystore", path.join(dir, "fourth.keystore.json"), "--rpc", node.url, "--deployments", dir, "--yes", "--json"], {
        cwd: ROOT,
        env: { ...process.env, PARS_KEYSTORE_PASSWORD: PASSWORD },
      });
      const r = JSON.parse(stdout) as Json;
      expect(r).to.include({ ok: true, nodeId: node4, sent: true });
      expect((await task("node:status", { nodeId: node4, json: true })).result.heartbeatDue).to.equal(false);
    });

    it("network:health, network:swarms and network:inbox read the network (the same code as the package's pars-node)", async () => {
      const health = (await task("network:health", { json: true })).result;
      expect(health).to.include({ chainId: 31337 });
      expect(Number(health.activeNodes)).to.be.at.least(2);
      const layout = (await task<{ swarmCount: number; swarms: { nodes: string[] }[] }>("network:swarms", { json: true })).result;
      expect(layout.swarms.length).to.equal(layout.swarmCount);
      const inbox = await task<{ swarmId: number; nodes: string[] }>("network:inbox", { inbox: "alice", json: false });
      expect(inbox.stdout).to.match(/^inbox 0x[0-9a-f]{64}: swarm \d+, \d+ nodes?/);
      expect(layout.swarms[inbox.result.swarmId]!.nodes).to.deep.equal(inbox.result.nodes);
    });

    it("the README's rehearsal, run command by command, sends a heartbeat every epoch it advances and ends with the whole stake withdrawn", async function () {
      this.timeout(300_000);
      const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
      const section = readme.slice(readme.indexOf("### Rehearsing on a local node"));
      const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
      const home = tempDir("rehearsal");
      const env: Record<string, string> = {};
      const expand = (t: string) => t.replace(/\$(\w+)/g, (_m, k: string) => env[k] ?? process.env[k] ?? "").replace(/^\/tmp\/pars\//, `${home}/`);
      const results: { name: string; result: Json; stdout: string; stderr: string }[] = [];
      const restore = setEnv({ PARS_KEYSTORE: undefined, PARS_KEYSTORE_PASSWORD: undefined });
      try {
        for (const raw of block.split("\n")) {
          const line = raw.replace(/\s+#.*$/, "").trim();
          if (!line || line.startsWith("npx hardhat node ")) continue;
          const words = line.split(/\s+/);
          if (words[0] === "export") {
            for (const kv of words.slice(1)) {
              const [k, v] = kv.split("=");
              env[k!] = expand(v!);
              process.env[k!] = env[k!];
            }
            continue;
          }
          expect(words.slice(0, 2)).to.deep.equal(["npx", "hardhat"], line);
          const name = words[2]!;
          const defs = hre.tasks[name]!.paramDefinitions;
          const args: Json = {};
          for (let i = 3; i < words.length; i++) {
            const flag = words[i]!.replace(/^--/, "").replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
            if (flag === "network") {
              expect(words[++i]).to.equal("localhost");
              continue;
            }
            const def = defs[flag]!;
            args[flag] = def.isFlag ? true : (def.type as unknown as { parse(name: string, v: string): unknown }).parse(flag, expand(words[++i]!));
          }
          const r = await task(name, args);
          results.push({ name, ...r });
        }
      } finally {
        restore();
      }
      const names = results.map((r) => r.name);
      // Every local:advance of an active node is followed by its heartbeat.
      const exited = names.indexOf("node:exit");
      names.forEach((n, i) => {
        if (n === "local:advance" && i < exited) expect(names[i + 1]).to.equal("node:heartbeat");
      });
      for (const r of results.filter((x) => x.name === "node:heartbeat")) expect(r.result.sent).to.equal(true);
      for (const r of results) expect(r.stdout + r.stderr).to.not.match(/penalty applied|missed \d+ epoch/);
      const withdraw = results.find((r) => r.name === "node:withdraw")!;
      expect(withdraw.result.amount).to.equal(ethers.parseEther("15000").toString());
      expect(withdraw.stdout).to.include("withdrawable now by");
      expect(withdraw.stdout).to.include(": 15,000 PARS");
      const claim = results.find((r) => r.name === "rewards:claim")!;
      expect(BigInt(claim.result.paid as string)).to.be.greaterThan(0n);
      fs.rmSync(home, { recursive: true, force: true });
    });
  });
});
