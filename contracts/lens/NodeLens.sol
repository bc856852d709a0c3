// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {INodeLens} from "../interfaces/INodeLens.sol";
import {INodeDirectory} from "../interfaces/INodeDirectory.sol";
import {IServiceNodeRegistry} from "../interfaces/IServiceNodeRegistry.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";
import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";

/// @title NodeLens
/// @notice The directory in one `eth_call`: pages of nodes and swarms with their members, each node's
/// status, roles, stake, fee, swarm, endpoint and key hashes (DESIGN §13).
/// @dev Views only, no storage: the four addresses are immutables. Loops are bounded by `MAX_PAGE` and
/// `MAX_SWARM_MEMBERS`. Session's portal found one RPC per node too heavy; a page of 100 nodes here is
/// one call (its gas is measured by test/lens/lens.test.ts).
contract NodeLens is INodeLens {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc INodeLens
    uint256 public constant MAX_PAGE = 100;
    /// @inheritdoc INodeLens
    uint256 public constant MAX_SWARM_MEMBERS = 10;

    // ------------------------------------------------------------------ immutables

    /// @inheritdoc INodeLens
    IServiceNodeRegistry public immutable REGISTRY;
    /// @inheritdoc INodeLens
    INodeDirectory public immutable DIRECTORY;
    /// @inheritdoc INodeLens
    ISwarmCoordinator public immutable SWARMS;
    /// @inheritdoc INodeLens
    IBlsKeyRegistry public immutable BLS_KEYS;

    // ------------------------------------------------------------------ constructor

    /// @param registry the node registry; the directory is read from it
    /// @param swarms the swarm coordinator
    /// @param blsKeys the BLS key registry
    constructor(IServiceNodeRegistry registry, ISwarmCoordinator swarms, IBlsKeyRegistry blsKeys) {
        if (address(registry) == address(0) || address(swarms) == address(0) || address(blsKeys) == address(0)) {
            revert ZeroAddress();
        }
        INodeDirectory directory = registry.DIRECTORY();
        if (address(directory) == address(0)) revert ZeroAddress();
        REGISTRY = registry;
        DIRECTORY = directory;
        SWARMS = swarms;
        BLS_KEYS = blsKeys;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc INodeLens
    function nodes(uint64 fromId, uint256 count) external view returns (NodeRecord[] memory records) {
        if (count > MAX_PAGE) revert PageTooLarge(count, MAX_PAGE);
        if (fromId == 0) fromId = 1;
        records = new NodeRecord[](count);
        uint256 n;
        for (; n < count; ++n) {
            // Ids are assigned sequentially: the first unknown id ends the list.
            IServiceNodeRegistry.NodeView memory v = REGISTRY.getNode(fromId + uint64(n));
            if (v.operator == address(0)) break;
            records[n] = _record(fromId + uint64(n), v);
        }
        assembly ("memory-safe") {
            mstore(records, n) // shorten to the nodes found
        }
    }

    /// @inheritdoc INodeLens
    function swarm(uint32 swarmId) public view returns (NodeRecord[] memory members) {
        uint64[] memory ids = SWARMS.swarmMembers(swarmId);
        if (ids.length > MAX_SWARM_MEMBERS) revert SwarmTooLarge(swarmId, ids.length, MAX_SWARM_MEMBERS);
        members = new NodeRecord[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            members[i] = _record(ids[i], REGISTRY.getNode(ids[i]));
        }
    }

    /// @inheritdoc INodeLens
    function swarmForInbox(bytes32 inboxId) external view returns (uint32 swarmId, NodeRecord[] memory members) {
        swarmId = SWARMS.swarmForInbox(inboxId);
        members = swarm(swarmId);
    }

    /// @inheritdoc INodeLens
    function node(uint64 nodeId) external view returns (NodeRecord memory) {
        return _record(nodeId, REGISTRY.getNode(nodeId));
    }

    // ------------------------------------------------------------------ internals

    function _record(uint64 nodeId, IServiceNodeRegistry.NodeView memory v) private view returns (NodeRecord memory r) {
        r.nodeId = nodeId;
        r.status = v.status;
        r.owner = v.operator;
        r.stake = v.stake;
        r.penaltyBps = v.penaltyBps;
        r.uptimeBps = v.uptimeBps;
        r.operatorFeeBps = v.operatorFeeBps;
        r.swarmId = type(uint32).max; // NO_SWARM, until read below
        if (v.operator == address(0)) return r;
        r.manager = DIRECTORY.managerOf(nodeId);
        r.beneficiary = DIRECTORY.beneficiaryOf(nodeId);
        r.pendingFee = DIRECTORY.pendingFee(nodeId);
        r.swarmId = SWARMS.swarmOf(nodeId);
        r.endpoint = DIRECTORY.endpointOf(nodeId);
        r.transportKeys = DIRECTORY.transportKeys(nodeId);
        // Stored when the node activates; (0, 0) before that.
        (uint256 word0, uint256 word1) = BLS_KEYS.compressedBlsPublicKeyOf(nodeId);
        if (word0 != 0 || word1 != 0) {
            r.blsPublicKey = BLS_KEYS.blsPublicKeyOf(nodeId);
            r.blsKeyHash = keccak256(abi.encode(r.blsPublicKey));
        }
    }
}
