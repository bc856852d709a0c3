// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A node's commitment of one epoch, one word: epoch in bits 0..31, swarm id in 32..63, the
/// first 192 bits of the signed Merkle root in 64..255 (its "root bits").
type CommitmentWord is uint256;

/// @notice A swarm's tally of one epoch, one word:
///
/// | bits     | field                                                              |
/// |----------|--------------------------------------------------------------------|
/// | 0..31    | epoch                                                              |
/// | 32..39   | commitments counted (saturating at 255)                            |
/// | 40..111  | the leading root's tag: the top 72 of its root bits                |
/// | 112..255 | three groups of 48 bits: first committer (node id, 40 bits), count (8 bits) |
///
/// A group is a candidate root, named by its first committer (whose commitment word holds the root).
type Tally is uint256;

using CommitmentWordLib for CommitmentWord global;
using TallyLib for Tally global;

/// @title CommitmentWordLib
library CommitmentWordLib {
    uint256 private constant ROOT_SHIFT = 64;

    /// @notice The word of a commitment of `merkleRoot` by a node of swarm `swarm` in epoch `e`.
    function make(uint32 e, uint32 swarm, bytes32 merkleRoot) internal pure returns (CommitmentWord) {
        return CommitmentWord.wrap((rootBitsOf(merkleRoot) << ROOT_SHIFT) | (uint256(swarm) << 32) | uint256(e));
    }

    /// @notice The first 192 bits of a Merkle root, as a commitment keeps them.
    function rootBitsOf(bytes32 merkleRoot) internal pure returns (uint256) {
        return uint256(merkleRoot) >> ROOT_SHIFT;
    }

    function epoch(CommitmentWord c) internal pure returns (uint32) {
        return uint32(CommitmentWord.unwrap(c));
    }

    /// @notice Whether the word is a commitment of `e` (never for epoch 0: an empty word).
    function isOf(CommitmentWord c, uint32 e) internal pure returns (bool) {
        return e != 0 && uint32(CommitmentWord.unwrap(c)) == e;
    }

    function swarmId(CommitmentWord c) internal pure returns (uint32) {
        return uint32(CommitmentWord.unwrap(c) >> 32);
    }

    function rootBits(CommitmentWord c) internal pure returns (uint256) {
        return CommitmentWord.unwrap(c) >> ROOT_SHIFT;
    }

    /// @notice The root bits as the 24-byte prefix the views report.
    function rootPrefix(CommitmentWord c) internal pure returns (bytes24) {
        return bytes24(bytes32(CommitmentWord.unwrap(c)));
    }
}

/// @title TallyLib
/// @notice Reads and updates `Tally` words. Group indices are 0..GROUPS-1; GROUPS means "none".
library TallyLib {
    uint256 internal constant GROUPS = 3;

    uint256 private constant COMMITMENTS_SHIFT = 32;
    uint256 private constant TAG_SHIFT = 40;
    uint256 private constant TAG_MASK = type(uint72).max;
    uint256 private constant GROUP_SHIFT = 112;
    uint256 private constant GROUP_BITS = 48;
    uint256 private constant COUNT_OFFSET = 40;
    uint256 private constant GROUP_MASK = type(uint48).max;
    /// @dev One in each of the three group counts.
    uint256 private constant ONE_PER_GROUP = (1 << 152) | (1 << 200) | (1 << 248);
    /// @dev Root bits below the 72-bit tag.
    uint256 private constant TAG_OFFSET = 120;

    /// @notice The tag of a root, from its root bits.
    function tagOf(uint256 rootBits) internal pure returns (uint256) {
        return rootBits >> TAG_OFFSET;
    }

    function epoch(Tally t) internal pure returns (uint32) {
        return uint32(Tally.unwrap(t));
    }

    function commitments(Tally t) internal pure returns (uint8) {
        return uint8(Tally.unwrap(t) >> COMMITMENTS_SHIFT);
    }

    /// @notice Whether the leading root's tag is `tag`.
    function leadTagIs(Tally t, uint256 tag) internal pure returns (bool) {
        return (Tally.unwrap(t) >> TAG_SHIFT) & TAG_MASK == tag;
    }

    /// @notice Group `i`'s first committer.
    function leader(Tally t, uint256 i) internal pure returns (uint64) {
        return uint40(Tally.unwrap(t) >> (GROUP_SHIFT + i * GROUP_BITS));
    }

    /// @notice Group `i`'s first committer and count, in one read.
    function group(Tally t, uint256 i) internal pure returns (uint64 first, uint256 n) {
        uint256 g = Tally.unwrap(t) >> (GROUP_SHIFT + i * GROUP_BITS);
        return (uint40(g), uint8(g >> COUNT_OFFSET));
    }

    /// @notice Group `i`'s count.
    function count(Tally t, uint256 i) internal pure returns (uint8) {
        return uint8(Tally.unwrap(t) >> _countShift(i));
    }

    /// @notice The group with the highest count (ties: the lower position), GROUPS if every count is zero.
    function lead(Tally t) internal pure returns (uint256) {
        uint256 u = Tally.unwrap(t);
        uint256 c0 = uint8(u >> (GROUP_SHIFT + COUNT_OFFSET));
        uint256 c1 = uint8(u >> (GROUP_SHIFT + GROUP_BITS + COUNT_OFFSET));
        uint256 c2 = uint8(u >> (GROUP_SHIFT + 2 * GROUP_BITS + COUNT_OFFSET));
        if (c0 >= c1 && c0 >= c2) return c0 == 0 ? GROUPS : 0;
        return c1 >= c2 ? 1 : 2;
    }

    /// @notice The tally of `e` after one more commitment is counted: a fresh tally if `t` is of
    /// another epoch; the commitment count saturates at 255.
    function counting(Tally t, uint32 e) internal pure returns (Tally) {
        uint256 u = uint32(Tally.unwrap(t)) == e ? Tally.unwrap(t) : uint256(e);
        if (uint8(u >> COMMITMENTS_SHIFT) != type(uint8).max) u += 1 << COMMITMENTS_SHIFT;
        return Tally.wrap(u);
    }

    /// @notice One more commitment in group `i` (its count saturates at 255).
    function joined(Tally t, uint256 i) internal pure returns (Tally) {
        if (count(t, i) == type(uint8).max) return t;
        return Tally.wrap(Tally.unwrap(t) + (1 << _countShift(i)));
    }

    /// @notice Group `i`, which is free, taken by `nodeId`'s root with a count of one.
    function founded(Tally t, uint256 i, uint64 nodeId) internal pure returns (Tally) {
        uint256 shift = GROUP_SHIFT + i * GROUP_BITS;
        return Tally.wrap(
            (Tally.unwrap(t) & ~(GROUP_MASK << shift)) | (uint256(nodeId) << shift) | (1 << (shift + COUNT_OFFSET))
        );
    }

    /// @notice Every group's count lowered by one (all three are positive: the Misra–Gries step).
    function decremented(Tally t) internal pure returns (Tally) {
        return Tally.wrap(Tally.unwrap(t) - ONE_PER_GROUP);
    }

    /// @notice The tally with the leading root's tag set to `tag`.
    function withLeadTag(Tally t, uint256 tag) internal pure returns (Tally) {
        return Tally.wrap((Tally.unwrap(t) & ~(TAG_MASK << TAG_SHIFT)) | (tag << TAG_SHIFT));
    }

    function _countShift(uint256 i) private pure returns (uint256) {
        return GROUP_SHIFT + i * GROUP_BITS + COUNT_OFFSET;
    }
}
