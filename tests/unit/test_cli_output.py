"""The CLI's one sanitiser (`deai_gov.cli.output.shown`) and the output paths that apply it."""

from __future__ import annotations

import unicodedata

import pytest

from deai_gov.cli.output import cell, console, hides_anything, shown


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
