import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { currentEpoch } from "../../test/helpers/suite";
import { deployStorage } from "../../test/storage/helpers";
import { EPOCH_SECONDS } from "../../src/heartbeat";
import { pqProfileOf } from "../../src/networks";
import { COMMITMENT_RING, RESPONSE_WINDOW, StorageTree, challengeId, messageHash, signStorageProof, storageProofOf } from "../../src/storage";
import { TX, type Benchmark } from "./meter";
import type { BenchNode } from "./network";

const message = (label: string, size: number) => {
  const out = new Uint8Array(size);
  const seed = ethers.getBytes(ethers.id(label));
  for (let i = 0; i < size; i++) out[i] = seed[i % 32] ^ (i >> 5);
  return out;
};

/** A swarm's store: 63 messages of 1 KiB and one of 16 KiB, plus one more message per epoch. */
const MESSAGES = [...Array.from({ length: 63 }, (_, i) => message(`bench message ${i}`, 1024)), message("bench 16 KiB", 16 * 1024)];
const storeAt = (epochs: number) => [...MESSAGES, ...Array.from({ length: epochs }, (_, i) => message(`bench new message ${i}`, 1000 + i))];
/** What an honest node stores after `epochs` epochs (so usedBytes changes every epoch, as in use). */
const honestAt = (epochs: number) => StorageTree.fromMessages(storeAt(epochs));
/** A node that lost the first message. */
const deviantAt = (epochs: number) => StorageTree.fromMessages(storeAt(epochs).slice(1));

/**
 * Storage commitments and challenges on a network of `nodes` active nodes (swarms of about 5).
 *
 * Commitments are measured in steady state, after COMMITMENT_RING epochs of commitments, when a
 * node's ring slot and its swarm's tally slot are rewritten in place; the store grows every epoch, so
 * each commitment changes the node's storage report:
 * - storage.commit: a commitment that agrees with the swarm's leading root (the common case);
 * - storage.commit.firstInEpoch: the swarm's first commitment of the epoch (starts the tally);
 * - storage.commit.mismatch: a root that differs from the leading one (tally search and event);
 * - storage.commit.newNode: a node's first commitment ever (its ring slot is still empty).
 * Then, on that epoch: a challenge, an answer with a 1 KiB message (storage.respond) and with a 16 KiB
 * one (storage.respond.16KiB), a resolution that slashes (storage.resolve) and a bond withdrawal.
 */
export const storageBench: Benchmark = {
  name: "storage",
  async run(meter, net) {
    const { suite, nodes } = net;
    const storage = await deployStorage(suite);
    const address = await storage.getAddress();
    const profile = await pqProfileOf(storage);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const members = (await suite.swarms.swarmMembers(0)).map((id) => byId.get(id)!);
    if (members.length < 4) throw new Error(`swarm 0 has ${members.length} nodes, the bench needs 4`);
    const [first, agreeing, deviant, fresh] = members;

    const nextEpoch = async () => {
      const e = (await currentEpoch()) + 1;
      await time.increaseTo(e * EPOCH_SECONDS + 1);
      return e;
    };
    const commit = (node: BenchNode, tree: StorageTree, epoch: number) => {
      const proof = storageProofOf(tree, node.nodeId, 0, epoch);
      const signature = signStorageProof(node.keys.mldsa.secretKey, chainId, address, proof, profile);
      return storage.commit(proof, node.keys.mldsa.publicKey, signature, TX);
    };

    for (let i = 0; i < COMMITMENT_RING; i++) {
      const e = await nextEpoch();
      const [honest, lossy] = [honestAt(i), deviantAt(i)];
      for (const [node, tree] of [[first, honest], [agreeing, honest], [deviant, lossy]] as const) await (await commit(node, tree, e)).wait();
    }
    const epoch = await nextEpoch();
    const HONEST = honestAt(COMMITMENT_RING);
    const DEVIANT = deviantAt(COMMITMENT_RING);
    await meter.measure("storage.commit.firstInEpoch", () => commit(first, HONEST, epoch));
    await meter.measure("storage.commit", () => commit(agreeing, HONEST, epoch));
    await meter.measure("storage.commit.mismatch", () => commit(deviant, DEVIANT, epoch));
    await meter.measure("storage.commit.newNode", () => commit(fresh, HONEST, epoch));
    await nextEpoch();

    const [challenger, keeper] = suite.others;
    const bond = await storage.challengeBond();
    const small = MESSAGES[5];
    const large = MESSAGES[MESSAGES.length - 1];
    // A challenge cites the node's own committed root: the deviant is challenged on a message of its
    // own tree, which it then leaves unanswered.
    const unanswered = MESSAGES[1];
    const open = (node: BenchNode, msg: Uint8Array, tree = HONEST) => {
      const hash = messageHash(msg);
      return storage.connect(challenger).challenge(node.nodeId, epoch, hash, msg.length, tree.proof(hash), { ...TX, value: bond });
    };
    await meter.measure("storage.challenge", () => open(agreeing, small));
    await (await open(first, large)).wait();
    await (await open(deviant, unanswered, DEVIANT)).wait();

    const answer = (node: BenchNode, msg: Uint8Array) => {
      const hash = messageHash(msg);
      return storage.connect(keeper).respond(challengeId(node.nodeId, epoch, hash, msg.length), msg, HONEST.proof(hash), TX);
    };
    await meter.measure("storage.respond", () => answer(agreeing, small));
    await meter.measure("storage.respond.16KiB", () => answer(first, large));

    await time.increase(RESPONSE_WINDOW + 1);
    const id = challengeId(deviant.nodeId, epoch, messageHash(unanswered), unanswered.length);
    await meter.measure("storage.resolve", () => storage.connect(keeper).resolve(id, TX));
    await meter.measure("storage.withdraw", () => storage.connect(challenger).withdraw(TX));

    // A swarm's commitments in one transaction: each member has published its key once; one node
    // relays the batch, verified by one batch call.
    if (members.length !== 5) throw new Error(`swarm 0 has ${members.length} nodes, the batch bench needs 5`);
    const relayer = suite.others[2];
    await meter.measure("storage.publishIdentityKey", () => storage.connect(relayer).publishIdentityKey(members[0].nodeId, members[0].keys.mldsa.publicKey, TX));
    for (const m of members.slice(1)) await (await storage.connect(relayer).publishIdentityKey(m.nodeId, m.keys.mldsa.publicKey, TX)).wait();
    for (let i = 0; i < 2; i++) {
      // Two epochs: the first batch fills the ring slots of the nodes that had none, the second is the steady state.
      const e = await nextEpoch();
      const entries = members.map((m) => {
        const proof = storageProofOf(HONEST, m.nodeId, 0, e);
        return { proof, signature: signStorageProof(m.keys.mldsa.secretKey, chainId, address, proof, profile) };
      });
      if (i === 0) await (await storage.connect(relayer).commitBatch(entries, TX)).wait();
      else await meter.measure("storage.commitBatch5", () => storage.connect(relayer).commitBatch(entries, TX));
    }
  },
};
