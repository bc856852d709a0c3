// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISessionBridge} from "../interfaces/ISessionBridge.sol";

/// @title ChannelQueue
/// @notice The bridge's open channels in creation order, which is also expiry order because the TTL is
/// fixed, so the oldest open channel is always at the front; and the price of the next slot. A doubly
/// linked list in a mapping: appending, releasing from the front and unlinking from the middle are
/// O(1). The queue's header is handled in memory and stored by the caller once per call.
library ChannelQueue {
    /// @notice The queue's ends, its length, the last number handed out, and the price curve's
    /// parameters, one slot (248 bits): everything admitting a channel reads besides the bridge's
    /// configuration.
    struct Header {
        uint64 head;
        uint64 tail;
        uint64 lastNumber;
        uint32 length;
        uint16 surgeFromBps;
        uint8 doublings;
    }

    /// @notice A channel in the queue, one slot (168 bits).
    struct Node {
        uint64 prev;
        uint64 next;
        uint40 expiresAt;
    }

    uint256 private constant BPS = 10_000;

    /// @notice Appends a channel expiring at `expiresAt`; returns its number (from 1).
    function append(Header memory q, mapping(uint64 => Node) storage nodes, uint40 expiresAt)
        internal
        returns (uint64 number)
    {
        number = ++q.lastNumber;
        nodes[number] = Node({prev: q.tail, next: 0, expiresAt: expiresAt});
        if (q.tail != 0) {
            nodes[q.tail].next = number;
        } else {
            q.head = number;
        }
        q.tail = number;
        q.length += 1;
    }

    /// @notice Releases up to `limit` expired channels from the front, each with ChannelReleased.
    function releaseExpired(Header memory q, mapping(uint64 => Node) storage nodes, uint256 limit)
        internal
        returns (uint256 released)
    {
        while (released < limit) {
            uint64 head = q.head;
            if (head == 0 || nodes[head].expiresAt > block.timestamp) break;
            unlink(q, nodes, head);
            emit ISessionBridge.ChannelReleased(head);
            ++released;
        }
    }

    /// @notice How many slots would stay taken after `releaseExpired(q, nodes, limit)`.
    function takenAfterReleases(Header memory q, mapping(uint64 => Node) storage nodes, uint256 limit)
        internal
        view
        returns (uint256 taken)
    {
        taken = q.length;
        uint64 head = q.head;
        for (uint256 i; i < limit && head != 0; ++i) {
            Node memory node = nodes[head];
            if (node.expiresAt > block.timestamp) break;
            --taken;
            head = node.next;
        }
    }

    /// @notice Removes channel `number` from the queue.
    function unlink(Header memory q, mapping(uint64 => Node) storage nodes, uint64 number) internal {
        Node memory node = nodes[number];
        if (node.prev != 0) {
            nodes[node.prev].next = node.next;
        } else {
            q.head = node.next;
        }
        if (node.next != 0) {
            nodes[node.next].prev = node.prev;
        } else {
            q.tail = node.prev;
        }
        delete nodes[number];
        q.length -= 1;
    }

    /// @notice The fee of a channel admitted while `taken` of `maxChannels` slots are taken, with the
    /// base fee `base`: with knee = maxChannels × surgeFromBps / 10,000 (rounded down: the curve starts
    /// no later), base below the knee; at j = taken − knee ≥ 0, with step = ceil((maxChannels − knee) /
    /// doublings) (rounded up so that j / step < doublings: the exponent stays bounded whatever
    /// maxChannels is), base × 2^(j / step) × (step + j % step) / step, rounded up. Continuous at the
    /// knee (×1) and at each power of two. Reverts with TooManyChannels if no slot is free.
    function price(Header memory q, uint256 taken, uint256 maxChannels, uint256 base) internal pure returns (uint256) {
        if (taken >= maxChannels) revert ISessionBridge.TooManyChannels(taken, maxChannels);
        uint256 knee = maxChannels * q.surgeFromBps / BPS;
        if (taken < knee) return base;
        uint256 step = (maxChannels - knee + q.doublings - 1) / q.doublings;
        uint256 j = taken - knee;
        uint256 scaled = (base * (step + j % step)) << (j / step);
        return (scaled + step - 1) / step;
    }
}
