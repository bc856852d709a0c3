/**
 * Which hash-chain value proves liveness now, from what the registry holds.
 *
 * The registry keeps the last revealed value x_p and its epoch L; in epoch e it accepts v with
 * H^(e − L)(v) == x_p, i.e. v = x_{p − (e − L)}. The position p is found in the node's own chain
 * (newest first, one checkpoint segment at a time), so the tool needs no record of when the node
 * registered or which heartbeats went through.
 */
import { HeartbeatChain, heartbeatHash } from "../heartbeat";

/** The position of `value` in the chain, or undefined when it is not a value of this chain. */
export function positionOf(chain: HeartbeatChain, value: string): number | undefined {
  const target = value.toLowerCase();
  const { checkpoints, interval, length } = chain.toJSON();
  for (let k = checkpoints.length - 1; k >= 0; k--) {
    let x = checkpoints[k];
    const end = Math.min(length, (k + 1) * interval - 1);
    for (let i = k * interval; i <= end; i++) {
      if (x.toLowerCase() === target) return i;
      x = heartbeatHash(x);
    }
  }
  return undefined;
}

export type HeartbeatPlan =
  | { kind: "reveal"; value: string; position: number; gap: number }
  | { kind: "unknown-chain" }
  | { kind: "exhausted"; position: number; gap: number };

/** The value to reveal in `epoch`, given the registry's last revealed value and its epoch. */
export function planHeartbeat(chain: HeartbeatChain, lastRevealed: string, lastEpoch: number, epoch: number): HeartbeatPlan {
  const position = positionOf(chain, lastRevealed);
  if (position === undefined) return { kind: "unknown-chain" };
  const gap = epoch - lastEpoch;
  if (position - gap < 0) return { kind: "exhausted", position, gap };
  const value = chain.valueAt(position - gap);
  // The registry's own check, done here first.
  let v = value;
  for (let i = 0; i < gap; i++) v = heartbeatHash(v);
  if (v.toLowerCase() !== lastRevealed.toLowerCase()) return { kind: "unknown-chain" };
  return { kind: "reveal", value, position, gap };
}
