// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {INodeDirectory} from "./INodeDirectory.sol";
import {IServiceNodeRegistry} from "./IServiceNodeRegistry.sol";
import {BN254} from "../libraries/BN254.sol";
import {IBlsKeyRegistry} from "./IBlsKeyRegistry.sol";
import {ISwarmCoordinator} from "./ISwarmCoordinator.sol";

/// @title INodeLens
/// @notice Read-only answers for clients and explorers, one `eth_call` each: a page of nodes, a swarm
/// with its members, or the swarm that serves an inbox with its members. Each node comes with its
/// status, roles, stake, fee, swarm, endpoint, the hashes of its keys and its BLS key; the ML-DSA and
/// ML-KEM keys themselves are in the directory's logs (`NodeKeysPublished`, `TransportKeyRotated`) and
/// are checked against these hashes.
/// @dev Holds no state but the addresses it reads. Every answer is bounded: a page by `MAX_PAGE`, a
/// swarm by `MAX_SWARM_MEMBERS`. The ML-DSA key hash is not here (nothing stores node → ML-DSA hash);
/// a client checks a logged ML-DSA key with `directory.nodeIdByMldsaKey(keccak256(key)) == nodeId`.
interface INodeLens {
    /// @notice One node as a client needs it.
    /// @param nodeId the node's id
    /// @param status its lifecycle state (`None` for an unknown id)
    /// @param owner the registering address (stake, exit, fee, roles; may be a contract wallet)
    /// @param manager the hot address that may set the endpoint and rotate the transport key (zero: none)
    /// @param beneficiary where the operator's income is paid (the owner when none is named)
    /// @param stake wei staked in the node
    /// @param penaltyBps penalties taken so far, basis points of the stake
    /// @param uptimeBps the uptime score, basis points
    /// @param operatorFeeBps the operator fee now in force
    /// @param pendingFee a scheduled fee increase (zero `effectiveAt`: none)
    /// @param swarmId the node's swarm (`NO_SWARM` when not active)
    /// @param endpoint the binary multiaddr (empty: none)
    /// @param transportKeys hashes of the current ML-KEM key, and of the previous one with its deadline
    /// @param blsKeyHash keccak256(abi.encode(G2 key)) of the stored BLS key (zero before it is stored)
    /// @param blsPublicKey the BLS key the attestation verifier stores (its state is where clients read it)
    struct NodeRecord {
        uint64 nodeId;
        IServiceNodeRegistry.Status status;
        address owner;
        address manager;
        address beneficiary;
        uint256 stake;
        uint16 penaltyBps;
        uint256 uptimeBps;
        uint16 operatorFeeBps;
        INodeDirectory.PendingFee pendingFee;
        uint32 swarmId;
        bytes endpoint;
        INodeDirectory.TransportKeys transportKeys;
        bytes32 blsKeyHash;
        BN254.G2Point blsPublicKey;
    }

    /// @notice A page asks for more than `MAX_PAGE` nodes.
    error PageTooLarge(uint256 count, uint256 maxCount);
    /// @notice A swarm has more members than `MAX_SWARM_MEMBERS` (the coordinator never allows it).
    error SwarmTooLarge(uint32 swarmId, uint256 members, uint256 maxMembers);
    /// @notice A zero address where one is required.
    error ZeroAddress();

    /// @notice Most nodes one `nodes` call answers.
    function MAX_PAGE() external view returns (uint256);

    /// @notice Most members one swarm answer carries.
    function MAX_SWARM_MEMBERS() external view returns (uint256);

    /// @notice Nodes `fromId`, `fromId + 1`, … (id 0 reads as 1), at most `count`, stopping before the
    /// first id never registered: an answer shorter than `count` is the last page.
    function nodes(uint64 fromId, uint256 count) external view returns (NodeRecord[] memory records);

    /// @notice The members of `swarmId`, in the coordinator's order. Reverts with the coordinator's
    /// `SwarmNotFound` for a swarm that does not exist.
    function swarm(uint32 swarmId) external view returns (NodeRecord[] memory members);

    /// @notice The swarm that serves `inboxId` (the coordinator's `swarmForInbox`) and its members (none
    /// on a network without active nodes: its one swarm is empty).
    function swarmForInbox(bytes32 inboxId) external view returns (uint32 swarmId, NodeRecord[] memory members);

    /// @notice One node's record.
    function node(uint64 nodeId) external view returns (NodeRecord memory);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice The BLS key registry (the attestation contract).
    function BLS_KEYS() external view returns (IBlsKeyRegistry);
    /// @notice The node directory (roles, endpoint, transport keys).
    function DIRECTORY() external view returns (INodeDirectory);
    /// @notice The node registry (stake, lifecycle).
    function REGISTRY() external view returns (IServiceNodeRegistry);
    /// @notice The swarm coordinator.
    function SWARMS() external view returns (ISwarmCoordinator);
}
