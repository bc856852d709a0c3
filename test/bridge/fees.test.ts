import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite, registerActive } from "../helpers/suite";
import {
  CREATE_FEE,
  MESSAGE_FEE_PER_KIB,
  feeMultiplier,
  quoteCreateSession,
  quoteMessage,
  readUtilisation,
} from "../../src/sessions";
import { inboxToSwarm } from "../../src/swarm";
import { bridgeState, bytes, createFee, deployBridgeSuite, keyOf, messageFee, openSession, send, type BridgeSuite, flushAll, deployBridge } from "./fixture";
import { propertyRuns } from "../helpers/coverage";

const CREATE = "createSession(address[],bytes[],bytes32)";
const CREATE_VM = "createSession(address[])";
const SEND = "sendMessage(bytes32,uint64,bytes)";
const SEND_VM = "sendMessage(bytes32,bytes)";
const SCALE = 10n ** 36n;

/** Sets the network's storage used to `used` bytes (all reported by the first node). */
async function setUsed(f: BridgeSuite, used: bigint) {
  await f.swarms.connect(f.reporter).reportStorageUsed(f.nodeIds[0], used);
}

/** Every swarm's fee accumulator, the treasury's share, and each node's claimable fee income. */
async function pools(f: BridgeSuite) {
  const count = Number(await f.swarms.swarmCount());
  const perStake: bigint[] = [];
  const stake: bigint[] = [];
  for (let i = 0; i < count; i++) {
    perStake.push(await f.rewards.feePerStake(i));
    stake.push(await f.rewards.swarmStake(i));
  }
  const claimable = new Map<bigint, bigint>();
  for (const nodeId of f.nodeIds) {
    const [operator] = await f.registry.nodeTerms(nodeId);
    claimable.set(nodeId, await f.rewards.claimable(nodeId, operator));
  }
  return { perStake, stake, treasuryOwed: await f.rewards.treasuryOwed(), claimable };
}

/** Checks that `fee` went to swarm `swarmId` exactly as depositFees splits it, and nowhere else. */
async function expectFeeIn(f: BridgeSuite, before: Awaited<ReturnType<typeof pools>>, swarmId: number, fee: bigint) {
  const after = await pools(f);
  const stake = before.stake[swarmId];
  expect(stake).to.be.greaterThan(0n);
  // The swarm is booked its whole 80% (rounded down); the treasury gets exactly the rest.
  const toSwarm = (fee * 8_000n) / 10_000n;
  const perStake = (toSwarm * SCALE) / stake;
  for (let i = 0; i < after.perStake.length; i++) {
    expect(after.perStake[i] - before.perStake[i], `swarm ${i}`).to.equal(i === swarmId ? perStake : 0n);
  }
  expect(after.treasuryOwed - before.treasuryOwed).to.equal(fee - toSwarm);
  // Income reaches the operators of the serving swarm's nodes (sole contributors here), nobody else's.
  const members = new Set((await f.swarms.swarmMembers(swarmId)).map((m) => BigInt(m)));
  let paid = 0n;
  for (const nodeId of f.nodeIds) {
    const delta = after.claimable.get(nodeId)! - before.claimable.get(nodeId)!;
    if (members.has(nodeId)) {
      expect(delta, `node ${nodeId}`).to.be.greaterThan(0n);
      paid += delta;
    } else {
      expect(delta, `node ${nodeId}`).to.equal(0n);
    }
  }
  // Each claimable figure is rounded down on its own, so the differences agree up to rounding.
  expect(paid).to.be.closeTo(toSwarm, BigInt(2 * members.size));
}

describe("SessionBridge fees", () => {
  describe("utilisation multiplier", () => {
    // used / capacity at each tier boundary and the multiplier expected there (PIP-0008 §4.2).
    const boundaries: [string, bigint, bigint, bigint][] = [
      ["0%", 0n, 1n, 1n],
      ["49.99%", 4_999n, 10_000n, 1n],
      ["50%", 1n, 2n, 2n],
      ["69.99%", 6_999n, 10_000n, 2n],
      ["70%", 7n, 10n, 5n],
      ["84.99%", 8_499n, 10_000n, 5n],
      ["85%", 85n, 100n, 10n],
      ["94.99%", 9_499n, 10_000n, 10n],
      ["95%", 95n, 100n, 50n],
      ["100%", 1n, 1n, 50n],
      ["over 100%", 3n, 2n, 50n],
    ];

    it("is ×1 / ×2 / ×5 / ×10 / ×50 on either side of every tier boundary; quotes and charges agree with TS", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const capacity = await f.swarms.storageCapacity();
      expect(capacity).to.equal(15n * 10n * 2n ** 30n);
      const { sessionId } = await openSession(f, a, [a, b]);
      for (const [label, num, den, multiplier] of boundaries) {
        const used = (capacity * num) / den; // rounded down: "49.99%" stays below 50%
        await setUsed(f, used);
        const u = await readUtilisation(f.swarms);
        expect(u).to.deep.equal({ storageUsed: used, storageCapacity: capacity });
        expect(feeMultiplier(u), label).to.equal(multiplier);
        expect(await f.bridge.feeMultiplier(), label).to.equal(multiplier);
        expect(await f.bridge.quoteCreateSession(), label).to.equal(CREATE_FEE * multiplier);
        for (const size of [1, 1024, 1025, 16_384]) {
          expect(await f.bridge.quoteMessage(size), `${label}, ${size} B`).to.equal(quoteMessage(size, u));
        }
        expect(quoteMessage(1025, u)).to.equal(2n * MESSAGE_FEE_PER_KIB * multiplier);
        // The charge is the quote: paying it exactly works, one wei less does not.
        const fee = await f.bridge.quoteMessage(1025);
        const seq = (await f.bridge.getSession(sessionId)).messageCount;
        await expect(f.bridge.connect(a)[SEND](sessionId, seq, bytes(1025), { value: fee - 1n }))
          .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
          .withArgs(fee - 1n, fee);
        await expect(f.bridge.connect(a)[SEND](sessionId, seq, bytes(1025), { value: fee })).to.changeEtherBalances(
          [a, f.bridge],
          [-fee, fee],
        );
        const createQuote = await f.bridge.quoteCreateSession();
        expect(createQuote).to.equal(quoteCreateSession(u));
        const created = await openSession(f, a, [a, b], { value: createQuote });
        await expect(created.receipt).to.emit(f.bridge, "SessionCreated").withArgs(created.sessionId, a.address, (s: bigint) => s >= 0n, (e: bigint) => e > 0n, [a.address, b.address], (k: string[]) => k.length === 2, createQuote);
      }
    });

    it("matches the TS mirror at random utilisations", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const capacity = await f.swarms.storageCapacity();
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: (capacity * 6n) / 5n }), fc.integer({ min: 1, max: 16_384 }), async (used, size) => {
          await setUsed(f, used);
          const u = { storageUsed: used, storageCapacity: capacity };
          expect(await f.bridge.feeMultiplier()).to.equal(feeMultiplier(u));
          expect(await f.bridge.quoteMessage(size)).to.equal(quoteMessage(size, u));
        }),
        { numRuns: propertyRuns(25) },
      );
    });

    it("reads zero capacity (no active node) as 0% utilisation; all of the fee then goes to the treasury", async () => {
      async function emptyNetwork() {
        const s = await deploySuite();
        return { ...s, bridge: await deployBridge(s) };
      }
      const s = await loadFixture(emptyNetwork);
      expect(await s.swarms.storageCapacity()).to.equal(0n);
      expect(await s.bridge.feeMultiplier()).to.equal(1n);
      expect(feeMultiplier({ storageUsed: 0n, storageCapacity: 0n })).to.equal(1n);
      const [a, b] = s.others;
      await s.bridge.connect(a)[CREATE_VM]([a.address, b.address], { value: CREATE_FEE });
      expect(await s.bridge.pendingFees(0)).to.equal(CREATE_FEE);
      await expect(s.bridge.flushFees(0))
        .to.emit(s.rewards, "FeesDeposited")
        .withArgs(0, await s.bridge.getAddress(), 0, CREATE_FEE);
      expect(await s.rewards.treasuryOwed()).to.equal(CREATE_FEE);
    });
  });

  describe("payment", () => {
    it("refuses underpayment of a create or a send with InsufficientFee, and nothing changes", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      await setUsed(f, (await f.swarms.storageCapacity()) * 3n / 4n); // ×5
      const { sessionId } = await openSession(f, a, [a, b], { value: await f.bridge.quoteCreateSession() });
      const before = await bridgeState(f, sessionId);
      const createQuote = await f.bridge.quoteCreateSession();
      expect(createQuote).to.equal(5n * CREATE_FEE);
      for (const value of [0n, CREATE_FEE, createQuote - 1n]) {
        await expect(f.bridge.connect(a)[CREATE]([a.address, b.address], [keyOf(a), keyOf(b)], ethers.id("u"), { value }))
          .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
          .withArgs(value, createQuote);
        await expect(f.bridge.connect(a)[CREATE_VM]([a.address, b.address], { value }))
          .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
          .withArgs(value, createQuote);
      }
      const msgQuote = await f.bridge.quoteMessage(3000);
      expect(msgQuote).to.equal(3n * 5n * MESSAGE_FEE_PER_KIB);
      for (const value of [0n, msgQuote - 1n]) {
        await expect(f.bridge.connect(b)[SEND](sessionId, 0, bytes(3000), { value }))
          .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
          .withArgs(value, msgQuote);
        await expect(f.bridge.connect(b)[SEND_VM](sessionId, bytes(3000), { value }))
          .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
          .withArgs(value, msgQuote);
      }
      expect(await bridgeState(f, sessionId)).to.deep.equal(before);
      expect(await f.bridge.autoSessionNonce(a.address)).to.equal(0n);
    });

    it("refunds overpayment to the wei and keeps nothing", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const bridge = await f.bridge.getAddress();
      const fee = await createFee(f);
      const extra = 123_456_789n;
      await expect(
        f.bridge.connect(a)[CREATE]([a.address, b.address], [keyOf(a), keyOf(b)], ethers.id("over"), { value: fee + extra }),
      ).to.changeEtherBalances([a, bridge], [-fee, fee]);
      await expect(f.bridge.connect(a)[CREATE_VM]([a.address, b.address], { value: fee + 1n })).to.changeEtherBalances(
        [a, bridge],
        [-fee, fee],
      );
      const id = await f.bridge.deriveSessionId(a.address, ethers.id("over"), [a.address, b.address]);
      const msgFee = await messageFee(f, 5000);
      await expect(f.bridge.connect(b)[SEND](id, 0, bytes(5000), { value: msgFee + extra })).to.changeEtherBalances(
        [b, bridge],
        [-msgFee, msgFee],
      );
      await expect(f.bridge.connect(b)[SEND_VM](id, bytes(5000), { value: msgFee * 3n })).to.changeEtherBalances(
        [b, bridge],
        [-msgFee, msgFee],
      );
      // The bridge keeps only the fees collected for the pools, and pays all of them on.
      expect(await flushAll(f)).to.equal(2n * fee + 2n * msgFee);
      expect(await ethers.provider.getBalance(bridge)).to.equal(0n);
      await expect(f.bridge.flushFees(0)).to.be.revertedWithCustomError(f.bridge, "NothingToFlush").withArgs(0);
    });
  });

  describe("routing", () => {
    it("puts each fee in the pool of the swarm serving the session id (TS mapping), 80% nodes / 20% treasury", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const swarmCount = Number(await f.swarms.swarmCount());
      expect(swarmCount).to.equal(3);
      const seen = new Set<number>();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 16_384 }), async (salt, size) => {
          // Runs share the chain state: the run number keeps a shrunk (repeated) salt a fresh session.
          const saltHex = ethers.keccak256(ethers.concat([salt, ethers.toBeHex(++run, 32)]));
          const id = await f.bridge.deriveSessionId(a.address, saltHex, [a.address, b.address]);
          const swarmId = inboxToSwarm(id, swarmCount);
          seen.add(swarmId);
          let before = await pools(f);
          const fee = await createFee(f);
          await openSession(f, a, [a, b], { salt: saltHex });
          expect(await f.bridge.pendingFees(swarmId)).to.equal(fee);
          await expect(f.bridge.flushFees(swarmId)).to.emit(f.rewards, "FeesDeposited");
          await expectFeeIn(f, before, swarmId, fee);

          before = await pools(f);
          const msgFee = await messageFee(f, size);
          await expect(send(f, b, id, bytes(size)))
            .to.emit(f.bridge, "MessageSent")
            .withArgs(id, swarmId, b.address, 0, (m: string) => m.length === 66, (c: string) => c.length === 2 + 2 * size, msgFee);
          await f.bridge.flushFees(swarmId);
          await expectFeeIn(f, before, swarmId, msgFee);
        }),
        { numRuns: 8, seed: 42 },
      );
      expect(seen.size).to.be.greaterThan(1);
    });

    it("follows the session to its new swarm when the swarm count grows", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      // Find a session that moves when the swarm count goes from 3 to 4 (linear hashing moves swarm 0's keys).
      let salt = "";
      let id = "";
      for (let i = 0; ; i++) {
        salt = ethers.id(`moving ${i}`);
        id = await f.bridge.deriveSessionId(a.address, salt, [a.address, b.address]);
        if (inboxToSwarm(id, 3) !== inboxToSwarm(id, 4)) break;
      }
      await openSession(f, a, [a, b], { salt });
      for (let i = 0; i < 5; i++) f.nodeIds.push((await registerActive(f, f.operators[i], `bridge extra node ${i}`)).nodeId);
      expect(await f.swarms.swarmCount()).to.equal(4n);
      const swarmId = inboxToSwarm(id, 4);
      expect(swarmId).to.equal(3);
      const before = await pools(f);
      const fee = await messageFee(f, 100);
      await expect(send(f, a, id, bytes(100))).to.emit(f.bridge, "MessageSent").withArgs(id, swarmId, a.address, 0, (m: string) => m.length === 66, (c: string) => c.length === 202, fee);
      expect(await f.bridge.pendingFees(swarmId)).to.equal(fee);
      await f.bridge.flushFees(swarmId);
      await expectFeeIn(f, before, swarmId, fee);
    });
  });
});
