/**
 * `npm run gen`: writes the Yul functions of BN254 formulas into the marked regions of
 * contracts/libraries/BN254.sol and BN254G2.sol, from the one source below. `--check` (run by
 * `npm run lint`) writes nothing and fails when a region differs from what this would write.
 *
 * A region is an assembly block's pair of lines
 *
 *     // generated from scripts/gen/bn254.ts: f2mul f2sqr
 *     // end generated
 *
 * and everything between them is replaced by the named functions, in the order named (a function
 * names what it needs, which must be named in the same region; Yul names must not be those of the
 * enclosing function's Solidity variables). Solidity reaches each formula through one function
 * (`_twistRhs`, `g2Sgn0`, `_compress`, `expModP`); Fp2 products are inlined directly only where a
 * call per product costs gas a DESIGN §11 target cannot spare (see BN254G2.sol).
 */
import * as fs from "fs";
import * as path from "path";

/** The formulas, in Yul. Operands are reduced (< p < 2^254), so sums of two fit a word unreduced. */
export const FORMULAS: Record<string, string> = {
  f2mul: `
function f2mul(a0, a1, b0, b1, p) -> c0, c1 {
    // (a0 + a1 i)(b0 + b1 i), Karatsuba: c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
    let v0 := mulmod(a0, b0, p)
    let v1 := mulmod(a1, b1, p)
    c0 := addmod(v0, sub(p, v1), p)
    c1 := addmod(mulmod(add(a0, a1), add(b0, b1), p), sub(add(p, p), add(v0, v1)), p)
}`,
  f2sqr: `
function f2sqr(a0, a1, p) -> c0, c1 {
    // (a0 + a1 i)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 i.
    c0 := mulmod(add(a0, a1), add(a0, sub(p, a1)), p)
    c1 := mulmod(add(a0, a0), a1, p)
}`,
  twistRhs: `
function twistRhs(x0, x1, p) -> r0, r1 {
    // x^3 + b' for x = x0 + x1 i (needs f2mul, f2sqr).
    r0, r1 := f2sqr(x0, x1, p)
    r0, r1 := f2mul(r0, r1, x0, x1, p)
    r0 := addmod(r0, TWIST_B_RE, p)
    r1 := addmod(r1, TWIST_B_IM, p)
}`,
  sgn0: `
function sgn0(a0, a1) -> s {
    // RFC 9380 sgn0 of a0 + a1 i: the parity of a0, or of a1 when a0 = 0.
    s := or(and(a0, 1), and(iszero(a0), and(a1, 1)))
}`,
  encode: `
function encode(x1, x0, y1, y0) -> w0, w1 {
    // The two words of a point that is not infinity: xIm with the flags, xRe (needs sgn0).
    w0 := or(or(x1, G2_COMPRESSED_FLAG), shl(254, sgn0(y0, y1)))
    w1 := x0
}`,
  compress: `
function compress(x1, x0, y1, y0, p) -> w0, w1 {
    // The encoding of (x, y) when every word is reduced and y^2 = x^3 + b', else (0, 0); infinity
    // fails the equation (0 != b'). Unreduced words are refused before any arithmetic, which assumes
    // operands < p (needs f2sqr, twistRhs, encode).
    if and(and(lt(x0, p), lt(x1, p)), and(lt(y0, p), lt(y1, p))) {
        let l0, l1 := f2sqr(y0, y1, p)
        let r0, r1 := twistRhs(x0, x1, p)
        if and(eq(l0, r0), eq(l1, r1)) { w0, w1 := encode(x1, x0, y1, y0) }
    }
}`,
  expModP: `
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
}`,
  hashTry: `
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
}`,
  rootOfParity: `
function rootOfParity(y, parity, p) -> r {
    // y or p - y, whichever has the given lowest bit (y in (0, p): x^3 + 3 != 0 on G1).
    r := y
    if iszero(eq(and(y, 1), parity)) { r := sub(p, y) }
}`,
};

/** The files with generated regions. */
export const TARGETS = ["BN254.sol", "BN254G2.sol"].map((f) => path.join(__dirname, "..", "..", "contracts", "libraries", f));

const BEGIN = /^(\s*)\/\/ generated from scripts\/gen\/bn254\.ts: ([\w ]+)$/;
const END = /^\s*\/\/ end generated$/;

/** The file with every region rewritten from FORMULAS, and the number of regions. */
export function generate(source: string): { text: string; regions: number } {
  const lines = source.split("\n");
  const out: string[] = [];
  let regions = 0;
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    const begin = BEGIN.exec(lines[i]);
    if (!begin) continue;
    const [, indent, names] = begin;
    let end = i + 1;
    while (end < lines.length && !END.test(lines[end])) {
      if (BEGIN.test(lines[end])) throw new Error(`line ${i + 1}: region not closed before the next one`);
      end++;
    }
    if (end === lines.length) throw new Error(`line ${i + 1}: region without "// end generated"`);
    const named = names.split(" ");
    for (const name of named) {
      const formula = FORMULAS[name];
      if (formula === undefined) throw new Error(`line ${i + 1}: no formula named ${name}`);
      for (const other of Object.keys(FORMULAS)) {
        if (other !== name && formula.includes(`${other}(`) && !named.includes(other)) {
          throw new Error(`line ${i + 1}: ${name} needs ${other}, which the region does not name`);
        }
      }
      for (const line of formula.trim().split("\n")) out.push(line === "" ? "" : indent + line);
    }
    out.push(lines[end]);
    i = end;
    regions++;
  }
  return { text: out.join("\n"), regions };
}

function main() {
  const check = process.argv.includes("--check");
  for (const target of TARGETS) {
    const source = fs.readFileSync(target, "utf8");
    const { text, regions } = generate(source);
    const name = path.relative(process.cwd(), target);
    if (regions === 0) throw new Error(`${name}: no generated region`);
    if (text === source) {
      console.log(`${name}: ${regions} generated regions up to date`);
    } else if (check) {
      console.error(`${name}: a generated region differs from scripts/gen/bn254.ts; run \`npm run gen\``);
      process.exitCode = 1;
    } else {
      fs.writeFileSync(target, text);
      console.log(`${name}: wrote ${regions} generated regions`);
    }
  }
}

if (require.main === module) main();
