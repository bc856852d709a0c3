import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite, registerActive } from "../helpers/suite";
import { deployStorage, message, nextEpoch, signedCommitment, type StorageNode, type StorageSuite } from "./helpers";
import { StorageTree } from "../../src/storage";
import { KeyKind } from "../../src/registry";
import { pqProfileOf, type PQProfile } from "../../src/networks";

const TREE = StorageTree.fromMessages([0, 1, 2, 3].map((i) => message(`batch-${i}`, 100 + i)));

async function batchSuite(profile: PQProfile): Promise<StorageSuite> {
  const s = await deploySuite({ profile });
  const nodes: StorageNode[] = [];
  for (let i = 0; i < 5; i++) {
    const { nodeId, keys } = await registerActive(s, s.operators[i], `batch-node-${i}`);
    nodes.push({ nodeId, keys, operator: s.operators[i] });
  }
  const storage = await deployStorage(s);
  return { ...s, storage, nodes, chainId: (await ethers.provider.getNetwork()).chainId };
}
const luxSuite = () => batchSuite("lux");
const pipSuite = () => batchSuite("pip");

for (const [profile, fixture] of [["lux", luxSuite], ["pip", pipSuite]] as const) {
  describe(`StorageCommitment: a swarm's commitments in one batch (${profile} profile)`, () => {
    it("publishes each key once (checked against the registry), then commits all five in one transaction", async () => {
      const s = await loadFixture(fixture);
      expect(await pqProfileOf(s.storage)).to.equal(profile);
      const [a] = s.nodes;
      await expect(s.storage.publishIdentityKey(a.nodeId, s.nodes[1].keys.mldsa.publicKey))
        .to.be.revertedWithCustomError(s.storage, "KeyNotOfNode")
        .withArgs(a.nodeId, s.nodes[1].nodeId);
      await expect(s.storage.publishIdentityKey(a.nodeId, a.keys.mldsa.publicKey.slice(1)))
        .to.be.revertedWithCustomError(s.storage, "InvalidKeyLength")
        .withArgs(KeyKind.MlDsa, 1951, 1952);
      expect(await s.storage.identityKeyOf(a.nodeId)).to.equal("0x");
      const tx = await s.storage.publishIdentityKey(a.nodeId, a.keys.mldsa.publicKey);
      const keyCode = await s.storage.publishIdentityKey.staticCall(s.nodes[1].nodeId, s.nodes[1].keys.mldsa.publicKey);
      expect(keyCode).to.not.equal(ethers.ZeroAddress);
      await expect(tx).to.emit(s.storage, "IdentityKeyPublished");
      expect(await s.storage.identityKeyOf(a.nodeId)).to.equal(ethers.hexlify(a.keys.mldsa.publicKey));
      const published = (await s.storage.queryFilter(s.storage.filters.IdentityKeyPublished(a.nodeId)))[0].args.keyCode;
      // The key contract's code is a STOP byte and the key: never callable as code.
      expect(await ethers.provider.getCode(published)).to.equal(ethers.hexlify(ethers.concat(["0x00", a.keys.mldsa.publicKey])));
      await expect(s.storage.publishIdentityKey(a.nodeId, a.keys.mldsa.publicKey))
        .to.be.revertedWithCustomError(s.storage, "KeyAlreadyPublished")
        .withArgs(a.nodeId, published);
      for (const n of s.nodes.slice(1)) await (await s.storage.publishIdentityKey(n.nodeId, n.keys.mldsa.publicKey)).wait();

      const epoch = await nextEpoch();
      const entries = await Promise.all(s.nodes.map(async (n) => {
        const c = await signedCommitment(s, n, TREE, epoch);
        return { proof: c.proof, signature: c.signature };
      }));
      const committed = await s.storage.commitBatch.staticCall(entries);
      expect(committed).to.equal(0b11111n);
      await expect(s.storage.commitBatch(entries)).to.not.emit(s.storage, "CommitmentSkipped");
      for (const n of s.nodes) expect((await s.storage.commitmentOf(n.nodeId, epoch)).committed).to.equal(true);
      const root = await s.storage.swarmRoot(0, epoch);
      expect(root.commitments).to.equal(5);
      expect(root.leadCount).to.equal(5);
    });

    it("skips and reports what cannot be committed (bad signature, no published key, already committed, a repeat), and commits the rest", async () => {
      const s = await loadFixture(fixture);
      const [a, b, c, d] = s.nodes;
      for (const n of [a, b, c]) await (await s.storage.publishIdentityKey(n.nodeId, n.keys.mldsa.publicKey)).wait();
      const epoch = await nextEpoch();
      const sign = async (n: StorageNode) => {
        const x = await signedCommitment(s, n, TREE, epoch);
        return { proof: x.proof, signature: x.signature };
      };
      // c commits alone first: the batch's entry for it has become invalid (front-run).
      const early = await signedCommitment(s, c, TREE, epoch);
      await (await s.storage.commit(early.proof, early.publicKey, early.signature)).wait();
      const good = await sign(a);
      const forged = { ...(await sign(b)), signature: (await sign(a)).signature };
      const entries = [good, forged, await sign(c), await sign(d), good, { ...good, signature: good.signature.slice(1) }];
      const iface = s.storage.interface;
      const tx = s.storage.commitBatch(entries);
      await expect(tx).to.emit(s.storage, "CommitmentSkipped").withArgs(1, b.nodeId, epoch, iface.encodeErrorResult("InvalidSignature", [b.nodeId]));
      await expect(tx).to.emit(s.storage, "CommitmentSkipped").withArgs(2, c.nodeId, epoch, iface.encodeErrorResult("AlreadyCommitted", [c.nodeId, epoch]));
      await expect(tx).to.emit(s.storage, "CommitmentSkipped").withArgs(3, d.nodeId, epoch, iface.encodeErrorResult("KeyNotPublished", [d.nodeId]));
      await expect(tx).to.emit(s.storage, "CommitmentSkipped").withArgs(4, a.nodeId, epoch, iface.encodeErrorResult("AlreadyCommitted", [a.nodeId, epoch]));
      await expect(tx).to.emit(s.storage, "CommitmentSkipped").withArgs(5, a.nodeId, epoch, iface.encodeErrorResult("InvalidKeyLength", [KeyKind.MlDsaSignature, 3308, 3309]));
      expect((await s.storage.commitmentOf(a.nodeId, epoch)).committed).to.equal(true);
      expect((await s.storage.commitmentOf(b.nodeId, epoch)).committed).to.equal(false);
      expect((await s.storage.commitmentOf(d.nodeId, epoch)).committed).to.equal(false);
      expect((await s.storage.swarmRoot(0, epoch)).commitments).to.equal(2);
    });

    it("refuses an empty batch and one larger than a swarm", async () => {
      const s = await loadFixture(fixture);
      await expect(s.storage.commitBatch([])).to.be.revertedWithCustomError(s.storage, "InvalidBatchSize").withArgs(0, 10);
      const epoch = await nextEpoch();
      const one = await signedCommitment(s, s.nodes[0], TREE, epoch);
      const eleven = Array.from({ length: 11 }, () => ({ proof: one.proof, signature: one.signature }));
      await expect(s.storage.commitBatch(eleven)).to.be.revertedWithCustomError(s.storage, "InvalidBatchSize").withArgs(11, 10);
    });
  });
}
