"""Output: JSON for scripts (`--json`), rendered text for people, and the one sanitiser every printed line goes
through.

Much of what the CLI prints comes from outside: proposal titles and bodies, vote reasons, revert strings, model
names, file names. A terminal obeys what it is sent, so a description could end in ESC [8m (conceal) and hide the
real actions and tally that follow, set a hyperlink or the clipboard (OSC), or reorder a line with Unicode bidi
controls. Every line people see therefore passes through `shown`, which makes control, escape, bidi and
zero-width characters visible (`\\x1b`, `<U+202E>`); `echo` and `console()` apply it, so the commands never print
any other way. `--json` stays exact: JSON escapes every such character itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from ..display import shown
from .session import Session

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

#: Said under a proposal or a list whose text from outside held characters `shown` had to make visible.
HIDDEN_NOTE = (
    "note: text written by the proposer holds control or invisible characters; they are shown as \\xNN or "
    "<U+XXXX>, not obeyed"
)


def echo(message: str = "", *, err: bool = False) -> None:
    """Print one or more lines for people (sanitised)."""
    click.echo(shown(message), err=err)


def console(*, stderr: bool = False) -> Console:
    """A rich Console whose strings, table cells included, are sanitised before rendering; when the output is not a
    terminal, nothing is wrapped. rich is imported here, not at the top: the commands that print no table or status
    (and every error line) do without it (some 20 ms)."""
    from rich.console import Console
    from rich.text import Text

    class SafeConsole(Console):
        def render_str(self, text: str, **options: Any) -> Text:
            return super().render_str(shown(text), **options)

        def print(self, *objects: Any, **options: Any) -> None:
            super().print(*(_safe(item) for item in objects), **options)

    def _safe(item: Any) -> Any:
        if isinstance(item, Text) and shown(item.plain) != item.plain:
            return Text(shown(item.plain), style=item.style)
        return item

    screen = SafeConsole(stderr=stderr)
    if not screen.is_terminal:  # a file or a pipe: lines as long as they are (a CID cut in two is no CID)
        screen.soft_wrap = True
        screen.width = 10_000
    return screen


def cell(value: Any) -> Text:
    """A table cell holding outside text: sanitised and never read as rich markup."""
    from rich.text import Text

    return Text(shown(str(value), lines=False))


def emit(session: Session, data: Any, render: Any) -> None:
    """Print `data` as JSON with --json, otherwise call `render()` for people."""
    if session.as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        render()
