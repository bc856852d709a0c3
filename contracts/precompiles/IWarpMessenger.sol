// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Warp messenger (subnet-evm style), pre-deployed at 0x0200000000000000000000000000000000000005
/// @notice Sends cross-chain messages that validators of the source chain sign with BLS; the session
/// chain reads them by message id.
interface IWarpMessenger {
    /// @notice Emitted by the messenger for every message sent.
    /// @param sender the contract that sent the message
    /// @param messageID the id of the unsigned Warp message
    /// @param message the unsigned message bytes
    event SendWarpMessage(address indexed sender, bytes32 indexed messageID, bytes message);

    /// @notice Sends `payload` as a Warp message from the calling contract.
    /// @param payload the message payload
    /// @return messageID the id of the unsigned Warp message
    function sendWarpMessage(bytes calldata payload) external returns (bytes32 messageID);

    /// @notice The id of the chain this messenger runs on.
    /// @return blockchainID the chain's Warp blockchain id
    function getBlockchainID() external view returns (bytes32 blockchainID);
}
