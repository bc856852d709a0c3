import { expect } from "chai";
import { sweepSize } from "../helpers/coverage";
import { CLAIM_THRESHOLD, elapse, freshWorld, releaseSystemFixture, runCampaign, settleEverything, systemFixture } from "./harness";

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
    console.log(`      partial claims ${stats.partialClaims}x; claim cycles waited in settlements ${stats.cyclesWaited}; largest rounding dust left ${stats.rewardsDust} wei`);
    console.log(`      no profit from faults checked on ${stats.honestNodes} honest and ${stats.faultyNodes} faulty nodes, ${stats.culprits} culprits`);
    expect(stats.sequences).to.equal(runs);
    expect(stats.steps, "enough commands ran").to.be.greaterThan(runs * 10);
  });

  /**
   * Emission far beyond the pool: the pool runs dry, and the claims that settle it all are each above
   * the per-cycle limit. Every update books the whole amount it spreads, so every claim is payable to
   * the wei (no one has to fund a shortfall), and claims above the limit are paid in parts over cycles
   * (no one has to raise the limit).
   */
  it("pays every claim after the emission pool is exhausted, in parts over claim cycles, without governance", async function () {
    this.timeout(120_000);
    const w = await freshWorld(await systemFixture());
    await elapse(w, 31n * 24n * 3600n); // emission far beyond the 20,000 PARS funded
    await settleEverything(w); // everyone exits, withdraws and claims, all while paused
    expect(w.stats.partialClaims, "claims above the limit paid in part").to.be.greaterThan(0);
    expect(w.stats.cyclesWaited, "cycles waited for the allowance").to.be.greaterThan(0);
    expect(await w.f.rewards.claimThreshold(), "the limit was never raised").to.equal(CLAIM_THRESHOLD);
  });
});
