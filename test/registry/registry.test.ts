import { expect } from "chai";
import { TEST_PROFILE } from "../helpers/precompiles";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ethers } from "hardhat";
import { loadFixture, time, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  REQUIREMENT,
  buildRegistration,
  currentEpoch,
  deploySuite,
  nodeKeys,
  registerActive,
  type Suite,
} from "../helpers/suite";
import { NodeStatus, anchorRotationDigest, minimumContribution, operatorMinimum } from "../../src/registry";
import { HeartbeatChain, heartbeatHash } from "../../src/heartbeat";
import { mldsaSign } from "../../src/pq";
import { decayUptime, recordUptime, uptimeBps, UPTIME_ONE } from "../../src/uptime";

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Snapshot of everything a failed call must leave unchanged. */
async function registryState(s: Suite, nodeId: bigint = 1n) {
  const r = s.registry;
  return {
    balance: await ethers.provider.getBalance(await r.getAddress()),
    last: await r.lastNodeId(),
    total: await r.totalNodes(),
    active: await r.activeNodes(),
    stake: await r.totalActiveStake(),
    owed: await r.treasuryOwed(),
    node: (await r.getNode(nodeId)).toString(),
    contributors: (await r.getContributors(nodeId)).toString(),
    aggregate: (await s.attestations.blsAggregateKey()).toString(),
    swarms: (await s.swarms.swarmCount()).toString(),
  };
}

describe("ServiceNodeRegistry", () => {
  async function suiteWithOneNode() {
    const s = await deploySuite();
    const { nodeId, keys } = await registerActive(s, s.operators[0], "node-a");
    return { ...s, nodeId, keys };
  }

  async function suiteWithPartialNode() {
    const s = await deploySuite();
    const keys = nodeKeys("partial", await currentEpoch());
    const [op, reservedC] = [s.operators[0], s.others[0]];
    const reg = await buildRegistration(s.registry, op.address, keys, {
      reserved: [{ contributor: reservedC.address, amount: ethers.parseEther("3000") }],
    });
    await s.registry.connect(op).register(reg, { value: operatorMinimum(REQUIREMENT) });
    return { ...s, nodeId: 1n, keys, reservedC };
  }

  describe("registration", () => {
    it("registers and activates a fully staked node in one transaction, storing key hashes only", async () => {
      const s = await loadFixture(deploySuite);
      const op = s.operators[0];
      const keys = nodeKeys("reg-full", await currentEpoch());
      const reg = await buildRegistration(s.registry, op.address, keys);
      const tx = s.registry.connect(op).register(reg, { value: REQUIREMENT });
      await expect(tx)
        .to.emit(s.registry, "NodeRegistered")
        .withArgs(
          1n,
          op.address,
          ethers.keccak256(keys.mldsa.publicKey),
          ethers.keccak256(keys.mlkem.publicKey),
          ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [Object.values(reg.blsPublicKey)])),
          keys.chain.anchor,
          500,
          REQUIREMENT,
        );
      await expect(tx).to.emit(s.registry, "NodeActivated").withArgs(1n, REQUIREMENT);
      await expect(tx).to.changeEtherBalances([op, s.registry], [-REQUIREMENT, REQUIREMENT]);
      const node = await s.registry.getNode(1n);
      expect(node.status).to.equal(NodeStatus.Active);
      expect(node.stake).to.equal(REQUIREMENT);
      expect(node.uptimeBps).to.equal(10_000n);
      expect(await s.registry.nodeIdByMldsaKey(ethers.keccak256(keys.mldsa.publicKey))).to.equal(1n);
      expect(await s.registry.activeNodes()).to.equal(1n);
      expect(await s.registry.totalActiveStake()).to.equal(REQUIREMENT);
      expect(await s.swarms.swarmOf(1n)).to.equal(0n);
      expect(await s.attestations.blsAggregateKey()).to.deep.equal(Object.values(reg.blsPublicKey));
    });

    it("rejects wrong key and signature lengths", async () => {
      const s = await loadFixture(deploySuite);
      const op = s.operators[0];
      const reg = await buildRegistration(s.registry, op.address, nodeKeys("len", await currentEpoch()));
      const before = await registryState(s);
      const cases: [keyof typeof reg, number, number, number][] = [
        ["mldsaPublicKey", 0, 1951, 1952],
        ["mldsaSignature", 3, 3310, 3309],
        ["mlkemPublicKey", 1, 1183, 1184],
      ];
      for (const [field, which, len, expected] of cases) {
        const bad = { ...reg, [field]: new Uint8Array(len).fill(7) };
        await expect(s.registry.connect(op).register(bad, { value: REQUIREMENT }))
          .to.be.revertedWithCustomError(s.registry, "InvalidKeyLength")
          .withArgs(which, len, expected);
      }
      expect(await registryState(s)).to.deep.equal(before);
    });

    it("rejects reused identity keys (ML-DSA, BLS), even from another operator; an ML-KEM transport key may be shared", async () => {
      const s = await loadFixture(suiteWithOneNode);
      const op2 = s.operators[1];
      const fresh = nodeKeys("fresh", await currentEpoch());
      const before = await registryState(s);
      const variants: [string, typeof s.keys, number][] = [
        ["mldsa", { ...fresh, mldsa: s.keys.mldsa }, 0],
        ["bls", { ...fresh, bls: s.keys.bls }, 2],
      ];
      for (const [, keys, which] of variants) {
        const reg = await buildRegistration(s.registry, op2.address, keys);
        await expect(s.registry.connect(op2).register(reg, { value: REQUIREMENT }))
          .to.be.revertedWithCustomError(s.registry, "KeyAlreadyRegistered")
          .withArgs(which, 1n);
      }
      expect(await registryState(s)).to.deep.equal(before);
      // Possession of a KEM key cannot be proven without interaction, so it is not reserved: a second
      // node with node 1's ML-KEM key registers (and cannot decrypt what is sent to node 1's key).
      const reg = await buildRegistration(s.registry, op2.address, { ...fresh, mlkem: s.keys.mlkem });
      await expect(s.registry.connect(op2).register(reg, { value: REQUIREMENT })).to.emit(s.registry, "NodeActivated").withArgs(2n, REQUIREMENT);
    });

    it("rejects proofs made for another operator, chain or registry (front-running and replay)", async () => {
      const s = await loadFixture(deploySuite);
      const [op, thief] = s.operators;
      const keys = nodeKeys("bound", await currentEpoch());
      const before = await registryState(s);
      // The honest operator's proofs, submitted by someone else.
      const stolen = await buildRegistration(s.registry, op.address, keys);
      await expect(s.registry.connect(thief).register(stolen, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "InvalidMldsaProof",
      );
      const otherChain = await buildRegistration(s.registry, op.address, keys, { chainId: 7071n });
      await expect(s.registry.connect(op).register(otherChain, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "InvalidMldsaProof",
      );
      const otherRegistry = await buildRegistration(s.registry, op.address, keys, { registryAddress: thief.address });
      await expect(s.registry.connect(op).register(otherRegistry, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "InvalidMldsaProof",
      );
      // A valid ML-DSA proof with the BLS proof of another digest (rogue key): rejected.
      const good = await buildRegistration(s.registry, op.address, keys);
      const rogue = { ...good, blsSignature: otherChain.blsSignature };
      await expect(s.registry.connect(op).register(rogue, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "InvalidBlsProof",
      );
      expect(await registryState(s)).to.deep.equal(before);
    });

    it("rejects an invalid ML-KEM key, a zero anchor, an excessive fee and a low operator stake", async () => {
      const s = await loadFixture(deploySuite);
      const op = s.operators[0];
      const keys = nodeKeys("misc", await currentEpoch());
      const before = await registryState(s);
      const badKem = Uint8Array.from(keys.mlkem.publicKey);
      badKem[0] = 0xff;
      badKem[1] |= 0x0f;
      const kemReg = await buildRegistration(s.registry, op.address, { ...keys, mlkem: { ...keys.mlkem, publicKey: badKem } });
      await expect(s.registry.connect(op).register(kemReg, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "InvalidMlkemKey",
      );
      const reg = await buildRegistration(s.registry, op.address, keys);
      await expect(
        s.registry.connect(op).register({ ...reg, heartbeatAnchor: ethers.ZeroHash }, { value: REQUIREMENT }),
      ).to.be.revertedWithCustomError(s.registry, "InvalidHeartbeatAnchor");
      await expect(s.registry.connect(op).register({ ...reg, operatorFeeBps: 10_001 }, { value: REQUIREMENT }))
        .to.be.revertedWithCustomError(s.registry, "InvalidOperatorFee")
        .withArgs(10_001);
      const min = operatorMinimum(REQUIREMENT);
      await expect(s.registry.connect(op).register(reg, { value: min - 1n }))
        .to.be.revertedWithCustomError(s.registry, "OperatorStakeTooLow")
        .withArgs(min - 1n, min);
      await expect(s.registry.connect(op).register(reg, { value: REQUIREMENT + 1n }))
        .to.be.revertedWithCustomError(s.registry, "StakeAboveRequirement")
        .withArgs(REQUIREMENT + 1n, REQUIREMENT);
      expect(await registryState(s)).to.deep.equal(before);
    });

    it("validates reserved slots: count, zero, operator, duplicates, total", async () => {
      const s = await loadFixture(deploySuite);
      const op = s.operators[0];
      const keys = nodeKeys("slots", await currentEpoch());
      const a = s.others[0].address;
      const one = ethers.parseEther("1000");
      const build = (reserved: { contributor: string; amount: bigint }[]) =>
        buildRegistration(s.registry, op.address, keys, { reserved });
      const min = operatorMinimum(REQUIREMENT);
      const ten = s.others.slice(0, 10).map((x) => ({ contributor: x.address, amount: 1n }));
      await expect(s.registry.connect(op).register(await build(ten), { value: min }))
        .to.be.revertedWithCustomError(s.registry, "TooManyContributors")
        .withArgs(11, 10);
      for (const [reserved, index] of [
        [[{ contributor: ethers.ZeroAddress, amount: one }], 0],
        [[{ contributor: a, amount: 0n }], 0],
        [[{ contributor: op.address, amount: one }], 0],
        [[{ contributor: a, amount: one }, { contributor: a, amount: one }], 1],
      ] as const) {
        await expect(s.registry.connect(op).register(await build([...reserved]), { value: min }))
          .to.be.revertedWithCustomError(s.registry, "InvalidReservedSlot")
          .withArgs(index);
      }
      const tooMuch = REQUIREMENT - min + 1n;
      await expect(s.registry.connect(op).register(await build([{ contributor: a, amount: tooMuch }]), { value: min }))
        .to.be.revertedWithCustomError(s.registry, "StakeAboveRequirement")
        .withArgs(REQUIREMENT + 1n, REQUIREMENT);
      expect(await s.registry.lastNodeId()).to.equal(0n);
    });

    it("is stopped by the guardian's pause, which blocks nothing else", async () => {
      const s = await loadFixture(suiteWithPartialNode);
      await s.registry.connect(s.guardian).pause();
      const op = s.operators[1];
      const reg = await buildRegistration(s.registry, op.address, nodeKeys("paused", await currentEpoch()));
      await expect(s.registry.connect(op).register(reg, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "EnforcedPause",
      );
      await expect(s.registry.connect(s.others[1]).contribute(1n, { value: ethers.parseEther("2000") })).to.be.revertedWithCustomError(
        s.registry,
        "EnforcedPause",
      );
      // Withdrawals still work while paused.
      await expect(s.registry.connect(s.operators[0]).withdraw(1n)).to.emit(s.registry, "RegistrationCancelled");
      await expect(s.registry.connect(s.others[0]).pause()).to.be.revertedWithCustomError(
        s.registry,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("contributions", () => {
    it("follows Session's minimum-contribution formula, honours reservations, and activates at the requirement", async () => {
      const s = await loadFixture(suiteWithPartialNode);
      const min0 = operatorMinimum(REQUIREMENT);
      const reserved = ethers.parseEther("3000");
      // Contributors: operator + 1 reserved = 2 → 8 open slots over the unreserved rest.
      let expected = minimumContribution(REQUIREMENT, min0, reserved, 2n);
      expect(await s.registry.minimumContribution(1n)).to.equal(expected);
      const c1 = s.others[1];
      await expect(s.registry.connect(c1).contribute(1n, { value: expected - 1n }))
        .to.be.revertedWithCustomError(s.registry, "ContributionTooLow")
        .withArgs(expected - 1n, expected);
      await expect(s.registry.connect(c1).contribute(1n, { value: expected }))
        .to.emit(s.registry, "StakeContributed")
        .withArgs(1n, c1.address, expected, min0 + expected);
      // The reserved contributor must send exactly its reservation first.
      await expect(s.registry.connect(s.reservedC).contribute(1n, { value: reserved - 1n }))
        .to.be.revertedWithCustomError(s.registry, "ReservedAmountMismatch")
        .withArgs(reserved - 1n, reserved);
      await s.registry.connect(s.reservedC).contribute(1n, { value: reserved });
      // Top-ups by existing contributors have no minimum, but no one may exceed the unreserved rest.
      await s.registry.connect(c1).contribute(1n, { value: 1n });
      const stake = min0 + expected + reserved + 1n;
      await expect(s.registry.connect(c1).contribute(1n, { value: REQUIREMENT - stake + 1n }))
        .to.be.revertedWithCustomError(s.registry, "ContributionTooHigh")
        .withArgs(REQUIREMENT - stake + 1n, REQUIREMENT - stake);
      expected = minimumContribution(REQUIREMENT, stake, 0n, 3n);
      expect(await s.registry.minimumContribution(1n)).to.equal(expected);
      await expect(s.registry.connect(s.operators[0]).contribute(1n, { value: REQUIREMENT - stake }))
        .to.emit(s.registry, "NodeActivated")
        .withArgs(1n, REQUIREMENT);
      expect(await s.registry.minimumContribution(1n)).to.equal(0n);
      await expect(s.registry.connect(c1).contribute(1n, { value: 1n }))
        .to.be.revertedWithCustomError(s.registry, "InvalidNodeStatus")
        .withArgs(1n, NodeStatus.Active);
    });

    it("allows at most 10 contributors and rejects zero and unknown nodes", async () => {
      const s = await loadFixture(suiteWithPartialNode);
      await expect(s.registry.connect(s.others[1]).contribute(1n, { value: 0n })).to.be.revertedWithCustomError(
        s.registry,
        "ZeroContribution",
      );
      await expect(s.registry.connect(s.others[1]).contribute(9n, { value: 1n }))
        .to.be.revertedWithCustomError(s.registry, "UnknownNode")
        .withArgs(9n);
      // 2 contributors so far; add 8 more at the minimum each.
      for (let i = 1; i <= 8; i++) {
        const min = await s.registry.minimumContribution(1n);
        await s.registry.connect(s.others[i]).contribute(1n, { value: min });
      }
      const node = await s.registry.getNode(1n);
      expect(node.contributorCount).to.equal(10n);
      expect(await s.registry.minimumContribution(1n)).to.equal(0n);
      await expect(s.registry.connect(s.others[9]).contribute(1n, { value: ethers.parseEther("1") }))
        .to.be.revertedWithCustomError(s.registry, "TooManyContributors")
        .withArgs(11, 10);
    });

    it("refunds a contributor who leaves before activation, and the operator's withdrawal cancels and refunds all", async () => {
      const s = await loadFixture(suiteWithPartialNode);
      const [c1, c2] = [s.others[1], s.others[2]];
      const min = await s.registry.minimumContribution(1n);
      await s.registry.connect(c1).contribute(1n, { value: min });
      await s.registry.connect(c2).contribute(1n, { value: min + 5n });
      await expect(s.registry.connect(c1).withdraw(1n)).to.changeEtherBalance(c1, min);
      const list = await s.registry.getContributors(1n);
      expect(list.map((c) => c.addr)).to.deep.equal([s.operators[0].address, s.reservedC.address, c2.address]);
      await expect(s.registry.connect(c1).withdraw(1n))
        .to.be.revertedWithCustomError(s.registry, "NothingToWithdraw")
        .withArgs(1n, c1.address);
      await expect(s.registry.connect(s.reservedC).withdraw(1n)).to.be.revertedWithCustomError(s.registry, "NothingToWithdraw");
      const cancel = s.registry.connect(s.operators[0]).withdraw(1n);
      await expect(cancel).to.emit(s.registry, "RegistrationCancelled").withArgs(1n);
      await expect(cancel).to.changeEtherBalance(s.operators[0], operatorMinimum(REQUIREMENT));
      expect((await s.registry.getNode(1n)).status).to.equal(NodeStatus.Cancelled);
      await expect(s.registry.connect(c2).withdraw(1n)).to.changeEtherBalance(c2, min + 5n);
      expect(await ethers.provider.getBalance(await s.registry.getAddress())).to.equal(0n);
      expect(await s.registry.totalNodes()).to.equal(0n);
      // Keys stay burned: a cancelled node's keys cannot register again.
      const again = await buildRegistration(s.registry, s.operators[0].address, s.keys);
      await expect(s.registry.connect(s.operators[0]).register(again, { value: REQUIREMENT })).to.be.revertedWithCustomError(
        s.registry,
        "KeyAlreadyRegistered",
      );
    });

    it("caps activations per block at the nodes active before it (flash-stake guard)", async () => {
      const s = await loadFixture(deploySuite);
      let n = 0;
      const next = async () => {
        const op = s.operators[n % s.operators.length];
        const reg = await buildRegistration(s.registry, op.address, nodeKeys(`flash-${n++}`, await currentEpoch()));
        return { op, reg };
      };
      /** `count` full-stake registrations in one block; returns how many activated. */
      const oneBlock = async (regs: Awaited<ReturnType<typeof next>>[]) => {
        await ethers.provider.send("evm_setAutomine", [false]);
        const txs = [];
        for (const { op, reg } of regs) txs.push(await s.registry.connect(op).register(reg, { value: REQUIREMENT, gasLimit: 2_000_000 }));
        await mine();
        await ethers.provider.send("evm_setAutomine", [true]);
        const receipts = await Promise.all(txs.map((t) => ethers.provider.getTransactionReceipt(t.hash)));
        return receipts.filter((r) => r!.status === 1).length;
      };
      // An empty network takes one node per block, then doubles at most.
      expect(await oneBlock([await next(), await next()])).to.equal(1);
      expect(await oneBlock([await next(), await next()])).to.equal(1);
      expect(await oneBlock([await next(), await next(), await next()])).to.equal(2);
      expect(await s.registry.activeNodes()).to.equal(4n);
      // With 4 active, 4 of 5 in one block (ActivationLimitReached is asserted by name in
      // test/adversarial/flash-stake.test.ts); the refused one lands in the next block.
      const five = [await next(), await next(), await next(), await next(), await next()];
      expect(await oneBlock(five)).to.equal(4);
      const refused = five[4];
      await expect(s.registry.connect(refused.op).register(refused.reg, { value: REQUIREMENT })).to.emit(s.registry, "NodeActivated");
      expect(await s.registry.activeNodes()).to.equal(9n);
    });
  });

  describe("liveness", () => {
    it("accepts one hash-chain value per epoch, relayed by anyone, and rejects replays and out-of-order values", async () => {
      const s = await loadFixture(suiteWithOneNode);
      const chain = s.keys.chain;
      await time.increase(HOUR);
      const e1 = await currentEpoch();
      const v1 = chain.valueForEpoch(e1);
      // A value for a later epoch is not valid now.
      await expect(s.registry.connect(s.others[0]).heartbeat(s.nodeId, chain.valueForEpoch(e1 + 1)))
        .to.be.revertedWithCustomError(s.registry, "InvalidHeartbeat")
        .withArgs(s.nodeId, e1);
      await expect(s.registry.connect(s.others[0]).heartbeat(s.nodeId, v1))
        .to.emit(s.registry, "HeartbeatAccepted")
        .withArgs(s.nodeId, e1, v1);
      await expect(s.registry.heartbeat(s.nodeId, v1))
        .to.be.revertedWithCustomError(s.registry, "HeartbeatAlreadySent")
        .withArgs(s.nodeId, e1);
      await time.increase(HOUR);
      // Replaying an old value fails in the next epoch too.
      await expect(s.registry.heartbeat(s.nodeId, v1)).to.be.revertedWithCustomError(s.registry, "InvalidHeartbeat");
      await expect(s.registry.heartbeat(s.nodeId, chain.valueForEpoch(e1 + 1))).to.emit(s.registry, "HeartbeatAccepted");
      const node = await s.registry.getNode(s.nodeId);
      expect(node.lastHeartbeatEpoch).to.equal(BigInt(e1 + 1));
      expect(node.penaltyBps).to.equal(0n);
    });

    it("penalises missed epochs lazily (0.5% each, shared pro rata) and mirrors the uptime score", async () => {
      const s = await loadFixture(suiteWithOneNode);
      const e0 = await currentEpoch();
      await time.increase(4 * HOUR); // epochs e0+1 .. e0+3 missed; e0+4 still open
      const e = await currentEpoch();
      expect(e).to.equal(e0 + 4);
      const missed = 3;
      const amount = (REQUIREMENT * BigInt(missed * 50)) / 10_000n;
      await expect(s.registry.connect(s.others[0]).penalize(s.nodeId))
        .to.emit(s.registry, "NodePenalized")
        .withArgs(s.nodeId, missed, missed * 50, amount);
      expect(await s.registry.treasuryOwed()).to.equal(amount);
      await expect(s.registry.penalize(s.nodeId)).to.be.revertedWithCustomError(s.registry, "NothingToPenalize");
      expect(await s.registry.uptimeScore(s.nodeId)).to.equal(uptimeBps(decayUptime(UPTIME_ONE, BigInt(missed))));
      // A heartbeat now bridges the gap (4 hash steps) and records the epoch.
      await s.registry.heartbeat(s.nodeId, s.keys.chain.valueForEpoch(e));
      expect(await s.registry.uptimeScore(s.nodeId)).to.equal(
        uptimeBps(recordUptime(decayUptime(UPTIME_ONE, BigInt(missed)))),
      );
      expect(await s.registry.effectiveStake(s.nodeId)).to.equal(REQUIREMENT - amount);
      // The treasury collects; anyone may trigger it.
      await expect(s.registry.connect(s.others[3]).payTreasury()).to.changeEtherBalance(s.treasury, amount);
    });

    it("decommissions at the 50% penalty cap and rejects heartbeats after too long a gap", async () => {
      const s = await loadFixture(suiteWithOneNode);
      await time.increase(70 * HOUR);
      const e = await currentEpoch();
      await expect(s.registry.heartbeat(s.nodeId, s.keys.chain.valueForEpoch(e)))
        .to.be.revertedWithCustomError(s.registry, "HeartbeatGapTooLarge")
        .withArgs(s.nodeId, 70, 64);
      await time.increase(40 * HOUR);
      await expect(s.registry.penalize(s.nodeId))
        .to.emit(s.registry, "NodeDecommissioned")
        .withArgs(s.nodeId, 1, s.admin.address, anyValue)
        .and.to.emit(s.registry, "NodePenalized");
    });

    it("rotates the anchor with an ML-DSA signature of the node's key only", async () => {
      const s = await loadFixture(suiteWithOneNode);
      await time.increase(80 * HOUR);
      const e = await currentEpoch();
      const fresh = HeartbeatChain.create({ length: 100, anchorEpoch: e, seed: ethers.id("fresh-chain") });
      const chainId = (await ethers.provider.getNetwork()).chainId;
      const digest = anchorRotationDigest(chainId, await s.registry.getAddress(), s.nodeId, fresh.anchor, e);
      const other = nodeKeys("other-node", e);
      await expect(
        s.registry.rotateHeartbeatAnchor(s.nodeId, fresh.anchor, other.mldsa.publicKey, mldsaSign(other.mldsa.secretKey, ethers.getBytes(digest), { profile: TEST_PROFILE })),
      )
        .to.be.revertedWithCustomError(s.registry, "InvalidNodeSignature")
        .withArgs(s.nodeId);
      const wrongEpoch = anchorRotationDigest(chainId, await s.registry.getAddress(), s.nodeId, fresh.anchor, e - 1);
      await expect(
        s.registry.rotateHeartbeatAnchor(s.nodeId, fresh.anchor, s.keys.mldsa.publicKey, mldsaSign(s.keys.mldsa.secretKey, ethers.getBytes(wrongEpoch), { profile: TEST_PROFILE })),
      ).to.be.revertedWithCustomError(s.registry, "InvalidNodeSignature");
      await expect(
        s.registry.rotateHeartbeatAnchor(s.nodeId, fresh.anchor, s.keys.mldsa.publicKey, mldsaSign(s.keys.mldsa.secretKey, ethers.getBytes(digest), { profile: TEST_PROFILE })),
      )
        .to.emit(s.registry, "HeartbeatAnchorRotated")
        .withArgs(s.nodeId, e, fresh.anchor)
        .and.to.emit(s.registry, "NodePenalized");
      await time.increase(HOUR);
      await expect(s.registry.heartbeat(s.nodeId, fresh.valueForEpoch(e + 1))).to.emit(s.registry, "HeartbeatAccepted");
      expect(heartbeatHash(fresh.valueForEpoch(e + 1))).to.equal(fresh.anchor);
    });

    it("relays a batch, skipping entries already proven this epoch or whose node left the active set", async () => {
      const s = await loadFixture(deploySuite);
      const nodes = [];
      for (let i = 0; i < 3; i++) nodes.push(await registerActive(s, s.operators[i], `batch-${i}`));
      await time.increase(HOUR);
      const e = await currentEpoch();
      const ids = nodes.map((n) => n.nodeId);
      const values = nodes.map((n) => n.keys.chain.valueForEpoch(e));
      await s.registry.heartbeat(ids[1], values[1]); // front-run one entry
      expect(await s.registry.heartbeatBatch.staticCall(ids, values)).to.equal(2n);
      await s.registry.heartbeatBatch(ids, values);
      // A node that left (here by its own exit; decommissioned by a front-run penalize alike) is skipped
      // in a batch, refused alone.
      await time.increase(HOUR);
      await s.registry.connect(s.operators[0]).requestExit(ids[0]);
      const e2 = await currentEpoch();
      const next = nodes.map((n) => n.keys.chain.valueForEpoch(e2));
      await expect(s.registry.heartbeat(ids[0], next[0]))
        .to.be.revertedWithCustomError(s.registry, "InvalidNodeStatus")
        .withArgs(ids[0], NodeStatus.Decommissioning);
      expect(await s.registry.heartbeatBatch.staticCall(ids, next)).to.equal(2n);
      await expect(s.registry.heartbeatBatch(ids, next))
        .to.emit(s.registry, "HeartbeatAccepted")
        .withArgs(ids[2], e2, next[2])
        .and.not.to.emit(s.registry, "NodePenalized");
      expect((await s.registry.getNode(ids[0])).lastHeartbeatEpoch).to.equal(BigInt(e));
      await expect(s.registry.heartbeatBatch([], [])).to.be.revertedWithCustomError(s.registry, "InvalidBatch").withArgs(0);
      await expect(s.registry.heartbeatBatch(ids, values.slice(1))).to.be.revertedWithCustomError(s.registry, "InvalidBatch");
    });
  });

  describe("exit and withdrawal", () => {
    async function activeWithContributors() {
      const s = await deploySuite();
      const op = s.operators[0];
      const keys = nodeKeys("exit", await currentEpoch());
      const reg = await buildRegistration(s.registry, op.address, keys);
      const opStake = operatorMinimum(REQUIREMENT);
      await s.registry.connect(op).register(reg, { value: opStake });
      const small = s.others[0];
      const big = s.others[1];
      const smallAmount = ethers.parseEther("1250"); // the minimum: (15,000 - 3,750) / 9 open slots
      await s.registry.connect(small).contribute(1n, { value: smallAmount });
      await s.registry.connect(big).contribute(1n, { value: REQUIREMENT - opStake - smallAmount });
      return { ...s, nodeId: 1n, keys, small, big, smallAmount, opStake };
    }

    it("enforces the minimum age, the small-contributor delay and the lock period", async () => {
      const s = await loadFixture(activeWithContributors);
      const activatedAt = (await s.registry.getNode(1n)).activatedAt;
      await expect(s.registry.connect(s.operators[0]).requestExit(1n))
        .to.be.revertedWithCustomError(s.registry, "ExitTooEarly")
        .withArgs(1n, activatedAt + 2n * BigInt(HOUR));
      await expect(s.registry.connect(s.others[5]).requestExit(1n))
        .to.be.revertedWithCustomError(s.registry, "NotContributor")
        .withArgs(1n, s.others[5].address);
      await time.increase(2 * HOUR);
      await expect(s.registry.connect(s.small).requestExit(1n))
        .to.be.revertedWithCustomError(s.registry, "ExitTooEarly")
        .withArgs(1n, activatedAt + 30n * BigInt(DAY));
      const tx = await s.registry.connect(s.big).requestExit(1n);
      const unlockAt = BigInt((await time.latest()) + 30 * DAY);
      await expect(tx).to.emit(s.registry, "NodeDecommissioned").withArgs(1n, 0, s.big.address, unlockAt);
      expect(await s.registry.activeNodes()).to.equal(0n);
      expect(await s.swarms.swarmOf(1n)).to.equal(await s.swarms.NO_SWARM());
      expect(await s.attestations.blsAggregateKey()).to.deep.equal([0n, 0n, 0n, 0n]);
      await expect(s.registry.connect(s.big).withdraw(1n))
        .to.be.revertedWithCustomError(s.registry, "StakeLocked")
        .withArgs(1n, unlockAt);
      await expect(s.registry.heartbeat(1n, ethers.ZeroHash))
        .to.be.revertedWithCustomError(s.registry, "InvalidNodeStatus")
        .withArgs(1n, NodeStatus.Decommissioning);
      // The two hours without a heartbeat were settled at the exit: one missed epoch, 0.5% of the stake.
      const penaltyBps = (await s.registry.getNode(1n)).penaltyBps;
      expect(penaltyBps).to.equal(await s.registry.missedEpochPenaltyBps());
      await time.increaseTo(unlockAt);
      const bigAmount = REQUIREMENT - s.opStake - s.smallAmount;
      await expect(s.registry.connect(s.big).withdraw(1n)).to.changeEtherBalance(
        s.big,
        bigAmount - (bigAmount * penaltyBps) / 10_000n,
      );
      await expect(s.registry.connect(s.big).withdraw(1n)).to.be.revertedWithCustomError(s.registry, "NothingToWithdraw");
      await s.registry.connect(s.small).withdraw(1n);
      await expect(s.registry.connect(s.operators[0]).withdraw(1n)).to.emit(s.registry, "NodeRetired").withArgs(1n);
      expect((await s.registry.getNode(1n)).status).to.equal(NodeStatus.Retired);
      // What is left is the penalty, owed to the treasury.
      const penalty = (REQUIREMENT * penaltyBps) / 10_000n;
      expect(await ethers.provider.getBalance(await s.registry.getAddress())).to.equal(penalty);
      await expect(s.registry.payTreasury()).to.changeEtherBalance(s.treasury, penalty);
      expect(await ethers.provider.getBalance(await s.registry.getAddress())).to.equal(0n);
    });

    it("pays stake minus penalties pro rata, and sweeps rounding dust to the treasury", async () => {
      const s = await loadFixture(activeWithContributors);
      await time.increase(3 * HOUR);
      await s.registry.penalize(1n); // 2 missed epochs: 1%
      const p = (await s.registry.getNode(1n)).penaltyBps;
      expect(p).to.equal(100n);
      await s.registry.connect(s.operators[0]).requestExit(1n);
      await time.increase(30 * DAY);
      for (const [who, staked] of [
        [s.small, s.smallAmount],
        [s.big, REQUIREMENT - s.opStake - s.smallAmount],
        [s.operators[0], s.opStake],
      ] as const) {
        await expect(s.registry.connect(who).withdraw(1n)).to.changeEtherBalance(who, (staked * (10_000n - p)) / 10_000n);
      }
      await s.registry.payTreasury();
      expect(await ethers.provider.getBalance(await s.registry.getAddress())).to.equal(0n);
    });

    it("withdrawals are reentrancy-safe against a malicious contributor contract", async () => {
      const s = await loadFixture(suiteWithPartialNode);
      const attacker = await ethers.deployContract("ReentrantContributor__Mock", [await s.registry.getAddress()]);
      const min = await s.registry.minimumContribution(1n);
      await attacker.contribute(1n, { value: min });
      const before = await ethers.provider.getBalance(await s.registry.getAddress());
      await attacker.withdraw(1n);
      expect(await attacker.reentryAttempts()).to.equal(1n);
      expect(await attacker.reentrySucceeded()).to.equal(false);
      expect(await attacker.lastRevertData()).to.equal(
        s.registry.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []),
      );
      expect(await ethers.provider.getBalance(await s.registry.getAddress())).to.equal(before - min);
      expect(await ethers.provider.getBalance(await attacker.getAddress())).to.equal(min);
    });
  });

  describe("slashing and governance", () => {
    it("slashes with a beneficiary share, only for SLASHER_ROLE, and decommissions at the cap", async () => {
      const s = await loadFixture(suiteWithOneNode);
      const challenger = s.others[2];
      await expect(s.registry.connect(challenger).slash(s.nodeId, 100, challenger.address, 5000)).to.be.revertedWithCustomError(
        s.registry,
        "AccessControlUnauthorizedAccount",
      );
      const amount = REQUIREMENT / 100n;
      await expect(s.registry.connect(s.slasher).slash(s.nodeId, 100, challenger.address, 5000))
        .to.emit(s.registry, "NodeSlashed")
        .withArgs(s.nodeId, 100, amount, challenger.address, amount / 2n);
      expect(await s.registry.creditOf(challenger.address)).to.equal(amount / 2n);
      await expect(s.registry.connect(challenger).claimCredit()).to.changeEtherBalance(challenger, amount / 2n);
      await expect(s.registry.connect(challenger).claimCredit()).to.be.revertedWithCustomError(s.registry, "NothingToWithdraw");
      // Every penalty counts toward the 50% cap and nothing is taken beyond it: a 100% slash takes the
      // remaining 49% and decommissions the node.
      await expect(s.registry.connect(s.slasher).slash(s.nodeId, 10_000, ethers.ZeroAddress, 0))
        .to.emit(s.registry, "NodeSlashed")
        .withArgs(s.nodeId, 10_000, (REQUIREMENT * 4_900n) / 10_000n, ethers.ZeroAddress, 0)
        .and.to.emit(s.registry, "NodeDecommissioned");
      expect((await s.registry.getNode(s.nodeId)).penaltyBps).to.equal(5_000n);
      // Still locked, still slashable, but at the cap: nothing more is taken.
      await expect(s.registry.connect(s.slasher).slash(s.nodeId, 100, challenger.address, 5000))
        .to.emit(s.registry, "NodeSlashed")
        .withArgs(s.nodeId, 100, 0, challenger.address, 0);
      expect((await s.registry.getNode(s.nodeId)).penaltyBps).to.equal(5_000n);
      await expect(s.registry.connect(s.slasher).slash(s.nodeId, 0, ethers.ZeroAddress, 0)).to.be.revertedWithCustomError(
        s.registry,
        "InvalidParameter",
      );
    });

    it("lets only the admin set parameters, within bounds", async () => {
      const s = await loadFixture(deploySuite);
      const r = s.registry;
      await expect(r.connect(s.guardian).setStakingRequirement(1n)).to.be.revertedWithCustomError(
        r,
        "AccessControlUnauthorizedAccount",
      );
      await expect(r.connect(s.admin).setStakingRequirement(5n)).to.be.revertedWithCustomError(r, "InvalidParameter");
      await expect(r.connect(s.admin).setStakingRequirement(ethers.parseEther("20000")))
        .to.emit(r, "ParameterChanged")
        .withArgs(ethers.encodeBytes32String("stakingRequirement"), ethers.parseEther("20000"));
      await expect(r.connect(s.admin).setLockPeriod(366 * DAY)).to.be.revertedWithCustomError(r, "InvalidParameter");
      await expect(r.connect(s.admin).setMissedEpochPenaltyBps(0)).to.be.revertedWithCustomError(r, "InvalidParameter");
      await expect(r.connect(s.admin).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(r, "ZeroAddress");
      for (const fn of ["setLockPeriod", "setMissedEpochPenaltyBps", "setTreasury", "setLifecycleListener"] as const) {
        await expect(
          (r.connect(s.others[0]) as any)[fn](fn === "setTreasury" || fn === "setLifecycleListener" ? s.others[0].address : 1),
        ).to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount");
      }
    });
  });
});
