// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PQPrecompiles} from "../precompiles/PQPrecompiles.sol";

/// @title PQConsumer__Mock
/// @notice A consumer contract that calls the PQ precompiles through PQPrecompiles, in one profile, for tests.
contract PQConsumer__Mock {
    PQPrecompiles.Profile public immutable PQ_PROFILE;
    address public immutable MLDSA;
    address public immutable MLKEM;

    uint256 public verifiedCount;

    constructor(PQPrecompiles.Profile profile, address mldsa, address mlkem) {
        PQ_PROFILE = profile;
        MLDSA = mldsa;
        MLKEM = mlkem;
    }

    function verify(bytes calldata publicKey, bytes32 digest, bytes calldata signature) external view returns (bool) {
        return PQPrecompiles.mldsaVerify(PQ_PROFILE, MLDSA, publicKey, digest, signature);
    }

    function validateKemKey(bytes calldata publicKey) external view returns (bool) {
        return PQPrecompiles.mlkemValidate(PQ_PROFILE, MLKEM, publicKey);
    }

    /// @notice A `Lux` batch over raw entries (`[pk][32][sig][digest]` each, concatenated).
    function verifyBatch(bytes calldata entries, uint256 count) external view returns (uint256 verdicts) {
        return PQPrecompiles.mldsaVerifyBatch(MLDSA, bytes.concat(PQPrecompiles.batchInput(count), entries), count);
    }

    /// @notice Verifies in a transaction (state-changing), so receipts show the local gas.
    function verifyAndCount(bytes calldata publicKey, bytes32 digest, bytes calldata signature)
        external
        returns (bool valid)
    {
        valid = PQPrecompiles.mldsaVerify(PQ_PROFILE, MLDSA, publicKey, digest, signature);
        if (valid) ++verifiedCount;
    }
}
