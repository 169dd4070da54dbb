"""A persistent local devnet for people who want one: anvil (chain state kept on disk) and, where installed, a
js-ipfs node (repository kept on disk), both on 127.0.0.1, running in the background between commands.

State lives in `<config home>/localnet/`: `anvil-state.json` (dumped by anvil on stop, loaded on start),
`ipfs/repo`, logs, and `localnet.json` with the running processes' ids and ports.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import DeaiGovError
from ..home.config import config_home
from .devnet import Anvil, free_port, port_in_use
from .ipfsnode import IpfsNode, IpfsNodeError, find_jsipfs


@dataclass
class Localnet:
    chain_pid: int
    chain_port: int
    ipfs_pid: int | None
    ipfs_port: int | None
    #: Seconds between blocks; None when a block is mined only for a transaction (records before interval mining).
    block_time: float | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.chain_port}"

    @property
    def ipfs_api(self) -> str | None:
        return None if self.ipfs_port is None else f"http://127.0.0.1:{self.ipfs_port}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rpc_url": self.rpc_url,
            "ipfs_api": self.ipfs_api,
            "chain_pid": self.chain_pid,
            "ipfs_pid": self.ipfs_pid,
        }


def localnet_dir(home: Path | None = None) -> Path:
    return (home or config_home()) / "localnet"


def _record(home: Path | None) -> Path:
    return localnet_dir(home) / "localnet.json"


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not reaped) is not running
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _is_ours(pid: int, program: str) -> bool:
    """Whether process `pid` still runs `program` (a recorded id may have been reused by anything since)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return program.encode() in cmdline.read()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no procfs (macOS): trust the record
    except OSError:
        return False


def running(home: Path | None = None) -> Localnet | None:
    """The devnet this configuration started, if its chain is still running."""
    try:
        net = Localnet(**json.loads(_record(home).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return net if _alive(net.chain_pid) and _is_ours(net.chain_pid, "anvil") else None


def start(
    *,
    chain_port: int | None = None,
    ipfs_port: int | None = None,
    ipfs: bool = True,
    block_time: float | None = 1.0,
    home: Path | None = None,
) -> Localnet:
    """Start anvil (and the IPFS node) in the background; refuse if this devnet already runs. The chain mines a
    block every `block_time` seconds, so time passes as on a real chain (None: only when a transaction comes)."""

    if running(home) is not None:
        raise DeaiGovError("the local devnet is already running (`deai-gov node stop` first)")

    for port in (chain_port, ipfs_port if ipfs else None):
        if port is not None and port_in_use(port):
            raise DeaiGovError(f"port {port} on 127.0.0.1 is already in use")
    folder = localnet_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    anvil = Anvil(
        port=chain_port or free_port(),
        state_file=folder / "anvil-state.json",
        detached=True,
        log_file=folder / "anvil.log",
        block_time=block_time,
    ).start()
    assert anvil.process is not None
    net = Localnet(anvil.process.pid, anvil.port, None, None, block_time)
    if ipfs:
        try:
            find_jsipfs()
        except IpfsNodeError:
            pass  # no local IPFS node installed: the chain alone
        else:
            node = IpfsNode(port=ipfs_port or free_port(), repo=folder / "ipfs" / "repo", detached=True).start()
            assert node.process is not None
            net.ipfs_pid, net.ipfs_port = node.process.pid, node.port
    _record(home).write_text(json.dumps(asdict(net), indent=2))
    return net


def stop(home: Path | None = None, timeout: float = 15.0) -> list[str]:
    """Stop what `start` started (SIGTERM: anvil dumps its state; SIGKILL after `timeout`)."""
    try:
        net = Localnet(**json.loads(_record(home).read_text()))
    except (OSError, ValueError, TypeError):
        return []
    stopped = []
    for name, pid, program in (("chain", net.chain_pid, "anvil"), ("ipfs", net.ipfs_pid, "ipfs")):
        if pid is None or not _alive(pid) or not _is_ours(pid, program):
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        stopped.append(name)
    _record(home).unlink(missing_ok=True)
    import shutil

    shutil.rmtree(localnet_dir(home) / "anvil-cache", ignore_errors=True)  # states anvil moved to disk (see Anvil)
    return stopped
