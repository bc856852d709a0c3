// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Forwarder__Mock
/// @notice A minimal contract wallet: executes calls for its owner, so it is `msg.sender` of what it
/// sends (a Safe or a batching contract as the registry sees it). Test double only.
contract Forwarder__Mock {
    /// @notice The only account that may make the wallet call.
    address public immutable owner;

    /// @notice Only the owner may execute.
    error NotOwner(address caller);

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Calls `target` with `value` and `data` as this wallet; bubbles up a revert as is.
    function execute(address target, uint256 value, bytes calldata data)
        external
        payable
        returns (bytes memory result)
    {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        bool ok;
        (ok, result) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @notice Takes withdrawals and income.
    receive() external payable {}
}
