// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title INodeLifecycleListener
/// @notice Told by the registry, in the same transaction, whenever a node's earning stake changes:
/// activation, a penalty or slash, and leaving the active set. The rewards contract implements it.
interface INodeLifecycleListener {
    /// @notice `nodeId` became active with `effectiveStake` wei earning.
    function onNodeActivated(uint64 nodeId, uint256 effectiveStake) external;

    /// @notice The earning stake of active node `nodeId` changed to `effectiveStake` (a penalty).
    function onNodeStakeChanged(uint64 nodeId, uint256 effectiveStake) external;

    /// @notice The operator fee of active node `nodeId` is now `feeBps`: income up to now is settled at
    /// the old fee.
    function onNodeFeeChanged(uint64 nodeId, uint16 feeBps) external;

    /// @notice `nodeId` left the active set and stops earning.
    function onNodeDeactivated(uint64 nodeId) external;
}
