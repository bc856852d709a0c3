import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { MAX_MOVES_PER_CHANGE } from "../../src/swarm";
import { bulkAdd, coordinatorChanges, deploySwarmFixture, enableBulk, mined, revertTo, snapshot, type SwarmFixture } from "./helpers";

/**
 * Gas of addNode / removeNode (whole transaction, sent by the registry's EOA, no listener) at 10, 100
 * and 1,000 active nodes. Each figure is the mean over several nodes and blocks from the same state
 * (snapshot / revert), since the random draws change which storage slots are shared.
 *
 * Kinds of change (name: the transition measured at 10 nodes; the same at 100 and 1,000):
 * - swarm.addNode: a join that changes no swarm count, no move (11 → 12)
 * - swarm.addNode.split: the join that adds a swarm, all swarms had 5 nodes (10 → 11)
 * - swarm.removeNode: a leave that needs no move (10 → 9)
 * - swarm.removeNode.move: a leave from a swarm of 4 while swarms of 5 exist, one move (13 → 12)
 * - swarm.removeNode.shrink: the leave that removes the last swarm (11 → 10); it moves the last
 *   swarm's nodes, 2 to 5 depending on the sample, so it is reported but not compared
 * - swarm.addNode.split4 / swarm.removeNode.shrink4: split and shrink with exactly 4 moves, which a
 *   network of 10 cannot show (its split forms a swarm of 3), so measured at 20 → 21 and 21 → 20.
 *
 * What the numbers show: from 100 to 1,000 nodes every kind costs the same within a few percent, so
 * nothing grows with N. A network of 10 has only 2 or 3 swarms; the swap that keeps the size order
 * sorted after a join or leave then touches slots already touched by the same call (or is a no-op),
 * which makes it cheaper by about one to three cold storage writes. That is an artefact of tiny
 * networks, not work that grows with N.
 */
describe("SwarmCoordinator: gas at 10 and at 1,000 nodes", function () {
  const SAMPLES = 8;
  let f: SwarmFixture;
  const gas: Record<string, number> = {};
  const moves: Record<string, number> = {};

  async function mean(name: string, op: (sample: number) => Promise<bigint>): Promise<void> {
    let total = 0n;
    for (let i = 0; i < SAMPLES; i++) {
      const id = await snapshot();
      total += await op(i);
      await revertTo(id);
    }
    gas[name] = Number(total / BigInt(SAMPLES));
  }

  /** Sample i of SAMPLES, evenly spread over a list (so the samples cover many swarms). */
  const spread = <T>(xs: T[], i: number): T => xs[Math.floor(((i + 0.5) * xs.length) / SAMPLES)];

  async function addGas(name: string, nodeId: bigint): Promise<bigint> {
    const receipt = await mined(f.coordinator.connect(f.registrar).addNode(nodeId));
    moves[name] = coordinatorChanges(f.coordinator, receipt.logs).length - 1;
    return receipt.gasUsed;
  }

  async function removeGas(name: string, nodeId: bigint): Promise<bigint> {
    const receipt = await mined(f.coordinator.connect(f.registrar).removeNode(nodeId));
    moves[name] = coordinatorChanges(f.coordinator, receipt.logs).length - 1;
    return receipt.gasUsed;
  }

  /** The members of the swarms of a given size, in swarm order. */
  async function membersOfSize(size: number): Promise<bigint[]> {
    const out: bigint[] = [];
    const count = Number(await f.coordinator.swarmCount());
    for (let s = 0; s < count; s++) {
      const ms = await f.coordinator.swarmMembers(s);
      if (ms.length === size) out.push(...ms);
    }
    return out;
  }

  async function allMembers(): Promise<bigint[]> {
    const out: bigint[] = [];
    const count = Number(await f.coordinator.swarmCount());
    for (let s = 0; s < count; s++) out.push(...(await f.coordinator.swarmMembers(s)));
    return out;
  }

  /** Leavers whose exit (at 5k + 1 nodes) dissolves the last swarm with exactly 4 moves. */
  async function fourMoveShrinkLeavers(): Promise<bigint[]> {
    const last = Number(await f.coordinator.swarmCount()) - 1;
    const inLast = await f.coordinator.swarmMembers(last);
    if (inLast.length === 5) return [...inLast]; // 4 others move
    expect(inLast.length).to.equal(4);
    const inLastSet = new Set(inLast);
    return (await allMembers()).filter((m) => !inLastSet.has(m)); // all 4 move
  }

  /** Every kind at a network of `base` nodes (10 or 1000: all swarms have 5 nodes). */
  async function measureAt(suffix: string): Promise<void> {
    let nextId = 100_000n;
    const join = () => mined(f.coordinator.connect(f.registrar).addNode(nextId++));
    const atBase = await allMembers();
    await mean(`swarm.addNode.split${suffix}`, (i) => addGas(`swarm.addNode.split${suffix}`, nextId + BigInt(i)));
    await mean(`swarm.removeNode${suffix}`, (i) => removeGas(`swarm.removeNode${suffix}`, spread(atBase, i)));
    // base + 1: the next join moves nobody; the next leave removes the last swarm.
    await join();
    await mean(`swarm.addNode${suffix}`, (i) => addGas(`swarm.addNode${suffix}`, nextId + BigInt(i)));
    const atPlus1 = await allMembers();
    await mean(`swarm.removeNode.shrink${suffix}`, (i) =>
      removeGas(`swarm.removeNode.shrink${suffix}`, spread(atPlus1, i)),
    );
    // base + 3: swarms of 4 and 5; a leave from a swarm of 4 needs one move.
    await join();
    await join();
    const inSmall = await membersOfSize(4);
    await mean(`swarm.removeNode.move${suffix}`, (i) => removeGas(`swarm.removeNode.move${suffix}`, spread(inSmall, i)));
  }

  /** Split and shrink with 4 moves each, at 20 / 21 nodes or 1000 / 1001. */
  async function measureFourMoves(suffix: string): Promise<void> {
    await mean(`swarm.addNode.split4${suffix}`, (i) => addGas(`swarm.addNode.split4${suffix}`, 200_000n + BigInt(i)));
    await mined(f.coordinator.connect(f.registrar).addNode(300_000n));
    const leavers = await fourMoveShrinkLeavers();
    await mean(`swarm.removeNode.shrink4${suffix}`, (i) =>
      removeGas(`swarm.removeNode.shrink4${suffix}`, spread(leavers, i)),
    );
  }

  it("costs the same at 100 and 1,000 nodes for every kind of change; 10 nodes reported", async () => {
    f = await loadFixture(deploySwarmFixture);
    await enableBulk(f);
    let start = await snapshot();
    // evm_revert consumes the snapshot: take it again after each revert.
    const back = async () => {
      await revertTo(start);
      start = await snapshot();
    };

    await bulkAdd(f, undefined, 1n, 10);
    await measureAt("@10");
    await back();
    await bulkAdd(f, undefined, 1n, 20);
    await measureFourMoves("@10");
    for (const n of [100, 1000]) {
      await back();
      await bulkAdd(f, undefined, 1n, n, 125);
      const at = await snapshot();
      await measureAt(`@${n}`);
      await revertTo(at);
      await measureFourMoves(`@${n}`);
    }
    await back();

    const kinds = [
      "swarm.addNode",
      "swarm.addNode.split",
      "swarm.removeNode",
      "swarm.removeNode.move",
      "swarm.removeNode.shrink",
      "swarm.addNode.split4",
      "swarm.removeNode.shrink4",
    ];
    const ratio = (k: string, a: number, b: number) => (gas[`${k}@${b}`] / gas[`${k}@${a}`]).toFixed(3);
    console.log(`    mean of ${SAMPLES} samples; split4 / shrink4 "@10" are measured at 20 / 21 nodes`);
    console.table(
      kinds.map((k) => ({
        operation: k,
        "moves @10": moves[`${k}@10`],
        "gas @10": gas[`${k}@10`],
        "moves @100": moves[`${k}@100`],
        "gas @100": gas[`${k}@100`],
        "moves @1000": moves[`${k}@1000`],
        "gas @1000": gas[`${k}@1000`],
        "1000/10": ratio(k, 10, 1000),
        "1000/100": ratio(k, 100, 1000),
      })),
    );

    for (const k of kinds) {
      for (const n of [10, 100, 1000]) expect(moves[`${k}@${n}`], `${k}@${n}`).to.be.at.most(MAX_MOVES_PER_CHANGE);
      // swarm.removeNode.shrink moves 3 to 5 nodes depending on the sample (shrink4 fixes it at 4).
      if (k === "swarm.removeNode.shrink") continue;
      // Same work at 100 and 1,000 nodes (same number of moves), same gas within 5%.
      expect(moves[`${k}@1000`], k).to.equal(moves[`${k}@100`]);
      expect(gas[`${k}@1000`] / gas[`${k}@100`], k).to.be.within(0.95, 1.05);
    }
  });
});
