// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title INodeCounter
/// @notice The one thing the SwarmCoordinator reads from the node registry: how many nodes it knows,
/// for the "active ≥ 80% of total" health check.
interface INodeCounter {
    /// @notice Nodes the registry counts as part of the network (active or not), in O(1).
    /// @return count the registry's total node count
    function totalNodes() external view returns (uint256 count);
}
