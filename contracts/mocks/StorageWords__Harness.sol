// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommitmentWord, CommitmentWordLib, Tally, TallyLib} from "../storage/StorageWords.sol";

/// @title StorageWords__Harness
/// @notice Exposes the commitment and tally word types to tests, one call per function.
contract StorageWords__Harness {
    function make(uint32 epoch, uint32 swarmId, bytes32 merkleRoot) external pure returns (uint256) {
        return CommitmentWord.unwrap(CommitmentWordLib.make(epoch, swarmId, merkleRoot));
    }

    function commitment(uint256 word, uint32 e)
        external
        pure
        returns (uint32 epoch, bool isOf, uint32 swarmId, uint256 rootBits, bytes24 rootPrefix)
    {
        CommitmentWord c = CommitmentWord.wrap(word);
        return (c.epoch(), c.isOf(e), c.swarmId(), c.rootBits(), c.rootPrefix());
    }

    function tally(uint256 word)
        external
        pure
        returns (uint32 epoch, uint8 commitments, uint256 lead, uint64[3] memory leaders, uint8[3] memory counts)
    {
        Tally t = Tally.wrap(word);
        for (uint256 i; i < TallyLib.GROUPS; ++i) {
            leaders[i] = t.leader(i);
            counts[i] = t.count(i);
        }
        return (t.epoch(), t.commitments(), t.lead(), leaders, counts);
    }

    function leadTagIs(uint256 word, uint256 tag) external pure returns (bool) {
        return Tally.wrap(word).leadTagIs(tag);
    }

    function counting(uint256 word, uint32 e) external pure returns (uint256) {
        return Tally.unwrap(Tally.wrap(word).counting(e));
    }

    function joined(uint256 word, uint256 i) external pure returns (uint256) {
        return Tally.unwrap(Tally.wrap(word).joined(i));
    }

    function founded(uint256 word, uint256 i, uint64 nodeId) external pure returns (uint256) {
        return Tally.unwrap(Tally.wrap(word).founded(i, nodeId));
    }

    function decremented(uint256 word) external pure returns (uint256) {
        return Tally.unwrap(Tally.wrap(word).decremented());
    }

    function withLeadTag(uint256 word, uint256 tag) external pure returns (uint256) {
        return Tally.unwrap(Tally.wrap(word).withLeadTag(tag));
    }

    function tagOf(uint256 rootBits) external pure returns (uint256) {
        return TallyLib.tagOf(rootBits);
    }
}
