// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IGuardianPause
/// @notice The suite's one pause: a guardian (GUARDIAN_ROLE) stops a contract's new inflows and resumes
/// them. Each contract names what a pause stops (registrations and contributions; new sessions and
/// messages; new storage challenges); exits, withdrawals, claims and payouts are never blocked.
interface IGuardianPause {
    /// @notice The guardian `account` paused the contract's new inflows (OpenZeppelin Pausable's event).
    event Paused(address account);
    /// @notice The guardian `account` resumed them.
    event Unpaused(address account);

    /// @notice The call is stopped while paused, or `pause` while already paused.
    error EnforcedPause();
    /// @notice `unpause` while not paused.
    error ExpectedPause();

    /// @notice The role that may pause and unpause; no power over funds.
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice Whether the contract's new inflows are stopped.
    function paused() external view returns (bool);

    /// @notice Stops the contract's new inflows. Only GUARDIAN_ROLE; reverts `EnforcedPause` if paused.
    function pause() external;

    /// @notice Resumes them. Only GUARDIAN_ROLE; reverts `ExpectedPause` unless paused.
    function unpause() external;
}
