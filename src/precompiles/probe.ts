/**
 * Probes a chain's PQ precompiles before anything is deployed on it: at the configured addresses, in
 * the configured profile, a known-good and a known-bad ML-DSA-65 vector and an ML-KEM-768
 * encapsulation must give exactly the answers the chain's code gives (DESIGN §3). An absent, inactive
 * or differently-speaking precompile is named with its address, its profile and the fix. Where the
 * chain runs the Lux deployer allow-list, the probe also says whether the deployer may deploy.
 *
 * Reads only (`eth_call`): nothing is sent.
 */
import { concat, getBytes, hexlify, Interface, toUtf8Bytes, ZeroHash, zeroPadValue } from "ethers";
import { mldsaInterface, mlkemInterface } from "./abi";
import { luxEncapsulateInput, luxEncapsulationRandomness, luxVerifyInput } from "./lux";
import { precompileEncapsulationSeed } from "./handlers";
import { MLDSA_CONTEXT, mldsaKeyGen, mldsaSign, mlkemEncapsulate, mlkemKeyGen, type PQProfile } from "../pq";

/** The Lux EVM's contract-deployer allow-list precompile (luxfi/evm `contractDeployerAllowListConfig`). */
export const LUX_DEPLOYER_ALLOW_LIST = "0x0000000000000000000000000000000000010201";
const allowListInterface = new Interface(["function readAllowList(address addr) view returns (uint256 role)"]);
const ALLOW_LIST_ROLES = ["none", "enabled", "admin", "manager"] as const;

/** What `eth_call` needs of a provider (an ethers provider has it). */
export interface CallProvider {
  call(tx: { to: string; data: string; from?: string }): Promise<string>;
}

export interface ProbeCheck {
  /** What it probes: a PQ precompile, or the deployer allow-list (which matters before deploying only). */
  kind: "mldsa" | "mlkem" | "allowList";
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
}

export interface ProbeReport {
  profile: PQProfile;
  addresses: { mldsa: string; mlkem: string };
  checks: ProbeCheck[];
  ok: boolean;
  /** Every failure as a sentence naming the address, the profile and the fix. */
  problems: string[];
  /** The deployer's role on the Lux deployer allow-list, when the chain runs it. */
  allowList?: { active: boolean; role?: (typeof ALLOW_LIST_ROLES)[number]; mayDeploy: boolean };
}

export interface ProbeOptions {
  profile: PQProfile;
  mldsa: string;
  mlkem: string;
  /** The account that will deploy: the ML-KEM answer is bound to the caller, and the allow-list is read for it. */
  from: string;
  /** The network's name in deploy/config, for the messages. */
  network?: string;
}

type Answer = { ok: true; data: string } | { ok: false; error: string };

async function ethCall(provider: CallProvider, to: string, data: string | Uint8Array, from: string): Promise<Answer> {
  try {
    return { ok: true, data: await provider.call({ to, data: hexlify(data), from }) };
  } catch (e) {
    return { ok: false, error: (e as Error).message.split("\n")[0] };
  }
}

function describe(a: Answer): string {
  if (!a.ok) return `the call failed (${a.error})`;
  if (a.data === "0x") return "an empty answer (nothing runs at this address)";
  const bytes = getBytes(a.data);
  return bytes.length <= 32 ? a.data : `${bytes.length} bytes (${a.data.slice(0, 18)}…)`;
}

/** The vectors: the chain's own ML-DSA-65 drift vector (seed 0x00…1f) and a fixed ML-KEM-768 key. */
function vectors(profile: PQProfile) {
  const mldsa = mldsaKeyGen(65, Uint8Array.from({ length: 32 }, (_, i) => i));
  const message = toUtf8Bytes("lux-precompile-nist-kat-v1");
  const signature = mldsaSign(mldsa.secretKey, message, { profile });
  const tampered = Uint8Array.from(signature);
  tampered[tampered.length - 1] ^= 1;
  const mlkem = mlkemKeyGen(1, Uint8Array.from({ length: 64 }, (_, i) => i));
  const seed = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
  return { mldsa, message, signature, tampered, mlkem, seed };
}

/** Probes the PQ precompiles of a chain in one profile. */
export async function probePrecompiles(provider: CallProvider, opts: ProbeOptions): Promise<ProbeReport> {
  const { profile, from } = opts;
  const v = vectors(profile);
  const checks: ProbeCheck[] = [];
  const problems: string[] = [];
  const config = `deploy/config/${opts.network ?? "<network>"}.json`;
  const fix = (precompile: "mldsa" | "mlkem") =>
    `enable \`${precompile === "mldsa" ? "mldsaVerify" : "mlkemConfig"}\` in the chain's precompile configuration ` +
    `(genesis or precompileUpgrades), or choose the other profile ("pqProfile") or other addresses ("precompiles") in ${config}`;

  // ML-DSA: the good vector verifies, the tampered one does not.
  const verifyInput = (sig: Uint8Array) =>
    profile === "lux"
      ? luxVerifyInput(v.mldsa.publicKey, v.message, sig)
      : getBytes(mldsaInterface.encodeFunctionData("verify", [v.mldsa.publicKey, v.message, sig]));
  const TRUE = zeroPadValue("0x01", 32);
  const FALSE = ZeroHash;
  const good = await ethCall(provider, opts.mldsa, verifyInput(v.signature), from);
  const bad = await ethCall(provider, opts.mldsa, verifyInput(v.tampered), from);
  const goodOk = good.ok && good.data === TRUE;
  const badOk = bad.ok && bad.data === FALSE;
  const context = profile === "lux" ? `the context "${MLDSA_CONTEXT.lux}"` : "the empty context";
  checks.push({ kind: "mldsa", name: `ML-DSA-65 at ${opts.mldsa} verifies a valid signature (${profile}, ${context})`, ok: goodOk, expected: TRUE, actual: describe(good) });
  checks.push({ kind: "mldsa", name: `ML-DSA-65 at ${opts.mldsa} refuses a tampered signature (${profile})`, ok: badOk, expected: FALSE, actual: describe(bad) });
  if (!goodOk || !badOk) {
    const what = good.ok && good.data === "0x" ? "is absent or inactive" : "does not speak the profile";
    problems.push(`the ML-DSA precompile at ${opts.mldsa} ${what} (profile ${profile}: a valid signature gave ${describe(good)}, a tampered one ${describe(bad)}): ${fix("mldsa")}`);
  }

  // ML-KEM: an encapsulation to a fixed key gives exactly the profile's answer.
  let kemInput: Uint8Array;
  let expected: string;
  if (profile === "lux") {
    kemInput = luxEncapsulateInput(v.mlkem.publicKey, v.seed);
    const e = mlkemEncapsulate(v.mlkem.publicKey, luxEncapsulationRandomness(getBytes(from), v.seed));
    expected = hexlify(concat([e.cipherText, e.sharedSecret]));
  } else {
    kemInput = getBytes(mlkemInterface.encodeFunctionData("encapsulate", [v.mlkem.publicKey]));
    const e = mlkemEncapsulate(v.mlkem.publicKey, precompileEncapsulationSeed(v.mlkem.publicKey));
    expected = mlkemInterface.encodeFunctionResult("encapsulate", [e.cipherText, e.sharedSecret]);
  }
  const kem = await ethCall(provider, opts.mlkem, kemInput, from);
  const kemOk = kem.ok && kem.data === expected;
  checks.push({
    kind: "mlkem",
    name: `ML-KEM-768 at ${opts.mlkem} encapsulates as the ${profile} profile does`,
    ok: kemOk,
    expected: `${getBytes(expected).length} bytes (${expected.slice(0, 18)}…)`,
    actual: describe(kem),
  });
  if (!kemOk) {
    const what = kem.ok && kem.data === "0x" ? "is absent or inactive" : "does not speak the profile";
    problems.push(`the ML-KEM precompile at ${opts.mlkem} ${what} (profile ${profile}: gave ${describe(kem)}): ${fix("mlkem")}`);
  }

  // The Lux deployer allow-list, where the chain runs it.
  let allowList: ProbeReport["allowList"];
  const role = await ethCall(provider, LUX_DEPLOYER_ALLOW_LIST, allowListInterface.encodeFunctionData("readAllowList", [from]), from);
  if (role.ok && getBytes(role.data).length === 32) {
    const value = Number(BigInt(role.data));
    const name = ALLOW_LIST_ROLES[value];
    const mayDeploy = value >= 1 && value <= 3;
    allowList = { active: true, role: name, mayDeploy };
    checks.push({ kind: "allowList", name: `the deployer allow-list at ${LUX_DEPLOYER_ALLOW_LIST} lets ${from} deploy`, ok: mayDeploy, expected: "enabled, admin or manager", actual: name ?? String(value) });
    if (!mayDeploy) {
      problems.push(`the chain runs the deployer allow-list (${LUX_DEPLOYER_ALLOW_LIST}) and ${from} has role ${name ?? value}: ask the chain's operators to enable it (setEnabled) before deploying`);
    }
  } else {
    allowList = { active: false, mayDeploy: true };
  }

  return { profile, addresses: { mldsa: opts.mldsa, mlkem: opts.mlkem }, checks, ok: problems.length === 0, problems, allowList };
}

/** Thrown when a pre-flight probe fails: nothing was sent. */
export class PrecompileProbeError extends Error {
  constructor(readonly report: ProbeReport, network?: string) {
    super(
      `the PQ precompiles of ${network ?? "this chain"} are not ready for a ${report.profile} deployment; nothing was sent:\n  - ` +
        report.problems.join("\n  - "),
    );
    this.name = "PrecompileProbeError";
  }
}
