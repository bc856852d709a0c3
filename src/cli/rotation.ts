/**
 * A heartbeat-chain rotation that may or may not have been mined.
 *
 * `node:rotate-anchor` writes the keystore with the new chain to `<keystore>.rotating` before it
 * broadcasts the rotation. From then on only the chain decides which keystore the node needs: the
 * registry's last revealed value lies on one chain or the other. So the pending file is
 *
 * - adopted (it becomes the keystore, the old one `<keystore>.previous`) once the registry's value
 *   is on its chain, by whichever task sees that first (`node:rotate-anchor` itself, or the next
 *   `node:heartbeat`);
 * - removed only once the rotation can no longer be mined: the registry accepts it in the epoch it
 *   was signed for only, so after that epoch, with the registry's value still on the keystore's own
 *   chain, nothing can need it;
 * - kept otherwise (a rotation sent but not yet mined, or mined while the receipt could not be read).
 */
import * as fs from "fs";
import { decryptKeystore, readKeystore, type NodeKeyMaterial } from "../keystore";
import { positionOf } from "./heartbeat";

export const pendingRotationPath = (file: string) => `${file}.rotating`;
export const previousKeystorePath = (file: string) => `${file}.previous`;

/** What the registry holds of the node: its last revealed value, and the current epoch. */
export interface AnchorView {
  lastRevealed: string;
  currentEpoch: number;
}

export type PendingRotation =
  | { state: "none" }
  /** The registry's value is on the pending chain: it is now the keystore. */
  | { state: "adopted"; keys: NodeKeyMaterial; previous: string }
  /** The rotation can no longer be mined: the pending file was removed. */
  | { state: "dropped"; epoch: number }
  /** The rotation may still be mined in epoch `epoch`: the pending file stays. */
  | { state: "kept"; file: string; epoch: number };

/** Makes the pending keystore the keystore, keeping the replaced one as `<keystore>.previous`. */
export function adoptPendingRotation(file: string): string {
  const previous = previousKeystorePath(file);
  fs.copyFileSync(file, previous);
  fs.renameSync(pendingRotationPath(file), file);
  return previous;
}

/**
 * Settles `<file>.rotating` against the registry's view (see the module comment). The pending
 * keystore is encrypted with the keystore's password.
 */
export function settlePendingRotation(file: string, password: string, view: AnchorView): PendingRotation {
  const pending = pendingRotationPath(file);
  if (!fs.existsSync(pending)) return { state: "none" };
  const keys = decryptKeystore(readKeystore(pending), password, pending);
  if (positionOf(keys.heartbeat, view.lastRevealed) !== undefined) return { state: "adopted", keys, previous: adoptPendingRotation(file) };
  const epoch = keys.heartbeat.anchorEpoch;
  if (view.currentEpoch > epoch) {
    fs.rmSync(pending, { force: true });
    return { state: "dropped", epoch };
  }
  return { state: "kept", file: pending, epoch };
}
