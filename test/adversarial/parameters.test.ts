/**
 * Governance inside its bounds: every parameter setter refuses values outside the hard-coded bounds,
 * every constructor refuses a zero address, and the suite's one pause (IGuardianPause, on the registry,
 * storage and bridge) refuses a second pause or an unpause of a running contract — each by its named error, changing nothing. (Who may call them is
 * `governance.test.ts`; these are the calls the right role makes with wrong values.)
 */
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite, EMISSION_BASE, registerActive } from "../helpers/suite";
import { usePrecompiles } from "../helpers/precompiles";
import { deployStorage } from "../storage/helpers";
import { deployBridge } from "../bridge/fixture";

const UINT88_MAX = (1n << 88n) - 1n;
const UINT96_MAX = (1n << 96n) - 1n;
const UINT128_MAX = (1n << 128n) - 1n;
const DAY = 86_400n;
/** InvalidParameter names the parameter as a bytes32 string. */
const b32 = (name: string) => ethers.encodeBytes32String(name);

describe("adversarial: governance parameters outside their bounds", () => {
  it("the registry refuses out-of-bound parameters, a zero treasury, empty batches and impossible slashes by name", async () => {
    const s = await loadFixture(deploySuite);
    const r = s.registry.connect(s.admin);
    const before = [await r.stakingRequirement(), await r.lockPeriod(), await r.missedEpochPenaltyBps(), await r.treasury()];
    // At least one PARS (the rewards accumulator's precision) and at least a day of lock (longer than
    // any challenge or attestation that may still penalise a node that left).
    const minRequirement = await r.MIN_STAKING_REQUIREMENT();
    expect(minRequirement).to.equal(ethers.parseEther("1"));
    for (const v of [9n, minRequirement - 1n, UINT88_MAX + 1n]) {
      await expect(r.setStakingRequirement(v)).to.be.revertedWithCustomError(r, "InvalidParameter").withArgs(b32("stakingRequirement"), v);
    }
    const minLock = await r.MIN_LOCK_PERIOD();
    expect(minLock).to.equal(DAY);
    const maxLock = await r.MAX_LOCK_PERIOD();
    for (const v of [0n, minLock - 1n, maxLock + 1n]) {
      await expect(r.setLockPeriod(v)).to.be.revertedWithCustomError(r, "InvalidParameter").withArgs(b32("lockPeriod"), v);
    }
    const maxPenalty = await r.MAX_MISSED_EPOCH_PENALTY_BPS();
    for (const v of [0n, maxPenalty + 1n]) {
      await expect(r.setMissedEpochPenaltyBps(v)).to.be.revertedWithCustomError(r, "InvalidParameter").withArgs(b32("missedEpochPenaltyBps"), v);
    }
    await expect(r.setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(r, "ZeroAddress");
    await expect(s.registry.heartbeatBatch([], [])).to.be.revertedWithCustomError(r, "InvalidBatch").withArgs(0n);
    const { nodeId } = await registerActive(s, s.operators[0], "bounds");
    const slasher = s.registry.connect(s.slasher);
    await expect(slasher.slash(nodeId, 10, ethers.ZeroAddress, 10_001))
      .to.be.revertedWithCustomError(r, "InvalidParameter")
      .withArgs(b32("beneficiaryShareBps"), 10_001n);
    await expect(slasher.slash(nodeId, 0, ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(r, "InvalidParameter").withArgs(b32("bps"), 0n);
    await expect(slasher.slash(nodeId, 10_001, ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(r, "InvalidParameter").withArgs(b32("bps"), 10_001n);
    expect([await r.stakingRequirement(), await r.lockPeriod(), await r.missedEpochPenaltyBps(), await r.treasury()]).to.deep.equal(before);
    // The bounds themselves are allowed.
    for (const v of [minRequirement, UINT88_MAX]) {
      await expect(r.setStakingRequirement(v)).to.emit(r, "ParameterChanged").withArgs(b32("stakingRequirement"), v);
    }
    for (const v of [minLock, maxLock]) await expect(r.setLockPeriod(v)).to.emit(r, "ParameterChanged").withArgs(b32("lockPeriod"), v);
  });

  it("registry, storage and bridge pause through one mechanism: only the guardian, never twice, never an unpause of a running contract", async () => {
    const s = await loadFixture(deploySuite);
    const storage = await deployStorage(s);
    const bridge = await deployBridge(s);
    const pausable = new ethers.Interface((await artifacts.readArtifact("IGuardianPause")).abi);
    const role = ethers.id("GUARDIAN_ROLE");
    for (const c of [s.registry, storage, bridge]) {
      // The same pause surface on each: IGuardianPause's functions, events and errors, nothing of its own.
      for (const f of ["pause", "unpause", "paused", "GUARDIAN_ROLE", "Paused", "Unpaused", "EnforcedPause", "ExpectedPause"]) {
        const mine = c.interface.fragments.filter((x) => "name" in x && x.name === f).map((x) => x.format("full"));
        const spec = pausable.fragments.filter((x) => "name" in x && x.name === f).map((x) => x.format("full"));
        expect(mine, f).to.deep.equal(spec);
      }
      expect(await c.GUARDIAN_ROLE()).to.equal(role);
      await expect(c.connect(s.admin).pause())
        .to.be.revertedWithCustomError(c, "AccessControlUnauthorizedAccount")
        .withArgs(s.admin.address, role);
      const g = c.connect(s.guardian);
      await expect(g.unpause()).to.be.revertedWithCustomError(g, "ExpectedPause");
      await expect(g.pause()).to.emit(g, "Paused").withArgs(s.guardian.address);
      expect(await g.paused()).to.equal(true);
      await expect(g.pause()).to.be.revertedWithCustomError(g, "EnforcedPause");
      await expect(g.unpause()).to.emit(g, "Unpaused").withArgs(s.guardian.address);
      expect(await g.paused()).to.equal(false);
    }
  });

  it("storage challenges refuse a challenger share above 20% (below the operator's 25%), and bonds and penalties out of bounds, by name", async () => {
    const s = await loadFixture(deploySuite);
    const st = (await deployStorage(s)).connect(s.admin);
    const maxShare = await st.MAX_CHALLENGER_SHARE_BPS();
    expect(maxShare).to.equal(2_000n);
    expect(await st.challengerShareBps()).to.equal(maxShare);
    const before = [await st.challengeBond(), await st.failedChallengePenaltyBps(), await st.challengerShareBps()];
    const [minBond, maxBond, maxPenalty] = [await st.MIN_CHALLENGE_BOND(), await st.MAX_CHALLENGE_BOND(), await st.MAX_FAILED_CHALLENGE_PENALTY_BPS()];
    for (const v of [maxShare + 1n, 10_000n]) {
      await expect(st.setChallengerShareBps(v)).to.be.revertedWithCustomError(st, "InvalidParameter").withArgs(b32("challengerShareBps"), v);
    }
    for (const v of [minBond - 1n, maxBond + 1n]) {
      await expect(st.setChallengeBond(v)).to.be.revertedWithCustomError(st, "InvalidParameter").withArgs(b32("challengeBond"), v);
    }
    for (const v of [0n, maxPenalty + 1n]) {
      await expect(st.setFailedChallengePenaltyBps(v)).to.be.revertedWithCustomError(st, "InvalidParameter").withArgs(b32("failedChallengePenaltyBps"), v);
    }
    expect([await st.challengeBond(), await st.failedChallengePenaltyBps(), await st.challengerShareBps()]).to.deep.equal(before);
    for (const v of [0n, maxShare]) await expect(st.setChallengerShareBps(v)).to.emit(st, "ParameterChanged").withArgs(b32("challengerShareBps"), v);
    // The bond (96 bits) shares its slot with the pause flag and the penalty parameters: the bounds
    // read back exactly, and neither a pause nor a bond change disturbs the other fields.
    const g = st.connect(s.guardian);
    await (await g.pause()).wait();
    for (const v of [minBond, maxBond]) {
      await expect(st.setChallengeBond(v)).to.emit(st, "ParameterChanged").withArgs(b32("challengeBond"), v);
      expect([await st.challengeBond(), await st.paused(), await st.failedChallengePenaltyBps(), await st.challengerShareBps()]).to.deep.equal([v, true, before[1], maxShare]);
    }
    await (await g.unpause()).wait();
    expect([await st.challengeBond(), await st.paused(), await st.failedChallengePenaltyBps()]).to.deep.equal([maxBond, false, before[1]]);
  });

  it("the rewards contract refuses out-of-bound parameters and a zero treasury by name", async () => {
    const s = await loadFixture(deploySuite);
    const w = s.rewards.connect(s.admin);
    const before = [await w.emissionBase(), await w.claimThreshold(), await w.claimCycle(), await w.treasury()];
    await expect(w.setEmissionBase(UINT96_MAX + 1n)).to.be.revertedWithCustomError(w, "InvalidParameter").withArgs(b32("emissionBase"), UINT96_MAX + 1n);
    for (const v of [0n, UINT128_MAX + 1n]) {
      await expect(w.setClaimThreshold(v)).to.be.revertedWithCustomError(w, "InvalidParameter").withArgs(b32("claimThreshold"), v);
    }
    for (const v of [0n, 30n * DAY + 1n]) {
      await expect(w.setClaimCycle(v)).to.be.revertedWithCustomError(w, "InvalidParameter").withArgs(b32("claimCycle"), v);
    }
    await expect(w.setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(w, "ZeroAddress");
    expect([await w.emissionBase(), await w.claimThreshold(), await w.claimCycle(), await w.treasury()]).to.deep.equal(before);
  });

  it("constructors refuse every zero address and an emission base beyond 96 bits; a registry may start without a guardian", async () => {
    const s = await loadFixture(deploySuite);
    const pc = await usePrecompiles();
    const a = s.admin.address;
    const [swarms, keys, treasury] = [await s.swarms.getAddress(), await s.attestations.getAddress(), s.treasury.address];
    const registryArgs = [a, s.guardian.address, await s.directory.getAddress(), swarms, keys, treasury];
    const Registry = await ethers.getContractFactory("ServiceNodeRegistry");
    for (const i of [0, 2, 3, 4, 5]) {
      const args = [...registryArgs];
      args[i] = ethers.ZeroAddress;
      await expect(Registry.deploy(...(args as Parameters<typeof Registry.deploy>)), `argument ${i}`).to.be.revertedWithCustomError(Registry, "ZeroAddress");
    }
    const noGuardian = [...registryArgs];
    noGuardian[1] = ethers.ZeroAddress;
    const unguarded = await Registry.deploy(...(noGuardian as Parameters<typeof Registry.deploy>));
    expect(await unguarded.hasRole(await unguarded.GUARDIAN_ROLE(), ethers.ZeroAddress)).to.equal(false);

    const Directory = await ethers.getContractFactory("NodeDirectory");
    const directoryArgs = [0, pc.addresses.mldsa, pc.addresses.mlkem, keys];
    for (const i of [1, 2, 3]) {
      const args = [...directoryArgs];
      args[i] = ethers.ZeroAddress;
      await expect(Directory.deploy(...(args as Parameters<typeof Directory.deploy>)), `argument ${i}`).to.be.revertedWithCustomError(Directory, "ZeroAddress");
    }

    const Rewards = await ethers.getContractFactory("ServiceNodeRewards");
    const rewardsArgs = [a, await s.registry.getAddress(), swarms, treasury, EMISSION_BASE];
    for (const i of [0, 1, 2, 3]) {
      const args = [...rewardsArgs];
      args[i] = ethers.ZeroAddress;
      await expect(Rewards.deploy(...(args as Parameters<typeof Rewards.deploy>)), `argument ${i}`).to.be.revertedWithCustomError(Rewards, "ZeroAddress");
    }
    const tooBig = [...rewardsArgs];
    tooBig[4] = UINT96_MAX + 1n;
    await expect(Rewards.deploy(...(tooBig as Parameters<typeof Rewards.deploy>)))
      .to.be.revertedWithCustomError(Rewards, "InvalidParameter")
      .withArgs(b32("emissionBase"), UINT96_MAX + 1n);
  });
});
