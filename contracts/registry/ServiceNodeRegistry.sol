// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";
import {INodeLifecycleListener} from "../interfaces/INodeLifecycleListener.sol";
import {INodeDirectory} from "../interfaces/INodeDirectory.sol";
import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";
import {Uptime} from "./Uptime.sol";
import {GuardianPause} from "../governance/GuardianPause.sol";
import {RegistryState} from "./RegistryState.sol";

/// @title ServiceNodeRegistry
/// @notice Pars service nodes' stake book: registration, native-PARS stake from up to 10 contributors,
/// lifecycle, hourly hash-chain liveness, lazy penalties, exits and pull-payment withdrawals. Who a node
/// is and how to reach it (its PQ and BLS keys and their proofs, transport key, endpoint, manager,
/// beneficiary) is the NodeDirectory's, which checks every registration's keys for this registry.
/// @dev Every function is O(1) in the number of nodes; the only loops are bounded by constants
/// (contributors ≤ 10, heartbeat hash steps ≤ MAX_HEARTBEAT_GAP, batch ≤ MAX_HEARTBEAT_BATCH).
/// Pausing stops new inflows (registrations, contributions) only: withdrawals, exits, heartbeats,
/// penalties and payouts are never blocked.
contract ServiceNodeRegistry is RegistryState, GuardianPause, ReentrancyGuardTransient {
    // ------------------------------------------------------------------ immutables

    /// @inheritdoc IServiceNodeRegistry
    INodeDirectory public immutable DIRECTORY;
    /// @inheritdoc IServiceNodeRegistry
    IBlsKeyRegistry public immutable BLS_KEYS;
    /// @inheritdoc IServiceNodeRegistry
    ISwarmCoordinator public immutable swarms;

    // ------------------------------------------------------------------ constructor

    /// @param admin receives DEFAULT_ADMIN_ROLE (the 24-hour timelock in production)
    /// @param guardian receives GUARDIAN_ROLE
    /// @param directory the node directory (its registry must be set to this contract)
    /// @param swarmCoordinator the swarm coordinator (this registry must hold its REGISTRY_ROLE)
    /// @param blsKeys the BLS key registry (this registry must hold its REGISTRY_ROLE)
    /// @param treasury_ receives penalties
    constructor(
        address admin,
        address guardian,
        INodeDirectory directory,
        ISwarmCoordinator swarmCoordinator,
        IBlsKeyRegistry blsKeys,
        address treasury_
    ) {
        if (
            admin == address(0) || address(directory) == address(0) || address(swarmCoordinator) == address(0)
                || address(blsKeys) == address(0) || treasury_ == address(0)
        ) revert ZeroAddress();
        BLS_KEYS = blsKeys;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        DIRECTORY = directory;
        swarms = swarmCoordinator;
        treasury = treasury_;
        _stakingRequirement = 15_000 ether;
        lockPeriod = 30 days;
        missedEpochPenaltyBps = 50;
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IServiceNodeRegistry
    function setStakingRequirement(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value < MIN_STAKING_REQUIREMENT || value > type(uint88).max) {
            revert InvalidParameter("stakingRequirement", value);
        }
        _stakingRequirement = uint88(value);
        emit ParameterChanged("stakingRequirement", value);
    }

    /// @inheritdoc IServiceNodeRegistry
    function setLockPeriod(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value < MIN_LOCK_PERIOD || value > MAX_LOCK_PERIOD) revert InvalidParameter("lockPeriod", value);
        lockPeriod = value;
        emit ParameterChanged("lockPeriod", value);
    }

    /// @inheritdoc IServiceNodeRegistry
    function setMissedEpochPenaltyBps(uint16 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > MAX_MISSED_EPOCH_PENALTY_BPS) revert InvalidParameter("missedEpochPenaltyBps", value);
        missedEpochPenaltyBps = value;
        emit ParameterChanged("missedEpochPenaltyBps", value);
    }

    /// @inheritdoc IServiceNodeRegistry
    function setTreasury(address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == address(0)) revert ZeroAddress();
        treasury = value;
        emit AddressChanged("treasury", value);
    }

    /// @inheritdoc IServiceNodeRegistry
    function setLifecycleListener(INodeLifecycleListener value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        lifecycleListener = value;
        emit AddressChanged("lifecycleListener", address(value));
    }

    /// @inheritdoc IServiceNodeRegistry
    function stakingRequirement() external view returns (uint256) {
        return _stakingRequirement;
    }

    function _isPaused() internal view override returns (bool) {
        return _paused;
    }

    function _setPaused(bool value) internal override {
        _paused = value;
    }

    // ------------------------------------------------------------------ registration and stake

    /// @inheritdoc IServiceNodeRegistry
    function register(Registration calldata r) external payable whenNotPaused nonReentrant returns (uint64 nodeId) {
        uint256 requirement = _stakingRequirement;
        nodeId = _registerKeys(r, requirement);
        // A fully staked registration activates now: one call stores the key and adds it to the aggregate.
        BLS_KEYS.storeKey(nodeId, r.blsPublicKey, msg.value == requirement);
        uint256 reservedTotal = _reserveSlots(nodeId, r.reserved);
        uint256 committed = msg.value + reservedTotal;
        if (committed > requirement) revert StakeAboveRequirement(committed, requirement);

        Node storage n = _nodes[nodeId];
        n.operator = msg.sender;
        n.status = Status.AwaitingContributions;
        n.contributorCount = uint8(r.reserved.length + 1);
        n.operatorFeeBps = r.operatorFeeBps;
        n.stake = uint96(msg.value);
        n.lastEpoch = currentEpoch();
        n.lastRevealed = r.heartbeatAnchor;
        if (msg.value < requirement) {
            n.requirement = uint88(requirement);
            _contributors[nodeId][0] = Contributor(msg.sender, uint96(msg.value));
        }
        if (reservedTotal != 0) _unfilledReserved[nodeId] = uint96(reservedTotal);

        _emitContributions(nodeId, r.reserved);
        if (msg.value == requirement) _activate(nodeId, n, true);
    }

    /// @inheritdoc IServiceNodeRegistry
    function contribute(uint64 nodeId) external payable whenNotPaused nonReentrant {
        Node storage n = _existing(nodeId);
        if (n.status != Status.AwaitingContributions) revert InvalidNodeStatus(nodeId, n.status);
        if (msg.value == 0) revert ZeroContribution();
        uint256 requirement = n.requirement;
        uint256 stake = n.stake;
        uint256 unfilled = _unfilledReserved[nodeId];

        uint256 index;
        if (msg.sender == n.operator) {
            index = 0;
        } else {
            index = _contributorSlot[nodeId][msg.sender];
            if (index == 0) {
                // A new contributor takes an open slot, above the minimum, within the unreserved rest.
                uint256 count = n.contributorCount;
                if (count >= MAX_CONTRIBUTORS) revert TooManyContributors(count + 1, MAX_CONTRIBUTORS);
                uint256 minimum = _minimumContribution(requirement, stake, unfilled, count);
                if (msg.value < minimum) revert ContributionTooLow(msg.value, minimum);
                index = count;
                _contributorSlot[nodeId][msg.sender] = uint8(index + 1);
                _contributors[nodeId][index].addr = msg.sender;
                n.contributorCount = uint8(count + 1);
            } else {
                index -= 1;
            }
        }

        uint256 reserved = _reservedAmount[nodeId][msg.sender];
        Contributor storage c = _contributors[nodeId][index];
        if (reserved != 0 && c.amount == 0) {
            // First contribution of a reserved contributor fills exactly its reservation.
            if (msg.value != reserved) revert ReservedAmountMismatch(msg.value, reserved);
            _unfilledReserved[nodeId] = uint96(unfilled - reserved);
        } else {
            uint256 maximum = requirement - stake - unfilled;
            if (msg.value > maximum) revert ContributionTooHigh(msg.value, maximum);
        }

        stake += msg.value;
        c.amount += uint96(msg.value);
        n.stake = uint96(stake);
        emit StakeContributed(nodeId, msg.sender, msg.value, stake);
        if (stake == requirement) _activate(nodeId, n, false);
    }

    /// @inheritdoc IServiceNodeRegistry
    function withdraw(uint64 nodeId) external nonReentrant returns (uint256 amount) {
        Node storage n = _existing(nodeId);
        Status status = n.status;
        if (status == Status.AwaitingContributions) {
            amount = _withdrawBeforeActivation(nodeId, n);
        } else if (status == Status.Cancelled) {
            amount = _withdrawAfterEnd(nodeId, n, false);
        } else if (status == Status.Decommissioning) {
            if (block.timestamp < n.unlockAt) revert StakeLocked(nodeId, n.unlockAt);
            amount = _withdrawAfterEnd(nodeId, n, true);
        } else {
            revert InvalidNodeStatus(nodeId, status);
        }
        _send(msg.sender, amount);
    }

    // ------------------------------------------------------------------ liveness

    /// @inheritdoc IServiceNodeRegistry
    function heartbeat(uint64 nodeId, bytes32 value) external {
        _heartbeat(nodeId, value, false);
    }

    /// @inheritdoc IServiceNodeRegistry
    function heartbeatBatch(uint64[] calldata nodeIds, bytes32[] calldata values) external returns (uint256 accepted) {
        uint256 len = nodeIds.length;
        if (len == 0 || len != values.length || len > MAX_HEARTBEAT_BATCH) revert InvalidBatch(len);
        for (uint256 i; i < len; ++i) {
            if (_heartbeat(nodeIds[i], values[i], true)) ++accepted;
        }
        // A batch that proves a node whose swarm placement was queued settles the queue; while
        // placements stay queued, that node is marked again for its next batch.
        uint64 queued;
        assembly ("memory-safe") {
            queued := tload(QUEUED_SLOT)
        }
        if (queued != 0) {
            assembly ("memory-safe") {
                tstore(QUEUED_SLOT, 0)
            }
            (, uint256 pending) = swarms.settle(SETTLES_PER_BATCH);
            if (pending != 0) _nodes[queued].placementPending = true;
        }
    }

    /// @inheritdoc IServiceNodeRegistry
    function rotateHeartbeatAnchor(
        uint64 nodeId,
        bytes32 anchor,
        bytes calldata mldsaPublicKey,
        bytes calldata signature
    ) external {
        Node storage n = _existing(nodeId);
        Status status = n.status;
        if (status != Status.Active && status != Status.AwaitingContributions) revert InvalidNodeStatus(nodeId, status);
        if (anchor == bytes32(0)) revert InvalidHeartbeatAnchor();
        uint32 epoch = currentEpoch();
        if (n.lastEpoch == epoch) revert HeartbeatAlreadySent(nodeId, epoch);
        DIRECTORY.checkNodeSignature(nodeId, mldsaPublicKey, anchorRotationDigest(nodeId, anchor, epoch), signature);
        if (status == Status.Active && !_settle(nodeId, n, epoch, true)) return;
        n.lastEpoch = epoch;
        n.lastRevealed = anchor;
        emit HeartbeatAnchorRotated(nodeId, epoch, anchor);
    }

    /// @inheritdoc IServiceNodeRegistry
    function penalize(uint64 nodeId) external {
        Node storage n = _existing(nodeId);
        if (n.status != Status.Active) revert InvalidNodeStatus(nodeId, n.status);
        uint32 epoch = currentEpoch();
        if (epoch == 0 || epoch - 1 <= n.settledEpoch) revert NothingToPenalize(nodeId);
        _settle(nodeId, n, epoch, false);
    }

    // ------------------------------------------------------------------ exits and payouts

    /// @inheritdoc IServiceNodeRegistry
    function requestExit(uint64 nodeId) external {
        Node storage n = _existing(nodeId);
        if (n.status != Status.Active) revert InvalidNodeStatus(nodeId, n.status);
        uint256 allowedAt = n.activatedAt + MIN_EXIT_AGE;
        if (msg.sender != n.operator) {
            uint256 index = _contributorSlot[nodeId][msg.sender];
            if (index == 0) revert NotContributor(nodeId, msg.sender);
            uint256 amount = _contributors[nodeId][index - 1].amount;
            if (amount * BPS < uint256(n.stake) * SMALL_CONTRIBUTOR_BPS) {
                allowedAt = n.activatedAt + SMALL_CONTRIBUTOR_EXIT_DELAY;
            }
        }
        if (block.timestamp < allowedAt) revert ExitTooEarly(nodeId, allowedAt);
        // Missed epochs are settled before the exit, so leaving never forgives a penalty; when they
        // reach the cap the node is decommissioned for it instead.
        uint32 epoch = currentEpoch();
        if (epoch != 0 && epoch - 1 > n.settledEpoch && !_settle(nodeId, n, epoch, false)) return;
        _decommission(nodeId, n, DecommissionReason.ExitRequested);
    }

    /// @inheritdoc IServiceNodeRegistry
    function payTreasury() external nonReentrant returns (uint256 amount) {
        amount = _treasuryOwed;
        if (amount == 0) return 0;
        _treasuryOwed = 0;
        address to = treasury;
        emit TreasuryPaid(to, amount);
        _send(to, amount);
    }

    /// @inheritdoc IServiceNodeRegistry
    function slash(uint64 nodeId, uint16 bps, address beneficiary, uint16 beneficiaryShareBps)
        external
        onlyRole(SLASHER_ROLE)
        returns (uint256 amount)
    {
        Node storage n = _existing(nodeId);
        Status status = n.status;
        // A decommissioning node stays slashable until its stake unlocks (no one has withdrawn yet).
        if (status != Status.Active && (status != Status.Decommissioning || block.timestamp >= n.unlockAt)) {
            revert InvalidNodeStatus(nodeId, status);
        }
        if (bps == 0 || bps > BPS) revert InvalidParameter("bps", bps);
        if (beneficiaryShareBps > BPS) revert InvalidParameter("beneficiaryShareBps", beneficiaryShareBps);
        uint256 current = n.penaltyBps;
        uint256 next = current + bps > PENALTY_CAP_BPS ? PENALTY_CAP_BPS : current + bps;
        amount = _applyPenalty(n, current, next);
        uint256 share;
        if (beneficiary != address(0)) {
            share = amount * beneficiaryShareBps / BPS; // rounded down, the rest to the treasury
            _credits[beneficiary] += share;
            _treasuryOwed -= share;
        }
        emit NodeSlashed(nodeId, bps, amount, beneficiary, share);
        if (status == Status.Active) {
            if (next >= PENALTY_CAP_BPS) _decommission(nodeId, n, DecommissionReason.PenaltyCap);
            else _notifyStake(nodeId, n);
        }
    }

    /// @inheritdoc IServiceNodeRegistry
    function decommission(uint64 nodeId) external onlyRole(SLASHER_ROLE) {
        Node storage n = _existing(nodeId);
        if (n.status != Status.Active) revert InvalidNodeStatus(nodeId, n.status);
        _decommission(nodeId, n, DecommissionReason.Deregistered);
    }

    /// @inheritdoc IServiceNodeRegistry
    function claimCredit() external returns (uint256 amount) {
        return claimCreditTo(msg.sender);
    }

    /// @inheritdoc IServiceNodeRegistry
    function claimCreditTo(address to) public nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = _credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw(0, msg.sender);
        _credits[msg.sender] = 0;
        _send(to, amount);
    }

    /// @inheritdoc IServiceNodeRegistry
    function setOperatorFee(uint64 nodeId, uint16 feeBps) external {
        if (msg.sender != address(DIRECTORY)) revert NotDirectory(msg.sender);
        Node storage n = _existing(nodeId);
        n.operatorFeeBps = feeBps;
        emit OperatorFeeChanged(nodeId, feeBps);
        INodeLifecycleListener listener = lifecycleListener;
        if (n.status == Status.Active && address(listener) != address(0)) listener.onNodeFeeChanged(nodeId, feeBps);
    }

    // ------------------------------------------------------------------ internals: lifecycle

    /// @dev `blsKeyActive`: the BLS key joined the aggregate already, in `storeKey` at registration.
    function _activate(uint64 nodeId, Node storage n, bool blsKeyActive) private {
        Stats memory s = _stats;
        if (s.activationBlock != block.number) {
            s.activationBlock = uint40(block.number);
            s.activationsInBlock = 0;
        }
        // A block adds at most as many nodes as were active before it (and at most ACTIVATION_CAP_MIN
        // below 1,000 nodes): keys activated in one block never make the two thirds that sign an
        // attestation, whatever the size of the network. One node at a time from an empty network.
        uint256 incumbents = s.activeNodes > s.activationsInBlock ? s.activeNodes - s.activationsInBlock : 0;
        uint256 cap = incumbents * ACTIVATION_CAP_BPS / BPS;
        uint256 floor = incumbents < ACTIVATION_CAP_MIN ? incumbents : ACTIVATION_CAP_MIN;
        if (cap < floor) cap = floor;
        if (cap == 0) cap = 1;
        if (s.activationsInBlock >= cap) revert ActivationLimitReached(cap);
        ++s.activationsInBlock;
        ++s.activeNodes;
        s.totalActiveStake += n.stake;
        _stats = s;

        uint32 epoch = currentEpoch();
        n.status = Status.Active;
        n.activatedAt = uint40(block.timestamp);
        n.settledEpoch = epoch;
        n.uptime = Uptime.ONE;
        n.placementPending = true;
        emit NodeActivated(nodeId, n.stake);

        if (!blsKeyActive) BLS_KEYS.activate(nodeId);
        swarms.addNode(nodeId);
        INodeLifecycleListener listener = lifecycleListener;
        if (address(listener) != address(0)) listener.onNodeActivated(nodeId, n.stake);
    }

    function _decommission(uint64 nodeId, Node storage n, DecommissionReason reason) private {
        Stats memory s = _stats;
        --s.activeNodes;
        s.totalActiveStake -= n.stake;
        _stats = s;

        uint40 unlockAt = uint40(block.timestamp + lockPeriod);
        n.status = Status.Decommissioning;
        n.unlockAt = unlockAt;
        n.decommissionedAt = uint40(block.timestamp);
        if (n.requirement == 0) n.requirement = uint88(n.stake);
        emit NodeDecommissioned(nodeId, reason, msg.sender, unlockAt);

        BLS_KEYS.deactivate(nodeId);
        swarms.removeNode(nodeId);
        INodeLifecycleListener listener = lifecycleListener;
        if (address(listener) != address(0)) listener.onNodeDeactivated(nodeId);
    }

    /// @dev Settles missed epochs up to `epoch - 1` and, when `proven`, epoch `epoch` as up. Returns
    /// false when the penalty decommissioned the node (the caller must then stop).
    function _settle(uint64 nodeId, Node storage n, uint32 epoch, bool proven) private returns (bool active) {
        uint32 settled = n.settledEpoch;
        uint256 missed = epoch - 1 > settled ? epoch - 1 - settled : 0;
        uint32 uptime = Uptime.decay(n.uptime, missed);
        if (proven) uptime = Uptime.record(uptime);
        n.uptime = uptime;
        n.settledEpoch = proven ? epoch : epoch - 1;
        if (missed == 0) return true;

        uint256 current = n.penaltyBps;
        if (current >= PENALTY_CAP_BPS) return true;
        uint256 next = current + missed * missedEpochPenaltyBps;
        if (next > PENALTY_CAP_BPS) next = PENALTY_CAP_BPS;
        uint256 amount = _applyPenalty(n, current, next);
        emit NodePenalized(nodeId, uint32(missed), uint16(next), amount);
        if (next >= PENALTY_CAP_BPS) {
            _decommission(nodeId, n, DecommissionReason.PenaltyCap);
            return false;
        }
        _notifyStake(nodeId, n);
        return true;
    }

    /// @dev Raises the node's penalty from `current` to `next` bps. What leaves the stake is
    /// floor(stake * next) - floor(stake * current): cumulative, so rounding never drifts.
    function _applyPenalty(Node storage n, uint256 current, uint256 next) private returns (uint256 amount) {
        uint256 stake = n.stake;
        amount = stake * next / BPS - stake * current / BPS;
        n.penaltyBps = uint16(next);
        _treasuryOwed += amount;
    }

    function _notifyStake(uint64 nodeId, Node storage n) private {
        INodeLifecycleListener listener = lifecycleListener;
        if (address(listener) != address(0)) listener.onNodeStakeChanged(nodeId, _effective(n));
    }

    /// @dev In a batch (`skipStale`), an entry that became stale before the batch was mined (its node
    /// left the active set, or proved this epoch already) is skipped, so no front-run sinks the batch.
    /// @dev `skipStale` is the batch, which also takes over a node's placement mark (QUEUED_SLOT).
    function _heartbeat(uint64 nodeId, bytes32 value, bool skipStale) private returns (bool accepted) {
        Node storage n = _existing(nodeId);
        if (n.status != Status.Active) {
            if (skipStale) return false;
            revert InvalidNodeStatus(nodeId, n.status);
        }
        uint32 epoch = currentEpoch();
        // Slot 1 read once for `lastEpoch` (bits 136..167) and `placementPending` (bit 232).
        uint256 slot1;
        assembly ("memory-safe") {
            slot1 := sload(add(n.slot, 1))
        }
        uint32 last = uint32(slot1 >> 136);
        if (epoch == last) {
            if (skipStale) return false;
            revert HeartbeatAlreadySent(nodeId, epoch);
        }
        uint32 gap = epoch - last;
        if (gap > MAX_HEARTBEAT_GAP) revert HeartbeatGapTooLarge(nodeId, gap, MAX_HEARTBEAT_GAP);
        bytes32 v = value;
        for (uint256 i; i < gap; ++i) {
            v = keccak256(abi.encode(v));
        }
        if (v != n.lastRevealed) revert InvalidHeartbeat(nodeId, epoch);

        if (!_settle(nodeId, n, epoch, true)) return true;
        n.lastEpoch = epoch;
        n.lastRevealed = value;
        emit HeartbeatAccepted(nodeId, epoch, value);
        if (skipStale && (slot1 >> 232) & 1 != 0) {
            n.placementPending = false;
            assembly ("memory-safe") {
                tstore(QUEUED_SLOT, nodeId)
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ internals: withdrawals

    function _withdrawBeforeActivation(uint64 nodeId, Node storage n) private returns (uint256 amount) {
        if (msg.sender == n.operator) {
            // The operator's withdrawal cancels the registration; everyone else then withdraws in full.
            amount = _contributors[nodeId][0].amount;
            n.status = Status.Cancelled;
            n.withdrawnCount = 1;
            n.withdrawnMask = 1;
            --_stats.totalNodes;
            emit RegistrationCancelled(nodeId);
            emit StakeWithdrawn(nodeId, msg.sender, amount);
            return amount;
        }
        uint256 slot = _contributorSlot[nodeId][msg.sender];
        if (slot == 0) revert NothingToWithdraw(nodeId, msg.sender);
        uint256 index = slot - 1;
        amount = _contributors[nodeId][index].amount;
        if (amount == 0) revert NothingToWithdraw(nodeId, msg.sender);
        // The contributor leaves the list: the last entry takes its place.
        uint256 lastIndex = n.contributorCount - 1;
        if (index != lastIndex) {
            Contributor memory moved = _contributors[nodeId][lastIndex];
            _contributors[nodeId][index] = moved;
            _contributorSlot[nodeId][moved.addr] = uint8(slot);
        }
        delete _contributors[nodeId][lastIndex];
        delete _contributorSlot[nodeId][msg.sender];
        delete _reservedAmount[nodeId][msg.sender];
        n.contributorCount = uint8(lastIndex);
        n.stake -= uint96(amount);
        emit StakeWithdrawn(nodeId, msg.sender, amount);
    }

    /// @dev After cancellation (full refund) or after the lock period (stake less penalties, rounded
    /// down; the last contributor's withdrawal sweeps the rounding dust to the treasury).
    function _withdrawAfterEnd(uint64 nodeId, Node storage n, bool penalised) private returns (uint256 amount) {
        uint256 index;
        if (msg.sender == n.operator) {
            index = 0;
        } else {
            index = _contributorSlot[nodeId][msg.sender];
            if (index == 0) revert NothingToWithdraw(nodeId, msg.sender);
            index -= 1;
        }
        // Contributions stay recorded (rewards are claimed against them); a bit marks the withdrawal.
        uint256 mask = n.withdrawnMask;
        uint256 staked = index == 0 ? _operatorAmount(nodeId, n) : _contributors[nodeId][index].amount;
        if (staked == 0 || mask & (1 << index) != 0) revert NothingToWithdraw(nodeId, msg.sender);
        n.withdrawnMask = uint16(mask | (1 << index));
        uint256 withdrawnCount = n.withdrawnCount + 1;
        n.withdrawnCount = uint8(withdrawnCount);
        amount = penalised ? staked * (BPS - n.penaltyBps) / BPS : staked;
        emit StakeWithdrawn(nodeId, msg.sender, amount);
        if (!penalised) return amount;

        uint256 withdrawnSum = n.withdrawnSum + amount;
        n.withdrawnSum = uint88(withdrawnSum);
        if (withdrawnCount == n.contributorCount) {
            uint256 stake = n.stake;
            uint256 held = stake - stake * n.penaltyBps / BPS;
            _treasuryOwed += held - withdrawnSum;
            n.status = Status.Retired;
            --_stats.totalNodes;
            emit NodeRetired(nodeId);
        }
    }

    // ------------------------------------------------------------------ internals: helpers

    /// @dev Checks the registration's terms, takes the next node id, has the directory check and keep its
    /// keys, and announces the node.
    function _registerKeys(Registration calldata r, uint256 requirement) private returns (uint64 nodeId) {
        if (r.heartbeatAnchor == bytes32(0)) revert InvalidHeartbeatAnchor();
        if (r.operatorFeeBps > BPS) revert InvalidOperatorFee(r.operatorFeeBps);
        uint256 operatorMin = (requirement * OPERATOR_MIN_BPS + BPS - 1) / BPS; // rounded up
        if (msg.value < operatorMin) revert OperatorStakeTooLow(msg.value, operatorMin);
        uint256 contributors = r.reserved.length + 1;
        if (contributors > MAX_CONTRIBUTORS) revert TooManyContributors(contributors, MAX_CONTRIBUTORS);

        Stats memory st = _stats;
        nodeId = ++st.lastNodeId;
        ++st.totalNodes;
        _stats = st;
        (bytes32 mldsaHash, bytes32 mlkemHash, bytes32 blsHash) = DIRECTORY.registerKeys(nodeId, msg.sender, r);
        emit NodeRegistered(
            nodeId, msg.sender, mldsaHash, mlkemHash, blsHash, r.heartbeatAnchor, r.operatorFeeBps, requirement
        );
    }

    /// @dev Records reserved slots as contributors 1.. with nothing paid yet; returns their total.
    function _reserveSlots(uint64 nodeId, ReservedSlot[] calldata reserved) private returns (uint256 total) {
        for (uint256 i; i < reserved.length; ++i) {
            ReservedSlot calldata slot = reserved[i];
            if (
                slot.contributor == address(0) || slot.amount == 0 || slot.contributor == msg.sender
                    || _contributorSlot[nodeId][slot.contributor] != 0
            ) revert InvalidReservedSlot(i);
            _contributors[nodeId][i + 1] = Contributor(slot.contributor, 0);
            _contributorSlot[nodeId][slot.contributor] = uint8(i + 2);
            _reservedAmount[nodeId][slot.contributor] = slot.amount;
            total += slot.amount;
        }
    }

    function _emitContributions(uint64 nodeId, ReservedSlot[] calldata reserved) private {
        for (uint256 i; i < reserved.length; ++i) {
            emit SlotReserved(nodeId, reserved[i].contributor, reserved[i].amount);
        }
        emit StakeContributed(nodeId, msg.sender, msg.value, msg.value);
    }






    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
