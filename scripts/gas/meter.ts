/**
 * The gas meter behind `npm run gas`: measures named operations on the in-process network, where the
 * PQ precompiles are served from TypeScript at no gas, and adds the on-chain precompile estimate.
 */
import type { ContractTransactionResponse, TransactionResponse } from "ethers";
import { PrecompileHost } from "../../src/precompiles/host";
import type { InstalledPrecompiles } from "../../src/precompiles/install";
import type { BenchNetwork } from "./network";

export interface Measurement {
  name: string;
  gas: number;
  /** Local gas plus the estimated on-chain cost of the precompile calls it made (0 calls: equal to gas). */
  withPrecompile: number;
  precompileCalls: number;
}

export interface Benchmark {
  /** Group name, for the table. */
  name: string;
  /**
   * Measures its operations with `meter.measure` on `net` (10 or 1,000 active nodes, shared by all
   * benchmarks and restored from a snapshot before each). Names are given without the scale suffix;
   * the meter appends `@1000` for the 1,000-node run.
   */
  run(meter: GasMeter, net: BenchNetwork): Promise<void>;
}

/** Transactions must carry an explicit gas limit so that gas estimation does not call precompiles too. */
export const TX = { gasLimit: 14_000_000n } as const;

export class GasMeter {
  readonly results: Measurement[] = [];
  suffix = "";

  constructor(private readonly precompiles: InstalledPrecompiles) {}

  /** Sends the transaction (with `TX` overrides), waits for it and records its gas under `name`. */
  async measure(
    name: string,
    send: () => Promise<ContractTransactionResponse | TransactionResponse>,
  ): Promise<Measurement> {
    return this.measureAs(name + this.suffix, send);
  }

  /** Like `measure`, under exactly `fullName` (no scale suffix). */
  async measureAs(
    fullName: string,
    send: () => Promise<ContractTransactionResponse | TransactionResponse>,
  ): Promise<Measurement> {
    this.precompiles.host.takeLog();
    const tx = await send();
    const receipt = await tx.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`${fullName}: transaction failed`);
    const calls = this.precompiles.host.takeLog();
    const gas = Number(receipt.gasUsed);
    const m: Measurement = {
      name: fullName,
      gas,
      withPrecompile: gas + PrecompileHost.estimateGas(calls),
      precompileCalls: calls.length,
    };
    this.results.push(m);
    return m;
  }
}
