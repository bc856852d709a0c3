/**
 * Reference model of the LXFeed precompile (contracts/precompiles/ILXFeed.sol) with the semantics of
 * `LXFeed__Mock`: a ring buffer of the newest `MAX_OBSERVATIONS` observations per pair, at most one per
 * second, and a TWAP over `[now - period, now]` rounded down. Time is passed in explicitly (`now` is the
 * block timestamp the call runs at).
 */

/** The number of observations kept per pair. */
export const MAX_OBSERVATIONS = 32;
/** The highest price `mock__setPrice` accepts. */
export const FEED_MAX_PRICE = 10n ** 36n;
/** The highest confidence, in percent. */
export const MAX_CONFIDENCE = 100;

export interface Observation {
  price: bigint;
  timestamp: bigint;
  confidence: number;
}

/** A Solidity custom error of the feed: its name and its arguments in ABI order. */
export class LXFeedError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: (bigint | string)[],
  ) {
    super(`${errorName}(${args.map(String).join(", ")})`);
    this.name = "LXFeedError";
  }
}

/**
 * The time-weighted average of a price step function given by `observations` (oldest first, strictly
 * increasing timestamps, at least one) over `[now - period, now]`, clipped to the covered history,
 * rounded down; the latest price if nothing is covered. Exported for dApps that keep their own history.
 */
export function twapOf(observations: readonly Observation[], now: bigint, period: bigint): bigint {
  if (observations.length === 0) throw new Error("twapOf: no observations");
  if (period <= 0n) throw new Error("twapOf: period must be positive");
  const windowStart = period >= now ? 0n : now - period;
  let weighted = 0n;
  let covered = 0n;
  for (let i = 0; i < observations.length; i++) {
    const from = observations[i].timestamp > windowStart ? observations[i].timestamp : windowStart;
    const to = i + 1 < observations.length ? observations[i + 1].timestamp : now;
    const until = to < now ? to : now;
    if (until > from) {
      weighted += observations[i].price * (until - from);
      covered += until - from;
    }
  }
  if (covered === 0n) return observations[observations.length - 1].price;
  return weighted / covered;
}

/** The LXFeed reference model. */
export class LXFeedModel {
  /** Per pair (lowercase id), oldest first, at most MAX_OBSERVATIONS. */
  private history = new Map<string, Observation[]>();

  clone(): LXFeedModel {
    const copy = new LXFeedModel();
    copy.history = structuredClone(this.history);
    return copy;
  }

  /** `mock__setPrice(pair, price, confidence)` in a block with timestamp `now`; returns the `PriceUpdate` args. */
  setPrice(
    pair: string,
    price: bigint,
    confidence: number,
    now: bigint,
  ): { pair: string; price: bigint; timestamp: bigint } {
    if (price === 0n || price > FEED_MAX_PRICE) throw new LXFeedError("InvalidPrice", [price]);
    if (confidence > MAX_CONFIDENCE) throw new LXFeedError("InvalidConfidence", [BigInt(confidence)]);
    const p = pair.toLowerCase();
    const list = this.history.get(p) ?? [];
    const observation: Observation = { price, timestamp: now, confidence };
    if (list.length > 0 && list[list.length - 1].timestamp === now) {
      list[list.length - 1] = observation;
    } else {
      list.push(observation);
      if (list.length > MAX_OBSERVATIONS) list.shift();
    }
    this.history.set(p, list);
    return { pair: p, price, timestamp: now };
  }

  getPrice(pair: string): Observation {
    const list = this.history.get(pair.toLowerCase());
    if (!list || list.length === 0) throw new LXFeedError("NoPrice", [pair.toLowerCase()]);
    return { ...list[list.length - 1] };
  }

  /** `getTWAP(pair, period)` in a call running at block timestamp `now`. */
  getTWAP(pair: string, period: bigint, now: bigint): bigint {
    const list = this.history.get(pair.toLowerCase());
    if (!list || list.length === 0) throw new LXFeedError("NoPrice", [pair.toLowerCase()]);
    if (period === 0n) throw new LXFeedError("InvalidPeriod", [period]);
    return twapOf(list, now, period);
  }

  observationCount(pair: string): number {
    return this.history.get(pair.toLowerCase())?.length ?? 0;
  }

  /** Index 0 is the newest observation. */
  getObservation(pair: string, index: number): Observation {
    const p = pair.toLowerCase();
    const list = this.history.get(p) ?? [];
    if (index >= list.length) throw new LXFeedError("ObservationOutOfRange", [p, BigInt(index), BigInt(list.length)]);
    return { ...list[list.length - 1 - index] };
  }
}
