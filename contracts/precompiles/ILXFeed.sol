// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title LXFeed precompile (PIP-0008 §8.2), default address 0x0000000000000000000000000000000000002300
/// @notice Price feeds per trading pair. Each update is an observation (price, timestamp, confidence);
/// the feed keeps the newest `MAX_OBSERVATIONS` per pair, at most one per second (a second update in the
/// same second replaces the first).
///
/// Prices are quote per base scaled by 1e18, as in LXBook. `confidence` is the publisher's confidence in
/// the price, in percent (0 to 100).
///
/// TWAP. Between observations the price is a step function: an observation's price holds from its
/// timestamp until the next observation's timestamp, and the newest one holds until now. `getTWAP(pair,
/// period)` averages that function over the window `[now - period, now]` (from 0 if `period > now`),
/// weighting each price by the seconds it held, rounded down. If the stored history starts after the
/// window starts (the pair is younger than `period`, or older observations were overwritten), the average
/// is taken over the covered part `[oldest stored timestamp, now]` only. If that part is empty (the only
/// observations are from the current second), the TWAP is the latest price.
interface ILXFeed {
    /// @notice One stored price observation.
    /// @param price the price (1e18-scaled quote per base)
    /// @param timestamp the block timestamp of the update
    /// @param confidence the publisher's confidence, 0 to 100 percent
    struct Observation {
        uint256 price;
        uint256 timestamp;
        uint8 confidence;
    }

    /// @notice The pair has no price yet.
    /// @param pair the pair id asked for
    error NoPrice(bytes32 pair);
    /// @notice A TWAP over a zero period was asked for.
    /// @param period the value given
    error InvalidPeriod(uint256 period);
    /// @notice `index` is not below the number of stored observations `count`.
    /// @param pair the trading pair
    /// @param index the index asked for (0 = newest)
    /// @param count the number of stored observations
    error ObservationOutOfRange(bytes32 pair, uint256 index, uint256 count);

    /// @notice Subscribe to price updates (via logs)
    /// @param pair the trading pair
    /// @param price the new price (1e18-scaled quote per base)
    /// @param timestamp the block timestamp of the update
    event PriceUpdate(bytes32 indexed pair, uint256 price, uint256 timestamp);

    /// @notice Get latest price (optimized for HFT, sub-ms)
    /// @dev Reverts with `NoPrice` for a pair that was never updated.
    /// @param pair the trading pair
    /// @return price the latest price (1e18-scaled quote per base)
    /// @return timestamp when it was published
    /// @return confidence the publisher's confidence, 0 to 100 percent
    function getPrice(bytes32 pair) external view returns (uint256 price, uint256 timestamp, uint8 confidence);

    /// @notice Get TWAP over period: the time-weighted average price over `[now - period, now]`, rounded
    /// down, computed from the stored observations as the interface documentation describes.
    /// @dev Reverts with `NoPrice` for a pair without observations and `InvalidPeriod` for a zero period.
    /// @param pair the trading pair
    /// @param period the window length in seconds
    /// @return twap the average price (1e18-scaled quote per base)
    function getTWAP(bytes32 pair, uint256 period) external view returns (uint256 twap);

    /// @notice How many observations of `pair` are stored (at most `MAX_OBSERVATIONS`).
    /// @param pair the trading pair
    /// @return count the number of stored observations
    function observationCount(bytes32 pair) external view returns (uint256 count);

    /// @notice A stored observation, counted back from the newest (index 0).
    /// @dev Reverts with `ObservationOutOfRange` if `index >= observationCount(pair)`.
    /// @param pair the trading pair
    /// @param index 0 for the newest observation, 1 for the one before, and so on
    /// @return observation the observation
    function getObservation(bytes32 pair, uint256 index) external view returns (Observation memory observation);

    /// @notice The number of observations kept per pair (older ones are overwritten).
    /// @return count the ring buffer capacity
    function MAX_OBSERVATIONS() external view returns (uint256 count);
}
