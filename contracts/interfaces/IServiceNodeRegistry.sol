// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BN254} from "../libraries/BN254.sol";
import {INodeDirectory} from "./INodeDirectory.sol";
import {IGuardianPause} from "./IGuardianPause.sol";
import {IBlsKeyRegistry} from "./IBlsKeyRegistry.sol";
import {INodeLifecycleListener} from "./INodeLifecycleListener.sol";
import {ISwarmCoordinator} from "./ISwarmCoordinator.sol";

/// @notice Which key or proof a key error names (`InvalidKeyLength`, `KeyAlreadyRegistered`), in the order
/// the registration digest lists them. A BLS key's length is fixed by its type, and BLS keys are proven
/// but not reserved, so no error names `Bls`; it keeps the numbering.
enum KeyKind {
    MlDsa,
    MlKem,
    Bls,
    MlDsaSignature
}

/// @title IServiceNodeRegistry
/// @notice Registry of Pars service nodes: post-quantum identity (ML-DSA-65) and transport (ML-KEM-768)
/// keys, a BLS key for network attestations, native-PARS stake from up to 10 contributors, the node
/// lifecycle, hourly hash-chain liveness proofs, penalties, exits and pull-payment withdrawals.
/// @dev Node ids are assigned sequentially from 1. An epoch is one hour: `epoch = block.timestamp / 3600`.
/// Full PQ public keys are never stored: their keccak256 is, and the keys travel in calldata and events.
interface IServiceNodeRegistry is IGuardianPause {
    /// @notice Lifecycle of a node. `None` is the state of an unknown id.
    enum Status {
        None,
        AwaitingContributions,
        Active,
        Decommissioning,
        Retired,
        Cancelled
    }

    /// @notice Why a node left the active set.
    enum DecommissionReason {
        ExitRequested,
        PenaltyCap,
        Deregistered
    }

    /// @notice A contributor slot reserved by the operator at registration.
    /// @param contributor the only address that may fill the slot
    /// @param amount the exact amount (wei) the slot holds for it
    struct ReservedSlot {
        address contributor;
        uint96 amount;
    }

    /// @notice Everything a registration carries (one transaction).
    /// @param mldsaPublicKey ML-DSA-65 identity key, 1952 bytes
    /// @param mldsaSignature ML-DSA-65 signature, 3309 bytes, over `registrationDigest` (proof of possession)
    /// @param mlkemPublicKey ML-KEM-768 transport key, 1184 bytes, validated through the ML-KEM precompile
    /// @param blsPublicKey BN254 G2 public key, EIP-197 order (x.imaginary, x.real, y.imaginary, y.real)
    /// @param blsSignature BN254 G1 proof of possession over `registrationDigest`
    /// @param heartbeatAnchor the hash-chain anchor `H^n(seed)` for liveness proofs
    /// @param operatorFeeBps operator fee on the node's income, basis points (≤ 10,000)
    /// @param reserved contributor slots reserved for named addresses
    struct Registration {
        bytes mldsaPublicKey;
        bytes mldsaSignature;
        bytes mlkemPublicKey;
        BN254.G2Point blsPublicKey;
        BN254.G1Point blsSignature;
        bytes32 heartbeatAnchor;
        uint16 operatorFeeBps;
        ReservedSlot[] reserved;
    }

    /// @notice A node's state, as returned by `getNode`.
    struct NodeView {
        address operator;
        Status status;
        uint8 contributorCount;
        uint8 withdrawnCount;
        uint16 operatorFeeBps;
        uint16 penaltyBps;
        uint16 withdrawnMask;
        uint40 activatedAt;
        uint40 unlockAt;
        uint40 decommissionedAt;
        uint32 lastHeartbeatEpoch;
        uint32 penalizedThroughEpoch;
        uint96 stake;
        uint96 requirement;
        bytes32 lastRevealed;
        uint256 uptimeBps;
    }

    /// @notice A contributor's stake in a node.
    struct Contributor {
        address addr;
        uint96 amount;
    }

    // ------------------------------------------------------------------ events

    /// @notice A node was registered. Carries the keccak256 hashes of its keys (`blsKeyHash` =
    /// keccak256(abi.encode(G2Point))); the keys themselves are in the directory's `NodeKeysPublished`
    /// of the same transaction.
    /// @notice The operator fee of `nodeId` is now `feeBps` (set through the directory).
    event OperatorFeeChanged(uint64 indexed nodeId, uint16 feeBps);
    event NodeRegistered(
        uint64 indexed nodeId,
        address indexed operator,
        bytes32 mldsaKeyHash,
        bytes32 mlkemKeyHash,
        bytes32 blsKeyHash,
        bytes32 heartbeatAnchor,
        uint16 operatorFeeBps,
        uint256 requirement
    );
    /// @notice A contributor slot was reserved at registration.
    event SlotReserved(uint64 indexed nodeId, address indexed contributor, uint256 amount);
    /// @notice Stake was contributed (the operator's initial stake included).
    event StakeContributed(uint64 indexed nodeId, address indexed contributor, uint256 amount, uint256 nodeStake);
    /// @notice The node reached its staking requirement and joined the network.
    event NodeActivated(uint64 indexed nodeId, uint256 stake);
    /// @notice A liveness proof for `epoch` was accepted.
    event HeartbeatAccepted(uint64 indexed nodeId, uint32 indexed epoch, bytes32 value);
    /// @notice The node rotated to a fresh heartbeat hash chain (signed with its ML-DSA key).
    event HeartbeatAnchorRotated(uint64 indexed nodeId, uint32 indexed epoch, bytes32 anchor);
    /// @notice The node was penalised; `amount` wei left its stake.
    event NodePenalized(uint64 indexed nodeId, uint32 missedEpochs, uint16 penaltyBps, uint256 amount);
    /// @notice Stake was slashed by an authorised contract (storage challenges, attestations).
    event NodeSlashed(
        uint64 indexed nodeId, uint16 bps, uint256 amount, address indexed beneficiary, uint256 beneficiaryAmount
    );
    /// @notice The node left the active set; its stake unlocks at `unlockAt`.
    event NodeDecommissioned(uint64 indexed nodeId, DecommissionReason reason, address indexed by, uint40 unlockAt);
    /// @notice A contributor withdrew (a refund before activation, or stake after the lock period).
    event StakeWithdrawn(uint64 indexed nodeId, address indexed contributor, uint256 amount);
    /// @notice Every contributor of a decommissioned node has withdrawn.
    event NodeRetired(uint64 indexed nodeId);
    /// @notice The operator withdrew before activation: the registration is cancelled.
    event RegistrationCancelled(uint64 indexed nodeId);
    /// @notice Penalties were paid out to the treasury.
    event TreasuryPaid(address indexed treasury, uint256 amount);
    /// @notice A governance parameter changed.
    event ParameterChanged(bytes32 indexed name, uint256 value);
    /// @notice A collaborator contract address changed.
    event AddressChanged(bytes32 indexed name, address value);

    // ------------------------------------------------------------------ errors

    /// @notice An ML-DSA-65 key, ML-DSA-65 signature or ML-KEM-768 key has the wrong length.
    error InvalidKeyLength(KeyKind which, uint256 length, uint256 expected);
    /// @notice The ML-DSA-65 identity key (`which` = MlDsa) already belongs to node `nodeId`.
    error KeyAlreadyRegistered(KeyKind which, uint64 nodeId);
    /// @notice The ML-DSA proof of possession does not verify for this operator, chain and registry.
    error InvalidMldsaProof();
    /// @notice The ML-KEM transport key is rejected by the ML-KEM precompile.
    error InvalidMlkemKey();
    /// @notice The BLS public key is not a valid G2 point or its proof of possession does not verify.
    error InvalidBlsProof();
    /// @notice The heartbeat anchor is zero.
    error InvalidHeartbeatAnchor();
    /// @notice The operator fee is above 10,000 bps.
    error InvalidOperatorFee(uint16 feeBps);
    /// @notice The operator's initial stake is below 25% of the requirement (rounded up).
    error OperatorStakeTooLow(uint256 sent, uint256 required);
    /// @notice More contributors than the 10 a node may have.
    error TooManyContributors(uint256 count, uint256 max);
    /// @notice A reserved slot is malformed (zero address or amount, the operator, or a duplicate).
    error InvalidReservedSlot(uint256 index);
    /// @notice The stake, reserved slots included, would exceed the node's requirement.
    error StakeAboveRequirement(uint256 total, uint256 requirement);
    /// @notice No node with this id.
    error UnknownNode(uint64 nodeId);
    /// @notice The node is not in the state the action requires.
    error InvalidNodeStatus(uint64 nodeId, Status status);
    /// @notice A contribution is below the minimum for a new contributor.
    error ContributionTooLow(uint256 sent, uint256 minimum);
    /// @notice Zero wei sent where stake is required.
    error ZeroContribution();
    /// @notice A reserved contributor sent other than its reserved amount on its first contribution.
    error ReservedAmountMismatch(uint256 sent, uint256 reserved);
    /// @notice The contribution would exceed what the node still accepts from this contributor.
    error ContributionTooHigh(uint256 sent, uint256 maximum);
    /// @notice Too many nodes activated in this block (flash-stake guard).
    error ActivationLimitReached(uint256 limit);
    /// @notice A heartbeat for this epoch was already accepted.
    error HeartbeatAlreadySent(uint64 nodeId, uint32 epoch);
    /// @notice The revealed value does not hash to the last revealed value.
    error InvalidHeartbeat(uint64 nodeId, uint32 epoch);
    /// @notice Too many epochs since the last proof: rotate to a fresh chain with an ML-DSA signature.
    error HeartbeatGapTooLarge(uint64 nodeId, uint32 gap, uint32 maxGap);
    /// @notice A batch is empty, uneven, or larger than the maximum.
    error InvalidBatch(uint256 length);
    /// @notice The ML-DSA key does not belong to the node, or the signature does not verify.
    error InvalidNodeSignature(uint64 nodeId);
    /// @notice The caller is neither the node's operator nor one of its contributors.
    error NotContributor(uint64 nodeId, address caller);
    /// @notice The exit comes too early (2 hours after activation; 30 days for small contributors).
    error ExitTooEarly(uint64 nodeId, uint256 allowedAt);
    /// @notice The stake is still locked.
    error StakeLocked(uint64 nodeId, uint256 unlockAt);
    /// @notice The caller has nothing to withdraw from this node.
    error NothingToWithdraw(uint64 nodeId, address caller);
    /// @notice Nothing to penalise: no epoch was missed since the last proof or penalty.
    error NothingToPenalize(uint64 nodeId);
    /// @notice A governance parameter is out of its allowed range.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice A zero address where a contract or account is required.
    error ZeroAddress();
    /// @notice Only the node directory may call this.
    error NotDirectory(address caller);
    /// @notice A native transfer failed.
    error TransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------ operators and contributors

    /// @notice Registers a node in one transaction; `msg.value` is the operator's initial stake.
    /// @dev Checks key lengths and uniqueness, the ML-DSA and BLS proofs of possession over
    /// `registrationDigest(msg.sender, ...)`, the ML-KEM key through its precompile, and the operator
    /// minimum. Activates the node at once when the stake reaches the requirement.
    /// @param registration the keys, proofs, anchor, fee and reserved slots
    /// @return nodeId the new node's id
    function register(Registration calldata registration) external payable returns (uint64 nodeId);

    /// @notice Contributes `msg.value` to a node awaiting contributions. A new contributor sends at least
    /// `minimumContribution(nodeId)` (or exactly its reserved amount); existing contributors top up freely.
    /// @param nodeId the node
    function contribute(uint64 nodeId) external payable;

    /// @notice Withdraws the caller's stake: before activation a full refund (the operator's withdrawal
    /// cancels the registration and lets every contributor withdraw in full); after decommissioning,
    /// once the lock period is over, stake minus the node's penalties. Never blocked by a pause.
    /// @param nodeId the node
    /// @return amount wei sent to the caller
    function withdraw(uint64 nodeId) external returns (uint256 amount);

    /// @notice Proves liveness for the current epoch by revealing the next hash-chain value.
    /// Anyone may relay it. Missed epochs since the last proof are penalised first.
    /// @param nodeId the node
    /// @param value `v` with `H^(epoch - lastEpoch)(v) == lastRevealed`
    function heartbeat(uint64 nodeId, bytes32 value) external;

    /// @notice Relays heartbeats of several nodes. Entries that became stale before the batch was mined
    /// (the node proved this epoch already, or left the active set, e.g. decommissioned by a front-run
    /// `penalize`) are skipped, so no front-run can make the batch fail; any other invalid entry reverts it.
    /// A batch that proves a node activated since its last batched heartbeat (its swarm placement was
    /// queued) ends with `swarms.settle(2)`: relayers prove every node every epoch, so queued
    /// placements are drawn within about an epoch without a keeper. While placements stay queued that
    /// node is marked again for its next batch. A batch without such a node does not call the coordinator.
    /// @param nodeIds the nodes (at most `MAX_HEARTBEAT_BATCH`)
    /// @param values their revealed values
    /// @return accepted the number of heartbeats accepted
    function heartbeatBatch(uint64[] calldata nodeIds, bytes32[] calldata values) external returns (uint256 accepted);

    /// @notice Starts a fresh heartbeat chain, signed with the node's ML-DSA key; counts as this epoch's
    /// liveness proof. Needed after a gap longer than `MAX_HEARTBEAT_GAP` or when a chain runs out.
    /// @param nodeId the node
    /// @param anchor the new anchor `H^n(seed')`
    /// @param mldsaPublicKey the node's ML-DSA-65 key (checked against its stored hash)
    /// @param signature ML-DSA-65 signature over `anchorRotationDigest(nodeId, anchor, epoch)`
    function rotateHeartbeatAnchor(
        uint64 nodeId,
        bytes32 anchor,
        bytes calldata mldsaPublicKey,
        bytes calldata signature
    ) external;

    /// @notice Applies the penalty for missed epochs (0.5% of stake each by default, cumulative). At the
    /// penalty cap (50%) the node is decommissioned. Anyone may call it; O(1).
    /// @param nodeId the node
    function penalize(uint64 nodeId) external;

    /// @notice Requests the node's exit. The operator may always ask (2 hours after activation); a
    /// contributor too, a small one (< 25% of the requirement) only 30 days after activation. Missed
    /// epochs are penalised first; a node that reaches the penalty cap there is decommissioned for it.
    /// @param nodeId the node
    function requestExit(uint64 nodeId) external;

    /// @notice Pays accumulated penalties to the treasury. Anyone may call it; never blocked by a pause.
    /// @return amount wei paid
    function payTreasury() external returns (uint256 amount);

    // ------------------------------------------------------------------ authorised contracts

    /// @notice Slashes `bps` of the node's stake (storage challenges, attestations); `beneficiaryShareBps`
    /// of the slashed amount is credited to `beneficiary`, the rest to the treasury. Every penalty counts
    /// toward `PENALTY_CAP_BPS` and nothing is taken beyond it; an active node that reaches it is
    /// decommissioned. A decommissioning node stays slashable until its stake unlocks. Only SLASHER_ROLE.
    /// @return amount wei slashed
    function slash(uint64 nodeId, uint16 bps, address beneficiary, uint16 beneficiaryShareBps)
        external
        returns (uint256 amount);

    /// @notice Decommissions an active node on the network's word (attestation). Only SLASHER_ROLE.
    function decommission(uint64 nodeId) external;

    /// @notice Withdraws wei credited to the caller by `slash` (challenger shares). Never blocked by a pause.
    /// @return amount wei sent
    function claimCredit() external returns (uint256 amount);

    /// @notice Withdraws wei credited to the caller by `slash`, paid to `to`. Never blocked by a pause.
    /// @return amount wei sent
    function claimCreditTo(address to) external returns (uint256 amount);

    /// @notice Sets the operator fee of `nodeId` (the directory applies the owner's changes, increases
    /// after their notice). Tells the rewards contract, which settles income at the old fee first.
    function setOperatorFee(uint64 nodeId, uint16 feeBps) external;

    // ------------------------------------------------------------------ views

    /// @notice The node directory that checks and keeps every node's keys, endpoint and roles.
    function DIRECTORY() external view returns (INodeDirectory);


    /// @notice The digest an anchor rotation's ML-DSA signature signs.
    function anchorRotationDigest(uint64 nodeId, bytes32 anchor, uint32 epoch) external view returns (bytes32);

    /// @notice A node's state.
    function getNode(uint64 nodeId) external view returns (NodeView memory);

    /// @notice The node's owner: the address that registered it (zero for an unknown node).
    function ownerOf(uint64 nodeId) external view returns (address);

    /// @notice The terms a node's income is shared on: its operator, operator fee and total stake.
    function nodeTerms(uint64 nodeId) external view returns (address operator, uint16 operatorFeeBps, uint256 stake);

    /// @notice What `account` put into `nodeId` and whether it is the operator: the terms of its income share.
    function shareOf(uint64 nodeId, address account) external view returns (uint256 contribution, bool isOperator);

    /// @notice A node's contributors, operator first (at most 10).
    function getContributors(uint64 nodeId) external view returns (Contributor[] memory);

    /// @notice The stake `contributor` put into `nodeId` (0 if none). It stays recorded after the
    /// contributor withdraws at the end, so rewards earned on it remain claimable.
    function contributionOf(uint64 nodeId, address contributor) external view returns (uint256);

    /// @notice The smallest contribution a new contributor may make now (Session's formula:
    /// ceil(unreserved remaining / open slots)); 0 if the node takes no new contributors.
    function minimumContribution(uint64 nodeId) external view returns (uint256);

    /// @notice The node's uptime score, 0..10,000 bps, decayed to the current epoch.
    function uptimeScore(uint64 nodeId) external view returns (uint256);


    /// @notice The current epoch (hours since the Unix epoch).
    function currentEpoch() external view returns (uint32);

    /// @notice Nodes registered and neither retired nor cancelled.
    function totalNodes() external view returns (uint256);

    /// @notice Nodes in the Active state.
    function activeNodes() external view returns (uint256);

    /// @notice Sum of the stakes of Active nodes (wei, before penalties).
    function totalActiveStake() external view returns (uint256);

    /// @notice Penalties owed to the treasury and not yet paid.
    function treasuryOwed() external view returns (uint256);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice Activations per block, as a share of the nodes active before the block
    /// (see ACTIVATION_CAP_MIN).
    function ACTIVATION_CAP_BPS() external view returns (uint256);
    /// @notice Activations per block: max(ACTIVATION_CAP_BPS of the nodes active before the block,
    /// min(ACTIVATION_CAP_MIN, those nodes), 1).
    function ACTIVATION_CAP_MIN() external view returns (uint256);
    /// @notice Keeps BLS keys and the aggregate key of the active set (the attestation verifier).
    function BLS_KEYS() external view returns (IBlsKeyRegistry);
    /// @notice One epoch: liveness is proven once per epoch.
    function EPOCH_SECONDS() external view returns (uint256);
    /// @notice Contributors per node, the operator included.
    function MAX_CONTRIBUTORS() external view returns (uint256);
    /// @notice Most heartbeats in one batch.
    function MAX_HEARTBEAT_BATCH() external view returns (uint256);
    /// @notice Most epochs one heartbeat may bridge (hash steps it costs); beyond it, rotate the anchor.
    function MAX_HEARTBEAT_GAP() external view returns (uint32);
    /// @notice Upper bound of the lock period.
    function MAX_LOCK_PERIOD() external view returns (uint256);
    /// @notice Upper bound of the missed-epoch penalty rate.
    function MAX_MISSED_EPOCH_PENALTY_BPS() external view returns (uint16);
    /// @notice Nobody may request exit sooner than this after activation.
    function MIN_EXIT_AGE() external view returns (uint256);
    /// @notice The lock outlasts everything that may still penalise a node after it leaves: a storage
    /// challenge of an epoch before its exit (opened up to 3 epochs later, answered within an hour) and
    /// an attestation issued before it (valid for 10 minutes). A day covers both with room to spare.
    function MIN_LOCK_PERIOD() external view returns (uint256);
    /// @notice The rewards accumulator (income per wei contributed, scaled by 1e36, packed in 160 bits)
    /// stays below 2^96 * 1e36 / requirement, which fits only above 1e36 / 2^64 wei (about 0.054 PARS);
    /// one PARS keeps an eighteen-fold margin.
    function MIN_STAKING_REQUIREMENT() external view returns (uint256);
    /// @notice The operator stakes at least this share of the requirement (rounded up).
    function OPERATOR_MIN_BPS() external view returns (uint256);
    /// @notice A node's total loss: every penalty (missed epochs, storage challenges, deregistration)
    /// counts toward it, nothing is taken beyond it, and an active node that reaches it is decommissioned.
    function PENALTY_CAP_BPS() external view returns (uint16);
    /// @notice Contracts that may slash and decommission (storage challenges, attestations).
    function SLASHER_ROLE() external view returns (bytes32);
    /// @notice Contributors below this share of the requirement are "small".
    function SMALL_CONTRIBUTOR_BPS() external view returns (uint256);
    /// @notice Small contributors may request exit only this long after activation.
    function SMALL_CONTRIBUTOR_EXIT_DELAY() external view returns (uint256);
    /// @notice Wei credited to `account` by slashes and not yet claimed.
    function creditOf(address account) external view returns (uint256);
    /// @notice Effective (earning) stake of an active node: stake less penalties; 0 otherwise.
    function effectiveStake(uint64 nodeId) external view returns (uint256);
    /// @notice The number of nodes ever registered (the highest node id).
    function lastNodeId() external view returns (uint64);
    /// @notice Told of stake changes of active nodes (the rewards contract); zero for none.
    function lifecycleListener() external view returns (INodeLifecycleListener);
    /// @notice Time from decommissioning to withdrawal.
    function lockPeriod() external view returns (uint256);
    /// @notice Penalty per missed epoch, bps of the node's stake.
    function missedEpochPenaltyBps() external view returns (uint16);
    /// @notice Sets the contract told of stake changes (zero for none).
    function setLifecycleListener(INodeLifecycleListener value) external;
    /// @notice Sets the lock period from decommissioning to withdrawal (applies to later decommissions).
    function setLockPeriod(uint256 value) external;
    /// @notice Sets the penalty per missed epoch (bps of stake).
    function setMissedEpochPenaltyBps(uint16 value) external;
    /// @notice Sets the stake required of new registrations (existing nodes keep theirs).
    function setStakingRequirement(uint256 value) external;
    /// @notice Sets the treasury.
    function setTreasury(address value) external;
    /// @notice Stake required of a new node (wei); existing nodes keep theirs.
    function stakingRequirement() external view returns (uint256);
    /// @notice The swarm coordinator: told of every activation and decommission, settles placements.
    function swarms() external view returns (ISwarmCoordinator);
    /// @notice Receives penalties.
    function treasury() external view returns (address);
}
