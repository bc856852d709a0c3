// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {INodeLifecycleListener} from "./INodeLifecycleListener.sol";
import {ISwarmListener} from "./ISwarmListener.sol";
import {IServiceNodeRegistry} from "./IServiceNodeRegistry.sol";

/// @title IServiceNodeRewards
/// @notice Income of Pars service nodes: an emission stream (8% / 6% / 4% a year of `emissionBase`) paid
/// from a funded pool and shared by active stake, plus per-swarm fee pools fed by session fees (80% to
/// the swarm's active nodes by stake, 20% to the treasury). A node's income pays the operator fee first,
/// then its contributors pro rata by contribution. Claims are pull payments, limited contract-wide to
/// `claimThreshold` per `claimCycle`: a claim pays what the cycle has left, at most, and the rest stays
/// claimable in later cycles.
/// @dev Scaled (1e36) accumulators: a global emission-per-stake, one fee-per-stake per swarm, and one
/// income-per-contribution per node. Every update is O(1) and books the whole amount it spreads, while
/// every accumulator and credit rounds down: the credits never sum to more than was booked, so every
/// claim is payable, and the rounding remainders stay in the contract as unclaimable dust.
interface IServiceNodeRewards is INodeLifecycleListener, ISwarmListener {
    /// @notice A node's income account (`nodeAccount`). Slot 0 packs what activation writes (earning
    /// stake, contribution total, swarm, operator fee) so a joining node costs one new slot plus its
    /// emission checkpoint. Slot 3 packs what a settlement credits: the contributors' accumulator and the
    /// operator's unclaimed fee, read and written as one word. Both fit: amounts of PARS are below 2^96 wei,
    /// and a node's contributions total at least the staking requirement (far above 1e36 / 2^64 wei),
    /// so the accumulator stays below 2^96 * 1e36 / 2^64 < 2^160.
    struct NodeAccount {
        uint96 stake; // effective (earning) stake; 0 when not active
        uint96 contributed; // total contributed (the denominator of contributor shares)
        uint32 swarm; // NO_SWARM when none
        uint16 feeBps;
        uint256 emissionCheckpoint; // global emission-per-stake at the last settlement
        uint256 feeCheckpoint; // the swarm's fee-per-stake at the last settlement
        uint160 incomePerContribution; // income per wei contributed, after the operator fee (SCALE)
        uint96 operatorAccrued; // operator fee not yet claimed
    }

    /// @notice The emission stream started.
    event EmissionStarted(uint256 startTime);
    /// @notice The pool was funded.
    event PoolFunded(address indexed from, uint256 amount);
    /// @notice Fees were paid for swarm `swarmId`: `toSwarm` to its nodes, `toTreasury` to the treasury.
    event FeesDeposited(uint32 indexed swarmId, address indexed from, uint256 toSwarm, uint256 toTreasury);
    /// @notice A contributor (or operator) claimed income of a node.
    event RewardsClaimed(uint64 indexed nodeId, address indexed account, uint256 amount);
    /// @notice The treasury's share of fees was paid out.
    event TreasuryPaid(address indexed treasury, uint256 amount);
    /// @notice A governance parameter changed.
    event ParameterChanged(bytes32 indexed name, uint256 value);

    /// @notice Only the registry calls lifecycle hooks; only the coordinator calls swarm hooks.
    error UnauthorizedCaller(address caller);
    /// @notice `start()` was already called.
    error AlreadyStarted();
    /// @notice Zero wei sent.
    error ZeroAmount();
    /// @notice Nothing to claim.
    error NothingToClaim(uint64 nodeId, address account);
    /// @notice Nothing is left of the contract-wide claim allowance of the current cycle (`remainingInCycle`
    /// is 0); `requested` stays claimable in a later cycle.
    error ClaimLimitExceeded(uint256 requested, uint256 remainingInCycle);
    /// @notice A governance parameter is out of range.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice A zero address where one is required.
    error ZeroAddress();
    /// @notice A native transfer failed.
    error TransferFailed(address to, uint256 amount);

    /// @notice Starts the emission stream (once). Only the admin.
    function start() external;

    /// @notice Adds `msg.value` to the emission pool. Anyone may fund it.
    function fund() external payable;

    /// @notice Pays session fees for swarm `swarmId`: 80% (rounded down) to its active nodes by stake, the
    /// rest to the treasury (all of it when the swarm has no stake). Anyone may pay.
    function depositFees(uint32 swarmId) external payable;

    /// @notice Claims the caller's income from `nodeId` (operator fee and/or contributor share).
    /// Never blocked by a pause. Pays everything owed, or what is left of the current cycle's allowance
    /// if that is less; the rest stays claimable (`claimable`) and is paid by claims in later cycles.
    /// Reverts with `ClaimLimitExceeded` (changing nothing) when nothing is left in the cycle.
    /// @return amount wei paid
    function claim(uint64 nodeId) external returns (uint256 amount);

    /// @notice `claim`, paid to `to` instead of the caller.
    /// @return amount wei paid
    function claimTo(uint64 nodeId, address to) external returns (uint256 amount);

    /// @notice Pays the operator's income from `nodeId` (its fee and its own share) to the node's
    /// beneficiary in the directory (the operator when none is named). Anyone may call it, so the
    /// income flows without the owner's key.
    /// @return amount wei paid
    function payOperator(uint64 nodeId) external returns (uint256 amount);

    /// @notice Pays the treasury's accumulated fee share. Anyone may call it.
    /// @return amount wei paid
    function payTreasury() external returns (uint256 amount);

    /// @notice What `account` is owed now from `nodeId`, including what earlier claims could not pay for
    /// the cycle limit: what `claim(nodeId)` pays, up to what is left of the current cycle's allowance.
    function claimable(uint64 nodeId, address account) external view returns (uint256);

    /// @notice Emission scheduled between two times since start (seconds), before the pool cap.
    function scheduledEmission(uint256 fromElapsed, uint256 toElapsed) external view returns (uint256);

    /// @notice Wei still claimable by all nodes' accounts plus the treasury, at the last update, plus the
    /// rounding dust that stays behind.
    function totalOwed() external view returns (uint256);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice Emission rate after year 2, in bps of `emissionBase` a year.
    function RATE_LATER_BPS() external view returns (uint256);
    /// @notice Emission rate of year 1, in bps of `emissionBase` a year.
    function RATE_YEAR1_BPS() external view returns (uint256);
    /// @notice Emission rate of year 2, in bps of `emissionBase` a year.
    function RATE_YEAR2_BPS() external view returns (uint256);
    /// @notice The node registry (calls the lifecycle hooks).
    function REGISTRY() external view returns (IServiceNodeRegistry);
    /// @notice The swarm coordinator (calls the swarm hook).
    function SWARMS() external view returns (address);
    /// @notice Share of session fees to the serving swarm's nodes.
    function SWARM_FEE_BPS() external view returns (uint256);
    /// @notice Length of an emission year.
    function YEAR() external view returns (uint256);
    /// @notice Length of a claim cycle.
    function claimCycle() external view returns (uint32);
    /// @notice Contract-wide claim limit per cycle.
    function claimThreshold() external view returns (uint128);
    /// @notice Claimed in the current cycle.
    function claimedInCycle() external view returns (uint128);
    /// @notice Start of the current claim cycle.
    function cycleStart() external view returns (uint40);
    /// @notice Wei of emission ever allocated to nodes.
    function emissionAllocated() external view returns (uint256);
    /// @notice Emission base (wei); the yearly emission is a rate of it.
    function emissionBase() external view returns (uint96);
    /// @notice Wei ever funded into the emission pool.
    function emissionFunded() external view returns (uint256);
    /// @notice Emission per unit of earning stake, scaled by 1e36.
    function emissionPerStake() external view returns (uint256);
    /// @notice Wei of the emission pool not yet allocated to nodes (`emissionFunded - emissionAllocated`).
    function emissionUnallocated() external view returns (uint128);
    /// @notice Fees paid to swarm `swarmId` per wei of its active stake, scaled by 1e36 (the swarm's fee
    /// accumulator; a node's `feeCheckpoint` is its value at the node's last settlement).
    function feePerStake(uint32 swarmId) external view returns (uint256);
    /// @notice Last time emission was allocated.
    function lastUpdate() external view returns (uint40);
    /// @notice A node's accounting (earning stake, swarm, checkpoints).
    function nodeAccount(uint64 nodeId) external view returns (NodeAccount memory);
    /// @notice Sets the claim cycle length.
    function setClaimCycle(uint256 value) external;
    /// @notice Sets the claim limit per cycle.
    function setClaimThreshold(uint256 value) external;
    /// @notice Sets the emission base; emission up to now is allocated at the old base first.
    function setEmissionBase(uint256 value) external;
    /// @notice Sets the treasury.
    function setTreasury(address value) external;
    /// @notice When emission started (0 before `start`).
    function startTime() external view returns (uint40);
    /// @notice The effective stake of swarm `swarmId`'s active nodes (what its fees are shared by).
    function swarmStake(uint32 swarmId) external view returns (uint256);
    /// @notice Sum of the earning stakes of active nodes.
    function totalStake() external view returns (uint128);
    /// @notice Receives 20% of fees.
    function treasury() external view returns (address);
    /// @notice Fees owed to the treasury.
    function treasuryOwed() external view returns (uint256);
}
