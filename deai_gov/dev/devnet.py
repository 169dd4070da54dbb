"""Local development chains: an anvil node on a free loopback port, and time travel on dev chains.

anvil comes from npm (`@foundry-rs/anvil`, binary in its optional platform package); it is looked up on PATH,
then in the project's `node_modules/.bin`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..chain import Chain
from ..errors import ChainError

#: anvil's default mnemonic; the keys it derives are public knowledge and fund only local chains.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def anvil_dev_keys(count: int = 10) -> list[str]:
    """Private keys of anvil's funded accounts, derived from its public test mnemonic (local chains only)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.to_0x_hex() for i in range(count)
    ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something already listens on (or holds) 127.0.0.1:`port`.

    The probe binds with SO_REUSEADDR, as servers do: connections of a server just stopped linger in TIME_WAIT
    on its port for a minute, and would otherwise make a free port look taken to a restart on it.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def find_anvil() -> str:
    """Path of the anvil binary, or ChainError saying how to get it."""
    found = shutil.which("anvil")
    if found:
        return found
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "node_modules" / ".bin" / "anvil"
        if candidate.exists():
            return str(candidate)
    raise ChainError("anvil is not installed: run `npm ci` in the project, or put anvil on PATH")


@dataclass
class Anvil:
    """An anvil process bound to 127.0.0.1; use as a context manager or call stop()."""

    port: int = field(default_factory=free_port)
    accounts: int = 10
    chain_id: int = 31337
    state_file: Path | None = None
    #: Keep running after this process exits (own session, output to `log_file`): for `deai-gov node start`.
    detached: bool = False
    log_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Anvil:
        if port_in_use(self.port):
            raise ChainError(f"cannot start anvil: port {self.port} on 127.0.0.1 is already in use")
        command = [
            find_anvil(),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--accounts", str(self.accounts),
            "--chain-id", str(self.chain_id),
            "--mnemonic", ANVIL_MNEMONIC,
            "--silent",
        ]  # fmt: skip
        if self.state_file is not None:
            command += ["--state", str(self.state_file)]
        if self.detached:
            log = (self.log_file or Path(os.devnull)).open("ab")
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
            log.close()
        else:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (self.process.stderr.read() if self.process.stderr else b"").decode(errors="replace")
                raise ChainError(f"anvil exited at start: {err.strip().splitlines()[-1:] or 'no output'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ChainError(f"anvil did not listen on port {self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM (anvil then dumps --state), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def dev_keys(self) -> list[str]:
        """Private keys of this node's funded accounts."""
        return anvil_dev_keys(self.accounts)

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def advance_time(chain: Chain, seconds: int) -> None:
    """Move a development chain's clock forward by `seconds` and mine a block."""
    if chain.embedded:
        tester = chain.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        # py-evm mines the travelling block one second before the timestamp it is given.
        tester.time_travel(chain.timestamp() + seconds + 1)
        return
    try:
        chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    except Exception as exc:
        raise ChainError(f"this node cannot travel in time (not a development chain?): {exc}") from None


def mine(chain: Chain) -> None:
    """Mine one block on a development chain."""
    if chain.embedded:
        chain.w3.provider.ethereum_tester.mine_blocks(1)  # type: ignore[attr-defined]
    else:
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
