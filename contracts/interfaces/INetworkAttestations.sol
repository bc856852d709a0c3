// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {IBlsKeyRegistry} from "./IBlsKeyRegistry.sol";
import {IServiceNodeRegistry} from "./IServiceNodeRegistry.sol";

/// @title INetworkAttestations
/// @notice Facts only the network can see reach the chain as a BLS aggregate signature of the active
/// node set (BN254: keys in G2, signatures in G1). The contract keeps the aggregate key of all active
/// nodes; a verification subtracts the listed non-signers and does one two-pair pairing check.
/// @dev Every attestation is bound to its purpose, the chain id and this contract, carries `issuedAt`,
/// is valid only while `issuedAt ≤ now ≤ issuedAt + SIGNATURE_EXPIRY`, and takes effect at most once.
/// Non-signers come with their full keys in calldata; each is checked against the stored compressed
/// key by compressing it (no square root) and comparing two words.
/// BLS is not post-quantum: it is used here because a PQ alternative would cost one ML-DSA check per signer.
interface INetworkAttestations is IBlsKeyRegistry {
    /// @notice What a deregistration may carry besides the signature so that taking the node's key out
    /// of the stored aggregate needs no square root and no inversion: the y coordinates of the stored
    /// aggregate key and of the node's key (their x are stored, compressed), and the aggregate without
    /// the node (the new aggregate, which is also the signers' key when no one else is absent). Each
    /// is checked, not trusted: both y by the curve equation and the stored sign bit, the remainder by
    /// the chord rule (remaining + key = aggregate), so a wrong hint is refused, never stored.
    /// It may also carry the square roots of the hash of the message to G1 (one per try, see
    /// `BN254.tryHashToG1WithRoots`), which the contract checks instead of computing (no modexp).
    /// @dev aggregateY = 0 (which no twist point has) means no key hint: the contract then decompresses
    /// both keys and subtracts (~10,000 gas more). The key hint cannot express the case where the rest
    /// of the active set sums to plus or minus the node's key; that case takes the no-hint path. No
    /// hash roots: the contract hashes by itself (~1,500 gas more per try).
    struct DeregistrationHint {
        uint256 aggregateYIm;
        uint256 aggregateYRe;
        uint256 keyYIm;
        uint256 keyYRe;
        BN254.G2Point remaining;
        uint256[] hashRoots;
    }

    /// @notice A node was deregistered on the network's word. Its key left the aggregate: for a
    /// deregistration this event stands for `AggregateKeyUpdated(nodeId, false)`, which is not emitted.
    /// The penalty is in the registry's `NodeSlashed` event of the same transaction.
    event NodeDeregistered(uint64 indexed nodeId, uint64 issuedAt, uint256 nonSigners);
    /// @notice A governance parameter changed.
    event ParameterChanged(bytes32 indexed name, uint256 value);

    /// @notice `issuedAt` is in the future.
    error AttestationFromFuture(uint64 issuedAt, uint256 now_);
    /// @notice The attestation expired.
    error AttestationExpired(uint64 issuedAt, uint256 expiredAt);
    /// @notice The node was deregistered already: a deregistration attestation takes effect once.
    error NodeAlreadyDeregistered(uint64 nodeId);
    /// @notice The node to deregister is not active (unknown, waiting for stake, or already gone).
    error NodeNotActive(uint64 nodeId);
    /// @notice Non-signer ids and keys differ in length.
    error NonSignerLengthMismatch(uint256 ids, uint256 keys);
    /// @notice Non-signer ids must be strictly ascending (so each appears once).
    error NonSignersNotSorted(uint256 index);
    /// @notice The node being deregistered is listed as a non-signer; it never signs, and is
    /// subtracted already.
    error NonSignerIsTarget(uint256 index);
    /// @notice More non-signers than a third of the active set or the governance cap.
    error TooManyNonSigners(uint256 count, uint256 limit);
    /// @notice Fewer nodes could sign than the ceil(2n/3) required of `n` active nodes, the target counted
    /// (the target never signs): no deregistration is possible in a network of fewer than 3 nodes.
    error TooFewSigners(uint256 possibleSigners, uint256 required);
    /// @notice A listed non-signer has no key (no such node).
    error UnknownNonSigner(uint256 index, uint64 nodeId);
    /// @notice A listed non-signer is not in the active set (its key is not in the aggregate).
    error NonSignerNotActive(uint256 index, uint64 nodeId);
    /// @notice The key given for a non-signer is not its stored key (or not a point of the twist).
    error NonSignerKeyMismatch(uint256 index, uint64 nodeId);
    /// @notice The aggregate signature does not verify.
    error InvalidAggregateSignature();
    /// @notice The deregistration hint is not the stored aggregate and node key and their difference.
    error InvalidDeregistrationHint(uint64 nodeId);
    /// @notice A governance parameter is out of range.
    error InvalidParameter(bytes32 name, uint256 value);

    /// @notice Sets the registry and moves REGISTRY_ROLE to it. Only the admin.
    /// @param value the node registry (not zero)
    function setRegistry(IServiceNodeRegistry value) external;

    /// @notice Sets the cap on listed non-signers (at most MAX_NON_SIGNERS_CAP). Only the admin.
    /// @param value the cap
    function setMaxNonSigners(uint256 value) external;

    /// @notice Sets the penalty of a deregistered node, bps of its stake (0 for none, at most 5,000).
    /// Only the admin.
    /// @param value the penalty
    function setDeregistrationPenaltyBps(uint16 value) external;

    /// @notice Deregisters node `nodeId`: decommissions it and applies the deregistration penalty. Anyone
    /// may submit a valid attestation. A node that left the active set at or after `issuedAt` (an exit
    /// raced against the attestation) is deregistered all the same: the penalty applies to its locked stake.
    /// @dev The signers are every active node except `nodeId` (which never signs its own removal, so it
    /// is subtracted without being listed) and the listed non-signers. Of the n active nodes, the target
    /// counted (also when it just left), at least ceil(2n/3) must sign: at most n - 1 - ceil(2n/3)
    /// non-signers, and none at all in a network of 3 to 5 nodes.
    /// @param nodeId the node
    /// @param issuedAt when the network issued the attestation
    /// @param nonSigners ids of other active nodes that did not sign, strictly ascending, at most
    /// `nonSignerLimit()`
    /// @param nonSignerKeys their BLS keys (affine, EIP-197 order), in the same order. With exactly one
    /// non-signer, a second point may follow: the signers' key (the aggregate without the node and the
    /// non-signer), checked by the chord rule against the two, which spares the contract a subtraction
    /// and an inversion (`InvalidDeregistrationHint` if it is not that key).
    /// @param signature the aggregate G1 signature of the signers over `deregistrationMessage`
    /// @param hint the y coordinates of the stored aggregate and node key and the aggregate without the
    /// node (see `DeregistrationHint`), or all zero
    function deregister(
        uint64 nodeId,
        uint64 issuedAt,
        uint64[] calldata nonSigners,
        BN254.G2Point[] calldata nonSignerKeys,
        BN254.G1Point calldata signature,
        DeregistrationHint calldata hint
    ) external;

    /// @notice The message the network signs to deregister `nodeId`: keccak256 of the typed tuple
    /// (purpose, chain id, this contract, node, issuedAt); the signed bytes are these 32 bytes.
    /// @param nodeId the node
    /// @param issuedAt the attestation time
    /// @return message the 32-byte message
    function deregistrationMessage(uint64 nodeId, uint64 issuedAt) external view returns (bytes32 message);

    /// @notice Most non-signers an attestation against an active node may list now: min(n - 1 - ceil(2n/3),
    /// the governance cap) for n active nodes; 0 where no deregistration is possible (n < 3).
    /// @return limit the limit
    function nonSignerLimit() external view returns (uint256 limit);

    /// @notice Whether the node was deregistered by an attestation. This is what makes a deregistration
    /// attestation single-use: its node never returns to the active set, and the flag refuses any
    /// later deregistration of it (NodeAlreadyDeregistered).
    /// @param nodeId the node
    /// @return deregistered the answer
    function isDeregistered(uint64 nodeId) external view returns (bool deregistered);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice Upper bound of the deregistration penalty (bps of stake).
    function MAX_DEREGISTRATION_PENALTY_BPS() external view returns (uint16);
    /// @notice Upper bound of the governance cap on non-signers.
    function MAX_NON_SIGNERS_CAP() external view returns (uint256);
    /// @notice The node registry's role here.
    function REGISTRY_ROLE() external view returns (bytes32);
    /// @notice How long an attestation stays valid after `issuedAt`.
    function SIGNATURE_EXPIRY() external view returns (uint256);
    /// @notice Penalty of a deregistered node, bps of its stake.
    function deregistrationPenaltyBps() external view returns (uint16);
    /// @notice Most non-signers an attestation may list (also at most a third of the active set).
    function maxNonSigners() external view returns (uint16);
    /// @notice The node registry (set by the admin, with its role).
    function registry() external view returns (IServiceNodeRegistry);
}
