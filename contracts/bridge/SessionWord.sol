// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A session's record in one storage word (zero: no session). Written once at creation, then
/// only to close the session or to mark a participant's key as given.
///
/// | bits     | two-party session (channel bit clear)     | channel (more than two participants)   |
/// |----------|-------------------------------------------|----------------------------------------|
/// | 0..39    | expiresAt                                 | expiresAt                              |
/// | 40       | closed                                    | closed                                 |
/// | 41       | 0                                         | 1                                      |
/// | 42, 43   | first, second participant has no key yet  | 0                                      |
/// | 48..55   | first participant's fingerprint (48..151) | participant count                      |
/// | 56..63   |                                           | participants without a key             |
/// | 64..127  |                                           | channel number                         |
/// | 152..255 | second participant's fingerprint          | 0                                      |
///
/// A participant of a two-party session is named by its side: `FIRST` or `SECOND` (0: not one).
type SessionWord is uint256;

/// @notice A session's message word (zero until the first message): the message count in the low 32
/// bits, the chained message head in the 224 bits above.
type MessageWord is uint256;

using SessionWordLib for SessionWord global;
using MessageWordLib for MessageWord global;

/// @title SessionWordLib
/// @notice Builds and reads `SessionWord`s. Every function is pure and inlined by the compiler.
library SessionWordLib {
    /// @notice Width of a two-party session's participant fingerprints.
    uint256 internal constant FINGERPRINT_BITS = 104;
    uint256 internal constant FINGERPRINT_MASK = (1 << FINGERPRINT_BITS) - 1;

    /// @notice The first participant of a two-party session (its pending bit).
    uint256 internal constant FIRST = 1 << 42;
    /// @notice The second participant of a two-party session (its pending bit).
    uint256 internal constant SECOND = 1 << 43;

    uint256 private constant EXPIRES_MASK = (1 << 40) - 1;
    uint256 private constant CLOSED = 1 << 40;
    uint256 private constant CHANNEL = 1 << 41;
    uint256 private constant FP_FIRST_SHIFT = 48;
    uint256 private constant FP_SECOND_SHIFT = 152;
    uint256 private constant COUNT_SHIFT = 48;
    uint256 private constant PENDING_SHIFT = 56;
    uint256 private constant NUMBER_SHIFT = 64;

    /// @notice A two-party session's word, expiring at `expiry`. `firstKeyed` / `secondKeyed`: the
    /// participant gave its key. Fingerprints are below 2^FINGERPRINT_BITS.
    function pair(uint40 expiry, uint256 fpFirst, uint256 fpSecond, bool firstKeyed, bool secondKeyed)
        internal
        pure
        returns (SessionWord)
    {
        uint256 w = uint256(expiry) | (fpFirst << FP_FIRST_SHIFT) | (fpSecond << FP_SECOND_SHIFT);
        if (!firstKeyed) w |= FIRST;
        if (!secondKeyed) w |= SECOND;
        return SessionWord.wrap(w);
    }

    /// @notice A channel's word: expiring at `expiry`, `count` participants, `pending` of them without a
    /// key, queue `number`.
    function channel(uint40 expiry, uint8 count, uint8 pending, uint64 number)
        internal
        pure
        returns (SessionWord)
    {
        return SessionWord.wrap(
            uint256(expiry) | CHANNEL | (uint256(count) << COUNT_SHIFT) | (uint256(pending) << PENDING_SHIFT)
                | (uint256(number) << NUMBER_SHIFT)
        );
    }

    function isEmpty(SessionWord w) internal pure returns (bool) {
        return SessionWord.unwrap(w) == 0;
    }

    function expiresAt(SessionWord w) internal pure returns (uint40) {
        return uint40(SessionWord.unwrap(w));
    }

    function isClosed(SessionWord w) internal pure returns (bool) {
        return SessionWord.unwrap(w) & CLOSED != 0;
    }

    function isChannel(SessionWord w) internal pure returns (bool) {
        return SessionWord.unwrap(w) & CHANNEL != 0;
    }

    /// @notice The word with the closed bit set.
    function closed(SessionWord w) internal pure returns (SessionWord) {
        return SessionWord.wrap(SessionWord.unwrap(w) | CLOSED);
    }

    /// @notice Participants of the session: a channel's count, or 2.
    function participantCount(SessionWord w) internal pure returns (uint8) {
        uint256 u = SessionWord.unwrap(w);
        return u & CHANNEL != 0 ? uint8(u >> COUNT_SHIFT) : 2;
    }

    /// @notice How many participants have no key yet.
    function pendingKeys(SessionWord w) internal pure returns (uint8) {
        uint256 u = SessionWord.unwrap(w);
        if (u & CHANNEL != 0) return uint8(u >> PENDING_SHIFT);
        return (u & FIRST != 0 ? 1 : 0) + (u & SECOND != 0 ? 1 : 0);
    }

    /// @notice Whether some participant has no key yet.
    function hasPending(SessionWord w) internal pure returns (bool) {
        uint256 u = SessionWord.unwrap(w);
        if (u & CHANNEL != 0) return uint8(u >> PENDING_SHIFT) != 0;
        return u & (FIRST | SECOND) != 0;
    }

    /// @notice A channel's queue number (0 for a two-party session).
    function channelNumber(SessionWord w) internal pure returns (uint64) {
        uint256 u = SessionWord.unwrap(w);
        return u & CHANNEL != 0 ? uint64(u >> NUMBER_SHIFT) : 0;
    }

    /// @notice In a two-party session, the side whose fingerprint is `fingerprint` (FIRST or SECOND),
    /// or 0. Meaningless for a channel (its bits 48..255 are not fingerprints).
    function sideOf(SessionWord w, uint256 fingerprint) internal pure returns (uint256) {
        uint256 u = SessionWord.unwrap(w);
        if (fingerprint == (u >> FP_FIRST_SHIFT) & FINGERPRINT_MASK) return FIRST;
        if (fingerprint == u >> FP_SECOND_SHIFT) return SECOND;
        return 0;
    }

    /// @notice Whether the participant on `side` of a two-party session has no key yet.
    function isPending(SessionWord w, uint256 side) internal pure returns (bool) {
        return SessionWord.unwrap(w) & side != 0;
    }

    /// @notice The word after one pending participant gave its key: its side's bit cleared in a
    /// two-party session, the pending count lowered by one in a channel. The caller has checked that
    /// the participant was pending (so a channel's count is positive).
    function withKeyGiven(SessionWord w, uint256 side) internal pure returns (SessionWord) {
        uint256 u = SessionWord.unwrap(w);
        unchecked {
            return SessionWord.wrap(u & CHANNEL != 0 ? u - (1 << PENDING_SHIFT) : u & ~side);
        }
    }
}

/// @title MessageWordLib
/// @notice Reads and advances `MessageWord`s.
library MessageWordLib {
    uint256 private constant COUNT_MASK = 0xffffffff;

    /// @notice Messages sent so far.
    function count(MessageWord m) internal pure returns (uint32) {
        return uint32(MessageWord.unwrap(m));
    }

    /// @notice The message head: 224 bits, its low 32 bits zero.
    function head(MessageWord m) internal pure returns (bytes32) {
        return bytes32(MessageWord.unwrap(m) & ~COUNT_MASK);
    }

    /// @notice The word after `messageId`: head keccak256(abi.encode(head, messageId)) with its low 32
    /// bits cleared, count plus one. The count stays below 2^32 (the bridge caps it far lower).
    function next(MessageWord m, bytes32 messageId) internal pure returns (MessageWord) {
        uint256 u = MessageWord.unwrap(m);
        uint256 h;
        assembly ("memory-safe") {
            mstore(0x00, and(u, not(COUNT_MASK)))
            mstore(0x20, messageId)
            h := keccak256(0x00, 0x40)
        }
        unchecked {
            return MessageWord.wrap((h & ~COUNT_MASK) | ((u & COUNT_MASK) + 1));
        }
    }
}
