"""A local anvil process on a free loopback port: the devnet's chain, and the throw-away fork a proposal is
simulated on (`simulation`).

anvil comes from npm (`@foundry-rs/anvil`, binary in its optional platform package); it is looked up on PATH,
then in the project's `node_modules/.bin`. A fork reads the chain it copies through a relay on 127.0.0.1 of this
process, so the RPC URL (which may hold a provider's key) never appears on anvil's command line, where any user of
the machine could read it in the process list.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import parsing
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


def cache_folder(node: Anvil) -> Path:
    """Where a detached anvil keeps the states it moves to disk: beside its state file (or log)."""
    beside = node.state_file or node.log_file
    return (beside.parent if beside is not None else Path(tempfile.gettempdir())) / "anvil-cache"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    Chosen below the system's ephemeral range when it can be read (Linux): a port the system hands out is soon handed
    out again, to any outgoing connection or `bind(0)` of another process, and a server started on it a moment later
    would find it taken. Outside that range only another such choice can collide, and the choice is random.
    """
    import random

    low = _ephemeral_low()
    if low is not None and low > 11_000:
        for _ in range(50):
            port = random.SystemRandom().randrange(10_000, low)  # not the seeded generator tests may share
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ephemeral_low() -> int | None:
    """The lowest port of the system's ephemeral range, or None where it cannot be read."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


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
    raise ChainError("anvil is not installed", hint="run `npm ci` in the project, or put anvil on PATH")


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
    #: Mine a block every this many seconds, transactions or not (None: a block per transaction, as they come).
    block_time: float | None = None
    #: Copy this chain (its state read on demand) at `fork_block` instead of starting an empty one.
    fork_url: str | None = None
    fork_block: int | None = None
    process: subprocess.Popen[bytes] | None = None
    _relay: _RpcRelay | None = field(default=None, init=False, repr=False)
    _cache: Path | None = field(default=None, init=False, repr=False)

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
            "--mnemonic", ANVIL_MNEMONIC,
            "--silent",
        ]  # fmt: skip
        # anvil moves the states of older blocks to a cache on disk and, stopped, leaves it behind (gigabytes after a
        # long test run in ~/.foundry): each process gets its own, removed when it stops (a detached devnet's lives
        # beside its state file, and `node stop` removes it).
        self._cache = cache_folder(self) if self.detached else Path(tempfile.mkdtemp(prefix="deai-gov-anvil-"))
        command += ["--cache-path", str(self._cache)]
        if self.fork_url is None:
            command += ["--chain-id", str(self.chain_id)]
        else:  # the fork keeps the chain's id; nothing of it is cached on disk
            self._relay = _RpcRelay(self.fork_url).start()
            command += ["--fork-url", self._relay.url, "--no-storage-caching"]
            if self.fork_block is not None:
                command += ["--fork-block-number", str(self.fork_block)]
        if self.block_time is not None:
            command += ["--block-time", f"{self.block_time:g}"]
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
        """SIGTERM (anvil then dumps --state), SIGKILL if it lingers; a fork's relay with it."""
        try:
            if self.process is None or self.process.poll() is not None:
                return
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        finally:
            if self._relay is not None:
                self._relay.stop()
                self._relay = None
            if self._cache is not None and not self.detached:
                shutil.rmtree(self._cache, ignore_errors=True)
                self._cache = None

    def dev_keys(self) -> list[str]:
        """Private keys of this node's funded accounts."""
        return anvil_dev_keys(self.accounts)

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


#: What a fork asks of the chain it forks: reads only. The relay forwards nothing else with the user's RPC URL.
FORK_READS = frozenset(
    {
        "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_getBlockByNumber",
        "eth_getBlockByHash", "eth_getBalance", "eth_getCode", "eth_getStorageAt", "eth_getTransactionCount",
        "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getLogs", "eth_feeHistory", "eth_gasPrice",
        "eth_maxPriorityFeePerGas", "eth_getProof", "eth_getAccount", "eth_call", "eth_estimateGas",
    }
)  # fmt: skip


def forwardable(body: bytes) -> bool:
    """Whether a JSON-RPC request (one or a batch) asks only for what a fork reads (`FORK_READS`)."""
    try:
        request = parsing.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    calls = request if isinstance(request, list) else [request]
    return bool(calls) and all(isinstance(call, dict) and call.get("method") in FORK_READS for call in calls)


def peer_is_this_user(client_port: int, server_port: int) -> bool:
    """Whether the open loopback connection from `client_port` to `server_port` belongs to this machine's user
    running us (Linux: the owner of that connection's client socket in /proc/net/tcp); True where that cannot be
    told."""
    rows: list[str] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            rows += Path(table).read_text().splitlines()[1:]
    if not Path("/proc/net/tcp").exists():
        return True
    return connection_owner(rows, client_port, server_port) == os.getuid()


def connection_owner(rows: list[str], client_port: int, server_port: int) -> int | None:
    """The uid owning the client socket of the established loopback connection `client_port` → `server_port`, from
    rows of /proc/net/tcp or tcp6; None if no row is that connection.

    The row must match the whole connection, both ends and the established state: a row matched by the client's
    port alone can be another socket that once had that port, such as a closed connection still waiting out its
    TIME_WAIT, and those rows carry uid 0, so a root process would let any user through."""
    wanted = (f"{client_port:04X}", f"{server_port:04X}")
    for line in rows:
        fields = line.split()
        if len(fields) <= 7 or fields[3] != _TCP_ESTABLISHED:
            continue
        ends = (fields[1].rsplit(":", 1)[-1], fields[2].rsplit(":", 1)[-1])
        if ends == wanted and _is_loopback(fields[1]) and _is_loopback(fields[2]):
            return int(fields[7])
    return None


_TCP_ESTABLISHED = "01"  # the `st` column of /proc/net/tcp


def _is_loopback(hex_address: str) -> bool:
    """Whether a /proc/net/tcp address (`0100007F:1F90`, or 32 hex digits for tcp6) is on loopback."""
    host = hex_address.rsplit(":", 1)[0]
    if len(host) == 8:
        return host.endswith("7F")  # 127.x.y.z, stored little-endian
    return host in ("00000000000000000000000001000000", "0000000000000000FFFF00000100007F")


class _RpcRelay:
    """An HTTP server on a free loopback port that forwards each JSON-RPC POST to `target` and its answer back:
    only a fork's reads (`FORK_READS`), and only from connections of this user (another user of the machine could
    otherwise spend, or read through, the RPC URL and its key)."""

    def __init__(self, target: str, timeout: float = 60.0):
        self.target = target
        self.timeout = timeout
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> _RpcRelay:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import requests

        relay = self
        session = requests.Session()

        class Forward(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            #: Whether this connection's peer is this user, found once per connection (reading /proc/net/tcp
            #: takes milliseconds, and anvil sends many requests on one kept-alive connection).
            peer_allowed: bool | None = None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.peer_allowed is None:
                    peer_port, own_port = self.client_address[1], self.connection.getsockname()[1]
                    self.peer_allowed = peer_is_this_user(peer_port, own_port)
                if not self.peer_allowed or not forwardable(body):
                    self._answer(403, b'{"error": "not forwarded: the relay serves a fork\'s reads only"}')
                    return
                try:
                    answer = session.post(
                        relay.target,
                        data=body,
                        headers={"Content-Type": "application/json"},
                        timeout=relay.timeout,
                    )
                    status, payload = answer.status_code, answer.content
                except requests.RequestException as exc:
                    status, payload = 502, f"the chain's RPC node did not answer: {type(exc).__name__}".encode()
                self._answer(status, payload)

            def _answer(self, status: int, payload: bytes) -> None:
                with contextlib.suppress(OSError):  # anvil stopped while it waited: nobody to answer
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a connection anvil dropped: nothing to report

        self._server = Server(("127.0.0.1", 0), Forward)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="rpc-relay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
