// SPDX-License-Identifier: CC0-1.0
pragma solidity ^0.8.24;

/**
 * @title ERC-4824 DAOs
 * @dev The interface of EIP-4824 ("Common Interfaces for DAOs"), as the standard states it: a contract that
 * describes a DAO answers `daoURI`, the URI of a JSON-LD document (members, proposals, activity log, governance,
 * contracts), and emits {DAOURIUpdate} when it changes. See <https://eips.ethereum.org/EIPS/eip-4824>.
 */
interface IERC4824 {
    /// @notice The DAO at `daoAddress` now describes itself at `daoURI`.
    event DAOURIUpdate(address daoAddress, string daoURI);

    /// @notice The URI of the DAO's JSON-LD description (EIP-4824's DAO schema); empty before any.
    function daoURI() external view returns (string memory _daoURI);
}
