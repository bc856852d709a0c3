// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FaultyPQPrecompile__Mock
/// @notice Test-only stand-in for a PQ precompile that misbehaves on demand. In `Forward` mode it
/// answers exactly as the real precompile at `REAL` (served by the test host); every other mode
/// breaks the answer in one way a buggy or hostile precompile could. Consumers must count none of the
/// broken answers as a valid signature or key.
/// @dev Never deploy to a real chain.
contract FaultyPQPrecompile__Mock {
    /// @notice How the next calls are answered.
    enum Mode {
        Forward, // the real answer
        Revert, // revert, no data
        RevertWithAnswer, // revert, carrying the real answer as revert data
        Empty, // succeed with no data
        Truncated, // the real answer less its last byte
        Padded, // the real answer and one more zero word
        Huge, // the real answer and 16 KiB of zeros
        WordTwo, // a single word 2 (not an ABI bool)
        HighByteTrue, // a single word 0x01 << 248 (true in the wrong byte)
        False, // ABI false
        OutOfGas // burns all gas forwarded to it
    }

    /// @notice The real precompile address.
    address public immutable REAL;
    /// @notice Current mode.
    Mode public mode;

    constructor(address real) {
        REAL = real;
    }

    /// @notice Sets the mode.
    function mock__setMode(Mode m) external {
        mode = m;
    }

    /// @notice Every precompile call.
    // solhint-disable-next-line no-complex-fallback
    fallback(bytes calldata input) external returns (bytes memory) {
        Mode m = mode;
        if (m == Mode.OutOfGas) {
            uint256 x;
            while (gasleft() > 0) {
                x = uint256(keccak256(abi.encode(x)));
            }
            return abi.encode(x);
        }
        if (m == Mode.Revert) {
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        if (m == Mode.Empty) return "";
        if (m == Mode.WordTwo) return abi.encode(uint256(2));
        if (m == Mode.HighByteTrue) return abi.encode(uint256(1) << 248);
        if (m == Mode.False) return abi.encode(false);

        (bool ok, bytes memory out) = REAL.staticcall(input);
        if (!ok || m == Mode.RevertWithAnswer) {
            assembly ("memory-safe") {
                revert(add(out, 0x20), mload(out))
            }
        }
        if (m == Mode.Truncated) {
            assembly ("memory-safe") {
                mstore(out, sub(mload(out), 1))
            }
            return out;
        }
        if (m == Mode.Padded) return bytes.concat(out, bytes32(0));
        if (m == Mode.Huge) return bytes.concat(out, new bytes(16 * 1024));
        return out;
    }
}
