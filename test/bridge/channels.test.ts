/**
 * The channel price curve: a channel costs the storage-scaled base fee while fewer than
 * maxChannels × channelSurgeFromBps / 10,000 slots are taken, then doubles every
 * ceil(priced slots / channelDoublings) slots, linear between powers of two. Quotes, charges and the
 * TS mirror agree to the wei; governance moves the curve only inside its bounds.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  CREATE_FEE,
  DEFAULT_CHANNEL_PRICING,
  DEFAULT_SESSION_TTL,
  channelFillCost,
  channelPriceAt,
  readChannelPricing,
  readUtilisation,
  type ChannelPricing,
} from "../../src/sessions";
import { bridgeState, deployBridgeSuite, keyOf, openSession, type BridgeSuite } from "./fixture";
import { propertyRuns } from "../helpers/coverage";

const CREATE = "createSession(address[],bytes[],bytes32)";
const CREATE_VM = "createSession(address[])";
const b32 = (name: string) => ethers.encodeBytes32String(name);

/** A small pool whose curve is quick to climb: 40 slots, base fee for 20, a doubling every 2 slots. */
async function smallPool() {
  const f = await loadFixture(deployBridgeSuite);
  await f.bridge.connect(f.admin).setMaxChannels(40);
  await f.bridge.connect(f.admin).setChannelPricing(5_000, 10);
  return f;
}
const SMALL: ChannelPricing = { maxChannels: 40, surgeFromBps: 5_000, doublings: 10 };

/** Opens a three-party channel from users[0] paying exactly `quoteCreateChannel()`; returns the fee charged. */
async function openChannel(f: BridgeSuite): Promise<bigint> {
  const [a, b, c] = f.users;
  const quote = await f.bridge.quoteCreateChannel();
  const opened = await openSession(f, a, [a, b, c], { value: quote });
  const created = opened.receipt.logs.map((l) => f.bridge.interface.parseLog(l)).find((p) => p?.name === "SessionCreated")!;
  expect(created.args.fee).to.equal(quote);
  return quote;
}

describe("SessionBridge channel pricing", () => {
  it("defaults: the base fee for the first half of the pool, then a doubling every 25 slots up to 1,027.60448 PARS for the last", async () => {
    const f = await loadFixture(deployBridgeSuite);
    expect(await readChannelPricing(f.bridge)).to.deep.equal({ maxChannels: 1_000n, surgeFromBps: 5_000n, doublings: 20n });
    const u = await readUtilisation(f.swarms);
    const at = (k: number) => f.bridge.channelPriceAt(k);
    expect(await at(0)).to.equal(CREATE_FEE);
    expect(await at(499)).to.equal(CREATE_FEE);
    expect(await at(500)).to.equal(CREATE_FEE); // continuous at the knee
    expect(await at(501)).to.equal((CREATE_FEE * 26n) / 25n);
    expect(await at(524)).to.equal((CREATE_FEE * 49n) / 25n);
    expect(await at(525)).to.equal(2n * CREATE_FEE); // continuous at each power of two
    expect(await at(750)).to.equal(1024n * CREATE_FEE);
    expect(await at(999)).to.equal(ethers.parseEther("1027.60448"));
    await expect(at(1_000)).to.be.revertedWithCustomError(f.bridge, "TooManyChannels").withArgs(1_000, 1_000);
    // Never falling, and the sum is the stated cost of holding the whole pool for a TTL.
    let previous = 0n;
    for (let k = 0; k < 1_000; k++) {
      const p = channelPriceAt(k, DEFAULT_CHANNEL_PRICING, u);
      expect(p >= previous, `slot ${k}`).to.equal(true);
      previous = p;
    }
    expect(channelFillCost(DEFAULT_CHANNEL_PRICING, u)).to.equal(ethers.parseEther("38797.775"));
    // The quote of an empty pool, and two-party sessions, are the base fee.
    expect(await f.bridge.quoteCreateChannel()).to.equal(CREATE_FEE);
    expect(await f.bridge.quoteCreateSession()).to.equal(CREATE_FEE);
  });

  it("charges each channel the quote of the slots taken, to the wei of the TS mirror, until the pool is full", async () => {
    const f = await smallPool();
    const u = await readUtilisation(f.swarms);
    const [a, b, c] = f.users;
    let total = 0n;
    for (let k = 0; k < 40; k++) {
      expect(await f.bridge.channelSlotsUsed()).to.equal(BigInt(k));
      const fee = await openChannel(f);
      expect(fee, `slot ${k}`).to.equal(channelPriceAt(k, SMALL, u));
      total += fee;
      // Two-party sessions neither pay the surge nor take a slot.
      if (k === 30) {
        expect(await f.bridge.quoteCreateSession()).to.equal(CREATE_FEE);
        await openSession(f, a, [a, b], { value: CREATE_FEE });
      }
    }
    expect(total).to.equal(channelFillCost(SMALL, u));
    // 20 slots at the base fee, then 10 doublings of 2 slots (1 + 3/2 = 5/2 × 2^q each): 20 + 5/2 × (2^10 − 1) base fees.
    expect(total).to.equal(20n * CREATE_FEE + (5n * 1023n * CREATE_FEE) / 2n);
    await expect(f.bridge.quoteCreateChannel()).to.be.revertedWithCustomError(f.bridge, "TooManyChannels").withArgs(40, 40);
    await expect(f.bridge.connect(a)[CREATE_VM]([a.address, b.address, c.address], { value: ethers.parseEther("10") }))
      .to.be.revertedWithCustomError(f.bridge, "TooManyChannels")
      .withArgs(40, 40);
  });

  it("refuses one wei less than the channel quote, refunds any excess, and multiplies by the storage multiplier", async () => {
    const f = await smallPool();
    const [a, b, c] = f.users;
    for (let k = 0; k < 30; k++) await openChannel(f);
    const quote = await f.bridge.quoteCreateChannel();
    expect(quote).to.equal(channelPriceAt(30, SMALL, await readUtilisation(f.swarms)));
    expect(quote).to.equal(32n * CREATE_FEE); // 2^5 base fees
    const addrs = [a.address, b.address, c.address];
    const keys = [keyOf(a), keyOf(b), keyOf(c)];
    const before = await bridgeState(f);
    await expect(f.bridge.connect(a)[CREATE](addrs, keys, ethers.id("short"), { value: quote - 1n }))
      .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
      .withArgs(quote - 1n, quote);
    await expect(f.bridge.connect(a)[CREATE](addrs, keys, ethers.id("base fee"), { value: CREATE_FEE }))
      .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
      .withArgs(CREATE_FEE, quote);
    expect(await bridgeState(f)).to.deep.equal(before);
    await expect(f.bridge.connect(a)[CREATE](addrs, keys, ethers.id("overpaid"), { value: quote * 3n })).to.changeEtherBalances([a, f.bridge], [-quote, quote]);

    // At 85%..95% storage utilisation the multiplier is ×10, for channels as for everything else.
    await f.swarms.connect(f.reporter).reportStorageUsed(f.nodeIds[0], ((await f.swarms.storageCapacity()) * 90n) / 100n);
    const u = await readUtilisation(f.swarms);
    expect(await f.bridge.feeMultiplier()).to.equal(10n);
    expect(await f.bridge.quoteCreateChannel()).to.equal(channelPriceAt(31, SMALL, u));
    expect(await f.bridge.quoteCreateChannel()).to.equal(10n * channelPriceAt(31, SMALL, { storageUsed: 0n, storageCapacity: 0n }));
    expect(await openChannel(f)).to.equal(channelPriceAt(31, SMALL, u));
  });

  it("prices a channel after releasing up to four expired channels at the front; releasing the rest brings the price down", async () => {
    const f = await smallPool();
    for (let k = 0; k < 36; k++) await openChannel(f);
    await time.increase(DEFAULT_SESSION_TTL);
    // 36 expired: a creation would release 4 and pay the price of slot 32.
    expect(await f.bridge.quoteCreateChannel()).to.equal(await f.bridge.channelPriceAt(32));
    const fee = await openChannel(f);
    expect(fee).to.equal(await f.bridge.channelPriceAt(32));
    expect(await f.bridge.channelSlotsUsed()).to.equal(33n);
    // Anyone releases the 32 still expired; the next channel is priced at the one open channel.
    await expect(f.bridge.connect(f.users[5]).releaseExpiredChannels(100)).to.emit(f.bridge, "ChannelReleased").withArgs(36n);
    expect(await f.bridge.channelSlotsUsed()).to.equal(1n);
    expect(await f.bridge.quoteCreateChannel()).to.equal(CREATE_FEE);
  });

  it("matches the TS mirror for random pools, curves, utilisations and occupancies, without overflow at the bounds", async () => {
    const f = await loadFixture(deployBridgeSuite);
    const capacity = await f.swarms.storageCapacity();
    const admin = f.bridge.connect(f.admin);
    const check = async (p: ChannelPricing, usedPct: bigint, taken: bigint) => {
      await admin.setMaxChannels(p.maxChannels);
      await admin.setChannelPricing(p.surgeFromBps, p.doublings);
      await f.swarms.connect(f.reporter).reportStorageUsed(f.nodeIds[0], (capacity * usedPct) / 100n);
      const u = await readUtilisation(f.swarms);
      expect(await f.bridge.channelPriceAt(taken), `${JSON.stringify(p)} at ${taken}`).to.equal(channelPriceAt(taken, p, u));
    };
    // The steepest curve at the largest pool and the top multiplier: the last slot still has a price.
    await check({ maxChannels: 100_000, surgeFromBps: 0, doublings: 64 }, 100n, 99_999n);
    await check({ maxChannels: 1, surgeFromBps: 9_000, doublings: 10 }, 0n, 0n);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 9_000 }),
        fc.integer({ min: 10, max: 64 }),
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        async (max, bps, doublings, usedPct, at) => {
          await check({ maxChannels: max, surgeFromBps: bps, doublings }, BigInt(usedPct), BigInt(Math.floor(at * max)));
        },
      ),
      { numRuns: propertyRuns(40) },
    );
  });

  it("governance sets the curve within its bounds, by name, and only the admin", async () => {
    const f = await loadFixture(deployBridgeSuite);
    const admin = f.bridge.connect(f.admin);
    const before = [...(await f.bridge.channelPricing())];
    const max = await f.bridge.MAX_CHANNEL_SURGE_FROM_BPS();
    const [minD, maxD] = [await f.bridge.MIN_CHANNEL_DOUBLINGS(), await f.bridge.MAX_CHANNEL_DOUBLINGS()];
    expect([max, minD, maxD]).to.deep.equal([9_000n, 10n, 64n]);
    await expect(admin.setChannelPricing(max + 1n, 20)).to.be.revertedWithCustomError(f.bridge, "InvalidParameter").withArgs(b32("channelSurgeFromBps"), max + 1n);
    for (const d of [minD - 1n, maxD + 1n, 0n]) {
      await expect(admin.setChannelPricing(5_000, d)).to.be.revertedWithCustomError(f.bridge, "InvalidParameter").withArgs(b32("channelDoublings"), d);
    }
    await expect(f.bridge.connect(f.users[0]).setChannelPricing(5_000, 20))
      .to.be.revertedWithCustomError(f.bridge, "AccessControlUnauthorizedAccount")
      .withArgs(f.users[0].address, await f.bridge.DEFAULT_ADMIN_ROLE());
    expect([...(await f.bridge.channelPricing())]).to.deep.equal(before);
    for (const [bps, d] of [
      [max, minD],
      [0n, maxD],
    ]) {
      const tx = admin.setChannelPricing(bps, d);
      await expect(tx).to.emit(f.bridge, "ParameterChanged").withArgs(b32("channelSurgeFromBps"), bps);
      await expect(tx).to.emit(f.bridge, "ParameterChanged").withArgs(b32("channelDoublings"), d);
      expect([...(await f.bridge.channelPricing())]).to.deep.equal([bps, d]);
    }
  });
});
