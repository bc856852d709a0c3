// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMLDSA} from "./IMLDSA.sol";
import {IMLKEM} from "./IMLKEM.sol";

/// @title PQPrecompiles
/// @notice The one way contracts of this suite call the PQ precompiles, in either precompile profile
/// (DESIGN §3):
/// - `Lux`: the chain's own code (luxfi/precompile `mldsa`, `mlkem`): raw bytes, no selector. ML-DSA
///   verifies under the FIPS 204 context `"lux-evm-precompile-mldsa-v1"` and answers one word, 1 or 0;
///   a batch op verifies many signatures in one call. ML-KEM encapsulates with randomness bound to the
///   caller and the seed, and answers `ciphertext ‖ shared secret`.
/// - `Pip`: the interface the Pars PIPs describe (`IMLDSA.verify`, `IMLKEM.encapsulate`, ABI-encoded,
///   empty context).
/// Every call forwards a capped amount of gas, copies back a bounded amount of return data, and treats
/// anything but a well-formed success (a revert, empty, short or long output, a word other than 1,
/// running out of gas, no precompile at the address) as "invalid". A failed call is never taken for a
/// valid signature or key, and a precompile that burns the gas it is given (the `Lux` one does on a
/// length error) burns the cap, not the transaction.
library PQPrecompiles {
    /// @notice Which wire format and signing context the precompiles at the configured addresses speak.
    enum Profile {
        Lux,
        Pip
    }

    /// @notice ML-DSA-65 public key length (FIPS 204).
    uint256 internal constant MLDSA65_PUBLIC_KEY_BYTES = 1952;
    /// @notice ML-DSA-65 signature length (FIPS 204).
    uint256 internal constant MLDSA65_SIGNATURE_BYTES = 3309;
    /// @notice ML-KEM-768 encapsulation key length (FIPS 203).
    uint256 internal constant MLKEM768_PUBLIC_KEY_BYTES = 1184;
    /// @notice ML-KEM-768 ciphertext length (FIPS 203).
    uint256 internal constant MLKEM768_CIPHERTEXT_BYTES = 1088;
    /// @notice ML-KEM shared secret length (FIPS 203).
    uint256 internal constant MLKEM_SHARED_SECRET_BYTES = 32;

    /// @notice `Lux` ML-DSA mode byte of ML-DSA-65.
    uint8 internal constant LUX_MLDSA65_MODE = 0x65;
    /// @notice `Lux` ML-DSA batch operation byte.
    uint8 internal constant LUX_MLDSA_BATCH_OP = 0x10;
    /// @notice `Lux` ML-KEM encapsulate operation byte.
    uint8 internal constant LUX_MLKEM_ENCAPSULATE_OP = 0x01;
    /// @notice `Lux` ML-KEM mode byte of ML-KEM-768.
    uint8 internal constant LUX_MLKEM768_MODE = 0x01;
    /// @notice Most signatures one `Lux` batch call verifies here (a swarm's largest size).
    uint256 internal constant MAX_BATCH = 10;

    /// @notice Gas forwarded to one ML-DSA verify: three times the `Lux` price of ML-DSA-65 for a
    /// 32-byte message (100,320), so a correct precompile never runs short and a broken one cannot burn
    /// more than this.
    uint256 internal constant MLDSA_VERIFY_GAS = 300_000;
    /// @notice Gas forwarded to a batch: twice the `Lux` price (50,000 + 40,000 per signature) plus slack.
    uint256 internal constant MLDSA_BATCH_GAS_BASE = 150_000;
    /// @notice See MLDSA_BATCH_GAS_BASE.
    uint256 internal constant MLDSA_BATCH_GAS_PER_SIGNATURE = 80_000;
    /// @notice Gas forwarded to ML-KEM encapsulate (`Lux` price of ML-KEM-768: 75,000).
    uint256 internal constant MLKEM_ENCAPSULATE_GAS = 250_000;

    /// @notice Verifies an ML-DSA-65 signature over a 32-byte digest.
    /// @dev The caller has checked the key and signature lengths. The input is built past the free memory
    /// pointer, which is left where it was.
    /// @return valid true only if the precompile ran and answered exactly the word 1
    function mldsaVerify(
        Profile profile,
        address precompile,
        bytes memory publicKey,
        bytes32 digest,
        bytes calldata signature
    ) internal view returns (bool valid) {
        bytes4 selector = IMLDSA.verify.selector;
        assembly ("memory-safe") {
            let input := mload(0x40)
            let size
            switch profile
            case 0 {
                // Lux: [mode][public key][message length][signature][message]
                mstore8(input, LUX_MLDSA65_MODE)
                let p := add(input, 1)
                mcopy(p, add(publicKey, 0x20), mload(publicKey))
                p := add(p, mload(publicKey))
                mstore(p, 0x20)
                calldatacopy(add(p, 0x20), signature.offset, signature.length)
                p := add(add(p, 0x20), signature.length)
                mstore(p, digest)
                size := sub(add(p, 0x20), input)
            }
            default {
                // Pip: verify(bytes publicKey, bytes message, bytes signature), canonical ABI.
                mstore(input, selector)
                let p := add(input, 4)
                let padded := and(add(mload(publicKey), 31), not(31))
                mstore(p, 0x60)
                mstore(add(p, 0x20), add(0x80, padded))
                mstore(add(p, 0x40), add(0xc0, padded))
                mstore(add(add(p, 0x60), padded), 0) // padding of the key's last word
                mstore(add(p, 0x60), mload(publicKey))
                mcopy(add(p, 0x80), add(publicKey, 0x20), mload(publicKey))
                p := add(add(p, 0x80), padded)
                mstore(p, 0x20)
                mstore(add(p, 0x20), digest)
                padded := and(add(signature.length, 31), not(31))
                mstore(add(add(p, 0x60), padded), 0) // padding of the signature's last word
                mstore(add(p, 0x40), signature.length)
                calldatacopy(add(p, 0x60), signature.offset, signature.length)
                size := sub(add(add(p, 0x60), padded), input)
            }
            // Only the first word is copied back: a huge answer cannot exhaust memory.
            valid := staticcall(MLDSA_VERIFY_GAS, precompile, input, size, 0x00, 0x20)
            valid := and(and(valid, eq(returndatasize(), 0x20)), eq(mload(0x00), 1))
        }
    }

    /// @notice The 4-byte header of a `Lux` batch of `count` ML-DSA-65 signatures: operation, mode,
    /// count (big-endian). Each entry follows as `[public key][message length][signature][message]`.
    function batchInput(uint256 count) internal pure returns (bytes memory input) {
        input = abi.encodePacked(LUX_MLDSA_BATCH_OP, LUX_MLDSA65_MODE, uint16(count));
    }

    /// @notice Runs a `Lux` batch verification of `count` entries.
    /// @return verdicts bit i set when entry i verified; zero for every failure of the call itself
    function mldsaVerifyBatch(address precompile, bytes memory input, uint256 count)
        internal
        view
        returns (uint256 verdicts)
    {
        uint256 gasCap = MLDSA_BATCH_GAS_BASE + MLDSA_BATCH_GAS_PER_SIGNATURE * count;
        bool success;
        uint256 word;
        uint256 size;
        assembly ("memory-safe") {
            success := staticcall(gasCap, precompile, add(input, 0x20), mload(input), 0x00, 0x20)
            size := returndatasize()
            word := mload(0x00)
        }
        // The answer is one byte per entry, 0 or 1, right-aligned in one 32-byte word.
        if (!success || size != 32 || count == 0 || count > MAX_BATCH) return 0;
        for (uint256 i; i < count; ++i) {
            uint256 b = (word >> (8 * (count - 1 - i))) & 0xff;
            if (b > 1) return 0;
            verdicts |= b << i;
        }
        if (word >> (8 * count) != 0) return 0;
    }

    /// @notice Validates an ML-KEM-768 encapsulation key by encapsulating to it through the precompile.
    /// @dev The caller has checked the key length. `Lux`: `[op 0x01][mode][seed][key]` must answer exactly
    /// `ciphertext ‖ shared secret`. `Pip`: `encapsulate(bytes)` must answer the canonical
    /// `(bytes ciphertext, bytes sharedSecret)` with a non-empty ciphertext and a 32-byte secret, so a
    /// truncated or padded answer is not taken for a valid key.
    /// @return valid true only if the precompile accepted the key and returned a well-formed answer
    function mlkemValidate(Profile profile, address precompile, bytes calldata publicKey)
        internal
        view
        returns (bool valid)
    {
        bytes4 selector = IMLKEM.encapsulate.selector;
        assembly ("memory-safe") {
            let input := mload(0x40)
            let length := publicKey.length
            switch profile
            case 0 {
                mstore8(input, LUX_MLKEM_ENCAPSULATE_OP)
                mstore8(add(input, 1), LUX_MLKEM768_MODE)
                mstore(add(input, 2), 0) // the seed
                calldatacopy(add(input, 34), publicKey.offset, length)
                let success := staticcall(MLKEM_ENCAPSULATE_GAS, precompile, input, add(length, 34), 0x00, 0x00)
                valid := and(success, eq(returndatasize(), add(MLKEM768_CIPHERTEXT_BYTES, MLKEM_SHARED_SECRET_BYTES)))
            }
            default {
                let padded := and(add(length, 31), not(31))
                mstore(input, selector)
                mstore(add(input, 4), 0x20)
                mstore(add(input, 0x24), length)
                mstore(add(add(input, 0x24), padded), 0)
                calldatacopy(add(input, 0x44), publicKey.offset, length)
                let success := staticcall(MLKEM_ENCAPSULATE_GAS, precompile, input, add(0x44, padded), input, 0x60)
                let size := returndatasize()
                let head1 := mload(add(input, 0x20))
                let ctLength := mload(add(input, 0x40))
                // Expected: offsets 0x40 and 0x60 + ceil32(ct), ct's length and data, ss's length 32 and data.
                valid := and(and(success, eq(mload(input), 0x40)), and(iszero(iszero(ctLength)), lt(ctLength, size)))
                valid := and(valid, eq(head1, add(0x60, and(add(ctLength, 31), not(31)))))
                valid := and(valid, eq(size, add(head1, 0x40)))
                if valid {
                    returndatacopy(input, head1, 0x20)
                    valid := eq(mload(input), 32)
                }
            }
        }
    }
}
