// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PQPrecompiles} from "../precompiles/PQPrecompiles.sol";

/// @title PQConsumer__Mock
/// @notice A consumer contract that calls the PQ precompiles through PQPrecompiles, for tests.
contract PQConsumer__Mock {
    address public immutable MLDSA;
    address public immutable MLKEM;

    constructor(address mldsa, address mlkem) {
        MLDSA = mldsa;
        MLKEM = mlkem;
    }

    function verify(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return PQPrecompiles.mldsaVerify(MLDSA, publicKey, message, signature);
    }

    function validateKemKey(bytes calldata publicKey) external view returns (bool) {
        return PQPrecompiles.mlkemValidate(MLKEM, publicKey);
    }

    /// @notice Verifies in a transaction (state-changing), so receipts show the local gas.
    function verifyAndCount(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        returns (bool valid)
    {
        valid = PQPrecompiles.mldsaVerify(MLDSA, publicKey, message, signature);
        if (valid) ++verifiedCount;
    }

    uint256 public verifiedCount;
}
