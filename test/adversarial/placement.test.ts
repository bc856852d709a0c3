import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { placementDraw } from "../../src/swarm";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { EPOCH_SECONDS } from "../../src/heartbeat";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys, type NodeKeys } from "../helpers/suite";
import { deploySwarmFixture, enableBulk, bulkAdd, mined, revertTo, snapshot } from "../swarm/helpers";

/**
 * Placement on a chain whose PREVRANDAO is a constant (the Lux EVM sets it to the header's
 * difficulty, 1). A coalition sees everything on chain before its joining transaction; whatever it
 * can see, its node's final swarm is drawn from the hash of the block after the join (or of a later
 * block, if a state change came after that hash was known). Joins and leaves never swap; only
 * `settle` does (anyone's, or the registry's at the end of a heartbeat batch).
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
      const seedTx = (await (await other.sendTransaction({ to: other.address, value: BigInt(t + 1) })).wait())!;
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

  it("a state change after a seed is known defers every queued seed past it, and only settle swaps", async () => {
    const f = await loadFixture(network20);
    await setConstant();
    await mined(f.coordinator.connect(f.registrar).addNode(21));
    await setConstant();
    await mined(f.coordinator.connect(f.registrar).addNode(22));
    await network.provider.send("evm_mine", []);
    await network.provider.send("evm_mine", []);
    // Both seeds are now known. A leave does not settle them (no swap, no PlacementSettled): it
    // defers both past itself, so whoever sent it after reading them gains nothing.
    const leaveTx = f.coordinator.connect(f.registrar).removeNode(1);
    await expect(leaveTx).to.not.emit(f.coordinator, "PlacementSettled");
    const leave = await (await leaveTx).wait();
    const [ids, seeds] = await f.coordinator.pendingPlacements();
    expect(ids).to.deep.equal([21n, 22n]);
    expect(seeds).to.deep.equal([BigInt(leave!.blockNumber + 1), BigInt(leave!.blockNumber + 1)]);
    // Nothing can settle in the seed block itself; a settle after it does.
    await network.provider.send("evm_mine", []);
    const settleTx = await mined(f.coordinator.settle(8));
    const seedHash = BigInt((await ethers.provider.getBlock(leave!.blockNumber + 1))!.hash!);
    const count = BigInt(await f.coordinator.swarmCount());
    for (const [i, id] of [21n, 22n].entries()) {
      const expected = placementDraw(seedHash, id, 20n + BigInt(i)) % count;
      const settled = settleTx.logs
        .map((l) => f.coordinator.interface.parseLog(l))
        .find((e) => e?.name === "PlacementSettled" && e.args.nodeId === id);
      expect(settled?.args.seedBlock).to.equal(BigInt(leave!.blockNumber + 1));
      // The node may since have been swapped out by the other placement: its own draw is what it took.
      expect(settled?.args.swarmId).to.equal(expected);
    }
    const [left] = await f.coordinator.pendingPlacements();
    expect(left).to.deep.equal([]);
  });
});

describe("adversarial: the registry's heartbeat batches settle placements", function () {
  it("a batch that proves a newly activated node settles the queue, and marks a node again while some stay queued", async () => {
    const suite = await deploySuite();
    await time.increaseTo((Math.floor((await time.latest()) / EPOCH_SECONDS) + 1) * EPOCH_SECONDS);
    const epoch = await currentEpoch();
    const nodes: { nodeId: bigint; keys: NodeKeys }[] = [];
    for (let i = 0; i < 4; i++) {
      const op = suite.operators[i];
      const keys = nodeKeys(`placement-batch-${i}`, epoch);
      await (await suite.registry.connect(op).register(await buildRegistration(suite.registry, op.address, keys), { value: REQUIREMENT })).wait();
      nodes.push({ nodeId: await suite.registry.lastNodeId(), keys });
    }
    const ids = nodes.map((n) => n.nodeId);
    // Joins only queue: all four wait at their deterministic swarms.
    expect((await suite.swarms.pendingPlacements())[0]).to.deep.equal(ids);
    const batch = (e: number) =>
      suite.registry.heartbeatBatch(
        ids,
        nodes.map((n) => n.keys.chain.valueForEpoch(e)),
      );
    // Next epoch: the relayer's batch settles SETTLES_PER_CALL (2) of them; the third's seed was
    // known, so it is deferred; the last marked node of the batch is marked again.
    await time.increaseTo((epoch + 1) * EPOCH_SECONDS);
    await expect(batch(epoch + 1)).to.emit(suite.swarms, "PlacementSettled").withArgs(ids[0], anyValue, anyValue);
    expect((await suite.swarms.pendingPlacements())[0]).to.deep.equal(ids.slice(2));
    // The epoch after: the node marked again brings the batch to settle the rest.
    await time.increaseTo((epoch + 2) * EPOCH_SECONDS);
    await expect(batch(epoch + 2)).to.emit(suite.swarms, "PlacementSettled").withArgs(ids[3], anyValue, anyValue);
    expect((await suite.swarms.pendingPlacements())[0]).to.deep.equal([]);
    // Then a batch calls nothing: no node is marked any more.
    await time.increaseTo((epoch + 3) * EPOCH_SECONDS);
    const quiet = await (await batch(epoch + 3)).wait();
    expect(quiet!.logs.filter((l) => l.address === suite.swarms.target)).to.deep.equal([]);
  });
});
