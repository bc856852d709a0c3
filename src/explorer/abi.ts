/**
 * The views and events of the suite the network page reads, as human-readable ABI fragments (no
 * artifacts needed, so the reader works from the built package as well as from source). The explorer
 * tests call every one of them on the deployed contracts.
 */
export const REGISTRY_ABI = [
  "function getNode(uint64 nodeId) view returns (tuple(address operator, uint8 status, uint8 contributorCount, uint8 withdrawnCount, uint16 operatorFeeBps, uint16 penaltyBps, uint16 withdrawnMask, uint40 activatedAt, uint40 unlockAt, uint40 decommissionedAt, uint32 lastHeartbeatEpoch, uint32 penalizedThroughEpoch, uint96 stake, uint96 requirement, bytes32 lastRevealed, uint256 uptimeBps))",
  "function getContributors(uint64 nodeId) view returns (tuple(address addr, uint96 amount)[])",
  "function contributionOf(uint64 nodeId, address contributor) view returns (uint256)",
  "function lastNodeId() view returns (uint64)",
  "function currentEpoch() view returns (uint32)",
  "function totalNodes() view returns (uint256)",
  "function activeNodes() view returns (uint256)",
  "function totalActiveStake() view returns (uint256)",
  "function treasuryOwed() view returns (uint256)",
  "event NodeRegistered(uint64 indexed nodeId, address indexed operator, bytes32 mldsaKeyHash, bytes32 mlkemKeyHash, bytes32 blsKeyHash, bytes32 heartbeatAnchor, uint16 operatorFeeBps, uint256 requirement)",
  "event SlotReserved(uint64 indexed nodeId, address indexed contributor, uint256 amount)",
  "event StakeContributed(uint64 indexed nodeId, address indexed contributor, uint256 amount, uint256 nodeStake)",
  "event NodeActivated(uint64 indexed nodeId, uint256 stake)",
  "event HeartbeatAccepted(uint64 indexed nodeId, uint32 indexed epoch, bytes32 value)",
  "event NodePenalized(uint64 indexed nodeId, uint32 missedEpochs, uint16 penaltyBps, uint256 amount)",
  "event NodeSlashed(uint64 indexed nodeId, uint16 bps, uint256 amount, address indexed beneficiary, uint256 beneficiaryAmount)",
  "event NodeDecommissioned(uint64 indexed nodeId, uint8 reason, address indexed by, uint40 unlockAt)",
  "event StakeWithdrawn(uint64 indexed nodeId, address indexed contributor, uint256 amount)",
  "event NodeRetired(uint64 indexed nodeId)",
  "event RegistrationCancelled(uint64 indexed nodeId)",
  "event OperatorFeeChanged(uint64 indexed nodeId, uint16 feeBps)",
] as const;

export const DIRECTORY_ABI = [
  "event NodeKeysPublished(uint64 indexed nodeId, bytes mldsaPublicKey, bytes mlkemPublicKey)",
  "event TransportKeyRotated(uint64 indexed nodeId, bytes mlkemPublicKey, bytes32 keyHash, bytes32 previousKeyHash, uint256 previousValidUntil)",
  "event EndpointSet(uint64 indexed nodeId, bytes endpoint)",
  "event ManagerSet(uint64 indexed nodeId, address indexed manager)",
  "event BeneficiarySet(uint64 indexed nodeId, address indexed beneficiary)",
  "event FeeChangeScheduled(uint64 indexed nodeId, uint16 feeBps, uint256 effectiveAt)",
] as const;

export const SWARMS_ABI = [
  "function networkHealth() view returns (tuple(uint256 totalNodes, uint256 activeNodes, uint256 swarmCount, uint256 averageSwarmSizeWad, uint256 minSwarmSize, uint256 maxSwarmSize, uint256 storageCapacity, uint256 storageUsed, bool replicationOk, bool healthy))",
  "function swarmCount() view returns (uint32)",
  "function swarmMembers(uint32 swarmId) view returns (uint64[])",
  "function swarmForInbox(bytes32 id) view returns (uint32)",
  "function pendingPlacements() view returns (uint64[] nodeIds, uint256[] seedBlocks)",
  "function nodeStorageUsed(uint64 nodeId) view returns (uint64)",
  "event NodeJoinedSwarm(uint64 indexed nodeId, uint32 indexed swarmId)",
  "event NodeLeftSwarm(uint64 indexed nodeId, uint32 indexed swarmId)",
  "event NodeMovedSwarm(uint64 indexed nodeId, uint32 indexed fromSwarm, uint32 indexed toSwarm)",
  "event SwarmCreated(uint32 indexed swarmId)",
  "event SwarmRemoved(uint32 indexed swarmId)",
] as const;

export const REWARDS_ABI = [
  "function claimable(uint64 nodeId, address account) view returns (uint256)",
  "function feePerStake(uint32 swarmId) view returns (uint256)",
  "function swarmStake(uint32 swarmId) view returns (uint256)",
  "function treasury() view returns (address)",
  "function treasuryOwed() view returns (uint256)",
  "function emissionUnallocated() view returns (uint128)",
  "function emissionBase() view returns (uint96)",
  "function startTime() view returns (uint40)",
  "event FeesDeposited(uint32 indexed swarmId, address indexed from, uint256 toSwarm, uint256 toTreasury)",
  "event RewardsClaimed(uint64 indexed nodeId, address indexed account, uint256 amount)",
] as const;

export const BRIDGE_ABI = [
  "function health() view returns (bool healthy, uint256 sessions, uint256 channels)",
  "function feeMultiplier() view returns (uint256)",
  "function pendingFees(uint32 swarmId) view returns (uint256)",
  "function maxChannels() view returns (uint256)",
  "function quoteCreateSession() view returns (uint256)",
  "function quoteMessage(uint256 size) view returns (uint256)",
  "function getSession(bytes32 sessionId) view returns (tuple(uint8 status, uint40 createdAt, uint40 expiresAt, uint8 participantCount, uint8 pendingKeys, uint32 messageCount, bool channel, bytes32 messageHead))",
  "event SessionCreated(bytes32 indexed sessionId, address indexed creator, uint32 indexed swarmId, uint40 expiresAt, address[] participants, bytes[] mlkemPublicKeys, uint256 fee)",
  "event MessageSent(bytes32 indexed sessionId, uint32 indexed swarmId, address indexed sender, uint64 sequence, bytes32 messageId, bytes ciphertext, uint256 fee)",
  "event SessionClosed(bytes32 indexed sessionId, address indexed by)",
  "event FeesFlushed(uint32 indexed swarmId, uint256 amount)",
] as const;

export const STORAGE_ABI = [
  "function commitmentOf(uint64 nodeId, uint32 epoch) view returns (tuple(bool committed, uint32 swarmId, bytes24 rootPrefix))",
  "function getChallenge(bytes32 challengeId) view returns (tuple(address challenger, uint64 nodeId, uint32 epoch, bytes32 messageHash, bytes24 nodeRoot, uint40 deadline, uint16 size, uint8 status, uint96 bond))",
  "event StorageCommitted(uint64 indexed nodeId, uint32 indexed swarmId, uint32 indexed epoch, bytes32 merkleRoot, uint64 messageCount, uint64 usedBytes)",
  "event StorageRootMismatch(uint64 indexed nodeId, uint32 indexed swarmId, uint32 indexed epoch, bytes32 merkleRoot, uint64 leadNodeId)",
  "event ChallengeOpened(bytes32 indexed challengeId, uint64 indexed nodeId, address indexed challenger, uint32 epoch, bytes32 messageHash, uint256 size, uint256 bond, uint256 deadline)",
  "event ChallengeAnswered(bytes32 indexed challengeId, uint64 indexed nodeId, address indexed operator, uint256 bond)",
  "event ChallengeDefaulted(bytes32 indexed challengeId, uint64 indexed nodeId, address indexed challenger, uint256 bond, uint16 penaltyBps, uint16 challengerShareBps)",
] as const;

/** IServiceNodeRegistry.Status, by value. */
export const NODE_STATUS = ["None", "AwaitingContributions", "Active", "Decommissioning", "Retired", "Cancelled"] as const;
/** IServiceNodeRegistry.DecommissionReason, by value. */
export const DECOMMISSION_REASON = ["ExitRequested", "PenaltyCap", "Deregistered"] as const;
/** ISessionBridge.SessionStatus, by value. */
export const SESSION_STATUS = ["None", "Pending", "Active", "Expired", "Closed"] as const;
/** IStorageCommitment.ChallengeStatus, by value. */
export const CHALLENGE_STATUS = ["None", "Open", "Answered", "Defaulted"] as const;
