// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGuardianPause} from "./IGuardianPause.sol";
import {INodeDirectory} from "./INodeDirectory.sol";
import {IServiceNodeRegistry, KeyKind} from "./IServiceNodeRegistry.sol";
import {ISwarmCoordinator} from "./ISwarmCoordinator.sol";
import {PQPrecompiles} from "../precompiles/PQPrecompiles.sol";

/// @title IStorageCommitment
/// @notice Storage proofs of the Pars service nodes (DESIGN §6, PIP-0008 `StorageProof` and
/// `StorageChallenge`): once per epoch each active node commits the Merkle root of the messages it
/// stores, signed with its ML-DSA-65 identity key; the commitments of a swarm are tallied into a swarm
/// root; anyone may challenge a node, with a bond, to produce a message of the swarm root, and a node
/// that cannot answer within the response window is slashed.
///
/// Merkle trees are in the StandardMerkleTree format of OpenZeppelin's merkle-tree library: a leaf names
/// one stored message, `leaf = keccak256(bytes.concat(keccak256(abi.encode(bytes32 messageHash,
/// uint256 size))))` with `messageHash = keccak256(message)` and `size = message.length`, and inner
/// nodes hash their two children in sorted order. An empty store commits the root `bytes32(0)`.
///
/// Roots on chain. A commitment is kept in one storage slot (epoch, swarm and the first 24 bytes of the
/// root), in a ring of `COMMITMENT_RING` slots per node rewritten in place every epoch; the full root is
/// in the `StorageCommitted` event. Every on-chain comparison of roots (swarm tally, challenge and answer
/// proofs) is on those 192 bits: forging a Merkle proof or a root that matches them is a second preimage
/// of a 192-bit truncated keccak256.
///
/// Swarm root. The commitments of one swarm and epoch are tallied in one slot that counts up to three
/// distinct roots (the Misra–Gries summary with three counters, the generalisation of the Boyer–Moore
/// majority vote; exact whenever at most three distinct roots are committed). A commitment is counted
/// with the leading root when their first 72 bits agree (the tally keeps that tag, so the common,
/// agreeing commitment reads nothing more); with the other roots when their kept 192 bits agree. Making
/// a different root count with the leading one means matching 72 bits of a root that exists only once
/// the epoch's messages do, before the epoch ends: about 2^72 hashes within the hour. The swarm root of an epoch
/// is the root with the most counted commitments, if at least `SWARM_QUORUM` nodes committed it and they
/// are more than half of the swarm's commitments in that epoch. It is final once the epoch is over. With
/// four or more distinct roots the counts are lower bounds: the tally can then miss a swarm root, never
/// report a false one. The swarm root is information, not evidence: a root that differs from it is
/// reported (`StorageRootMismatch`) for the network to reconcile off chain, and punished only through a
/// network-wide attestation, never by a swarm's majority alone.
///
/// Challenges. A challenge names a node, a past epoch within `CHALLENGE_EPOCHS`, and a leaf that is
/// proven to be in the node's own signed root for that epoch (evidence the node cannot dispute), and
/// posts exactly `challengeBond`. Within `RESPONSE_WINDOW` anyone may answer for the node with the
/// message bytes: the bond is then credited to the node's operator. Otherwise anyone may resolve it: the
/// bond is credited back to the challenger and, for the node's first default in that epoch, the node is
/// slashed `failedChallengePenaltyBps` of its stake through the registry, which credits
/// `challengerShareBps` of the slashed amount to the challenger (collected with the registry's
/// `claimCredit`). The share is below the operator's smallest share of a node's stake, so an operator
/// that challenges its own node loses more than it collects. Bonds are pull payments collected with
/// `withdraw`. A pause stops new challenges only: commitments, answers, resolutions and withdrawals go
/// on, so no bond is ever trapped.
interface IStorageCommitment is IGuardianPause {
    // ------------------------------------------------------------------ structs

    /// @notice PIP-0008's `StorageProof`: what a node signs and commits once per epoch.
    /// @param nodeId the registry's node id
    /// @param swarmId the node's swarm when it commits (the coordinator's `swarmOf`)
    /// @param epoch the current epoch (the registry's `currentEpoch`, hours since the Unix epoch)
    /// @param merkleRoot root of the StandardMerkleTree of the node's stored messages, zero if none
    /// @param messageCount number of stored messages
    /// @param usedBytes bytes the node stores, at most `SIZE_LIMIT`
    struct StorageProof {
        uint64 nodeId;
        uint32 swarmId;
        uint32 epoch;
        bytes32 merkleRoot;
        uint64 messageCount;
        uint64 usedBytes;
    }

    /// @notice A node's commitment for one epoch, as `commitmentOf` returns it.
    /// @param committed the node committed for that epoch and the commitment is still kept
    /// @param swarmId the swarm it committed in
    /// @param rootPrefix the first 24 bytes of its Merkle root
    struct Commitment {
        bool committed;
        uint32 swarmId;
        bytes24 rootPrefix;
    }

    /// @notice The tally of one swarm and epoch, as `swarmRoot` returns it (all zero if nothing is kept).
    /// @param rootPrefix the first 24 bytes of the leading root: the most counted commitments; on a tie, the
    /// root in the lower tally position (the one counted first, unless four distinct roots were committed)
    /// @param leadNodeId the first node that committed the leading root; its `StorageCommitted` event
    /// carries the full root
    /// @param leadCount commitments counted for the leading root
    /// @param commitments all commitments of the swarm in that epoch
    /// @param agreed the leading root is the swarm root: `leadCount ≥ SWARM_QUORUM` and
    /// `2 × leadCount > commitments`
    /// @param isFinal the epoch is over, so the tally can no longer change
    struct SwarmRoot {
        bytes24 rootPrefix;
        uint64 leadNodeId;
        uint8 leadCount;
        uint8 commitments;
        bool agreed;
        bool isFinal;
    }

    /// @notice Life of a challenge. `None` is the state of an unknown id.
    enum ChallengeStatus {
        None,
        Open,
        Answered,
        Defaulted
    }

    /// @notice A storage challenge (PIP-0008 `StorageChallenge`), packed in four slots.
    /// @param challenger who posted the bond; receives it back and a share of the slash if the node defaults
    /// @param nodeId the challenged node
    /// @param epoch the epoch of the challenged commitment
    /// @param messageHash keccak256 of the message the node must produce
    /// @param nodeRoot the first 24 bytes of the node's own root for `epoch`, which the answer proves against
    /// @param deadline last second (unix time) at which an answer is accepted
    /// @param size the message length in bytes (at most `MAX_MESSAGE_BYTES`)
    /// @param status Open, then Answered or Defaulted
    /// @param bond the bond posted (wei)
    struct Challenge {
        address challenger;
        uint64 nodeId;
        uint32 epoch;
        bytes32 messageHash;
        bytes24 nodeRoot;
        uint40 deadline;
        uint16 size;
        ChallengeStatus status;
        uint96 bond;
    }

    /// @notice One commitment of a batch: the signed proof and its ML-DSA-65 signature (3309 bytes). The
    /// node's key is the one it published with `publishIdentityKey`.
    struct BatchEntry {
        StorageProof proof;
        bytes signature;
    }

    // ------------------------------------------------------------------ events

    /// @notice A node committed its storage for `epoch`.
    event StorageCommitted(
        uint64 indexed nodeId,
        uint32 indexed swarmId,
        uint32 indexed epoch,
        bytes32 merkleRoot,
        uint64 messageCount,
        uint64 usedBytes
    );
    /// @notice Entry `index` of a `commitBatch` was not committed; `reason` is the custom error a single
    /// `commit` of it reverts with (`KeyNotPublished` where the node has published no key).
    event CommitmentSkipped(uint256 index, uint64 indexed nodeId, uint32 indexed epoch, bytes reason);
    /// @notice `nodeId`'s ML-DSA key was published as the code of `keyCode` (a STOP byte, then the key).
    event IdentityKeyPublished(uint64 indexed nodeId, address keyCode);
    /// @notice A commitment's root differs from the swarm's leading root in that epoch, the root first
    /// committed by `leadNodeId` (off-chain reconciliation starts from this event).
    event StorageRootMismatch(
        uint64 indexed nodeId, uint32 indexed swarmId, uint32 indexed epoch, bytes32 merkleRoot, uint64 leadNodeId
    );
    /// @notice A challenge was opened; the node must answer by `deadline`.
    event ChallengeOpened(
        bytes32 indexed challengeId,
        uint64 indexed nodeId,
        address indexed challenger,
        uint32 epoch,
        bytes32 messageHash,
        uint256 size,
        uint256 bond,
        uint256 deadline
    );
    /// @notice The node produced the message: the bond was credited to its operator.
    event ChallengeAnswered(bytes32 indexed challengeId, uint64 indexed nodeId, address indexed operator, uint256 bond);
    /// @notice The node did not answer in time: the bond was credited back to the challenger and, if the
    /// node was still slashable, `penaltyBps` of its stake was slashed with `challengerShareBps` of it
    /// credited to the challenger by the registry (0 penalty: not slashable any more, or already
    /// penalised for a default in that epoch).
    event ChallengeDefaulted(
        bytes32 indexed challengeId,
        uint64 indexed nodeId,
        address indexed challenger,
        uint256 bond,
        uint16 penaltyBps,
        uint16 challengerShareBps
    );
    /// @notice `account` withdrew `amount` wei of bonds credited to it.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice A governance parameter changed.
    event ParameterChanged(bytes32 indexed name, uint256 value);

    // ------------------------------------------------------------------ errors

    /// @notice An ML-DSA-65 key (`which` = MlDsa) or signature (`which` = MlDsaSignature) has the wrong
    /// length: the registry's error of the same name and numbering.
    error InvalidKeyLength(KeyKind which, uint256 length, uint256 expected);
    /// @notice The proof is not for the current epoch (stale or future).
    error EpochNotCurrent(uint32 epoch, uint32 currentEpoch);
    /// @notice `usedBytes` is above the per-node limit.
    error UsedBytesAboveLimit(uint64 usedBytes, uint256 limit);
    /// @notice The public key is not `nodeId`'s registered ML-DSA key; `keyOwner` is the node it belongs
    /// to (0: no node).
    error KeyNotOfNode(uint64 nodeId, uint64 keyOwner);
    /// @notice The ML-DSA signature over `storageProofDigest` does not verify.
    error InvalidSignature(uint64 nodeId);
    /// @notice The node is not active (in no swarm).
    error NodeNotActive(uint64 nodeId);
    /// @notice The proof names `swarmId`, but the node is in `actualSwarmId`.
    error WrongSwarm(uint64 nodeId, uint32 swarmId, uint32 actualSwarmId);
    /// @notice The node id does not fit the swarm tally (40 bits); unreachable with sequential ids.
    error NodeIdTooLarge(uint64 nodeId, uint64 maxNodeId);
    /// @notice The node already committed for this epoch.
    error AlreadyCommitted(uint64 nodeId, uint32 epoch);
    /// @notice Only the `CHALLENGE_EPOCHS` epochs before the current one can be challenged.
    error EpochNotChallengeable(uint32 epoch, uint32 currentEpoch);
    /// @notice The node has no kept commitment for this epoch.
    error NoCommitment(uint64 nodeId, uint32 epoch);
    /// @notice A challenged message or an answer is longer than `MAX_MESSAGE_BYTES`.
    error MessageTooLarge(uint256 size, uint256 maxSize);
    /// @notice A Merkle proof is longer than `MAX_PROOF_LENGTH`.
    error ProofTooLong(uint256 length, uint256 maxLength);
    /// @notice The leaf is not in the node's own root for the epoch (unknown leaf, or a proof for another root).
    error LeafNotCommitted(uint64 nodeId, uint32 epoch, bytes32 leaf);
    /// @notice `msg.value` is not exactly the challenge bond.
    error WrongBond(uint256 sent, uint256 required);
    /// @notice A challenge of this node, epoch and leaf already exists (one per triple, ever).
    error ChallengeExists(bytes32 challengeId, ChallengeStatus status);
    /// @notice No challenge with this id.
    error UnknownChallenge(bytes32 challengeId);
    /// @notice The challenge is already answered or defaulted.
    error ChallengeNotOpen(bytes32 challengeId, ChallengeStatus status);
    /// @notice The answer comes after the deadline.
    error ResponseWindowClosed(bytes32 challengeId, uint256 deadline);
    /// @notice The challenge cannot be resolved before its deadline has passed.
    error ResponseWindowOpen(bytes32 challengeId, uint256 deadline);
    /// @notice The answered bytes are not the challenged message (`messageHash` and `size` of the bytes given).
    error WrongMessage(bytes32 challengeId, bytes32 messageHash, uint256 size);
    /// @notice The answer's proof does not lead to the node's own root for the epoch.
    error LeafNotInNodeRoot(bytes32 challengeId);
    /// @notice The caller has no bond credited.
    error NothingToWithdraw(address account);
    /// @notice A governance parameter is out of its allowed range.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice A batch of `size` commitments; 1 to `maxSize` are accepted.
    error InvalidBatchSize(uint256 size, uint256 maxSize);
    /// @notice `nodeId` has published no ML-DSA key, which a batched commitment is verified against.
    error KeyNotPublished(uint64 nodeId);
    /// @notice `nodeId`'s key is already published at `keyCode`.
    error KeyAlreadyPublished(uint64 nodeId, address keyCode);
    /// @notice Creating the contract that holds `nodeId`'s key failed.
    error KeyPublicationFailed(uint64 nodeId);
    /// @notice A zero address where a contract or account is required.
    error ZeroAddress();
    /// @notice A native transfer failed.
    error TransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------ governance

    /// @notice Sets the bond a new challenge posts (open challenges keep theirs). Only DEFAULT_ADMIN_ROLE;
    /// within [MIN_CHALLENGE_BOND, MAX_CHALLENGE_BOND].
    /// @param value the bond in wei
    function setChallengeBond(uint256 value) external;

    /// @notice Sets the share of the node's stake slashed when it defaults. Only DEFAULT_ADMIN_ROLE;
    /// within [1, MAX_FAILED_CHALLENGE_PENALTY_BPS].
    /// @param value basis points of the node's stake
    function setFailedChallengePenaltyBps(uint16 value) external;

    /// @notice Sets the share of a slash credited to the challenger (the rest goes to the treasury). Only
    /// DEFAULT_ADMIN_ROLE; at most MAX_CHALLENGER_SHARE_BPS.
    /// @param value basis points of the slashed amount
    function setChallengerShareBps(uint16 value) external;


    // ------------------------------------------------------------------ nodes

    /// @notice Commits a node's storage for the current epoch. Anyone may relay it.
    /// @dev Checks the lengths, the epoch, `usedBytes`, that the key is the node's registered ML-DSA key,
    /// that the node is active in `proof.swarmId`, that it has not committed this epoch, and the ML-DSA
    /// signature over `storageProofDigest(proof)`; then counts the root in the swarm's tally (emitting
    /// `StorageRootMismatch` if it differs from the leading root) and reports `usedBytes` to the swarm
    /// coordinator for the network's storage totals. O(1) in the number of nodes.
    /// @param proof the signed storage proof
    /// @param mldsaPublicKey the node's ML-DSA-65 public key, 1952 bytes (checked against its registered hash)
    /// @param signature ML-DSA-65 signature, 3309 bytes
    function commit(StorageProof calldata proof, bytes calldata mldsaPublicKey, bytes calldata signature)
        external;

    /// @notice Commits up to `MAX_BATCH` nodes' storage for the current epoch in one transaction, with one
    /// verification of all their signatures (one batch call under the `Lux` profile). Anyone may relay it,
    /// typically one node for its swarm.
    /// @dev Each entry is checked as `commit` checks it, against the key its node published. An entry that
    /// fails a check, or became invalid before the batch was mined (already committed, node no longer
    /// active), is skipped with `CommitmentSkipped` naming the error; the batch itself reverts only when
    /// empty or too large. O(1) in the number of nodes.
    /// @param entries the proofs and signatures
    /// @return committed bit i set when entry i was committed
    function commitBatch(BatchEntry[] calldata entries) external returns (uint256 committed);

    /// @notice Most entries of one `commitBatch`.
    function MAX_BATCH() external view returns (uint256);

    /// @notice Publishes `nodeId`'s registered ML-DSA-65 key on chain, as the code of a new contract, so that
    /// batched commitments need not carry it (1,952 bytes of calldata, about 31k gas, each epoch). Once per
    /// node; anyone may send it.
    /// @param nodeId the node
    /// @param mldsaPublicKey its ML-DSA-65 key (checked against its registered hash)
    /// @return keyCode the contract that holds the key
    function publishIdentityKey(uint64 nodeId, bytes calldata mldsaPublicKey) external returns (address keyCode);

    // ------------------------------------------------------------------ challenges

    /// @notice Challenges `nodeId` to produce a message of its own signed root for `epoch`; `msg.value`
    /// must be exactly `challengeBond`. Not while paused.
    /// @dev The epoch must be one of the `CHALLENGE_EPOCHS` epochs before the current one, the node must
    /// have committed for it, and `proof` must lead from the leaf `(messageHash, size)` to the node's root.
    /// One challenge per (node, epoch, leaf), ever; one penalty per (node, epoch).
    /// @param nodeId the challenged node
    /// @param epoch the epoch of its commitment
    /// @param messageHash keccak256 of the message
    /// @param size the message's length in bytes, at most `MAX_MESSAGE_BYTES`
    /// @param proof StandardMerkleTree proof of the leaf in the node's root, at most `MAX_PROOF_LENGTH` hashes
    /// @return challengeId `challengeId(nodeId, epoch, messageHash, size)`
    function challenge(uint64 nodeId, uint32 epoch, bytes32 messageHash, uint256 size, bytes32[] calldata proof)
        external
        payable
        returns (bytes32 challengeId);

    /// @notice Answers an open challenge with the message bytes and their proof in the node's own
    /// committed root. Anyone may relay it. Credits the bond to the node's operator.
    /// @param challengeId the challenge
    /// @param message the message bytes: `keccak256(message) == messageHash`, `message.length == size`
    /// @param proof StandardMerkleTree proof of the leaf in the node's root, at most `MAX_PROOF_LENGTH` hashes
    function respond(bytes32 challengeId, bytes calldata message, bytes32[] calldata proof) external;

    /// @notice Resolves a challenge the node did not answer by its deadline. Anyone may call it. Credits the
    /// bond back to the challenger and, if the node is still slashable (active, or decommissioning with
    /// its stake locked) and was not penalised for a default in the challenge's epoch yet, slashes it
    /// through the registry, which credits the challenger's share there.
    /// @param challengeId the challenge
    /// @return slashed whether the node was slashed
    function resolve(bytes32 challengeId) external returns (bool slashed);

    /// @notice Sends the caller the bonds credited to it. Never blocked by a pause.
    /// @return amount wei sent
    function withdraw() external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    /// @notice The digest a node signs with ML-DSA-65 for `proof` (EIP-712 style: bound to the chain id,
    /// this contract and the purpose by a type hash).
    function storageProofDigest(StorageProof calldata proof) external view returns (bytes32);

    /// @notice A node's commitment for `epoch` (`committed` false if none, or no longer kept).
    function commitmentOf(uint64 nodeId, uint32 epoch) external view returns (Commitment memory);

    /// @notice The tally and swarm root of `swarmId` for `epoch` (all zero if nothing is kept).
    function swarmRoot(uint32 swarmId, uint32 epoch) external view returns (SwarmRoot memory);

    /// @notice `nodeId`'s published ML-DSA-65 key, empty if it has published none.
    function identityKeyOf(uint64 nodeId) external view returns (bytes memory publicKey);

    /// @notice A challenge by id.
    function getChallenge(bytes32 challengeId) external view returns (Challenge memory);

    /// @notice Bonds credited to `account` and not yet withdrawn.
    function creditOf(address account) external view returns (uint256);

    /// @notice The StandardMerkleTree leaf of a message: keccak256(bytes.concat(keccak256(abi.encode(
    /// messageHash, size)))).
    function storageLeaf(bytes32 messageHash, uint256 size) external pure returns (bytes32);

    /// @notice The id of the challenge of `nodeId`'s commitment for `epoch` on the leaf (messageHash, size).
    function challengeId(uint64 nodeId, uint32 epoch, bytes32 messageHash, uint256 size)
        external
        pure
        returns (bytes32);

    /// @notice The bond a new challenge posts (wei).
    function challengeBond() external view returns (uint256);

    /// @notice Share of the stake slashed from a node that defaults (bps).
    function failedChallengePenaltyBps() external view returns (uint16);

    /// @notice Share of a slash credited to the challenger (bps).
    function challengerShareBps() external view returns (uint16);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice How many past epochs can be challenged: `current - CHALLENGE_EPOCHS ≤ epoch < current`.
    function CHALLENGE_EPOCHS() external view returns (uint32);
    /// @notice Epochs of commitments and tallies kept on chain (ring buffers indexed by epoch mod this).
    function COMMITMENT_RING() external view returns (uint256);
    /// @notice The node directory: who owns an ML-DSA key.
    function DIRECTORY() external view returns (INodeDirectory);
    /// @notice One epoch, as in the registry (checked at construction): commitments are made once per epoch.
    function EPOCH_SECONDS() external view returns (uint256);
    /// @notice Upper bound of the challenger's share of a penalty: below the operator's smallest share of
    /// a node's stake (the registry's OPERATOR_MIN_BPS, 25%), so an operator challenging its own node
    /// loses at least 5% of every penalty it causes, and a challenger gains at most its bond back plus
    /// 20% of one penalty per node and epoch.
    function MAX_CHALLENGER_SHARE_BPS() external view returns (uint16);
    /// @notice Upper bound of the challenge bond.
    function MAX_CHALLENGE_BOND() external view returns (uint256);
    /// @notice Upper bound of the failed-challenge penalty.
    function MAX_FAILED_CHALLENGE_PENALTY_BPS() external view returns (uint16);
    /// @notice Largest challengeable message, so that an answer costs bounded gas.
    function MAX_MESSAGE_BYTES() external view returns (uint256);
    /// @notice Largest node id the swarm tally can name (40 bits; the registry numbers nodes from 1).
    function MAX_NODE_ID() external view returns (uint64);
    /// @notice Longest Merkle proof accepted (a tree of 2^64 leaves).
    function MAX_PROOF_LENGTH() external view returns (uint256);
    /// @notice Lower bound of the challenge bond.
    function MIN_CHALLENGE_BOND() external view returns (uint256);
    /// @notice The ML-DSA precompile.
    function MLDSA() external view returns (address);
    /// @notice The precompile profile MLDSA speaks (wire format, signing context, batch verification).
    function PQ_PROFILE() external view returns (PQPrecompiles.Profile);
    /// @notice The node registry: epochs, operators and slashing.
    function REGISTRY() external view returns (IServiceNodeRegistry);
    /// @notice Time a node has to answer a challenge.
    function RESPONSE_WINDOW() external view returns (uint256);
    /// @notice Most bytes a node may report: 10 GiB (PIP-0008's 10 GB SIZE_LIMIT, as the coordinator reads it).
    function SIZE_LIMIT() external view returns (uint256);
    /// @notice The swarm coordinator: membership and the network's storage totals.
    function SWARMS() external view returns (ISwarmCoordinator);
    /// @notice Fewest commitments of one root for it to be a swarm root (a majority of a 5-node swarm).
    function SWARM_QUORUM() external view returns (uint256);
}
