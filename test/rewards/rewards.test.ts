import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  EMISSION_BASE,
  REQUIREMENT,
  buildRegistration,
  currentEpoch,
  deploySuite,
  nodeKeys,
  registerActive,
  type NodeKeys,
  type Suite,
} from "../helpers/suite";
import { operatorMinimum } from "../../src/registry";
import { NO_SWARM, RewardsCalculator, YEAR, cumulativeEmission } from "../../src/rewards";
import { propertyRuns } from "../helpers/coverage";

const HOUR = 3600;

interface Net extends Suite {
  nodes: { nodeId: bigint; keys: NodeKeys; operator: HardhatEthersSigner; contributor?: HardhatEthersSigner }[];
}

/** Six active nodes (one with a contributor and a 10% operator fee), emission started and funded. */
async function rewardsNetwork(): Promise<Net> {
  const s = await deploySuite();
  const nodes: Net["nodes"] = [];
  for (let i = 0; i < 5; i++) {
    const n = await registerActive(s, s.operators[i], `rw-${i}`);
    nodes.push({ ...n, operator: s.operators[i] });
  }
  // A shared node: the operator stakes 25%, a contributor the rest; operator fee 10%.
  const op = s.operators[5];
  const contributor = s.others[0];
  const keys = nodeKeys("rw-shared", await currentEpoch());
  const reg = await buildRegistration(s.registry, op.address, keys, { feeBps: 1000 });
  await s.registry.connect(op).register(reg, { value: operatorMinimum(REQUIREMENT) });
  const sharedId = await s.registry.lastNodeId();
  await s.registry.connect(contributor).contribute(sharedId, { value: REQUIREMENT - operatorMinimum(REQUIREMENT) });
  nodes.push({ nodeId: sharedId, keys, operator: op, contributor });
  await s.rewards.connect(s.admin).start();
  await s.rewards.connect(s.admin).fund({ value: ethers.parseEther("10000000") });
  return { ...s, nodes };
}

/** Keeps a RewardsCalculator in step with the chain: emission updates, stakes and swarms. */
class Mirror {
  readonly calc = new RewardsCalculator(EMISSION_BASE);
  constructor(private readonly s: Net) {}

  static async attach(s: Net): Promise<Mirror> {
    const m = new Mirror(s);
    m.calc.start(await s.rewards.startTime());
    m.calc.lastUpdate = await s.rewards.lastUpdate();
    m.calc.emissionFunded = await s.rewards.emissionFunded();
    m.calc.emissionPerStake = await s.rewards.emissionPerStake();
    m.calc.emissionAllocated = await s.rewards.emissionAllocated();
    m.calc.totalStake = await s.rewards.totalStake();
    m.calc.treasuryOwed = await s.rewards.treasuryOwed();
    m.calc.claimThreshold = await s.rewards.claimThreshold();
    m.calc.claimCycle = await s.rewards.claimCycle();
    m.calc.cycleStart = await s.rewards.cycleStart();
    m.calc.claimedInCycle = await s.rewards.claimedInCycle();
    const swarms = await s.swarms.swarmCount();
    for (let w = 0n; w < swarms; w++) {
      m.calc.swarmStake.set(w, await s.rewards.swarmStake(w));
      m.calc.feePerStake.set(w, await s.rewards.feePerStake(w));
    }
    const last = await s.registry.lastNodeId();
    for (let id = 1n; id <= last; id++) {
      const a = await s.rewards.nodeAccount(id);
      m.calc.accounts.set(id, {
        stake: a.stake,
        swarm: a.swarm,
        feeBps: a.feeBps,
        contributed: a.contributed,
        emissionCheckpoint: a.emissionCheckpoint,
        feeCheckpoint: a.feeCheckpoint,
        incomePerContribution: a.incomePerContribution,
        operatorAccrued: a.operatorAccrued,
      });
    }
    await m.sync();
    return m;
  }

  /** After a transaction at time `t`: mirror the contract's emission update, then every node's changes. */
  async sync(): Promise<void> {
    const t = BigInt(await time.latest());
    if ((await this.s.rewards.lastUpdate()) === t && this.calc.lastUpdate !== t) this.calc.update(t);
    const last = await this.s.registry.lastNodeId();
    for (let id = 1n; id <= last; id++) {
      const stake = await this.s.registry.effectiveStake(id);
      const swarmRaw = await this.s.swarms.swarmOf(id);
      const swarm = BigInt(swarmRaw) === NO_SWARM ? NO_SWARM : BigInt(swarmRaw);
      const a = this.calc.accounts.get(id);
      if (!a || (a.stake === 0n && stake !== 0n)) {
        if (stake === 0n) continue;
        const [, fee, total] = await this.s.registry.nodeTerms(id);
        this.calc.activate(id, swarm, stake, fee, total);
        continue;
      }
      if (a.swarm !== swarm) this.calc.move(id, swarm);
      if (a.stake !== stake) this.calc.setNodeStake(id, stake);
    }
  }

  async expectClaimable(): Promise<void> {
    const t = BigInt(await time.latest());
    for (const n of this.s.nodes) {
      for (const who of [n.operator, n.contributor].filter(Boolean) as HardhatEthersSigner[]) {
        const contribution = await this.s.registry.contributionOf(n.nodeId, who.address);
        const isOp = who.address === n.operator.address;
        expect(await this.s.rewards.claimable(n.nodeId, who.address)).to.equal(
          this.calc.claimable(t, n.nodeId, who.address, contribution, isOp),
          `claimable of node ${n.nodeId} for ${who.address}`,
        );
      }
    }
  }
}

describe("ServiceNodeRewards", () => {
  it("streams 8% / 6% / 4% a year of the emission base", async () => {
    const s = await loadFixture(rewardsNetwork);
    expect(await s.rewards.scheduledEmission(0, YEAR)).to.equal((EMISSION_BASE * 8n) / 100n);
    expect(await s.rewards.scheduledEmission(YEAR, 2n * YEAR)).to.equal((EMISSION_BASE * 6n) / 100n);
    expect(await s.rewards.scheduledEmission(2n * YEAR, 3n * YEAR)).to.equal((EMISSION_BASE * 4n) / 100n);
    expect(await s.rewards.scheduledEmission(YEAR - 10n, YEAR + 10n)).to.equal(
      cumulativeEmission(EMISSION_BASE, YEAR + 10n) - cumulativeEmission(EMISSION_BASE, YEAR - 10n),
    );
  });

  it("pays the operator fee first, then contributors pro rata, exactly as the calculator predicts", async () => {
    const s = await loadFixture(rewardsNetwork);
    const m = await Mirror.attach(s);
    await time.increase(10 * HOUR);
    await m.expectClaimable();
    const shared = s.nodes[5];
    const opContribution = await s.registry.contributionOf(shared.nodeId, shared.operator.address);
    const cContribution = await s.registry.contributionOf(shared.nodeId, shared.contributor!.address);

    const tx = await s.rewards.connect(shared.operator).claim(shared.nodeId);
    await m.sync();
    const opExpected = m.calc.claim(BigInt(await time.latest()), shared.nodeId, shared.operator.address, opContribution, true);
    await expect(tx).to.changeEtherBalance(shared.operator, opExpected);
    await expect(tx).to.emit(s.rewards, "RewardsClaimed").withArgs(shared.nodeId, shared.operator.address, opExpected);

    const tx2 = await s.rewards.connect(shared.contributor!).claim(shared.nodeId);
    await m.sync();
    const cExpected = m.calc.claim(BigInt(await time.latest()), shared.nodeId, shared.contributor!.address, cContribution, false);
    await expect(tx2).to.changeEtherBalance(shared.contributor!, cExpected);
    // The contributor holds 75% of the stake; the operator gets 10% off the top plus 25% of the rest.
    expect(cExpected).to.be.greaterThan(0n);
    const income = (opExpected + cExpected);
    expect(opExpected * 1000n / income).to.be.closeTo(100n + (900n * 25n) / 100n, 2n);
    await expect(s.rewards.connect(s.others[5]).claim(shared.nodeId))
      .to.be.revertedWithCustomError(s.rewards, "NothingToClaim")
      .withArgs(shared.nodeId, s.others[5].address);
  });

  it("sends 80% of fees to the serving swarm's nodes by stake and 20% to the treasury", async () => {
    const s = await loadFixture(rewardsNetwork);
    const m = await Mirror.attach(s);
    const swarm = await s.swarms.swarmOf(s.nodes[0].nodeId);
    const fee = ethers.parseEther("3");
    const before = await s.rewards.treasuryOwed();
    // The swarm is booked exactly 80% (rounded down), the treasury exactly the rest.
    await expect(s.rewards.connect(s.others[3]).depositFees(swarm, { value: fee + 3n }))
      .to.emit(s.rewards, "FeesDeposited")
      .withArgs(swarm, s.others[3].address, ((fee + 3n) * 8000n) / 10000n, fee + 3n - ((fee + 3n) * 8000n) / 10000n);
    m.calc.depositFees(BigInt(swarm), fee + 3n);
    await m.sync();
    const owed = await s.rewards.treasuryOwed();
    expect(owed - before).to.equal(m.calc.treasuryOwed);
    expect(owed - before).to.equal(fee / 5n + 1n);
    await m.expectClaimable();
    // Nodes of another swarm did not receive any of it.
    const other = s.nodes.find(async (n) => (await s.swarms.swarmOf(n.nodeId)) !== swarm);
    expect(other).to.not.equal(undefined);
    await expect(s.rewards.payTreasury()).to.changeEtherBalance(s.treasury, owed);
    await expect(s.rewards.depositFees(swarm, { value: 0 })).to.be.revertedWithCustomError(s.rewards, "ZeroAmount");
  });

  it("never allocates more emission than the pool holds", async () => {
    const s = await deploySuite();
    await registerActive(s, s.operators[0], "pool-0");
    await s.rewards.connect(s.admin).start();
    const small = ethers.parseEther("5");
    await s.rewards.connect(s.admin).fund({ value: small });
    await time.increase(30 * 24 * HOUR);
    expect(await s.rewards.claimable(1n, s.operators[0].address)).to.be.lessThanOrEqual(small);
    const tx = await s.rewards.connect(s.operators[0]).claim(1n);
    const paid = (await s.rewards.claimedInCycle());
    expect(paid).to.be.lessThanOrEqual(small);
    expect(small - paid).to.be.lessThan(10n); // rounding dust stays in the pool
    await expect(tx).to.changeEtherBalance(s.operators[0], paid);
    await time.increase(HOUR);
    expect(await s.rewards.claimable(1n, s.operators[0].address)).to.equal(0n);
  });

  it("limits claims contract-wide per cycle: a claim pays what the cycle has left and keeps the rest", async () => {
    const s = await loadFixture(rewardsNetwork);
    await time.increase(24 * HOUR);
    const [a, b] = s.nodes;
    const first = await s.rewards.claimable(a.nodeId, a.operator.address);
    // Room for the first claim and about half of the second in this cycle.
    const threshold = first + first / 2n + first / 10n;
    await s.rewards.connect(s.admin).setClaimThreshold(threshold);
    await s.rewards.connect(a.operator).claim(a.nodeId);
    const claimed = await s.rewards.claimedInCycle();
    expect(claimed).to.be.greaterThanOrEqual(first);
    const before = await s.rewards.claimable(b.nodeId, b.operator.address);
    const left = threshold - claimed;
    expect(before).to.be.greaterThan(left);
    const tx = s.rewards.connect(b.operator).claim(b.nodeId);
    await expect(tx).to.emit(s.rewards, "RewardsClaimed").withArgs(b.nodeId, b.operator.address, left);
    await expect(tx).to.changeEtherBalance(b.operator, left);
    expect(await s.rewards.claimedInCycle()).to.equal(threshold);
    // The rest stays claimable (plus what accrued since), and the exhausted cycle refuses more.
    expect(await s.rewards.claimable(b.nodeId, b.operator.address)).to.be.greaterThanOrEqual(before - left);
    await expect(s.rewards.connect(b.operator).claim(b.nodeId))
      .to.be.revertedWithCustomError(s.rewards, "ClaimLimitExceeded")
      .withArgs((v: bigint) => v >= before - left, 0n);
    await time.increase(12 * HOUR);
    await expect(s.rewards.connect(b.operator).claim(b.nodeId)).to.emit(s.rewards, "RewardsClaimed");
  });

  it("pays a claim bigger than the cycle limit in parts over cycles, exactly, never exceeding the limit", async () => {
    const s = await loadFixture(rewardsNetwork);
    const shared = s.nodes[5];
    // Accrual stops when the node leaves, so what is owed is fixed; the limit is a fraction of it.
    await time.increase(5 * 24 * HOUR);
    await s.registry.connect(shared.operator).requestExit(shared.nodeId);
    const m = await Mirror.attach(s);
    const people = [shared.contributor!, shared.operator];
    const owed = await Promise.all(people.map((p) => s.rewards.claimable(shared.nodeId, p.address)));
    const limit = owed[0] / 3n + 12345n;
    await s.rewards.connect(s.admin).setClaimThreshold(limit);
    m.calc.claimThreshold = limit;
    const cycle = Number(await s.rewards.claimCycle());
    for (const [i, who] of people.entries()) {
      const contribution = await s.registry.contributionOf(shared.nodeId, who.address);
      const isOp = who.address === shared.operator.address;
      let paid = 0n;
      let parts = 0;
      while ((await s.rewards.claimable(shared.nodeId, who.address)) !== 0n) {
        const left = m.calc.allowance(BigInt(await time.latest()) + 1n);
        if (left === 0n) {
          await time.increase(cycle);
          continue;
        }
        const tx = await s.rewards.connect(who).claim(shared.nodeId);
        const t = BigInt(await time.latest());
        const expected = m.calc.claim(t, shared.nodeId, who.address, contribution, isOp);
        await expect(tx).to.changeEtherBalance(who, expected);
        await expect(tx).to.emit(s.rewards, "RewardsClaimed").withArgs(shared.nodeId, who.address, expected);
        expect(expected).to.be.lessThanOrEqual(limit);
        expect(await s.rewards.claimedInCycle()).to.equal(m.calc.claimedInCycle).and.to.be.lessThanOrEqual(limit);
        expect(await s.rewards.claimable(shared.nodeId, who.address)).to.equal(
          m.calc.claimable(t, shared.nodeId, who.address, contribution, isOp),
        );
        paid += expected;
        parts++;
        expect(parts, "bounded by the number of cycles the amount needs").to.be.lessThan(8);
      }
      // Paid in full, to the wei, over several cycles.
      expect(paid).to.equal(owed[i]);
      if (i === 0) expect(parts).to.be.greaterThanOrEqual(3);
    }
  });

  it("refuses a claim by name and changes nothing when nothing is left of the cycle's allowance", async () => {
    const s = await loadFixture(rewardsNetwork);
    await time.increase(24 * HOUR);
    const [a, b] = s.nodes;
    const first = await s.rewards.claimable(a.nodeId, a.operator.address);
    await s.rewards.connect(s.admin).setClaimThreshold(first / 2n);
    await s.rewards.connect(a.operator).claim(a.nodeId); // pays half of it, uses up the cycle
    expect(await s.rewards.claimedInCycle()).to.equal(first / 2n);
    const state = async () => [
      await s.rewards.claimedInCycle(),
      await s.rewards.cycleStart(),
      await s.rewards.claimable(a.nodeId, a.operator.address),
      await s.rewards.claimable(b.nodeId, b.operator.address),
      await s.rewards.nodeAccount(b.nodeId),
      await ethers.provider.getBalance(await s.rewards.getAddress()),
    ];
    await time.setNextBlockTimestamp((await time.latest()) + 60);
    const before = await state();
    for (const n of [a, b]) {
      await expect(s.rewards.connect(n.operator).claim(n.nodeId))
        .to.be.revertedWithCustomError(s.rewards, "ClaimLimitExceeded")
        .withArgs((v: bigint) => v > 0n, 0n);
    }
    // Lowering the limit below what the cycle already paid refuses by name as well.
    await s.rewards.connect(s.admin).setClaimThreshold(first / 4n);
    await expect(s.rewards.connect(b.operator).claim(b.nodeId))
      .to.be.revertedWithCustomError(s.rewards, "ClaimLimitExceeded")
      .withArgs((v: bigint) => v > 0n, 0n);
    await s.rewards.connect(s.admin).setClaimThreshold(first / 2n);
    // Nothing changed but the time (claimable grows with emission only).
    const after = await state();
    expect(after[0]).to.equal(before[0]);
    expect(after[1]).to.equal(before[1]);
    expect(after[4]).to.deep.equal(before[4]);
    expect(after[5]).to.equal(before[5]);
    expect(after[2]).to.be.greaterThanOrEqual(before[2] as bigint);
  });

  it("stops accruing when a node leaves, and keeps what it accrued claimable after withdrawal", async () => {
    const s = await loadFixture(rewardsNetwork);
    const n = s.nodes[0];
    await time.increase(3 * HOUR);
    await s.registry.connect(n.operator).requestExit(n.nodeId);
    const accrued = await s.rewards.claimable(n.nodeId, n.operator.address);
    expect(accrued).to.be.greaterThan(0n);
    await time.increase(31 * 24 * HOUR);
    expect(await s.rewards.claimable(n.nodeId, n.operator.address)).to.equal(accrued);
    await s.registry.connect(n.operator).withdraw(n.nodeId);
    await expect(s.rewards.connect(n.operator).claim(n.nodeId)).to.changeEtherBalance(n.operator, accrued);
  });

  it("accepts hooks only from the registry and the coordinator, and governance only from the admin", async () => {
    const s = await loadFixture(rewardsNetwork);
    const x = s.others[4];
    await expect(s.rewards.connect(x).onNodeActivated(1n, 1n)).to.be.revertedWithCustomError(s.rewards, "UnauthorizedCaller").withArgs(x.address);
    await expect(s.rewards.connect(x).onNodeStakeChanged(1n, 1n)).to.be.revertedWithCustomError(s.rewards, "UnauthorizedCaller");
    await expect(s.rewards.connect(x).onNodeDeactivated(1n)).to.be.revertedWithCustomError(s.rewards, "UnauthorizedCaller");
    await expect(s.rewards.connect(x).onSwarmMove(1n, 0, 1)).to.be.revertedWithCustomError(s.rewards, "UnauthorizedCaller");
    await expect(s.rewards.connect(s.admin).start()).to.be.revertedWithCustomError(s.rewards, "AlreadyStarted");
    for (const call of [
      () => s.rewards.connect(x).start(),
      () => s.rewards.connect(x).setEmissionBase(1n),
      () => s.rewards.connect(x).setClaimThreshold(1n),
      () => s.rewards.connect(x).setClaimCycle(1n),
      () => s.rewards.connect(x).setTreasury(x.address),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(s.rewards, "AccessControlUnauthorizedAccount");
    }
    await expect(s.rewards.connect(s.admin).setClaimThreshold(0n)).to.be.revertedWithCustomError(s.rewards, "InvalidParameter");
    await expect(s.rewards.connect(s.admin).setClaimCycle(31n * 24n * 3600n)).to.be.revertedWithCustomError(s.rewards, "InvalidParameter");
    await expect(s.rewards.connect(s.admin).fund({ value: 0 })).to.be.revertedWithCustomError(s.rewards, "ZeroAmount");
  });

  it("matches the reference calculator to the wei over random stakes, fees, penalties, exits and claims (property)", async () => {
    const base = await loadFixture(rewardsNetwork);
    type Action =
      | { kind: "wait"; hours: number }
      | { kind: "fees"; node: number; amount: bigint }
      | { kind: "claim"; node: number; contributor: boolean }
      | { kind: "heartbeat"; node: number }
      | { kind: "penalize"; node: number }
      | { kind: "exit"; node: number }
      | { kind: "fund"; amount: bigint }
      | { kind: "limit"; amount: bigint };
    const node = fc.integer({ min: 0, max: 5 });
    const action: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ kind: fc.constant("wait" as const), hours: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant("fees" as const), node, amount: fc.bigInt({ min: 1n, max: 10n ** 19n }) }),
      fc.record({ kind: fc.constant("claim" as const), node, contributor: fc.boolean() }),
      fc.record({ kind: fc.constant("heartbeat" as const), node }),
      fc.record({ kind: fc.constant("penalize" as const), node }),
      fc.record({ kind: fc.constant("exit" as const), node }),
      fc.record({ kind: fc.constant("fund" as const), amount: fc.bigInt({ min: 1n, max: 10n ** 21n }) }),
      // A claim limit per cycle that partial claims run into (or a large one).
      fc.record({ kind: fc.constant("limit" as const), amount: fc.bigInt({ min: 10n ** 15n, max: 10n ** 19n }) }),
    );
    const funded0 = await base.rewards.emissionFunded();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 4, maxLength: 14 }), async (actions) => {
        const snap = await ethers.provider.send("evm_snapshot", []);
        try {
          const s = base;
          const m = await Mirror.attach(s);
          let fees = 0n;
          let claimedTotal = 0n;
          let funded = funded0;
          for (const a of actions) {
            if (a.kind === "wait") {
              await time.increase(a.hours * HOUR);
              continue;
            }
            if (a.kind === "limit") {
              await s.rewards.connect(s.admin).setClaimThreshold(a.amount);
              m.calc.claimThreshold = a.amount;
              continue;
            }
            if (a.kind === "fund") {
              await s.rewards.fund({ value: a.amount });
              m.calc.fund(BigInt(await time.latest()), a.amount);
              funded += a.amount;
              await m.sync();
              continue;
            }
            const n = s.nodes[a.node];
            if (a.kind === "fees") {
              const swarm = await s.swarms.swarmOf(n.nodeId);
              if (BigInt(swarm) === NO_SWARM) continue;
              await s.rewards.depositFees(swarm, { value: a.amount });
              m.calc.depositFees(BigInt(swarm), a.amount);
              fees += a.amount;
            } else if (a.kind === "claim") {
              const who = a.contributor && n.contributor ? n.contributor : n.operator;
              const contribution = await s.registry.contributionOf(n.nodeId, who.address);
              const isOp = who.address === n.operator.address;
              const expected = await s.rewards.claimable(n.nodeId, who.address);
              if (expected === 0n) continue;
              const t = BigInt(await time.latest()) + 1n;
              if (m.calc.allowance(t) === 0n) {
                // Nothing left in the cycle: refused by name, nothing changes.
                await expect(s.rewards.connect(who).claim(n.nodeId)).to.be.revertedWithCustomError(s.rewards, "ClaimLimitExceeded");
                expect(m.calc.claim(BigInt(await time.latest()), n.nodeId, who.address, contribution, isOp)).to.equal(0n);
                await m.sync();
                await m.expectClaimable();
                continue;
              }
              const before = await ethers.provider.getBalance(who.address);
              const r = await (await s.rewards.connect(who).claim(n.nodeId)).wait();
              await m.sync();
              const owed = m.calc.claimable(BigInt(await time.latest()), n.nodeId, who.address, contribution, isOp);
              const paid = m.calc.claim(BigInt(await time.latest()), n.nodeId, who.address, contribution, isOp);
              claimedTotal += paid;
              const after = await ethers.provider.getBalance(who.address);
              // The claim lands a block after the `claimable` read; the calculator follows the chain.
              expect(after - before + r!.gasUsed * r!.gasPrice).to.equal(paid);
              // All that is owed, or all that the cycle had left (the rest stays owed).
              expect(paid === owed || (await s.rewards.claimedInCycle()) === (await s.rewards.claimThreshold())).to.equal(true);
              expect(await s.rewards.claimedInCycle()).to.equal(m.calc.claimedInCycle);
              // A claim never takes the cycle past the limit (governance may lower it below the cycle's total).
              expect(await s.rewards.claimedInCycle()).to.be.lessThanOrEqual(await s.rewards.claimThreshold());
              await m.expectClaimable();
              continue;
            } else if (a.kind === "heartbeat") {
              const info = await s.registry.getNode(n.nodeId);
              const e = await currentEpoch();
              if (info.status !== 2n || Number(info.lastHeartbeatEpoch) === e || e - Number(info.lastHeartbeatEpoch) > 64) continue;
              await s.registry.heartbeat(n.nodeId, n.keys.chain.valueForEpoch(e));
            } else if (a.kind === "penalize") {
              const info = await s.registry.getNode(n.nodeId);
              if (info.status !== 2n || Number(info.penalizedThroughEpoch) >= (await currentEpoch()) - 1) continue;
              await s.registry.penalize(n.nodeId);
            } else if (a.kind === "exit") {
              const info = await s.registry.getNode(n.nodeId);
              if (info.status !== 2n || BigInt(await time.latest()) < info.activatedAt + 7200n) continue;
              await s.registry.connect(n.operator).requestExit(n.nodeId);
            }
            await m.sync();
            await m.expectClaimable();
          }
          // Solvency: the pool covers everything owed; nothing paid beyond what came in.
          const balance = await ethers.provider.getBalance(await s.rewards.getAddress());
          let owed = await s.rewards.treasuryOwed();
          for (const n of s.nodes) {
            owed += await s.rewards.claimable(n.nodeId, n.operator.address);
            if (n.contributor) owed += await s.rewards.claimable(n.nodeId, n.contributor.address);
          }
          expect(balance).to.be.greaterThanOrEqual(owed);
          expect(claimedTotal).to.be.lessThanOrEqual(funded + fees);
        } finally {
          await ethers.provider.send("evm_revert", [snap]);
        }
      }),
      { numRuns: propertyRuns(30) },
    );
  });
});
