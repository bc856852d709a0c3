/**
 * BLS signatures on BN254 exactly as contracts/libraries/BLS.sol, BN254.sol and BN254G2.sol verify them:
 * public keys in G2, signatures in G1, hash to G1 by keccak try-and-increment with the same domain
 * tags, one pairing check e(sig, -G2) · e(H(m), pk) == 1.
 *
 * Point encodings (the Solidity ABI tuples; pass these objects straight to ethers):
 * - G1Point `{ x, y }`: affine over Fp; `(0, 0)` is the point at infinity (EIP-196).
 * - G2Point `{ xIm, xRe, yIm, yRe }`: affine over Fp2 = Fp[i]/(i² + 1), each coordinate written
 *   imaginary part first, as EIP-197 orders the precompile input; all zeros is infinity.
 *   noble's Fp2 `{ c0, c1 }` is `{ real, imaginary }`: `xRe = x.c0`, `xIm = x.c1`.
 * - Bytes: G1 = 64 bytes `x ‖ y`, G2 = 128 bytes `xIm ‖ xRe ‖ yIm ‖ yRe` (= abi.encode of the struct).
 *
 * BLS is not post-quantum; it is used only where a PQ alternative would cost one ML-DSA check per
 * signer (BLS network attestations).
 */
import { bn254 } from "@noble/curves/bn254.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { expand, extract } from "@noble/hashes/hkdf.js";
import { getBytes, hexlify, keccak256, toUtf8Bytes, type BytesLike } from "ethers";

// ---------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------

/** Affine G1 point, the Solidity `BN254.G1Point`. */
export interface G1Point {
  x: bigint;
  y: bigint;
}

/** Affine G2 point in EIP-197 word order, the Solidity `BN254.G2Point`. */
export interface G2Point {
  xIm: bigint;
  xRe: bigint;
  yIm: bigint;
  yRe: bigint;
}

/** A BLS secret key: a scalar in [1, r). */
export type SecretKey = bigint;

export interface BLSKeyPair {
  secretKey: SecretKey;
  publicKey: G2Point;
}

/** Flat ABI tuples, `[x, y]` and `[xIm, xRe, yIm, yRe]`. */
export type G1Tuple = [bigint, bigint];
export type G2Tuple = [bigint, bigint, bigint, bigint];

/** Anything ethers hands back for a struct (a Result is both an array and named). */
export type G1Like = G1Point | G1Tuple | ArrayLike<bigint | number | string> | { x: unknown; y: unknown };
export type G2Like = G2Point | G2Tuple | ArrayLike<bigint | number | string>;

type NobleG1 = InstanceType<typeof bn254.G1.Point>;
type NobleG2 = InstanceType<typeof bn254.G2.Point>;

// ---------------------------------------------------------------------------------------------------
// Constants (identical to BN254.sol / BLS.sol)
// ---------------------------------------------------------------------------------------------------

/** Base field modulus p. */
export const FIELD_MODULUS: bigint = bn254.fields.Fp.ORDER;
/** Order r of G1 and of the G2 subgroup. */
export const GROUP_ORDER: bigint = bn254.fields.Fr.ORDER;

/** ASCII tags whose keccak256 are the 32-byte domains. */
export const SIGNATURE_DOMAIN_TAG = "PARS-BLS-BN254-G1-KECCAK-TAI-V1:SIGNATURE";
export const POP_DOMAIN_TAG = "PARS-BLS-BN254-G1-KECCAK-TAI-V1:PROOF-OF-POSSESSION";
/** BLS.SIGNATURE_DOMAIN. */
export const SIGNATURE_DOMAIN: string = keccak256(toUtf8Bytes(SIGNATURE_DOMAIN_TAG));
/** BLS.POP_DOMAIN. */
export const POP_DOMAIN: string = keccak256(toUtf8Bytes(POP_DOMAIN_TAG));
/** BN254.HASH_TO_G1_MAX_TRIES. */
export const HASH_TO_G1_MAX_TRIES = 64;

export const G1_INFINITY: G1Point = Object.freeze({ x: 0n, y: 0n });
export const G2_INFINITY: G2Point = Object.freeze({ xIm: 0n, xRe: 0n, yIm: 0n, yRe: 0n });
export const G1_GENERATOR: G1Point = Object.freeze({ x: 1n, y: 2n });
export const G2_GENERATOR: G2Point = Object.freeze(g2FromNoble(bn254.G2.Point.BASE));

const P = FIELD_MODULUS;
const Fp = bn254.fields.Fp;
const SQRT_EXPONENT = (P + 1n) / 4n;
const TWO_256 = 1n << 256n;

// ---------------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------------

/** Affine G1 from a noble point. */
export function g1FromNoble(p: NobleG1): G1Point {
  if (p.is0()) return { ...G1_INFINITY };
  const { x, y } = p.toAffine();
  return { x, y };
}

/** noble point from affine G1 (no validity check; see `g1IsOnCurve`). */
export function g1ToNoble(p: G1Point): NobleG1 {
  return bn254.G1.Point.fromAffine({ x: p.x, y: p.y });
}

/** Affine G2 from a noble point. */
export function g2FromNoble(p: NobleG2): G2Point {
  if (p.is0()) return { ...G2_INFINITY };
  const { x, y } = p.toAffine();
  return { xIm: x.c1, xRe: x.c0, yIm: y.c1, yRe: y.c0 };
}

/** noble point from affine G2 (no validity check; see `g2IsOnCurve` / `g2IsInSubgroup`). */
export function g2ToNoble(p: G2Point): NobleG2 {
  return bn254.G2.Point.fromAffine({ x: { c0: p.xRe, c1: p.xIm }, y: { c0: p.yRe, c1: p.yIm } });
}

/** `[x, y]`. */
export function g1ToTuple(p: G1Point): G1Tuple {
  return [p.x, p.y];
}

/** `[xIm, xRe, yIm, yRe]`, the EIP-197 word order. */
export function g2ToTuple(p: G2Point): G2Tuple {
  return [p.xIm, p.xRe, p.yIm, p.yRe];
}

/** A G1Point from a tuple, an object or an ethers Result. */
export function g1From(v: G1Like): G1Point {
  const a = v as ArrayLike<unknown> & { x?: unknown; y?: unknown };
  if (a.x !== undefined && a.y !== undefined) return { x: BigInt(a.x as bigint), y: BigInt(a.y as bigint) };
  return { x: BigInt(a[0] as bigint), y: BigInt(a[1] as bigint) };
}

/** A G2Point from a tuple, an object or an ethers Result. */
export function g2From(v: G2Like): G2Point {
  const o = v as Partial<G2Point> & ArrayLike<unknown>;
  if (o.xIm !== undefined) return { xIm: BigInt(o.xIm), xRe: BigInt(o.xRe!), yIm: BigInt(o.yIm!), yRe: BigInt(o.yRe!) };
  return { xIm: BigInt(o[0] as bigint), xRe: BigInt(o[1] as bigint), yIm: BigInt(o[2] as bigint), yRe: BigInt(o[3] as bigint) };
}

function word(v: bigint): Uint8Array {
  if (v < 0n || v >= TWO_256) throw new RangeError(`not a uint256: ${v}`);
  const out = new Uint8Array(32);
  for (let i = 31, t = v; i >= 0; i--, t >>= 8n) out[i] = Number(t & 0xffn);
  return out;
}

function toBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** 64-byte `x ‖ y` (abi.encode of the struct). */
export function encodeG1(p: G1Point): string {
  return hexlify(concatBytes(word(p.x), word(p.y)));
}

/** 128-byte `xIm ‖ xRe ‖ yIm ‖ yRe` (abi.encode of the struct, the EIP-197 input). */
export function encodeG2(p: G2Point): string {
  return hexlify(concatBytes(...g2ToTuple(p).map(word)));
}

/** Inverse of `encodeG1`. */
export function decodeG1(data: BytesLike): G1Point {
  const b = getBytes(data);
  if (b.length !== 64) throw new Error(`G1 point must be 64 bytes, got ${b.length}`);
  return { x: toBig(b.subarray(0, 32)), y: toBig(b.subarray(32)) };
}

/** Inverse of `encodeG2`. */
export function decodeG2(data: BytesLike): G2Point {
  const b = getBytes(data);
  if (b.length !== 128) throw new Error(`G2 point must be 128 bytes, got ${b.length}`);
  const w = (i: number) => toBig(b.subarray(32 * i, 32 * i + 32));
  return { xIm: w(0), xRe: w(1), yIm: w(2), yRe: w(3) };
}

/** keccak256 of the 128-byte encoding, abi.encode of the point. */
export function g2Hash(p: G2Point): string {
  return keccak256(encodeG2(p));
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Point compression (BN254G2.g2Compress / g2Decompress / fp2Sqrt)
// ---------------------------------------------------------------------------------------------------

/**
 * A compressed G2 point: two words, as NetworkAttestations stores a node key.
 * `word0 = xIm | 2²⁵⁵ (compressed flag) | sgn0(y)·2²⁵⁴`, `word1 = xRe`; infinity is `(0, 0)`.
 * p < 2²⁵⁴, so the flags never collide with a reduced coordinate.
 */
export interface CompressedG2 {
  word0: bigint;
  word1: bigint;
}

/** BN254G2.G2_COMPRESSED_FLAG: set in word0 of every compressed point. */
export const G2_COMPRESSED_FLAG = 1n << 255n;
/** BN254G2.G2_SIGN_FLAG: sgn0(y) in word0. */
export const G2_SIGN_FLAG = 1n << 254n;
const COORDINATE_MASK = (1n << 254n) - 1n;
/** (p − 3)/4: e = d^((p−3)/4) gives the root d·e and its inverse e at once. */
const SQRT_INVERSE_EXPONENT = (P - 3n) / 4n;
const HALF = (P + 1n) / 2n;

/** An Fp2 element `re + im·i` (noble's `{ c0, c1 }`). */
export interface Fp2Element {
  re: bigint;
  im: bigint;
}

/** sgn0 of an Fp2 element (RFC 9380 §4.1): parity of the real part, or of the imaginary part when the real part is 0. */
export function sgn0Fp2(re: bigint, im: bigint): 0 | 1 {
  return (re & 1n) === 1n || (re === 0n && (im & 1n) === 1n) ? 1 : 0;
}

const mod = (a: bigint) => ((a % P) + P) % P;

/**
 * A square root in Fp2 by the algorithm BN254G2.fp2Sqrt runs (the "complex method" for p ≡ 3 mod 4,
 * two Fp exponentiations), step for step, so the root returned is the same one; `undefined` when `a`
 * is not a square.
 * - im = 0: s = re^((p+1)/4); s is a root if s² = re, else s² = −re and s·i is one.
 * - else with l = √(re² + im²) (none: not a square) and d = (re + l)/2, e = d^((p−3)/4), g = d·e:
 *   g² = d gives the root g + (im·e/2)·i; g² = −d gives (im·e/2) − (d·e)·i.
 */
export function fp2Sqrt(a: Fp2Element): Fp2Element | undefined {
  const re = mod(a.re);
  const im = mod(a.im);
  if (im === 0n) {
    const s = Fp.pow(re, SQRT_EXPONENT);
    const square = mod(s * s);
    if (square === re) return { re: s, im: 0n };
    return square === mod(-re) ? { re: 0n, im: s } : undefined;
  }
  const norm = mod(re * re + im * im);
  const l = Fp.pow(norm, SQRT_EXPONENT);
  if (mod(l * l) !== norm) return undefined;
  const d = mod((re + l) * HALF);
  const e = Fp.pow(d, SQRT_INVERSE_EXPONENT);
  const de = mod(d * e);
  const g2 = mod(de * de);
  const imHalfE = mod(im * e * HALF);
  if (g2 === d) return { re: de, im: imHalfE };
  return g2 === mod(-d) ? { re: imHalfE, im: mod(-de) } : undefined;
}

/** x³ + b′ on the twist, for x = xRe + xIm·i. */
export function twistRhs(xRe: bigint, xIm: bigint): Fp2Element {
  const Fp2 = bn254.fields.Fp2;
  const x = Fp2.create({ c0: mod(xRe), c1: mod(xIm) });
  const r = Fp2.add(Fp2.mul(Fp2.sqr(x), x), bn254.G2.Point.CURVE().b);
  return { re: r.c0, im: r.c1 };
}

/**
 * The compressed encoding (BN254G2.g2Compress). Throws for a point that is not reduced and on the
 * twist, which BN254G2.g2CompressCalldata would turn into (0, 0); infinity gives (0, 0).
 */
export function compressG2(p: G2Point): CompressedG2 {
  if (g2IsInfinity(p)) return { word0: 0n, word1: 0n };
  if (!g2IsOnCurve(p)) throw new Error("compressG2: not a reduced point of the twist");
  const sign = BigInt(sgn0Fp2(p.yRe, p.yIm));
  return { word0: p.xIm | G2_COMPRESSED_FLAG | (sign << 254n), word1: p.xRe };
}

/** `[word0, word1]`, the ABI tuple of NetworkAttestations.compressedBlsPublicKeyOf. */
export function compressedToTuple(c: CompressedG2): [bigint, bigint] {
  return [c.word0, c.word1];
}

/**
 * The point of a compressed encoding (BN254G2.g2Decompress): y from y² = x³ + b′ by `fp2Sqrt`, the
 * root whose sgn0 is the sign bit. Throws for a malformed encoding or an x with no point.
 */
export function decompressG2(c: CompressedG2 | readonly [bigint, bigint]): G2Point {
  const [word0, word1] = Array.isArray(c) ? (c as readonly [bigint, bigint]) : [(c as CompressedG2).word0, (c as CompressedG2).word1];
  if (word0 === 0n && word1 === 0n) return { ...G2_INFINITY };
  const xIm = word0 & COORDINATE_MASK;
  if ((word0 & G2_COMPRESSED_FLAG) === 0n || xIm >= P || word1 >= P || word1 < 0n) {
    throw new Error("decompressG2: malformed encoding");
  }
  const root = fp2Sqrt(twistRhs(word1, xIm));
  if (!root) throw new Error("decompressG2: x has no point on the twist");
  const sign = (word0 >> 254n) & 1n;
  const y = BigInt(sgn0Fp2(root.re, root.im)) === sign ? root : { re: mod(-root.re), im: mod(-root.im) };
  return { xIm, xRe: word1, yIm: y.im, yRe: y.re };
}

// ---------------------------------------------------------------------------------------------------
// Group operations (affine in, affine out)
// ---------------------------------------------------------------------------------------------------

export function g1IsInfinity(p: G1Point): boolean {
  return p.x === 0n && p.y === 0n;
}

export function g2IsInfinity(p: G2Point): boolean {
  return p.xIm === 0n && p.xRe === 0n && p.yIm === 0n && p.yRe === 0n;
}

/** Reduced coordinates and y² = x³ + 3 (BN254.g1IsOnCurve; infinity is false). */
export function g1IsOnCurve(p: G1Point): boolean {
  if (p.x >= P || p.y >= P || g1IsInfinity(p)) return false;
  return Fp.eql(Fp.sqr(p.y), Fp.add(Fp.mul(Fp.sqr(p.x), p.x), 3n));
}

/** Reduced coordinates and on the twist (what BN254G2.g2CompressCalldata checks; not a subgroup check; infinity is false). */
export function g2IsOnCurve(p: G2Point): boolean {
  if ([p.xIm, p.xRe, p.yIm, p.yRe].some((w) => w >= P) || g2IsInfinity(p)) return false;
  const Fp2 = bn254.fields.Fp2;
  const x = Fp2.create({ c0: p.xRe, c1: p.xIm });
  const y = Fp2.create({ c0: p.yRe, c1: p.yIm });
  const b = bn254.G2.Point.CURVE().b;
  return Fp2.eql(Fp2.sqr(y), Fp2.add(Fp2.mul(Fp2.sqr(x), x), b));
}

/** On the twist and in the order-r subgroup: what the pairing precompile demands of a G2 input. */
export function g2IsInSubgroup(p: G2Point): boolean {
  return g2IsOnCurve(p) && g2ToNoble(p).isTorsionFree();
}

export function g1Add(a: G1Point, b: G1Point): G1Point {
  return g1FromNoble(g1ToNoble(a).add(g1ToNoble(b)));
}

export function g1Negate(a: G1Point): G1Point {
  return g1FromNoble(g1ToNoble(a).negate());
}

/** s · a for any scalar s ≥ 0 (reduced mod r, as ecMul does for a G1 point). */
export function g1Mul(a: G1Point, s: bigint): G1Point {
  const k = s % GROUP_ORDER;
  if (k === 0n || g1IsInfinity(a)) return { ...G1_INFINITY };
  return g1FromNoble(g1ToNoble(a).multiply(k));
}

export function g2Add(a: G2Point, b: G2Point): G2Point {
  return g2FromNoble(g2ToNoble(a).add(g2ToNoble(b)));
}

export function g2Sub(a: G2Point, b: G2Point): G2Point {
  return g2FromNoble(g2ToNoble(a).subtract(g2ToNoble(b)));
}

export function g2Negate(a: G2Point): G2Point {
  return g2FromNoble(g2ToNoble(a).negate());
}

/** s · a in G2 for a subgroup point (s reduced mod r). */
export function g2Mul(a: G2Point, s: bigint): G2Point {
  const k = s % GROUP_ORDER;
  if (k === 0n || g2IsInfinity(a)) return { ...G2_INFINITY };
  return g2FromNoble(g2ToNoble(a).multiply(k));
}

// ---------------------------------------------------------------------------------------------------
// Hash to G1 (mirror of BN254.tryHashToG1)
// ---------------------------------------------------------------------------------------------------

/**
 * Maps (domain, message) to G1 exactly as BN254.hashToG1 does:
 *   seed = keccak256(domain ‖ message); for i < 64:
 *   h0 = keccak256(seed ‖ uint256(2i)), h1 = keccak256(seed ‖ uint256(2i+1)),
 *   x = (h0·2²⁵⁶ + h1) mod p, y = (x³+3)^((p+1)/4); if y² = x³+3 return (x, y or p−y with
 *   lowest bit = top bit of h0).
 * @param domain 32 bytes; defaults to the signature domain
 */
export function hashToG1(message: BytesLike, domain: BytesLike = SIGNATURE_DOMAIN): G1Point {
  return hashToG1Counted(message, domain).point;
}

/**
 * How many tries `hashToG1` (and so BN254.hashToG1, one modexp each) takes for this message: 1 with
 * probability ~1/2, 2 with ~1/4, and so on. Gas benchmarks use it to measure a typical message.
 */
export function hashToG1Tries(message: BytesLike, domain: BytesLike = SIGNATURE_DOMAIN): number {
  return hashToG1Counted(message, domain).tries;
}

/**
 * The square roots that let BN254.tryHashToG1WithRoots check `hashToG1(message, domain)` instead of
 * computing it: one per try, a root of −(x³+3) for each try that fails (proving x³+3 is not a square)
 * and a root of x³+3 for the last. Both are the same power (x³+3)^((p+1)/4).
 */
export function hashToG1Roots(message: BytesLike, domain: BytesLike = SIGNATURE_DOMAIN): bigint[] {
  return hashToG1Counted(message, domain).roots;
}

function hashToG1Counted(message: BytesLike, domain: BytesLike): { point: G1Point; tries: number; roots: bigint[] } {
  const d = getBytes(domain);
  if (d.length !== 32) throw new Error(`domain must be 32 bytes, got ${d.length}`);
  const seed = keccak_256(concatBytes(d, getBytes(message)));
  const roots: bigint[] = [];
  for (let i = 0; i < HASH_TO_G1_MAX_TRIES; i++) {
    const h0 = toBig(keccak_256(concatBytes(seed, word(BigInt(2 * i)))));
    const h1 = toBig(keccak_256(concatBytes(seed, word(BigInt(2 * i + 1)))));
    const x = (h0 * TWO_256 + h1) % P;
    const rhs = (((x * x) % P) * x + 3n) % P;
    // y^2 is rhs when rhs is a square and -rhs otherwise (p = 3 mod 4).
    const y = Fp.pow(rhs, SQRT_EXPONENT);
    roots.push(y);
    if ((y * y) % P === rhs) {
      return { point: { x, y: (y & 1n) === h0 >> 255n ? y : P - y }, tries: i + 1, roots };
    }
  }
  throw new Error(`hashToG1: no point within ${HASH_TO_G1_MAX_TRIES} tries`);
}

/** H(digest) under the proof-of-possession domain (BLS.hashProofOfPossession). */
export function hashProofOfPossession(digest: BytesLike): G1Point {
  const d = getBytes(digest);
  if (d.length !== 32) throw new Error(`digest must be 32 bytes, got ${d.length}`);
  return hashToG1(d, POP_DOMAIN);
}

// ---------------------------------------------------------------------------------------------------
// Keys, signing, verification
// ---------------------------------------------------------------------------------------------------

const KEYGEN_SALT = toUtf8Bytes("BLS-SIG-KEYGEN-SALT-");
/** ceil(3 · ceil(log2 r) / 16) bytes, so the reduction mod r is unbiased to ~2^-128. */
const KEYGEN_OKM_BYTES = Math.ceil((3 * GROUP_ORDER.toString(2).length) / 16);

/**
 * Deterministic secret key from ≥ 32 bytes of seed material: the KeyGen of the IETF BLS signature
 * draft (HKDF-SHA256, salt "BLS-SIG-KEYGEN-SALT-", rehashed until the key is nonzero), with r the
 * BN254 group order.
 */
export function secretKeyFromSeed(seed: BytesLike, keyInfo: BytesLike = new Uint8Array()): SecretKey {
  const ikm = getBytes(seed);
  if (ikm.length < 32) throw new Error(`seed must be at least 32 bytes, got ${ikm.length}`);
  const info = concatBytes(getBytes(keyInfo), new Uint8Array([KEYGEN_OKM_BYTES >> 8, KEYGEN_OKM_BYTES & 0xff]));
  let salt: Uint8Array = KEYGEN_SALT;
  for (;;) {
    salt = sha256(salt);
    const prk = extract(sha256, concatBytes(ikm, new Uint8Array([0])), salt);
    const sk = toBig(expand(sha256, prk, info, KEYGEN_OKM_BYTES)) % GROUP_ORDER;
    if (sk !== 0n) return sk;
  }
}

/** A fresh secret key from 32 random bytes. */
export function randomSecretKey(): SecretKey {
  return secretKeyFromSeed(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** pk = sk · G2. */
export function publicKeyOf(secretKey: SecretKey): G2Point {
  assertSecretKey(secretKey);
  return g2FromNoble(bn254.G2.Point.BASE.multiply(secretKey));
}

/** A key pair, from a seed (deterministic) or from randomness. */
export function blsKeyPair(seed?: BytesLike): BLSKeyPair {
  const secretKey = seed === undefined ? randomSecretKey() : secretKeyFromSeed(seed);
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** sig = sk · H(message) under the signature domain. */
export function sign(secretKey: SecretKey, message: BytesLike): G1Point {
  return signHashed(secretKey, hashToG1(message, SIGNATURE_DOMAIN));
}

/** sk · point, for a message already hashed to G1. */
export function signHashed(secretKey: SecretKey, hashed: G1Point): G1Point {
  assertSecretKey(secretKey);
  return g1FromNoble(g1ToNoble(hashed).multiply(secretKey));
}

/** The proof of possession: sk · H_pop(digest). The digest must bind operator, chain and contract. */
export function proofOfPossession(secretKey: SecretKey, digest: BytesLike): G1Point {
  return signHashed(secretKey, hashProofOfPossession(digest));
}

/**
 * The pairing check of BLS.verifyHashed, off chain: false for infinity key or signature, for points
 * off their curves, and for keys outside the subgroup.
 */
export function verifyHashed(publicKey: G2Point, hashed: G1Point, signature: G1Point): boolean {
  if (g2IsInfinity(publicKey) || g1IsInfinity(signature)) return false;
  if (!g1IsOnCurve(signature) || !g1IsOnCurve(hashed) || !g2IsInSubgroup(publicKey)) return false;
  const gt = bn254.pairingBatch([
    { g1: g1ToNoble(signature), g2: bn254.G2.Point.BASE.negate() },
    { g1: g1ToNoble(hashed), g2: g2ToNoble(publicKey) },
  ]);
  return bn254.fields.Fp12.eql(gt, bn254.fields.Fp12.ONE);
}

/** BLS.verify off chain. */
export function verify(publicKey: G2Point, message: BytesLike, signature: G1Point): boolean {
  return verifyHashed(publicKey, hashToG1(message, SIGNATURE_DOMAIN), signature);
}

/** BLS.verifyProofOfPossession off chain. */
export function verifyProofOfPossession(publicKey: G2Point, digest: BytesLike, proof: G1Point): boolean {
  return verifyHashed(publicKey, hashProofOfPossession(digest), proof);
}

/** Sum of signatures (infinity for none). */
export function aggregateSignatures(signatures: Iterable<G1Point>): G1Point {
  let acc = bn254.G1.Point.ZERO;
  for (const s of signatures) acc = acc.add(g1ToNoble(s));
  return g1FromNoble(acc);
}

/** Sum of public keys (infinity for none). */
export function aggregatePublicKeys(publicKeys: Iterable<G2Point>): G2Point {
  let acc = bn254.G2.Point.ZERO;
  for (const k of publicKeys) acc = acc.add(g2ToNoble(k));
  return g2FromNoble(acc);
}

/** aggregate − Σ keys: what a verifier computes on chain with BN254G2.g2JacobianSubCalldata and one g2JacobianToAffine. */
export function subtractPublicKeys(aggregate: G2Point, keys: Iterable<G2Point>): G2Point {
  let acc = g2ToNoble(aggregate);
  for (const k of keys) acc = acc.subtract(g2ToNoble(k));
  return g2FromNoble(acc);
}

function assertSecretKey(sk: SecretKey): void {
  if (typeof sk !== "bigint" || sk <= 0n || sk >= GROUP_ORDER) throw new RangeError("secret key must be in [1, r)");
}

// ---------------------------------------------------------------------------------------------------
// Aggregator: a network attestation ready for the chain
// ---------------------------------------------------------------------------------------------------

export type NodeId = bigint | number | string;

export interface AggregatedAttestation<Id extends NodeId> {
  /** Aggregate signature of the signers over `message`. */
  signature: G1Point;
  /** Every node of the set that did not sign, ascending (the order verifiers require for uniqueness). */
  nonSigners: Id[];
  /** Their public keys, in the same order as `nonSigners`. */
  nonSignerPublicKeys: G2Point[];
  /** The signers, ascending. */
  signers: Id[];
  /** Aggregate key of the whole set, and of the signers (= aggregate − non-signers). */
  aggregatePublicKey: G2Point;
  signersPublicKey: G2Point;
}

export interface AggregateOptions<Id extends NodeId> {
  /** Order of `nonSigners` and `signers`; default: ascending by numeric id. */
  compare?: (a: Id, b: Id) => number;
}

function numericId(id: NodeId): bigint {
  return typeof id === "bigint" ? id : BigInt(id);
}

/**
 * Signs `message` with every node in `signers` and lists every other node of `keys` as a non-signer.
 * @param keys node id → secret key, or → key pair (saves recomputing public keys)
 * @param signers the nodes that sign; each must be in `keys`
 */
export function aggregateAttestation<Id extends NodeId>(
  keys: Map<Id, SecretKey | BLSKeyPair>,
  signers: Iterable<Id>,
  message: BytesLike,
  options: AggregateOptions<Id> = {},
): AggregatedAttestation<Id> {
  const compare =
    options.compare ??
    ((a: Id, b: Id) => {
      const x = numericId(a);
      const y = numericId(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  const signing = new Set<Id>();
  for (const id of signers) {
    if (!keys.has(id)) throw new Error(`signer ${String(id)} has no key`);
    signing.add(id);
  }
  const hashed = hashToG1(message, SIGNATURE_DOMAIN);
  const pairOf = (v: SecretKey | BLSKeyPair): BLSKeyPair =>
    typeof v === "bigint" ? { secretKey: v, publicKey: publicKeyOf(v) } : v;

  const ids = [...keys.keys()].sort(compare);
  const nonSigners: Id[] = [];
  const nonSignerPublicKeys: G2Point[] = [];
  const signerIds: Id[] = [];
  // Σ sk_i · H = (Σ sk_i) · H: one multiplication however many signers.
  let secretSum = 0n;
  let all = bn254.G2.Point.ZERO;
  let signersKey = bn254.G2.Point.ZERO;
  for (const id of ids) {
    const pair = pairOf(keys.get(id)!);
    const pk = g2ToNoble(pair.publicKey);
    all = all.add(pk);
    if (signing.has(id)) {
      signerIds.push(id);
      secretSum = (secretSum + pair.secretKey) % GROUP_ORDER;
      signersKey = signersKey.add(pk);
    } else {
      nonSigners.push(id);
      nonSignerPublicKeys.push(pair.publicKey);
    }
  }
  return {
    signature: secretSum === 0n ? { ...G1_INFINITY } : signHashed(secretSum, hashed),
    nonSigners,
    nonSignerPublicKeys,
    signers: signerIds,
    aggregatePublicKey: g2FromNoble(all),
    signersPublicKey: g2FromNoble(signersKey),
  };
}
