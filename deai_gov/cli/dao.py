"""`deai-gov dao`: the deployment's addresses and parameters."""

from __future__ import annotations

import click

from . import emit, json_option, main
from .session import Session


@main.group()
def dao() -> None:
    """The DAO: addresses, parameters, treasury."""


@dao.command()
@json_option
@click.pass_obj
def info(session: Session) -> None:
    """Addresses, voting parameters, quorum, timelock delay, treasury and guardians."""
    from rich.console import Console
    from rich.table import Table

    from ..units import format_amount

    d = session.dao
    g, t = d.governor.functions, d.token.functions
    clock = int(g.clock().call())
    symbol = t.symbol().call()
    data = {
        "chain_id": d.chain.chain_id,
        "addresses": d.deployment.addresses,
        "token": {"name": t.name().call(), "symbol": symbol, "total_supply": str(t.totalSupply().call())},
        "voting_delay_s": int(g.votingDelay().call()),
        "voting_period_s": int(g.votingPeriod().call()),
        "proposal_threshold": str(g.proposalThreshold().call()),
        "quorum_percent": int(g.quorumNumerator().call()),
        "quorum_now": str(g.quorum(clock - 1).call()),
        "late_quorum_extension_s": int(g.lateQuorumVoteExtension().call()),
        "timelock_delay_s": int(d.timelock.functions.getMinDelay().call()),
        "treasury": str(t.balanceOf(d.deployment.timelock).call()),
        "proposal_guardian": g.proposalGuardian().call(),
        "registry_guardian": d.registry.functions.guardian().call(),
        "models": int(d.registry.functions.modelCount().call()),
        "proposals": int(g.latestProposalId().call()),
    }

    def render() -> None:
        table = Table(show_header=False, box=None)
        for role, address in data["addresses"].items():
            table.add_row(role, address)
        table.add_row("chain id", str(data["chain_id"]))
        table.add_row("voting", f"delay {data['voting_delay_s']} s, period {data['voting_period_s']} s")
        table.add_row("proposal threshold", f"{format_amount(int(data['proposal_threshold']))} {symbol}")
        table.add_row("quorum", f"{data['quorum_percent']}% ({format_amount(int(data['quorum_now']))} {symbol} now)")
        table.add_row("late-quorum extension", f"{data['late_quorum_extension_s']} s")
        table.add_row("timelock delay", f"{data['timelock_delay_s']} s")
        table.add_row("treasury", f"{format_amount(int(data['treasury']))} {symbol}")
        table.add_row("guardians", f"proposals {data['proposal_guardian']}, registry {data['registry_guardian']}")
        table.add_row("models / proposals", f"{data['models']} / {data['proposals']}")
        Console().print(table)

    emit(session, data, render)
