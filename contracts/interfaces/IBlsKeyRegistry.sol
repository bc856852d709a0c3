// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";

/// @title IBlsKeyRegistry
/// @notice The BLS keys of service nodes and the aggregate key of the active set, kept for the
/// node registry (which holds REGISTRY_ROLE) by the attestation verifier that uses them.
/// @dev Each key is stored compressed in two words (BN254 compressed encoding: x and the sign of y),
/// half the storage of the affine point; y is recomputed (an Fp2 square root) only when a stored key
/// must join or leave the aggregate later than its registration (a delayed activation, an exit).
/// A registration that activates at once makes one call, `storeKey(.., true)`, which adds the key to
/// the aggregate straight from calldata.
interface IBlsKeyRegistry {
    /// @notice A key was stored for a node at registration; `active`: it also joined the aggregate.
    event BlsKeyStored(uint64 indexed nodeId, bool active);
    /// @notice The aggregate key changed after registration: `nodeId` joined (`added`) or left the
    /// active set.
    event AggregateKeyUpdated(uint64 indexed nodeId, bool added);

    /// @notice A node id already has a key.
    error BlsKeyExists(uint64 nodeId);
    /// @notice A node id has no key.
    error BlsKeyMissing(uint64 nodeId);
    /// @notice The key is not a reduced point of the twist (the registry checks the proof of possession
    /// first, so this only guards the encoding).
    error InvalidBlsKey(uint64 nodeId);
    /// @notice The node's key is already in the aggregate.
    error BlsKeyAlreadyActive(uint64 nodeId);
    /// @notice The node's key is not in the aggregate.
    error BlsKeyNotActive(uint64 nodeId);

    /// @notice Whether `proof` is a valid proof of possession of `publicKey` over `digest` (which also
    /// proves the key is a G2 subgroup point).
    /// @param publicKey the G2 key
    /// @param digest the registration digest the proof signs
    /// @param proof the G1 signature under the proof-of-possession domain
    /// @return valid the verdict
    function verifyProofOfPossession(BN254.G2Point calldata publicKey, bytes32 digest, BN254.G1Point calldata proof)
        external
        view
        returns (bool valid);

    /// @notice Stores a registered node's key, compressed; with `activateNow` also adds it to the
    /// aggregate (the registration of a fully staked node). Only the registry, after it has checked the
    /// key's proof of possession.
    /// @param nodeId the new node
    /// @param publicKey its BLS key
    /// @param activateNow true when the node becomes active in the same transaction
    function storeKey(uint64 nodeId, BN254.G2Point calldata publicKey, bool activateNow) external;

    /// @notice Adds a stored key to the aggregate (activation after contributions). Only the registry.
    /// @param nodeId the node
    function activate(uint64 nodeId) external;

    /// @notice Removes the node's key from the aggregate (any exit from the active set). Only the registry.
    /// @param nodeId the node
    function deactivate(uint64 nodeId) external;

    /// @notice A node's key, decompressed (all zero when none).
    /// @param nodeId the node
    /// @return publicKey the affine key
    function blsPublicKeyOf(uint64 nodeId) external view returns (BN254.G2Point memory publicKey);

    /// @notice A node's key as stored: the BN254 compressed encoding (all zero when none).
    /// @param nodeId the node
    /// @return word0 xIm with the compressed flag (bit 255) and the sign of y (bit 254)
    /// @return word1 xRe
    function compressedBlsPublicKeyOf(uint64 nodeId) external view returns (uint256 word0, uint256 word1);

    /// @notice Whether the node's key is in the aggregate.
    /// @param nodeId the node
    /// @return active the answer
    function isBlsKeyActive(uint64 nodeId) external view returns (bool active);

    /// @notice The aggregate key of all active nodes (all zero when none).
    /// @return aggregate the affine aggregate
    function blsAggregateKey() external view returns (BN254.G2Point memory aggregate);
}
