"""Progress bars for long transfers (publish, pull, verify), drawn with rich on stderr.

The library reports progress through plain callbacks (`Callable[[int], None]`, bytes done); this module turns
such a callback into a bar, and into nothing when output is not a terminal or `enabled` is false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .output import console as safe_console


@contextmanager
def transfer_bar(
    description: str, total: int | None, *, enabled: bool = True, console: Console | None = None
) -> Iterator[Callable[[int], None]]:
    """Yield a callback that advances a byte-count bar (`total` bytes, or unknown when None)."""
    if not enabled:
        yield lambda _n: None
        return
    console = console or safe_console(stderr=True)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
