// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @dev The base field modulus p of BN254, at file level so that BN254G2's assembly can name it too
/// (inline assembly reads a constant only when it is a number or names one directly).
uint256 constant BN254_P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;

/// @title BN254
/// @notice The BN254 (alt_bn128) curve for BLS signatures: point types and encodings, the EIP-197
/// pairing check (0x08) in the shape of a BLS verification, a domain-separated hash to G1 (modexp, 0x05,
/// or caller-supplied square roots), and exponentiation mod p. G2 keys (compression, aggregation,
/// checked sums) are in BN254G2.
///
/// Encodings (identical to the precompiles' input, so points are copied to them without reordering):
/// - Fp elements are uint256 in [0, P). An Fp2 element is a + b*i with i^2 = -1, written (imaginary b,
///   real a), in that order, as EIP-197 does.
/// - G1Point {x, y}: affine, E: y^2 = x^3 + 3 over Fp. The point at infinity is (0, 0) (EIP-196).
/// - G2Point {xIm, xRe, yIm, yRe}: affine, E': y^2 = x^3 + 3/(9 + i) over Fp2, 128 bytes in EIP-197
///   order. The point at infinity is all zeros (EIP-197).
/// - G2Jacobian {xIm, xRe, yIm, yRe, zIm, zRe}: Jacobian coordinates (x = X/Z^2, y = Y/Z^3), used only
///   in memory while summing many keys; Z = 0 is the point at infinity. Values always come from
///   BN254G2 (fully reduced), never from a caller.
///
/// One definition per formula: the modexp call and one try of the hash to G1 are Yul functions written
/// once in scripts/gen/bn254.ts and generated into the assembly blocks that use them (`npm run gen`;
/// `npm run lint` and a test fail when a generated block differs from it).
///
/// Precompile calls forward a fixed gas cap and count anything but a well-formed success as failure:
/// a pairing that fails is `false`, never `true`. A failing EIP-197 precompile consumes all gas it was
/// given, so the caps bound what a bad point can burn; they are twice the EIP-1108 prices, so a correct
/// precompile never runs short.
///
/// Why `p` is often held in a local instead of writing P: the legacy optimizer replaces a 32-byte
/// constant that occurs more than a few dozen times in a contract by a CODECOPY + MLOAD (cheaper to
/// deploy, ~5x dearer to run), so the modulus is pushed once per routine and kept on the stack.
library BN254 {
    // ------------------------------------------------------------------------------------------------
    // Constants
    // ------------------------------------------------------------------------------------------------

    /// @notice The base field modulus p.
    uint256 internal constant P = BN254_P;
    /// @notice The order r of G1 and of the G2 subgroup (the scalar field modulus).
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    /// @dev 2^256 mod p: reduces the 512-bit value h0 * 2^256 + h1 as mulmod(h0, R256, p) + h1.
    uint256 private constant R256 = 0x0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d;
    /// @notice (p + 1) / 4: p = 3 mod 4, so a^((p+1)/4) is a square root of a whenever one exists.
    uint256 internal constant SQRT_EXPONENT = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;


    /// @dev The negated G2 generator of EIP-197 (the generator with y negated), the fixed second point
    /// of a BLS pairing check.
    uint256 private constant G2_X_IM = 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2;
    uint256 private constant G2_X_RE = 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed;
    uint256 private constant G2_NEG_Y_IM = 0x275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec;
    uint256 private constant G2_NEG_Y_RE = 0x1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d;


    /// @notice Tries of the hash to G1 before it gives up. Each try succeeds with probability ~1/2, so
    /// a message fails with probability ~2^-64; expected work is two tries (one modexp each).
    uint256 internal constant HASH_TO_G1_MAX_TRIES = 64;

    /// @notice Gas forwarded to the pairing check: base part (EIP-1108 price 45,000).
    uint256 internal constant PAIRING_BASE_GAS = 90_000;
    /// @notice Gas forwarded to the pairing check: per pair (EIP-1108 price 34,000).
    uint256 internal constant PAIRING_PER_PAIR_GAS = 68_000;
    /// @notice Gas forwarded to modexp with 32-byte operands: covers both the EIP-2565 price (~1,350)
    /// and the older EIP-198 price (~13,000), so a chain on either schedule works.
    uint256 internal constant MODEXP_GAS = 15_000;

    /// @dev Precompile addresses (EIP-198, EIP-197), as numbers so assembly can use them.
    uint256 private constant MODEXP = 0x05;
    uint256 private constant PAIRING = 0x08;

    // ------------------------------------------------------------------------------------------------
    // Types and errors
    // ------------------------------------------------------------------------------------------------

    /// @notice An affine G1 point; (0, 0) is the point at infinity.
    struct G1Point {
        uint256 x;
        uint256 y;
    }

    /// @notice An affine G2 point in EIP-197 word order (imaginary part first); all zeros is infinity.
    struct G2Point {
        uint256 xIm;
        uint256 xRe;
        uint256 yIm;
        uint256 yRe;
    }

    /// @notice A G2 point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3), Fp2 words imaginary first.
    /// Z = 0 is the point at infinity. Only values built by this library are valid input.
    struct G2Jacobian {
        uint256 xIm;
        uint256 xRe;
        uint256 yIm;
        uint256 yRe;
        uint256 zIm;
        uint256 zRe;
    }

    /// @notice The modexp precompile failed (absent, or out of gas).
    error ModExpFailed(uint256 base, uint256 exponent);

    // ------------------------------------------------------------------------------------------------
    // Infinity and the pairing check
    // ------------------------------------------------------------------------------------------------

    /// @notice Whether `a` is the G1 point at infinity (0, 0).
    /// @param a the point
    /// @return yes true for (0, 0)
    function g1IsInfinity(G1Point memory a) internal pure returns (bool yes) {
        return a.x | a.y == 0;
    }

    /// @notice Whether `a` is the G2 point at infinity (all words zero).
    /// @param a the point
    /// @return yes true for all zeros
    function g2IsInfinity(G2Point memory a) internal pure returns (bool yes) {
        return a.xIm | a.xRe | a.yIm | a.yRe == 0;
    }

    /// @notice The EIP-197 check e(a1, -G2) * e(a2, b2) == 1, the shape of every BLS verification, with
    /// the negated generator written straight into the precompile input.
    /// @dev False when the product is not 1 and also when the precompile fails: a point off its curve,
    /// a coordinate >= p, or a G2 point outside the order-r subgroup. It never fails open.
    /// @param a1 first G1 point (the signature)
    /// @param a2 second G1 point (the hashed message)
    /// @param b2 second G2 point (the key)
    /// @return valid true only if the precompile succeeded and returned 1
    function pairing2NegG2(G1Point memory a1, G1Point memory a2, G2Point memory b2) internal view returns (bool valid) {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mcopy(buf, a1, 0x40)
            mstore(add(buf, 0x40), G2_X_IM)
            mstore(add(buf, 0x60), G2_X_RE)
            mstore(add(buf, 0x80), G2_NEG_Y_IM)
            mstore(add(buf, 0xa0), G2_NEG_Y_RE)
            mcopy(add(buf, 0xc0), a2, 0x40)
            mcopy(add(buf, 0x100), b2, 0x80)
            let gasCap := add(PAIRING_BASE_GAS, mul(2, PAIRING_PER_PAIR_GAS))
            let success := staticcall(gasCap, PAIRING, buf, 0x180, buf, 0x20)
            valid := and(and(success, eq(returndatasize(), 0x20)), eq(mload(buf), 1))
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Hash to G1
    // ------------------------------------------------------------------------------------------------

    /// @notice Maps (domain, message) to a G1 point, deterministically and in bounded gas, without
    /// reverting.
    /// @dev Try-and-increment with keccak256, mirrored exactly by `hashToG1` in src/bls.ts:
    ///   seed = keccak256(domain || message)
    ///   for i in 0 .. HASH_TO_G1_MAX_TRIES - 1:
    ///     h0 = keccak256(seed || uint256(2i)),  h1 = keccak256(seed || uint256(2i + 1))
    ///     x  = (h0 * 2^256 + h1) mod p            (512 bits reduced: bias ~2^-258)
    ///     y  = (x^3 + 3)^((p+1)/4) mod p          (a square root, if x^3 + 3 is a square)
    ///     if y^2 == x^3 + 3: take the root whose lowest bit equals the top bit of h0; return (x, y)
    /// Each try is one modexp (~1,350 gas) and succeeds with probability ~1/2; the top bit of h0 is
    /// independent of x up to 2^-258, so the point is close to uniform on E(Fp). Cofactor 1: every
    /// curve point is in G1, and the result is never infinity.
    /// @param domain a 32-byte domain tag that separates uses (signatures, proofs of possession)
    /// @param message the message bytes
    /// @return ok false if no try succeeded (~2^-64) or modexp failed
    /// @return h the point
    function tryHashToG1(bytes32 domain, bytes memory message) internal view returns (bool ok, G1Point memory h) {
        bytes32 seed = keccak256(abi.encodePacked(domain, message));
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: expModP hashTry rootOfParity
            function expModP(b, e) -> s, r {
                // b^e mod p through the modexp precompile (0^0 = 1), its input in the six words past the free
                // memory pointer; s is false when the precompile fails.
                let buf := mload(0x40)
                mstore(buf, 0x20)
                mstore(add(buf, 0x20), 0x20)
                mstore(add(buf, 0x40), 0x20)
                mstore(add(buf, 0x60), b)
                mstore(add(buf, 0x80), e)
                mstore(add(buf, 0xa0), P)
                // The return size is read after the call: Yul evaluates arguments right to left.
                s := staticcall(MODEXP_GAS, MODEXP, buf, 0xc0, buf, 0x20)
                s := and(s, eq(returndatasize(), 0x20))
                r := mload(buf)
            }
            function hashTry(sd, i, p) -> x, rhs, parity {
                // Try i of the hash to G1 from the seed sd: h0 = keccak256(sd || 2i) and h1 = keccak256(sd || 2i + 1),
                // hashed in the scratch space; x = (h0 * 2^256 + h1) mod p, rhs = x^3 + 3, and the parity of the
                // root to take, the top bit of h0.
                mstore(0x00, sd)
                mstore(0x20, shl(1, i))
                let h0 := keccak256(0x00, 0x40)
                mstore(0x20, add(shl(1, i), 1))
                x := addmod(mulmod(h0, R256, p), keccak256(0x00, 0x40), p)
                rhs := addmod(mulmod(mulmod(x, x, p), x, p), 3, p)
                parity := shr(255, h0)
            }
            function rootOfParity(y, parity, p) -> r {
                // y or p - y, whichever has the given lowest bit (y in (0, p): x^3 + 3 != 0 on G1).
                r := y
                if iszero(eq(and(y, 1), parity)) { r := sub(p, y) }
            }
            // end generated
            let p := P
            for { let i := 0 } lt(i, HASH_TO_G1_MAX_TRIES) { i := add(i, 1) } {
                let x, rhs, parity := hashTry(seed, i, p)
                let success, y := expModP(rhs, SQRT_EXPONENT)
                if iszero(success) { break }
                if eq(mulmod(y, y, p), rhs) {
                    mstore(h, x)
                    mstore(add(h, 0x20), rootOfParity(y, parity, p))
                    ok := 1
                    break
                }
            }
        }
    }

    /// @notice `tryHashToG1` for a 32-byte message (a digest) with the square roots supplied by the
    /// caller instead of computed (no modexp): the same point, or failure.
    /// @dev One root per try, up to and including the successful one. For a try that fails, the root is
    /// w with w^2 = -(x^3 + 3): since -1 is not a square mod p (p = 3 mod 4), that proves x^3 + 3 is
    /// not a square, so the try really fails (x^3 + 3 != 0: G1 has no point of order two). For the
    /// last try it is either root of x^3 + 3, and the sign is chosen as `tryHashToG1` does. So no try
    /// can be skipped and the point is exactly `tryHashToG1(domain, abi.encodePacked(message))`.
    /// @param domain the 32-byte domain tag
    /// @param message the 32-byte message
    /// @param roots one reduced root per try (`hashToG1Roots` in src/bls.ts computes them)
    /// @return ok false if a root does not check out, a root is unreduced, or there are none or too many
    /// @return h the point when ok
    function tryHashToG1WithRoots(bytes32 domain, bytes32 message, uint256[] calldata roots)
        internal
        pure
        returns (bool ok, G1Point memory h)
    {
        uint256 tries = roots.length;
        if (tries == 0 || tries > HASH_TO_G1_MAX_TRIES) return (false, h);
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: hashTry rootOfParity
            function hashTry(sd, i, p) -> x, rhs, parity {
                // Try i of the hash to G1 from the seed sd: h0 = keccak256(sd || 2i) and h1 = keccak256(sd || 2i + 1),
                // hashed in the scratch space; x = (h0 * 2^256 + h1) mod p, rhs = x^3 + 3, and the parity of the
                // root to take, the top bit of h0.
                mstore(0x00, sd)
                mstore(0x20, shl(1, i))
                let h0 := keccak256(0x00, 0x40)
                mstore(0x20, add(shl(1, i), 1))
                x := addmod(mulmod(h0, R256, p), keccak256(0x00, 0x40), p)
                rhs := addmod(mulmod(mulmod(x, x, p), x, p), 3, p)
                parity := shr(255, h0)
            }
            function rootOfParity(y, parity, p) -> r {
                // y or p - y, whichever has the given lowest bit (y in (0, p): x^3 + 3 != 0 on G1).
                r := y
                if iszero(eq(and(y, 1), parity)) { r := sub(p, y) }
            }
            // end generated
            let p := P
            mstore(0x00, domain)
            mstore(0x20, message)
            let seed := keccak256(0x00, 0x40)
            let last := sub(tries, 1)
            for { let i := 0 } 1 { i := add(i, 1) } {
                let x, rhs, parity := hashTry(seed, i, p)
                let y := calldataload(add(roots.offset, shl(5, i)))
                if iszero(lt(y, p)) { break }
                let square := mulmod(y, y, p)
                if lt(i, last) {
                    // This try must fail: y is a root of -rhs.
                    if iszero(eq(square, sub(p, rhs))) { break }
                    continue
                }
                if eq(square, rhs) {
                    mstore(h, x)
                    mstore(add(h, 0x20), rootOfParity(y, parity, p))
                    ok := 1
                }
                break
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Field arithmetic
    // ------------------------------------------------------------------------------------------------

    /// @notice base^exponent mod p through the modexp precompile (0^0 = 1).
    /// @dev Reverts with ModExpFailed when the precompile fails (absent, or out of gas).
    /// @param base any uint256
    /// @param exponent any uint256
    /// @return result base^exponent mod p
    function expModP(uint256 base, uint256 exponent) internal view returns (uint256 result) {
        bool ok;
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: expModP
            function expModP(b, e) -> s, r {
                // b^e mod p through the modexp precompile (0^0 = 1), its input in the six words past the free
                // memory pointer; s is false when the precompile fails.
                let buf := mload(0x40)
                mstore(buf, 0x20)
                mstore(add(buf, 0x20), 0x20)
                mstore(add(buf, 0x40), 0x20)
                mstore(add(buf, 0x60), b)
                mstore(add(buf, 0x80), e)
                mstore(add(buf, 0xa0), P)
                // The return size is read after the call: Yul evaluates arguments right to left.
                s := staticcall(MODEXP_GAS, MODEXP, buf, 0xc0, buf, 0x20)
                s := and(s, eq(returndatasize(), 0x20))
                r := mload(buf)
            }
            // end generated
            ok, result := expModP(base, exponent)
        }
        if (!ok) revert ModExpFailed(base, exponent);
    }
}
