"""Text from outside made visible to people, on a terminal or a web page: control, escape, bidi and zero-width
characters replaced by a visible form (`\\x1b`, `<U+202E>`), so that a proposal's title or a vote's reason cannot
hide, reorder or restyle what follows it. The CLI prints every line through `shown`; the web page shows every string
from the chain or IPFS through it, after HTML escaping."""

from __future__ import annotations

import functools

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


def hides_anything(*texts: str) -> bool:
    """Whether any of `texts` holds a character `shown` would replace (newlines aside)."""
    return any(shown(text) != text for text in texts)
