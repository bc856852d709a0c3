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
/// @dev Solvency: emission is allocated to the accumulators only up to what the pool holds
/// (`emissionFunded - emissionAllocated`), and every accumulator rounds down, so the sum of all
/// claimable amounts never exceeds what was funded plus fees received. Griefing: `fund` and
/// `depositFees` only ever add value; lifecycle and swarm hooks accept calls from the registry and the
/// coordinator only.
contract ServiceNodeRewards is IServiceNodeRewards, AccessControl, ReentrancyGuardTransient {
    // ------------------------------------------------------------------ constants

    uint256 private constant SCALE = 1e36;
    uint256 private constant BPS = 10_000;
    /// @notice Length of an emission year.
    uint256 public constant YEAR = 365 days;
    /// @notice Emission rates of year 1, year 2 and after, in bps of `emissionBase` a year.
    uint256 public constant RATE_YEAR1_BPS = 800;
    /// @notice See RATE_YEAR1_BPS.
    uint256 public constant RATE_YEAR2_BPS = 600;
    /// @notice See RATE_YEAR1_BPS.
    uint256 public constant RATE_LATER_BPS = 400;
    /// @notice Share of session fees to the serving swarm's nodes.
    uint256 public constant SWARM_FEE_BPS = 8_000;
    uint32 private constant NO_SWARM = type(uint32).max;

    // ------------------------------------------------------------------ immutables

    /// @notice The node registry (calls the lifecycle hooks).
    IServiceNodeRegistry public immutable REGISTRY;
    /// @notice The swarm coordinator (calls the swarm hook).
    address public immutable SWARMS;

    // ------------------------------------------------------------------ storage

    /// @dev Per-node accounting. Slot 0 packs what activation writes (earning stake, contribution total,
    /// swarm, operator fee) so a joining node costs one new slot plus its emission checkpoint.
    struct NodeAccount {
        uint96 stake; // effective (earning) stake; 0 when not active
        uint96 contributed; // total contributed (the denominator of contributor shares)
        uint32 swarm; // NO_SWARM when none
        uint16 feeBps;
        uint256 emissionCheckpoint; // global emission-per-stake at the last settlement
        uint256 feeCheckpoint; // the swarm's fee-per-stake at the last settlement
        uint256 incomePerContribution; // income per wei contributed, after the operator fee (SCALE)
        uint256 operatorAccrued; // operator fee not yet claimed
    }

    // Storage is packed by access pattern: a claim writes only the first slot below (the cycle) and
    // reads the next two; the emission accumulator is advanced by stake changes, not by claims.

    /// @notice When emission started (0 before `start`).
    uint40 public startTime;
    /// @notice Last time emission was allocated.
    uint40 public lastUpdate;
    /// @notice Start of the current claim cycle.
    uint40 public cycleStart;
    /// @notice Claimed in the current cycle.
    uint128 public claimedInCycle;

    /// @notice Sum of the earning stakes of active nodes.
    uint128 public totalStake;
    /// @notice Wei of emission ever allocated to nodes.
    uint128 public emissionAllocated;

    /// @notice Wei ever funded into the emission pool.
    uint256 public emissionFunded;

    /// @notice Contract-wide claim limit per cycle.
    uint128 public claimThreshold;
    /// @notice Emission base (wei); the yearly emission is a rate of it.
    uint96 public emissionBase;
    /// @notice Length of a claim cycle.
    uint32 public claimCycle;

    /// @notice Emission per unit of earning stake, scaled by 1e36.
    uint256 public emissionPerStake;
    /// @notice Fees owed to the treasury.
    uint256 public treasuryOwed;
    /// @notice Receives 20% of fees.
    address public treasury;

    mapping(uint32 swarmId => uint256) public swarmStake;
    mapping(uint32 swarmId => uint256) public feePerStake;
    mapping(uint64 nodeId => NodeAccount) private _accounts;
    mapping(uint64 nodeId => mapping(address account => uint256)) private _claimedPerContribution;

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

    /// @notice Sets the emission base; emission up to now is allocated at the old base first.
    function setEmissionBase(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > type(uint96).max) revert InvalidParameter("emissionBase", value);
        _updateEmission();
        emissionBase = uint96(value);
        emit ParameterChanged("emissionBase", value);
    }

    /// @notice Sets the claim limit per cycle.
    function setClaimThreshold(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > type(uint128).max) revert InvalidParameter("claimThreshold", value);
        claimThreshold = uint128(value);
        emit ParameterChanged("claimThreshold", value);
    }

    /// @notice Sets the claim cycle length.
    function setClaimCycle(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > 30 days) revert InvalidParameter("claimCycle", value);
        claimCycle = uint32(value);
        emit ParameterChanged("claimCycle", value);
    }

    /// @notice Sets the treasury.
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
        emissionFunded += msg.value;
        emit PoolFunded(msg.sender, msg.value);
    }

    /// @inheritdoc IServiceNodeRewards
    function depositFees(uint32 swarmId) external payable {
        if (msg.value == 0) revert ZeroAmount();
        uint256 stake = swarmStake[swarmId];
        uint256 toSwarm = stake == 0 ? 0 : msg.value * SWARM_FEE_BPS / BPS;
        if (toSwarm != 0) {
            uint256 perStake = toSwarm * SCALE / stake;
            feePerStake[swarmId] += perStake;
            // What the rounding of the accumulator keeps back goes to the treasury.
            toSwarm = perStake * stake / SCALE;
        }
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
        _setStake(a, effectiveStake);
    }

    /// @inheritdoc INodeLifecycleListener
    function onNodeStakeChanged(uint64 nodeId, uint256 effectiveStake) external {
        if (msg.sender != address(REGISTRY)) revert UnauthorizedCaller(msg.sender);
        _updateEmission();
        NodeAccount storage a = _accounts[nodeId];
        _settle(a, emissionPerStake);
        _setStake(a, effectiveStake);
    }

    /// @inheritdoc INodeLifecycleListener
    function onNodeDeactivated(uint64 nodeId) external {
        if (msg.sender != address(REGISTRY)) revert UnauthorizedCaller(msg.sender);
        _updateEmission();
        NodeAccount storage a = _accounts[nodeId];
        _settle(a, emissionPerStake);
        _setStake(a, 0);
    }

    /// @inheritdoc ISwarmListener
    function onSwarmMove(uint64 nodeId, uint32 fromSwarm, uint32 toSwarm) external {
        if (msg.sender != SWARMS) revert UnauthorizedCaller(msg.sender);
        NodeAccount storage a = _accounts[nodeId];
        uint256 stake = a.stake;
        if (stake != 0) {
            _updateEmission();
            _settle(a, emissionPerStake);
            if (fromSwarm != NO_SWARM) swarmStake[fromSwarm] -= stake;
            if (toSwarm != NO_SWARM) swarmStake[toSwarm] += stake;
        }
        a.swarm = toSwarm;
        a.feeCheckpoint = toSwarm == NO_SWARM ? 0 : feePerStake[toSwarm];
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IServiceNodeRewards
    /// @dev Settles the node against the emission accumulator as it stands now (the stored value plus
    /// what is due since the last update) without writing it: the next real update advances the stored
    /// accumulator at least as far (rounding down over a longer span never gives less), so a node is
    /// never credited more than the allocation that follows, and the pool stays solvent.
    function claim(uint64 nodeId) external nonReentrant returns (uint256 amount) {
        NodeAccount storage a = _accounts[nodeId];
        (uint256 contribution, bool isOperator) = _contributionOf(nodeId, msg.sender);
        // The settlement inlined: each slot is written once; the operator takes its fee directly.
        uint256 globalPerStake = _currentEmissionPerStake();
        (uint256 income, uint256 operatorPart) = _income(a, globalPerStake);
        a.emissionCheckpoint = globalPerStake;
        if (a.swarm != NO_SWARM) a.feeCheckpoint = feePerStake[a.swarm];
        uint256 perContribution = a.incomePerContribution;
        if (income != 0) {
            perContribution += (income - operatorPart) * SCALE / a.contributed;
            a.incomePerContribution = perContribution;
        }
        amount = contribution * (perContribution - _claimedPerContribution[nodeId][msg.sender]) / SCALE;
        _claimedPerContribution[nodeId][msg.sender] = perContribution;
        if (isOperator) {
            amount += a.operatorAccrued + operatorPart;
            if (a.operatorAccrued != 0) a.operatorAccrued = 0;
        } else if (operatorPart != 0) {
            a.operatorAccrued += operatorPart;
        }
        if (amount == 0) revert NothingToClaim(nodeId, msg.sender);

        uint256 cycle = claimCycle;
        uint256 claimed = claimedInCycle;
        if (block.timestamp >= uint256(cycleStart) + cycle) {
            cycleStart = uint40(block.timestamp);
            claimed = 0;
        }
        uint256 limit = claimThreshold;
        if (claimed + amount > limit) revert ClaimLimitExceeded(amount, limit - claimed);
        claimedInCycle = uint128(claimed + amount);

        emit RewardsClaimed(nodeId, msg.sender, amount);
        _send(msg.sender, amount);
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
        NodeAccount memory a = _accounts[nodeId];
        (uint256 income, uint256 operatorPart) = _income(a, _currentEmissionPerStake());
        uint256 perContribution = a.incomePerContribution;
        if (a.contributed != 0) perContribution += (income - operatorPart) * SCALE / a.contributed;
        (uint256 contribution, bool isOperator) = _contributionOf(nodeId, account);
        amount = contribution * (perContribution - _claimedPerContribution[nodeId][account]) / SCALE;
        if (isOperator) amount += a.operatorAccrued + operatorPart;
    }

    /// @inheritdoc IServiceNodeRewards
    function scheduledEmission(uint256 fromElapsed, uint256 toElapsed) public view returns (uint256) {
        return _cumulativeEmission(toElapsed) - _cumulativeEmission(fromElapsed);
    }

    /// @inheritdoc IServiceNodeRewards
    function totalOwed() external view returns (uint256) {
        return address(this).balance - (emissionFunded - emissionAllocated);
    }

    /// @notice A node's accounting (earning stake, swarm, checkpoints).
    function nodeAccount(uint64 nodeId) external view returns (NodeAccount memory) {
        return _accounts[nodeId];
    }

    // ------------------------------------------------------------------ internals

    /// @dev Cumulative scheduled emission `elapsed` seconds after start, rounded down once.
    function _cumulativeEmission(uint256 elapsed) private view returns (uint256) {
        uint256 y1 = elapsed < YEAR ? elapsed : YEAR;
        uint256 y2 = elapsed <= YEAR ? 0 : (elapsed < 2 * YEAR ? elapsed - YEAR : YEAR);
        uint256 later = elapsed <= 2 * YEAR ? 0 : elapsed - 2 * YEAR;
        return emissionBase * (RATE_YEAR1_BPS * y1 + RATE_YEAR2_BPS * y2 + RATE_LATER_BPS * later) / (BPS * YEAR);
    }

    /// @dev Emission due since the last update, capped by what the pool still holds unallocated.
    function _pendingEmission() private view returns (uint256 due) {
        uint256 start_ = startTime;
        if (start_ == 0 || block.timestamp <= lastUpdate) return 0;
        due = scheduledEmission(lastUpdate - start_, block.timestamp - start_);
        uint256 available = emissionFunded - emissionAllocated;
        if (due > available) due = available;
    }

    /// @dev Allocates emission due since the last update to the global accumulator. With no stake, the
    /// time passes unallocated: emission that no node could earn stays in the pool.
    function _updateEmission() private {
        if (startTime == 0) return;
        uint256 stake = totalStake;
        if (stake != 0) {
            uint256 due = _pendingEmission();
            if (due != 0) {
                uint256 perStake = due * SCALE / stake;
                emissionPerStake += perStake;
                emissionAllocated += uint128(perStake * stake / SCALE);
            }
        }
        lastUpdate = uint40(block.timestamp);
    }

    /// @dev The emission accumulator as an update now would leave it.
    function _currentEmissionPerStake() private view returns (uint256 perStake) {
        perStake = emissionPerStake;
        uint256 stake = totalStake;
        if (stake != 0) perStake += _pendingEmission() * SCALE / stake;
    }

    /// @dev A node's new income since its checkpoints, and the operator's part of it.
    function _income(NodeAccount memory a, uint256 globalPerStake)
        private
        view
        returns (uint256 income, uint256 operatorPart)
    {
        uint256 stake = a.stake;
        if (stake == 0) return (0, 0);
        income = stake * (globalPerStake - a.emissionCheckpoint) / SCALE;
        if (a.swarm != NO_SWARM) income += stake * (feePerStake[a.swarm] - a.feeCheckpoint) / SCALE;
        operatorPart = income * a.feeBps / BPS;
    }

    function _settle(NodeAccount storage a, uint256 globalPerStake) private {
        (uint256 income, uint256 operatorPart) = _income(a, globalPerStake);
        a.emissionCheckpoint = globalPerStake;
        if (a.swarm != NO_SWARM) a.feeCheckpoint = feePerStake[a.swarm];
        if (income == 0) return;
        a.operatorAccrued += operatorPart;
        uint256 contributed = a.contributed;
        a.incomePerContribution += (income - operatorPart) * SCALE / contributed;
    }

    function _setStake(NodeAccount storage a, uint256 effectiveStake) private {
        uint256 old = a.stake;
        totalStake = uint128(totalStake - old + effectiveStake);
        uint32 swarm = a.swarm;
        if (swarm != NO_SWARM) swarmStake[swarm] = swarmStake[swarm] - old + effectiveStake;
        a.stake = uint96(effectiveStake);
    }

    function _contributionOf(uint64 nodeId, address account) private view returns (uint256 amount, bool isOperator) {
        return REGISTRY.shareOf(nodeId, account);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
