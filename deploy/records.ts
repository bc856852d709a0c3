/**
 * Writing the deployment record, `deployments/<chainId>.json` (format in `src/deployments.ts`, which
 * is the one reader), and telling whether a recorded deployment is still on the chain.
 */
import * as fs from "fs";
import { getAddress } from "ethers";
import { DEPLOYMENT_FORMAT, deploymentPath, getDeployment, type ContractDeployment, type Deployment, type RecordedValue } from "../src/deployments";
import type { Chain } from "../src/cli/chain";
import type { SentTx } from "../src/cli/tx";
import type { ResolvedConfig } from "./config";
import { DeployError } from "./errors";
import type { DeployStep } from "./steps";

function jsonSafe(v: unknown): RecordedValue {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v as RecordedValue;
}

/** Writes the record (to a temporary file first, so a crash never leaves half a record). */
export function saveRecord(dir: string, d: Deployment): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = deploymentPath(d.chainId, dir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(d, null, 2) + "\n");
  fs.renameSync(tmp, file);
  return file;
}

/** An empty record of a deployment about to start. */
export function newRecord(chainId: number, cfg: ResolvedConfig, deployer: string): Deployment {
  return {
    format: DEPLOYMENT_FORMAT,
    chainId,
    network: cfg.network,
    deployer: getAddress(deployer),
    governance: { timelock: "", minDelaySeconds: Number(cfg.timelock.minDelay), handedOver: false },
    contracts: {},
    transactions: [],
  };
}

/** The record entry of a contract a step deployed by the transaction `sent`. */
export function contractRecord(step: DeployStep, sent: SentTx, args: unknown[]): ContractDeployment {
  if (!sent.contractAddress) throw new DeployError(`deploy ${step.name}: the receipt has no contract address`);
  return {
    abi: step.artifact.split(":")[1],
    artifact: step.artifact,
    address: getAddress(sent.contractAddress),
    blockNumber: sent.blockNumber,
    blockHash: sent.blockHash,
    transactionHash: sent.hash,
    args: jsonSafe(args) as RecordedValue[],
  };
}

/**
 * Why the recorded deployment is no longer on this chain (a contract without code at its address,
 * or a deployment block with another hash), or undefined when it is. A local chain that was
 * restarted fails this.
 */
export async function recordIsCurrent(chain: Chain, d: Deployment): Promise<string | undefined> {
  for (const [name, c] of Object.entries(d.contracts)) {
    const code = await chain.provider.getCode(c.address);
    if (code === "0x") return `${name} has no code at ${c.address}`;
    const block = await chain.provider.getBlock(c.blockNumber);
    if (!block || block.hash !== c.blockHash) return `block ${c.blockNumber} (${name}'s deployment) has a different hash`;
  }
  return undefined;
}

/**
 * The record a deployment run continues: the recorded one while it is on the chain, otherwise a
 * new one. On a local chain a record whose contracts are gone was left by a chain since reset: it is
 * replaced (`reset` says why); on any other chain that stops the run.
 */
export async function recordToContinue(chain: Chain, dir: string, cfg: ResolvedConfig, deployer: string): Promise<{ record: Deployment; reset?: string }> {
  const existing = getDeployment(chain.chainId, dir);
  if (existing) {
    const stale = await recordIsCurrent(chain, existing);
    if (!stale) return { record: existing };
    if (!chain.local) {
      throw new DeployError(
        `${deploymentPath(chain.chainId, dir)} does not match chain ${chain.chainId}: ${stale}. Refusing to continue; ` +
          "check the RPC URL, or move the record aside if the deployment is really gone",
      );
    }
    return { record: newRecord(chain.chainId, cfg, deployer), reset: stale };
  }
  return { record: newRecord(chain.chainId, cfg, deployer) };
}

/** The recorded deployment, which must be on the chain (what deploy:check reads back). */
export async function recordToCheck(chain: Chain, dir: string): Promise<Deployment> {
  const rec = getDeployment(chain.chainId, dir);
  if (!rec) throw new DeployError(`no deployment recorded for chain ${chain.chainId} in ${dir}`);
  const stale = await recordIsCurrent(chain, rec);
  if (stale) throw new DeployError(`the recorded deployment is not on this chain: ${stale}`);
  return rec;
}
