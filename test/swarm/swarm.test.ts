import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import fc from "fast-check";
import {
  MAX_MOVES_PER_CHANGE,
  NO_SWARM,
  MAX_PENDING_PLACEMENTS,
  MAX_SETTLES_PER_TX,
  STORAGE_PER_NODE,
  SwarmModel,
  WAD,
  calculateSwarmCount,
  firstDraw,
  hashToSwarm,
  inboxHash,
  inboxToSwarm,
  isHealthy,
  networkHealth,
  storageUtilisationPercent,
  type BlockContext,
} from "../../src/swarm";
import { deploySwarmFixture } from "./helpers";
import { propertyRuns, sweepSize } from "../helpers/coverage";

/** A block for model-only runs: number `n`, the given prevrandao, and made-up hashes. */
const blockAt = (n: number, prevrandao: bigint): BlockContext => ({ number: n, prevrandao, hash: (b) => BigInt(ethers.id(`block ${b}`)) });

/** Deterministic ids for the statistics below (fast-check covers random ones). */
const ids = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ethers.id(`${tag} ${i}`));

describe("src/swarm", function () {
  describe("calculateSwarmCount", function () {
    it("is 1 below 3 nodes and ceil(n / 5) from 3 on", () => {
      const table: [number, number][] = [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 2], [10, 2], [11, 3], [1000, 200], [1001, 201]];
      for (const [n, s] of table) expect(calculateSwarmCount(n), `S(${n})`).to.equal(s);
      expect(calculateSwarmCount(5n * (2n ** 32n - 1n))).to.equal(2 ** 32 - 1);
      expect(() => calculateSwarmCount(5n * (2n ** 32n - 1n) + 1n)).to.throw(RangeError);
      expect(() => calculateSwarmCount(-1)).to.throw(RangeError);
    });

    it("gives swarms of 3..5 nodes whenever sizes are balanced and N ≥ 3", () => {
      fc.assert(
        fc.property(fc.integer({ min: 3, max: 10_000_000 }), (n) => {
          const s = calculateSwarmCount(n);
          return Math.floor(n / s) >= 3 && Math.ceil(n / s) <= 5;
        }),
      );
    });
  });

  describe("inbox → swarm", function () {
    it("inboxHash is the first 8 bytes of sha256(id), big-endian", () => {
      // sha256 of 32 zero bytes = 66687aad f862bd77 6c8fc18b ...
      expect(inboxHash(ethers.ZeroHash)).to.equal(0x66687aadf862bd77n);
      const id = ethers.id("any inbox");
      expect(inboxHash(id)).to.equal(BigInt(ethers.dataSlice(ethers.sha256(id), 0, 8)));
      expect(() => inboxHash("0x1234")).to.throw(RangeError);
    });

    it("lands below S, and equals h mod S when S is a power of two", () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (h, s) => {
          const a = hashToSwarm(h, s);
          expect(a).to.be.lessThan(s);
          const p = 2 ** Math.floor(Math.log2(s));
          expect(hashToSwarm(h, p)).to.equal(Number(h % BigInt(p)));
        }),
      );
      expect(() => hashToSwarm(1n, 0)).to.throw(RangeError);
      expect(() => hashToSwarm(1n, 2 ** 32)).to.throw(RangeError);
    });

    it("when the swarm count grows by one, only keys of swarm S − 2^i move, all to the new swarm S", () => {
      // 3,000 ids over every S from 1 to 400: the keys that move all come from one swarm. Compared
      // with h mod S, which moves nearly all keys.
      const hashes = ids(3000, "growth").map(inboxHash);
      let linearMoved = 0;
      let modMoved = 0;
      let steps = 0;
      let maxShare = 0;
      let before = hashes.map((h) => hashToSwarm(h, 1));
      let modBefore = hashes.map(() => 0n);
      for (let s = 1; s <= 400; s++) {
        const split = s - 2 ** Math.floor(Math.log2(s));
        const after = hashes.map((h) => hashToSwarm(h, s + 1));
        const sNext = BigInt(s + 1);
        const modAfter = hashes.map((h) => h % sNext);
        const sources = new Set<number>();
        const targets = new Set<number>();
        let moved = 0;
        for (let k = 0; k < hashes.length; k++) {
          if (before[k] !== after[k]) {
            moved++;
            sources.add(before[k]);
            targets.add(after[k]);
          }
          if (modBefore[k] !== modAfter[k]) modMoved++;
        }
        expect([...sources].every((x) => x === split), `S ${s} → ${s + 1}: keys moved from ${[...sources]}`).to.equal(true);
        expect([...targets].every((x) => x === s), `S ${s} → ${s + 1}: keys moved to ${[...targets]}`).to.equal(true);
        linearMoved += moved;
        maxShare = Math.max(maxShare, moved / hashes.length);
        steps++;
        before = after;
        modBefore = modAfter;
      }
      const linear = linearMoved / (steps * hashes.length);
      const mod = modMoved / (steps * hashes.length);
      console.log(
        `      keys moved per growth step: linear hashing ${(100 * linear).toFixed(2)}% (max ${(100 * maxShare).toFixed(1)}%), h mod S ${(100 * mod).toFixed(1)}%`,
      );
      expect(linear).to.be.lessThan(0.02);
      expect(mod).to.be.greaterThan(0.9);
    });

    describe("against the contract", function () {
      const batch = async (pairs: [string, number][]) => {
        const { coordinator, inspector } = await loadFixture(deploySwarmFixture);
        const out: bigint[] = [];
        for (let i = 0; i < pairs.length; i += 1000) {
          const part = pairs.slice(i, i + 1000);
          out.push(...(await inspector.inboxToSwarmBatch(coordinator.target, part.map((p) => p[0]), part.map((p) => p[1]))));
        }
        return out.map(Number);
      };

      it("Solidity == TS for every swarm count from 1 to 2,000 (a random id each)", async () => {
        const pairs: [string, number][] = [];
        // Under coverage: every count up to 64 and every 16th after it.
        const stride = sweepSize(1, 16);
        for (let s = 1; s <= 2000; s += s < 64 ? 1 : stride) pairs.push([ethers.hexlify(ethers.randomBytes(32)), s]);
        const onChain = await batch(pairs);
        const broken = pairs.filter(([id, s], i) => inboxToSwarm(id, s) !== onChain[i]);
        expect(broken).to.deep.equal([]);
      });

      it("Solidity == TS for random ids and any uint32 swarm count", async () => {
        const pairs = fc.sample(
          fc.tuple(
            fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b)),
            fc.oneof(fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 64 })),
          ),
          400,
        );
        const onChain = await batch(pairs);
        pairs.forEach(([id, s], i) => expect(onChain[i], `${id} / ${s}`).to.equal(inboxToSwarm(id, s)));
      });
    });
  });

  describe("health helpers", function () {
    const base = { activeNodes: 15n, swarmCount: 3n, minSwarmSize: 5n, maxSwarmSize: 5n, storageUsed: 0n };

    it("total defaults to active and never reads below it", () => {
      expect(networkHealth(base).totalNodes).to.equal(15n);
      expect(networkHealth({ ...base, registryTotal: 3n }).totalNodes).to.equal(15n);
      expect(networkHealth({ ...base, registryTotal: 18n }).totalNodes).to.equal(18n);
    });

    it("computes capacity (active × 10 GiB), the rounded-down average, and the exact 80% / 90% checks", () => {
      const h = networkHealth({ ...base, activeNodes: 7n, swarmCount: 2n, minSwarmSize: 3n, maxSwarmSize: 4n });
      expect(h.storageCapacity).to.equal(7n * 10n * 2n ** 30n);
      expect(h.averageSwarmSizeWad).to.equal((7n * WAD) / 2n);
      expect(h.replicationOk && h.healthy).to.equal(true);
      expect(networkHealth({ ...base, activeNodes: 16n, registryTotal: 20n }).healthy).to.equal(true);
      expect(networkHealth({ ...base, activeNodes: 16n, registryTotal: 21n }).healthy).to.equal(false);
      const cap = 15n * STORAGE_PER_NODE;
      expect(networkHealth({ ...base, storageUsed: (cap * 9n) / 10n - 1n }).healthy).to.equal(true);
      expect(networkHealth({ ...base, storageUsed: (cap * 9n) / 10n }).healthy).to.equal(false);
      expect(networkHealth({ ...base, minSwarmSize: 2n }).replicationOk).to.equal(false);
      expect(isHealthy({ replicationOk: true, activeNodes: 0n, totalNodes: 0n, storageUsed: 0n, storageCapacity: 0n })).to.equal(false);
    });

    it("storage utilisation is whole percent, rounded down, 0 without capacity", () => {
      expect(storageUtilisationPercent({ storageUsed: 0n, storageCapacity: 0n })).to.equal(0n);
      expect(storageUtilisationPercent({ storageUsed: 699n, storageCapacity: 1000n })).to.equal(69n);
    });
  });

  describe("SwarmModel", function () {
    it("rejects what the contract rejects", () => {
      const m = new SwarmModel();
      expect(() => m.addNode(0n, blockAt(1, 1n))).to.throw("InvalidNodeId");
      m.addNode(1n, blockAt(1, 1n));
      expect(() => m.addNode(1n, blockAt(2, 2n))).to.throw("NodeAlreadyInSwarm");
      expect(() => m.removeNode(2n, blockAt(2, 1n))).to.throw("NodeNotInSwarm");
      expect(() => m.settle(0, blockAt(2, 1n))).to.throw("InvalidSettleCount");
      // A join never settles: the first join of block 3 finds node 1's seed (block 2) known and defers
      // it to block 4. Thirty-one joins fill the ring; the next one in block 3 cannot settle the oldest
      // (its seed is block 4's hash) and fails, changing nothing.
      const ids = Array.from({ length: MAX_PENDING_PLACEMENTS }, (_, i) => BigInt(i + 1));
      for (const id of ids.slice(1)) m.addNode(id, blockAt(3, 0n));
      const full = ids.map((nodeId) => ({ nodeId, seedBlock: 4 }));
      expect(m.pendingPlacements()).to.deep.equal(full);
      const extra = BigInt(MAX_PENDING_PLACEMENTS + 1);
      expect(() => m.addNode(extra, blockAt(3, 0n))).to.throw("PlacementQueueFull");
      expect(m.pendingPlacements()).to.deep.equal(full);
      expect(m.swarmOf(extra)).to.equal(NO_SWARM);
      // In block 5 the oldest is ready: the join into the full ring settles it (and defers the rest).
      m.addNode(extra, blockAt(5, 0n));
      expect(m.pendingPlacements()).to.deep.equal([...ids.slice(1), extra].map((nodeId) => ({ nodeId, seedBlock: 6 })));
      expect(() => m.reportStorageUsed(99n, 1n)).to.throw("NodeNotInSwarm");
      expect(m.swarmOf(99n)).to.equal(NO_SWARM);
      expect(() => m.swarmMembers(m.swarmCount)).to.throw(RangeError);
    });

    it("firstDraw is the contract's first draw: keccak256(keccak256(prevrandao, nodeId), 0) mod n, none below 2", () => {
      const coder = ethers.AbiCoder.defaultAbiCoder();
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 40n - 1n }), fc.integer({ min: 0, max: 2 ** 24 }), (p, id, n) => {
          const entropy = ethers.keccak256(coder.encode(["uint256", "uint64"], [p, id]));
          const expected = n <= 1 ? 0 : Number(BigInt(ethers.keccak256(coder.encode(["uint256", "uint256"], [entropy, 0]))) % BigInt(n));
          expect(firstDraw(p, id, n)).to.equal(expected);
        }),
        { numRuns: propertyRuns(200) },
      );
    });

    it("long random walks keep every invariant with at most 5 moves per change (TS only, up to 800 nodes)", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 5, max: 800 }),
          fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })), { minLength: 300, maxLength: 300 }),
          (target, steps) => {
            const m = new SwarmModel();
            let next = 1n;
            let block = 1;
            // Grow to the target one block per join, then walk around it; a settle every eighth block
            // (as heartbeat batches would) keeps the ring from filling.
            for (let i = 0; i < target; i++) {
              m.addNode(next++, blockAt(block++, BigInt(i) * 7919n));
              // A join defers known seeds to the next block, so the settle comes a block later.
              if (i % 8 === 7) {
                block++;
                m.settle(MAX_SETTLES_PER_TX, blockAt(block++, 0n));
              }
            }
            m.checkInvariants();
            for (const [add, pick, r] of steps) {
              const n = m.activeNodes;
              const at = blockAt(block++, r);
              const changes = add || n === 0 ? m.addNode(next++, at) : m.removeNode(m.activeNodeIds()[pick % n], at);
              expect(changes.length - 1).to.be.at.most(MAX_MOVES_PER_CHANGE + 2);
              m.checkInvariants();
              if (block % 8 === 0) {
                block++;
                m.settle(MAX_SETTLES_PER_TX, blockAt(block++, 0n));
              }
            }
          },
        ),
        { numRuns: propertyRuns(12) },
      );
    });
  });
});
