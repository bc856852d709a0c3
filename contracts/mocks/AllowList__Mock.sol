// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AllowList__Mock
/// @notice Stand-in for the Lux deployer allow-list precompile's `readAllowList`: the account in storage
/// slot 0 is admin (2), every other account has no role (0).
/// @dev Test double only; installed with `*_setCode` and its slot 0 set with `*_setStorageAt`.
contract AllowList__Mock {
    address private _admin;

    constructor(address admin) {
        _admin = admin;
    }

    function readAllowList(address addr) external view returns (uint256 role) {
        return addr == _admin ? 2 : 0;
    }
}
