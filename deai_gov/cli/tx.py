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

    if session.safe is not None:
        return _for_safe(session, tx)
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


def _for_safe(session: Session, tx: PreparedTx) -> dict[str, Any]:
    """With `--safe`: check the call as the Safe would make it, then write it into the `--safe-export` batch file
    for the owners; nothing is signed or sent."""
    from ..chain.client import simulate
    from ..errors import InputError, TransactionError
    from ..safe.transaction import safe_state
    from ..workflows.safe_requests import export_call

    if session.safe_export is None:
        raise InputError(
            "with --safe, name the batch file to write with --safe-export FILE (the Safe's owners sign it)",
            hint="deai-gov --safe 0x… --safe-export batch.json COMMAND …",
        )
    safe = session.acting_address()
    state = safe_state(session.chain, safe)  # an address that is no Safe is said first
    try:
        gas = simulate(session.chain, safe, tx)
    except TransactionError as exc:
        raise TransactionError(f"made by the Safe {safe}, it would fail: {exc}") from None
    summary: dict[str, Any] = {"safe": safe, "batch_file": str(session.safe_export), "sent": False}
    if session.dry_run:
        echo(f"{tx.description}\n  as the Safe {safe}, gas ~{gas:,}\ndry run: no batch file written", err=True)
        return summary | {"action": tx.description, "gas_estimate": gas}
    exported = export_call(session.dao, state, tx, session.safe_export)
    echo(f"the Safe {safe} will: {exported.words}", err=True)
    echo(
        f"  written to {exported.path} ({exported.calls} call{'s' if exported.calls > 1 else ''} in the batch, "
        f"gas ~{gas:,} for this one); nothing sent",
        err=True,
    )
    echo(
        f"  {state.threshold} of its {len(state.owners)} owners sign it: load it in Safe{{Wallet}}'s Transaction "
        f"Builder, or run `deai-gov --account OWNER safe sign {exported.path}`",
        err=True,
    )
    return summary | {"action": exported.words, "gas_estimate": gas, "calls": exported.calls,
                      "owners": list(state.owners), "threshold": state.threshold}  # fmt: skip
