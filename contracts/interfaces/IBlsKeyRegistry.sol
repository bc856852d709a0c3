// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";

/// @title IBlsKeyRegistry
/// @notice The BLS keys of service nodes and the aggregate key of the active set, kept for the
/// node registry (which holds REGISTRY_ROLE) by the attestation verifier that uses them.
interface IBlsKeyRegistry {
    /// @notice A key was stored for a node at registration.
    event BlsKeyStored(uint64 indexed nodeId);
    /// @notice The aggregate key changed: `nodeId` joined (`added`) or left the active set.
    event AggregateKeyUpdated(uint64 indexed nodeId, bool added);

    /// @notice A node id already has a key.
    error BlsKeyExists(uint64 nodeId);
    /// @notice A node id has no key.
    error BlsKeyMissing(uint64 nodeId);

    /// @notice Whether `proof` is a valid proof of possession of `publicKey` over `digest` (which also
    /// proves the key is a G2 subgroup point).
    function verifyProofOfPossession(BN254.G2Point calldata publicKey, bytes32 digest, BN254.G1Point calldata proof)
        external
        view
        returns (bool);

    /// @notice Stores a registered node's key. Only the registry.
    function storeKey(uint64 nodeId, BN254.G2Point calldata publicKey) external;

    /// @notice Adds the node's key to the aggregate. Only the registry.
    function activate(uint64 nodeId) external;

    /// @notice Removes the node's key from the aggregate. Only the registry.
    function deactivate(uint64 nodeId) external;

    /// @notice A node's key (all zero when none).
    function blsPublicKeyOf(uint64 nodeId) external view returns (BN254.G2Point memory);

    /// @notice The aggregate key of all active nodes (all zero when none).
    function blsAggregateKey() external view returns (BN254.G2Point memory);
}
