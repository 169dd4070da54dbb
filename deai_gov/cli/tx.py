"""Sending a transaction from the CLI: say what it does, simulate it, confirm, send, report."""

from __future__ import annotations

from typing import Any

import click

from .prompts import confirm
from .session import Session


def transact(session: Session, call: Any, words: str) -> dict[str, Any]:
    """Simulate `call` from the signer; with --dry-run stop there, else confirm (unless --yes) and send."""
    from ..chain import send, simulate

    account = session.signer()
    chain = session.chain
    gas = simulate(chain, account.address, call)  # raises with the decoded revert: nothing is sent
    click.echo(f"{words}", err=True)
    click.echo(
        f"  chain {chain.chain_id}, from {session.account_alias} ({account.address}), to {call.address}, gas ~{gas:,}",
        err=True,
    )
    summary: dict[str, Any] = {"action": words, "from": account.address, "to": call.address, "gas_estimate": gas}
    if session.dry_run:
        click.echo("dry run: nothing sent", err=True)
        return summary | {"sent": False}
    confirm("Send this transaction?", yes=session.yes)
    result = send(chain, account, call, confirmations=session.confirmations)
    click.echo(f"  mined in block {result.block_number}: {result.tx_hash} (gas {result.gas_used:,})", err=True)
    return summary | {
        "sent": True,
        "tx_hash": result.tx_hash,
        "block": result.block_number,
        "gas_used": result.gas_used,
    }
