// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";

/// @title ReentrantContributor__Mock
/// @notice A contributor contract that tries to re-enter the registry when it receives PARS.
contract ReentrantContributor__Mock {
    IServiceNodeRegistry public immutable REGISTRY;
    uint64 public targetNode;
    uint256 public reentryAttempts;
    bool public reentrySucceeded;
    bytes public lastRevertData;

    constructor(IServiceNodeRegistry registry) {
        REGISTRY = registry;
    }

    function contribute(uint64 nodeId) external payable {
        targetNode = nodeId;
        REGISTRY.contribute{value: msg.value}(nodeId);
    }

    function withdraw(uint64 nodeId) external returns (uint256) {
        targetNode = nodeId;
        return REGISTRY.withdraw(nodeId);
    }

    function requestExit(uint64 nodeId) external {
        REGISTRY.requestExit(nodeId);
    }

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        ++reentryAttempts;
        try REGISTRY.withdraw(targetNode) {
            reentrySucceeded = true;
        } catch (bytes memory data) {
            lastRevertData = data;
        }
    }
}
