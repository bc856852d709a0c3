// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";

/// @title SwarmInspector__Mock
/// @notice Test lens: reads a SwarmCoordinator's whole membership, or many inbox mappings, in one
/// `eth_call`. It loops over all swarms, which is fine off chain and why it is a mock only.
contract SwarmInspector__Mock {
    struct Snapshot {
        uint32 swarmCount;
        uint256 activeNodes;
        uint64[][] members;
        uint32[] swarmOfNodes;
    }

    function inspect(ISwarmCoordinator coordinator, uint64[] calldata nodeIds)
        external
        view
        returns (Snapshot memory s)
    {
        s.swarmCount = coordinator.swarmCount();
        s.activeNodes = coordinator.activeNodes();
        s.members = new uint64[][](s.swarmCount);
        for (uint32 i; i < s.swarmCount; ++i) {
            s.members[i] = coordinator.swarmMembers(i);
        }
        s.swarmOfNodes = new uint32[](nodeIds.length);
        for (uint256 i; i < nodeIds.length; ++i) {
            s.swarmOfNodes[i] = coordinator.swarmOf(nodeIds[i]);
        }
    }

    function inboxToSwarmBatch(ISwarmCoordinator coordinator, bytes32[] calldata ids, uint32[] calldata counts)
        external
        pure
        returns (uint32[] memory swarms)
    {
        swarms = new uint32[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            swarms[i] = coordinator.inboxToSwarm(ids[i], counts[i]);
        }
    }
}
