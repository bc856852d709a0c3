// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Uptime
/// @notice The uptime score: an exponential moving average of per-epoch liveness with a 720-epoch
/// (30-day) time constant, kept in O(1) per node.
/// @dev Score U is in units of 1e-9 (ONE = 1e9 = 100%). Each epoch, U ← U·β + α·[proven], with
/// α = 1/720 and β = 1 - α: a missed epoch multiplies by β, a proven one multiplies by β and adds α
/// (rounded up, so that an always-live node stays at 100%).
/// k missed epochs are applied at once as U·β^k (β^k by square-and-multiply on 1e18 fixed point,
/// rounded down at every step). New nodes start at ONE. `src/uptime.ts` mirrors this to the unit.
library Uptime {
    /// @notice 100% in score units.
    uint32 internal constant ONE = 1e9;
    /// @notice The time constant, in epochs.
    uint256 internal constant WINDOW = 720;
    /// @notice α in score units, rounded up: a node that proves every epoch stays at exactly ONE
    /// (floor(ONE·β) + ALPHA == ONE), and no score can exceed ONE (the update is monotone in U).
    uint32 internal constant ALPHA = uint32((uint256(ONE) + WINDOW - 1) / WINDOW);
    /// @notice β = 1 - 1/720 in 1e18 fixed point.
    uint256 internal constant BETA_WAD = 1e18 - 1e18 / WINDOW;
    /// @notice Beyond this many missed epochs (β^k < 1e-8) the score is zero.
    uint256 internal constant MAX_DECAY_EPOCHS = 16 * WINDOW;

    /// @notice The score after `missed` epochs without proof.
    function decay(uint32 score, uint256 missed) internal pure returns (uint32) {
        if (missed == 0 || score == 0) return score;
        if (missed > MAX_DECAY_EPOCHS) return 0;
        return uint32(uint256(score) * powWad(BETA_WAD, missed) / 1e18);
    }

    /// @notice The score after one proven epoch.
    function record(uint32 score) internal pure returns (uint32) {
        return uint32(uint256(score) * BETA_WAD / 1e18) + ALPHA;
    }

    /// @notice `score` in basis points (0..10,000), rounded down.
    function toBps(uint32 score) internal pure returns (uint256) {
        return uint256(score) * 10_000 / ONE;
    }

    /// @notice base^exp in 1e18 fixed point; exp < 2^14 so the loop runs at most 14 times.
    function powWad(uint256 base, uint256 exp) internal pure returns (uint256 result) {
        result = 1e18;
        while (exp != 0) {
            if (exp & 1 != 0) result = result * base / 1e18;
            base = base * base / 1e18;
            exp >>= 1;
        }
    }
}
