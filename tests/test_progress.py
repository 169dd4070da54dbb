"""Progress on long work: bars render transfers and stay silent off a terminal, a quiet transfer says what it
waits on, and `proposal wait` counts down to the next moment."""

from __future__ import annotations

import io
import time

from rich.console import Console

from deai_gov.cli.progress import StallNote, WaitCountdown, transfer_bar
from deai_gov.contracts.states import ProposalState
from deai_gov.dao.governance import NextMoment


def test_bar_counts_bytes_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with transfer_bar("pulling acme/vision", 2 * 1024 * 1024, console=console) as advance:
        advance(1024 * 1024)
        advance(1024 * 1024)
    text = out.getvalue()
    assert "pulling acme/vision" in text and "2.0/2.0 MiB" in text


def test_bar_is_silent_off_a_terminal() -> None:
    out = io.StringIO()
    with transfer_bar("x", 10, console=Console(file=out, force_terminal=False)) as advance:
        advance(10)
    assert out.getvalue() == ""
    with transfer_bar("x", 10, enabled=False) as advance:
        advance(10)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_countdown_counts_down_from_the_chains_time_between_reads() -> None:
    clock = Clock()
    countdown = WaitCountdown(7, "active", clock)
    assert countdown.words() == "proposal 7: waiting until active"
    opens = 1_800_000_000  # 2027-01-15 08:00 UTC
    countdown.seen(ProposalState.PENDING, NextMoment(opens, "voting opens", "active"), opens - 95)
    assert countdown.words() == (
        "proposal 7 is pending; voting opens at 2027-01-15 08:00 UTC (in 1 minute 35 seconds); waiting until active"
    )
    clock.now += 90.5  # no read of the chain in between: the countdown follows this machine's clock
    assert "(in 5 seconds)" in countdown.words()
    clock.now += 10
    assert "voting opens at 2027-01-15 08:00 UTC (due now, at the next block)" in countdown.words()
    countdown.seen(ProposalState.SUCCEEDED, None, opens + 700)
    assert countdown.words() == "proposal 7 has succeeded; waiting until active"


def test_a_quiet_transfer_says_which_sources_it_waits_on_once_per_spell() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=300)
    with transfer_bar("x", None, console=console, sources="IPFS node http://127.0.0.1:1", stall_after=0.2) as advance:
        time.sleep(0.7)
        advance(10)
        time.sleep(0.7)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(
        line.startswith("no bytes for 0 s from IPFS node http://127.0.0.1:1: ") for line in lines
    )
    assert "--ipfs-api or --gateway" in lines[0]


def test_the_stall_note_is_silent_while_bytes_come_and_live_on_a_terminal() -> None:
    clock = Clock()
    note = StallNote("gateway https://gw.example", after=5, clock=clock)
    clock.now += 4.9
    assert note.words() is None
    clock.now += 7
    assert (note.words() or "").startswith("no bytes for 11 s from gateway https://gw.example:")
    note.progressed()
    assert note.words() is None
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=400)
    with transfer_bar("pulling m", None, console=console, sources="embedded store /s", stall_after=0) as advance:
        advance(1)
    assert "no bytes for 0 s from embedded store /s" in out.getvalue()
