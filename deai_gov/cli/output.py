"""Output: JSON for scripts (`--json`), rendered text for people."""

from __future__ import annotations

import json
from typing import Any

import click

from .session import Session


def emit(session: Session, data: Any, render: Any) -> None:
    """Print `data` as JSON with --json, otherwise call `render()` for people."""
    if session.as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        render()
