/**
 * The precompile host: routes call frames addressed to the Pars PQ precompiles to their
 * TypeScript implementations, and keeps a short log of what it served (for gas estimates).
 */
import { getAddress } from "ethers";
import { PRECOMPILES, type PrecompileAddresses } from "../networks";
import { mldsaPrecompile, mlkemPrecompile, type PrecompileOutcome } from "./handlers";
import { estimatePrecompileGas } from "./gas";

export type PQPrecompileName = "mldsa" | "mlkem";

export interface ServedCall {
  precompile: PQPrecompileName;
  outcome: PrecompileOutcome;
}

/** What the EDR call-override callback returns for a served frame. */
export interface CallOverrideResult {
  result: Buffer;
  shouldRevert: boolean;
}

const LOG_LIMIT = 4096;

export class PrecompileHost {
  readonly addresses: PrecompileAddresses;
  private readonly routes = new Map<string, PQPrecompileName>();
  private log: ServedCall[] = [];

  constructor(addresses: Partial<PrecompileAddresses> = {}) {
    this.addresses = { ...PRECOMPILES, ...addresses };
    this.routes.set(this.key(this.addresses.mldsa), "mldsa");
    this.routes.set(this.key(this.addresses.mlkem), "mlkem");
  }

  private key(address: string): string {
    return getAddress(address).slice(2).toLowerCase();
  }

  /** Runs a precompile on calldata, as the chain would. */
  execute(precompile: PQPrecompileName, data: Uint8Array): PrecompileOutcome {
    return precompile === "mldsa" ? mldsaPrecompile(data) : mlkemPrecompile(data);
  }

  /** The EDR call-override callback: undefined for every address the host does not serve. */
  readonly callback = async (address: Buffer, data: Buffer): Promise<CallOverrideResult | undefined> => {
    const precompile = this.routes.get(address.toString("hex"));
    if (precompile === undefined) return undefined;
    const outcome = this.execute(precompile, data);
    this.log.push({ precompile, outcome });
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
