/**
 * The precompile host: routes call frames addressed to the Pars PQ precompiles, in both profiles, to
 * their TypeScript implementations, and keeps a short log of what it served (for gas estimates).
 *
 * The `lux` ML-KEM answer depends on the calling contract, which the EDR hook does not see: a small
 * shim contract sits at the `lux` ML-KEM address and forwards `caller ‖ input` to
 * `LUX_MLKEM_HOST_ADDRESS`, which the host serves (`CallerBoundPrecompile__Shim`).
 */
import { getAddress } from "ethers";
import { PQ_PRECOMPILES, type PQProfile } from "../networks";
import { mldsaPrecompile, mlkemPrecompile, type PrecompileOutcome } from "./handlers";
import { luxMldsaPrecompile, luxMlkemPrecompile } from "./lux";
import { estimatePrecompileGas } from "./gas";

export type PQPrecompileName = "mldsa" | "mlkem";

/** The PQ precompile addresses of each profile. */
export type PQAddresses = Record<PQProfile, { mldsa: string; mlkem: string }>;

/** Where the host serves the `lux` ML-KEM behind its shim (local networks only). */
export const LUX_MLKEM_HOST_ADDRESS = "0x00000000000000000000000000000000000f2201";

export interface ServedCall {
  precompile: PQPrecompileName;
  profile: PQProfile;
  outcome: PrecompileOutcome;
}

/** What the EDR call-override callback returns for a served frame. */
export interface CallOverrideResult {
  result: Buffer;
  shouldRevert: boolean;
}

interface Route {
  precompile: PQPrecompileName;
  profile: PQProfile;
  /** The input starts with the 20-byte caller (the `lux` ML-KEM behind its shim). */
  callerBound: boolean;
}

const LOG_LIMIT = 4096;

type Overrides = Partial<{ mldsa: string; mlkem: string }>;

/** The default addresses of both profiles, with the addresses `overrides` gives (undefined ones keep the default). */
export function pqAddresses(overrides: Partial<Record<PQProfile, Overrides>> = {}): PQAddresses {
  const merge = (profile: PQProfile) => ({
    mldsa: overrides[profile]?.mldsa ?? PQ_PRECOMPILES[profile].mldsa,
    mlkem: overrides[profile]?.mlkem ?? PQ_PRECOMPILES[profile].mlkem,
  });
  return { lux: merge("lux"), pip: merge("pip") };
}

export class PrecompileHost {
  readonly addresses: PQAddresses;
  private readonly routes = new Map<string, Route>();
  private log: ServedCall[] = [];

  constructor(addresses: PQAddresses = pqAddresses()) {
    this.addresses = addresses;
    this.routes.set(this.key(addresses.pip.mldsa), { precompile: "mldsa", profile: "pip", callerBound: false });
    this.routes.set(this.key(addresses.pip.mlkem), { precompile: "mlkem", profile: "pip", callerBound: false });
    this.routes.set(this.key(addresses.lux.mldsa), { precompile: "mldsa", profile: "lux", callerBound: false });
    this.routes.set(this.key(LUX_MLKEM_HOST_ADDRESS), { precompile: "mlkem", profile: "lux", callerBound: true });
  }

  private key(address: string): string {
    return getAddress(address).slice(2).toLowerCase();
  }

  /**
   * Runs a precompile on its input, as the chain would. The `lux` ML-KEM needs the calling address
   * (`caller`, 20 bytes).
   */
  execute(precompile: PQPrecompileName, profile: PQProfile, data: Uint8Array, caller?: Uint8Array): PrecompileOutcome {
    if (profile === "pip") return precompile === "mldsa" ? mldsaPrecompile(data) : mlkemPrecompile(data);
    if (precompile === "mldsa") return luxMldsaPrecompile(data);
    if (!caller || caller.length !== 20) throw new Error("the lux ML-KEM precompile needs the 20-byte caller");
    return luxMlkemPrecompile(caller, data);
  }

  /** The EDR call-override callback: undefined for every address the host does not serve. */
  readonly callback = async (address: Buffer, data: Buffer): Promise<CallOverrideResult | undefined> => {
    const route = this.routes.get(address.toString("hex"));
    if (route === undefined) return undefined;
    let outcome: PrecompileOutcome;
    if (route.callerBound) {
      outcome = data.length < 20
        ? { output: new Uint8Array(), reverted: true }
        : this.execute(route.precompile, route.profile, data.subarray(20), data.subarray(0, 20));
    } else {
      outcome = this.execute(route.precompile, route.profile, data);
    }
    this.log.push({ precompile: route.precompile, profile: route.profile, outcome });
    if (this.log.length > LOG_LIMIT) this.log = this.log.slice(-LOG_LIMIT / 2);
    return { result: Buffer.from(outcome.output), shouldRevert: outcome.reverted };
  };

  /** Calls served since the last `takeLog()` (eth_call and gas estimation included). */
  takeLog(): ServedCall[] {
    const out = this.log;
    this.log = [];
    return out;
  }

  /** Estimated on-chain gas of a set of served calls. */
  static estimateGas(calls: ServedCall[]): number {
    return calls.reduce((sum, c) => sum + estimatePrecompileGas(c.precompile, c.outcome), 0);
  }
}
