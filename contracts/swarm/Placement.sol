// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A queued placement, one word: the node id in bits 0..39, the block the node joined in
/// bits 64..127. Its seed is the hash of the next block (`seedBlock`), unknown when it joined.
type Placement is uint256;

using PlacementLib for Placement global;

/// @title PlacementLib
library PlacementLib {
    uint256 private constant ID_MASK = 2 ** 40 - 1;
    uint256 private constant BLOCK_SHIFT = 64;

    /// @notice The placement of node `id` (below 2^40) joining in block `joinBlock` (below 2^64).
    function make(uint64 id, uint256 joinBlock) internal pure returns (Placement) {
        return Placement.wrap(uint256(id) | (joinBlock << BLOCK_SHIFT));
    }

    function nodeId(Placement p) internal pure returns (uint64) {
        return uint64(Placement.unwrap(p) & ID_MASK);
    }

    /// @notice The block whose hash seeds the draw: the one after the join.
    function seedBlock(Placement p) internal pure returns (uint256) {
        return uint256(uint64(Placement.unwrap(p) >> BLOCK_SHIFT)) + 1;
    }
}
