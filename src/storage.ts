/**
 * Storage commitments and challenges, mirroring StorageCommitment (DESIGN §6, PIP-0008 StorageProof and
 * StorageChallenge):
 *
 * - storage trees in the StandardMerkleTree format of @openzeppelin/merkle-tree, one leaf
 *   `(bytes32 messageHash, uint256 size)` per stored message, built from a node's messages;
 * - the StorageProof digest a node signs with its ML-DSA-65 key, and the signing helper;
 * - answering a challenge from a node's committed tree, and building a challenger's proof;
 * - a reference model of the contract's swarm tally (the swarm root rule).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, ZeroHash, dataSlice, getBytes, keccak256, toUtf8Bytes, type BytesLike } from "ethers";
import { mldsaSign, type PQProfile } from "./pq";

const coder = AbiCoder.defaultAbiCoder();

/** StandardMerkleTree leaf encoding of a stored message. */
export const LEAF_ENCODING = ["bytes32", "uint256"] as const;
/** Most bytes a node may report (10 GiB). */
export const SIZE_LIMIT = 10n * 2n ** 30n;
/** Largest challengeable message (and answer). */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Longest Merkle proof the contract accepts. */
export const MAX_PROOF_LENGTH = 64;
/** Seconds a node has to answer a challenge. */
export const RESPONSE_WINDOW = 3600;
/** Epochs of commitments and tallies kept on chain. */
export const COMMITMENT_RING = 4;
/** Past epochs that can be challenged: `current - CHALLENGE_EPOCHS ≤ epoch < current`. */
export const CHALLENGE_EPOCHS = COMMITMENT_RING - 1;
/** Fewest commitments of one root for it to be a swarm root. */
export const SWARM_QUORUM = 3;
/** The root an empty store commits. */
export const EMPTY_ROOT = ZeroHash;

export const STORAGE_PROOF_TYPEHASH = keccak256(
  toUtf8Bytes(
    "ParsStorageProof(uint256 chainId,address storageCommitment,uint64 nodeId,uint32 swarmId,uint32 epoch," +
      "bytes32 merkleRoot,uint64 messageCount,uint64 usedBytes)",
  ),
);

/** Challenge statuses, as the contract numbers them. */
export enum ChallengeStatus {
  None = 0,
  Open = 1,
  Answered = 2,
  Defaulted = 3,
}

/** PIP-0008's StorageProof, as the contract takes it. */
export interface StorageProof {
  nodeId: bigint;
  swarmId: number;
  epoch: number;
  merkleRoot: string;
  messageCount: bigint;
  usedBytes: bigint;
}

/** keccak256 of a message: the hash a leaf names. */
export function messageHash(message: BytesLike): string {
  return keccak256(getBytes(message));
}

/** The tree leaf of a message: keccak256(bytes.concat(keccak256(abi.encode(messageHash, size)))). */
export function storageLeaf(hash: string, size: bigint | number): string {
  return keccak256(keccak256(coder.encode(LEAF_ENCODING, [hash, size])));
}

/** The first 24 bytes of a root: what the contract keeps and compares. */
export function rootPrefix(root: string): string {
  return dataSlice(root, 0, 24);
}

/** The first 9 bytes (72 bits) of a root: the tag by which the tally recognises the leading root. */
export function rootTag(root: string): string {
  return dataSlice(root, 0, 9);
}

/** The id of the challenge of `nodeId`'s commitment for `epoch` on the leaf (hash, size). */
export function challengeId(nodeId: bigint, epoch: number, hash: string, size: bigint | number): string {
  return keccak256(coder.encode(["uint64", "uint32", "bytes32"], [nodeId, epoch, storageLeaf(hash, size)]));
}

/** The digest a node signs for `proof` (bound to the chain id, the contract and the purpose). */
export function storageProofDigest(chainId: bigint | number, contract: string, proof: StorageProof): string {
  return keccak256(
    coder.encode(
      ["bytes32", "uint256", "address", "uint64", "uint32", "uint32", "bytes32", "uint64", "uint64"],
      [
        STORAGE_PROOF_TYPEHASH,
        chainId,
        contract,
        proof.nodeId,
        proof.swarmId,
        proof.epoch,
        proof.merkleRoot,
        proof.messageCount,
        proof.usedBytes,
      ],
    ),
  );
}

/**
 * ML-DSA signature of a storage proof with the node's identity secret key (deterministic), under the
 * context of the deployment's precompile profile (`pqProfileOf(storageCommitment)`).
 */
export function signStorageProof(
  secretKey: Uint8Array,
  chainId: bigint | number,
  contract: string,
  proof: StorageProof,
  profile: PQProfile,
): Uint8Array {
  return mldsaSign(secretKey, getBytes(storageProofDigest(chainId, contract, proof)), { profile });
}

/** What answers a challenge: the message bytes and their proof in the node's committed tree. */
export interface ChallengeAnswer {
  message: Uint8Array;
  proof: string[];
}

/**
 * The tree of a set of messages (deduplicated by hash). Leaves are sorted, so every node that stores the
 * same messages commits the same root, whatever order they arrived in.
 */
export class StorageTree {
  private constructor(
    private readonly tree: StandardMerkleTree<[string, bigint]> | undefined,
    private readonly messages: ReadonlyMap<string, Uint8Array>,
  ) {}

  static fromMessages(messages: Iterable<BytesLike>): StorageTree {
    const byHash = new Map<string, Uint8Array>();
    for (const m of messages) {
      const bytes = getBytes(m);
      byHash.set(messageHash(bytes), bytes);
    }
    const values = [...byHash].map(([hash, bytes]): [string, bigint] => [hash, BigInt(bytes.length)]);
    const tree = values.length === 0 ? undefined : StandardMerkleTree.of(values, [...LEAF_ENCODING]);
    return new StorageTree(tree, byHash);
  }

  /** The root to commit (EMPTY_ROOT for no messages). */
  get root(): string {
    return this.tree?.root ?? EMPTY_ROOT;
  }

  get messageCount(): bigint {
    return BigInt(this.messages.size);
  }

  /** Sum of the message sizes. */
  get usedBytes(): bigint {
    let sum = 0n;
    for (const m of this.messages.values()) sum += BigInt(m.length);
    return sum;
  }

  has(hash: string): boolean {
    return this.messages.has(hash.toLowerCase());
  }

  /** The message with this hash, if stored. */
  message(hash: string): Uint8Array | undefined {
    return this.messages.get(hash.toLowerCase());
  }

  /** The leaves, as (messageHash, size). */
  leaves(): [string, bigint][] {
    return [...this.messages].map(([hash, bytes]) => [hash, BigInt(bytes.length)]);
  }

  /** Proof of the stored message `hash` (for a challenger: in the swarm root; for the node: in its own). */
  proof(hash: string): string[] {
    const bytes = this.message(hash);
    if (!this.tree || !bytes) throw new Error(`message ${hash} is not in this tree`);
    return this.tree.getProof([hash.toLowerCase(), BigInt(bytes.length)]);
  }

  /** A proof of an arbitrary leaf, checked the way the contract checks it (OpenZeppelin MerkleProof). */
  static verify(root: string, hash: string, size: bigint | number, proof: string[]): boolean {
    return StandardMerkleTree.verify(root, [...LEAF_ENCODING], [hash, BigInt(size)], proof);
  }
}

/** The storage proof of a node's tree for `epoch`, ready to sign. */
export function storageProofOf(tree: StorageTree, nodeId: bigint, swarmId: number, epoch: number): StorageProof {
  return { nodeId, swarmId, epoch, merkleRoot: tree.root, messageCount: tree.messageCount, usedBytes: tree.usedBytes };
}

/**
 * Answers a challenge of `messageHash` / `size` from the tree the node committed for the challenged
 * epoch: the message bytes and their proof. Undefined if the node does not hold that message, or holds
 * different bytes than challenged, or the message is too large to answer on chain.
 */
export function answerChallenge(committed: StorageTree, challenge: { messageHash: string; size: bigint | number }): ChallengeAnswer | undefined {
  const message = committed.message(challenge.messageHash);
  if (!message || BigInt(message.length) !== BigInt(challenge.size) || message.length > MAX_MESSAGE_BYTES) return undefined;
  return { message, proof: committed.proof(challenge.messageHash) };
}

/**
 * A node's message store: the messages it holds now, and the tree it committed for each epoch, so that
 * it can answer challenges of the epochs the contract keeps.
 */
export class MessageStore {
  private readonly messages = new Map<string, Uint8Array>();
  private readonly committed = new Map<number, StorageTree>();

  /** Stores a message; returns its hash. */
  add(message: BytesLike): string {
    const bytes = getBytes(message);
    const hash = messageHash(bytes);
    this.messages.set(hash, bytes);
    return hash;
  }

  delete(hash: string): boolean {
    return this.messages.delete(hash.toLowerCase());
  }

  /** The tree of the messages held now, remembered as the commitment of `epoch`. */
  commit(epoch: number): StorageTree {
    const tree = StorageTree.fromMessages(this.messages.values());
    this.committed.set(epoch, tree);
    for (const e of this.committed.keys()) if (e + COMMITMENT_RING <= epoch) this.committed.delete(e);
    return tree;
  }

  /** The tree committed for `epoch`, if remembered. */
  treeOf(epoch: number): StorageTree | undefined {
    return this.committed.get(epoch);
  }

  /** The answer to a challenge of the commitment of `epoch`, if the node can give one. */
  answer(epoch: number, challenge: { messageHash: string; size: bigint | number }): ChallengeAnswer | undefined {
    const tree = this.committed.get(epoch);
    return tree && answerChallenge(tree, challenge);
  }
}

/** The tally of one swarm and epoch, as the contract's `swarmRoot` view reports it. */
export interface SwarmRootView {
  rootPrefix: string;
  leadNodeId: bigint;
  leadCount: number;
  commitments: number;
  agreed: boolean;
}

/**
 * Reference model of the contract's tally of one swarm and epoch: three (first committer, count) groups,
 * Misra–Gries updates, counts and commitments saturating at 255. A root joins the leading group when its
 * first 72 bits equal the tag kept for the leading root, another group when its first 192 bits equal that
 * group's. The swarm root is the leading root if at least SWARM_QUORUM nodes committed it and they are
 * more than half of the commitments.
 */
export class SwarmTallyModel {
  private commitments = 0;
  private leadTag = "";
  private readonly groups: { leader: bigint; count: number; prefix: string }[] = [0, 1, 2].map(() => ({ leader: 0n, count: 0, prefix: "" }));

  /** Counts a commitment; returns the first committer of the leading root if `root` differs from it, else 0. */
  commit(nodeId: bigint, root: string): bigint {
    const prefix = rootPrefix(root).toLowerCase();
    const tag = rootTag(root).toLowerCase();
    if (this.commitments < 255) this.commitments++;
    const lead = this.lead();
    let matched = -1;
    let free = -1;
    let mismatchLead = 0n;
    if (lead < 0) free = 0;
    else if (this.leadTag === tag) matched = lead;
    else {
      mismatchLead = this.groups[lead].leader;
      for (let i = 0; i < this.groups.length; i++) {
        const g = this.groups[i];
        if (g.count === 0) {
          if (free < 0) free = i;
        } else if (i !== lead && g.prefix === prefix) {
          matched = i;
          break;
        }
      }
    }
    if (matched >= 0) {
      if (this.groups[matched].count < 255) this.groups[matched].count++;
    } else if (free >= 0) {
      this.groups[free] = { leader: nodeId, count: 1, prefix };
    } else {
      for (const g of this.groups) g.count--;
    }
    const newLead = this.lead();
    if (newLead !== lead && newLead >= 0) this.leadTag = tag;
    return mismatchLead;
  }

  view(): SwarmRootView {
    const lead = this.lead();
    if (lead < 0) return { rootPrefix: "0x" + "00".repeat(24), leadNodeId: 0n, leadCount: 0, commitments: this.commitments, agreed: false };
    const g = this.groups[lead];
    return {
      rootPrefix: g.prefix,
      leadNodeId: g.leader,
      leadCount: g.count,
      commitments: this.commitments,
      agreed: g.count >= SWARM_QUORUM && 2 * g.count > this.commitments,
    };
  }

  /** The group with the highest count (ties: the lower position), -1 if all are empty. */
  private lead(): number {
    let lead = -1;
    let best = 0;
    this.groups.forEach((g, i) => {
      if (g.count > best) {
        best = g.count;
        lead = i;
      }
    });
    return lead;
  }
}
