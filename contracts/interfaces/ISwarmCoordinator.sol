// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ISwarmCoordinator
/// @notice Groups the active service nodes into swarms of 3..10 nodes (target 5), maps any inbox or
/// session id to the swarm that stores it, and reports network health (DESIGN §5, PIP-0008 §3.3, §4.1).
///
/// Membership is balanced rather than hashed: with N active nodes there are S(N) swarms, numbered
/// densely 0..S-1, whose sizes differ by at most one after every change, so every swarm has 3..5
/// nodes whenever N ≥ 3. A joining node enters a smallest swarm (the first of its size class, no
/// draw) and is queued: a `settle` in a later block that can read the hash of the block after the
/// join (anyone's, or the registry's at the end of a heartbeat batch that proves a queued node)
/// swaps it with a member drawn uniformly from a swarm drawn uniformly, from that hash. addNode and
/// removeNode never swap (except a join finding the queue full, which settles the oldest entry).
/// When S grows by one, the new swarm (id S) is filled from the largest swarms; when S shrinks, the
/// last swarm's nodes move to the smallest swarms. Every change moves at most
/// `MAX_MOVES_PER_CHANGE` nodes and costs the same gas at any N: nothing loops over nodes or swarms.
///
/// Every membership change emits an event (storage servers hand data over on moves) and is passed to
/// the swarm listener, if one is set.
interface ISwarmCoordinator {
    // ------------------------------------------------------------------------------------------
    // Structs
    // ------------------------------------------------------------------------------------------

    /// @notice Network health, as in PIP-0008 §4.1 (`NetworkHealth`), read in O(1).
    /// @param totalNodes nodes the registry knows (at least `activeNodes`; equal to it with no registry)
    /// @param activeNodes nodes in a swarm
    /// @param swarmCount S(activeNodes)
    /// @param averageSwarmSizeWad activeNodes / swarmCount, scaled by 1e18, rounded down
    /// @param minSwarmSize size of the smallest swarm
    /// @param maxSwarmSize size of the largest swarm
    /// @param storageCapacity activeNodes × 10 GiB, in bytes
    /// @param storageUsed sum of the latest storage reports of the active nodes, in bytes
    /// @param replicationOk every swarm has at least MIN_NODES_PER_SWARM nodes
    /// @param healthy replicationOk, activeNodes ≥ 80% of totalNodes, storageUsed < 90% of storageCapacity
    struct NetworkHealth {
        uint256 totalNodes;
        uint256 activeNodes;
        uint256 swarmCount;
        uint256 averageSwarmSizeWad;
        uint256 minSwarmSize;
        uint256 maxSwarmSize;
        uint256 storageCapacity;
        uint256 storageUsed;
        bool replicationOk;
        bool healthy;
    }

    // ------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------

    /// @notice A node became active and entered `swarmId`.
    event NodeJoinedSwarm(uint64 indexed nodeId, uint32 indexed swarmId);

    /// @notice A node stopped being active and left `swarmId`.
    event NodeLeftSwarm(uint64 indexed nodeId, uint32 indexed swarmId);

    /// @notice Rebalancing moved a node from `fromSwarm` to `toSwarm`; its storage follows.
    event NodeMovedSwarm(uint64 indexed nodeId, uint32 indexed fromSwarm, uint32 indexed toSwarm);

    /// @notice The swarm count grew: swarm `swarmId` (the new last one) was created, still empty.
    event SwarmCreated(uint32 indexed swarmId);

    /// @notice The swarm count shrank: swarm `swarmId` (the last one) was emptied and removed.
    event SwarmRemoved(uint32 indexed swarmId);

    /// @notice A joining node's placement was queued; it will be drawn from the hash of `seedBlock`
    /// (or of a later block, see PlacementsDeferred).
    event PlacementQueued(uint64 indexed nodeId, uint256 seedBlock);

    /// @notice A queued placement was drawn from the hash of `seedBlock`: the node is now in `swarmId`
    /// (two NodeMovedSwarm events precede this one when it was swapped into another swarm).
    event PlacementSettled(uint64 indexed nodeId, uint32 indexed swarmId, uint256 seedBlock);

    /// @notice The state changed while a queued placement's seed was already known (or older than 256
    /// blocks): every queued placement is now drawn from the hash of `seedBlock` or a later block.
    event PlacementsDeferred(uint256 seedBlock);

    /// @notice The storage contract reported `usedBytes` for a node; `networkStorageUsed` is the new sum.
    event StorageUsedReported(uint64 indexed nodeId, uint64 usedBytes, uint256 networkStorageUsed);

    /// @notice Governance replaced the node registry (REGISTRY_ROLE moved from the previous one).
    event RegistrySet(address indexed previousRegistry, address indexed newRegistry);

    /// @notice Governance replaced the swarm listener (zero: none).
    event SwarmListenerSet(address indexed previousListener, address indexed newListener);

    // ------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------

    /// @notice The constructor was given the zero address as admin.
    error InvalidAdmin(address admin);

    /// @notice A registry or listener address has no code (a call to it would fail or do nothing).
    error NotAContract(address account);

    /// @notice Node ids start at 1; 0 is never a node, and ids from 2^40 on are refused (members are
    /// stored as 40-bit ids).
    error InvalidNodeId(uint64 nodeId);

    /// @notice `addNode` for a node that is already in `swarmId`.
    error NodeAlreadyInSwarm(uint64 nodeId, uint32 swarmId);

    /// @notice The node is not in any swarm (unknown, never added, or already removed).
    error NodeNotInSwarm(uint64 nodeId);

    /// @notice `addNode` would exceed the most active nodes the packed size classes can index.
    error NetworkFull(uint256 activeNodes, uint256 maxActiveNodes);

    /// @notice `swarmId` is not below the current swarm count.
    error SwarmNotFound(uint32 swarmId, uint32 swarmCount);

    /// @notice Inbox mapping needs at least one swarm.
    error InvalidSwarmCount(uint32 swarmCount);

    /// @notice The swarm count of `nodeCount` nodes does not fit in a uint32.
    error NodeCountTooLarge(uint256 nodeCount, uint256 maxNodeCount);

    /// @notice `MAX_PENDING_PLACEMENTS` placements are queued and the oldest joined in this block (so
    /// none can be settled yet): the activation must wait for a later block. Only reachable with more
    /// than MAX_PENDING_PLACEMENTS activations in one block, i.e. above 1,600 active nodes, where
    /// the registry's cap of 2% per block exceeds 32.
    error PlacementQueueFull(uint256 maxPending);

    /// @notice `settle(0)`: a settle call must be allowed to settle something.
    error InvalidSettleCount(uint256 maxCount);

    /// @notice Rebalancing did not converge within its move bound. Unreachable: the bound is proven in
    /// the contract's comments; the check keeps a bug from ever leaving swarms unbalanced.
    error SwarmsUnbalanced(uint256 minSwarmSize, uint256 maxSwarmSize);

    // ------------------------------------------------------------------------------------------
    // Constants
    // ------------------------------------------------------------------------------------------

    /// @notice "No swarm": `swarmOf` of a node that is not active; `from` of a join, `to` of a leave.
    function NO_SWARM() external view returns (uint32);

    /// @notice Role of the node registry: adds and removes nodes.
    function REGISTRY_ROLE() external view returns (bytes32);

    /// @notice Role of the storage-commitment contract: reports storage used per node.
    function STORAGE_ROLE() external view returns (bytes32);

    /// @notice Fewest nodes a swarm needs for replication (3).
    function MIN_NODES_PER_SWARM() external view returns (uint256);

    /// @notice Nodes per swarm the swarm count aims at (5): S(N) = ceil(N / 5) for N ≥ 3.
    function TARGET_NODES_PER_SWARM() external view returns (uint256);

    /// @notice Most nodes a swarm may hold (10); balanced swarms never exceed 5.
    function MAX_NODES_PER_SWARM() external view returns (uint256);

    /// @notice Storage each active node contributes to capacity: 10 GiB = 10 × 2^30 bytes
    /// (PIP-0008's "10 GB" SIZE_LIMIT, read as binary gigabytes).
    function STORAGE_PER_NODE() external view returns (uint256);

    /// @notice Most active nodes: 5 × (2^24 − 1), so swarm positions fit the packed 24-bit fields.
    function MAX_ACTIVE_NODES() external view returns (uint256);

    /// @notice Most nodes one `addNode` / `removeNode` moves between swarms (joins and leaves not
    /// counted): a split moves at most 4, dissolving the last swarm at most 5, anything else at most 1.
    function MAX_MOVES_PER_CHANGE() external view returns (uint256);

    /// @notice Placements the registry's heartbeat batch asks `settle` for (2); each moves two nodes
    /// (a swap) or none.
    function SETTLES_PER_CALL() external view returns (uint256);

    /// @notice Most placements queued at once (32). A join that finds the ring full settles the oldest
    /// entry first (one swap) and reverts with PlacementQueueFull only if that entry is not ready.
    function MAX_PENDING_PLACEMENTS() external view returns (uint256);

    /// @notice Most placements one `settle` call settles (8), whatever its argument.
    function MAX_SETTLES_PER_TX() external view returns (uint256);

    // ------------------------------------------------------------------------------------------
    // Governance (DEFAULT_ADMIN_ROLE: the 24 h timelock)
    // ------------------------------------------------------------------------------------------

    /// @notice Sets the node registry: grants it REGISTRY_ROLE, revokes the role from the previous
    /// registry, and reads `totalNodes()` from it for health. Zero detaches the registry (health then
    /// treats total as active).
    /// @dev Only DEFAULT_ADMIN_ROLE. Reverts with NotAContract for a non-zero address without code.
    /// @param registry the registry contract (implements INodeCounter), or zero
    function setRegistry(address registry) external;

    /// @notice Sets the contract told about every membership change (ISwarmListener), zero for none.
    /// @dev Only DEFAULT_ADMIN_ROLE. Reverts with NotAContract for a non-zero address without code,
    /// because a call to an address without code would revert every join and exit.
    /// @param listener the listener contract, or zero
    function setSwarmListener(address listener) external;

    // ------------------------------------------------------------------------------------------
    // Registry flows (REGISTRY_ROLE)
    // ------------------------------------------------------------------------------------------

    /// @notice Puts a newly active node into a swarm and rebalances.
    /// @dev Settles nothing: if a queued seed is already known it defers every queued seed to the next
    /// block (PlacementsDeferred), as any state change must. The node enters the first swarm of the
    /// smallest size class and is queued for its draw (PlacementQueued). When MAX_PENDING_PLACEMENTS
    /// are queued, the oldest is settled first (one swap) or, if it joined in this block, the call
    /// reverts with PlacementQueueFull. If the swarm count grows, the
    /// new swarm is then filled from the largest
    /// swarms, one member drawn at random from each giver (the first giver is the swarm just joined,
    /// so the joining node itself may move). At most 4 moves; O(1) gas in N.
    /// Reverts with InvalidNodeId (0 or ≥ 2^40), NodeAlreadyInSwarm, NetworkFull, or AccessControl's error.
    /// @param nodeId the registry's node id (from 1)
    /// @return swarmId the swarm the node is in when the call returns
    function addNode(uint64 nodeId) external returns (uint32 swarmId);

    /// @notice Takes a node out of its swarm (exit, decommission) and rebalances. Its storage report
    /// leaves the network sum.
    /// @dev Settles nothing; defers known queued seeds as addNode does. If the swarm count shrinks,
    /// the last swarm's nodes move to the smallest swarms (at most 5 moves); otherwise at most one
    /// node moves, from a largest swarm to a smallest. O(1) gas in N.
    /// Reverts with NodeNotInSwarm or AccessControl's error.
    /// @param nodeId the registry's node id
    function removeNode(uint64 nodeId) external;

    /// @notice Draws queued placements whose seed block's hash is available: each node swaps with a
    /// member drawn uniformly from a swarm drawn uniformly (nothing moves when the drawn swarm is its
    /// own). Anyone may call it; the registry calls it at the end of a heartbeat batch that proves a
    /// node whose placement was queued. The only path that swaps (besides a join into a full ring).
    /// @dev Settles oldest first, at most min(`maxCount`, MAX_SETTLES_PER_TX); if a placement whose
    /// seed is already known then remains (or one older than 256 blocks), every queued seed moves to
    /// the next block (PlacementsDeferred). Emits PlacementSettled per placement and NodeMovedSwarm per
    /// moved node, and calls the listener. With nothing ready it returns after at most three storage
    /// reads (one when the queue is empty) and writes nothing. Reverts with
    /// InvalidSettleCount for 0.
    /// @param maxCount most placements to settle in this call
    /// @return settled placements settled
    /// @return pending placements still queued
    function settle(uint256 maxCount) external returns (uint256 settled, uint256 pending);

    // ------------------------------------------------------------------------------------------
    // Storage flows (STORAGE_ROLE)
    // ------------------------------------------------------------------------------------------

    /// @notice Records the latest storage used by an active node; the network sum is kept in O(1).
    /// @dev The storage contract enforces its own per-node limit; this contract only sums. Reverts
    /// with NodeNotInSwarm for a node that is not active, or AccessControl's error.
    /// @param nodeId the node
    /// @param usedBytes bytes the node stores now (replaces its previous report)
    function reportStorageUsed(uint64 nodeId, uint64 usedBytes) external;

    // ------------------------------------------------------------------------------------------
    // Views: membership
    // ------------------------------------------------------------------------------------------

    /// @notice The node registry set by governance (zero: none).
    function registry() external view returns (address);

    /// @notice The swarm listener (zero: none).
    function swarmListener() external view returns (address);

    /// @notice The swarm of a node, NO_SWARM if it is not active.
    function swarmOf(uint64 nodeId) external view returns (uint32);

    /// @notice Current number of swarms S(activeNodes); swarm ids are 0..swarmCount-1. At least 1.
    function swarmCount() external view returns (uint32);

    /// @notice Number of nodes in a swarm. Reverts with SwarmNotFound for an id ≥ swarmCount.
    function swarmSize(uint32 swarmId) external view returns (uint256);

    /// @notice The nodes of a swarm (at most MAX_NODES_PER_SWARM), in storage order (not sorted).
    /// Reverts with SwarmNotFound for an id ≥ swarmCount.
    function swarmMembers(uint32 swarmId) external view returns (uint64[] memory);

    /// @notice The queued placements, oldest first, and the block whose hash will draw each (at most
    /// MAX_PENDING_PLACEMENTS). A seed block at or after the current block is not known to anyone yet.
    function pendingPlacements() external view returns (uint64[] memory nodeIds, uint256[] memory seedBlocks);

    /// @notice Whether a `settle` executing in this block would settle or defer something: the oldest
    /// queued placement's seed block is before this block. (An eth_call answers for the block it
    /// simulates, which on some nodes is the latest block rather than the next one.)
    function readyPlacements() external view returns (bool);

    /// @notice Number of active nodes (nodes in a swarm).
    function activeNodes() external view returns (uint256);

    /// @notice The latest storage report of an active node, in bytes (0 if none or not active).
    function nodeStorageUsed(uint64 nodeId) external view returns (uint64);

    // ------------------------------------------------------------------------------------------
    // Views: inbox mapping (pure parts identical to src/swarm.ts)
    // ------------------------------------------------------------------------------------------

    /// @notice The swarm that stores an inbox / session id with the current swarm count.
    function swarmForInbox(bytes32 id) external view returns (uint32);

    /// @notice Linear-hashing map of an id to one of `swarmCount_` swarms: h = first 8 bytes of
    /// sha256(id) as a big-endian uint64, i = floor(log2 S), a = h mod 2^i, and if a < S − 2^i then
    /// a = h mod 2^(i+1). Equals h mod S when S is a power of two; when S grows by one only keys of
    /// swarm S − 2^i move (to the new swarm S). Reverts with InvalidSwarmCount for S = 0.
    /// @param id the inbox or session id (32 bytes)
    /// @param swarmCount_ the number of swarms S
    /// @return swarmId a swarm id below S
    function inboxToSwarm(bytes32 id, uint32 swarmCount_) external pure returns (uint32 swarmId);

    /// @notice S(n) = 1 if n < 3, else ceil(n / 5) (PIP-0008 `calculateSwarmCount`).
    /// Reverts with NodeCountTooLarge if the result does not fit in a uint32.
    function calculateSwarmCount(uint256 n) external pure returns (uint32);

    // ------------------------------------------------------------------------------------------
    // Views: network health (all O(1))
    // ------------------------------------------------------------------------------------------

    /// @notice The registry's `totalNodes()`, never below `activeNodes()`; `activeNodes()` with no
    /// registry. A reverting registry makes this (and the health views using it) revert.
    function totalNodes() external view returns (uint256);

    /// @notice activeNodes / swarmCount scaled by 1e18, rounded down.
    function averageSwarmSizeWad() external view returns (uint256);

    /// @notice Size of the smallest swarm (0 when there are no active nodes).
    function minSwarmSize() external view returns (uint256);

    /// @notice Size of the largest swarm.
    function maxSwarmSize() external view returns (uint256);

    /// @notice activeNodes × STORAGE_PER_NODE, in bytes.
    function storageCapacity() external view returns (uint256);

    /// @notice Sum of the latest storage reports of the active nodes, in bytes.
    function storageUsed() external view returns (uint256);

    /// @notice Every swarm holds at least MIN_NODES_PER_SWARM nodes.
    function replicationOk() external view returns (bool);

    /// @notice minSwarmSize ≥ 3 and activeNodes ≥ 80% of totalNodes and storageUsed < 90% of
    /// storageCapacity. Both percentages are compared exactly (no rounding of 80% or 90%).
    function isHealthy() external view returns (bool);

    /// @notice All health figures in one call.
    function networkHealth() external view returns (NetworkHealth memory);
}
