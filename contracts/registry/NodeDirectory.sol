// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {INodeDirectory} from "../interfaces/INodeDirectory.sol";
import {IServiceNodeRegistry, KeyKind} from "../interfaces/IServiceNodeRegistry.sol";
import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";
import {PQPrecompiles} from "../precompiles/PQPrecompiles.sol";
import {BN254} from "../libraries/BN254.sol";

/// @title NodeDirectory
/// @notice Who a service node is and how to reach it: identity keys proven and reserved at registration,
/// the transport key and its rotations, the endpoint, the manager and the beneficiary. The registry
/// (stake and lifecycle) hands every registration here; the messaging network reads it.
/// @dev Every function is O(1): the only loop parses an endpoint of at most MAX_ENDPOINT_BYTES bytes.
/// Holds no funds and has no governance: the deployer sets the registry once, and nothing else is
/// settable by anyone but a node's own owner and manager.
contract NodeDirectory is INodeDirectory {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc INodeDirectory
    uint256 public constant TRANSPORT_KEY_GRACE = 1 days;
    /// @inheritdoc INodeDirectory
    uint256 public constant FEE_INCREASE_NOTICE = 30 days;
    /// @inheritdoc INodeDirectory
    uint256 public constant MAX_ENDPOINT_BYTES = 64;

    uint256 private constant BPS = 10_000;
    bytes32 private constant REGISTRATION_TYPEHASH = keccak256(
        "ParsNodeRegistration(uint256 chainId,address registry,address operator,bytes32 mldsaKey,bytes32 mlkemKey,"
        "bytes32 blsKey,bytes32 heartbeatAnchor)"
    );

    // Multiaddr codes (multicodec table) as their unsigned-varint bytes.
    uint256 private constant IP4 = 0x04;
    uint256 private constant TCP = 0x06;
    uint256 private constant IP6 = 0x29;
    uint256 private constant DNS = 0x35;
    uint256 private constant DNS4 = 0x36;
    uint256 private constant DNS6 = 0x37;
    uint256 private constant UDP = 0x9102; // 273
    uint256 private constant TLS = 0xc003; // 448
    uint256 private constant QUIC = 0xcc03; // 460
    uint256 private constant QUIC_V1 = 0xcd03; // 461
    uint256 private constant WS = 0xdd03; // 477
    uint256 private constant WSS = 0xde03; // 478

    // ------------------------------------------------------------------ immutables

    /// @inheritdoc INodeDirectory
    PQPrecompiles.Profile public immutable PQ_PROFILE;
    /// @inheritdoc INodeDirectory
    address public immutable MLDSA;
    /// @inheritdoc INodeDirectory
    address public immutable MLKEM;
    /// @inheritdoc INodeDirectory
    IBlsKeyRegistry public immutable BLS_KEYS;
    /// @inheritdoc INodeDirectory
    address public immutable DEPLOYER;

    // ------------------------------------------------------------------ storage

    /// @dev A node's roles and its previous transport key's deadline, one slot.
    struct Roles {
        address manager;
        uint40 previousKeyValidUntil;
    }

    /// @inheritdoc INodeDirectory
    IServiceNodeRegistry public registry;

    /// @dev The node each ML-DSA identity key belongs to (keys are reserved for good).
    mapping(bytes32 mldsaKeyHash => uint64) private _mldsaOwner;
    mapping(uint64 nodeId => bytes32) private _transportKey;
    mapping(uint64 nodeId => bytes32) private _previousTransportKey;
    mapping(uint64 nodeId => Roles) private _roles;
    mapping(uint64 nodeId => address) private _beneficiary;
    mapping(uint64 nodeId => bytes) private _endpoint;
    mapping(uint64 nodeId => PendingFee) private _pendingFee;

    // ------------------------------------------------------------------ constructor

    /// @param profile the precompile profile `mldsa` and `mlkem` speak
    /// @param mldsa the ML-DSA precompile
    /// @param mlkem the ML-KEM precompile
    /// @param blsKeys the BLS key registry (verifies proofs of possession)
    constructor(PQPrecompiles.Profile profile, address mldsa, address mlkem, IBlsKeyRegistry blsKeys) {
        if (mldsa == address(0) || mlkem == address(0) || address(blsKeys) == address(0)) revert ZeroAddress();
        PQ_PROFILE = profile;
        MLDSA = mldsa;
        MLKEM = mlkem;
        BLS_KEYS = blsKeys;
        DEPLOYER = msg.sender;
    }

    /// @inheritdoc INodeDirectory
    function setRegistry(IServiceNodeRegistry value) external {
        if (msg.sender != DEPLOYER) revert NotDeployer(msg.sender);
        if (address(registry) != address(0)) revert RegistryAlreadySet();
        if (address(value) == address(0)) revert ZeroAddress();
        registry = value;
        emit RegistrySet(address(value));
    }

    // ------------------------------------------------------------------ registry

    /// @inheritdoc INodeDirectory
    function registerKeys(uint64 nodeId, address owner, IServiceNodeRegistry.Registration calldata r)
        external
        returns (bytes32 mldsaHash, bytes32 mlkemHash, bytes32 blsHash)
    {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        _checkLength(KeyKind.MlDsa, r.mldsaPublicKey.length, PQPrecompiles.MLDSA65_PUBLIC_KEY_BYTES);
        _checkLength(KeyKind.MlDsaSignature, r.mldsaSignature.length, PQPrecompiles.MLDSA65_SIGNATURE_BYTES);
        _checkLength(KeyKind.MlKem, r.mlkemPublicKey.length, PQPrecompiles.MLKEM768_PUBLIC_KEY_BYTES);
        mldsaHash = keccak256(r.mldsaPublicKey);
        mlkemHash = keccak256(r.mlkemPublicKey);
        blsHash = keccak256(abi.encode(r.blsPublicKey));
        // The ML-DSA key is the node's identity: it belongs to one node for good, and its possession is
        // proven below. The BLS key's possession is proven too (which is what stops rogue keys), but it
        // is not reserved: a key two nodes share is one operator's secret signing for each of them,
        // which gains nobody anything, and leaving it out spares every registration a storage slot. An
        // ML-KEM key is a transport key: possession of a KEM key cannot be proven without interaction,
        // so it is not reserved either (reserving it would let anyone who copies it from a pending
        // registration block that registration).
        uint64 holder = _mldsaOwner[mldsaHash];
        if (holder != 0) revert IServiceNodeRegistry.KeyAlreadyRegistered(KeyKind.MlDsa, holder);

        bytes32 digest = _registrationDigest(owner, mldsaHash, mlkemHash, blsHash, r.heartbeatAnchor);
        if (!PQPrecompiles.mldsaVerify(PQ_PROFILE, MLDSA, r.mldsaPublicKey, digest, r.mldsaSignature)) {
            revert IServiceNodeRegistry.InvalidMldsaProof();
        }
        if (!PQPrecompiles.mlkemValidate(PQ_PROFILE, MLKEM, r.mlkemPublicKey)) {
            revert IServiceNodeRegistry.InvalidMlkemKey();
        }
        if (!BLS_KEYS.verifyProofOfPossession(r.blsPublicKey, digest, r.blsSignature)) {
            revert IServiceNodeRegistry.InvalidBlsProof();
        }

        _mldsaOwner[mldsaHash] = nodeId;
        _transportKey[nodeId] = mlkemHash;
        emit NodeKeysPublished(nodeId, r.mldsaPublicKey, r.mlkemPublicKey);
    }

    /// @inheritdoc INodeDirectory
    function checkNodeSignature(uint64 nodeId, bytes calldata publicKey, bytes32 digest, bytes calldata signature)
        external
        view
    {
        if (
            nodeId == 0 || _mldsaOwner[keccak256(publicKey)] != nodeId
                || !PQPrecompiles.mldsaVerify(PQ_PROFILE, MLDSA, publicKey, digest, signature)
        ) revert IServiceNodeRegistry.InvalidNodeSignature(nodeId);
    }

    // ------------------------------------------------------------------ owner and manager

    /// @inheritdoc INodeDirectory
    function setEndpoint(uint64 nodeId, bytes calldata endpoint) external {
        _checkOwnerOrManager(nodeId);
        _checkEndpoint(endpoint);
        _endpoint[nodeId] = endpoint;
        emit EndpointSet(nodeId, endpoint);
    }

    /// @inheritdoc INodeDirectory
    function rotateTransportKey(uint64 nodeId, bytes calldata mlkemPublicKey) external {
        _checkOwnerOrManager(nodeId);
        _checkLength(KeyKind.MlKem, mlkemPublicKey.length, PQPrecompiles.MLKEM768_PUBLIC_KEY_BYTES);
        bytes32 keyHash = keccak256(mlkemPublicKey);
        bytes32 previous = _transportKey[nodeId];
        if (keyHash == previous) revert SameTransportKey(nodeId);
        if (!PQPrecompiles.mlkemValidate(PQ_PROFILE, MLKEM, mlkemPublicKey)) {
            revert IServiceNodeRegistry.InvalidMlkemKey();
        }
        uint40 validUntil = uint40(block.timestamp + TRANSPORT_KEY_GRACE);
        _transportKey[nodeId] = keyHash;
        _previousTransportKey[nodeId] = previous;
        _roles[nodeId].previousKeyValidUntil = validUntil;
        emit TransportKeyRotated(nodeId, mlkemPublicKey, keyHash, previous, validUntil);
    }

    /// @inheritdoc INodeDirectory
    function setManager(uint64 nodeId, address manager) external {
        _checkOwner(nodeId);
        _roles[nodeId].manager = manager;
        emit ManagerSet(nodeId, manager);
    }

    /// @inheritdoc INodeDirectory
    function setBeneficiary(uint64 nodeId, address beneficiary) external {
        _checkOwner(nodeId);
        _beneficiary[nodeId] = beneficiary;
        emit BeneficiarySet(nodeId, beneficiary);
    }

    /// @inheritdoc INodeDirectory
    function setOperatorFee(uint64 nodeId, uint16 feeBps) external {
        (, uint16 current) = _checkOwner(nodeId);
        if (feeBps > BPS) revert InvalidOperatorFee(feeBps);
        if (feeBps <= current) {
            // A decrease (or the same fee) only favours contributors: at once, and no increase pending.
            delete _pendingFee[nodeId];
            emit FeeChangeScheduled(nodeId, feeBps, block.timestamp);
            registry.setOperatorFee(nodeId, feeBps);
            return;
        }
        // An increase waits for contributors who can leave: only an active node's (contributions close
        // at activation, and every contributor may exit within the notice). Announced before
        // activation, it would apply to contributors who joined unaware and cannot leave yet.
        IServiceNodeRegistry.Status status = registry.getNode(nodeId).status;
        if (status != IServiceNodeRegistry.Status.Active) revert IServiceNodeRegistry.InvalidNodeStatus(nodeId, status);
        uint40 effectiveAt = uint40(block.timestamp + FEE_INCREASE_NOTICE);
        _pendingFee[nodeId] = PendingFee(feeBps, effectiveAt);
        emit FeeChangeScheduled(nodeId, feeBps, effectiveAt);
    }

    /// @inheritdoc INodeDirectory
    function applyFeeChange(uint64 nodeId) external {
        PendingFee memory p = _pendingFee[nodeId];
        if (p.effectiveAt == 0) revert NoFeeChange(nodeId);
        if (block.timestamp < p.effectiveAt) revert FeeChangeNotDue(nodeId, p.effectiveAt);
        delete _pendingFee[nodeId];
        registry.setOperatorFee(nodeId, p.feeBps);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc INodeDirectory
    function nodeIdByMldsaKey(bytes32 keyHash) external view returns (uint64) {
        return _mldsaOwner[keyHash];
    }

    /// @inheritdoc INodeDirectory
    function registrationDigest(
        address operator,
        bytes calldata mldsaPublicKey,
        bytes calldata mlkemPublicKey,
        BN254.G2Point calldata blsPublicKey,
        bytes32 heartbeatAnchor
    ) external view returns (bytes32) {
        return _registrationDigest(
            operator,
            keccak256(mldsaPublicKey),
            keccak256(mlkemPublicKey),
            keccak256(abi.encode(blsPublicKey)),
            heartbeatAnchor
        );
    }

    /// @inheritdoc INodeDirectory
    function transportKeys(uint64 nodeId) external view returns (TransportKeys memory) {
        uint40 validUntil = _roles[nodeId].previousKeyValidUntil;
        return TransportKeys(_transportKey[nodeId], _previousTransportKey[nodeId], validUntil);
    }

    /// @inheritdoc INodeDirectory
    function isTransportKey(uint64 nodeId, bytes32 keyHash) external view returns (bool) {
        if (keyHash == bytes32(0)) return false;
        if (keyHash == _transportKey[nodeId]) return true;
        return keyHash == _previousTransportKey[nodeId] && block.timestamp < _roles[nodeId].previousKeyValidUntil;
    }

    /// @inheritdoc INodeDirectory
    function endpointOf(uint64 nodeId) external view returns (bytes memory) {
        return _endpoint[nodeId];
    }

    /// @inheritdoc INodeDirectory
    function managerOf(uint64 nodeId) external view returns (address) {
        return _roles[nodeId].manager;
    }

    /// @inheritdoc INodeDirectory
    function beneficiaryOf(uint64 nodeId) external view returns (address beneficiary) {
        beneficiary = _beneficiary[nodeId];
        if (beneficiary == address(0)) beneficiary = registry.ownerOf(nodeId);
    }

    /// @inheritdoc INodeDirectory
    function pendingFee(uint64 nodeId) external view returns (PendingFee memory) {
        return _pendingFee[nodeId];
    }

    // ------------------------------------------------------------------ internals

    /// @dev The caller must be the node's owner (the registering address); returns it and the fee.
    function _checkOwner(uint64 nodeId) private view returns (address owner, uint16 feeBps) {
        (owner, feeBps,) = registry.nodeTerms(nodeId);
        if (owner == address(0) || msg.sender != owner) revert NotOwner(nodeId, msg.sender);
    }

    function _checkOwnerOrManager(uint64 nodeId) private view {
        if (msg.sender == _roles[nodeId].manager && msg.sender != address(0)) return;
        address owner = registry.ownerOf(nodeId);
        if (owner == address(0) || msg.sender != owner) revert NotOwnerOrManager(nodeId, msg.sender);
    }

    function _checkLength(KeyKind which, uint256 length, uint256 expected) private pure {
        if (length != expected) revert IServiceNodeRegistry.InvalidKeyLength(which, length, expected);
    }

    function _registrationDigest(
        address operator,
        bytes32 mldsaHash,
        bytes32 mlkemHash,
        bytes32 blsHash,
        bytes32 heartbeatAnchor
    ) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                REGISTRATION_TYPEHASH,
                block.chainid,
                address(registry),
                operator,
                mldsaHash,
                mlkemHash,
                blsHash,
                heartbeatAnchor
            )
        );
    }

    /// @dev Checks the endpoint's shape: host, port, then the modifiers its transport allows.
    function _checkEndpoint(bytes calldata e) private pure {
        uint256 length = e.length;
        if (length == 0) return;
        if (length > MAX_ENDPOINT_BYTES) revert EndpointTooLong(length, MAX_ENDPOINT_BYTES);
        uint256 i = _checkHost(e);
        if (i + 3 > length) revert InvalidEndpoint(i);
        uint256 transport = uint8(e[i]);
        if (transport == TCP) {
            i += 3;
            if (i + 2 <= length && _code2(e, i) == TLS) i += 2;
            if (i + 2 <= length) {
                uint256 code = _code2(e, i);
                if (code == WS || code == WSS) i += 2;
            }
        } else {
            if (i + 4 > length || _code2(e, i) != UDP) revert InvalidEndpoint(i);
            i += 4;
            if (i + 2 <= length) {
                uint256 code = _code2(e, i);
                if (code == QUIC || code == QUIC_V1) i += 2;
            }
        }
        if (i != length) revert InvalidEndpoint(i);
    }

    /// @dev The host component; returns the offset after it. A component cut short fails at its start.
    function _checkHost(bytes calldata e) private pure returns (uint256 i) {
        uint256 code = uint8(e[0]);
        if (code == IP4) i = 5;
        else if (code == IP6) i = 17;
        if (i != 0) {
            if (e.length < i) revert InvalidEndpoint(0);
            return i;
        }
        if (code != DNS && code != DNS4 && code != DNS6 || e.length < 2) revert InvalidEndpoint(0);
        uint256 nameLength = uint8(e[1]);
        // A name of 1 to 63 bytes (one-byte varint), letters, digits, '-' and '.' only.
        if (nameLength == 0 || nameLength > 63 || 2 + nameLength > e.length) revert InvalidEndpoint(1);
        i = 2 + nameLength;
        for (uint256 j = 2; j < i; ++j) {
            bytes1 c = e[j];
            if (!((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "-" || c == "." || (c >= "A" && c <= "Z"))) {
                revert InvalidEndpoint(j);
            }
        }
    }

    /// @dev The two bytes at `i` as a big-endian number (a two-byte varint code as written).
    function _code2(bytes calldata e, uint256 i) private pure returns (uint256) {
        return (uint256(uint8(e[i])) << 8) | uint8(e[i + 1]);
    }
}
