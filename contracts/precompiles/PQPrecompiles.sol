// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMLDSA} from "./IMLDSA.sol";
import {IMLKEM} from "./IMLKEM.sol";

/// @title PQPrecompiles
/// @notice The one way contracts of this suite call the PQ precompiles. Every call forwards a capped
/// amount of gas, copies back a bounded amount of return data, and treats anything but a well-formed
/// success (a revert, empty or short output, a non-boolean word, running out of gas, no precompile at
/// the address) as "invalid". A failed call is never mistaken for a valid signature or key.
library PQPrecompiles {
    /// @notice ML-DSA-65 public key length (FIPS 204).
    uint256 internal constant MLDSA65_PUBLIC_KEY_BYTES = 1952;
    /// @notice ML-DSA-65 signature length (FIPS 204).
    uint256 internal constant MLDSA65_SIGNATURE_BYTES = 3309;
    /// @notice ML-KEM-768 encapsulation key length (FIPS 203).
    uint256 internal constant MLKEM768_PUBLIC_KEY_BYTES = 1184;
    /// @notice ML-KEM-768 ciphertext length (FIPS 203).
    uint256 internal constant MLKEM768_CIPHERTEXT_BYTES = 1088;

    /// @notice Gas forwarded to ML-DSA verify: base plus per message byte. Twice the Lux on-chain price
    /// of ML-DSA-87, so a correct precompile never runs short, and a broken one cannot burn the block.
    uint256 internal constant MLDSA_VERIFY_GAS_BASE = 300_000;
    /// @notice Per message byte gas forwarded to ML-DSA verify.
    uint256 internal constant MLDSA_VERIFY_GAS_PER_BYTE = 20;
    /// @notice Gas forwarded to ML-KEM encapsulate (Lux price of ML-KEM-768: 75,000).
    uint256 internal constant MLKEM_ENCAPSULATE_GAS = 250_000;

    /// @notice Verifies an ML-DSA signature through the precompile at `precompile`.
    /// @return valid true only if the precompile ran and returned exactly the ABI word `true`
    function mldsaVerify(address precompile, bytes memory publicKey, bytes memory message, bytes memory signature)
        internal
        view
        returns (bool valid)
    {
        bytes memory input = abi.encodeCall(IMLDSA.verify, (publicKey, message, signature));
        return _verifyCall(precompile, input, message.length);
    }

    /// @notice `mldsaVerify` for a key and signature in calldata: they are copied into the call's input
    /// once, instead of into memory first and then again into the input.
    /// @return valid true only if the precompile ran and returned exactly the ABI word `true`
    function mldsaVerifyCalldata(
        address precompile,
        bytes calldata publicKey,
        bytes memory message,
        bytes calldata signature
    ) internal view returns (bool valid) {
        bytes memory input = abi.encodeCall(IMLDSA.verify, (publicKey, message, signature));
        return _verifyCall(precompile, input, message.length);
    }

    /// @dev Calls ML-DSA verify with `input` under the gas cap for a `messageLength`-byte message.
    function _verifyCall(address precompile, bytes memory input, uint256 messageLength)
        private
        view
        returns (bool valid)
    {
        uint256 gasCap = MLDSA_VERIFY_GAS_BASE + MLDSA_VERIFY_GAS_PER_BYTE * messageLength;
        bool success;
        uint256 word;
        uint256 size;
        assembly ("memory-safe") {
            // Only the first word is copied back: a huge return cannot exhaust memory.
            success := staticcall(gasCap, precompile, add(input, 0x20), mload(input), 0x00, 0x20)
            size := returndatasize()
            word := mload(0x00)
        }
        return success && size == 32 && word == 1;
    }

    /// @notice Validates an ML-KEM encapsulation key by encapsulating to it through the precompile.
    /// @return valid true only if the precompile accepted the key and returned a well-formed answer
    function mlkemValidate(address precompile, bytes memory publicKey) internal view returns (bool valid) {
        bytes memory input = abi.encodeCall(IMLKEM.encapsulate, (publicKey));
        bool success;
        uint256 size;
        uint256 head0;
        uint256 head1;
        uint256 ctLength;
        uint256 ssLength;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            success := staticcall(MLKEM_ENCAPSULATE_GAS, precompile, add(input, 0x20), mload(input), ptr, 0x60)
            size := returndatasize()
            head0 := mload(ptr)
            head1 := mload(add(ptr, 0x20))
            ctLength := mload(add(ptr, 0x40))
            // The shared secret's length word, read only when it lies inside the answer.
            if and(success, lt(add(head1, 0x1f), size)) {
                returndatacopy(ptr, head1, 0x20)
                ssLength := mload(ptr)
            }
        }
        // (bytes ct, bytes ss) encodes as two offsets, ct (length word + ceil32(length) bytes) and ss
        // (length word + 32 bytes): the answer must be exactly that long, with a non-empty ciphertext
        // and a 32-byte secret, so a truncated or padded answer is not taken for a valid key.
        return
            success &&
            head0 == 0x40 &&
            ctLength != 0 &&
            ctLength < size &&
            head1 == 0x60 + ((ctLength + 31) & ~uint256(31)) &&
            ssLength == 32 &&
            size == head1 + 0x40;
    }
}
