import { expect } from "chai";
import { sweepSize } from "../helpers/coverage";
import { elapse, freshWorld, releaseSystemFixture, runCampaign, settleEverything, systemFixture } from "./harness";

/**
 * The whole network against one reference model (see ./harness.ts for the commands and the
 * invariants): a short campaign with a fixed seed. The long one is `npm run fuzz`.
 */
describe("The Pars network against the system model (short campaign)", () => {
  after(releaseSystemFixture);

  it("keeps every invariant over random sequences of every user action, time jump and pause", async function () {
    this.timeout(300_000);
    const seed = Number(process.env.SYSTEM_SEED ?? 20261121);
    const runs = Number(process.env.SYSTEM_RUNS ?? sweepSize(12, 6));
    const started = Date.now();
    const stats = await runCampaign({ runs, seed, maxCommands: 40 });
    console.log(`      ${stats.sequences} sequences, ${stats.steps} commands (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`      ${stats.summary()}`);
    console.log(`      claim limit raised by governance ${stats.raisedClaimLimit}x; largest rewards shortfall ${stats.rewardsShortfall} wei; claims failed for it ${stats.insolventClaims}x`);
    expect(stats.sequences).to.equal(runs);
    expect(stats.steps, "enough commands ran").to.be.greaterThan(runs * 10);
  });

  /**
   * Known defect of ServiceNodeRewards, pinned so that its fix is noticed (then drop this test and run
   * the campaign with SYSTEM_STRICT_SOLVENCY=1). `_updateEmission` books `perStake * totalStake / 1e36`
   * as allocated, but nodes are credited `floor(stake * Δaccumulator / 1e36)` per node over their own
   * settlement spans, so the credits can sum to a few wei more than was booked. While the pool has
   * unallocated emission that is covered; once emission has exhausted the pool, the contract owes more
   * than it holds and the last claim reverts with TransferFailed, for its whole amount, until someone
   * funds the difference. Booking the full `due` as allocated (and the full 80% in `depositFees`) would
   * keep every credit covered.
   */
  it("known defect: after the emission pool is exhausted, the last claim fails for a few wei of rounding until the difference is funded", async function () {
    this.timeout(120_000);
    const w = await freshWorld(await systemFixture());
    await elapse(w, 31n * 24n * 3600n); // emission far beyond the 20,000 PARS funded
    await settleEverything(w); // everyone exits, withdraws and claims, all while paused
    expect(w.stats.insolventClaims, "claims that reverted with TransferFailed").to.equal(1);
    expect(w.stats.rewardsShortfall > 0n && w.stats.rewardsShortfall <= w.m.rewards.roundings, "a shortfall of a few wei").to.equal(true);
  });
});
