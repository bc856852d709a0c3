// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Governance of the suite is OpenZeppelin's TimelockController, unmodified (DESIGN §10: every
// parameter change waits 24 hours). Importing it here compiles it with the project's pinned compiler
// and settings, so the deployed bytecode matches an artifact of this repository and can be verified.
// The import is the point of this file; nothing here uses the name.
// solhint-disable-next-line no-unused-import
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
