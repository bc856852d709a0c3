// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISwarmListener} from "../interfaces/ISwarmListener.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";

/// @title SwarmListener__Mock
/// @notice Records every `onSwarmMove` call, together with what the coordinator answers for the node
/// at that moment (so tests can prove the listener runs after the coordinator's state is final).
contract SwarmListener__Mock is ISwarmListener {
    struct Move {
        uint64 nodeId;
        uint32 fromSwarm;
        uint32 toSwarm;
        uint32 swarmOfAtCall;
        address caller;
    }

    event MoveObserved(uint64 indexed nodeId, uint32 fromSwarm, uint32 toSwarm, uint32 swarmOfAtCall);

    error ListenerReverted(uint64 nodeId);

    Move[] private _moves;
    bool public mock__reverts;

    function mock__setReverts(bool reverts) external {
        mock__reverts = reverts;
    }

    function onSwarmMove(uint64 nodeId, uint32 fromSwarm, uint32 toSwarm) external {
        if (mock__reverts) revert ListenerReverted(nodeId);
        uint32 current = ISwarmCoordinator(msg.sender).swarmOf(nodeId);
        _moves.push(Move(nodeId, fromSwarm, toSwarm, current, msg.sender));
        emit MoveObserved(nodeId, fromSwarm, toSwarm, current);
    }

    function mock__moveCount() external view returns (uint256) {
        return _moves.length;
    }

    function mock__moves() external view returns (Move[] memory) {
        return _moves;
    }
}
