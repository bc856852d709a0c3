// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PQPrecompile__Mock
/// @notice Stand-in for the ML-DSA / ML-KEM precompiles on nodes that cannot run them from TypeScript
/// (no EDR call-override hook: anvil, a shared devnet). Placed at the precompile address with
/// `*_setCode`. Its answers are computed off chain by the same TypeScript precompile code and recorded
/// with `mock__record` before use; a call whose exact calldata was not recorded fails.
/// @dev Test double only; never deploy to a real chain. No constructor and no immutables (installed by setCode).
contract PQPrecompile__Mock {
    struct Answer {
        bool recorded;
        bool reverted;
        bytes output;
    }

    /// @notice The recorded answer of a call was missing.
    error PQPrecompile__NotRecorded(bytes32 key);

    mapping(bytes32 calldataHash => Answer) private _answers;

    /// @notice Records the answer for the call whose calldata hashes to `key`.
    function mock__record(bytes32 key, bool reverted, bytes calldata output) external {
        _answers[key] = Answer({recorded: true, reverted: reverted, output: output});
    }

    /// @notice Whether an answer is recorded for `key`.
    function mock__isRecorded(bytes32 key) external view returns (bool) {
        return _answers[key].recorded;
    }

    /// @notice Every precompile call: the recorded answer, returned raw, or a failure.
    // solhint-disable-next-line no-complex-fallback
    fallback(bytes calldata input) external returns (bytes memory) {
        bytes32 key = keccak256(input);
        Answer storage answer = _answers[key];
        if (!answer.recorded) revert PQPrecompile__NotRecorded(key);
        if (answer.reverted) {
            // A failing precompile returns no data.
            assembly ("memory-safe") {
                revert(0, 0)
            }
        }
        return answer.output;
    }
}
