"""How a failure is shown: one line on stderr and the exit code its error class documents (never a traceback)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..errors import ExitCode
from .output import shown


def fail(message: str, code: int = ExitCode.ERROR) -> NoReturn:
    click.echo(f"error: {shown(message)}", err=True)
    sys.exit(int(code))
