// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title TestExecutor
 * @notice Test only, never part of a DAO deployment: a multicall that makes several calls in one transaction (as
 * anyone may, to execute several passed proposals at once), and can first emit a look-alike of the timelock's
 * `CallExecuted` event. The tests use it to check that provenance is read from the DAO's own logs, in log order.
 */
contract TestExecutor {
    /// @notice The same signature as `TimelockController.CallExecuted`, emitted by this contract instead.
    event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data);

    /// @notice Call number `index` failed with `reason`.
    error TestExecutorCallFailed(uint256 index, bytes reason);

    /// @notice Make each call in order; revert with the first failure.
    /// @param targets The contracts to call.
    /// @param data The calldata of each call.
    function aggregate(address[] calldata targets, bytes[] calldata data) external {
        for (uint256 i = 0; i < targets.length; ++i) {
            (bool ok, bytes memory reason) = targets[i].call(data[i]);
            if (!ok) revert TestExecutorCallFailed(i, reason);
        }
    }

    /// @notice Emit a forged `CallExecuted` naming `fakeId`, then make the calls.
    /// @param fakeId The operation id the forged event names.
    /// @param fakeTarget The target the forged event names.
    /// @param fakeData The call data the forged event names.
    /// @param targets The contracts to call.
    /// @param data The calldata of each call.
    function forgeThenAggregate(
        bytes32 fakeId,
        address fakeTarget,
        bytes calldata fakeData,
        address[] calldata targets,
        bytes[] calldata data
    ) external {
        emit CallExecuted(fakeId, 0, fakeTarget, 0, fakeData);
        for (uint256 i = 0; i < targets.length; ++i) {
            (bool ok, bytes memory reason) = targets[i].call(data[i]);
            if (!ok) revert TestExecutorCallFailed(i, reason);
        }
    }
}
