// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IGuardianPause} from "../interfaces/IGuardianPause.sol";

/// @title GuardianPause
/// @notice The suite's one pause mechanism (`IGuardianPause`). A contract says where its flag lives
/// (`_isPaused` / `_setPaused`), so it can share a slot its paused calls already read: the bridge
/// keeps it in the configuration a send loads anyway, the registry beside the staking requirement a
/// registration loads.
abstract contract GuardianPause is IGuardianPause, AccessControl {
    /// @inheritdoc IGuardianPause
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev Reverts `EnforcedPause` while paused.
    modifier whenNotPaused() {
        if (_isPaused()) revert EnforcedPause();
        _;
    }

    /// @inheritdoc IGuardianPause
    function pause() external onlyRole(GUARDIAN_ROLE) whenNotPaused {
        _setPaused(true);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IGuardianPause
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        if (!_isPaused()) revert ExpectedPause();
        _setPaused(false);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IGuardianPause
    function paused() external view returns (bool) {
        return _isPaused();
    }

    /// @dev The flag, wherever the contract keeps it.
    function _isPaused() internal view virtual returns (bool);

    /// @dev Writes the flag.
    function _setPaused(bool value) internal virtual;
}
