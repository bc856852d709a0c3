/**
 * The heartbeat hash chain (DESIGN §4, LP-046 uptime challenges).
 *
 * x_0 = seed, x_{i+1} = keccak256(x_i); the node registers the anchor x_n at epoch e_0 and in epoch
 * e reveals x_{n - (e - e_0)}. The registry checks H^(e - last)(v) == lastRevealed. Hash-based, so
 * quantum-safe; 32 bytes of calldata; anyone may relay it.
 *
 * A node keeps checkpoints every `interval` positions instead of the whole chain: the value for any
 * epoch costs at most `interval` hashes, and the checkpoints take n / interval × 32 bytes
 * (a two-year chain, 17,520 epochs, with interval 128: 137 checkpoints, about 4.4 KB).
 */
import { keccak256, getBytes, hexlify, randomBytes } from "ethers";

export const EPOCH_SECONDS = 3600;

/** Same as the registry: `keccak256(abi.encode(bytes32))`, which is keccak256 of the 32 bytes. */
export function heartbeatHash(value: string | Uint8Array): string {
  return keccak256(getBytes(value));
}

export function epochOf(timestampSeconds: number | bigint): number {
  return Number(BigInt(timestampSeconds) / BigInt(EPOCH_SECONDS));
}

export interface HeartbeatChainJSON {
  /** Chain length n: the number of epochs it covers. */
  length: number;
  /** Epoch at which the anchor x_n is the registry's `lastRevealed`. */
  anchorEpoch: number;
  interval: number;
  /** x_{k·interval} for k = 0 .. floor(n / interval); x_0 is the seed, so keep this file secret. */
  checkpoints: string[];
}

export class HeartbeatChain {
  private constructor(
    readonly length: number,
    readonly anchorEpoch: number,
    readonly interval: number,
    private readonly checkpoints: string[],
  ) {}

  /** Builds a chain of `length` epochs from `seed` (32 random bytes by default). */
  static create(opts: { length?: number; anchorEpoch: number; interval?: number; seed?: string | Uint8Array }): HeartbeatChain {
    const length = opts.length ?? 24 * 365 * 2;
    const interval = opts.interval ?? 128;
    if (!Number.isInteger(length) || length < 1) throw new Error("chain length must be a positive integer");
    if (!Number.isInteger(interval) || interval < 1) throw new Error("checkpoint interval must be a positive integer");
    let x = hexlify(opts.seed ? getBytes(opts.seed) : randomBytes(32));
    if (getBytes(x).length !== 32) throw new Error("seed must be 32 bytes");
    const checkpoints = [x];
    for (let i = 1; i <= length; i++) {
      x = heartbeatHash(x);
      if (i % interval === 0) checkpoints.push(x);
    }
    return new HeartbeatChain(length, opts.anchorEpoch, interval, checkpoints);
  }

  static fromJSON(j: HeartbeatChainJSON): HeartbeatChain {
    return new HeartbeatChain(j.length, j.anchorEpoch, j.interval, [...j.checkpoints]);
  }

  /**
   * The same chain anchored at another epoch: use the registry's `lastHeartbeatEpoch` after the
   * registration lands (it may fall in the epoch after the one the chain was built for).
   */
  withAnchorEpoch(anchorEpoch: number): HeartbeatChain {
    return new HeartbeatChain(this.length, anchorEpoch, this.interval, this.checkpoints);
  }

  toJSON(): HeartbeatChainJSON {
    return { length: this.length, anchorEpoch: this.anchorEpoch, interval: this.interval, checkpoints: [...this.checkpoints] };
  }

  /** x_i, from the nearest checkpoint at or below i: at most `interval - 1` hashes. */
  valueAt(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i > this.length) throw new Error(`chain position ${i} outside 0..${this.length}`);
    const k = Math.floor(i / this.interval);
    let x = this.checkpoints[k];
    for (let j = k * this.interval; j < i; j++) x = heartbeatHash(x);
    return x;
  }

  /** The anchor x_n to register. */
  get anchor(): string {
    return this.valueAt(this.length);
  }

  /** The last epoch the chain covers. */
  get lastEpoch(): number {
    return this.anchorEpoch + this.length;
  }

  /** The value to reveal in `epoch`. */
  valueForEpoch(epoch: number): string {
    const offset = epoch - this.anchorEpoch;
    if (offset < 0) throw new Error(`epoch ${epoch} is before the chain's anchor epoch ${this.anchorEpoch}`);
    if (offset > this.length) throw new Error(`chain exhausted: epoch ${epoch} is past ${this.lastEpoch}; rotate the anchor`);
    return this.valueAt(this.length - offset);
  }
}
