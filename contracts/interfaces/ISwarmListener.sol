// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ISwarmListener
/// @notice Receives every swarm membership change of the SwarmCoordinator, so that a contract that
/// keeps per-swarm books (the rewards contract's swarm fee pools) can follow membership without
/// reading it back.
interface ISwarmListener {
    /// @notice Called once for every membership change: a join (`fromSwarm == NO_SWARM`), a leave
    /// (`toSwarm == NO_SWARM`) or a rebalancing move (both set), where `NO_SWARM = type(uint32).max`.
    /// @dev Called by the coordinator after all state changes of the operation and their events, in
    /// the order the changes happened: replaying the calls reproduces the membership. A revert
    /// reverts the whole operation (the node registry's join or exit), so an implementation must not
    /// revert on valid input; governance can detach a broken listener with `setSwarmListener(0)`.
    /// @param nodeId the node (registry id, from 1)
    /// @param fromSwarm the swarm the node left, or NO_SWARM when it joined
    /// @param toSwarm the swarm the node entered, or NO_SWARM when it left
    function onSwarmMove(uint64 nodeId, uint32 fromSwarm, uint32 toSwarm) external;
}
