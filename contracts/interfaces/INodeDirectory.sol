// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {IServiceNodeRegistry} from "./IServiceNodeRegistry.sol";
import {IBlsKeyRegistry} from "./IBlsKeyRegistry.sol";
import {PQPrecompiles} from "../precompiles/PQPrecompiles.sol";

/// @title INodeDirectory
/// @notice The messaging network's directory of service nodes: each node's identity (its ML-DSA-65 key,
/// proven at registration and reserved for good; its BLS key, proven and kept by the attestation
/// verifier), its transport key (ML-KEM-768, rotatable with a
/// grace period), its endpoint (a binary multiaddr), and who runs it: the owner (the registering
/// address, possibly a contract wallet), a hot manager the owner names, and a beneficiary of the
/// operator's income. The registry keeps the stake and the lifecycle; this contract keeps who a node is
/// and how to reach it.
///
/// Every public key is recoverable whatever contract sent the transaction: the ML-DSA and ML-KEM keys
/// from logs (`NodeKeysPublished`, `TransportKeyRotated`), checkable against state
/// (`nodeIdByMldsaKey(keccak256(key))`, `transportKeys(nodeId)`); the BLS key from the attestation
/// verifier's state (`blsPublicKeyOf(nodeId)`).
///
/// Endpoints are multiaddrs in their binary form (multicodec codes as unsigned varints, then each
/// protocol's value): a host (`ip4` 4 bytes, `ip6` 16 bytes, or `dns`/`dns4`/`dns6` a length-prefixed
/// name of letters, digits, '-' and '.'), a port (`tcp` or `udp`, 2 bytes big-endian), then for `udp`
/// optionally `quic` or `quic-v1`, for `tcp` optionally `tls` and then `ws` or `wss`, or `wss` alone. At
/// most `MAX_ENDPOINT_BYTES`; the common forms fit one storage slot. Empty clears the endpoint.
interface INodeDirectory {
    /// @notice A node's transport keys: `current`, and `previous` (replaced by a rotation) which stays
    /// valid until `previousValidUntil` so messages encrypted to it still decrypt.
    struct TransportKeys {
        bytes32 current;
        bytes32 previous;
        uint40 previousValidUntil;
    }

    /// @notice A scheduled increase of the operator fee, applied from `effectiveAt` on.
    struct PendingFee {
        uint16 feeBps;
        uint40 effectiveAt;
    }

    // ------------------------------------------------------------------ events

    /// @notice The PQ keys of a new node, in full (its BLS key is in the attestation verifier's state).
    event NodeKeysPublished(uint64 indexed nodeId, bytes mldsaPublicKey, bytes mlkemPublicKey);
    /// @notice The node's transport key is now `mlkemPublicKey`; the previous one stays valid until
    /// `previousValidUntil`.
    event TransportKeyRotated(
        uint64 indexed nodeId,
        bytes mlkemPublicKey,
        bytes32 keyHash,
        bytes32 previousKeyHash,
        uint256 previousValidUntil
    );
    /// @notice The node's endpoint (binary multiaddr; empty: none).
    event EndpointSet(uint64 indexed nodeId, bytes endpoint);
    /// @notice The owner named `manager` (zero: none).
    event ManagerSet(uint64 indexed nodeId, address indexed manager);
    /// @notice The owner named `beneficiary` of the operator's income (zero: the owner).
    event BeneficiarySet(uint64 indexed nodeId, address indexed beneficiary);
    /// @notice The owner scheduled the operator fee `feeBps` from `effectiveAt` on (contributors may
    /// leave before it applies).
    event FeeChangeScheduled(uint64 indexed nodeId, uint16 feeBps, uint256 effectiveAt);
    /// @notice The registry this directory serves was set (once).
    event RegistrySet(address registry);

    // ------------------------------------------------------------------ errors

    /// @notice Only the registry may call this.
    error NotRegistry(address caller);
    /// @notice Only the deployer may set the registry.
    error NotDeployer(address caller);
    /// @notice The registry is set once.
    error RegistryAlreadySet();
    /// @notice Only the node's owner may do this.
    error NotOwner(uint64 nodeId, address caller);
    /// @notice Only the node's owner or manager may do this.
    error NotOwnerOrManager(uint64 nodeId, address caller);
    /// @notice The endpoint is longer than `MAX_ENDPOINT_BYTES`.
    error EndpointTooLong(uint256 length, uint256 maxLength);
    /// @notice The endpoint is not a multiaddr of the accepted shape; `offset` is where parsing failed.
    error InvalidEndpoint(uint256 offset);
    /// @notice The fee is above 10,000 bps.
    error InvalidOperatorFee(uint16 feeBps);
    /// @notice No fee change is scheduled for the node.
    error NoFeeChange(uint64 nodeId);
    /// @notice The scheduled fee applies only from `effectiveAt` on.
    error FeeChangeNotDue(uint64 nodeId, uint256 effectiveAt);
    /// @notice The new transport key is the current one.
    error SameTransportKey(uint64 nodeId);
    /// @notice A zero address where one is required.
    error ZeroAddress();

    // ------------------------------------------------------------------ registry

    /// @notice Checks a registration's keys and proofs for `owner` and records them for `nodeId`: the
    /// ML-DSA proof of possession over the registration digest, the ML-KEM key through the precompile,
    /// the BLS proof of possession; reserves the ML-DSA key; publishes the PQ keys. Only the
    /// registry. Reverts with the registry's named errors (`InvalidKeyLength`, `KeyAlreadyRegistered`,
    /// `InvalidMldsaProof`, `InvalidMlkemKey`, `InvalidBlsProof`).
    /// @return mldsaHash keccak256 of the ML-DSA key
    /// @return mlkemHash keccak256 of the ML-KEM key
    /// @return blsHash keccak256 of the ABI-encoded BLS key
    function registerKeys(uint64 nodeId, address owner, IServiceNodeRegistry.Registration calldata r)
        external
        returns (bytes32 mldsaHash, bytes32 mlkemHash, bytes32 blsHash);

    /// @notice Reverts with the registry's `InvalidNodeSignature` unless `publicKey` is `nodeId`'s ML-DSA
    /// key and `signature` its signature of `digest` (in the precompile profile's context).
    function checkNodeSignature(uint64 nodeId, bytes calldata publicKey, bytes32 digest, bytes calldata signature)
        external
        view;

    // ------------------------------------------------------------------ owner and manager

    /// @notice Sets the node's endpoint (binary multiaddr, empty to clear). The owner or the manager.
    function setEndpoint(uint64 nodeId, bytes calldata endpoint) external;

    /// @notice Replaces the node's transport key with `mlkemPublicKey` (validated through the ML-KEM
    /// precompile); the replaced key stays valid for `TRANSPORT_KEY_GRACE`. The owner or the manager.
    function rotateTransportKey(uint64 nodeId, bytes calldata mlkemPublicKey) external;

    /// @notice Names the node's manager (zero: none). The owner only.
    function setManager(uint64 nodeId, address manager) external;

    /// @notice Names where the operator's income is paid (zero: to the owner). The owner only.
    function setBeneficiary(uint64 nodeId, address beneficiary) external;

    /// @notice Changes the operator fee: a decrease applies at once, an increase after
    /// `FEE_INCREASE_NOTICE` (a later call replaces a scheduled one), and only for an active node
    /// (`InvalidNodeStatus` otherwise: contributors who join later could not leave in time). The owner only.
    function setOperatorFee(uint64 nodeId, uint16 feeBps) external;

    /// @notice Applies a scheduled fee increase whose notice has passed. Anyone.
    function applyFeeChange(uint64 nodeId) external;

    // ------------------------------------------------------------------ views

    /// @notice The node an ML-DSA key belongs to (0: none).
    function nodeIdByMldsaKey(bytes32 keyHash) external view returns (uint64);

    /// @notice The digest a registration's ML-DSA and BLS proofs of possession sign.
    /// @dev Binds chain id, the registry, the operator and the hashes of all three keys and the anchor,
    /// so a registration cannot be front-run or replayed by another operator, chain or contract.
    function registrationDigest(
        address operator,
        bytes calldata mldsaPublicKey,
        bytes calldata mlkemPublicKey,
        BN254.G2Point calldata blsPublicKey,
        bytes32 heartbeatAnchor
    ) external view returns (bytes32);

    /// @notice The node's transport key hashes (the previous one valid while `previousValidUntil` is ahead).
    function transportKeys(uint64 nodeId) external view returns (TransportKeys memory);

    /// @notice Whether `keyHash` is a transport key of the node now (current, or previous within its grace).
    function isTransportKey(uint64 nodeId, bytes32 keyHash) external view returns (bool);

    /// @notice The node's endpoint (binary multiaddr; empty: none).
    function endpointOf(uint64 nodeId) external view returns (bytes memory);

    /// @notice The node's manager (zero: none).
    function managerOf(uint64 nodeId) external view returns (address);

    /// @notice Where the operator's income is paid: the beneficiary, or the owner when none is named.
    function beneficiaryOf(uint64 nodeId) external view returns (address);

    /// @notice The scheduled fee increase (zero `effectiveAt`: none).
    function pendingFee(uint64 nodeId) external view returns (PendingFee memory);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice Verifies BLS proofs of possession (the attestation verifier).
    function BLS_KEYS() external view returns (IBlsKeyRegistry);
    /// @notice May set the registry, once.
    function DEPLOYER() external view returns (address);
    /// @notice A fee increase applies this long after it is announced: the registry's exit delay of a
    /// small contributor, so every contributor can leave before paying more.
    function FEE_INCREASE_NOTICE() external view returns (uint256);
    /// @notice Longest endpoint (binary multiaddr).
    function MAX_ENDPOINT_BYTES() external view returns (uint256);
    /// @notice The ML-DSA precompile.
    function MLDSA() external view returns (address);
    /// @notice The ML-KEM precompile.
    function MLKEM() external view returns (address);
    /// @notice The precompile profile MLDSA and MLKEM speak.
    function PQ_PROFILE() external view returns (PQPrecompiles.Profile);
    /// @notice A replaced transport key stays valid this long: clients that resolved it before the
    /// rotation (their answers are cached for at most a day) still reach the node.
    function TRANSPORT_KEY_GRACE() external view returns (uint256);
    /// @notice The registry this directory serves (set once).
    function registry() external view returns (IServiceNodeRegistry);
    /// @notice Sets the registry this directory serves. The deployer, once.
    function setRegistry(IServiceNodeRegistry value) external;
}
