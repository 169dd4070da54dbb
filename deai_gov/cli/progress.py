"""Progress on long work, drawn with rich on stderr: bars for transfers (publish, pull, verify), the countdown of
`proposal wait`.

The library reports progress through plain callbacks (`Callable[[int], None]`, bytes done); this module turns
such a callback into a bar, and into nothing when output is not a terminal or `enabled` is false.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from ..units import format_relative, format_time
from .output import console as safe_console

if TYPE_CHECKING:
    from ..contracts.states import ProposalState
    from ..dao.governance import NextMoment


#: Seconds without a byte before a transfer says what it is waiting for.
STALL_AFTER = 5.0


class StallNote:
    """What a transfer waits on once no bytes came for `after` seconds: which sources are being asked, and that a
    node lacking the blocks searches the network for them (so a version kept elsewhere shows as a long quiet
    spell, not as an error, until each source's time-out)."""

    def __init__(self, sources: str, after: float = STALL_AFTER, clock: Callable[[], float] = time.monotonic):
        self.sources = sources
        self.after = after
        self.clock = clock
        self.last = clock()

    def progressed(self) -> None:
        self.last = self.clock()

    def words(self) -> str | None:
        """The note, or None while bytes keep coming."""
        quiet = self.clock() - self.last
        if quiet < self.after:
            return None
        return (
            f"no bytes for {int(quiet)} s from {self.sources}: a source that lacks the blocks looks for them on the "
            "network until its time-out, then the next is asked (add one that has the version: --ipfs-api or "
            "--gateway)"
        )


class _StallColumn(ProgressColumn):
    def __init__(self, note: StallNote):
        super().__init__()
        self.note = note

    def render(self, task: Task) -> Text:
        words = self.note.words()
        return Text(words or "", style="yellow")


@contextmanager
def transfer_bar(
    description: str,
    total: int | None,
    *,
    enabled: bool = True,
    console: Console | None = None,
    sources: str | None = None,
    stall_after: float = STALL_AFTER,
) -> Iterator[Callable[[int], None]]:
    """Yield a callback that advances a byte-count bar (`total` bytes, or unknown when None). With `sources` (their
    names, in words), a spell of `stall_after` seconds without bytes says what is being waited for: live beside
    the bar on a terminal, as one line per spell on other output."""
    if not enabled:
        yield lambda _n: None
        return
    console = console or safe_console(stderr=True)
    note = StallNote(sources, stall_after) if sources else None
    columns: list[ProgressColumn | str] = [
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    ]
    if note is not None and console.is_terminal:
        columns.append(_StallColumn(note))
    watcher = _LineWatcher(note, console) if note is not None and not console.is_terminal else None
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int) -> None:
            if note is not None:
                note.progressed()
            bar.advance(task, n)

        try:
            yield advance
        finally:
            if watcher is not None:
                watcher.stop()


class _LineWatcher:
    """Prints a stall note once per quiet spell, for output that is not a terminal (no live bar to show it)."""

    def __init__(self, note: StallNote, console: Console):
        self.note, self.console = note, console
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stall-note", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        told_for = None
        while not self.done.wait(min(1.0, self.note.after / 2)):
            words = self.note.words()
            if words is not None and told_for != self.note.last:
                told_for = self.note.last
                self.console.print(words, highlight=False, markup=False, soft_wrap=True)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


class WaitCountdown:
    """The live line of `proposal wait`: the state, the next moment the clock alone changes it, and a countdown to
    that moment, redrawn at each refresh. The chain's time is read at each state change; the countdown adds the
    seconds since, so it follows the chain's clock (a devnet's may run ahead of this machine's) without a read a
    second."""

    def __init__(self, proposal_id: int, target: str, clock: Callable[[], float] = time.monotonic):
        self.proposal_id = proposal_id
        self.target = target
        self.clock = clock
        self.state: ProposalState | None = None
        self.moment: NextMoment | None = None
        self.chain_time = 0
        self.read_at = 0.0

    def seen(self, state: ProposalState, moment: NextMoment | None, chain_time: int) -> None:
        """The proposal was read in `state` when the chain's latest block had time `chain_time`."""
        self.state, self.moment, self.chain_time, self.read_at = state, moment, chain_time, self.clock()

    def words(self) -> str:
        if self.state is None:
            return f"proposal {self.proposal_id}: waiting until {self.target}"
        text = f"proposal {self.proposal_id} {self.state.phrase}"
        if self.moment is not None:
            left = math.ceil(self.moment.at - self.chain_time - (self.clock() - self.read_at))
            when = format_relative(left) if left > 0 else "due now, at the next block"
            text += f"; {self.moment.what} at {format_time(self.moment.at)} ({when})"
        return f"{text}; waiting until {self.target}"

    def __rich__(self) -> Text:
        return Text(self.words())
