// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISessionVM} from "./ISessionVM.sol";
import {IGuardianPause} from "./IGuardianPause.sol";
import {IServiceNodeRewards} from "./IServiceNodeRewards.sol";
import {ISwarmCoordinator} from "./ISwarmCoordinator.sol";

/// @title ISessionBridge
/// @notice The EVM face of SessionVM (LP-042 + PIP-0007, DESIGN §9): sessions between participants who
/// hold ML-KEM-768 keys, end-to-end encrypted messages with per-session sequence numbers, fees that
/// reach the swarm serving the session, and forwarding of every session action to the session chain
/// over Warp.
///
/// What is stored: per session one word (expiry, status bits, and for a two-party session both
/// participants' fingerprints) and, once it has messages, one word with the message count and the
/// head of a hash chain over its message ids; per channel participant (sessions of more than two) one
/// membership word. ML-KEM keys, participant lists and ciphertexts are never stored: they travel in
/// calldata and in the events below, where the swarm nodes pick them up; the session id commits to
/// the participant list.
///
/// Two-party membership: the session word holds, for each of the two participants, the low
/// FINGERPRINT_BITS (104) bits of keccak256(abi.encode(sessionId, participant)) instead of the address,
/// so that a two-party session costs one new storage slot. An outsider is taken for a participant only
/// if it finds an address with the same 104-bit fingerprint for that very session: about 2^103 hashes
/// per session, and the session id in the hash means no work carries over to another session.
/// Channels keep an exact membership word per participant.
///
/// Session id: `0x07 ‖ the low 31 bytes of keccak256(abi.encode(SESSION_ID_DOMAIN, chainid, bridge,
/// creator, salt, participants))`. The first byte marks a post-quantum session (LP-042 idPrefix "07");
/// the rest commits to the chain, the bridge, the creator and the participant list in order, so a client
/// that knows the list can check it against the id. The PIP-0007 overload (no salt) uses
/// `salt = keccak256(abi.encode(AUTO_SALT_DOMAIN, nonce))` with the creator's `autoSessionNonce`.
///
/// Status of a session:
/// - `Pending`: created, but some participant has no ML-KEM key yet (it must `joinSession`);
/// - `Active`: every participant has a key: participants may send;
/// - `Expired`: `sessionTTL` seconds after creation (by time alone, from pending or active);
/// - `Closed`: a participant closed it before it expired.
/// Transitions: create → Pending or Active (Active when every key is given at creation); Pending →
/// Active when the last missing key joins; Pending / Active → Closed by a participant; Pending / Active
/// → Expired when `block.timestamp ≥ expiresAt`. Expired and Closed are final.
///
/// Message: `messageId = keccak256(abi.encode(sessionId, sequence, sender, keccak256(ciphertext)))`;
/// sequences count from 0 in each session and must be given exactly (a replayed or reordered message
/// is refused); `messageHead` = the first 28 bytes of keccak256(abi.encode(previousHead, messageId)),
/// followed by 4 zero bytes, from a zero head (a 224-bit chain, kept in one word with the count).
///
/// Fees (PIP-0008 §2.2, §4.2, §6): creating a two-party session costs CREATE_FEE, a message
/// MESSAGE_FEE_PER_KIB per started KiB, both times the storage-utilisation multiplier; joining and
/// closing are free. A channel (more than two participants) takes a slot of the shared maxChannels pool
/// and is priced by how full the pool is (DESIGN §12.6: sybils are free, so one creator cornering the
/// pool is stopped by price, not by a per-creator cap): CREATE_FEE × multiplier while fewer than
/// maxChannels × channelSurgeFromBps / 10,000 slots are taken, then doubling every
/// ceil(priced slots / channelDoublings) slots, linear between powers of two (`channelPriceAt`). At
/// the defaults (1,000 slots, surge from 50%, 20 doublings) the first 500 channels cost 0.001 PARS, the
/// price doubles every 25 slots above that, the last slot costs 1,027.60448 PARS, and taking every slot
/// for one TTL costs 38,797.775 PARS (at ×1). The whole fee is
/// collected for the swarm that serves the session id and paid by `flushFees` (anyone, never paused)
/// into `rewards.depositFees(swarmId)`, which pays 80% to that swarm's nodes and 20% to the treasury.
/// Overpayment is refunded in the same call. The bridge holds only collected fees, and flushing them
/// is never blocked, so pausing it cannot trap funds. A pause stops new sessions and messages; joining
/// and closing continue.
interface ISessionBridge is ISessionVM, IGuardianPause {
    // ------------------------------------------------------------------------------------------
    // Types
    // ------------------------------------------------------------------------------------------

    /// @notice Life cycle of a session (see the interface notes). `None`: no such session.
    enum SessionStatus {
        None,
        Pending,
        Active,
        Expired,
        Closed
    }

    /// @notice A session as `getSession` returns it. Participants and keys are not listed: the
    /// SessionCreated / ParticipantJoined events carry them, the id commits to the participant list,
    /// and `participantStatus` answers for one participant.
    /// @param status the status now
    /// @param createdAt creation time (expiresAt − sessionTTL)
    /// @param expiresAt createdAt + sessionTTL; the session is expired from this second on
    /// @param participantCount number of participants (2..MAX_PARTICIPANTS)
    /// @param pendingKeys participants that have not supplied an ML-KEM key yet
    /// @param messageCount messages sent so far, which is also the next sequence number
    /// @param channel more than two participants (counts against maxChannels while open)
    /// @param messageHead hash chain over the message ids, 28 bytes and 4 zero bytes (zero before the
    /// first message)
    struct SessionInfo {
        SessionStatus status;
        uint40 createdAt;
        uint40 expiresAt;
        uint8 participantCount;
        uint8 pendingKeys;
        uint32 messageCount;
        bool channel;
        bytes32 messageHead;
    }

    // ------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------

    /// @notice A session was created. `mlkemPublicKeys[i]` is participant i's key, or empty if it must
    /// join. `swarmId` served the session id at creation; `fee` is what was charged.
    event SessionCreated(
        bytes32 indexed sessionId,
        address indexed creator,
        uint32 indexed swarmId,
        uint40 expiresAt,
        address[] participants,
        bytes[] mlkemPublicKeys,
        uint256 fee
    );

    /// @notice A participant supplied its ML-KEM key.
    event ParticipantJoined(bytes32 indexed sessionId, address indexed participant, bytes mlkemPublicKey);

    /// @notice The last missing key arrived: the session became active.
    event SessionActivated(bytes32 indexed sessionId);

    /// @notice A message was accepted. `swarmId` served the session id when it was sent; `ciphertext`
    /// is the message itself (never stored); `fee` is what was charged.
    event MessageSent(
        bytes32 indexed sessionId,
        uint32 indexed swarmId,
        address indexed sender,
        uint64 sequence,
        bytes32 messageId,
        bytes ciphertext,
        uint256 fee
    );

    /// @notice A participant closed the session.
    event SessionClosed(bytes32 indexed sessionId, address indexed by);

    /// @notice Fees collected for `swarmId` were paid into its pool in the rewards contract.
    event FeesFlushed(uint32 indexed swarmId, uint256 amount);

    /// @notice An expired channel gave its slot back (it counted against maxChannels until now).
    event ChannelReleased(uint64 indexed channelNumber);

    /// @notice Governance set the Warp messenger (zero: no forwarding).
    event MessengerSet(address indexed previousMessenger, address indexed newMessenger);

    /// @notice Governance changed a parameter (`maxMessages`, `maxChannels`, `channelSurgeFromBps`,
    /// `channelDoublings`).
    event ParameterChanged(bytes32 indexed name, uint256 value);


    // ------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------

    /// @notice A zero address where a contract is required.
    error ZeroAddress();
    /// @notice The session TTL is outside MIN_SESSION_TTL..MAX_SESSION_TTL.
    error InvalidSessionTTL(uint256 ttl);
    /// @notice A governance parameter is out of range.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice Fewer than 2 or more than MAX_PARTICIPANTS participants.
    error InvalidParticipantCount(uint256 count, uint256 max);
    /// @notice participants and mlkemPublicKeys differ in length.
    error LengthMismatch(uint256 participants, uint256 keys);
    /// @notice The zero address as a participant.
    error ZeroParticipant(uint256 index);
    /// @notice A participant listed twice.
    error DuplicateParticipant(address participant);
    /// @notice The two participants of a two-party session have the same fingerprint (probability
    /// 2^-104 for distinct addresses); list them in a session of three, or use another pair.
    error FingerprintCollision(address first, address second);
    /// @notice An ML-KEM key that is neither empty nor MLKEM768_PUBLIC_KEY_BYTES long.
    error InvalidKeyLength(uint256 index, uint256 length);
    /// @notice A session with this id exists already (same creator, salt and participants).
    error SessionExists(bytes32 sessionId);
    /// @notice No session with this id.
    error UnknownSession(bytes32 sessionId);
    /// @notice The session is not in a status that allows the call (send: Active; join: Pending;
    /// close: Pending or Active).
    error InvalidSessionStatus(bytes32 sessionId, SessionStatus status);
    /// @notice The caller is not a participant of the session.
    error NotParticipant(bytes32 sessionId, address account);
    /// @notice The participant has supplied its key already.
    error AlreadyJoined(bytes32 sessionId, address participant);
    /// @notice An empty message.
    error EmptyMessage();
    /// @notice A message over MAX_MESSAGE_BYTES.
    error MessageTooLarge(uint256 size, uint256 max);
    /// @notice The sequence number is not the session's next one (replayed or out of order).
    error InvalidSequence(bytes32 sessionId, uint64 sequence, uint64 expected);
    /// @notice The session has carried maxMessages messages.
    error MessageLimitReached(bytes32 sessionId, uint256 maxMessages);
    /// @notice maxChannels channel slots are taken (after releasing the expired channels a creation
    /// releases), or a price was asked for a slot beyond maxChannels.
    error TooManyChannels(uint256 open, uint256 maxChannels);
    /// @notice msg.value is below the fee.
    error InsufficientFee(uint256 sent, uint256 required);
    /// @notice The refund of an overpayment could not be sent.
    error RefundFailed(address to, uint256 amount);
    /// @notice The swarm coordinator answered a view with too little data or an out-of-range swarm id.
    error InvalidCoordinatorAnswer();
    /// @notice No fees are pending for the swarm, or the batch is empty or too large.
    error NothingToFlush(uint32 swarmId);

    // ------------------------------------------------------------------------------------------
    // Constants and configuration
    // ------------------------------------------------------------------------------------------

    /// @notice First byte of every session id (LP-042 idPrefix "07": post-quantum session).
    function SESSION_ID_PREFIX() external view returns (bytes1);
    /// @notice Most participants per session (100, Session's closed-group limit). Creating a channel
    /// costs one new storage slot and 1,184 bytes of key calldata and event data per participant, about
    /// 57,000 gas each: about 5.7M gas for 100 participants with every key given, under half of the
    /// 15M block.
    function MAX_PARTICIPANTS() external view returns (uint256);
    /// @notice Largest ciphertext: 16 KiB (the challengeable message size of the storage layer).
    function MAX_MESSAGE_BYTES() external view returns (uint256);
    /// @notice ML-KEM-768 encapsulation key length (FIPS 203): 1,184 bytes.
    function MLKEM768_PUBLIC_KEY_BYTES() external view returns (uint256);
    /// @notice Base fee of a session: 0.001 PARS.
    function CREATE_FEE() external view returns (uint256);
    /// @notice Base fee of a message per started KiB: 0.0001 PARS.
    function MESSAGE_FEE_PER_KIB() external view returns (uint256);
    /// @notice Version of the Warp payload format. Version 1:
    /// `abi.encode(uint8 version, uint8 kind, bytes32 sessionId, bytes body)` with
    /// - kind 1 WARP_SESSION_CREATED: body = abi.encode(address creator, uint40 expiresAt,
    ///   address[] participants, bytes[] mlkemPublicKeys)  (empty entries: keys still to join)
    /// - kind 2 WARP_PARTICIPANT_JOINED: body = abi.encode(address participant, bytes mlkemPublicKey)
    /// - kind 3 WARP_MESSAGE_SENT: body = abi.encode(address sender, uint64 sequence, bytes32 messageId,
    ///   bytes ciphertext)
    /// - kind 4 WARP_SESSION_CLOSED: body = abi.encode(address by)
    /// The Warp envelope already names the source chain and this contract, so the payload does not.
    function WARP_PAYLOAD_VERSION() external view returns (uint8);

    /// @notice Session lifetime in seconds (LP-042 sessionTTL, default 86,400). Fixed at deployment, so
    /// sessions expire in creation order, which the O(1) channel queue relies on.
    function sessionTTL() external view returns (uint256);
    /// @notice Messages a session may carry (LP-042 maxMessages, default 10,000).
    function maxMessages() external view returns (uint256);
    /// @notice Channels (sessions of more than two participants) that may be open at once (LP-042
    /// maxChannels, default 1,000). Open = pending or active, and not yet released.
    function maxChannels() external view returns (uint256);
    /// @notice The Warp messenger that session actions are forwarded to (zero: none).
    function messenger() external view returns (address);

    // ------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------

    /// @notice Sets the Warp messenger (zero disables forwarding). Only DEFAULT_ADMIN_ROLE.
    function setMessenger(address newMessenger) external;
    /// @notice Sets maxMessages (1..MAX_MESSAGES_LIMIT); applies to every session from the next message.
    /// Only DEFAULT_ADMIN_ROLE.
    function setMaxMessages(uint256 value) external;
    /// @notice Sets maxChannels (0..MAX_CHANNELS_LIMIT); open channels above a lowered limit stay open.
    /// The price curve scales with it (its knee and step are fractions of the pool). Only
    /// DEFAULT_ADMIN_ROLE.
    function setMaxChannels(uint256 value) external;
    /// @notice Sets the channel price curve (see `channelPriceAt`). Only DEFAULT_ADMIN_ROLE.
    /// @param surgeFromBps share of maxChannels, in basis points, priced at the base fee
    /// (0..MAX_CHANNEL_SURGE_FROM_BPS = 9,000: at least a tenth of the pool is always priced by the curve)
    /// @param doublings times the price doubles between the knee and a full pool
    /// (MIN_CHANNEL_DOUBLINGS = 10 .. MAX_CHANNEL_DOUBLINGS = 64: when at least `doublings` slots are
    /// priced, the last one costs at least 2^(doublings − 1) base fees; prices stay far from overflow)
    function setChannelPricing(uint256 surgeFromBps, uint256 doublings) external;

    // ------------------------------------------------------------------------------------------
    // Session flows
    // ------------------------------------------------------------------------------------------

    /// @notice LP-042 CreateSession: creates a session. The creator vouches for the keys it supplies;
    /// a participant whose key is left empty supplies its own with `joinSession`, and the session stays
    /// pending until then. The creator need not be a participant (a contract may open sessions for
    /// its users, as in PIP-0007).
    /// @dev Payable: at least `quoteCreateSession()` for two participants, `quoteCreateChannel()` for
    /// more; the excess is refunded. Reverts while paused. Channels (more than two participants) first
    /// release up to MAX_RELEASES_ON_CREATE expired channels from the front of the queue, then need a free
    /// slot, and are priced at the slots still taken. Forwarded over Warp as a WARP_SESSION_CREATED payload.
    /// @param participants 2..MAX_PARTICIPANTS distinct non-zero addresses, in a fixed order
    /// @param mlkemPublicKeys one entry per participant: its 1,184-byte ML-KEM-768 key, or empty
    /// @param salt any value chosen by the creator, so that it can derive the id before sending
    /// @return sessionId the new session's id
    /// @return expiresAt when it expires (creation time + sessionTTL)
    function createSession(address[] calldata participants, bytes[] calldata mlkemPublicKeys, bytes32 salt)
        external
        payable
        returns (bytes32 sessionId, uint40 expiresAt);

    /// @notice Supplies the caller's ML-KEM key to a pending session in which it has none.
    /// @dev Free; allowed while paused. Reverts unless the session is pending, the caller is a
    /// participant and has no key yet. The last missing key makes the session active.
    /// @param sessionId the session
    /// @param mlkemPublicKey the caller's 1,184-byte ML-KEM-768 key
    function joinSession(bytes32 sessionId, bytes calldata mlkemPublicKey) external;

    /// @notice LP-042 SendMessage: sends a ciphertext into an active session as the caller.
    /// @dev Only participants; `sequence` must equal the session's message count (replays fail);
    /// payable: at least `quoteMessage(ciphertext.length)`, the excess refunded. Reverts while paused.
    /// The ML-DSA signature of LP-042 travels inside the ciphertext: on the EVM the transaction
    /// signature authenticates the sender.
    /// @param sessionId the session
    /// @param sequence the session's next sequence number
    /// @param ciphertext 1 byte .. MAX_MESSAGE_BYTES
    /// @return messageId the message id (see the interface notes)
    /// @return sequenceOut the sequence number the message took (equal to `sequence`)
    function sendMessage(bytes32 sessionId, uint64 sequence, bytes calldata ciphertext)
        external
        payable
        returns (bytes32 messageId, uint64 sequenceOut);

    /// @notice Closes a pending or active session. Only a participant; free; allowed while paused.
    /// @param sessionId the session
    function closeSession(bytes32 sessionId) external;

    /// @notice Releases up to `count` expired channels from the front of the channel queue (anyone).
    /// Creating a channel releases up to MAX_RELEASES_ON_CREATE itself; after many channels expired at
    /// once (a burst, or an attacker's fill running out) or governance lowered maxChannels, calling this
    /// first brings `quoteCreateChannel()` down to the price of the channels really open.
    /// @param count at most this many (capped at MAX_RELEASES_PER_CALL)
    /// @return released how many were released
    function releaseExpiredChannels(uint256 count) external returns (uint256 released);

    // ------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------

    /// @notice LP-042 GetSession. Reverts with UnknownSession for an id never created.
    function getSession(bytes32 sessionId) external view returns (SessionInfo memory);

    /// @notice The status of a session now (`None` if it does not exist).
    function sessionStatus(bytes32 sessionId) external view returns (SessionStatus);

    /// @notice Whether `account` is a participant of the session, and whether it has supplied its ML-KEM
    /// key (given at creation or by joining; the key itself is in the SessionCreated or
    /// ParticipantJoined event). Both false for an unknown session. Two-party sessions answer by
    /// fingerprint (see the interface notes).
    function participantStatus(bytes32 sessionId, address account)
        external
        view
        returns (bool isParticipant, bool hasKey);

    /// @notice The fingerprint a two-party session keeps for `account`: the low FINGERPRINT_BITS bits of
    /// keccak256(abi.encode(sessionId, account)).
    function participantFingerprint(bytes32 sessionId, address account) external pure returns (uint256);

    /// @notice LP-042 Health. `healthy`: the swarm network is healthy and the bridge is not paused.
    /// `sessions` / `channels`: open (pending or active) sessions and channels, counted by expiry in
    /// buckets of sessionTTL / 24 seconds: a session counts until the end of the bucket in which it
    /// expires (at most one bucket late, never early), and stops counting at once when it is closed.
    function health() external view returns (bool healthy, uint256 sessions, uint256 channels);

    /// @notice Channels holding a slot of maxChannels now: open channels plus expired ones that have
    /// not been released yet.
    function channelSlotsUsed() external view returns (uint256);

    /// @notice The session id `createSession(participants, keys, salt)` from `creator` would get.
    function deriveSessionId(address creator, bytes32 salt, address[] calldata participants)
        external
        view
        returns (bytes32);

    /// @notice The salt the PIP-0007 overload uses for `creator`'s next session.
    function nextAutoSalt(address creator) external view returns (bytes32);

    /// @notice Fee multiplier from storage utilisation u = storageUsed / storageCapacity of the swarm
    /// network (compared exactly): u < 50% ×1, < 70% ×2, < 85% ×5, < 95% ×10, else ×50. With zero
    /// capacity (no active node, hence nothing stored) u is taken as 0.
    function feeMultiplier() external view returns (uint256);

    /// @notice The exact fee `createSession` charges now for a two-party session: CREATE_FEE ×
    /// feeMultiplier(). A channel: `quoteCreateChannel()`.
    function quoteCreateSession() external view returns (uint256);

    /// @notice The exact fee `createSession` charges now for a channel (more than two participants):
    /// `channelPriceAt(slots still taken after the releases the creation makes)`. Reverts with
    /// TooManyChannels if the creation would.
    function quoteCreateChannel() external view returns (uint256);

    /// @notice The fee of a channel created while `slotsTaken` slots of maxChannels are taken, at the
    /// current storage multiplier and parameters: with base = CREATE_FEE × feeMultiplier(),
    /// knee = floor(maxChannels × channelSurgeFromBps / 10,000) and
    /// step = ceil((maxChannels − knee) / channelDoublings): base if slotsTaken < knee, otherwise, with
    /// j = slotsTaken − knee, ceil(base × 2^floor(j / step) × (step + j mod step) / step). Summed over
    /// 0..maxChannels − 1 it is what holding the whole pool for one TTL costs. Reverts with
    /// TooManyChannels if slotsTaken ≥ maxChannels.
    function channelPriceAt(uint256 slotsTaken) external view returns (uint256);

    /// @notice The channel price curve's parameters (defaults 5,000 bps and 20).
    function channelPricing() external view returns (uint256 surgeFromBps, uint256 doublings);

    /// @notice The exact fee `sendMessage` charges now for a ciphertext of `size` bytes:
    /// MESSAGE_FEE_PER_KIB × ceil(size / 1024) × feeMultiplier(). Reverts with EmptyMessage or
    /// MessageTooLarge as sendMessage would.
    function quoteMessage(uint256 size) external view returns (uint256);

    /// @notice Pays the fees collected for `swarmId` into its pool (`depositFees`, 80% to the swarm's
    /// active nodes by stake, 20% to the treasury). Anyone may call it; never blocked by the pause.
    /// @dev Fees are collected per swarm and paid in batches: each paid action then writes one slot
    /// here instead of calling the rewards contract. The nodes in the swarm when it is flushed share it.
    /// @return amount wei paid into the pool
    function flushFees(uint32 swarmId) external returns (uint256 amount);

    /// @notice Fees collected for `swarmId` and not yet paid into its pool.
    function pendingFees(uint32 swarmId) external view returns (uint256);

    // ------------------------------------------------------------------------------------------
    // Constants, immutables and governance parameters
    // ------------------------------------------------------------------------------------------

    /// @notice Domain of the salts the PIP-0007 overload derives from a creator's nonce.
    function AUTO_SALT_DOMAIN() external view returns (bytes32);
    /// @notice Size of the expiry-bucket ring. A bucket is ceil(TTL / 24) seconds, so the expiries of
    /// open sessions, between now and now + TTL, span at most 25 buckets: a slot is reused only after
    /// every session counted in it has expired.
    function BUCKET_COUNT() external view returns (uint256);
    /// @notice Width of an expiry bucket: ceil(sessionTTL / 24) seconds (one hour at the default TTL).
    function BUCKET_SECONDS() external view returns (uint256);
    /// @notice Width of the participant fingerprints a two-party session keeps (see `participantFingerprint`).
    function FINGERPRINT_BITS() external view returns (uint256);
    /// @notice Upper bound of maxChannels.
    function MAX_CHANNELS_LIMIT() external view returns (uint256);
    /// @notice Upper bound of channelDoublings: a price stays below CREATE_FEE × 50 × 2^65, far from
    /// overflow, and is already beyond any supply.
    function MAX_CHANNEL_DOUBLINGS() external view returns (uint256);
    /// @notice Upper bound of channelSurgeFromBps: at least a tenth of the pool is priced by the curve,
    /// so no setting leaves the whole pool at the base fee.
    function MAX_CHANNEL_SURGE_FROM_BPS() external view returns (uint256);
    /// @notice Upper bound of maxMessages (the sequence is stored in 32 bits).
    function MAX_MESSAGES_LIMIT() external view returns (uint256);
    /// @notice Expired channels creating a channel releases from the front of the queue before it is
    /// priced and admitted.
    function MAX_RELEASES_ON_CREATE() external view returns (uint256);
    /// @notice Most expired channels one call releases.
    function MAX_RELEASES_PER_CALL() external view returns (uint256);
    /// @notice Upper bound of the session TTL fixed at deployment.
    function MAX_SESSION_TTL() external view returns (uint256);
    /// @notice Lower bound of channelDoublings: the last slot costs at least 2^9 base fees, so filling
    /// the pool always costs far more than its slots at the base fee.
    function MIN_CHANNEL_DOUBLINGS() external view returns (uint256);
    /// @notice Lower bound of the session TTL fixed at deployment.
    function MIN_SESSION_TTL() external view returns (uint256);
    /// @notice Receives every fee (`depositFees`), which splits it 80% swarm / 20% treasury.
    function REWARDS() external view returns (IServiceNodeRewards);
    /// @notice Domain of the session id hash.
    function SESSION_ID_DOMAIN() external view returns (bytes32);
    /// @notice The swarm coordinator: inbox → swarm mapping, storage utilisation, network health.
    function SWARMS() external view returns (ISwarmCoordinator);
    /// @notice Warp payload kind: a message was sent.
    function WARP_MESSAGE_SENT() external view returns (uint8);
    /// @notice Warp payload kind: a participant supplied its key.
    function WARP_PARTICIPANT_JOINED() external view returns (uint8);
    /// @notice Warp payload kind: a session was closed.
    function WARP_SESSION_CLOSED() external view returns (uint8);
    /// @notice Warp payload kind: a session was created.
    function WARP_SESSION_CREATED() external view returns (uint8);
    /// @notice Sessions each creator has opened through the PIP-0007 overload (its next salt's nonce).
    function autoSessionNonce(address creator) external view returns (uint256);
}
