// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Reentrancy__Attacker
/// @notice Test-only hostile account for the adversarial suite. It acts as an operator, contributor,
/// challenger, slash beneficiary, treasury, session creator or rewards sink (`act`), and when PARS
/// arrives (`receive`, or `depositFees` when a bridge is wired to it as its rewards contract) it
/// re-enters the calls it was armed with, once, recording each outcome instead of reverting.
/// @dev Never deploy to a real chain.
contract Reentrancy__Attacker {
    /// @notice A call to make on receipt.
    struct Call {
        address target;
        uint256 value;
        bytes data;
    }

    /// @notice What a re-entered call did.
    struct Attempt {
        address target;
        bool ok;
        bytes data;
    }

    Call[] private _reentries;
    Attempt[] private _attempts;

    /// @notice Whether the next receipt re-enters (disarmed by that receipt).
    bool public armed;
    /// @notice Wei received in total.
    uint256 public received;
    /// @notice Number of receipts.
    uint256 public receipts;

    /// @notice Sets the calls the next receipt makes and clears the recorded attempts.
    function mock__arm(Call[] calldata calls) external {
        delete _reentries;
        delete _attempts;
        for (uint256 i; i < calls.length; ++i) {
            _reentries.push(calls[i]);
        }
        armed = calls.length != 0;
    }

    /// @notice Calls `target` as this contract, bubbling up its revert data unchanged.
    function act(address target, uint256 value, bytes calldata data) external payable returns (bytes memory out) {
        bool ok;
        (ok, out) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(out, 0x20), mload(out))
            }
        }
    }

    /// @notice Makes `calls` in order in one transaction (a flash-funded sequence), bubbling up the
    /// first revert unchanged.
    function batch(Call[] calldata calls) external payable {
        for (uint256 i; i < calls.length; ++i) {
            (bool ok, bytes memory out) = calls[i].target.call{value: calls[i].value}(calls[i].data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(out, 0x20), mload(out))
                }
            }
        }
    }

    /// @notice Number of recorded re-entry attempts.
    function attemptCount() external view returns (uint256) {
        return _attempts.length;
    }

    /// @notice The `i`-th recorded re-entry attempt.
    function attempt(uint256 i) external view returns (Attempt memory) {
        return _attempts[i];
    }

    /// @notice A receipt of PARS: re-enters if armed.
    receive() external payable {
        _onPayment();
    }

    /// @notice The rewards contract's fee entry point, for a bridge deployed with this contract as its
    /// rewards sink: a fee flush is a receipt like any other.
    function depositFees(uint32) external payable {
        _onPayment();
    }

    function _onPayment() private {
        received += msg.value;
        ++receipts;
        if (!armed) return;
        armed = false;
        uint256 n = _reentries.length;
        for (uint256 i; i < n; ++i) {
            Call memory c = _reentries[i];
            (bool ok, bytes memory data) = c.target.call{value: c.value}(c.data);
            _attempts.push(Attempt(c.target, ok, data));
        }
    }
}
