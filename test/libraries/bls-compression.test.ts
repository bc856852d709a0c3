import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { bn254 } from "@noble/curves/bn254.js";
import {
  FIELD_MODULUS,
  G2_COMPRESSED_FLAG,
  G2_INFINITY,
  G2_SIGN_FLAG,
  SIGNATURE_DOMAIN,
  aggregatePublicKeys,
  compressG2,
  decompressG2,
  fp2Sqrt,
  g2FromNoble,
  g2IsOnCurve,
  g2Negate,
  g2ToNoble,
  hashToG1,
  hashToG1Roots,
  hashToG1Tries,
  publicKeyOf,
  secretKeyFromSeed,
  sgn0Fp2,
  subtractPublicKeys,
  twistRhs,
  type G2Point,
} from "../../src/bls";
import { nonSubgroupTwistPoint } from "../helpers/bls";
import { itGas } from "../helpers/coverage";

const P = FIELD_MODULUS;
const { Fp2 } = bn254.fields;
const field = fc.bigInt({ min: 0n, max: P - 1n });
const scalar = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => secretKeyFromSeed(b));
const words = (p: G2Point) => [p.xIm, p.xRe, p.yIm, p.yRe];

/** noble's square root, or undefined for a non-square (noble throws). */
function nobleSqrt(re: bigint, im: bigint): { c0: bigint; c1: bigint } | undefined {
  try {
    const r = Fp2.sqrt(Fp2.create({ c0: re, c1: im }));
    return Fp2.eql(Fp2.sqr(r), Fp2.create({ c0: re, c1: im })) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** An x (deterministic from `seed`) for which x³ + b′ is not a square: no point of the twist has it. */
function xWithoutPoint(seed: number): { xIm: bigint; xRe: bigint } {
  for (let i = 0; ; i++) {
    const h = (tag: string) => BigInt(ethers.id(`no point ${seed} ${i} ${tag}`)) % P;
    const x = { xRe: h("re"), xIm: h("im") };
    const rhs = twistRhs(x.xRe, x.xIm);
    if (!nobleSqrt(rhs.re, rhs.im)) return x;
  }
}

describe("BN254 point compression", () => {
  describe("TypeScript twin, against noble", () => {
    it("round-trips random public keys, and a key and its negation differ in the sign bit only", () => {
      fc.assert(
        fc.property(scalar, (sk) => {
          const pk = publicKeyOf(sk);
          const c = compressG2(pk);
          expect(c.word0 & G2_COMPRESSED_FLAG).to.equal(G2_COMPRESSED_FLAG);
          expect(c.word0 & (G2_SIGN_FLAG - 1n)).to.equal(pk.xIm);
          expect(c.word1).to.equal(pk.xRe);
          expect(decompressG2(c)).to.deep.equal(pk);
          const neg = compressG2(g2Negate(pk));
          expect(neg.word0 ^ c.word0).to.equal(G2_SIGN_FLAG);
          expect(neg.word1).to.equal(c.word1);
          // The decompressed point is noble's point.
          expect(g2ToNoble(decompressG2(c)).equals(bn254.G2.Point.BASE.multiply(sk))).to.equal(true);
        }),
        { numRuns: 40 },
      );
    });

    it("round-trips twist points outside the subgroup too (compression is not a subgroup check)", () => {
      for (let seed = 0; seed < 5; seed++) {
        const q = nonSubgroupTwistPoint(seed);
        expect(decompressG2(compressG2(q))).to.deep.equal(q);
      }
      expect(compressG2(G2_INFINITY)).to.deep.equal({ word0: 0n, word1: 0n });
      expect(decompressG2([0n, 0n])).to.deep.equal(G2_INFINITY);
    });

    it("takes square roots in Fp2 exactly when noble does, for random and for real elements", () => {
      const check = (re: bigint, im: bigint) => {
        const ours = fp2Sqrt({ re, im });
        const theirs = nobleSqrt(re, im);
        expect(ours === undefined, `${re} + ${im}i`).to.equal(theirs === undefined);
        if (ours) {
          const r = Fp2.create({ c0: ours.re, c1: ours.im });
          expect(Fp2.eql(Fp2.sqr(r), Fp2.create({ c0: re, c1: im }))).to.equal(true);
          // The same root up to sign.
          expect(Fp2.eql(r, theirs!) || Fp2.eql(Fp2.neg(r), theirs!)).to.equal(true);
        }
      };
      fc.assert(fc.property(field, field, check), { numRuns: 200 });
      fc.assert(fc.property(field, (re) => check(re, 0n)), { numRuns: 50 });
      fc.assert(fc.property(field, (im) => check(0n, im)), { numRuns: 20 });
      // Both branches of the general case: squares of random elements.
      fc.assert(
        fc.property(field, field, (a, b) => {
          const sq = Fp2.sqr(Fp2.create({ c0: a, c1: b }));
          check(sq.c0, sq.c1);
        }),
        { numRuns: 100 },
      );
      for (const re of [0n, 1n, P - 1n, 2n, 3n]) check(re, 0n);
    });

    it("defines the sign as RFC 9380 sgn0: real parity, or imaginary parity when the real part is 0", () => {
      expect(sgn0Fp2(3n, 0n)).to.equal(1);
      expect(sgn0Fp2(2n, 1n)).to.equal(0);
      expect(sgn0Fp2(0n, 1n)).to.equal(1);
      expect(sgn0Fp2(0n, 2n)).to.equal(0);
      fc.assert(
        fc.property(field, field, (re, im) => {
          fc.pre(re !== 0n || im !== 0n);
          expect(sgn0Fp2(re, im) + sgn0Fp2((P - re) % P, (P - im) % P)).to.equal(1);
        }),
      );
    });

    it("refuses malformed encodings, x with no point, and points off the twist", () => {
      const pk = publicKeyOf(12345n);
      const c = compressG2(pk);
      expect(() => decompressG2({ word0: c.word0 & ~G2_COMPRESSED_FLAG, word1: c.word1 })).to.throw("malformed");
      expect(() => decompressG2({ word0: c.word0, word1: c.word1 | (1n << 255n) })).to.throw("malformed");
      expect(() => decompressG2({ word0: G2_COMPRESSED_FLAG | P, word1: c.word1 })).to.throw("malformed");
      const x = xWithoutPoint(1);
      expect(() => decompressG2({ word0: x.xIm | G2_COMPRESSED_FLAG, word1: x.xRe })).to.throw("no point");
      expect(() => compressG2({ ...pk, yRe: pk.yRe ^ 1n })).to.throw("not a reduced point");
      expect(() => compressG2({ ...pk, yIm: pk.yIm + P })).to.throw("not a reduced point");
    });
  });

  describe("Solidity, identical to the TypeScript twin", () => {
    async function deployHarness() {
      return { harness: await ethers.deployContract("BN254__Harness", [false]) };
    }

    it("compresses and decompresses random keys to the same words and points", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, fc.boolean(), async (sk, negate) => {
          const pk = negate ? g2Negate(publicKeyOf(sk)) : publicKeyOf(sk);
          const c = compressG2(pk);
          expect(await harness.g2CompressCalldata(pk)).to.deep.equal([c.word0, c.word1]);
          expect(await harness.g2Compress(pk)).to.deep.equal([c.word0, c.word1]);
          expect(await harness.tryG2Decompress(c.word0, c.word1)).to.deep.equal([true, words(pk)]);
          expect(await harness.g2Decompress(c.word0, c.word1)).to.deep.equal(words(pk));
        }),
        { numRuns: 20 },
      );
      const q = nonSubgroupTwistPoint(3);
      const cq = compressG2(q);
      expect(await harness.tryG2Decompress(cq.word0, cq.word1)).to.deep.equal([true, words(q)]);
      expect(await harness.tryG2Decompress(0n, 0n)).to.deep.equal([true, [0n, 0n, 0n, 0n]]);
    });

    it("returns the very root the TypeScript twin returns, and refuses non-squares", async () => {
      const { harness } = await loadFixture(deployHarness);
      const check = async (re: bigint, im: bigint) => {
        const ours = fp2Sqrt({ re, im });
        const onChain = await harness.fp2Sqrt(re, im);
        expect(onChain).to.deep.equal(ours ? [true, ours.re, ours.im] : [false, 0n, 0n]);
      };
      await fc.assert(fc.asyncProperty(field, field, check), { numRuns: 40 });
      await fc.assert(fc.asyncProperty(field, (re) => check(re, 0n)), { numRuns: 10 });
      await fc.assert(
        fc.asyncProperty(field, field, async (a, b) => {
          const sq = Fp2.sqr(Fp2.create({ c0: a, c1: b }));
          await check(sq.c0, sq.c1);
        }),
        { numRuns: 20 },
      );
      for (const [re, im] of [
        [0n, 0n],
        [1n, 0n],
        [P - 1n, 0n],
        [0n, 1n],
      ]) {
        await check(re, im);
      }
      for (const [re, im] of [
        [3n, 0n],
        [0n, 5n],
        [P - 1n, 1n],
      ]) {
        expect(await harness.g2Sgn0(re, im)).to.equal(BigInt(sgn0Fp2(re, im)));
      }
    });

    itGas("counts the tries of the hash to G1 as the chain pays them (one modexp each)", async () => {
      const { harness } = await loadFixture(deployHarness);
      const withTries = (n: number) => {
        for (let i = 0; ; i++) {
          const m = ethers.toUtf8Bytes(`tries ${i}`);
          if (hashToG1Tries(m) === n) return m;
        }
      };
      const [one, two, three] = [withTries(1), withTries(2), withTries(3)];
      expect(await harness.tryHashToG1(SIGNATURE_DOMAIN, two)).to.deep.equal([true, Object.values(hashToG1(two))]);
      const gas = async (m: Uint8Array) => harness.tryHashToG1.estimateGas(SIGNATURE_DOMAIN, m);
      const [g1, g2, g3] = [await gas(one), await gas(two), await gas(three)];
      for (const step of [g2 - g1, g3 - g2]) expect(Number(step)).to.be.within(1_400, 2_500);
    });

    it("takes a difference of two compressed points from supplied y exactly when both y and the difference are right", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, fc.boolean(), async (s1, s2, negate) => {
          // a is an aggregate, b a key in it (either sign), d = a − b.
          const b = negate ? g2Negate(publicKeyOf(s2)) : publicKeyOf(s2);
          const a = aggregatePublicKeys([publicKeyOf(s1), b]);
          const d = subtractPublicKeys(a, [b]);
          const [ca, cb] = [compressG2(a), compressG2(b)];
          const [na, nb] = [g2Negate(a), g2Negate(b)];
          type Words = { word0: bigint; word1: bigint };
          const check = (wa: Words, wb: Words, ya: bigint[], yb: bigint[], claimed: G2Point) =>
            harness.g2IsDifferenceWithRoots(wa.word0, wa.word1, wb.word0, wb.word1, [...ya, ...yb, ...words(claimed)]);
          const [ya, yb] = [[a.yIm, a.yRe], [b.yIm, b.yRe]];
          expect(await check(ca, cb, ya, yb, d)).to.deep.equal([true, words(d)]);
          const refused: [Words, Words, bigint[], bigint[], G2Point][] = [
            // The other root of either point, a y off the twist, unreduced y.
            [ca, cb, [na.yIm, na.yRe], yb, d],
            [ca, cb, ya, [nb.yIm, nb.yRe], d],
            [ca, cb, [a.yIm, a.yRe ^ 2n], yb, d],
            [ca, cb, ya, [b.yIm + P, b.yRe], d],
            [ca, cb, ya, [b.yIm, b.yRe + P], d],
            // Flags out of place, an unreduced x.
            [{ ...ca, word0: ca.word0 & ~G2_COMPRESSED_FLAG }, cb, ya, yb, d],
            [ca, { ...cb, word0: cb.word0 ^ G2_SIGN_FLAG }, ya, [nb.yIm, nb.yRe], d],
            [ca, { ...cb, word1: cb.word1 | (1n << 255n) }, ya, yb, d],
            [ca, { ...cb, word1: cb.word1 + P }, ya, yb, d],
            // A wrong difference: −d, a + b, d off the twist, d unreduced; a and b swapped.
            [ca, cb, ya, yb, g2Negate(d)],
            [ca, cb, ya, yb, aggregatePublicKeys([a, b])],
            [ca, cb, ya, yb, { ...d, yRe: d.yRe ^ 2n }],
            [ca, cb, ya, yb, { ...d, xRe: d.xRe + P }],
            [cb, ca, yb, ya, d],
            // Infinity has no y.
            [{ word0: 0n, word1: 0n }, cb, [0n, 0n], yb, g2Negate(b)],
          ];
          for (const [wa, wb, y1, y2, claimed] of refused) {
            expect((await check(wa, wb, y1, y2, claimed))[0]).to.equal(false);
          }
        }),
        { numRuns: 8 },
      );
    });

    it("checks c = a + b by the chord rule, and takes nothing else for a difference of two known points", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (s1, s2) => {
          const [a, b] = [publicKeyOf(s1), publicKeyOf(s2)];
          const c = aggregatePublicKeys([a, b]);
          expect(await harness.g2IsSum(a, b, c)).to.equal(true);
          expect(await harness.g2IsSum(b, a, c)).to.equal(true);
          // c - b is the only a with b and c fixed.
          for (const wrong of [c, g2Negate(a), b, aggregatePublicKeys([a, a]), { ...a, yRe: a.yRe ^ 2n }, { ...a, xIm: a.xIm + P }]) {
            expect(await harness.g2IsSum(wrong, b, c)).to.equal(false);
          }
          expect(await harness.g2IsSum(a, b, g2Negate(c))).to.equal(false);
          // a = +-b has no chord: refused, even when the sum is right.
          expect(await harness.g2IsSum(a, a, aggregatePublicKeys([a, a]))).to.equal(false);
        }),
        { numRuns: 10 },
      );
    });

    it("hashes a digest to G1 from supplied roots to the same point, and refuses roots that skip or fake a try", async () => {
      const { harness } = await loadFixture(deployHarness);
      for (let i = 0; i < 12; i++) {
        const m = ethers.id(`roots ${i}`);
        const roots = hashToG1Roots(m);
        expect(roots.length).to.equal(hashToG1Tries(m));
        const h = Object.values(hashToG1(m));
        expect(await harness.tryHashToG1WithRoots(SIGNATURE_DOMAIN, m, roots)).to.deep.equal([true, h]);
        // The other root of the last try gives the same point (the sign is the hash's).
        const other = [...roots.slice(0, -1), P - roots[roots.length - 1]];
        expect(await harness.tryHashToG1WithRoots(SIGNATURE_DOMAIN, m, other)).to.deep.equal([true, h]);
        const refused = [
          [],
          [...roots, roots[roots.length - 1]],
          [...roots.slice(0, -1), roots[roots.length - 1] + P],
          [...roots.slice(0, -1), roots[roots.length - 1] ^ 2n],
          roots.slice(1),
        ];
        if (roots.length > 1) refused.push(roots.slice(0, -1));
        for (const r of refused) {
          expect(await harness.tryHashToG1WithRoots(SIGNATURE_DOMAIN, m, r)).to.deep.equal([false, [0n, 0n]]);
        }
      }
    });

    it("refuses what the TypeScript twin refuses", async () => {
      const { harness } = await loadFixture(deployHarness);
      const pk = publicKeyOf(777n);
      const c = compressG2(pk);
      const x = xWithoutPoint(2);
      const bad: [bigint, bigint][] = [
        [c.word0 & ~G2_COMPRESSED_FLAG, c.word1],
        [c.word0, c.word1 | (1n << 254n)],
        [G2_COMPRESSED_FLAG | P, c.word1],
        [c.word0, P],
        [x.xIm | G2_COMPRESSED_FLAG, x.xRe],
        [x.xIm | G2_COMPRESSED_FLAG | G2_SIGN_FLAG, x.xRe],
      ];
      for (const [w0, w1] of bad) {
        expect(await harness.tryG2Decompress(w0, w1)).to.deep.equal([false, [0n, 0n, 0n, 0n]]);
        await expect(harness.g2Decompress(w0, w1)).to.be.revertedWithCustomError(harness, "G2DecompressionFailed").withArgs(w0, w1);
      }
      // Points that are not reduced twist points compress to (0, 0), as does infinity.
      for (const q of [
        { ...pk, yRe: pk.yRe ^ 2n },
        { ...pk, yIm: pk.yIm + P },
        { ...pk, xRe: pk.xRe + P },
        { ...pk, xIm: pk.xIm + P },
        G2_INFINITY,
      ]) {
        expect(await harness.g2CompressCalldata(q)).to.deep.equal([0n, 0n]);
      }
      // The unchecked encoding of computed points: infinity is (0, 0) there too.
      expect(await harness.g2Compress(G2_INFINITY)).to.deep.equal([0n, 0n]);
      expect(g2IsOnCurve(decompressG2(c))).to.equal(true);
      expect(g2FromNoble(g2ToNoble(pk))).to.deep.equal(pk);
    });
  });
});
