// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {IBlsKeyRegistry} from "./IBlsKeyRegistry.sol";

/// @title INetworkAttestations
/// @notice Facts only the network can see reach the chain as a BLS aggregate signature of the active
/// node set (BN254: keys in G2, signatures in G1). The registry keeps the aggregate key of all active
/// nodes; a verification subtracts the listed non-signers and does one two-pair pairing check.
/// @dev Every attestation is bound to its purpose, the chain id and this contract, carries `issuedAt`,
/// is valid only while `issuedAt ≤ now ≤ issuedAt + SIGNATURE_EXPIRY`, and is used at most once.
/// BLS is not post-quantum: it is used here because a PQ alternative would cost one ML-DSA check per signer.
interface INetworkAttestations is IBlsKeyRegistry {
    /// @notice A node was deregistered on the network's word.
    event NodeDeregistered(uint64 indexed nodeId, uint64 issuedAt, uint256 nonSigners, uint256 penalty);
    /// @notice A governance parameter changed.
    event ParameterChanged(bytes32 indexed name, uint256 value);

    /// @notice `issuedAt` is in the future.
    error AttestationFromFuture(uint64 issuedAt, uint256 now_);
    /// @notice The attestation expired.
    error AttestationExpired(uint64 issuedAt, uint256 expiredAt);
    /// @notice This attestation was already used.
    error AttestationAlreadyUsed(bytes32 message);
    /// @notice Non-signer ids must be strictly ascending (so each appears once).
    error NonSignersNotSorted(uint256 index);
    /// @notice More non-signers than a third of the active set or the governance cap.
    error TooManyNonSigners(uint256 count, uint256 limit);
    /// @notice A listed non-signer has no key (no such node).
    error UnknownNonSigner(uint256 index, uint64 nodeId);
    /// @notice The aggregate signature does not verify.
    error InvalidAggregateSignature();
    /// @notice A governance parameter is out of range.
    error InvalidParameter(bytes32 name, uint256 value);

    /// @notice Deregisters active node `nodeId`: decommissions it and applies the deregistration penalty.
    /// Anyone may submit a valid attestation.
    /// @param nodeId the node
    /// @param issuedAt when the network issued the attestation
    /// @param nonSigners ids of active nodes that did not sign, strictly ascending
    /// @param signature the aggregate G1 signature of all other active nodes over `deregistrationMessage`
    function deregister(uint64 nodeId, uint64 issuedAt, uint64[] calldata nonSigners, BN254.G1Point calldata signature)
        external;

    /// @notice The message the network signs to deregister `nodeId`.
    function deregistrationMessage(uint64 nodeId, uint64 issuedAt) external view returns (bytes32);

    /// @notice Whether an attestation message was used.
    function used(bytes32 message) external view returns (bool);
}
