"""The suite-wide secret guard itself: it must see a key or password wherever a command could print it."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from deai_gov.cli import main
from deai_gov.dev.devnet import anvil_dev_keys

from . import leakcheck


def test_a_secret_printed_by_a_command_is_caught() -> None:
    key = anvil_dev_keys(1)[0]
    before = len(leakcheck.leaks)
    try:
        subprocess.run([sys.executable, "-c", f"print('oops {key.upper()}')"], capture_output=True, text=True)
        assert len(leakcheck.leaks) == before + 1
        assert key not in leakcheck.leaks[-1] and "subprocess stdout" in leakcheck.leaks[-1]
    finally:
        del leakcheck.leaks[before:]  # this leak was planted: the session must not fail because of it


def test_watched_passwords_are_found_masked_and_the_cli_is_wrapped() -> None:
    password = leakcheck.watch("a-planted-password")
    assert leakcheck.found_in(f"xx {password} yy") == ["a-…rd"]
    assert leakcheck.found_in("nothing here") == []
    before = len(leakcheck.leaks)
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and len(leakcheck.leaks) == before  # wrapped, and a clean output stays clean
