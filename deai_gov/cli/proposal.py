"""`deai-gov proposal`: list and read proposals, with their actions decoded into words."""

from __future__ import annotations

import click

from . import emit, json_option, main
from .session import Session

STATES = ["pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed"]


@main.group()
def proposal() -> None:
    """Proposals: list, show."""


@proposal.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only proposals in this state.")
@json_option
@click.pass_obj
def list_proposals(session: Session, state: str | None) -> None:
    """Every proposal with its state, newest first."""
    from rich.console import Console
    from rich.table import Table

    from ..governance import Action, Proposal
    from ..governance import state as proposal_state
    from ..logs import iter_events

    d = session.dao
    rows = []
    for log in iter_events(d.chain, d.governor.events.ProposalCreated, from_block=d.deployment.block):
        args = log["args"]
        pid = int(args["proposalId"])
        current = proposal_state(d, pid).label
        if state and current != state:
            continue
        title = Proposal((Action("", 0, b""),), args["description"]).title
        rows.append({"id": pid, "state": current, "proposer": args["proposer"], "title": title})
    rows.sort(key=lambda r: -r["id"])

    def render() -> None:
        table = Table("id", "state", "title", "proposer")
        for r in rows:
            table.add_row(str(r["id"]), r["state"], r["title"], r["proposer"])
        Console().print(table if rows else "no proposals")

    emit(session, rows, render)


@proposal.command()
@click.argument("proposal_id", type=click.IntRange(min=1))
@json_option
@click.pass_obj
def show(session: Session, proposal_id: int) -> None:
    """Title, description, decoded actions, votes, quorum and deadline of a proposal."""
    from rich.console import Console

    from ..governance import proposal_info
    from ..units import format_amount

    info = proposal_info(session.dao, proposal_id)
    data = {
        "id": info.id,
        "title": info.proposal.title,
        "description": info.proposal.description,
        "proposer": info.proposer,
        "state": info.state.label,
        "snapshot": info.snapshot,
        "deadline": info.deadline,
        "eta": info.eta,
        "votes": {"for": str(info.votes_for), "against": str(info.votes_against), "abstain": str(info.votes_abstain)},
        "quorum": str(info.quorum),
        "actions": info.actions_in_words,
    }

    def render() -> None:
        console = Console()
        console.print(f"[bold]Proposal {info.id}: {info.proposal.title}[/bold]  ({info.state.label})", highlight=False)
        console.print(f"proposed by {info.proposer}; voting until {info.deadline} (unix time)", highlight=False)
        for i, words in enumerate(info.actions_in_words, 1):
            console.print(f"  {i}. {words}", highlight=False)
        console.print(
            f"for {format_amount(info.votes_for)}, against {format_amount(info.votes_against)}, "
            f"abstain {format_amount(info.votes_abstain)}; quorum {format_amount(info.quorum)}",
            highlight=False,
        )

    emit(session, data, render)
