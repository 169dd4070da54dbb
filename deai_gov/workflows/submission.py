"""Submitting a proposal: the steps between a list of actions and the transaction that proposes them.

The full description is published to IPFS and linked, the draft is checked for an identical proposal submitted
before (a re-run finds the proposal it made instead of failing), the actions are put in words for the proposer to
confirm, and a delegation the proposer made in the latest block is given time to count. `model propose …`,
`proposal create`, scripts and tests all submit this way; sending the result is `governance.propose`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chain.devchain import advance_time, check_dev_chain
from ..contracts.states import ProposalState
from ..dao.actions import Action, Proposal
from ..dao.governance import votes_count_from_next_block, wait_for_next_block
from ..errors import DuplicateProposalError, InputError, WaitTimeout
from .describe import describe_actions
from .proposing import draft_proposal, existing_proposal_state, publish_description

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockStore


@dataclass(frozen=True)
class Draft:
    """A proposal ready to send: its content, its actions in words, and the CID of its full description."""

    proposal: Proposal
    actions_in_words: list[str]
    description_cid: str | None


@dataclass(frozen=True)
class ExistingProposal:
    """An identical proposal was submitted before and can still pass: nothing is to be sent."""

    proposal_id: int
    state: ProposalState

    def to_json(self) -> dict[str, Any]:
        return {"proposal_id": self.proposal_id, "sent": False, "existing": True, "state": self.state.label}


def prepare_submission(
    dao: Dao,
    store: BlockStore | None,
    proposer: str,
    actions: list[Action],
    title: str,
    body: str = "",
    full_description: Path | None = None,
) -> Draft | ExistingProposal:
    """The proposal `proposer` would send, or the identical one already submitted.

    Args:
        dao: the DAO to propose to.
        store: where the full description is published; None computes its CID only (a dry run).
        proposer: the address that will send the proposal (it goes into the `#proposer=` suffix).
        actions: the proposal's actions, in order.
        title: the proposal's title (`# title` on chain).
        body: a short body, on chain.
        full_description: a markdown or JSON file published to IPFS and linked from the body.

    Returns:
        A `Draft` to send, or an `ExistingProposal` when the identical proposal exists and can still pass.

    Raises:
        InputError: the description file cannot be read, or an identical proposal was canceled, defeated or
            expired (it can never be submitted again: change the title).
    """
    cid = publish_description(store, full_description) if full_description is not None else None
    try:
        proposal = draft_proposal(dao, proposer, actions, title, body, cid)
    except DuplicateProposalError as duplicate:
        return ExistingProposal(duplicate.proposal_id, existing_proposal_state(dao, duplicate.proposal_id))
    return Draft(proposal, describe_actions(dao, proposal), cid)


def let_fresh_votes_count(
    dao: Dao, proposer: str, *, notify: Callable[[str], None] = lambda _: None, timeout: float = 120
) -> bool:
    """Wait until votes delegated to `proposer` in the latest block count, so a proposal is not refused for want
    of votes the proposer holds: on a development chain the clock is moved on a second at a time, elsewhere the
    next block is awaited. Returns whether it had to wait; `notify` is told once, in words, what is done.

    Raises:
        WaitTimeout: the votes did not start counting within `timeout` seconds.
    """
    if not votes_count_from_next_block(dao, proposer):
        return False
    try:
        check_dev_chain(dao.chain)
        dev = True
    except InputError:
        dev = False
    notify(
        "moving this development chain's clock on by a second: votes delegated in the latest block count from the next"
        if dev
        else "waiting for the next block: the votes delegated in the latest one count from there"
    )
    deadline = time.monotonic() + timeout
    while True:
        if dev:
            advance_time(dao.chain, 1)  # a block one second later: the governor counts votes as of clock - 1
        else:
            wait_for_next_block(dao.chain)
        if not votes_count_from_next_block(dao, proposer):
            return True
        if time.monotonic() > deadline:
            raise WaitTimeout(f"the votes delegated to the proposer did not start counting within {timeout:.0f} s")
