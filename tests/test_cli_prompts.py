"""Prompts on a real terminal (a pseudo-terminal): hidden passwords, confirmation, nothing echoed."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .leakcheck import scan, watch


def run_on_terminal(args: list[str], answers: list[tuple[str, str]], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal; answer each prompt (waiting for its text); return exit code and screen."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "deai_gov", *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    screen = ""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096).decode(errors="replace")
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        if pending and pending[0][0] in screen:
            os.write(master, (pending.pop(0)[1] + "\n").encode())
            screen += "\n"
        if process.poll() is not None and not ready:
            break
    process.wait(timeout=10)
    os.close(master)
    scan("terminal", screen)
    return process.returncode, screen


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {"DEAI_GOV_HOME": str(tmp_path / "home")}


def test_new_account_asks_twice_and_shows_nothing(env: dict[str, str], tmp_path: Path) -> None:
    secret = watch("s3cret-never-shown")
    code, screen = run_on_terminal(
        ["account", "new", "alice"], [("New keystore password", secret), ("Repeat for confirmation", secret)], env
    )
    assert code == 0, screen
    assert (tmp_path / "home" / "keystores" / "alice.json").exists()
    assert secret not in screen


def test_declining_a_transaction_sends_nothing(anvil, env: dict[str, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from eth_account import Account

    from deai_gov.chain.client import connect
    from deai_gov.dao.deploy import DaoParams, deploy_dao

    keys = anvil.dev_keys()
    chain = connect(anvil.url)
    deployment = deploy_dao(chain, Account.from_key(keys[0]), DaoParams())
    record = tmp_path / "deployment.json"
    deployment.save(record)
    key_file = tmp_path / "key"
    key_file.write_text(keys[7])
    password = watch("pw-for-bob")
    code, screen = run_on_terminal(
        ["account", "import", "bob", "--secret-file", str(key_file)],
        [("New keystore password", password), ("Repeat for confirmation", password)],
        env,
    )
    assert code == 0, screen
    bob = Account.from_key(keys[7]).address
    nonce = chain.w3.eth.get_transaction_count(bob)
    base = ["--rpc-url", anvil.url, "--deployment", str(record), "--account", "bob"]
    code, screen = run_on_terminal(
        [*base, "account", "delegate", "self"], [("Password for bob", password), ("Send this transaction?", "n")], env
    )
    assert code == 1 and "Aborted" in screen and "gas ~" in screen
    assert chain.w3.eth.get_transaction_count(bob) == nonce
    code, screen = run_on_terminal([*base, "account", "delegate", "self"], [("Password for bob", "wrong")], env)
    assert code == 3 and "wrong password for account 'bob'" in screen
    for text in (password, keys[7].removeprefix("0x")):
        assert text not in screen
