"""`deai-gov demo`: the whole lifecycle on an embedded chain, in one command."""

from __future__ import annotations

import click

from ..dev.demo import run_demo
from .options import json_option
from .output import console, emit
from .session import Session


@click.command()
@json_option
@click.pass_obj
def demo(session: Session) -> None:
    """Deploy a DAO on an embedded chain and pass one model registration by vote."""
    screen = console(stderr=session.as_json)
    with screen.status("working…") as status:

        def step(text: str) -> None:
            status.update(text)
            if not session.as_json:
                screen.print(text, highlight=False)

        report = run_demo(step)
    emit(session, report.to_dict(), lambda: screen.print(f"[green]Done in {report.seconds:.1f} s.[/green]"))
