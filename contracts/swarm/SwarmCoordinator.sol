// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";
import {ISwarmListener} from "../interfaces/ISwarmListener.sol";
import {INodeCounter} from "../interfaces/INodeCounter.sol";
import {Placement, PlacementLib} from "./Placement.sol";

/// @title SwarmCoordinator
/// @notice Balanced swarm membership, inbox → swarm mapping and network health (DESIGN §5).
///
/// How balance is kept in O(1): the swarms are kept in an order sorted by size, largest first, split
/// into "size classes" (all swarms of one size are contiguous). For every size s ≥ 1 the contract
/// keeps `atLeast[s]`, the number of swarms with at least s nodes, so the swarms of size s occupy
/// the positions [atLeast[s+1], atLeast[s]) of the order. A swarm that grows by one swaps places with
/// the first swarm of its class and `atLeast[s+1]` grows by one; a shrinking swarm swaps with the
/// last of its class. The smallest and largest sizes come from the seven packed counters.
///
/// What moves where:
/// - a joining node enters the first swarm of the smallest class (no draw, no reordering) and its
///   placement is left pending; a later write re-draws it (see "Placement" below);
/// - a leaving node's swarm shrinks; if it was a smallest swarm while larger ones exist, one node
///   moves to it from a largest swarm;
/// - when S grows, the new swarm (empty, the smallest) takes nodes from the largest swarms until the
///   sizes differ by at most one;
/// - when S shrinks, the last swarm's nodes fill the smallest swarms, smallest first.
/// The swarms that give and receive nodes in rebalancing are the ones standing at the edges of their
/// size classes (the last of the largest class, the first of the smallest), so their resize needs no
/// reordering; the node that moves is drawn among the giver's members.
///
/// Why the moves are bounded (S = S(N); "balanced" means sizes differ by at most one):
/// - balanced with S(N) swarms means sizes floor(N/S) and ceil(N/S), which lie in 3..5 for N ≥ 3;
/// - a join without growth enters a smallest swarm: still balanced, no move;
/// - growth happens only at N = 5k → 5k+1, when every swarm has 5 nodes; the joiner makes one swarm
///   6, the new swarm starts empty, and each move goes from a largest swarm to the smallest until
///   balanced: the new swarm ends with floor((5k+1)/(k+1)) ≤ 4 nodes, so at most 4 moves;
/// - a leave without shrinking lowers one swarm by one; only if it was a smallest swarm while larger
///   ones exist is one move needed;
/// - shrinking happens only at N = 5k+1 → 5k; the last swarm's ≤ 5 nodes fill the other swarms up to
///   5k / k = 5 nodes each, so at most 5 moves.
/// Rebalancing re-checks the spread before every move and reverts (SwarmsUnbalanced) rather than
/// exceed MAX_MOVES_PER_CHANGE, so the bound holds even if the reasoning above had a flaw.
///
/// Placement (DESIGN §5). On the Lux EVM `block.prevrandao` is a constant (the header's difficulty,
/// 1), and everything else a transaction can read in its own block is known to its sender, who can
/// moreover call through a contract that reverts on an outcome it dislikes. So no draw made inside
/// the joining transaction can be fair. A join therefore places its node deterministically and
/// queues it (`_ring`); a `settle` in a block after the hash of the seed block is known (anyone's, or
/// the registry's at the end of a heartbeat batch that proves a newly activated node) swaps the node
/// with a member drawn uniformly from a swarm drawn uniformly, from
/// keccak256(blockhash(seed block), node, queue index). The seed block is the block after the join;
/// sizes do not change, so balance holds. addNode and removeNode never swap (their gas stays that of
/// the change itself), with one exception: a join that finds the ring full settles its oldest entry.
/// - A write that changes state while an entry whose seed is already known stays queued (every
///   addNode / removeNode in that case, a settle stopped by its count, or a seed older than the 256
///   blocks `blockhash` serves) moves every queued seed to the block after it (`_deferredTo`): no
///   one who has seen a seed can change the state before that seed is applied.
/// - Until settled, a node stays at its deterministic swarm, which its registrant could predict.
/// - The ring holds MAX_PENDING_PLACEMENTS = 32, above the registry's 20 activations per block below
///   1,000 nodes and its 2% up to 1,600; beyond that, or with nobody settling, a join into a full ring
///   whose oldest entry is not ready reverts (PlacementQueueFull) and the activation waits a block.
/// What remains: a block producer (or a registrant that alone fills the seed block and can predict its
/// header) can grind the seed block's hash; rebalancing moves still draw from prevrandao, which is
/// predictable on Lux (they only choose which member of a given giver moves); and since joins and
/// leaves defer rather than settle, whoever sees a seed and can get an activation or exit of its own
/// mined before the next settle re-draws every queued placement from a later block (one rejection
/// per state change it pays for, never a chosen outcome). The TS model in
/// src/swarm.ts repeats every step from each block's prevrandao and the seed blocks' hashes.
contract SwarmCoordinator is ISwarmCoordinator, AccessControl {
    // ---------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    uint32 public constant NO_SWARM = type(uint32).max;
    /// @inheritdoc ISwarmCoordinator
    bytes32 public constant REGISTRY_ROLE = keccak256("REGISTRY_ROLE");
    /// @inheritdoc ISwarmCoordinator
    bytes32 public constant STORAGE_ROLE = keccak256("STORAGE_ROLE");
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant MIN_NODES_PER_SWARM = 3;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant TARGET_NODES_PER_SWARM = 5;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant MAX_NODES_PER_SWARM = 10;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant STORAGE_PER_NODE = 10 * 2 ** 30;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant MAX_ACTIVE_NODES = TARGET_NODES_PER_SWARM * POSITION_LIMIT;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant MAX_MOVES_PER_CHANGE = 5;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant SETTLES_PER_CALL = 2;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant MAX_PENDING_PLACEMENTS = 32;
    /// @inheritdoc ISwarmCoordinator
    uint256 public constant MAX_SETTLES_PER_TX = 8;

    /// @dev Swarm ids, order positions and size counters are 24-bit fields; S ≤ 2^24 − 1 follows
    /// from N ≤ MAX_ACTIVE_NODES because S(N) = ceil(N / 5).
    uint256 private constant POSITION_LIMIT = 2 ** 24 - 1;
    /// @dev Sizes the packed counters track. Balanced swarms never exceed the target (5) and a join
    /// makes one swarm 6 for the rest of the call, so 7 is a bound with room to spare; 7 × 24 bits
    /// is what fits beside the node and swarm counts in one slot.
    uint256 private constant TRACKED_SIZES = TARGET_NODES_PER_SWARM + 2;
    uint256 private constant COUNTER_BITS = 24;
    uint256 private constant COUNTER_MASK = 2 ** 24 - 1;
    /// @dev Members are 40-bit node ids, five per 200-bit field; node ids from 2^40 on are refused
    /// (the registry would need 10^12 registrations to reach them).
    uint256 private constant ID_BITS = 40;
    uint256 private constant ID_MASK = 2 ** 40 - 1;
    uint256 private constant HEAD_MEMBERS = 5;
    /// @dev The changes one call records for the listener: a join or leave, at most MAX_MOVES_PER_CHANGE
    /// moves and one swap when a join finds the queue full (8), or the swaps of a `settle` (16).
    uint256 private constant MAX_CHANGES = 2 * MAX_SETTLES_PER_TX;
    /// @dev A non-zero filler for unused ring slots and `_deferredTo`: every later write rewrites a
    /// non-zero slot, so a queued join costs the same wherever the ring's cursor stands.
    uint256 private constant FILLED = 1;
    /// @dev `blockhash` serves the 256 most recent blocks.
    uint256 private constant BLOCKHASH_WINDOW = 256;
    /// @dev calculateSwarmCount(n) fits in a uint32 up to this n.
    uint256 private constant MAX_COUNTABLE_NODES = TARGET_NODES_PER_SWARM * type(uint32).max;
    uint256 private constant WAD = 1e18;

    // ---------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------

    /// @dev One slot per node (1 + 4 + 8 = 13 bytes): the node's whole record is read and written with
    /// a single SLOAD / SSTORE on every join, move and storage report. The node's place in its
    /// swarm's member array is not kept: a leave finds it among at most 7 members in the slots the
    /// removal touches anyway, which is cheaper than rewriting the record of whichever member fills
    /// the gap on every removal.
    struct Node {
        bool active;
        uint32 swarmId;
        uint64 usedBytes;
    }

    /// @dev Slot 0 packs what every resize touches: `size`, this swarm's `position` in the size order,
    /// `occupant`, the swarm standing at position `id` of the order (the order is stored spread over
    /// the swarm records, position i in record i, so a new swarm's fresh slot holds its own order
    /// entry), and `head`, members 0-4 as 40-bit node ids: a balanced swarm (≤ 5 nodes) lives in this
    /// one slot, so a join or leave writes one slot per swarm. `tail` (slot 1) holds members 5-9, used
    /// only while a swarm is over the target inside one call. Entries at or past `size` are stale on
    /// purpose: overwriting a non-zero slot costs 2,900 gas where clearing and refilling it would cost
    /// 20,000.
    struct Swarm {
        uint8 size;
        uint24 position;
        uint24 occupant;
        uint200 head;
        uint200 tail;
    }

    /// @dev The working state of a join or leave, in memory. `atLeast` packs, for s = 1..7, the number
    /// of swarms with at least s nodes at bits [24(s − 1), 24s); atLeast[0] is `swarmCount` and
    /// atLeast[s] = 0 above 7.
    struct State {
        uint32 activeNodes;
        uint24 swarmCount;
        uint168 atLeast;
        address listener;
        uint16 head;
        uint16 tail;
    }

    /// @dev One slot (20 + 4 + 3 + 2 + 2 = 31 bytes) for everything a join or leave reads and writes
    /// besides the swarms and nodes it touches, including the placement queue's cursor: entries
    /// [head, tail) of `_ring` are pending; both count up modulo 2^16 (the slot of entry i is
    /// i mod MAX_PENDING_PLACEMENTS, which divides 2^16), so queueing a join costs its ring slot only.
    /// The size counters are not stored: between calls the swarms are balanced, so N nodes in S swarms
    /// are N mod S swarms of ceil(N / S) nodes and the rest of floor(N / S), and `_load` rebuilds the
    /// counters from N and S.
    struct Stored {
        address listener;
        uint32 activeNodes;
        uint24 swarmCount;
        uint16 head;
        uint16 tail;
    }

    Stored private _stored;
    /// @dev Kept apart from `_stored`: only storage reports and leaves of reporting nodes touch it.
    /// A sum of uint64 reports over at most 2^27 nodes cannot overflow.
    uint256 private _storageUsed;

    /// @inheritdoc ISwarmCoordinator
    address public registry;

    mapping(uint64 nodeId => Node) private _nodes;
    mapping(uint256 swarmId => Swarm) private _swarms;

    /// @dev No pending entry's seed block is below this block (read only while the queue is not
    /// empty). Declared after `_swarms` so that the slots above keep their numbers.
    uint256 private _deferredTo;
    /// @dev Queued placements. Every slot is filled at construction and settled entries stay as stale
    /// values, so a join rewrites a non-zero slot (2,900 gas, not 20,000).
    Placement[MAX_PENDING_PLACEMENTS] private _ring;

    // ---------------------------------------------------------------------------------------------
    // Memory
    // ---------------------------------------------------------------------------------------------

    /// @dev Per-call scratch: the entropy and draw counter of the random draws, and the membership
    /// changes (node id << 64 | from << 32 | to) passed to the listener once all state is written.
    struct Context {
        uint256 entropy;
        uint256 draws;
        uint256 count;
        uint256[MAX_CHANGES] changes;
    }

    // ---------------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------------

    /// @param admin DEFAULT_ADMIN_ROLE holder: the 24 h timelock in production
    constructor(address admin) {
        if (admin == address(0)) revert InvalidAdmin(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // S(0) = 1: swarm 0 always exists, alone at position 0 of the order.
        _stored.swarmCount = 1;
        _deferredTo = FILLED;
        for (uint256 i; i < MAX_PENDING_PLACEMENTS; ++i) _ring[i] = Placement.wrap(FILLED);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function setRegistry(address newRegistry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newRegistry != address(0) && newRegistry.code.length == 0) revert NotAContract(newRegistry);
        address previous = registry;
        registry = newRegistry;
        emit RegistrySet(previous, newRegistry);
        // A replaced registry must lose the role, or two contracts could add nodes.
        if (previous != address(0) && previous != newRegistry) _revokeRole(REGISTRY_ROLE, previous);
        if (newRegistry != address(0)) _grantRole(REGISTRY_ROLE, newRegistry);
    }

    /// @inheritdoc ISwarmCoordinator
    function setSwarmListener(address listener) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (listener != address(0) && listener.code.length == 0) revert NotAContract(listener);
        address previous = _stored.listener;
        _stored.listener = listener;
        emit SwarmListenerSet(previous, listener);
    }

    // ---------------------------------------------------------------------------------------------
    // Registry flows
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function addNode(uint64 nodeId) external onlyRole(REGISTRY_ROLE) returns (uint32 swarmId) {
        if (nodeId == 0 || nodeId > ID_MASK) revert InvalidNodeId(nodeId);
        Node storage node = _nodes[nodeId];
        if (node.active) revert NodeAlreadyInSwarm(nodeId, node.swarmId);
        State memory st = _load();
        if (st.activeNodes >= MAX_ACTIVE_NODES) revert NetworkFull(st.activeNodes, MAX_ACTIVE_NODES);

        Context memory ctx = _newContext(nodeId);
        // No swap here, only the rule that keeps seeds unsteerable: a seed already known is deferred
        // past this change. A full ring first settles its oldest entry if that one is ready.
        uint256 pending = _pending(st.head, st.tail);
        if (pending != 0) {
            _settleReady(ctx, st, pending == MAX_PENDING_PLACEMENTS ? 1 : 0);
            if (_pending(st.head, st.tail) == MAX_PENDING_PLACEMENTS) revert PlacementQueueFull(MAX_PENDING_PLACEMENTS);
        }
        // The joiner enters the first swarm of the smallest class (a resize at the class's edge needs no
        // reordering) even when a split follows: the new swarm is then filled from the largest swarms,
        // so no registrant can time its activation to found one. The fair draw comes later (settle).
        (uint256 smallest, ) = _sizeRange(st);
        uint32 entered = _swarms[_atLeastOf(st, smallest + 1)].occupant;
        _grow(st, entered, nodeId);
        emit NodeJoinedSwarm(nodeId, entered);
        _record(ctx, nodeId, NO_SWARM, entered);

        uint256 oldCount = st.swarmCount;
        ++st.activeNodes;
        if (_swarmCount(st.activeNodes) > oldCount) {
            // S(N) grows by at most one per join. The new swarm is empty, so it sits in size class 0
            // at the end of the order, which is exactly its own record's position.
            uint32 created = uint32(oldCount);
            Swarm storage sw = _swarms[created];
            sw.size = 0;
            sw.position = uint24(created);
            sw.occupant = uint24(created);
            st.swarmCount = uint24(oldCount + 1);
            emit SwarmCreated(created);
        }
        _rebalance(ctx, st);
        _ring[st.tail % MAX_PENDING_PLACEMENTS] = PlacementLib.make(nodeId, block.number);
        unchecked {
            ++st.tail;
        }
        _save(st);
        emit PlacementQueued(nodeId, block.number + 1);
        _notify(ctx);
        return _nodes[nodeId].swarmId;
    }

    /// @inheritdoc ISwarmCoordinator
    function removeNode(uint64 nodeId) external onlyRole(REGISTRY_ROLE) {
        Node memory node = _nodes[nodeId];
        if (!node.active) revert NodeNotInSwarm(nodeId);
        State memory st = _load();

        Context memory ctx = _newContext(nodeId);
        // No swap: a seed already known is deferred past this change (see addNode).
        if (st.head != st.tail) _settleReady(ctx, st, 0);
        _shrink(st, node.swarmId, _memberIndex(_swarms[node.swarmId], nodeId));
        delete _nodes[nodeId];
        if (node.usedBytes != 0) _storageUsed -= node.usedBytes;
        emit NodeLeftSwarm(nodeId, node.swarmId);
        _record(ctx, nodeId, node.swarmId, NO_SWARM);

        --st.activeNodes;
        if (_swarmCount(st.activeNodes) < st.swarmCount) {
            _dissolveLastSwarm(ctx, st);
        } else {
            _rebalance(ctx, st);
        }
        _save(st);
        _notify(ctx);
    }

    /// @inheritdoc ISwarmCoordinator
    function settle(uint256 maxCount) external returns (uint256 settled, uint256 pending) {
        if (maxCount == 0) revert InvalidSettleCount(maxCount);
        // The cheap exits first: an empty queue costs one read, a queue none of whose seeds is known
        // yet two, and nothing is written.
        Stored memory stored = _stored;
        pending = _pending(stored.head, stored.tail);
        if (pending == 0 || _deferredTo >= block.number) return (0, pending);
        if (_ring[stored.head % MAX_PENDING_PLACEMENTS].seedBlock() >= block.number) return (0, pending);
        State memory st = _load();
        Context memory ctx;
        _settleReady(ctx, st, Math.min(maxCount, MAX_SETTLES_PER_TX));
        settled = _pending(stored.head, st.head);
        pending -= settled;
        _stored.head = st.head;
        _notify(ctx);
    }

    /// @inheritdoc ISwarmCoordinator
    function readyPlacements() external view returns (bool) {
        Stored memory stored = _stored;
        if (stored.head == stored.tail || _deferredTo >= block.number) return false;
        return _ring[stored.head % MAX_PENDING_PLACEMENTS].seedBlock() < block.number;
    }

    // ---------------------------------------------------------------------------------------------
    // Storage flows
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function reportStorageUsed(uint64 nodeId, uint64 usedBytes) external onlyRole(STORAGE_ROLE) {
        Node storage node = _nodes[nodeId];
        if (!node.active) revert NodeNotInSwarm(nodeId);
        uint256 total = _storageUsed - node.usedBytes + usedBytes;
        node.usedBytes = usedBytes;
        _storageUsed = total;
        emit StorageUsedReported(nodeId, usedBytes, total);
    }

    // ---------------------------------------------------------------------------------------------
    // Views: membership
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function swarmOf(uint64 nodeId) external view returns (uint32) {
        Node storage node = _nodes[nodeId];
        return node.active ? node.swarmId : NO_SWARM;
    }

    /// @inheritdoc ISwarmCoordinator
    function swarmListener() external view returns (address) {
        return _stored.listener;
    }

    /// @inheritdoc ISwarmCoordinator
    function swarmCount() external view returns (uint32) {
        return _stored.swarmCount;
    }

    /// @inheritdoc ISwarmCoordinator
    function swarmSize(uint32 swarmId) external view returns (uint256) {
        _requireSwarm(swarmId);
        return _swarms[swarmId].size;
    }

    /// @inheritdoc ISwarmCoordinator
    function swarmMembers(uint32 swarmId) external view returns (uint64[] memory members) {
        _requireSwarm(swarmId);
        Swarm storage sw = _swarms[swarmId];
        uint256 size = sw.size;
        members = new uint64[](size);
        for (uint256 i; i < size; ++i) {
            members[i] = _memberAt(sw, i);
        }
    }

    /// @inheritdoc ISwarmCoordinator
    function pendingPlacements() external view returns (uint64[] memory nodeIds, uint256[] memory seedBlocks) {
        Stored memory stored = _stored;
        uint256 count = _pending(stored.head, stored.tail);
        uint256 deferredTo = _deferredTo;
        nodeIds = new uint64[](count);
        seedBlocks = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            Placement p = _ring[(stored.head + i) % MAX_PENDING_PLACEMENTS];
            nodeIds[i] = p.nodeId();
            seedBlocks[i] = Math.max(p.seedBlock(), deferredTo);
        }
    }

    /// @inheritdoc ISwarmCoordinator
    function activeNodes() external view returns (uint256) {
        return _stored.activeNodes;
    }

    /// @inheritdoc ISwarmCoordinator
    function nodeStorageUsed(uint64 nodeId) external view returns (uint64) {
        return _nodes[nodeId].usedBytes;
    }

    // ---------------------------------------------------------------------------------------------
    // Views: inbox mapping
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function swarmForInbox(bytes32 id) external view returns (uint32) {
        return inboxToSwarm(id, _stored.swarmCount);
    }

    /// @inheritdoc ISwarmCoordinator
    function inboxToSwarm(bytes32 id, uint32 swarmCount_) public pure returns (uint32 swarmId) {
        if (swarmCount_ == 0) revert InvalidSwarmCount(swarmCount_);
        uint256 h = uint64(bytes8(sha256(abi.encodePacked(id))));
        uint256 low = 1 << Math.log2(swarmCount_); // 2^floor(log2 S)
        uint256 a = h & (low - 1);
        // Swarms below S − 2^i have already been split into a and a + 2^i: one more bit decides.
        if (a < swarmCount_ - low) a = h & ((low << 1) - 1);
        return uint32(a);
    }

    /// @inheritdoc ISwarmCoordinator
    function calculateSwarmCount(uint256 n) external pure returns (uint32) {
        if (n > MAX_COUNTABLE_NODES) revert NodeCountTooLarge(n, MAX_COUNTABLE_NODES);
        return uint32(_swarmCount(n));
    }

    // ---------------------------------------------------------------------------------------------
    // Views: network health
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function totalNodes() external view returns (uint256) {
        return _totalNodes(_stored.activeNodes);
    }

    /// @inheritdoc ISwarmCoordinator
    function averageSwarmSizeWad() external view returns (uint256) {
        State memory st = _load();
        return (uint256(st.activeNodes) * WAD) / st.swarmCount; // rounded down
    }

    /// @inheritdoc ISwarmCoordinator
    function minSwarmSize() external view returns (uint256 minSize) {
        (minSize, ) = _sizeRange(_load());
    }

    /// @inheritdoc ISwarmCoordinator
    function maxSwarmSize() external view returns (uint256 maxSize) {
        (, maxSize) = _sizeRange(_load());
    }

    /// @inheritdoc ISwarmCoordinator
    function storageCapacity() external view returns (uint256) {
        return uint256(_stored.activeNodes) * STORAGE_PER_NODE;
    }

    /// @inheritdoc ISwarmCoordinator
    function storageUsed() external view returns (uint256) {
        return _storageUsed;
    }

    /// @inheritdoc ISwarmCoordinator
    function replicationOk() external view returns (bool) {
        (uint256 minSize, ) = _sizeRange(_load());
        return minSize >= MIN_NODES_PER_SWARM;
    }

    /// @inheritdoc ISwarmCoordinator
    function isHealthy() external view returns (bool) {
        return networkHealth().healthy;
    }

    /// @inheritdoc ISwarmCoordinator
    function networkHealth() public view returns (NetworkHealth memory h) {
        State memory st = _load();
        h.activeNodes = st.activeNodes;
        h.totalNodes = _totalNodes(h.activeNodes);
        h.swarmCount = st.swarmCount;
        h.averageSwarmSizeWad = (h.activeNodes * WAD) / h.swarmCount;
        (h.minSwarmSize, h.maxSwarmSize) = _sizeRange(st);
        h.storageCapacity = h.activeNodes * STORAGE_PER_NODE;
        h.storageUsed = _storageUsed;
        h.replicationOk = h.minSwarmSize >= MIN_NODES_PER_SWARM;
        // Exact comparisons: active ≥ 80% of total, used < 90% of capacity.
        h.healthy =
            h.replicationOk &&
            h.activeNodes * 5 >= h.totalNodes * 4 &&
            h.storageUsed * 10 < h.storageCapacity * 9;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals: membership
    // ---------------------------------------------------------------------------------------------

    /// @dev Settles up to `maxCount` (0 for none) queued placements whose seed block's hash is
    /// available, oldest first, advancing `st.head` (the caller stores it); then, if an entry whose
    /// seed is already known (or lost) remains, moves every queued seed past this block: the caller
    /// is about to change the state, or stopped early, and may have read those seeds.
    function _settleReady(Context memory ctx, State memory st, uint256 maxCount) private {
        uint256 deferredTo = _deferredTo;
        if (deferredTo >= block.number) return; // no queued seed is known yet
        uint256 settled;
        while (st.head != st.tail) {
            Placement p = _ring[st.head % MAX_PENDING_PLACEMENTS];
            uint256 seedBlock = Math.max(p.seedBlock(), deferredTo);
            if (seedBlock >= block.number) return; // nobody knows this seed yet, nor any later one
            if (settled == maxCount || block.number - seedBlock > BLOCKHASH_WINDOW) {
                _deferredTo = block.number + 1;
                emit PlacementsDeferred(block.number + 1);
                return;
            }
            _place(ctx, st, p.nodeId(), blockhash(seedBlock), seedBlock, st.head);
            unchecked {
                ++st.head;
            }
            ++settled;
        }
    }

    /// @dev The fair draw of a queued node: a swarm uniform among all S, a member uniform within it,
    /// and a swap (sizes unchanged). A node that left since it was queued is skipped.
    function _place(Context memory ctx, State memory st, uint64 nodeId, bytes32 seed, uint256 seedBlock, uint256 index)
        private
    {
        Node storage node = _nodes[nodeId];
        if (!node.active) return;
        uint256 r = uint256(keccak256(abi.encode(seed, nodeId, index)));
        uint32 from = node.swarmId;
        uint32 to = uint32(r % st.swarmCount);
        if (to != from) {
            Swarm storage a = _swarms[from];
            Swarm storage b = _swarms[to];
            uint256 j = (r >> 128) % b.size;
            uint64 other = _memberAt(b, j);
            _setMember(a, _memberIndex(a, nodeId), other);
            _setMember(b, j, nodeId);
            node.swarmId = to;
            _nodes[other].swarmId = from;
            emit NodeMovedSwarm(nodeId, from, to);
            emit NodeMovedSwarm(other, to, from);
            _record(ctx, nodeId, from, to);
            _record(ctx, other, to, from);
        }
        emit PlacementSettled(nodeId, to, seedBlock);
    }

    /// @dev Moves one node at a time from a largest swarm to a smallest until sizes differ by at most
    /// one. The giver is the last swarm of the largest class and the receiver the first of the
    /// smallest: resizing a swarm at the edge of its class keeps the order sorted without a swap.
    function _rebalance(Context memory ctx, State memory st) private {
        uint256 limit = ctx.count + MAX_MOVES_PER_CHANGE;
        while (true) {
            (uint256 minSize, uint256 maxSize) = _sizeRange(st);
            if (maxSize - minSize <= 1) return;
            if (ctx.count == limit) revert SwarmsUnbalanced(minSize, maxSize);
            uint32 from = _swarms[_atLeastOf(st, maxSize) - 1].occupant;
            uint32 to = _swarms[_atLeastOf(st, minSize + 1)].occupant;
            uint256 index = _draw(ctx, maxSize);
            uint64 moved = _memberAt(_swarms[from], index);
            _shrink(st, from, index);
            _grow(st, to, moved);
            emit NodeMovedSwarm(moved, from, to);
            _record(ctx, moved, from, to);
        }
    }

    /// @dev S shrinks by one (N = 5k+1 → 5k): the last swarm's nodes fill the smallest swarms up to
    /// N / (S − 1) = 5 each, walking the order from its end (the smallest swarms), which visits at most
    /// one position per node moved plus the last swarm's own. Once every remaining swarm has the same
    /// size, any order is sorted: the classes are rewritten in one step instead of swap by swap.
    function _dissolveLastSwarm(Context memory ctx, State memory st) private {
        uint256 count = st.swarmCount;
        uint32 last = uint32(count - 1);
        Swarm storage gone = _swarms[last];
        uint256 fill = st.activeNodes / (count - 1);
        uint256 left = gone.size;
        for (uint256 p = count; left > 0; ) {
            uint32 to = _swarms[--p].occupant;
            if (to == last) continue;
            Swarm storage sw = _swarms[to];
            for (uint256 size = sw.size; size < fill && left > 0; ++size) {
                uint64 moved = _memberAt(gone, --left);
                gone.size = uint8(left);
                _append(sw, to, moved);
                emit NodeMovedSwarm(moved, last, to);
                _record(ctx, moved, last, to);
            }
        }
        // The emptied swarm leaves the order from its end: swap it there, then drop the count.
        _swapPositions(gone.position, last);
        st.swarmCount = uint24(last);
        uint256 packed;
        for (uint256 s; s < fill; ++s) packed |= uint256(last) << (s * COUNTER_BITS);
        st.atLeast = uint168(packed);
        emit SwarmRemoved(last);
    }

    /// @dev Appends a node to a swarm and moves the swarm up one size class.
    function _grow(State memory st, uint32 swarmId, uint64 nodeId) private {
        Swarm storage sw = _swarms[swarmId];
        uint256 size = sw.size;
        _append(sw, swarmId, nodeId);
        // The swarm joins class size + 1 at its end: the first position of class `size`.
        uint256 target = _atLeastOf(st, size + 1);
        st.atLeast = uint168(uint256(st.atLeast) + (1 << (size * COUNTER_BITS)));
        _swapPositions(sw.position, target);
    }

    /// @dev Removes member `index` (the last member takes its place) and moves the swarm down one
    /// size class.
    function _shrink(State memory st, uint32 swarmId, uint256 index) private {
        Swarm storage sw = _swarms[swarmId];
        uint256 size = sw.size;
        uint256 last = size - 1;
        if (index != last) _setMember(sw, index, _memberAt(sw, last));
        sw.size = uint8(last);
        // The swarm joins class size − 1 at its start: the last position of class `size`.
        uint256 target = _atLeastOf(st, size) - 1;
        st.atLeast = uint168(uint256(st.atLeast) - (1 << (last * COUNTER_BITS)));
        _swapPositions(sw.position, target);
    }

    /// @dev Member array and node record only; the caller keeps the size classes right. Keeps
    /// `usedBytes`, which is zero for a joining node (its record was deleted when it last left).
    function _append(Swarm storage sw, uint32 swarmId, uint64 nodeId) private {
        uint256 size = sw.size;
        if (size == TRACKED_SIZES) revert SwarmsUnbalanced(size, size + 1); // unreachable, see TRACKED_SIZES
        _setMember(sw, size, nodeId);
        sw.size = uint8(size + 1);
        Node storage node = _nodes[nodeId];
        _nodes[nodeId] = Node({active: true, swarmId: swarmId, usedBytes: node.usedBytes});
    }

    /// @dev The place of an active node in its swarm's member array (≤ 7 warm reads, see Node).
    function _memberIndex(Swarm storage sw, uint64 nodeId) private view returns (uint256 i) {
        while (_memberAt(sw, i) != nodeId) ++i;
    }

    function _memberAt(Swarm storage sw, uint256 i) private view returns (uint64) {
        if (i < HEAD_MEMBERS) return uint64((uint256(sw.head) >> (i * ID_BITS)) & ID_MASK);
        return uint64((uint256(sw.tail) >> ((i - HEAD_MEMBERS) * ID_BITS)) & ID_MASK);
    }

    function _setMember(Swarm storage sw, uint256 i, uint64 nodeId) private {
        if (i < HEAD_MEMBERS) {
            uint256 shift = i * ID_BITS;
            sw.head = uint200((uint256(sw.head) & ~(ID_MASK << shift)) | (uint256(nodeId) << shift));
        } else {
            uint256 shift = (i - HEAD_MEMBERS) * ID_BITS;
            sw.tail = uint200((uint256(sw.tail) & ~(ID_MASK << shift)) | (uint256(nodeId) << shift));
        }
    }

    function _swapPositions(uint256 p, uint256 q) private {
        if (p == q) return;
        Swarm storage atP = _swarms[p];
        Swarm storage atQ = _swarms[q];
        uint24 a = atP.occupant;
        uint24 b = atQ.occupant;
        atP.occupant = b;
        atQ.occupant = a;
        _swarms[a].position = uint24(q);
        _swarms[b].position = uint24(p);
    }

    /// @dev The smallest and the largest swarm size, from the packed counters (≤ 7 steps each).
    function _sizeRange(State memory st) private pure returns (uint256 minSize, uint256 maxSize) {
        uint256 count = st.swarmCount;
        // Smallest: the first s whose class is not empty, i.e. fewer than `count` swarms have > s nodes.
        while (minSize < TRACKED_SIZES && _atLeastOf(st, minSize + 1) == count) ++minSize;
        maxSize = minSize;
        while (maxSize < TRACKED_SIZES && _atLeastOf(st, maxSize + 1) != 0) ++maxSize;
    }

    /// @dev The stored counts with the size counters of balanced swarms: every swarm has at least
    /// floor(N / S) nodes and N mod S of them one more (balanced sizes are at most 5 < TRACKED_SIZES).
    function _load() private view returns (State memory st) {
        Stored memory stored = _stored;
        uint256 n = stored.activeNodes;
        uint256 count = stored.swarmCount;
        uint256 floorSize = n / count;
        uint256 packed;
        if (floorSize > TRACKED_SIZES) floorSize = TRACKED_SIZES; // only a corrupt state: bounds the loop
        for (uint256 s; s < floorSize; ++s) packed |= count << (s * COUNTER_BITS);
        if (floorSize < TRACKED_SIZES) packed |= (n % count) << (floorSize * COUNTER_BITS);
        st.activeNodes = uint32(n);
        st.swarmCount = uint24(count);
        st.atLeast = uint168(packed);
        st.listener = stored.listener;
        st.head = stored.head;
        st.tail = stored.tail;
    }

    /// @dev Stores the counts and the queue cursor in one write; the caller has rebalanced, so the
    /// counters follow from the counts again.
    function _save(State memory st) private {
        _stored = Stored({
            listener: st.listener,
            activeNodes: st.activeNodes,
            swarmCount: st.swarmCount,
            head: st.head,
            tail: st.tail
        });
    }

    /// @dev atLeast[s]: the swarm count for s = 0, the packed counter for 1 ≤ s ≤ 7, 0 above.
    function _atLeastOf(State memory st, uint256 s) private pure returns (uint256) {
        if (s == 0) return st.swarmCount;
        if (s > TRACKED_SIZES) return 0;
        return (uint256(st.atLeast) >> ((s - 1) * COUNTER_BITS)) & COUNTER_MASK;
    }

    function _newContext(uint64 nodeId) private view returns (Context memory ctx) {
        ctx.entropy = uint256(keccak256(abi.encode(block.prevrandao, nodeId)));
    }

    /// @dev A uniform draw below n from keccak256(entropy, draw counter); n ≤ 1 draws nothing.
    function _draw(Context memory ctx, uint256 n) private pure returns (uint256) {
        if (n <= 1) return 0;
        uint256 r = uint256(keccak256(abi.encode(ctx.entropy, ctx.draws)));
        ++ctx.draws;
        return r % n;
    }

    function _record(Context memory ctx, uint64 nodeId, uint32 from, uint32 to) private pure {
        ctx.changes[ctx.count] = (uint256(nodeId) << 64) | (uint256(from) << 32) | uint256(to);
        ++ctx.count;
    }

    /// @dev Interactions last: the listener hears every change in order, after all state and events.
    function _notify(Context memory ctx) private {
        address listener = _stored.listener;
        if (listener == address(0)) return;
        for (uint256 i; i < ctx.count; ++i) {
            uint256 c = ctx.changes[i];
            ISwarmListener(listener).onSwarmMove(uint64(c >> 64), uint32(c >> 32), uint32(c));
        }
    }

    /// @dev Entries from `head` to `tail` of the wrapping 16-bit cursor.
    function _pending(uint16 head, uint16 tail) private pure returns (uint256) {
        unchecked {
            return uint16(tail - head);
        }
    }

    function _requireSwarm(uint32 swarmId) private view {
        uint32 count = _stored.swarmCount;
        if (swarmId >= count) revert SwarmNotFound(swarmId, count);
    }

    function _totalNodes(uint256 active) private view returns (uint256) {
        address reg = registry;
        if (reg == address(0)) return active;
        // The registry's total includes its active nodes; never report fewer than we hold.
        return Math.max(INodeCounter(reg).totalNodes(), active);
    }

    /// @dev S(n) = 1 if n < 3 else ceil(n / 5), rounded up so no swarm exceeds the target size.
    function _swarmCount(uint256 n) private pure returns (uint256) {
        if (n < MIN_NODES_PER_SWARM) return 1;
        return Math.ceilDiv(n, TARGET_NODES_PER_SWARM);
    }
}
