// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BN254
/// @notice Arithmetic on the BN254 (alt_bn128) pairing curve for BLS signatures: G1 through the EIP-196
/// precompiles (0x06 add, 0x07 scalar multiplication), the EIP-197 pairing check (0x08), a
/// domain-separated hash to G1, and G2 addition in Solidity so the registry can keep an aggregate
/// public key up to date and subtract non-signers from it.
///
/// Encodings (identical to the precompiles' input, so points are copied to them without reordering):
/// - Fp elements are uint256 in [0, P). An Fp2 element is a + b*i with i^2 = -1, written (imaginary b,
///   real a), in that order, as EIP-197 does.
/// - G1Point {x, y}: affine, E: y^2 = x^3 + 3 over Fp. The point at infinity is (0, 0) (EIP-196).
/// - G2Point {xIm, xRe, yIm, yRe}: affine, E': y^2 = x^3 + 3/(9 + i) over Fp2, 128 bytes in EIP-197
///   order. The point at infinity is all zeros (EIP-197).
/// - G2Jacobian {xIm, xRe, yIm, yRe, zIm, zRe}: Jacobian coordinates (x = X/Z^2, y = Y/Z^3), used only
///   in memory while summing many keys; Z = 0 is the point at infinity. Values always come from this
///   library (fully reduced), never from a caller.
///
/// Precompile calls forward a fixed gas cap and count anything but a well-formed success as failure:
/// a pairing that fails is `false`, never `true`. A failing EIP-196/197 precompile consumes all gas it
/// was given, so the caps bound what a bad point can burn; they are twice the EIP-1108 prices, so a
/// correct precompile never runs short.
library BN254 {
    // ------------------------------------------------------------------------------------------------
    // Constants
    // ------------------------------------------------------------------------------------------------

    /// @notice The base field modulus p.
    uint256 internal constant P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// @notice The order r of G1 and of the G2 subgroup (the scalar field modulus).
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    /// @dev 2^256 mod p: reduces the 512-bit value h0 * 2^256 + h1 as mulmod(h0, R256, p) + h1.
    uint256 private constant R256 = 0x0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d;
    /// @dev (p + 1) / 4: p = 3 mod 4, so a^((p+1)/4) is a square root of a whenever one exists.
    uint256 private constant SQRT_EXPONENT = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;
    /// @dev p - 2: a^(p-2) = a^-1 for a != 0 (Fermat).
    uint256 private constant INVERSE_EXPONENT = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45;

    /// @dev The twist coefficient b' = 3 / (9 + i), real and imaginary parts.
    uint256 private constant TWIST_B_RE = 0x2b149d40ceb8aaae81be18991be06ac3b5b4c5e559dbefa33267e6dc24a138e5;
    uint256 private constant TWIST_B_IM = 0x009713b03af0fed4cd2cafadeed8fdf4a74fa084e52d1852e4a2bd0685c315d2;

    /// @dev The standard G2 generator (EIP-197), and its negation (only y changes sign).
    uint256 private constant G2_X_IM = 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2;
    uint256 private constant G2_X_RE = 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed;
    uint256 private constant G2_Y_IM = 0x090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b;
    uint256 private constant G2_Y_RE = 0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa;
    uint256 private constant G2_NEG_Y_IM = 0x275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec;
    uint256 private constant G2_NEG_Y_RE = 0x1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d;

    /// @notice Bit 255 of the first word of a compressed G2 point: set for every point (all zeros is
    /// infinity), so a stored key is told from an empty slot by one word.
    uint256 internal constant G2_COMPRESSED_FLAG = 1 << 255;
    /// @notice Bit 254 of the first word of a compressed G2 point: sgn0 of y (see `g2Sgn0`).
    uint256 internal constant G2_SIGN_FLAG = 1 << 254;
    /// @notice The low 254 bits of a word: a reduced Fp element (p < 2^254) without the flag bits.
    uint256 internal constant G2_COORDINATE_MASK = (1 << 254) - 1;

    /// @dev (p - 3) / 4: for a square a != 0, e = a^((p-3)/4) gives both the root a * e and its inverse e.
    uint256 private constant SQRT_INVERSE_EXPONENT = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f51;
    /// @dev (p + 1) / 2 = 1/2 mod p.
    uint256 private constant HALF = 0x183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea4;

    /// @notice Tries of the hash to G1 before it gives up. Each try succeeds with probability ~1/2, so
    /// a message fails with probability ~2^-64; expected work is two tries (one modexp each).
    uint256 internal constant HASH_TO_G1_MAX_TRIES = 64;

    /// @notice Gas forwarded to ecAdd (EIP-1108 price 150).
    uint256 internal constant ECADD_GAS = 300;
    /// @notice Gas forwarded to ecMul (EIP-1108 price 6,000).
    uint256 internal constant ECMUL_GAS = 12_000;
    /// @notice Gas forwarded to the pairing check: base part (EIP-1108 price 45,000).
    uint256 internal constant PAIRING_BASE_GAS = 90_000;
    /// @notice Gas forwarded to the pairing check: per pair (EIP-1108 price 34,000).
    uint256 internal constant PAIRING_PER_PAIR_GAS = 68_000;
    /// @notice Gas forwarded to modexp with 32-byte operands: covers both the EIP-2565 price (~1,350)
    /// and the older EIP-198 price (~13,000), so a chain on either schedule works.
    uint256 internal constant MODEXP_GAS = 15_000;

    /// @dev Precompile addresses (EIP-198, EIP-196, EIP-197), as numbers so assembly can use them.
    uint256 private constant MODEXP = 0x05;
    uint256 private constant ECADD = 0x06;
    uint256 private constant ECMUL = 0x07;
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

    /// @notice The ecAdd precompile rejected its input (a point not on the curve or not reduced).
    error G1AddFailed(uint256 ax, uint256 ay, uint256 bx, uint256 by);
    /// @notice The ecMul precompile rejected its input (a point not on the curve or not reduced).
    error G1MulFailed(uint256 x, uint256 y, uint256 scalar);
    /// @notice The modexp precompile failed (absent, or out of gas).
    error ModExpFailed(uint256 base, uint256 exponent);
    /// @notice No try of the hash to G1 found a curve point (probability ~2^-64), or modexp failed.
    error HashToG1Failed(bytes32 domain, bytes32 seed);
    /// @notice The G1 and G2 lists of a pairing check differ in length.
    error PairingLengthMismatch(uint256 g1Count, uint256 g2Count);
    /// @notice Two words are not the compressed encoding of a twist point: a flag bit out of place, a
    /// coordinate >= p, or an x for which x^3 + b' has no square root in Fp2.
    error G2DecompressionFailed(uint256 word0, uint256 word1);

    // ------------------------------------------------------------------------------------------------
    // Generators and infinity
    // ------------------------------------------------------------------------------------------------

    /// @notice The G1 generator (1, 2).
    /// @return g the generator
    function g1Generator() internal pure returns (G1Point memory g) {
        return G1Point(1, 2);
    }

    /// @notice The G2 generator of EIP-197.
    /// @return g the generator
    function g2Generator() internal pure returns (G2Point memory g) {
        return G2Point(G2_X_IM, G2_X_RE, G2_Y_IM, G2_Y_RE);
    }

    /// @notice The negated G2 generator, the fixed second point of a BLS pairing check.
    /// @return g minus the generator
    function g2NegGenerator() internal pure returns (G2Point memory g) {
        return G2Point(G2_X_IM, G2_X_RE, G2_NEG_Y_IM, G2_NEG_Y_RE);
    }

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

    // ------------------------------------------------------------------------------------------------
    // G1
    // ------------------------------------------------------------------------------------------------

    /// @notice Whether `a` is an affine point of E(Fp) with reduced coordinates. G1 has cofactor 1, so
    /// this is also subgroup membership. The point at infinity is not on the curve: false.
    /// @param a the point
    /// @return onCurve true when x, y < p and y^2 = x^3 + 3
    function g1IsOnCurve(G1Point memory a) internal pure returns (bool onCurve) {
        assembly ("memory-safe") {
            let p := P
            let x := mload(a)
            let y := mload(add(a, 0x20))
            let equal := eq(mulmod(y, y, p), addmod(mulmod(mulmod(x, x, p), x, p), 3, p))
            onCurve := and(and(and(lt(x, p), lt(y, p)), iszero(iszero(or(x, y)))), equal)
        }
    }

    /// @notice -a; the point at infinity is its own negation.
    /// @param a a point
    /// @return n the negation (x, p - y), with y = 0 (only at infinity: E(Fp) has odd order) kept 0
    function g1Negate(G1Point memory a) internal pure returns (G1Point memory n) {
        assembly ("memory-safe") {
            let p := P
            mstore(n, mload(a))
            mstore(add(n, 0x20), mod(sub(p, mod(mload(add(a, 0x20)), p)), p))
        }
    }

    /// @notice a + b through ecAdd, without reverting.
    /// @param a a point (or infinity)
    /// @param b a point (or infinity)
    /// @return ok false if the precompile rejected an input (not on the curve, not reduced)
    /// @return sum the sum when ok
    function tryG1Add(G1Point memory a, G1Point memory b) internal view returns (bool ok, G1Point memory sum) {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mcopy(buf, a, 0x40)
            mcopy(add(buf, 0x40), b, 0x40)
            // The return size is read after the call: Yul evaluates arguments right to left.
            let success := staticcall(ECADD_GAS, ECADD, buf, 0x80, buf, 0x40)
            ok := and(success, eq(returndatasize(), 0x40))
            if ok { mcopy(sum, buf, 0x40) }
        }
    }

    /// @notice a + b through ecAdd.
    /// @param a a point (or infinity)
    /// @param b a point (or infinity)
    /// @return sum the sum
    function g1Add(G1Point memory a, G1Point memory b) internal view returns (G1Point memory sum) {
        bool ok;
        (ok, sum) = tryG1Add(a, b);
        if (!ok) revert G1AddFailed(a.x, a.y, b.x, b.y);
    }

    /// @notice s * a through ecMul, without reverting.
    /// @param a a point (or infinity)
    /// @param s any scalar (the precompile reduces it implicitly: r * a is infinity)
    /// @return ok false if the precompile rejected the point
    /// @return product the product when ok
    function tryG1Mul(G1Point memory a, uint256 s) internal view returns (bool ok, G1Point memory product) {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mcopy(buf, a, 0x40)
            mstore(add(buf, 0x40), s)
            let success := staticcall(ECMUL_GAS, ECMUL, buf, 0x60, buf, 0x40)
            ok := and(success, eq(returndatasize(), 0x40))
            if ok { mcopy(product, buf, 0x40) }
        }
    }

    /// @notice s * a through ecMul.
    /// @param a a point (or infinity)
    /// @param s any scalar
    /// @return product the product
    function g1Mul(G1Point memory a, uint256 s) internal view returns (G1Point memory product) {
        bool ok;
        (ok, product) = tryG1Mul(a, s);
        if (!ok) revert G1MulFailed(a.x, a.y, s);
    }

    // ------------------------------------------------------------------------------------------------
    // Pairing
    // ------------------------------------------------------------------------------------------------

    /// @notice The EIP-197 check e(a1, b1) * e(a2, b2) == 1, the shape of every BLS verification.
    /// @dev False when the product is not 1 and also when the precompile fails: a point off its curve,
    /// a coordinate >= p, or a G2 point outside the order-r subgroup. It never fails open.
    /// @param a1 first G1 point
    /// @param b1 first G2 point
    /// @param a2 second G1 point
    /// @param b2 second G2 point
    /// @return valid true only if the precompile succeeded and returned 1
    function pairing2(G1Point memory a1, G2Point memory b1, G1Point memory a2, G2Point memory b2)
        internal
        view
        returns (bool valid)
    {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mcopy(buf, a1, 0x40)
            mcopy(add(buf, 0x40), b1, 0x80)
            mcopy(add(buf, 0xc0), a2, 0x40)
            mcopy(add(buf, 0x100), b2, 0x80)
            let gasCap := add(PAIRING_BASE_GAS, mul(2, PAIRING_PER_PAIR_GAS))
            let success := staticcall(gasCap, PAIRING, buf, 0x180, buf, 0x20)
            valid := and(and(success, eq(returndatasize(), 0x20)), eq(mload(buf), 1))
        }
    }

    /// @notice `pairing2(a1, g2NegGenerator(), a2, b2)`, the BLS check, with -G2 written straight
    /// into the precompile input.
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

    /// @notice The EIP-197 check prod e(a[i], b[i]) == 1 over any number of pairs (empty: true).
    /// @dev Same failure rule as `pairing2`. Gas forwarded grows with the number of pairs.
    /// @param a the G1 points
    /// @param b the G2 points, as many as `a`
    /// @return valid true only if the precompile succeeded and returned 1
    function pairing(G1Point[] memory a, G2Point[] memory b) internal view returns (bool valid) {
        uint256 n = a.length;
        if (n != b.length) revert PairingLengthMismatch(n, b.length);
        assembly ("memory-safe") {
            let buf := mload(0x40)
            // Arrays of structs hold pointers; each pair is 6 words of precompile input.
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let dst := add(buf, mul(i, 0xc0))
                mcopy(dst, mload(add(a, mul(add(i, 1), 0x20))), 0x40)
                mcopy(add(dst, 0x40), mload(add(b, mul(add(i, 1), 0x20))), 0x80)
            }
            let gasCap := add(PAIRING_BASE_GAS, mul(n, PAIRING_PER_PAIR_GAS))
            let success := staticcall(gasCap, PAIRING, buf, mul(n, 0xc0), buf, 0x20)
            valid := and(and(success, eq(returndatasize(), 0x20)), eq(mload(buf), 1))
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Field helpers
    // ------------------------------------------------------------------------------------------------

    /// @notice base^exponent mod p through the modexp precompile.
    /// @param base any uint256
    /// @param exponent any uint256
    /// @return result base^exponent mod p (0^0 = 1)
    function expModP(uint256 base, uint256 exponent) internal view returns (uint256 result) {
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, 0x20)
            mstore(add(buf, 0x20), 0x20)
            mstore(add(buf, 0x40), 0x20)
            mstore(add(buf, 0x60), base)
            mstore(add(buf, 0x80), exponent)
            mstore(add(buf, 0xa0), P)
            let success := staticcall(MODEXP_GAS, MODEXP, buf, 0xc0, buf, 0x20)
            ok := and(success, eq(returndatasize(), 0x20))
            result := mload(buf)
        }
        if (!ok) revert ModExpFailed(base, exponent);
    }

    /// @notice a^-1 mod p; the inverse of 0 is returned as 0 (callers never invert 0).
    /// @param a the element
    /// @return inverse a^(p-2) mod p
    function fpInverse(uint256 a) internal view returns (uint256 inverse) {
        return expModP(a, INVERSE_EXPONENT);
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
            let p := P
            let buf := mload(0x40)
            mstore(buf, 0x20)
            mstore(add(buf, 0x20), 0x20)
            mstore(add(buf, 0x40), 0x20)
            mstore(add(buf, 0x80), SQRT_EXPONENT)
            mstore(add(buf, 0xa0), p)
            for { let i := 0 } lt(i, HASH_TO_G1_MAX_TRIES) { i := add(i, 1) } {
                // seed || counter hashed in the 64-byte scratch space.
                mstore(0x00, seed)
                mstore(0x20, shl(1, i))
                let h0 := keccak256(0x00, 0x40)
                mstore(0x20, add(shl(1, i), 1))
                let h1 := keccak256(0x00, 0x40)
                let x := addmod(mulmod(h0, R256, p), h1, p)
                let rhs := addmod(mulmod(mulmod(x, x, p), x, p), 3, p)
                mstore(add(buf, 0x60), rhs)
                let success := staticcall(MODEXP_GAS, MODEXP, buf, 0xc0, 0x00, 0x20)
                if iszero(and(success, eq(returndatasize(), 0x20))) { break }
                let y := mload(0x00)
                if eq(mulmod(y, y, p), rhs) {
                    // rhs != 0 (no 2-torsion), so y and p - y are both in (0, p) with opposite parity.
                    if iszero(eq(and(y, 1), shr(255, h0))) { y := sub(p, y) }
                    mstore(h, x)
                    mstore(add(h, 0x20), y)
                    ok := 1
                    break
                }
            }
        }
    }

    /// @notice `tryHashToG1` with the square roots supplied by the caller instead of computed (no
    /// modexp): the same point, or failure.
    /// @dev One root per try, up to and including the successful one. For a try that fails, the root is
    /// w with w^2 = -(x^3 + 3): since -1 is not a square mod p (p = 3 mod 4), that proves x^3 + 3 is
    /// not a square, so the try really fails (x^3 + 3 != 0: G1 has no point of order two). For the
    /// last try it is either root of x^3 + 3, and the sign is chosen as `tryHashToG1` does. So no try
    /// can be skipped and the point is exactly `tryHashToG1(domain, message)`.
    /// @param domain the 32-byte domain tag
    /// @param message the message bytes
    /// @param roots one reduced root per try (`hashToG1Roots` in src/bls.ts computes them)
    /// @return ok false if a root does not check out, a root is unreduced, or there are none or too many
    /// @return h the point when ok
    function tryHashToG1WithRoots(bytes32 domain, bytes memory message, uint256[] calldata roots)
        internal
        pure
        returns (bool ok, G1Point memory h)
    {
        return _hashToG1FromSeedWithRoots(keccak256(abi.encodePacked(domain, message)), roots);
    }

    /// @notice `tryHashToG1WithRoots` for a 32-byte message (a digest), hashed without a copy.
    /// @param domain the 32-byte domain tag
    /// @param message the 32-byte message
    /// @param roots one reduced root per try
    /// @return ok false if a root does not check out, a root is unreduced, or there are none or too many
    /// @return h the point when ok
    function tryHashToG1WithRoots(bytes32 domain, bytes32 message, uint256[] calldata roots)
        internal
        pure
        returns (bool ok, G1Point memory h)
    {
        bytes32 seed;
        assembly ("memory-safe") {
            mstore(0x00, domain)
            mstore(0x20, message)
            seed := keccak256(0x00, 0x40)
        }
        return _hashToG1FromSeedWithRoots(seed, roots);
    }

    /// @dev The tries of `tryHashToG1WithRoots` from the seed keccak256(domain || message).
    function _hashToG1FromSeedWithRoots(bytes32 seed, uint256[] calldata roots)
        private
        pure
        returns (bool ok, G1Point memory h)
    {
        uint256 tries = roots.length;
        if (tries == 0 || tries > HASH_TO_G1_MAX_TRIES) return (false, h);
        assembly ("memory-safe") {
            let p := P
            let last := sub(tries, 1)
            for { let i := 0 } 1 { i := add(i, 1) } {
                mstore(0x00, seed)
                mstore(0x20, shl(1, i))
                let h0 := keccak256(0x00, 0x40)
                mstore(0x20, add(shl(1, i), 1))
                let h1 := keccak256(0x00, 0x40)
                let x := addmod(mulmod(h0, R256, p), h1, p)
                let rhs := addmod(mulmod(mulmod(x, x, p), x, p), 3, p)
                let y := calldataload(add(roots.offset, shl(5, i)))
                if iszero(lt(y, p)) { break }
                let square := mulmod(y, y, p)
                if lt(i, last) {
                    // This try must fail: y is a root of -rhs.
                    if iszero(eq(square, sub(p, rhs))) { break }
                    continue
                }
                if eq(square, rhs) {
                    // As in tryHashToG1: the root whose lowest bit is the top bit of h0.
                    if iszero(eq(and(y, 1), shr(255, h0))) { y := sub(p, y) }
                    mstore(h, x)
                    mstore(add(h, 0x20), y)
                    ok := 1
                }
                break
            }
        }
    }

    /// @notice Maps (domain, message) to a G1 point; see `tryHashToG1` for the construction.
    /// @param domain the 32-byte domain tag
    /// @param message the message bytes
    /// @return h the point (reverts with HashToG1Failed in the ~2^-64 case)
    function hashToG1(bytes32 domain, bytes memory message) internal view returns (G1Point memory h) {
        bool ok;
        (ok, h) = tryHashToG1(domain, message);
        if (!ok) revert HashToG1Failed(domain, keccak256(abi.encodePacked(domain, message)));
    }

    // ------------------------------------------------------------------------------------------------
    // G2: checks, negation, hashing
    // ------------------------------------------------------------------------------------------------
    //
    // Why `p` is passed around instead of writing P: the legacy optimizer replaces a 32-byte constant
    // that occurs more than a few dozen times in a contract by a CODECOPY + MLOAD (cheaper to deploy,
    // ~5x dearer to run). Field arithmetic would hit that in any contract using this library, so the
    // modulus is pushed once per routine and kept on the stack.

    /// @notice Whether `a` is an affine point of the twist E'(Fp2) with reduced coordinates.
    /// @dev This is NOT subgroup membership: the twist has a huge cofactor. Subgroup membership is
    /// checked by the pairing precompile (a proof of possession proves it at registration).
    /// The point at infinity is not on the curve: false.
    /// @param a the point
    /// @return onCurve true when every word < p and y^2 = x^3 + 3/(9 + i)
    function g2IsOnCurve(G2Point memory a) internal pure returns (bool onCurve) {
        assembly ("memory-safe") {
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            let p := P
            let x0 := mload(add(a, 0x20))
            let x1 := mload(a)
            let y0 := mload(add(a, 0x60))
            let y1 := mload(add(a, 0x40))
            let reduced := and(and(lt(x0, p), lt(x1, p)), and(lt(y0, p), lt(y1, p)))
            let infinity := iszero(or(or(x0, x1), or(y0, y1)))
            let l0, l1 := f2sqr(y0, y1, p)
            let r0, r1 := f2sqr(x0, x1, p)
            r0, r1 := f2mul(r0, r1, x0, x1, p)
            let equal := and(eq(l0, addmod(r0, TWIST_B_RE, p)), eq(l1, addmod(r1, TWIST_B_IM, p)))
            onCurve := and(and(reduced, iszero(infinity)), equal)
        }
    }

    /// @notice -a; the point at infinity is its own negation.
    /// @param a the point
    /// @return n (x, -y)
    function g2Negate(G2Point memory a) internal pure returns (G2Point memory n) {
        assembly ("memory-safe") {
            let p := P
            mstore(n, mload(a))
            mstore(add(n, 0x20), mload(add(a, 0x20)))
            // Each word of y separately; mod again so that -0 is 0, not p.
            mstore(add(n, 0x40), mod(sub(p, mod(mload(add(a, 0x40)), p)), p))
            mstore(add(n, 0x60), mod(sub(p, mod(mload(add(a, 0x60)), p)), p))
        }
    }

    /// @notice keccak256 of the 128-byte EIP-197 encoding, abi.encode(a): a key's identity in storage.
    /// @param a the point
    /// @return h the hash
    function g2Hash(G2Point memory a) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(a, 0x80)
        }
    }

    /// @notice Same as `g2Hash` for a point still in calldata (no memory allocation per key).
    /// @param a the point in calldata
    /// @return h the hash
    function g2HashCalldata(G2Point calldata a) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            calldatacopy(buf, a, 0x80)
            h := keccak256(buf, 0x80)
        }
    }

    // ------------------------------------------------------------------------------------------------
    // G2: point compression (node keys in two storage words)
    // ------------------------------------------------------------------------------------------------
    //
    // A compressed G2 point is two words (word0, word1):
    //   word0 = xIm | G2_COMPRESSED_FLAG | sgn0(y) * G2_SIGN_FLAG,   word1 = xRe
    // and infinity is (0, 0). Reduced coordinates are below p < 2^254, so bits 254 and 255 of every
    // word are free: word0 carries the two flags, word1 leaves them zero (a contract may keep its own
    // flags there and mask them off before decompressing). It halves the storage of a key (2 slots,
    // not 4), and y comes back from x by one Fp2 square root (two modexps) only when the full
    // point is needed. Checking a full point against a compressed one needs no square root at
    // all: compress it (which checks that it is on the twist) and compare the two words.

    /// @notice sgn0 of an Fp2 element as RFC 9380 (section 4.1) defines it: the parity of the real part,
    /// or of the imaginary part when the real part is 0.
    /// @dev For y != 0, sgn0(-y) != sgn0(y) (p is odd), and y = 0 never occurs on the twist (its order
    /// r * (2p - r) is odd: no point of order two), so x and this bit determine the point.
    /// @param re the real part, reduced
    /// @param im the imaginary part, reduced
    /// @return sign 0 or 1
    function g2Sgn0(uint256 re, uint256 im) internal pure returns (uint256 sign) {
        assembly ("memory-safe") {
            sign := or(and(re, 1), and(iszero(re), and(im, 1)))
        }
    }

    /// @notice The compressed encoding of a point in calldata, checking it on the way: (0, 0) unless
    /// every word is reduced and the point is on the twist (so (0, 0) also for infinity).
    /// @dev Not a subgroup check (a proof of possession is). A caller that compares the result with
    /// a stored compressed key learns that the calldata point IS the stored point: the same x, a y on
    /// the curve (one of the two roots), and the same sign (the right root).
    /// @param a the point in calldata
    /// @return word0 xIm with the flags, or 0
    /// @return word1 xRe, or 0
    function g2CompressCalldata(G2Point calldata a) internal pure returns (uint256 word0, uint256 word1) {
        assembly ("memory-safe") {
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            let p := P
            let x1 := calldataload(a)
            let x0 := calldataload(add(a, 0x20))
            let y1 := calldataload(add(a, 0x40))
            let y0 := calldataload(add(a, 0x60))
            // Unreduced words are refused before any arithmetic: the Fp2 helpers assume operands < p.
            if and(and(lt(x0, p), lt(x1, p)), and(lt(y0, p), lt(y1, p))) {
                let l0, l1 := f2sqr(y0, y1, p)
                let r0, r1 := f2sqr(x0, x1, p)
                r0, r1 := f2mul(r0, r1, x0, x1, p)
                // Infinity (all zeros) fails the equation: 0 != b'.
                if and(eq(l0, addmod(r0, TWIST_B_RE, p)), eq(l1, addmod(r1, TWIST_B_IM, p))) {
                    let sign := or(and(y0, 1), and(iszero(y0), and(y1, 1)))
                    word0 := or(or(x1, G2_COMPRESSED_FLAG), shl(254, sign))
                    word1 := x0
                }
            }
        }
    }

    /// @notice The compressed encoding of an affine point in memory, without any check (infinity gives
    /// (0, 0)). For points this library computed, which are reduced and on the twist.
    /// @param a the point
    /// @return word0 xIm with the flags
    /// @return word1 xRe
    function g2Compress(G2Point memory a) internal pure returns (uint256 word0, uint256 word1) {
        if (g2IsInfinity(a)) return (0, 0);
        word0 = a.xIm | G2_COMPRESSED_FLAG | (g2Sgn0(a.yRe, a.yIm) << 254);
        word1 = a.xRe;
    }

    /// @notice The point of a compressed encoding, without reverting.
    /// @dev y^2 = x^3 + b' is solved by `fp2Sqrt`; of the two roots, the one whose sgn0 is the sign
    /// bit is taken. (0, 0) is infinity.
    /// @param word0 xIm with the flags
    /// @param word1 xRe (bits 254 and 255 must be zero)
    /// @return ok false for a malformed encoding or an x with no point on the twist
    /// @return a the affine point when ok
    function tryG2Decompress(uint256 word0, uint256 word1) internal view returns (bool ok, G2Point memory a) {
        if (word0 | word1 == 0) return (true, a);
        uint256 p = P;
        uint256 xIm = word0 & G2_COORDINATE_MASK;
        if (word0 & G2_COMPRESSED_FLAG == 0 || xIm >= p || word1 >= p) return (false, a);
        (uint256 rhsRe, uint256 rhsIm) = _twistRhs(word1, xIm);
        uint256 yRe;
        uint256 yIm;
        (ok, yRe, yIm) = fp2Sqrt(rhsRe, rhsIm);
        if (!ok) return (false, a);
        if (g2Sgn0(yRe, yIm) != (word0 >> 254) & 1) {
            yRe = (p - yRe) % p;
            yIm = (p - yIm) % p;
        }
        a.xIm = xIm;
        a.xRe = word1;
        a.yIm = yIm;
        a.yRe = yRe;
    }

    /// @notice The point of a compressed encoding; see `tryG2Decompress`.
    /// @param word0 xIm with the flags
    /// @param word1 xRe
    /// @return a the affine point (reverts with G2DecompressionFailed when there is none)
    function g2Decompress(uint256 word0, uint256 word1) internal view returns (G2Point memory a) {
        bool ok;
        (ok, a) = tryG2Decompress(word0, word1);
        if (!ok) revert G2DecompressionFailed(word0, word1);
    }

    /// @notice The point of a compressed encoding whose y the caller supplies: no square root, only a
    /// check that (x, y) is on the twist and that y is the root the sign bit names.
    /// @dev Equal to `g2Decompress(word0, word1)` whenever ok (y is determined by x and sgn0), so a
    /// caller that holds the compressed words and takes y from calldata gets the exact stored point
    /// for the price of a few multiplications. Infinity (0, 0) is refused: it has no y.
    /// @param word0 xIm with the flags
    /// @param word1 xRe (bits 254 and 255 must be zero)
    /// @param yIm imaginary part of y, reduced
    /// @param yRe real part of y, reduced
    /// @return ok true when the words encode a twist point and y is its y
    /// @return a the affine point when ok
    function g2DecompressWithRoot(uint256 word0, uint256 word1, uint256 yIm, uint256 yRe)
        internal
        pure
        returns (bool ok, G2Point memory a)
    {
        assembly ("memory-safe") {
            let p := P
            {
                // Flags: compressed set and sign = sgn0(y); every coordinate reduced.
                let sign := or(and(yRe, 1), and(iszero(yRe), and(yIm, 1)))
                ok := and(eq(shr(254, word0), or(2, sign)), and(lt(word1, p), and(lt(yIm, p), lt(yRe, p))))
            }
            // From here word0 is xIm.
            word0 := and(word0, G2_COORDINATE_MASK)
            ok := and(ok, lt(word0, p))
            if ok {
                // y^2 == x^3 + b': x^2 by Karatsuba squaring, then times x, as in `_twistRhs`.
                let t := mulmod(add(word1, word0), add(word1, sub(p, word0)), p)
                let u := mulmod(add(word1, word1), word0, p)
                let r1 := mulmod(add(t, u), add(word1, word0), p)
                t := mulmod(t, word1, p)
                u := mulmod(u, word0, p)
                r1 := addmod(addmod(r1, sub(add(p, p), add(t, u)), p), TWIST_B_IM, p)
                t := addmod(addmod(t, sub(p, u), p), TWIST_B_RE, p)
                ok := and(eq(mulmod(add(yRe, yIm), add(yRe, sub(p, yIm)), p), t), eq(mulmod(add(yRe, yRe), yIm, p), r1))
            }
            if ok {
                mstore(a, word0)
                mstore(add(a, 0x20), word1)
                mstore(add(a, 0x40), yIm)
                mstore(add(a, 0x60), yRe)
            }
        }
    }

    /// @notice Whether `d` = a - b, for two compressed points a and b whose y the caller supplies:
    /// `g2DecompressWithRoot` of both, then `g2IsSum(d, b, a)`, without allocating either point.
    /// @dev Reads eight words of calldata at `cd`: y of a (imaginary, real), y of b (the same), and d
    /// (affine, EIP-197 order). True only when both y are right (curve equation, reduced, sign bit) and
    /// the chord rule holds, which makes d exactly a - b (see `g2IsSum`). Writes d to `out` (4 words).
    /// @param aWord0 a compressed, word0 (xIm with the flags)
    /// @param aWord1 a compressed, word1 (xRe)
    /// @param bWord0 b compressed, word0
    /// @param bWord1 b compressed, word1
    /// @param cd calldata offset of the eight words
    /// @param out a G2Point in memory that receives d
    /// @return ok the answer
    function g2IsDifferenceWithRoots(
        uint256 aWord0,
        uint256 aWord1,
        uint256 bWord0,
        uint256 bWord1,
        uint256 cd,
        G2Point memory out
    ) internal pure returns (bool ok) {
        G2Point memory a;
        G2Point memory b;
        assembly ("memory-safe") {
            // The twist equation and the encoded sign for a point at q whose x came from words whose
            // word0 is w0 (flags in bits 254 and 255).
            function onTwist(q, w0, p) -> yes {
                let x1 := mload(q)
                let x0 := mload(add(q, 0x20))
                let y1 := mload(add(q, 0x40))
                let y0 := mload(add(q, 0x60))
                let sign := or(and(y0, 1), and(iszero(y0), and(y1, 1)))
                yes := and(
                    and(eq(shr(254, w0), or(2, sign)), and(lt(x1, p), lt(x0, p))),
                    and(lt(y1, p), lt(y0, p))
                )
                if yes {
                    let t := mulmod(add(x0, x1), add(x0, sub(p, x1)), p)
                    let u := mulmod(add(x0, x0), x1, p)
                    let r1 := mulmod(add(t, u), add(x0, x1), p)
                    t := mulmod(t, x0, p)
                    u := mulmod(u, x1, p)
                    r1 := addmod(addmod(r1, sub(add(p, p), add(t, u)), p), TWIST_B_IM, p)
                    t := addmod(addmod(t, sub(p, u), p), TWIST_B_RE, p)
                    yes := and(eq(mulmod(add(y0, y1), add(y0, sub(p, y1)), p), t), eq(mulmod(add(y0, y0), y1, p), r1))
                }
            }
            let p := P
            mstore(a, and(aWord0, G2_COORDINATE_MASK))
            mstore(add(a, 0x20), aWord1)
            calldatacopy(add(a, 0x40), cd, 0x40)
            mstore(b, and(bWord0, G2_COORDINATE_MASK))
            mstore(add(b, 0x20), bWord1)
            calldatacopy(add(b, 0x40), add(cd, 0x40), 0x40)
            calldatacopy(out, add(cd, 0x80), 0x80)
            ok := and(onTwist(a, aWord0, p), onTwist(b, bWord0, p))
        }
        ok = ok && g2IsSum(out, b, a);
    }

    /// @notice Whether c = a + b for affine points, without an inversion: the chord through a and b
    /// (slope l = u / v, u = yb - ya, v = xb - xa) meets the twist again at -c, checked as
    ///   (xc + xa + xb) * v^2 == u^2   and   (yc + ya) * v == u * (xa - xc).
    /// @dev Sound when any two of the three points are known twist points and the third is only known
    /// to be reduced: the line through the two points of slope l meets the cubic in three points whose
    /// x sum to l^2, and the equations put the third point on that line at the third x, so it is the
    /// third intersection (this holds for tangents too). Checking `c = a + b` with b and c stored
    /// points therefore proves `a = c - b`. Refuses xa == xb (a = +-b, where the chord is undefined)
    /// and any unreduced coordinate.
    /// @param a a point
    /// @param b a point
    /// @param c the claimed sum
    /// @return yes true when the equations hold, xa != xb and every coordinate is reduced
    function g2IsSum(G2Point memory a, G2Point memory b, G2Point memory c) internal pure returns (bool yes) {
        assembly ("memory-safe") {
            let p := P
            yes := 1
            for { let i := 0 } lt(i, 0x80) { i := add(i, 0x20) } {
                yes := and(yes, and(lt(mload(add(a, i)), p), and(lt(mload(add(b, i)), p), lt(mload(add(c, i)), p))))
            }
            // v = xb - xa and u = yb - ya, staged in scratch memory past the free pointer (not kept).
            let m := mload(0x40)
            let v0 := addmod(mload(add(b, 0x20)), sub(p, mload(add(a, 0x20))), p)
            let v1 := addmod(mload(b), sub(p, mload(a)), p)
            // v = 0 means a = +-b: no chord.
            yes := and(yes, iszero(iszero(or(v0, v1))))
            mstore(m, addmod(mload(add(b, 0x60)), sub(p, mload(add(a, 0x60))), p))
            mstore(add(m, 0x20), addmod(mload(add(b, 0x40)), sub(p, mload(add(a, 0x40))), p))
            if yes {
                // (xc + xa + xb) * v^2 == u^2
                let vv0 := mulmod(add(v0, v1), add(v0, sub(p, v1)), p)
                let vv1 := mulmod(add(v0, v0), v1, p)
                let s0 := addmod(addmod(mload(add(c, 0x20)), mload(add(a, 0x20)), p), mload(add(b, 0x20)), p)
                let s1 := addmod(addmod(mload(c), mload(a), p), mload(b), p)
                let u0 := mload(m)
                let u1 := mload(add(m, 0x20))
                yes := and(
                    eq(
                        addmod(mulmod(s0, vv0, p), sub(p, mulmod(s1, vv1, p)), p),
                        mulmod(add(u0, u1), add(u0, sub(p, u1)), p)
                    ),
                    eq(addmod(mulmod(s0, vv1, p), mulmod(s1, vv0, p), p), mulmod(add(u0, u0), u1, p))
                )
            }
            if yes {
                // (yc + ya) * v == u * (xa - xc)
                let l0 := addmod(mload(add(c, 0x60)), mload(add(a, 0x60)), p)
                let l1 := addmod(mload(add(c, 0x40)), mload(add(a, 0x40)), p)
                let d0 := addmod(mload(add(a, 0x20)), sub(p, mload(add(c, 0x20))), p)
                let d1 := addmod(mload(a), sub(p, mload(c)), p)
                let u0 := mload(m)
                let u1 := mload(add(m, 0x20))
                yes := and(
                    eq(
                        addmod(mulmod(l0, v0, p), sub(p, mulmod(l1, v1, p)), p),
                        addmod(mulmod(u0, d0, p), sub(p, mulmod(u1, d1, p)), p)
                    ),
                    eq(
                        addmod(mulmod(l0, v1, p), mulmod(l1, v0, p), p),
                        addmod(mulmod(u0, d1, p), mulmod(u1, d0, p), p)
                    )
                )
            }
        }
    }

    /// @notice A square root of a = re + im * i in Fp2 = Fp[i]/(i^2 + 1), through the modexp precompile.
    /// @dev p = 3 mod 4, so -1 is not a square in Fp, and for any c in Fp the power s = c^((p+1)/4)
    /// satisfies s^2 = c * chi(c) (chi the Legendre symbol): s is a root of c or of -c. The algorithm is
    /// the "complex method" (e.g. Adj and Rodriguez-Henriquez, ePrint 2012/685, alg. 8), arranged so that
    /// it always takes exactly two Fp exponentiations (one when im = 0) and no inversion:
    /// - im = 0: s = re^((p+1)/4). If s^2 = re, s is a root; otherwise s^2 = -re and s * i is one.
    /// - otherwise a is a square in Fp2 if and only if its norm N = re^2 + im^2 is a square in Fp. Let
    ///   l = sqrt(N) and d = (re + l)/2 (d != 0, else l^2 = re^2 and im = 0). Exactly one of d and
    ///   d' = (re - l)/2 is a square, since d * d' = -im^2/4 is not. One power e = d^((p-3)/4) settles
    ///   both cases, with g = d * e, so that g^2 = d * chi(d):
    ///   - g^2 = d: the root is g + im/(2g) * i, and 1/g = e (as d * e^2 = 1), so it is g + (im e/2) i.
    ///     Check: (g + im/(2g) i)^2 = d - im^2/(4d) + im i = re + im i, because 4d^2 - im^2 = 4 re d.
    ///   - g^2 = -d: d' is the square. Now d * e^2 = -1, and the root is (im e/2) + (-d e) i:
    ///     its square is im^2 e^2/4 - d^2 e^2 + (-im d e^2) i = -im^2/(4d) + d + im i = re + im i.
    /// The two roots are this one and its negation; the caller picks one by its sign (`g2Sgn0`).
    /// @param re the real part, reduced
    /// @param im the imaginary part, reduced
    /// @return ok false when a is not a square in Fp2 (then the roots are 0)
    /// @return rootRe real part of a root (the other root is its negation)
    /// @return rootIm imaginary part of that root
    function fp2Sqrt(uint256 re, uint256 im) internal view returns (bool ok, uint256 rootRe, uint256 rootIm) {
        uint256 p = P;
        if (im == 0) {
            uint256 s = expModP(re, SQRT_EXPONENT);
            uint256 square = mulmod(s, s, p);
            if (square == re) return (true, s, 0);
            // Unreachable for reduced input (re or -re is a square); kept so a wrong root is never returned.
            if (square != p - re) return (false, 0, 0);
            return (true, 0, s);
        }
        uint256 norm = addmod(mulmod(re, re, p), mulmod(im, im, p), p);
        uint256 normRoot = expModP(norm, SQRT_EXPONENT);
        if (mulmod(normRoot, normRoot, p) != norm) return (false, 0, 0);
        uint256 d = mulmod(addmod(re, normRoot, p), HALF, p);
        uint256 e = expModP(d, SQRT_INVERSE_EXPONENT);
        uint256 de = mulmod(d, e, p);
        uint256 g2 = mulmod(de, de, p);
        uint256 imHalfE = mulmod(mulmod(im, e, p), HALF, p);
        if (g2 == d) return (true, de, imHalfE);
        // Unreachable when the norm is a square (g^2 is d or -d); kept as above.
        if (g2 != p - d) return (false, 0, 0);
        return (true, imHalfE, p - de);
    }

    /// @dev x^3 + b' for x = xRe + xIm * i, both reduced.
    function _twistRhs(uint256 xRe, uint256 xIm) private pure returns (uint256 re, uint256 im) {
        assembly ("memory-safe") {
            let p := P
            // x^2 (Karatsuba squaring), then x^2 * x, then + b'.
            let s0 := mulmod(add(xRe, xIm), add(xRe, sub(p, xIm)), p)
            let s1 := mulmod(add(xRe, xRe), xIm, p)
            let v0 := mulmod(s0, xRe, p)
            let v1 := mulmod(s1, xIm, p)
            re := addmod(addmod(v0, sub(p, v1), p), TWIST_B_RE, p)
            im := addmod(
                addmod(mulmod(add(s0, s1), add(xRe, xIm), p), sub(add(p, p), add(v0, v1)), p), TWIST_B_IM, p
            )
        }
    }

    // ------------------------------------------------------------------------------------------------
    // G2: affine addition (aggregate key updates on activation and exit)
    // ------------------------------------------------------------------------------------------------

    /// @notice a + b in affine coordinates (one Fp2 inversion). Handles infinity, a + a and a + (-a).
    /// @dev Used when one key joins the stored aggregate. Inputs should be keys that passed a proof
    /// of possession (on the twist, in the subgroup); words are reduced mod p on entry.
    /// The aggregate is best stored affine: 4 slots instead of 6 (two fewer cold reads on every
    /// verification), the pairing takes it as is (no inversion at all with zero non-signers), and
    /// anyone reads it in the standard encoding. The price is one inversion (~2,800 gas) on each
    /// activation or exit, which are rare next to the storage writes they make anyway.
    /// @param a a point (or infinity)
    /// @param b a point (or infinity)
    /// @return sum the affine sum
    function g2Add(G2Point memory a, G2Point memory b) internal view returns (G2Point memory sum) {
        G2Jacobian memory acc = g2ToJacobian(a);
        g2JacobianAddAffine(acc, b);
        return g2JacobianToAffine(acc);
    }

    /// @notice a - b in affine coordinates (one Fp2 inversion); a - a is infinity.
    /// @dev Used when one key leaves the stored aggregate.
    /// @param a a point (or infinity)
    /// @param b a point (or infinity)
    /// @return difference the affine difference
    function g2Sub(G2Point memory a, G2Point memory b) internal view returns (G2Point memory difference) {
        G2Jacobian memory acc = g2ToJacobian(a);
        g2JacobianSubAffine(acc, b);
        return g2JacobianToAffine(acc);
    }

    /// @notice base - sum(keys): the aggregate key of the signers when `keys` are the non-signers.
    /// @dev Mixed Jacobian additions (no inversion per key) and one conversion to affine at the end;
    /// with no keys, `base` is returned unchanged (and no inversion happens at all).
    /// @param base the aggregate key
    /// @param keys the keys to subtract
    /// @return result the affine result (infinity if everything cancels)
    function g2SubMany(G2Point memory base, G2Point[] calldata keys) internal view returns (G2Point memory result) {
        uint256 n = keys.length;
        if (n == 0) return base;
        G2Jacobian memory acc = g2ToJacobian(base);
        for (uint256 i = 0; i < n; ++i) {
            g2JacobianSubCalldata(acc, keys[i]);
        }
        return g2JacobianToAffine(acc);
    }

    // ------------------------------------------------------------------------------------------------
    // G2: Jacobian accumulator (many keys, one inversion)
    // ------------------------------------------------------------------------------------------------

    /// @notice An accumulator holding `a` (Z = 1), or infinity (Z = 0) for the all-zero point.
    /// @param a the affine point; words are reduced mod p
    /// @return j the Jacobian point
    function g2ToJacobian(G2Point memory a) internal pure returns (G2Jacobian memory j) {
        assembly ("memory-safe") {
            let p := P
            let x1 := mod(mload(a), p)
            let x0 := mod(mload(add(a, 0x20)), p)
            let y1 := mod(mload(add(a, 0x40)), p)
            let y0 := mod(mload(add(a, 0x60)), p)
            // The all-zero encoding is infinity; j was allocated zeroed.
            if or(or(mload(a), mload(add(a, 0x20))), or(mload(add(a, 0x40)), mload(add(a, 0x60)))) {
                mstore(j, x1)
                mstore(add(j, 0x20), x0)
                mstore(add(j, 0x40), y1)
                mstore(add(j, 0x60), y0)
                mstore(add(j, 0xa0), 1)
            }
        }
    }

    /// @notice acc += q, in place, for an affine q from memory.
    /// @param acc the accumulator (modified)
    /// @param q the affine point (or infinity)
    function g2JacobianAddAffine(G2Jacobian memory acc, G2Point memory q) internal pure {
        _mixedAddInPlace(acc, _stageMemory(q, false));
    }

    /// @notice acc -= q, in place, for an affine q from memory.
    /// @param acc the accumulator (modified)
    /// @param q the affine point (or infinity)
    function g2JacobianSubAffine(G2Jacobian memory acc, G2Point memory q) internal pure {
        _mixedAddInPlace(acc, _stageMemory(q, true));
    }

    /// @notice acc += q, in place, reading q straight from calldata (no allocation per key).
    /// @param acc the accumulator (modified)
    /// @param q the affine point in calldata (or infinity)
    function g2JacobianAddCalldata(G2Jacobian memory acc, G2Point calldata q) internal pure {
        _mixedAddInPlace(acc, _stageCalldata(q, false));
    }

    /// @notice acc -= q, in place, reading q straight from calldata: the non-signer loop.
    /// @param acc the accumulator (modified)
    /// @param q the affine point in calldata (or infinity)
    function g2JacobianSubCalldata(G2Jacobian memory acc, G2Point calldata q) internal pure {
        _mixedAddInPlace(acc, _stageCalldata(q, true));
    }

    /// @notice The affine point of a Jacobian accumulator: one Fp2 inversion (one modexp).
    /// @param j the accumulator
    /// @return a the affine point; all zeros if j is infinity
    function g2JacobianToAffine(G2Jacobian memory j) internal view returns (G2Point memory a) {
        uint256 zRe = j.zRe;
        uint256 zIm = j.zIm;
        if (zRe | zIm == 0) return a;
        // 1 / (zRe + zIm i) = (zRe - zIm i) / (zRe^2 + zIm^2); the norm is nonzero for Z != 0 because
        // -1 is not a square mod p.
        uint256 p = P;
        uint256 normInverse = fpInverse(addmod(mulmod(zRe, zRe, p), mulmod(zIm, zIm, p), p));
        a = _affineFromInverse(j, mulmod(zRe, normInverse, p), mulmod(p - zIm, normInverse, p));
    }

    /// @notice The affine points of two accumulators for the price of one Fp2 inversion (one modexp):
    /// Montgomery's trick, 1/Zj = Zk/(Zj Zk) and 1/Zk = Zj/(Zj Zk).
    /// @dev Used where a verifier needs two points at once (the new aggregate it stores and the
    /// signers' key it checks). Either at infinity: converted one by one.
    /// @param j an accumulator
    /// @param k another accumulator
    /// @return a the affine point of j
    /// @return b the affine point of k
    function g2JacobianToAffinePair(G2Jacobian memory j, G2Jacobian memory k)
        internal
        view
        returns (G2Point memory a, G2Point memory b)
    {
        if (j.zRe | j.zIm == 0 || k.zRe | k.zIm == 0) return (g2JacobianToAffine(j), g2JacobianToAffine(k));
        uint256 p = P;
        // t = Zj Zk is nonzero (Fp2 is a field); u = 1/t through its norm, as in g2JacobianToAffine.
        (uint256 t0, uint256 t1) = _f2mul(j.zRe, j.zIm, k.zRe, k.zIm);
        uint256 normInverse = fpInverse(addmod(mulmod(t0, t0, p), mulmod(t1, t1, p), p));
        uint256 u0 = mulmod(t0, normInverse, p);
        uint256 u1 = mulmod(p - t1, normInverse, p);
        (t0, t1) = _f2mul(k.zRe, k.zIm, u0, u1);
        a = _affineFromInverse(j, t0, t1);
        (t0, t1) = _f2mul(j.zRe, j.zIm, u0, u1);
        b = _affineFromInverse(k, t0, t1);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev (a0 + a1 i)(b0 + b1 i), reduced inputs and output.
    function _f2mul(uint256 a0, uint256 a1, uint256 b0, uint256 b1) private pure returns (uint256 c0, uint256 c1) {
        assembly ("memory-safe") {
            let p := P
            let v0 := mulmod(a0, b0, p)
            let v1 := mulmod(a1, b1, p)
            c0 := addmod(v0, sub(p, v1), p)
            c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
        }
    }

    /// @dev The affine point of `j` given i = 1/Z (real i0, imaginary i1): x = X i^2, y = Y i^3.
    function _affineFromInverse(G2Jacobian memory j, uint256 i0, uint256 i1) private pure returns (G2Point memory a) {
        assembly ("memory-safe") {
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            let p := P
            // s = Z^-2; x = X s, then i <- Z^-3 and y = Y i.
            let s0, s1 := f2sqr(i0, i1, p)
            i0, i1 := f2mul(s0, s1, i0, i1, p)
            s0, s1 := f2mul(s0, s1, mload(add(j, 0x20)), mload(j), p)
            mstore(add(a, 0x20), s0)
            mstore(a, s1)
            i0, i1 := f2mul(i0, i1, mload(add(j, 0x60)), mload(add(j, 0x40)), p)
            mstore(add(a, 0x60), i0)
            mstore(add(a, 0x40), i1)
        }
    }

    /// @dev Copies q, reduced and optionally negated, to scratch memory past the free memory pointer
    /// (4 words, followed by 4 words the addition uses for temporaries). `_mixedAddInPlace` reads it
    /// before anything else can allocate.
    function _stageMemory(G2Point memory q, bool negate) private pure returns (uint256 scratch) {
        assembly ("memory-safe") {
            let p := P
            scratch := mload(0x40)
            mstore(scratch, mod(mload(q), p))
            mstore(add(scratch, 0x20), mod(mload(add(q, 0x20)), p))
            let yIm := mod(mload(add(q, 0x40)), p)
            let yRe := mod(mload(add(q, 0x60)), p)
            if negate {
                yIm := mod(sub(p, yIm), p)
                yRe := mod(sub(p, yRe), p)
            }
            mstore(add(scratch, 0x40), yIm)
            mstore(add(scratch, 0x60), yRe)
        }
    }

    /// @dev Calldata twin of `_stageMemory`.
    function _stageCalldata(G2Point calldata q, bool negate) private pure returns (uint256 scratch) {
        assembly ("memory-safe") {
            let p := P
            scratch := mload(0x40)
            mstore(scratch, mod(calldataload(q), p))
            mstore(add(scratch, 0x20), mod(calldataload(add(q, 0x20)), p))
            let yIm := mod(calldataload(add(q, 0x40)), p)
            let yRe := mod(calldataload(add(q, 0x60)), p)
            if negate {
                yIm := mod(sub(p, yIm), p)
                yRe := mod(sub(p, yRe), p)
            }
            mstore(add(scratch, 0x40), yIm)
            mstore(add(scratch, 0x60), yRe)
        }
    }

    /// @dev acc += q with acc Jacobian and q affine (both pointers to memory, q reduced, followed by 4
    /// free words). Formulas for a = 0 (Explicit-Formulas Database): mixed addition 8M + 3S, doubling
    /// dbl-2009-l when q == acc, infinity when q == -acc. Every value stays reduced in [0, p). Fp2
    /// words in (real, imaginary) pairs on the stack; memory keeps the imaginary word first. One
    /// assembly block, so that the Fp2 helpers are in scope of both the addition and the doubling.
    // solhint-disable-next-line function-max-lines
    function _mixedAddInPlace(G2Jacobian memory acc, uint256 qPtr) private pure {
        assembly ("memory-safe") {
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                // Karatsuba: operands are < p < 2^254, so sums fit a word unreduced.
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            // In place: X3 = E^2 - 2D, Y3 = E(D - X3) - 8C, Z3 = 2YZ with A = X^2, B = Y^2, C = B^2,
            // D = 2((X + B)^2 - A - C), E = 3A. Y = 0 (order two, absent from the twist) gives Z3 = 0.
            function jacobianDouble(a, p) {
                let x0 := mload(add(a, 0x20))
                let x1 := mload(a)
                let y0 := mload(add(a, 0x60))
                let y1 := mload(add(a, 0x40))
                {
                    let t0, t1 := f2mul(y0, y1, mload(add(a, 0xa0)), mload(add(a, 0x80)), p)
                    mstore(add(a, 0xa0), addmod(t0, t0, p))
                    mstore(add(a, 0x80), addmod(t1, t1, p))
                }
                let e0, e1 := f2sqr(x0, x1, p)
                y0, y1 := f2sqr(y0, y1, p)
                let c0, c1 := f2sqr(y0, y1, p)
                x0 := addmod(x0, y0, p)
                x1 := addmod(x1, y1, p)
                x0, x1 := f2sqr(x0, x1, p)
                x0 := addmod(x0, sub(add(p, p), add(e0, c0)), p)
                x1 := addmod(x1, sub(add(p, p), add(e1, c1)), p)
                x0 := addmod(x0, x0, p)
                x1 := addmod(x1, x1, p)
                e0 := mulmod(e0, 3, p)
                e1 := mulmod(e1, 3, p)
                y0, y1 := f2sqr(e0, e1, p)
                y0 := addmod(y0, sub(add(p, p), add(x0, x0)), p)
                y1 := addmod(y1, sub(add(p, p), add(x1, x1)), p)
                mstore(add(a, 0x20), y0)
                mstore(a, y1)
                x0 := addmod(x0, sub(p, y0), p)
                x1 := addmod(x1, sub(p, y1), p)
                x0, x1 := f2mul(e0, e1, x0, x1, p)
                mstore(add(a, 0x60), addmod(x0, sub(p, mulmod(c0, 8, p)), p))
                mstore(add(a, 0x40), addmod(x1, sub(p, mulmod(c1, 8, p)), p))
            }
            function mixedAdd(a, q, p) {
                // q at infinity: nothing to add.
                if iszero(or(or(mload(q), mload(add(q, 0x20))), or(mload(add(q, 0x40)), mload(add(q, 0x60))))) {
                    leave
                }
                let z0 := mload(add(a, 0xa0))
                let z1 := mload(add(a, 0x80))
                // acc at infinity: the sum is q with Z = 1.
                if iszero(or(z0, z1)) {
                    mcopy(a, q, 0x80)
                    mstore(add(a, 0x80), 0)
                    mstore(add(a, 0xa0), 1)
                    leave
                }
                // R = y_q Z^3 - Y and H = x_q Z^2 - X go to the scratch words after q (q + 0x80: H
                // real, + 0xa0: H imaginary, + 0xc0: R real, + 0xe0: R imaginary), which keeps the
                // stack shallow. Memory operands go last: Yul evaluates arguments right to left.
                {
                    let zz0, zz1 := f2sqr(z0, z1, p)
                    let t0, t1 := f2mul(z0, z1, zz0, zz1, p)
                    t0, t1 := f2mul(t0, t1, mload(add(q, 0x60)), mload(add(q, 0x40)), p)
                    mstore(add(q, 0xc0), addmod(t0, sub(p, mload(add(a, 0x60))), p))
                    mstore(add(q, 0xe0), addmod(t1, sub(p, mload(add(a, 0x40))), p))
                    t0, t1 := f2mul(zz0, zz1, mload(add(q, 0x20)), mload(q), p)
                    mstore(add(q, 0x80), addmod(t0, sub(p, mload(add(a, 0x20))), p))
                    mstore(add(q, 0xa0), addmod(t1, sub(p, mload(a)), p))
                }
                let h0 := mload(add(q, 0x80))
                let h1 := mload(add(q, 0xa0))
                if iszero(or(h0, h1)) {
                    // Same x: the same point (double it) or opposite points (the sum is infinity).
                    switch or(mload(add(q, 0xc0)), mload(add(q, 0xe0)))
                    case 0 { jacobianDouble(a, p) }
                    default {
                        mstore(a, 0)
                        mstore(add(a, 0x20), 0)
                        mstore(add(a, 0x40), 0)
                        mstore(add(a, 0x60), 0)
                        mstore(add(a, 0x80), 0)
                        mstore(add(a, 0xa0), 0)
                    }
                    leave
                }
                // Z3 = Z H
                z0, z1 := f2mul(z0, z1, h0, h1, p)
                mstore(add(a, 0xa0), z0)
                mstore(add(a, 0x80), z1)
                // Registers are reused: z <- H^2, v <- X H^2, z <- H^3, h <- Y H^3.
                z0, z1 := f2sqr(h0, h1, p)
                let v0, v1 := f2mul(z0, z1, mload(add(a, 0x20)), mload(a), p)
                z0, z1 := f2mul(h0, h1, z0, z1, p)
                h0, h1 := f2mul(z0, z1, mload(add(a, 0x60)), mload(add(a, 0x40)), p)
                {
                    // X3 = R^2 - H^3 - 2V, then v <- V - X3
                    let x0, x1 := f2sqr(mload(add(q, 0xc0)), mload(add(q, 0xe0)), p)
                    x0 := addmod(x0, sub(mul(3, p), add(z0, add(v0, v0))), p)
                    x1 := addmod(x1, sub(mul(3, p), add(z1, add(v1, v1))), p)
                    mstore(add(a, 0x20), x0)
                    mstore(a, x1)
                    v0 := addmod(v0, sub(p, x0), p)
                    v1 := addmod(v1, sub(p, x1), p)
                }
                // Y3 = R (V - X3) - Y H^3
                v0, v1 := f2mul(v0, v1, mload(add(q, 0xc0)), mload(add(q, 0xe0)), p)
                mstore(add(a, 0x60), addmod(v0, sub(p, h0), p))
                mstore(add(a, 0x40), addmod(v1, sub(p, h1), p))
            }
            mixedAdd(acc, qPtr, P)
        }
    }
}
