// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IWarpMessenger} from "../precompiles/IWarpMessenger.sol";

/// @title WarpMessenger__Mock
/// @notice Stands in for the Warp precompile in tests: records every message (sender and payload) and
/// emits SendWarpMessage like the real one. No constructor and no immutables, so it can also be placed
/// at the precompile address with `hardhat_setCode` (the blockchain id then reads as zero until set).
/// @dev The message id is keccak256(abi.encode(blockchainID, sender, index, payload)): unique per
/// message here; the real precompile derives it from the unsigned Warp message.
contract WarpMessenger__Mock is IWarpMessenger {
    struct Recorded {
        address sender;
        bytes payload;
    }

    Recorded[] private _messages;
    bytes32 private _blockchainID;
    bool public mock__reverts;

    /// @notice sendWarpMessage was told to fail.
    error WarpMessengerReverted();

    /// @notice Sets the id `getBlockchainID` returns.
    function mock__setBlockchainID(bytes32 id) external {
        _blockchainID = id;
    }

    /// @notice Makes sendWarpMessage revert (or not).
    function mock__setReverts(bool reverts) external {
        mock__reverts = reverts;
    }

    /// @notice Number of messages recorded.
    function mock__count() external view returns (uint256) {
        return _messages.length;
    }

    /// @notice Message `index` as recorded.
    function mock__message(uint256 index) external view returns (address sender, bytes memory payload) {
        Recorded storage m = _messages[index];
        return (m.sender, m.payload);
    }

    /// @inheritdoc IWarpMessenger
    function sendWarpMessage(bytes calldata payload) external returns (bytes32 messageID) {
        if (mock__reverts) revert WarpMessengerReverted();
        messageID = keccak256(abi.encode(_blockchainID, msg.sender, _messages.length, payload));
        _messages.push(Recorded({sender: msg.sender, payload: payload}));
        emit SendWarpMessage(msg.sender, messageID, payload);
    }

    /// @inheritdoc IWarpMessenger
    function getBlockchainID() external view returns (bytes32 blockchainID) {
        return _blockchainID;
    }
}
