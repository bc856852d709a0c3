// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BLS} from "../libraries/BLS.sol";

/// @title BLS__Harness
/// @notice Test double exposing the BN254 and BLS libraries, plus a miniature registry (stored affine
/// aggregate key, key hashes by node id, proof-of-possession registration, attestation check with
/// non-signers) whose transactions show the gas a real registry and verifier will pay.
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
        bytes32 keyHash = BN254.g2HashCalldata(publicKey);
        return keccak256(abi.encode(REGISTRATION_PURPOSE, block.chainid, address(this), operator, nodeId, keyHash));
    }

    /// @notice Registers a key after checking its proof of possession, and adds it to the aggregate.
    /// @param nodeId the node
    /// @param publicKey the BLS key
    /// @param proof the signature over registrationDigest(msg.sender, nodeId, publicKey) under POP_DOMAIN
    function registerKey(uint256 nodeId, BN254.G2Point calldata publicKey, BN254.G1Point calldata proof) external {
        bytes32 keyHash = BN254.g2HashCalldata(publicKey);
        if (keyHashOf[nodeId] != bytes32(0) || keyTaken[keyHash]) revert KeyAlreadyRegistered(nodeId, keyHash);
        if (!BLS.verifyProofOfPossession(publicKey, registrationDigest(msg.sender, nodeId, publicKey), proof)) {
            revert InvalidProofOfPossession(nodeId, keyHash);
        }
        keyHashOf[nodeId] = keyHash;
        keyTaken[keyHash] = true;
        aggregateKey = BN254.g2Add(aggregateKey, publicKey);
        emit KeyRegistered(nodeId, keyHash);
    }

    /// @notice Removes a node's key from the aggregate (exit).
    /// @param nodeId the node
    /// @param publicKey its key (checked against the stored hash)
    function removeKey(uint256 nodeId, BN254.G2Point calldata publicKey) external {
        bytes32 keyHash = BN254.g2HashCalldata(publicKey);
        if (keyHashOf[nodeId] != keyHash || keyHash == bytes32(0)) revert UnknownNode(nodeId);
        delete keyHashOf[nodeId];
        aggregateKey = BN254.g2Sub(aggregateKey, publicKey);
        emit KeyRemoved(nodeId, keyHash);
    }

    /// @notice Adds a key to the aggregate without any check: measures the affine aggregate update.
    /// @param publicKey the key
    function mock__addToAggregate(BN254.G2Point calldata publicKey) external {
        aggregateKey = BN254.g2Add(aggregateKey, publicKey);
    }

    /// @notice Subtracts a key from the aggregate without any check.
    /// @param publicKey the key
    function mock__subFromAggregate(BN254.G2Point calldata publicKey) external {
        aggregateKey = BN254.g2Sub(aggregateKey, publicKey);
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
        lastPoint = BLS.hashMessage(message);
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

    /// @notice BLS.hashMessage.
    /// @param message the bytes
    /// @return h the point
    function hashMessage(bytes calldata message) external view returns (BN254.G1Point memory h) {
        return BLS.hashMessage(message);
    }

    /// @notice BLS.hashProofOfPossession.
    /// @param digest the digest
    /// @return h the point
    function hashProofOfPossession(bytes32 digest) external view returns (BN254.G1Point memory h) {
        return BLS.hashProofOfPossession(digest);
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

    /// @notice BLS.verifyAggregate.
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
        return BLS.verifyAggregate(aggregate, nonSignerKeys, message, signature);
    }

    /// @notice BLS.signersKey.
    /// @param aggregate the aggregate key
    /// @param nonSignerKeys the keys to subtract
    /// @return key the signers' aggregate key
    function signersKey(BN254.G2Point calldata aggregate, BN254.G2Point[] calldata nonSignerKeys)
        external
        view
        returns (BN254.G2Point memory key)
    {
        return BLS.signersKey(aggregate, nonSignerKeys);
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
    // BN254 views
    // ------------------------------------------------------------------------------------------------

    /// @notice BN254.hashToG1 with any domain.
    /// @param domain the tag
    /// @param message the bytes
    /// @return h the point
    function hashToG1(bytes32 domain, bytes calldata message) external view returns (BN254.G1Point memory h) {
        return BN254.hashToG1(domain, message);
    }

    /// @notice BN254.g1Generator and BN254.g2Generator.
    /// @return g1 the G1 generator
    /// @return g2 the G2 generator
    function generators() external pure returns (BN254.G1Point memory g1, BN254.G2Point memory g2) {
        return (BN254.g1Generator(), BN254.g2Generator());
    }

    /// @notice BN254.g1Add.
    /// @param a a point
    /// @param b a point
    /// @return sum a + b
    function g1Add(BN254.G1Point calldata a, BN254.G1Point calldata b) external view returns (BN254.G1Point memory) {
        return BN254.g1Add(a, b);
    }

    /// @notice BN254.tryG1Add.
    /// @param a a point
    /// @param b a point
    /// @return ok precompile verdict
    /// @return sum a + b
    function tryG1Add(BN254.G1Point calldata a, BN254.G1Point calldata b)
        external
        view
        returns (bool ok, BN254.G1Point memory sum)
    {
        return BN254.tryG1Add(a, b);
    }

    /// @notice BN254.g1Mul.
    /// @param a a point
    /// @param s a scalar
    /// @return product s * a
    function g1Mul(BN254.G1Point calldata a, uint256 s) external view returns (BN254.G1Point memory) {
        return BN254.g1Mul(a, s);
    }

    /// @notice BN254.g1Negate.
    /// @param a a point
    /// @return n -a
    function g1Negate(BN254.G1Point calldata a) external pure returns (BN254.G1Point memory) {
        return BN254.g1Negate(a);
    }

    /// @notice BN254.g1IsOnCurve.
    /// @param a a point
    /// @return onCurve the verdict
    function g1IsOnCurve(BN254.G1Point calldata a) external pure returns (bool) {
        return BN254.g1IsOnCurve(a);
    }

    /// @notice BN254.pairing2.
    /// @param a1 G1 point
    /// @param b1 G2 point
    /// @param a2 G1 point
    /// @param b2 G2 point
    /// @return valid the verdict
    function pairing2(
        BN254.G1Point calldata a1,
        BN254.G2Point calldata b1,
        BN254.G1Point calldata a2,
        BN254.G2Point calldata b2
    ) external view returns (bool) {
        return BN254.pairing2(a1, b1, a2, b2);
    }

    /// @notice BN254.pairing over lists.
    /// @param a G1 points
    /// @param b G2 points
    /// @return valid the verdict
    function pairing(BN254.G1Point[] calldata a, BN254.G2Point[] calldata b) external view returns (bool) {
        return BN254.pairing(a, b);
    }

    /// @notice Calls the pairing precompile on raw input, to tell a precompile failure from a product
    /// that is not 1.
    /// @param input the EIP-197 input
    /// @return success whether the precompile succeeded
    /// @return output its output
    function pairingRaw(bytes calldata input) external view returns (bool success, bytes memory output) {
        // A failing precompile burns all gas it gets: cap it as the library does.
        (success, output) = address(0x08).staticcall{gas: 1_000_000}(input);
    }

    /// @notice BN254.g2IsOnCurve.
    /// @param a a point
    /// @return onCurve the verdict
    function g2IsOnCurve(BN254.G2Point calldata a) external pure returns (bool) {
        return BN254.g2IsOnCurve(a);
    }

    /// @notice BN254.g2Negate.
    /// @param a a point
    /// @return n -a
    function g2Negate(BN254.G2Point calldata a) external pure returns (BN254.G2Point memory) {
        return BN254.g2Negate(a);
    }

    /// @notice BN254.g2Add.
    /// @param a a point
    /// @param b a point
    /// @return sum a + b
    function g2Add(BN254.G2Point calldata a, BN254.G2Point calldata b) external view returns (BN254.G2Point memory) {
        return BN254.g2Add(a, b);
    }

    /// @notice BN254.g2Sub.
    /// @param a a point
    /// @param b a point
    /// @return difference a - b
    function g2Sub(BN254.G2Point calldata a, BN254.G2Point calldata b) external view returns (BN254.G2Point memory) {
        return BN254.g2Sub(a, b);
    }

    /// @notice BN254.g2SubMany.
    /// @param base a point
    /// @param keys points to subtract
    /// @return result base - sum(keys)
    function g2SubMany(BN254.G2Point calldata base, BN254.G2Point[] calldata keys)
        external
        view
        returns (BN254.G2Point memory)
    {
        return BN254.g2SubMany(base, keys);
    }

    /// @notice Drives the Jacobian accumulator: starts at `start`, adds `plus` (memory and calldata
    /// variants alternately), subtracts `minus` (likewise), converts to affine once.
    /// @param start the starting point
    /// @param plus points to add
    /// @param minus points to subtract
    /// @return result start + sum(plus) - sum(minus)
    function g2Accumulate(BN254.G2Point calldata start, BN254.G2Point[] calldata plus, BN254.G2Point[] calldata minus)
        external
        view
        returns (BN254.G2Point memory)
    {
        BN254.G2Jacobian memory acc = BN254.g2ToJacobian(start);
        for (uint256 i = 0; i < plus.length; ++i) {
            if (i % 2 == 0) BN254.g2JacobianAddAffine(acc, plus[i]);
            else BN254.g2JacobianAddCalldata(acc, plus[i]);
        }
        for (uint256 i = 0; i < minus.length; ++i) {
            if (i % 2 == 0) BN254.g2JacobianSubAffine(acc, minus[i]);
            else BN254.g2JacobianSubCalldata(acc, minus[i]);
        }
        return BN254.g2JacobianToAffine(acc);
    }

    /// @notice BN254.g2Hash of a memory copy and BN254.g2HashCalldata.
    /// @param a a point
    /// @return fromMemory g2Hash
    /// @return fromCalldata g2HashCalldata
    function g2Hash(BN254.G2Point calldata a) external pure returns (bytes32 fromMemory, bytes32 fromCalldata) {
        return (BN254.g2Hash(a), BN254.g2HashCalldata(a));
    }

    /// @notice BN254.fpInverse.
    /// @param a the element
    /// @return inverse a^-1 mod p
    function fpInverse(uint256 a) external view returns (uint256) {
        return BN254.fpInverse(a);
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
        BN254.G1Point memory h = BLS.hashMessage(message);
        hashGas = start - gasleft();

        start = gasleft();
        BN254.G2Jacobian memory acc = BN254.g2ToJacobian(aggregate);
        for (uint256 i = 0; i < nonSignerKeys.length; ++i) {
            BN254.g2JacobianSubCalldata(acc, nonSignerKeys[i]);
        }
        subtractGas = start - gasleft();

        start = gasleft();
        BN254.G2Point memory key = BN254.g2JacobianToAffine(acc);
        toAffineGas = start - gasleft();

        start = gasleft();
        valid = BLS.verifyHashed(key, h, signature);
        pairingGas = start - gasleft();
    }

    // ------------------------------------------------------------------------------------------------
    // BN254 point compression
    // ------------------------------------------------------------------------------------------------

    /// @notice BN254.g2CompressCalldata: (0, 0) unless reduced and on the twist.
    /// @param a a point
    /// @return word0 xIm with the flags
    /// @return word1 xRe
    function g2CompressCalldata(BN254.G2Point calldata a) external pure returns (uint256 word0, uint256 word1) {
        return BN254.g2CompressCalldata(a);
    }

    /// @notice BN254.g2Compress (no checks).
    /// @param a a point
    /// @return word0 xIm with the flags
    /// @return word1 xRe
    function g2Compress(BN254.G2Point calldata a) external pure returns (uint256 word0, uint256 word1) {
        return BN254.g2Compress(a);
    }

    /// @notice BN254.tryG2Decompress.
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    /// @return ok whether the words encode a twist point
    /// @return a the point
    function tryG2Decompress(uint256 word0, uint256 word1) external view returns (bool ok, BN254.G2Point memory a) {
        return BN254.tryG2Decompress(word0, word1);
    }

    /// @notice BN254.g2DecompressWithRoot.
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    /// @param yIm the claimed y, imaginary part
    /// @param yRe the claimed y, real part
    /// @return ok whether the words and y are a twist point with that sign
    /// @return a the point
    function g2DecompressWithRoot(uint256 word0, uint256 word1, uint256 yIm, uint256 yRe)
        external
        pure
        returns (bool ok, BN254.G2Point memory a)
    {
        return BN254.g2DecompressWithRoot(word0, word1, yIm, yRe);
    }

    /// @notice BN254.g2IsSum.
    /// @param a a point
    /// @param b a point
    /// @param c the claimed sum
    /// @return yes whether the chord equations hold
    function g2IsSum(BN254.G2Point memory a, BN254.G2Point memory b, BN254.G2Point memory c)
        external
        pure
        returns (bool yes)
    {
        return BN254.g2IsSum(a, b, c);
    }

    /// @notice BN254.tryHashToG1WithRoots.
    /// @param domain the tag
    /// @param message the bytes
    /// @param roots one root per try
    /// @return ok whether the roots check out
    /// @return h the point
    function tryHashToG1WithRoots(bytes32 domain, bytes calldata message, uint256[] calldata roots)
        external
        pure
        returns (bool ok, BN254.G1Point memory h)
    {
        return BN254.tryHashToG1WithRoots(domain, message, roots);
    }

    /// @notice BN254.g2Decompress (reverts with G2DecompressionFailed).
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    /// @return a the point
    function g2Decompress(uint256 word0, uint256 word1) external view returns (BN254.G2Point memory a) {
        return BN254.g2Decompress(word0, word1);
    }

    /// @notice BN254.fp2Sqrt.
    /// @param re real part
    /// @param im imaginary part
    /// @return ok whether re + im i is a square
    /// @return rootRe real part of the root
    /// @return rootIm imaginary part of the root
    function fp2Sqrt(uint256 re, uint256 im) external view returns (bool ok, uint256 rootRe, uint256 rootIm) {
        return BN254.fp2Sqrt(re, im);
    }

    /// @notice BN254.g2Sgn0.
    /// @param re real part
    /// @param im imaginary part
    /// @return sign 0 or 1
    function g2Sgn0(uint256 re, uint256 im) external pure returns (uint256 sign) {
        return BN254.g2Sgn0(re, im);
    }

    /// @notice BN254.g2JacobianToAffinePair on (base - first) and (base - first - rest), the two
    /// points a deregistration needs (new aggregate, signers' key).
    /// @param base the starting point
    /// @param first subtracted from both
    /// @param rest subtracted from the second only
    /// @return a base - first
    /// @return b base - first - sum(rest)
    function g2AffinePair(BN254.G2Point calldata base, BN254.G2Point calldata first, BN254.G2Point[] calldata rest)
        external
        view
        returns (BN254.G2Point memory a, BN254.G2Point memory b)
    {
        BN254.G2Jacobian memory j = BN254.g2ToJacobian(base);
        BN254.g2JacobianSubCalldata(j, first);
        BN254.G2Jacobian memory k = BN254.G2Jacobian(j.xIm, j.xRe, j.yIm, j.yRe, j.zIm, j.zRe);
        for (uint256 i = 0; i < rest.length; ++i) {
            BN254.g2JacobianSubCalldata(k, rest[i]);
        }
        return BN254.g2JacobianToAffinePair(j, k);
    }

    /// @notice Decompresses in a transaction: measures one decompression (two modexps).
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    function mock__decompressTx(uint256 word0, uint256 word1) external {
        BN254.G2Point memory a = BN254.g2Decompress(word0, word1);
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
            BN254.G2Jacobian memory acc = BN254.g2ToJacobian(key);
            uint256 previous;
            for (uint256 i = 0; i < n; ++i) {
                uint256 id = nonSignerIds[i];
                if (i != 0 && id <= previous) revert NonSignersNotAscending(i, id);
                previous = id;
                if (keyHashOf[id] != BN254.g2HashCalldata(nonSignerKeys[i])) revert NonSignerKeyMismatch(i, id);
                BN254.g2JacobianSubCalldata(acc, nonSignerKeys[i]);
            }
            key = BN254.g2JacobianToAffine(acc);
        }
        return BLS.verify(key, message, signature);
    }
}
