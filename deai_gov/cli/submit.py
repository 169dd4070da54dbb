"""Submitting a proposal from the CLI: the one path `model propose …` and `proposal create` share. The steps are
`workflows.submission`'s; this module shows them, confirms and sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .output import echo, emit
from .session import Session
from .tx import transact


def submit(
    session: Session,
    actions: list[Any],
    title: str,
    body: str,
    full: Path | None = None,
    *,
    refuse_new: Exception | None = None,
) -> None:
    """Draft the proposal (its full description published first), show its actions in words, then send it; a
    re-run that finds the identical proposal reports it and sends nothing; a dry run simulates it whole.
    `refuse_new`, when given, is raised instead of sending a new proposal (one the caller knows would fail), after
    the search for an identical one: a re-run of a command whose proposal passed still finds it."""
    from ..dao.governance import propose
    from ..home.addressbook import name_addresses, names_of
    from ..workflows.simulation import check_proposal
    from ..workflows.submission import ExistingProposal, let_fresh_votes_count, prepare_submission

    proposer = session.acting_address()  # the Safe, with --safe
    store = content_store(session) if full is not None else None  # only a full description is published
    draft = prepare_submission(session.dao, store, proposer, actions, title, body, full)
    if isinstance(draft, ExistingProposal):
        echo(f"proposal {draft.proposal_id} already exists ({draft.state.label}): nothing sent", err=True)
        emit(session, draft.to_json(), lambda: None)
        return
    if refuse_new is not None:
        raise refuse_new
    names = names_of()
    for words in draft.actions_in_words:
        echo(f"  will: {name_addresses(words, names)}", err=True)
    let_fresh_votes_count(session.dao, proposer, notify=lambda line: echo(line, err=True))
    summary = transact(session, propose(session.dao, draft.proposal), f"propose: {title}", outcome_key="proposal_id")
    if summary.get("safe"):  # written for the Safe's owners: it is proposed when they run it
        emit(session, summary, lambda: None)
        return
    if summary.get("sent"):
        echo(f"proposal {summary['proposal_id']} submitted", err=True)
        emit(session, summary, lambda: None)
        return
    echo("simulating the whole proposal on a fork of the chain…", err=True)
    check = check_proposal(session.dao, draft.proposal, proposer=proposer)
    summary["simulation"] = check.to_json()
    lines = check.lines(draft.actions_in_words)

    def render() -> None:
        for line in lines:
            echo(line)

    emit(session, summary, render)


def content_store(session: Session) -> Any:
    """Where a proposal's content goes: the configured store, or nowhere on a dry run (CIDs computed only)."""
    return None if session.dry_run else session.publish_store()
