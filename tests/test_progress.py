"""Progress bars render transfers and stay silent off a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from deai_gov.cli.progress import transfer_bar


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
