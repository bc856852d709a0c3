import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import hre from "hardhat";
import { Contract, ContractFactory, Interface, JsonRpcProvider, getBytes, hexlify, keccak256, toUtf8Bytes, type Filter, type FilterByBlockHash, type Log, type Signer } from "ethers";
import { startHardhatNode, type LocalNode } from "../helpers/node-process";
import { addressesOf, getDeployment, type SuiteAddresses } from "../../src/deployments";
import { DIRECTORY_REORG_OVERLAP, DirectoryCache, DirectoryKeyError, NODE_DIRECTORY_ABI, NODE_LENS_ABI, NODE_REGISTERED_ABI, blsKeyHashOf, type InboxAnswer } from "../../src/directory";
import { encodeMultiaddr } from "../../src/multiaddr";
import { blsKeyPair } from "../../src/bls";
import { mldsaKeyGen, mlkemKeyGen } from "../../src/pq";
import { HeartbeatChain, epochOf } from "../../src/heartbeat";
import { ServiceNodeRegistry__factory, NodeDirectory__factory } from "../../typechain-types";
import { rpc, tempDir } from "./helpers";
import { buildRegistration } from "../helpers/suite";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const DAY = 24 * 3600;
const seed = (label: string) => getBytes(keccak256(toUtf8Bytes(label)));
const seed64 = (label: string) => new Uint8Array([...seed(`${label}/d`), ...seed(`${label}/z`)]);

/** A provider whose node refuses eth_getLogs over more than `maxBlocks` blocks, counting requests. */
class CappedProvider extends JsonRpcProvider {
  requests = 0;
  constructor(
    url: string,
    readonly maxBlocks: number,
  ) {
    super(url, undefined, { staticNetwork: true });
  }
  override async getLogs(filter: Filter | FilterByBlockHash): Promise<Log[]> {
    this.requests++;
    const f = filter as Filter;
    if (Number(f.toBlock) - Number(f.fromBlock) + 1 > this.maxBlocks) throw new Error("query exceeds max block range");
    return super.getLogs(filter);
  }
}

/**
 * The directory end to end on a real `hardhat node`: the suite deployed by `deploy-suite`, a node
 * registered and configured through a contract wallet, and a client that has only the package's
 * resolver and a JSON-RPC URL.
 */
describe("delivery: resolving the node directory on a real `hardhat node`", function () {
  this.timeout(180_000);
  let node: LocalNode;
  let dir: string;
  let provider: JsonRpcProvider;
  let owner: Signer;
  let wallet: Contract;
  let addresses: SuiteAddresses;
  let nodeId: bigint;
  const mldsa = mldsaKeyGen(65, seed("dir-e2e/mldsa"));
  const mlkem = mlkemKeyGen(1, seed64("dir-e2e/mlkem"));
  const rotated = mlkemKeyGen(1, seed64("dir-e2e/rotated"));
  const bls = blsKeyPair(seed("dir-e2e/bls"));
  const ENDPOINT = "/dns4/n1.example/tcp/443/wss";
  const inbox = keccak256(toUtf8Bytes("alice"));

  /** The wallet calls `target` with `data` (and `value`): the wallet is msg.sender. */
  const viaWallet = async (target: string, data: string, value = 0n) => (await wallet.getFunction("execute")(target, value, data, { value })).wait();

  before(async () => {
    node = await startHardhatNode();
    dir = tempDir("directory-e2e");
    const cli = require.resolve("hardhat/internal/cli/cli.js");
    await run(process.execPath, [cli, "deploy-suite", "--network", "localhost", "--yes", "--json"], {
      cwd: ROOT,
      env: { ...process.env, LOCALHOST_RPC_URL: node.url, PARS_DEPLOYMENTS_DIR: dir, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      maxBuffer: 1 << 24,
    });
    addresses = addressesOf(31337, dir);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    owner = await provider.getSigner(5);
    const artifact = await hre.artifacts.readArtifact("Forwarder__Mock");
    const deployed = await new ContractFactory(artifact.abi, artifact.bytecode, owner).deploy(await owner.getAddress());
    await deployed.waitForDeployment();
    wallet = new Contract(await deployed.getAddress(), artifact.abi, owner);
  });

  after(async () => {
    provider?.destroy();
    client?.destroy();
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the resolver's ABI fragments are the contracts' own", async () => {
    const pairs: [readonly string[], string][] = [
      [NODE_LENS_ABI, "NodeLens"],
      [NODE_DIRECTORY_ABI, "NodeDirectory"],
      [NODE_REGISTERED_ABI, "ServiceNodeRegistry"],
    ];
    for (const [fragments, name] of pairs) {
      const ours = new Interface(fragments);
      const theirs = new Interface((await hre.artifacts.readArtifact(name)).abi);
      ours.forEachFunction((f) => expect(f.format("full"), f.name).to.equal(theirs.getFunction(f.selector)!.format("full")));
      ours.forEachEvent((e) => expect(e.format("full"), e.name).to.equal(theirs.getEvent(e.topicHash)!.format("full")));
    }
  });

  it("registers a node through a contract wallet: the proofs sign the wallet's address as operator", async () => {
    const registry = ServiceNodeRegistry__factory.connect(addresses.ServiceNodeRegistry, provider);
    const operator = await wallet.getAddress();
    const block = await provider.getBlock("latest");
    const chain = HeartbeatChain.create({ length: 100, anchorEpoch: epochOf(block!.timestamp), seed: seed("dir-e2e/hb") });
    // The proofs bind the node's chain id and registry, read from its deployment, not the in-process network's.
    const reg = await buildRegistration(registry, operator, { mldsa, mlkem, bls, chain }, { chainId: 31337n, registryAddress: addresses.ServiceNodeRegistry });
    const requirement = await registry.stakingRequirement();
    await viaWallet(addresses.ServiceNodeRegistry, registry.interface.encodeFunctionData("register", [reg]), requirement);
    nodeId = await registry.lastNodeId();
    expect(nodeId).to.equal(1n);
    expect((await registry.getNode(nodeId)).operator).to.equal(operator);

    const directory = NodeDirectory__factory.connect(addresses.NodeDirectory, provider);
    await viaWallet(addresses.NodeDirectory, directory.interface.encodeFunctionData("setEndpoint", [nodeId, encodeMultiaddr(ENDPOINT)]));
    expect(await directory.endpointOf(nodeId)).to.equal(encodeMultiaddr(ENDPOINT));
  });

  let client: JsonRpcProvider | undefined;
  let cache: DirectoryCache;
  let first: InboxAnswer;

  it("a client with only a JSON-RPC provider resolves the inbox to the node's endpoint and full keys, each checked on chain", async () => {
    client = new JsonRpcProvider(node.url); // its own provider: the resolver shares nothing with the test's
    cache = await DirectoryCache.create(client, { deploymentsDir: dir });
    first = await cache.resolveInbox(inbox);
    expect(first.swarmId).to.equal(0);
    expect(first.block).to.equal(Number(await rpc<string>(node.url, "eth_blockNumber")));
    expect(cache.cursor).to.equal(first.block);
    expect(first.nodes).to.have.length(1);
    const n = first.nodes[0];
    expect(n).to.deep.include({ nodeId, status: 2, owner: await wallet.getAddress(), swarmId: 0, endpoint: ENDPOINT, verified: true });
    expect(n.identityKey).to.equal(hexlify(mldsa.publicKey));
    expect(n.transportKey).to.deep.equal({ current: hexlify(mlkem.publicKey) });
    expect(blsKeyHashOf(n.blsKey)).to.equal(blsKeyHashOf(bls.publicKey));
  });

  it("scans only new blocks (and the reorg overlap before them) on each sync, in ranges that halve while the node refuses them", async () => {
    const capped = new CappedProvider(node.url, 3);
    try {
      const c = await DirectoryCache.create(capped, { deploymentsDir: dir, logRange: 64 });
      const deployedAt = getDeployment(31337, dir)!.contracts.NodeDirectory!.blockNumber;
      expect(c.cursor).to.equal(deployedAt - 1);
      const answer = await c.resolveInbox(inbox);
      expect(answer.nodes[0].identityKey).to.equal(first.nodes[0].identityKey);
      const scanned = capped.requests;
      // Nothing new: the next answer at the same block sends no eth_getLogs.
      await c.resolveInbox(inbox, answer.block);
      expect(capped.requests).to.equal(scanned);
      await rpc(node.url, "evm_mine");
      await c.sync();
      // One new block, and the DIRECTORY_REORG_OVERLAP blocks before it read again in the halved range
      // (64 → 2 under a cap of 3), at most ceil(33 / 2) requests; the answer does not change.
      const again = capped.requests - scanned;
      expect(again).to.be.within(1, Math.ceil((DIRECTORY_REORG_OVERLAP + 1) / 2));
      expect(c.cursor).to.equal(answer.block + 1);
      expect((await c.resolveInbox(inbox, answer.block + 1)).nodes[0].identityKey).to.equal(first.nodes[0].identityKey);
    } finally {
      capped.destroy();
    }
  });

  it("refuses keys the logs cannot back: a cache that starts after the registration throws DirectoryKeyError", async () => {
    const late = new JsonRpcProvider(node.url);
    try {
      const c = await DirectoryCache.create(late, { deploymentsDir: dir, fromBlock: (await late.getBlockNumber()) - 1 });
      const err = await c.resolveInbox(inbox).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DirectoryKeyError);
      expect(err).to.deep.include({ nodeId, key: "mldsa" });
    } finally {
      late.destroy();
    }
  });

  it("after a rotation through the wallet it serves the new transport key, the old one within the 1-day grace, and not after", async () => {
    const directory = NodeDirectory__factory.connect(addresses.NodeDirectory, provider);
    await viaWallet(addresses.NodeDirectory, directory.interface.encodeFunctionData("rotateTransportKey", [nodeId, rotated.publicKey]));
    const tk = await directory.transportKeys(nodeId);

    const during = await cache.resolveInbox(inbox);
    expect(during.nodes[0].transportKey).to.deep.equal({
      current: hexlify(rotated.publicKey),
      previous: { key: hexlify(mlkem.publicKey), validUntil: Number(tk.previousValidUntil) },
    });
    expect(during.nodes[0].identityKey).to.equal(hexlify(mldsa.publicKey));

    // One second before the deadline: still in grace.
    const now = (await provider.getBlock("latest"))!.timestamp;
    await rpc(node.url, "evm_increaseTime", [Number(tk.previousValidUntil) - now - 2]);
    await rpc(node.url, "evm_mine");
    // The head as the node reports it now (ethers caches an identical request for 250 ms).
    const head = async () => Number(await rpc<string>(node.url, "eth_blockNumber"));
    const late = await cache.resolveInbox(inbox, await head());
    expect((await provider.getBlock(late.block))!.timestamp).to.be.lessThan(Number(tk.previousValidUntil));
    expect(late.nodes[0].transportKey.previous?.key).to.equal(hexlify(mlkem.publicKey));

    await rpc(node.url, "evm_increaseTime", [DAY]);
    await rpc(node.url, "evm_mine");
    const after = await cache.resolveInbox(inbox, await head());
    expect(after.nodes[0].transportKey).to.deep.equal({ current: hexlify(rotated.publicKey) });
    // The past is still answerable: at the rotation's block the old key was in grace.
    const past = await cache.resolveInbox(inbox, during.block);
    expect(past.nodes[0].transportKey.previous?.key).to.equal(hexlify(mlkem.publicKey));
  });
});
