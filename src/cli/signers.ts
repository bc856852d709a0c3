/**
 * Accounts that sign for contributors and owners, apart from a node's keystore (whose EVM key is the
 * node's own account): a plain private key read from an environment variable (never from the
 * command line, where it would land in the shell's history and the process list), or an ethers
 * encrypted JSON wallet (the Web3 secret storage format geth, ethers and cast write). For a Safe or a
 * hardware wallet, the tasks print the unsigned transaction instead (`--unsigned`).
 */
import * as fs from "fs";
import { Wallet, getAddress, isHexString } from "ethers";
import { ParsTaskError, secretFromEnvOrPrompt } from "./io";

/** Where the password of a JSON wallet is read from (else it is asked on the terminal). */
export const WALLET_PASSWORD_ENV = "PARS_WALLET_PASSWORD";

export interface SignerOptions {
  /** An encrypted JSON wallet file. */
  wallet?: string;
  /** The name of an environment variable holding a private key (0x + 64 hex digits). */
  privateKeyEnv?: string;
}

/** True when a signer other than the keystore or the network's account is asked for. */
export function hasSigner(opts: SignerOptions): boolean {
  return opts.wallet !== undefined || opts.privateKeyEnv !== undefined;
}

/** The address of the asked-for signer, without decrypting anything (dry runs, role checks). */
export function signerAddress(opts: SignerOptions): string {
  if (opts.wallet !== undefined && opts.privateKeyEnv !== undefined) throw new ParsTaskError("pass one of --wallet and --private-key-env, not both");
  if (opts.privateKeyEnv !== undefined) return privateKeyWallet(opts.privateKeyEnv).address;
  const file = opts.wallet!;
  let json: { address?: unknown };
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as { address?: unknown };
  } catch (e) {
    throw new ParsTaskError(`--wallet: ${file} cannot be read as a JSON wallet (${(e as Error).message})`);
  }
  if (typeof json.address !== "string" || !/^(0x)?[0-9a-fA-F]{40}$/.test(json.address)) {
    throw new ParsTaskError(`--wallet: ${file} is not an encrypted JSON wallet (no "address"); a node keystore goes with --keystore`);
  }
  return getAddress(json.address.startsWith("0x") ? json.address : `0x${json.address}`);
}

function privateKeyWallet(variable: string): Wallet {
  const key = process.env[variable];
  if (key === undefined || key === "") throw new ParsTaskError(`--private-key-env: the environment variable ${variable} is not set`);
  const hex = key.startsWith("0x") ? key : `0x${key}`;
  if (!isHexString(hex, 32)) throw new ParsTaskError(`--private-key-env: ${variable} does not hold a private key (64 hex digits)`);
  return new Wallet(hex);
}

/** The asked-for signer, decrypted (a JSON wallet's password from PARS_WALLET_PASSWORD or the terminal). */
export async function loadSigner(opts: SignerOptions): Promise<Wallet> {
  const address = signerAddress(opts);
  if (opts.privateKeyEnv !== undefined) return privateKeyWallet(opts.privateKeyEnv);
  const password = await secretFromEnvOrPrompt(WALLET_PASSWORD_ENV, `Password of ${opts.wallet}: `);
  let wallet: Wallet;
  try {
    wallet = (await Wallet.fromEncryptedJson(fs.readFileSync(opts.wallet!, "utf8"), password)) as Wallet;
  } catch (e) {
    throw new ParsTaskError(`--wallet: ${opts.wallet} does not open with that password (${(e as Error).message})`);
  }
  if (wallet.address !== address) throw new ParsTaskError(`--wallet: ${opts.wallet} decrypts to ${wallet.address}, not the ${address} it records`);
  return wallet;
}
