// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {VotesExtended} from "@openzeppelin/contracts/governance/utils/VotesExtended.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/**
 * @title ModelToken
 * @notice The governance token of a model DAO. Voting power follows delegation (ERC20Votes); the
 * {VotesExtended} checkpoints of delegates let a delegator override its delegate's vote in the governor.
 * The clock is the block timestamp (ERC-6372 `mode=timestamp`), so voting delay and period are seconds on
 * every chain. The supply is minted at construction; part of it usually goes to the timelock, the treasury from
 * which contributors are rewarded by vote.
 *
 * Merit: voting power earned by accepted contributions, which cannot be bought or sold. Only the minter (the DAO's
 * timelock, so only by a vote) mints it, at most {MAX_MERIT_MINT_BPS} of the supply in one block, however many
 * mints a proposal holds (a proposal executes in one transaction). Merit is part of its
 * holder's balance, so it votes, is delegated and is counted by quorum and vote overrides exactly as tokens are;
 * but a balance never falls below its merit by a transfer: merit stays with whoever earned it.
 *
 * Each mint is a grant that may expire: minted with a lifetime (0 for none), it can be burnt by anyone once that
 * lifetime has passed ({expireMerit}), so say follows recent contributions when the DAO's policy wants it to.
 */
contract ModelToken is ERC20, ERC20Permit, ERC20Votes, VotesExtended {
    /// @notice The most merit mints may create in one block, in basis points of the supply before them (100 = 1%).
    uint256 public constant MAX_MERIT_MINT_BPS = 100;

    /// @notice Who may mint merit: the DAO's timelock.
    address public immutable meritMinter;

    /// @notice One grant of merit: what is left of it (0 once expired) and when it expires (0: never).
    struct MeritGrant {
        uint208 amount;
        uint48 expiresAt;
    }

    mapping(address account => uint256) private _merit;
    mapping(address account => MeritGrant[]) private _grants;
    uint256 private _totalMerit;
    /// @dev The block of the latest mint of merit, the supply before that block's first mint, and what it minted.
    uint48 private _mintBlock;
    uint256 private _supplyBeforeMints;
    uint256 private _mintedInBlock;

    /// @notice `account` earned `amount` of merit as its grant `grantId` (also a `Transfer` from the zero address),
    /// expiring at `expiresAt` (0: never); `reason` says for what.
    event MeritMinted(
        address indexed account, uint256 indexed grantId, uint256 amount, uint48 expiresAt, string reason
    );

    /// @notice Grant `grantId` of `account` expired: its `amount` of merit was burnt (also a `Transfer` to zero).
    event MeritExpired(address indexed account, uint256 indexed grantId, uint256 amount);

    /// @dev `holders` and `amounts` have different lengths.
    error ModelTokenAllocationLengthMismatch(uint256 holders, uint256 amounts);

    /// @dev Only the merit minter (the timelock, by a vote) mints merit.
    error ModelTokenUnauthorizedMeritMinter(address caller);

    /// @dev The merit minter must be an account (the timelock), not the zero address.
    error ModelTokenInvalidMeritMinter();

    /// @dev Merit goes to contributors: not to the zero address, the token or the minter (the DAO's treasury).
    error ModelTokenInvalidMeritAccount(address account);

    /// @dev A mint of merit must be positive, and this block's mints at most `cap` in all (MAX_MERIT_MINT_BPS of the
    /// supply before them); `amount` would have been minted in this block.
    error ModelTokenMeritMintOutOfRange(uint256 amount, uint256 cap);

    /// @dev `account` may move only `transferable` (its balance above its merit); `needed` was asked for.
    error ModelTokenMeritNotTransferable(address account, uint256 transferable, uint256 needed);

    /// @dev `account` has no grant `grantId` with merit left (never made, or expired already).
    error ModelTokenUnknownMeritGrant(address account, uint256 grantId);

    /// @dev Grant `grantId` of `account` expires at `expiresAt` (0: never), which has not come.
    error ModelTokenMeritNotExpired(address account, uint256 grantId, uint48 expiresAt);

    /**
     * @param name_ Token name (also the EIP-712 domain name used by permits).
     * @param symbol_ Token symbol.
     * @param holders Initial holders, for example early contributors and the timelock (treasury).
     * @param amounts Amount minted to each holder, in the token's smallest unit.
     * @param meritMinter_ Who may mint merit: the DAO's timelock.
     */
    constructor(
        string memory name_,
        string memory symbol_,
        address[] memory holders,
        uint256[] memory amounts,
        address meritMinter_
    ) ERC20(name_, symbol_) ERC20Permit(name_) {
        if (meritMinter_ == address(0)) revert ModelTokenInvalidMeritMinter();
        meritMinter = meritMinter_;
        if (holders.length != amounts.length) {
            revert ModelTokenAllocationLengthMismatch(holders.length, amounts.length);
        }
        for (uint256 i = 0; i < holders.length; ++i) {
            _mint(holders[i], amounts[i]);
        }
    }

    /**
     * @notice Mints `amount` of merit to `account` as a new grant: voting power it keeps, which no transfer can move,
     * until `lifetime` seconds have passed (0: for good).
     * @param account A contributor (not the zero address, the token or the minter).
     * @param amount Positive; with the block's other mints, at most {MAX_MERIT_MINT_BPS} of the supply before them.
     * @param lifetime Seconds after this mint at which anyone may burn the grant ({expireMerit}); 0 for never.
     * @param reason What it was earned for (recorded in the {MeritMinted} event).
     */
    function mintMerit(address account, uint256 amount, uint48 lifetime, string calldata reason) external {
        if (msg.sender != meritMinter) revert ModelTokenUnauthorizedMeritMinter(msg.sender);
        if (account == address(0) || account == address(this) || account == meritMinter) {
            revert ModelTokenInvalidMeritAccount(account);
        }
        if (_mintBlock != uint48(block.number)) {
            _mintBlock = uint48(block.number);
            _supplyBeforeMints = totalSupply();
            _mintedInBlock = 0;
        }
        uint256 cap = (_supplyBeforeMints * MAX_MERIT_MINT_BPS) / 10_000;
        uint256 minted = _mintedInBlock + amount;
        if (amount == 0 || minted > cap) revert ModelTokenMeritMintOutOfRange(minted, cap);
        _mintedInBlock = minted;
        uint48 expiresAt = lifetime == 0 ? 0 : SafeCast.toUint48(block.timestamp + lifetime);
        uint256 grantId = _grants[account].length;
        _grants[account].push(MeritGrant(SafeCast.toUint208(amount), expiresAt));
        _merit[account] += amount;
        _totalMerit += amount;
        _mint(account, amount);
        emit MeritMinted(account, grantId, amount, expiresAt, reason);
    }

    /**
     * @notice Burns what is left of grant `grantId` of `account` once it has expired: anyone may call it.
     * @param account The grant's holder.
     * @param grantId The grant's number among the holder's (from 0, in the order minted).
     */
    function expireMerit(address account, uint256 grantId) external {
        if (grantId >= _grants[account].length) revert ModelTokenUnknownMeritGrant(account, grantId);
        MeritGrant storage grant = _grants[account][grantId];
        uint256 amount = grant.amount;
        if (amount == 0) revert ModelTokenUnknownMeritGrant(account, grantId);
        if (grant.expiresAt == 0 || block.timestamp < grant.expiresAt) {
            revert ModelTokenMeritNotExpired(account, grantId, grant.expiresAt);
        }
        grant.amount = 0;
        _merit[account] -= amount;
        _totalMerit -= amount;
        _burn(account, amount);
        emit MeritExpired(account, grantId, amount);
    }

    /// @notice The merit `account` holds: the part of its balance it cannot transfer.
    function meritOf(address account) external view returns (uint256) {
        return _merit[account];
    }

    /// @notice All merit held (minted, less what expired): part of the total supply.
    function totalMerit() external view returns (uint256) {
        return _totalMerit;
    }

    /// @notice How many grants of merit `account` has had (expired ones included).
    function meritGrantCount(address account) external view returns (uint256) {
        return _grants[account].length;
    }

    /// @notice Grant `grantId` of `account`: what is left of it (0 once expired) and when it expires (0: never).
    function meritGrant(address account, uint256 grantId) external view returns (uint256 amount, uint48 expiresAt) {
        MeritGrant storage grant = _grants[account][grantId];
        return (grant.amount, grant.expiresAt);
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

    /// @dev A transfer (or burn) never takes a balance below its merit; a larger amount than the balance is left to
    /// ERC20's own error.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        if (from != address(0)) {
            uint256 balance = balanceOf(from);
            uint256 locked = _merit[from];
            if (value <= balance && balance - value < locked) {
                revert ModelTokenMeritNotTransferable(from, balance > locked ? balance - locked : 0, value);
            }
        }
        super._update(from, to, value);
    }

    function _delegate(address account, address delegatee) internal override(Votes, VotesExtended) {
        super._delegate(account, delegatee);
    }

    function _transferVotingUnits(address from, address to, uint256 amount) internal override(Votes, VotesExtended) {
        super._transferVotingUnits(from, to, amount);
    }
}
