// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILXBook} from "../precompiles/ILXBook.sol";

/// @title LXBook__Mock
/// @notice A working price-time-priority limit order book behind the LXBook precompile interface, placed at
/// the precompile address with `hardhat_setCode` on local networks. Matching, locking, fees and rounding are
/// as `ILXBook` documents; `src/dex/lxbook.ts` is its TypeScript reference model.
/// @dev Test double only; never deploy to a real chain. Installed as runtime code: no constructor logic, no
/// immutables, every storage variable starts at zero.
///
/// Bounded work. No loop grows with the number of orders:
/// - matching takes at most `MAX_FILLS_PER_CALL` (8) resting orders per call;
/// - a side of a pair holds at most `MAX_PRICE_LEVELS` (16) prices, so inserting a new price walks at most
///   16 levels and `getDepth` returns at most 16 entries;
/// - orders at one price form a doubly linked FIFO list, so resting, filling and cancelling are O(1);
/// - the batch views read at most `MAX_BATCH` (64) items.
///
/// The `mock__` functions list pairs and move balances in and out of the book. They have no access control:
/// on the real chain these balances come from deposits settled by the trading chain.
/// Known limitation: anyone can occupy all price levels of a side with small orders; a new price then
/// reverts with `PriceLevelsFull` until a level empties.
contract LXBook__Mock is ILXBook {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc ILXBook
    uint256 public constant override MAKER_FEE_BPS = 1;
    /// @inheritdoc ILXBook
    uint256 public constant override TAKER_FEE_BPS = 5;
    /// @inheritdoc ILXBook
    uint256 public constant override MAX_FILLS_PER_CALL = 8;
    /// @inheritdoc ILXBook
    uint256 public constant override MAX_PRICE_LEVELS = 16;
    /// @inheritdoc ILXBook
    /// @dev 1e36 keeps `amount * price` below 1e72 (no overflow anywhere) and fits the packed uint128 fields.
    uint256 public constant override MAX_PRICE = 1e36;
    /// @inheritdoc ILXBook
    uint256 public constant override MAX_AMOUNT = 1e36;
    /// @inheritdoc ILXBook
    uint256 public constant override MAX_BATCH = 64;

    uint256 private constant BPS = 10_000;
    uint256 private constant PRICE_SCALE = 1e18;
    uint8 private constant BUY = 0;
    uint8 private constant SELL = 1;

    // ------------------------------------------------------------------ storage

    /// @dev Two slots: base and the listed flag share the first.
    struct PairInfo {
        address base;
        bool listed;
        address quote;
    }

    /// @dev One slot per side of a pair. `best` is 0 when the side is empty.
    struct BookSide {
        uint128 best;
        uint8 levelCount;
    }

    /// @dev A price level: a doubly linked list of levels (`better` is nearer the top of the book) holding a
    /// FIFO list of orders (`head` fills first). Prices fit uint128 because they are at most `MAX_PRICE`.
    /// Three slots: size; better | worse; head | tail.
    struct Level {
        uint256 size;
        uint128 better;
        uint128 worse;
        uint64 head;
        uint64 tail;
    }

    /// @dev Four slots: owner | side | status | next; pair; price | amount; remaining | prev. Price and
    /// amounts are at most 1e36 < 2^128; order ids are sequential and cannot reach 2^64. `prev` is the
    /// older and `next` the younger neighbour at the same price.
    struct OrderSlot {
        address owner;
        uint8 side;
        OrderStatus status;
        uint64 next;
        bytes32 pair;
        uint128 price;
        uint128 amount;
        uint128 remaining;
        uint64 prev;
    }

    /// @dev The incoming side of a `placeOrder` or `swap` while it is matched (memory only).
    /// `remaining` counts quote for a buy swap (`quoteBudget`) and base otherwise; `limit` 0 = any price.
    struct Taker {
        bytes32 pair;
        address account;
        uint256 orderId;
        uint8 side;
        uint256 limit;
        bool quoteBudget;
        uint256 remaining;
        uint256 paid;
        uint256 received;
        uint256 fills;
    }

    mapping(bytes32 pair => PairInfo) private _pairs;
    mapping(bytes32 pair => BookSide[2]) private _sides;
    mapping(bytes32 pair => mapping(uint8 side => mapping(uint256 price => Level))) private _levels;
    mapping(uint256 orderId => OrderSlot) private _orders;
    uint256 private _lastOrderId;
    mapping(address account => mapping(address asset => uint256)) private _balances;
    mapping(address asset => uint256) private _fees;

    // ------------------------------------------------------------------ mock control

    /// @notice The pair is listed already.
    /// @param pair the pair id
    error PairAlreadyListed(bytes32 pair);
    /// @notice A pair needs two different assets.
    /// @param asset the asset given as both base and quote
    error IdenticalAssets(address asset);

    /// @notice A pair was listed by `mock__listPair`.
    /// @param pair the pair id
    /// @param baseAsset the asset traded
    /// @param quoteAsset the asset prices are expressed in
    event PairListed(bytes32 indexed pair, address baseAsset, address quoteAsset);
    /// @notice `amount` of `asset` was added to the available balance of `account`.
    /// @param account the account credited
    /// @param asset the asset
    /// @param amount the amount
    event Credited(address indexed account, address indexed asset, uint256 amount);
    /// @notice `amount` of `asset` was taken from the available balance of `account`.
    /// @param account the account debited
    /// @param asset the asset
    /// @param amount the amount
    event Debited(address indexed account, address indexed asset, uint256 amount);

    /// @notice Lists a trading pair. A pair id cannot be listed twice.
    /// @param pair the pair id (by convention keccak256 of "BASE/QUOTE")
    /// @param baseAsset the asset traded
    /// @param quoteAsset the asset prices are expressed in; must differ from `baseAsset`
    function mock__listPair(bytes32 pair, address baseAsset, address quoteAsset) external {
        if (_pairs[pair].listed) revert PairAlreadyListed(pair);
        if (baseAsset == quoteAsset) revert IdenticalAssets(baseAsset);
        _pairs[pair] = PairInfo({base: baseAsset, listed: true, quote: quoteAsset});
        emit PairListed(pair, baseAsset, quoteAsset);
    }

    /// @notice Adds `amount` (1 to `MAX_AMOUNT`) of `asset` to the available balance of `account`, as a
    /// deposit would. Reverts with `InvalidAmount`.
    /// @param account the account to credit
    /// @param asset the asset
    /// @param amount the amount
    function mock__credit(address account, address asset, uint256 amount) external {
        if (amount == 0 || amount > MAX_AMOUNT) revert InvalidAmount(amount);
        _balances[account][asset] += amount;
        emit Credited(account, asset, amount);
    }

    /// @notice Takes `amount` (1 to `MAX_AMOUNT`) of `asset` from the available balance of `account`, as a
    /// withdrawal would. Locked funds cannot be taken. Reverts with `InvalidAmount` or `InsufficientBalance`.
    /// @param account the account to debit
    /// @param asset the asset
    /// @param amount the amount
    function mock__debit(address account, address asset, uint256 amount) external {
        if (amount == 0 || amount > MAX_AMOUNT) revert InvalidAmount(amount);
        uint256 available = _balances[account][asset];
        if (available < amount) revert InsufficientBalance(account, asset, available, amount);
        _balances[account][asset] = available - amount;
        emit Debited(account, asset, amount);
    }

    // ------------------------------------------------------------------ user flows

    /// @inheritdoc ILXBook
    function placeOrder(bytes32 pair, uint8 side, uint256 price, uint256 amount) external returns (uint256 orderId) {
        _requireListed(pair);
        _requireSide(side);
        if (price == 0 || price > MAX_PRICE) revert InvalidPrice(price);
        if (amount == 0 || amount > MAX_AMOUNT) revert InvalidAmount(amount);

        orderId = ++_lastOrderId;
        OrderSlot storage order = _orders[orderId];
        order.owner = msg.sender;
        order.side = side;
        order.status = OrderStatus.Open;
        order.pair = pair;
        order.price = uint128(price);
        order.amount = uint128(amount);
        emit OrderPlaced(orderId, pair, msg.sender, side, price, amount);

        Taker memory taker = Taker({
            pair: pair,
            account: msg.sender,
            orderId: orderId,
            side: side,
            limit: price,
            quoteBudget: false,
            remaining: amount,
            paid: 0,
            received: 0,
            fills: 0
        });
        _match(taker);

        uint256 remaining = taker.remaining;
        order.remaining = uint128(remaining);
        if (remaining == 0) {
            order.status = OrderStatus.Filled;
        } else if (taker.fills == MAX_FILLS_PER_CALL && _crossesBest(pair, side, price)) {
            // Resting it would cross the book: the remainder is dropped (nothing was locked for it).
            order.status = OrderStatus.Cancelled;
            emit OrderCancelled(orderId, msg.sender, remaining, 0);
        } else {
            // A resting buy locks its quote rounded up, a resting sell its base.
            taker.paid += side == BUY ? _mulDivUp(remaining, price, PRICE_SCALE) : remaining;
            _rest(pair, side, price, orderId, order);
        }
        _settleTaker(taker);
    }

    /// @inheritdoc ILXBook
    function cancelOrder(uint256 orderId) external returns (bool cancelled) {
        OrderSlot storage order = _orders[orderId];
        OrderStatus status = order.status;
        if (status == OrderStatus.None) revert OrderNotFound(orderId);
        address owner = order.owner;
        if (owner != msg.sender) revert NotOrderOwner(orderId, owner, msg.sender);
        if (status != OrderStatus.Open) revert OrderNotOpen(orderId, status);

        bytes32 pair = order.pair;
        uint8 side = order.side;
        uint256 price = order.price;
        uint256 remaining = order.remaining;
        PairInfo storage info = _pairs[pair];
        (address asset, uint256 refund) =
            side == BUY ? (info.quote, _mulDivUp(remaining, price, PRICE_SCALE)) : (info.base, remaining);

        _levels[pair][side][price].size -= remaining;
        _unlink(pair, side, price, order);
        order.status = OrderStatus.Cancelled;
        _balances[owner][asset] += refund;
        emit OrderCancelled(orderId, owner, remaining, refund);
        return true;
    }

    /// @inheritdoc ILXBook
    function swap(bytes32 pair, uint8 side, uint256 amount, uint256 minReceived) external returns (uint256 received) {
        _requireListed(pair);
        _requireSide(side);
        if (amount == 0 || amount > MAX_AMOUNT) revert InvalidAmount(amount);

        Taker memory taker = Taker({
            pair: pair,
            account: msg.sender,
            orderId: 0,
            side: side,
            limit: 0,
            quoteBudget: side == BUY,
            remaining: amount,
            paid: 0,
            received: 0,
            fills: 0
        });
        _match(taker);
        _settleTaker(taker);
        received = taker.received;
        if (received < minReceived) revert InsufficientOutput(received, minReceived);
        emit Swapped(pair, msg.sender, side, taker.paid, received);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILXBook
    function getBBO(bytes32 pair)
        external
        view
        returns (uint256 bestBid, uint256 bestBidSize, uint256 bestAsk, uint256 bestAskSize)
    {
        _requireListed(pair);
        bestBid = _sides[pair][BUY].best;
        bestAsk = _sides[pair][SELL].best;
        if (bestBid != 0) bestBidSize = _levels[pair][BUY][bestBid].size;
        if (bestAsk != 0) bestAskSize = _levels[pair][SELL][bestAsk].size;
    }

    /// @inheritdoc ILXBook
    function getOrder(uint256 orderId) external view returns (Order memory order) {
        if (_orders[orderId].status == OrderStatus.None) revert OrderNotFound(orderId);
        return _orderView(orderId);
    }

    /// @inheritdoc ILXBook
    function getOrders(uint256[] calldata orderIds) external view returns (Order[] memory orders) {
        if (orderIds.length > MAX_BATCH) revert BatchTooLarge(orderIds.length, MAX_BATCH);
        orders = new Order[](orderIds.length);
        for (uint256 i = 0; i < orderIds.length; ++i) {
            orders[i] = _orderView(orderIds[i]);
        }
    }

    /// @inheritdoc ILXBook
    function getDepth(bytes32 pair, uint8 side)
        external
        view
        returns (uint256[] memory prices, uint256[] memory sizes)
    {
        _requireListed(pair);
        _requireSide(side);
        BookSide storage book = _sides[pair][side];
        uint256 count = book.levelCount; // at most MAX_PRICE_LEVELS
        prices = new uint256[](count);
        sizes = new uint256[](count);
        uint256 cursor = book.best;
        for (uint256 i = 0; i < count; ++i) {
            Level storage level = _levels[pair][side][cursor];
            prices[i] = cursor;
            sizes[i] = level.size;
            cursor = level.worse;
        }
    }

    /// @inheritdoc ILXBook
    function getPair(bytes32 pair) external view returns (address baseAsset, address quoteAsset) {
        _requireListed(pair);
        PairInfo storage info = _pairs[pair];
        return (info.base, info.quote);
    }

    /// @inheritdoc ILXBook
    function balanceOf(address account, address asset) external view returns (uint256 available) {
        return _balances[account][asset];
    }

    /// @inheritdoc ILXBook
    function balancesOf(address account, address[] calldata assets) external view returns (uint256[] memory available) {
        if (assets.length > MAX_BATCH) revert BatchTooLarge(assets.length, MAX_BATCH);
        available = new uint256[](assets.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            available[i] = _balances[account][assets[i]];
        }
    }

    /// @inheritdoc ILXBook
    function accruedFees(address asset) external view returns (uint256 fees) {
        return _fees[asset];
    }

    /// @inheritdoc ILXBook
    function lastOrderId() external view returns (uint256 orderId) {
        return _lastOrderId;
    }

    /// @dev An order's storage as the interface's `Order` (all zero for an unknown id).
    function _orderView(uint256 orderId) private view returns (Order memory) {
        OrderSlot storage o = _orders[orderId];
        return Order({
            pair: o.pair,
            owner: o.owner,
            side: o.side,
            status: o.status,
            price: o.price,
            amount: o.amount,
            remaining: o.remaining
        });
    }

    // ------------------------------------------------------------------ internals: matching

    /// @dev Matches `taker` against the opposite side, best price and oldest order first, for at most
    /// `MAX_FILLS_PER_CALL` resting orders, while it has something left and (for a limit order) crosses.
    function _match(Taker memory taker) private {
        uint8 makerSide = taker.side ^ 1;
        BookSide storage book = _sides[taker.pair][makerSide];
        for (uint256 i = 0; i < MAX_FILLS_PER_CALL; ++i) {
            if (taker.remaining == 0) return;
            uint256 price = book.best;
            if (price == 0) return;
            if (taker.limit != 0 && !_crosses(taker.side, taker.limit, price)) return;

            Level storage level = _levels[taker.pair][makerSide][price];
            uint256 makerId = level.head;
            OrderSlot storage maker = _orders[makerId];
            uint256 base = maker.remaining;
            if (taker.quoteBudget) {
                // The base a quote budget buys at this price, rounded down so that its cost (rounded up)
                // stays within the budget.
                uint256 affordable = (taker.remaining * PRICE_SCALE) / price;
                if (affordable == 0) return;
                if (affordable < base) base = affordable;
            } else if (taker.remaining < base) {
                base = taker.remaining;
            }
            _fill(taker, makerId, maker, price, base);
            taker.fills += 1;

            uint256 makerRemaining = maker.remaining;
            level.size -= base;
            if (makerRemaining == 0) {
                maker.status = OrderStatus.Filled;
                _unlink(taker.pair, makerSide, price, maker);
            }
        }
    }

    /// @dev Exchanges `base` between `taker` and the resting order `maker` at the maker's `price`, credits
    /// the maker and the fee balance, and accumulates the taker's side in memory (settled afterwards).
    function _fill(Taker memory taker, uint256 makerId, OrderSlot storage maker, uint256 price, uint256 base)
        private
    {
        PairInfo storage info = _pairs[taker.pair];
        uint256 makerRemaining = maker.remaining;
        address makerOwner = maker.owner;
        // Credited to the seller: rounded down.
        uint256 quote = (base * price) / PRICE_SCALE;
        uint256 makerFee;
        uint256 takerFee;
        if (taker.side == BUY) {
            // Taker buys from a resting sell and pays rounded up; the maker's base lock shrinks by `base`.
            uint256 paid = _mulDivUp(base, price, PRICE_SCALE);
            takerFee = _mulDivUp(base, TAKER_FEE_BPS, BPS);
            makerFee = _mulDivUp(quote, MAKER_FEE_BPS, BPS);
            taker.paid += paid;
            taker.received += base - takerFee;
            taker.remaining -= taker.quoteBudget ? paid : base;
            _balances[makerOwner][info.quote] += quote - makerFee;
            _fees[info.base] += takerFee;
            _fees[info.quote] += makerFee + (paid - quote);
        } else {
            // Taker sells into a resting buy, which pays the decrease of its quote lock (>= `quote`).
            uint256 paid = _mulDivUp(makerRemaining, price, PRICE_SCALE)
                - _mulDivUp(makerRemaining - base, price, PRICE_SCALE);
            takerFee = _mulDivUp(quote, TAKER_FEE_BPS, BPS);
            makerFee = _mulDivUp(base, MAKER_FEE_BPS, BPS);
            taker.paid += base;
            taker.received += quote - takerFee;
            taker.remaining -= base;
            _balances[makerOwner][info.base] += base - makerFee;
            _fees[info.base] += makerFee;
            _fees[info.quote] += takerFee + (paid - quote);
        }
        maker.remaining = uint128(makerRemaining - base);
        emit OrderFilled(makerId, taker.orderId, taker.account, price, base, quote, makerFee, takerFee);
    }

    /// @dev Debits what the taker paid (fills plus a resting lock) and credits what it received.
    function _settleTaker(Taker memory taker) private {
        PairInfo storage info = _pairs[taker.pair];
        (address payAsset, address receiveAsset) =
            taker.side == BUY ? (info.quote, info.base) : (info.base, info.quote);
        uint256 available = _balances[taker.account][payAsset];
        if (available < taker.paid) revert InsufficientBalance(taker.account, payAsset, available, taker.paid);
        _balances[taker.account][payAsset] = available - taker.paid;
        _balances[taker.account][receiveAsset] += taker.received;
    }

    // ------------------------------------------------------------------ internals: book structure

    /// @dev Appends the order to the FIFO list at its price, opening the level if needed.
    function _rest(bytes32 pair, uint8 side, uint256 price, uint256 orderId, OrderSlot storage order) private {
        Level storage level = _levels[pair][side][price];
        if (level.head == 0) _insertLevel(pair, side, price, level);
        uint64 tail = level.tail;
        order.prev = tail;
        if (tail == 0) level.head = uint64(orderId);
        else _orders[tail].next = uint64(orderId);
        level.tail = uint64(orderId);
        level.size += order.remaining;
    }

    /// @dev Links a new price level into the side's sorted list (best first). The side holds fewer than
    /// `MAX_PRICE_LEVELS` levels, so the walk takes fewer than `MAX_PRICE_LEVELS` steps.
    function _insertLevel(bytes32 pair, uint8 side, uint256 price, Level storage level) private {
        BookSide storage book = _sides[pair][side];
        if (book.levelCount >= MAX_PRICE_LEVELS) revert PriceLevelsFull(pair, side, MAX_PRICE_LEVELS);
        uint256 better = 0;
        uint256 cursor = book.best;
        for (uint256 i = 0; i < MAX_PRICE_LEVELS; ++i) {
            if (cursor == 0 || !_isBetter(side, cursor, price)) break;
            better = cursor;
            cursor = _levels[pair][side][cursor].worse;
        }
        level.better = uint128(better);
        level.worse = uint128(cursor);
        if (better == 0) book.best = uint128(price);
        else _levels[pair][side][better].worse = uint128(price);
        if (cursor != 0) _levels[pair][side][cursor].better = uint128(price);
        book.levelCount += 1;
    }

    /// @dev Removes the order from its price's FIFO list, and the level from the side if it empties.
    /// The caller has already taken the order's remaining amount off the level's size.
    function _unlink(bytes32 pair, uint8 side, uint256 price, OrderSlot storage order) private {
        Level storage level = _levels[pair][side][price];
        uint64 prev = order.prev;
        uint64 next = order.next;
        if (prev == 0) level.head = next;
        else _orders[prev].next = next;
        if (next == 0) level.tail = prev;
        else _orders[next].prev = prev;
        order.prev = 0;
        order.next = 0;
        if (level.head == 0) _removeLevel(pair, side, price, level);
    }

    /// @dev Unlinks an empty level from the side's sorted list and clears it.
    function _removeLevel(bytes32 pair, uint8 side, uint256 price, Level storage level) private {
        BookSide storage book = _sides[pair][side];
        uint128 better = level.better;
        uint128 worse = level.worse;
        if (better == 0) book.best = worse;
        else _levels[pair][side][better].worse = worse;
        if (worse != 0) _levels[pair][side][worse].better = better;
        book.levelCount -= 1;
        delete _levels[pair][side][price];
    }

    // ------------------------------------------------------------------ internals: checks and maths

    function _requireListed(bytes32 pair) private view {
        if (!_pairs[pair].listed) revert PairNotListed(pair);
    }

    function _requireSide(uint8 side) private pure {
        if (side > SELL) revert InvalidSide(side);
    }

    /// @dev Whether an incoming order on `side` with limit `limit` trades with a resting order at `price`.
    function _crosses(uint8 side, uint256 limit, uint256 price) private pure returns (bool) {
        return side == BUY ? price <= limit : price >= limit;
    }

    /// @dev Whether an order on `side` at `limit` would trade with the best opposite order.
    function _crossesBest(bytes32 pair, uint8 side, uint256 limit) private view returns (bool) {
        uint256 best = _sides[pair][side ^ 1].best;
        return best != 0 && _crosses(side, limit, best);
    }

    /// @dev Whether resting price `a` ranks before `b` on `side` (higher bids, lower asks first).
    function _isBetter(uint8 side, uint256 a, uint256 b) private pure returns (bool) {
        return side == BUY ? a > b : a < b;
    }

    /// @dev `ceil(a * b / d)`. Callers keep `a * b` below 1e72, far from overflow.
    function _mulDivUp(uint256 a, uint256 b, uint256 d) private pure returns (uint256) {
        uint256 product = a * b;
        return product / d + (product % d == 0 ? 0 : 1);
    }
}
