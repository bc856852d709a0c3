/**
 * The node operator's encrypted keystore: one JSON file with everything a service node signs with.
 *
 * Secrets (encrypted): the EVM account key, the ML-DSA-65 seed (ξ, 32 bytes), the ML-KEM-768 seed
 * (d ‖ z, 64 bytes), the BLS seed (≥ 32 bytes, IETF KeyGen) and the heartbeat hash chain's
 * checkpoints (x_0 is its seed; every checkpoint is a future liveness proof). Keys are stored as
 * seeds and re-derived on unlock, and the derived public keys are compared with the clear section.
 *
 * Public section (in clear, so status tasks need no password): the EVM address, the ML-DSA and
 * ML-KEM public keys, the BLS public key and the heartbeat anchor. It is the AES-GCM additional
 * authenticated data, so changing any byte of it makes decryption fail.
 *
 * Encryption: scrypt (N = 2^logN, r = 8, p = 1, 16-byte salt) derives a 32-byte key; AES-256-GCM with a
 * 12-byte IV encrypts the JSON of the secrets. Both from `node:crypto`.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Wallet, getBytes, hexlify, keccak256 } from "ethers";
import { mldsaKeyGen, mlkemKeyGen, type KeyPair } from "./pq";
import { blsKeyPair, type BLSKeyPair, type G2Point } from "./bls";
import { EPOCH_SECONDS, HeartbeatChain, type HeartbeatChainJSON } from "./heartbeat";

export const KEYSTORE_FORMAT = "pars-node-keystore";
export const KEYSTORE_VERSION = 1;
/** scrypt cost 2^17 (128 MiB, about half a second here): the default of keys:generate. */
export const DEFAULT_SCRYPT_LOG_N = 17;
/** Lowest cost accepted when writing a keystore (2^15, 32 MiB). */
export const MIN_SCRYPT_LOG_N = 15;
export const MAX_SCRYPT_LOG_N = 20;
export const MIN_PASSWORD_LENGTH = 8;

export interface KeystorePublic {
  address: string;
  mldsa: { mode: 65; publicKey: string; keyHash: string };
  mlkem: { parameterSet: 1; publicKey: string; keyHash: string };
  /** BN254 G2 point, EIP-197 order, decimal strings. */
  bls: { publicKey: { xIm: string; xRe: string; yIm: string; yRe: string } };
  heartbeat: { anchor: string; length: number; interval: number };
}

export interface KeystoreCrypto {
  cipher: "aes-256-gcm";
  iv: string;
  tag: string;
  ciphertext: string;
  kdf: "scrypt";
  kdfparams: { logN: number; r: number; p: number; dklen: 32; salt: string };
}

export interface KeystoreFile {
  format: typeof KEYSTORE_FORMAT;
  version: typeof KEYSTORE_VERSION;
  createdAt: string;
  public: KeystorePublic;
  crypto: KeystoreCrypto;
}

/** What is encrypted. */
export interface KeystoreSecrets {
  evmPrivateKey: string;
  mldsaSeed: string;
  mlkemSeed: string;
  blsSeed: string;
  heartbeat: HeartbeatChainJSON;
}

/** The unlocked key material of a node. */
export interface NodeKeyMaterial {
  wallet: Wallet;
  mldsa: KeyPair;
  mlkem: KeyPair;
  bls: BLSKeyPair;
  heartbeat: HeartbeatChain;
  secrets: KeystoreSecrets;
  public: KeystorePublic;
}

/** Thrown on a wrong password or a keystore whose contents were altered. */
export class KeystoreDecryptionError extends Error {
  constructor(file?: string) {
    super(`cannot decrypt the keystore${file ? ` ${file}` : ""}: wrong password, or the file was altered`);
    this.name = "KeystoreDecryptionError";
  }
}

export interface GenerateOptions {
  /** Heartbeat chain length in epochs (hours); default two years. */
  heartbeatEpochs?: number;
  /** Checkpoint spacing of the heartbeat chain; default 128. */
  checkpointInterval?: number;
  /** Seconds since the Unix epoch the chain is made at (recorded as its anchor epoch). */
  now?: number;
}

/** Fresh random secrets for a node. */
export function generateSecrets(opts: GenerateOptions = {}): KeystoreSecrets {
  const chain = HeartbeatChain.create({
    length: opts.heartbeatEpochs ?? 24 * 365 * 2,
    interval: opts.checkpointInterval ?? 128,
    anchorEpoch: Math.floor((opts.now ?? Date.now() / 1000) / EPOCH_SECONDS),
    seed: randomBytes(32),
  });
  return {
    evmPrivateKey: Wallet.createRandom().privateKey,
    mldsaSeed: hexlify(randomBytes(32)),
    mlkemSeed: hexlify(randomBytes(64)),
    blsSeed: hexlify(randomBytes(32)),
    heartbeat: chain.toJSON(),
  };
}

/** Derives every key from the secrets. */
export function deriveKeys(secrets: KeystoreSecrets): Omit<NodeKeyMaterial, "public"> {
  return {
    wallet: new Wallet(secrets.evmPrivateKey),
    mldsa: mldsaKeyGen(65, getBytes(secrets.mldsaSeed)),
    mlkem: mlkemKeyGen(1, getBytes(secrets.mlkemSeed)),
    bls: blsKeyPair(secrets.blsSeed),
    heartbeat: HeartbeatChain.fromJSON(secrets.heartbeat),
    secrets,
  };
}

function g2ToStrings(p: G2Point): KeystorePublic["bls"]["publicKey"] {
  return { xIm: p.xIm.toString(), xRe: p.xRe.toString(), yIm: p.yIm.toString(), yRe: p.yRe.toString() };
}

/** The public section for a set of keys. */
export function publicSection(keys: Omit<NodeKeyMaterial, "public">): KeystorePublic {
  return {
    address: keys.wallet.address,
    mldsa: { mode: 65, publicKey: hexlify(keys.mldsa.publicKey), keyHash: keccak256(keys.mldsa.publicKey) },
    mlkem: { parameterSet: 1, publicKey: hexlify(keys.mlkem.publicKey), keyHash: keccak256(keys.mlkem.publicKey) },
    bls: { publicKey: g2ToStrings(keys.bls.publicKey) },
    heartbeat: { anchor: keys.heartbeat.anchor, length: keys.heartbeat.length, interval: keys.heartbeat.interval },
  };
}

/** The BLS public key of a public section, as bigints. */
export function blsPublicKeyOf(pub: KeystorePublic): G2Point {
  const k = pub.bls.publicKey;
  return { xIm: BigInt(k.xIm), xRe: BigInt(k.xRe), yIm: BigInt(k.yIm), yRe: BigInt(k.yRe) };
}

function scryptKey(password: string, salt: Buffer, logN: number, r: number, p: number): Buffer {
  const N = 2 ** logN;
  return scryptSync(Buffer.from(password.normalize("NFKC"), "utf8"), salt, 32, { N, r, p, maxmem: 256 * N * r + (1 << 20) });
}

/** JSON with object keys sorted, so the authenticated bytes do not depend on how a file was formatted. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function aad(pub: KeystorePublic): Buffer {
  return Buffer.from(canonicalJson(pub), "utf8");
}

/** Encrypts `secrets` under `password`; the public section is derived from them. */
export function encryptKeystore(
  secrets: KeystoreSecrets,
  password: string,
  opts: { scryptLogN?: number; createdAt?: string } = {},
): KeystoreFile {
  const logN = opts.scryptLogN ?? DEFAULT_SCRYPT_LOG_N;
  if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) {
    throw new Error(`scrypt cost must be 2^${MIN_SCRYPT_LOG_N}..2^${MAX_SCRYPT_LOG_N}, got 2^${logN}`);
  }
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const pub = publicSection(deriveKeys(secrets));
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptKey(password, salt, logN, 8, 1);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad(pub));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), "utf8"), cipher.final()]);
  key.fill(0);
  return {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    public: pub,
    crypto: {
      cipher: "aes-256-gcm",
      iv: iv.toString("hex"),
      tag: cipher.getAuthTag().toString("hex"),
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams: { logN, r: 8, p: 1, dklen: 32, salt: salt.toString("hex") },
    },
  };
}

/** Checks the shape of a parsed keystore file. */
export function assertKeystoreFile(x: unknown, file = "keystore"): asserts x is KeystoreFile {
  const k = x as Partial<KeystoreFile>;
  if (k?.format !== KEYSTORE_FORMAT) throw new Error(`${file} is not a Pars node keystore`);
  if (k.version !== KEYSTORE_VERSION) throw new Error(`${file}: keystore version ${k.version}, expected ${KEYSTORE_VERSION}`);
  if (k.crypto?.cipher !== "aes-256-gcm" || k.crypto.kdf !== "scrypt") throw new Error(`${file}: unsupported cipher or kdf`);
  if (!k.public?.address || !k.public.mldsa?.publicKey) throw new Error(`${file}: public section missing`);
}

/** Decrypts and re-derives every key; throws KeystoreDecryptionError on a wrong password or tampering. */
export function decryptKeystore(ks: KeystoreFile, password: string, file?: string): NodeKeyMaterial {
  const { kdfparams: kp } = ks.crypto;
  const where = file ?? "keystore";
  // Whoever can edit the file chooses these: a cheap scrypt cost would make the password cheap to
  // guess, and Node accepts GCM tags as short as 4 bytes (a 32-bit forgery bound), so both are
  // checked before anything is derived.
  if (!Number.isInteger(kp.logN) || kp.logN < MIN_SCRYPT_LOG_N || kp.logN > MAX_SCRYPT_LOG_N || kp.r !== 8 || kp.p !== 1) {
    throw new Error(`${where}: unsupported scrypt parameters (cost 2^${kp.logN}, r ${kp.r}, p ${kp.p}; accepted: cost 2^${MIN_SCRYPT_LOG_N}..2^${MAX_SCRYPT_LOG_N}, r 8, p 1)`);
  }
  if (typeof ks.crypto.tag !== "string" || !/^[0-9a-fA-F]{32}$/.test(ks.crypto.tag)) {
    throw new Error(`${where}: the AES-GCM tag must be 16 bytes (32 hex digits); refusing a shortened tag`);
  }
  if (typeof ks.crypto.iv !== "string" || !/^[0-9a-fA-F]{24}$/.test(ks.crypto.iv)) throw new Error(`${where}: the AES-GCM nonce must be 12 bytes (24 hex digits)`);
  const key = scryptKey(password, Buffer.from(kp.salt, "hex"), kp.logN, kp.r, kp.p);
  let plaintext: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ks.crypto.iv, "hex"), { authTagLength: 16 });
    decipher.setAAD(aad(ks.public));
    decipher.setAuthTag(Buffer.from(ks.crypto.tag, "hex"));
    plaintext = Buffer.concat([decipher.update(Buffer.from(ks.crypto.ciphertext, "hex")), decipher.final()]).toString("utf8");
  } catch {
    throw new KeystoreDecryptionError(file);
  } finally {
    key.fill(0);
  }
  const secrets = JSON.parse(plaintext) as KeystoreSecrets;
  const keys = deriveKeys(secrets);
  if (canonicalJson(publicSection(keys)) !== canonicalJson(ks.public)) {
    throw new Error("keystore: the derived public keys differ from the recorded ones");
  }
  return { ...keys, public: ks.public };
}

/** Reads a keystore file (no password needed for the public section). */
export function readKeystore(file: string): KeystoreFile {
  if (!fs.existsSync(file)) throw new Error(`keystore ${file} not found`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`keystore ${file} is not valid JSON (${(e as Error).message}); restore it from its backup (${file}.previous after an anchor rotation)`);
  }
  assertKeystoreFile(parsed, file);
  return parsed;
}

/**
 * Writes a keystore with owner-only permissions, through a temporary file and a rename so a crash
 * never leaves half a keystore. Refuses to replace an existing file unless `overwrite`.
 */
export function writeKeystore(file: string, ks: KeystoreFile, opts: { overwrite?: boolean } = {}): void {
  if (!opts.overwrite && fs.existsSync(file)) throw new Error(`${file} exists; refusing to overwrite a keystore`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(ks, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}
