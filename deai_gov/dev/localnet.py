"""A persistent local devnet for people who want one: anvil (chain state kept on disk) and, where installed, a
js-ipfs node (repository kept on disk), both on 127.0.0.1, running in the background between commands.

State lives in `<config home>/localnet/`: `anvil-state.json` (dumped by anvil on stop, loaded on start),
`ipfs/repo`, logs, `localnet.json` with the running processes' ids and ports, and `deployment.json`, the record of
the devnet's DAO once deployed (`deploy_local_dao`). While the devnet runs, it is the network every command uses
when none is named (`local_network`): no URL or record to pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DeaiGovError
from ..home.config import Network, config_home

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..chain.client import Chain
    from ..dao.deploy import Deployment

#: The devnet's ports unless told otherwise: the ones anvil and IPFS nodes use by default, so a newcomer's other
#: tools (cast, MetaMask, ipfs) find it too.
DEFAULT_CHAIN_PORT = 8545
DEFAULT_IPFS_PORT = 5001


@dataclass
class Localnet:
    chain_pid: int
    chain_port: int
    ipfs_pid: int | None
    ipfs_port: int | None
    #: Seconds between blocks; None when a block is mined only for a transaction (records before interval mining).
    block_time: float | None = None
    #: Why no IPFS node runs beside the chain (not installed, or not asked for); None when one runs.
    ipfs_note: str | None = None
    #: The pinning service pinning on the IPFS node (`dev.pinservice`), when the node runs.
    pinning_pid: int | None = None
    pinning_port: int | None = None

    @property
    def pinning_url(self) -> str | None:
        return None if self.pinning_port is None else f"http://127.0.0.1:{self.pinning_port}"

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
            "ipfs_note": self.ipfs_note,
            "pinning_url": self.pinning_url,
            "chain_pid": self.chain_pid,
            "ipfs_pid": self.ipfs_pid,
        }

    def exports(self, deployment: Path | None) -> list[str]:
        """Shell lines setting the variables the CLI reads, for scripts and other shells."""
        lines = [f"export DEAI_GOV_RPC_URL={self.rpc_url}"]
        if self.ipfs_api:
            lines.append(f"export DEAI_GOV_IPFS_API={self.ipfs_api}")
        if deployment is not None:
            lines.append(f"export DEAI_GOV_DEPLOYMENT={deployment}")
        return lines


def localnet_dir(home: Path | None = None) -> Path:
    return (home or config_home()) / "localnet"


def _record(home: Path | None) -> Path:
    return localnet_dir(home) / "localnet.json"


def deployment_record(home: Path | None = None) -> Path:
    """Where the record of the devnet's DAO is kept (it may not exist yet)."""
    return localnet_dir(home) / "deployment.json"


def local_network(home: Path | None = None) -> Network | None:
    """The running devnet as a network: its chain, its IPFS node and its DAO's record (when deployed); None when no
    devnet runs."""
    net = running(home)
    if net is None:
        return None
    record = deployment_record(home)
    return Network("local", rpc_url=net.rpc_url, deployment=record if record.exists() else None, ipfs_api=net.ipfs_api)


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
    from .devnet import Anvil, port_in_use
    from .ipfsnode import IpfsNode, IpfsNodeError, find_jsipfs

    if running(home) is not None:
        raise DeaiGovError("the local devnet is already running (`deai-gov node stop` first)")

    chain_port = chain_port or DEFAULT_CHAIN_PORT
    ipfs_port = ipfs_port or DEFAULT_IPFS_PORT
    for port, option in ((chain_port, "--chain-port"), (ipfs_port if ipfs else None, "--ipfs-port")):
        if port is not None and port_in_use(port):
            raise DeaiGovError(
                f"port {port} on 127.0.0.1 is already in use (another node?)", hint=f"choose another with {option}"
            )
    folder = localnet_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    anvil = Anvil(
        port=chain_port,
        state_file=folder / "anvil-state.json",
        detached=True,
        log_file=folder / "anvil.log",
        block_time=block_time,
    ).start()
    assert anvil.process is not None
    net = Localnet(anvil.process.pid, anvil.port, None, None, block_time, "not asked for (--no-ipfs)")
    if ipfs:
        try:
            find_jsipfs()
        except IpfsNodeError as missing:  # the chain alone; said so, with how to install the node
            net.ipfs_note = f"{missing}; {missing.hint}" if missing.hint else str(missing)
        else:
            node = IpfsNode(port=ipfs_port, repo=folder / "ipfs" / "repo", detached=True).start()
            assert node.process is not None
            net.ipfs_pid, net.ipfs_port, net.ipfs_note = node.process.pid, node.port, None
            net.pinning_pid, net.pinning_port = _start_pinning(folder, node.api_url)
    _record(home).write_text(json.dumps(asdict(net), indent=2))
    return net


def pinning_token_file(home: Path | None = None) -> Path:
    """The access token of the devnet's pinning service (made at its first start, readable by this user only)."""
    return localnet_dir(home) / "pinning-token"


def _start_pinning(folder: Path, ipfs_api: str) -> tuple[int, int]:
    """Start the pinning service (`dev.pinservice`) in the background on a free port; its (pid, port)."""
    import secrets
    import subprocess
    import sys

    from .devnet import free_port

    token = folder / "pinning-token"
    if not token.exists():
        token.touch(mode=0o600)
        token.write_text(secrets.token_hex(24) + "\n", encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "deai_gov.dev.pinservice", "--port", str(port), "--ipfs-api", ipfs_api,
               "--token-file", str(token), "--state", str(folder / "pins.json")]  # fmt: skip
    with open(folder / "pinning.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    import socket

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return process.pid, port
        time.sleep(0.1)
    process.kill()
    raise DeaiGovError(f"the devnet's pinning service did not start (see {folder / 'pinning.log'})")


def local_pinning(home: Path | None = None) -> tuple[str, str] | None:
    """The running devnet's pinning service: (URL, access token); None when none runs."""
    net = running(home)
    if net is None or net.pinning_url is None or not _alive(net.pinning_pid):
        return None
    try:
        return net.pinning_url, pinning_token_file(home).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def stop(home: Path | None = None, timeout: float = 15.0) -> list[str]:
    """Stop what `start` started (SIGTERM: anvil dumps its state; SIGKILL after `timeout`)."""
    try:
        net = Localnet(**json.loads(_record(home).read_text()))
    except (OSError, ValueError, TypeError):
        return []
    stopped = []
    processes = (("chain", net.chain_pid, "anvil"), ("ipfs", net.ipfs_pid, "ipfs"),
                 ("pinning", net.pinning_pid, "deai_gov.dev.pinservice"))  # fmt: skip
    for name, pid, program in processes:
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


#: The devnet DAO's vote settings in seconds (voting delay, voting period, late-quorum extension, timelock delay):
#: minutes instead of days, so a first proposal runs through in a quarter of an hour.
LOCAL_TIMINGS = (60, 600, 60, 120)
#: Who holds the devnet DAO's tokens (anvil's development accounts by index, in whole tokens); dev1 to dev3 delegate
#: to themselves, so they vote from the start. dev0, the deployer, keeps the rest undelegated.
LOCAL_HOLDERS = {1: 20_000, 2: 500_000, 3: 250_000}


def deploy_local_dao(
    chain: Chain, *, home: Path | None = None, on_step: Callable[[str], None] | None = None
) -> tuple[Deployment, bool]:
    """The devnet's DAO: deployed from dev0 with `LOCAL_TIMINGS`, tokens to `LOCAL_HOLDERS` (each delegating to
    itself), its record kept at `deployment_record`; or the one already deployed there. Returns it, and whether it
    was deployed now."""
    from eth_account import Account

    from ..chain.client import send
    from ..dao.deploy import TOKEN, DaoParams, Deployment, deploy_dao
    from ..dao.deployed import Dao
    from ..dao.token import delegate
    from .devnet import anvil_dev_keys, check_dev_chain

    check_dev_chain(chain)
    record = deployment_record(home)
    if record.exists():
        existing = Deployment.load(record)
        if existing.chain_id == chain.chain_id and chain.request("eth_getCode", [existing.governor, "latest"]) != "0x":
            return existing, False  # kept with the chain's state across restarts
    keys = anvil_dev_keys(max(LOCAL_HOLDERS) + 1)
    accounts = [Account.from_key(key) for key in keys]
    holders = {accounts[index].address: amount * TOKEN for index, amount in LOCAL_HOLDERS.items()}
    # the default supply (holders' share and treasury), dev0 keeping what the others do not get
    holders[accounts[0].address] = DaoParams().holders_supply - sum(holders.values())
    delay, period, late, timelock = LOCAL_TIMINGS
    params = DaoParams(
        holders=holders,
        voting_delay=delay,
        voting_period=period,
        late_quorum_extension=late,
        timelock_delay=timelock,
        eas="deploy",  # evaluations work on the devnet from the first minute
    )
    params.validate()
    deployment = deploy_dao(chain, accounts[0], params, on_step=on_step)
    dao = Dao.attach(chain, deployment)
    for index in LOCAL_HOLDERS:
        if on_step:
            on_step(f"dev{index} delegates to itself")
        send(chain, accounts[index], delegate(dao, accounts[index].address))
    deployment.save(record)
    return deployment, True
