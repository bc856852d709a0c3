import { ethers } from "hardhat";
import { bn254 } from "@noble/curves/bn254.js";
import {
  aggregateAttestation,
  blsKeyPair,
  compressG2,
  g2FromNoble,
  g2Hash,
  proofOfPossession,
  secretKeyFromSeed,
  sign,
  type BLSKeyPair,
} from "../../src/bls";
import { TX, type Benchmark } from "./meter";

/**
 * Keys for nodes 1..n with consecutive secret keys, so that each public key is one G2 addition away
 * from the previous one (a thousand G2 multiplications in JS would dominate the run). The contract
 * cannot tell: every key is a valid subgroup point with a known secret.
 */
function consecutiveKeys(n: number): Map<bigint, BLSKeyPair> {
  const base = secretKeyFromSeed(ethers.getBytes(ethers.id("bls gas bench")));
  let pk = bn254.G2.Point.BASE.multiply(base);
  const keys = new Map<bigint, BLSKeyPair>();
  for (let i = 0; i < n; i++) {
    keys.set(BigInt(i + 1), { secretKey: base + BigInt(i), publicKey: g2FromNoble(pk) });
    pk = pk.add(bn254.G2.Point.BASE);
  }
  return keys;
}

/**
 * The BLS layer through BLS__Harness, a miniature registry: attestation checks against the stored
 * aggregate key with 0 / 1 / 10 / 100 non-signers (calldata, one storage read and one mixed G2
 * subtraction per non-signer, one pairing), a single verification, hash to G1, the proof-of-possession
 * check, a registration and the affine aggregate updates. The harness has at least 101 keys, and
 * `nodes` keys when that is more, so the 1,000-node run shows the cost does not depend on the set size.
 */
export const blsBench: Benchmark = {
  name: "bls",
  async run(meter, net) {
    const nodes = net.nodes.length;
    const harness = await ethers.deployContract("BLS__Harness");
    const keys = consecutiveKeys(Math.max(nodes, 101));
    const ids = [...keys.keys()];
    const first = aggregateAttestation(keys, [], "0x");
    for (let i = 0; i < ids.length; i += 250) {
      const batch = ids.slice(i, i + 250);
      await (
        await harness.mock__setRegistry(
          first.aggregatePublicKey,
          batch,
          batch.map((id) => g2Hash(keys.get(id)!.publicKey)),
          TX,
        )
      ).wait();
    }

    const msg = ethers.toUtf8Bytes("deregister node 5, epoch 1234");
    const everyone = aggregateAttestation(keys, ids, msg);
    // Warm-up: the first check writes `lastValid` from zero; a verifier's own bookkeeping is its own.
    await (await harness.checkAttestation(msg, everyone.signature, [], [], TX)).wait();
    for (const n of [0, 1, 10, 100]) {
      const att = aggregateAttestation(keys, ids.slice(n), msg);
      await meter.measure(`bls.attest.nonSigners${n}`, () =>
        harness.checkAttestation(msg, att.signature, att.nonSigners, att.nonSignerPublicKeys, TX),
      );
      if (!(await harness.lastValid())) throw new Error(`bls.attest.nonSigners${n}: signature rejected`);
    }

    const kp = keys.get(1n)!;
    await meter.measure("bls.verify", () => harness.mock__verifyTx(kp.publicKey, msg, sign(kp.secretKey, msg), TX));
    await (await harness.mock__hashToG1Tx(ethers.toUtf8Bytes("warm-up"), TX)).wait();
    await meter.measure("bls.hashToG1", () => harness.mock__hashToG1Tx(msg, TX));
    const digest = ethers.id("pop digest");
    await meter.measure("bls.pop.verify", () =>
      harness.mock__verifyProofOfPossessionTx(kp.publicKey, digest, proofOfPossession(kp.secretKey, digest), TX),
    );
    await meter.measure("bls.aggregate.add", () => harness.mock__addToAggregate(kp.publicKey, TX));
    await meter.measure("bls.aggregate.sub", () => harness.mock__subFromAggregate(kp.publicKey, TX));
    const compressed = compressG2(kp.publicKey);
    await meter.measure("bls.decompress", () => harness.mock__decompressTx(compressed.word0, compressed.word1, TX));

    const [operator] = await ethers.getSigners();
    const fresh = blsKeyPair(ethers.getBytes(ethers.id("bls gas bench: a new node")));
    const nodeId = BigInt(ids.length + 1);
    const regDigest = await harness.registrationDigest(operator.address, nodeId, fresh.publicKey);
    await meter.measure("bls.register", () =>
      harness.registerKey(nodeId, fresh.publicKey, proofOfPossession(fresh.secretKey, regDigest), TX),
    );
  },
};
