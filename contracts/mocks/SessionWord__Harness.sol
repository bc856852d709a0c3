// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SessionWord, SessionWordLib, MessageWord} from "../bridge/SessionWord.sol";

/// @title SessionWord__Harness
/// @notice Exposes the session and message word types to tests, one call per function.
contract SessionWord__Harness {
    struct Fields {
        bool isEmpty;
        uint40 expiresAt;
        bool isClosed;
        bool isChannel;
        uint8 participantCount;
        uint8 pendingKeys;
        bool hasPending;
        uint64 channelNumber;
    }

    function sides() external pure returns (uint256 first, uint256 second) {
        return (SessionWordLib.FIRST, SessionWordLib.SECOND);
    }

    function pair(uint40 expiry, uint256 fpFirst, uint256 fpSecond, bool firstKeyed, bool secondKeyed)
        external
        pure
        returns (uint256)
    {
        return SessionWord.unwrap(SessionWordLib.pair(expiry, fpFirst, fpSecond, firstKeyed, secondKeyed));
    }

    function channel(uint40 expiry, uint8 count, uint8 pending, uint64 number) external pure returns (uint256) {
        return SessionWord.unwrap(SessionWordLib.channel(expiry, count, pending, number));
    }

    function fields(uint256 word) external pure returns (Fields memory f) {
        SessionWord w = SessionWord.wrap(word);
        f = Fields({
            isEmpty: w.isEmpty(),
            expiresAt: w.expiresAt(),
            isClosed: w.isClosed(),
            isChannel: w.isChannel(),
            participantCount: w.participantCount(),
            pendingKeys: w.pendingKeys(),
            hasPending: w.hasPending(),
            channelNumber: w.channelNumber()
        });
    }

    function closed(uint256 word) external pure returns (uint256) {
        return SessionWord.unwrap(SessionWord.wrap(word).closed());
    }

    function sideOf(uint256 word, uint256 fingerprint) external pure returns (uint256) {
        return SessionWord.wrap(word).sideOf(fingerprint);
    }

    function isPending(uint256 word, uint256 side) external pure returns (bool) {
        return SessionWord.wrap(word).isPending(side);
    }

    function withKeyGiven(uint256 word, uint256 side) external pure returns (uint256) {
        return SessionWord.unwrap(SessionWord.wrap(word).withKeyGiven(side));
    }

    function message(uint256 word) external pure returns (uint32 count, bytes32 head) {
        MessageWord m = MessageWord.wrap(word);
        return (m.count(), m.head());
    }

    function nextMessage(uint256 word, bytes32 messageId) external pure returns (uint256) {
        return MessageWord.unwrap(MessageWord.wrap(word).next(messageId));
    }
}
