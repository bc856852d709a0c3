/**
 * Cornering the shared channel pool (DESIGN §12.6). Channels (sessions of more than two participants)
 * share one pool of maxChannels slots for a TTL each. Sybils are free, so a per-creator cap would not
 * help; the defence is the price: a channel costs the base fee while fewer than half the slots are
 * taken, then its price doubles every 25 slots (20 doublings to a full pool, at the defaults), and an
 * attacker pays every step of the curve it climbs.
 *
 * Before the defence, 1,000 throw-away channels cost 1,000 × 0.001 = 1 PARS in fees and blocked every
 * other creator with TooManyChannels(1000, 1000) for a day, repeatably. Each `it` replays the attack
 * on the priced pool and checks the outcome to the wei from the contract's own views and balances.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  CREATE_FEE,
  DEFAULT_CHANNEL_PRICING,
  DEFAULT_SESSION_TTL,
  channelFillCost,
  channelPriceAt,
  readChannelPricing,
  readUtilisation,
} from "../../src/sessions";
import { adversarialNet, balances, type AdversarialNet } from "./fixture";
import { itFullSize } from "../helpers/coverage";

const CREATE_VM = "createSession(address[])";
/** Two throw-away participants per channel: sybils cost nothing. */
const SYBILS = [ethers.getAddress(ethers.id("sybil 1").slice(0, 42)), ethers.getAddress(ethers.id("sybil 2").slice(0, 42))];

/** What the stated defaults make of the pool: the numbers docs/sessions.md and SECURITY.md give. */
const FILL_COST = ethers.parseEther("38797.775"); // 500 × 0.001 + 37 × (2^20 − 1) × 0.001 PARS
const LAST_SLOT = ethers.parseEther("1027.60448"); // 0.001 × 2^19 × 49 / 25 PARS
const OLD_FILL_COST = 1_000n * CREATE_FEE; // 1 PARS: the whole pool at the base fee

interface Spent {
  channels: number;
  fees: bigint;
  gas: bigint;
}

/** `creator` opens channels of itself and two sybils, each paying exactly `quoteCreateChannel()`, while `more(quote, spent)` says so. */
async function takeChannels(f: AdversarialNet, creator: HardhatEthersSigner, more: (quote: bigint, s: Spent) => boolean): Promise<Spent> {
  const s: Spent = { channels: 0, fees: 0n, gas: 0n };
  const participants = [creator.address, ...SYBILS];
  for (;;) {
    const quote = await f.bridge.quoteCreateChannel().catch(() => undefined);
    if (quote === undefined || !more(quote, s)) return s;
    const receipt = (await (await f.bridge.connect(creator)[CREATE_VM](participants, { value: quote })).wait()) as ContractTransactionReceipt;
    const created = receipt.logs.map((l) => f.bridge.interface.parseLog(l)).find((p) => p?.name === "SessionCreated")!;
    expect(created.args.fee).to.equal(quote); // charged exactly what the view quoted
    s.channels += 1;
    s.fees += quote;
    s.gas += receipt.gasUsed * receipt.gasPrice;
  }
}

/** A channel of three honest users, created at the quoted price. */
async function honestChannel(f: AdversarialNet, creator: HardhatEthersSigner, value: bigint) {
  return f.bridge.connect(creator)[CREATE_VM]([creator.address, f.others[8].address, f.others[9].address], { value });
}

describe("adversarial: cornering the channel pool (defence: channel price rising with occupancy, DESIGN §12.6)", () => {
  itFullSize("filling the pool for a day costs 38,797.775 PARS instead of 1 PARS, all of it booked for the serving swarm; the pool frees at expiry", async function () {
    this.timeout(600_000);
    const f = await loadFixture(adversarialNet);
    const attacker = f.others[6];
    const honest = f.others[7];
    const u = await readUtilisation(f.swarms);
    expect(await f.bridge.feeMultiplier()).to.equal(1n);
    const pricing = await readChannelPricing(f.bridge);
    expect(pricing).to.deep.equal({ maxChannels: 1_000n, surgeFromBps: 5_000n, doublings: 20n });

    // The curve, from the contract's own view, is the TS mirror's, and sums to the stated cost.
    let curve = 0n;
    for (let k = 0; k < 1_000; k++) {
      const p = await f.bridge.channelPriceAt(k);
      expect(p).to.equal(channelPriceAt(k, pricing, u));
      curve += p;
    }
    expect(curve).to.equal(FILL_COST);
    expect(channelFillCost(DEFAULT_CHANNEL_PRICING, u)).to.equal(FILL_COST);
    expect(await f.bridge.channelPriceAt(499)).to.equal(CREATE_FEE);
    expect(await f.bridge.channelPriceAt(999)).to.equal(LAST_SLOT);
    expect(FILL_COST / OLD_FILL_COST).to.equal(38_797n); // the same attack now costs 38,797× the old one
    await expect(f.bridge.channelPriceAt(1_000)).to.be.revertedWithCustomError(f.bridge, "TooManyChannels").withArgs(1_000, 1_000);

    // The attack: one account takes every slot, paying each quote exactly.
    const [attackerBefore, bridgeBefore] = await balances(attacker, f.bridge);
    const pendingBefore = await f.bridge.pendingFees(0);
    const spent = await takeChannels(f, attacker, () => true);
    expect(spent.channels).to.equal(1_000);
    expect(spent.fees).to.equal(FILL_COST);
    const [attackerAfter, bridgeAfter] = await balances(attacker, f.bridge);
    expect(attackerBefore - attackerAfter).to.equal(FILL_COST + spent.gas);
    expect(bridgeAfter - bridgeBefore).to.equal(FILL_COST);
    expect(await f.swarms.swarmCount()).to.equal(1n); // one swarm serves every session id
    expect((await f.bridge.pendingFees(0)) - pendingBefore).to.equal(FILL_COST);
    expect(await f.bridge.channelSlotsUsed()).to.equal(1_000n);

    // For the day it paid for, the pool is the attacker's: a channel has no price, two-party sessions are unaffected.
    await expect(f.bridge.quoteCreateChannel()).to.be.revertedWithCustomError(f.bridge, "TooManyChannels").withArgs(1_000, 1_000);
    await expect(honestChannel(f, honest, LAST_SLOT * 2n))
      .to.be.revertedWithCustomError(f.bridge, "TooManyChannels")
      .withArgs(1_000, 1_000);
    const pairFee = await f.bridge.quoteCreateSession();
    expect(pairFee).to.equal(CREATE_FEE);
    await expect(f.bridge.connect(honest)[CREATE_VM]([honest.address, f.others[8].address], { value: pairFee })).to.emit(f.bridge, "SessionCreated");

    // At expiry the slots are free again; a creation releases four at the front, anyone may release the rest.
    await time.increase(DEFAULT_SESSION_TTL);
    expect(await f.bridge.quoteCreateChannel()).to.equal(await f.bridge.channelPriceAt(996));
    for (let i = 0; i < 10; i++) await (await f.bridge.connect(honest).releaseExpiredChannels(100)).wait();
    expect(await f.bridge.channelSlotsUsed()).to.equal(0n);
    expect(await f.bridge.quoteCreateChannel()).to.equal(CREATE_FEE);
    await expect(honestChannel(f, honest, CREATE_FEE)).to.emit(f.bridge, "SessionCreated");

    // Every fee is accounted for: the bridge holds exactly what is pending, and flushing pays all of it
    // into the swarm's pool (80% nodes, 20% treasury), leaving nothing behind.
    const pending = await f.bridge.pendingFees(0);
    expect(pending).to.equal(pendingBefore + FILL_COST + 2n * CREATE_FEE);
    expect(await ethers.provider.getBalance(await f.bridge.getAddress())).to.equal(pending);
    const [rewardsBefore] = await balances(f.rewards);
    const treasuryBefore = await f.rewards.treasuryOwed();
    const flush = f.bridge.flushFees(0);
    await expect(flush).to.emit(f.bridge, "FeesFlushed").withArgs(0, pending);
    const receipt = (await (await flush).wait())!;
    const deposited = receipt.logs.map((l) => f.rewards.interface.parseLog(l)).find((p) => p?.name === "FeesDeposited")!;
    expect(deposited.args.toSwarm + deposited.args.toTreasury).to.equal(pending);
    expect((await f.rewards.treasuryOwed()) - treasuryBefore).to.equal(deposited.args.toTreasury);
    const [rewardsAfter] = await balances(f.rewards);
    expect(rewardsAfter - rewardsBefore).to.equal(pending);
    expect(await ethers.provider.getBalance(await f.bridge.getAddress())).to.equal(0n);
  });

  // 596 channels: like the whole-pool test, a full-size run skipped under coverage (the plain run has it).
  itFullSize("the old attack's budget (1 PARS) takes 596 of 1,000 slots, and an honest creator still gets a channel for 0.01472 PARS", async function () {
    this.timeout(600_000);
    const f = await loadFixture(adversarialNet);
    const attacker = f.others[6];
    const honest = f.others[7];
    const budget = OLD_FILL_COST;

    // Slots 0..499 at 0.001; then 25 slots per doubling: 0.037, 0.074, 0.148 PARS; then 21 slots of the
    // fourth doubling (0.2352 PARS) before the next one would pass the budget.
    const spent = await takeChannels(f, attacker, (quote, s) => s.fees + quote <= budget);
    expect(spent.channels).to.equal(596);
    expect(spent.fees).to.equal(ethers.parseEther("0.9942"));
    expect(await f.bridge.channelSlotsUsed()).to.equal(596n);

    // The honest creator pays the quoted price of slot 596 (2^3 × 46/25 base fees) and gets its channel.
    const quote = await f.bridge.quoteCreateChannel();
    expect(quote).to.equal(ethers.parseEther("0.01472"));
    expect(quote).to.equal(await f.bridge.channelPriceAt(596));
    await expect(honestChannel(f, honest, quote - 1n))
      .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
      .withArgs(quote - 1n, quote);
    const [before] = await balances(honest);
    const tx = await honestChannel(f, honest, quote + ethers.parseEther("1")); // overpaid: the excess comes back
    const receipt = (await tx.wait())!;
    await expect(tx).to.emit(f.bridge, "SessionCreated");
    const [after] = await balances(honest);
    expect(before - after).to.equal(quote + receipt.gasUsed * receipt.gasPrice);
    expect(await f.bridge.channelSlotsUsed()).to.equal(597n);
    // 403 slots remain; the attacker's 1 PARS bought 96 slots beyond the base-fee half of the pool.
    expect((await f.bridge.maxChannels()) - (await f.bridge.channelSlotsUsed())).to.equal(403n);
  });
});
