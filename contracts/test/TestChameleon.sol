// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title TestChameleon
 * @notice Test only, never part of a DAO deployment: a contract outside the DAO that a proposal calls, and that
 * refuses the call where it can tell a simulation from the chain (no gas price, no base fee, the executor address a
 * simulation used to use) or where it comes later than `notAfter`. The tests use it to check that a whole-proposal
 * simulation runs under the chain's own conditions, and tries a late execution as well as one at the eta.
 */
contract TestChameleon {
    /// @notice The address whole-proposal simulations used to execute from.
    address public constant OLD_SIMULATION_EXECUTOR = address(0xdA0E);

    /// @notice The last moment `act` succeeds.
    uint256 public immutable notAfter;

    /// @notice How many times `act` succeeded.
    uint256 public acted;

    /// @notice The call looked like a simulation.
    error TestChameleonSeenThrough(uint256 gasPrice, uint256 baseFee, address origin);

    /// @notice The call came after `notAfter`.
    error TestChameleonTooLate(uint256 time, uint256 notAfter);

    /// @notice Emitted by every successful `act`.
    event Acted(uint256 count);

    /// @param notAfter_ The last moment `act` succeeds.
    constructor(uint256 notAfter_) {
        notAfter = notAfter_;
    }

    /// @notice Succeed only under a chain's real conditions, and no later than `notAfter`.
    function act() external {
        if (tx.gasprice == 0 || block.basefee == 0 || tx.origin == OLD_SIMULATION_EXECUTOR) {
            revert TestChameleonSeenThrough(tx.gasprice, block.basefee, tx.origin);
        }
        if (block.timestamp > notAfter) revert TestChameleonTooLate(block.timestamp, notAfter);
        acted += 1;
        emit Acted(acted);
    }
}
