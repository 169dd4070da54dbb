"""Questions asked on the terminal: hidden secrets and confirmations, refused clearly when there is no terminal."""

from __future__ import annotations

import sys

import click

from ..errors import InputError


def ask_hidden(what: str, *, alternative: str, twice: bool = False) -> str:
    """Prompt for a secret without echo; refuse with a clear line when there is no terminal to ask."""
    if not sys.stdin.isatty():
        raise InputError(f"no {what.lower()}: {alternative} (no terminal to ask)")
    return str(click.prompt(what, hide_input=True, confirmation_prompt=twice, err=True))


def confirm(question: str, *, yes: bool, action: str = "send") -> None:
    """Ask before sending (or another irreversible `action`) unless `yes` (--yes); refuse when there is no
    terminal to ask."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError(f"refusing to {action} without confirmation (no terminal to ask)", hint="pass --yes")
    click.confirm(question, abort=True, err=True)
