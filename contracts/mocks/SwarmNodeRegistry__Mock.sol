// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {INodeCounter} from "../interfaces/INodeCounter.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";

/// @title SwarmNodeRegistry__Mock
/// @notice Stands in for the node registry in SwarmCoordinator tests: a settable `totalNodes()` and
/// bulk add / remove, so large networks are built in a few transactions.
contract SwarmNodeRegistry__Mock is INodeCounter {
    uint256 private _total;
    bool public mock__reverts;
    /// @notice What the last `addNode` returned.
    uint32 public mock__lastAddedSwarm;

    error TotalNodesReverted();

    function mock__setTotalNodes(uint256 total) external {
        _total = total;
    }

    function mock__setReverts(bool reverts) external {
        mock__reverts = reverts;
    }

    function totalNodes() external view returns (uint256) {
        if (mock__reverts) revert TotalNodesReverted();
        return _total;
    }

    /// @notice Adds nodes firstId .. firstId + count - 1.
    function mock__addNodes(ISwarmCoordinator coordinator, uint64 firstId, uint256 count) external {
        for (uint256 i; i < count; ++i) {
            mock__lastAddedSwarm = coordinator.addNode(firstId + uint64(i));
        }
    }

    function mock__removeNodes(ISwarmCoordinator coordinator, uint64[] calldata nodeIds) external {
        for (uint256 i; i < nodeIds.length; ++i) {
            coordinator.removeNode(nodeIds[i]);
        }
    }
}
