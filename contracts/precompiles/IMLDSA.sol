// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ML-DSA precompile (FIPS 204), default address 0x0000000000000000000000000000000000000601
/// @notice Pure ML-DSA with an empty context string. The parameter set is named by `mode` = 44, 65 or 87
/// (ML-DSA-44 / -65 / -87) where it must be given, and otherwise inferred from the key length:
/// public keys are 1312 / 1952 / 2592 bytes, secret keys 2560 / 4032 / 4896, signatures 2420 / 3309 / 4627.
/// Malformed input (unknown mode, a length that matches no parameter set, mismatched key and signature
/// lengths, non-canonical ABI encoding) makes the call fail; it never returns `true`.
/// @dev On-chain cost (Lux): ML-DSA-65 verify 100,000 gas + 10 per message byte.
interface IMLDSA {
    /// @notice Generates a key pair from fresh randomness.
    /// @dev For tooling through `eth_call` only: a secret key returned on a public chain is public, and a
    /// randomised result cannot be part of consensus. Use `keyGenFromSeed` for reproducible keys.
    /// @param mode 44, 65 or 87
    /// @return publicKey the encoded public key
    /// @return secretKey the encoded secret key (public once it has crossed the chain)
    function keyGen(uint8 mode) external returns (bytes memory publicKey, bytes memory secretKey);

    /// @notice Generates the key pair determined by a 32-byte seed (FIPS 204 ML-DSA.KeyGen_internal).
    /// @dev Tooling and tests only: the seed and the secret key are public on chain.
    /// @param mode 44, 65 or 87
    /// @param seed the 32-byte key generation seed
    /// @return publicKey the encoded public key
    /// @return secretKey the encoded secret key
    function keyGenFromSeed(uint8 mode, bytes32 seed)
        external
        view
        returns (bytes memory publicKey, bytes memory secretKey);

    /// @notice Signs `message` deterministically (no hedging randomness).
    /// @dev Tooling and tests only: a secret key passed to a public chain is public.
    /// @param secretKey the encoded secret key; its length selects the parameter set
    /// @param message the message bytes (pure mode, empty context)
    /// @return signature the encoded signature
    function sign(bytes calldata secretKey, bytes calldata message) external view returns (bytes memory signature);

    /// @notice Verifies an ML-DSA signature.
    /// @param publicKey the encoded public key; its length selects the parameter set
    /// @param message the signed message bytes
    /// @param signature the encoded signature, of the length the parameter set requires
    /// @return valid true if and only if the signature is valid for the key and message
    function verify(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool valid);
}
