import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import { promisify } from "util";
import * as path from "path";
import hre from "hardhat";
import { getBytes, hexlify, keccak256 } from "ethers";
import {
  decryptKeystore,
  deriveKeys,
  encryptKeystore,
  generateSecrets,
  readKeystore,
  writeKeystore,
  KeystoreDecryptionError,
  type KeystoreSecrets,
} from "../../src/keystore";
import { mldsaSign, mldsaVerify } from "../../src/pq";
import { PASSWORD_ENV } from "../../tasks/lib/io";
import { rejection, runTask, setEnv, tempDir } from "./helpers";

const PASSWORD = "correct horse battery staple";
/** The cheapest cost keystores accept, to keep the tests fast. */
const FAST = { scryptLogN: 15 };

/** Hex (no 0x, lower case) of every secret in the key material, and of slices of the expanded keys. */
function secretHexes(secrets: KeystoreSecrets): string[] {
  const keys = deriveKeys(secrets);
  const hex = (b: Uint8Array | string) => hexlify(b).slice(2).toLowerCase();
  const dsa = keys.mldsa.secretKey;
  const kem = keys.mlkem.secretKey;
  return [
    hex(secrets.evmPrivateKey),
    hex(secrets.mldsaSeed),
    hex(secrets.mlkemSeed),
    hex(secrets.blsSeed),
    ...secrets.heartbeat.checkpoints.map(hex),
    // ML-DSA sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0; ρ is also in the public key, so look for K and s1.
    hex(dsa.slice(32, 64)),
    hex(dsa.slice(128, 192)),
    // ML-KEM dk = s ‖ ek ‖ H(ek) ‖ z; ek is public, so look for s and z.
    hex(kem.slice(0, 64)),
    hex(kem.slice(kem.length - 32)),
    keys.bls.secretKey.toString(16).padStart(64, "0"),
  ];
}

describe("delivery: node keystore", function () {
  let dir: string;
  let secrets: KeystoreSecrets;
  let file: string;

  before(() => {
    dir = tempDir("keystore");
    secrets = generateSecrets({ heartbeatEpochs: 300, checkpointInterval: 32 });
    file = path.join(dir, "node.json");
    writeKeystore(file, encryptKeystore(secrets, PASSWORD, FAST));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("round trip: the right password gives back every key, and they work", () => {
    const keys = decryptKeystore(readKeystore(file), PASSWORD);
    expect(keys.secrets).to.deep.equal(secrets);
    expect(keys.wallet.privateKey).to.equal(secrets.evmPrivateKey);
    expect(keys.public.address).to.equal(keys.wallet.address);
    expect(keys.public.mldsa.keyHash).to.equal(keccak256(keys.mldsa.publicKey));
    expect(keys.heartbeat.anchor).to.equal(keys.public.heartbeat.anchor);
    const msg = getBytes(keccak256("0x01"));
    expect(mldsaVerify(keys.mldsa.publicKey, msg, mldsaSign(keys.mldsa.secretKey, msg, { profile: "lux" }), "lux")).to.equal(true);
  });

  it("a wrong password fails, and so does any change to the public section or the ciphertext", () => {
    const ks = readKeystore(file);
    expect(() => decryptKeystore(ks, "not the password")).to.throw(KeystoreDecryptionError, /wrong password, or the file was altered/);
    const other = { ...ks, public: { ...ks.public, address: "0x000000000000000000000000000000000000dEaD" } };
    expect(() => decryptKeystore(other, PASSWORD)).to.throw(KeystoreDecryptionError);
    const flipped = ks.crypto.ciphertext.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(() => decryptKeystore({ ...ks, crypto: { ...ks.crypto, ciphertext: flipped } }, PASSWORD)).to.throw(KeystoreDecryptionError);
  });

  it("refuses a shortened AES-GCM tag, a short nonce and a scrypt cost below the minimum before deriving anything", () => {
    const ks = readKeystore(file);
    // A 4-byte tag: Node's GCM would check only these 32 bits; the keystore wants all 16 bytes.
    const truncated = { ...ks, crypto: { ...ks.crypto, tag: ks.crypto.tag.slice(0, 8) } };
    expect(() => decryptKeystore(truncated, PASSWORD, "node.json")).to.throw(/node\.json: the AES-GCM tag must be 16 bytes/);
    const shortIv = { ...ks, crypto: { ...ks.crypto, iv: ks.crypto.iv.slice(0, 16) } };
    expect(() => decryptKeystore(shortIv, PASSWORD)).to.throw(/nonce must be 12 bytes/);
    const cheap = { ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, logN: 4 } } };
    expect(() => decryptKeystore(cheap, PASSWORD)).to.throw(/unsupported scrypt parameters \(cost 2\^4.*accepted: cost 2\^15/);
  });

  it("a keystore that is not JSON is named in the error", () => {
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, '{"format": "pars-node-keystore", ');
    expect(() => readKeystore(broken)).to.throw(`keystore ${broken} is not valid JSON`);
  });

  it("the file holds no secret in clear and is readable by its owner only", () => {
    const text = fs.readFileSync(file, "utf8").toLowerCase();
    const hexes = secretHexes(secrets);
    expect(hexes.length).to.be.greaterThan(10);
    for (const h of hexes) expect(text.includes(h), `secret ${h.slice(0, 12)}… found in the keystore`).to.equal(false);
    // The public keys are in clear on purpose (status tasks need no password).
    expect(text).to.include(readKeystore(file).public.mldsa.publicKey.slice(2, 200).toLowerCase());
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
  });

  it("refuses short passwords, weak scrypt costs and overwriting a keystore", () => {
    expect(() => encryptKeystore(secrets, "short", FAST)).to.throw(/at least 8 characters/);
    expect(() => encryptKeystore(secrets, PASSWORD, { scryptLogN: 10 })).to.throw(/scrypt cost/);
    expect(() => writeKeystore(file, readKeystore(file))).to.throw(/refusing to overwrite/);
  });

  describe("keys:generate / keys:show", () => {
    let restore: () => void;
    before(() => {
      restore = setEnv({ [PASSWORD_ENV]: PASSWORD });
    });
    after(() => restore());

    it("writes an encrypted keystore and prints only public values", async () => {
      const out = path.join(dir, "generated.json");
      const { result, stdout, stderr } = await runTask<Record<string, unknown>>(hre, "keys:generate", { out, heartbeatEpochs: 48, scryptLogN: 15, json: true, force: false });
      const doc = JSON.parse(stdout);
      expect(doc.ok).to.equal(true);
      expect(doc.address).to.equal(result.address);
      const keys = decryptKeystore(readKeystore(out), PASSWORD);
      expect(keys.wallet.address).to.equal(result.address);
      expect(result.heartbeatAnchor).to.equal(keys.heartbeat.anchor);
      const printed = (stdout + stderr).toLowerCase();
      for (const h of secretHexes(keys.secrets)) expect(printed.includes(h)).to.equal(false);

      const again = await rejection(runTask(hre, "keys:generate", { out, heartbeatEpochs: 48, scryptLogN: 15, json: false, force: false }));
      expect(again.message).to.equal(`${out} exists: pass --force to replace it (the keys it holds are lost unless you keep a copy)`);

      const restoreNoPassword = setEnv({ [PASSWORD_ENV]: undefined });
      try {
        const shown = await runTask<Record<string, unknown>>(hre, "keys:show", { keystore: out, json: false });
        expect(shown.result.address).to.equal(keys.wallet.address);
        expect(shown.stdout).to.include(keys.wallet.address);
      } finally {
        restoreNoPassword();
      }
    });

    it("a failed task prints its message once, without a stack trace on a headless Linux box (Hardhat's CI mode), with one on request", async () => {
      const cli = require.resolve("hardhat/internal/cli/cli.js");
      const missing = path.join(dir, "missing.json");
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "DISPLAY" && k !== "CI"));
      const fail = async (...extra: string[]) => {
        try {
          await promisify(execFile)(process.execPath, [cli, "keys:show", "--keystore", missing, ...extra], { env: { ...env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" } });
        } catch (e) {
          return e as Error & { code: number; stderr: string };
        }
        throw new Error("keys:show of a missing keystore succeeded");
      };
      const plain = await fail();
      expect(plain.code).to.equal(1);
      expect(plain.stderr).to.include(`Error in plugin pars: keystore ${missing} not found`);
      expect(plain.stderr).to.not.match(/\n\s+at /);
      // Once: not again as `ParsTaskError: …` below Hardhat's line.
      expect(plain.stderr.split(`keystore ${missing} not found`).length - 1).to.equal(1);
      expect((await fail("--show-stack-traces")).stderr).to.match(/\n\s+at openKeystore/);
    });
  });
});
