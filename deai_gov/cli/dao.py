"""`deai-gov dao`: the deployment's addresses and parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .options import json_option
from .output import emit
from .session import Session


@click.group()
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


def _holders(values: tuple[str, ...]) -> dict[str, int]:
    from ..errors import InputError
    from ..names import checksum_address
    from ..units import parse_amount

    holders: dict[str, int] = {}
    for value in values:
        address, sep, amount = value.partition("=")
        if not sep:
            raise InputError(f"--holder takes ADDRESS=AMOUNT, got {value!r}")
        holders[checksum_address(address, "holder")] = parse_amount(amount)
    return holders


@dao.command()
@click.option("--token-name", default="deai-gov Model Token", show_default=True)
@click.option("--token-symbol", default="MDL", show_default=True)
@click.option("--voting-delay", type=click.IntRange(min=0), default=86_400, show_default=True, help="Seconds.")
@click.option("--voting-period", type=click.IntRange(min=1), default=604_800, show_default=True, help="Seconds.")
@click.option("--quorum", "quorum_percent", type=click.IntRange(0, 100), default=4, show_default=True, help="Percent.")
@click.option("--threshold", default="10000", show_default=True, help="Tokens needed to propose.")
@click.option("--late-quorum", type=click.IntRange(min=0), default=172_800, show_default=True, help="Seconds.")
@click.option("--timelock-delay", type=click.IntRange(min=0), default=172_800, show_default=True, help="Seconds.")
@click.option("--holder", "holders", multiple=True, metavar="ADDRESS=AMOUNT", help="Initial holder (repeatable).")
@click.option("--holders-supply", default="6000000", show_default=True, help="Tokens for the deployer if no --holder.")
@click.option("--treasury", default="4000000", show_default=True, help="Tokens minted to the timelock (treasury).")
@click.option("--guardian", help="Guardian address (proposal veto and model suspension).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the deployment record.")
@json_option
@click.pass_obj
def deploy(session: Session, out: Path | None, **options: Any) -> None:
    """Deploy token, timelock, governor and registry, wire the roles, and write the deployment record."""
    from ..config import config_home
    from ..deploy import DaoParams, deploy_dao
    from ..errors import InputError
    from ..names import checksum_address
    from ..units import parse_amount

    if not session.network.rpc_url:
        raise InputError("deploying needs a chain that keeps its state: pass --rpc-url or --network")
    params = DaoParams(
        token_name=options["token_name"],
        token_symbol=options["token_symbol"],
        voting_delay=options["voting_delay"],
        voting_period=options["voting_period"],
        quorum_percent=options["quorum_percent"],
        proposal_threshold=parse_amount(options["threshold"]),
        late_quorum_extension=options["late_quorum"],
        timelock_delay=options["timelock_delay"],
        holders=_holders(options["holders"]),
        holders_supply=parse_amount(options["holders_supply"]),
        treasury=parse_amount(options["treasury"]),
        guardian=checksum_address(options["guardian"], "guardian") if options["guardian"] else None,
    )
    params.validate()
    chain = session.chain
    target = out or config_home() / "deployments" / f"{chain.chain_id}.json"
    if target.exists():
        raise InputError(f"{target} already exists: choose another --out (a record is never overwritten)")
    account = session.signer()
    click.echo(
        f"deploy the DAO on chain {chain.chain_id} from {account.address} (7 transactions), record to {target}",
        err=True,
    )
    if session.dry_run:
        emit(session, {"sent": False, "record": str(target)}, lambda: click.echo("dry run: nothing sent", err=True))
        return
    from .prompts import confirm

    confirm("Deploy?", yes=session.yes)
    deployment = deploy_dao(chain, account, params, on_step=lambda text: click.echo(f"  {text}", err=True))
    deployment.save(target)
    emit(
        session,
        {"sent": True, "record": str(target), "addresses": deployment.addresses},
        lambda: click.echo(
            "\n".join(f"{role:<9} {address}" for role, address in deployment.addresses.items()) + f"\nrecord: {target}"
        ),
    )


@dao.command()
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many delegates.")
@json_option
@click.pass_obj
def delegates(session: Session, top: int) -> None:
    """The delegates with the most voting power now."""
    from rich.console import Console
    from rich.table import Table

    from ..logs import iter_events
    from ..units import format_amount

    d = session.dao
    seen = {
        log["args"]["delegate"]
        for log in iter_events(d.chain, d.token.events.DelegateVotesChanged, from_block=d.deployment.block)
    }
    total = int(d.token.functions.totalSupply().call())
    ranked = sorted(((int(d.token.functions.getVotes(a).call()), a) for a in seen), reverse=True)
    rows = [
        {"delegate": a, "votes": str(v), "share_percent": round(100 * v / total, 2) if total else 0.0}
        for v, a in ranked[:top]
        if v > 0
    ]

    def render() -> None:
        table = Table("delegate", "votes", "% of supply")
        for r in rows:
            table.add_row(str(r["delegate"]), format_amount(int(str(r["votes"]))), f"{r['share_percent']}")
        Console().print(table if rows else "nobody has delegated yet")

    emit(session, rows, render)
