import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { clearSnapshots, loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import fc from "fast-check";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { usePrecompiles } from "../helpers/precompiles";
import {
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
import { PRECOMPILES } from "../../src/networks";

const enc = (s: string) => ethers.toUtf8Bytes(s);
const flip = (b: Uint8Array, i: number) => {
  const c = Uint8Array.from(b);
  c[i] ^= 0x01;
  return c;
};

async function rawCall(to: string, data: string): Promise<{ ok: boolean; data: string }> {
  try {
    return { ok: true, data: await ethers.provider.call({ to, data }) };
  } catch {
    return { ok: false, data: "0x" };
  }
}

describe("PQ precompiles served from TypeScript", () => {
  async function deployConsumer() {
    const pc = await usePrecompiles();
    const consumer = await ethers.deployContract("PQConsumer__Mock", [pc.addresses.mldsa, pc.addresses.mlkem]);
    return { consumer, pc };
  }

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

    it("is re-installed after hardhat_reset", async () => {
      await usePrecompiles();
      await hre.network.provider.request({ method: "hardhat_reset", params: [] });
      // A reset invalidates every fixture snapshot: let fixtures rebuild on their next use.
      await clearSnapshots();
      const kp = mldsaKeyGen(65);
      const sig = mldsaSign(kp.secretKey, enc("after reset"));
      const data = mldsaInterface.encodeFunctionData("verify", [kp.publicKey, enc("after reset"), sig]);
      const res = await rawCall(PRECOMPILES.mldsa, data);
      expect(res.ok).to.equal(true);
      expect(mldsaInterface.decodeFunctionResult("verify", res.data)[0]).to.equal(true);
    });

    it("works inside loadFixture snapshots and in transactions", async () => {
      const { consumer } = await loadFixture(deployConsumer);
      const kp = mldsaKeyGen(65);
      const msg = enc("in a transaction");
      await (await consumer.verifyAndCount(kp.publicKey, msg, mldsaSign(kp.secretKey, msg))).wait();
      expect(await consumer.verifiedCount()).to.equal(1n);
      const again = await loadFixture(deployConsumer);
      expect(await again.consumer.verifiedCount()).to.equal(0n);
      expect(await again.consumer.verify(kp.publicKey, msg, mldsaSign(kp.secretKey, msg))).to.equal(true);
    });
  });

  for (const mode of [44, 65, 87] as MLDSAMode[]) {
    describe(`ML-DSA-${mode} through 0x…0601`, () => {
      const kp = mldsaKeyGen(mode, ethers.getBytes(ethers.id(`seed-${mode}`)));
      const msg = enc(`Pars ML-DSA-${mode} message`);
      const sig = mldsaSign(kp.secretKey, msg);

      it("a consumer contract accepts a valid signature made in TypeScript", async () => {
        const { consumer } = await loadFixture(deployConsumer);
        expect(await consumer.verify(kp.publicKey, msg, sig)).to.equal(true);
      });

      it("a flipped bit in key, message or signature gives false", async () => {
        const { consumer } = await loadFixture(deployConsumer);
        expect(await consumer.verify(flip(kp.publicKey, 40), msg, sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, flip(msg, 0), sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, msg, flip(sig, 100))).to.equal(false);
        expect(await consumer.verify(kp.publicKey, msg, flip(sig, sig.length - 1))).to.equal(false);
      });

      it("wrong lengths give false (the precompile fails, the library never reports success)", async () => {
        const { consumer } = await loadFixture(deployConsumer);
        const p = MLDSA_PARAMS[mode];
        expect(await consumer.verify(kp.publicKey.slice(1), msg, sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, msg, sig.slice(0, p.signatureBytes - 1))).to.equal(false);
        expect(await consumer.verify(Uint8Array.of(...kp.publicKey, 0), msg, sig)).to.equal(false);
        expect(await consumer.verify(kp.publicKey, msg, Uint8Array.of(...sig, 0))).to.equal(false);
        expect(await consumer.verify("0x", msg, sig)).to.equal(false);
        // The precompile itself reverts on malformed lengths.
        const bad = mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, sig.slice(1)]);
        expect((await rawCall(PRECOMPILES.mldsa, bad)).ok).to.equal(false);
      });

      it("keyGenFromSeed and sign agree with @noble/post-quantum", async () => {
        await usePrecompiles();
        const seed = ethers.id(`kg-${mode}`);
        const res = await rawCall(PRECOMPILES.mldsa, mldsaInterface.encodeFunctionData("keyGenFromSeed", [mode, seed]));
        const [pk, sk] = mldsaInterface.decodeFunctionResult("keyGenFromSeed", res.data);
        const local = mldsaKeyGen(mode, ethers.getBytes(seed));
        expect(pk).to.equal(ethers.hexlify(local.publicKey));
        expect(sk).to.equal(ethers.hexlify(local.secretKey));
        const signed = await rawCall(PRECOMPILES.mldsa, mldsaInterface.encodeFunctionData("sign", [sk, msg]));
        const [onChainSig] = mldsaInterface.decodeFunctionResult("sign", signed.data);
        expect(onChainSig).to.equal(ethers.hexlify(mldsaSign(local.secretKey, msg)));
        expect(mldsaVerify(local.publicKey, msg, ethers.getBytes(onChainSig))).to.equal(true);
      });
    });
  }

  it("ML-DSA-65: random messages and bit flips never verify when tampered (property)", async () => {
    const { consumer } = await loadFixture(deployConsumer);
    const kp = mldsaKeyGen(65);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(), async (m, where) => {
        const s = mldsaSign(kp.secretKey, m);
        expect(await consumer.verify(kp.publicKey, m, s)).to.equal(true);
        expect(await consumer.verify(kp.publicKey, m, flip(s, where % s.length))).to.equal(false);
      }),
      { numRuns: 15 },
    );
  });

  it("a key and signature of different parameter sets are rejected", async () => {
    const { consumer } = await loadFixture(deployConsumer);
    const k44 = mldsaKeyGen(44);
    const k65 = mldsaKeyGen(65);
    const msg = enc("mixed");
    expect(await consumer.verify(k65.publicKey, msg, mldsaSign(k44.secretKey, msg))).to.equal(false);
  });

  it("unknown selectors, unknown modes and truncated calldata make the precompile fail", async () => {
    await usePrecompiles();
    expect((await rawCall(PRECOMPILES.mldsa, "0xdeadbeef")).ok).to.equal(false);
    expect((await rawCall(PRECOMPILES.mldsa, "0x")).ok).to.equal(false);
    expect((await rawCall(PRECOMPILES.mldsa, mldsaInterface.encodeFunctionData("keyGen", [66]))).ok).to.equal(false);
    expect((await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("keyGen", [3]))).ok).to.equal(false);
    const full = mldsaInterface.encodeFunctionData("verify", ["0x01", "0x02", "0x03"]);
    expect((await rawCall(PRECOMPILES.mldsa, full.slice(0, full.length - 64))).ok).to.equal(false);
    // The chain keeps working after failures.
    const kp = mldsaKeyGen(65);
    const ok = await rawCall(
      PRECOMPILES.mldsa,
      mldsaInterface.encodeFunctionData("verify", [kp.publicKey, "0x", mldsaSign(kp.secretKey, new Uint8Array())]),
    );
    expect(mldsaInterface.decodeFunctionResult("verify", ok.data)[0]).to.equal(true);
  });

  describe("ML-KEM through 0x…0603", () => {
    it("keyGen / encapsulate / decapsulate agree with @noble/post-quantum for 512, 768 and 1024", async () => {
      await usePrecompiles();
      for (const set of [0, 1, 2] as const) {
        const seed = ethers.getBytes(ethers.concat([ethers.id(`kem-${set}-a`), ethers.id(`kem-${set}-b`)]));
        const kg = await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("keyGenFromSeed", [set, seed]));
        const [pk, sk] = mlkemInterface.decodeFunctionResult("keyGenFromSeed", kg.data);
        const local = mlkemKeyGen(set, seed);
        expect(pk).to.equal(ethers.hexlify(local.publicKey));
        expect(sk).to.equal(ethers.hexlify(local.secretKey));
        expect(ethers.getBytes(pk).length).to.equal(MLKEM_PARAMS[set].publicKeyBytes);

        const en = await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("encapsulate", [pk]));
        const [ct, ss] = mlkemInterface.decodeFunctionResult("encapsulate", en.data);
        const expected = mlkemEncapsulate(local.publicKey, precompileEncapsulationSeed(local.publicKey));
        expect(ct).to.equal(ethers.hexlify(expected.cipherText));
        expect(ss).to.equal(ethers.hexlify(expected.sharedSecret));
        expect(ethers.hexlify(mlkemDecapsulate(local.secretKey, ethers.getBytes(ct)))).to.equal(ss);

        const fresh = mlkemEncapsulate(local.publicKey);
        const de = await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("decapsulate", [sk, fresh.cipherText]));
        expect(mlkemInterface.decodeFunctionResult("decapsulate", de.data)[0]).to.equal(ethers.hexlify(fresh.sharedSecret));
      }
    });

    it("ML-KEM-768 interoperates with noble's own API directly", async () => {
      await usePrecompiles();
      const { publicKey, secretKey } = ml_kem768.keygen();
      const en = await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("encapsulate", [publicKey]));
      const [ct, ss] = mlkemInterface.decodeFunctionResult("encapsulate", en.data);
      expect(ethers.hexlify(ml_kem768.decapsulate(ethers.getBytes(ct), secretKey))).to.equal(ss);
    });

    it("an invalid encapsulation key is rejected", async () => {
      const { consumer } = await loadFixture(deployConsumer);
      const good = mlkemKeyGen(1).publicKey;
      expect(await consumer.validateKemKey(good)).to.equal(true);
      // Coefficients are 12-bit; 0xFFF > q = 3329 fails the FIPS 203 modulus check.
      const bad = Uint8Array.from(good);
      bad[0] = 0xff;
      bad[1] |= 0x0f;
      expect(await consumer.validateKemKey(bad)).to.equal(false);
      expect(await consumer.validateKemKey(good.slice(1))).to.equal(false);
      expect(await consumer.validateKemKey("0x")).to.equal(false);
      const res = await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("encapsulate", [bad]));
      expect(res.ok).to.equal(false);
    });

    it("a ciphertext of the wrong length makes decapsulate fail", async () => {
      await usePrecompiles();
      const kp = mlkemKeyGen(1);
      const ct = mlkemEncapsulate(kp.publicKey).cipherText.slice(1);
      const res = await rawCall(PRECOMPILES.mlkem, mlkemInterface.encodeFunctionData("decapsulate", [kp.secretKey, ct]));
      expect(res.ok).to.equal(false);
    });
  });

  describe("recorded fallback mocks (nodes without the hook)", () => {
    it("answer exactly the recorded calls with the TypeScript outcome, and fail on anything else", async () => {
      await usePrecompiles();
      // Other addresses than the hooked ones, so the Solidity mock answers.
      const addresses = {
        mldsa: "0x000000000000000000000000000000000000a601",
        mlkem: "0x000000000000000000000000000000000000a603",
      };
      const rec = await installParsPrecompiles(hre, { mode: "recorded", addresses, dexMocks: false });
      expect(rec.mode).to.equal("recorded");
      const consumer = await ethers.deployContract("PQConsumer__Mock", [addresses.mldsa, addresses.mlkem]);
      const kp = mldsaKeyGen(65);
      const msg = enc("recorded");
      const sig = mldsaSign(kp.secretKey, msg);
      const bad = flip(sig, 7);
      // Not recorded yet: invalid, never valid.
      expect(await consumer.verify(kp.publicKey, msg, sig)).to.equal(false);
      await rec.record("mldsa", mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, sig]));
      await rec.record("mldsa", mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, bad]));
      expect(await consumer.verify(kp.publicKey, msg, sig)).to.equal(true);
      expect(await consumer.verify(kp.publicKey, msg, bad)).to.equal(false);
      // A recorded failure (wrong length) stays a failure.
      await rec.record("mldsa", mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, sig.slice(1)]));
      expect(await consumer.verify(kp.publicKey, msg, sig.slice(1))).to.equal(false);

      const kem = mlkemKeyGen(1);
      await rec.record("mlkem", mlkemInterface.encodeFunctionData("encapsulate", [kem.publicKey]));
      expect(await consumer.validateKemKey(kem.publicKey)).to.equal(true);
    });
  });
});
