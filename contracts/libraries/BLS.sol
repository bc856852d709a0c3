// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "./BN254.sol";

/// @title BLS
/// @notice BLS signatures on BN254 with public keys in G2 and signatures in G1 (hashing to G1 is cheap
/// on the EVM; hashing to G2 is not). One signature check is one two-pair pairing:
///   e(signature, -G2) * e(H(message), publicKey) == 1.
/// Keys are aggregated by G2 addition and signatures by G1 addition; an aggregate of n signers
/// verifies against the sum of their keys. Rogue-key attacks are stopped by a proof of possession
/// (a signature, under its own domain tag, over a digest the caller binds to operator, chain and
/// contract), which the registry checks before a key joins the aggregate. The same pairing check
/// proves the key is in the order-r subgroup: the precompile fails on any other twist point.
/// @dev BLS is not post-quantum. It is used only where a post-quantum alternative would cost one
/// ML-DSA verification per signer.
///
/// Typical non-signer loop of an attestation verifier (NetworkAttestations), with its own storage
/// checks per key:
/// ```
/// BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(storedAggregate);
/// for (uint256 i; i < ids.length; ++i) {
///     // check ids ascending (unique) and BN254G2.g2CompressCalldata(keys[i]) == the stored key of ids[i]
///     BN254G2.g2JacobianSubCalldata(acc, keys[i]);
/// }
/// bool ok = BLS.verify(BN254G2.g2JacobianToAffine(acc), message, signature);
/// ```
library BLS {
    /// @notice Domain tag of ordinary (attestation) signatures: keccak256 of the ASCII tag.
    bytes32 internal constant SIGNATURE_DOMAIN = keccak256("PARS-BLS-BN254-G1-KECCAK-TAI-V1:SIGNATURE");
    /// @notice Domain tag of proofs of possession, distinct so that a proof can never be replayed as
    /// a signature over the same bytes, nor the reverse.
    bytes32 internal constant POP_DOMAIN = keccak256("PARS-BLS-BN254-G1-KECCAK-TAI-V1:PROOF-OF-POSSESSION");

    /// @notice Verifies `signature` on `message` under `publicKey` (single or aggregate key).
    /// @param publicKey the G2 key; infinity is rejected (it would accept the infinity signature)
    /// @param message the signed bytes
    /// @param signature the G1 signature; infinity is rejected
    /// @return valid true only for a valid signature; every failure (malformed point, key outside
    /// the subgroup, unhashable message) is false
    function verify(BN254.G2Point memory publicKey, bytes memory message, BN254.G1Point memory signature)
        internal
        view
        returns (bool valid)
    {
        (bool ok, BN254.G1Point memory h) = BN254.tryHashToG1(SIGNATURE_DOMAIN, message);
        return ok && verifyHashed(publicKey, h, signature);
    }

    /// @notice `verify` of a 32-byte message (a digest) with the square roots of the hash to G1 supplied
    /// by the caller (see `BN254.tryHashToG1WithRoots`): the same check without a modexp per try. No
    /// roots: `verify`.
    /// @param publicKey the G2 key; infinity is rejected
    /// @param message the signed 32 bytes
    /// @param hashRoots one root per try of the hash, or none
    /// @param signature the G1 signature; infinity is rejected
    /// @return valid true only for a valid signature with correct roots
    function verifyWithHashRoots(
        BN254.G2Point memory publicKey,
        bytes32 message,
        uint256[] calldata hashRoots,
        BN254.G1Point memory signature
    ) internal view returns (bool valid) {
        if (hashRoots.length == 0) return verify(publicKey, abi.encodePacked(message), signature);
        (bool ok, BN254.G1Point memory h) = BN254.tryHashToG1WithRoots(SIGNATURE_DOMAIN, message, hashRoots);
        return ok && verifyHashed(publicKey, h, signature);
    }

    /// @notice The pairing check for an already hashed message: e(signature, -G2) e(hashed, key) == 1.
    /// @param publicKey the G2 key; infinity is rejected
    /// @param hashed the message point (`BN254.tryHashToG1` of the message under its domain)
    /// @param signature the G1 signature; infinity is rejected
    /// @return valid true only if the pairing precompile succeeded and the product is 1
    function verifyHashed(
        BN254.G2Point memory publicKey,
        BN254.G1Point memory hashed,
        BN254.G1Point memory signature
    ) internal view returns (bool valid) {
        // An infinity key (no signers, or keys cancelling) would make e(H, key) = 1 and accept the
        // infinity signature for any message; an infinity signature is only valid for that key.
        if (BN254.g2IsInfinity(publicKey) || BN254.g1IsInfinity(signature)) return false;
        return BN254.pairing2NegG2(signature, hashed, publicKey);
    }

    /// @notice Verifies a proof of possession: a signature over `digest` under POP_DOMAIN.
    /// @dev Also proves that `publicKey` is on the twist and in the order-r subgroup, since the pairing
    /// precompile fails otherwise. The caller must bind the operator, chain id and contract into
    /// `digest`, so the proof cannot be replayed by another operator or on another deployment.
    /// @param publicKey the G2 key being registered
    /// @param digest the caller's registration digest
    /// @param proof the G1 signature over the digest
    /// @return valid true only if the proof is valid and the key is a proper subgroup point
    function verifyProofOfPossession(BN254.G2Point memory publicKey, bytes32 digest, BN254.G1Point memory proof)
        internal
        view
        returns (bool valid)
    {
        (bool ok, BN254.G1Point memory h) = BN254.tryHashToG1(POP_DOMAIN, abi.encodePacked(digest));
        return ok && verifyHashed(publicKey, h, proof);
    }
}
