// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {INetworkAttestations} from "../interfaces/INetworkAttestations.sol";
import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";
import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";
import {BN254} from "../libraries/BN254.sol";
import {BN254G2} from "../libraries/BN254G2.sol";
import {BLS} from "../libraries/BLS.sol";

/// @title NetworkAttestations
/// @notice Keeps the BLS keys of service nodes and the aggregate key of the active set, and verifies
/// BLS aggregate attestations of that set, acting on them in the registry (it holds SLASHER_ROLE there).
/// @dev The registry tells it of every registration, activation and exit (REGISTRY_ROLE).
///
/// Gas choices (storage dominates: a new slot costs 22,100 gas, a cold read 2,100, a rewrite 2,900,
/// while a square root in Fp2 costs ~4,000 through modexp):
/// - A node key is stored compressed (2 slots, not 4). A square root rebuilds it only when it must
///   join or leave the aggregate after registration: at a delayed activation and at exit.
/// - A registration that activates at once adds the key to the aggregate from calldata in the same
///   call that stores it, with no storage re-read.
/// - The aggregate is stored compressed too (2 slots, not 4): every update (each registration, exit,
///   deregistration) reads and rewrites two slots fewer (~10,000 gas) and pays one square root
///   (~4,000) to rebuild it.
/// - A non-signer's key comes in calldata and is checked by compressing it and comparing two words
///   (two storage reads, no square root), then subtracted with one mixed Jacobian addition.
/// - A deregistration may carry a hint (`DeregistrationHint`): the y of the stored aggregate and of
///   the node's key, the aggregate without the node, and the square roots of the hash to G1. Checking
///   them (curve equation and sign bit, the chord rule, non-residue witnesses) costs a few hundred
///   multiplications where computing them costs two square roots, an inversion and a modexp per try of
///   the hash (~10,000 gas). With one non-signer the signers' key may come too (one more inversion
///   spared). Nothing in a hint is trusted: a wrong one is refused, and without one the contract
///   computes everything itself.
/// - Single use of a deregistration attestation needs no storage of its own: its node leaves the
///   active set for good (ids are never reused, a decommissioned node never returns), and a flag in
///   the node's key record, written in the same slot write that takes the key out of the aggregate,
///   refuses every later deregistration of it. The same flag makes the registry's `deactivate`
///   call-back during the deregistration a no-op.
contract NetworkAttestations is INetworkAttestations, AccessControl {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc INetworkAttestations
    bytes32 public constant REGISTRY_ROLE = keccak256("REGISTRY_ROLE");
    /// @inheritdoc INetworkAttestations
    uint256 public constant SIGNATURE_EXPIRY = 10 minutes;
    /// @inheritdoc INetworkAttestations
    uint256 public constant MAX_NON_SIGNERS_CAP = 500;
    /// @inheritdoc INetworkAttestations
    uint16 public constant MAX_DEREGISTRATION_PENALTY_BPS = 5_000;
    bytes32 private constant DEREGISTER_TYPEHASH =
        keccak256("ParsDeregisterNode(uint256 chainId,address verifier,uint64 nodeId,uint64 issuedAt)");
    /// @dev Bit 255 of a stored key's second word (xRe < 2^254 leaves it free): the key is in the aggregate.
    uint256 private constant ACTIVE_FLAG = 1 << 255;
    /// @dev Bit 254 of a stored key's second word: the node was deregistered by an attestation.
    uint256 private constant DEREGISTERED_FLAG = 1 << 254;

    // ------------------------------------------------------------------ storage

    /// @dev A point in the BN254 compressed encoding, two slots. For a node key: word0 = xIm |
    /// compressed flag | sign of y (nonzero for every stored key, so one read tells a key from an
    /// empty slot), word1 = xRe | ACTIVE_FLAG | DEREGISTERED_FLAG. A registration that activates at
    /// once writes both slots exactly once; every later change rewrites word1 only.
    struct CompressedPoint {
        uint256 word0;
        uint256 word1;
    }

    /// @dev Packed with maxNonSigners and deregistrationPenaltyBps: a deregistration reads all three
    /// with one cold read.
    /// @inheritdoc INetworkAttestations
    IServiceNodeRegistry public registry;
    /// @inheritdoc INetworkAttestations
    uint16 public maxNonSigners;
    /// @inheritdoc INetworkAttestations
    uint16 public deregistrationPenaltyBps;

    mapping(uint64 nodeId => CompressedPoint) private _keys;
    /// @dev The aggregate key of the active set, compressed (flag bits of word1 unused).
    CompressedPoint private _aggregate;

    // ------------------------------------------------------------------ constructor

    /// @param admin receives DEFAULT_ADMIN_ROLE (the 24-hour timelock in production)
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        maxNonSigners = uint16(MAX_NON_SIGNERS_CAP);
        deregistrationPenaltyBps = 1_000;
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc INetworkAttestations
    function setRegistry(IServiceNodeRegistry value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(value) == address(0)) revert InvalidParameter("registry", 0);
        if (address(registry) != address(0)) _revokeRole(REGISTRY_ROLE, address(registry));
        registry = value;
        _grantRole(REGISTRY_ROLE, address(value));
        emit ParameterChanged("registry", uint256(uint160(address(value))));
    }

    /// @inheritdoc INetworkAttestations
    function setMaxNonSigners(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > MAX_NON_SIGNERS_CAP) revert InvalidParameter("maxNonSigners", value);
        maxNonSigners = uint16(value);
        emit ParameterChanged("maxNonSigners", value);
    }

    /// @inheritdoc INetworkAttestations
    function setDeregistrationPenaltyBps(uint16 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > MAX_DEREGISTRATION_PENALTY_BPS) revert InvalidParameter("deregistrationPenaltyBps", value);
        deregistrationPenaltyBps = value;
        emit ParameterChanged("deregistrationPenaltyBps", value);
    }

    // ------------------------------------------------------------------ keys (registry only)

    /// @inheritdoc IBlsKeyRegistry
    function verifyProofOfPossession(BN254.G2Point calldata publicKey, bytes32 digest, BN254.G1Point calldata proof)
        external
        view
        returns (bool)
    {
        return BLS.verifyProofOfPossession(publicKey, digest, proof);
    }

    /// @inheritdoc IBlsKeyRegistry
    function storeKey(uint64 nodeId, BN254.G2Point calldata publicKey, bool activateNow)
        external
        onlyRole(REGISTRY_ROLE)
    {
        CompressedPoint storage k = _keys[nodeId];
        // The read warms the slot that is written next, so this check costs ~100 gas.
        if (k.word0 != 0) revert BlsKeyExists(nodeId);
        // Also checks the point is reduced and on the twist, so a stored key always decompresses.
        (uint256 word0, uint256 word1) = BN254G2.g2CompressCalldata(publicKey);
        if (word0 == 0) revert InvalidBlsKey(nodeId);
        k.word0 = word0;
        if (activateNow) {
            k.word1 = word1 | ACTIVE_FLAG;
            _setAggregate(BN254G2.g2Add(_aggregateKey(), publicKey));
        } else {
            k.word1 = word1;
        }
        emit BlsKeyStored(nodeId, activateNow);
    }

    /// @inheritdoc IBlsKeyRegistry
    function activate(uint64 nodeId) external onlyRole(REGISTRY_ROLE) {
        CompressedPoint storage k = _keys[nodeId];
        uint256 word0 = k.word0;
        uint256 word1 = k.word1;
        if (word0 == 0) revert BlsKeyMissing(nodeId);
        // A deregistered node is never active again (the registry never re-activates a node either).
        if (word1 & (ACTIVE_FLAG | DEREGISTERED_FLAG) != 0) revert BlsKeyAlreadyActive(nodeId);
        k.word1 = word1 | ACTIVE_FLAG;
        _setAggregate(BN254G2.g2Add(_aggregateKey(), BN254G2.g2Decompress(word0, word1)));
        emit AggregateKeyUpdated(nodeId, true);
    }

    /// @inheritdoc IBlsKeyRegistry
    function deactivate(uint64 nodeId) external {
        // The registry's call-back from inside `deregister`, which has taken the key out already and
        // flagged it (the registry never deactivates a node twice, and a deregistered node is never
        // active again). Both slots are warm there; the registry address is cheaper than the role lookup.
        if (_keys[nodeId].word1 & DEREGISTERED_FLAG != 0 && msg.sender == address(registry)) return;
        _checkRole(REGISTRY_ROLE);
        (BN254.G2Jacobian memory remaining, uint256 word1) = _withoutKey(nodeId);
        _keys[nodeId].word1 = word1;
        _setAggregate(BN254G2.g2JacobianToAffine(remaining));
        emit AggregateKeyUpdated(nodeId, false);
    }

    // ------------------------------------------------------------------ attestations

    /// @inheritdoc INetworkAttestations
    function deregister(
        uint64 nodeId,
        uint64 issuedAt,
        uint64[] calldata nonSigners,
        BN254.G2Point[] calldata nonSignerKeys,
        BN254.G1Point calldata signature,
        DeregistrationHint calldata hint
    ) external {
        if (issuedAt > block.timestamp) revert AttestationFromFuture(issuedAt, block.timestamp);
        if (block.timestamp > issuedAt + SIGNATURE_EXPIRY) {
            revert AttestationExpired(issuedAt, issuedAt + SIGNATURE_EXPIRY);
        }
        CompressedPoint storage k = _keys[nodeId];
        uint256 word1 = k.word1;
        // Single use: the first valid attestation sets this flag, and the node can never be active again.
        if (word1 & DEREGISTERED_FLAG != 0) revert NodeAlreadyDeregistered(nodeId);
        // A node that left after the attestation was issued is still deregistered: the penalty applies
        // to its locked stake. It left the aggregate when it left, and counts among the n it signs for.
        bool active = word1 & ACTIVE_FLAG != 0;
        if (!active) _checkLeftAfter(nodeId, issuedAt);
        uint256 limit = _nonSignerLimit(registry.activeNodes() + (active ? 0 : 1));

        if (active) {
            // An active key carries no other flag: clearing ACTIVE_FLAG leaves the plain compressed word.
            word1 ^= ACTIVE_FLAG;
            // The aggregate without the node is both what its removal stores and the base the signers'
            // key is computed from.
            BN254.G2Point memory remaining = _remainingWithout(nodeId, k.word0, word1, hint);
            _verify(nodeId, issuedAt, remaining, limit, nonSigners, nonSignerKeys, signature, hint);
            k.word1 = word1 | DEREGISTERED_FLAG;
            _setAggregate(remaining);
        } else {
            _verify(nodeId, issuedAt, _aggregateKey(), limit, nonSigners, nonSignerKeys, signature, hint);
            k.word1 = word1 | DEREGISTERED_FLAG;
        }
        IServiceNodeRegistry r = registry;
        uint16 bps = deregistrationPenaltyBps; // the registry's slot, read together
        // The key is flagged deregistered already: the registry's `deactivate` call-back is a no-op.
        if (active) r.decommission(nodeId);
        // The penalty is reported by the registry's NodeSlashed event.
        if (bps != 0) r.slash(nodeId, bps, address(0), 0);
        emit NodeDeregistered(nodeId, issuedAt, nonSigners.length);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc INetworkAttestations
    function deregistrationMessage(uint64 nodeId, uint64 issuedAt) public view returns (bytes32 message) {
        bytes32 typehash = DEREGISTER_TYPEHASH;
        // keccak256(abi.encode(DEREGISTER_TYPEHASH, block.chainid, address(this), nodeId, issuedAt)),
        // hashed in scratch memory past the free pointer.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), chainid())
            mstore(add(m, 0x40), address())
            mstore(add(m, 0x60), nodeId)
            mstore(add(m, 0x80), issuedAt)
            message := keccak256(m, 0xa0)
        }
    }

    /// @inheritdoc INetworkAttestations
    function nonSignerLimit() external view returns (uint256 limit) {
        uint256 n = registry.activeNodes();
        if (3 * n > 2 * n + 2) limit = _nonSignerLimit(n); // else no deregistration is possible: 0
    }

    /// @inheritdoc INetworkAttestations
    function isDeregistered(uint64 nodeId) external view returns (bool) {
        return _keys[nodeId].word1 & DEREGISTERED_FLAG != 0;
    }

    /// @inheritdoc IBlsKeyRegistry
    function blsPublicKeyOf(uint64 nodeId) external view returns (BN254.G2Point memory) {
        CompressedPoint storage k = _keys[nodeId];
        return BN254G2.g2Decompress(k.word0, k.word1 & BN254G2.G2_COORDINATE_MASK);
    }

    /// @inheritdoc IBlsKeyRegistry
    function compressedBlsPublicKeyOf(uint64 nodeId) external view returns (uint256 word0, uint256 word1) {
        CompressedPoint storage k = _keys[nodeId];
        return (k.word0, k.word1 & BN254G2.G2_COORDINATE_MASK);
    }

    /// @inheritdoc IBlsKeyRegistry
    function isBlsKeyActive(uint64 nodeId) external view returns (bool) {
        return _keys[nodeId].word1 & ACTIVE_FLAG != 0;
    }

    /// @inheritdoc IBlsKeyRegistry
    function blsAggregateKey() external view returns (BN254.G2Point memory) {
        return _aggregateKey();
    }

    // ------------------------------------------------------------------ internals

    /// @dev Most non-signers of a deregistration among `n` nodes, the target counted: the signers, at
    /// most n - 1 (the target never signs), must be at least ceil(2n/3). Reverts when even n - 1 fall short.
    function _nonSignerLimit(uint256 n) private view returns (uint256 limit) {
        uint256 required = (2 * n + 2) / 3;
        if (n < required + 1) revert TooFewSigners(n == 0 ? 0 : n - 1, required);
        limit = n - 1 - required;
        uint256 cap = maxNonSigners;
        if (cap < limit) limit = cap;
    }

    /// @dev `nodeId`, no longer active, left the active set at or after `issuedAt` and its stake is still
    /// locked (the registry's lock outlasts an attestation's validity); else it is simply not active.
    function _checkLeftAfter(uint64 nodeId, uint64 issuedAt) private view {
        IServiceNodeRegistry.NodeView memory v = registry.getNode(nodeId);
        if (
            v.status != IServiceNodeRegistry.Status.Decommissioning || v.decommissionedAt < issuedAt
                || block.timestamp >= v.unlockAt
        ) revert NodeNotActive(nodeId);
    }

    /// @dev The aggregate minus the node's active key (decompressed), still Jacobian, and the key's
    /// second word with the active flag cleared. Writes nothing.
    function _withoutKey(uint64 nodeId) private view returns (BN254.G2Jacobian memory remaining, uint256 word1) {
        CompressedPoint storage k = _keys[nodeId];
        uint256 word0 = k.word0;
        word1 = k.word1;
        if (word0 == 0) revert BlsKeyMissing(nodeId);
        if (word1 & ACTIVE_FLAG == 0) revert BlsKeyNotActive(nodeId);
        // An active key carries no other flag: clearing ACTIVE_FLAG leaves the plain compressed word.
        word1 ^= ACTIVE_FLAG;
        remaining = BN254G2.g2ToJacobian(_aggregateKey());
        BN254G2.g2JacobianSubAffine(remaining, BN254G2.g2Decompress(word0, word1));
    }

    /// @dev The aggregate, decompressed (infinity when no node is active).
    function _aggregateKey() private view returns (BN254.G2Point memory) {
        return BN254G2.g2Decompress(_aggregate.word0, _aggregate.word1);
    }

    /// @dev Stores `aggregate` compressed; it is a sum of subgroup points computed here, so it is
    /// reduced and on the twist, and decompresses to itself.
    function _setAggregate(BN254.G2Point memory aggregate) private {
        (uint256 word0, uint256 word1) = BN254G2.g2Compress(aggregate);
        _aggregate.word0 = word0;
        _aggregate.word1 = word1;
    }

    /// @dev The aggregate without the node's key (`word0`, `word1`: the key, flags cleared), affine.
    /// With a hint: both stored points are rebuilt from their x and the hint's y (no square root), and
    /// the hint's remainder is accepted only if remainder + key = aggregate (no inversion); the chord
    /// rule proves it is exactly aggregate - key, on the twist and in the subgroup. Without one: two
    /// square roots, a subtraction and an inversion.
    function _remainingWithout(uint64 nodeId, uint256 word0, uint256 word1, DeregistrationHint calldata hint)
        private
        view
        returns (BN254.G2Point memory remaining)
    {
        if (hint.aggregateYIm | hint.aggregateYRe == 0) {
            BN254.G2Jacobian memory j = BN254G2.g2ToJacobian(_aggregateKey());
            BN254G2.g2JacobianSubAffine(j, BN254G2.g2Decompress(word0, word1));
            return BN254G2.g2JacobianToAffine(j);
        }
        // The hint's first eight words: the aggregate's y, the key's y, the remainder.
        uint256 words;
        assembly ("memory-safe") {
            words := hint
        }
        if (!BN254G2.g2IsDifferenceWithRoots(_aggregate.word0, _aggregate.word1, word0, word1, words, remaining)) {
            revert InvalidDeregistrationHint(nodeId);
        }
    }

    /// @dev `base` (the active set without the target, affine) minus the listed non-signers, then one
    /// pairing check.
    function _verify(
        uint64 nodeId,
        uint64 issuedAt,
        BN254.G2Point memory base,
        uint256 limit,
        uint64[] calldata nonSigners,
        BN254.G2Point[] calldata nonSignerKeys,
        BN254.G1Point calldata signature,
        DeregistrationHint calldata hint
    ) private view {
        BN254.G2Point memory signersKey = nonSigners.length == 0 && nonSignerKeys.length == 0
            ? base
            : _signersKey(nodeId, base, limit, nonSigners, nonSignerKeys);
        bytes32 message = deregistrationMessage(nodeId, issuedAt);
        if (!BLS.verifyWithHashRoots(signersKey, message, hint.hashRoots, BN254.G1Point(signature.x, signature.y))) {
            revert InvalidAggregateSignature();
        }
    }

    /// @dev `base` minus the listed non-signers. Each must be a distinct, active node other than the
    /// target, and its calldata key must compress to exactly its stored words: that also proves y is
    /// the right root, which matters because the subtraction formulas never look at the curve equation.
    /// A single non-signer may come with the signers' key, checked by the chord rule instead of computed.
    function _signersKey(
        uint64 nodeId,
        BN254.G2Point memory base,
        uint256 limit,
        uint64[] calldata nonSigners,
        BN254.G2Point[] calldata nonSignerKeys
    ) private view returns (BN254.G2Point memory signersKey) {
        uint256 count = nonSigners.length;
        bool signersKeyGiven = count == 1 && nonSignerKeys.length == 2;
        if (count != nonSignerKeys.length && !signersKeyGiven) {
            revert NonSignerLengthMismatch(count, nonSignerKeys.length);
        }
        if (count > limit) revert TooManyNonSigners(count, limit);
        if (signersKeyGiven) {
            uint64 id = nonSigners[0];
            if (id == 0) revert NonSignersNotSorted(0);
            if (id == nodeId) revert NonSignerIsTarget(0);
            _checkNonSigner(0, id, nonSignerKeys[0]);
            // The non-signer's key is its stored key and `base` is exact, so the chord rule proves the
            // given point is base minus that key: no subtraction, no inversion.
            signersKey = nonSignerKeys[1];
            if (!BN254G2.g2IsSum(signersKey, nonSignerKeys[0], base)) revert InvalidDeregistrationHint(nodeId);
            return signersKey;
        }
        BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(base);
        uint64 previous;
        for (uint256 i; i < count; ++i) {
            uint64 id = nonSigners[i];
            if (id <= previous) revert NonSignersNotSorted(i);
            if (id == nodeId) revert NonSignerIsTarget(i);
            previous = id;
            _checkNonSigner(i, id, nonSignerKeys[i]);
            BN254G2.g2JacobianSubCalldata(acc, nonSignerKeys[i]);
        }
        signersKey = BN254G2.g2JacobianToAffine(acc);
    }

    /// @dev A listed non-signer: a stored, active key equal to `key` (compared compressed).
    function _checkNonSigner(uint256 index, uint64 id, BN254.G2Point calldata key) private view {
        CompressedPoint storage k = _keys[id];
        uint256 word0 = k.word0;
        if (word0 == 0) revert UnknownNonSigner(index, id);
        uint256 word1 = k.word1;
        if (word1 & ACTIVE_FLAG == 0) revert NonSignerNotActive(index, id);
        (uint256 c0, uint256 c1) = BN254G2.g2CompressCalldata(key);
        if (c0 != word0 || c1 != word1 ^ ACTIVE_FLAG) revert NonSignerKeyMismatch(index, id);
    }
}
