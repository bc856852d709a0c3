/**
 * What planning, executing and checking a deployment share: the steps and their artifacts, the
 * record as it grows, and the addresses of the contracts this run is about to deploy.
 */
import type { InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Deployment } from "../src/deployments";
import { RevertDecoder } from "../src/revert";
import type { Chain } from "../src/cli/chain";
import type { ResolvedConfig } from "./config";
import { DeployError } from "./errors";
import type { DeployStep, Step, StepContext } from "./steps";

export interface DeployState {
  hre: HardhatRuntimeEnvironment;
  chain: Chain;
  cfg: ResolvedConfig;
  steps: Step[];
  /** Where the record is kept (`<dir>/<chainId>.json`); written after every transaction. */
  dir: string;
  /** ABI of each deployed contract, by its step's name. */
  abis: Record<string, InterfaceAbi>;
  /** Creation code, by step name. */
  bytecode: Record<string, string>;
  /** Names the custom errors of every contract of the suite. */
  decoder: RevertDecoder;
  /** The record; execution adds each contract and transaction as it is mined. */
  record: Deployment;
  /** Addresses of the contracts the plan deploys, from the deployer's nonce. */
  predicted: Record<string, string>;
}

export function deploySteps(steps: Step[]): DeployStep[] {
  return steps.filter((s): s is DeployStep => s.kind === "deploy");
}

/** Reads the artifact of every deploy step and starts the state with `record`. */
export async function openState(input: Omit<DeployState, "abis" | "bytecode" | "decoder" | "predicted">): Promise<DeployState> {
  const state: DeployState = { ...input, abis: {}, bytecode: {}, decoder: new RevertDecoder(), predicted: {} };
  for (const s of deploySteps(input.steps)) {
    const a = await input.hre.artifacts.readArtifact(s.artifact);
    state.abis[s.name] = a.abi as InterfaceAbi;
    state.bytecode[s.name] = a.bytecode;
    state.decoder.add(s.name, a.abi as InterfaceAbi);
  }
  return state;
}

/** What the steps see: the config, the deployer, and each contract's recorded or predicted address. */
export function stepContext(s: DeployState): StepContext {
  return {
    cfg: s.cfg,
    deployer: s.cfg.deployer,
    addr: (name) => {
      const a = s.record.contracts[name]?.address ?? s.predicted[name];
      if (!a) throw new DeployError(`${name} is neither deployed nor planned`);
      return a;
    },
    has: (name) => deploySteps(s.steps).some((d) => d.name === name),
  };
}

/** Contract name → address, of the contracts recorded. */
export function recordedAddresses(s: DeployState): Record<string, string> {
  return Object.fromEntries(Object.entries(s.record.contracts).map(([k, v]) => [k, v.address]));
}
