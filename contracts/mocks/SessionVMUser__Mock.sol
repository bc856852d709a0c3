// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISessionVM} from "../interfaces/ISessionVM.sol";

/// @title SessionVMUser__Mock
/// @notice A contract that opens sessions for its users through PIP-0007's ISessionVM, as in PIP-0007's
/// `createEncryptedChannel`. It can be told to refuse refunds, to test that a failed refund reverts.
contract SessionVMUser__Mock {
    bool public mock__refuseRefunds;
    bytes32 public lastSessionId;

    /// @notice This contract refused a payment.
    error PaymentRefused();

    function mock__setRefuseRefunds(bool refuse) external {
        mock__refuseRefunds = refuse;
    }

    /// @notice Opens a session for `participants`, forwarding msg.value as the fee.
    function createEncryptedChannel(ISessionVM vm, address[] calldata participants) external payable returns (bytes32) {
        lastSessionId = vm.createSession{value: msg.value}(participants);
        return lastSessionId;
    }

    /// @notice Sends a message as this contract (only works if it is a participant).
    function post(ISessionVM vm, bytes32 sessionId, bytes calldata encrypted) external payable {
        vm.sendMessage{value: msg.value}(sessionId, encrypted);
    }

    receive() external payable {
        if (mock__refuseRefunds) revert PaymentRefused();
    }
}
