"""HTTP servers on 127.0.0.1 for tests: a trustless gateway serving blocks from a store (optionally lying,
truncating, refusing CARs or slowed down), on top of `serve_http`, which runs any request handler on a free port.

The gateway follows the trustless gateway spec (ipfs/specs `src/http-gateways/trustless-gateway.md`):

- a raw block: `GET /ipfs/<cid>?format=raw` or `Accept: application/vnd.ipld.raw`, answered
  `Content-Type: application/vnd.ipld.raw`;
- a CAR: `GET /ipfs/<cid>?format=car` or `Accept: application/vnd.ipld.car`, with `dag-scope=all` (the default;
  `block` for the root alone), blocks in depth-first link order, duplicates only when asked (`dups=y` in the
  Accept parameters or `car-dups=y`), answered `Content-Type: application/vnd.ipld.car; version=1; order=dfs;
  dups=n|y`, streamed;
- 400 for a request it cannot serve (another format or scope), 404 for a block it does not have.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from deai_gov.errors import BlockNotFound, StoreError
from deai_gov.ipfs.blockcid import DAG_PB, codec_of, from_text, to_text
from deai_gov.ipfs.car import CarWriter
from deai_gov.ipfs.stores import BlockSource
from deai_gov.ipfs.unixfs import decode_node

#: Given (cid text, true bytes), return the bytes to serve.
Tamper = Callable[[str, bytes], bytes]
RAW_MEDIA = "application/vnd.ipld.raw"
CAR_MEDIA = "application/vnd.ipld.car"


@dataclass
class Gateway:
    """A running test gateway: its URL and what it was asked."""

    url: str
    raw_requests: int = 0
    raw_requested: set[bytes] = field(default_factory=set)  # the CIDs asked for one by one
    car_requests: int = 0
    car_blocks_sent: int = 0
    in_flight: int = 0
    max_in_flight: int = 0  # the most requests it was answering at once
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def serve_trustless_gateway(
    source: BlockSource,
    tamper: Tamper | None = None,
    *,
    car: bool = True,
    car_block_limit: int | None = None,
    delay: float = 0.0,
    car_cache: Path | None = None,
) -> Iterator[Gateway]:
    """Run a gateway over `source`. `car=False` answers CAR requests with 400 (a gateway serving raw blocks only);
    `car_block_limit` ends every CAR after that many blocks (an incomplete answer); `delay` seconds pass before each
    answer (a distant gateway); with `car_cache` (a folder), a whole CAR is written there the first time it is asked
    for and then streamed from that file, as production gateways cache them (benchmarks measure the client, not
    this server's DAG walk)."""
    gateway = Gateway("")
    cache_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with gateway.lock:
                gateway.in_flight += 1
                gateway.max_in_flight = max(gateway.max_in_flight, gateway.in_flight)
            try:
                self._answer()
            finally:
                with gateway.lock:
                    gateway.in_flight -= 1

        def _answer(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            accept = self.headers.get("Accept", "")
            wanted = (query.get("format") or [""])[0] or (
                "car" if CAR_MEDIA in accept else "raw" if RAW_MEDIA in accept else ""
            )
            if delay:
                time.sleep(delay)
            if not url.path.startswith("/ipfs/") or wanted not in ("raw", "car"):
                self._refuse(400)
                return
            try:
                root = from_text(url.path.removeprefix("/ipfs/"))
            except ValueError:
                self._refuse(400)
                return
            if wanted == "raw":
                self._raw(root)
                return
            with gateway.lock:
                gateway.car_requests += 1
            if not car or (query.get("dag-scope") or ["all"])[0] not in ("all", "block"):
                self._refuse(400)
            else:
                dups = "dups=y" in accept.replace(" ", "") or (query.get("car-dups") or ["n"])[0] == "y"
                self._car(root, dups, (query.get("dag-scope") or ["all"])[0] == "block")

        def _refuse(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _block(self, cid: bytes) -> bytes:
            data = source.get_block(cid)
            return tamper(to_text(cid), data) if tamper else data

        def _raw(self, cid: bytes) -> None:
            with gateway.lock:
                gateway.raw_requests += 1
                gateway.raw_requested.add(cid)
            try:
                data = self._block(cid)
            except (BlockNotFound, StoreError):
                self._refuse(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", RAW_MEDIA)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _car(self, root: bytes, dups: bool, block_only: bool) -> None:
            try:
                self._block(root)
            except (BlockNotFound, StoreError):
                self._refuse(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", f"{CAR_MEDIA}; version=1; order=dfs; dups={'y' if dups else 'n'}")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            if car_cache is not None and car_block_limit is None and not block_only and tamper is None:
                self._cached_car(root, dups)
                return
            self._write_car(self.wfile, root, dups, block_only)

        def _cached_car(self, root: bytes, dups: bool) -> None:
            assert car_cache is not None
            cached = car_cache / f"{to_text(root)}-{'dups' if dups else 'once'}.car"
            with cache_lock:
                if not cached.exists():
                    with cached.open("wb") as out:
                        self._write_car(out, root, dups, False)
            with cached.open("rb") as stream, contextlib.suppress(OSError):
                shutil.copyfileobj(stream, self.wfile, 1024 * 1024)

        def _write_car(self, out: Any, root: bytes, dups: bool, block_only: bool) -> None:
            writer = CarWriter(out, [root])
            sent: set[bytes] = set()
            stack = [root]
            count = 0
            try:
                while stack and (car_block_limit is None or count < car_block_limit):
                    cid = stack.pop()
                    if not dups and cid in sent:
                        continue
                    data = source.get_block(cid)
                    writer.put(cid, tamper(to_text(cid), data) if tamper else data)
                    sent.add(cid)
                    count += 1
                    if codec_of(cid) == DAG_PB and not block_only:
                        stack.extend(link.cid for link in reversed(decode_node(data).links))
            except (BlockNotFound, StoreError, OSError):
                pass  # a block it lacks, or the client hung up: the CAR simply ends
            with gateway.lock:
                gateway.car_blocks_sent += count

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        gateway.url = url
        yield gateway


@contextmanager
def serve_gateway(source: BlockSource, tamper: Tamper | None = None) -> Iterator[str]:
    """`serve_trustless_gateway`, yielding only its base URL."""
    with serve_trustless_gateway(source, tamper) as gateway:
        yield gateway.url


@contextmanager
def serve_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free loopback port; yields the base URL, stops the server on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
