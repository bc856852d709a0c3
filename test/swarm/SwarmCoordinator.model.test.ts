import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import fc from "fast-check";
import { network } from "hardhat";
import type { TransactionReceipt } from "ethers";
import {
  MAX_MOVES_PER_CHANGE,
  MAX_NODES_PER_SWARM,
  MIN_NODES_PER_SWARM,
  NO_SWARM,
  MAX_SETTLES_PER_TX,
  SwarmModel,
  calculateSwarmCount,
  type SwarmChange,
} from "../../src/swarm";
import {
  bulkAdd,
  coordinatorChanges,
  deploySwarmFixture,
  enableBulk,
  listenerMoves,
  mined,
  prevrandaoOf,
  revertTo,
  snapshot,
  type SwarmFixture,
} from "./helpers";
import { propertyRuns, sweepSize } from "../helpers/coverage";

/**
 * Random add / remove / report sequences driven through the contract (as the REGISTRY_ROLE holder,
 * an EOA) and through the TS reference model, which repeats the contract's picks from each block's
 * prevrandao. After every step the chain state is checked on its own (the invariants below, read in
 * one call through a test lens) and against the model (exact membership, events and listener calls).
 */
describe("SwarmCoordinator: model-based sequences", function () {
  let f: SwarmFixture;
  let base: string;

  interface World {
    model: SwarmModel;
    nextId: bigint;
    /** Every id ever added, so swarmOf is checked for removed nodes too. */
    everAdded: bigint[];
    removed: bigint[];
    steps: number;
  }

  before(async () => {
    f = await loadFixture(deploySwarmFixture);
    await f.coordinator.setSwarmListener(f.listener.target);
    await enableBulk(f);
    base = await snapshot();
  });

  after(async () => {
    await revertTo(base);
  });

  const toChange = (c: SwarmChange) => ({ nodeId: c.nodeId, fromSwarm: c.fromSwarm, toSwarm: c.toSwarm });

  async function checkStep(w: World, receipt: TransactionReceipt, expected: SwarmChange[], bound = MAX_MOVES_PER_CHANGE + 2): Promise<void> {
    w.steps++;
    // The contract reported exactly the model's changes, in order, by event and to the listener.
    const emitted = coordinatorChanges(f.coordinator, receipt.logs);
    expect(emitted, "events are the model's changes").to.deep.equal(expected.map(toChange));
    const heard = listenerMoves(f.listener, receipt.logs);
    expect(heard.map(toChange), "the listener saw exactly the changes").to.deep.equal(expected.map(toChange));
    for (const h of heard) {
      // Called after the coordinator's state was final: it already answers the node's final swarm.
      expect(h.swarmOfAtCall, "listener runs after the state update").to.equal(w.model.swarmOf(h.nodeId));
    }
    // Bounded work: one join or leave, at most MAX_MOVES_PER_CHANGE moves and one swap (a join into a
    // full ring); a settle, one swap per settled placement.
    expect(emitted.length - 1, "moves per change are bounded").to.be.at.most(bound);
    await checkChainState(w);
  }

  async function checkChainState(w: World): Promise<void> {
    const snap = await f.inspector.inspect(f.coordinator.target, w.everAdded);
    const count = Number(snap.swarmCount);
    const n = Number(snap.activeNodes);
    const members = snap.members.map((ms) => ms.map((m) => BigInt(m)));

    // Invariants, from the chain alone (plain checks: chai per element is too slow for thousands).
    const broken: string[] = [];
    if (count !== calculateSwarmCount(n)) broken.push(`the swarm count ${count} is not S(${n})`);
    const sizes = members.map((ms) => ms.length);
    const min = Math.min(...sizes);
    const max = Math.max(...sizes);
    if (max - min > 1) broken.push(`swarm sizes differ by more than one (${min}..${max})`);
    if (n >= MIN_NODES_PER_SWARM && min < MIN_NODES_PER_SWARM) broken.push(`a swarm has fewer than 3 nodes (${min})`);
    if (max > MAX_NODES_PER_SWARM) broken.push(`a swarm has more than 10 nodes (${max})`);
    const where = new Map<bigint, number>();
    members.forEach((ms, i) =>
      ms.forEach((m) => {
        if (where.has(m)) broken.push(`node ${m} is in two swarms`);
        where.set(m, i);
      }),
    );
    if (where.size !== n) broken.push(`${where.size} swarm members but ${n} active nodes`);
    w.everAdded.forEach((id, k) => {
      const s = Number(snap.swarmOfNodes[k]);
      if (s !== (where.get(id) ?? NO_SWARM)) broken.push(`swarmOf(${id}) = ${s} disagrees with the member lists`);
    });
    expect(broken, "chain invariants").to.deep.equal([]);

    // And exactly the model's membership, member order included.
    expect(count).to.equal(w.model.swarmCount);
    for (let i = 0; i < count; i++) expect(members[i], `swarm ${i}`).to.deep.equal(w.model.swarmMembers(i));
    w.model.checkInvariants();
  }

  type Cmd = fc.AsyncCommand<World, World>;

  class Add implements Cmd {
    check = () => true;
    async run(w: World) {
      const id = w.nextId++;
      const receipt = await mined(f.coordinator.connect(f.registrar).addNode(id));
      const expected = w.model.addNode(id, await prevrandaoOf(receipt));
      w.everAdded.push(id);
      await checkStep(w, receipt, expected);
    }
    toString = () => "add";
  }

  class Remove implements Cmd {
    constructor(readonly pick: number) {}
    check = (w: Readonly<World>) => w.model.activeNodes > 0;
    async run(w: World) {
      const ids = w.model.activeNodeIds();
      const id = ids[this.pick % ids.length];
      const receipt = await mined(f.coordinator.connect(f.registrar).removeNode(id));
      const expected = w.model.removeNode(id, await prevrandaoOf(receipt));
      w.removed.push(id);
      await checkStep(w, receipt, expected);
      expect(await f.coordinator.storageUsed(), "a removed node's usage leaves the sum").to.equal(w.model.storageUsed);
    }
    toString = () => `remove(${this.pick})`;
  }

  /** Anyone settles up to `count` queued placements (at most MAX_SETTLES_PER_TX). */
  class Settle implements Cmd {
    constructor(readonly count: number) {}
    check = () => true;
    async run(w: World) {
      // A block without writes first: a join defers the seeds it knew to the block after it.
      await network.provider.send("evm_mine", []);
      const receipt = await mined(f.coordinator.settle(this.count));
      const expected = w.model.settle(this.count, await prevrandaoOf(receipt));
      await checkStep(w, receipt, expected, 2 * MAX_SETTLES_PER_TX);
      const [ids, seeds] = await f.coordinator.pendingPlacements();
      expect(ids.map((id, i) => ({ nodeId: id, seedBlock: Number(seeds[i]) }))).to.deep.equal(w.model.pendingPlacements());
    }
    toString = () => `settle(${this.count})`;
  }

  /** A removed node joins again: its old record must not leak (index, usage). */
  class Rejoin implements Cmd {
    constructor(readonly pick: number) {}
    check = (w: Readonly<World>) => w.removed.some((id) => w.model.swarmOf(id) === NO_SWARM);
    async run(w: World) {
      const gone = w.removed.filter((id) => w.model.swarmOf(id) === NO_SWARM);
      const id = gone[this.pick % gone.length];
      const receipt = await mined(f.coordinator.connect(f.registrar).addNode(id));
      const expected = w.model.addNode(id, await prevrandaoOf(receipt));
      await checkStep(w, receipt, expected);
      expect(await f.coordinator.nodeStorageUsed(id)).to.equal(0n);
    }
    toString = () => `rejoin(${this.pick})`;
  }

  class Report implements Cmd {
    constructor(readonly pick: number, readonly bytes: bigint) {}
    check = (w: Readonly<World>) => w.model.activeNodes > 0;
    async run(w: World) {
      const ids = w.model.activeNodeIds();
      const id = ids[this.pick % ids.length];
      await mined(f.coordinator.connect(f.reporter).reportStorageUsed(id, this.bytes));
      w.model.reportStorageUsed(id, this.bytes);
      expect(await f.coordinator.storageUsed(), "storage used is the sum of the latest reports").to.equal(w.model.storageUsed);
    }
    toString = () => `report(${this.pick}, ${this.bytes})`;
  }

  /** Invalid calls revert with the exact error and change nothing. */
  class Invalid implements Cmd {
    constructor(readonly pick: number) {}
    check = (w: Readonly<World>) => w.model.activeNodes > 0;
    async run(w: World) {
      const ids = w.model.activeNodeIds();
      const id = ids[this.pick % ids.length];
      await expect(f.coordinator.connect(f.registrar).addNode(id))
        .to.be.revertedWithCustomError(f.coordinator, "NodeAlreadyInSwarm")
        .withArgs(id, w.model.swarmOf(id));
      await expect(f.coordinator.connect(f.registrar).removeNode(w.nextId + 1000n))
        .to.be.revertedWithCustomError(f.coordinator, "NodeNotInSwarm")
        .withArgs(w.nextId + 1000n);
      await checkChainState(w);
    }
    toString = () => `invalid(${this.pick})`;
  }

  const commands = fc.commands(
    [
      fc.constant(new Add()),
      fc.constant(new Add()),
      fc.nat().map((k) => new Remove(k)),
      fc.nat().map((k) => new Rejoin(k)),
      fc.tuple(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([k, b]) => new Report(k, b)),
      fc.nat().map((k) => new Invalid(k)),
      fc.integer({ min: 1, max: 10 }).map((k) => new Settle(k)),
    ],
    { maxCommands: 50, size: "max" },
  );

  async function freshWorld(initialNodes: number): Promise<World> {
    await revertTo(base);
    base = await snapshot();
    const w: World = { model: new SwarmModel(), nextId: 1n, everAdded: [], removed: [], steps: 0 };
    if (initialNodes > 0) {
      await bulkAdd(f, w.model, 1n, initialNodes);
      for (let i = 1; i <= initialNodes; i++) w.everAdded.push(BigInt(i));
      w.nextId = BigInt(initialNodes + 1);
    }
    await checkChainState(w);
    return w;
  }

  it("random sequences from random starting sizes keep every invariant and match the model exactly", async () => {
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sweepSize(60, 12) }), commands, async (initialNodes, cmds) => {
        const w = await freshWorld(initialNodes);
        await fc.asyncModelRun(() => Promise.resolve({ model: w, real: w }), cmds);
        steps += w.steps;
      }),
      { numRuns: propertyRuns(25) },
    );
    console.log(`      ${steps} add / remove / rejoin steps checked`);
    expect(steps, "enough steps were checked").to.be.greaterThan(6 * propertyRuns(25));
  });

  it("growing one node at a time to 60 and shrinking back to 0 keeps every invariant at every size", async () => {
    const w = await freshWorld(0);
    const add = new Add();
    const top = sweepSize(60, 26); // under coverage: swarm counts 1..6 and back
    // A settle every eight steps, as the registry's heartbeat batches would: the ring never fills.
    for (let i = 0; i < top; i++) {
      await add.run(w);
      if (i % 8 === 7) await new Settle(8).run(w);
    }
    for (let i = 0; i < top; i++) {
      await new Remove(i * 7919).run(w);
      if (i % 8 === 7) await new Settle(8).run(w);
    }
    expect(w.model.activeNodes).to.equal(0);
    expect(await f.coordinator.swarmCount()).to.equal(1n);
  });
});
