"""A whole DAG from a trustless gateway, or an IPFS node, in one request, every block verified as it streams.

Reading a model a block at a time costs one round trip per block: hours for 10 GiB from a public gateway. The
trustless gateway spec lets one request carry the DAG as a CAR: `GET /ipfs/<root>?format=car&dag-scope=all` with
`Accept: application/vnd.ipld.car; version=1; order=dfs; dups=y`. A `CarStreamSource` stands in front of the
gateway's per-block source for one root (and in front of a node's, whose `dag/export` streams a CAR the same
way): the first block asked of it opens the stream, and then each block the
walk asks for is read from it, hashed and checked against its CID before it is returned. The walks here go depth
first in link order, as a `dfs` CAR is written, so a block asked for is normally the next one in the stream; a few
blocks read ahead are kept (bounded), as are the small inner blocks a walk reads twice.

Nothing is trusted: a stream that is refused, breaks, trickles, sends a block that does not hash to its CID or
leaves out a block makes this source answer "not found" from then on, so the caller's next source (the same
gateway block by block, then the others) fetches what is missing. An incomplete CAR costs only its missing part.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..errors import BlockNotFound, CarError, StoreError
from .blockcid import RAW, BlockCid, codec_of, to_text
from .car import read_car
from .stores import GatewaySource, NodeStore

CAR_MEDIA = "application/vnd.ipld.car"
#: Bytes of blocks read ahead of the one asked for that are kept; past this the stream is given up.
LOOKAHEAD_BYTES = 32 * 1024 * 1024
#: Inner (non-raw) blocks already returned that are kept for a second request (a walk reads a node, then again).
KEEP_INNER = 4096


class CarStreamSource:
    """Blocks of the DAG under `root`, streamed from a peer as one CAR, each verified as it arrives. `peer` names
    it; `open_response` asks for the CAR and returns the streaming HTTP response, or raises StoreError saying why
    there is none."""

    #: Every block this source returns was checked against its CID as it streamed (see `fetch_verified`).
    verified = True

    def __init__(
        self,
        peer: str,
        root: BlockCid,
        timeout: float,
        open_response: Callable[[], Any],
        fallback: GatewaySource | None = None,
    ):
        self.peer = peer
        self._fallback = fallback  # the gateway read block by block once this stream is over
        self.root = root
        self.timeout = timeout
        self._open_response = open_response
        self.name = f"{peer} (CAR of {to_text(root)})"
        self.blocks = 0  # blocks read from the stream
        self.bytes = 0
        self.ended: str | None = None  # why the stream is no longer read from, once it is not
        self._response: Any = None
        self._reader: _DeadlineReader | None = None
        self._blocks: Any = None
        self._ahead: OrderedDict[BlockCid, bytes] = OrderedDict()
        self._ahead_bytes = 0
        self._inner: OrderedDict[BlockCid, bytes] = OrderedDict()

    def get_block(self, cid: BlockCid) -> bytes:
        if cid in self._inner:
            self._inner.move_to_end(cid)
            return self._inner[cid]
        if cid in self._ahead:
            data = self._ahead.pop(cid)
            self._ahead_bytes -= len(data)
            return self._returned(cid, data)
        if self.ended is None and self._blocks is None:
            self._open()
        while self.ended is None:
            try:
                found, data = self._next()
            except StopIteration:
                self._end("the CAR ended")
                break
            if found == cid:
                return self._returned(cid, data)
            self._ahead[found] = data
            self._ahead_bytes += len(data)
            if self._ahead_bytes > LOOKAHEAD_BYTES:
                self._end(f"block {to_text(cid)} was not among the next {LOOKAHEAD_BYTES:,} bytes")
        raise BlockNotFound(f"{self.name} does not hold block {to_text(cid)} ({self.ended})")

    def close(self) -> None:
        """Stop reading the stream (a pull that ends early, or is interrupted), and the gateway's read-ahead."""
        self._end("closed")
        if self._fallback is not None:
            self._fallback.stop_prefetch()

    @property
    def wants_hints(self) -> bool:
        """Whether `hint` would do anything: once the stream is over, its gateway reads ahead."""
        return self.ended is not None and self._fallback is not None

    def hint(self, cids: list[BlockCid]) -> None:
        """The blocks the walk will ask for next. While the stream runs they come from it; once it is over, its
        gateway fetches them ahead, a few at a time in parallel."""
        if self.wants_hints:
            assert self._fallback is not None
            self._fallback.prefetch(cids)

    def _returned(self, cid: BlockCid, data: bytes) -> bytes:
        if codec_of(cid) != RAW:
            self._inner[cid] = data
            if len(self._inner) > KEEP_INNER:
                self._inner.popitem(last=False)
        return data

    @classmethod
    def from_gateway(cls, gateway: GatewaySource, root: BlockCid) -> CarStreamSource:
        """The trustless gateway spec's CAR: `GET /ipfs/<root>?format=car&dag-scope=all`, depth first."""

        def open_response() -> Any:
            import requests

            url = f"{gateway.base_url}/ipfs/{to_text(root)}?format=car&dag-scope=all"
            headers = {"Accept": f"{CAR_MEDIA}; version=1; order=dfs; dups=y"}
            response = requests.get(url, headers=headers, timeout=gateway.timeout, stream=True)
            media = response.headers.get("Content-Type", "")
            if response.status_code != 200 or not media.startswith(CAR_MEDIA):
                response.close()
                raise StoreError(f"no CAR: HTTP {response.status_code} {media or 'without a content type'}")
            return response

        return cls(gateway.name, root, gateway.timeout, open_response, fallback=gateway)

    @classmethod
    def from_node(cls, node: NodeStore, root: BlockCid) -> CarStreamSource:
        """A node's `dag/export` of `root` (Kubo RPC API; js-ipfs too), read as it streams."""

        def open_response() -> Any:
            import requests

            url = f"{node.http_base}/api/v0/dag/export"
            response = requests.post(url, params={"arg": to_text(root)}, timeout=node.timeout, stream=True)
            if response.status_code != 200:
                response.close()
                raise StoreError(f"no CAR: HTTP {response.status_code}")
            return response

        return cls(node.name, root, node.timeout, open_response)

    def _open(self) -> None:
        import requests

        try:
            response = self._open_response()
        except StoreError as refused:
            self._end(str(refused))
            return
        except (requests.RequestException, OSError) as exc:
            self._end(f"unreachable: {type(exc).__name__}")
            return
        self._response = response
        reader = self._reader = _DeadlineReader(response, self.timeout)
        try:
            roots, blocks = read_car(reader)  # type: ignore[arg-type]
        except (CarError, StoreError) as exc:
            self._end(f"a bad CAR header ({exc})")
            return
        if roots and roots[0] != self.root:
            self._end(f"a CAR of another root, {to_text(roots[0])}")
            return
        self._blocks = blocks

    def _next(self) -> tuple[BlockCid, bytes]:
        """The next block of the stream, verified (read_car checks each); StopIteration at its end. A broken,
        slow or lying stream ends it, with the reason kept."""
        assert self._reader is not None
        self._reader.mark()
        try:
            cid, data = next(self._blocks)
            self._reader.idle()
        except StopIteration:
            raise
        except (CarError, StoreError, OSError) as exc:
            self._end(f"it broke after {self.blocks} blocks: {exc}")
            raise StopIteration from None
        except Exception as exc:  # urllib3 protocol errors and the like: the peer's fault, not ours
            self._end(f"it broke after {self.blocks} blocks: {type(exc).__name__}")
            raise StopIteration from None
        self.blocks += 1
        self.bytes += len(data)
        return cid, data

    def _end(self, why: str) -> None:
        if self.ended is None:
            self.ended = why
        self._ahead.clear()
        self._ahead_bytes = 0
        if self._response is not None:
            self._response.close()
            self._response = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None


class _DeadlineReader:
    """A streamed HTTP body, each block within `timeout` seconds of `mark()` (the clock stops at `idle()`, while
    the reader's caller works): a peer trickling a byte at a time satisfies every per-read time-out, not this
    one.

    When the body arrives as sent (no content coding for urllib3 to undo), the standard library's response
    underneath urllib3's fills the reader's buffers straight from the socket, with no copy in between, and a
    watchdog thread enforces the deadline by shutting the connection down: a read that waits for a whole block
    then ends at the deadline however slowly the bytes come. Otherwise every socket read goes through urllib3 and
    the deadline is checked after each.
    """

    def __init__(self, response: Any, timeout: float):
        self.timeout = timeout
        self.started: float | None = time.monotonic()
        self.expired = False
        self._raw = response.raw
        self._direct: http.client.HTTPResponse | None = None
        self._socket: socket.socket | None = None
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        coded = response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
        direct = getattr(self._raw, "_fp", None)
        if not coded and isinstance(direct, http.client.HTTPResponse):
            try:  # a descriptor of our own for the connection: shutting it down ends a read that is waiting
                self._socket = socket.socket(fileno=os.dup(self._raw.fileno()))
            except (OSError, ValueError):
                self._socket = None
            else:
                self._direct = direct
                self._watchdog = threading.Thread(target=self._watch, name="car-deadline", daemon=True)
                self._watchdog.start()

    def mark(self) -> None:
        self.started = time.monotonic()

    def idle(self) -> None:
        self.started = None

    def read(self, size: int) -> bytes:
        buffer = bytearray(size)
        got = 0
        view = memoryview(buffer)
        while got < size and (n := self.readinto(view[got:])):
            got += n
        return bytes(buffer[:got])

    def readinto(self, view: memoryview) -> int:
        """Bytes into `view` (up to 1 MiB at a time); 0 at the end of the body."""
        window = view[: 1024 * 1024]
        try:
            if self._direct is not None:
                got = self._direct.readinto(window)
            else:
                chunk = self._raw.read1(len(window), decode_content=True)  # one socket read at a time
                got = len(chunk)
                window[:got] = chunk
        except (OSError, ValueError, http.client.HTTPException):
            if self.expired:
                raise self._late() from None
            raise
        if self.expired or self._late_now():
            raise self._late()
        return got or 0

    def close(self) -> None:
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
        if self._socket is not None:
            self._socket.close()

    def _late(self) -> StoreError:
        return StoreError(f"the stream delivered no block within {self.timeout:g} s")

    def _late_now(self) -> bool:
        started = self.started
        return started is not None and time.monotonic() - started > self.timeout

    def _watch(self) -> None:
        while not self._stop.wait(min(0.1, self.timeout / 4)):
            if self._late_now():
                self.expired = True
                with contextlib.suppress(OSError):
                    assert self._socket is not None
                    self._socket.shutdown(socket.SHUT_RDWR)
                return


def with_car_streams(sources: list[Any], root: BlockCid) -> list[Any]:
    """`sources` with a CAR stream of `root` in front of each gateway and node (the order of sources kept): each
    is asked for the whole DAG once, and block by block only for what its stream did not deliver."""
    streamed: list[Any] = []
    for source in sources:
        if isinstance(source, GatewaySource):
            streamed.append(CarStreamSource.from_gateway(source, root))
        elif isinstance(source, NodeStore):
            streamed.append(CarStreamSource.from_node(source, root))
        streamed.append(source)
    return streamed
