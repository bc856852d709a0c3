// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {BN254G2} from "../libraries/BN254G2.sol";

/// @title BN254__Harness
/// @notice Test double exposing the BN254 functions that production contracts call, one entry point
/// each. Deployed with `dirty = true`, every entry point first fills the scratch space and the memory
/// past the free memory pointer with junk, so a test can show that no function reads memory it did
/// not write in the same assembly block.
contract BN254__Harness {
    /// @notice Whether entry points dirty memory before calling the library.
    bool public immutable DIRTY;

    /// @param dirty whether entry points dirty memory first
    constructor(bool dirty) {
        DIRTY = dirty;
    }

    /// @dev Junk in the scratch space (0x00-0x3f) and in the 64 words past the free memory pointer,
    /// which stays where it is. Each word has its high bits set (never a reduced field element) and a
    /// distinct low part.
    modifier dirtied() {
        if (DIRTY) {
            assembly ("memory-safe") {
                let junk := shl(128, not(0))
                mstore(0x00, or(junk, 0x5c))
                mstore(0x20, or(junk, 0x5d))
                let m := mload(0x40)
                for { let i := 0 } lt(i, 0x800) { i := add(i, 0x20) } { mstore(add(m, i), or(junk, i)) }
            }
        }
        _;
    }

    // ------------------------------------------------------------------------------------------------
    // Pairing and hash to G1
    // ------------------------------------------------------------------------------------------------

    /// @notice BN254.pairing2NegG2: e(a1, -G2) * e(a2, b2) == 1.
    /// @param a1 G1 point (a signature)
    /// @param a2 G1 point (a hashed message)
    /// @param b2 G2 point (a key)
    /// @return valid the verdict
    function pairing2NegG2(BN254.G1Point calldata a1, BN254.G1Point calldata a2, BN254.G2Point calldata b2)
        external
        view
        dirtied
        returns (bool valid)
    {
        return BN254.pairing2NegG2(a1, a2, b2);
    }

    /// @notice BN254.tryHashToG1.
    /// @param domain the tag
    /// @param message the bytes
    /// @return ok whether a try succeeded
    /// @return h the point
    function tryHashToG1(bytes32 domain, bytes calldata message)
        external
        view
        dirtied
        returns (bool ok, BN254.G1Point memory h)
    {
        return BN254.tryHashToG1(domain, message);
    }

    /// @notice BN254.tryHashToG1WithRoots.
    /// @param domain the tag
    /// @param message the 32-byte message
    /// @param roots one root per try
    /// @return ok whether the roots check out
    /// @return h the point
    function tryHashToG1WithRoots(bytes32 domain, bytes32 message, uint256[] calldata roots)
        external
        view
        dirtied
        returns (bool ok, BN254.G1Point memory h)
    {
        return BN254.tryHashToG1WithRoots(domain, message, roots);
    }

    /// @notice A precompile called on raw input, to tell a precompile failure from a result (a
    /// pairing product that is not 1), and to check the TypeScript G1 helpers against ecAdd and ecMul.
    /// @param precompile the precompile's address
    /// @param input its input
    /// @return success whether the precompile succeeded
    /// @return output its output
    function precompileRaw(address precompile, bytes calldata input)
        external
        view
        returns (bool success, bytes memory output)
    {
        // A failing EIP-196/197 precompile burns all gas it gets: cap it as the library does.
        (success, output) = precompile.staticcall{gas: 1_000_000}(input);
    }

    // ------------------------------------------------------------------------------------------------
    // G2 compression
    // ------------------------------------------------------------------------------------------------

    /// @notice BN254G2.g2CompressCalldata: (0, 0) unless reduced and on the twist.
    /// @param a a point
    /// @return word0 xIm with the flags
    /// @return word1 xRe
    function g2CompressCalldata(BN254.G2Point calldata a) external view dirtied returns (uint256 word0, uint256 word1) {
        return BN254G2.g2CompressCalldata(a);
    }

    /// @notice BN254G2.g2Compress (no checks).
    /// @param a a point
    /// @return word0 xIm with the flags
    /// @return word1 xRe
    function g2Compress(BN254.G2Point calldata a) external view dirtied returns (uint256 word0, uint256 word1) {
        return BN254G2.g2Compress(a);
    }

    /// @notice BN254G2.tryG2Decompress.
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    /// @return ok whether the words encode a twist point
    /// @return a the point
    function tryG2Decompress(uint256 word0, uint256 word1)
        external
        view
        dirtied
        returns (bool ok, BN254.G2Point memory a)
    {
        return BN254G2.tryG2Decompress(word0, word1);
    }

    /// @notice BN254G2.g2Decompress (reverts with G2DecompressionFailed).
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    /// @return a the point
    function g2Decompress(uint256 word0, uint256 word1) external view dirtied returns (BN254.G2Point memory a) {
        return BN254G2.g2Decompress(word0, word1);
    }

    /// @notice BN254G2.fp2Sqrt.
    /// @param re real part
    /// @param im imaginary part
    /// @return ok whether re + im i is a square
    /// @return rootRe real part of the root
    /// @return rootIm imaginary part of the root
    function fp2Sqrt(uint256 re, uint256 im) external view dirtied returns (bool ok, uint256 rootRe, uint256 rootIm) {
        return BN254G2.fp2Sqrt(re, im);
    }

    /// @notice BN254G2.g2Sgn0.
    /// @param re real part
    /// @param im imaginary part
    /// @return sign 0 or 1
    function g2Sgn0(uint256 re, uint256 im) external pure returns (uint256 sign) {
        return BN254G2.g2Sgn0(re, im);
    }

    // ------------------------------------------------------------------------------------------------
    // G2 sums checked without an inversion
    // ------------------------------------------------------------------------------------------------

    /// @notice BN254G2.g2IsDifferenceWithRoots, with the eight calldata words as an array.
    /// @param aWord0 a compressed, word0
    /// @param aWord1 a compressed, word1
    /// @param bWord0 b compressed, word0
    /// @param bWord1 b compressed, word1
    /// @param words y of a (imaginary, real), y of b, and the claimed difference d (4 words)
    /// @return ok the verdict
    /// @return d the difference as the library wrote it out
    function g2IsDifferenceWithRoots(
        uint256 aWord0,
        uint256 aWord1,
        uint256 bWord0,
        uint256 bWord1,
        uint256[8] calldata words
    ) external view dirtied returns (bool ok, BN254.G2Point memory d) {
        uint256 cd;
        assembly ("memory-safe") {
            cd := words
        }
        ok = BN254G2.g2IsDifferenceWithRoots(aWord0, aWord1, bWord0, bWord1, cd, d);
    }

    /// @notice BN254G2.g2IsSum.
    /// @param a a point
    /// @param b a point
    /// @param c the claimed sum
    /// @return yes whether the chord equations hold
    function g2IsSum(BN254.G2Point memory a, BN254.G2Point memory b, BN254.G2Point memory c)
        external
        view
        dirtied
        returns (bool yes)
    {
        return BN254G2.g2IsSum(a, b, c);
    }

    // ------------------------------------------------------------------------------------------------
    // G2 addition
    // ------------------------------------------------------------------------------------------------

    /// @notice BN254G2.g2Add.
    /// @param a a point
    /// @param b a point
    /// @return sum a + b
    function g2Add(BN254.G2Point calldata a, BN254.G2Point calldata b)
        external
        view
        dirtied
        returns (BN254.G2Point memory sum)
    {
        return BN254G2.g2Add(a, b);
    }

    /// @notice Drives the Jacobian accumulator as production does: starts at `start`, adds `plus`
    /// (g2JacobianAddAffine), subtracts `minus` (g2JacobianSubAffine and g2JacobianSubCalldata
    /// alternately), converts to affine once.
    /// @param start the starting point
    /// @param plus points to add
    /// @param minus points to subtract
    /// @return result start + sum(plus) - sum(minus)
    function g2Accumulate(BN254.G2Point calldata start, BN254.G2Point[] calldata plus, BN254.G2Point[] calldata minus)
        external
        view
        dirtied
        returns (BN254.G2Point memory result)
    {
        BN254.G2Jacobian memory acc = BN254G2.g2ToJacobian(start);
        for (uint256 i = 0; i < plus.length; ++i) {
            BN254G2.g2JacobianAddAffine(acc, plus[i]);
        }
        for (uint256 i = 0; i < minus.length; ++i) {
            if (i % 2 == 0) BN254G2.g2JacobianSubAffine(acc, minus[i]);
            else BN254G2.g2JacobianSubCalldata(acc, minus[i]);
        }
        return BN254G2.g2JacobianToAffine(acc);
    }
}
