"""Sending a transaction from the CLI: say what it does, simulate it, confirm, send, report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .output import echo
from .prompts import confirm
from .session import Session

if TYPE_CHECKING:
    from ..chain.client import PreparedTx, TxResult


def transact(
    session: Session, tx: PreparedTx, words: str | None = None, *, outcome_key: str | None = None
) -> dict[str, Any]:
    """Simulate `tx` from the signer; with --dry-run stop there, else confirm (unless --yes) and send it.

    Prints `words` (by default the transaction's own description) and returns a summary for `--json`; with
    `outcome_key`, the transaction's outcome (a new proposal's id, say) is added to it under that key.
    """
    from ..chain.client import send, simulate

    words = words or tx.description
    account = session.signer()
    chain = session.chain
    gas = simulate(chain, account.address, tx)  # raises with the decoded revert: nothing is sent
    echo(f"{words}", err=True)
    echo(
        f"  chain {chain.chain_id}, from {session.account_alias} ({account.address}), to {tx.to}, gas ~{gas:,}",
        err=True,
    )
    summary: dict[str, Any] = {"action": words, "from": account.address, "to": tx.to, "gas_estimate": gas}
    if session.dry_run:
        echo("dry run: nothing sent", err=True)
        return summary | {"sent": False}
    confirm("Send this transaction?", yes=session.yes)
    result = send(chain, account, tx, confirmations=session.confirmations)
    echo(f"  mined in block {result.block_number}: {result.tx_hash} (gas {result.gas_used:,})", err=True)
    summary |= _mined(result)
    if outcome_key is not None:
        summary[outcome_key] = result.outcome
    return summary


def _mined(result: TxResult) -> dict[str, Any]:
    return {"sent": True, "tx_hash": result.tx_hash, "block": result.block_number, "gas_used": result.gas_used}
