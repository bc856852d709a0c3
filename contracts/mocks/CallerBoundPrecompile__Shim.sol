// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CallerBoundPrecompile__Shim
/// @notice Local stand-in placed at the `lux` ML-KEM precompile address: the chain's precompile binds its
/// answer to the calling address, which the local TypeScript host cannot see. The shim forwards
/// `caller ‖ input` to the host's address and returns its answer unchanged; a failure burns all the gas
/// the call was given, as a failing precompile does on the chain.
/// @dev Test double only; installed with `*_setCode` (no constructor, no immutables).
contract CallerBoundPrecompile__Shim {
    /// @dev `LUX_MLKEM_HOST_ADDRESS` in `src/precompiles/host.ts`.
    address internal constant HOST = 0x00000000000000000000000000000000000f2201;

    // solhint-disable-next-line no-complex-fallback
    fallback(bytes calldata input) external returns (bytes memory) {
        (bool ok, bytes memory answer) = HOST.staticcall(abi.encodePacked(msg.sender, input));
        if (!ok) {
            assembly ("memory-safe") {
                invalid()
            }
        }
        return answer;
    }
}
