import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys, registerActive, type Suite } from "../helpers/suite";
import { blsKeyHash, NodeStatus, operatorMinimum } from "../../src/registry";
import { encodeMultiaddr } from "../../src/multiaddr";
import { NO_SWARM } from "../../src/swarm";
import { mlkemKeyGen } from "../../src/pq";
import { sweepSize } from "../helpers/coverage";
import type { INodeLens } from "../../typechain-types/contracts/lens/NodeLens";

/** A full page; under coverage (instrumented, ~5x slower per registration) a smaller one. */
const PAGE_NODES = sweepSize(100, 12);

/** Each node's record, read one view at a time: what the lens must repeat. */
async function readNode(s: Suite, nodeId: bigint) {
  const v = await s.registry.getNode(nodeId);
  const bls = await s.attestations.compressedBlsPublicKeyOf(nodeId);
  const stored = bls[0] !== 0n || bls[1] !== 0n;
  const key = stored ? await s.attestations.blsPublicKeyOf(nodeId) : undefined;
  const pending = await s.directory.pendingFee(nodeId);
  const tk = await s.directory.transportKeys(nodeId);
  return {
    nodeId,
    status: v.status,
    owner: v.operator,
    manager: await s.directory.managerOf(nodeId),
    beneficiary: await s.directory.beneficiaryOf(nodeId),
    stake: v.stake,
    penaltyBps: v.penaltyBps,
    uptimeBps: v.uptimeBps,
    operatorFeeBps: v.operatorFeeBps,
    pendingFee: [pending.feeBps, pending.effectiveAt],
    swarmId: await s.swarms.swarmOf(nodeId),
    endpoint: await s.directory.endpointOf(nodeId),
    transportKeys: [tk.current, tk.previous, tk.previousValidUntil],
    blsKeyHash: key ? blsKeyHash([key.xIm, key.xRe, key.yIm, key.yRe]) : ethers.ZeroHash,
    blsPublicKey: key ? [key.xIm, key.xRe, key.yIm, key.yRe] : [0n, 0n, 0n, 0n],
  };
}

function plain(r: INodeLens.NodeRecordStructOutput) {
  return {
    nodeId: r.nodeId,
    status: r.status,
    owner: r.owner,
    manager: r.manager,
    beneficiary: r.beneficiary,
    stake: r.stake,
    penaltyBps: r.penaltyBps,
    uptimeBps: r.uptimeBps,
    operatorFeeBps: r.operatorFeeBps,
    pendingFee: [r.pendingFee.feeBps, r.pendingFee.effectiveAt],
    swarmId: r.swarmId,
    endpoint: r.endpoint,
    transportKeys: [r.transportKeys.current, r.transportKeys.previous, r.transportKeys.previousValidUntil],
    blsKeyHash: r.blsKeyHash,
    blsPublicKey: [r.blsPublicKey.xIm, r.blsPublicKey.xRe, r.blsPublicKey.yIm, r.blsPublicKey.yRe],
  };
}

describe("NodeLens", function () {
  this.timeout(300_000);

  async function empty() {
    const s = await deploySuite();
    const lens = await ethers.deployContract("NodeLens", [await s.registry.getAddress(), await s.swarms.getAddress(), await s.attestations.getAddress()]);
    return { ...s, lens };
  }

  /** 100 active nodes with endpoints, roles, a rotation and a scheduled fee, plus one awaiting contributions. */
  async function hundredNodes() {
    const s = await empty();
    const epoch = await currentEpoch();
    for (let k = 0; k < PAGE_NODES; k++) {
      const op = s.operators[k % s.operators.length];
      const reg = await buildRegistration(s.registry, op.address, nodeKeys(`lens-${k}`, epoch));
      await s.registry.connect(op).register(reg, { value: REQUIREMENT });
      const nodeId = BigInt(k + 1);
      const d = s.directory.connect(op);
      // Every node an endpoint of the longest common shape; a few roles, rotations and fee changes.
      await d.setEndpoint(nodeId, encodeMultiaddr(`/dns4/node-${k}.service.example/tcp/443/tls/wss`));
      if (k % 3 === 0) await d.setManager(nodeId, s.others[0].address);
      if (k % 4 === 0) await d.setBeneficiary(nodeId, s.others[1].address);
      if (k % 5 === 0) await d.rotateTransportKey(nodeId, mlkemKeyGen(1, ethers.getBytes(ethers.concat([ethers.id(`rot-${k}`), ethers.id(`z-${k}`)]))).publicKey);
      if (k % 7 === 0) await d.setOperatorFee(nodeId, 900);
    }
    // One more node, partially staked: no swarm, no BLS key stored yet.
    const op = s.operators[0];
    const reg = await buildRegistration(s.registry, op.address, nodeKeys("lens-partial", epoch));
    await s.registry.connect(op).register(reg, { value: operatorMinimum(REQUIREMENT) });
    return s;
  }

  it("reads its addresses at construction and refuses zero ones", async () => {
    const s = await loadFixture(empty);
    expect(await s.lens.REGISTRY()).to.equal(await s.registry.getAddress());
    expect(await s.lens.DIRECTORY()).to.equal(await s.directory.getAddress());
    expect(await s.lens.SWARMS()).to.equal(await s.swarms.getAddress());
    expect(await s.lens.BLS_KEYS()).to.equal(await s.attestations.getAddress());
    const Lens = await ethers.getContractFactory("NodeLens");
    await expect(Lens.deploy(ethers.ZeroAddress, await s.swarms.getAddress(), await s.attestations.getAddress())).to.be.revertedWithCustomError(
      s.lens,
      "ZeroAddress",
    );
    await expect(Lens.deploy(await s.registry.getAddress(), ethers.ZeroAddress, await s.attestations.getAddress())).to.be.revertedWithCustomError(
      s.lens,
      "ZeroAddress",
    );
  });

  it("answers an empty network: no page, no swarm for an inbox", async () => {
    const s = await loadFixture(empty);
    expect(await s.lens.nodes(0, 100)).to.deep.equal([]);
    const [swarmId, members] = await s.lens.swarmForInbox(ethers.id("alice"));
    expect(swarmId).to.equal(0n); // an empty network has one, empty, swarm
    expect(members).to.deep.equal([]);
    const unknown = await s.lens.node(7);
    expect(unknown.status).to.equal(NodeStatus.None);
    expect(unknown.swarmId).to.equal(BigInt(NO_SWARM));
  });

  it("refuses a page above MAX_PAGE with PageTooLarge(count, max)", async () => {
    const s = await loadFixture(empty);
    expect(await s.lens.MAX_PAGE()).to.equal(100n);
    expect(await s.lens.MAX_SWARM_MEMBERS()).to.equal(10n);
    await expect(s.lens.nodes(1, 101)).to.be.revertedWithCustomError(s.lens, "PageTooLarge").withArgs(101, 100);
  });

  it("pages 100 nodes (12 under coverage) in one eth_call, each record equal to the views it gathers, stopping at the last id", async () => {
    const s = await loadFixture(hundredNodes);
    const page = await s.lens.nodes(1, PAGE_NODES);
    expect(page).to.have.length(PAGE_NODES);
    for (let k = 0; k < PAGE_NODES; k += 9) expect(plain(page[k]), `node ${k + 1}`).to.deep.equal(await readNode(s, BigInt(k + 1)));
    // Spot checks of what was set.
    expect(page[0].manager).to.equal(s.others[0].address);
    expect(page[0].beneficiary).to.equal(s.others[1].address);
    expect(page[1].beneficiary).to.equal(page[1].owner);
    expect(page[0].pendingFee.feeBps).to.equal(900n);
    expect(page[0].transportKeys.previousValidUntil).to.be.greaterThan(0n);
    expect(page[1].transportKeys.previous).to.equal(ethers.ZeroHash);
    expect(page[0].status).to.equal(NodeStatus.Active);
    // The last page: the partial node, then nothing.
    const tail = await s.lens.nodes(PAGE_NODES, 100);
    expect(tail).to.have.length(2);
    expect(plain(tail[1])).to.deep.equal(await readNode(s, BigInt(PAGE_NODES + 1)));
    expect(tail[1].status).to.equal(NodeStatus.AwaitingContributions);
    expect(tail[1].swarmId).to.equal(BigInt(NO_SWARM));
    // Its BLS key is stored at registration, before it activates.
    const pk = nodeKeys("lens-partial", 0).bls.publicKey;
    expect(tail[1].blsKeyHash).to.equal(blsKeyHash([pk.xIm, pk.xRe, pk.yIm, pk.yRe]));
    expect(await s.lens.nodes(PAGE_NODES + 2, 5)).to.deep.equal([]);
    expect(plain((await s.lens.nodes(0, 1))[0])).to.deep.equal(plain(page[0]));

    const data = s.lens.interface.encodeFunctionData("nodes", [1, PAGE_NODES]);
    const gas = await ethers.provider.estimateGas({ to: await s.lens.getAddress(), data });
    console.log(`      lens.nodes(1, ${PAGE_NODES}): ${gas} gas for one eth_call`);
    // Well inside the default eth_call gas cap of common nodes (50M for geth and its forks' RPC).
    expect(gas).to.be.lessThan(15_000_000n);
  });

  it("answers a swarm and the swarm of an inbox with their members' records", async () => {
    const s = await loadFixture(hundredNodes);
    const count = await s.swarms.swarmCount();
    expect(count).to.be.greaterThan(1n);
    for (const swarmId of [0n, count - 1n]) {
      const ids = await s.swarms.swarmMembers(swarmId);
      const members = await s.lens.swarm(swarmId);
      expect(members.map((m) => m.nodeId)).to.deep.equal(ids);
      for (const m of members) {
        expect(plain(m)).to.deep.equal(await readNode(s, m.nodeId));
        expect(m.swarmId).to.equal(swarmId);
      }
    }
    const inbox = ethers.id("alice");
    const [swarmId, members] = await s.lens.swarmForInbox(inbox);
    expect(swarmId).to.equal(await s.swarms.swarmForInbox(inbox));
    expect(members.map((m) => m.nodeId)).to.deep.equal(await s.swarms.swarmMembers(swarmId));
    await expect(s.lens.swarm(Number(count))).to.be.revertedWithCustomError(s.swarms, "SwarmNotFound");
    const gas = await ethers.provider.estimateGas({ to: await s.lens.getAddress(), data: s.lens.interface.encodeFunctionData("swarmForInbox", [inbox]) });
    console.log(`      lens.swarmForInbox (${members.length} members): ${gas} gas`);
  });

  it("follows the lifecycle: a node that exits keeps its record, out of its swarm", async () => {
    const s = await loadFixture(hundredNodes);
    const before = await s.lens.node(2);
    const exit = s.registry.connect(s.operators[1]).requestExit;
    const early = await exit.staticCall(2).then(
      () => undefined,
      (e: { data: string }) => s.registry.interface.parseError(e.data),
    );
    if (early?.name === "ExitTooEarly") await time.increaseTo(early.args[1]);
    await exit(2);
    const after = await s.lens.node(2);
    expect(after.status).to.equal(NodeStatus.Decommissioning);
    expect(after.swarmId).to.equal(BigInt(NO_SWARM));
    expect(after.endpoint).to.equal(before.endpoint);
    expect(after.blsKeyHash).to.equal(before.blsKeyHash);
    await time.increase(3600);
    expect(plain(await s.lens.node(2))).to.deep.equal(await readNode(s, 2n));
  });

  it("matches registerActive's nodes too (a fixture of one node)", async () => {
    const s = await loadFixture(empty);
    const { nodeId, keys } = await registerActive(s, s.operators[0], "lens-one");
    const r = await s.lens.node(nodeId);
    const pk = keys.bls.publicKey;
    expect(r.blsKeyHash).to.equal(blsKeyHash([pk.xIm, pk.xRe, pk.yIm, pk.yRe]));
    expect(r.transportKeys.current).to.equal(ethers.keccak256(keys.mlkem.publicKey));
    expect(r.endpoint).to.equal("0x");
  });
});
