/**
 * What the operator tasks share: task flags, the keystore (path, unlocking), the node id, and who
 * sends. Secrets stay in memory; nothing here prints or writes them.
 */
import { keccak256, parseEther, type Wallet } from "ethers";
import type { ConfigurableTaskDefinition, HardhatRuntimeEnvironment } from "hardhat/types";
import { types } from "hardhat/config";
import type { KeystoreFile, NodeKeyMaterial } from "../../src/keystore";
import { connect, defaultSender, walletSender, type Chain, type Sender } from "./chain";
import { keystorePassword, Output, ParsTaskError, runTask } from "./io";
import { loadSuite, type LoadedSuite } from "./suite";
import type { SendFlags } from "../../src/cli/tx";
import { WALLET_PASSWORD_ENV, hasSigner, loadSigner, signerAddress, type SignerOptions } from "../../src/cli/signers";

export const KEYSTORE_ENV = "PARS_KEYSTORE";

export interface CommonArgs {
  json: boolean;
  keystore?: string;
}

export interface SendingArgs extends CommonArgs, SendFlags, SignerOptions {
  confirmations: number;
}

/** What the action of a task on the deployed suite is given besides its arguments. */
export interface SuiteContext {
  out: Output;
  chain: Chain;
  suite: LoadedSuite;
}

/**
 * The action of a task that reads or sends to the deployed suite: its output (`--json`), errors
 * reported through `runTask`, and the chain and the suite's recorded deployment opened first.
 */
export function suiteAction<A extends CommonArgs>(body: (args: A, ctx: SuiteContext) => Promise<unknown>) {
  return async (args: A, hre: HardhatRuntimeEnvironment) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      const chain = await connect(hre);
      return body(args, { out, chain, suite: await loadSuite(hre, chain) });
    });
  };
}

/** `--json` and `--keystore`. */
export function withCommon(t: ConfigurableTaskDefinition): ConfigurableTaskDefinition {
  return t
    .addOptionalParam("keystore", `Node keystore file (default: $${KEYSTORE_ENV})`)
    .addFlag("json", "Print the result as JSON");
}

/** The flags of every task that sends a transaction. */
export function withSending(t: ConfigurableTaskDefinition): ConfigurableTaskDefinition {
  return withCommon(t)
    .addOptionalParam("confirmations", "Blocks to wait for", 1, types.int)
    .addOptionalParam("wallet", `Sign with this encrypted JSON wallet (password: $${WALLET_PASSWORD_ENV} or the terminal) instead of the keystore's or the network's account`)
    .addOptionalParam("privateKeyEnv", "Sign with the private key held in this environment variable (its name, e.g. OWNER_KEY; never the key itself)")
    .addFlag("yes", "Send without asking for confirmation")
    .addFlag("dryRun", "Print the unsigned transaction; send nothing");
}

export function keystorePath(args: CommonArgs, required: true): string;
export function keystorePath(args: CommonArgs, required: false): string | undefined;
export function keystorePath(args: CommonArgs, required: boolean): string | undefined {
  const file = args.keystore ?? process.env[KEYSTORE_ENV];
  if (!file && required) throw new ParsTaskError(`no keystore: pass --keystore <file> or set ${KEYSTORE_ENV}`);
  return file || undefined;
}

/** The keystore module, loaded on first use (the PQ and curve libraries take a moment to load). */
export const keystoreModule = () => import("../../src/keystore");

export async function openKeystore(file: string): Promise<KeystoreFile> {
  const { readKeystore } = await keystoreModule();
  try {
    return readKeystore(file);
  } catch (e) {
    throw new ParsTaskError((e as Error).message);
  }
}

/** Decrypts the keystore (password given, or from PARS_KEYSTORE_PASSWORD or the terminal). */
export async function unlock(file: string, knownPassword?: string): Promise<NodeKeyMaterial> {
  const ks = await openKeystore(file);
  const { decryptKeystore } = await keystoreModule();
  const password = knownPassword ?? (await keystorePassword());
  try {
    return decryptKeystore(ks, password, file);
  } catch (e) {
    throw new ParsTaskError((e as Error).message);
  }
}

/**
 * Who sends: `--wallet` or `--private-key-env` when given, else the keystore's EVM account when a
 * keystore is given (unlocked only when the task will really sign), else the network's first account.
 */
export async function senderFor(chain: Chain, args: SendingArgs, keys?: NodeKeyMaterial): Promise<Sender> {
  if (keys) return walletSender(keys.wallet as Wallet, chain);
  if (hasSigner(args)) {
    if (args.dryRun) return { kind: "address", address: signerAddress(args) };
    return walletSender(await loadSigner(args), chain);
  }
  const file = keystorePath(args, false);
  if (!file) return defaultSender(chain);
  if (args.dryRun) return { kind: "address", address: (await openKeystore(file)).public.address };
  return walletSender((await unlock(file)).wallet, chain);
}

/** `--node-id`, or the node registered with the keystore's ML-DSA key. */
export async function resolveNodeId(suite: LoadedSuite, nodeId: string | undefined, keystoreFile: string | undefined): Promise<bigint> {
  if (nodeId !== undefined) {
    if (!/^\d+$/.test(nodeId) || BigInt(nodeId) === 0n) throw new ParsTaskError(`--node-id: "${nodeId}" is not a node id`);
    return BigInt(nodeId);
  }
  if (!keystoreFile) throw new ParsTaskError(`which node? pass --node-id, or --keystore (or ${KEYSTORE_ENV}) of a registered node`);
  const ks = await openKeystore(keystoreFile);
  const id = await suite.directory.nodeIdByMldsaKey(keccak256(ks.public.mldsa.publicKey));
  if (id === 0n) throw new ParsTaskError(`the keystore's ML-DSA key (${ks.public.mldsa.keyHash}) is not registered on chain ${suite.deployment.chainId}`);
  return id;
}

/** PARS amount from a decimal string. */
export function parsAmount(name: string, v: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(v)) throw new ParsTaskError(`--${name}: "${v}" is not an amount of PARS (e.g. 3750 or 0.5)`);
  return parseEther(v);
}
