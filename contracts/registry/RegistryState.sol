// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";
import {INodeLifecycleListener} from "../interfaces/INodeLifecycleListener.sol";
import {Uptime} from "./Uptime.sol";

/// @title RegistryState
/// @notice The registry's constants, its storage layout and every read of it: the views and the view
/// helpers the state-changing paths share. `ServiceNodeRegistry` adds the immutables, governance,
/// registration, liveness, exits and payouts; the two are one contract, split across two files so
/// that each can be read whole.
abstract contract RegistryState is IServiceNodeRegistry {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc IServiceNodeRegistry
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant EPOCH_SECONDS = 1 hours;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant MAX_CONTRIBUTORS = 10;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant OPERATOR_MIN_BPS = 2_500;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant SMALL_CONTRIBUTOR_BPS = 2_500;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant SMALL_CONTRIBUTOR_EXIT_DELAY = 30 days;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant MIN_EXIT_AGE = 2 hours;
    /// @inheritdoc IServiceNodeRegistry
    uint16 public constant PENALTY_CAP_BPS = 5_000;
    /// @inheritdoc IServiceNodeRegistry
    uint32 public constant MAX_HEARTBEAT_GAP = 64;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant MAX_HEARTBEAT_BATCH = 100;
    /// @dev Queued swarm placements a heartbeat batch asks the coordinator to settle.
    uint256 internal constant SETTLES_PER_BATCH = 2;
    /// @dev Transient slot: a node of the running heartbeat batch whose placement mark was cleared.
    /// keccak256("pars.registry.batchQueuedPlacement") - 1.
    uint256 internal constant QUEUED_SLOT = 0xacad2360a0efde660849ce905d44b2b06d81bd8f2aa7de4aabe97ca29e9d439c;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant ACTIVATION_CAP_MIN = 20;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant ACTIVATION_CAP_BPS = 200;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant MAX_LOCK_PERIOD = 365 days;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant MIN_LOCK_PERIOD = 1 days;
    /// @inheritdoc IServiceNodeRegistry
    uint256 public constant MIN_STAKING_REQUIREMENT = 1 ether;
    /// @inheritdoc IServiceNodeRegistry
    uint16 public constant MAX_MISSED_EPOCH_PENALTY_BPS = 1_000;

    uint256 internal constant BPS = 10_000;
    bytes32 internal constant ROTATION_TYPEHASH =
        keccak256("ParsHeartbeatRotation(uint256 chainId,address registry,uint64 nodeId,bytes32 anchor,uint32 epoch)");

    // ------------------------------------------------------------------ storage

    /// @dev Packed so that a fully staked registration writes three slots (0, 1, 2); slot 3 is written
    /// only for a registration that waits for contributions, and at exit.
    struct Node {
        // slot 0
        address operator;
        Status status;
        uint8 contributorCount;
        uint8 withdrawnCount;
        uint16 operatorFeeBps;
        uint16 penaltyBps;
        uint16 withdrawnMask; // bit i: contributor i has withdrawn after the node ended
        // slot 1
        uint96 stake;
        uint40 activatedAt;
        uint32 lastEpoch; // epoch of `lastRevealed` on the hash chain
        uint32 settledEpoch; // epochs up to this one are settled for penalties and uptime
        uint32 uptime; // Uptime.ONE scale, valid as of `settledEpoch`
        bool placementPending; // swarm placement queued: the next batched heartbeat settles the queue
        // slot 2
        bytes32 lastRevealed;
        // slot 3 (amounts are at most the staking requirement, below 2^88)
        uint88 requirement; // 0 while it equals `stake` (fully staked at registration)
        uint88 withdrawnSum;
        uint40 unlockAt;
        uint40 decommissionedAt;
    }

    /// @dev Network counters and the node id counter in one slot, read and written together on
    /// registration, activation and exit. The widths are far beyond reach: 2^32 registrations or
    /// 2^24 activations in one block would cost more gas than any chain could ever spend, and the
    /// checked increments revert rather than wrap.
    struct Stats {
        uint32 totalNodes;
        uint32 activeNodes;
        uint96 totalActiveStake;
        uint40 activationBlock;
        uint24 activationsInBlock;
        uint32 lastNodeId;
    }

    /// @inheritdoc IServiceNodeRegistry
    uint256 public lockPeriod;
    /// @inheritdoc IServiceNodeRegistry
    uint16 public missedEpochPenaltyBps;
    /// @inheritdoc IServiceNodeRegistry
    address public treasury;
    /// @inheritdoc IServiceNodeRegistry
    INodeLifecycleListener public lifecycleListener;
    /// @dev Shares the listener's slot: a registration reads all three with one SLOAD.
    uint88 internal _stakingRequirement;
    bool internal _paused;

    Stats internal _stats;
    uint256 internal _treasuryOwed;

    mapping(uint64 nodeId => Node) internal _nodes;
    /// @dev Entry 0 (the operator) is left empty for a node fully staked at registration: its operator
    /// is `Node.operator` and its amount `Node.stake`, which never changes after activation.
    mapping(uint64 nodeId => mapping(uint256 index => Contributor)) internal _contributors;
    /// @dev index + 1 of a non-operator contributor; the operator is always index 0.
    mapping(uint64 nodeId => mapping(address contributor => uint8)) internal _contributorSlot;
    mapping(uint64 nodeId => mapping(address contributor => uint96)) internal _reservedAmount;
    mapping(uint64 nodeId => uint96) internal _unfilledReserved;
    mapping(address account => uint256) internal _credits;

    // ------------------------------------------------------------------ views

    /// @inheritdoc IServiceNodeRegistry
    function anchorRotationDigest(uint64 nodeId, bytes32 anchor, uint32 epoch) public view returns (bytes32) {
        return keccak256(abi.encode(ROTATION_TYPEHASH, block.chainid, address(this), nodeId, anchor, epoch));
    }

    /// @inheritdoc IServiceNodeRegistry
    function getNode(uint64 nodeId) external view returns (NodeView memory v) {
        Node storage n = _nodes[nodeId];
        v = NodeView({
            operator: n.operator,
            status: n.status,
            contributorCount: n.contributorCount,
            withdrawnCount: n.withdrawnCount,
            operatorFeeBps: n.operatorFeeBps,
            penaltyBps: n.penaltyBps,
            withdrawnMask: n.withdrawnMask,
            activatedAt: n.activatedAt,
            unlockAt: n.unlockAt,
            decommissionedAt: n.decommissionedAt,
            lastHeartbeatEpoch: n.lastEpoch,
            penalizedThroughEpoch: n.settledEpoch,
            stake: n.stake,
            requirement: uint96(_requirement(n)),
            lastRevealed: n.lastRevealed,
            uptimeBps: uptimeScore(nodeId)
        });
    }

    /// @inheritdoc IServiceNodeRegistry
    function ownerOf(uint64 nodeId) external view returns (address) {
        return _nodes[nodeId].operator;
    }

    /// @inheritdoc IServiceNodeRegistry
    function nodeTerms(uint64 nodeId) external view returns (address operator, uint16 operatorFeeBps, uint256 stake) {
        Node storage n = _nodes[nodeId];
        return (n.operator, n.operatorFeeBps, n.stake);
    }

    /// @inheritdoc IServiceNodeRegistry
    function getContributors(uint64 nodeId) external view returns (Contributor[] memory list) {
        uint256 count = _nodes[nodeId].contributorCount;
        list = new Contributor[](count);
        for (uint256 i; i < count; ++i) {
            list[i] = _contributors[nodeId][i];
        }
        if (count != 0 && list[0].amount == 0) list[0] = Contributor(_nodes[nodeId].operator, _nodes[nodeId].stake);
    }

    /// @inheritdoc IServiceNodeRegistry
    function shareOf(uint64 nodeId, address account) public view returns (uint256 contribution, bool isOperator) {
        Node storage n = _nodes[nodeId];
        address operator = n.operator;
        if (operator == address(0)) return (0, false);
        if (account == operator) return (_operatorAmount(nodeId, n), true);
        uint256 index = _contributorSlot[nodeId][account];
        return (index == 0 ? 0 : _contributors[nodeId][index - 1].amount, false);
    }

    /// @inheritdoc IServiceNodeRegistry
    function contributionOf(uint64 nodeId, address contributor) external view returns (uint256 contribution) {
        (contribution,) = shareOf(nodeId, contributor);
    }

    /// @inheritdoc IServiceNodeRegistry
    function minimumContribution(uint64 nodeId) external view returns (uint256) {
        Node storage n = _nodes[nodeId];
        if (n.status != Status.AwaitingContributions || n.contributorCount >= MAX_CONTRIBUTORS) return 0;
        return _minimumContribution(n.requirement, n.stake, _unfilledReserved[nodeId], n.contributorCount);
    }

    /// @inheritdoc IServiceNodeRegistry
    function uptimeScore(uint64 nodeId) public view returns (uint256) {
        Node storage n = _nodes[nodeId];
        if (n.activatedAt == 0) return 0;
        uint32 epoch = currentEpoch();
        uint256 missed = epoch > n.settledEpoch + 1 ? epoch - n.settledEpoch - 1 : 0;
        // Once out of the active set the score is frozen at its last value.
        if (n.status != Status.Active) missed = 0;
        return Uptime.toBps(Uptime.decay(n.uptime, missed));
    }

    /// @inheritdoc IServiceNodeRegistry
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @inheritdoc IServiceNodeRegistry
    function currentEpoch() public view returns (uint32) {
        return uint32(block.timestamp / EPOCH_SECONDS);
    }

    /// @inheritdoc IServiceNodeRegistry
    function totalNodes() external view returns (uint256) {
        return _stats.totalNodes;
    }

    /// @inheritdoc IServiceNodeRegistry
    function activeNodes() external view returns (uint256) {
        return _stats.activeNodes;
    }

    /// @inheritdoc IServiceNodeRegistry
    function totalActiveStake() external view returns (uint256) {
        return _stats.totalActiveStake;
    }

    /// @inheritdoc IServiceNodeRegistry
    function treasuryOwed() external view returns (uint256) {
        return _treasuryOwed;
    }

    /// @inheritdoc IServiceNodeRegistry
    function lastNodeId() external view returns (uint64) {
        return _stats.lastNodeId;
    }

    /// @inheritdoc IServiceNodeRegistry
    function effectiveStake(uint64 nodeId) external view returns (uint256) {
        Node storage n = _nodes[nodeId];
        return n.status == Status.Active ? _effective(n) : 0;
    }

    // ------------------------------------------------------------------ internals: reads

    /// @dev The operator's contribution: entry 0, or the whole stake when entry 0 was never written.
    /// @dev The operator alone holds the whole stake (its entry is not written for a fully staked
    /// registration); with others, its entry holds its amount.
    function _operatorAmount(uint64 nodeId, Node storage n) internal view returns (uint256 amount) {
        if (n.contributorCount <= 1) return n.stake;
        amount = _contributors[nodeId][0].amount;
        if (amount == 0) amount = n.stake;
    }

    function _existing(uint64 nodeId) internal view returns (Node storage n) {
        n = _nodes[nodeId];
        if (n.status == Status.None) revert UnknownNode(nodeId);
    }

    function _requirement(Node storage n) internal view returns (uint256) {
        uint256 requirement = n.requirement;
        return requirement == 0 ? n.stake : requirement;
    }

    function _effective(Node storage n) internal view returns (uint256) {
        uint256 stake = n.stake;
        return stake - stake * n.penaltyBps / BPS;
    }

    /// @dev Session's formula: ceil(remaining / open slots), over the stake not reserved for anyone.
    function _minimumContribution(uint256 requirement, uint256 stake, uint256 unfilled, uint256 count)
        internal
        pure
        returns (uint256)
    {
        uint256 remaining = requirement - stake - unfilled;
        uint256 openSlots = MAX_CONTRIBUTORS - count;
        return (remaining + openSlots - 1) / openSlots;
    }
}
