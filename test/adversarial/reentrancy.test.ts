/**
 * Reentrancy through malicious receivers, on every function that sends PARS:
 *
 *   registry   withdraw (before activation, after the lock), claimCredit (slash beneficiary), payTreasury
 *   rewards    claim, payTreasury
 *   storage    withdraw (challenge bonds and answers)
 *   bridge     the refund of createSession ×2 and sendMessage ×2; flushFees (to the rewards contract)
 *
 * Each receipt re-enters the same function and the other PARS-sending (and state-changing) functions of
 * the same contract; each must stop at ReentrancyGuardTransient (`ReentrancyGuardReentrantCall`), and
 * the re-entries were chosen so that each would succeed, or fail differently, without the guard.
 * Re-entering *another* contract is allowed (each has its own guard) and must pay exactly what that
 * contract owes, once: balances are checked to the wei against the honest outcome. flushFees, the one
 * unguarded sender, pays a fixed rewards contract; a hostile one is shown to find nothing left to take
 * (checks-effects-interactions).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT } from "../helpers/suite";
import { HONEST, SWARM_MESSAGES } from "../storage/helpers";
import { keyOf, mlkemKey } from "../bridge/fixture";
import { messageHash } from "../../src/storage";
import { autoSalt, deriveSessionId } from "../../src/sessions";
import { NodeStatus, operatorMinimum } from "../../src/registry";
import { act, adversarialNet, arm, attempts, balances, expectAllGuarded, type AdversarialNet } from "./fixture";

const DAY = 24 * 3600;
const GUARDED = { ok: false, error: "ReentrancyGuardReentrantCall", args: [] };

/** Lets the hostile node exit and its stake unlock. */
async function exitAndUnlock(f: AdversarialNet) {
  await time.increase(2 * 3600);
  await (await act(f.attacker, f.registry, "requestExit", [f.hostile.nodeId])).wait();
  await time.increase(30 * DAY + 1);
}

describe("adversarial: reentrancy through malicious receivers", () => {
  describe("ServiceNodeRegistry (defence: nonReentrant on withdraw / claimCredit / payTreasury, effects before the transfer)", () => {
    it("withdraw after the lock: re-entering withdraw, claimCredit and payTreasury fails; rewards pays its own share once", async () => {
      const f = await loadFixture(adversarialNet);
      await exitAndUnlock(f);
      // Without the guard, each of these would pay: the partial node's contribution, a credit, the treasury.
      await f.registry.connect(f.slasher).slash(f.honest[0].nodeId, 100, await f.attacker.getAddress(), 5_000);
      const reward = await f.rewards.claimable(f.hostile.nodeId, await f.attacker.getAddress());
      expect(reward).to.be.greaterThan(0n);
      await arm(f.attacker, [
        { target: f.registry, fn: "withdraw", args: [f.hostile.nodeId] },
        { target: f.registry, fn: "withdraw", args: [f.partialNode] },
        { target: f.registry, fn: "claimCredit" },
        { target: f.registry, fn: "payTreasury" },
        { target: f.rewards, fn: "claim", args: [f.hostile.nodeId] },
        { target: f.storage, fn: "withdraw" },
      ]);
      const credit = await f.registry.creditOf(await f.attacker.getAddress());
      const [regBefore, attBefore, rewBefore] = await balances(f.registry, f.attacker, f.rewards);

      await (await act(f.attacker, f.registry, "withdraw", [f.hostile.nodeId])).wait();

      expect(await attempts(f.attacker, [f.registry, f.rewards, f.storage])).to.deep.equal([
        GUARDED,
        GUARDED,
        GUARDED,
        GUARDED,
        { ok: true },
        { ok: false, error: "NothingToWithdraw", args: [await f.attacker.getAddress()] },
      ]);
      // Honest outcome: the stake less the missed epochs settled at the exit, once; the node's rewards
      // once; nothing else.
      const stake = REQUIREMENT - (REQUIREMENT * (await f.registry.getNode(f.hostile.nodeId)).penaltyBps) / 10_000n;
      const [regAfter, attAfter, rewAfter] = await balances(f.registry, f.attacker, f.rewards);
      expect(regBefore - regAfter).to.equal(stake);
      expect(rewBefore - rewAfter).to.equal(reward);
      expect(attAfter - attBefore).to.equal(stake + reward);
      expect(await f.attacker.receipts()).to.equal(2n);
      expect(await f.registry.creditOf(await f.attacker.getAddress())).to.equal(credit);
      expect((await f.registry.getNode(f.hostile.nodeId)).status).to.equal(NodeStatus.Retired);
      expect(await f.registry.contributionOf(f.partialNode, await f.attacker.getAddress())).to.equal(f.attackerContribution);
    });

    it("withdraw before activation: a contributor re-entering withdraw or contribute fails and is refunded once", async () => {
      const f = await loadFixture(adversarialNet);
      await arm(f.attacker, [
        { target: f.registry, fn: "withdraw", args: [f.partialNode] },
        { target: f.registry, fn: "contribute", args: [f.partialNode], value: f.attackerContribution },
      ]);
      const [regBefore, attBefore] = await balances(f.registry, f.attacker);
      await (await act(f.attacker, f.registry, "withdraw", [f.partialNode])).wait();
      await expectAllGuarded(f.attacker, [f.registry], 2);
      const [regAfter, attAfter] = await balances(f.registry, f.attacker);
      expect(regBefore - regAfter).to.equal(f.attackerContribution);
      expect(attAfter - attBefore).to.equal(f.attackerContribution);
      const node = await f.registry.getNode(f.partialNode);
      expect([node.status, node.stake, node.contributorCount]).to.deep.equal([NodeStatus.AwaitingContributions, operatorMinimum(REQUIREMENT), 1n]);
    });

    it("claimCredit (slash beneficiary): re-entering claimCredit, withdraw and payTreasury fails; the credit is paid once", async () => {
      const f = await loadFixture(adversarialNet);
      const me = await f.attacker.getAddress();
      await f.registry.connect(f.slasher).slash(f.honest[1].nodeId, 200, me, 5_000);
      const credit = await f.registry.creditOf(me);
      expect(credit).to.equal((REQUIREMENT * 200n) / 10_000n / 2n);
      await arm(f.attacker, [
        { target: f.registry, fn: "claimCredit" },
        { target: f.registry, fn: "withdraw", args: [f.partialNode] },
        { target: f.registry, fn: "payTreasury" },
      ]);
      const owed = await f.registry.treasuryOwed();
      const [regBefore, attBefore] = await balances(f.registry, f.attacker);
      await (await act(f.attacker, f.registry, "claimCredit")).wait();
      await expectAllGuarded(f.attacker, [f.registry], 3);
      const [regAfter, attAfter] = await balances(f.registry, f.attacker);
      expect([regBefore - regAfter, attAfter - attBefore]).to.deep.equal([credit, credit]);
      expect(await f.registry.creditOf(me)).to.equal(0n);
      expect(await f.registry.treasuryOwed()).to.equal(owed);
    });

    it("payTreasury to a hostile treasury: re-entering payTreasury, claimCredit and withdraw fails; the debt is paid once", async () => {
      const f = await loadFixture(adversarialNet);
      const me = await f.attacker.getAddress();
      await f.registry.connect(f.admin).setTreasury(me);
      await f.registry.connect(f.slasher).slash(f.honest[2].nodeId, 300, me, 1_000);
      const owed = await f.registry.treasuryOwed();
      await arm(f.attacker, [
        { target: f.registry, fn: "payTreasury" },
        { target: f.registry, fn: "claimCredit" },
        { target: f.registry, fn: "withdraw", args: [f.partialNode] },
      ]);
      const [regBefore, attBefore] = await balances(f.registry, f.attacker);
      await (await f.registry.connect(f.others[1]).payTreasury()).wait();
      await expectAllGuarded(f.attacker, [f.registry], 3);
      const [regAfter, attAfter] = await balances(f.registry, f.attacker);
      expect([regBefore - regAfter, attAfter - attBefore]).to.deep.equal([owed, owed]);
      expect(await f.registry.treasuryOwed()).to.equal(0n);
      expect(await f.registry.creditOf(me)).to.be.greaterThan(0n);
    });
  });

  describe("ServiceNodeRewards (defence: nonReentrant on claim / payTreasury, checkpoints written before the transfer)", () => {
    it("claim: re-entering claim and payTreasury fails; the registry refunds the contribution once", async () => {
      const f = await loadFixture(adversarialNet);
      const me = await f.attacker.getAddress();
      await f.rewards.connect(f.others[2]).depositFees(0, { value: ethers.parseEther("10") });
      await time.increase(DAY);
      await arm(f.attacker, [
        { target: f.rewards, fn: "claim", args: [f.hostile.nodeId] },
        { target: f.rewards, fn: "payTreasury" },
        { target: f.registry, fn: "withdraw", args: [f.partialNode] },
      ]);
      const owed = await f.rewards.treasuryOwed();
      const [rewBefore, regBefore, attBefore] = await balances(f.rewards, f.registry, f.attacker);
      const tx = await act(f.attacker, f.rewards, "claim", [f.hostile.nodeId]);
      const receipt = (await tx.wait())!;
      const claimed = receipt.logs.map((l) => f.rewards.interface.parseLog(l)).find((e) => e?.name === "RewardsClaimed")!.args.amount;
      expect(claimed).to.be.greaterThan(0n);

      expect(await attempts(f.attacker, [f.rewards, f.registry])).to.deep.equal([GUARDED, GUARDED, { ok: true }]);
      const [rewAfter, regAfter, attAfter] = await balances(f.rewards, f.registry, f.attacker);
      expect(rewBefore - rewAfter).to.equal(claimed);
      expect(regBefore - regAfter).to.equal(f.attackerContribution);
      expect(attAfter - attBefore).to.equal(claimed + f.attackerContribution);
      expect(await f.rewards.treasuryOwed()).to.equal(owed);
      expect(await f.rewards.claimable(f.hostile.nodeId, me)).to.equal(0n);
      expect(await f.rewards.claimedInCycle()).to.equal(claimed);
    });

    it("payTreasury to a hostile treasury: re-entering payTreasury and claim fails; the fees are paid once", async () => {
      const f = await loadFixture(adversarialNet);
      const me = await f.attacker.getAddress();
      await f.rewards.connect(f.admin).setTreasury(me);
      await f.rewards.connect(f.others[2]).depositFees(0, { value: ethers.parseEther("5") });
      await time.increase(DAY);
      const owed = await f.rewards.treasuryOwed();
      await arm(f.attacker, [
        { target: f.rewards, fn: "payTreasury" },
        { target: f.rewards, fn: "claim", args: [f.hostile.nodeId] },
      ]);
      const [rewBefore, attBefore] = await balances(f.rewards, f.attacker);
      await (await f.rewards.connect(f.others[1]).payTreasury()).wait();
      await expectAllGuarded(f.attacker, [f.rewards], 2);
      const [rewAfter, attAfter] = await balances(f.rewards, f.attacker);
      expect([rewBefore - rewAfter, attAfter - attBefore]).to.deep.equal([owed, owed]);
      expect(await f.rewards.treasuryOwed()).to.equal(0n);
      expect(await f.rewards.claimable(f.hostile.nodeId, me)).to.be.greaterThan(0n);
    });
  });

  describe("StorageCommitment (defence: nonReentrant on withdraw / challenge / respond / resolve, credit zeroed first)", () => {
    it("withdraw of a won challenge: re-entering withdraw, challenge, respond and resolve fails; the registry pays the slash share once", async () => {
      const f = await loadFixture(adversarialNet);
      const me = await f.attacker.getAddress();
      const bond = await f.storage.challengeBond();
      const target = f.honest[0].nodeId;
      const [won, next] = SWARM_MESSAGES.slice(0, 2);
      const hash = messageHash(won);
      await (await act(f.attacker, f.storage, "challenge", [target, f.commitEpoch, hash, won.length, HONEST.proof(hash)], bond)).wait();
      const id = await f.storage.challengeId(target, f.commitEpoch, hash, won.length);
      await time.increase(3601);
      await (await f.storage.connect(f.others[1]).resolve(id)).wait();
      const share = await f.registry.creditOf(me);
      // The challenger's 20% (MAX_CHALLENGER_SHARE_BPS, the default) of the 1% slashed.
      expect(share).to.equal((((REQUIREMENT * 100n) / 10_000n) * 2_000n) / 10_000n);
      expect(await f.storage.creditOf(me)).to.equal(bond);

      const nextHash = messageHash(next);
      await arm(f.attacker, [
        { target: f.storage, fn: "withdraw" },
        { target: f.storage, fn: "challenge", args: [target, f.commitEpoch, nextHash, next.length, HONEST.proof(nextHash)], value: bond },
        { target: f.storage, fn: "respond", args: [id, won, HONEST.proof(hash)] },
        { target: f.storage, fn: "resolve", args: [id] },
        { target: f.registry, fn: "claimCredit" },
      ]);
      const [stBefore, regBefore, attBefore] = await balances(f.storage, f.registry, f.attacker);
      await (await act(f.attacker, f.storage, "withdraw")).wait();

      const list = await attempts(f.attacker, [f.storage, f.registry]);
      expect(list.slice(0, 4)).to.deep.equal([GUARDED, GUARDED, GUARDED, GUARDED]);
      expect(list[4]).to.deep.equal({ ok: true });
      const [stAfter, regAfter, attAfter] = await balances(f.storage, f.registry, f.attacker);
      expect(stBefore - stAfter).to.equal(bond);
      expect(regBefore - regAfter).to.equal(share);
      expect(attAfter - attBefore).to.equal(bond + share);
      expect(await f.storage.creditOf(me)).to.equal(0n);
      expect((await f.storage.getChallenge(await f.storage.challengeId(target, f.commitEpoch, nextHash, next.length))).status).to.equal(0n);
    });
  });

  describe("SessionBridge (defence: nonReentrant on every paid entry point, the fee booked before the refund)", () => {
    /** The four paid entry points, each overpaid by 1 PARS so that the bridge refunds the attacker. */
    async function paidCalls(f: AdversarialNet, sessionId: string, salt: string) {
      const user = f.others[3];
      const fee = await f.bridge.quoteCreateSession();
      const msgFee = await f.bridge.quoteMessage(100);
      const participants = [await f.attacker.getAddress(), user.address];
      const keys = [mlkemKey("adversarial attacker"), keyOf(user)];
      const ct = ethers.randomBytes(100);
      return [
        { fn: "createSession(address[],bytes[],bytes32)", args: [participants, keys, salt], value: fee },
        { fn: "createSession(address[])", args: [participants], value: fee },
        { fn: "sendMessage(bytes32,uint64,bytes)", args: [sessionId, 0n, ct], value: msgFee },
        { fn: "sendMessage(bytes32,bytes)", args: [sessionId, ct], value: msgFee },
      ];
    }

    it("every refund: re-entering the four paid entry points, join and close fails; an unguarded flushFees pays the swarm honestly", async () => {
      const f = await loadFixture(adversarialNet);
      const me = await f.attacker.getAddress();
      const bridge = await f.bridge.getAddress();
      const user = f.others[3];
      const participants = [me, user.address];
      const salt = ethers.id("adversarial session");
      const sessionId = deriveSessionId({ chainId: f.chainId, bridge, creator: me, salt, participants });
      const calls = await paidCalls(f, sessionId, salt);
      const extra = ethers.parseEther("1");
      let sequence = 0n;

      for (const [i, call] of calls.entries()) {
        // The first round creates the session the later rounds use; sequences follow the messages sent.
        const args = call.fn === "sendMessage(bytes32,uint64,bytes)" ? [sessionId, sequence, call.args[2]] : call.args;
        const reentries = (await paidCalls(f, sessionId, ethers.id(`other salt ${i}`))).map((c) => ({
          target: f.bridge,
          fn: c.fn,
          args: c.fn === "sendMessage(bytes32,uint64,bytes)" ? [sessionId, sequence + 1n, c.args[2]] : c.args,
          value: c.value,
        }));
        await arm(f.attacker, [
          ...reentries,
          { target: f.bridge, fn: "joinSession", args: [sessionId, mlkemKey("adversarial attacker")] },
          { target: f.bridge, fn: "closeSession", args: [sessionId] },
          { target: f.bridge, fn: "flushFees", args: [0] },
        ]);
        const [bridgeBefore, attBefore, rewBefore] = await balances(bridge, f.attacker, f.rewards);
        const pendingBefore = await f.bridge.pendingFees(0);
        await (await act(f.attacker, f.bridge, call.fn, args, call.value + extra)).wait();

        const list = await attempts(f.attacker, [f.bridge]);
        expect(list.slice(0, 6), call.fn).to.deep.equal([GUARDED, GUARDED, GUARDED, GUARDED, GUARDED, GUARDED]);
        expect(list[6], call.fn).to.deep.equal({ ok: true });
        // Honest outcome: the fee, and the fees pending before, went to the rewards contract; the rest back.
        const [bridgeAfter, attAfter, rewAfter] = await balances(bridge, f.attacker, f.rewards);
        expect(attAfter - attBefore, call.fn).to.equal(extra);
        expect(rewAfter - rewBefore, call.fn).to.equal(pendingBefore + call.value);
        expect([bridgeBefore, bridgeAfter, await f.bridge.pendingFees(0)], call.fn).to.deep.equal([pendingBefore, 0n, 0n]);
        if (call.fn.startsWith("sendMessage")) sequence += 1n;
      }
      expect((await f.bridge.getSession(sessionId)).messageCount).to.equal(2n);
      expect(await f.bridge.autoSessionNonce(me)).to.equal(1n);
      const auto = deriveSessionId({ chainId: f.chainId, bridge, creator: me, salt: autoSalt(0), participants });
      expect((await f.bridge.getSession(auto)).expiresAt).to.be.greaterThan(0n);
    });

    it("flushFees to a hostile rewards contract: re-entering flushFees finds nothing to flush (effects before the call)", async () => {
      const f = await loadFixture(adversarialNet);
      const bridge = f.sinkBridge;
      const fee = await bridge.quoteCreateSession();
      for (const salt of ["a", "b"]) {
        await bridge.connect(f.others[4])["createSession(address[],bytes[],bytes32)"]([f.others[4].address, f.others[5].address], ["0x", "0x"], ethers.id(salt), { value: fee });
      }
      const pending = await bridge.pendingFees(0);
      expect(pending).to.equal(2n * fee);
      await arm(f.sink, [{ target: bridge, fn: "flushFees", args: [0] }]);
      await (await bridge.connect(f.others[1]).flushFees(0)).wait();
      expect(await attempts(f.sink, [bridge])).to.deep.equal([{ ok: false, error: "NothingToFlush", args: [0n] }]);
      expect(await f.sink.received()).to.equal(pending);
      expect(await balances(bridge)).to.deep.equal([0n]);
      expect(await bridge.pendingFees(0)).to.equal(0n);
    });
  });
});
