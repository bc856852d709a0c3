// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IStorageCommitment} from "../interfaces/IStorageCommitment.sol";
import {IServiceNodeRegistry, KeyKind} from "../interfaces/IServiceNodeRegistry.sol";
import {INodeDirectory} from "../interfaces/INodeDirectory.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";
import {PQPrecompiles} from "../precompiles/PQPrecompiles.sol";
import {GuardianPause} from "../governance/GuardianPause.sol";
import {CommitmentWord, CommitmentWordLib, Tally, TallyLib} from "./StorageWords.sol";

/// @title StorageCommitment
/// @notice Per-epoch ML-DSA-signed storage commitments of the Pars service nodes, swarm roots, and bonded
/// storage challenges with slashing through the registry.
/// @dev Every function is O(1) in the number of nodes and swarms. The only loops run over the three
/// tally counters; Merkle proofs are at most MAX_PROOF_LENGTH hashes and answers at most
/// MAX_MESSAGE_BYTES bytes. Needs the registry's SLASHER_ROLE and the coordinator's STORAGE_ROLE.
///
/// Gas of a commitment (local network, the same at 10 and 1,000 nodes): about 158k once a node has
/// committed COMMITMENT_RING times. 107k of it is the base cost and the 5.3 KB of key and signature
/// calldata; the registry's key look-up, the coordinator's `swarmOf`, the precompile call and the event
/// take about 29k, and the coordinator's storage report 12k. Our own state is two slots rewritten in
/// place, the node's ring slot and the swarm's tally slot, which recognises the leading root by a tag
/// it keeps (no further read). A node's first COMMITMENT_RING commitments fill fresh ring slots
/// (about 17k more each).
contract StorageCommitment is IStorageCommitment, GuardianPause, ReentrancyGuardTransient {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc IStorageCommitment
    uint256 public constant SIZE_LIMIT = 10 * 2 ** 30;
    /// @inheritdoc IStorageCommitment
    uint256 public constant MAX_MESSAGE_BYTES = 16 * 1024;
    /// @inheritdoc IStorageCommitment
    uint256 public constant MAX_PROOF_LENGTH = 64;
    /// @inheritdoc IStorageCommitment
    uint256 public constant EPOCH_SECONDS = 1 hours;
    /// @inheritdoc IStorageCommitment
    uint256 public constant RESPONSE_WINDOW = 1 hours;
    /// @inheritdoc IStorageCommitment
    uint256 public constant COMMITMENT_RING = 4;
    /// @inheritdoc IStorageCommitment
    uint32 public constant CHALLENGE_EPOCHS = uint32(COMMITMENT_RING - 1);
    /// @inheritdoc IStorageCommitment
    uint256 public constant SWARM_QUORUM = 3;
    /// @inheritdoc IStorageCommitment
    uint256 public constant MIN_CHALLENGE_BOND = 0.01 ether;
    /// @inheritdoc IStorageCommitment
    uint256 public constant MAX_CHALLENGE_BOND = 10_000 ether;
    /// @inheritdoc IStorageCommitment
    uint16 public constant MAX_FAILED_CHALLENGE_PENALTY_BPS = 1_000;
    /// @inheritdoc IStorageCommitment
    uint16 public constant MAX_CHALLENGER_SHARE_BPS = 2_000;

    /// @inheritdoc IStorageCommitment
    uint256 public constant MAX_BATCH = PQPrecompiles.MAX_BATCH;

    /// @inheritdoc IStorageCommitment
    uint64 public constant MAX_NODE_ID = type(uint40).max;

    uint256 private constant BPS = 10_000;
    bytes32 private constant STORAGE_PROOF_TYPEHASH = keccak256(
        "ParsStorageProof(uint256 chainId,address storageCommitment,uint64 nodeId,uint32 swarmId,uint32 epoch,"
        "bytes32 merkleRoot,uint64 messageCount,uint64 usedBytes)"
    );

    // ------------------------------------------------------------------ immutables

    /// @inheritdoc IStorageCommitment
    IServiceNodeRegistry public immutable REGISTRY;
    /// @inheritdoc IStorageCommitment
    INodeDirectory public immutable DIRECTORY;
    /// @inheritdoc IStorageCommitment
    ISwarmCoordinator public immutable SWARMS;
    /// @inheritdoc IStorageCommitment
    PQPrecompiles.Profile public immutable PQ_PROFILE;
    /// @inheritdoc IStorageCommitment
    address public immutable MLDSA;
    /// @dev The coordinator's "no swarm" value, read once.
    uint32 private immutable NO_SWARM;

    // ------------------------------------------------------------------ storage

    /// @dev One slot: the bond (at most MAX_CHALLENGE_BOND, below 2^96 wei) and the pause flag
    /// (`GuardianPause`), which `challenge` reads together, and the penalty parameters a resolution reads.
    uint96 private _challengeBond;
    bool private _paused;
    /// @inheritdoc IStorageCommitment
    uint16 public failedChallengePenaltyBps;
    /// @inheritdoc IStorageCommitment
    uint16 public challengerShareBps;

    /// @dev Each node's last COMMITMENT_RING commitments, one packed word each (epoch, swarm, root's first
    /// 192 bits), at index epoch mod COMMITMENT_RING. Once a node has committed COMMITMENT_RING times,
    /// every commitment rewrites a non-zero slot (5,000 gas) instead of filling a fresh one (22,100).
    mapping(uint64 nodeId => CommitmentWord[COMMITMENT_RING]) private _commitments;
    /// @dev Each swarm's last COMMITMENT_RING tallies, one packed word each (layout above), at index
    /// epoch mod COMMITMENT_RING (`Tally`); rewritten in place like the commitments.
    mapping(uint32 swarmId => Tally[COMMITMENT_RING]) private _tallies;
    mapping(bytes32 challengeId => Challenge) private _challenges;
    /// @dev Epochs in which a node was penalised for a default: at most one storage penalty per node and epoch.
    mapping(uint64 nodeId => mapping(uint32 epoch => bool)) private _penalised;
    mapping(address account => uint256) private _credits;
    /// @dev Each node's published ML-DSA key: the address of a contract whose code is a STOP byte and the key.
    mapping(uint64 nodeId => address) private _keyCode;

    // ------------------------------------------------------------------ constructor

    /// @param admin receives DEFAULT_ADMIN_ROLE (the 24-hour timelock in production)
    /// @param guardian receives GUARDIAN_ROLE (zero: none)
    /// @param registry the node registry (this contract needs its SLASHER_ROLE)
    /// @param swarms the swarm coordinator (this contract needs its STORAGE_ROLE)
    /// @param profile the precompile profile `mldsa` speaks
    /// @param mldsa the ML-DSA precompile
    constructor(
        address admin,
        address guardian,
        IServiceNodeRegistry registry,
        ISwarmCoordinator swarms,
        PQPrecompiles.Profile profile,
        address mldsa
    ) {
        if (
            admin == address(0) || address(registry) == address(0) || address(swarms) == address(0)
                || mldsa == address(0)
        ) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        REGISTRY = registry;
        DIRECTORY = registry.DIRECTORY();
        SWARMS = swarms;
        PQ_PROFILE = profile;
        MLDSA = mldsa;
        NO_SWARM = swarms.NO_SWARM();
        // The epoch is computed here rather than asked of the registry on every commitment (a call saved).
        uint32 registryEpoch = registry.currentEpoch();
        if (registryEpoch != _epoch()) revert InvalidParameter("registryEpoch", registryEpoch);
        _challengeBond = 10 ether;
        failedChallengePenaltyBps = 100;
        challengerShareBps = MAX_CHALLENGER_SHARE_BPS;
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IStorageCommitment
    function setChallengeBond(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value < MIN_CHALLENGE_BOND || value > MAX_CHALLENGE_BOND) revert InvalidParameter("challengeBond", value);
        _challengeBond = uint96(value);
        emit ParameterChanged("challengeBond", value);
    }

    /// @inheritdoc IStorageCommitment
    function setFailedChallengePenaltyBps(uint16 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > MAX_FAILED_CHALLENGE_PENALTY_BPS) {
            revert InvalidParameter("failedChallengePenaltyBps", value);
        }
        failedChallengePenaltyBps = value;
        emit ParameterChanged("failedChallengePenaltyBps", value);
    }

    /// @inheritdoc IStorageCommitment
    function setChallengerShareBps(uint16 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > MAX_CHALLENGER_SHARE_BPS) revert InvalidParameter("challengerShareBps", value);
        challengerShareBps = value;
        emit ParameterChanged("challengerShareBps", value);
    }

    function _isPaused() internal view override returns (bool) {
        return _paused;
    }

    function _setPaused(bool value) internal override {
        _paused = value;
    }

    // ------------------------------------------------------------------ nodes

    /// @inheritdoc IStorageCommitment
    function commit(StorageProof calldata proof, bytes calldata mldsaPublicKey, bytes calldata signature) external {
        _checkKeyLength(mldsaPublicKey);
        if (signature.length != PQPrecompiles.MLDSA65_SIGNATURE_BYTES) {
            revert InvalidKeyLength(
                KeyKind.MlDsaSignature, signature.length, PQPrecompiles.MLDSA65_SIGNATURE_BYTES
            );
        }
        (uint32 swarmId, bytes memory failure) = _checkProof(proof);
        if (failure.length != 0) _revertWith(failure);
        uint64 nodeId = proof.nodeId;
        _checkKeyOfNode(nodeId, mldsaPublicKey);
        if (!PQPrecompiles.mldsaVerify(PQ_PROFILE, MLDSA, mldsaPublicKey, _digest(proof), signature)) {
            revert InvalidSignature(nodeId);
        }
        _record(proof, swarmId);
        SWARMS.reportStorageUsed(nodeId, proof.usedBytes);
    }

    /// @inheritdoc IStorageCommitment
    function commitBatch(BatchEntry[] calldata entries) external returns (uint256 committed) {
        uint256 count = entries.length;
        if (count == 0 || count > MAX_BATCH) revert InvalidBatchSize(count, MAX_BATCH);
        // Pass 1: the checks that read state; entries that pass get their key and digest.
        uint32[] memory swarmIds = new uint32[](count);
        address[] memory keys = new address[](count);
        bytes32[] memory digests = new bytes32[](count);
        uint256 candidates;
        uint256 pending;
        for (uint256 i; i < count; ++i) {
            BatchEntry calldata e = entries[i];
            bytes memory failure;
            if (e.signature.length != PQPrecompiles.MLDSA65_SIGNATURE_BYTES) {
                failure = abi.encodeWithSelector(
                    InvalidKeyLength.selector,
                    KeyKind.MlDsaSignature,
                    e.signature.length,
                    PQPrecompiles.MLDSA65_SIGNATURE_BYTES
                );
            } else {
                (swarmIds[i], failure) = _checkProof(e.proof);
                if (failure.length == 0) {
                    keys[i] = _keyCode[e.proof.nodeId];
                    if (keys[i] == address(0)) {
                        failure = abi.encodeWithSelector(KeyNotPublished.selector, e.proof.nodeId);
                    }
                }
            }
            if (failure.length != 0) {
                emit CommitmentSkipped(i, e.proof.nodeId, e.proof.epoch, failure);
                continue;
            }
            digests[i] = _digest(e.proof);
            pending |= 1 << i;
            ++candidates;
        }
        // One verification of every candidate: a `Lux` batch call, or one call each under `Pip`.
        uint256 valid = PQ_PROFILE == PQPrecompiles.Profile.Lux
            ? _verifyBatch(entries, keys, digests, pending, candidates)
            : _verifyEach(entries, keys, digests, pending);
        committed = _commitVerified(entries, swarmIds, pending, valid);
    }

    /// @inheritdoc IStorageCommitment
    function publishIdentityKey(uint64 nodeId, bytes calldata mldsaPublicKey) external returns (address keyCode) {
        _checkKeyLength(mldsaPublicKey);
        _checkKeyOfNode(nodeId, mldsaPublicKey);
        if (_keyCode[nodeId] != address(0)) revert KeyAlreadyPublished(nodeId, _keyCode[nodeId]);
        // Init code: PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN; then
        // the runtime code, a STOP byte (so the key can never be called as code) and the key.
        bytes memory init = abi.encodePacked(
            hex"61", uint16(mldsaPublicKey.length + 1), hex"80600a3d393df3", hex"00", mldsaPublicKey
        );
        assembly ("memory-safe") {
            keyCode := create(0, add(init, 0x20), mload(init))
        }
        if (keyCode == address(0)) revert KeyPublicationFailed(nodeId);
        _keyCode[nodeId] = keyCode;
        emit IdentityKeyPublished(nodeId, keyCode);
    }

    // ------------------------------------------------------------------ challenges

    /// @inheritdoc IStorageCommitment
    function challenge(uint64 nodeId, uint32 epoch, bytes32 messageHash, uint256 size, bytes32[] calldata proof)
        external
        payable
        whenNotPaused
        nonReentrant
        returns (bytes32 id)
    {
        uint256 bond = _challengeBond;
        if (msg.value != bond) revert WrongBond(msg.value, bond);
        bytes24 nodeRoot;
        (id, nodeRoot) = _checkChallenge(nodeId, epoch, messageHash, size, proof);

        uint256 deadline = block.timestamp + RESPONSE_WINDOW;
        _challenges[id] = Challenge({
            challenger: msg.sender,
            nodeId: nodeId,
            epoch: epoch,
            messageHash: messageHash,
            nodeRoot: nodeRoot,
            deadline: uint40(deadline),
            size: uint16(size),
            status: ChallengeStatus.Open,
            bond: uint96(bond)
        });
        emit ChallengeOpened(id, nodeId, msg.sender, epoch, messageHash, size, bond, deadline);
    }

    /// @inheritdoc IStorageCommitment
    function respond(bytes32 id, bytes calldata message, bytes32[] calldata proof) external nonReentrant {
        Challenge storage c = _open(id);
        uint256 deadline = c.deadline;
        if (block.timestamp > deadline) revert ResponseWindowClosed(id, deadline);
        if (message.length > MAX_MESSAGE_BYTES) revert MessageTooLarge(message.length, MAX_MESSAGE_BYTES);
        if (proof.length > MAX_PROOF_LENGTH) revert ProofTooLong(proof.length, MAX_PROOF_LENGTH);
        bytes32 messageHash = keccak256(message);
        if (messageHash != c.messageHash || message.length != c.size) {
            revert WrongMessage(id, messageHash, message.length);
        }
        bytes32 root = MerkleProof.processProofCalldata(proof, _leaf(messageHash, message.length));
        if (bytes24(root) != c.nodeRoot) revert LeafNotInNodeRoot(id);
        uint64 nodeId = c.nodeId;
        (address operator,,) = REGISTRY.nodeTerms(nodeId);

        c.status = ChallengeStatus.Answered;
        uint256 bond = c.bond;
        _credits[operator] += bond;
        emit ChallengeAnswered(id, nodeId, operator, bond);
    }

    /// @inheritdoc IStorageCommitment
    function resolve(bytes32 id) external nonReentrant returns (bool slashed) {
        Challenge storage c = _open(id);
        uint256 deadline = c.deadline;
        if (block.timestamp <= deadline) revert ResponseWindowOpen(id, deadline);
        uint64 nodeId = c.nodeId;
        uint32 epoch = c.epoch;
        // Mirrors the registry's own rule, so that `slash` cannot revert on a node that has moved on.
        IServiceNodeRegistry.NodeView memory node = REGISTRY.getNode(nodeId);
        slashed = node.status == IServiceNodeRegistry.Status.Active
            || (node.status == IServiceNodeRegistry.Status.Decommissioning && block.timestamp < node.unlockAt);
        // One penalty per node and epoch: further defaults of the epoch return their bonds only.
        if (slashed) {
            slashed = !_penalised[nodeId][epoch];
            if (slashed) _penalised[nodeId][epoch] = true;
        }

        c.status = ChallengeStatus.Defaulted;
        address challenger = c.challenger;
        uint256 bond = c.bond;
        _credits[challenger] += bond;
        uint16 penaltyBps = slashed ? failedChallengePenaltyBps : 0;
        uint16 shareBps = challengerShareBps;
        emit ChallengeDefaulted(id, nodeId, challenger, bond, penaltyBps, shareBps);

        if (slashed) REGISTRY.slash(nodeId, penaltyBps, challenger, shareBps);
    }

    /// @inheritdoc IStorageCommitment
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IStorageCommitment
    function storageProofDigest(StorageProof calldata proof) external view returns (bytes32) {
        return _digest(proof);
    }

    /// @inheritdoc IStorageCommitment
    function challengeBond() external view returns (uint256) {
        return _challengeBond;
    }

    /// @inheritdoc IStorageCommitment
    function commitmentOf(uint64 nodeId, uint32 epoch) external view returns (Commitment memory c) {
        CommitmentWord entry = _commitments[nodeId][epoch % COMMITMENT_RING];
        if (entry.isOf(epoch)) {
            c = Commitment({committed: true, swarmId: entry.swarmId(), rootPrefix: entry.rootPrefix()});
        }
    }

    /// @inheritdoc IStorageCommitment
    function swarmRoot(uint32 swarmId, uint32 epoch) external view returns (SwarmRoot memory r) {
        uint32 current = _epoch();
        uint256 index = epoch % COMMITMENT_RING;
        Tally t = _tallies[swarmId][index];
        // A tally older than the ring may name leaders whose commitments were overwritten since.
        if (epoch == 0 || t.epoch() != epoch || uint256(epoch) + COMMITMENT_RING <= current) return r;
        r.commitments = t.commitments();
        r.isFinal = epoch < current;
        uint256 lead = t.lead();
        if (lead == TallyLib.GROUPS) return r;
        r.leadNodeId = t.leader(lead);
        r.leadCount = t.count(lead);
        r.rootPrefix = _commitments[r.leadNodeId][index].rootPrefix();
        r.agreed = r.leadCount >= SWARM_QUORUM && 2 * uint256(r.leadCount) > r.commitments;
    }

    /// @inheritdoc IStorageCommitment
    function identityKeyOf(uint64 nodeId) external view returns (bytes memory publicKey) {
        address keyCode = _keyCode[nodeId];
        if (keyCode != address(0)) publicKey = _publishedKey(keyCode);
    }

    /// @inheritdoc IStorageCommitment
    function getChallenge(bytes32 id) external view returns (Challenge memory) {
        return _challenges[id];
    }

    /// @inheritdoc IStorageCommitment
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @inheritdoc IStorageCommitment
    function storageLeaf(bytes32 messageHash, uint256 size) external pure returns (bytes32) {
        return _leaf(messageHash, size);
    }

    /// @inheritdoc IStorageCommitment
    function challengeId(uint64 nodeId, uint32 epoch, bytes32 messageHash, uint256 size)
        external
        pure
        returns (bytes32)
    {
        return _challengeId(nodeId, epoch, _leaf(messageHash, size));
    }

    // ------------------------------------------------------------------ internals

    /// @dev Effects and events of a checked commitment: the node's ring slot, the swarm tally.
    function _record(StorageProof calldata proof, uint32 swarmId) private {
        uint64 nodeId = proof.nodeId;
        uint32 epoch = proof.epoch;
        uint256 index = epoch % COMMITMENT_RING;
        _commitments[nodeId][index] = CommitmentWordLib.make(epoch, swarmId, proof.merkleRoot);
        uint64 leadNodeId = _count(swarmId, epoch, index, nodeId, CommitmentWordLib.rootBitsOf(proof.merkleRoot));

        emit StorageCommitted(nodeId, swarmId, epoch, proof.merkleRoot, proof.messageCount, proof.usedBytes);
        if (leadNodeId != 0) emit StorageRootMismatch(nodeId, swarmId, epoch, proof.merkleRoot, leadNodeId);
    }

    /// @dev Counts a commitment of `rootBits` by `nodeId` in the tally of (`swarmId`, `epoch`). Returns the
    /// first committer of the leading root if `rootBits` differs from it, 0 if it matches or there was
    /// none. The leading root is recognised by its 72-bit tag kept in the tally (no read); the others by
    /// their 192 bits, read from their first committers' slots. A matching root adds one to its group's
    /// count; a new root takes a free group; with all three groups taken, every count drops by one
    /// instead (Misra–Gries), so counts never exceed the truth. The new leader, if the lead changes, is
    /// the group this commitment joined, so its tag is this root's.
    function _count(uint32 swarmId, uint32 epoch, uint256 index, uint64 nodeId, uint256 rootBits)
        private
        returns (uint64 mismatchLead)
    {
        Tally[COMMITMENT_RING] storage ring = _tallies[swarmId];
        Tally t = ring[index].counting(epoch);

        uint256 tag = TallyLib.tagOf(rootBits);
        uint256 lead = t.lead();
        uint256 matched = TallyLib.GROUPS;
        uint256 free = TallyLib.GROUPS;
        if (lead == TallyLib.GROUPS) {
            free = 0; // an empty tally
        } else if (t.leadTagIs(tag)) {
            matched = lead;
        } else {
            mismatchLead = t.leader(lead);
            for (uint256 i; i < TallyLib.GROUPS; ++i) {
                (uint64 first, uint256 n) = t.group(i);
                if (n == 0) {
                    if (free == TallyLib.GROUPS) free = i;
                } else if (i != lead && _commitments[first][index].rootBits() == rootBits) {
                    matched = i;
                    break;
                }
            }
        }

        if (matched != TallyLib.GROUPS) t = t.joined(matched);
        else if (free != TallyLib.GROUPS) t = t.founded(free, nodeId);
        else t = t.decremented();
        uint256 newLead = t.lead();
        if (newLead != lead && newLead != TallyLib.GROUPS) t = t.withLeadTag(tag);
        ring[index] = t;
    }

    /// @dev The checks of a commitment that read state, but neither its key nor its signature: the
    /// epoch, `usedBytes`, the node's swarm, one commitment per epoch. Returns the node's swarm, or the
    /// custom error that a single commitment reverts with and a batch reports.
    function _checkProof(StorageProof calldata proof) private view returns (uint32 swarmId, bytes memory failure) {
        uint64 nodeId = proof.nodeId;
        uint32 epoch = proof.epoch;
        uint32 current = _epoch();
        if (epoch != current) return (0, abi.encodeWithSelector(EpochNotCurrent.selector, epoch, current));
        if (proof.usedBytes > SIZE_LIMIT) {
            return (0, abi.encodeWithSelector(UsedBytesAboveLimit.selector, proof.usedBytes, SIZE_LIMIT));
        }
        if (nodeId > MAX_NODE_ID) return (0, abi.encodeWithSelector(NodeIdTooLarge.selector, nodeId, MAX_NODE_ID));
        swarmId = SWARMS.swarmOf(nodeId);
        if (swarmId == NO_SWARM) return (0, abi.encodeWithSelector(NodeNotActive.selector, nodeId));
        if (swarmId != proof.swarmId) {
            return (0, abi.encodeWithSelector(WrongSwarm.selector, nodeId, proof.swarmId, swarmId));
        }
        if (_commitments[nodeId][epoch % COMMITMENT_RING].epoch() == epoch) {
            return (0, abi.encodeWithSelector(AlreadyCommitted.selector, nodeId, epoch));
        }
    }

    function _checkKeyLength(bytes calldata mldsaPublicKey) private pure {
        if (mldsaPublicKey.length != PQPrecompiles.MLDSA65_PUBLIC_KEY_BYTES) {
            revert InvalidKeyLength(
                KeyKind.MlDsa, mldsaPublicKey.length, PQPrecompiles.MLDSA65_PUBLIC_KEY_BYTES
            );
        }
    }

    /// @dev `mldsaPublicKey` is the registered ML-DSA key of `nodeId` (and `nodeId` is a node).
    function _checkKeyOfNode(uint64 nodeId, bytes calldata mldsaPublicKey) private view {
        uint64 keyOwner = DIRECTORY.nodeIdByMldsaKey(keccak256(mldsaPublicKey));
        if (keyOwner != nodeId || keyOwner == 0) revert KeyNotOfNode(nodeId, keyOwner);
    }

    /// @dev The key held by a key contract of `publishIdentityKey` (its code after the STOP byte).
    function _publishedKey(address keyCode) private view returns (bytes memory key) {
        key = new bytes(PQPrecompiles.MLDSA65_PUBLIC_KEY_BYTES);
        assembly ("memory-safe") {
            extcodecopy(keyCode, add(key, 0x20), 1, mload(key))
        }
    }

    /// @dev Reverts with the ABI-encoded custom error `failure`.
    function _revertWith(bytes memory failure) private pure {
        assembly ("memory-safe") {
            revert(add(failure, 0x20), mload(failure))
        }
    }

    /// @dev Pass 2 of a batch: the effects of every verified entry. An entry naming a node that an earlier
    /// entry already committed is skipped here.
    function _commitVerified(
        BatchEntry[] calldata entries,
        uint32[] memory swarmIds,
        uint256 pending,
        uint256 valid
    ) private returns (uint256 committed) {
        for (uint256 i; i < entries.length; ++i) {
            if (pending & (1 << i) == 0) continue;
            StorageProof calldata proof = entries[i].proof;
            uint64 nodeId = proof.nodeId;
            bytes memory failure;
            if (valid & (1 << i) == 0) {
                failure = abi.encodeWithSelector(InvalidSignature.selector, nodeId);
            } else if (_commitments[nodeId][proof.epoch % COMMITMENT_RING].epoch() == proof.epoch) {
                failure = abi.encodeWithSelector(AlreadyCommitted.selector, nodeId, proof.epoch);
            }
            if (failure.length != 0) {
                emit CommitmentSkipped(i, nodeId, proof.epoch, failure);
                continue;
            }
            _record(proof, swarmIds[i]);
            SWARMS.reportStorageUsed(nodeId, proof.usedBytes);
            committed |= 1 << i;
        }
    }

    /// @dev One `Lux` batch call over the `pending` entries (bit i: entry i), keys read from their
    /// published code straight into the call's input; returns the verified entries as bits.
    function _verifyBatch(
        BatchEntry[] calldata entries,
        address[] memory keys,
        bytes32[] memory digests,
        uint256 pending,
        uint256 candidates
    ) private view returns (uint256 valid) {
        if (candidates == 0) return 0;
        uint256 entryBytes = PQPrecompiles.MLDSA65_PUBLIC_KEY_BYTES + 32 + PQPrecompiles.MLDSA65_SIGNATURE_BYTES + 32;
        bytes memory input = PQPrecompiles.batchInput(candidates);
        uint256 cursor;
        assembly ("memory-safe") {
            // The header is 4 bytes; the entries follow it. Allocate them all at once.
            cursor := add(add(input, 0x20), 4)
            let total := add(4, mul(candidates, entryBytes))
            mstore(input, total)
            mstore(0x40, and(add(add(add(input, 0x20), total), 31), not(31)))
        }
        for (uint256 i; i < entries.length; ++i) {
            if (pending & (1 << i) == 0) continue;
            cursor = _writeBatchEntry(cursor, keys[i], digests[i], entries[i].signature);
        }
        uint256 verdicts = PQPrecompiles.mldsaVerifyBatch(MLDSA, input, candidates);
        // Verdict j belongs to the j-th pending entry.
        uint256 j;
        for (uint256 i; i < entries.length; ++i) {
            if (pending & (1 << i) == 0) continue;
            if (verdicts & (1 << j) != 0) valid |= 1 << i;
            ++j;
        }
    }

    /// @dev Writes one `Lux` batch entry at `cursor` (allocated): `[public key][message length][signature]
    /// [message]`, the key copied from its key contract, the message the 32-byte digest. Returns the end.
    function _writeBatchEntry(uint256 cursor, address keyCode, bytes32 digest, bytes calldata signature)
        private
        view
        returns (uint256 end)
    {
        uint256 keyBytes = PQPrecompiles.MLDSA65_PUBLIC_KEY_BYTES;
        uint256 sigBytes = PQPrecompiles.MLDSA65_SIGNATURE_BYTES;
        assembly ("memory-safe") {
            extcodecopy(keyCode, cursor, 1, keyBytes)
            mstore(add(cursor, keyBytes), 0x20)
            calldatacopy(add(cursor, add(keyBytes, 0x20)), signature.offset, sigBytes)
            end := add(cursor, add(keyBytes, add(0x20, sigBytes)))
            mstore(end, digest)
            end := add(end, 0x20)
        }
    }

    /// @dev One verification call per pending entry (the `Pip` profile has no batch operation).
    function _verifyEach(
        BatchEntry[] calldata entries,
        address[] memory keys,
        bytes32[] memory digests,
        uint256 pending
    ) private view returns (uint256 valid) {
        for (uint256 i; i < entries.length; ++i) {
            if (pending & (1 << i) == 0) continue;
            bytes memory key = _publishedKey(keys[i]);
            if (PQPrecompiles.mldsaVerify(PQ_PROFILE, MLDSA, key, digests[i], entries[i].signature)) {
                valid |= 1 << i;
            }
        }
    }

    /// @dev Every check of a new challenge; returns its id and the node's own root prefix for the epoch.
    function _checkChallenge(uint64 nodeId, uint32 epoch, bytes32 messageHash, uint256 size, bytes32[] calldata proof)
        private
        view
        returns (bytes32 id, bytes24 nodeRoot)
    {
        uint32 current = _epoch();
        if (epoch >= current || epoch + CHALLENGE_EPOCHS < current) revert EpochNotChallengeable(epoch, current);
        if (size > MAX_MESSAGE_BYTES) revert MessageTooLarge(size, MAX_MESSAGE_BYTES);
        if (proof.length > MAX_PROOF_LENGTH) revert ProofTooLong(proof.length, MAX_PROOF_LENGTH);
        uint256 index = epoch % COMMITMENT_RING;
        CommitmentWord entry = _commitments[nodeId][index];
        if (entry.epoch() != epoch) revert NoCommitment(nodeId, epoch);
        // The evidence is the node's own signed root, never the swarm's: a majority cannot frame a minority.
        bytes32 leaf = _leaf(messageHash, size);
        if (CommitmentWordLib.rootBitsOf(MerkleProof.processProofCalldata(proof, leaf)) != entry.rootBits()) {
            revert LeafNotCommitted(nodeId, epoch, leaf);
        }
        id = _challengeId(nodeId, epoch, leaf);
        ChallengeStatus status = _challenges[id].status;
        if (status != ChallengeStatus.None) revert ChallengeExists(id, status);
        nodeRoot = entry.rootPrefix();
    }

    /// @dev The open challenge `id`, or the error saying why it is not open.
    function _open(bytes32 id) private view returns (Challenge storage c) {
        c = _challenges[id];
        ChallengeStatus status = c.status;
        if (status == ChallengeStatus.None) revert UnknownChallenge(id);
        if (status != ChallengeStatus.Open) revert ChallengeNotOpen(id, status);
    }
    /// @dev The registry's `currentEpoch()`: hours since the Unix epoch.
    function _epoch() private view returns (uint32) {
        return uint32(block.timestamp / EPOCH_SECONDS);
    }

    function _digest(StorageProof calldata p) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                STORAGE_PROOF_TYPEHASH,
                block.chainid,
                address(this),
                p.nodeId,
                p.swarmId,
                p.epoch,
                p.merkleRoot,
                p.messageCount,
                p.usedBytes
            )
        );
    }

    function _leaf(bytes32 messageHash, uint256 size) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(messageHash, size))));
    }

    function _challengeId(uint64 nodeId, uint32 epoch, bytes32 leaf) private pure returns (bytes32) {
        return keccak256(abi.encode(nodeId, epoch, leaf));
    }
}
