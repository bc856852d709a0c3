// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title LXBook precompile (PIP-0008 §8.2), default address 0x0000000000000000000000000000000000002000
/// @notice A central limit order book with price-time priority, one book per trading pair.
///
/// Units. A pair trades a base asset against a quote asset. `amount` is always in the base asset's
/// smallest unit (except the `amount` of a buy `swap`, see there). `price` is quote per base scaled by
/// 1e18: a fill of `baseAmount` at `price` moves `baseAmount * price / 1e18` quote.
///
/// Sides. `side` 0 buys base with quote (a bid), `side` 1 sells base for quote (an ask). Any other value
/// is rejected with `InvalidSide`.
///
/// Balances. Trading uses balances held by the book per (account, asset). Placing an order locks the
/// funds of the part that rests on the book: a resting sell locks its remaining base; a resting buy keeps
/// exactly `ceil(remaining * price / 1e18)` quote locked. Cancelling refunds the lock.
///
/// Matching. An incoming order first matches the opposite side, best price first and oldest order first
/// within a price, each fill at the resting (maker) order's price; what is left rests at its limit price.
/// A call matches at most `MAX_FILLS_PER_CALL` resting orders. If an order still crosses the book after
/// that many fills, its unfilled remainder is cancelled instead of resting, so the book is never crossed.
/// Each side of a pair holds at most `MAX_PRICE_LEVELS` distinct prices, and a batch view returns at most
/// `MAX_BATCH` items, so every call does a bounded amount of work.
///
/// Settlement and rounding, per fill of `b` base at the maker's price `p`:
/// - the seller is credited `floor(b * p / 1e18)` quote, less its fee;
/// - the buyer is credited `b` base, less its fee;
/// - a taking buyer pays `ceil(b * p / 1e18)` quote; a resting buyer pays the decrease of its lock,
///   `ceil(r * p / 1e18) - ceil((r - b) * p / 1e18)` for remaining `r`, which lies between the floor and the
///   ceiling of `b * p / 1e18` and adds up to exactly the lock over all fills of the order;
/// - fees are charged on what each party receives: `MAKER_FEE_BPS` (0.01%) for the resting order,
///   `TAKER_FEE_BPS` (0.05%) for the incoming one, each rounded up;
/// - fees and the rounding difference between what the buyer pays and the seller is credited accrue to
///   the book's fee balance (`accruedFees`). Every rounding is in the book's favour, so the book always
///   holds at least what it owes.
///
/// The taker's side of a call is settled after matching: the call reverts with `InsufficientBalance` if
/// the caller's available balance of the asset it pays is then below what the call consumes (the quote
/// or base paid for the fills plus the lock of a resting remainder).
interface ILXBook {
    /// @notice The life cycle of an order.
    /// @dev `None`: no such order. `Open`: resting on the book with a positive remaining amount.
    /// `Filled`: fully matched. `Cancelled`: withdrawn by its owner, or its remainder was not rested
    /// because it still crossed the book after `MAX_FILLS_PER_CALL` fills.
    enum OrderStatus {
        None,
        Open,
        Filled,
        Cancelled
    }

    /// @notice An order as returned by `getOrder`.
    /// @param pair the trading pair
    /// @param owner the account that placed the order
    /// @param side 0 = buy, 1 = sell
    /// @param status the order's life-cycle state
    /// @param price the limit price, quote per base scaled by 1e18
    /// @param amount the base amount the order was placed for
    /// @param remaining the base amount not filled: still resting when `Open`, released when `Cancelled`
    struct Order {
        bytes32 pair;
        address owner;
        uint8 side;
        OrderStatus status;
        uint256 price;
        uint256 amount;
        uint256 remaining;
    }

    /// @notice The trading pair is not listed on the book.
    /// @param pair the pair id asked for
    error PairNotListed(bytes32 pair);
    /// @notice `side` is neither 0 (buy) nor 1 (sell).
    /// @param side the value given
    error InvalidSide(uint8 side);
    /// @notice The price is zero or above `MAX_PRICE`.
    /// @param price the value given
    error InvalidPrice(uint256 price);
    /// @notice The amount is zero or above `MAX_AMOUNT`.
    /// @param amount the value given
    error InvalidAmount(uint256 amount);
    /// @notice `account` holds `available` of `asset`, but the call needs `required`.
    /// @param account the account that pays
    /// @param asset the asset it pays in
    /// @param available its available (unlocked) balance
    /// @param required what the call would take: fills plus the lock of a resting remainder, or the debit
    error InsufficientBalance(address account, address asset, uint256 available, uint256 required);
    /// @notice The order would open a new price level on a side that already has `maxLevels` of them.
    /// @param pair the trading pair
    /// @param side the full side (0 = bids, 1 = asks)
    /// @param maxLevels `MAX_PRICE_LEVELS`
    error PriceLevelsFull(bytes32 pair, uint8 side, uint256 maxLevels);
    /// @notice No order has this id.
    /// @param orderId the id given
    error OrderNotFound(uint256 orderId);
    /// @notice Only the order's owner may cancel it.
    /// @param orderId the order
    /// @param owner its owner
    /// @param caller the account that tried to cancel it
    error NotOrderOwner(uint256 orderId, address owner, address caller);
    /// @notice The order is no longer on the book (filled or cancelled).
    /// @param orderId the order
    /// @param status its current status
    error OrderNotOpen(uint256 orderId, OrderStatus status);
    /// @notice A swap would deliver `received`, less than the caller's `minReceived`.
    /// @param received what the swap would deliver after fees
    /// @param minReceived the caller's minimum
    error InsufficientOutput(uint256 received, uint256 minReceived);
    /// @notice A batch view was asked for `length` items, more than `maxLength`.
    /// @param length the number of items asked for
    /// @param maxLength `MAX_BATCH`
    error BatchTooLarge(uint256 length, uint256 maxLength);

    /// @notice An order was accepted; fills and a possible cancellation of its remainder follow.
    /// @param orderId the new order's id
    /// @param pair the trading pair
    /// @param owner the account that placed it
    /// @param side 0 = buy, 1 = sell
    /// @param price the limit price (1e18-scaled quote per base)
    /// @param amount the base amount
    event OrderPlaced(
        uint256 indexed orderId, bytes32 indexed pair, address indexed owner, uint8 side, uint256 price, uint256 amount
    );

    /// @notice A resting order was matched, fully or in part.
    /// @param makerOrderId the resting order
    /// @param takerOrderId the incoming order, 0 for a `swap`
    /// @param taker the account that sent the incoming order or swap
    /// @param price the fill price (the maker's price)
    /// @param baseAmount the base amount exchanged
    /// @param quoteAmount the quote credited to the seller before its fee, `floor(baseAmount * price / 1e18)`
    /// @param makerFee the maker's fee, in the asset the maker receives
    /// @param takerFee the taker's fee, in the asset the taker receives
    event OrderFilled(
        uint256 indexed makerOrderId,
        uint256 indexed takerOrderId,
        address indexed taker,
        uint256 price,
        uint256 baseAmount,
        uint256 quoteAmount,
        uint256 makerFee,
        uint256 takerFee
    );

    /// @notice An order left the book unfilled in part: cancelled by its owner, or its remainder was not
    /// rested after `MAX_FILLS_PER_CALL` fills.
    /// @param orderId the order
    /// @param owner its owner
    /// @param unfilledAmount the base amount that will not be filled
    /// @param refund the locked funds returned to the owner's available balance (quote for a buy, base for
    /// a sell; 0 for a remainder that never rested)
    event OrderCancelled(uint256 indexed orderId, address indexed owner, uint256 unfilledAmount, uint256 refund);

    /// @notice A market order was executed by `swap`.
    /// @param pair the trading pair
    /// @param account the caller
    /// @param side 0 = bought base with quote, 1 = sold base for quote
    /// @param amountIn what the caller paid (quote for a buy, base for a sell), at most the swap's `amount`
    /// @param received what the caller received after fees (base for a buy, quote for a sell)
    event Swapped(bytes32 indexed pair, address indexed account, uint8 side, uint256 amountIn, uint256 received);

    /// @notice Places a limit order: it matches the opposite side up to its price, and the rest rests.
    /// @dev Reverts with `PairNotListed`, `InvalidSide`, `InvalidPrice`, `InvalidAmount`, `PriceLevelsFull`
    /// (when a remainder would open a price level on a full side) or `InsufficientBalance`.
    /// @param pair Trading pair (e.g., PARS/USDC)
    /// @param side 0=buy, 1=sell
    /// @param price Price in quote currency (18 decimals)
    /// @param amount Amount in base currency
    /// @return orderId Unique order identifier (ids start at 1 and increase by one per order)
    function placeOrder(bytes32 pair, uint8 side, uint256 price, uint256 amount) external returns (uint256 orderId);

    /// @notice Cancels an open order of the caller and refunds its lock to the caller's available balance.
    /// @dev Reverts with `OrderNotFound`, `NotOrderOwner` or `OrderNotOpen`.
    /// @param orderId the order to cancel
    /// @return cancelled always true (every failure reverts)
    function cancelOrder(uint256 orderId) external returns (bool cancelled);

    /// @notice The best bid and ask of a pair and the base amount resting at each (all 0 for an empty side).
    /// @dev Reverts with `PairNotListed`.
    /// @param pair the trading pair
    /// @return bestBid the highest buy price
    /// @return bestBidSize the base amount resting at `bestBid`
    /// @return bestAsk the lowest sell price
    /// @return bestAskSize the base amount resting at `bestAsk`
    function getBBO(bytes32 pair)
        external
        view
        returns (uint256 bestBid, uint256 bestBidSize, uint256 bestAsk, uint256 bestAskSize);

    /// @notice Atomic market order with slippage protection: takes the opposite side at any price, best
    /// first, for at most `MAX_FILLS_PER_CALL` resting orders. Nothing rests; an unspent part of `amount`
    /// stays in the caller's available balance.
    /// @dev Reverts with `PairNotListed`, `InvalidSide`, `InvalidAmount`, `InsufficientBalance` (the caller
    /// cannot pay what the fills cost) or `InsufficientOutput` (it would receive less than `minReceived`).
    /// @param pair the trading pair
    /// @param side 0 = buy base with quote, 1 = sell base for quote
    /// @param amount what the caller offers at most: quote for a buy, base for a sell
    /// @param minReceived the least the caller accepts after fees: base for a buy, quote for a sell
    /// @return received what the caller received after fees
    function swap(bytes32 pair, uint8 side, uint256 amount, uint256 minReceived) external returns (uint256 received);

    /// @notice An order by id.
    /// @dev Reverts with `OrderNotFound`.
    /// @param orderId the order id
    /// @return order the order's state
    function getOrder(uint256 orderId) external view returns (Order memory order);

    /// @notice Several orders in one call, for clients that poll their orders.
    /// @dev Unknown ids come back as an all-zero order (status `None`) instead of reverting. Reverts with
    /// `BatchTooLarge` for more than `MAX_BATCH` ids.
    /// @param orderIds the order ids
    /// @return orders the orders, in the order of `orderIds`
    function getOrders(uint256[] calldata orderIds) external view returns (Order[] memory orders);

    /// @notice The resting price levels of one side of a pair, best first (at most `MAX_PRICE_LEVELS`).
    /// @dev Reverts with `PairNotListed` or `InvalidSide`.
    /// @param pair the trading pair
    /// @param side 0 = bids (highest first), 1 = asks (lowest first)
    /// @return prices the level prices
    /// @return sizes the base amount resting at each price
    function getDepth(bytes32 pair, uint8 side) external view returns (uint256[] memory prices, uint256[] memory sizes);

    /// @notice The assets of a listed pair.
    /// @dev Reverts with `PairNotListed`.
    /// @param pair the trading pair
    /// @return baseAsset the asset traded
    /// @return quoteAsset the asset prices are expressed in
    function getPair(bytes32 pair) external view returns (address baseAsset, address quoteAsset);

    /// @notice The balance of `asset` that `account` holds on the book and is not locked in orders.
    /// @param account the account
    /// @param asset the asset
    /// @return available the free balance
    function balanceOf(address account, address asset) external view returns (uint256 available);

    /// @notice The available balances of `account` in several assets.
    /// @dev Reverts with `BatchTooLarge` for more than `MAX_BATCH` assets.
    /// @param account the account
    /// @param assets the assets
    /// @return available the free balances, in the order of `assets`
    function balancesOf(address account, address[] calldata assets) external view returns (uint256[] memory available);

    /// @notice Fees (and rounding remainders) the book has collected in `asset`.
    /// @param asset the asset
    /// @return fees the collected amount
    function accruedFees(address asset) external view returns (uint256 fees);

    /// @notice The id of the most recently placed order, 0 before the first.
    /// @return orderId the last order id
    function lastOrderId() external view returns (uint256 orderId);

    /// @notice Fee of the resting (maker) order of a fill, in basis points of what it receives: 1 (0.01%).
    /// @return bps the maker fee
    function MAKER_FEE_BPS() external view returns (uint256 bps);

    /// @notice Fee of the incoming (taker) order of a fill, in basis points of what it receives: 5 (0.05%).
    /// @return bps the taker fee
    function TAKER_FEE_BPS() external view returns (uint256 bps);

    /// @notice The most resting orders one `placeOrder` or `swap` call matches.
    /// @return fills the limit
    function MAX_FILLS_PER_CALL() external view returns (uint256 fills);

    /// @notice The most distinct prices one side of a pair holds.
    /// @return levels the limit
    function MAX_PRICE_LEVELS() external view returns (uint256 levels);

    /// @notice The highest accepted price (1e18-scaled quote per base).
    /// @return price the limit
    function MAX_PRICE() external view returns (uint256 price);

    /// @notice The highest accepted order, swap or credit amount.
    /// @return amount the limit
    function MAX_AMOUNT() external view returns (uint256 amount);

    /// @notice The most items one batch view (`getOrders`, `balancesOf`) returns.
    /// @return length the limit
    function MAX_BATCH() external view returns (uint256 length);
}
