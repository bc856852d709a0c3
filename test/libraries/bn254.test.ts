import * as fs from "fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import fc from "fast-check";
import { bn254 } from "@noble/curves/bn254.js";
import {
  FIELD_MODULUS as P,
  GROUP_ORDER as R,
  G1_GENERATOR,
  G1_INFINITY,
  G2_GENERATOR,
  G2_INFINITY,
  POP_DOMAIN,
  SIGNATURE_DOMAIN,
  compressG2,
  decodeG1,
  decodeG2,
  encodeG1,
  encodeG2,
  g1Add,
  g1From,
  g1IsOnCurve,
  g1Mul,
  g1Negate,
  g2Add,
  g2From,
  g2Hash,
  g2IsInSubgroup,
  g2IsOnCurve,
  g2Mul,
  g2Negate,
  g2Sub,
  g2ToTuple,
  hashToG1,
  hashToG1Roots,
  signHashed,
  type G1Point,
  type G2Point,
} from "../../src/bls";
import { nonSubgroupTwistPoint } from "../helpers/bls";
import { FORMULAS, TARGETS, generate } from "../../scripts/gen/bn254";

/** Scalars in [1, r): fast-check bigints, kept modest in count since each G2 multiply runs in JS. */
const scalar = fc.bigInt({ min: 1n, max: R - 1n });
const RUNS = { numRuns: 12 };
const ECADD = "0x0000000000000000000000000000000000000006";
const ECMUL = "0x0000000000000000000000000000000000000007";
const PAIRING = "0x0000000000000000000000000000000000000008";

const g1 = (s: bigint) => g1Mul(G1_GENERATOR, s);
const g2 = (s: bigint) => g2Mul(G2_GENERATOR, s);
const words = (p: G2Point) => [p.xIm, p.xRe, p.yIm, p.yRe];

describe("BN254 library", () => {
  async function deployHarness() {
    const harness = await ethers.deployContract("BN254__Harness", [false]);
    const dirty = await ethers.deployContract("BN254__Harness", [true]);
    return { harness, dirty };
  }

  describe("constants, and the precompiles against the TypeScript twin", () => {
    it("has the EIP-196/197 generators and moduli", () => {
      expect(G1_GENERATOR).to.deep.equal({ x: 1n, y: 2n });
      // EIP-197's G2 generator, imaginary part first.
      expect(G2_GENERATOR).to.deep.equal({
        xIm: 11559732032986387107991004021392285783925812861821192530917403151452391805634n,
        xRe: 10857046999023057135944570762232829481370756359578518086990519993285655852781n,
        yIm: 4082367875863433681332203403145435568316851327593401208105741076214120093531n,
        yRe: 8495653923123431417604973247489272438418190587263600148770280649306958101930n,
      });
      expect(P).to.equal(21888242871839275222246405745257275088696311157297823662689037894645226208583n);
      expect(R).to.equal(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
    });

    it("ecAdd and ecMul agree with the TypeScript G1 helpers (2G, r·G = 0, (r − 1)·G = −G, random points)", async () => {
      const { harness } = await loadFixture(deployHarness);
      const ecAdd = async (a: G1Point, b: G1Point) => {
        const [ok, out] = await harness.precompileRaw(ECADD, ethers.concat([encodeG1(a), encodeG1(b)]));
        expect(ok).to.equal(true);
        return decodeG1(out);
      };
      const ecMul = async (a: G1Point, s: bigint) => {
        const [ok, out] = await harness.precompileRaw(ECMUL, ethers.concat([encodeG1(a), ethers.toBeHex(s, 32)]));
        expect(ok).to.equal(true);
        return decodeG1(out);
      };
      const twoG = {
        x: 0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3n,
        y: 0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4n,
      };
      expect(await ecAdd(G1_GENERATOR, G1_GENERATOR)).to.deep.equal(twoG);
      expect(g1(2n)).to.deep.equal(twoG);
      expect(await ecMul(G1_GENERATOR, R)).to.deep.equal(G1_INFINITY);
      expect(await ecMul(G1_GENERATOR, R - 1n)).to.deep.equal(g1Negate(G1_GENERATOR));
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (a, b) => {
          expect(await ecAdd(g1(a), g1(b))).to.deep.equal(g1Add(g1(a), g1(b)));
          expect(await ecMul(g1(a), b)).to.deep.equal(g1Mul(g1(a), b));
          expect(g1IsOnCurve(g1(a))).to.equal(true);
        }),
        { numRuns: 4 },
      );
      const [ok] = await harness.precompileRaw(ECADD, ethers.concat([encodeG1({ x: 1n, y: 3n }), encodeG1(G1_GENERATOR)]));
      expect(ok, "ecAdd accepted a point off the curve").to.equal(false);
    });
  });

  describe("pairing2NegG2", () => {
    it("e(s·H, −G2) · e(H, s·G2) == 1, and not for a wrong key, message or signature", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (s, m) => {
          const H = g1(m);
          const key = g2(s);
          const sig = signHashed(s, H);
          expect(sig).to.deep.equal(g1Mul(H, s));
          expect(await harness.pairing2NegG2(sig, H, key)).to.equal(true);
          expect(await harness.pairing2NegG2(sig, H, g2Add(key, G2_GENERATOR))).to.equal(false);
          expect(await harness.pairing2NegG2(sig, g1Add(H, G1_GENERATOR), key)).to.equal(false);
          expect(await harness.pairing2NegG2(g1Negate(sig), H, key)).to.equal(false);
        }),
        { numRuns: 4 },
      );
    });

    it("fails closed on a malformed input: a failed precompile is false, never true", async () => {
      const { harness } = await loadFixture(deployHarness);
      const bad = { ...G2_GENERATOR, yRe: G2_GENERATOR.yRe + 1n };
      expect(await harness.pairing2NegG2(G1_GENERATOR, G1_GENERATOR, bad)).to.equal(false);
      expect(await harness.pairing2NegG2({ x: 1n, y: 3n }, G1_GENERATOR, G2_GENERATOR)).to.equal(false);
      // e(G, −G2) e(G, G2) = 1 with valid points: the check above failed on the points alone.
      expect(await harness.pairing2NegG2(G1_GENERATOR, G1_GENERATOR, G2_GENERATOR)).to.equal(true);
    });

    it("the precompile itself fails on a twist point outside the order-r subgroup", async () => {
      const { harness } = await loadFixture(deployHarness);
      const T = nonSubgroupTwistPoint(1);
      // On the twist (both implementations agree: it compresses), but not in the subgroup.
      expect(g2IsOnCurve(T)).to.equal(true);
      expect(await harness.g2CompressCalldata(T)).to.deep.equal(Object.values(compressG2(T)));
      expect(g2IsInSubgroup(T)).to.equal(false);
      expect(await harness.pairing2NegG2(G1_GENERATOR, G1_GENERATOR, T)).to.equal(false);
      const input = ethers.concat([encodeG1(G1_GENERATOR), encodeG2(T), encodeG1(g1Negate(G1_GENERATOR)), encodeG2(T)]);
      const [success] = await harness.precompileRaw(PAIRING, input);
      expect(success, "the pairing precompile accepted a non-subgroup G2 point").to.equal(false);
      // The same input with a subgroup point runs and returns 1: the failure above is the subgroup check.
      const good = ethers.concat([
        encodeG1(G1_GENERATOR),
        encodeG2(G2_GENERATOR),
        encodeG1(g1Negate(G1_GENERATOR)),
        encodeG2(G2_GENERATOR),
      ]);
      const [ok, out] = await harness.precompileRaw(PAIRING, good);
      expect(ok).to.equal(true);
      expect(BigInt(out)).to.equal(1n);
    });
  });

  describe("tryHashToG1", () => {
    it("is identical in TypeScript and Solidity for random messages and domains, and lands on the curve", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (msg, domain) => {
          const ts = hashToG1(msg, domain);
          const [ok, h] = await harness.tryHashToG1(domain, msg);
          expect(ok).to.equal(true);
          expect(g1From(h)).to.deep.equal(ts);
          expect(g1IsOnCurve(ts)).to.equal(true);
        }),
        { numRuns: 25 },
      );
    });

    it("separates domains and is deterministic", async () => {
      const { harness } = await loadFixture(deployHarness);
      const msg = ethers.toUtf8Bytes("pars");
      const [, a] = await harness.tryHashToG1(SIGNATURE_DOMAIN, msg);
      const [, b] = await harness.tryHashToG1(POP_DOMAIN, msg);
      expect(g1From(a)).to.not.deep.equal(g1From(b));
      expect(g1From((await harness.tryHashToG1(SIGNATURE_DOMAIN, msg))[1])).to.deep.equal(g1From(a));
      // The empty message hashes too.
      expect(g1From((await harness.tryHashToG1(SIGNATURE_DOMAIN, "0x"))[1])).to.deep.equal(hashToG1("0x"));
    });

    it("uses both square roots (the sign bit comes from the hash)", () => {
      let odd = 0;
      for (let i = 0; i < 64; i++) odd += Number(hashToG1(ethers.toBeArray(i + 1)).y & 1n);
      expect(odd).to.be.within(16, 48);
    });
  });

  describe("G2 addition", () => {
    it("adds exactly as noble does (g2Add), and the accumulator subtracts as noble does", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (a, b) => {
          const A = g2(a);
          const B = g2(b);
          expect(g2From(await harness.g2Add(A, B))).to.deep.equal(g2Add(A, B));
          expect(g2From(await harness.g2Add(A, B))).to.deep.equal(g2((a + b) % R));
          expect(g2From(await harness.g2Accumulate(A, [], [B]))).to.deep.equal(g2Sub(A, B));
          expect(g2From(await harness.g2Accumulate(A, [], [G2_INFINITY, B]))).to.deep.equal(g2Sub(A, B));
        }),
        RUNS,
      );
    });

    it("handles infinity, doubling and cancellation in affine form", async () => {
      const { harness } = await loadFixture(deployHarness);
      const A = g2(987654321n);
      expect(g2From(await harness.g2Add(A, G2_INFINITY))).to.deep.equal(A);
      expect(g2From(await harness.g2Add(G2_INFINITY, A))).to.deep.equal(A);
      expect(g2From(await harness.g2Add(G2_INFINITY, G2_INFINITY))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Add(A, A))).to.deep.equal(g2(2n * 987654321n));
      expect(g2From(await harness.g2Add(A, g2Negate(A)))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Accumulate(A, [], [A]))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Accumulate(G2_INFINITY, [], [A]))).to.deep.equal(g2Negate(A));
    });

    it("keeps a Jacobian accumulator equal to noble's sum over random key lists", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(
          fc.array(scalar, { maxLength: 6 }),
          fc.array(scalar, { maxLength: 6 }),
          fc.option(scalar, { nil: undefined }),
          async (plus, minus, start) => {
            const S = start === undefined ? G2_INFINITY : g2(start);
            const expected = g2(((start ?? 0n) + plus.reduce((s, k) => s + k, 0n) - minus.reduce((s, k) => s + k, 0n)) % R + R);
            const got = await harness.g2Accumulate(S, plus.map(g2), minus.map(g2));
            expect(g2From(got)).to.deep.equal(expected);
          },
        ),
        { numRuns: 10 },
      );
    });

    it("doubles and cancels inside the Jacobian accumulator (Z ≠ 1)", async () => {
      const { harness } = await loadFixture(deployHarness);
      const A = g2(5n);
      const B = g2(9n);
      const AB = g2(14n);
      // acc = A + B (Z ≠ 1), then + (A + B) hits the doubling branch.
      expect(g2From(await harness.g2Accumulate(A, [B, AB], []))).to.deep.equal(g2(28n));
      // acc = A + B, then − (A + B) hits the cancellation branch, from memory and from calldata.
      expect(g2From(await harness.g2Accumulate(A, [B], [AB]))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Accumulate(A, [B], [G2_INFINITY, AB]))).to.deep.equal(G2_INFINITY);
      // Cancelled, then + A restarts from infinity.
      expect(g2From(await harness.g2Accumulate(A, [B, g2Negate(AB), A], []))).to.deep.equal(A);
      // Doubling by subtracting a negation, from calldata.
      expect(g2From(await harness.g2Accumulate(A, [B], [G2_INFINITY, g2Negate(AB)]))).to.deep.equal(g2(28n));
      // Doubling from an affine start, and adding infinity keys, are no-ops where they should be.
      expect(g2From(await harness.g2Accumulate(A, [A, G2_INFINITY], [G2_INFINITY]))).to.deep.equal(g2(10n));
      expect(g2From(await harness.g2Accumulate(G2_INFINITY, [], []))).to.deep.equal(G2_INFINITY);
    });

    it("reduces unreduced words on entry to the accumulator", async () => {
      const { harness } = await loadFixture(deployHarness);
      const A = g2(21n);
      const B = g2(22n);
      const unreduced: G2Point = { ...B, xRe: B.xRe + P };
      expect(g2From(await harness.g2Add(A, unreduced))).to.deep.equal(g2(43n));
      expect(g2From(await harness.g2Add({ ...A, yIm: A.yIm + P }, B))).to.deep.equal(g2(43n));
      expect(g2From(await harness.g2Accumulate(A, [], [{ ...B, yRe: B.yRe + P }]))).to.deep.equal(g2Sub(A, B));
      // It is not a point of the twist as it stands: the check refuses it.
      expect(await harness.g2CompressCalldata(unreduced)).to.deep.equal([0n, 0n]);
    });

    it("encodes keys the same way on both sides", () => {
      const A = g2(31337n);
      expect(g2Hash(A)).to.equal(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [g2ToTuple(A)])));
      expect(decodeG2(encodeG2(A))).to.deep.equal(A);
      const C: G1Point = g1(99n);
      expect(decodeG1(encodeG1(C))).to.deep.equal(C);
    });

    it("agrees with noble on the subgroup test of random twist points", () => {
      for (let i = 2; i < 5; i++) {
        const T = nonSubgroupTwistPoint(i);
        expect(g2IsOnCurve(T)).to.equal(true);
        expect(g2IsInSubgroup(T)).to.equal(false);
        // Clearing the cofactor (2p − r) lands in the subgroup.
        const noble = bn254.G2.Point.fromAffine({ x: { c0: T.xRe, c1: T.xIm }, y: { c0: T.yRe, c1: T.yIm } });
        // noble's multiply takes scalars below r only: double-and-add by hand.
        let cleared = bn254.G2.Point.ZERO;
        for (const bit of (2n * P - R).toString(2)) {
          cleared = cleared.double();
          if (bit === "1") cleared = cleared.add(noble);
        }
        expect(cleared.is0()).to.equal(false);
        expect(cleared.isTorsionFree()).to.equal(true);
      }
    });
  });

  describe("one definition per formula", () => {
    it("inlines its formulas only as generated by scripts/gen/bn254.ts, unchanged since", () => {
      for (const target of TARGETS) {
        const source = fs.readFileSync(target, "utf8");
        const { text, regions } = generate(source);
        expect(text, `${target}: a generated region was edited by hand: run \`npm run gen\``).to.equal(source);
        expect(regions).to.be.greaterThan(0);
        // Outside the generated regions, no Yul function of a formula is written out (Yul parameters
        // are bare names; a Solidity function of the same name has typed ones).
        const outside = source.replace(/\/\/ generated from [^\n]*\n[\s\S]*?\/\/ end generated/g, "");
        for (const name of Object.keys(FORMULAS)) {
          expect(outside).to.not.match(new RegExp(`function ${name}\\((\\w+(, \\w+)*)?\\)`));
        }
      }
    });
  });

  describe("with memory full of junk", () => {
    it("every function production calls returns the same with the scratch space and free memory dirtied", async () => {
      const { harness, dirty } = await loadFixture(deployHarness);
      expect(await harness.DIRTY()).to.equal(false);
      expect(await dirty.DIRTY()).to.equal(true);
      const same = async <T>(call: (h: typeof harness) => Promise<T>): Promise<T> => {
        const clean = await call(harness);
        expect(await call(dirty)).to.deep.equal(clean);
        return clean;
      };
      await fc.assert(
        fc.asyncProperty(scalar, scalar, fc.uint8Array({ maxLength: 64 }), async (a, b, msg) => {
          const [A, B] = [g2(a), g2(b)];
          const [cA, cB] = [compressG2(A), compressG2(B)];
          const D = g2Sub(A, B);
          const digest = ethers.keccak256(msg);
          const H = hashToG1(msg);
          await same((h) => h.pairing2NegG2(signHashed(b, H), H, B));
          await same((h) => h.tryHashToG1(SIGNATURE_DOMAIN, msg));
          await same((h) => h.tryHashToG1WithRoots(SIGNATURE_DOMAIN, digest, hashToG1Roots(digest)));
          await same((h) => h.g2CompressCalldata(A));
          await same((h) => h.g2Compress(A));
          await same((h) => h.tryG2Decompress(cA.word0, cA.word1));
          await same((h) => h.g2Decompress(cB.word0, cB.word1));
          await same((h) => h.fp2Sqrt(A.xRe, A.xIm));
          const yes = await same((h) =>
            h.g2IsDifferenceWithRoots(cA.word0, cA.word1, cB.word0, cB.word1, [A.yIm, A.yRe, B.yIm, B.yRe, ...words(D)]),
          );
          expect(yes).to.deep.equal([true, words(D)]);
          expect(await same((h) => h.g2IsSum(D, B, A))).to.equal(true);
          expect(g2From(await same((h) => h.g2Add(A, B)))).to.deep.equal(g2Add(A, B));
          const acc = await same((h) => h.g2Accumulate(A, [B, A], [B, g2(3n), A]));
          expect(g2From(acc)).to.deep.equal(g2Sub(A, g2(3n)));
        }),
        { numRuns: 4 },
      );
    });
  });
});
