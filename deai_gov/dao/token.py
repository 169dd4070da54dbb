"""The governance token: balances, voting power and delegation (reads), delegating and transferring
(transactions), and the treasury reward a lifecycle proposal may carry (an action)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.client import PreparedTx
from ..chain.logs import iter_logs
from ..chain.typed import NAMED_DOMAIN, sign_typed, typed_signer
from ..errors import InputError
from ..ipfs.manifest import TOTAL_SHARES_BPS
from ..names import checksum_address
from ..units import format_amount
from .actions import Action, SignedDelegation

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from .deployed import Dao


@dataclass(frozen=True)
class Holding:
    """What an address holds and controls: its tokens, the votes delegated to it, and its own delegate."""

    address: str
    balance: int
    votes: int
    delegate: str
    symbol: str
    #: The part of `balance` earned as merit: it votes like tokens, and cannot be transferred.
    merit: int = 0

    @property
    def transferable(self) -> int:
        return self.balance - self.merit

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "balance": str(self.balance),
            "votes": str(self.votes),
            "delegate": self.delegate,
            "symbol": self.symbol,
            "merit": str(self.merit),
        }


@dataclass(frozen=True)
class Delegate:
    """A delegate and its voting power now."""

    address: str
    votes: int
    share_percent: float

    def to_json(self) -> dict[str, Any]:
        return {"delegate": self.address, "votes": str(self.votes), "share_percent": self.share_percent}


def symbol(dao: Dao) -> str:
    """The token's symbol (e.g. MDL).

    Args:
        dao: The DAO (`Dao.attach`).

    Returns:
        The symbol, as the token contract says it.

    Raises:
        ChainError: The node could not be reached.
    """
    return str(dao.read("token", "symbol"))


def holding(dao: Dao, address: str) -> Holding:
    """Balance, voting power, delegate and symbol of `address`, in one batch.

    Args:
        dao: The DAO (`Dao.attach`).
        address: Any address.

    Returns:
        Its balance and the votes delegated to it now (both in base units), its own delegate (the zero address
        when it never delegated) and the token's symbol.

    Raises:
        InputError: A malformed address.
        ChainError: The node could not be reached.
    """
    who = checksum_address(address, "address")
    balance, votes, delegate, sym, merit = dao.read_many(
        [
            dao.call("token", "balanceOf", who),
            dao.call("token", "getVotes", who),
            dao.call("token", "delegates", who),
            dao.call("token", "symbol"),
            dao.call("token", "meritOf", who),
        ]
    )
    return Holding(who, int(balance), int(votes), str(delegate), str(sym), int(merit))


def delegate_addresses(dao: Dao) -> list[str]:
    """Everyone who ever received a delegation (and so may have votes), from the token's logs, sorted.

    Args:
        dao: The DAO (`Dao.attach`).

    Returns:
        Their checksummed addresses, sorted.

    Raises:
        ChainError: The node could not be reached.
    """
    return sorted(
        {
            log.args["delegate"]
            for log in iter_logs(
                dao.chain, "ModelToken", dao.address("token"), "DelegateVotesChanged", from_block=dao.deployment.block
            )
        }
    )


def holder_addresses(dao: Dao) -> list[str]:
    """Everyone who ever received tokens (and so may hold some), from the token's logs, sorted.

    Raises:
        ChainError: The node could not be reached.
    """
    logs = iter_logs(dao.chain, "ModelToken", dao.address("token"), "Transfer", from_block=dao.deployment.block)
    return sorted({log.args["to"] for log in logs} - {"0x0000000000000000000000000000000000000000"})


def top_delegates(dao: Dao, top: int = 20) -> list[Delegate]:
    """The `top` delegates with the most voting power now (everyone who ever received a delegation is checked).

    Args:
        dao: The DAO (`Dao.attach`).
        top: How many delegates at most.

    Returns:
        The delegates with votes now, most first, each with its share of the total supply in percent.

    Raises:
        ChainError: The node could not be reached.
    """
    addresses = delegate_addresses(dao)
    total, *votes = dao.read_many(
        [dao.call("token", "totalSupply"), *(dao.call("token", "getVotes", a) for a in addresses)]
    )
    ranked = sorted(((int(v), a) for v, a in zip(votes, addresses, strict=True)), reverse=True)
    return [
        Delegate(address, votes_now, round(100 * votes_now / total, 2) if total else 0.0)
        for votes_now, address in ranked[:top]
        if votes_now > 0
    ]


def delegate(dao: Dao, delegatee: str) -> PreparedTx:
    """Give the sender's voting power to `delegatee` (its own address to vote itself).

    Holding tokens gives no votes until they are delegated; a delegation covers the whole balance, tokens received
    later included, and counts on proposals whose snapshot comes after it.

    Args:
        dao: The DAO (`Dao.attach`).
        delegatee: Who votes with the sender's tokens: the sender's own address, or anyone's.

    Returns:
        The transaction, for `chain.client.send` from the holder's account.

    Raises:
        InputError: A malformed address.
    """
    target = checksum_address(delegatee, "delegate")
    return dao.prepare("token", "delegate", (target,), f"delegate your votes to {target}")


def delegation_typed_data(
    *, token: str, token_name: str, chain_id: int, delegatee: str, nonce: int, expiry: int
) -> dict[str, Any]:
    """The EIP-712 `Delegation` ERC20Votes checks in `delegateBySig`, in the token's domain (ERC20Permit's: its name,
    version "1")."""
    return {
        "types": {
            "EIP712Domain": NAMED_DOMAIN,
            "Delegation": [
                {"name": "delegatee", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
            ],
        },
        "primaryType": "Delegation",
        "domain": {"name": token_name, "version": "1", "chainId": chain_id, "verifyingContract": token},
        "message": {"delegatee": delegatee, "nonce": nonce, "expiry": expiry},
    }


def unsigned_delegation(dao: Dao, delegator: str, delegatee: str, expiry: int) -> dict[str, Any]:
    """The `Delegation` `delegator` would sign now to give its votes to `delegatee` until `expiry` (its nonce read
    from the token): for a wallet to sign (`eth_signTypedData_v4`), or `sign_delegation`."""
    who, target = checksum_address(delegator, "delegator"), checksum_address(delegatee, "delegate")
    name, nonce = dao.read_many([dao.call("token", "name"), dao.call("token", "nonces", who)])
    return delegation_typed_data(token=dao.address("token"), token_name=str(name), chain_id=dao.chain.chain_id,
                                 delegatee=target, nonce=int(nonce), expiry=expiry)  # fmt: skip


def sign_delegation(dao: Dao, account: LocalAccount, delegatee: str, expiry: int) -> SignedDelegation:
    """`account`'s delegation to `delegatee`, signed (EIP-712) for anyone to submit before `expiry`: a holder with no
    gas activates its votes through a relayer (`relay_delegation`)."""
    typed = unsigned_delegation(dao, account.address, delegatee, expiry)
    signature = "0x" + sign_typed(account, typed).hex()
    message = typed["message"]
    return SignedDelegation(account.address, message["delegatee"], message["nonce"], expiry, signature)


def delegation_signer(dao: Dao, signed: SignedDelegation, token_name: str) -> str:
    """Who signed the delegation for this token and chain (a signature made for another token or chain recovers to
    someone else)."""
    typed = delegation_typed_data(token=dao.address("token"), token_name=token_name, chain_id=dao.chain.chain_id,
                                  delegatee=checksum_address(signed.delegatee, "delegate"), nonce=signed.nonce,
                                  expiry=signed.expiry)  # fmt: skip
    return typed_signer(typed, bytes.fromhex(signed.signature.removeprefix("0x")), "delegation's signature")


def relay_delegation(dao: Dao, signed: SignedDelegation) -> PreparedTx:
    """Submit a signed delegation (`delegateBySig`); the relayer pays the gas. Checked first, so that nothing is spent
    on one the token would refuse: signed by its delegator for this token and chain, not expired, its nonce the
    delegator's next.

    Raises:
        InputError: It would be refused, said in words.
    """
    delegator = checksum_address(signed.delegator, "delegator")
    name, nonce = dao.read_many([dao.call("token", "name"), dao.call("token", "nonces", delegator)])
    if delegation_signer(dao, signed, str(name)) != delegator:
        raise InputError(f"the delegation was not signed by {delegator} for this token on chain {dao.chain.chain_id}")
    if signed.expiry <= dao.chain.now():  # the token compares it with the time of the block it is mined in
        raise InputError("the signed delegation has expired")
    if signed.nonce != int(nonce):
        raise InputError(f"the signed delegation's nonce {signed.nonce} is used or not the next ({int(nonce)})")
    raw = bytes.fromhex(signed.signature.removeprefix("0x"))
    args = (checksum_address(signed.delegatee, "delegate"), signed.nonce, signed.expiry, raw[64], raw[:32], raw[32:64])
    return dao.prepare("token", "delegateBySig", args, f"relay {delegator}'s delegation to {signed.delegatee}")


def transfer(dao: Dao, recipient: str, amount: int) -> PreparedTx:
    """Send `amount` base units of the token to `recipient`.

    Args:
        dao: The DAO (`Dao.attach`).
        recipient: Who receives the tokens.
        amount: In base units (`units.parse_amount("12.5")` for 12.5 tokens).

    Returns:
        The transaction, for `chain.client.send` from the sender's account. Sending raises TransactionError
        (nothing sent) when the sender holds less than `amount`.

    Raises:
        InputError: A malformed address, or an amount that is not positive.
        ChainError: The node could not be reached.
    """
    to = checksum_address(recipient, "recipient")
    if amount <= 0:
        raise InputError("a transfer must be a positive amount")
    return dao.prepare("token", "transfer", (to, amount), f"transfer {format_amount(amount)} {symbol(dao)} to {to}")


def check_shares(shares: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Contributor shares ((address, basis points)) with checksummed addresses; InputError unless they are positive,
    add up to 10,000 (as the manifest requires) and name each contributor once.

    Args:
        shares: (address, basis points) pairs, the registry's contributor first.

    Returns:
        The same shares, in the same order, with checksummed addresses.

    Raises:
        InputError: A share that is not positive, shares that do not add up to 10,000, a malformed address, or
            a contributor named twice.
    """

    if not shares or any(bps <= 0 for _, bps in shares) or sum(bps for _, bps in shares) != TOTAL_SHARES_BPS:
        raise InputError(f"contributor shares must be positive and add up to {TOTAL_SHARES_BPS:,} basis points")
    checked = [(checksum_address(address, "contributor"), bps) for address, bps in shares]
    if len({address for address, _ in checked}) != len(checked):
        raise InputError("each contributor may appear once")
    return checked


def split_reward(amount: int, shares: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """`amount` base units split by `shares` (see `check_shares`): each contributor gets the floor of its share, and
    the first contributor also the remainder (a few base units at most), so the parts add up to `amount` exactly
    and nothing stays behind.

    Args:
        amount: The whole reward, in base units.
        shares: (address, basis points) pairs adding up to 10,000.

    Returns:
        (address, base units) pairs in the order of `shares`, adding up to `amount`.

    Raises:
        InputError: Shares that `check_shares` refuses.
    """

    checked = check_shares(shares)
    parts = [amount * bps // TOTAL_SHARES_BPS for _, bps in checked]
    parts[0] += amount - sum(parts)
    return [(address, part) for (address, _), part in zip(checked, parts, strict=True)]


def reward_actions(dao: Dao, shares: list[tuple[str, int]], amount: int) -> list[Action]:
    """Pay `amount` base units from the treasury split among contributors by their shares (see `split_reward`);
    a contributor whose part rounds to nothing gets no transfer.

    Args:
        dao: The DAO (`Dao.attach`).
        shares: (address, basis points) pairs adding up to 10,000, as in the version's manifest.
        amount: The whole reward, in base units.

    Returns:
        One treasury transfer action per contributor paid, for `governance.build_proposal`.

    Raises:
        InputError: An amount that is not positive, or shares that `check_shares` refuses.
    """
    if amount <= 0:
        raise InputError("a reward must be a positive amount")
    return [reward_action(dao, address, part) for address, part in split_reward(amount, shares) if part > 0]


def reward_action(dao: Dao, recipient: str, amount: int) -> Action:
    """Pay `amount` base units from the treasury (the timelock) to `recipient` when the proposal executes.

    Args:
        dao: The DAO (`Dao.attach`).
        recipient: Who is paid (usually the version's contributor).
        amount: In base units (`units.parse_amount("100")` for 100 tokens).

    Returns:
        The action, for `governance.build_proposal`. Execution reverts, and the proposal stays queued, when the
        treasury holds less than `amount` then.

    Raises:
        InputError: A malformed address, or an amount that is not positive.
    """
    if amount <= 0:
        raise InputError("a reward must be a positive amount")
    return dao.action("token", "transfer", checksum_address(recipient, "reward recipient"), amount)


def merit_actions(dao: Dao, shares: list[tuple[str, int]], amount: int, reason: str, lifetime: int = 0) -> list[Action]:
    """Mint `amount` base units of merit split among contributors by their shares (as `split_reward` splits a
    reward), each grant expiring `lifetime` seconds after it is minted (0: never); a contributor whose part rounds to
    nothing gets none.

    Raises:
        InputError: An amount that is not positive, or shares that `check_shares` refuses.
    """
    if amount <= 0:
        raise InputError("merit must be a positive amount")
    return [
        merit_action(dao, address, part, reason, lifetime) for address, part in split_reward(amount, shares) if part > 0
    ]


#: The longest merit lifetime a proposal may give (about a century), in seconds.
MAX_MERIT_LIFETIME = 100 * 365 * 24 * 3600


def merit_action(dao: Dao, account: str, amount: int, reason: str, lifetime: int = 0) -> Action:
    """Mint `amount` base units of merit to `account` when the proposal executes: voting power earned by an accepted
    contribution, which it keeps (no transfer can move it) until `lifetime` seconds after the mint, when anyone may
    burn it (`expire_merit`); 0 for never. The token refuses more than `MAX_MERIT_MINT_BPS` of the supply in one
    block (one proposal's execution, however many mints it holds), and any account of the DAO's own.

    Raises:
        InputError: A malformed address, the zero address, an amount that is not positive, or a lifetime out of
            range.
    """
    who = checksum_address(account, "merit recipient")
    if int(who, 16) == 0:
        raise InputError("merit goes to a contributor, not the zero address")
    if amount <= 0:
        raise InputError("merit must be a positive amount")
    if not 0 <= lifetime <= MAX_MERIT_LIFETIME:
        raise InputError("a merit lifetime is from 0 (never expires) to 100 years")
    return dao.action("token", "mintMerit", who, amount, lifetime, reason)


@dataclass(frozen=True)
class MeritGrant:
    """One grant of merit an account received: its number, what is left of it and when it expires (0: never)."""

    grant_id: int
    amount: int
    expires_at: int

    def to_json(self) -> dict[str, Any]:
        return {"grant_id": self.grant_id, "amount": str(self.amount), "expires_at": self.expires_at or None}


def merit_grants(dao: Dao, account: str) -> list[MeritGrant]:
    """Every grant of merit `account` received, oldest first (expired ones with nothing left), read in one batch."""
    who = checksum_address(account, "account")
    count = int(dao.read("token", "meritGrantCount", who))
    found = dao.read_many([dao.call("token", "meritGrant", who, grant) for grant in range(count)]) if count else []
    return [MeritGrant(grant, int(amount), int(expires)) for grant, (amount, expires) in enumerate(found)]


def expire_merit(dao: Dao, account: str, grant_id: int) -> PreparedTx:
    """Burn what is left of an expired grant of merit (anyone may): the holder's votes fall by as much."""
    who = checksum_address(account, "account")
    return dao.prepare("token", "expireMerit", (who, grant_id), f"expire merit grant {grant_id} of {who}")


def merit_cap(dao: Dao) -> int:
    """The most merit one proposal may mint now, in base units (MAX_MERIT_MINT_BPS of the supply)."""
    supply, bps = dao.read_many([dao.call("token", "totalSupply"), dao.call("token", "MAX_MERIT_MINT_BPS")])
    return int(supply) * int(bps) // 10_000
