import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { clearSnapshots, loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import fc from "fast-check";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { usePrecompiles } from "../helpers/precompiles";
import {
  MLDSA_CONTEXT,
  MLDSA_PARAMS,
  MLKEM_PARAMS,
  mldsaKeyGen,
  mldsaSign,
  mldsaVerify,
  mlkemDecapsulate,
  mlkemEncapsulate,
  mlkemKeyGen,
  type MLDSAMode,
} from "../../src/pq";
import { mldsaInterface, mlkemInterface } from "../../src/precompiles/abi";
import { precompileEncapsulationSeed } from "../../src/precompiles/handlers";
import { CallOverrideHookMissingError, findEdrWrapper, installParsPrecompiles } from "../../src/precompiles/install";
import {
  LUX_MLKEM_ENCAP_TAG,
  luxBatchInput,
  luxEncapsulateInput,
  luxEncapsulationRandomness,
  luxEntry,
  luxVerifyInput,
} from "../../src/precompiles/lux";
import { PQ_PRECOMPILES, PQ_PROFILES, pqProfileId, type PQProfile } from "../../src/networks";

/** The ABI-level tests of the `pip` interface use its addresses. */
const PIP = PQ_PRECOMPILES.pip;
const LUX = PQ_PRECOMPILES.lux;

const enc = (s: string) => ethers.toUtf8Bytes(s);
const digestOf = (s: string) => ethers.getBytes(ethers.id(s));
const flip = (b: Uint8Array, i: number) => {
  const c = Uint8Array.from(b);
  c[i] ^= 0x01;
  return c;
};

async function rawCall(to: string, data: string | Uint8Array, from?: string): Promise<{ ok: boolean; data: string }> {
  try {
    return { ok: true, data: await ethers.provider.call({ to, data: ethers.hexlify(data), from }) };
  } catch {
    return { ok: false, data: "0x" };
  }
}

/** `verify` through the `pip` ABI: true, false, or "fail" when the call fails. */
async function pipVerify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): Promise<boolean | "fail"> {
  const res = await rawCall(PIP.mldsa, mldsaInterface.encodeFunctionData("verify", [pk, msg, sig]));
  return res.ok ? (mldsaInterface.decodeFunctionResult("verify", res.data)[0] as boolean) : "fail";
}

/** A `lux` verify: the answer word's value, or "fail" when the call fails. */
async function luxVerify(input: Uint8Array): Promise<bigint | "fail"> {
  const res = await rawCall(LUX.mldsa, input);
  if (!res.ok) return "fail";
  expect(ethers.getBytes(res.data).length).to.equal(32);
  return BigInt(res.data);
}

async function deployConsumer(profile: PQProfile) {
  const pc = await usePrecompiles();
  const consumer = await ethers.deployContract("PQConsumer__Mock", [pqProfileId(profile), pc.profiles[profile].mldsa, pc.profiles[profile].mlkem]);
  return { consumer, pc };
}
const luxConsumer = () => deployConsumer("lux");
const pipConsumer = () => deployConsumer("pip");
const consumerOf = { lux: luxConsumer, pip: pipConsumer };

describe("PQ precompiles served from TypeScript", () => {
  describe("the EDR call-override hook", () => {
    it("exists on Hardhat's provider (this private API is what serves the precompiles)", async () => {
      await usePrecompiles();
      const wrapper = findEdrWrapper(hre.network.provider);
      expect(wrapper, "EDR provider wrapper not found: Hardhat internals changed").to.not.equal(undefined);
      expect(typeof wrapper!._setCallOverrideCallback).to.equal("function");
    });

    it("fails loudly, not silently, when a Hardhat provider lacks the hook", async () => {
      const fake = {
        constructor: { name: "EdrProviderWrapper" },
        request: async () => "0x7a69",
      };
      Object.setPrototypeOf(fake, { constructor: { name: "EdrProviderWrapper" } });
      await expect(installParsPrecompiles(fake)).to.be.rejectedWith(CallOverrideHookMissingError);
    });

    it("is re-installed after hardhat_reset, both profiles and the lux ML-KEM shim", async () => {
      await usePrecompiles();
      await hre.network.provider.request({ method: "hardhat_reset", params: [] });
      // A reset invalidates every fixture snapshot: let fixtures rebuild on their next use.
      await clearSnapshots();
      const kp = mldsaKeyGen(65);
      const msg = enc("after reset");
      expect(await pipVerify(kp.publicKey, msg, mldsaSign(kp.secretKey, msg, { profile: "pip" }))).to.equal(true);
      expect(await luxVerify(luxVerifyInput(kp.publicKey, msg, mldsaSign(kp.secretKey, msg, { profile: "lux" })))).to.equal(1n);
      expect(await ethers.provider.getCode(LUX.mlkem)).to.not.equal("0x");
      expect((await rawCall(LUX.mlkem, luxEncapsulateInput(mlkemKeyGen(1).publicKey))).ok).to.equal(true);
    });

    it("works inside loadFixture snapshots and in transactions", async () => {
      const { consumer } = await loadFixture(luxConsumer);
      const kp = mldsaKeyGen(65);
      const digest = digestOf("in a transaction");
      await (await consumer.verifyAndCount(kp.publicKey, digest, mldsaSign(kp.secretKey, digest, { profile: "lux" }))).wait();
      expect(await consumer.verifiedCount()).to.equal(1n);
      const again = await loadFixture(luxConsumer);
      expect(await again.consumer.verifiedCount()).to.equal(0n);
      expect(await again.consumer.verify(kp.publicKey, digest, mldsaSign(kp.secretKey, digest, { profile: "lux" }))).to.equal(true);
    });
  });

  describe("the lux profile (the chain's code)", () => {
    it("verifies the chain's drift vector (ML-DSA-65, seed 0x00…1f) and refuses it signed with the empty context", async () => {
      await usePrecompiles();
      const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
      const kp = mldsaKeyGen(65, seed);
      const msg = enc("lux-precompile-nist-kat-v1");
      const sig = mldsaSign(kp.secretKey, msg, { profile: "lux" });
      // luxfi/precompile mldsa/testdata/drift_vectors.json, ML-DSA-65.
      expect(ethers.hexlify(kp.publicKey.slice(0, 32))).to.equal("0x48683d91978e31eb3dddb8b0473482d2b88a5f625949fd8f58a561e696bd4c27");
      expect(ethers.hexlify(sig.slice(0, 32))).to.equal("0x872bca411c52e568e2d2c6f985ab96899d1c79ff5f1886ae71523f6dd509d144");
      expect(MLDSA_CONTEXT.lux).to.equal("lux-evm-precompile-mldsa-v1");
      expect(await luxVerify(luxVerifyInput(kp.publicKey, msg, sig))).to.equal(1n);
      // The drift test's own negative: the last signature bit flipped.
      expect(await luxVerify(luxVerifyInput(kp.publicKey, msg, flip(sig, sig.length - 1)))).to.equal(0n);
      // What our tooling signed before the profiles (FIPS 204's empty context) does not verify here.
      const emptyContext = mldsaSign(kp.secretKey, msg, { profile: "pip" });
      expect(await luxVerify(luxVerifyInput(kp.publicKey, msg, emptyContext))).to.equal(0n);
      // And the lux signature does not verify through the pip interface.
      expect(await pipVerify(kp.publicKey, msg, sig)).to.equal(false);
    });

    for (const mode of [44, 65, 87] as MLDSAMode[]) {
      it(`ML-DSA-${mode}: mode byte 0x${mode}, a valid signature is 1, any flipped bit 0`, async () => {
        await usePrecompiles();
        const kp = mldsaKeyGen(mode, digestOf(`lux-${mode}`));
        const msg = enc(`message for ML-DSA-${mode}`);
        const sig = mldsaSign(kp.secretKey, msg, { profile: "lux" });
        expect(luxVerifyInput(kp.publicKey, msg, sig, mode)[0]).to.equal(parseInt(String(mode), 16));
        expect(await luxVerify(luxVerifyInput(kp.publicKey, msg, sig, mode))).to.equal(1n);
        expect(await luxVerify(luxVerifyInput(flip(kp.publicKey, 40), msg, sig, mode))).to.equal(0n);
        expect(await luxVerify(luxVerifyInput(kp.publicKey, flip(msg, 0), sig, mode))).to.equal(0n);
      });
    }

    it("errs where the chain errs: empty input, unknown mode, a total length that does not match, a non-canonical length word", async () => {
      await usePrecompiles();
      const kp = mldsaKeyGen(65);
      const msg = enc("lengths");
      const good = luxVerifyInput(kp.publicKey, msg, mldsaSign(kp.secretKey, msg, { profile: "lux" }));
      expect(await luxVerify(new Uint8Array())).to.equal("fail");
      expect(await luxVerify(Uint8Array.of(0x66, ...good.slice(1)))).to.equal("fail");
      expect(await luxVerify(good.slice(0, good.length - 1))).to.equal("fail");
      expect(await luxVerify(Uint8Array.of(...good, 0))).to.equal("fail");
      const highLength = Uint8Array.from(good);
      highLength[1 + 1952] = 1; // the length word's top byte
      expect(await luxVerify(highLength)).to.equal("fail");
      // A call in pip's ABI at the lux address is an error too (its first byte is no mode).
      expect(await luxVerify(ethers.getBytes(mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, good.slice(1954)])))).to.equal("fail");
    });

    it("batch op 0x10: one byte per entry, right-aligned; an empty batch answers a zero word; a truncated one errs", async () => {
      const { consumer } = await loadFixture(luxConsumer);
      const keys = [0, 1, 2].map((i) => mldsaKeyGen(65, digestOf(`batch-${i}`)));
      const digests = [0, 1, 2].map((i) => digestOf(`batch message ${i}`));
      const sigs = keys.map((k, i) => mldsaSign(k.secretKey, digests[i], { profile: "lux" }));
      const entries = keys.map((k, i) => ({ publicKey: k.publicKey, message: digests[i], signature: i === 1 ? flip(sigs[i], 9) : sigs[i] }));
      const raw = await rawCall(LUX.mldsa, luxBatchInput(entries));
      expect(raw.ok).to.equal(true);
      const out = ethers.getBytes(raw.data);
      expect(out.length).to.equal(32);
      expect([...out.slice(29)]).to.deep.equal([1, 0, 1]);
      expect(out.slice(0, 29).every((b) => b === 0)).to.equal(true);
      // The library's reading: bit i for entry i.
      const packed = ethers.concat(entries.map((e) => luxEntry(e.publicKey, e.message, e.signature)));
      expect(await consumer.verifyBatch(packed, 3)).to.equal(0b101n);
      expect(await consumer.verifyBatch(packed, 2)).to.equal(0n); // the count does not match the entries: an error
      const empty = await rawCall(LUX.mldsa, Uint8Array.of(0x10, 0x65, 0, 0));
      expect(empty).to.deep.equal({ ok: true, data: ethers.ZeroHash });
      expect((await rawCall(LUX.mldsa, Uint8Array.of(0x10, 0xff, 0, 0))).ok).to.equal(false);
      const input = luxBatchInput(entries);
      expect((await rawCall(LUX.mldsa, input.slice(0, input.length - 1))).ok).to.equal(false);
      expect((await rawCall(LUX.mldsa, Uint8Array.of(...input, 0))).ok).to.equal(false);
    });

    it("ML-KEM encapsulation is bound to the caller: m = SHA-256(\"MLKEM_ENCAP_v1\" ‖ caller ‖ seed), byte for byte", async () => {
      await usePrecompiles();
      const kp = mlkemKeyGen(1, Uint8Array.from({ length: 64 }, (_, i) => i));
      // luxfi/precompile mlkem/testdata/drift_vectors.json, ML-KEM-768 key from seed 0x00…3f.
      expect(ethers.hexlify(kp.publicKey.slice(0, 32))).to.equal("0x298aa10d423c8dda069d02bc59e6cdf03a096b8b3da4cab9b80ca4a14907672c");
      const seed = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
      const [a, b] = (await ethers.getSigners()).map((s) => s.address);
      const answers: string[] = [];
      for (const caller of [a, b]) {
        const res = await rawCall(LUX.mlkem, luxEncapsulateInput(kp.publicKey, seed), caller);
        expect(res.ok).to.equal(true);
        const out = ethers.getBytes(res.data);
        expect(out.length).to.equal(1088 + 32);
        const m = sha256(ethers.getBytes(ethers.concat([ethers.toUtf8Bytes(LUX_MLKEM_ENCAP_TAG), caller, seed])));
        expect(ethers.hexlify(luxEncapsulationRandomness(ethers.getBytes(caller), seed))).to.equal(ethers.hexlify(m));
        const expected = mlkemEncapsulate(kp.publicKey, m);
        expect(ethers.hexlify(out.slice(0, 1088))).to.equal(ethers.hexlify(expected.cipherText));
        expect(ethers.hexlify(out.slice(1088))).to.equal(ethers.hexlify(expected.sharedSecret));
        expect(ethers.hexlify(mlkemDecapsulate(kp.secretKey, out.slice(0, 1088)))).to.equal(ethers.hexlify(out.slice(1088)));
        answers.push(res.data);
      }
      expect(answers[0]).to.not.equal(answers[1]);
    });

    it("ML-KEM errs where the chain errs: no decapsulate, no key generation, wrong lengths, unknown mode, a key failing the modulus check", async () => {
      await usePrecompiles();
      const kp = mlkemKeyGen(1);
      const good = luxEncapsulateInput(kp.publicKey);
      expect((await rawCall(LUX.mlkem, good)).ok).to.equal(true);
      const bad = Uint8Array.from(kp.publicKey);
      bad[0] = 0xff;
      bad[1] |= 0x0f;
      for (const input of [
        Uint8Array.of(0x02, 0x01, ...kp.secretKey.slice(0, 64)), // decapsulate
        Uint8Array.of(0x00, 0x01), // key generation
        good.slice(0, good.length - 1),
        Uint8Array.of(...good, 0),
        Uint8Array.of(0x01, 0x03, ...good.slice(2)),
        luxEncapsulateInput(bad),
        new Uint8Array(),
      ]) {
        expect((await rawCall(LUX.mlkem, input)).ok).to.equal(false);
      }
    });

    it("a failing lux call burns only the library's capped gas, not the transaction", async () => {
      const { consumer } = await loadFixture(luxConsumer);
      const bad = Uint8Array.from(mlkemKeyGen(1).publicKey);
      bad[0] = 0xff;
      bad[1] |= 0x0f;
      // The shim burns every unit it is given on an error, as the chain does; the cap keeps it bounded.
      const used = await consumer.validateKemKey.estimateGas(bad);
      expect(await consumer.validateKemKey(bad, { gasLimit: 1_000_000 })).to.equal(false);
      expect(used).to.be.lessThan(400_000n);
      expect(used).to.be.greaterThan(200_000n);
    });
  });

  for (const profile of PQ_PROFILES) {
    describe(`PQPrecompiles in the ${profile} profile`, () => {
      const kp = mldsaKeyGen(65, digestOf(`consumer-${profile}`));
      const digest = digestOf(`Pars ${profile} digest`);
      const sig = mldsaSign(kp.secretKey, digest, { profile });
      const other: PQProfile = profile === "lux" ? "pip" : "lux";

      it("accepts a signature made under the profile's context, and only that one", async () => {
        const { consumer } = await loadFixture(consumerOf[profile]);
        expect(await consumer.verify(kp.publicKey, digest, sig)).to.equal(true);
        expect(await consumer.verify(kp.publicKey, digest, mldsaSign(kp.secretKey, digest, { profile: other }))).to.equal(false);
        expect(await consumer.verify(flip(kp.publicKey, 40), digest, sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, flip(digest, 0), sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, digest, flip(sig, sig.length - 1))).to.equal(false);
      });

      it("wrong lengths give false (the precompile fails, the library never reports success)", async () => {
        const { consumer } = await loadFixture(consumerOf[profile]);
        expect(await consumer.verify(kp.publicKey.slice(1), digest, sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, digest, sig.slice(1))).to.equal(false);
        expect(await consumer.verify(Uint8Array.of(...kp.publicKey, 0), digest, sig)).to.equal(false);
        expect(await consumer.verify("0x", digest, sig)).to.equal(false);
      });

      it("random digests verify, tampered signatures never do (property)", async () => {
        const { consumer } = await loadFixture(consumerOf[profile]);
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), async (d, where) => {
            const s = mldsaSign(kp.secretKey, d, { profile });
            expect(await consumer.verify(kp.publicKey, d, s)).to.equal(true);
            expect(await consumer.verify(kp.publicKey, d, flip(s, where % s.length))).to.equal(false);
          }),
          { numRuns: 8 },
        );
      });

      it("validates ML-KEM-768 keys: a valid key passes, a key failing the modulus check or of the wrong length does not", async () => {
        const { consumer } = await loadFixture(consumerOf[profile]);
        const good = mlkemKeyGen(1).publicKey;
        expect(await consumer.validateKemKey(good)).to.equal(true);
        // Coefficients are 12-bit; 0xFFF > q = 3329 fails the FIPS 203 modulus check.
        const bad = Uint8Array.from(good);
        bad[0] = 0xff;
        bad[1] |= 0x0f;
        expect(await consumer.validateKemKey(bad)).to.equal(false);
        expect(await consumer.validateKemKey(good.slice(1))).to.equal(false);
        expect(await consumer.validateKemKey("0x")).to.equal(false);
      });

      it("a consumer pointed at the other profile's precompiles refuses everything", async () => {
        const pc = await usePrecompiles();
        const crossed = await ethers.deployContract("PQConsumer__Mock", [pqProfileId(profile), pc.profiles[other].mldsa, pc.profiles[other].mlkem]);
        expect(await crossed.verify(kp.publicKey, digest, sig)).to.equal(false);
        expect(await crossed.verify(kp.publicKey, digest, mldsaSign(kp.secretKey, digest, { profile: other }))).to.equal(false);
        expect(await crossed.validateKemKey(mlkemKeyGen(1).publicKey)).to.equal(false);
      });
    });
  }

  describe("the pip interface (the PIPs' ABI)", () => {
    for (const mode of [44, 65, 87] as MLDSAMode[]) {
      it(`ML-DSA-${mode}: keyGenFromSeed, sign and verify agree with @noble/post-quantum (empty context)`, async () => {
        await usePrecompiles();
        const msg = enc(`Pars ML-DSA-${mode} message`);
        const seed = ethers.id(`kg-${mode}`);
        const res = await rawCall(PIP.mldsa, mldsaInterface.encodeFunctionData("keyGenFromSeed", [mode, seed]));
        const [pk, sk] = mldsaInterface.decodeFunctionResult("keyGenFromSeed", res.data);
        const local = mldsaKeyGen(mode, ethers.getBytes(seed));
        expect(pk).to.equal(ethers.hexlify(local.publicKey));
        expect(sk).to.equal(ethers.hexlify(local.secretKey));
        const signed = await rawCall(PIP.mldsa, mldsaInterface.encodeFunctionData("sign", [sk, msg]));
        const [onChainSig] = mldsaInterface.decodeFunctionResult("sign", signed.data);
        expect(onChainSig).to.equal(ethers.hexlify(mldsaSign(local.secretKey, msg, { profile: "pip" })));
        expect(mldsaVerify(local.publicKey, msg, ethers.getBytes(onChainSig), "pip")).to.equal(true);
        expect(await pipVerify(local.publicKey, msg, ethers.getBytes(onChainSig))).to.equal(true);
        const p = MLDSA_PARAMS[mode];
        expect(await pipVerify(local.publicKey, msg, ethers.getBytes(onChainSig).slice(0, p.signatureBytes - 1))).to.equal("fail");
      });
    }

    it("a key and signature of different parameter sets are rejected", async () => {
      await usePrecompiles();
      const msg = enc("mixed");
      expect(await pipVerify(mldsaKeyGen(65).publicKey, msg, mldsaSign(mldsaKeyGen(44).secretKey, msg, { profile: "pip" }))).to.equal("fail");
    });

    it("unknown selectors, unknown modes and truncated calldata make the precompile fail", async () => {
      await usePrecompiles();
      expect((await rawCall(PIP.mldsa, "0xdeadbeef")).ok).to.equal(false);
      expect((await rawCall(PIP.mldsa, "0x")).ok).to.equal(false);
      expect((await rawCall(PIP.mldsa, mldsaInterface.encodeFunctionData("keyGen", [66]))).ok).to.equal(false);
      expect((await rawCall(PIP.mlkem, mlkemInterface.encodeFunctionData("keyGen", [3]))).ok).to.equal(false);
      const full = mldsaInterface.encodeFunctionData("verify", ["0x01", "0x02", "0x03"]);
      expect((await rawCall(PIP.mldsa, full.slice(0, full.length - 64))).ok).to.equal(false);
      const kp = mldsaKeyGen(65);
      expect(await pipVerify(kp.publicKey, new Uint8Array(), mldsaSign(kp.secretKey, new Uint8Array(), { profile: "pip" }))).to.equal(true);
    });

    it("ML-KEM keyGen / encapsulate / decapsulate agree with @noble/post-quantum for 512, 768 and 1024", async () => {
      await usePrecompiles();
      for (const set of [0, 1, 2] as const) {
        const seed = ethers.getBytes(ethers.concat([ethers.id(`kem-${set}-a`), ethers.id(`kem-${set}-b`)]));
        const kg = await rawCall(PIP.mlkem, mlkemInterface.encodeFunctionData("keyGenFromSeed", [set, seed]));
        const [pk, sk] = mlkemInterface.decodeFunctionResult("keyGenFromSeed", kg.data);
        const local = mlkemKeyGen(set, seed);
        expect(pk).to.equal(ethers.hexlify(local.publicKey));
        expect(sk).to.equal(ethers.hexlify(local.secretKey));
        expect(ethers.getBytes(pk).length).to.equal(MLKEM_PARAMS[set].publicKeyBytes);

        const en = await rawCall(PIP.mlkem, mlkemInterface.encodeFunctionData("encapsulate", [pk]));
        const [ct, ss] = mlkemInterface.decodeFunctionResult("encapsulate", en.data);
        const expected = mlkemEncapsulate(local.publicKey, precompileEncapsulationSeed(local.publicKey));
        expect(ct).to.equal(ethers.hexlify(expected.cipherText));
        expect(ss).to.equal(ethers.hexlify(expected.sharedSecret));
        expect(ethers.hexlify(mlkemDecapsulate(local.secretKey, ethers.getBytes(ct)))).to.equal(ss);

        const fresh = mlkemEncapsulate(local.publicKey);
        const de = await rawCall(PIP.mlkem, mlkemInterface.encodeFunctionData("decapsulate", [sk, fresh.cipherText]));
        expect(mlkemInterface.decodeFunctionResult("decapsulate", de.data)[0]).to.equal(ethers.hexlify(fresh.sharedSecret));
      }
    });

    it("ML-KEM-768 interoperates with noble's own API directly; a wrong-length ciphertext makes decapsulate fail", async () => {
      await usePrecompiles();
      const { publicKey, secretKey } = ml_kem768.keygen();
      const en = await rawCall(PIP.mlkem, mlkemInterface.encodeFunctionData("encapsulate", [publicKey]));
      const [ct, ss] = mlkemInterface.decodeFunctionResult("encapsulate", en.data);
      expect(ethers.hexlify(ml_kem768.decapsulate(ethers.getBytes(ct), secretKey))).to.equal(ss);
      const short = ethers.getBytes(ct).slice(1);
      expect((await rawCall(PIP.mlkem, mlkemInterface.encodeFunctionData("decapsulate", [secretKey, short]))).ok).to.equal(false);
    });
  });

  describe("recorded fallback mocks (nodes without the hook)", () => {
    it("answer exactly the recorded calls with the TypeScript outcome in both profiles, and fail on anything else", async () => {
      await usePrecompiles();
      // Other addresses than the hooked ones, so the Solidity mocks answer.
      const profiles = {
        lux: { mldsa: "0x000000000000000000000000000000000000a202", mlkem: "0x000000000000000000000000000000000000a201" },
        pip: { mldsa: "0x000000000000000000000000000000000000a601", mlkem: "0x000000000000000000000000000000000000a603" },
      };
      const rec = await installParsPrecompiles(hre, { mode: "recorded", profiles, dexMocks: false });
      expect(rec.mode).to.equal("recorded");
      try {
        for (const profile of PQ_PROFILES) {
          const consumer = await ethers.deployContract("PQConsumer__Mock", [pqProfileId(profile), profiles[profile].mldsa, profiles[profile].mlkem]);
          const kp = mldsaKeyGen(65);
          const digest = digestOf(`recorded ${profile}`);
          const sig = mldsaSign(kp.secretKey, digest, { profile });
          const bad = flip(sig, 7);
          const input = (s: Uint8Array) =>
            profile === "lux" ? luxVerifyInput(kp.publicKey, digest, s) : mldsaInterface.encodeFunctionData("verify", [kp.publicKey, digest, s]);
          // Not recorded yet: invalid, never valid.
          expect(await consumer.verify(kp.publicKey, digest, sig)).to.equal(false);
          await rec.record("mldsa", input(sig), { profile });
          await rec.record("mldsa", input(bad), { profile });
          expect(await consumer.verify(kp.publicKey, digest, sig)).to.equal(true);
          expect(await consumer.verify(kp.publicKey, digest, bad)).to.equal(false);

          // The lux ML-KEM's recorder sits behind the caller shim at the host's own address, which the
          // in-process hook serves first: its recorded path is exercised on a node without the hook.
          if (profile === "pip") {
            const kem = mlkemKeyGen(1);
            await rec.record("mlkem", mlkemInterface.encodeFunctionData("encapsulate", [kem.publicKey]), { profile });
            expect(await consumer.validateKemKey(kem.publicKey)).to.equal(true);
          }
        }
      } finally {
        // Back to the hook at the default addresses for the rest of the run.
        await installParsPrecompiles(hre);
      }
    });
  });
});
