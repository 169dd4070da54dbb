"""`deai-gov watch` and `deai-gov model watch NAME`: follow the DAO's events, print them or run a command on each."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..dao.registry import get_model
from ..errors import InputError
from ..workflows.watch import follow, run_command
from .output import echo
from .session import Session


def watch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `watch` and `model watch` share."""
    options = [
        click.option(
            "--confirmations",
            "depth",
            type=click.IntRange(0, 10_000),
            default=2,
            show_default=True,
            help="Blocks an event must be under before it is delivered (safe against shallower reorganisations).",
        ),
        click.option(
            "--cursor",
            type=click.Path(dir_okay=False, path_type=Path),
            help="File recording the last event handled: a restart resumes after it, delivering nothing twice.",
        ),
        click.option(
            "--from",
            "start",
            metavar="BLOCK|deployment",
            help="Where to start when there is no cursor yet: a block number, or `deployment` for the whole history "
            "(default: new events only).",
        ),
        click.option(
            "--exec",
            "command",
            metavar="COMMAND",
            help="Run COMMAND (through the shell) for each event: the event as JSON on its input and in DEAI_GOV_* "
            "variables. Exit 0 is success; anything else is retried with back-off, then watching stops.",
        ),
        click.option(
            "--retries", type=click.IntRange(0, 100), default=5, show_default=True, help="Retries of a failed COMMAND."
        ),
        click.option(
            "--exec-timeout",
            type=click.FloatRange(min=0.1),
            default=600,
            show_default=True,
            help="Seconds COMMAND may run before it counts as failed.",
        ),
        click.option(
            "--interval",
            type=click.FloatRange(min=0.1),
            default=2.0,
            show_default=True,
            help="Seconds between polls of the chain.",
        ),
        click.option("--once", is_flag=True, help="Deliver what is confirmed now, then exit (for cron and CI)."),
        click.option("--json", "as_json", is_flag=True, help="One JSON object per line."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def run_watch(session: Session, model: str | None, **options: Any) -> None:
    """Follow the DAO (or one model), print each event or run the command on it, until interrupted."""
    if options["as_json"]:
        session.as_json = True
    start = options["start"]
    from_block = None
    if start is not None:
        if start == "deployment":
            from_block = session.dao.deployment.block
        elif start.isascii() and start.isdigit():
            from_block = int(start)
        else:
            raise InputError(f"--from {start!r}: write a block number or `deployment`")
    from ..home.addressbook import names_of

    if model is not None:
        get_model(session.dao, model)  # InputError for a model that is not registered
    events = follow(
        session.dao,
        confirmations=options["depth"],
        cursor_path=options["cursor"],
        from_block=from_block,
        model=model,
        interval=options["interval"],
        once=options["once"],
        names=names_of(),
    )
    try:
        for event in events:
            if session.as_json:
                click.echo(json.dumps(event.to_json()))
            else:
                echo(f"block {event.block:,}: {event.summary}")
            if options["command"]:
                run_command(options["command"], event, retries=options["retries"], timeout=options["exec_timeout"])
    except KeyboardInterrupt:
        echo("stopped; the cursor is saved after the last event handled", err=True)
    finally:
        events.close()


@click.command()
@watch_options
@click.pass_obj
def watch(session: Session, **options: Any) -> None:
    """Follow the DAO's events: proposals created, queued, executed, canceled; votes; versions published; current
    versions changed; models suspended, unsuspended, retired. One line each (--json: one JSON object), or a command
    run on each (--exec)."""
    run_watch(session, None, **options)
