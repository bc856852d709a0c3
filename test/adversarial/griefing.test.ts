/**
 * Griefing and front-running: dust contributions, challenge spam, zero-value calls, heartbeats relayed
 * by strangers, and a registration copied from the mempool. Each `it` names the defence it exercises.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys } from "../helpers/suite";
import { HONEST, SWARM_MESSAGES, message } from "../storage/helpers";
import { answerChallenge, messageHash, storageLeaf } from "../../src/storage";
import { NodeStatus, operatorMinimum } from "../../src/registry";
import { heartbeatHash } from "../../src/heartbeat";
import { MESSAGE_FEE_PER_KIB } from "../../src/sessions";
import { act, adversarialNet, rotationSignature, systemState, type AdversarialNet } from "./fixture";

/** The value honest node `i` reveals in the current epoch (its chain is anchored at its registration epoch). */
async function heartbeatValue(f: AdversarialNet, i: number) {
  return f.honest[i].keys.chain.valueForEpoch(await currentEpoch());
}

describe("adversarial: griefing", () => {
  describe("dust contributions (defence: minimum contribution = ceil(unreserved remaining / open slots), ZeroContribution)", () => {
    it("refuses dust, and filling every open slot at the minimum completes the stake instead of locking the node out", async () => {
      const f = await loadFixture(adversarialNet);
      const node = f.partialNode;
      const min = await f.registry.minimumContribution(node);
      const before = await systemState(f);
      await expect(f.registry.connect(f.others[0]).contribute(node, { value: 1n }))
        .to.be.revertedWithCustomError(f.registry, "ContributionTooLow")
        .withArgs(1n, min);
      await expect(f.registry.connect(f.others[0]).contribute(node, { value: min - 1n }))
        .to.be.revertedWithCustomError(f.registry, "ContributionTooLow")
        .withArgs(min - 1n, min);
      await expect(f.registry.connect(f.others[0]).contribute(node)).to.be.revertedWithCustomError(f.registry, "ZeroContribution");
      expect(await systemState(f)).to.deep.equal(before);

      // Eight griefers take the eight open slots, each paying exactly the minimum of the moment.
      const griefers = f.others.slice(0, 8);
      for (const [i, g] of griefers.entries()) {
        const m = await f.registry.minimumContribution(node);
        const tx = f.registry.connect(g).contribute(node, { value: m });
        if (i < griefers.length - 1) await expect(tx).not.to.emit(f.registry, "NodeActivated");
        else await expect(tx).to.emit(f.registry, "NodeActivated");
      }
      const n = await f.registry.getNode(node);
      expect([n.status, n.contributorCount, n.stake]).to.deep.equal([NodeStatus.Active, 10n, REQUIREMENT]);
    });

    it("dust fees cannot shift rewards: a 1-wei deposit goes to the treasury, a 1-byte message pays a whole KiB", async () => {
      const f = await loadFixture(adversarialNet);
      const owed = await f.rewards.treasuryOwed();
      await expect(f.rewards.connect(f.others[0]).depositFees(0, { value: 1n }))
        .to.emit(f.rewards, "FeesDeposited")
        .withArgs(0, f.others[0].address, 0n, 1n);
      expect(await f.rewards.treasuryOwed()).to.equal(owed + 1n);
      expect(await f.rewards.feePerStake(0)).to.equal(0n);
      expect(await f.bridge.quoteMessage(1)).to.equal(MESSAGE_FEE_PER_KIB);
    });
  });

  describe("challenge spam (defence: exact bond, leaves of the node's own root only, one challenge per leaf, the bond paid to the operator that answers)", () => {
    it("every spurious challenge costs the challenger its bond, paid to the node's operator; the node loses nothing", async () => {
      const f = await loadFixture(adversarialNet);
      const spammer = f.others[9];
      const target = f.honest[1];
      const bond = await f.storage.challengeBond();
      const stakeBefore = (await f.registry.getNode(target.nodeId)).toString();
      const [note] = SWARM_MESSAGES;
      const noteHash = messageHash(note);

      // No bond, a short bond, a message the node never committed, an epoch not final: refused, nothing kept.
      const before = await systemState(f);
      const challenge = (hash: string, size: number, proof: string[], value: bigint, epoch = f.commitEpoch) =>
        f.storage.connect(spammer).challenge(target.nodeId, epoch, hash, size, proof, { value });
      await expect(challenge(noteHash, note.length, HONEST.proof(noteHash), 0n)).to.be.revertedWithCustomError(f.storage, "WrongBond").withArgs(0n, bond);
      await expect(challenge(noteHash, note.length, HONEST.proof(noteHash), bond - 1n))
        .to.be.revertedWithCustomError(f.storage, "WrongBond")
        .withArgs(bond - 1n, bond);
      const junk = message("never stored", 77);
      await expect(challenge(messageHash(junk), junk.length, HONEST.proof(noteHash), bond))
        .to.be.revertedWithCustomError(f.storage, "LeafNotCommitted")
        .withArgs(target.nodeId, f.commitEpoch, storageLeaf(messageHash(junk), junk.length));
      const now = await currentEpoch();
      await expect(challenge(noteHash, note.length, HONEST.proof(noteHash), bond, now))
        .to.be.revertedWithCustomError(f.storage, "EpochNotChallengeable")
        .withArgs(now, now);
      expect(await systemState(f)).to.deep.equal(before);

      // Three bonded challenges of messages the node holds; a stranger relays each answer.
      const spam = SWARM_MESSAGES.slice(0, 3);
      for (const m of spam) {
        const h = messageHash(m);
        await expect(challenge(h, m.length, HONEST.proof(h), bond)).to.changeEtherBalances([spammer, f.storage], [-bond, bond]);
        const id = await f.storage.challengeId(target.nodeId, f.commitEpoch, h, m.length);
        const answer = answerChallenge(HONEST, { messageHash: h, size: m.length })!;
        await expect(f.storage.connect(f.others[10]).respond(id, answer.message, answer.proof))
          .to.emit(f.storage, "ChallengeAnswered")
          .withArgs(id, target.nodeId, target.operator.address, bond);
        // The same challenge cannot be opened again to farm anything.
        await expect(challenge(h, m.length, HONEST.proof(h), bond)).to.be.revertedWithCustomError(f.storage, "ChallengeExists").withArgs(id, 2);
      }
      expect(await f.storage.creditOf(target.operator.address)).to.equal(3n * bond);
      expect(await f.storage.creditOf(spammer.address)).to.equal(0n);
      expect((await f.registry.getNode(target.nodeId)).toString()).to.equal(stakeBefore);
      await expect(f.storage.connect(target.operator).withdraw()).to.changeEtherBalance(target.operator, 3n * bond);
    });
  });

  describe("zero-value calls (defence: a named error for every empty call, and no state change)", () => {
    it("refuses zero stakes, contributions, funding, fees, bonds and empty claims by name, changing nothing", async () => {
      const f = await loadFixture(adversarialNet);
      const user = f.others[11];
      const me = user.address;
      const reg = await buildRegistration(f.registry, me, nodeKeys("zero-value", await currentEpoch()));
      const pair = [me, f.others[12].address];
      const fee = await f.bridge.quoteCreateSession();
      const before = await systemState(f);

      await expect(f.registry.connect(user).register(reg)).to.be.revertedWithCustomError(f.registry, "OperatorStakeTooLow").withArgs(0n, operatorMinimum(REQUIREMENT));
      await expect(f.registry.connect(user).contribute(f.partialNode)).to.be.revertedWithCustomError(f.registry, "ZeroContribution");
      await expect(f.registry.connect(user).claimCredit()).to.be.revertedWithCustomError(f.registry, "NothingToWithdraw").withArgs(0n, me);
      await expect(f.registry.connect(user).withdraw(f.partialNode)).to.be.revertedWithCustomError(f.registry, "NothingToWithdraw").withArgs(f.partialNode, me);
      await expect(f.registry.connect(user).heartbeatBatch([], [])).to.be.revertedWithCustomError(f.registry, "InvalidBatch").withArgs(0n);
      await expect(f.rewards.connect(user).fund()).to.be.revertedWithCustomError(f.rewards, "ZeroAmount");
      await expect(f.rewards.connect(user).depositFees(0)).to.be.revertedWithCustomError(f.rewards, "ZeroAmount");
      await expect(f.rewards.connect(user).claim(f.honest[0].nodeId)).to.be.revertedWithCustomError(f.rewards, "NothingToClaim").withArgs(f.honest[0].nodeId, me);
      await expect(f.storage.connect(user).withdraw()).to.be.revertedWithCustomError(f.storage, "NothingToWithdraw").withArgs(me);
      const [h] = [messageHash(SWARM_MESSAGES[0])];
      await expect(f.storage.connect(user).challenge(f.honest[0].nodeId, f.commitEpoch, h, SWARM_MESSAGES[0].length, HONEST.proof(h)))
        .to.be.revertedWithCustomError(f.storage, "WrongBond")
        .withArgs(0n, await f.storage.challengeBond());
      await expect(f.bridge.connect(user)["createSession(address[])"](pair)).to.be.revertedWithCustomError(f.bridge, "InsufficientFee").withArgs(0n, fee);
      await expect(f.bridge.connect(user)["createSession(address[],bytes[],bytes32)"](pair, ["0x", "0x"], ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.bridge, "InsufficientFee")
        .withArgs(0n, fee);
      await expect(f.bridge.connect(user).flushFees(0)).to.be.revertedWithCustomError(f.bridge, "NothingToFlush").withArgs(0);
      // Nothing owed: the payout is a no-op that pays and emits nothing.
      expect(await f.registry.treasuryOwed()).to.equal(0n);
      await expect(f.registry.connect(user).payTreasury()).not.to.emit(f.registry, "TreasuryPaid");
      expect(await f.rewards.treasuryOwed()).to.equal(0n);
      await expect(f.rewards.connect(user).payTreasury()).not.to.emit(f.rewards, "TreasuryPaid");
      expect(await systemState(f)).to.deep.equal(before);
    });
  });

  describe("heartbeat relays for others (defence: one-way hash chain, one value per epoch, settles only the node's own record)", () => {
    it("a stranger relaying the right preimage only proves the node live; stale, junk or anchor values are refused", async () => {
      const f = await loadFixture(adversarialNet);
      const node = f.honest[0];
      const relayer = f.others[13];
      const value = await heartbeatValue(f, 0);
      const n0 = await f.registry.getNode(node.nodeId);
      const epoch = await currentEpoch();

      // Values anyone can see (the anchor, i.e. the last revealed value) or make up are refused.
      const before = await systemState(f);
      for (const bad of [n0.lastRevealed, heartbeatHash(value), ethers.id("junk")]) {
        await expect(f.registry.connect(relayer).heartbeat(node.nodeId, bad))
          .to.be.revertedWithCustomError(f.registry, "InvalidHeartbeat")
          .withArgs(node.nodeId, epoch);
      }
      // A batch with one bad entry is refused whole: a relayer cannot spoil anyone else's entry.
      await expect(f.registry.connect(relayer).heartbeatBatch([f.honest[1].nodeId, node.nodeId], [await heartbeatValue(f, 1), ethers.id("junk")]))
        .to.be.revertedWithCustomError(f.registry, "InvalidHeartbeat")
        .withArgs(node.nodeId, epoch);
      // Nor rotate the node's anchor without the node's ML-DSA key, nor penalise a node that is not late.
      const own = nodeKeys("relayer's own key", epoch);
      const forged = rotationSignature(own, f.chainId, await f.registry.getAddress(), node.nodeId, ethers.id("evil anchor"), epoch);
      await expect(f.registry.connect(relayer).rotateHeartbeatAnchor(node.nodeId, ethers.id("evil anchor"), own.mldsa.publicKey, forged))
        .to.be.revertedWithCustomError(f.registry, "InvalidNodeSignature")
        .withArgs(node.nodeId);
      expect(await systemState(f)).to.deep.equal(before);

      // The real value, relayed by the stranger: accepted for the node, exactly as if the node had sent it.
      const missed = BigInt(epoch - 1) - n0.penalizedThroughEpoch;
      await expect(f.registry.connect(relayer).heartbeat(node.nodeId, value)).to.emit(f.registry, "HeartbeatAccepted").withArgs(node.nodeId, epoch, value);
      const n1 = await f.registry.getNode(node.nodeId);
      expect([n1.lastHeartbeatEpoch, n1.lastRevealed, n1.penalizedThroughEpoch, n1.status]).to.deep.equal([BigInt(epoch), value, BigInt(epoch), NodeStatus.Active]);
      // Only the node's own missed epochs were settled, at the standard rate.
      expect(n1.penaltyBps).to.equal(missed * (await f.registry.missedEpochPenaltyBps()));
      await expect(f.registry.connect(relayer).penalize(node.nodeId)).to.be.revertedWithCustomError(f.registry, "NothingToPenalize").withArgs(node.nodeId);

      // The node's own, later submission of the same value: nothing lost (batches skip it, single calls say why).
      await expect(f.registry.connect(node.operator).heartbeat(node.nodeId, value))
        .to.be.revertedWithCustomError(f.registry, "HeartbeatAlreadySent")
        .withArgs(node.nodeId, epoch);
      expect(await f.registry.connect(node.operator).heartbeatBatch.staticCall([node.nodeId], [value])).to.equal(0n);
      // Replaying the revealed value in the next epoch is refused; the node's next value still works.
      await time.increase(3600);
      await expect(f.registry.connect(relayer).heartbeat(node.nodeId, value))
        .to.be.revertedWithCustomError(f.registry, "InvalidHeartbeat")
        .withArgs(node.nodeId, epoch + 1);
      await expect(f.registry.connect(node.operator).heartbeat(node.nodeId, await heartbeatValue(f, 0))).to.emit(f.registry, "HeartbeatAccepted");
    });
  });

  describe("penalty evasion at exit", () => {
    // Missed-epoch penalties are settled lazily (heartbeat, rotation, penalize); requestExit settles them
    // before decommissioning, so a node that stops proving liveness cannot leave with its whole stake.
    // Would fail if requestExit decommissioned without settling.
    it("a node that missed epochs pays their penalty when it exits", async () => {
      const f = await loadFixture(adversarialNet);
      const node = f.honest[3];
      await time.increase(20 * 3600);
      const missed = BigInt((await currentEpoch()) - 1) - (await f.registry.getNode(node.nodeId)).penalizedThroughEpoch;
      await f.registry.connect(node.operator).requestExit(node.nodeId);
      expect((await f.registry.getNode(node.nodeId)).penaltyBps).to.equal(missed * (await f.registry.missedEpochPenaltyBps()));
    });
  });

  describe("front-running a registration (defence: both proofs of possession sign a digest bound to the operator, chain and registry)", () => {
    it("a copy of the pending registration sent by another account is refused, and the original still lands", async () => {
      const f = await loadFixture(adversarialNet);
      const victim = f.others[14];
      const thief = f.others[15];
      const keys = nodeKeys("front-run victim", await currentEpoch());
      const reg = await buildRegistration(f.registry, victim.address, keys);
      const before = await systemState(f);

      // The calldata and value copied verbatim from the mempool, from the thief's account.
      const data = f.registry.interface.encodeFunctionData("register", [reg]);
      await expect(thief.sendTransaction({ to: await f.registry.getAddress(), data, value: REQUIREMENT })).to.be.revertedWithCustomError(f.registry, "InvalidMldsaProof");
      // ... or through a contract.
      await expect(act(f.attacker, f.registry, "register", [reg], REQUIREMENT)).to.be.revertedWithCustomError(f.registry, "InvalidMldsaProof");

      // The same keys with proofs of the thief's own making: without the secret keys it can only sign
      // with keys of its own, which do not match the public keys it copies.
      const own = nodeKeys("front-run thief", await currentEpoch());
      const thiefReg = await buildRegistration(f.registry, thief.address, own);
      const withVictimDsa = { ...thiefReg, mldsaPublicKey: keys.mldsa.publicKey };
      await expect(f.registry.connect(thief).register(withVictimDsa, { value: REQUIREMENT })).to.be.revertedWithCustomError(f.registry, "InvalidMldsaProof");
      // Its own valid ML-DSA proof over a digest naming the victim's BLS key, and a BLS proof by its own BLS key.
      const mixed = await buildRegistration(f.registry, thief.address, { ...own, bls: { ...own.bls, publicKey: keys.bls.publicKey } });
      await expect(f.registry.connect(thief).register(mixed, { value: REQUIREMENT })).to.be.revertedWithCustomError(f.registry, "InvalidBlsProof");
      expect(await systemState(f)).to.deep.equal(before);

      await expect(f.registry.connect(victim).register(reg, { value: REQUIREMENT })).to.emit(f.registry, "NodeActivated");
      expect((await f.registry.getNode(await f.registry.lastNodeId())).operator).to.equal(victim.address);
    });

    // ML-KEM squatting: possession of a KEM key cannot be proven without interaction, so the registry
    // does not reserve ML-KEM keys (identities, ML-DSA and BLS, are reserved and proven). A front-runner
    // who copies the victim's ML-KEM key from the mempool into a registration of its own keys, even one
    // it cancels at once, cannot block the victim's registration. Would fail if ML-KEM keys were
    // reserved again (`KeyAlreadyRegistered(1, …)`).
    it("a front-runner cannot block a registration by squatting its unproven ML-KEM key", async () => {
      const f = await loadFixture(adversarialNet);
      const victim = f.others[14];
      const squatter = f.others[15];
      const keys = nodeKeys("squat victim", await currentEpoch());
      const reg = await buildRegistration(f.registry, victim.address, keys);
      const own = nodeKeys("squatter", await currentEpoch());
      const squat = await buildRegistration(f.registry, squatter.address, { ...own, mlkem: keys.mlkem });
      // The squatter registers with the minimum stake and cancels at once, getting everything back.
      await expect(f.registry.connect(squatter).register(squat, { value: operatorMinimum(REQUIREMENT) })).to.emit(f.registry, "NodeRegistered");
      const squatId = await f.registry.lastNodeId();
      await expect(f.registry.connect(squatter).withdraw(squatId)).to.emit(f.registry, "RegistrationCancelled").withArgs(squatId);
      await expect(f.registry.connect(victim).register(reg, { value: REQUIREMENT })).to.emit(f.registry, "NodeActivated");
    });
  });
});
