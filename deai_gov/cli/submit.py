"""Submitting a proposal from the CLI: the one path `model propose …` and `proposal create` share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .output import echo, emit
from .session import Session
from .tx import transact


def submit(session: Session, actions: list[Any], title: str, body: str, full: Path | None = None) -> None:
    """Draft the proposal (its full description published first), show its actions in words, then send it; a
    re-run that finds the identical proposal reports it and sends nothing."""
    from ..dao.governance import propose
    from ..errors import DuplicateProposalError
    from ..workflows.describe import describe_actions
    from ..workflows.proposing import draft_proposal, existing_proposal_state, publish_description

    signer = session.signer()
    cid = publish_description(content_store(session), full) if full is not None else None
    try:
        found = draft_proposal(session.dao, signer.address, actions, title, body, cid)
    except DuplicateProposalError as duplicate:
        current = existing_proposal_state(session.dao, duplicate.proposal_id)
        echo(f"proposal {duplicate.proposal_id} already exists ({current.label}): nothing sent", err=True)
        data = {"proposal_id": duplicate.proposal_id, "sent": False, "existing": True, "state": current.label}
        emit(session, data, lambda: None)
        return
    action_words = describe_actions(session.dao, found)
    for words in action_words:
        echo(f"  will: {words}", err=True)
    _let_fresh_votes_count(session, signer.address)
    summary = transact(session, propose(session.dao, found), f"propose: {title}", outcome_key="proposal_id")
    if summary.get("sent"):
        echo(f"proposal {summary['proposal_id']} submitted", err=True)
        emit(session, summary, lambda: None)
        return
    from ..workflows.simulation import check_proposal

    echo("simulating the whole proposal on a fork of the chain…", err=True)
    check = check_proposal(session.dao, found, proposer=signer.address)
    summary["simulation"] = check.to_json()
    lines = check.lines(action_words)

    def render() -> None:
        for line in lines:
            echo(line)

    emit(session, summary, render)


def content_store(session: Session) -> Any:
    """Where a proposal's content goes: the configured store, or nowhere on a dry run (CIDs computed only)."""
    return None if session.dry_run else session.publish_store()


def _let_fresh_votes_count(session: Session, proposer: str) -> None:
    """A delegation made in the latest block counts from a later second: wait for the chain's clock to pass it (on a
    development chain, move it on by a second) rather than have the proposal refused for want of votes the proposer
    holds."""
    import time

    from ..dao.governance import votes_count_from_next_block, wait_for_next_block
    from ..dev.devnet import advance_time, check_dev_chain
    from ..errors import InputError, WaitTimeout

    if not votes_count_from_next_block(session.dao, proposer):
        return
    try:
        check_dev_chain(session.chain)
        dev = True
    except InputError:
        dev = False
    echo(
        "moving this development chain's clock on by a second: votes delegated in the latest block count from the next"
        if dev
        else "waiting for the next block: the votes delegated in the latest one count from there",
        err=True,
    )
    deadline = time.monotonic() + 120
    while True:
        if dev:
            advance_time(session.chain, 1)  # a block one second later: the governor counts votes as of clock - 1
        else:
            wait_for_next_block(session.chain)
        if not votes_count_from_next_block(session.dao, proposer):
            return
        if time.monotonic() > deadline:
            raise WaitTimeout("the votes delegated to the proposer did not start counting within 120 s")
