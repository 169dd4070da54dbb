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

import functools
import json
from typing import TYPE_CHECKING, Any

import click

from .session import Session

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

#: Invisible or reordering characters that are not controls: bidi embeddings, overrides and isolates, marks,
#: zero-width characters, the byte-order mark, line and paragraph separators.
_INVISIBLE = [
    0x061C,
    0x200B,
    0x200C,
    0x200D,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    0x2060,
    0xFEFF,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]


@functools.cache
def _table(keep_newlines: bool) -> dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]}
    table.update({code: f"<U+{code:04X}>" for code in _INVISIBLE})
    if keep_newlines:  # text in lines: newlines and tabs are layout, not commands
        del table[0x0A], table[0x09]
    return table


def shown(text: str, *, lines: bool = True) -> str:
    """`text` with every control, escape, bidi and zero-width character replaced by a visible form; newlines and
    tabs are kept when `lines`, shown as `\\x0a` and `\\x09` otherwise (a title is one line)."""
    return str(text).translate(_table(lines))


#: Said under a proposal or a list whose text from outside held characters `shown` had to make visible.
HIDDEN_NOTE = (
    "note: text written by the proposer holds control or invisible characters; they are shown as \\xNN or "
    "<U+XXXX>, not obeyed"
)


def hides_anything(*texts: str) -> bool:
    """Whether any of `texts` holds a character `shown` would replace (newlines aside)."""
    return any(shown(text) != text for text in texts)


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
