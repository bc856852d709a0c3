// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {INetworkAttestations} from "../interfaces/INetworkAttestations.sol";
import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";
import {BN254} from "../libraries/BN254.sol";
import {BLS} from "../libraries/BLS.sol";

/// @title NetworkAttestations
/// @notice Verifies BLS aggregate attestations of the active node set and acts on them in the registry
/// (it holds the registry's SLASHER_ROLE).
contract NetworkAttestations is INetworkAttestations, AccessControl {
    /// @notice How long an attestation stays valid after `issuedAt`.
    uint256 public constant SIGNATURE_EXPIRY = 10 minutes;
    /// @notice Upper bound of the governance cap on non-signers.
    uint256 public constant MAX_NON_SIGNERS_CAP = 500;
    bytes32 private constant DEREGISTER_TYPEHASH =
        keccak256("ParsDeregisterNode(uint256 chainId,address verifier,uint64 nodeId,uint64 issuedAt)");

    /// @notice The node registry.
    IServiceNodeRegistry public immutable REGISTRY;

    /// @notice Most non-signers an attestation may list (also at most a third of the active set).
    uint256 public maxNonSigners;
    /// @notice Penalty of a deregistered node, bps of its stake.
    uint16 public deregistrationPenaltyBps;
    /// @notice Attestation messages already used.
    mapping(bytes32 message => bool) public used;

    constructor(address admin, IServiceNodeRegistry registry) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        REGISTRY = registry;
        maxNonSigners = MAX_NON_SIGNERS_CAP;
        deregistrationPenaltyBps = 1_000;
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

    /// @inheritdoc INetworkAttestations
    function deregister(
        uint64 nodeId,
        uint64 issuedAt,
        uint64[] calldata nonSigners,
        BN254.G2Point[] calldata nonSignerKeys,
        BN254.G1Point calldata signature
    ) external {
        if (issuedAt > block.timestamp) revert AttestationFromFuture(issuedAt, block.timestamp);
        if (block.timestamp > issuedAt + SIGNATURE_EXPIRY) {
            revert AttestationExpired(issuedAt, issuedAt + SIGNATURE_EXPIRY);
        }
        bytes32 message = deregistrationMessage(nodeId, issuedAt);
        if (used[message]) revert AttestationAlreadyUsed(message);
        _verify(abi.encodePacked(message), nonSigners, nonSignerKeys, signature);
        used[message] = true;

        uint16 bps = deregistrationPenaltyBps;
        REGISTRY.decommission(nodeId);
        uint256 penalty = bps == 0 ? 0 : REGISTRY.slash(nodeId, bps, address(0), 0);
        emit NodeDeregistered(nodeId, issuedAt, nonSigners.length, penalty);
    }

    /// @inheritdoc INetworkAttestations
    function deregistrationMessage(uint64 nodeId, uint64 issuedAt) public view returns (bytes32) {
        return keccak256(abi.encode(DEREGISTER_TYPEHASH, block.chainid, address(this), nodeId, issuedAt));
    }

    /// @dev Aggregate key of the active set minus the non-signers, then one pairing check. Each
    /// non-signer costs its calldata, one key-hash lookup in the registry and one mixed G2 addition.
    function _verify(
        bytes memory message,
        uint64[] calldata nonSigners,
        BN254.G2Point[] calldata keys,
        BN254.G1Point calldata signature
    ) private view {
        uint256 count = nonSigners.length;
        if (count != keys.length) revert NonSignerLengthMismatch(count, keys.length);
        BN254.G2Point memory aggregate = REGISTRY.blsAggregateKey();
        if (count != 0) {
            uint256 limit = REGISTRY.activeNodes() / 3;
            uint256 cap = maxNonSigners;
            if (cap < limit) limit = cap;
            if (count > limit) revert TooManyNonSigners(count, limit);
            bytes32[] memory hashes = new bytes32[](count);
            uint64 previous;
            for (uint256 i; i < count; ++i) {
                uint64 id = nonSigners[i];
                if (id <= previous) revert NonSignersNotSorted(i);
                previous = id;
                hashes[i] = BN254.g2HashCalldata(keys[i]);
            }
            uint64[] memory owners = REGISTRY.blsKeyOwners(hashes);
            BN254.G2Jacobian memory acc = BN254.g2ToJacobian(aggregate);
            for (uint256 i; i < count; ++i) {
                if (owners[i] != nonSigners[i]) revert UnknownNonSigner(i, nonSigners[i]);
                BN254.g2JacobianSubCalldata(acc, keys[i]);
            }
            aggregate = BN254.g2JacobianToAffine(acc);
        }
        if (!BLS.verify(aggregate, message, BN254.G1Point(signature.x, signature.y))) {
            revert InvalidAggregateSignature();
        }
    }
}
