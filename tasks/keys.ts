/**
 * `keys:generate`: every key a service node needs, in one encrypted keystore.
 * `keys:show`: the keystore's public section (no password needed).
 */
import * as path from "path";
import * as fs from "fs";
import { task, types } from "hardhat/config";
import type { KeystorePublic } from "../src/keystore";
import { Output, ParsTaskError, keystorePassword, runTask } from "./lib/io";
import { keystorePath, openKeystore } from "./lib/operator";

function publicSummary(file: string, pub: KeystorePublic): Record<string, unknown> {
  return {
    keystore: path.resolve(file),
    address: pub.address,
    mldsaKeyHash: pub.mldsa.keyHash,
    mlkemKeyHash: pub.mlkem.keyHash,
    blsPublicKey: pub.bls.publicKey,
    heartbeatAnchor: pub.heartbeat.anchor,
    heartbeatEpochs: pub.heartbeat.length,
  };
}

function printSummary(out: Output, s: Record<string, unknown>): void {
  out.table([
    ["keystore", s.keystore],
    ["EVM address", s.address],
    ["ML-DSA-65 key hash", s.mldsaKeyHash],
    ["ML-KEM-768 key hash", s.mlkemKeyHash],
    ["heartbeat anchor", s.heartbeatAnchor],
    ["heartbeat epochs", s.heartbeatEpochs],
  ]);
}

interface GenerateArgs {
  out: string;
  force: boolean;
  heartbeatEpochs: number;
  scryptLogN?: number;
  json: boolean;
}

task("keys:generate", "Generates a node's keys (ML-DSA-65, ML-KEM-768, BLS, heartbeat chain, EVM account) into an encrypted keystore")
  .addParam("out", "Keystore file to write (owner-only permissions)")
  .addOptionalParam("heartbeatEpochs", "Length of the heartbeat hash chain, in epochs (hours)", 24 * 365 * 2, types.int)
  .addOptionalParam("scryptLogN", "scrypt cost as log2(N), 15..20 (default 17)", undefined, types.int)
  .addFlag("force", "Replace an existing file")
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args: GenerateArgs) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      if (!Number.isInteger(args.heartbeatEpochs) || args.heartbeatEpochs < 24 || args.heartbeatEpochs > 24 * 365 * 10) {
        throw new ParsTaskError("--heartbeat-epochs: between 24 (a day) and 87,600 (ten years)");
      }
      if (!args.force && fs.existsSync(args.out)) {
        throw new ParsTaskError(`${args.out} exists: pass --force to replace it (the keys it holds are lost unless you keep a copy)`);
      }
      // Loaded here, not with the config: the PQ and curve libraries take a moment to load.
      const { DEFAULT_SCRYPT_LOG_N, encryptKeystore, generateSecrets, writeKeystore } = await import("../src/keystore");
      const password = await keystorePassword({ confirmNew: true });
      const secrets = generateSecrets({ heartbeatEpochs: args.heartbeatEpochs });
      const ks = encryptKeystore(secrets, password, { scryptLogN: args.scryptLogN ?? DEFAULT_SCRYPT_LOG_N });
      writeKeystore(args.out, ks, { overwrite: args.force });
      const summary = publicSummary(args.out, ks.public);
      out.line("keystore written (secrets encrypted with scrypt + AES-256-GCM):");
      printSummary(out, summary);
      out.line(`${ks.public.address} is the node's own account: fund it with the stake and gas and node:register from it (it is then the owner),`);
      out.line(`or keep the owner's key elsewhere (node:register --owner <address> --unsigned), name it the manager and fund it with gas only`);
      return out.result(summary);
    });
  });

task("keys:show", "Prints a keystore's public keys and address (no password needed)")
  .addOptionalParam("keystore", "Keystore file (default: $PARS_KEYSTORE)")
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args: { keystore?: string; json: boolean }) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      const file = keystorePath(args, true);
      const summary = publicSummary(file, (await openKeystore(file)).public);
      printSummary(out, summary);
      return out.result(summary);
    });
  });
