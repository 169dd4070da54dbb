"""A relayer: signed votes and delegations submitted for voters who hold no gas, from the relayer's own account,
each checked before anything is spent, within a gas budget, and idempotent.

A vote is relayed only if its signature is the voter's for this governor and chain, the proposal is open, the ballot
is bound to the proposal's content (its nonce keyed by the content hash, as every signed vote of this project is),
its nonce is the voter's next, the voter has not voted and had voting power at the snapshot, and the transaction
simulates. A delegation only if it is signed by its delegator for this token and chain, unexpired, at the
delegator's next nonce. What the relayer may spend is bounded per signer and per hour, and in all. The same ballot
sent twice is one transaction and one answer (the first one's), whoever sends it again.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..chain.client import send
from ..contracts.states import ProposalState
from ..dao.actions import SignedDelegation, SignedVote
from ..dao.governance import ballot_nonce_key, ballot_signer, get_proposal, relay, state
from ..dao.token import relay_delegation
from ..errors import InputError, RelayLimitReached
from ..names import checksum_address

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain.client import PreparedTx
    from ..dao.deployed import Dao

HOUR = 3600.0


@dataclass(frozen=True)
class RelayBudget:
    """What the relayer may spend, in gas: per signer in any hour, all signers in any hour, and in all (None: no
    limit)."""

    per_signer_hour: int = 1_000_000
    per_hour: int = 50_000_000
    total: int | None = None


@dataclass(frozen=True)
class RelayReceipt:
    """A relayed vote or delegation: who signed it, what it is about (the proposal, or the delegatee), the
    transaction, and whether this answer repeats an earlier one (the same signature sent again)."""

    kind: str
    signer: str
    subject: str
    tx_hash: str
    block: int
    gas_used: int
    repeated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "signer": self.signer,
            "subject": self.subject,
            "tx_hash": self.tx_hash,
            "block": self.block,
            "gas_used": self.gas_used,
            "repeated": self.repeated,
        }


@dataclass
class _Ledger:
    """Gas spent: each spend's (time, signer, gas), the last hour's kept, and the total."""

    recent: deque[tuple[float, str, int]] = field(default_factory=deque)
    total: int = 0

    def forget_before(self, moment: float) -> None:
        while self.recent and self.recent[0][0] < moment:
            self.recent.popleft()

    def spent(self, signer: str | None = None) -> int:
        return sum(gas for _, who, gas in self.recent if signer is None or who == signer)


class Relayer:
    """Relays signed votes and delegations for the DAO from `account` (which pays), within `budget`.

    Thread-safe: checks run concurrently; sending is one at a time (the account's nonces in order), and the same
    signature sent concurrently is sent once.
    """

    def __init__(
        self, dao: Dao, account: LocalAccount, budget: RelayBudget, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.dao = dao
        self.account = account
        self.budget = budget
        self._clock = clock
        self._lock = threading.Lock()
        self._done: dict[str, RelayReceipt] = {}
        self._ledger = _Ledger()
        self._names: dict[str, str] = {}

    def status(self) -> dict[str, Any]:
        """What the relayer serves and what it has spent (for `GET /v1/status` and the page)."""
        with self._lock:
            self._ledger.forget_before(self._clock() - HOUR)
            spent_hour, total = self._ledger.spent(), self._ledger.total
        return {
            "chain_id": self.dao.chain.chain_id,
            "governor": self.dao.address("governor"),
            "token": self.dao.address("token"),
            "relayer": self.account.address,
            "relayed": len(self._done),
            "gas_spent_last_hour": spent_hour,
            "gas_spent_total": total,
            "budget": {
                "per_signer_hour": self.budget.per_signer_hour,
                "per_hour": self.budget.per_hour,
                "total": self.budget.total,
            },
        }

    # ------------------------------------------------------------------ votes

    def relay_vote(self, data: Any) -> RelayReceipt:
        """Check a signed vote (the JSON `proposal sign-vote` writes, or a wallet's page sends) and relay it.

        Raises:
            InputError: It would be refused or count for nothing, said in words; nothing spent.
            RelayLimitReached: The budget refuses it for now; nothing spent.
            TransactionError: The transaction reverted after all (a race with another relayer).
        """
        self._check_served(data)
        vote = SignedVote.from_dict(data)
        key = "vote:" + _key(vote.to_dict())
        if key in self._done:
            return self._repeat(key)
        voter = checksum_address(vote.voter, "voter")
        self._check_vote(vote, voter)
        return self._send(key, "vote", voter, f"proposal {vote.proposal_id}", lambda: relay(self.dao, vote))

    def _check_vote(self, vote: SignedVote, voter: str) -> None:
        dao = self.dao
        current = state(dao, vote.proposal_id)  # InputError for an unknown proposal
        if current != ProposalState.ACTIVE:
            raise InputError(f"proposal {vote.proposal_id} is not open for votes (it is {current.label})")
        proposal, _, _ = get_proposal(dao, vote.proposal_id)
        key = ballot_nonce_key(proposal.content_hash)
        if vote.nonce >> 64 != key:
            raise InputError(
                f"the ballot is not bound to proposal {vote.proposal_id}'s content (its nonce is not keyed by the "
                "content hash): sign it again from the proposal as it is"
            )
        if ballot_signer(dao, vote, self._name("governor")) != voter:
            raise InputError(f"the ballot is not signed by {voter} for this governor on chain {dao.chain.chain_id}")
        nonce, voted, snapshot = dao.read_many(
            [
                dao.call("governor", "nonces", voter, key),
                dao.call("governor", "hasVoted", vote.proposal_id, voter),
                dao.call("governor", "proposalSnapshot", vote.proposal_id),
            ]
        )
        if voted:
            raise InputError(f"{voter} has already voted on proposal {vote.proposal_id}")
        if int(nonce) != vote.nonce:
            raise InputError(f"the ballot's nonce is used or not {voter}'s next: it was relayed before, or replaced")
        if int(dao.read("governor", "getVotes", voter, int(snapshot))) == 0:
            raise InputError(
                f"{voter} had no voting power at proposal {vote.proposal_id}'s snapshot: the vote would count for "
                "nothing (delegate first, for later proposals)"
            )

    # ------------------------------------------------------------------ delegations

    def relay_delegation(self, data: Any) -> RelayReceipt:
        """Check a signed delegation (`SignedDelegation` JSON) and relay it (`delegateBySig`).

        Raises:
            InputError: It would be refused, said in words; nothing spent.
            RelayLimitReached: The budget refuses it for now; nothing spent.
        """
        self._check_served(data)
        signed = SignedDelegation.from_dict(data)
        key = "delegation:" + _key(signed.to_dict())
        if key in self._done:
            return self._repeat(key)
        delegator = checksum_address(signed.delegator, "delegator")
        if int(self.dao.read("token", "balanceOf", delegator)) == 0:
            raise InputError(f"{delegator} holds no tokens: its delegation would give no votes")
        prepared = relay_delegation(self.dao, signed)  # the signature, expiry and nonce checked
        subject = checksum_address(signed.delegatee, "delegate")
        return self._send(key, "delegation", delegator, subject, lambda: prepared)

    # ------------------------------------------------------------------ shared

    def _name(self, role: str) -> str:
        if role not in self._names:
            self._names[role] = str(self.dao.read(role, "name"))
        return self._names[role]

    def _check_served(self, data: Any) -> None:
        """A ballot or delegation that names its chain or contract must name this relayer's."""
        if not isinstance(data, dict):
            return
        chain = data.get("chain_id")
        if chain is not None and str(chain) != str(self.dao.chain.chain_id):
            raise InputError(f"this relayer serves chain {self.dao.chain.chain_id}, not chain {chain}")
        for role in ("governor", "token"):
            named = data.get(role)
            if named is not None and str(named).lower() != self.dao.address(role).lower():
                raise InputError(f"this relayer serves the {role} {self.dao.address(role)}, not {named}")

    def _repeat(self, key: str) -> RelayReceipt:
        first = self._done[key]
        return RelayReceipt(first.kind, first.signer, first.subject, first.tx_hash, first.block, first.gas_used, True)

    def _send(self, key: str, kind: str, signer: str, subject: str, prepare: Callable[[], PreparedTx]) -> RelayReceipt:
        """Simulate, check the budget with the estimate, send and record, one at a time."""
        with self._lock:
            if key in self._done:  # the same signature, sent concurrently: once
                return self._repeat(key)
            tx = prepare()
            # the estimate (TransactionError if it would revert) is checked against the budget before signing
            result = send(self.dao.chain, self.account, tx, check_gas=lambda gas: self._check_budget(signer, gas),
                          poll=0.01)  # fmt: skip
            self._ledger.recent.append((self._clock(), signer, result.gas_used))
            self._ledger.total += result.gas_used
            receipt = RelayReceipt(kind, signer, subject, result.tx_hash, result.block_number, result.gas_used)
            self._done[key] = receipt
            return receipt

    def _check_budget(self, signer: str, gas: int) -> None:
        budget, ledger = self.budget, self._ledger
        ledger.forget_before(self._clock() - HOUR)
        if budget.total is not None and ledger.total + gas > budget.total:
            raise RelayLimitReached(f"the relayer's gas budget is spent ({ledger.total:,} of {budget.total:,})")
        if ledger.spent() + gas > budget.per_hour:
            raise RelayLimitReached("the relayer's gas budget for this hour is spent: try again later")
        if ledger.spent(signer) + gas > budget.per_signer_hour:
            raise RelayLimitReached(f"{signer}'s share of the relayer's gas for this hour is spent: try again later")


def _key(fields: dict[str, Any]) -> str:
    """What makes two submissions the same one: every field as read (a signature sent with another voter, proposal
    or reason is another submission, checked on its own)."""
    from eth_utils import keccak

    return keccak(text=repr(sorted((key, str(value).lower()) for key, value in fields.items()))).hex()
