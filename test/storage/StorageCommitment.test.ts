import { expect } from "chai";
import { TEST_PROFILE } from "../helpers/precompiles";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { ContractTransactionResponse } from "ethers";
import { currentEpoch, REQUIREMENT } from "../helpers/suite";
import { KeyKind, NodeStatus } from "../../src/registry";
import {
  CHALLENGE_EPOCHS,
  ChallengeStatus,
  MAX_MESSAGE_BYTES,
  MAX_PROOF_LENGTH,
  RESPONSE_WINDOW,
  SIZE_LIMIT,
  StorageTree,
  answerChallenge,
  challengeId,
  messageHash,
  rootPrefix,
  signStorageProof,
  storageLeaf,
} from "../../src/storage";
import {
  DEVIANT,
  HONEST,
  SWARM_MESSAGES,
  commitTree,
  committedEpoch,
  fiveNodes,
  message,
  nextEpoch,
  signedCommitment,
  storageState,
  type StorageSuite,
} from "./helpers";

const BOND = ethers.parseEther("10");
const HOUR = 3600;
const PHOTO = SWARM_MESSAGES[1]; // in HONEST, missing from DEVIANT
const NOTE = SWARM_MESSAGES[2]; // in both
const JUNK = message("junk", 64); // in DEVIANT only

async function gasCost(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<bigint> {
  const receipt = await (await tx).wait();
  return receipt!.gasUsed * receipt!.gasPrice;
}

/**
 * Opens a challenge of `nodeId`'s commitment for `epoch` on `msg`, proven in `tree`: the root the node
 * committed (HONEST for nodes 0..3 of `committedEpoch`, DEVIANT for node 4).
 */
function openChallenge(s: StorageSuite, nodeId: bigint, epoch: number, msg: Uint8Array, tree: StorageTree = HONEST, from = s.others[0]) {
  const hash = messageHash(msg);
  return s.storage.connect(from).challenge(nodeId, epoch, hash, msg.length, tree.proof(hash), { value: BOND });
}

describe("StorageCommitment", () => {
  describe("deployment and governance", () => {
    it("starts with the DESIGN §6 defaults", async () => {
      const s = await loadFixture(fiveNodes);
      expect(await s.storage.challengeBond()).to.equal(BOND);
      expect(await s.storage.failedChallengePenaltyBps()).to.equal(100);
      expect(await s.storage.MAX_CHALLENGER_SHARE_BPS()).to.equal(2_000);
      expect(await s.storage.challengerShareBps()).to.equal(2_000);
      expect(await s.storage.SIZE_LIMIT()).to.equal(SIZE_LIMIT);
      expect(await s.storage.MAX_MESSAGE_BYTES()).to.equal(MAX_MESSAGE_BYTES);
      expect(await s.storage.RESPONSE_WINDOW()).to.equal(RESPONSE_WINDOW);
      expect(await s.storage.CHALLENGE_EPOCHS()).to.equal(CHALLENGE_EPOCHS);
      expect(await s.storage.hasRole(await s.storage.DEFAULT_ADMIN_ROLE(), s.admin.address)).to.equal(true);
      expect(await s.storage.hasRole(await s.storage.GUARDIAN_ROLE(), s.guardian.address)).to.equal(true);
    });

    it("refuses zero addresses", async () => {
      const s = await loadFixture(fiveNodes);
      const args = [s.admin.address, s.guardian.address, await s.registry.getAddress(), await s.swarms.getAddress(), 0, s.admin.address];
      const factory = await ethers.getContractFactory("StorageCommitment");
      for (const i of [0, 2, 3, 5]) {
        const bad = [...args];
        bad[i] = ethers.ZeroAddress;
        await expect(factory.deploy(...(bad as [string, string, string, string, number, string]))).to.be.revertedWithCustomError(
          factory,
          "ZeroAddress",
        );
      }
    });

    it("lets only the admin set parameters, within bounds", async () => {
      const s = await loadFixture(fiveNodes);
      const st = s.storage;
      const admin = st.connect(s.admin);
      const role = await st.DEFAULT_ADMIN_ROLE();
      const setters = [
        ["setChallengeBond", ethers.parseEther("25")],
        ["setFailedChallengePenaltyBps", 250],
        ["setChallengerShareBps", 1_500],
      ] as const;
      for (const [fn, value] of setters) {
        await expect((st.connect(s.others[0]) as any)[fn](value))
          .to.be.revertedWithCustomError(st, "AccessControlUnauthorizedAccount")
          .withArgs(s.others[0].address, role);
      }
      await expect(admin.setChallengeBond(ethers.parseEther("25")))
        .to.emit(st, "ParameterChanged")
        .withArgs(ethers.encodeBytes32String("challengeBond"), ethers.parseEther("25"));
      await expect(admin.setFailedChallengePenaltyBps(250))
        .to.emit(st, "ParameterChanged")
        .withArgs(ethers.encodeBytes32String("failedChallengePenaltyBps"), 250);
      await expect(admin.setChallengerShareBps(1_500))
        .to.emit(st, "ParameterChanged")
        .withArgs(ethers.encodeBytes32String("challengerShareBps"), 1_500);
      expect(await st.challengeBond()).to.equal(ethers.parseEther("25"));
      expect(await st.failedChallengePenaltyBps()).to.equal(250);
      expect(await st.challengerShareBps()).to.equal(1_500);

      const outOfBounds = [
        ["setChallengeBond", "challengeBond", ethers.parseEther("0.01") - 1n],
        ["setChallengeBond", "challengeBond", ethers.parseEther("10000") + 1n],
        ["setFailedChallengePenaltyBps", "failedChallengePenaltyBps", 0n],
        ["setFailedChallengePenaltyBps", "failedChallengePenaltyBps", 1_001n],
        // Below the operator's smallest stake share (25%): an operator never profits by challenging its own node.
        ["setChallengerShareBps", "challengerShareBps", 2_001n],
        ["setChallengerShareBps", "challengerShareBps", 10_000n],
      ] as const;
      for (const [fn, name, value] of outOfBounds) {
        await expect((admin as any)[fn](value))
          .to.be.revertedWithCustomError(st, "InvalidParameter")
          .withArgs(ethers.encodeBytes32String(name), value);
      }
      // The bounds themselves are allowed.
      await admin.setChallengeBond(ethers.parseEther("0.01"));
      await admin.setChallengeBond(ethers.parseEther("10000"));
      await admin.setFailedChallengePenaltyBps(1);
      await admin.setFailedChallengePenaltyBps(1_000);
      await admin.setChallengerShareBps(0);
      await admin.setChallengerShareBps(2_000);
      expect(await st.challengerShareBps()).to.equal(2_000);
    });

    it("lets only the guardian pause", async () => {
      const s = await loadFixture(fiveNodes);
      await expect(s.storage.connect(s.admin).pause())
        .to.be.revertedWithCustomError(s.storage, "AccessControlUnauthorizedAccount")
        .withArgs(s.admin.address, await s.storage.GUARDIAN_ROLE());
      await expect(s.storage.connect(s.guardian).pause()).to.emit(s.storage, "Paused");
      await expect(s.storage.connect(s.guardian).unpause()).to.emit(s.storage, "Unpaused");
    });
  });

  describe("commitments", () => {
    it("accepts a signed proof relayed by anyone, records it and feeds the network's storage totals", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const node = s.nodes[0];
      const relayer = s.others[3];
      await expect(commitTree(s, node, HONEST, epoch, relayer))
        .to.emit(s.storage, "StorageCommitted")
        .withArgs(node.nodeId, 0, epoch, HONEST.root, HONEST.messageCount, HONEST.usedBytes)
        .and.to.emit(s.swarms, "StorageUsedReported")
        .withArgs(node.nodeId, HONEST.usedBytes, HONEST.usedBytes)
        .and.not.to.emit(s.storage, "StorageRootMismatch");
      const c = await s.storage.commitmentOf(node.nodeId, epoch);
      expect(c.committed).to.equal(true);
      expect(c.swarmId).to.equal(0n);
      expect(c.rootPrefix).to.equal(rootPrefix(HONEST.root));
      expect((await s.storage.commitmentOf(node.nodeId, epoch - 1)).committed).to.equal(false);
      expect(await s.swarms.nodeStorageUsed(node.nodeId)).to.equal(HONEST.usedBytes);

      // The next commitments replace each node's report; the network total is their sum.
      await (await commitTree(s, s.nodes[1], DEVIANT, epoch)).wait();
      expect(await s.swarms.storageUsed()).to.equal(HONEST.usedBytes + DEVIANT.usedBytes);
      const next = await nextEpoch();
      const small = StorageTree.fromMessages([message("only one", 10)]);
      await (await commitTree(s, node, small, next)).wait();
      expect(await s.swarms.storageUsed()).to.equal(10n + DEVIANT.usedBytes);
      expect((await s.storage.commitmentOf(node.nodeId, epoch)).committed).to.equal(true); // still kept
    });

    it("accepts usedBytes of exactly 10 GiB and an empty store's zero root", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const c = await signedCommitment(s, s.nodes[0], StorageTree.fromMessages([]), epoch, { usedBytes: SIZE_LIMIT });
      await expect(s.storage.commit(c.proof, c.publicKey, c.signature))
        .to.emit(s.storage, "StorageCommitted")
        .withArgs(s.nodes[0].nodeId, 0, epoch, ethers.ZeroHash, 0, SIZE_LIMIT);
    });

    it("rejects a second commitment in the same epoch", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      await (await commitTree(s, s.nodes[0], HONEST, epoch)).wait();
      const before = await storageState(s, epoch);
      await expect(commitTree(s, s.nodes[0], DEVIANT, epoch))
        .to.be.revertedWithCustomError(s.storage, "AlreadyCommitted")
        .withArgs(s.nodes[0].nodeId, epoch);
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });

    it("rejects stale and future epochs", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const before = await storageState(s, epoch);
      for (const e of [epoch - 1, epoch + 1]) {
        const c = await signedCommitment(s, s.nodes[0], HONEST, e);
        await expect(s.storage.commit(c.proof, c.publicKey, c.signature))
          .to.be.revertedWithCustomError(s.storage, "EpochNotCurrent")
          .withArgs(e, epoch);
      }
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });

    it("rejects usedBytes over 10 GiB", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const before = await storageState(s, epoch);
      const c = await signedCommitment(s, s.nodes[0], HONEST, epoch, { usedBytes: SIZE_LIMIT + 1n });
      await expect(s.storage.commit(c.proof, c.publicKey, c.signature))
        .to.be.revertedWithCustomError(s.storage, "UsedBytesAboveLimit")
        .withArgs(SIZE_LIMIT + 1n, SIZE_LIMIT);
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });

    it("rejects another node's key and a signature by another node's key", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const [a, b] = s.nodes;
      const before = await storageState(s, epoch);
      // B's key and signature for A's proof.
      const c = await signedCommitment(s, a, HONEST, epoch);
      const address = await s.storage.getAddress();
      const bySigB = signStorageProof(b.keys.mldsa.secretKey, s.chainId, address, c.proof, TEST_PROFILE);
      await expect(s.storage.commit(c.proof, b.keys.mldsa.publicKey, bySigB))
        .to.be.revertedWithCustomError(s.storage, "KeyNotOfNode")
        .withArgs(a.nodeId, b.nodeId);
      // A's key, B's signature.
      await expect(s.storage.commit(c.proof, a.keys.mldsa.publicKey, bySigB))
        .to.be.revertedWithCustomError(s.storage, "InvalidSignature")
        .withArgs(a.nodeId);
      // A key no node has.
      const stranger = ethers.getBytes(ethers.concat([new Uint8Array(1951), "0x01"]));
      await expect(s.storage.commit(c.proof, stranger, c.signature))
        .to.be.revertedWithCustomError(s.storage, "KeyNotOfNode")
        .withArgs(a.nodeId, 0);
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });

    it("rejects a signature over other fields, for another contract or another chain", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const node = s.nodes[0];
      const before = await storageState(s, epoch);
      const c = await signedCommitment(s, node, HONEST, epoch);
      const sk = node.keys.mldsa.secretKey;
      const address = await s.storage.getAddress();
      const variants = [
        c.signature.slice(0, 3309).map((x, i) => (i === 100 ? x ^ 1 : x)),
        signStorageProof(sk, s.chainId, address, { ...c.proof, usedBytes: c.proof.usedBytes + 1n }, TEST_PROFILE),
        signStorageProof(sk, s.chainId, s.admin.address, c.proof, TEST_PROFILE),
        signStorageProof(sk, s.chainId + 1n, address, c.proof, TEST_PROFILE),
      ];
      for (const sig of variants) {
        await expect(s.storage.commit(c.proof, c.publicKey, sig))
          .to.be.revertedWithCustomError(s.storage, "InvalidSignature")
          .withArgs(node.nodeId);
      }
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });

    it("rejects bad key and signature lengths", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const c = await signedCommitment(s, s.nodes[0], HONEST, epoch);
      const before = await storageState(s, epoch);
      await expect(s.storage.commit(c.proof, c.publicKey.slice(1), c.signature))
        .to.be.revertedWithCustomError(s.storage, "InvalidKeyLength")
        .withArgs(KeyKind.MlDsa, 1951, 1952);
      await expect(s.storage.commit(c.proof, c.publicKey, ethers.concat([c.signature, "0x00"])))
        .to.be.revertedWithCustomError(s.storage, "InvalidKeyLength")
        .withArgs(KeyKind.MlDsaSignature, 3310, 3309);
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });

    it("rejects a wrong swarm and a node that is not active", async () => {
      const s = await loadFixture(fiveNodes);
      await time.increase(2 * HOUR); // old enough to exit
      const epoch = await nextEpoch();
      const [a, b] = s.nodes;
      const wrong = await signedCommitment(s, a, HONEST, epoch, { swarmId: 7 });
      await expect(s.storage.commit(wrong.proof, wrong.publicKey, wrong.signature))
        .to.be.revertedWithCustomError(s.storage, "WrongSwarm")
        .withArgs(a.nodeId, 7, 0);
      await (await s.registry.connect(b.operator).requestExit(b.nodeId)).wait();
      const before = await storageState(s, epoch);
      const gone = await signedCommitment(s, b, HONEST, epoch, { swarmId: 0 });
      await expect(s.storage.commit(gone.proof, gone.publicKey, gone.signature))
        .to.be.revertedWithCustomError(s.storage, "NodeNotActive")
        .withArgs(b.nodeId);
      expect(await storageState(s, epoch)).to.deep.equal(before);
    });
  });

  describe("swarm roots", () => {
    it("agree on the root of a quorum and majority, and report a differing root by event", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const [n0, n1, n2, n3, n4] = s.nodes;
      await (await commitTree(s, n0, HONEST, epoch)).wait();
      await (await commitTree(s, n1, HONEST, epoch)).wait();
      let r = await s.storage.swarmRoot(0, epoch);
      expect([r.leadNodeId, r.leadCount, r.commitments, r.agreed, r.isFinal]).to.deep.equal([n0.nodeId, 2n, 2n, false, false]);
      await expect(commitTree(s, n2, DEVIANT, epoch))
        .to.emit(s.storage, "StorageRootMismatch")
        .withArgs(n2.nodeId, 0, epoch, DEVIANT.root, n0.nodeId);
      await expect(commitTree(s, n3, HONEST, epoch)).not.to.emit(s.storage, "StorageRootMismatch");
      r = await s.storage.swarmRoot(0, epoch);
      expect(r.rootPrefix).to.equal(rootPrefix(HONEST.root));
      expect([r.leadNodeId, r.leadCount, r.commitments, r.agreed, r.isFinal]).to.deep.equal([n0.nodeId, 3n, 4n, true, false]);
      await (await commitTree(s, n4, DEVIANT, epoch)).wait();
      expect((await s.storage.swarmRoot(0, epoch)).agreed).to.equal(true); // 3 of 5
      await nextEpoch();
      expect((await s.storage.swarmRoot(0, epoch)).isFinal).to.equal(true);
    });

    it("follow the majority when a deviant commits first", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const [n0, n1, n2, n3] = s.nodes;
      await (await commitTree(s, n0, DEVIANT, epoch)).wait();
      // The first honest root differs from the leading one (the deviant's); the second takes the lead.
      await expect(commitTree(s, n1, HONEST, epoch))
        .to.emit(s.storage, "StorageRootMismatch")
        .withArgs(n1.nodeId, 0, epoch, HONEST.root, n0.nodeId);
      await expect(commitTree(s, n2, HONEST, epoch)).to.emit(s.storage, "StorageRootMismatch");
      await expect(commitTree(s, n3, HONEST, epoch)).not.to.emit(s.storage, "StorageRootMismatch");
      const r = await s.storage.swarmRoot(0, epoch);
      expect([r.rootPrefix, r.leadNodeId, r.leadCount, r.commitments, r.agreed]).to.deep.equal([
        rootPrefix(HONEST.root),
        n1.nodeId,
        3n,
        4n,
        true,
      ]);
    });

    it("need a quorum of three and more than half of the commitments", async () => {
      const s = await loadFixture(fiveNodes);
      const epoch = await nextEpoch();
      const other = StorageTree.fromMessages([message("other", 5)]);
      for (const [i, tree] of [HONEST, HONEST, DEVIANT, DEVIANT, other].entries()) {
        await (await commitTree(s, s.nodes[i], tree, epoch)).wait();
        expect((await s.storage.swarmRoot(0, epoch)).agreed).to.equal(false);
      }
      const r = await s.storage.swarmRoot(0, epoch);
      expect([r.leadCount, r.commitments]).to.deep.equal([2n, 5n]);
      // Nothing is kept for an epoch without commitments.
      const empty = await s.storage.swarmRoot(0, epoch - 1);
      expect([empty.commitments, empty.leadNodeId, empty.agreed]).to.deep.equal([0n, 0n, false]);
    });
  });

  describe("challenges", () => {
    it("a leaf proven in the node's own root opens a challenge; the node answers from its store and its operator gets the bond", async () => {
      const s = await loadFixture(committedEpoch);
      const node = s.nodes[0];
      const hash = messageHash(NOTE);
      const id = challengeId(node.nodeId, s.epoch, hash, NOTE.length);
      const tx = openChallenge(s, node.nodeId, s.epoch, NOTE);
      await expect(tx)
        .to.emit(s.storage, "ChallengeOpened")
        .withArgs(id, node.nodeId, s.others[0].address, s.epoch, hash, NOTE.length, BOND, anyValue);
      await expect(tx).to.changeEtherBalances([s.others[0], s.storage], [-BOND, BOND]);
      const c = await s.storage.getChallenge(id);
      expect(c.status).to.equal(ChallengeStatus.Open);
      expect(c.deadline).to.equal(BigInt(await time.latest()) + BigInt(RESPONSE_WINDOW));
      expect(c.nodeRoot).to.equal(rootPrefix(HONEST.root));

      // The node's own store answers (here relayed by a third party) within the window.
      await time.increase(RESPONSE_WINDOW - 10);
      const answer = answerChallenge(HONEST, { messageHash: hash, size: NOTE.length })!;
      await expect(s.storage.connect(s.others[5]).respond(id, answer.message, answer.proof))
        .to.emit(s.storage, "ChallengeAnswered")
        .withArgs(id, node.nodeId, node.operator.address, BOND);
      expect((await s.storage.getChallenge(id)).status).to.equal(ChallengeStatus.Answered);
      expect(await s.storage.creditOf(node.operator.address)).to.equal(BOND);
      const withdrawal = s.storage.connect(node.operator).withdraw();
      await expect(withdrawal).to.emit(s.storage, "Withdrawn").withArgs(node.operator.address, BOND);
      await expect(withdrawal).to.changeEtherBalances([node.operator, s.storage], [BOND, -BOND]);
      await expect(s.storage.connect(node.operator).withdraw())
        .to.be.revertedWithCustomError(s.storage, "NothingToWithdraw")
        .withArgs(node.operator.address);
      // Answered challenges can be neither answered again nor resolved.
      await time.increase(RESPONSE_WINDOW);
      await expect(s.storage.resolve(id))
        .to.be.revertedWithCustomError(s.storage, "ChallengeNotOpen")
        .withArgs(id, ChallengeStatus.Answered);
      await expect(s.storage.respond(id, answer.message, answer.proof))
        .to.be.revertedWithCustomError(s.storage, "ChallengeNotOpen")
        .withArgs(id, ChallengeStatus.Answered);
    });

    it("answers the largest challengeable message (16 KiB)", async () => {
      const s = await loadFixture(committedEpoch);
      const big = SWARM_MESSAGES[3];
      expect(big.length).to.equal(MAX_MESSAGE_BYTES);
      await (await openChallenge(s, s.nodes[1].nodeId, s.epoch, big)).wait();
      const id = challengeId(s.nodes[1].nodeId, s.epoch, messageHash(big), big.length);
      const answer = answerChallenge(HONEST, { messageHash: messageHash(big), size: big.length })!;
      await expect(s.storage.respond(id, answer.message, answer.proof)).to.emit(s.storage, "ChallengeAnswered");
    });

    it("rejects wrong bytes, a proof for another root, a late answer and an unknown challenge", async () => {
      const s = await loadFixture(committedEpoch);
      const deviant = s.nodes[4];
      const hash = messageHash(NOTE);
      // NOTE is in the deviant's tree too: challenged with DEVIANT's proof, it can answer from DEVIANT, not with HONEST's proof.
      await (await openChallenge(s, deviant.nodeId, s.epoch, NOTE, DEVIANT)).wait();
      const id = challengeId(deviant.nodeId, s.epoch, hash, NOTE.length);
      const before = await s.storage.getChallenge(id);
      const other = SWARM_MESSAGES[0];
      await expect(s.storage.respond(id, other, DEVIANT.proof(messageHash(other))))
        .to.be.revertedWithCustomError(s.storage, "WrongMessage")
        .withArgs(id, messageHash(other), other.length);
      const truncated = NOTE.slice(0, NOTE.length - 1);
      await expect(s.storage.respond(id, truncated, DEVIANT.proof(hash)))
        .to.be.revertedWithCustomError(s.storage, "WrongMessage")
        .withArgs(id, messageHash(truncated), truncated.length);
      await expect(s.storage.respond(id, NOTE, HONEST.proof(hash)))
        .to.be.revertedWithCustomError(s.storage, "LeafNotInNodeRoot")
        .withArgs(id);
      const tooBig = new Uint8Array(MAX_MESSAGE_BYTES + 1);
      await expect(s.storage.respond(id, tooBig, []))
        .to.be.revertedWithCustomError(s.storage, "MessageTooLarge")
        .withArgs(MAX_MESSAGE_BYTES + 1, MAX_MESSAGE_BYTES);
      await expect(s.storage.respond(id, NOTE, new Array(MAX_PROOF_LENGTH + 1).fill(ethers.ZeroHash)))
        .to.be.revertedWithCustomError(s.storage, "ProofTooLong")
        .withArgs(MAX_PROOF_LENGTH + 1, MAX_PROOF_LENGTH);
      const unknown = ethers.id("no such challenge");
      await expect(s.storage.respond(unknown, NOTE, [])).to.be.revertedWithCustomError(s.storage, "UnknownChallenge").withArgs(unknown);
      await expect(s.storage.resolve(unknown)).to.be.revertedWithCustomError(s.storage, "UnknownChallenge").withArgs(unknown);
      expect((await s.storage.getChallenge(id)).toString()).to.equal(before.toString());

      await time.increase(RESPONSE_WINDOW + 1);
      await expect(s.storage.respond(id, NOTE, DEVIANT.proof(hash)))
        .to.be.revertedWithCustomError(s.storage, "ResponseWindowClosed")
        .withArgs(id, before.deadline);
      expect((await s.storage.getChallenge(id)).toString()).to.equal(before.toString());
    });

    it("without an answer: the node is slashed, the challenger gets the bond and its share to the wei, once", async () => {
      const s = await loadFixture(committedEpoch);
      const deviant = s.nodes[4];
      const challenger = s.others[0];
      const keeper = s.others[1];
      const b0 = await ethers.provider.getBalance(challenger.address);
      const owed0 = await s.registry.treasuryOwed();
      // A leaf of the deviant's own root, which it never answers.
      let gas = await gasCost(openChallenge(s, deviant.nodeId, s.epoch, JUNK, DEVIANT, challenger));
      const id = challengeId(deviant.nodeId, s.epoch, messageHash(JUNK), JUNK.length);
      const deadline = (await s.storage.getChallenge(id)).deadline;
      await expect(s.storage.resolve(id)).to.be.revertedWithCustomError(s.storage, "ResponseWindowOpen").withArgs(id, deadline);

      await time.increaseTo(deadline + 1n);
      const slashed = (REQUIREMENT * 100n) / 10_000n; // 1% of 15,000 PARS
      const share = (slashed * 2_000n) / 10_000n; // the challenger's 20%
      expect(await s.storage.connect(keeper).resolve.staticCall(id)).to.equal(true);
      const tx = s.storage.connect(keeper).resolve(id);
      await expect(tx)
        .to.emit(s.storage, "ChallengeDefaulted")
        .withArgs(id, deviant.nodeId, challenger.address, BOND, 100, 2_000)
        .and.to.emit(s.registry, "NodeSlashed")
        .withArgs(deviant.nodeId, 100, slashed, challenger.address, share);
      expect((await s.storage.getChallenge(id)).status).to.equal(ChallengeStatus.Defaulted);
      const node = await s.registry.getNode(deviant.nodeId);
      expect(node.penaltyBps).to.equal(100n);
      expect(node.status).to.equal(NodeStatus.Active);
      expect(await s.registry.effectiveStake(deviant.nodeId)).to.equal(REQUIREMENT - slashed);
      expect(await s.registry.treasuryOwed()).to.equal(owed0 + slashed - share);
      expect(await s.registry.creditOf(challenger.address)).to.equal(share);
      expect(await s.storage.creditOf(challenger.address)).to.equal(BOND);

      await expect(s.storage.connect(keeper).resolve(id))
        .to.be.revertedWithCustomError(s.storage, "ChallengeNotOpen")
        .withArgs(id, ChallengeStatus.Defaulted);

      gas += await gasCost(s.storage.connect(challenger).withdraw());
      gas += await gasCost(s.registry.connect(challenger).claimCredit());
      expect(await ethers.provider.getBalance(challenger.address)).to.equal(b0 - gas + share);
      expect(await ethers.provider.getBalance(await s.storage.getAddress())).to.equal(0n);
    });

    it("returns the bond without a slash when the node's stake is no longer locked", async () => {
      const s = await loadFixture(committedEpoch);
      const deviant = s.nodes[4];
      await (await openChallenge(s, deviant.nodeId, s.epoch, JUNK, DEVIANT)).wait();
      const id = challengeId(deviant.nodeId, s.epoch, messageHash(JUNK), JUNK.length);
      await time.increase(2 * HOUR); // exits come at least 2 hours after activation
      await (await s.registry.connect(deviant.operator).requestExit(deviant.nodeId)).wait();
      await time.increase(31 * 24 * HOUR);
      const owed = await s.registry.treasuryOwed();
      await expect(s.storage.resolve(id))
        .to.emit(s.storage, "ChallengeDefaulted")
        .withArgs(id, deviant.nodeId, s.others[0].address, BOND, 0, 2_000)
        .and.not.to.emit(s.registry, "NodeSlashed");
      expect(await s.registry.treasuryOwed()).to.equal(owed);
      expect(await s.storage.creditOf(s.others[0].address)).to.equal(BOND);
    });

    it("cannot frame a node: a leaf of the agreed swarm root that the node did not commit is refused", async () => {
      const s = await loadFixture(committedEpoch);
      const deviant = s.nodes[4];
      // The photo is in the swarm root (HONEST, 4 of 5), but the deviant's own signed root says it lacks it.
      const r = await s.storage.swarmRoot(0, s.epoch);
      expect([r.rootPrefix, r.agreed, r.isFinal]).to.deep.equal([rootPrefix(HONEST.root), true, true]);
      expect(() => DEVIANT.proof(messageHash(PHOTO))).to.throw(/not in this tree/);
      const before = await storageState(s, s.epoch);
      await expect(openChallenge(s, deviant.nodeId, s.epoch, PHOTO))
        .to.be.revertedWithCustomError(s.storage, "LeafNotCommitted")
        .withArgs(deviant.nodeId, s.epoch, storageLeaf(messageHash(PHOTO), PHOTO.length));
      expect(await storageState(s, s.epoch)).to.deep.equal(before);
      // What the deviant did commit can be challenged, proven in its own root.
      await expect(openChallenge(s, deviant.nodeId, s.epoch, NOTE, DEVIANT)).to.emit(s.storage, "ChallengeOpened");
    });

    it("slashes a node at most once per epoch: a second default of the same epoch returns the bond only", async () => {
      const s = await loadFixture(committedEpoch);
      const deviant = s.nodes[4];
      const [first, second] = [s.others[0], s.others[1]];
      const slashed = (REQUIREMENT * 100n) / 10_000n;
      const share = (slashed * 2_000n) / 10_000n;
      // The deviant also commits for the current epoch e + 1 (challenged below, once it is over).
      const later = s.epoch + 1;
      await (await commitTree(s, deviant, DEVIANT, later)).wait();
      // Two leaves of epoch e, two challengers; the deviant answers neither.
      await (await openChallenge(s, deviant.nodeId, s.epoch, NOTE, DEVIANT, first)).wait();
      await (await openChallenge(s, deviant.nodeId, s.epoch, JUNK, DEVIANT, second)).wait();
      const id1 = challengeId(deviant.nodeId, s.epoch, messageHash(NOTE), NOTE.length);
      const id2 = challengeId(deviant.nodeId, s.epoch, messageHash(JUNK), JUNK.length);
      await time.increase(RESPONSE_WINDOW + 1);

      await expect(s.storage.resolve(id1))
        .to.emit(s.storage, "ChallengeDefaulted")
        .withArgs(id1, deviant.nodeId, first.address, BOND, 100, 2_000)
        .and.to.emit(s.registry, "NodeSlashed")
        .withArgs(deviant.nodeId, 100, slashed, first.address, share);
      const owed = await s.registry.treasuryOwed();
      expect(await s.storage.resolve.staticCall(id2)).to.equal(false);
      await expect(s.storage.resolve(id2))
        .to.emit(s.storage, "ChallengeDefaulted")
        .withArgs(id2, deviant.nodeId, second.address, BOND, 0, 2_000)
        .and.not.to.emit(s.registry, "NodeSlashed");
      expect((await s.storage.getChallenge(id2)).status).to.equal(ChallengeStatus.Defaulted);
      expect((await s.registry.getNode(deviant.nodeId)).penaltyBps).to.equal(100n);
      expect(await s.registry.treasuryOwed()).to.equal(owed);
      expect(await s.storage.creditOf(second.address)).to.equal(BOND);
      expect(await s.registry.creditOf(second.address)).to.equal(0n);
      expect(await s.registry.creditOf(first.address)).to.equal(share);

      // Another epoch's default is another penalty.
      await (await openChallenge(s, deviant.nodeId, later, JUNK, DEVIANT, second)).wait();
      const id3 = challengeId(deviant.nodeId, later, messageHash(JUNK), JUNK.length);
      await time.increase(RESPONSE_WINDOW + 1);
      await expect(s.storage.resolve(id3))
        .to.emit(s.storage, "ChallengeDefaulted")
        .withArgs(id3, deviant.nodeId, second.address, BOND, 100, 2_000)
        .and.to.emit(s.registry, "NodeSlashed")
        .withArgs(deviant.nodeId, 100, slashed, second.address, share);
      expect((await s.registry.getNode(deviant.nodeId)).penaltyBps).to.equal(200n);
    });

    it("rejects a leaf the node did not commit, a forged proof, duplicates, wrong bonds and unchallengeable epochs", async () => {
      const s = await loadFixture(committedEpoch);
      const node = s.nodes[0];
      const st = s.storage.connect(s.others[0]);
      const before = await storageState(s, s.epoch);
      // A leaf only the deviant has (with its valid proof in the deviant's root) is not in node 0's root.
      const junkHash = messageHash(JUNK);
      await expect(st.challenge(node.nodeId, s.epoch, junkHash, 64, DEVIANT.proof(junkHash), { value: BOND }))
        .to.be.revertedWithCustomError(s.storage, "LeafNotCommitted")
        .withArgs(node.nodeId, s.epoch, storageLeaf(junkHash, 64));
      // A forged leaf: a real message with a wrong size, with the real proof.
      const hash = messageHash(NOTE);
      await expect(st.challenge(node.nodeId, s.epoch, hash, NOTE.length + 1, HONEST.proof(hash), { value: BOND }))
        .to.be.revertedWithCustomError(s.storage, "LeafNotCommitted")
        .withArgs(node.nodeId, s.epoch, storageLeaf(hash, NOTE.length + 1));
      const tooLarge = SWARM_MESSAGES[4];
      const tlHash = messageHash(tooLarge);
      await expect(st.challenge(node.nodeId, s.epoch, tlHash, tooLarge.length, HONEST.proof(tlHash), { value: BOND }))
        .to.be.revertedWithCustomError(s.storage, "MessageTooLarge")
        .withArgs(tooLarge.length, MAX_MESSAGE_BYTES);
      await expect(st.challenge(node.nodeId, s.epoch, hash, NOTE.length, new Array(65).fill(ethers.ZeroHash), { value: BOND }))
        .to.be.revertedWithCustomError(s.storage, "ProofTooLong")
        .withArgs(65, MAX_PROOF_LENGTH);
      for (const value of [0n, BOND - 1n, BOND + 1n]) {
        await expect(st.challenge(node.nodeId, s.epoch, hash, NOTE.length, HONEST.proof(hash), { value }))
          .to.be.revertedWithCustomError(s.storage, "WrongBond")
          .withArgs(value, BOND);
      }
      const current = s.epoch + 1;
      for (const e of [current, s.epoch - CHALLENGE_EPOCHS]) {
        await expect(st.challenge(node.nodeId, e, hash, NOTE.length, HONEST.proof(hash), { value: BOND }))
          .to.be.revertedWithCustomError(s.storage, "EpochNotChallengeable")
          .withArgs(e, current);
      }
      await expect(st.challenge(node.nodeId, s.epoch - 1, hash, NOTE.length, HONEST.proof(hash), { value: BOND }))
        .to.be.revertedWithCustomError(s.storage, "NoCommitment")
        .withArgs(node.nodeId, s.epoch - 1);
      expect(await storageState(s, s.epoch)).to.deep.equal(before);

      await (await openChallenge(s, node.nodeId, s.epoch, NOTE)).wait();
      const id = challengeId(node.nodeId, s.epoch, hash, NOTE.length);
      await expect(openChallenge(s, node.nodeId, s.epoch, NOTE, HONEST, s.others[2]))
        .to.be.revertedWithCustomError(s.storage, "ChallengeExists")
        .withArgs(id, ChallengeStatus.Open);
      // Another leaf of the same node and epoch is another challenge.
      await expect(openChallenge(s, node.nodeId, s.epoch, PHOTO)).to.emit(s.storage, "ChallengeOpened");
    });

    it("needs the node's commitment, not a swarm root; the challengeable window is the last three epochs", async () => {
      const s = await loadFixture(committedEpoch);
      const node = s.nodes[0];
      // Epoch e+1: only two nodes commit, no quorum; the node's own signed root is the evidence.
      const thin = s.epoch + 1;
      await (await commitTree(s, s.nodes[0], HONEST, thin)).wait();
      await (await commitTree(s, s.nodes[1], HONEST, thin)).wait();
      await nextEpoch();
      expect((await s.storage.swarmRoot(0, thin)).agreed).to.equal(false);
      const hash = messageHash(NOTE);
      await expect(openChallenge(s, node.nodeId, thin, NOTE))
        .to.emit(s.storage, "ChallengeOpened")
        .withArgs(challengeId(node.nodeId, thin, hash, NOTE.length), node.nodeId, s.others[0].address, thin, hash, NOTE.length, BOND, anyValue);
      await expect(openChallenge(s, s.nodes[2].nodeId, thin, NOTE))
        .to.be.revertedWithCustomError(s.storage, "NoCommitment")
        .withArgs(s.nodes[2].nodeId, thin);
      // e is challengeable through e + 3, not after.
      await nextEpoch(); // current = e + 3
      await expect(openChallenge(s, node.nodeId, s.epoch, NOTE)).to.emit(s.storage, "ChallengeOpened");
      await nextEpoch(); // current = e + 4
      await expect(openChallenge(s, s.nodes[1].nodeId, s.epoch, NOTE))
        .to.be.revertedWithCustomError(s.storage, "EpochNotChallengeable")
        .withArgs(s.epoch, s.epoch + 4);
    });

    it("a pause stops new challenges only: answers, resolutions and withdrawals go on", async () => {
      const s = await loadFixture(committedEpoch);
      await (await openChallenge(s, s.nodes[0].nodeId, s.epoch, NOTE)).wait();
      await (await openChallenge(s, s.nodes[4].nodeId, s.epoch, JUNK, DEVIANT)).wait();
      await (await s.storage.connect(s.guardian).pause()).wait();
      await expect(openChallenge(s, s.nodes[1].nodeId, s.epoch, NOTE)).to.be.revertedWithCustomError(s.storage, "EnforcedPause");

      const answered = challengeId(s.nodes[0].nodeId, s.epoch, messageHash(NOTE), NOTE.length);
      const answer = answerChallenge(HONEST, { messageHash: messageHash(NOTE), size: NOTE.length })!;
      await expect(s.storage.respond(answered, answer.message, answer.proof)).to.emit(s.storage, "ChallengeAnswered");
      await time.increase(RESPONSE_WINDOW + 1);
      const defaulted = challengeId(s.nodes[4].nodeId, s.epoch, messageHash(JUNK), JUNK.length);
      await expect(s.storage.resolve(defaulted)).to.emit(s.storage, "ChallengeDefaulted");
      await expect(s.storage.connect(s.others[0]).withdraw()).to.changeEtherBalance(s.others[0], BOND);
      await expect(s.storage.connect(s.nodes[0].operator).withdraw()).to.changeEtherBalance(s.nodes[0].operator, BOND);
      // Commitments go on too.
      const e = await currentEpoch();
      await expect(commitTree(s, s.nodes[0], HONEST, e)).to.emit(s.storage, "StorageCommitted");
    });
  });
});
