/**
 * Sends a plan's actions, in order, through the transport the caller supplies, and records each
 * deployment and transaction in `deployments/<chainId>.json` as it is mined, so a run that stops
 * resumes where it stopped. Nothing here asks or prints: what happens is reported to the caller's
 * listener as it happens.
 */
import type { PreparedTx, SentTx, TxIntent } from "../src/cli/tx";
import { Reader } from "./checks";
import { DeployError } from "./errors";
import type { Action, Plan } from "./plan";
import { contractRecord, saveRecord } from "./records";
import { stepContext } from "./state";
import { TIMELOCK } from "./steps";

/** How transactions are prepared (gas, fees, nonce) and sent; `send` waits for the receipt. */
export interface Transport {
  prepare(intent: TxIntent, nonce?: number): Promise<PreparedTx>;
  send(p: PreparedTx): Promise<SentTx>;
}

/** What execution reports, in order, as it goes. */
export type ExecutionEvent =
  /** The action's step already holds (a constructor set it): not sent. */
  | { kind: "skipped"; action: Action }
  /** The transaction is prepared and about to be sent. */
  | { kind: "sending"; action: Action; prepared: PreparedTx }
  /** A deployment was mined and recorded. */
  | { kind: "deployed"; action: Action; name: string; address: string }
  /** A transaction was mined and recorded. */
  | { kind: "sent"; action: Action; sent: SentTx };

export interface SentStep {
  step: string;
  hash: string;
  blockNumber: number;
}

export interface Execution {
  /** Contracts deployed by this run. */
  deployed: string[];
  /** Transactions sent by this run. */
  transactions: SentStep[];
}

/** A planned transaction prepared ahead of sending, or, when it cannot be estimated yet, its intent and nonce only. */
export interface PreparedAction {
  action: Action;
  intent: TxIntent;
  nonce: number;
  prepared?: PreparedTx;
}

/**
 * Every planned transaction, fully prepared with consecutive nonces and the predicted addresses
 * (for a dry run, and the cost shown before sending). A call to a contract this run would deploy
 * cannot be estimated before it exists: its entry has the calldata and nonce only.
 */
export async function prepareAll(p: Plan, prepare: Transport["prepare"]): Promise<PreparedAction[]> {
  const s = p.state;
  let nonce = await s.chain.provider.getTransactionCount(s.cfg.deployer, "pending");
  const c = stepContext(s);
  const all: PreparedAction[] = [];
  for (const [i, action] of p.actions.entries()) {
    const intent = action.intent(c);
    const estimable = Boolean(action.deploy) || Boolean(s.record.contracts[action.contract]);
    let prepared: PreparedTx | undefined;
    if (estimable) {
      try {
        prepared = await prepare(intent, nonce);
      } catch (e) {
        // A constructor that reads a contract this run deploys first cannot run before it exists.
        if (i === 0 || !p.actions.slice(0, i).some((a) => a.deploy)) throw e;
      }
    }
    all.push({ action, intent, nonce, prepared });
    nonce++;
  }
  return all;
}

/**
 * Sends the plan's actions. A failure stops the run with an error saying how many transactions
 * were recorded (the failure's own details kept): running again resumes.
 */
export async function execute(p: Plan, transport: Transport, onEvent: (e: ExecutionEvent) => void = () => {}): Promise<Execution> {
  const s = p.state;
  const done: Execution = { deployed: [], transactions: [] };
  const stopped = (e: unknown) => {
    const details = (e as { details?: Record<string, unknown> }).details ?? {};
    return new DeployError(
      `${(e as Error).message}\nstopped; ${done.transactions.length} transaction(s) of this run were recorded. ` + "Run deploy-suite again to resume where it stopped.",
      details,
    );
  };
  for (const a of p.actions) {
    const c = stepContext(s);
    if (a.satisfied && (await a.satisfied(c, Reader.of(s, c)))) {
      onEvent({ kind: "skipped", action: a });
      continue;
    }
    const intent = a.intent(c);
    let prepared: PreparedTx;
    try {
      prepared = await transport.prepare(intent);
    } catch (e) {
      throw stopped(e);
    }
    onEvent({ kind: "sending", action: a, prepared });
    const sent = await transport.send(prepared).catch((e: unknown) => {
      throw stopped(e);
    });
    if (a.deploy) {
      const d = a.deploy;
      const rec = contractRecord(d, sent, d.args(stepContext(s)));
      s.record.contracts[d.name] = rec;
      if (d.name === TIMELOCK) s.record.governance.timelock = rec.address;
      done.deployed.push(d.name);
      onEvent({ kind: "deployed", action: a, name: d.name, address: rec.address });
    } else {
      s.record.transactions.push({ step: a.name, hash: sent.hash, blockNumber: sent.blockNumber });
    }
    done.transactions.push({ step: a.name, hash: sent.hash, blockNumber: sent.blockNumber });
    saveRecord(s.dir, s.record);
    onEvent({ kind: "sent", action: a, sent });
  }
  return done;
}

/** After a run whose checks passed: the record notes the hand-over and the time of the check, and is saved. */
export function recordHandedOver(p: Plan): string {
  const s = p.state;
  s.record.governance = {
    timelock: s.record.contracts[TIMELOCK]?.address ?? "",
    minDelaySeconds: Number(s.cfg.timelock.minDelay),
    handedOver: true,
  };
  s.record.checkedAt = new Date().toISOString();
  return saveRecord(s.dir, s.record);
}
