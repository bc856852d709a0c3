// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";
import {ISwarmListener} from "../interfaces/ISwarmListener.sol";
import {INodeCounter} from "../interfaces/INodeCounter.sol";

/// @title SwarmCoordinator
/// @notice Balanced swarm membership, inbox → swarm mapping and network health (DESIGN §5).
///
/// How balance is kept in O(1): the swarms are kept in an order sorted by size, largest first, split
/// into "size classes" (all swarms of one size are contiguous). For every size s ≥ 1 the contract
/// keeps `atLeast[s]`, the number of swarms with at least s nodes, so the swarms of size s occupy
/// the positions [atLeast[s+1], atLeast[s]) of the order. A swarm that grows by one swaps places with
/// the first swarm of its class and `atLeast[s+1]` grows by one; a shrinking swarm swaps with the
/// last of its class. The smallest and largest sizes are found by scanning the ten packed counters
/// of one storage word, and a random swarm of a size is a random position in its class.
///
/// Why the moves are bounded (S = S(N); "balanced" means sizes differ by at most one):
/// - balanced with S(N) swarms means sizes floor(N/S) and ceil(N/S), which lie in 3..5 for N ≥ 3;
/// - a join without growth enters a smallest swarm: still balanced, no move;
/// - growth happens only at N = 5k → 5k+1, when every swarm has 5 nodes; the joiner makes one swarm
///   6, the new swarm starts empty, and each move goes from a largest swarm to the smallest until
///   balanced: the new swarm ends with floor((5k+1)/(k+1)) ≤ 4 nodes, so at most 4 moves;
/// - a leave without shrinking lowers one swarm by one; only if it was a smallest swarm while larger
///   ones exist is one move needed;
/// - shrinking happens only at N = 5k+1 → 5k; the last swarm's ≤ 5 nodes go one by one to a smallest
///   other swarm; 5k nodes in k swarms of at most 5 leaves every swarm at exactly 5, so at most 5 moves.
/// Rebalancing re-checks the spread before every move and reverts (SwarmsUnbalanced) rather than
/// exceed MAX_MOVES_PER_CHANGE, so the bound holds even if the reasoning above had a flaw.
///
/// Randomness: picks come from keccak256(block.prevrandao, nodeId) and a draw counter. The registrant
/// does not choose its swarm; a block producer who can bias prevrandao could bias which of the
/// equally small swarms a node enters, nothing more. The TS model in src/swarm.ts repeats every pick
/// exactly from the block's prevrandao.
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

    /// @dev Swarm ids and order positions are stored in 24 bits; S ≤ 2^24 − 1 follows from
    /// N ≤ MAX_ACTIVE_NODES because S(N) ≤ N / 5 rounded up.
    uint256 private constant POSITION_LIMIT = 2 ** 24 - 1;
    /// @dev Width of one `atLeast` counter in the packed word: 10 counters × 24 bits = 240 bits.
    uint256 private constant COUNTER_BITS = 24;
    uint256 private constant COUNTER_MASK = 2 ** 24 - 1;
    /// @dev One join or leave plus at most MAX_MOVES_PER_CHANGE moves, recorded for the listener.
    uint256 private constant MAX_CHANGES = 1 + MAX_MOVES_PER_CHANGE;
    /// @dev calculateSwarmCount(n) fits in a uint32 up to this n.
    uint256 private constant MAX_COUNTABLE_NODES = TARGET_NODES_PER_SWARM * type(uint32).max;
    uint256 private constant WAD = 1e18;

    // ---------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------

    /// @dev One slot per node (1 + 1 + 4 + 8 = 14 bytes): the node's whole record is read and written
    /// with a single SLOAD / SSTORE on every join, move and storage report. `index` is the node's
    /// place in its swarm's member array (< 10).
    struct Node {
        bool active;
        uint8 index;
        uint32 swarmId;
        uint64 usedBytes;
    }

    /// @dev Slot 0 packs what every resize touches: `size`, this swarm's `position` in the size order,
    /// and `occupant`, the swarm standing at position `id` of the order (the order is stored spread
    /// over the swarm records, position i in record i, so a new swarm's fresh slot holds its own order
    /// entry and growth costs the same at any swarm count). Slots 1-3 hold the 10 member ids, four per
    /// slot. Entries at or past `size` are stale on purpose: overwriting a non-zero slot costs 2,900 gas
    /// where clearing and refilling it would cost 20,000.
    struct Swarm {
        uint8 size;
        uint24 position;
        uint24 occupant;
        uint64[MAX_NODES_PER_SWARM] members;
    }

    /// @dev One slot (8 + 4 + 16 = 28 bytes) for the network-wide counters every join and leave
    /// updates together. A uint128 sum of uint64 reports cannot overflow below 2^64 nodes.
    struct Totals {
        uint64 activeNodes;
        uint32 swarmCount;
        uint128 storageUsed;
    }

    Totals private _totals;
    /// @dev atLeast[s] for s = 1..10 in one word, counter s at bits [24(s−1), 24s): the number of
    /// swarms with at least s nodes. atLeast[0] is the swarm count and atLeast[11] is always 0.
    uint256 private _atLeast;

    /// @inheritdoc ISwarmCoordinator
    address public registry;
    /// @inheritdoc ISwarmCoordinator
    address public swarmListener;

    mapping(uint64 nodeId => Node) private _nodes;
    mapping(uint256 swarmId => Swarm) private _swarms;

    // ---------------------------------------------------------------------------------------------
    // Memory
    // ---------------------------------------------------------------------------------------------

    /// @dev Per-call scratch: the entropy and draw counter of the random picks, and the membership
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
        _totals.swarmCount = 1;
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
        address previous = swarmListener;
        swarmListener = listener;
        emit SwarmListenerSet(previous, listener);
    }

    // ---------------------------------------------------------------------------------------------
    // Registry flows
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function addNode(uint64 nodeId) external onlyRole(REGISTRY_ROLE) returns (uint32 swarmId) {
        if (nodeId == 0) revert InvalidNodeId(nodeId);
        Node storage node = _nodes[nodeId];
        if (node.active) revert NodeAlreadyInSwarm(nodeId, node.swarmId);
        Totals memory totals = _totals;
        if (totals.activeNodes >= MAX_ACTIVE_NODES) revert NetworkFull(totals.activeNodes, MAX_ACTIVE_NODES);

        uint256 oldCount = totals.swarmCount;
        uint256 active = uint256(totals.activeNodes) + 1;
        uint256 newCount = _swarmCount(active);
        totals.activeNodes = uint64(active);
        totals.swarmCount = uint32(newCount);
        _totals = totals;

        Context memory ctx = _newContext(nodeId);
        // The joiner enters a smallest existing swarm even when a split follows: the new swarm is
        // then filled with random members, so no registrant can time its activation to found one.
        (uint256 smallest, ) = _sizeRange(oldCount);
        uint32 entered = _pickOfSize(ctx, smallest, oldCount);
        _place(nodeId, entered);
        emit NodeJoinedSwarm(nodeId, entered);
        _record(ctx, nodeId, NO_SWARM, entered);

        if (newCount > oldCount) {
            // S(N) grows by at most one per join. The new swarm is empty, so it sits in size class 0
            // at the end of the order, which is exactly its own record's position.
            uint32 created = uint32(oldCount);
            Swarm storage sw = _swarms[created];
            sw.size = 0;
            sw.position = uint24(created);
            sw.occupant = uint24(created);
            emit SwarmCreated(created);
        }
        _rebalance(ctx, newCount);
        _notify(ctx);
        return _nodes[nodeId].swarmId;
    }

    /// @inheritdoc ISwarmCoordinator
    function removeNode(uint64 nodeId) external onlyRole(REGISTRY_ROLE) {
        Node memory node = _nodes[nodeId];
        if (!node.active) revert NodeNotInSwarm(nodeId);

        Totals memory totals = _totals;
        uint256 oldCount = totals.swarmCount;
        uint256 active = uint256(totals.activeNodes) - 1;
        uint256 newCount = _swarmCount(active);
        totals.activeNodes = uint64(active);
        totals.swarmCount = uint32(newCount);
        totals.storageUsed -= node.usedBytes;
        _totals = totals;

        Context memory ctx = _newContext(nodeId);
        _unplace(node.swarmId, node.index);
        delete _nodes[nodeId];
        emit NodeLeftSwarm(nodeId, node.swarmId);
        _record(ctx, nodeId, node.swarmId, NO_SWARM);

        if (newCount < oldCount) {
            // S(N) shrinks by at most one per leave: empty the last swarm into the smallest others.
            uint32 last = uint32(oldCount - 1);
            Swarm storage sw = _swarms[last];
            for (uint256 k = sw.size; k > 0; --k) {
                // Everyone leaves, so take the last member (no swap inside the array) and draw only
                // the destination.
                uint64 moved = sw.members[k - 1];
                _move(ctx, moved, last, _pickSmallestOther(ctx, last, oldCount));
            }
            // Now empty, it is alone in size class 0 at the end of the order (position `last`), so
            // dropping the count removes it from the order without any swap.
            emit SwarmRemoved(last);
        }
        _rebalance(ctx, newCount);
        _notify(ctx);
    }

    // ---------------------------------------------------------------------------------------------
    // Storage flows
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ISwarmCoordinator
    function reportStorageUsed(uint64 nodeId, uint64 usedBytes) external onlyRole(STORAGE_ROLE) {
        Node storage node = _nodes[nodeId];
        if (!node.active) revert NodeNotInSwarm(nodeId);
        uint256 total = uint256(_totals.storageUsed) - node.usedBytes + usedBytes;
        node.usedBytes = usedBytes;
        _totals.storageUsed = uint128(total);
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
    function swarmCount() external view returns (uint32) {
        return _totals.swarmCount;
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
            members[i] = sw.members[i];
        }
    }

    /// @inheritdoc ISwarmCoordinator
    function activeNodes() external view returns (uint256) {
        return _totals.activeNodes;
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
        return inboxToSwarm(id, _totals.swarmCount);
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
    function totalNodes() public view returns (uint256) {
        return _totalNodes(_totals.activeNodes);
    }

    /// @inheritdoc ISwarmCoordinator
    function averageSwarmSizeWad() external view returns (uint256) {
        Totals memory totals = _totals;
        return (uint256(totals.activeNodes) * WAD) / totals.swarmCount; // rounded down
    }

    /// @inheritdoc ISwarmCoordinator
    function minSwarmSize() external view returns (uint256 minSize) {
        (minSize, ) = _sizeRange(_totals.swarmCount);
    }

    /// @inheritdoc ISwarmCoordinator
    function maxSwarmSize() external view returns (uint256 maxSize) {
        (, maxSize) = _sizeRange(_totals.swarmCount);
    }

    /// @inheritdoc ISwarmCoordinator
    function storageCapacity() external view returns (uint256) {
        return uint256(_totals.activeNodes) * STORAGE_PER_NODE;
    }

    /// @inheritdoc ISwarmCoordinator
    function storageUsed() external view returns (uint256) {
        return _totals.storageUsed;
    }

    /// @inheritdoc ISwarmCoordinator
    function replicationOk() external view returns (bool) {
        (uint256 minSize, ) = _sizeRange(_totals.swarmCount);
        return minSize >= MIN_NODES_PER_SWARM;
    }

    /// @inheritdoc ISwarmCoordinator
    function isHealthy() external view returns (bool) {
        return networkHealth().healthy;
    }

    /// @inheritdoc ISwarmCoordinator
    function networkHealth() public view returns (NetworkHealth memory h) {
        Totals memory totals = _totals;
        h.activeNodes = totals.activeNodes;
        h.totalNodes = _totalNodes(h.activeNodes);
        h.swarmCount = totals.swarmCount;
        h.averageSwarmSizeWad = (h.activeNodes * WAD) / h.swarmCount;
        (h.minSwarmSize, h.maxSwarmSize) = _sizeRange(h.swarmCount);
        h.storageCapacity = h.activeNodes * STORAGE_PER_NODE;
        h.storageUsed = totals.storageUsed;
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

    /// @dev Moves nodes from a random largest swarm to a random smallest one until sizes differ by at
    /// most one. Draw order (mirrored in TS): source swarm, destination swarm, member of the source.
    function _rebalance(Context memory ctx, uint256 count) private {
        while (true) {
            (uint256 minSize, uint256 maxSize) = _sizeRange(count);
            if (maxSize - minSize <= 1) return;
            if (ctx.count == MAX_CHANGES) revert SwarmsUnbalanced(minSize, maxSize);
            uint32 from = _pickOfSize(ctx, maxSize, count);
            uint32 to = _pickOfSize(ctx, minSize, count);
            uint64 moved = _swarms[from].members[_draw(ctx, maxSize)];
            _move(ctx, moved, from, to);
        }
    }

    function _move(Context memory ctx, uint64 nodeId, uint32 from, uint32 to) private {
        _unplace(from, _nodes[nodeId].index);
        _place(nodeId, to);
        emit NodeMovedSwarm(nodeId, from, to);
        _record(ctx, nodeId, from, to);
    }

    /// @dev Appends the node to the swarm's members and grows the swarm by one. Keeps `usedBytes`,
    /// which is zero for a joining node (its record was deleted when it last left).
    function _place(uint64 nodeId, uint32 swarmId) private {
        Swarm storage sw = _swarms[swarmId];
        uint256 size = sw.size;
        sw.members[size] = nodeId;
        Node storage node = _nodes[nodeId];
        _nodes[nodeId] = Node({active: true, index: uint8(size), swarmId: swarmId, usedBytes: node.usedBytes});
        _resize(sw, true);
    }

    /// @dev Removes member `index` by moving the last member into its place, and shrinks the swarm.
    function _unplace(uint32 swarmId, uint256 index) private {
        Swarm storage sw = _swarms[swarmId];
        uint256 last = sw.size - 1;
        if (index != last) {
            uint64 tail = sw.members[last];
            sw.members[index] = tail;
            _nodes[tail].index = uint8(index);
        }
        _resize(sw, false);
    }

    /// @dev Changes a swarm's size by one and keeps the order sorted: a growing swarm of size s swaps
    /// with the first swarm of class s (position atLeast[s+1]) and joins class s+1; a shrinking one
    /// swaps with the last swarm of class s (position atLeast[s] − 1) and joins class s−1.
    function _resize(Swarm storage sw, bool grow) private {
        uint256 size = sw.size;
        uint256 packed = _atLeast;
        uint256 target;
        if (grow) {
            target = (packed >> (size * COUNTER_BITS)) & COUNTER_MASK; // atLeast[size + 1]
            packed += 1 << (size * COUNTER_BITS);
            sw.size = uint8(size + 1);
        } else {
            target = ((packed >> ((size - 1) * COUNTER_BITS)) & COUNTER_MASK) - 1; // atLeast[size] − 1
            packed -= 1 << ((size - 1) * COUNTER_BITS);
            sw.size = uint8(size - 1);
        }
        _atLeast = packed;
        _swapPositions(sw.position, target);
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

    /// @dev A random swarm among those of exactly `size` nodes (the class must not be empty).
    function _pickOfSize(Context memory ctx, uint256 size, uint256 count) private view returns (uint32) {
        uint256 packed = _atLeast;
        uint256 start = _atLeastOf(packed, size + 1, count);
        uint256 end = _atLeastOf(packed, size, count);
        return _swarms[start + _draw(ctx, end - start)].occupant;
    }

    /// @dev A random smallest swarm other than `excluded` (the swarm being emptied). If `excluded` is
    /// the only swarm of the smallest size, the next size up is the smallest among the others; if it
    /// shares the smallest size, one of the other positions of that class is drawn.
    function _pickSmallestOther(Context memory ctx, uint32 excluded, uint256 count) private view returns (uint32) {
        uint256 packed = _atLeast;
        (uint256 size, ) = _sizeRange(count);
        uint256 start = _atLeastOf(packed, size + 1, count);
        uint256 end = _atLeastOf(packed, size, count);
        Swarm storage ex = _swarms[excluded];
        if (ex.size == size) {
            if (end - start == 1) {
                // `excluded` is alone in this class: the next non-empty class holds the smallest others.
                do {
                    ++size;
                    end = start;
                    start = _atLeastOf(packed, size + 1, count);
                } while (start == end);
            } else {
                uint256 p = start + _draw(ctx, end - start - 1);
                if (p == ex.position) p = end - 1;
                return _swarms[p].occupant;
            }
        }
        return _swarms[start + _draw(ctx, end - start)].occupant;
    }

    /// @dev The smallest and the largest swarm size, from the ten packed counters (≤ 11 steps).
    function _sizeRange(uint256 count) private view returns (uint256 minSize, uint256 maxSize) {
        uint256 packed = _atLeast;
        // Smallest: the first s whose class is not empty, i.e. fewer than `count` swarms have > s nodes.
        while (minSize < MAX_NODES_PER_SWARM && _atLeastOf(packed, minSize + 1, count) == count) ++minSize;
        maxSize = minSize;
        while (maxSize < MAX_NODES_PER_SWARM && _atLeastOf(packed, maxSize + 1, count) != 0) ++maxSize;
    }

    /// @dev atLeast[s]: the swarm count for s = 0, the packed counter for 1 ≤ s ≤ 10, 0 above.
    function _atLeastOf(uint256 packed, uint256 s, uint256 count) private pure returns (uint256) {
        if (s == 0) return count;
        if (s > MAX_NODES_PER_SWARM) return 0;
        return (packed >> ((s - 1) * COUNTER_BITS)) & COUNTER_MASK;
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
        address listener = swarmListener;
        if (listener == address(0)) return;
        for (uint256 i; i < ctx.count; ++i) {
            uint256 c = ctx.changes[i];
            ISwarmListener(listener).onSwarmMove(uint64(c >> 64), uint32(c >> 32), uint32(c));
        }
    }

    function _requireSwarm(uint32 swarmId) private view {
        uint32 count = _totals.swarmCount;
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
