// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The DAO's timelock is OpenZeppelin's TimelockController, unchanged. Importing it here makes the build
// emit its artifact, which the Python package ships and deploys.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
