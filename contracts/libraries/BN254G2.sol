// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254, BN254_P} from "./BN254.sol";

/// @title BN254G2
/// @notice G2 keys on BN254 for BLS aggregates: the compressed encoding of a key in two words (checked
/// on the twist, and decompressed by an Fp2 square root), the chord rule that checks a claimed sum
/// without an inversion, and G2 addition in Solidity with a Jacobian accumulator, so that a contract can
/// keep an aggregate public key and subtract non-signers from it. Types and encodings are BN254's.
///
/// One definition per formula: Fp2 multiplication and squaring, x^3 + b', sgn0, the encoding of a key
/// and the checked compression are Yul functions written once, in scripts/gen/bn254.ts, and generated
/// into the assembly blocks that use them (`npm run gen`; `npm run lint` and a test fail when a block
/// differs). Solidity reaches each through one private or internal function (`_twistRhs`, `g2Sgn0`,
/// `_compress`); the blocks that inline the Fp2 products themselves are those whose calls would cost
/// gas a DESIGN §11 target cannot spare: the mixed addition (once per key of the non-signer loop), the
/// curve check, the chord rule and the conversion to affine (registration, exit and deregistration).
library BN254G2 {
    /// @dev The base field modulus p (BN254.P).
    uint256 private constant P = BN254_P;
    /// @dev (p - 3) / 4: for a square a != 0, e = a^((p-3)/4) gives both the root a * e and its inverse e.
    uint256 private constant SQRT_INVERSE_EXPONENT = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f51;
    /// @dev p - 2: a^(p-2) = a^-1 for a != 0 (Fermat).
    uint256 private constant INVERSE_EXPONENT = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45;
    /// @dev (p + 1) / 2 = 1/2 mod p.
    uint256 private constant HALF = 0x183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea4;

    /// @dev The twist coefficient b' = 3 / (9 + i), real and imaginary parts.
    uint256 private constant TWIST_B_RE = 0x2b149d40ceb8aaae81be18991be06ac3b5b4c5e559dbefa33267e6dc24a138e5;
    uint256 private constant TWIST_B_IM = 0x009713b03af0fed4cd2cafadeed8fdf4a74fa084e52d1852e4a2bd0685c315d2;

    /// @notice Bit 255 of the first word of a compressed G2 point: set for every point (all zeros is
    /// infinity), so a stored key is told from an empty slot by one word.
    uint256 internal constant G2_COMPRESSED_FLAG = 1 << 255;
    /// @notice Bit 254 of the first word of a compressed G2 point: sgn0 of y (see `g2Sgn0`).
    uint256 internal constant G2_SIGN_FLAG = 1 << 254;
    /// @notice The low 254 bits of a word: a reduced Fp element (p < 2^254) without the flag bits.
    uint256 internal constant G2_COORDINATE_MASK = (1 << 254) - 1;

    /// @notice Two words are not the compressed encoding of a twist point: a flag bit out of place, a
    /// coordinate >= p, or an x for which x^3 + b' has no square root in Fp2.
    error G2DecompressionFailed(uint256 word0, uint256 word1);

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
            // generated from scripts/gen/bn254.ts: sgn0
            function sgn0(a0, a1) -> s {
                // RFC 9380 sgn0 of a0 + a1 i: the parity of a0, or of a1 when a0 = 0.
                s := or(and(a0, 1), and(iszero(a0), and(a1, 1)))
            }
            // end generated
            sign := sgn0(re, im)
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
    function g2CompressCalldata(BN254.G2Point calldata a) internal pure returns (uint256 word0, uint256 word1) {
        return _compress(a.xIm, a.xRe, a.yIm, a.yRe);
    }

    /// @notice The compressed encoding of an affine point in memory, without any check (infinity gives
    /// (0, 0)). For points this library computed, which are reduced and on the twist.
    /// @dev Unchecked because every aggregate update ends here: the check would cost ~700 gas each time.
    /// @param a the point
    /// @return word0 xIm with the flags
    /// @return word1 xRe
    function g2Compress(BN254.G2Point memory a) internal pure returns (uint256 word0, uint256 word1) {
        if (BN254.g2IsInfinity(a)) return (0, 0);
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: sgn0 encode
            function sgn0(a0, a1) -> s {
                // RFC 9380 sgn0 of a0 + a1 i: the parity of a0, or of a1 when a0 = 0.
                s := or(and(a0, 1), and(iszero(a0), and(a1, 1)))
            }
            function encode(x1, x0, y1, y0) -> w0, w1 {
                // The two words of a point that is not infinity: xIm with the flags, xRe (needs sgn0).
                w0 := or(or(x1, G2_COMPRESSED_FLAG), shl(254, sgn0(y0, y1)))
                w1 := x0
            }
            // end generated
            word0, word1 := encode(mload(a), mload(add(a, 0x20)), mload(add(a, 0x40)), mload(add(a, 0x60)))
        }
    }

    /// @notice The point of a compressed encoding, without reverting.
    /// @dev y^2 = x^3 + b' is solved by `fp2Sqrt`; of the two roots, the one whose sgn0 is the sign
    /// bit is taken. (0, 0) is infinity.
    /// @param word0 xIm with the flags
    /// @param word1 xRe (bits 254 and 255 must be zero)
    /// @return ok false for a malformed encoding or an x with no point on the twist
    /// @return a the affine point when ok
    function tryG2Decompress(uint256 word0, uint256 word1) internal view returns (bool ok, BN254.G2Point memory a) {
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
    function g2Decompress(uint256 word0, uint256 word1) internal view returns (BN254.G2Point memory a) {
        bool ok;
        (ok, a) = tryG2Decompress(word0, word1);
        if (!ok) revert G2DecompressionFailed(word0, word1);
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
            uint256 s = BN254.expModP(re, BN254.SQRT_EXPONENT);
            uint256 square = mulmod(s, s, p);
            if (square == re) return (true, s, 0);
            // Unreachable for reduced input (re or -re is a square); kept so a wrong root is never returned.
            if (square != p - re) return (false, 0, 0);
            return (true, 0, s);
        }
        uint256 norm = _f2norm(re, im);
        uint256 normRoot = BN254.expModP(norm, BN254.SQRT_EXPONENT);
        if (mulmod(normRoot, normRoot, p) != norm) return (false, 0, 0);
        uint256 d = mulmod(addmod(re, normRoot, p), HALF, p);
        uint256 e = BN254.expModP(d, SQRT_INVERSE_EXPONENT);
        uint256 de = mulmod(d, e, p);
        uint256 g2 = mulmod(de, de, p);
        uint256 imHalfE = mulmod(mulmod(im, e, p), HALF, p);
        if (g2 == d) return (true, de, imHalfE);
        // Unreachable when the norm is a square (g^2 is d or -d); kept as above.
        if (g2 != p - d) return (false, 0, 0);
        return (true, imHalfE, p - de);
    }

    /// @dev The compressed encoding of (x, y): (0, 0) unless every word is reduced and y^2 = x^3 + b'.
    /// Runs once per non-signer and per key stored, so its Fp2 arithmetic is inlined (generated).
    function _compress(uint256 xIm, uint256 xRe, uint256 yIm, uint256 yRe)
        private
        pure
        returns (uint256 word0, uint256 word1)
    {
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: f2mul f2sqr twistRhs sgn0 encode compress
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                // (a0 + a1 i)(b0 + b1 i), Karatsuba: c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                // (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i.
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            function twistRhs(x0, x1, p) -> r0, r1 {
                // x^3 + b' for x = x0 + x1 i (needs f2mul, f2sqr).
                r0, r1 := f2sqr(x0, x1, p)
                r0, r1 := f2mul(r0, r1, x0, x1, p)
                r0 := addmod(r0, TWIST_B_RE, p)
                r1 := addmod(r1, TWIST_B_IM, p)
            }
            function sgn0(a0, a1) -> s {
                // RFC 9380 sgn0 of a0 + a1 i: the parity of a0, or of a1 when a0 = 0.
                s := or(and(a0, 1), and(iszero(a0), and(a1, 1)))
            }
            function encode(x1, x0, y1, y0) -> w0, w1 {
                // The two words of a point that is not infinity: xIm with the flags, xRe (needs sgn0).
                w0 := or(or(x1, G2_COMPRESSED_FLAG), shl(254, sgn0(y0, y1)))
                w1 := x0
            }
            function compress(x1, x0, y1, y0, p) -> w0, w1 {
                // The encoding of (x, y) when every word is reduced and y^2 = x^3 + b', else (0, 0); infinity
                // fails the equation (0 != b'). Unreduced words are refused before any arithmetic, which assumes
                // operands < p (needs f2sqr, twistRhs, encode).
                if and(and(lt(x0, p), lt(x1, p)), and(lt(y0, p), lt(y1, p))) {
                    let l0, l1 := f2sqr(y0, y1, p)
                    let r0, r1 := twistRhs(x0, x1, p)
                    if and(eq(l0, r0), eq(l1, r1)) { w0, w1 := encode(x1, x0, y1, y0) }
                }
            }
            // end generated
            word0, word1 := compress(xIm, xRe, yIm, yRe, P)
        }
    }

    // ------------------------------------------------------------------------------------------------
    // G2: sums checked without an inversion (deregistration hints)
    // ------------------------------------------------------------------------------------------------

    /// @notice Whether `d` = a - b, for two compressed points a and b whose y the caller supplies: each
    /// (x, y) must compress to exactly its words (on the twist, reduced, the sign bit naming y), then
    /// `g2IsSum(d, b, a)`.
    /// @dev Reads eight words of calldata at `cd`: y of a (imaginary, real), y of b (the same), and d
    /// (affine, EIP-197 order). True only when both y are right and the chord rule holds, which makes d
    /// exactly a - b (see `g2IsSum`). Infinity (0, 0) has no y and is refused. Writes d to `out`.
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
        BN254.G2Point memory out
    ) internal pure returns (bool ok) {
        BN254.G2Point memory a = _withRoot(aWord0, aWord1, cd);
        BN254.G2Point memory b = _withRoot(bWord0, bWord1, cd + 0x40);
        assembly ("memory-safe") {
            calldatacopy(out, add(cd, 0x80), 0x80)
        }
        return _isCompressedAs(a, aWord0, aWord1) && _isCompressedAs(b, bWord0, bWord1) && g2IsSum(out, b, a);
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
    // solhint-disable-next-line function-max-lines
    function g2IsSum(BN254.G2Point memory a, BN254.G2Point memory b, BN254.G2Point memory c)
        internal
        pure
        returns (bool yes)
    {
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: f2mul f2sqr
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                // (a0 + a1 i)(b0 + b1 i), Karatsuba: c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                // (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i.
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            // end generated
            // (xc + xa + xb) * v^2 == u^2, with v and u at m (real, imaginary, real, imaginary)
            function chordX(m, ma, mb, mc, p) -> ok {
                let l0, l1 := f2sqr(mload(m), mload(add(m, 0x20)), p)
                let s0 := addmod(addmod(mload(add(mc, 0x20)), mload(add(ma, 0x20)), p), mload(add(mb, 0x20)), p)
                let s1 := addmod(addmod(mload(mc), mload(ma), p), mload(mb), p)
                l0, l1 := f2mul(l0, l1, s0, s1, p)
                let r0, r1 := f2sqr(mload(add(m, 0x40)), mload(add(m, 0x60)), p)
                ok := and(eq(l0, r0), eq(l1, r1))
            }
            // (yc + ya) * v == u * (xa - xc)
            function chordY(m, ma, mc, p) -> ok {
                let t0 := addmod(mload(add(mc, 0x60)), mload(add(ma, 0x60)), p)
                let t1 := addmod(mload(add(mc, 0x40)), mload(add(ma, 0x40)), p)
                let l0, l1 := f2mul(mload(m), mload(add(m, 0x20)), t0, t1, p)
                t0 := addmod(mload(add(ma, 0x20)), sub(p, mload(add(mc, 0x20))), p)
                t1 := addmod(mload(ma), sub(p, mload(mc)), p)
                let r0, r1 := f2mul(mload(add(m, 0x40)), mload(add(m, 0x60)), t0, t1, p)
                ok := and(eq(l0, r0), eq(l1, r1))
            }
            let p := P
            yes := 1
            for { let i := 0 } lt(i, 0x80) { i := add(i, 0x20) } {
                yes := and(yes, and(lt(mload(add(a, i)), p), and(lt(mload(add(b, i)), p), lt(mload(add(c, i)), p))))
            }
            // v = xb - xa and u = yb - ya in four words of scratch past the free memory pointer.
            let m := mload(0x40)
            mstore(m, addmod(mload(add(b, 0x20)), sub(p, mload(add(a, 0x20))), p))
            mstore(add(m, 0x20), addmod(mload(b), sub(p, mload(a)), p))
            mstore(add(m, 0x40), addmod(mload(add(b, 0x60)), sub(p, mload(add(a, 0x60))), p))
            mstore(add(m, 0x60), addmod(mload(add(b, 0x40)), sub(p, mload(add(a, 0x40))), p))
            // v = 0 means a = +-b: no chord.
            yes := and(yes, iszero(iszero(or(mload(m), mload(add(m, 0x20))))))
            if yes { yes := and(chordX(m, a, b, c, p), chordY(m, a, c, p)) }
        }
    }

    /// @dev The point with x from compressed words (flags cleared) and y from two calldata words at `cd`.
    function _withRoot(uint256 word0, uint256 word1, uint256 cd) private pure returns (BN254.G2Point memory q) {
        q.xIm = word0 & G2_COORDINATE_MASK;
        q.xRe = word1;
        assembly ("memory-safe") {
            calldatacopy(add(q, 0x40), cd, 0x40)
        }
    }

    /// @dev Whether `q` is a reduced twist point whose encoding is exactly (word0, word1), not infinity.
    function _isCompressedAs(BN254.G2Point memory q, uint256 word0, uint256 word1) private pure returns (bool) {
        (uint256 c0, uint256 c1) = _compress(q.xIm, q.xRe, q.yIm, q.yRe);
        return c0 != 0 && c0 == word0 && c1 == word1;
    }

    // ------------------------------------------------------------------------------------------------
    // G2: addition (aggregate key updates, non-signers)
    // ------------------------------------------------------------------------------------------------

    /// @notice a + b in affine coordinates (one Fp2 inversion). Handles infinity, a + a and a + (-a).
    /// @dev Used when one key joins the stored aggregate. Inputs should be keys that passed a proof
    /// of possession (on the twist, in the subgroup); words are reduced mod p on entry.
    /// The price is one inversion (~2,800 gas) on each activation or exit, which are rare next to the
    /// storage writes they make anyway.
    /// @param a a point (or infinity)
    /// @param b a point (or infinity)
    /// @return sum the affine sum
    function g2Add(BN254.G2Point memory a, BN254.G2Point memory b) internal view returns (BN254.G2Point memory sum) {
        BN254.G2Jacobian memory acc = g2ToJacobian(a);
        g2JacobianAddAffine(acc, b);
        return g2JacobianToAffine(acc);
    }

    /// @notice An accumulator holding `a` (Z = 1), or infinity (Z = 0) for the all-zero point.
    /// @param a the affine point; words are reduced mod p
    /// @return j the Jacobian point
    function g2ToJacobian(BN254.G2Point memory a) internal pure returns (BN254.G2Jacobian memory j) {
        // The all-zero encoding is infinity; j was allocated zeroed.
        if (BN254.g2IsInfinity(a)) return j;
        uint256 p = P;
        j.xIm = a.xIm % p;
        j.xRe = a.xRe % p;
        j.yIm = a.yIm % p;
        j.yRe = a.yRe % p;
        j.zRe = 1;
    }

    /// @notice acc += q, in place, for an affine q from memory.
    /// @param acc the accumulator (modified)
    /// @param q the affine point (or infinity)
    function g2JacobianAddAffine(BN254.G2Jacobian memory acc, BN254.G2Point memory q) internal pure {
        _mixedAddInPlace(acc, q.xIm, q.xRe, q.yIm, q.yRe, false);
    }

    /// @notice acc -= q, in place, for an affine q from memory.
    /// @param acc the accumulator (modified)
    /// @param q the affine point (or infinity)
    function g2JacobianSubAffine(BN254.G2Jacobian memory acc, BN254.G2Point memory q) internal pure {
        _mixedAddInPlace(acc, q.xIm, q.xRe, q.yIm, q.yRe, true);
    }

    /// @notice acc -= q, in place, reading q straight from calldata (no allocation per key): the
    /// non-signer loop.
    /// @param acc the accumulator (modified)
    /// @param q the affine point in calldata (or infinity)
    function g2JacobianSubCalldata(BN254.G2Jacobian memory acc, BN254.G2Point calldata q) internal pure {
        _mixedAddInPlace(acc, q.xIm, q.xRe, q.yIm, q.yRe, true);
    }

    /// @notice The affine point of a Jacobian accumulator: one Fp2 inversion (one modexp).
    /// @param j the accumulator
    /// @return a the affine point; all zeros if j is infinity
    function g2JacobianToAffine(BN254.G2Jacobian memory j) internal view returns (BN254.G2Point memory a) {
        if (j.zRe | j.zIm == 0) return a;
        // i = 1/Z = conj(Z) / N(Z); the norm is nonzero for Z != 0 because -1 is not a square mod p.
        uint256 normInverse = BN254.expModP(_f2norm(j.zRe, j.zIm), INVERSE_EXPONENT);
        uint256 i0 = mulmod(j.zRe, normInverse, P);
        uint256 i1 = mulmod(P - j.zIm, normInverse, P);
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: f2mul f2sqr
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                // (a0 + a1 i)(b0 + b1 i), Karatsuba: c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                // (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i.
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            // end generated
            let p := P
            // x = X i^2, then i <- i^3 and y = Y i. Runs once per key added or removed and once per
            // attestation with non-signers: the Fp2 products are inlined (generated).
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

    // ------------------------------------------------------------------------------------------------
    // Fp2 arithmetic
    // ------------------------------------------------------------------------------------------------

    /// @dev re^2 + im^2, the norm of re + im i.
    function _f2norm(uint256 re, uint256 im) private pure returns (uint256) {
        return addmod(mulmod(re, re, P), mulmod(im, im, P), P);
    }

    /// @dev x^3 + b' for x = xRe + xIm * i, both reduced.
    function _twistRhs(uint256 xRe, uint256 xIm) private pure returns (uint256 re, uint256 im) {
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: f2mul f2sqr twistRhs
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                // (a0 + a1 i)(b0 + b1 i), Karatsuba: c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                // (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i.
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            function twistRhs(x0, x1, p) -> r0, r1 {
                // x^3 + b' for x = x0 + x1 i (needs f2mul, f2sqr).
                r0, r1 := f2sqr(x0, x1, p)
                r0, r1 := f2mul(r0, r1, x0, x1, p)
                r0 := addmod(r0, TWIST_B_RE, p)
                r1 := addmod(r1, TWIST_B_IM, p)
            }
            // end generated
            re, im := twistRhs(xRe, xIm, P)
        }
    }

    /// @dev acc += q with acc Jacobian and q affine (q's words reduced here, y negated when `negate`).
    /// Formulas for a = 0 (Explicit-Formulas Database): mixed addition 8M + 3S, doubling dbl-2009-l
    /// when q == acc, infinity when q == -acc. Every value stays reduced in [0, p). Fp2 words in (real,
    /// imaginary) pairs on the stack; memory keeps the imaginary word first.
    /// This runs once per key in the non-signer loop, so Fp2 multiplication and squaring are inlined
    /// (generated). q and the four words of temporaries after it live in scratch memory past the free
    /// memory pointer, written and read only inside this one assembly block.
    // solhint-disable-next-line function-max-lines
    function _mixedAddInPlace(
        BN254.G2Jacobian memory acc,
        uint256 xIm,
        uint256 xRe,
        uint256 yIm,
        uint256 yRe,
        bool negate
    ) private pure {
        assembly ("memory-safe") {
            // generated from scripts/gen/bn254.ts: f2mul f2sqr
            function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
                // (a0 + a1 i)(b0 + b1 i), Karatsuba: c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
                let v0 := mulmod(a0, b0, p)
                let v1 := mulmod(a1, b1, p)
                c0 := addmod(v0, sub(p, v1), p)
                c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
            }
            function f2sqr(a0, a1, p) -> c0, c1 {
                // (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i.
                c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
                c1 := mulmod(add(a0, a0), a1, p)
            }
            // end generated
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
            let p := P
            // q, reduced and optionally negated (mod again so that -0 is 0, not p), then 4 words of
            // temporaries: 8 words of scratch past the free memory pointer, never allocated.
            let q := mload(0x40)
            mstore(q, mod(xIm, p))
            mstore(add(q, 0x20), mod(xRe, p))
            yIm := mod(yIm, p)
            yRe := mod(yRe, p)
            if negate {
                yIm := mod(sub(p, yIm), p)
                yRe := mod(sub(p, yRe), p)
            }
            mstore(add(q, 0x40), yIm)
            mstore(add(q, 0x60), yRe)
            mixedAdd(acc, q, p)
        }
    }
}
