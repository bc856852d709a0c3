import { expect } from "chai";
import { TEST_PROFILE } from "../helpers/precompiles";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  COMMITMENT_RING,
  EMPTY_ROOT,
  LEAF_ENCODING,
  MAX_MESSAGE_BYTES,
  MessageStore,
  StorageTree,
  SwarmTallyModel,
  answerChallenge,
  challengeId,
  messageHash,
  rootPrefix,
  signStorageProof,
  storageLeaf,
  storageProofDigest,
} from "../../src/storage";
import { mldsaVerify } from "../../src/pq";
import { HONEST, SWARM_MESSAGES, fiveNodes, message } from "./helpers";

describe("src/storage", () => {
  describe("storage trees", () => {
    it("are StandardMerkleTrees of (messageHash, size) leaves, whose leaf hash the contract computes", async () => {
      const s = await loadFixture(fiveNodes);
      const values = SWARM_MESSAGES.map((m) => [messageHash(m), BigInt(m.length)] as [string, bigint]);
      const reference = StandardMerkleTree.of(values, [...LEAF_ENCODING]);
      expect(HONEST.root).to.equal(reference.root);
      for (const [hash, size] of values) {
        const leaf = storageLeaf(hash, size);
        expect(leaf).to.equal(reference.leafHash([hash, size]));
        expect(await s.storage.storageLeaf(hash, size)).to.equal(leaf);
        expect(StorageTree.verify(HONEST.root, hash, size, HONEST.proof(hash))).to.equal(true);
      }
    });

    it("do not depend on the order messages arrived in, and count each message once", () => {
      const shuffled = StorageTree.fromMessages([...SWARM_MESSAGES].reverse().concat([SWARM_MESSAGES[0]]));
      expect(shuffled.root).to.equal(HONEST.root);
      expect(shuffled.messageCount).to.equal(BigInt(SWARM_MESSAGES.length));
      expect(shuffled.usedBytes).to.equal(BigInt(SWARM_MESSAGES.reduce((n, m) => n + m.length, 0)));
    });

    it("commit the zero root for an empty store and refuse proofs of absent messages", () => {
      const empty = StorageTree.fromMessages([]);
      expect(empty.root).to.equal(EMPTY_ROOT);
      expect(empty.messageCount).to.equal(0n);
      expect(() => empty.proof(messageHash("0x01"))).to.throw(/not in this tree/);
      expect(() => HONEST.proof(messageHash("0x01"))).to.throw(/not in this tree/);
    });

    it("rootPrefix is the first 24 bytes", () => {
      expect(rootPrefix(HONEST.root)).to.equal(HONEST.root.slice(0, 2 + 48));
    });
  });

  describe("the storage proof digest", () => {
    it("equals the contract's and verifies under the node's key", async () => {
      const s = await loadFixture(fiveNodes);
      const node = s.nodes[0];
      const proof = { nodeId: node.nodeId, swarmId: 0, epoch: 123456, merkleRoot: HONEST.root, messageCount: 6n, usedBytes: 999n };
      const address = await s.storage.getAddress();
      const digest = storageProofDigest(s.chainId, address, proof);
      expect(await s.storage.storageProofDigest(proof)).to.equal(digest);
      const sig = signStorageProof(node.keys.mldsa.secretKey, s.chainId, address, proof, TEST_PROFILE);
      expect(mldsaVerify(node.keys.mldsa.publicKey, ethers.getBytes(digest), sig, TEST_PROFILE)).to.equal(true);
      expect(mldsaVerify(node.keys.mldsa.publicKey, ethers.getBytes(digest), sig, TEST_PROFILE === "lux" ? "pip" : "lux")).to.equal(false);
      // Bound to chain and contract: another chain id or contract gives another digest.
      expect(storageProofDigest(s.chainId + 1n, address, proof)).to.not.equal(digest);
      expect(storageProofDigest(s.chainId, ethers.ZeroAddress, proof)).to.not.equal(digest);
    });

    it("challenge ids equal the contract's", async () => {
      const s = await loadFixture(fiveNodes);
      const hash = messageHash(SWARM_MESSAGES[0]);
      expect(await s.storage.challengeId(3n, 77, hash, 120)).to.equal(challengeId(3n, 77, hash, 120));
    });
  });

  describe("answering challenges", () => {
    it("gives the bytes and their proof for a stored message", () => {
      const m = SWARM_MESSAGES[2];
      const answer = answerChallenge(HONEST, { messageHash: messageHash(m), size: m.length })!;
      expect(ethers.hexlify(answer.message)).to.equal(ethers.hexlify(m));
      expect(StorageTree.verify(HONEST.root, messageHash(m), m.length, answer.proof)).to.equal(true);
    });

    it("gives nothing for a missing message, a wrong size or a message too large to answer", () => {
      const tooLarge = SWARM_MESSAGES[4];
      expect(tooLarge.length).to.equal(MAX_MESSAGE_BYTES + 1);
      expect(answerChallenge(HONEST, { messageHash: messageHash("0x1234"), size: 2 })).to.equal(undefined);
      expect(answerChallenge(HONEST, { messageHash: messageHash(SWARM_MESSAGES[0]), size: 121 })).to.equal(undefined);
      expect(answerChallenge(HONEST, { messageHash: messageHash(tooLarge), size: tooLarge.length })).to.equal(undefined);
    });

    it("a message store answers from the tree it committed for the epoch, and forgets old epochs", () => {
      const store = new MessageStore();
      const a = store.add(message("a", 10));
      store.commit(100);
      const b = store.add(message("b", 20));
      store.delete(a);
      const t101 = store.commit(101);
      expect(store.answer(100, { messageHash: a, size: 10 })).to.not.equal(undefined);
      expect(store.answer(101, { messageHash: a, size: 10 })).to.equal(undefined);
      expect(store.answer(101, { messageHash: b, size: 20 })!.proof).to.deep.equal(t101.proof(b));
      store.commit(100 + COMMITMENT_RING);
      expect(store.treeOf(100)).to.equal(undefined);
      expect(store.treeOf(101)).to.not.equal(undefined);
    });
  });

  describe("the swarm tally model", () => {
    const roots = ["0x" + "11".repeat(32), "0x" + "22".repeat(32), "0x" + "33".repeat(32), "0x" + "44".repeat(32)];

    it("agrees on a root with a quorum of three and a strict majority of the commitments", () => {
      const m = new SwarmTallyModel();
      expect(m.commit(1n, roots[0])).to.equal(0n);
      expect(m.commit(2n, roots[1])).to.equal(1n);
      expect(m.commit(3n, roots[0])).to.equal(0n);
      expect(m.view()).to.include({ leadNodeId: 1n, leadCount: 2, commitments: 3, agreed: false });
      m.commit(4n, roots[0]);
      expect(m.view()).to.include({ leadNodeId: 1n, leadCount: 3, commitments: 4, agreed: true });
      m.commit(5n, roots[1]);
      m.commit(6n, roots[1]);
      expect(m.view()).to.include({ leadCount: 3, commitments: 6, agreed: false }); // 3 of 6 is no majority
    });

    it("drops every count by one when a fourth distinct root finds no free group", () => {
      const m = new SwarmTallyModel();
      m.commit(1n, roots[0]);
      m.commit(2n, roots[0]);
      m.commit(3n, roots[1]);
      m.commit(4n, roots[2]);
      m.commit(5n, roots[3]);
      expect(m.view()).to.include({ leadNodeId: 1n, leadCount: 1, commitments: 5, agreed: false });
    });
  });
});
