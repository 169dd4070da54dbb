"""The CLI's one sanitiser (`deai_gov.cli.output.shown`) and the output paths that apply it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deai_gov.cli.output import cell, console
from deai_gov.display import hides_anything, shown


@pytest.mark.parametrize("code", [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
def test_every_control_character_is_made_visible(code: int) -> None:
    text = f"a{chr(code)}b"
    if code in (0x09, 0x0A):  # layout in multi-line text
        assert shown(text) == text
        assert shown(text, lines=False) == f"a\\x{code:02x}b"
    else:
        assert shown(text) == f"a\\x{code:02x}b"
    assert unicodedata.category(chr(code)) == "Cc"  # what the table covers is exactly the control category


def test_every_bidi_control_and_zero_width_character_is_made_visible() -> None:
    """Every character Unicode classes as a bidi control (Bidi_Control) or a format character (Cf) that reorders
    or hides text is replaced."""
    bidi_controls = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    for code in [*bidi_controls, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x2028, 0x2029]:
        assert shown(f"x{chr(code)}y") == f"x<U+{code:04X}>y"


def test_ordinary_text_is_untouched() -> None:
    text = "Régression de 3 % — 模型 ✓ (v2)\n\tdétails"
    assert shown(text) == text and not hides_anything(text)
    assert hides_anything("fine", "bad\x1b[0m")


def test_the_console_and_table_cells_sanitise(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.table import Table

    screen = console()
    table = Table("title")
    table.add_row(cell("evil\x1b]52;c;eA==\x07title\u202e"))
    table.add_row("plain cell \x1b[31m")
    screen.print(table)
    screen.print("body \x1b[8m hidden", markup=False)
    out = capsys.readouterr().out
    assert "\x1b]" not in out and "\x07" not in out and "\u202e" not in out and "\x1b[8m" not in out
    assert "<U+202E>" in out and "\\x1b[8m" in out


def test_an_error_line_is_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    """Error messages quote what they refuse (a revert string, a name): the one line shows it made visible."""
    from deai_gov.cli.errors import fail

    with pytest.raises(SystemExit) as exited:
        fail("reverted: all good\x1b[8m (hidden)\u202e", 5)
    assert exited.value.code == 5
    err = capsys.readouterr().err
    assert err == "error: reverted: all good\\x1b[8m (hidden)<U+202E>\n"


# ------------------------------------------------------------------------------------------------ properties

#: Text an adversary might write: any code point, with controls, escapes, bidi and zero-width characters made
#: frequent (uniform sampling would rarely hit them).
HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(["\x1b", "\x1b[8m", "\x1b]8;;http://x\x07", "\x9b", "\u202e", "\u2066", "\u200b", "\ufeff"]),
    )
)


def obeyed(text: str, *, lines: bool = True) -> set[str]:
    """The characters in `text` a terminal would act on or that reorder or hide text."""
    layout = {"\n", "\t"} if lines else set()
    acted_on = {c for c in text if unicodedata.category(c) in ("Cc", "Zl", "Zp") or _is_invisible_format(c)}
    return acted_on - layout


def _is_invisible_format(c: str) -> bool:
    """Bidi controls and zero-width characters (format characters `shown` covers); soft hyphens and the like, which
    render visibly or not at all without reordering anything, are left alone."""
    return unicodedata.bidirectional(c) in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI") or c in (
        "\u061c\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
    )


@given(HOSTILE, st.booleans())
def test_shown_leaves_nothing_a_terminal_would_obey(text: str, lines: bool) -> None:
    out = shown(text, lines=lines)
    assert obeyed(out, lines=lines) == set()
    assert shown(out, lines=lines) == out  # the visible forms are themselves plain text
    assert hides_anything(text) == bool(obeyed(text))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_plain_text_is_shown_unchanged(text: str) -> None:
    if not obeyed(text):
        assert shown(text) == text


@given(HOSTILE)
def test_nothing_from_outside_reaches_the_terminal_as_an_escape(text: str) -> None:
    """Through the console the commands print with (as text, as a table cell, as markup-looking text), no escape
    character of the input survives: rich writes no styling when the output is not a terminal."""
    from rich.table import Table

    screen = console()
    table = Table("value")
    table.add_row(cell(text))
    with screen.capture() as captured:
        screen.print(text, markup=False)
        screen.print(table)
    assert "\x1b" not in captured.get() and "\u202e" not in captured.get()
