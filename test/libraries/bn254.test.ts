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
  type G1Point,
  type G2Point,
} from "../../src/bls";
import { nonSubgroupTwistPoint } from "../helpers/bls";

/** Scalars in [1, r): fast-check bigints, kept modest in count since each G2 multiply runs in JS. */
const scalar = fc.bigInt({ min: 1n, max: R - 1n });
const RUNS = { numRuns: 12 };

const g1 = (s: bigint) => g1Mul(G1_GENERATOR, s);
const g2 = (s: bigint) => g2Mul(G2_GENERATOR, s);

describe("BN254 library", () => {
  async function deployHarness() {
    const harness = await ethers.deployContract("BLS__Harness");
    return { harness };
  }

  describe("constants and published values", () => {
    it("has the EIP-196/197 generators, and noble agrees", async () => {
      const { harness } = await loadFixture(deployHarness);
      const [a, b] = await harness.generators();
      expect(g1From(a)).to.deep.equal({ x: 1n, y: 2n });
      // EIP-197's G2 generator, imaginary part first.
      expect(g2From(b)).to.deep.equal({
        xIm: 11559732032986387107991004021392285783925812861821192530917403151452391805634n,
        xRe: 10857046999023057135944570762232829481370756359578518086990519993285655852781n,
        yIm: 4082367875863433681332203403145435568316851327593401208105741076214120093531n,
        yRe: 8495653923123431417604973247489272438418190587263600148770280649306958101930n,
      });
      expect(g2From(b)).to.deep.equal(G2_GENERATOR);
      expect(P).to.equal(21888242871839275222246405745257275088696311157297823662689037894645226208583n);
      expect(R).to.equal(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
    });

    it("computes 2G = (0x030644e7…cfd3, 0x15ed738c…a2c4) by ecAdd and ecMul", async () => {
      const { harness } = await loadFixture(deployHarness);
      const twoG = {
        x: 0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3n,
        y: 0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4n,
      };
      expect(g1From(await harness.g1Add(G1_GENERATOR, G1_GENERATOR))).to.deep.equal(twoG);
      expect(g1From(await harness.g1Mul(G1_GENERATOR, 2n))).to.deep.equal(twoG);
      expect(g1(2n)).to.deep.equal(twoG);
    });

    it("has order r: r·G is infinity and (r − 1)·G is −G", async () => {
      const { harness } = await loadFixture(deployHarness);
      expect(g1From(await harness.g1Mul(G1_GENERATOR, R))).to.deep.equal(G1_INFINITY);
      expect(g1From(await harness.g1Mul(G1_GENERATOR, R - 1n))).to.deep.equal({ x: 1n, y: P - 2n });
    });
  });

  describe("G1", () => {
    it("adds, multiplies and negates exactly as noble does", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (a, b) => {
          const A = g1(a);
          const B = g1(b);
          expect(g1From(await harness.g1Add(A, B))).to.deep.equal(g1Add(A, B));
          expect(g1From(await harness.g1Mul(A, b))).to.deep.equal(g1Mul(A, b));
          expect(g1From(await harness.g1Negate(A))).to.deep.equal(g1Negate(A));
          expect(await harness.g1IsOnCurve(A)).to.equal(true);
        }),
        RUNS,
      );
    });

    it("handles infinity: A + 0 = A, A + (−A) = 0, −0 = 0", async () => {
      const { harness } = await loadFixture(deployHarness);
      const A = g1(12345n);
      expect(g1From(await harness.g1Add(A, G1_INFINITY))).to.deep.equal(A);
      expect(g1From(await harness.g1Add(A, g1Negate(A)))).to.deep.equal(G1_INFINITY);
      expect(g1From(await harness.g1Negate(G1_INFINITY))).to.deep.equal(G1_INFINITY);
      expect(await harness.g1IsOnCurve(G1_INFINITY)).to.equal(false);
    });

    it("rejects points off the curve and unreduced coordinates", async () => {
      const { harness } = await loadFixture(deployHarness);
      const off = { x: 1n, y: 3n };
      expect(await harness.g1IsOnCurve(off)).to.equal(false);
      expect(g1IsOnCurve(off)).to.equal(false);
      expect(await harness.g1IsOnCurve({ x: 1n, y: 2n + P })).to.equal(false);
      const [ok] = await harness.tryG1Add(off, G1_GENERATOR);
      expect(ok).to.equal(false);
      await expect(harness.g1Add(off, G1_GENERATOR))
        .to.be.revertedWithCustomError(harness, "G1AddFailed")
        .withArgs(1n, 3n, 1n, 2n);
      await expect(harness.g1Mul(off, 5n)).to.be.revertedWithCustomError(harness, "G1MulFailed").withArgs(1n, 3n, 5n);
    });
  });

  describe("pairing", () => {
    it("e(aG1, bG2) · e(−abG1, G2) == 1, and not for a wrong product", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (a, b) => {
          const ab = (a * b) % R;
          expect(await harness.pairing2(g1(a), g2(b), g1Negate(g1(ab)), G2_GENERATOR)).to.equal(true);
          expect(await harness.pairing2(g1(a), g2(b), g1Negate(g1(ab + 1n)), G2_GENERATOR)).to.equal(false);
        }),
        { numRuns: 4 },
      );
    });

    it("checks lists of any length (empty: true) and rejects mismatched lists", async () => {
      const { harness } = await loadFixture(deployHarness);
      expect(await harness.pairing([], [])).to.equal(true);
      const A = g1(7n);
      const B = g2(11n);
      expect(await harness.pairing([A, g1Negate(g1(77n)), g1(3n), g1Negate(G1_GENERATOR)], [B, G2_GENERATOR, g2(5n), g2(15n)]))
        .to.equal(true);
      expect(await harness.pairing([A], [B])).to.equal(false);
      await expect(harness.pairing([A], []))
        .to.be.revertedWithCustomError(harness, "PairingLengthMismatch")
        .withArgs(1, 0);
    });

    it("fails closed on a malformed input: a failed precompile is false, never true", async () => {
      const { harness } = await loadFixture(deployHarness);
      const bad = { ...G2_GENERATOR, yRe: G2_GENERATOR.yRe + 1n };
      expect(await harness.pairing2(G1_GENERATOR, bad, g1Negate(G1_GENERATOR), bad)).to.equal(false);
      expect(await harness.pairing2({ x: 1n, y: 3n }, G2_GENERATOR, g1Negate(G1_GENERATOR), G2_GENERATOR)).to.equal(false);
    });

    it("the precompile itself fails on a twist point outside the order-r subgroup", async () => {
      const { harness } = await loadFixture(deployHarness);
      const T = nonSubgroupTwistPoint(1);
      // On the twist (both implementations agree), but not in the subgroup.
      expect(g2IsOnCurve(T)).to.equal(true);
      expect(await harness.g2IsOnCurve(T)).to.equal(true);
      expect(g2IsInSubgroup(T)).to.equal(false);
      const input = ethers.concat([encodeG1(G1_GENERATOR), encodeG2(T), encodeG1(g1Negate(G1_GENERATOR)), encodeG2(T)]);
      const [success] = await harness.pairingRaw(input);
      expect(success, "the pairing precompile accepted a non-subgroup G2 point").to.equal(false);
      // The same input with a subgroup point runs and returns 1: the failure above is the subgroup check.
      const good = ethers.concat([
        encodeG1(G1_GENERATOR),
        encodeG2(G2_GENERATOR),
        encodeG1(g1Negate(G1_GENERATOR)),
        encodeG2(G2_GENERATOR),
      ]);
      const [ok, out] = await harness.pairingRaw(good);
      expect(ok).to.equal(true);
      expect(BigInt(out)).to.equal(1n);
    });
  });

  describe("field", () => {
    it("inverts through modexp (and maps 0 to 0)", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 1n, max: P - 1n }), async (a) => {
          const inv = await harness.fpInverse(a);
          expect((inv * a) % P).to.equal(1n);
        }),
        RUNS,
      );
      expect(await harness.fpInverse(0n)).to.equal(0n);
    });
  });

  describe("hash to G1", () => {
    it("is identical in TypeScript and Solidity for random messages and domains, and lands on the curve", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (msg, domain) => {
          const ts = hashToG1(msg, domain);
          expect(g1From(await harness.hashToG1(domain, msg))).to.deep.equal(ts);
          expect(g1IsOnCurve(ts)).to.equal(true);
        }),
        { numRuns: 25 },
      );
    });

    it("separates domains and is deterministic", async () => {
      const { harness } = await loadFixture(deployHarness);
      const msg = ethers.toUtf8Bytes("pars");
      const a = g1From(await harness.hashToG1(SIGNATURE_DOMAIN, msg));
      const b = g1From(await harness.hashToG1(POP_DOMAIN, msg));
      expect(a).to.not.deep.equal(b);
      expect(g1From(await harness.hashToG1(SIGNATURE_DOMAIN, msg))).to.deep.equal(a);
      // The empty message hashes too.
      expect(g1From(await harness.hashToG1(SIGNATURE_DOMAIN, "0x"))).to.deep.equal(hashToG1("0x"));
    });

    it("uses both square roots (the sign bit comes from the hash)", () => {
      let odd = 0;
      for (let i = 0; i < 64; i++) odd += Number(hashToG1(ethers.toBeArray(i + 1)).y & 1n);
      expect(odd).to.be.within(16, 48);
    });
  });

  describe("G2", () => {
    it("adds, subtracts and negates exactly as noble does", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(scalar, scalar, async (a, b) => {
          const A = g2(a);
          const B = g2(b);
          expect(g2From(await harness.g2Add(A, B))).to.deep.equal(g2Add(A, B));
          expect(g2From(await harness.g2Sub(A, B))).to.deep.equal(g2Sub(A, B));
          expect(g2From(await harness.g2Negate(A))).to.deep.equal(g2Negate(A));
          expect(g2From(await harness.g2Add(A, B))).to.deep.equal(g2((a + b) % R));
          expect(await harness.g2IsOnCurve(A)).to.equal(true);
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
      expect(g2From(await harness.g2Sub(A, A))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Add(A, g2Negate(A)))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Sub(G2_INFINITY, A))).to.deep.equal(g2Negate(A));
      expect(g2From(await harness.g2Negate(G2_INFINITY))).to.deep.equal(G2_INFINITY);
      expect(await harness.g2IsOnCurve(G2_INFINITY)).to.equal(false);
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
      // acc = A + B, then − (A + B) hits the cancellation branch; then + A restarts from infinity.
      expect(g2From(await harness.g2Accumulate(A, [B], [AB]))).to.deep.equal(G2_INFINITY);
      expect(g2From(await harness.g2Accumulate(A, [B, g2Negate(AB), A], []))).to.deep.equal(A);
      // Doubling from an affine start, and adding infinity keys, are no-ops where they should be.
      expect(g2From(await harness.g2Accumulate(A, [A, G2_INFINITY], [G2_INFINITY]))).to.deep.equal(g2(10n));
      expect(g2From(await harness.g2Accumulate(G2_INFINITY, [], []))).to.deep.equal(G2_INFINITY);
    });

    it("subtracts many keys with one inversion, returning the base untouched for none", async () => {
      const { harness } = await loadFixture(deployHarness);
      const keys = [3n, 4n, 5n].map(g2);
      const base = g2(100n);
      expect(g2From(await harness.g2SubMany(base, keys))).to.deep.equal(g2(88n));
      expect(g2From(await harness.g2SubMany(base, []))).to.deep.equal(base);
      expect(g2From(await harness.g2SubMany(g2(12n), keys))).to.deep.equal(G2_INFINITY);
    });

    it("reduces unreduced words on entry to the accumulator", async () => {
      const { harness } = await loadFixture(deployHarness);
      const A = g2(21n);
      const B = g2(22n);
      const unreduced: G2Point = { ...B, xRe: B.xRe + P };
      expect(g2From(await harness.g2Add(A, unreduced))).to.deep.equal(g2(43n));
      expect(await harness.g2IsOnCurve(unreduced)).to.equal(false);
    });

    it("rejects points off the twist", async () => {
      const { harness } = await loadFixture(deployHarness);
      const off = { ...G2_GENERATOR, yIm: G2_GENERATOR.yIm ^ 1n };
      expect(await harness.g2IsOnCurve(off)).to.equal(false);
      expect(g2IsOnCurve(off)).to.equal(false);
    });

    it("hashes and encodes keys the same way on both sides", async () => {
      const { harness } = await loadFixture(deployHarness);
      const A = g2(31337n);
      const [fromMemory, fromCalldata] = await harness.g2Hash(A);
      expect(fromMemory).to.equal(g2Hash(A));
      expect(fromCalldata).to.equal(g2Hash(A));
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
});
