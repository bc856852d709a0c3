// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ML-KEM precompile (FIPS 203), default address 0x0000000000000000000000000000000000000603
/// @notice `parameterSet` is 0 = ML-KEM-512, 1 = ML-KEM-768, 2 = ML-KEM-1024 (a uint8 cannot hold 512).
/// Elsewhere the parameter set is inferred from lengths: encapsulation keys are 800 / 1184 / 1568 bytes,
/// decapsulation keys 1632 / 2400 / 3168, ciphertexts 768 / 1088 / 1568; shared secrets are 32 bytes.
/// Malformed input, including an encapsulation key that fails the FIPS 203 modulus check, makes the call fail.
/// @dev On-chain cost (Lux): ML-KEM-768 encapsulate 75,000 gas.
interface IMLKEM {
    /// @notice Generates a key pair from fresh randomness.
    /// @dev For tooling through `eth_call` only: a decapsulation key returned on a public chain is public.
    /// @param parameterSet 0, 1 or 2
    /// @return publicKey the encapsulation key
    /// @return secretKey the decapsulation key
    function keyGen(uint8 parameterSet) external returns (bytes memory publicKey, bytes memory secretKey);

    /// @notice Generates the key pair determined by a 64-byte seed (d || z, FIPS 203 ML-KEM.KeyGen_internal).
    /// @dev Tooling and tests only.
    /// @param parameterSet 0, 1 or 2
    /// @param seed 64 bytes
    /// @return publicKey the encapsulation key
    /// @return secretKey the decapsulation key
    function keyGenFromSeed(uint8 parameterSet, bytes calldata seed)
        external
        view
        returns (bytes memory publicKey, bytes memory secretKey);

    /// @notice Encapsulates a shared secret to `publicKey`, validating the key.
    /// @dev Deterministic, as a precompile must be: the encapsulation randomness is
    /// SHA3-256("PARS/ML-KEM/encapsulate" || publicKey). On a public chain the shared secret is public;
    /// contracts call this to validate transport keys.
    /// @param publicKey the encapsulation key; its length selects the parameter set
    /// @return cipherText the ciphertext
    /// @return sharedSecret the 32-byte shared secret
    function encapsulate(bytes calldata publicKey)
        external
        view
        returns (bytes memory cipherText, bytes memory sharedSecret);

    /// @notice Decapsulates a ciphertext (implicit rejection: a wrong ciphertext yields an unrelated secret).
    /// @dev Tooling and tests only: a decapsulation key passed to a public chain is public.
    /// @param secretKey the decapsulation key; its length selects the parameter set
    /// @param cipherText the ciphertext
    /// @return sharedSecret the 32-byte shared secret
    function decapsulate(bytes calldata secretKey, bytes calldata cipherText)
        external
        view
        returns (bytes memory sharedSecret);
}
