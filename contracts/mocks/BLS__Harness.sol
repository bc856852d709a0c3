// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BN254G2} from "../libraries/BN254G2.sol";
import {BLS} from "../libraries/BLS.sol";

/// @title BLS__Harness
/// @notice Test double exposing the BLS library (BN254's functions are in BN254__Harness), plus a
/// miniature registry (stored affine aggregate key, key hashes by node id, proof-of-possession
/// registration, attestation check with non-signers) whose transactions show the gas a real registry
/// and verifier will pay. What production never calls (hashing a message, an aggregate minus many
/// keys, a key's hash) is written here, on top of the library functions production does call.
contract BLS__Harness {
    /// @notice The proof of possession did not verify (or the key is not a subgroup point).
    error InvalidProofOfPossession(uint256 nodeId, bytes32 keyHash);
    /// @notice The node id already has a key, or the key already belongs to a node.
    error KeyAlreadyRegistered(uint256 nodeId, bytes32 keyHash);
    /// @notice The node id has no key registered.
    error UnknownNode(uint256 nodeId);
    /// @notice Non-signer ids must be strictly ascending (which also makes them unique).
    error NonSignersNotAscending(uint256 index, uint256 nodeId);
    /// @notice A non-signer key in calldata differs from the one registered for its node.
    error NonSignerKeyMismatch(uint256 index, uint256 nodeId);
    /// @notice Non-signer ids and keys differ in length.
    error NonSignerLengthMismatch(uint256 ids, uint256 keys);
    /// @notice No try of the hash to G1 found a curve point (probability ~2^-64).
    error HashToG1Failed(bytes32 domain);

    /// @notice A key joined the aggregate.
    event KeyRegistered(uint256 indexed nodeId, bytes32 keyHash);
    /// @notice A key left the aggregate.
    event KeyRemoved(uint256 indexed nodeId, bytes32 keyHash);
    /// @notice An attestation was checked.
    event AttestationChecked(bytes32 indexed messageHash, uint256 nonSigners, bool valid);

    /// @notice Purpose tag of the registration digest.
    bytes32 public constant REGISTRATION_PURPOSE = keccak256("PARS-BLS-HARNESS:REGISTER");

    /// @notice The aggregate key of all registered nodes, affine, 4 slots.
    BN254.G2Point public aggregateKey;
    /// @notice keccak256 of each node's key.
    mapping(uint256 nodeId => bytes32 keyHash) public keyHashOf;
    /// @notice Which key hashes are taken.
    mapping(bytes32 keyHash => bool) public keyTaken;
    /// @notice Verdict of the last attestation check.
    bool public lastValid;
    /// @notice The last G1 point written by a measuring transaction.
    BN254.G1Point public lastPoint;

    // ------------------------------------------------------------------------------------------------
    // Miniature registry (state-changing, for receipts)
    // ------------------------------------------------------------------------------------------------

    /// @notice The digest a node signs as its proof of possession: purpose, chain, contract, operator,
    /// node and key, so a proof cannot be replayed by another operator, node or deployment.
    /// @param operator the registering account
    /// @param nodeId the node
    /// @param publicKey the BLS key
    /// @return digest the registration digest
    function registrationDigest(address operator, uint256 nodeId, BN254.G2Point calldata publicKey)
        public
        view
        returns (bytes32 digest)
    {
        bytes32 keyHash = _keyHash(publicKey);
        return keccak256(abi.encode(REGISTRATION_PURPOSE, block.chainid, address(this), operator, nodeId, keyHash));
    }

    /// @notice Registers a key after checking its proof of possession, and adds it to the aggregate.
    /// @param nodeId the node
    /// @param publicKey the BLS key
    /// @param proof the signature over registrationDigest(msg.sender, nodeId, publicKey) under POP_DOMAIN
    function registerKey(uint256 nodeId, BN254.G2Point calldata publicKey, BN254.G1Point calldata proof) external {
        bytes32 keyHash = _keyHash(publicKey);
        if (keyHashOf[nodeId] != bytes32(0) || keyTaken[keyHash]) revert KeyAlreadyRegistered(nodeId, keyHash);
        if (!BLS.verifyProofOfPossession(publicKey, registrationDigest(msg.sender, nodeId, publicKey), proof)) {
            revert InvalidProofOfPossession(nodeId, keyHash);
        }
        keyHashOf[nodeId] = keyHash;
        keyTaken[keyHash] = true;
        aggregateKey = BN254G2.g2Add(aggregateKey, publicKey);
        emit KeyRegistered(nodeId, keyHash);
    }

    /// @notice Removes a node's key from the aggregate (exit).
    /// @param nodeId the node
    /// @param publicKey its key (checked against the stored hash)
    function removeKey(uint256 nodeId, BN254.G2Point calldata publicKey) external {
        bytes32 keyHash = _keyHash(publicKey);
        if (keyHashOf[nodeId] != keyHash || keyHash == bytes32(0)) revert UnknownNode(nodeId);
        delete keyHashOf[nodeId];
        aggregateKey = _g2Sub(aggregateKey, publicKey);
        emit KeyRemoved(nodeId, keyHash);
    }

    /// @notice Adds a key to the aggregate without any check: measures the affine aggregate update.
    /// @param publicKey the key
    function mock__addToAggregate(BN254.G2Point calldata publicKey) external {
        aggregateKey = BN254G2.g2Add(aggregateKey, publicKey);
    }

    /// @notice Subtracts a key from the aggregate without any check.
    /// @param publicKey the key
    function mock__subFromAggregate(BN254.G2Point calldata publicKey) external {
        aggregateKey = _g2Sub(aggregateKey, publicKey);
    }

    /// @notice Sets the aggregate and the key hashes directly, so fixtures need not register one by one.
    /// @param aggregate the aggregate key of `nodeIds`
    /// @param nodeIds the nodes
    /// @param keyHashes their key hashes
    function mock__setRegistry(
        BN254.G2Point calldata aggregate,
        uint256[] calldata nodeIds,
        bytes32[] calldata keyHashes
    ) external {
        aggregateKey = aggregate;
        for (uint256 i = 0; i < nodeIds.length; ++i) {
            keyHashOf[nodeIds[i]] = keyHashes[i];
            keyTaken[keyHashes[i]] = true;
        }
    }

    /// @notice The attestation path of a verifier: checks each listed non-signer against storage,
    /// subtracts it from the stored aggregate in Jacobian coordinates, then does one pairing check.
    /// @param message the signed bytes
    /// @param signature the aggregate signature of the signers
    /// @param nonSignerIds the non-signing nodes, strictly ascending
    /// @param nonSignerKeys their keys, in the same order
    /// @return valid the verdict (also stored in lastValid)
    function checkAttestation(
        bytes calldata message,
        BN254.G1Point calldata signature,
        uint256[] calldata nonSignerIds,
        BN254.G2Point[] calldata nonSignerKeys
    ) external returns (bool valid) {
        valid = _verifyAgainstStored(message, signature, nonSignerIds, nonSignerKeys);
        lastValid = valid;
        emit AttestationChecked(keccak256(message), nonSignerIds.length, valid);
    }

    /// @notice View twin of checkAttestation.
    /// @param message the signed bytes
    /// @param signature the aggregate signature of the signers
    /// @param nonSignerIds the non-signing nodes, strictly ascending
    /// @param nonSignerKeys their keys, in the same order
    /// @return valid the verdict
    function verifyAttestation(
        bytes calldata message,
        BN254.G1Point calldata signature,
        uint256[] calldata nonSignerIds,
        BN254.G2Point[] calldata nonSignerKeys
    ) external view returns (bool valid) {
        return _verifyAgainstStored(message, signature, nonSignerIds, nonSignerKeys);
    }

    /// @notice Hashes to G1 in a transaction: measures hash-to-G1.
    /// @param message the bytes
    function mock__hashToG1Tx(bytes calldata message) external {
        lastPoint = _hashMessage(message);
    }

    /// @notice Checks a proof of possession in a transaction: measures the PoP check alone.
    /// @param publicKey the key
    /// @param digest the digest
    /// @param proof the proof
    function mock__verifyProofOfPossessionTx(
        BN254.G2Point calldata publicKey,
        bytes32 digest,
        BN254.G1Point calldata proof
    ) external {
        lastValid = BLS.verifyProofOfPossession(publicKey, digest, proof);
    }

    /// @notice Verifies one signature in a transaction: measures a single BLS verification.
    /// @param publicKey the key
    /// @param message the bytes
    /// @param signature the signature
    function mock__verifyTx(BN254.G2Point calldata publicKey, bytes calldata message, BN254.G1Point calldata signature)
        external
    {
        lastValid = BLS.verify(publicKey, message, signature);
    }

    // ------------------------------------------------------------------------------------------------
    // BLS views
    // ------------------------------------------------------------------------------------------------

    /// @notice BLS.SIGNATURE_DOMAIN.
    /// @return the tag
    function signatureDomain() external pure returns (bytes32) {
        return BLS.SIGNATURE_DOMAIN;
    }

    /// @notice BLS.POP_DOMAIN.
    /// @return the tag
    function popDomain() external pure returns (bytes32) {
        return BLS.POP_DOMAIN;
    }

    /// @notice The hash to G1 of a message under BLS.SIGNATURE_DOMAIN (reverts if no try succeeds).
    /// @param message the bytes
    /// @return h the point
    function hashMessage(bytes calldata message) external view returns (BN254.G1Point memory h) {
        return _hashMessage(message);
    }

    /// @notice The hash to G1 of a digest under BLS.POP_DOMAIN.
    /// @param digest the digest
    /// @return h the point
    function hashProofOfPossession(bytes32 digest) external view returns (BN254.G1Point memory h) {
        return _hashToG1(BLS.POP_DOMAIN, abi.encodePacked(digest));
    }

    /// @notice BLS.verify.
    /// @param publicKey the key
    /// @param message the bytes
    /// @param signature the signature
    /// @return valid the verdict
    function verify(BN254.G2Point calldata publicKey, bytes calldata message, BN254.G1Point calldata signature)
        external
        view
        returns (bool valid)
    {
        return BLS.verify(publicKey, message, signature);
    }

    /// @notice BLS.verifyHashed.
    /// @param publicKey the key
    /// @param hashed the message point
    /// @param signature the signature
    /// @return valid the verdict
    function verifyHashed(
        BN254.G2Point calldata publicKey,
        BN254.G1Point calldata hashed,
        BN254.G1Point calldata signature
    ) external view returns (bool valid) {
        return BLS.verifyHashed(publicKey, hashed, signature);
    }

    /// @notice BLS.verifyWithHashRoots.
    /// @param publicKey the key
    /// @param message the 32-byte message
    /// @param hashRoots one root per try of the hash, or none
    /// @param signature the signature
    /// @return valid the verdict
    function verifyWithHashRoots(
        BN254.G2Point calldata publicKey,
        bytes32 message,
        uint256[] calldata hashRoots,
        BN254.G1Point calldata signature
    ) external view returns (bool valid) {
        return BLS.verifyWithHashRoots(publicKey, message, hashRoots, signature);
    }

    /// @notice BLS.verify against the aggregate minus the non-signers.
    /// @param aggregate the aggregate key
    /// @param nonSignerKeys the keys to subtract
    /// @param message the bytes
    /// @param signature the signature
    /// @return valid the verdict
    function verifyAggregate(
        BN254.G2Point calldata aggregate,
        BN254.G2Point[] calldata nonSignerKeys,
        bytes calldata message,
        BN254.G1Point calldata signature
    ) external view returns (bool valid) {
        return BLS.verify(_subMany(aggregate, nonSignerKeys), message, signature);
    }

    /// @notice The aggregate minus the non-signers, as a verifier computes it.
    /// @param aggregate the aggregate key
    /// @param nonSignerKeys the keys to subtract
    /// @return key the signers' aggregate key
    function signersKey(BN254.G2Point calldata aggregate, BN254.G2Point[] calldata nonSignerKeys)
        external
        view
        returns (BN254.G2Point memory key)
    {
        return _subMany(aggregate, nonSignerKeys);
    }

    /// @notice BLS.verifyProofOfPossession.
    /// @param publicKey the key
    /// @param digest the digest
    /// @param proof the proof
    /// @return valid the verdict
    function verifyProofOfPossession(BN254.G2Point calldata publicKey, bytes32 digest, BN254.G1Point calldata proof)
        external
        view
        returns (bool valid)
    {
        return BLS.verifyProofOfPossession(publicKey, digest, proof);
    }

    // ------------------------------------------------------------------------------------------------
    // Gas profile (execution gas of the library parts, measured with gasleft)
    // ------------------------------------------------------------------------------------------------

    /// @notice Execution gas of each step of an aggregate verification, without calldata, storage or
    /// transaction overhead.
    /// @param message the signed bytes
    /// @param aggregate the aggregate key
    /// @param nonSignerKeys the keys to subtract
    /// @param signature the signature
    /// @return hashGas hash to G1
    /// @return subtractGas all mixed Jacobian subtractions together
    /// @return toAffineGas the conversion to affine (one Fp2 inversion)
    /// @return pairingGas the pairing check
    /// @return valid the verdict
    function gasProfile(
        bytes calldata message,
        BN254.G2Point calldata aggregate,
        BN254.G2Point[] calldata nonSignerKeys,
        BN254.G1Point calldata signature
    )
        external
        view
        returns (uint256 hashGas, uint256 subtractGas, uint256 toAffineGas, uint256 pairingGas, bool valid)
    {
        uint256 start = gasleft();
        BN254.G1Point memory h = _hashMessage(message);
        hashGas = start - gasleft();

        start = gasleft();
        BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(aggregate);
        for (uint256 i = 0; i < nonSignerKeys.length; ++i) {
            BN254G2.g2JacobianSubCalldata(acc, nonSignerKeys[i]);
        }
        subtractGas = start - gasleft();

        start = gasleft();
        BN254.G2Point memory key = BN254G2.g2JacobianToAffine(acc);
        toAffineGas = start - gasleft();

        start = gasleft();
        valid = BLS.verifyHashed(key, h, signature);
        pairingGas = start - gasleft();
    }

    /// @notice Decompresses in a transaction: measures one decompression (two modexps).
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    function mock__decompressTx(uint256 word0, uint256 word1) external {
        BN254.G2Point memory a = BN254G2.g2Decompress(word0, word1);
        lastPoint = BN254.G1Point(a.yIm, a.yRe);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev The verifier's loop: per non-signer a calldata read, a hash, one storage read, an order
    /// check and a mixed Jacobian subtraction.
    function _verifyAgainstStored(
        bytes calldata message,
        BN254.G1Point calldata signature,
        uint256[] calldata nonSignerIds,
        BN254.G2Point[] calldata nonSignerKeys
    ) private view returns (bool) {
        uint256 n = nonSignerIds.length;
        if (n != nonSignerKeys.length) revert NonSignerLengthMismatch(n, nonSignerKeys.length);
        BN254.G2Point memory key = aggregateKey;
        if (n != 0) {
            BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(key);
            uint256 previous;
            for (uint256 i = 0; i < n; ++i) {
                uint256 id = nonSignerIds[i];
                if (i != 0 && id <= previous) revert NonSignersNotAscending(i, id);
                previous = id;
                if (keyHashOf[id] != _keyHash(nonSignerKeys[i])) revert NonSignerKeyMismatch(i, id);
                BN254G2.g2JacobianSubCalldata(acc, nonSignerKeys[i]);
            }
            key = BN254G2.g2JacobianToAffine(acc);
        }
        return BLS.verify(key, message, signature);
    }

    /// @dev A node's key identity in the harness: keccak256 of its 128-byte encoding.
    function _keyHash(BN254.G2Point calldata publicKey) private pure returns (bytes32) {
        return keccak256(abi.encode(publicKey));
    }

    /// @dev a - b through the library's accumulator (one inversion).
    function _g2Sub(BN254.G2Point memory a, BN254.G2Point memory b) private view returns (BN254.G2Point memory) {
        BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(a);
        BN254G2.g2JacobianSubAffine(acc, b);
        return BN254G2.g2JacobianToAffine(acc);
    }

    /// @dev base - sum(keys), as a verifier's non-signer loop computes it (base itself for no keys).
    function _subMany(BN254.G2Point memory base, BN254.G2Point[] calldata keys)
        private
        view
        returns (BN254.G2Point memory)
    {
        if (keys.length == 0) return base;
        BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(base);
        for (uint256 i = 0; i < keys.length; ++i) {
            BN254G2.g2JacobianSubCalldata(acc, keys[i]);
        }
        return BN254G2.g2JacobianToAffine(acc);
    }

    /// @dev The hash to G1 of a message under the signature domain.
    function _hashMessage(bytes memory message) private view returns (BN254.G1Point memory) {
        return _hashToG1(BLS.SIGNATURE_DOMAIN, message);
    }

    /// @dev BN254.tryHashToG1, reverting in the ~2^-64 case where no try succeeds.
    function _hashToG1(bytes32 domain, bytes memory message) private view returns (BN254.G1Point memory h) {
        bool ok;
        (ok, h) = BN254.tryHashToG1(domain, message);
        if (!ok) revert HashToG1Failed(domain);
    }
}
