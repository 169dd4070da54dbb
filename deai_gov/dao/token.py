"""The governance token: balances, voting power and delegation (reads), delegating and transferring
(transactions), and the treasury reward a lifecycle proposal may carry (an action)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..chain.client import PreparedTx
from ..chain.logs import iter_logs
from ..errors import InputError
from ..names import checksum_address
from ..units import format_amount
from .actions import Action

if TYPE_CHECKING:
    from .deployed import Dao


@dataclass(frozen=True)
class Holding:
    """What an address holds and controls: its tokens, the votes delegated to it, and its own delegate."""

    address: str
    balance: int
    votes: int
    delegate: str
    symbol: str


@dataclass(frozen=True)
class Delegate:
    """A delegate and its voting power now."""

    address: str
    votes: int
    share_percent: float


def symbol(dao: Dao) -> str:
    """The token's symbol (e.g. MDL)."""
    return str(dao.read("token", "symbol"))


def holding(dao: Dao, address: str) -> Holding:
    """Balance, voting power, delegate and symbol of `address`, in one batch."""
    who = checksum_address(address, "address")
    balance, votes, delegate, sym = dao.read_many(
        [
            dao.call("token", "balanceOf", who),
            dao.call("token", "getVotes", who),
            dao.call("token", "delegates", who),
            dao.call("token", "symbol"),
        ]
    )
    return Holding(who, int(balance), int(votes), str(delegate), str(sym))


def delegate_addresses(dao: Dao) -> list[str]:
    """Everyone who ever received a delegation (and so may have votes), from the token's logs, sorted."""
    return sorted(
        {
            log.args["delegate"]
            for log in iter_logs(
                dao.chain, "ModelToken", dao.address("token"), "DelegateVotesChanged", from_block=dao.deployment.block
            )
        }
    )


def top_delegates(dao: Dao, top: int = 20) -> list[Delegate]:
    """The `top` delegates with the most voting power now (everyone who ever received a delegation is checked)."""
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
    """Give the sender's voting power to `delegatee` (its own address to vote itself)."""
    target = checksum_address(delegatee, "delegate")
    return dao.prepare("token", "delegate", (target,), f"delegate your votes to {target}")


def transfer(dao: Dao, recipient: str, amount: int) -> PreparedTx:
    """Send `amount` base units of the token to `recipient`."""
    to = checksum_address(recipient, "recipient")
    if amount <= 0:
        raise InputError("a transfer must be a positive amount")
    return dao.prepare("token", "transfer", (to, amount), f"transfer {format_amount(amount)} {symbol(dao)} to {to}")


def check_shares(shares: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Contributor shares ((address, basis points)) with checksummed addresses; InputError unless they are positive,
    add up to 10,000 (as the manifest requires) and name each contributor once."""
    from ..ipfs.manifest import TOTAL_SHARES_BPS

    if not shares or any(bps <= 0 for _, bps in shares) or sum(bps for _, bps in shares) != TOTAL_SHARES_BPS:
        raise InputError(f"contributor shares must be positive and add up to {TOTAL_SHARES_BPS:,} basis points")
    checked = [(checksum_address(address, "contributor"), bps) for address, bps in shares]
    if len({address for address, _ in checked}) != len(checked):
        raise InputError("each contributor may appear once")
    return checked


def split_reward(amount: int, shares: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """`amount` base units split by `shares` (see `check_shares`): each contributor gets the floor of its share, and
    the first contributor also the remainder (a few base units at most), so the parts add up to `amount` exactly
    and nothing stays behind."""
    from ..ipfs.manifest import TOTAL_SHARES_BPS

    checked = check_shares(shares)
    parts = [amount * bps // TOTAL_SHARES_BPS for _, bps in checked]
    parts[0] += amount - sum(parts)
    return [(address, part) for (address, _), part in zip(checked, parts, strict=True)]


def reward_actions(dao: Dao, shares: list[tuple[str, int]], amount: int) -> list[Action]:
    """Pay `amount` base units from the treasury split among contributors by their shares (see `split_reward`);
    a contributor whose part rounds to nothing gets no transfer."""
    if amount <= 0:
        raise InputError("a reward must be a positive amount")
    return [reward_action(dao, address, part) for address, part in split_reward(amount, shares) if part > 0]


def reward_action(dao: Dao, recipient: str, amount: int) -> Action:
    """Pay `amount` base units from the treasury (the timelock) to `recipient` when the proposal executes."""
    if amount <= 0:
        raise InputError("a reward must be a positive amount")
    return dao.action("token", "transfer", checksum_address(recipient, "reward recipient"), amount)
