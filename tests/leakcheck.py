"""A suite-wide guard: no private key or password used by the tests may appear in anything a test sees.

Every CLI invocation (click's CliRunner and subprocess runs) and everything pytest captures (stdout, stderr,
log records) is scanned for the registered secrets; any hit fails the session, naming the test and where the
secret appeared (masked). Tests register the passwords they use with `watch`; anvil's development keys are
registered up front.
"""

from __future__ import annotations

import subprocess
from typing import Any

from click.testing import CliRunner, Result

from deai_gov.dev.devnet import anvil_dev_keys

_secrets: set[str] = set()
leaks: list[str] = []
current_test = ["(collection)"]


def watch(secret: str) -> str:
    """Register a secret (a password, or a private key with or without 0x); returns it unchanged."""
    text = secret.strip()
    if len(text) >= 8:
        _secrets.add(text.removeprefix("0x").lower())
    return secret


def found_in(text: str) -> list[str]:
    """The registered secrets that occur in `text`, masked (first and last two characters)."""
    lowered = text.lower()
    return [f"{s[:2]}…{s[-2:]}" for s in _secrets if s in lowered]


def scan(where: str, text: Any) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str) and text:
        for masked in found_in(text):
            leaks.append(f"{current_test[0]}: secret {masked} in {where}")


def install() -> None:
    """Register the dev keys and wrap the ways tests run the CLI, so every output is scanned."""
    for key in anvil_dev_keys(10):
        watch(key)
    original_invoke = CliRunner.invoke

    def invoke(self: CliRunner, *args: Any, **kwargs: Any) -> Result:
        result = original_invoke(self, *args, **kwargs)
        scan("CLI stdout", result.stdout_bytes)
        scan("CLI stderr", result.stderr_bytes)
        return result

    CliRunner.invoke = invoke  # type: ignore[method-assign]
    original_run = subprocess.run

    def run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        done = original_run(*args, **kwargs)
        scan("subprocess stdout", done.stdout)
        scan("subprocess stderr", done.stderr)
        return done

    subprocess.run = run  # type: ignore[assignment]
