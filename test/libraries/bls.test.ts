import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import fc from "fast-check";
import type { BLS__Harness } from "../../typechain-types";
import {
  G1_GENERATOR,
  G1_INFINITY,
  G2_INFINITY,
  POP_DOMAIN,
  POP_DOMAIN_TAG,
  SIGNATURE_DOMAIN,
  SIGNATURE_DOMAIN_TAG,
  aggregateAttestation,
  aggregatePublicKeys,
  aggregateSignatures,
  blsKeyPair,
  encodeG1,
  encodeG2,
  g1Add,
  g1From,
  g1Negate,
  g2From,
  g2Hash,
  g2IsInSubgroup,
  g2IsOnCurve,
  hashProofOfPossession,
  hashToG1,
  hashToG1Roots,
  proofOfPossession,
  publicKeyOf,
  secretKeyFromSeed,
  sign,
  signHashed,
  subtractPublicKeys,
  verify,
  verifyProofOfPossession,
  type BLSKeyPair,
  type G2Point,
} from "../../src/bls";
import { nonSubgroupTwistPoint } from "../helpers/bls";
import { itGas } from "../helpers/coverage";

const seedOf = (label: string | number) => ethers.getBytes(ethers.id(`bls test key ${label}`));
const keyPair = (label: string | number) => blsKeyPair(seedOf(label));
const bytes = fc.uint8Array({ maxLength: 96 });

/** Key pairs for nodes 1..n, built once (each costs a G2 multiplication in JS). */
const KEYS: BLSKeyPair[] = Array.from({ length: 110 }, (_, i) => keyPair(i + 1));
const nodeKeys = (n: number) => new Map(KEYS.slice(0, n).map((kp, i) => [BigInt(i + 1), kp] as const));

describe("BLS library", () => {
  async function deployHarness() {
    const harness = await ethers.deployContract("BLS__Harness");
    const [deployer, operator, other] = await ethers.getSigners();
    return { harness, deployer, operator, other };
  }

  /** A harness whose stored aggregate and key hashes cover nodes 1..110. */
  async function deployWithRegistry() {
    const { harness } = await deployHarness();
    const keys = nodeKeys(KEYS.length);
    const ids = [...keys.keys()];
    await harness.mock__setRegistry(
      aggregatePublicKeys(KEYS.map((k) => k.publicKey)),
      ids,
      KEYS.map((k) => g2Hash(k.publicKey)),
    );
    return { harness, keys, ids };
  }

  async function registrationDigest(harness: BLS__Harness, operator: string, nodeId: bigint, pk: G2Point) {
    const { chainId } = await ethers.provider.getNetwork();
    const digest = ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint256", "address", "address", "uint256", "bytes32"],
        [ethers.id("PARS-BLS-HARNESS:REGISTER"), chainId, await harness.getAddress(), operator, nodeId, g2Hash(pk)],
      ),
    );
    expect(await harness.registrationDigest(operator, nodeId, pk)).to.equal(digest);
    return digest;
  }

  describe("domains and keys", () => {
    it("uses the same domain tags in Solidity and TypeScript", async () => {
      const { harness } = await loadFixture(deployHarness);
      expect(await harness.signatureDomain()).to.equal(SIGNATURE_DOMAIN);
      expect(await harness.popDomain()).to.equal(POP_DOMAIN);
      expect(SIGNATURE_DOMAIN).to.equal(ethers.id(SIGNATURE_DOMAIN_TAG));
      expect(POP_DOMAIN).to.equal(ethers.id(POP_DOMAIN_TAG));
      expect(SIGNATURE_DOMAIN).to.not.equal(POP_DOMAIN);
    });

    it("derives keys deterministically from a seed, and distinct keys from distinct seeds", () => {
      expect(secretKeyFromSeed(seedOf("a"))).to.equal(secretKeyFromSeed(seedOf("a")));
      expect(secretKeyFromSeed(seedOf("a"))).to.not.equal(secretKeyFromSeed(seedOf("b")));
      expect(() => secretKeyFromSeed(new Uint8Array(31))).to.throw(/at least 32 bytes/);
      const kp = keyPair("a");
      expect(kp.publicKey).to.deep.equal(publicKeyOf(kp.secretKey));
      expect(g2IsInSubgroup(kp.publicKey)).to.equal(true);
      expect(blsKeyPair().secretKey).to.not.equal(blsKeyPair().secretKey);
    });
  });

  describe("single signatures", () => {
    it("TypeScript signatures verify in Solidity and in TypeScript, for random keys and messages", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), bytes, async (seed, msg) => {
          const { secretKey, publicKey } = blsKeyPair(seed);
          const sig = sign(secretKey, msg);
          expect(g1From(await harness.hashMessage(msg))).to.deep.equal(hashToG1(msg));
          expect(await harness.verify(publicKey, msg, sig)).to.equal(true);
          expect(verify(publicKey, msg, sig)).to.equal(true);
        }),
        { numRuns: 8 },
      );
    });

    it("rejects a tampered message, a wrong key, and a signature under another domain", async () => {
      const { harness } = await loadFixture(deployHarness);
      const [a, b] = KEYS;
      const msg = ethers.toUtf8Bytes("deregister node 7");
      const sig = sign(a.secretKey, msg);
      expect(await harness.verify(a.publicKey, msg, sig)).to.equal(true);
      expect(await harness.verify(a.publicKey, ethers.toUtf8Bytes("deregister node 8"), sig)).to.equal(false);
      expect(await harness.verify(b.publicKey, msg, sig)).to.equal(false);
      expect(verify(b.publicKey, msg, sig)).to.equal(false);
      // The same key and bytes, hashed under the proof-of-possession domain.
      const popDomainSig = signHashed(a.secretKey, hashToG1(msg, POP_DOMAIN));
      expect(await harness.verify(a.publicKey, msg, popDomainSig)).to.equal(false);
      expect(verify(a.publicKey, msg, popDomainSig)).to.equal(false);
    });

    it("rejects infinity keys and signatures (which would otherwise accept any message)", async () => {
      const { harness } = await loadFixture(deployHarness);
      const msg = ethers.toUtf8Bytes("anything");
      // e(0, -G2) e(H, 0) = 1: without the explicit check this pair would verify.
      expect(await harness.verify(G2_INFINITY, msg, G1_INFINITY)).to.equal(false);
      expect(await harness.verify(KEYS[0].publicKey, msg, G1_INFINITY)).to.equal(false);
      expect(await harness.verify(G2_INFINITY, msg, sign(KEYS[0].secretKey, msg))).to.equal(false);
      expect(verify(G2_INFINITY, msg, G1_INFINITY)).to.equal(false);
    });

    it("rejects malformed points without reverting", async () => {
      const { harness } = await loadFixture(deployHarness);
      const msg = ethers.toUtf8Bytes("m");
      const { secretKey, publicKey } = KEYS[0];
      const sig = sign(secretKey, msg);
      expect(await harness.verify(publicKey, msg, { x: sig.x, y: sig.y + 1n })).to.equal(false);
      expect(await harness.verify({ ...publicKey, xRe: publicKey.xRe ^ 1n }, msg, sig)).to.equal(false);
      expect(await harness.verify(publicKey, msg, { x: sig.x + 21888242871839275222246405745257275088696311157297823662689037894645226208583n, y: sig.y }))
        .to.equal(false);
    });

    it("verifies an already hashed message", async () => {
      const { harness } = await loadFixture(deployHarness);
      const { secretKey, publicKey } = KEYS[1];
      const h = hashToG1(ethers.toUtf8Bytes("pre-hashed"));
      expect(await harness.verifyHashed(publicKey, h, signHashed(secretKey, h))).to.equal(true);
      expect(await harness.verifyHashed(publicKey, G1_GENERATOR, signHashed(secretKey, h))).to.equal(false);
    });

    it("verifies a digest with the hash's square roots supplied exactly as without them, and refuses wrong roots", async () => {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 9 }), async (d, k) => {
          const digest = ethers.hexlify(d);
          const { secretKey, publicKey } = KEYS[k];
          const sig = sign(secretKey, digest);
          const roots = hashToG1Roots(digest);
          expect(await harness.verifyWithHashRoots(publicKey, digest, roots, sig)).to.equal(true);
          expect(await harness.verifyWithHashRoots(publicKey, digest, [], sig)).to.equal(true);
          expect(await harness.verifyWithHashRoots(KEYS[k + 1].publicKey, digest, roots, sig)).to.equal(false);
          const wrong = [...roots.slice(0, -1), roots[roots.length - 1] ^ 2n];
          expect(await harness.verifyWithHashRoots(publicKey, digest, wrong, sig)).to.equal(false);
        }),
        { numRuns: 6 },
      );
    });
  });

  describe("aggregates and non-signers", () => {
    it("an aggregate signature verifies against the aggregate key minus the non-signers, for random signer sets", async () => {
      const { harness } = await loadFixture(deployHarness);
      const keys = nodeKeys(8);
      await fc.assert(
        fc.asyncProperty(fc.subarray([...keys.keys()], { minLength: 1 }), bytes, async (signers, msg) => {
          const att = aggregateAttestation(keys, signers, msg);
          expect(att.nonSigners.length + att.signers.length).to.equal(keys.size);
          expect(g2From(await harness.signersKey(att.aggregatePublicKey, att.nonSignerPublicKeys))).to.deep.equal(
            att.signersPublicKey,
          );
          expect(subtractPublicKeys(att.aggregatePublicKey, att.nonSignerPublicKeys)).to.deep.equal(att.signersPublicKey);
          expect(await harness.verifyAggregate(att.aggregatePublicKey, att.nonSignerPublicKeys, msg, att.signature)).to.equal(
            true,
          );
          expect(verify(att.signersPublicKey, msg, att.signature)).to.equal(true);
        }),
        { numRuns: 6 },
      );
    });

    it("the aggregator's signature equals the sum of individual signatures", () => {
      const keys = nodeKeys(5);
      const msg = ethers.toUtf8Bytes("sum");
      const att = aggregateAttestation(keys, [1n, 3n, 4n], msg);
      expect(att.signature).to.deep.equal(aggregateSignatures([1, 3, 4].map((i) => sign(KEYS[i - 1].secretKey, msg))));
      expect(att.nonSigners).to.deep.equal([2n, 5n]);
      expect(att.nonSignerPublicKeys).to.deep.equal([KEYS[1].publicKey, KEYS[4].publicKey]);
      expect(() => aggregateAttestation(keys, [9n], msg)).to.throw(/signer 9 has no key/);
      // Secret keys alone work too (public keys are derived).
      const bare = new Map([...keys].map(([id, kp]) => [id, kp.secretKey] as const));
      expect(aggregateAttestation(bare, [1n, 3n, 4n], msg)).to.deep.equal(att);
    });

    it("rejects a missing signer, a signer listed as non-signer, and a wrong message", async () => {
      const { harness } = await loadFixture(deployHarness);
      const keys = nodeKeys(6);
      const msg = ethers.toUtf8Bytes("attest");
      const att = aggregateAttestation(keys, [1n, 2n, 3n, 4n], msg);
      expect(await harness.verifyAggregate(att.aggregatePublicKey, att.nonSignerPublicKeys, msg, att.signature)).to.equal(true);
      // Node 4 is counted as a signer but its share is missing from the signature.
      const short = aggregateAttestation(keys, [1n, 2n, 3n], msg).signature;
      expect(await harness.verifyAggregate(att.aggregatePublicKey, att.nonSignerPublicKeys, msg, short)).to.equal(false);
      // Node 4 signed but is also listed as a non-signer.
      const extra = [...att.nonSignerPublicKeys, KEYS[3].publicKey];
      expect(await harness.verifyAggregate(att.aggregatePublicKey, extra, msg, att.signature)).to.equal(false);
      expect(
        await harness.verifyAggregate(att.aggregatePublicKey, att.nonSignerPublicKeys, ethers.toUtf8Bytes("attesT"), att.signature),
      ).to.equal(false);
      // Every node listed as non-signer leaves the infinity key: nothing verifies.
      const everyone = KEYS.slice(0, 6).map((k) => k.publicKey);
      expect(await harness.verifyAggregate(att.aggregatePublicKey, everyone, msg, G1_INFINITY)).to.equal(false);
    });

    it("checks an attestation against the stored aggregate, with the storage checks of a verifier", async () => {
      const { harness, keys } = await loadFixture(deployWithRegistry);
      const msg = ethers.toUtf8Bytes("deregister node 42");
      const signers = [...keys.keys()].filter((id) => id % 7n !== 0n);
      const att = aggregateAttestation(keys, signers, msg);
      expect(await harness.verifyAttestation(msg, att.signature, att.nonSigners, att.nonSignerPublicKeys)).to.equal(true);
      await expect(harness.checkAttestation(msg, att.signature, att.nonSigners, att.nonSignerPublicKeys))
        .to.emit(harness, "AttestationChecked")
        .withArgs(ethers.keccak256(msg), att.nonSigners.length, true);
      expect(await harness.lastValid()).to.equal(true);

      const ids = [...att.nonSigners];
      [ids[0], ids[1]] = [ids[1], ids[0]];
      const swappedKeys = [att.nonSignerPublicKeys[1], att.nonSignerPublicKeys[0], ...att.nonSignerPublicKeys.slice(2)];
      await expect(harness.verifyAttestation(msg, att.signature, ids, swappedKeys))
        .to.be.revertedWithCustomError(harness, "NonSignersNotAscending")
        .withArgs(1, ids[1]);
      const dup = [att.nonSigners[0], att.nonSigners[0]];
      await expect(harness.verifyAttestation(msg, att.signature, dup, att.nonSignerPublicKeys.slice(0, 1).concat(att.nonSignerPublicKeys[0])))
        .to.be.revertedWithCustomError(harness, "NonSignersNotAscending")
        .withArgs(1, dup[1]);
      const wrongKeys = [KEYS[0].publicKey, ...att.nonSignerPublicKeys.slice(1)];
      await expect(harness.verifyAttestation(msg, att.signature, att.nonSigners, wrongKeys))
        .to.be.revertedWithCustomError(harness, "NonSignerKeyMismatch")
        .withArgs(0, att.nonSigners[0]);
      await expect(harness.verifyAttestation(msg, att.signature, att.nonSigners, []))
        .to.be.revertedWithCustomError(harness, "NonSignerLengthMismatch")
        .withArgs(att.nonSigners.length, 0);
      // A non-signer omitted from the list: the signature lacks its share.
      expect(
        await harness.verifyAttestation(msg, att.signature, att.nonSigners.slice(1), att.nonSignerPublicKeys.slice(1)),
      ).to.equal(false);
    });
  });

  describe("proof of possession and registration", () => {
    it("TypeScript proofs verify in Solidity; a proof is not a signature and a signature is not a proof", async () => {
      const { harness } = await loadFixture(deployHarness);
      const { secretKey, publicKey } = KEYS[2];
      const digest = ethers.id("some registration digest");
      const pop = proofOfPossession(secretKey, digest);
      expect(g1From(await harness.hashProofOfPossession(digest))).to.deep.equal(hashProofOfPossession(digest));
      expect(await harness.verifyProofOfPossession(publicKey, digest, pop)).to.equal(true);
      expect(verifyProofOfPossession(publicKey, digest, pop)).to.equal(true);
      expect(await harness.verify(publicKey, digest, pop)).to.equal(false);
      expect(await harness.verifyProofOfPossession(publicKey, digest, sign(secretKey, digest))).to.equal(false);
      expect(await harness.verifyProofOfPossession(KEYS[3].publicKey, digest, pop)).to.equal(false);
      expect(await harness.verifyProofOfPossession(publicKey, ethers.id("other digest"), pop)).to.equal(false);
    });

    it("registers keys with proofs bound to operator, node, chain and contract, keeping the aggregate equal to TypeScript's", async () => {
      const { harness, operator, other } = await loadFixture(deployHarness);
      const added: G2Point[] = [];
      for (const [i, kp] of KEYS.slice(0, 3).entries()) {
        const nodeId = BigInt(i + 1);
        const digest = await registrationDigest(harness, operator.address, nodeId, kp.publicKey);
        await expect(harness.connect(operator).registerKey(nodeId, kp.publicKey, proofOfPossession(kp.secretKey, digest)))
          .to.emit(harness, "KeyRegistered")
          .withArgs(nodeId, g2Hash(kp.publicKey));
        added.push(kp.publicKey);
        expect(g2From(await harness.aggregateKey())).to.deep.equal(aggregatePublicKeys(added));
      }
      const kp = KEYS[3];
      const digest = await registrationDigest(harness, operator.address, 4n, kp.publicKey);
      const pop = proofOfPossession(kp.secretKey, digest);
      // Replayed by another operator, or for another node id: the digest differs.
      await expect(harness.connect(other).registerKey(4n, kp.publicKey, pop))
        .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession")
        .withArgs(4n, g2Hash(kp.publicKey));
      await expect(harness.connect(operator).registerKey(5n, kp.publicKey, pop))
        .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession")
        .withArgs(5n, g2Hash(kp.publicKey));
      // Signed under the signature domain instead of the PoP domain.
      await expect(harness.connect(operator).registerKey(4n, kp.publicKey, sign(kp.secretKey, digest)))
        .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession")
        .withArgs(4n, g2Hash(kp.publicKey));
      // A key belongs to one node only.
      const again = await registrationDigest(harness, operator.address, 9n, KEYS[0].publicKey);
      await expect(harness.connect(operator).registerKey(9n, KEYS[0].publicKey, proofOfPossession(KEYS[0].secretKey, again)))
        .to.be.revertedWithCustomError(harness, "KeyAlreadyRegistered")
        .withArgs(9n, g2Hash(KEYS[0].publicKey));
    });

    it("refuses to register a twist point outside the order-r subgroup", async () => {
      const { harness, operator } = await loadFixture(deployHarness);
      const T = nonSubgroupTwistPoint(7);
      expect(g2IsOnCurve(T), "the point must be on the twist").to.equal(true);
      expect(g2IsInSubgroup(T)).to.equal(false);
      const digest = await registrationDigest(harness, operator.address, 1n, T);
      // A "proof" made with some scalar: whatever the signature, the precompile refuses the key.
      const pop = proofOfPossession(123456789n, digest);
      expect(await harness.verifyProofOfPossession(T, digest, pop)).to.equal(false);
      await expect(harness.connect(operator).registerKey(1n, T, pop))
        .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession")
        .withArgs(1n, g2Hash(T));
      // It is the subgroup check that fails: the exact pairing input makes the precompile fail, not
      // return 0.
      const h = hashProofOfPossession(digest);
      const input = ethers.concat([
        encodeG1(pop),
        encodeG2({
          xIm: 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2n,
          xRe: 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6edn,
          yIm: 0x275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ecn,
          yRe: 0x1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9dn,
        }),
        encodeG1(h),
        encodeG2(T),
      ]);
      const raw = await ethers.deployContract("BN254__Harness", [false]);
      const [success] = await raw.precompileRaw("0x0000000000000000000000000000000000000008", input);
      expect(success).to.equal(false);
    });

    it("removes keys from the aggregate on exit, down to infinity", async () => {
      const { harness, operator } = await loadFixture(deployHarness);
      const pks = KEYS.slice(0, 3);
      for (const [i, kp] of pks.entries()) {
        const digest = await registrationDigest(harness, operator.address, BigInt(i + 1), kp.publicKey);
        await harness.connect(operator).registerKey(BigInt(i + 1), kp.publicKey, proofOfPossession(kp.secretKey, digest));
      }
      await expect(harness.removeKey(2n, pks[0].publicKey)).to.be.revertedWithCustomError(harness, "UnknownNode").withArgs(2n);
      await expect(harness.removeKey(2n, pks[1].publicKey))
        .to.emit(harness, "KeyRemoved")
        .withArgs(2n, g2Hash(pks[1].publicKey));
      expect(g2From(await harness.aggregateKey())).to.deep.equal(aggregatePublicKeys([pks[0].publicKey, pks[2].publicKey]));
      await harness.removeKey(1n, pks[0].publicKey);
      await harness.removeKey(3n, pks[2].publicKey);
      expect(g2From(await harness.aggregateKey())).to.deep.equal(G2_INFINITY);
      // With no keys left nothing verifies, not even the infinity signature.
      expect(await harness.verifyAttestation("0x", G1_INFINITY, [], [])).to.equal(false);
    });

    it("keeps the stored affine aggregate exact through add, double and cancel", async () => {
      const { harness } = await loadFixture(deployHarness);
      const [a, b] = [KEYS[5].publicKey, KEYS[6].publicKey];
      await harness.mock__addToAggregate(a);
      await harness.mock__addToAggregate(a);
      await harness.mock__addToAggregate(b);
      expect(g2From(await harness.aggregateKey())).to.deep.equal(aggregatePublicKeys([a, a, b]));
      await harness.mock__subFromAggregate(a);
      await harness.mock__subFromAggregate(b);
      await harness.mock__subFromAggregate(a);
      expect(g2From(await harness.aggregateKey())).to.deep.equal(G2_INFINITY);
    });
  });

  describe("gas", () => {
    const gasOf = async (p: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
      Number((await (await p).wait())!.gasUsed);

    itGas("stays within the attestation budget: well under 300k with no non-signer, ≤ 15k per non-signer", async () => {
      const { harness, keys } = await loadFixture(deployWithRegistry);
      const msg = ethers.toUtf8Bytes("deregister node 5, epoch 1234");
      // Warm-up: the first check writes `lastValid` from zero, which later ones do not pay again.
      const all = aggregateAttestation(keys, keys.keys(), msg);
      await harness.checkAttestation(msg, all.signature, [], []);

      const rows: Record<string, number> = {};
      for (const n of [0, 1, 10, 100]) {
        const att = aggregateAttestation(keys, [...keys.keys()].slice(n), msg);
        rows[`checkAttestation, ${n} non-signers`] = await gasOf(
          harness.checkAttestation(msg, att.signature, att.nonSigners, att.nonSignerPublicKeys),
        );
        expect(await harness.lastValid()).to.equal(true);
      }
      const perNonSigner = (rows["checkAttestation, 100 non-signers"] - rows["checkAttestation, 1 non-signers"]) / 99;
      rows["  per non-signer (100 vs 1)"] = Math.round(perNonSigner);

      // Execution gas of the library parts alone (no calldata, storage or transaction cost).
      const ten = aggregateAttestation(keys, [...keys.keys()].slice(10), msg);
      const [hashGas, subtractGas, toAffineGas, pairingGas, valid] = await harness.gasProfile(
        msg,
        ten.aggregatePublicKey,
        ten.nonSignerPublicKeys,
        ten.signature,
      );
      expect(valid).to.equal(true);
      const hashes: number[] = [];
      for (let i = 0; i < 16; i++) {
        hashes.push(Number((await harness.gasProfile(ethers.toBeArray(i + 1), G2_INFINITY, [], G1_INFINITY))[0]));
      }
      rows["library: hashToG1 (this message)"] = Number(hashGas);
      rows["library: hashToG1 (mean of 16)"] = Math.round(hashes.reduce((a, b) => a + b, 0) / hashes.length);
      rows["library: hashToG1 (max of 16)"] = Math.max(...hashes);
      rows["library: mixed subtraction, per key"] = Math.round(Number(subtractGas) / 10);
      rows["library: Jacobian to affine"] = Number(toAffineGas);
      rows["library: pairing check (2 pairs)"] = Number(pairingGas);

      const kp = KEYS[0];
      rows["tx: verify one signature"] = await gasOf(harness.mock__verifyTx(kp.publicKey, msg, sign(kp.secretKey, msg)));
      const digest = ethers.id("pop digest");
      rows["tx: proof of possession check"] = await gasOf(
        harness.mock__verifyProofOfPossessionTx(kp.publicKey, digest, proofOfPossession(kp.secretKey, digest)),
      );
      rows["tx: aggregate key += one key"] = await gasOf(harness.mock__addToAggregate(kp.publicKey));
      rows["tx: aggregate key -= one key"] = await gasOf(harness.mock__subFromAggregate(kp.publicKey));
      const [operator] = await ethers.getSigners();
      const fresh = keyPair("fresh");
      const regDigest = await registrationDigest(harness, operator.address, 1000n, fresh.publicKey);
      rows["tx: registerKey (PoP + aggregate + 2 slots)"] = await gasOf(
        harness.registerKey(1000n, fresh.publicKey, proofOfPossession(fresh.secretKey, regDigest)),
      );
      console.log("\n      BLS gas (local network):");
      for (const [k, v] of Object.entries(rows)) console.log(`        ${k.padEnd(46)} ${v.toLocaleString("en-US")}`);

      expect(rows["checkAttestation, 0 non-signers"]).to.be.below(200_000);
      expect(perNonSigner).to.be.at.most(15_000);
      expect(rows["library: mixed subtraction, per key"]).to.be.below(5_000);
      expect(rows["tx: aggregate key += one key"]).to.be.below(80_000);
    });
  });

  it("keeps TypeScript G1 helpers consistent (negation and addition)", () => {
    const s = sign(KEYS[0].secretKey, "0x01");
    expect(g1Add(s, g1Negate(s))).to.deep.equal(G1_INFINITY);
  });
});
