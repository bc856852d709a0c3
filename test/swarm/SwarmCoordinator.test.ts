import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import {
  MAX_ACTIVE_NODES,
  MAX_PENDING_PLACEMENTS,
  MAX_SETTLES_PER_TX,
  NO_SWARM,
  STORAGE_PER_NODE,
  SwarmModel,
  WAD,
  inboxToSwarm,
  networkHealth,
  type BlockContext,
} from "../../src/swarm";
import { bulkAdd, coordinatorChanges, deploySwarmFixture, enableBulk, mined, prevrandaoOf, settleAll, testChain, type SwarmFixture } from "./helpers";
import type { TransactionReceipt } from "ethers";

const REGISTRY_ROLE = ethers.id("REGISTRY_ROLE");
const STORAGE_ROLE = ethers.id("STORAGE_ROLE");
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
/** Storage slot of the packed State {uint32 activeNodes; uint24 swarmCount; uint168 atLeast}. */
const STATE_SLOT = 1n;

/** Adds nodes one by one from the registrar EOA, following them in a model. */
async function addNodes(f: Pick<SwarmFixture, "coordinator" | "registrar">, model: SwarmModel, ids: bigint[]): Promise<void> {
  for (const id of ids) {
    const receipt = await mined(f.coordinator.connect(f.registrar).addNode(id));
    model.addNode(id, await prevrandaoOf(receipt));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));

/** Fixture with nodes 1..n; it keeps the joins' blocks so each test replays a fresh model. */
function withNodes(n: number) {
  const fixture = async () => {
    const f = await deploySwarmFixture();
    // Joins one block each, then every placement settled: a test starts with an empty queue.
    const history: [bigint | undefined, BlockContext][] = [];
    const hashes = new Map<number, bigint>();
    const hash = (b: number) => hashes.get(b)!;
    const at = async (receipt: TransactionReceipt) => ({ number: receipt.blockNumber, prevrandao: await prevrandaoOf(receipt), hash });
    for (const id of range(1, n)) {
      history.push([id, await at(await mined(f.coordinator.connect(f.registrar).addNode(id)))]);
    }
    for (const receipt of await settleAll(f, undefined)) history.push([undefined, await at(receipt)]);
    for (let b = 0; b <= (await ethers.provider.getBlockNumber()); b++) hashes.set(b, testChain.hash(b));
    return { ...f, history };
  };
  // loadFixture hands back the same object every time: the model must be rebuilt per test.
  return async () => {
    const f = await loadFixture(fixture);
    const model = new SwarmModel();
    for (const [id, at] of f.history) {
      if (id === undefined) model.settle(MAX_SETTLES_PER_TX, at);
      else model.addNode(id, at);
    }
    expect(model.pendingPlacements()).to.deep.equal([]);
    return { ...f, model };
  };
}
const with5 = withNodes(5);
const with6 = withNodes(6);
const with7 = withNodes(7);
const with15 = withNodes(15);
const with16 = withNodes(16);

describe("SwarmCoordinator", function () {
  describe("deployment", function () {
    it("exposes the protocol constants", async () => {
      const { coordinator } = await loadFixture(deploySwarmFixture);
      expect(await coordinator.NO_SWARM()).to.equal(NO_SWARM);
      expect(await coordinator.REGISTRY_ROLE()).to.equal(REGISTRY_ROLE);
      expect(await coordinator.STORAGE_ROLE()).to.equal(STORAGE_ROLE);
      expect(await coordinator.MIN_NODES_PER_SWARM()).to.equal(3n);
      expect(await coordinator.TARGET_NODES_PER_SWARM()).to.equal(5n);
      expect(await coordinator.MAX_NODES_PER_SWARM()).to.equal(10n);
      expect(await coordinator.STORAGE_PER_NODE()).to.equal(10n * 2n ** 30n);
      expect(await coordinator.STORAGE_PER_NODE()).to.equal(STORAGE_PER_NODE);
      expect(await coordinator.MAX_ACTIVE_NODES()).to.equal(BigInt(MAX_ACTIVE_NODES));
      expect(await coordinator.MAX_MOVES_PER_CHANGE()).to.equal(5n);
    });

    it("gives the admin DEFAULT_ADMIN_ROLE and starts with one empty swarm", async () => {
      const { coordinator, admin } = await loadFixture(deploySwarmFixture);
      expect(await coordinator.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await coordinator.swarmCount()).to.equal(1n);
      expect(await coordinator.activeNodes()).to.equal(0n);
      expect(await coordinator.swarmSize(0)).to.equal(0n);
      expect(await coordinator.swarmMembers(0)).to.deep.equal([]);
      expect(await coordinator.swarmOf(1)).to.equal(NO_SWARM);
      expect(await coordinator.minSwarmSize()).to.equal(0n);
      expect(await coordinator.maxSwarmSize()).to.equal(0n);
      expect(await coordinator.storageUsed()).to.equal(0n);
      expect(await coordinator.storageCapacity()).to.equal(0n);
      expect(await coordinator.averageSwarmSizeWad()).to.equal(0n);
      expect(await coordinator.totalNodes()).to.equal(0n);
      expect(await coordinator.replicationOk()).to.equal(false);
      expect(await coordinator.isHealthy()).to.equal(false);
      expect(await coordinator.registry()).to.equal(ethers.ZeroAddress);
      expect(await coordinator.swarmListener()).to.equal(ethers.ZeroAddress);
    });

    it("rejects the zero admin with InvalidAdmin", async () => {
      const factory = await ethers.getContractFactory("SwarmCoordinator");
      await expect(factory.deploy(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "InvalidAdmin")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("governance", function () {
    it("setRegistry: only the admin, only a contract", async () => {
      const { coordinator, registryMock, stranger, registrar } = await loadFixture(deploySwarmFixture);
      await expect(coordinator.connect(stranger).setRegistry(registryMock.target))
        .to.be.revertedWithCustomError(coordinator, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, DEFAULT_ADMIN_ROLE);
      await expect(coordinator.setRegistry(stranger.address))
        .to.be.revertedWithCustomError(coordinator, "NotAContract")
        .withArgs(stranger.address);
      // The registrar EOA (REGISTRY_ROLE) is not an admin either.
      await expect(coordinator.connect(registrar).setRegistry(registryMock.target)).to.be.revertedWithCustomError(
        coordinator,
        "AccessControlUnauthorizedAccount",
      );
      expect(await coordinator.registry()).to.equal(ethers.ZeroAddress);
      expect(await coordinator.hasRole(REGISTRY_ROLE, registryMock.target)).to.equal(false);
    });

    it("setRegistry grants REGISTRY_ROLE, moves it on replacement and drops it on zero", async () => {
      const { coordinator, registryMock } = await loadFixture(deploySwarmFixture);
      const second = await ethers.deployContract("SwarmNodeRegistry__Mock");

      await expect(coordinator.setRegistry(registryMock.target))
        .to.emit(coordinator, "RegistrySet")
        .withArgs(ethers.ZeroAddress, registryMock.target);
      expect(await coordinator.registry()).to.equal(registryMock.target);
      expect(await coordinator.hasRole(REGISTRY_ROLE, registryMock.target)).to.equal(true);

      // Setting the same registry again keeps its role.
      await coordinator.setRegistry(registryMock.target);
      expect(await coordinator.hasRole(REGISTRY_ROLE, registryMock.target)).to.equal(true);

      await expect(coordinator.setRegistry(second.target))
        .to.emit(coordinator, "RegistrySet")
        .withArgs(registryMock.target, second.target);
      expect(await coordinator.hasRole(REGISTRY_ROLE, registryMock.target)).to.equal(false);
      expect(await coordinator.hasRole(REGISTRY_ROLE, second.target)).to.equal(true);

      await expect(coordinator.setRegistry(ethers.ZeroAddress))
        .to.emit(coordinator, "RegistrySet")
        .withArgs(second.target, ethers.ZeroAddress);
      expect(await coordinator.hasRole(REGISTRY_ROLE, second.target)).to.equal(false);
      expect(await coordinator.registry()).to.equal(ethers.ZeroAddress);
    });

    it("the registry set by governance can add and remove nodes", async () => {
      const { coordinator, registryMock } = await loadFixture(deploySwarmFixture);
      await coordinator.setRegistry(registryMock.target);
      await registryMock.mock__addNodes(coordinator.target, 1, 3);
      expect(await coordinator.activeNodes()).to.equal(3n);
      await registryMock.mock__removeNodes(coordinator.target, [2]);
      expect(await coordinator.swarmOf(2)).to.equal(NO_SWARM);
    });

    it("setSwarmListener: only the admin, only a contract or zero, emits SwarmListenerSet", async () => {
      const { coordinator, listener, stranger } = await loadFixture(deploySwarmFixture);
      await expect(coordinator.connect(stranger).setSwarmListener(listener.target))
        .to.be.revertedWithCustomError(coordinator, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, DEFAULT_ADMIN_ROLE);
      await expect(coordinator.setSwarmListener(stranger.address))
        .to.be.revertedWithCustomError(coordinator, "NotAContract")
        .withArgs(stranger.address);
      expect(await coordinator.swarmListener()).to.equal(ethers.ZeroAddress);

      await expect(coordinator.setSwarmListener(listener.target))
        .to.emit(coordinator, "SwarmListenerSet")
        .withArgs(ethers.ZeroAddress, listener.target);
      expect(await coordinator.swarmListener()).to.equal(listener.target);
      await expect(coordinator.setSwarmListener(ethers.ZeroAddress))
        .to.emit(coordinator, "SwarmListenerSet")
        .withArgs(listener.target, ethers.ZeroAddress);
      expect(await coordinator.swarmListener()).to.equal(ethers.ZeroAddress);
    });
  });

  describe("addNode", function () {
    it("only REGISTRY_ROLE may add", async () => {
      const { coordinator, stranger, admin, reporter } = await loadFixture(deploySwarmFixture);
      for (const who of [stranger, admin, reporter]) {
        await expect(coordinator.connect(who).addNode(1))
          .to.be.revertedWithCustomError(coordinator, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, REGISTRY_ROLE);
      }
      expect(await coordinator.activeNodes()).to.equal(0n);
    });

    it("rejects node id 0 with InvalidNodeId", async () => {
      const { coordinator, registrar } = await loadFixture(deploySwarmFixture);
      await expect(coordinator.connect(registrar).addNode(0))
        .to.be.revertedWithCustomError(coordinator, "InvalidNodeId")
        .withArgs(0);
      expect(await coordinator.activeNodes()).to.equal(0n);
    });

    it("rejects an active node with NodeAlreadyInSwarm(node, its swarm) and changes nothing", async () => {
      const { coordinator, registrar, model } = await with7();
      for (const id of range(1, 7)) {
        await expect(coordinator.connect(registrar).addNode(id))
          .to.be.revertedWithCustomError(coordinator, "NodeAlreadyInSwarm")
          .withArgs(id, model.swarmOf(id));
      }
      expect(await coordinator.activeNodes()).to.equal(7n);
      for (let s = 0; s < 2; s++) expect(await coordinator.swarmMembers(s)).to.deep.equal(model.swarmMembers(s));
    });

    it("the first five nodes join swarm 0 with NodeJoinedSwarm", async () => {
      const { coordinator, registrar } = await loadFixture(deploySwarmFixture);
      for (const id of range(1, 5)) {
        await expect(coordinator.connect(registrar).addNode(id)).to.emit(coordinator, "NodeJoinedSwarm").withArgs(id, 0);
        expect(await coordinator.swarmOf(id)).to.equal(0n);
      }
      expect(await coordinator.swarmMembers(0)).to.deep.equal(range(1, 5));
      expect(await coordinator.swarmCount()).to.equal(1n);
    });

    it("the sixth node splits: SwarmCreated(1), then three nodes move from swarm 0 to swarm 1 (as the model says)", async () => {
      const { coordinator, registrar, model } = await with5();
      const tx = coordinator.connect(registrar).addNode(6);
      const receipt = await mined(tx);
      const expected = model.addNode(6n, await prevrandaoOf(receipt));
      expect(coordinatorChanges(coordinator, receipt.logs)).to.deep.equal(expected);
      expect(expected[0]).to.deep.equal({ nodeId: 6n, fromSwarm: NO_SWARM, toSwarm: 0 });
      expect(expected.slice(1).every((c) => c.fromSwarm === 0 && c.toSwarm === 1)).to.equal(true);
      expect(expected.length).to.equal(4);
      await expect(tx).to.emit(coordinator, "SwarmCreated").withArgs(1);
      for (const c of expected.slice(1)) await expect(tx).to.emit(coordinator, "NodeMovedSwarm").withArgs(c.nodeId, 0, 1);
      expect(await coordinator.swarmCount()).to.equal(2n);
      expect(await coordinator.swarmSize(0)).to.equal(3n);
      expect(await coordinator.swarmSize(1)).to.equal(3n);
    });

    it("returns the swarm the node is in when the call returns, also when a split moves it", async () => {
      const f = await loadFixture(deploySwarmFixture);
      await enableBulk(f);
      for (let id = 1n; id <= 21n; id++) {
        await f.registryMock.mock__addNodes(f.coordinator.target, id, 1);
        expect(await f.registryMock.mock__lastAddedSwarm(), `node ${id}`).to.equal(await f.coordinator.swarmOf(id));
      }
    });

    it("reverts with NetworkFull at MAX_ACTIVE_NODES and changes nothing", async () => {
      const { coordinator, registrar } = await with6();
      const word = BigInt(await ethers.provider.getStorage(coordinator.target, STATE_SLOT));
      // Layout check: the listener in the low 160 bits, activeNodes in the next 32, swarmCount in the next 24.
      expect((word >> 160n) & 0xffffffffn).to.equal(6n);
      expect((word >> 192n) & 0xffffffn).to.equal(2n);
      const full = (word & ~(0xffffffffn << 160n)) | (BigInt(MAX_ACTIVE_NODES) << 160n);
      await network.provider.send("hardhat_setStorageAt", [coordinator.target, ethers.toQuantity(STATE_SLOT), ethers.toBeHex(full, 32)]);
      expect(await coordinator.activeNodes()).to.equal(BigInt(MAX_ACTIVE_NODES));
      await expect(coordinator.connect(registrar).addNode(7))
        .to.be.revertedWithCustomError(coordinator, "NetworkFull")
        .withArgs(MAX_ACTIVE_NODES, MAX_ACTIVE_NODES);
      expect(await coordinator.swarmOf(7)).to.equal(NO_SWARM);
    });
  });

  describe("removeNode", function () {
    it("only REGISTRY_ROLE may remove", async () => {
      const { coordinator, stranger, admin } = await with5();
      for (const who of [stranger, admin]) {
        await expect(coordinator.connect(who).removeNode(1))
          .to.be.revertedWithCustomError(coordinator, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, REGISTRY_ROLE);
      }
      expect(await coordinator.swarmOf(1)).to.equal(0n);
    });

    it("rejects unknown, never added and already removed nodes with NodeNotInSwarm", async () => {
      const { coordinator, registrar } = await with5();
      for (const id of [0n, 6n, 2n ** 64n - 1n]) {
        await expect(coordinator.connect(registrar).removeNode(id))
          .to.be.revertedWithCustomError(coordinator, "NodeNotInSwarm")
          .withArgs(id);
      }
      await expect(coordinator.connect(registrar).removeNode(3)).to.emit(coordinator, "NodeLeftSwarm").withArgs(3, 0);
      await expect(coordinator.connect(registrar).removeNode(3))
        .to.be.revertedWithCustomError(coordinator, "NodeNotInSwarm")
        .withArgs(3);
      expect(await coordinator.activeNodes()).to.equal(4n);
      expect(await coordinator.swarmOf(3)).to.equal(NO_SWARM);
    });

    it("a leave from a larger swarm moves nobody", async () => {
      const { coordinator, registrar, model } = await with7();
      const big = model.swarmSize(0) === 4 ? 0 : 1;
      const leaver = model.swarmMembers(big)[1];
      const receipt = await mined(coordinator.connect(registrar).removeNode(leaver));
      const expected = model.removeNode(leaver, await prevrandaoOf(receipt));
      expect(expected).to.deep.equal([{ nodeId: leaver, fromSwarm: big, toSwarm: NO_SWARM }]);
      expect(coordinatorChanges(coordinator, receipt.logs)).to.deep.equal(expected);
    });

    it("a leave from the smallest swarm pulls one node from a largest swarm (NodeMovedSwarm)", async () => {
      const { coordinator, registrar, model } = await with7();
      const small = model.swarmSize(0) === 3 ? 0 : 1;
      const leaver = model.swarmMembers(small)[0];
      const tx = coordinator.connect(registrar).removeNode(leaver);
      const receipt = await mined(tx);
      const expected = model.removeNode(leaver, await prevrandaoOf(receipt));
      expect(expected.length).to.equal(2);
      expect(expected[1]).to.include({ fromSwarm: 1 - small, toSwarm: small });
      await expect(tx).to.emit(coordinator, "NodeLeftSwarm").withArgs(leaver, small);
      await expect(tx).to.emit(coordinator, "NodeMovedSwarm").withArgs(expected[1].nodeId, 1 - small, small);
      expect(await coordinator.swarmSize(0)).to.equal(3n);
      expect(await coordinator.swarmSize(1)).to.equal(3n);
    });

    it("the leave that makes S shrink empties the last swarm into the others and emits SwarmRemoved", async () => {
      const { coordinator, registrar, model } = await with6();
      const leaver = model.swarmMembers(0)[0];
      const tx = coordinator.connect(registrar).removeNode(leaver);
      const receipt = await mined(tx);
      const expected = model.removeNode(leaver, await prevrandaoOf(receipt));
      expect(coordinatorChanges(coordinator, receipt.logs)).to.deep.equal(expected);
      expect(expected.slice(1).map((c) => [c.fromSwarm, c.toSwarm])).to.deep.equal([
        [1, 0],
        [1, 0],
        [1, 0],
      ]);
      await expect(tx).to.emit(coordinator, "SwarmRemoved").withArgs(1);
      expect(await coordinator.swarmCount()).to.equal(1n);
      expect(await coordinator.swarmSize(0)).to.equal(5n);
      await expect(coordinator.swarmSize(1)).to.be.revertedWithCustomError(coordinator, "SwarmNotFound").withArgs(1, 1);
    });

    it("the last node leaves: swarm 0 stays, empty", async () => {
      const { coordinator, registrar } = await loadFixture(deploySwarmFixture);
      await coordinator.connect(registrar).addNode(9);
      await expect(coordinator.connect(registrar).removeNode(9)).to.emit(coordinator, "NodeLeftSwarm").withArgs(9, 0);
      expect(await coordinator.activeNodes()).to.equal(0n);
      expect(await coordinator.swarmCount()).to.equal(1n);
      expect(await coordinator.swarmMembers(0)).to.deep.equal([]);
      // And it can join again.
      await expect(coordinator.connect(registrar).addNode(9)).to.emit(coordinator, "NodeJoinedSwarm").withArgs(9, 0);
    });
  });

  describe("reportStorageUsed", function () {
    it("only STORAGE_ROLE may report; only for active nodes", async () => {
      const { coordinator, registrar, stranger, reporter } = await with5();
      for (const who of [registrar, stranger]) {
        await expect(coordinator.connect(who).reportStorageUsed(1, 100))
          .to.be.revertedWithCustomError(coordinator, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, STORAGE_ROLE);
      }
      await expect(coordinator.connect(reporter).reportStorageUsed(6, 100))
        .to.be.revertedWithCustomError(coordinator, "NodeNotInSwarm")
        .withArgs(6);
      expect(await coordinator.storageUsed()).to.equal(0n);
    });

    it("keeps the latest report per node and their sum", async () => {
      const { coordinator, reporter } = await with5();
      await expect(coordinator.connect(reporter).reportStorageUsed(1, 1000))
        .to.emit(coordinator, "StorageUsedReported")
        .withArgs(1, 1000, 1000);
      await expect(coordinator.connect(reporter).reportStorageUsed(2, 500))
        .to.emit(coordinator, "StorageUsedReported")
        .withArgs(2, 500, 1500);
      await expect(coordinator.connect(reporter).reportStorageUsed(1, 200))
        .to.emit(coordinator, "StorageUsedReported")
        .withArgs(1, 200, 700);
      const max = 2n ** 64n - 1n;
      await coordinator.connect(reporter).reportStorageUsed(3, max);
      expect(await coordinator.storageUsed()).to.equal(700n + max);
      expect(await coordinator.nodeStorageUsed(1)).to.equal(200n);
      expect(await coordinator.nodeStorageUsed(3)).to.equal(max);
    });

    it("a removed node's usage leaves the sum; a moved node keeps its usage; a returning node starts at 0", async () => {
      const { coordinator, reporter, registrar, model } = await with5();
      for (const id of range(1, 5)) await coordinator.connect(reporter).reportStorageUsed(id, id * 1000n);
      expect(await coordinator.storageUsed()).to.equal(15_000n);
      // The split moves three of them to swarm 1: their usage stays.
      await addNodes({ coordinator, registrar } as SwarmFixture, model, [6n]);
      for (const id of range(1, 5)) expect(await coordinator.nodeStorageUsed(id)).to.equal(id * 1000n);
      expect(await coordinator.storageUsed()).to.equal(15_000n);
      await coordinator.connect(registrar).removeNode(2);
      expect(await coordinator.storageUsed()).to.equal(13_000n);
      expect(await coordinator.nodeStorageUsed(2)).to.equal(0n);
      await coordinator.connect(registrar).addNode(2);
      expect(await coordinator.nodeStorageUsed(2)).to.equal(0n);
      expect(await coordinator.storageUsed()).to.equal(13_000n);
    });
  });

  describe("views", function () {
    it("swarmSize and swarmMembers reject ids at or above the swarm count with SwarmNotFound", async () => {
      const { coordinator } = await with6();
      for (const id of [2, 3, NO_SWARM]) {
        await expect(coordinator.swarmSize(id)).to.be.revertedWithCustomError(coordinator, "SwarmNotFound").withArgs(id, 2);
        await expect(coordinator.swarmMembers(id)).to.be.revertedWithCustomError(coordinator, "SwarmNotFound").withArgs(id, 2);
      }
    });

    it("swarmOf and swarmMembers agree", async () => {
      const { coordinator, model } = await with15();
      for (let s = 0; s < 3; s++) {
        const members = await coordinator.swarmMembers(s);
        expect(members).to.deep.equal(model.swarmMembers(s));
        for (const m of members) expect(await coordinator.swarmOf(m)).to.equal(BigInt(s));
      }
    });

    it("calculateSwarmCount: 1 below 3 nodes, then ceil(n / 5); NodeCountTooLarge past 5 × (2^32 − 1)", async () => {
      const { coordinator } = await loadFixture(deploySwarmFixture);
      const table: [number, number][] = [
        [0, 1], [1, 1], [2, 1], [3, 1], [5, 1], [6, 2], [10, 2], [11, 3], [15, 3], [16, 4], [1000, 200], [1001, 201],
      ];
      for (const [n, s] of table) expect(await coordinator.calculateSwarmCount(n), `S(${n})`).to.equal(BigInt(s));
      const max = 5n * (2n ** 32n - 1n);
      expect(await coordinator.calculateSwarmCount(max)).to.equal(2n ** 32n - 1n);
      await expect(coordinator.calculateSwarmCount(max + 1n))
        .to.be.revertedWithCustomError(coordinator, "NodeCountTooLarge")
        .withArgs(max + 1n, max);
    });

    it("inboxToSwarm rejects zero swarms with InvalidSwarmCount; swarmForInbox uses the current count", async () => {
      const { coordinator } = await with15();
      await expect(coordinator.inboxToSwarm(ethers.ZeroHash, 0))
        .to.be.revertedWithCustomError(coordinator, "InvalidSwarmCount")
        .withArgs(0);
      for (let i = 0; i < 8; i++) {
        const id = ethers.id(`inbox ${i}`);
        expect(await coordinator.swarmForInbox(id)).to.equal(BigInt(inboxToSwarm(id, 3)));
        expect(await coordinator.inboxToSwarm(id, 3)).to.equal(BigInt(inboxToSwarm(id, 3)));
        expect(await coordinator.inboxToSwarm(id, 1)).to.equal(0n);
      }
    });

    it("averageSwarmSizeWad is active / swarms scaled by 1e18, rounded down", async () => {
      const { coordinator } = await with7();
      expect(await coordinator.averageSwarmSizeWad()).to.equal((7n * WAD) / 2n);
      const { coordinator: c15 } = await with15();
      expect(await c15.averageSwarmSizeWad()).to.equal(5n * WAD);
    });
  });

  describe("network health", function () {
    it("without a registry, total = active; two nodes are not enough for replication", async () => {
      const { coordinator, registrar } = await loadFixture(deploySwarmFixture);
      await coordinator.connect(registrar).addNode(1);
      await coordinator.connect(registrar).addNode(2);
      expect(await coordinator.totalNodes()).to.equal(2n);
      expect(await coordinator.minSwarmSize()).to.equal(2n);
      expect(await coordinator.replicationOk()).to.equal(false);
      expect(await coordinator.isHealthy()).to.equal(false);
      await coordinator.connect(registrar).addNode(3);
      expect(await coordinator.replicationOk()).to.equal(true);
      expect(await coordinator.isHealthy()).to.equal(true);
    });

    it("active ≥ 80% of the registry's total, compared exactly", async () => {
      const { coordinator, registryMock } = await with15();
      await coordinator.setRegistry(registryMock.target);
      await registryMock.mock__setTotalNodes(18); // 15 / 18 = 83%
      expect(await coordinator.totalNodes()).to.equal(18n);
      expect(await coordinator.isHealthy()).to.equal(true);
      await registryMock.mock__setTotalNodes(19); // 15 × 5 = 75 < 19 × 4 = 76: 78.9%
      expect(await coordinator.isHealthy()).to.equal(false);
      // Exactly 80%: 16 active of 20 (PIP-0008's integer 20 × 80 / 100 = 16 agrees here).
      const { coordinator: c16, registryMock: r16 } = await with16();
      await c16.setRegistry(r16.target);
      await r16.mock__setTotalNodes(20);
      expect(await c16.isHealthy()).to.equal(true);
      await r16.mock__setTotalNodes(21);
      expect(await c16.isHealthy()).to.equal(false);
    });

    it("a registry total below the active count reads as the active count", async () => {
      const { coordinator, registryMock } = await with15();
      await coordinator.setRegistry(registryMock.target);
      await registryMock.mock__setTotalNodes(3);
      expect(await coordinator.totalNodes()).to.equal(15n);
      expect((await coordinator.networkHealth()).totalNodes).to.equal(15n);
    });

    it("storage used < 90% of capacity (active × 10 GiB), compared exactly", async () => {
      const { coordinator, reporter } = await with15();
      const capacity = 15n * STORAGE_PER_NODE;
      expect(await coordinator.storageCapacity()).to.equal(capacity);
      await coordinator.connect(reporter).reportStorageUsed(1, (capacity * 9n) / 10n - 1n);
      expect(await coordinator.isHealthy()).to.equal(true);
      await coordinator.connect(reporter).reportStorageUsed(1, (capacity * 9n) / 10n);
      expect(await coordinator.isHealthy()).to.equal(false);
      expect((await coordinator.networkHealth()).healthy).to.equal(false);
    });

    it("networkHealth() is the struct the TS helper computes, and agrees with the single views", async () => {
      const { coordinator, registryMock, reporter, model } = await with7();
      await coordinator.setRegistry(registryMock.target);
      await registryMock.mock__setTotalNodes(9);
      await coordinator.connect(reporter).reportStorageUsed(3, 123_456_789);
      model.reportStorageUsed(3n, 123_456_789n);
      const h = await coordinator.networkHealth();
      const expected = model.health(9n);
      expect({
        totalNodes: h.totalNodes,
        activeNodes: h.activeNodes,
        swarmCount: h.swarmCount,
        averageSwarmSizeWad: h.averageSwarmSizeWad,
        minSwarmSize: h.minSwarmSize,
        maxSwarmSize: h.maxSwarmSize,
        storageCapacity: h.storageCapacity,
        storageUsed: h.storageUsed,
        replicationOk: h.replicationOk,
        healthy: h.healthy,
      }).to.deep.equal(expected);
      expect(expected).to.deep.equal(
        networkHealth({ registryTotal: 9n, activeNodes: 7n, swarmCount: 2n, minSwarmSize: 3n, maxSwarmSize: 4n, storageUsed: 123_456_789n }),
      );
      expect(await coordinator.totalNodes()).to.equal(h.totalNodes);
      expect(await coordinator.minSwarmSize()).to.equal(h.minSwarmSize);
      expect(await coordinator.maxSwarmSize()).to.equal(h.maxSwarmSize);
      expect(await coordinator.averageSwarmSizeWad()).to.equal(h.averageSwarmSizeWad);
      expect(await coordinator.storageCapacity()).to.equal(h.storageCapacity);
      expect(await coordinator.storageUsed()).to.equal(h.storageUsed);
      expect(await coordinator.replicationOk()).to.equal(h.replicationOk);
      expect(await coordinator.isHealthy()).to.equal(h.healthy);
      expect(h.healthy).to.equal(false); // 7 of 9 is 77.8%
    });

    it("a reverting registry makes the total (and health) revert rather than guess", async () => {
      const { coordinator, registryMock } = await with5();
      await coordinator.setRegistry(registryMock.target);
      await registryMock.mock__setReverts(true);
      await expect(coordinator.totalNodes()).to.be.revertedWithCustomError(registryMock, "TotalNodesReverted");
      await expect(coordinator.isHealthy()).to.be.revertedWithCustomError(registryMock, "TotalNodesReverted");
      // Views that do not need the total still answer.
      expect(await coordinator.minSwarmSize()).to.equal(5n);
    });
  });

  describe("swarm listener", function () {
    it("hears every change, in order, after the coordinator's state is final", async () => {
      const { coordinator, listener, registrar, model } = await with5();
      await coordinator.setSwarmListener(listener.target);
      const receipt = await mined(coordinator.connect(registrar).addNode(6));
      const expected = model.addNode(6n, await prevrandaoOf(receipt));
      const seen = await listener.mock__moves();
      expect(seen.map((m) => ({ nodeId: m.nodeId, fromSwarm: Number(m.fromSwarm), toSwarm: Number(m.toSwarm) }))).to.deep.equal(expected);
      for (const m of seen) {
        expect(m.caller).to.equal(coordinator.target);
        // Every call sees the node's final swarm: state was written before any call.
        expect(m.swarmOfAtCall).to.equal(BigInt(model.swarmOf(m.nodeId)));
      }
      // A leave that dissolves swarm 1: the leave first, then the moves, all after the state update.
      const leaver = model.swarmMembers(1)[0];
      const leave = await mined(coordinator.connect(registrar).removeNode(leaver));
      const expectedLeave = model.removeNode(leaver, await prevrandaoOf(leave));
      const after = (await listener.mock__moves()).slice(seen.length);
      expect(after.map((m) => ({ nodeId: m.nodeId, fromSwarm: Number(m.fromSwarm), toSwarm: Number(m.toSwarm) }))).to.deep.equal(
        expectedLeave,
      );
      expect(after[0].swarmOfAtCall).to.equal(BigInt(NO_SWARM));
      for (const m of after.slice(1)) expect(m.swarmOfAtCall).to.equal(0n);
    });

    it("a reverting listener reverts the change; detaching it unblocks joins and leaves", async () => {
      const { coordinator, listener, registrar } = await with5();
      await coordinator.setSwarmListener(listener.target);
      await listener.mock__setReverts(true);
      await expect(coordinator.connect(registrar).addNode(6))
        .to.be.revertedWithCustomError(listener, "ListenerReverted")
        .withArgs(6);
      await expect(coordinator.connect(registrar).removeNode(1))
        .to.be.revertedWithCustomError(listener, "ListenerReverted")
        .withArgs(1);
      expect(await coordinator.activeNodes()).to.equal(5n);
      expect(await coordinator.swarmCount()).to.equal(1n);
      await coordinator.setSwarmListener(ethers.ZeroAddress);
      await coordinator.connect(registrar).addNode(6);
      expect(await coordinator.swarmCount()).to.equal(2n);
    });
  });

  it("bulk building through the registry mock matches the model (fixture sanity)", async () => {
    const f = await loadFixture(deploySwarmFixture);
    await enableBulk(f);
    const model = new SwarmModel();
    await bulkAdd(f, model, 1n, 40, 17);
    for (let s = 0; s < model.swarmCount; s++) expect(await f.coordinator.swarmMembers(s)).to.deep.equal(model.swarmMembers(s));
    model.checkInvariants();
  });
});
