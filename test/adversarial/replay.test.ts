/**
 * Replay of every signed message across contract, chain id, purpose and time. The suite signs four
 * kinds of payload: registration proofs (ML-DSA and BLS proof of possession), heartbeat anchor
 * rotations (ML-DSA), storage commitments (ML-DSA) and deregistration attestations (BLS aggregate).
 * Each is replayed, with the real keys, to a second deployment holding the same keys (`twin`,
 * `twinStorage`), with its digest made for another chain id, as another kind of payload, and a second
 * time or later. The bridge signs nothing; its session ids carry the same bindings and are checked too.
 *
 * Defence throughout: every digest is keccak256(abi.encode(TYPEHASH, block.chainid, address(this),
 * …)) with the purpose in the type hash (BLS: also a domain tag separating proofs of possession from
 * signatures), plus single use (key reservation, one commitment per epoch, the deregistered flag) and
 * time bounds (rotation epoch, commitment epoch, the 10-minute attestation window).
 */
import { TEST_PROFILE } from "../helpers/precompiles";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys } from "../helpers/suite";
import { HONEST, signedCommitment, type StorageNode } from "../storage/helpers";
import { signStorageProof } from "../../src/storage";
import { aggregateSignatures, proofOfPossession } from "../../src/bls";
import { buildDeregistration, NO_DEREGISTRATION_HINT } from "../../src/attestations";
import { deriveSessionId } from "../../src/sessions";
import { KeyKind } from "../../src/registry";
import { keyOf } from "../bridge/fixture";
import { activeKeys, adversarialNet, rotationSignature, systemState } from "./fixture";

/** Explicit gas: time-sensitive calls are mined as sent, not estimated in another block. */
const TX = { gasLimit: 3_000_000 };
const OTHER_CHAIN = 1n;

/** A rotation of honest node `node` to `anchor` in `epoch`, signed for `chainId` and `registry`. */
function rotation(node: StorageNode, anchor: string, epoch: number, chainId: bigint, registry: string) {
  return rotationSignature(node.keys, chainId, registry, node.nodeId, anchor, epoch);
}

describe("adversarial: replay of signed messages", () => {
  it("registration proofs: refused by a second registry, for another chain, as another purpose, and a second time", async () => {
    const f = await loadFixture(adversarialNet);
    const op = f.others[12];
    const keys = nodeKeys("replayed registration", await currentEpoch());
    const reg = await buildRegistration(f.registry, op.address, keys);
    const before = await systemState(f);

    // Contract: the twin holds no such key yet, runs the same code, and still refuses.
    await expect(f.twin.registry.connect(op).register(reg, { value: REQUIREMENT })).to.be.revertedWithCustomError(f.twin.registry, "InvalidMldsaProof");
    // Chain: both proofs made over the digest for another chain id, then each one alone.
    const otherChain = await buildRegistration(f.registry, op.address, keys, { chainId: OTHER_CHAIN });
    await expect(f.registry.connect(op).register(otherChain, { value: REQUIREMENT })).to.be.revertedWithCustomError(f.registry, "InvalidMldsaProof");
    await expect(f.registry.connect(op).register({ ...reg, blsSignature: otherChain.blsSignature }, { value: REQUIREMENT })).to.be.revertedWithCustomError(
      f.registry,
      "InvalidBlsProof",
    );
    // Purpose: an anchor-rotation signature by the same key over the same anchor is not a registration proof.
    const asRotation = rotationSignature(keys, f.chainId, await f.registry.getAddress(), 1n, reg.heartbeatAnchor, await currentEpoch());
    await expect(f.registry.connect(op).register({ ...reg, mldsaSignature: asRotation }, { value: REQUIREMENT })).to.be.revertedWithCustomError(f.registry, "InvalidMldsaProof");
    expect(await systemState(f)).to.deep.equal(before);

    // Time: accepted once, then the keys are taken.
    await expect(f.registry.connect(op).register(reg, { value: REQUIREMENT })).to.emit(f.registry, "NodeActivated");
    const id = await f.registry.lastNodeId();
    await expect(f.registry.connect(op).register(reg, { value: REQUIREMENT }))
      .to.be.revertedWithCustomError(f.registry, "KeyAlreadyRegistered")
      .withArgs(KeyKind.MlDsa, id);
  });

  it("heartbeat anchor rotations: refused by a second registry, for another chain, as another purpose, and in another epoch", async () => {
    const f = await loadFixture(adversarialNet);
    const node = f.honest[0];
    const registry = await f.registry.getAddress();
    const anchor = ethers.id("rotated anchor");
    // The twin's nodes registered in this epoch (an anchor is rotated at most once an epoch): move on.
    await time.increase(3600);
    const epoch = await currentEpoch();
    const sig = rotation(node, anchor, epoch, f.chainId, registry);
    const pk = node.keys.mldsa.publicKey;
    // The twin knows the same key under the same node id.
    expect(await f.twin.directory.nodeIdByMldsaKey(ethers.keccak256(pk))).to.equal(node.nodeId);
    const before = await systemState(f);

    await expect(f.twin.registry.rotateHeartbeatAnchor(node.nodeId, anchor, pk, sig)).to.be.revertedWithCustomError(f.twin.registry, "InvalidNodeSignature").withArgs(node.nodeId);
    await expect(f.registry.rotateHeartbeatAnchor(node.nodeId, anchor, pk, rotation(node, anchor, epoch, OTHER_CHAIN, registry)))
      .to.be.revertedWithCustomError(f.registry, "InvalidNodeSignature")
      .withArgs(node.nodeId);
    // Purpose: the node's registration proof and its storage commitment signature are not rotations;
    // nor is a rotation of another node.
    const regProof = (await buildRegistration(f.registry, node.operator.address, node.keys)).mldsaSignature;
    const commitment = await signedCommitment({ storage: f.storage, swarms: f.swarms, chainId: f.chainId }, node, HONEST, epoch);
    for (const wrong of [regProof, commitment.signature]) {
      await expect(f.registry.rotateHeartbeatAnchor(node.nodeId, anchor, pk, wrong)).to.be.revertedWithCustomError(f.registry, "InvalidNodeSignature").withArgs(node.nodeId);
    }
    const other = f.honest[1];
    await expect(f.registry.rotateHeartbeatAnchor(other.nodeId, anchor, pk, sig)).to.be.revertedWithCustomError(f.registry, "InvalidNodeSignature").withArgs(other.nodeId);
    expect(await systemState(f)).to.deep.equal(before);

    // Time: accepted once in its epoch, refused again in it, and refused in the next.
    await expect(f.registry.connect(f.others[1]).rotateHeartbeatAnchor(node.nodeId, anchor, pk, sig)).to.emit(f.registry, "HeartbeatAnchorRotated").withArgs(node.nodeId, epoch, anchor);
    await expect(f.registry.rotateHeartbeatAnchor(node.nodeId, anchor, pk, sig)).to.be.revertedWithCustomError(f.registry, "HeartbeatAlreadySent").withArgs(node.nodeId, epoch);
    await time.increase(3600);
    await expect(f.registry.rotateHeartbeatAnchor(node.nodeId, anchor, pk, sig)).to.be.revertedWithCustomError(f.registry, "InvalidNodeSignature").withArgs(node.nodeId);
  });

  it("storage commitments: refused by a second StorageCommitment, for another chain, as another purpose, and a second time or epoch", async () => {
    const f = await loadFixture(adversarialNet);
    const node = f.honest[2];
    const epoch = await currentEpoch();
    const c = await signedCommitment({ storage: f.storage, swarms: f.swarms, chainId: f.chainId }, node, HONEST, epoch);
    const storage = await f.storage.getAddress();
    const before = await systemState(f);

    await expect(f.twinStorage.commit(c.proof, c.publicKey, c.signature)).to.be.revertedWithCustomError(f.twinStorage, "InvalidSignature").withArgs(node.nodeId);
    const otherChain = signStorageProof(node.keys.mldsa.secretKey, OTHER_CHAIN, storage, c.proof, TEST_PROFILE);
    await expect(f.storage.commit(c.proof, c.publicKey, otherChain)).to.be.revertedWithCustomError(f.storage, "InvalidSignature").withArgs(node.nodeId);
    const asRotation = rotation(node, c.proof.merkleRoot, epoch, f.chainId, await f.registry.getAddress());
    const regProof = (await buildRegistration(f.registry, node.operator.address, node.keys)).mldsaSignature;
    for (const wrong of [asRotation, regProof]) {
      await expect(f.storage.commit(c.proof, c.publicKey, wrong)).to.be.revertedWithCustomError(f.storage, "InvalidSignature").withArgs(node.nodeId);
    }
    expect(await systemState(f)).to.deep.equal(before);

    // The twin takes a commitment signed for it (the refusal above is the binding, nothing else).
    const forTwin = signStorageProof(node.keys.mldsa.secretKey, f.chainId, await f.twinStorage.getAddress(), c.proof, TEST_PROFILE);
    await expect(f.twinStorage.commit(c.proof, c.publicKey, forTwin)).to.emit(f.twinStorage, "StorageCommitted");
    await expect(f.storage.commit(c.proof, c.publicKey, c.signature)).to.emit(f.storage, "StorageCommitted");
    await expect(f.storage.commit(c.proof, c.publicKey, c.signature)).to.be.revertedWithCustomError(f.storage, "AlreadyCommitted").withArgs(node.nodeId, epoch);
    await time.increase(3600);
    await expect(f.storage.commit(c.proof, c.publicKey, c.signature))
      .to.be.revertedWithCustomError(f.storage, "EpochNotCurrent")
      .withArgs(epoch, epoch + 1);
  });

  it("BLS deregistration attestations: refused by a second verifier with the same aggregate, for another chain, as another purpose, twice, late or early", async () => {
    const f = await loadFixture(adversarialNet);
    const keys = activeKeys(f);
    const target = f.hostile.nodeId;
    const verifier = await f.attestations.getAddress();
    // Same nodes, same ids, same aggregate key in both deployments.
    expect((await f.twin.attestations.blsAggregateKey()).toString()).to.equal((await f.attestations.blsAggregateKey()).toString());
    const now = BigInt(await time.latest()) + 1n;
    await time.setNextBlockTimestamp(now);
    const d = buildDeregistration({ keys, nodeId: target, issuedAt: now, chainId: f.chainId, verifier });
    const before = await systemState(f);

    await expect(f.twin.attestations.deregister(...d.args, TX)).to.be.revertedWithCustomError(f.twin.attestations, "InvalidAggregateSignature");
    const otherChain = buildDeregistration({ keys, nodeId: target, issuedAt: now, chainId: OTHER_CHAIN, verifier });
    await expect(f.attestations.deregister(...otherChain.args, TX)).to.be.revertedWithCustomError(f.attestations, "InvalidAggregateSignature");
    // Purpose: the signers' proofs of possession over the very same message (PoP domain, not the
    // signature domain), and the attestation against another node.
    const signers = [...keys].filter(([id]) => id !== target).map(([, k]) => k.secretKey);
    const popAggregate = aggregateSignatures(signers.map((sk) => proofOfPossession(sk, d.message)));
    await expect(f.attestations.deregister(d.args[0], d.args[1], d.args[2], d.args[3], popAggregate, NO_DEREGISTRATION_HINT, TX)).to.be.revertedWithCustomError(
      f.attestations,
      "InvalidAggregateSignature",
    );
    await expect(f.attestations.deregister(f.honest[0].nodeId, d.args[1], d.args[2], d.args[3], d.args[4], NO_DEREGISTRATION_HINT, TX)).to.be.revertedWithCustomError(
      f.attestations,
      "InvalidAggregateSignature",
    );
    expect(await systemState(f)).to.deep.equal(before);

    // Time: once only; and an attestation is dead 10 minutes after issuedAt, and refused before it.
    await expect(f.attestations.deregister(...d.args, TX)).to.emit(f.attestations, "NodeDeregistered");
    await expect(f.attestations.deregister(...d.args, TX)).to.be.revertedWithCustomError(f.attestations, "NodeAlreadyDeregistered").withArgs(target);
    const victim = f.honest[3].nodeId;
    const late = buildDeregistration({ keys, nodeId: victim, issuedAt: now, chainId: f.chainId, verifier });
    await time.increaseTo(now + 601n);
    await expect(f.attestations.deregister(...late.args, TX))
      .to.be.revertedWithCustomError(f.attestations, "AttestationExpired")
      .withArgs(now, now + 600n);
    const future = BigInt(await time.latest()) + 3600n;
    const early = buildDeregistration({ keys, nodeId: victim, issuedAt: future, chainId: f.chainId, verifier });
    await expect(f.attestations.deregister(...early.args, TX)).to.be.revertedWithCustomError(f.attestations, "AttestationFromFuture");
    // The twin still takes its own attestation of the same node (the refusals were the bindings).
    const twinNow = BigInt(await time.latest()) + 1n;
    await time.setNextBlockTimestamp(twinNow);
    const forTwin = buildDeregistration({ keys, nodeId: target, issuedAt: twinNow, chainId: f.chainId, verifier: await f.twin.attestations.getAddress() });
    await expect(f.twin.attestations.deregister(...forTwin.args, TX)).to.emit(f.twin.attestations, "NodeDeregistered");
  });

  it("sessions (no signatures): a replayed creation lands as another session on another bridge and is refused on the same one", async () => {
    const f = await loadFixture(adversarialNet);
    const [creator, peer] = [f.others[13], f.others[14]];
    const participants = [creator.address, peer.address];
    const keys = [keyOf(creator), keyOf(peer)];
    const salt = ethers.id("replayed session");
    const fee = await f.bridge.quoteCreateSession();
    const create = (bridge: typeof f.bridge) => bridge.connect(creator)["createSession(address[],bytes[],bytes32)"](participants, keys, salt, { value: fee });
    const id = (bridge: string) => deriveSessionId({ chainId: f.chainId, bridge, creator: creator.address, salt, participants });
    const mine = id(await f.bridge.getAddress());
    const theirs = id(await f.sinkBridge.getAddress());
    expect(mine).not.to.equal(theirs);
    expect(id(await f.bridge.getAddress())).not.to.equal(deriveSessionId({ chainId: OTHER_CHAIN, bridge: await f.bridge.getAddress(), creator: creator.address, salt, participants }));

    await expect(create(f.bridge)).to.emit(f.bridge, "SessionCreated").withArgs(mine, creator.address, 0, anyValue, participants, keys.map(ethers.hexlify), fee);
    await expect(create(f.sinkBridge)).to.emit(f.sinkBridge, "SessionCreated");
    expect((await f.sinkBridge.getSession(theirs)).expiresAt).to.be.greaterThan(0n);
    await expect(create(f.bridge)).to.be.revertedWithCustomError(f.bridge, "SessionExists").withArgs(mine);
    // A message's sequence number is used once.
    const ct = ethers.randomBytes(64);
    const msgFee = await f.bridge.quoteMessage(64);
    await f.bridge.connect(creator)["sendMessage(bytes32,uint64,bytes)"](mine, 0n, ct, { value: msgFee });
    await expect(f.bridge.connect(creator)["sendMessage(bytes32,uint64,bytes)"](mine, 0n, ct, { value: msgFee }))
      .to.be.revertedWithCustomError(f.bridge, "InvalidSequence")
      .withArgs(mine, 0n, 1n);
  });
});
