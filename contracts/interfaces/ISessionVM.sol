// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ISessionVM
/// @notice PIP-0007's sketch of the session layer as seen from an EVM contract: create a session for a
/// list of participants, send an encrypted message into it. The Pars SessionBridge implements it on the
/// EVM chain (and forwards each action to the session chain over Warp when a messenger is configured).
/// @dev Both functions are payable here: session and message fees are paid in native PARS with the call
/// (PIP-0008 §6). PIP-0007 declares the arrays `memory`; the ABI is the same.
interface ISessionVM {
    /// @notice Creates a session whose participants will each supply their own ML-KEM-768 key by
    /// joining; the session is pending until the last of them has joined.
    /// @dev Costs the session-creation fee (see the implementation's quote); excess is refunded.
    /// @param participants the participants' addresses (distinct, non-zero)
    /// @return sessionId the new session's id (first byte 0x07)
    function createSession(address[] calldata participants) external payable returns (bytes32 sessionId);

    /// @notice Sends an encrypted message into an active session with the next sequence number.
    /// @dev Only a participant may send. Costs the message fee for `encrypted.length`; excess is refunded.
    /// @param sessionId the session
    /// @param encrypted the ciphertext (1 byte .. 16 KiB); it is carried in the event, never stored
    function sendMessage(bytes32 sessionId, bytes calldata encrypted) external payable;
}
