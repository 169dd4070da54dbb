"""A local IPFS node for tests and offline use: js-ipfs (npm `ipfs@0.66.1`) serving the Kubo RPC API.

The node runs offline on 127.0.0.1 only: no swarm listeners, no bootstrap peers, no delegates, no MDNS, no
WebRTC-star, no routing, no preload and no gRPC server, so it never connects outside. Install it with
`tools/install-ipfs-node` (npm, no downloads outside the registry); the `jsipfs` binary is looked up in
`$DEAI_GOV_JSIPFS`, then in the project's `tools/ipfs-node/node_modules/.bin`.

Talk to it with `connect_client(node.api_multiaddr)`: ipfshttpclient's own `connect()` refuses every daemon
reporting version 0.8.0 or later, and js-ipfs reports 0.18.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import IpfsNodeError
from .devnet import free_port, port_in_use

#: Environment variable naming the `jsipfs` executable to use instead of the project's own.
JSIPFS_ENV = "DEAI_GOV_JSIPFS"
#: Where `tools/install-ipfs-node` puts the node, relative to the project root.
NODE_DIR = Path("tools") / "ipfs-node"
_INSTALL_HINT = (
    f"run tools/install-ipfs-node in a deai-gov checkout (npm, ~290 MB), or set {JSIPFS_ENV} to a jsipfs executable"
)


def _project_node_dirs() -> list[Path]:
    return [parent / NODE_DIR for parent in Path(__file__).resolve().parents]


def find_jsipfs() -> Path:
    """Path of the `jsipfs` executable, or IpfsNodeError saying how to install it."""
    configured = os.environ.get(JSIPFS_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise IpfsNodeError(f"{JSIPFS_ENV} is {configured!r}, which is not an executable file")
        return path
    for node_dir in _project_node_dirs():
        candidate = node_dir / "node_modules" / ".bin" / "jsipfs"
        if candidate.exists():
            return candidate
    raise IpfsNodeError("the local IPFS node (js-ipfs) is not installed", hint=_INSTALL_HINT)


def find_polyfill(jsipfs: Path) -> Path | None:
    """The `Promise.withResolvers` polyfill next to the node's `node_modules`, else the project's, else None."""
    candidates = [jsipfs.parent.parent.parent / "polyfill.cjs"]  # <dir>/node_modules/.bin/jsipfs
    candidates += [node_dir / "polyfill.cjs" for node_dir in _project_node_dirs()]
    return next((c for c in candidates if c.is_file()), None)


def node_config(config: dict[str, Any], api_port: int, gateway_port: int | None = None) -> dict[str, Any]:
    """`config` (a js-ipfs repo configuration) changed to serve the API on loopback and stay offline."""
    addresses = config.setdefault("Addresses", {})
    addresses["API"] = f"/ip4/127.0.0.1/tcp/{api_port}"
    addresses["Gateway"] = f"/ip4/127.0.0.1/tcp/{gateway_port}" if gateway_port is not None else []
    addresses["Swarm"] = []  # with any swarm address the offline daemon hangs at start
    addresses["Announce"] = []
    addresses["NoAnnounce"] = []
    addresses["Delegates"] = []
    addresses.pop("RPC", None)  # the gRPC-over-websocket server, on a fixed port 5003 by default
    config["Bootstrap"] = []
    discovery = config.setdefault("Discovery", {})
    discovery.setdefault("MDNS", {})["Enabled"] = False
    discovery.setdefault("webRTCStar", {})["Enabled"] = False
    config.setdefault("Routing", {})["Type"] = "none"
    config.setdefault("Swarm", {})["DisableNatPortMap"] = True
    return config


@dataclass
class IpfsNode:
    """A js-ipfs daemon, offline, with its RPC API on 127.0.0.1; use as a context manager or call stop().

    `repo` is the IPFS repository: a temporary directory (deleted by stop()) unless a path is given, which is
    initialised on first use and kept. `gateway_port` serves the read-only HTTP gateway (`/ipfs/<cid>`, UnixFS
    content only, no trustless `?format=raw|car` responses) when set.
    """

    port: int = field(default_factory=free_port)
    repo: Path | None = None
    gateway_port: int | None = None
    #: Keep running after this process exits (own session, output to `<repo>/../daemon.log`).
    detached: bool = False
    process: subprocess.Popen[bytes] | None = None
    _temp_dir: Path | None = field(default=None, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def api_multiaddr(self) -> str:
        """The API address as ipfshttpclient takes it."""
        return f"/ip4/127.0.0.1/tcp/{self.port}/http"

    @property
    def api_url(self) -> str:
        """The RPC API base URL (POST `{api_url}/version`, ...)."""
        return f"http://127.0.0.1:{self.port}/api/v0"

    @property
    def gateway_url(self) -> str | None:
        """The HTTP gateway base URL, or None when the node serves no gateway."""
        return None if self.gateway_port is None else f"http://127.0.0.1:{self.gateway_port}"

    def _env(self, jsipfs: Path) -> dict[str, str]:
        assert self.repo is not None
        env = dict(os.environ, IPFS_PATH=str(self.repo), NO_UPDATE_NOTIFIER="1")
        polyfill = find_polyfill(jsipfs)
        if polyfill is not None:
            env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --require {polyfill}".strip()
        return env

    def _init_repo(self, jsipfs: Path, env: dict[str, str], timeout: float) -> None:
        assert self.repo is not None
        config_file = self.repo / "config"
        if not config_file.exists():
            self.repo.mkdir(parents=True, exist_ok=True)
            try:
                subprocess.run(
                    [str(jsipfs), "init", "--profile", "test", "--empty-repo"],
                    env=env,
                    capture_output=True,
                    check=True,
                    timeout=timeout,
                )
            except subprocess.CalledProcessError as exc:
                tail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise IpfsNodeError(f"jsipfs init failed in {self.repo}: {tail[0]}") from None
            except subprocess.TimeoutExpired:
                raise IpfsNodeError(f"jsipfs init did not finish within {timeout:.0f} s") from None
        config = json.loads(config_file.read_text())
        config_file.write_text(json.dumps(node_config(config, self.port, self.gateway_port), indent=2))

    def _api_answers(self) -> bool:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(f"{self.api_url}/version", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _log_tail(self) -> str:
        if self._log is None:
            return "no output"
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def start(self, timeout: float = 60.0) -> IpfsNode:
        """Initialise the repository if it is new, write the offline configuration and start the daemon.

        Returns once the API answers `/api/v0/version`.
        """
        jsipfs = find_jsipfs()
        for port in (self.port, self.gateway_port):
            if port is not None and port_in_use(port):
                raise IpfsNodeError(f"cannot start the IPFS node: port {port} on 127.0.0.1 is already in use")
        if self.repo is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="deai-gov-ipfs-"))
            self.repo = self._temp_dir / "repo"
        env = self._env(jsipfs)
        deadline = time.monotonic() + timeout
        try:
            self._init_repo(jsipfs, env, timeout)
            if self.detached:
                self._log = (self.repo.parent / "daemon.log").open("w+b")
            else:
                self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
            self.process = subprocess.Popen(
                [str(jsipfs), "daemon", "--offline", "--enable-preload=false"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=self.detached,
            )
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise IpfsNodeError(f"the IPFS daemon exited at start: {self._log_tail()}")
                if self._api_answers():
                    return self
                time.sleep(0.1)
            raise IpfsNodeError(f"the IPFS daemon's API did not answer on port {self.port} within {timeout:.0f} s")
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (the daemon closes its repository), SIGKILL if it lingers; deletes a temporary repository."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
            self.repo = None

    def client(self, timeout: float = 30.0) -> Any:
        """An ipfshttpclient Client for this node."""
        return connect_client(self.api_multiaddr, timeout)

    def __enter__(self) -> IpfsNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def connect_client(multiaddr: str, timeout: float = 30.0) -> Any:
    """An `ipfshttpclient.Client` for the RPC API at `multiaddr` (e.g. `/ip4/127.0.0.1/tcp/5001/http`).

    Built directly: `ipfshttpclient.connect()` checks the daemon's version and refuses 0.8.0 and later, which
    is every current Kubo and js-ipfs. `timeout` (seconds) bounds every request, including reads of blocks the
    node does not have, which would otherwise wait forever.
    """
    import ipfshttpclient

    return ipfshttpclient.Client(multiaddr, timeout=timeout)
