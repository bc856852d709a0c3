// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IServiceNodeRewards} from "../interfaces/IServiceNodeRewards.sol";
import {INodeLifecycleListener} from "../interfaces/INodeLifecycleListener.sol";
import {ISwarmListener} from "../interfaces/ISwarmListener.sol";
import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";

/// @title ServiceNodeRewards
/// @notice Emission and swarm fee income of Pars service nodes, with rate-limited pull claims.
/// @dev Solvency: emission is allocated only up to what the pool holds unallocated, and what an update
/// (or a fee deposit) books as allocated is the whole amount it spreads, `due` (or the swarm's 80%),
/// while the accumulator advances by that amount rounded down per unit of stake and every node's,
/// contributor's and operator's credit rounds down again. So the credits of every update sum to at
/// most what it booked, the sum of all claimable amounts never exceeds what was funded plus fees
/// received less what was paid, and every claim is payable. The rounding remainders stay in the
/// contract as unclaimable dust. Griefing: `fund` and `depositFees` only ever add value; lifecycle and
/// swarm hooks accept calls from the registry and the coordinator only.
contract ServiceNodeRewards is IServiceNodeRewards, AccessControl, ReentrancyGuardTransient {
    // ------------------------------------------------------------------ constants

    uint256 private constant SCALE = 1e36;
    uint256 private constant BPS = 10_000;
    /// @inheritdoc IServiceNodeRewards
    uint256 public constant YEAR = 365 days;
    /// @inheritdoc IServiceNodeRewards
    uint256 public constant RATE_YEAR1_BPS = 800;
    /// @inheritdoc IServiceNodeRewards
    uint256 public constant RATE_YEAR2_BPS = 600;
    /// @inheritdoc IServiceNodeRewards
    uint256 public constant RATE_LATER_BPS = 400;
    /// @inheritdoc IServiceNodeRewards
    uint256 public constant SWARM_FEE_BPS = 8_000;
    uint32 private constant NO_SWARM = type(uint32).max;

    // ------------------------------------------------------------------ immutables

    /// @inheritdoc IServiceNodeRewards
    IServiceNodeRegistry public immutable REGISTRY;
    /// @inheritdoc IServiceNodeRewards
    address public immutable SWARMS;

    // ------------------------------------------------------------------ storage

    // Storage is packed by access pattern: a claim writes only the first slot below (the cycle) and
    // reads the next one; the emission accumulator is advanced by stake changes, not by claims. What
    // the pool still holds unallocated sits next to the total stake, so emission is computed from one
    // slot; the funding total, which only `fund` needs, is kept apart.

    /// @inheritdoc IServiceNodeRewards
    uint40 public startTime;
    /// @inheritdoc IServiceNodeRewards
    uint40 public lastUpdate;
    /// @inheritdoc IServiceNodeRewards
    uint40 public cycleStart;
    /// @inheritdoc IServiceNodeRewards
    uint128 public claimedInCycle;

    /// @inheritdoc IServiceNodeRewards
    uint128 public totalStake;
    /// @inheritdoc IServiceNodeRewards
    uint128 public emissionUnallocated;

    /// @inheritdoc IServiceNodeRewards
    uint256 public emissionFunded;

    /// @inheritdoc IServiceNodeRewards
    uint128 public claimThreshold;
    /// @inheritdoc IServiceNodeRewards
    uint96 public emissionBase;
    /// @inheritdoc IServiceNodeRewards
    uint32 public claimCycle;

    /// @inheritdoc IServiceNodeRewards
    uint256 public emissionPerStake;
    /// @inheritdoc IServiceNodeRewards
    uint256 public treasuryOwed;
    /// @inheritdoc IServiceNodeRewards
    address public treasury;

    /// @inheritdoc IServiceNodeRewards
    mapping(uint32 swarmId => uint256) public swarmStake;
    /// @inheritdoc IServiceNodeRewards
    mapping(uint32 swarmId => uint256) public feePerStake;
    mapping(uint64 nodeId => NodeAccount) private _accounts;
    /// @dev Per account of a node: the `incomePerContribution` it last claimed against (bits 0-159) and
    /// the wei it was owed then but not paid because the cycle's allowance ran out (bits 160-255); both
    /// fit, as in `NodeAccount`, and one read gives a claim both.
    mapping(uint64 nodeId => mapping(address account => uint256)) private _claims;

    // ------------------------------------------------------------------ constructor

    constructor(
        address admin,
        IServiceNodeRegistry registry,
        address swarms,
        address treasury_,
        uint256 emissionBase_
    ) {
        if (admin == address(0) || address(registry) == address(0) || swarms == address(0) || treasury_ == address(0)) {
            revert ZeroAddress();
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        REGISTRY = registry;
        SWARMS = swarms;
        treasury = treasury_;
        if (emissionBase_ > type(uint96).max) revert InvalidParameter("emissionBase", emissionBase_);
        emissionBase = uint96(emissionBase_);
        claimThreshold = 1_000_000 ether;
        claimCycle = uint32(12 hours);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IServiceNodeRewards
    function start() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (startTime != 0) revert AlreadyStarted();
        startTime = uint40(block.timestamp);
        lastUpdate = uint40(block.timestamp);
        emit EmissionStarted(block.timestamp);
    }

    /// @inheritdoc IServiceNodeRewards
    function setEmissionBase(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > type(uint96).max) revert InvalidParameter("emissionBase", value);
        _updateEmission();
        emissionBase = uint96(value);
        emit ParameterChanged("emissionBase", value);
    }

    /// @inheritdoc IServiceNodeRewards
    function setClaimThreshold(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > type(uint128).max) revert InvalidParameter("claimThreshold", value);
        claimThreshold = uint128(value);
        emit ParameterChanged("claimThreshold", value);
    }

    /// @inheritdoc IServiceNodeRewards
    function setClaimCycle(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > 30 days) revert InvalidParameter("claimCycle", value);
        claimCycle = uint32(value);
        emit ParameterChanged("claimCycle", value);
    }

    /// @inheritdoc IServiceNodeRewards
    function setTreasury(address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == address(0)) revert ZeroAddress();
        treasury = value;
        emit ParameterChanged("treasury", uint256(uint160(value)));
    }

    // ------------------------------------------------------------------ funding and fees

    /// @inheritdoc IServiceNodeRewards
    function fund() external payable {
        if (msg.value == 0) revert ZeroAmount();
        _updateEmission();
        uint256 unallocated = emissionUnallocated + msg.value;
        if (unallocated > type(uint128).max) revert InvalidParameter("amount", msg.value);
        emissionUnallocated = uint128(unallocated);
        emissionFunded += msg.value;
        emit PoolFunded(msg.sender, msg.value);
    }

    /// @inheritdoc IServiceNodeRewards
    function depositFees(uint32 swarmId) external payable {
        if (msg.value == 0) revert ZeroAmount();
        uint256 stake = swarmStake[swarmId];
        uint256 toSwarm = stake == 0 ? 0 : msg.value * SWARM_FEE_BPS / BPS;
        // The swarm is booked its whole share; what the accumulator's rounding keeps back of it stays in
        // the contract as dust, so the nodes' rounded-down credits never sum to more than was booked.
        if (toSwarm != 0) feePerStake[swarmId] += toSwarm * SCALE / stake;
        uint256 toTreasury = msg.value - toSwarm;
        treasuryOwed += toTreasury;
        emit FeesDeposited(swarmId, msg.sender, toSwarm, toTreasury);
    }

    // ------------------------------------------------------------------ hooks

    /// @inheritdoc INodeLifecycleListener
    function onNodeActivated(uint64 nodeId, uint256 effectiveStake) external {
        if (msg.sender != address(REGISTRY)) revert UnauthorizedCaller(msg.sender);
        _updateEmission();
        // The coordinator has already placed the node (onSwarmMove runs first).
        NodeAccount storage a = _accounts[nodeId];
        (, uint16 feeBps, uint256 stake) = REGISTRY.nodeTerms(nodeId);
        a.feeBps = feeBps;
        a.contributed = uint96(stake);
        a.emissionCheckpoint = emissionPerStake;
        a.feeCheckpoint = a.swarm == NO_SWARM ? 0 : feePerStake[a.swarm];
        _setStake(a, _terms(a), effectiveStake);
    }

    /// @inheritdoc INodeLifecycleListener
    function onNodeStakeChanged(uint64 nodeId, uint256 effectiveStake) external {
        if (msg.sender != address(REGISTRY)) revert UnauthorizedCaller(msg.sender);
        _updateEmission();
        NodeAccount storage a = _accounts[nodeId];
        uint256 terms = _terms(a);
        _settleAccrued(a, terms, emissionPerStake, true);
        _setStake(a, terms, effectiveStake);
    }

    /// @inheritdoc INodeLifecycleListener
    function onNodeFeeChanged(uint64 nodeId, uint16 feeBps) external {
        if (msg.sender != address(REGISTRY)) revert UnauthorizedCaller(msg.sender);
        _updateEmission();
        NodeAccount storage a = _accounts[nodeId];
        uint256 terms = _terms(a);
        _settleAccrued(a, terms, emissionPerStake, true);
        // a.feeBps = feeBps (bits 224-239), in the word already read.
        _setTerms(a, (terms & ~(uint256(type(uint16).max) << 224)) | (uint256(feeBps) << 224));
    }

    /// @inheritdoc INodeLifecycleListener
    function onNodeDeactivated(uint64 nodeId) external {
        if (msg.sender != address(REGISTRY)) revert UnauthorizedCaller(msg.sender);
        NodeAccount storage a = _accounts[nodeId];
        // A node that left its swarm in this transaction (the coordinator's hook runs first on exit)
        // was settled there against an accumulator that has not moved since: settling again would
        // change nothing, so only the stake is taken out.
        uint256 terms = _terms(a);
        uint256 start_ = startTime;
        uint256 last = lastUpdate;
        if (!(uint32(terms >> 192) == NO_SWARM && (last == block.timestamp || start_ == 0)
                    && a.emissionCheckpoint == emissionPerStake)) {
            _updateEmission();
            _settleAccrued(a, terms, emissionPerStake, true);
        }
        _setStake(a, terms, 0);
    }

    /// @inheritdoc ISwarmListener
    function onSwarmMove(uint64 nodeId, uint32 fromSwarm, uint32 toSwarm) external {
        if (msg.sender != SWARMS) revert UnauthorizedCaller(msg.sender);
        NodeAccount storage a = _accounts[nodeId];
        uint256 terms = _terms(a);
        uint256 stake = uint96(terms);
        if (stake != 0) {
            _updateEmission();
            _settleAccrued(a, terms, emissionPerStake, false);
            if (fromSwarm != NO_SWARM) swarmStake[fromSwarm] -= stake;
            if (toSwarm != NO_SWARM) swarmStake[toSwarm] += stake;
        }
        // a.swarm = toSwarm, in the word already read.
        _setTerms(a, (terms & ~(uint256(type(uint32).max) << 192)) | (uint256(toSwarm) << 192));
        a.feeCheckpoint = toSwarm == NO_SWARM ? 0 : feePerStake[toSwarm];
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IServiceNodeRewards
    /// @dev Settles the node against the emission accumulator as it stands now (the stored value plus
    /// what is due since the last update) without writing it: the next real update advances the stored
    /// accumulator at least as far (rounding down over a longer span never gives less), so a node is
    /// never credited more than the allocation that follows, and the pool stays solvent. What the
    /// cycle's allowance cannot pay is kept in the account's claim slot, next to its checkpoint.
    function claim(uint64 nodeId) external nonReentrant returns (uint256 amount) {
        return _claim(nodeId, msg.sender, msg.sender);
    }

    /// @inheritdoc IServiceNodeRewards
    function claimTo(uint64 nodeId, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        return _claim(nodeId, msg.sender, to);
    }

    /// @inheritdoc IServiceNodeRewards
    function payOperator(uint64 nodeId) external nonReentrant returns (uint256 amount) {
        (address operator,,) = REGISTRY.nodeTerms(nodeId);
        return _claim(nodeId, operator, REGISTRY.DIRECTORY().beneficiaryOf(nodeId));
    }

    /// @dev Pays `account`'s income from `nodeId` to `to`.
    function _claim(uint64 nodeId, address account, address to) private returns (uint256 amount) {
        mapping(address => uint256) storage claimsOf = _claims[nodeId];
        uint256 perContribution;
        uint256 owed;
        {
            NodeAccount storage a = _accounts[nodeId];
            (uint256 contribution, bool isOperator) = _contributionOf(nodeId, account);
            // The operator takes its fee of this settlement directly; anyone else leaves it accrued.
            (uint256 operatorPart, uint256 read, uint256 settled) = _settle(a, _currentEmissionPerStake());
            perContribution = uint160(settled);
            uint256 last = claimsOf[account];
            // Unchecked: the accumulator only grows and stays below 2^160, contributions and amounts of
            // PARS below 2^96 (see `NodeAccount`), so nothing here can wrap.
            unchecked {
                owed = (last >> 160) + contribution * (perContribution - uint160(last)) / SCALE;
                if (isOperator) {
                    owed += (settled >> 160) + operatorPart;
                    settled = perContribution;
                } else {
                    settled += operatorPart << 160;
                }
            }
            if (settled != read) _setIncomeSlot(a, settled);
        }
        if (owed == 0) revert NothingToClaim(nodeId, account);

        // Each packed slot is read into locals at once and the cycle slot written once.
        uint256 cycle = claimCycle;
        uint256 limit = claimThreshold;
        uint256 cycleStart_ = cycleStart;
        uint256 claimed = claimedInCycle;
        // Unchecked: times below 2^40 + 2^32, the claimed total and the limit below 2^128, `owed` below 2^96.
        unchecked {
            if (block.timestamp >= cycleStart_ + cycle) {
                cycleStart_ = block.timestamp;
                claimed = 0;
            }
            // Pays what the cycle's allowance has left, at most; the rest stays owed for later cycles.
            amount = owed;
            if (claimed + owed > limit) {
                if (claimed >= limit) revert ClaimLimitExceeded(owed, 0);
                amount = limit - claimed;
            }
            claimsOf[account] = perContribution | ((owed - amount) << 160);
            _setCycle(cycleStart_, claimed + amount);
        }

        emit RewardsClaimed(nodeId, account, amount);
        _send(to, amount);
    }

    /// @inheritdoc IServiceNodeRewards
    function payTreasury() external nonReentrant returns (uint256 amount) {
        amount = treasuryOwed;
        if (amount == 0) return 0;
        treasuryOwed = 0;
        address to = treasury;
        emit TreasuryPaid(to, amount);
        _send(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IServiceNodeRewards
    function claimable(uint64 nodeId, address account) external view returns (uint256 amount) {
        NodeAccount storage a = _accounts[nodeId];
        (uint256 income, uint256 operatorPart,) = _income(a, _terms(a), _currentEmissionPerStake());
        uint256 credited = _incomeSlot(a);
        uint256 perContribution = uint160(credited);
        if (income != 0) perContribution += (income - operatorPart) * SCALE / a.contributed;
        (uint256 contribution, bool isOperator) = _contributionOf(nodeId, account);
        uint256 last = _claims[nodeId][account];
        amount = (last >> 160) + contribution * (perContribution - uint160(last)) / SCALE;
        if (isOperator) amount += (credited >> 160) + operatorPart;
    }

    /// @inheritdoc IServiceNodeRewards
    function scheduledEmission(uint256 fromElapsed, uint256 toElapsed) public view returns (uint256) {
        uint256 base = emissionBase;
        return _cumulativeEmission(base, toElapsed) - _cumulativeEmission(base, fromElapsed);
    }

    /// @inheritdoc IServiceNodeRewards
    function totalOwed() external view returns (uint256) {
        return address(this).balance - emissionUnallocated;
    }

    /// @inheritdoc IServiceNodeRewards
    function emissionAllocated() external view returns (uint256) {
        return emissionFunded - emissionUnallocated;
    }

    /// @inheritdoc IServiceNodeRewards
    function nodeAccount(uint64 nodeId) external view returns (NodeAccount memory) {
        return _accounts[nodeId];
    }

    // ------------------------------------------------------------------ internals

    /// @dev Cumulative scheduled emission `elapsed` seconds after start at emission base `base`,
    /// rounded down once.
    function _cumulativeEmission(uint256 base, uint256 elapsed) private pure returns (uint256) {
        uint256 y1 = elapsed < YEAR ? elapsed : YEAR;
        uint256 y2 = elapsed <= YEAR ? 0 : (elapsed < 2 * YEAR ? elapsed - YEAR : YEAR);
        uint256 later = elapsed <= 2 * YEAR ? 0 : elapsed - 2 * YEAR;
        return base * (RATE_YEAR1_BPS * y1 + RATE_YEAR2_BPS * y2 + RATE_LATER_BPS * later) / (BPS * YEAR);
    }

    /// @dev Emission due since the last update, capped by `available` (what the pool still holds
    /// unallocated). The timestamps are read together (one slot) before anything branches on them.
    function _pendingEmission(uint256 available) private view returns (uint256 due) {
        uint256 start_ = startTime;
        uint256 last = lastUpdate;
        if (start_ == 0 || block.timestamp <= last) return 0;
        uint256 base = emissionBase;
        due = _cumulativeEmission(base, block.timestamp - start_) - _cumulativeEmission(base, last - start_);
        if (due > available) due = available;
    }

    /// @dev Allocates emission due since the last update to the global accumulator. With no stake, the
    /// time passes unallocated: emission that no node could earn stays in the pool.
    function _updateEmission() private {
        if (startTime == 0) return;
        uint256 stake = totalStake;
        uint256 available = emissionUnallocated;
        if (stake != 0) {
            uint256 due = _pendingEmission(available);
            if (due != 0) {
                emissionPerStake += due * SCALE / stake;
                // The whole of `due` (at most what is unallocated) is booked: the accumulator's rounding
                // only ever keeps credits below it, and what it keeps back stays in the contract as dust.
                emissionUnallocated = uint128(available - due);
            }
        }
        lastUpdate = uint40(block.timestamp);
    }

    /// @dev The emission accumulator as an update now would leave it.
    function _currentEmissionPerStake() private view returns (uint256 perStake) {
        uint256 stake = totalStake;
        uint256 available = emissionUnallocated;
        perStake = emissionPerStake;
        if (stake != 0) perStake += _pendingEmission(available) * SCALE / stake;
    }

    /// @dev A node's new income since its checkpoints, the operator's part of it, and its swarm's fee
    /// accumulator (0 outside a swarm). `terms` is the account's first slot (see `_terms`), read once
    /// by the caller; the contributors' accumulators are not touched here.
    function _income(NodeAccount storage a, uint256 terms, uint256 globalPerStake)
        private
        view
        returns (uint256 income, uint256 operatorPart, uint256 swarmPerStake)
    {
        uint32 swarm = uint32(terms >> 192);
        if (swarm != NO_SWARM) swarmPerStake = feePerStake[swarm];
        uint256 stake = uint96(terms);
        if (stake == 0) return (0, 0, swarmPerStake);
        income = stake * (globalPerStake - a.emissionCheckpoint) / SCALE;
        if (swarm != NO_SWARM) income += stake * (swarmPerStake - a.feeCheckpoint) / SCALE;
        if (income != 0) operatorPart = income * uint16(terms >> 224) / BPS;
    }

    /// @dev The first slot of an account as one word: stake (bits 0-95), contributed (96-191), swarm
    /// (192-223), feeBps (224-239), the order `NodeAccount` declares them in.
    function _terms(NodeAccount storage a) private view returns (uint256 terms) {
        assembly ("memory-safe") {
            terms := sload(a.slot)
        }
    }

    /// @dev Settles a node against `globalPerStake` for a claim: moves its checkpoints there and returns
    /// the operator's part of the new income and the account's income slot (see `_incomeSlot`) as read
    /// and as settled, with the contributors' share credited to `incomePerContribution` (it stays below
    /// 2^160, so the sum never reaches `operatorAccrued`). The caller pays the operator's part out (a
    /// claim by the operator) or adds it to `operatorAccrued`, and writes the slot.
    function _settle(NodeAccount storage a, uint256 globalPerStake)
        private
        returns (uint256 operatorPart, uint256 read, uint256 settled)
    {
        uint256 terms = _terms(a);
        uint256 income;
        uint256 swarmPerStake;
        (income, operatorPart, swarmPerStake) = _income(a, terms, globalPerStake);
        a.emissionCheckpoint = globalPerStake;
        if (uint32(terms >> 192) != NO_SWARM) a.feeCheckpoint = swarmPerStake;
        read = _incomeSlot(a);
        settled = read;
        if (income != 0) settled += (income - operatorPart) * SCALE / uint96(terms >> 96);
    }

    /// @dev `_settle` for the hooks, given the account's first slot: the operator's part stays accrued;
    /// `incomePerContribution` is read only when it changes. Leaves the first slot as it is, and the
    /// fee checkpoint too when `moveFeeCheckpoint` is false (a swarm move sets it for the new swarm).
    function _settleAccrued(NodeAccount storage a, uint256 terms, uint256 globalPerStake, bool moveFeeCheckpoint)
        private
    {
        (uint256 income, uint256 operatorPart, uint256 swarmPerStake) = _income(a, terms, globalPerStake);
        a.emissionCheckpoint = globalPerStake;
        if (moveFeeCheckpoint && uint32(terms >> 192) != NO_SWARM) a.feeCheckpoint = swarmPerStake;
        if (income != 0) {
            uint256 credit = (income - operatorPart) * SCALE / uint96(terms >> 96);
            _setIncomeSlot(a, _incomeSlot(a) + credit + (operatorPart << 160));
        }
    }

    /// @dev The account's slot 3 as one word: `incomePerContribution` (bits 0-159) and `operatorAccrued`
    /// (160-255), the order `NodeAccount` declares them in.
    function _incomeSlot(NodeAccount storage a) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(add(a.slot, 3))
        }
    }

    /// @dev Writes the account's slot 3 (see `_incomeSlot`).
    function _setIncomeSlot(NodeAccount storage a, uint256 word) private {
        assembly ("memory-safe") {
            sstore(add(a.slot, 3), word)
        }
    }

    /// @dev Writes `cycleStart` and `claimedInCycle` (slot of `startTime`) in one store.
    function _setCycle(uint256 cycleStart_, uint256 claimed) private {
        assembly ("memory-safe") {
            let slot := cycleStart.slot
            // startTime and lastUpdate (bits 0-79) are kept; cycleStart is bits 80-119, claimedInCycle 120-247.
            let kept := and(sload(slot), 0xffffffffffffffffffff)
            sstore(slot, or(kept, or(shl(80, cycleStart_), shl(120, claimed))))
        }
    }

    /// @dev Sets the earning stake (bits 0-95 of `terms`, the account's first slot as read) and the totals.
    function _setStake(NodeAccount storage a, uint256 terms, uint256 effectiveStake) private {
        uint256 old = uint96(terms);
        totalStake = uint128(totalStake - old + effectiveStake);
        uint32 swarm = uint32(terms >> 192);
        if (swarm != NO_SWARM) swarmStake[swarm] = swarmStake[swarm] - old + effectiveStake;
        _setTerms(a, (terms & ~uint256(type(uint96).max)) | uint96(effectiveStake));
    }

    /// @dev Writes the account's first slot (see `_terms`).
    function _setTerms(NodeAccount storage a, uint256 terms) private {
        assembly ("memory-safe") {
            sstore(a.slot, terms)
        }
    }

    function _contributionOf(uint64 nodeId, address account) private view returns (uint256 amount, bool isOperator) {
        return REGISTRY.shareOf(nodeId, account);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
