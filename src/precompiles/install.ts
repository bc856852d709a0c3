/**
 * One call that gives a local network the Pars precompiles:
 *
 * - ML-DSA and ML-KEM (stateless), in both precompile profiles at their addresses (`lux`, the chain's
 *   code, and `pip`, the PIPs' interface; DESIGN §3), are served from TypeScript through the EDR call-override hook of
 *   Hardhat's in-process network (also behind `npx hardhat node`). The hook is a private Hardhat
 *   API: if it is missing on a Hardhat network, installation fails loudly instead of falling back.
 *   It is re-installed automatically after `hardhat_reset`.
 * - On a node without the hook (anvil, a shared devnet with `*_setCode`), "recorded" mode places a
 *   Solidity mock at each PQ address whose answers are computed by the same TypeScript code and
 *   recorded before use (`record`).
 * - LXBook and LXFeed (stateful) are Solidity mocks placed at their addresses with `*_setCode`, so
 *   snapshots and reverts stay consistent.
 */
import { getBytes, Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { PRECOMPILES, type PQProfile, type PrecompileAddresses } from "../networks";
import { loadArtifact } from "../artifacts";
import { LUX_MLKEM_HOST_ADDRESS, PrecompileHost, pqAddresses, type PQAddresses, type PQPrecompileName } from "./host";
import { calldataKey } from "./handlers";

export interface EIP1193Like {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface InstallOptions {
  /** LXBook / LXFeed addresses, DESIGN §3 defaults otherwise (their `mldsa` / `mlkem` move the `lux` ones). */
  addresses?: Partial<PrecompileAddresses>;
  /** PQ precompile addresses per profile, DESIGN §3 defaults otherwise. */
  profiles?: Partial<Record<PQProfile, Partial<{ mldsa: string; mlkem: string }>>>;
  /**
   * "hook": the EDR call-override hook (required on Hardhat's own network);
   * "recorded": Solidity mocks with answers recorded before use;
   * "auto" (default): "hook" on a Hardhat provider, "recorded" on any other node.
   */
  mode?: "auto" | "hook" | "recorded";
  /** Install the LXBook / LXFeed Solidity mocks (default true). */
  dexMocks?: boolean;
  /** Account that sends `record` transactions in recorded mode (default: the node's first account). */
  from?: string;
}

export interface InstalledPrecompiles {
  mode: "hook" | "recorded";
  /** The default (`lux`) PQ addresses, LXBook, LXFeed and Warp. */
  addresses: PrecompileAddresses;
  /** The PQ addresses of each profile. */
  profiles: PQAddresses;
  host: PrecompileHost;
  /**
   * Recorded mode: computes the precompile's answer to `calldata` in TypeScript and stores it in the
   * mock, so a later call with exactly that calldata gets it. The `lux` ML-KEM answer depends on the
   * calling contract: pass it as `caller`. A no-op in hook mode.
   */
  record(precompile: PQPrecompileName, calldata: string | Uint8Array, opts?: { profile?: PQProfile; caller?: string }): Promise<void>;
}

interface EdrWrapperLike {
  _setCallOverrideCallback(cb: (address: Buffer, data: Buffer) => Promise<unknown>): Promise<void>;
  _reset(...args: unknown[]): Promise<boolean>;
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
  [key: symbol]: unknown;
}

const INSTALLED = Symbol.for("pars.precompiles.installed");

/** Signals that Hardhat's private call-override API has gone: precompiles cannot be served. */
export class CallOverrideHookMissingError extends Error {
  constructor() {
    super(
      "Hardhat's EDR provider has no _setCallOverrideCallback: the private API the Pars precompile host " +
        "relies on is gone (Hardhat upgraded?). Pin hardhat to the version in package.json, or use " +
        'installParsPrecompiles(provider, { mode: "recorded" }).',
    );
    this.name = "CallOverrideHookMissingError";
  }
}

function isHre(x: unknown): x is HardhatRuntimeEnvironment {
  return typeof x === "object" && x !== null && "network" in x && "artifacts" in x;
}

/** Walks Hardhat's provider wrappers down to the EDR provider that has the hook. */
export function findEdrWrapper(provider: unknown): EdrWrapperLike | undefined {
  const seen = new Set<unknown>();
  let queue: unknown[] = [provider];
  while (queue.length > 0) {
    const next: unknown[] = [];
    for (const p of queue) {
      if (typeof p !== "object" || p === null || seen.has(p)) continue;
      seen.add(p);
      const rec = p as Record<string, unknown>;
      if (typeof rec._setCallOverrideCallback === "function") return p as EdrWrapperLike;
      for (const k of ["_wrapped", "_wrappedProvider", "_provider", "_init"]) {
        try {
          if (rec[k] !== undefined) next.push(rec[k]);
        } catch {
          // a lazy getter that is not initialised yet
        }
      }
    }
    queue = next;
  }
  return undefined;
}

/** True when the provider is Hardhat's in-process network (whatever wraps it). */
function looksLikeHardhatNetwork(provider: unknown): boolean {
  const seen = new Set<unknown>();
  let p: unknown = provider;
  for (let depth = 0; depth < 8 && typeof p === "object" && p !== null && !seen.has(p); depth++) {
    seen.add(p);
    const name = (p as object).constructor?.name ?? "";
    if (/Edr|HardhatNetwork/.test(name)) return true;
    const rec = p as Record<string, unknown>;
    p = rec._wrapped ?? rec._wrappedProvider ?? rec._provider;
  }
  return false;
}

async function setCode(provider: EIP1193Like, address: string, code: string): Promise<void> {
  try {
    await provider.request({ method: "hardhat_setCode", params: [address, code] });
  } catch {
    await provider.request({ method: "anvil_setCode", params: [address, code] });
  }
}

/** The Solidity mocks placed at precompile addresses: runtime code only (no constructor runs). */
const DEX_MOCKS: { key: keyof PrecompileAddresses; contract: string }[] = [
  { key: "lxBook", contract: "LXBook__Mock" },
  { key: "lxFeed", contract: "LXFeed__Mock" },
];

async function installDexMocks(provider: EIP1193Like, addresses: PrecompileAddresses): Promise<void> {
  for (const m of DEX_MOCKS) await setCode(provider, addresses[m.key], loadArtifact(m.contract).deployedBytecode);
}

/** The shim that hands the `lux` ML-KEM precompile its caller (see `./host`). */
async function installCallerShim(provider: EIP1193Like, profiles: PQAddresses): Promise<void> {
  await setCode(provider, profiles.lux.mlkem, loadArtifact("CallerBoundPrecompile__Shim").deployedBytecode);
}

const recorderInterface = new Interface([
  "function mock__record(bytes32 key, bool reverted, bytes output)",
  "function mock__isRecorded(bytes32 key) view returns (bool)",
]);

/**
 * Installs the Pars precompiles on a Hardhat runtime (`hre`) or any EIP-1193 provider.
 * Safe to call again: the hook is replaced, the mocks' code is set again.
 */
export async function installParsPrecompiles(
  target: HardhatRuntimeEnvironment | EIP1193Like,
  options: InstallOptions = {},
): Promise<InstalledPrecompiles> {
  const provider: EIP1193Like = isHre(target) ? target.network.provider : target;
  const profiles = pqAddresses({
    pip: options.profiles?.pip,
    lux: { mldsa: options.profiles?.lux?.mldsa ?? options.addresses?.mldsa, mlkem: options.profiles?.lux?.mlkem ?? options.addresses?.mlkem },
  });
  const addresses: PrecompileAddresses = { ...PRECOMPILES, ...options.addresses, ...profiles.lux };
  const host = new PrecompileHost(profiles);
  const dexMocks = options.dexMocks ?? true;

  // Forces Hardhat's lazy provider chain to initialise, so the EDR wrapper exists.
  await provider.request({ method: "eth_chainId" });
  const wrapper = findEdrWrapper(provider);
  const onHardhat = wrapper !== undefined || looksLikeHardhatNetwork(provider) || (isHre(target) && target.network.name === "hardhat");
  const mode = options.mode === "auto" || options.mode === undefined ? (onHardhat ? "hook" : "recorded") : options.mode;

  if (mode === "hook") {
    if (!wrapper) throw new CallOverrideHookMissingError();
    await wrapper._setCallOverrideCallback(host.callback);
    await installCallerShim(wrapper, profiles);
    if (dexMocks) await installDexMocks(wrapper, addresses);
    // hardhat_reset builds a fresh EDR provider without the hook or the mocks: put them back.
    type State = { host: PrecompileHost; dexMocks: boolean; addresses: PrecompileAddresses; profiles: PQAddresses };
    const state = wrapper[INSTALLED] as State | undefined;
    if (!state) {
      const originalReset = wrapper._reset.bind(wrapper);
      wrapper._reset = async (...args: unknown[]) => {
        const result = await originalReset(...args);
        const current = wrapper[INSTALLED] as State;
        await wrapper._setCallOverrideCallback(current.host.callback);
        await installCallerShim(wrapper, current.profiles);
        if (current.dexMocks) await installDexMocks(wrapper, current.addresses);
        return result;
      };
    }
    wrapper[INSTALLED] = { host, dexMocks, addresses, profiles };
    return { mode, addresses, profiles, host, record: async () => undefined };
  }

  // Recorded mode: a recorder at every address the host would serve, the caller shim in front of the
  // `lux` ML-KEM recorder.
  const recorder = loadArtifact("PQPrecompile__Mock").deployedBytecode;
  const recorderAt = {
    pip: { mldsa: profiles.pip.mldsa, mlkem: profiles.pip.mlkem },
    lux: { mldsa: profiles.lux.mldsa, mlkem: LUX_MLKEM_HOST_ADDRESS },
  };
  for (const p of ["lux", "pip"] as const) {
    await setCode(provider, recorderAt[p].mldsa, recorder);
    await setCode(provider, recorderAt[p].mlkem, recorder);
  }
  await installCallerShim(provider, profiles);
  if (dexMocks) await installDexMocks(provider, addresses);
  const from = options.from ?? ((await provider.request({ method: "eth_accounts" })) as string[])[0];

  const record = async (
    precompile: PQPrecompileName,
    calldata: string | Uint8Array,
    opts: { profile?: PQProfile; caller?: string } = {},
  ): Promise<void> => {
    const profile = opts.profile ?? "lux";
    let bytes = getBytes(calldata);
    let outcome;
    if (profile === "lux" && precompile === "mlkem") {
      if (!opts.caller) throw new Error("recording a lux ML-KEM answer needs the calling contract (opts.caller)");
      const caller = getBytes(opts.caller);
      outcome = host.execute(precompile, profile, bytes, caller);
      bytes = new Uint8Array([...caller, ...bytes]);
    } else {
      outcome = host.execute(precompile, profile, bytes);
    }
    const data = recorderInterface.encodeFunctionData("mock__record", [calldataKey(bytes), outcome.reverted, outcome.output]);
    const hash = (await provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to: recorderAt[profile][precompile], data }],
    })) as string;
    for (let i = 0; i < 600; i++) {
      const receipt = (await provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
        status: string;
      } | null;
      if (receipt) {
        if (receipt.status !== "0x1") throw new Error(`recording ${precompile} answer failed in ${hash}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`recording ${precompile} answer: no receipt for ${hash}`);
  };
  return { mode, addresses, profiles, host, record };
}
