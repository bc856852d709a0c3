import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { placementDraw } from "../../src/swarm";
import { deploySwarmFixture, enableBulk, bulkAdd, mined, revertTo, snapshot } from "../swarm/helpers";

/**
 * Placement on a chain whose PREVRANDAO is a constant (the Lux EVM sets it to the header's
 * difficulty, 1). A coalition sees everything on chain before its joining transaction; whatever it
 * can see, its node's final swarm is drawn from the hash of the block after the join.
 */
describe("adversarial: swarm placement with a constant prevrandao", function () {
  const CONSTANT = ethers.toBeHex(1, 32);
  const setConstant = () => network.provider.send("hardhat_setPrevRandao", [CONSTANT]);

  async function network20() {
    const f = await deploySwarmFixture();
    await enableBulk(f);
    await bulkAdd(f, undefined, 1n, 20);
    return f;
  }

  it("the join itself is predictable from what the registrant sees, whatever the prevrandao", async () => {
    const f = await loadFixture(network20);
    // Before sending, the coalition reads the order: the joiner enters the first swarm of the smallest class.
    const before = await snapshot();
    await setConstant();
    const first = await f.coordinator.connect(f.registrar).addNode.staticCall(21);
    await network.provider.send("hardhat_setPrevRandao", [ethers.toBeHex(12345, 32)]);
    const second = await f.coordinator.connect(f.registrar).addNode.staticCall(21);
    expect(first).to.equal(second);
    await revertTo(before);
  });

  it("the final swarm is the draw from the next block's hash, which the test varies through that block's contents", async () => {
    const f = await loadFixture(network20);
    const seen = new Map<number, number>();
    const trials = 24;
    for (let t = 0; t < trials; t++) {
      const s = await snapshot();
      await setConstant();
      const join = await mined(f.coordinator.connect(f.registrar).addNode(21));
      const [queued, seeds] = await f.coordinator.pendingPlacements();
      expect(queued).to.deep.equal([21n]);
      const count = Number(await f.coordinator.swarmCount()); // 5: the join formed a swarm
      expect(seeds).to.deep.equal([BigInt(join.blockNumber + 1)]);
      // Block J+1: somebody else's transaction, different in every trial (the registrant cannot know it).
      await setConstant();
      const [, , , other] = await ethers.getSigners();
      const seedTx = await mined(other.sendTransaction({ to: other.address, value: BigInt(t + 1) }));
      expect(seedTx.blockNumber).to.equal(join.blockNumber + 1);
      const seedHash = BigInt((await ethers.provider.getBlock(seedTx.blockNumber))!.hash!);
      const queueIndex = 20n; // 20 placements were settled while the network was built
      const r = placementDraw(seedHash, 21n, queueIndex);
      const expectedSwarm = Number(r % BigInt(count));
      await setConstant();
      await expect(f.coordinator.settle(1)).to.emit(f.coordinator, "PlacementSettled").withArgs(21, expectedSwarm, seedTx.blockNumber);
      expect(await f.coordinator.swarmOf(21)).to.equal(BigInt(expectedSwarm));
      seen.set(expectedSwarm, (seen.get(expectedSwarm) ?? 0) + 1);
      await revertTo(s);
    }
    // The same registration, same prevrandao, same state: the outcome follows the later block only.
    expect(seen.size, `swarms reached: ${[...seen.entries()]}`).to.be.greaterThan(1);
  });

  it("a state change after a seed is known defers every queued seed past it", async () => {
    const f = await loadFixture(network20);
    await setConstant();
    await mined(f.coordinator.connect(f.registrar).addNode(21));
    await setConstant();
    await mined(f.coordinator.connect(f.registrar).addNode(22));
    await network.provider.send("evm_mine", []);
    await network.provider.send("evm_mine", []);
    // Both seeds are now known; one leave settles two placements (SETTLES_PER_CALL) first.
    const leave = await mined(f.coordinator.connect(f.registrar).removeNode(1));
    const [left] = await f.coordinator.pendingPlacements();
    expect(left).to.deep.equal([]);
    // Three queued joins in one block, then a write two blocks later settles two and defers the third.
    await network.provider.send("evm_setAutomine", [false]);
    for (const id of [23, 24, 25]) await f.coordinator.connect(f.registrar).addNode(id);
    await network.provider.send("evm_mine", []);
    await network.provider.send("evm_setAutomine", [true]);
    await network.provider.send("evm_mine", []);
    await network.provider.send("evm_mine", []);
    const write = await mined(f.coordinator.connect(f.registrar).removeNode(2));
    const [ids, seeds] = await f.coordinator.pendingPlacements();
    expect(ids).to.deep.equal([25n]);
    expect(seeds).to.deep.equal([BigInt(write.blockNumber + 1)]);
    expect(leave.blockNumber).to.be.lessThan(write.blockNumber);
  });
});
