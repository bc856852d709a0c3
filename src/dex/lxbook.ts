/**
 * Reference model of the LXBook precompile (contracts/precompiles/ILXBook.sol), with the semantics and
 * rounding of `LXBook__Mock` written the plain way: sorted arrays instead of linked lists, bigint
 * arithmetic throughout. Tests drive the mock and this model with the same calls and compare them.
 *
 * Every mutating method is atomic: it either returns the call's result and events, or throws an
 * `LXBookError` carrying the Solidity custom error's name and arguments, and changes nothing.
 */
import { getAddress } from "ethers";

/** Prices are quote per base scaled by 1e18. */
export const PRICE_SCALE = 10n ** 18n;
/** Fees are in basis points of what a party receives. */
export const BPS = 10_000n;
/** Fee of the resting order of a fill: 0.01%. */
export const MAKER_FEE_BPS = 1n;
/** Fee of the incoming order of a fill: 0.05%. */
export const TAKER_FEE_BPS = 5n;
/** The most resting orders one `placeOrder` or `swap` matches. */
export const MAX_FILLS_PER_CALL = 8;
/** The most distinct prices one side of a pair holds. */
export const MAX_PRICE_LEVELS = 16;
/** The highest accepted price. */
export const MAX_PRICE = 10n ** 36n;
/** The highest accepted order, swap or credit amount. */
export const MAX_AMOUNT = 10n ** 36n;
/** The most items one batch view (`getOrders`, `balancesOf`) returns. */
export const MAX_BATCH = 64;

/** Order sides: 0 buys base with quote, 1 sells base for quote. */
export const Side = { Buy: 0, Sell: 1 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/** The life cycle of an order (the `ILXBook.OrderStatus` enum). */
export enum OrderStatus {
  None = 0,
  Open = 1,
  Filled = 2,
  Cancelled = 3,
}

/** An order as `getOrder` returns it. */
export interface Order {
  pair: string;
  owner: string;
  side: number;
  status: OrderStatus;
  price: bigint;
  amount: bigint;
  remaining: bigint;
}

export interface BBO {
  bestBid: bigint;
  bestBidSize: bigint;
  bestAsk: bigint;
  bestAskSize: bigint;
}

export interface Depth {
  prices: bigint[];
  sizes: bigint[];
}

/** An event the call emitted, with its arguments in ABI order (uints as bigint, addresses checksummed). */
export interface BookEvent {
  name: string;
  args: (bigint | string)[];
}

/** A Solidity custom error of the book: its name and its arguments in ABI order. */
export class LXBookError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: (bigint | string)[],
  ) {
    super(`${errorName}(${args.map(String).join(", ")})`);
    this.name = "LXBookError";
  }
}

/** `ceil(a * b / d)`. */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  const product = a * b;
  return product / d + (product % d === 0n ? 0n : 1n);
}

/** The quote worth of `base` at `price`: rounded down (what a seller is credited) or up (what a taker pays). */
export function quoteFor(base: bigint, price: bigint, rounding: "down" | "up" = "down"): bigint {
  return rounding === "up" ? mulDivUp(base, price, PRICE_SCALE) : (base * price) / PRICE_SCALE;
}

/** A fee of `bps` basis points on `amount`, rounded up. */
export function feeOn(amount: bigint, bps: bigint): bigint {
  return mulDivUp(amount, bps, BPS);
}

/** What a resting order of `remaining` base at `price` keeps locked: quote rounded up for a buy, base for a sell. */
export function lockFor(side: number, remaining: bigint, price: bigint): bigint {
  return side === Side.Buy ? mulDivUp(remaining, price, PRICE_SCALE) : remaining;
}

interface Level {
  price: bigint;
  size: bigint;
  /** Order ids, oldest first. */
  orders: bigint[];
}

interface PairState {
  base: string;
  quote: string;
  /** Index 0 bids (highest first), 1 asks (lowest first). */
  sides: [Level[], Level[]];
}

interface State {
  pairs: Map<string, PairState>;
  orders: Map<bigint, Order>;
  lastOrderId: bigint;
  /** Keyed by `${account}|${asset}`. */
  balances: Map<string, bigint>;
  fees: Map<string, bigint>;
}

interface Taker {
  pair: string;
  account: string;
  orderId: bigint;
  side: number;
  /** 0 = any price (a swap). */
  limit: bigint;
  /** A buy swap: `remaining` counts quote. */
  quoteBudget: boolean;
  remaining: bigint;
  paid: bigint;
  received: bigint;
  fills: number;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const normPair = (pair: string): string => pair.toLowerCase();
const addr = (a: string): string => getAddress(a);
const key = (account: string, asset: string): string => `${addr(account)}|${addr(asset)}`;
const crosses = (side: number, limit: bigint, price: bigint): boolean =>
  side === Side.Buy ? price <= limit : price >= limit;
const isBetter = (side: number, a: bigint, b: bigint): boolean => (side === Side.Buy ? a > b : a < b);

/** The LXBook reference model. */
export class LXBookModel {
  private s: State = { pairs: new Map(), orders: new Map(), lastOrderId: 0n, balances: new Map(), fees: new Map() };

  /** A deep, independent copy. */
  clone(): LXBookModel {
    const copy = new LXBookModel();
    copy.s = structuredClone(this.s);
    return copy;
  }

  // ---------------------------------------------------------------- mock control

  /** `mock__listPair`. */
  listPair(pair: string, baseAsset: string, quoteAsset: string): BookEvent[] {
    return this.atomic(() => {
      const p = normPair(pair);
      if (this.s.pairs.has(p)) throw new LXBookError("PairAlreadyListed", [p]);
      if (addr(baseAsset) === addr(quoteAsset)) throw new LXBookError("IdenticalAssets", [addr(baseAsset)]);
      this.s.pairs.set(p, { base: addr(baseAsset), quote: addr(quoteAsset), sides: [[], []] });
      return [{ name: "PairListed", args: [p, addr(baseAsset), addr(quoteAsset)] }];
    });
  }

  /** `mock__credit`. */
  credit(account: string, asset: string, amount: bigint): BookEvent[] {
    return this.atomic(() => {
      checkAmount(amount);
      this.addBalance(account, asset, amount);
      return [{ name: "Credited", args: [addr(account), addr(asset), amount] }];
    });
  }

  /** `mock__debit`. */
  debit(account: string, asset: string, amount: bigint): BookEvent[] {
    return this.atomic(() => {
      checkAmount(amount);
      const available = this.balanceOf(account, asset);
      if (available < amount)
        throw new LXBookError("InsufficientBalance", [addr(account), addr(asset), available, amount]);
      this.s.balances.set(key(account, asset), available - amount);
      return [{ name: "Debited", args: [addr(account), addr(asset), amount] }];
    });
  }

  // ---------------------------------------------------------------- user flows

  /** `placeOrder` sent by `sender`. */
  placeOrder(
    sender: string,
    pair: string,
    side: number,
    price: bigint,
    amount: bigint,
  ): { orderId: bigint; events: BookEvent[] } {
    return this.atomic(() => {
      const p = normPair(pair);
      const ps = this.requireListed(p);
      checkSide(side);
      if (price === 0n || price > MAX_PRICE) throw new LXBookError("InvalidPrice", [price]);
      checkAmount(amount);
      const account = addr(sender);
      const events: BookEvent[] = [];

      const orderId = ++this.s.lastOrderId;
      const order: Order = { pair: p, owner: account, side, status: OrderStatus.Open, price, amount, remaining: 0n };
      this.s.orders.set(orderId, order);
      events.push({ name: "OrderPlaced", args: [orderId, p, account, BigInt(side), price, amount] });

      const taker: Taker = {
        pair: p,
        account,
        orderId,
        side,
        limit: price,
        quoteBudget: false,
        remaining: amount,
        paid: 0n,
        received: 0n,
        fills: 0,
      };
      this.match(taker, events);

      order.remaining = taker.remaining;
      if (taker.remaining === 0n) {
        order.status = OrderStatus.Filled;
      } else if (taker.fills === MAX_FILLS_PER_CALL && this.crossesBest(ps, side, price)) {
        order.status = OrderStatus.Cancelled;
        events.push({ name: "OrderCancelled", args: [orderId, account, taker.remaining, 0n] });
      } else {
        taker.paid += lockFor(side, taker.remaining, price);
        this.rest(p, ps, side, price, orderId, order);
      }
      this.settleTaker(ps, taker);
      return { orderId, events };
    });
  }

  /** `cancelOrder` sent by `sender`. */
  cancelOrder(sender: string, orderId: bigint): { cancelled: true; events: BookEvent[] } {
    return this.atomic(() => {
      const order = this.s.orders.get(orderId);
      if (!order) throw new LXBookError("OrderNotFound", [orderId]);
      const caller = addr(sender);
      if (order.owner !== caller) throw new LXBookError("NotOrderOwner", [orderId, order.owner, caller]);
      if (order.status !== OrderStatus.Open) throw new LXBookError("OrderNotOpen", [orderId, BigInt(order.status)]);

      const ps = this.s.pairs.get(order.pair)!;
      const levels = ps.sides[order.side];
      const li = levels.findIndex((l) => l.price === order.price);
      const level = levels[li];
      level.size -= order.remaining;
      level.orders.splice(level.orders.indexOf(orderId), 1);
      if (level.orders.length === 0) levels.splice(li, 1);

      const refund = lockFor(order.side, order.remaining, order.price);
      order.status = OrderStatus.Cancelled;
      this.addBalance(order.owner, order.side === Side.Buy ? ps.quote : ps.base, refund);
      return {
        cancelled: true as const,
        events: [{ name: "OrderCancelled", args: [orderId, order.owner, order.remaining, refund] }],
      };
    });
  }

  /** `swap` sent by `sender`. */
  swap(
    sender: string,
    pair: string,
    side: number,
    amount: bigint,
    minReceived: bigint,
  ): { received: bigint; events: BookEvent[] } {
    return this.atomic(() => {
      const p = normPair(pair);
      const ps = this.requireListed(p);
      checkSide(side);
      checkAmount(amount);
      const account = addr(sender);
      const events: BookEvent[] = [];
      const taker: Taker = {
        pair: p,
        account,
        orderId: 0n,
        side,
        limit: 0n,
        quoteBudget: side === Side.Buy,
        remaining: amount,
        paid: 0n,
        received: 0n,
        fills: 0,
      };
      this.match(taker, events);
      this.settleTaker(ps, taker);
      if (taker.received < minReceived) throw new LXBookError("InsufficientOutput", [taker.received, minReceived]);
      events.push({ name: "Swapped", args: [p, account, BigInt(side), taker.paid, taker.received] });
      return { received: taker.received, events };
    });
  }

  /**
   * What a swap would pay and deliver on the current book, ignoring the caller's balance: a dApp uses it
   * to set `minReceived` (e.g. `received * 995n / 1000n` for 0.5% slippage). Changes nothing.
   */
  previewSwap(pair: string, side: number, amount: bigint): { amountIn: bigint; received: bigint; fills: number } {
    const draft = this.clone();
    const p = normPair(pair);
    draft.requireListed(p);
    checkSide(side);
    checkAmount(amount);
    const taker: Taker = {
      pair: p,
      account: ZERO_ADDRESS,
      orderId: 0n,
      side,
      limit: 0n,
      quoteBudget: side === Side.Buy,
      remaining: amount,
      paid: 0n,
      received: 0n,
      fills: 0,
    };
    draft.match(taker, []);
    return { amountIn: taker.paid, received: taker.received, fills: taker.fills };
  }

  // ---------------------------------------------------------------- views

  getBBO(pair: string): BBO {
    const ps = this.requireListed(normPair(pair));
    const bid = ps.sides[Side.Buy][0];
    const ask = ps.sides[Side.Sell][0];
    return {
      bestBid: bid?.price ?? 0n,
      bestBidSize: bid?.size ?? 0n,
      bestAsk: ask?.price ?? 0n,
      bestAskSize: ask?.size ?? 0n,
    };
  }

  getOrder(orderId: bigint): Order {
    const order = this.s.orders.get(orderId);
    if (!order) throw new LXBookError("OrderNotFound", [orderId]);
    return { ...order };
  }

  /** Unknown ids come back as an all-zero order with status None. */
  getOrders(orderIds: bigint[]): Order[] {
    if (orderIds.length > MAX_BATCH)
      throw new LXBookError("BatchTooLarge", [BigInt(orderIds.length), BigInt(MAX_BATCH)]);
    return orderIds.map((id) => {
      const order = this.s.orders.get(id);
      return order
        ? { ...order }
        : {
            pair: "0x" + "00".repeat(32),
            owner: ZERO_ADDRESS,
            side: 0,
            status: OrderStatus.None,
            price: 0n,
            amount: 0n,
            remaining: 0n,
          };
    });
  }

  getDepth(pair: string, side: number): Depth {
    const ps = this.requireListed(normPair(pair));
    checkSide(side);
    const levels = ps.sides[side];
    return { prices: levels.map((l) => l.price), sizes: levels.map((l) => l.size) };
  }

  getPair(pair: string): { baseAsset: string; quoteAsset: string } {
    const ps = this.requireListed(normPair(pair));
    return { baseAsset: ps.base, quoteAsset: ps.quote };
  }

  balanceOf(account: string, asset: string): bigint {
    return this.s.balances.get(key(account, asset)) ?? 0n;
  }

  balancesOf(account: string, assets: string[]): bigint[] {
    if (assets.length > MAX_BATCH) throw new LXBookError("BatchTooLarge", [BigInt(assets.length), BigInt(MAX_BATCH)]);
    return assets.map((asset) => this.balanceOf(account, asset));
  }

  accruedFees(asset: string): bigint {
    return this.s.fees.get(addr(asset)) ?? 0n;
  }

  lastOrderId(): bigint {
    return this.s.lastOrderId;
  }

  /** Ids of the open orders of a pair side, best price first and oldest first within a price. */
  openOrders(pair: string, side: number): bigint[] {
    const ps = this.requireListed(normPair(pair));
    return ps.sides[side].flatMap((l) => l.orders);
  }

  /** The funds locked in open orders, per asset (for conservation checks). */
  lockedTotal(asset: string): bigint {
    const a = addr(asset);
    let total = 0n;
    for (const o of this.s.orders.values()) {
      if (o.status !== OrderStatus.Open) continue;
      const ps = this.s.pairs.get(o.pair)!;
      if ((o.side === Side.Buy ? ps.quote : ps.base) === a) total += lockFor(o.side, o.remaining, o.price);
    }
    return total;
  }

  // ---------------------------------------------------------------- internals

  private atomic<T>(fn: () => T): T {
    const saved = structuredClone(this.s);
    try {
      return fn();
    } catch (e) {
      this.s = saved;
      throw e;
    }
  }

  private requireListed(pair: string): PairState {
    const ps = this.s.pairs.get(pair);
    if (!ps) throw new LXBookError("PairNotListed", [pair]);
    return ps;
  }

  private addBalance(account: string, asset: string, amount: bigint): void {
    const k = key(account, asset);
    this.s.balances.set(k, (this.s.balances.get(k) ?? 0n) + amount);
  }

  private addFee(asset: string, amount: bigint): void {
    const a = addr(asset);
    this.s.fees.set(a, (this.s.fees.get(a) ?? 0n) + amount);
  }

  private crossesBest(ps: PairState, side: number, limit: bigint): boolean {
    const best = ps.sides[1 - side][0];
    return best !== undefined && crosses(side, limit, best.price);
  }

  private match(t: Taker, events: BookEvent[]): void {
    const ps = this.s.pairs.get(t.pair)!;
    const levels = ps.sides[1 - t.side];
    for (let i = 0; i < MAX_FILLS_PER_CALL; i++) {
      if (t.remaining === 0n) return;
      const level = levels[0];
      if (!level) return;
      const price = level.price;
      if (t.limit !== 0n && !crosses(t.side, t.limit, price)) return;
      const makerId = level.orders[0];
      const maker = this.s.orders.get(makerId)!;
      let base = maker.remaining;
      if (t.quoteBudget) {
        const affordable = (t.remaining * PRICE_SCALE) / price;
        if (affordable === 0n) return;
        if (affordable < base) base = affordable;
      } else if (t.remaining < base) {
        base = t.remaining;
      }
      this.fill(ps, t, makerId, maker, price, base, events);
      t.fills += 1;
      level.size -= base;
      if (maker.remaining === 0n) {
        maker.status = OrderStatus.Filled;
        level.orders.shift();
        if (level.orders.length === 0) levels.shift();
      }
    }
  }

  private fill(
    ps: PairState,
    t: Taker,
    makerId: bigint,
    maker: Order,
    price: bigint,
    base: bigint,
    events: BookEvent[],
  ): void {
    const quote = quoteFor(base, price, "down");
    let makerFee: bigint;
    let takerFee: bigint;
    if (t.side === Side.Buy) {
      const paid = quoteFor(base, price, "up");
      takerFee = feeOn(base, TAKER_FEE_BPS);
      makerFee = feeOn(quote, MAKER_FEE_BPS);
      t.paid += paid;
      t.received += base - takerFee;
      t.remaining -= t.quoteBudget ? paid : base;
      this.addBalance(maker.owner, ps.quote, quote - makerFee);
      this.addFee(ps.base, takerFee);
      this.addFee(ps.quote, makerFee + (paid - quote));
    } else {
      const paid = lockFor(Side.Buy, maker.remaining, price) - lockFor(Side.Buy, maker.remaining - base, price);
      takerFee = feeOn(quote, TAKER_FEE_BPS);
      makerFee = feeOn(base, MAKER_FEE_BPS);
      t.paid += base;
      t.received += quote - takerFee;
      t.remaining -= base;
      this.addBalance(maker.owner, ps.base, base - makerFee);
      this.addFee(ps.base, makerFee);
      this.addFee(ps.quote, takerFee + (paid - quote));
    }
    maker.remaining -= base;
    events.push({ name: "OrderFilled", args: [makerId, t.orderId, t.account, price, base, quote, makerFee, takerFee] });
  }

  private settleTaker(ps: PairState, t: Taker): void {
    const [payAsset, receiveAsset] = t.side === Side.Buy ? [ps.quote, ps.base] : [ps.base, ps.quote];
    const available = this.balanceOf(t.account, payAsset);
    if (available < t.paid) throw new LXBookError("InsufficientBalance", [t.account, payAsset, available, t.paid]);
    this.s.balances.set(key(t.account, payAsset), available - t.paid);
    this.addBalance(t.account, receiveAsset, t.received);
  }

  private rest(pair: string, ps: PairState, side: number, price: bigint, orderId: bigint, order: Order): void {
    const levels = ps.sides[side];
    let level = levels.find((l) => l.price === price);
    if (!level) {
      if (levels.length >= MAX_PRICE_LEVELS)
        throw new LXBookError("PriceLevelsFull", [pair, BigInt(side), BigInt(MAX_PRICE_LEVELS)]);
      level = { price, size: 0n, orders: [] };
      const at = levels.findIndex((l) => !isBetter(side, l.price, price));
      levels.splice(at === -1 ? levels.length : at, 0, level);
    }
    level.orders.push(orderId);
    level.size += order.remaining;
  }
}

function checkSide(side: number): void {
  if (side !== Side.Buy && side !== Side.Sell) throw new LXBookError("InvalidSide", [BigInt(side)]);
}

function checkAmount(amount: bigint): void {
  if (amount === 0n || amount > MAX_AMOUNT) throw new LXBookError("InvalidAmount", [amount]);
}
