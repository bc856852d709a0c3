import { bn254 } from "@noble/curves/bn254.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { FIELD_MODULUS, g2FromNoble, type G2Point } from "../../src/bls";

function fieldElement(seed: number, label: string): bigint {
  const h = keccak_256(new TextEncoder().encode(`${label}:${seed}`));
  return BigInt("0x" + Buffer.from(h).toString("hex")) % FIELD_MODULUS;
}

/**
 * A point on the twist E'(Fp2): y² = x³ + 3/(9 + i) that is NOT in the order-r subgroup: a
 * deterministic x (from `seed`), the first one whose x³ + b' is a square, and no multiplication by
 * the cofactor 2p − r. Throws if the point happens to be in the subgroup (probability ~1/(2p − r)).
 */
export function nonSubgroupTwistPoint(seed: number): G2Point {
  const { Fp2 } = bn254.fields;
  const b = bn254.G2.Point.CURVE().b;
  for (let i = 0; ; i++) {
    const x = Fp2.create({ c0: fieldElement(seed, `x0:${i}`), c1: fieldElement(seed, `x1:${i}`) });
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue; // not a square: try the next x
    }
    if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
    const point = bn254.G2.Point.fromAffine({ x, y });
    if (point.isTorsionFree()) throw new Error("twist point unexpectedly in the subgroup");
    return g2FromNoble(point);
  }
}
