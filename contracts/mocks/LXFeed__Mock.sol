// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILXFeed} from "../precompiles/ILXFeed.sol";

/// @title LXFeed__Mock
/// @notice The LXFeed precompile's price feeds and TWAP, with prices published by `mock__setPrice`; placed at
/// the precompile address with `hardhat_setCode` on local networks. `src/dex/lxfeed.ts` is its TypeScript
/// reference model.
/// @dev Test double only; never deploy to a real chain. Installed as runtime code: no constructor logic, no
/// immutables, every storage variable starts at zero. Each pair keeps a ring buffer of `MAX_OBSERVATIONS`
/// (32) observations; `getTWAP` reads at most that many, so its cost is bounded.
contract LXFeed__Mock is ILXFeed {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc ILXFeed
    uint256 public constant override MAX_OBSERVATIONS = 32;
    /// @notice The highest price `mock__setPrice` accepts (1e18-scaled quote per base), as in LXBook.
    uint256 public constant MAX_PRICE = 1e36;
    /// @notice The highest confidence, in percent.
    uint8 public constant MAX_CONFIDENCE = 100;

    // ------------------------------------------------------------------ storage

    /// @dev One slot: price (at most 1e36 < 2^128) | timestamp | confidence.
    struct Slot {
        uint128 price;
        uint64 timestamp;
        uint8 confidence;
    }

    /// @dev One slot: where the newest observation is, and how many are stored.
    struct Ring {
        uint8 newest;
        uint8 count;
    }

    mapping(bytes32 pair => Slot[MAX_OBSERVATIONS]) private _observations;
    mapping(bytes32 pair => Ring) private _rings;

    // ------------------------------------------------------------------ mock control

    /// @notice The price is zero or above `MAX_PRICE`.
    /// @param price the value given
    error InvalidPrice(uint256 price);
    /// @notice The confidence is above 100 percent.
    /// @param confidence the value given
    error InvalidConfidence(uint8 confidence);

    /// @notice Publishes a price for `pair` at the current block timestamp and emits `PriceUpdate`. A second
    /// update in the same second replaces the first; otherwise the oldest observation is overwritten once
    /// `MAX_OBSERVATIONS` are stored.
    /// @param pair the trading pair
    /// @param price the price, 1 to `MAX_PRICE` (1e18-scaled quote per base)
    /// @param confidence the publisher's confidence, 0 to 100 percent
    function mock__setPrice(bytes32 pair, uint256 price, uint8 confidence) external {
        if (price == 0 || price > MAX_PRICE) revert InvalidPrice(price);
        if (confidence > MAX_CONFIDENCE) revert InvalidConfidence(confidence);

        Ring memory ring = _rings[pair];
        uint256 index = ring.newest;
        if (ring.count == 0) {
            ring.count = 1;
        } else if (_observations[pair][index].timestamp != block.timestamp) {
            index = (index + 1) % MAX_OBSERVATIONS;
            if (ring.count < MAX_OBSERVATIONS) ring.count += 1;
        }
        ring.newest = uint8(index);
        _rings[pair] = ring;
        _observations[pair][index] =
            Slot({price: uint128(price), timestamp: uint64(block.timestamp), confidence: confidence});
        emit PriceUpdate(pair, price, block.timestamp);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILXFeed
    function getPrice(bytes32 pair) external view returns (uint256 price, uint256 timestamp, uint8 confidence) {
        Ring memory ring = _rings[pair];
        if (ring.count == 0) revert NoPrice(pair);
        Slot memory latest = _observations[pair][ring.newest];
        return (latest.price, latest.timestamp, latest.confidence);
    }

    /// @inheritdoc ILXFeed
    function getTWAP(bytes32 pair, uint256 period) external view returns (uint256 twap) {
        Ring memory ring = _rings[pair];
        if (ring.count == 0) revert NoPrice(pair);
        if (period == 0) revert InvalidPeriod(period);

        uint256 windowStart = period >= block.timestamp ? 0 : block.timestamp - period;
        uint256 segmentEnd = block.timestamp;
        uint256 weighted = 0;
        uint256 covered = 0;
        uint256 index = ring.newest;
        // Newest to oldest, at most MAX_OBSERVATIONS steps: each observation's price held from its
        // timestamp to the next observation's (or now), clipped to the window.
        for (uint256 i = 0; i < ring.count; ++i) {
            Slot memory obs = _observations[pair][index];
            uint256 segmentStart = obs.timestamp > windowStart ? obs.timestamp : windowStart;
            if (segmentEnd > segmentStart) {
                weighted += uint256(obs.price) * (segmentEnd - segmentStart);
                covered += segmentEnd - segmentStart;
            }
            if (obs.timestamp <= windowStart) break;
            segmentEnd = obs.timestamp;
            index = (index + MAX_OBSERVATIONS - 1) % MAX_OBSERVATIONS;
        }
        // Nothing covered: the only observations are from this second.
        if (covered == 0) return _observations[pair][ring.newest].price;
        return weighted / covered; // rounded down
    }

    /// @inheritdoc ILXFeed
    function observationCount(bytes32 pair) external view returns (uint256 count) {
        return _rings[pair].count;
    }

    /// @inheritdoc ILXFeed
    function getObservation(bytes32 pair, uint256 index) external view returns (Observation memory observation) {
        Ring memory ring = _rings[pair];
        if (index >= ring.count) revert ObservationOutOfRange(pair, index, ring.count);
        Slot memory obs = _observations[pair][(ring.newest + MAX_OBSERVATIONS - index) % MAX_OBSERVATIONS];
        return Observation({price: obs.price, timestamp: obs.timestamp, confidence: obs.confidence});
    }
}
