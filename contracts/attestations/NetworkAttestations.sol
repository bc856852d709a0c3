// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {INetworkAttestations} from "../interfaces/INetworkAttestations.sol";
import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";
import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLS} from "../libraries/BLS.sol";

/// @title NetworkAttestations
/// @notice Keeps the BLS keys of service nodes and the aggregate key of the active set, and verifies
/// BLS aggregate attestations of that set, acting on them in the registry (it holds SLASHER_ROLE there).
/// @dev The registry tells it of every registration, activation and exit (REGISTRY_ROLE). A
/// verification subtracts the listed non-signers from the stored aggregate (one mixed G2 addition
/// each, no inversion) and does one two-pair pairing check.
contract NetworkAttestations is INetworkAttestations, AccessControl {
    /// @notice The node registry's role here.
    bytes32 public constant REGISTRY_ROLE = keccak256("REGISTRY_ROLE");
    /// @notice How long an attestation stays valid after `issuedAt`.
    uint256 public constant SIGNATURE_EXPIRY = 10 minutes;
    /// @notice Upper bound of the governance cap on non-signers.
    uint256 public constant MAX_NON_SIGNERS_CAP = 500;
    bytes32 private constant DEREGISTER_TYPEHASH =
        keccak256("ParsDeregisterNode(uint256 chainId,address verifier,uint64 nodeId,uint64 issuedAt)");

    /// @notice The node registry (set once by the admin, with its role).
    IServiceNodeRegistry public registry;
    /// @notice Most non-signers an attestation may list (also at most a third of the active set).
    uint256 public maxNonSigners;
    /// @notice Penalty of a deregistered node, bps of its stake.
    uint16 public deregistrationPenaltyBps;
    /// @notice Attestation messages already used.
    mapping(bytes32 message => bool) public used;

    mapping(uint64 nodeId => BN254.G2Point) private _keys;
    BN254.G2Point private _aggregate;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        maxNonSigners = MAX_NON_SIGNERS_CAP;
        deregistrationPenaltyBps = 1_000;
    }

    // ------------------------------------------------------------------ governance

    /// @notice Sets the registry and grants it REGISTRY_ROLE.
    function setRegistry(IServiceNodeRegistry value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(registry) != address(0)) _revokeRole(REGISTRY_ROLE, address(registry));
        registry = value;
        _grantRole(REGISTRY_ROLE, address(value));
        emit ParameterChanged("registry", uint256(uint160(address(value))));
    }

    /// @notice Sets the cap on listed non-signers.
    function setMaxNonSigners(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > MAX_NON_SIGNERS_CAP) revert InvalidParameter("maxNonSigners", value);
        maxNonSigners = value;
        emit ParameterChanged("maxNonSigners", value);
    }

    /// @notice Sets the penalty of a deregistered node (0 for none).
    function setDeregistrationPenaltyBps(uint16 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > 5_000) revert InvalidParameter("deregistrationPenaltyBps", value);
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
    function storeKey(uint64 nodeId, BN254.G2Point calldata publicKey) external onlyRole(REGISTRY_ROLE) {
        if (!BN254.g2IsInfinity(_keys[nodeId])) revert BlsKeyExists(nodeId);
        _keys[nodeId] = publicKey;
        emit BlsKeyStored(nodeId);
    }

    /// @inheritdoc IBlsKeyRegistry
    function activate(uint64 nodeId) external onlyRole(REGISTRY_ROLE) {
        _aggregate = BN254.g2Add(_aggregate, _key(nodeId));
        emit AggregateKeyUpdated(nodeId, true);
    }

    /// @inheritdoc IBlsKeyRegistry
    function deactivate(uint64 nodeId) external onlyRole(REGISTRY_ROLE) {
        _aggregate = BN254.g2Sub(_aggregate, _key(nodeId));
        emit AggregateKeyUpdated(nodeId, false);
    }

    // ------------------------------------------------------------------ attestations

    /// @inheritdoc INetworkAttestations
    function deregister(uint64 nodeId, uint64 issuedAt, uint64[] calldata nonSigners, BN254.G1Point calldata signature)
        external
    {
        if (issuedAt > block.timestamp) revert AttestationFromFuture(issuedAt, block.timestamp);
        if (block.timestamp > issuedAt + SIGNATURE_EXPIRY) {
            revert AttestationExpired(issuedAt, issuedAt + SIGNATURE_EXPIRY);
        }
        bytes32 message = deregistrationMessage(nodeId, issuedAt);
        if (used[message]) revert AttestationAlreadyUsed(message);
        _verify(abi.encodePacked(message), nonSigners, signature);
        used[message] = true;

        uint16 bps = deregistrationPenaltyBps;
        IServiceNodeRegistry r = registry;
        r.decommission(nodeId);
        uint256 penalty = bps == 0 ? 0 : r.slash(nodeId, bps, address(0), 0);
        emit NodeDeregistered(nodeId, issuedAt, nonSigners.length, penalty);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc INetworkAttestations
    function deregistrationMessage(uint64 nodeId, uint64 issuedAt) public view returns (bytes32) {
        return keccak256(abi.encode(DEREGISTER_TYPEHASH, block.chainid, address(this), nodeId, issuedAt));
    }

    /// @inheritdoc IBlsKeyRegistry
    function blsPublicKeyOf(uint64 nodeId) external view returns (BN254.G2Point memory) {
        return _keys[nodeId];
    }

    /// @inheritdoc IBlsKeyRegistry
    function blsAggregateKey() external view returns (BN254.G2Point memory) {
        return _aggregate;
    }

    // ------------------------------------------------------------------ internals

    function _key(uint64 nodeId) private view returns (BN254.G2Point memory key) {
        key = _keys[nodeId];
        if (BN254.g2IsInfinity(key)) revert BlsKeyMissing(nodeId);
    }

    /// @dev The active set's aggregate minus the non-signers, then one pairing check. A listed node that
    /// is not active is not in the aggregate, so subtracting its key makes the check fail.
    function _verify(bytes memory message, uint64[] calldata nonSigners, BN254.G1Point calldata signature)
        private
        view
    {
        uint256 count = nonSigners.length;
        BN254.G2Point memory aggregate = _aggregate;
        if (count != 0) {
            uint256 limit = registry.activeNodes() / 3;
            uint256 cap = maxNonSigners;
            if (cap < limit) limit = cap;
            if (count > limit) revert TooManyNonSigners(count, limit);
            BN254.G2Jacobian memory acc = BN254.g2ToJacobian(aggregate);
            uint64 previous;
            for (uint256 i; i < count; ++i) {
                uint64 id = nonSigners[i];
                if (id <= previous) revert NonSignersNotSorted(i);
                previous = id;
                BN254.G2Point memory key = _keys[id];
                if (BN254.g2IsInfinity(key)) revert UnknownNonSigner(i, id);
                BN254.g2JacobianSubAffine(acc, key);
            }
            aggregate = BN254.g2JacobianToAffine(acc);
        }
        if (!BLS.verify(aggregate, message, BN254.G1Point(signature.x, signature.y))) {
            revert InvalidAggregateSignature();
        }
    }
}
