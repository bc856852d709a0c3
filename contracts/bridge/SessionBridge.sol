// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ISessionBridge} from "../interfaces/ISessionBridge.sol";
import {ISessionVM} from "../interfaces/ISessionVM.sol";
import {ISwarmCoordinator} from "../interfaces/ISwarmCoordinator.sol";
import {IServiceNodeRewards} from "../interfaces/IServiceNodeRewards.sol";
import {IWarpMessenger} from "../precompiles/IWarpMessenger.sol";
import {SessionWord, SessionWordLib, MessageWord} from "./SessionWord.sol";
import {GuardianPause} from "../governance/GuardianPause.sol";
import {ChannelQueue} from "./ChannelQueue.sol";

/// @title SessionBridge
/// @notice LP-042 sessions and PIP-0007's ISessionVM on the Pars EVM chain: sessions, ML-KEM keys
/// (in events), sequenced ciphertext messages, fees routed to the serving swarm, Warp forwarding.
/// @dev Gas shape: every function is O(1) in the number of sessions, nodes and swarms. The loops are
/// over the participants of one session (≤ MAX_PARTICIPANTS), over the fixed ring of BUCKET_COUNT
/// expiry buckets (views only), and over at most MAX_RELEASES_PER_CALL expired channels.
///
/// Storage per session: one word (`_sessions`) written once at creation; a two-party session keeps
/// both participants in it as 104-bit fingerprints, so creating one writes a single new slot. The
/// message word (`_messages`: count and 224-bit head) is written from zero by the first message and
/// rewritten by each later one. A channel adds one membership word per participant. A send reads the
/// configuration, the session word (membership included for two-party sessions) and the message
/// word, and rewrites the message word and the swarm's fee accumulator.
///
/// Open sessions are counted by expiry bucket (`health`); open channels are kept in a doubly linked
/// queue in creation order, which is also expiry order because the TTL is fixed, so the oldest open
/// channel is always at the front and admission against maxChannels is exact: creating a channel first
/// releases up to MAX_RELEASES_ON_CREATE expired channels from the front, then takes a slot.
contract SessionBridge is ISessionBridge, GuardianPause, ReentrancyGuardTransient {
    // ------------------------------------------------------------------ constants

    /// @inheritdoc ISessionBridge
    bytes1 public constant SESSION_ID_PREFIX = 0x07;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_PARTICIPANTS = 100;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_MESSAGE_BYTES = 16 * 1024;
    /// @inheritdoc ISessionBridge
    uint256 public constant MLKEM768_PUBLIC_KEY_BYTES = 1184;
    /// @inheritdoc ISessionBridge
    uint256 public constant CREATE_FEE = 0.001 ether;
    /// @inheritdoc ISessionBridge
    uint256 public constant MESSAGE_FEE_PER_KIB = 0.0001 ether;
    /// @inheritdoc ISessionBridge
    uint8 public constant WARP_PAYLOAD_VERSION = 1;
    /// @inheritdoc ISessionBridge
    uint8 public constant WARP_SESSION_CREATED = 1;
    /// @inheritdoc ISessionBridge
    uint8 public constant WARP_PARTICIPANT_JOINED = 2;
    /// @inheritdoc ISessionBridge
    uint8 public constant WARP_MESSAGE_SENT = 3;
    /// @inheritdoc ISessionBridge
    uint8 public constant WARP_SESSION_CLOSED = 4;

    /// @inheritdoc ISessionBridge
    bytes32 public constant SESSION_ID_DOMAIN = keccak256("ParsSessionBridge.sessionId");
    /// @inheritdoc ISessionBridge
    bytes32 public constant AUTO_SALT_DOMAIN = keccak256("ParsSessionBridge.autoSalt");

    /// @inheritdoc ISessionBridge
    uint256 public constant MIN_SESSION_TTL = 1 hours;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_SESSION_TTL = 30 days;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_MESSAGES_LIMIT = 1_000_000;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_CHANNELS_LIMIT = 100_000;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_RELEASES_PER_CALL = 100;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_RELEASES_ON_CREATE = 4;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_CHANNEL_SURGE_FROM_BPS = 9_000;
    /// @inheritdoc ISessionBridge
    uint256 public constant MIN_CHANNEL_DOUBLINGS = 10;
    /// @inheritdoc ISessionBridge
    uint256 public constant MAX_CHANNEL_DOUBLINGS = 64;
    /// @inheritdoc ISessionBridge
    uint256 public constant BUCKET_COUNT = 25;

    uint256 private constant DEFAULT_MAX_MESSAGES = 10_000;
    uint256 private constant DEFAULT_MAX_CHANNELS = 1_000;
    uint256 private constant DEFAULT_CHANNEL_SURGE_FROM_BPS = 5_000;
    uint256 private constant DEFAULT_CHANNEL_DOUBLINGS = 20;
    uint256 private constant KIB = 1024;
    uint256 private constant ID_LOW_MASK = type(uint256).max >> 8;

    /// @inheritdoc ISessionBridge
    uint256 public constant FINGERPRINT_BITS = SessionWordLib.FINGERPRINT_BITS;

    /// @dev Channel membership values.
    uint256 private constant MEMBER_PENDING = 1;
    uint256 private constant MEMBER_KEYED = 2;

    // ------------------------------------------------------------------ immutables

    /// @inheritdoc ISessionBridge
    ISwarmCoordinator public immutable SWARMS;
    /// @inheritdoc ISessionBridge
    IServiceNodeRewards public immutable REWARDS;
    /// @inheritdoc ISessionBridge
    uint256 public immutable sessionTTL;
    /// @inheritdoc ISessionBridge
    uint256 public immutable BUCKET_SECONDS;

    // ------------------------------------------------------------------ storage

    /// @dev Everything a send reads besides the session, in one slot: 160 + 32 + 32 + 8 bits.
    struct Config {
        address messenger;
        uint32 maxMessages;
        uint32 maxChannels;
        bool paused;
    }

    /// @dev What `_open` hands back to the create functions (memory only).
    struct Opened {
        bytes32 sessionId;
        uint40 expiresAt;
        uint32 swarmId;
        uint256 fee;
    }

    /// @dev Open sessions and channels expiring in bucket `index`, one slot (104 bits).
    struct Bucket {
        uint40 index;
        uint32 sessions;
        uint32 channels;
    }

    Config private _config;
    ChannelQueue.Header private _channels;
    /// @dev Fees collected per swarm, paid into the rewards pool by `flushFees`.
    mapping(uint32 swarmId => uint256) private _pendingFees;
    /// @dev The session record (`SessionWord`); zero: no session.
    mapping(bytes32 sessionId => SessionWord) private _sessions;
    /// @dev The message word (`MessageWord`): count and head; zero until the first message.
    mapping(bytes32 sessionId => MessageWord) private _messages;
    /// @dev Channel membership: MEMBER_PENDING until the participant has a key, then MEMBER_KEYED;
    /// zero for non-participants. Two-party sessions keep their participants in the session word.
    mapping(bytes32 sessionId => mapping(address account => uint256)) private _members;
    mapping(uint64 channelNumber => ChannelQueue.Node) private _channelNodes;
    mapping(uint256 ringSlot => Bucket) private _buckets;

    /// @inheritdoc ISessionBridge
    mapping(address creator => uint256) public autoSessionNonce;

    // ------------------------------------------------------------------ constructor

    /// @param admin receives DEFAULT_ADMIN_ROLE (the 24-hour timelock in production)
    /// @param guardian receives GUARDIAN_ROLE (zero: none)
    /// @param swarms the swarm coordinator
    /// @param rewards the rewards contract that takes the fees
    /// @param messenger_ the Warp messenger (zero: no forwarding)
    /// @param sessionTTL_ session lifetime in seconds (MIN_SESSION_TTL..MAX_SESSION_TTL; LP-042: 86,400)
    constructor(
        address admin,
        address guardian,
        ISwarmCoordinator swarms,
        IServiceNodeRewards rewards,
        address messenger_,
        uint256 sessionTTL_
    ) {
        if (admin == address(0) || address(swarms) == address(0) || address(rewards) == address(0)) {
            revert ZeroAddress();
        }
        if (sessionTTL_ < MIN_SESSION_TTL || sessionTTL_ > MAX_SESSION_TTL) revert InvalidSessionTTL(sessionTTL_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        SWARMS = swarms;
        REWARDS = rewards;
        sessionTTL = sessionTTL_;
        BUCKET_SECONDS = (sessionTTL_ + 23) / 24;
        _config = Config({
            messenger: messenger_,
            maxMessages: uint32(DEFAULT_MAX_MESSAGES),
            maxChannels: uint32(DEFAULT_MAX_CHANNELS),
            paused: false
        });
        _channels.surgeFromBps = uint16(DEFAULT_CHANNEL_SURGE_FROM_BPS);
        _channels.doublings = uint8(DEFAULT_CHANNEL_DOUBLINGS);
        if (messenger_ != address(0)) emit MessengerSet(address(0), messenger_);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc ISessionBridge
    function setMessenger(address newMessenger) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address previous = _config.messenger;
        _config.messenger = newMessenger;
        emit MessengerSet(previous, newMessenger);
    }

    /// @inheritdoc ISessionBridge
    function setMaxMessages(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == 0 || value > MAX_MESSAGES_LIMIT) revert InvalidParameter("maxMessages", value);
        _config.maxMessages = uint32(value);
        emit ParameterChanged("maxMessages", value);
    }

    /// @inheritdoc ISessionBridge
    function setMaxChannels(uint256 value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value > MAX_CHANNELS_LIMIT) revert InvalidParameter("maxChannels", value);
        _config.maxChannels = uint32(value);
        emit ParameterChanged("maxChannels", value);
    }

    /// @inheritdoc ISessionBridge
    function setChannelPricing(uint256 surgeFromBps, uint256 doublings) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (surgeFromBps > MAX_CHANNEL_SURGE_FROM_BPS) revert InvalidParameter("channelSurgeFromBps", surgeFromBps);
        if (doublings < MIN_CHANNEL_DOUBLINGS || doublings > MAX_CHANNEL_DOUBLINGS) {
            revert InvalidParameter("channelDoublings", doublings);
        }
        ChannelQueue.Header storage q = _channels;
        q.surgeFromBps = uint16(surgeFromBps);
        q.doublings = uint8(doublings);
        emit ParameterChanged("channelSurgeFromBps", surgeFromBps);
        emit ParameterChanged("channelDoublings", doublings);
    }

    function _isPaused() internal view override returns (bool) {
        return _config.paused;
    }

    function _setPaused(bool value) internal override {
        _config.paused = value;
    }

    // ------------------------------------------------------------------ session flows

    /// @inheritdoc ISessionBridge
    function createSession(address[] calldata participants, bytes[] calldata mlkemPublicKeys, bytes32 salt)
        external
        payable
        nonReentrant
        returns (bytes32 sessionId, uint40 expiresAt)
    {
        Config memory config = _config;
        if (config.paused) revert EnforcedPause();
        Opened memory o = _open(participants, _keyedMask(participants.length, mlkemPublicKeys), salt, config);

        emit SessionCreated(o.sessionId, msg.sender, o.swarmId, o.expiresAt, participants, mlkemPublicKeys, o.fee);

        bytes memory body;
        if (config.messenger != address(0)) body = abi.encode(msg.sender, o.expiresAt, participants, mlkemPublicKeys);
        _settle(config.messenger, WARP_SESSION_CREATED, o.sessionId, body, o.swarmId, o.fee);
        return (o.sessionId, o.expiresAt);
    }

    /// @inheritdoc ISessionVM
    function createSession(address[] calldata participants)
        external
        payable
        nonReentrant
        returns (bytes32 sessionId)
    {
        Config memory config = _config;
        if (config.paused) revert EnforcedPause();
        uint256 n = _checkCount(participants.length);
        bytes32 salt = nextAutoSalt(msg.sender);
        autoSessionNonce[msg.sender] += 1;
        Opened memory o = _open(participants, 0, salt, config);

        bytes[] memory noKeys = new bytes[](n);
        emit SessionCreated(o.sessionId, msg.sender, o.swarmId, o.expiresAt, participants, noKeys, o.fee);

        bytes memory body;
        if (config.messenger != address(0)) body = abi.encode(msg.sender, o.expiresAt, participants, noKeys);
        _settle(config.messenger, WARP_SESSION_CREATED, o.sessionId, body, o.swarmId, o.fee);
        return o.sessionId;
    }

    /// @inheritdoc ISessionBridge
    function joinSession(bytes32 sessionId, bytes calldata mlkemPublicKey) external nonReentrant {
        SessionWord word = _existing(sessionId);
        bool channel = word.isChannel();
        uint256 side;
        if (channel) {
            uint256 member = _members[sessionId][msg.sender];
            if (member == 0) revert NotParticipant(sessionId, msg.sender);
            if (member == MEMBER_KEYED) revert AlreadyJoined(sessionId, msg.sender);
        } else {
            side = word.sideOf(_fingerprint(sessionId, msg.sender));
            if (side == 0) revert NotParticipant(sessionId, msg.sender);
            if (!word.isPending(side)) revert AlreadyJoined(sessionId, msg.sender);
        }
        SessionStatus status = _statusOf(word);
        if (status != SessionStatus.Pending) revert InvalidSessionStatus(sessionId, status);
        if (mlkemPublicKey.length != MLKEM768_PUBLIC_KEY_BYTES) revert InvalidKeyLength(0, mlkemPublicKey.length);

        if (channel) _members[sessionId][msg.sender] = MEMBER_KEYED;
        word = word.withKeyGiven(side);
        _sessions[sessionId] = word;

        emit ParticipantJoined(sessionId, msg.sender, mlkemPublicKey);
        if (!word.hasPending()) emit SessionActivated(sessionId);

        address messenger_ = _config.messenger;
        if (messenger_ != address(0)) {
            _forward(messenger_, WARP_PARTICIPANT_JOINED, sessionId, abi.encode(msg.sender, mlkemPublicKey));
        }
    }

    /// @inheritdoc ISessionBridge
    function sendMessage(bytes32 sessionId, uint64 sequence, bytes calldata ciphertext)
        external
        payable
        nonReentrant
        returns (bytes32 messageId, uint64 sequenceOut)
    {
        messageId = _send(sessionId, sequence, true, ciphertext);
        sequenceOut = sequence;
    }

    /// @inheritdoc ISessionVM
    function sendMessage(bytes32 sessionId, bytes calldata encrypted) external payable nonReentrant {
        _send(sessionId, 0, false, encrypted);
    }

    /// @inheritdoc ISessionBridge
    function closeSession(bytes32 sessionId) external nonReentrant {
        SessionWord word = _existing(sessionId);
        if (!_isMember(sessionId, word, msg.sender)) revert NotParticipant(sessionId, msg.sender);
        SessionStatus status = _statusOf(word);
        if (status != SessionStatus.Pending && status != SessionStatus.Active) {
            revert InvalidSessionStatus(sessionId, status);
        }

        _sessions[sessionId] = word.closed();
        bool channel = word.isChannel();
        _uncount(word.expiresAt(), channel);
        if (channel) {
            // An open channel is still in the queue: only expired channels are released.
            ChannelQueue.Header memory q = _channels;
            ChannelQueue.unlink(q, _channelNodes, word.channelNumber());
            _channels = q;
        }

        emit SessionClosed(sessionId, msg.sender);

        address messenger_ = _config.messenger;
        if (messenger_ != address(0)) _forward(messenger_, WARP_SESSION_CLOSED, sessionId, abi.encode(msg.sender));
    }

    /// @inheritdoc ISessionBridge
    function releaseExpiredChannels(uint256 count) external returns (uint256 released) {
        if (count > MAX_RELEASES_PER_CALL) count = MAX_RELEASES_PER_CALL;
        ChannelQueue.Header memory q = _channels;
        released = ChannelQueue.releaseExpired(q, _channelNodes, count);
        if (released != 0) _channels = q;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISessionBridge
    function maxMessages() external view returns (uint256) {
        return _config.maxMessages;
    }

    /// @inheritdoc ISessionBridge
    function maxChannels() external view returns (uint256) {
        return _config.maxChannels;
    }

    /// @inheritdoc ISessionBridge
    function messenger() external view returns (address) {
        return _config.messenger;
    }

    /// @inheritdoc ISessionBridge
    function getSession(bytes32 sessionId) external view returns (SessionInfo memory info) {
        SessionWord word = _existing(sessionId);
        MessageWord m = _messages[sessionId];
        uint40 expiresAt = word.expiresAt();
        info = SessionInfo({
            status: _statusOf(word),
            createdAt: uint40(expiresAt - sessionTTL),
            expiresAt: expiresAt,
            participantCount: word.participantCount(),
            pendingKeys: word.pendingKeys(),
            messageCount: m.count(),
            channel: word.isChannel(),
            messageHead: m.head()
        });
    }

    /// @inheritdoc ISessionBridge
    function sessionStatus(bytes32 sessionId) external view returns (SessionStatus) {
        return _statusOf(_sessions[sessionId]);
    }

    /// @inheritdoc ISessionBridge
    function participantStatus(bytes32 sessionId, address account)
        external
        view
        returns (bool isParticipant, bool hasKey)
    {
        SessionWord word = _sessions[sessionId];
        if (word.isEmpty()) return (false, false);
        if (word.isChannel()) {
            uint256 member = _members[sessionId][account];
            return (member != 0, member == MEMBER_KEYED);
        }
        uint256 side = word.sideOf(_fingerprint(sessionId, account));
        return (side != 0, side != 0 && !word.isPending(side));
    }

    /// @inheritdoc ISessionBridge
    function participantFingerprint(bytes32 sessionId, address account) external pure returns (uint256) {
        return _fingerprint(sessionId, account);
    }

    /// @inheritdoc ISessionBridge
    function health() external view returns (bool healthy, uint256 sessions, uint256 channels) {
        healthy = !_config.paused && SWARMS.isHealthy();
        uint256 current = block.timestamp / BUCKET_SECONDS;
        for (uint256 i; i < BUCKET_COUNT; ++i) {
            Bucket memory k = _buckets[i];
            if (k.index >= current) {
                sessions += k.sessions;
                channels += k.channels;
            }
        }
    }

    /// @inheritdoc ISessionBridge
    function channelSlotsUsed() external view returns (uint256) {
        return _channels.length;
    }

    /// @inheritdoc ISessionBridge
    function deriveSessionId(address creator, bytes32 salt, address[] calldata participants)
        public
        view
        returns (bytes32)
    {
        uint256 h = uint256(
            keccak256(abi.encode(SESSION_ID_DOMAIN, block.chainid, address(this), creator, salt, participants))
        );
        return bytes32((h & ID_LOW_MASK) | (uint256(uint8(SESSION_ID_PREFIX)) << 248));
    }

    /// @inheritdoc ISessionBridge
    function nextAutoSalt(address creator) public view returns (bytes32) {
        return keccak256(abi.encode(AUTO_SALT_DOMAIN, autoSessionNonce[creator]));
    }

    /// @inheritdoc ISessionBridge
    function flushFees(uint32 swarmId) external returns (uint256 amount) {
        amount = _pendingFees[swarmId];
        if (amount == 0) revert NothingToFlush(swarmId);
        _pendingFees[swarmId] = 0;
        emit FeesFlushed(swarmId, amount);
        REWARDS.depositFees{value: amount}(swarmId);
    }

    /// @inheritdoc ISessionBridge
    function pendingFees(uint32 swarmId) external view returns (uint256) {
        return _pendingFees[swarmId];
    }

    /// @inheritdoc ISessionBridge
    function feeMultiplier() public view returns (uint256) {
        uint256 capacity = _swarmsView(ISwarmCoordinator.storageCapacity.selector, 0);
        if (capacity == 0) return 1;
        uint256 used = _swarmsView(ISwarmCoordinator.storageUsed.selector, 0) * 100;
        if (used < capacity * 50) return 1;
        if (used < capacity * 70) return 2;
        if (used < capacity * 85) return 5;
        if (used < capacity * 95) return 10;
        return 50;
    }

    /// @inheritdoc ISessionBridge
    function quoteCreateSession() external view returns (uint256) {
        return CREATE_FEE * feeMultiplier();
    }

    /// @inheritdoc ISessionBridge
    function quoteCreateChannel() external view returns (uint256) {
        ChannelQueue.Header memory q = _channels;
        // The same releases createSession makes before it prices the channel.
        uint256 taken = ChannelQueue.takenAfterReleases(q, _channelNodes, MAX_RELEASES_ON_CREATE);
        return ChannelQueue.price(q, taken, _config.maxChannels, CREATE_FEE * feeMultiplier());
    }

    /// @inheritdoc ISessionBridge
    function channelPriceAt(uint256 slotsTaken) external view returns (uint256) {
        return ChannelQueue.price(_channels, slotsTaken, _config.maxChannels, CREATE_FEE * feeMultiplier());
    }

    /// @inheritdoc ISessionBridge
    function channelPricing() external view returns (uint256 surgeFromBps, uint256 doublings) {
        ChannelQueue.Header memory q = _channels;
        return (q.surgeFromBps, q.doublings);
    }

    /// @inheritdoc ISessionBridge
    function quoteMessage(uint256 size) public view returns (uint256) {
        return _messageBaseFee(size) * feeMultiplier();
    }

    // ------------------------------------------------------------------ internals: flows

    /// @dev Checks the participants and the fee, and writes the session word, the channel membership
    /// and the counters. Bit i of `keyed` is set if participant i's key was given.
    function _open(address[] calldata participants, uint256 keyed, bytes32 salt, Config memory config)
        private
        returns (Opened memory o)
    {
        uint256 n = participants.length; // checked by the caller
        bool channel = n > 2;
        if (!channel) o.fee = _requireFee(CREATE_FEE);
        bytes32 sessionId = deriveSessionId(msg.sender, salt, participants);
        o.sessionId = sessionId;
        if (!_sessions[sessionId].isEmpty()) revert SessionExists(sessionId);

        uint40 expiresAt = uint40(block.timestamp + sessionTTL);
        o.expiresAt = expiresAt;
        SessionWord word;
        if (!channel) {
            word = _pairWord(sessionId, expiresAt, participants[0], participants[1], keyed);
        } else {
            uint256 pending;
            mapping(address => uint256) storage members = _members[sessionId];
            for (uint256 i; i < n; ++i) {
                address p = participants[i];
                if (p == address(0)) revert ZeroParticipant(i);
                if (members[p] != 0) revert DuplicateParticipant(p);
                if ((keyed >> i) & 1 != 0) {
                    members[p] = MEMBER_KEYED;
                } else {
                    members[p] = MEMBER_PENDING;
                    ++pending;
                }
            }
            uint256 number;
            (number, o.fee) = _admitChannel(expiresAt, config.maxChannels);
            if (msg.value < o.fee) revert InsufficientFee(msg.value, o.fee);
            // n ≤ MAX_PARTICIPANTS < 2^8, pending ≤ n
            word = SessionWordLib.channel(expiresAt, uint8(n), uint8(pending), uint64(number));
        }
        _sessions[sessionId] = word;
        _count(expiresAt, channel);
        o.swarmId = _swarmFor(sessionId);
    }

    /// @dev A two-party session's word: both fingerprints and the pending bits.
    function _pairWord(bytes32 sessionId, uint40 expiresAt, address a, address b, uint256 keyed)
        private
        pure
        returns (SessionWord)
    {
        if (a == address(0)) revert ZeroParticipant(0);
        if (b == address(0)) revert ZeroParticipant(1);
        if (a == b) revert DuplicateParticipant(b);
        uint256 fa = _fingerprint(sessionId, a);
        uint256 fb = _fingerprint(sessionId, b);
        if (fa == fb) revert FingerprintCollision(a, b);
        return SessionWordLib.pair(expiresAt, fa, fb, keyed & 1 != 0, keyed & 2 != 0);
    }

    /// @dev Checks the keys given at creation; bit i of the result is set if key i is given.
    function _keyedMask(uint256 n, bytes[] calldata mlkemPublicKeys) private pure returns (uint256 keyed) {
        _checkCount(n);
        if (mlkemPublicKeys.length != n) revert LengthMismatch(n, mlkemPublicKeys.length);
        for (uint256 i; i < n; ++i) {
            uint256 length = mlkemPublicKeys[i].length;
            if (length == MLKEM768_PUBLIC_KEY_BYTES) {
                keyed |= 1 << i;
            } else if (length != 0) {
                revert InvalidKeyLength(i, length);
            }
        }
    }

    /// @dev sendMessage with an exact sequence (`checkSequence`) or with the next one (PIP-0007).
    function _send(bytes32 sessionId, uint64 sequence, bool checkSequence, bytes calldata ciphertext)
        private
        returns (bytes32 messageId)
    {
        Config memory config = _config;
        if (config.paused) revert EnforcedPause();
        _requireSender(sessionId);
        MessageWord m = _messages[sessionId];
        uint64 expected = m.count();
        if (!checkSequence) {
            sequence = expected;
        } else if (sequence != expected) {
            revert InvalidSequence(sessionId, sequence, expected);
        }
        if (expected >= config.maxMessages) revert MessageLimitReached(sessionId, config.maxMessages);
        uint256 fee = _requireFee(_messageBaseFee(ciphertext.length));
        uint32 swarmId = _swarmFor(sessionId);

        messageId = _emitMessageSent(sessionId, swarmId, sequence, ciphertext, fee);
        _messages[sessionId] = m.next(messageId);

        bytes memory payload;
        if (config.messenger != address(0)) payload = abi.encode(msg.sender, sequence, messageId, ciphertext);
        _settle(config.messenger, WARP_MESSAGE_SENT, sessionId, payload, swarmId, fee);
    }

    /// @dev Reverts unless the session exists, is active and the caller is one of its participants.
    function _requireSender(bytes32 sessionId) private view {
        SessionWord word = _existing(sessionId);
        SessionStatus status = _statusOf(word);
        if (status != SessionStatus.Active) revert InvalidSessionStatus(sessionId, status);
        if (!_isMember(sessionId, word, msg.sender)) revert NotParticipant(sessionId, msg.sender);
    }

    /// @dev Computes the message id and emits MessageSent with one copy of the ciphertext in memory:
    /// the ciphertext is copied once, at the place the event data needs it, hashed there, and the
    /// event is logged from the same buffer. Equivalent to
    /// `messageId = keccak256(abi.encode(sessionId, sequence, msg.sender, keccak256(ciphertext)))` and
    /// `emit MessageSent(sessionId, swarmId, msg.sender, sequence, messageId, ciphertext, fee)`.
    /// Uses free memory without allocating it (nothing that follows reads it).
    function _emitMessageSent(
        bytes32 sessionId,
        uint32 swarmId,
        uint64 sequence,
        bytes calldata ciphertext,
        uint256 fee
    ) private returns (bytes32 messageId) {
        bytes32 topic = MessageSent.selector;
        assembly ("memory-safe") {
            // Sub-word values are masked: inline assembly may not assume their high bits are clean.
            sequence := and(sequence, 0xffffffffffffffff)
            swarmId := and(swarmId, 0xffffffff)
            let ptr := mload(0x40)
            let len := ciphertext.length
            let data := add(ptr, 0xa0)
            calldatacopy(data, ciphertext.offset, len)
            mstore(add(data, len), 0) // zero padding of the last word
            let ctHash := keccak256(data, len)
            mstore(ptr, sessionId)
            mstore(add(ptr, 0x20), sequence)
            mstore(add(ptr, 0x40), caller())
            mstore(add(ptr, 0x60), ctHash)
            messageId := keccak256(ptr, 0x80)
            // abi.encode(uint64 sequence, bytes32 messageId, bytes ciphertext, uint256 fee)
            mstore(ptr, sequence)
            mstore(add(ptr, 0x20), messageId)
            mstore(add(ptr, 0x40), 0x80)
            mstore(add(ptr, 0x60), fee)
            mstore(add(ptr, 0x80), len)
            log4(ptr, add(0xa0, and(add(len, 31), not(31))), topic, sessionId, swarmId, caller())
        }
    }

    /// @dev Effects and interactions of a paid action: the fee collected for the swarm, the Warp
    /// message, the refund.
    function _settle(
        address messenger_,
        uint8 kind,
        bytes32 sessionId,
        bytes memory body,
        uint32 swarmId,
        uint256 fee
    ) private {
        _pendingFees[swarmId] += fee;
        if (messenger_ != address(0)) _forward(messenger_, kind, sessionId, body);
        uint256 refund = msg.value - fee;
        if (refund != 0) {
            (bool ok,) = msg.sender.call{value: refund}("");
            if (!ok) revert RefundFailed(msg.sender, refund);
        }
    }

    function _forward(address messenger_, uint8 kind, bytes32 sessionId, bytes memory body) private {
        IWarpMessenger(messenger_).sendWarpMessage(abi.encode(WARP_PAYLOAD_VERSION, kind, sessionId, body));
    }

    // ------------------------------------------------------------------ internals: coordinator views

    /// @dev `SWARMS.swarmForInbox(sessionId)`.
    function _swarmFor(bytes32 sessionId) private view returns (uint32) {
        uint256 swarmId = _swarmsView(ISwarmCoordinator.swarmForInbox.selector, sessionId);
        if (swarmId > type(uint32).max) revert InvalidCoordinatorAnswer();
        return uint32(swarmId);
    }

    /// @dev A one-word view of the coordinator with at most one word argument, called in scratch space
    /// (every paid action makes three of these calls; the ABI encoder's memory round trip costs more
    /// than the call itself). A revert of the coordinator is passed on as it is.
    function _swarmsView(bytes4 selector, bytes32 arg) private view returns (uint256 result) {
        address target = address(SWARMS);
        bool ok;
        uint256 size;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, arg)
            ok := staticcall(gas(), target, 0x00, 0x24, 0x00, 0x20)
            size := returndatasize()
            result := mload(0x00)
        }
        if (!ok) {
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, size)
                revert(ptr, size)
            }
        }
        if (size < 0x20) revert InvalidCoordinatorAnswer();
    }

    // ------------------------------------------------------------------ internals: membership

    /// @dev The low FINGERPRINT_BITS bits of keccak256(abi.encode(sessionId, account)).
    function _fingerprint(bytes32 sessionId, address account) private pure returns (uint256 fp) {
        assembly ("memory-safe") {
            mstore(0x00, sessionId)
            mstore(0x20, account)
            fp := keccak256(0x00, 0x40)
        }
        fp &= SessionWordLib.FINGERPRINT_MASK;
    }

    /// @dev Whether `account` is a participant of the existing session `word`.
    function _isMember(bytes32 sessionId, SessionWord word, address account) private view returns (bool) {
        if (word.isChannel()) return _members[sessionId][account] != 0;
        return word.sideOf(_fingerprint(sessionId, account)) != 0;
    }

    // ------------------------------------------------------------------ internals: fees

    /// @dev The fee for `baseFee` at the current multiplier; reverts unless msg.value covers it.
    function _requireFee(uint256 baseFee) private view returns (uint256 fee) {
        fee = baseFee * feeMultiplier();
        if (msg.value < fee) revert InsufficientFee(msg.value, fee);
    }

    /// @dev MESSAGE_FEE_PER_KIB per started KiB (rounded up, in the network's favour).
    function _messageBaseFee(uint256 size) private pure returns (uint256) {
        if (size == 0) revert EmptyMessage();
        if (size > MAX_MESSAGE_BYTES) revert MessageTooLarge(size, MAX_MESSAGE_BYTES);
        return MESSAGE_FEE_PER_KIB * ((size + KIB - 1) / KIB);
    }

    // ------------------------------------------------------------------ internals: status and counters

    function _checkCount(uint256 n) private pure returns (uint256) {
        if (n < 2 || n > MAX_PARTICIPANTS) revert InvalidParticipantCount(n, MAX_PARTICIPANTS);
        return n;
    }

    function _existing(bytes32 sessionId) private view returns (SessionWord word) {
        word = _sessions[sessionId];
        if (word.isEmpty()) revert UnknownSession(sessionId);
    }

    function _statusOf(SessionWord word) private view returns (SessionStatus) {
        uint256 expiresAt = word.expiresAt();
        if (expiresAt == 0) return SessionStatus.None;
        if (word.isClosed()) return SessionStatus.Closed;
        if (block.timestamp >= expiresAt) return SessionStatus.Expired;
        if (word.hasPending()) return SessionStatus.Pending;
        return SessionStatus.Active;
    }

    /// @dev Counts a new open session in the bucket of its expiry (resetting a slot left by an old bucket).
    function _count(uint40 expiresAt, bool channel) private {
        uint256 index = expiresAt / BUCKET_SECONDS;
        uint256 slot = index % BUCKET_COUNT;
        Bucket memory k = _buckets[slot];
        if (k.index != index) k = Bucket({index: uint40(index), sessions: 0, channels: 0});
        k.sessions += 1;
        if (channel) k.channels += 1;
        _buckets[slot] = k;
    }

    /// @dev Stops counting a session closed before its expiry (its bucket is still the live one).
    function _uncount(uint40 expiresAt, bool channel) private {
        uint256 slot = (expiresAt / BUCKET_SECONDS) % BUCKET_COUNT;
        Bucket memory k = _buckets[slot];
        k.sessions -= 1;
        if (channel) k.channels -= 1;
        _buckets[slot] = k;
    }

    /// @dev Releases up to MAX_RELEASES_ON_CREATE expired channels at the front, prices a channel at
    /// the slots still taken (reverting with TooManyChannels if none is free) and appends it.
    function _admitChannel(uint40 expiresAt, uint256 maxChannels_) private returns (uint64 number, uint256 price) {
        ChannelQueue.Header memory q = _channels;
        ChannelQueue.releaseExpired(q, _channelNodes, MAX_RELEASES_ON_CREATE);
        price = ChannelQueue.price(q, q.length, maxChannels_, CREATE_FEE * feeMultiplier());
        number = ChannelQueue.append(q, _channelNodes, expiresAt);
        _channels = q;
    }
}
