/**
 * The Pars DEX precompiles for dApps and tests: typed helpers for LXBook / LXFeed calls (pair ids, sides,
 * prices), their ABIs, contract handles at the precompile addresses, and the reference models that the
 * local Solidity mocks are tested against.
 */
import { Contract, formatUnits, keccak256, parseUnits, toUtf8Bytes, type ContractRunner } from "ethers";
import { PRECOMPILES } from "../networks";
import { PRICE_SCALE, Side } from "./lxbook";

export * from "./lxbook";
export * from "./lxfeed";

/**
 * The id of a trading pair: keccak256 of its UTF-8 symbol "BASE/QUOTE", e.g. `pairId("PARS/USDC")` or
 * `pairId("PARS", "USDC")`. Symbols are used exactly as given (case matters).
 */
export function pairId(symbolOrBase: string, quote?: string): string {
  const symbol = quote === undefined ? symbolOrBase : `${symbolOrBase}/${quote}`;
  if (!/^[^/]+\/[^/]+$/.test(symbol)) throw new Error(`pair symbol must look like "BASE/QUOTE", got "${symbol}"`);
  return keccak256(toUtf8Bytes(symbol));
}

/** The `uint8 side` of a call: "buy" / 0 buys base with quote, "sell" / 1 sells base for quote. */
export function encodeSide(side: "buy" | "sell" | Side | number): Side {
  if (side === "buy" || side === Side.Buy) return Side.Buy;
  if (side === "sell" || side === Side.Sell) return Side.Sell;
  throw new Error(`side must be "buy", "sell", 0 or 1, got ${String(side)}`);
}

/** A decimal price string ("1.25" quote per base) as the 1e18-scaled `price` argument. */
export function parsePrice(price: string): bigint {
  return parseUnits(price, 18);
}

/** A 1e18-scaled price as a decimal string. */
export function formatPrice(price: bigint): string {
  return formatUnits(price, 18);
}

/**
 * The price argument for a human price between two assets with different decimals: `humanPrice` quote
 * per whole base, with amounts in smallest units (e.g. PARS 18 decimals, USDC 6 decimals).
 */
export function scaledPrice(humanPrice: string, baseDecimals: number, quoteDecimals: number): bigint {
  const quotePerBaseUnit = parseUnits(humanPrice, 18 + quoteDecimals); // 1e18 * quote units per whole base
  return quotePerBaseUnit / 10n ** BigInt(baseDecimals);
}

/** The minimum to accept for an expected output with a slippage tolerance in basis points (rounded down). */
export function withSlippage(expected: bigint, toleranceBps: bigint): bigint {
  if (toleranceBps < 0n || toleranceBps > 10_000n) throw new Error("slippage tolerance must be 0..10000 bps");
  return (expected * (10_000n - toleranceBps)) / 10_000n;
}

/** 1 whole unit of price (a price of 1 quote per base). */
export const ONE = PRICE_SCALE;

/** The LXBook ABI (human-readable; kept equal to ILXBook by a test). */
export const LXBOOK_ABI = [
  "function placeOrder(bytes32 pair, uint8 side, uint256 price, uint256 amount) returns (uint256 orderId)",
  "function cancelOrder(uint256 orderId) returns (bool cancelled)",
  "function getBBO(bytes32 pair) view returns (uint256 bestBid, uint256 bestBidSize, uint256 bestAsk, uint256 bestAskSize)",
  "function swap(bytes32 pair, uint8 side, uint256 amount, uint256 minReceived) returns (uint256 received)",
  "function getOrder(uint256 orderId) view returns (tuple(bytes32 pair, address owner, uint8 side, uint8 status, uint256 price, uint256 amount, uint256 remaining) order)",
  "function getOrders(uint256[] orderIds) view returns (tuple(bytes32 pair, address owner, uint8 side, uint8 status, uint256 price, uint256 amount, uint256 remaining)[] orders)",
  "function getDepth(bytes32 pair, uint8 side) view returns (uint256[] prices, uint256[] sizes)",
  "function getPair(bytes32 pair) view returns (address baseAsset, address quoteAsset)",
  "function balanceOf(address account, address asset) view returns (uint256 available)",
  "function balancesOf(address account, address[] assets) view returns (uint256[] available)",
  "function accruedFees(address asset) view returns (uint256 fees)",
  "function lastOrderId() view returns (uint256 orderId)",
  "function MAKER_FEE_BPS() view returns (uint256 bps)",
  "function TAKER_FEE_BPS() view returns (uint256 bps)",
  "function MAX_FILLS_PER_CALL() view returns (uint256 fills)",
  "function MAX_PRICE_LEVELS() view returns (uint256 levels)",
  "function MAX_PRICE() view returns (uint256 price)",
  "function MAX_AMOUNT() view returns (uint256 amount)",
  "function MAX_BATCH() view returns (uint256 length)",
  "event OrderPlaced(uint256 indexed orderId, bytes32 indexed pair, address indexed owner, uint8 side, uint256 price, uint256 amount)",
  "event OrderFilled(uint256 indexed makerOrderId, uint256 indexed takerOrderId, address indexed taker, uint256 price, uint256 baseAmount, uint256 quoteAmount, uint256 makerFee, uint256 takerFee)",
  "event OrderCancelled(uint256 indexed orderId, address indexed owner, uint256 unfilledAmount, uint256 refund)",
  "event Swapped(bytes32 indexed pair, address indexed account, uint8 side, uint256 amountIn, uint256 received)",
  "error PairNotListed(bytes32 pair)",
  "error InvalidSide(uint8 side)",
  "error InvalidPrice(uint256 price)",
  "error InvalidAmount(uint256 amount)",
  "error InsufficientBalance(address account, address asset, uint256 available, uint256 required)",
  "error PriceLevelsFull(bytes32 pair, uint8 side, uint256 maxLevels)",
  "error OrderNotFound(uint256 orderId)",
  "error NotOrderOwner(uint256 orderId, address owner, address caller)",
  "error OrderNotOpen(uint256 orderId, uint8 status)",
  "error InsufficientOutput(uint256 received, uint256 minReceived)",
  "error BatchTooLarge(uint256 length, uint256 maxLength)",
] as const;

/** The LXFeed ABI (human-readable; kept equal to ILXFeed by a test). */
export const LXFEED_ABI = [
  "function getPrice(bytes32 pair) view returns (uint256 price, uint256 timestamp, uint8 confidence)",
  "function getTWAP(bytes32 pair, uint256 period) view returns (uint256 twap)",
  "function observationCount(bytes32 pair) view returns (uint256 count)",
  "function getObservation(bytes32 pair, uint256 index) view returns (tuple(uint256 price, uint256 timestamp, uint8 confidence) observation)",
  "function MAX_OBSERVATIONS() view returns (uint256 count)",
  "event PriceUpdate(bytes32 indexed pair, uint256 price, uint256 timestamp)",
  "error NoPrice(bytes32 pair)",
  "error InvalidPeriod(uint256 period)",
  "error ObservationOutOfRange(bytes32 pair, uint256 index, uint256 count)",
] as const;

/** An LXBook handle at the precompile address (or `address`). */
export function lxBook(runner: ContractRunner | null, address: string = PRECOMPILES.lxBook): Contract {
  return new Contract(address, LXBOOK_ABI, runner);
}

/** An LXFeed handle at the precompile address (or `address`). */
export function lxFeed(runner: ContractRunner | null, address: string = PRECOMPILES.lxFeed): Contract {
  return new Contract(address, LXFEED_ABI, runner);
}
