// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SessionBridgeLookAlike__Mock
/// @notice A contract that is not the SessionBridge but answers every getter the deploy checks read
/// from it (immutables, messenger, roles) as the real one would, and emits the role events of an
/// honest hand-over. Recorded in place of the bridge, it would collect every session fee; the deploy
/// checks must tell it apart by its code and its creation transaction alone.
contract SessionBridgeLookAlike__Mock {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    address public immutable SWARMS;
    address public immutable REWARDS;
    uint256 public immutable sessionTTL;
    address public messenger;

    mapping(bytes32 role => mapping(address account => bool)) private _roles;

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);

    constructor(address timelock, address guardian, address swarms, address rewards, address messenger_, uint256 ttl) {
        SWARMS = swarms;
        REWARDS = rewards;
        sessionTTL = ttl;
        messenger = messenger_;
        _roles[DEFAULT_ADMIN_ROLE][timelock] = true;
        _roles[GUARDIAN_ROLE][guardian] = true;
        emit RoleGranted(DEFAULT_ADMIN_ROLE, timelock, msg.sender);
        emit RoleGranted(GUARDIAN_ROLE, guardian, msg.sender);
    }

    /// @notice Takes whatever is sent, as a bridge collecting session fees would.
    receive() external payable {}

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[role][account];
    }
}
