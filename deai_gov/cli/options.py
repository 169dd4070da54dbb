"""Options and parameter types shared by the commands: every command parses them the same way."""

from __future__ import annotations

from typing import Any

import click

from .session import Session


def json_option(command: Any) -> Any:
    """`--json` on a command as well as before it: `deai-gov model list --json` = `deai-gov --json model list`."""

    def turn_on(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.find_object(Session).as_json = True  # type: ignore[union-attr]

    return click.option(
        "--json", "as_json", is_flag=True, expose_value=False, callback=turn_on, help="Machine-readable output."
    )(command)
