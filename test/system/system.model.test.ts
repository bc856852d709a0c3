import { expect } from "chai";
import { runCampaign } from "./harness";

/**
 * The whole network against one reference model (see ./harness.ts for the commands and the
 * invariants): a short campaign with a fixed seed. The long one is `npm run fuzz`.
 */
describe("The Pars network against the system model (short campaign)", () => {
  it("keeps every invariant over random sequences of every user action, time jump and pause", async function () {
    this.timeout(300_000);
    const seed = Number(process.env.SYSTEM_SEED ?? 20261121);
    const runs = Number(process.env.SYSTEM_RUNS ?? 4);
    const started = Date.now();
    const stats = await runCampaign({ runs, seed, maxCommands: 40 });
    console.log(`      ${stats.sequences} sequences, ${stats.steps} commands (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`      ${stats.summary()}`);
    console.log(`      claim limit raised by governance ${stats.raisedClaimLimit}x; largest rewards shortfall ${stats.rewardsShortfall} wei; claims failed for it ${stats.insolventClaims}x`);
    expect(stats.sequences).to.equal(runs);
    expect(stats.steps, "enough commands ran").to.be.greaterThan(runs * 10);
  });
});
