// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {VotesExtended} from "@openzeppelin/contracts/governance/utils/VotesExtended.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/**
 * @title ModelToken
 * @notice The governance token of a model DAO. Voting power follows delegation (ERC20Votes); the
 * {VotesExtended} checkpoints of delegates let a delegator override its delegate's vote in the governor.
 * The clock is the block timestamp (ERC-6372 `mode=timestamp`), so voting delay and period are seconds on
 * every chain. The whole supply is minted once, at construction; part of it usually goes to the timelock,
 * the treasury from which contributors are rewarded by vote.
 */
contract ModelToken is ERC20, ERC20Permit, ERC20Votes, VotesExtended {
    /// @dev `holders` and `amounts` have different lengths.
    error ModelTokenAllocationLengthMismatch(uint256 holders, uint256 amounts);

    /**
     * @param name_ Token name (also the EIP-712 domain name used by permits).
     * @param symbol_ Token symbol.
     * @param holders Initial holders, for example early contributors and the timelock (treasury).
     * @param amounts Amount minted to each holder, in the token's smallest unit.
     */
    constructor(
        string memory name_,
        string memory symbol_,
        address[] memory holders,
        uint256[] memory amounts
    ) ERC20(name_, symbol_) ERC20Permit(name_) {
        if (holders.length != amounts.length) {
            revert ModelTokenAllocationLengthMismatch(holders.length, amounts.length);
        }
        for (uint256 i = 0; i < holders.length; ++i) {
            _mint(holders[i], amounts[i]);
        }
    }

    /// @notice The ERC-6372 clock: the current block timestamp.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice The ERC-6372 clock mode: timepoints are timestamps.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function _delegate(address account, address delegatee) internal override(Votes, VotesExtended) {
        super._delegate(account, delegatee);
    }

    function _transferVotingUnits(address from, address to, uint256 amount) internal override(Votes, VotesExtended) {
        super._transferVotingUnits(from, to, amount);
    }
}
