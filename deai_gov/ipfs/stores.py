"""Where blocks live, behind one small interface.

- `EmbeddedStore`: blocks in local pack files, used when no IPFS node is configured (same CIDs as any node).
- `NodeStore`: a real IPFS node through its RPC API (Kubo, or js-ipfs) with ipfshttpclient: blocks are
  imported as a CAR and pinned, and read back block by block with a time-out.
- `GatewaySource`: a read-only trustless HTTP gateway (`/ipfs/<cid>?format=raw`); nothing it returns is
  trusted, every block is checked against its CID by the caller.

No source is trusted: `fetch_verified` checks every block it returns against its CID.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from ..errors import BlockMismatch, BlockNotFound, StoreError
from .blockcid import DAG_PB, BlockCid, codec_of, matches, prefix, to_text
from .car import MAX_BLOCK, CarWriter, read_car, verify_block
from .hashing import BackgroundWriter
from .unixfs import decode_node

DEFAULT_TIMEOUT = 30.0
#: Index rows an embedded store keeps at hand after a lookup (see `EmbeddedStore.locate`).
_WINDOW = 1024


def _left_in_place(name: str) -> bool:
    """Whether an index entry names a user's file (an absolute path: published without a copy) and not a pack."""
    return os.path.isabs(name)


class BlockSource(Protocol):
    """Anything blocks can be read from."""

    name: str

    def get_block(self, cid: BlockCid) -> bytes:
        """The block's bytes (unverified); BlockNotFound if missing, StoreError if unreachable."""
        ...


#: Receives a block to keep: (CID, bytes).
BlockSink = Callable[[BlockCid, bytes], object]
#: Receives a raw leaf left in place in a file: (CID, file, offset, length).
LeafReference = Callable[[BlockCid, Path, int, int], None]
#: Makes a DAG: writes every block to the sink it is given and returns the root CID.
DagProducer = Callable[[BlockSink], BlockCid]


class BlockStore(BlockSource, Protocol):
    """A source that can also keep blocks."""

    def put_car(self, car: IO[bytes], roots: list[BlockCid]) -> None:
        """Store (and pin, where that means something) every block of a CAR v1 stream, verifying each."""
        ...

    def import_dag(self, produce: DagProducer) -> BlockCid:
        """Store (and pin) the blocks `produce` makes, trusted as made by this project's importer."""
        ...


class EmbeddedStore:
    """Blocks on local disk, used when no IPFS node is configured.

    Each import is written as one append-only CAR v1 "pack" under `<root>/packs/` and indexed (CID -> pack,
    offset, length) in `<root>/index.sqlite`. One sequential file per import instead of one file per block:
    creating and renaming thousands of small files cost ~1 ms each here, more than hashing their bytes. A pack
    is written under a temporary name and renamed before its blocks are indexed, so an interrupted import
    leaves no block indexed that is not fully on disk. Blocks already stored are not written again.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.packs = self.root / "packs"
        self.name = f"embedded store {self.root}"
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._files: dict[str, int] = {}
        self._window: dict[BlockCid, tuple[str, int, int]] = {}

    def _index(self) -> sqlite3.Connection:
        if self._db is None:
            self.packs.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.root / "index.sqlite", check_same_thread=False, isolation_level=None)
            db.execute(
                "CREATE TABLE IF NOT EXISTS blocks (cid BLOB PRIMARY KEY, pack TEXT NOT NULL, "
                "offset INTEGER NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID"
            )
            db.execute("CREATE INDEX IF NOT EXISTS blocks_by_position ON blocks (pack, offset)")
            self._db = db
        return self._db

    def locate(self, cid: BlockCid) -> tuple[Path, int, int] | None:
        """(pack file, or the user's file for a block published without a copy; offset; length), or None when
        the block is not here."""
        where = self._where(cid)
        return None if where is None else (self.packs / where[0], where[1], where[2])

    def _where(self, cid: BlockCid) -> tuple[str, int, int] | None:
        """(pack name or absolute file path, offset, length) from the index.

        Blocks are mostly read in the order they were written (a DAG walk follows the import), so a hit also
        loads the index rows of the next `_WINDOW` blocks of its pack: a walk makes a few index queries per
        thousand blocks instead of one per block.
        """
        with self._lock:
            where = self._window.get(cid)
            if where is None:
                if self._db is None and not (self.root / "index.sqlite").exists():
                    return None
                db = self._index()
                row = db.execute("SELECT pack, offset, length FROM blocks WHERE cid = ?", (cid,)).fetchone()
                if row is None:
                    return None
                where = (str(row[0]), int(row[1]), int(row[2]))
                following = db.execute(
                    "SELECT cid, offset, length FROM blocks WHERE pack = ? AND offset >= ? ORDER BY offset LIMIT ?",
                    (where[0], where[1], _WINDOW),
                )
                self._window = {bytes(c): (where[0], int(o), int(n)) for c, o, n in following}
        return where

    def has(self, cid: BlockCid) -> bool:
        return self.locate(cid) is not None

    def forget(self, cid: BlockCid) -> None:
        """Drop a block from the index (its bytes stay in the pack until the pack is removed)."""
        with self._lock:
            self._index().execute("DELETE FROM blocks WHERE cid = ?", (cid,))
            self._window.pop(cid, None)

    def get_block(self, cid: BlockCid) -> bytes:
        where = self._where(cid)
        if where is None:
            raise BlockNotFound(f"block {to_text(cid)} is not in the {self.name}")
        name, offset, length = where
        with self._lock:
            fd = self._files.get(name)
        if fd is None:
            with self._lock:
                try:
                    fd = self._files[name] = os.open(self.packs / name, os.O_RDONLY)
                except OSError as exc:
                    if not _left_in_place(name):
                        raise StoreError(f"pack {name} of the {self.name} cannot be read: {exc.strerror}") from None
                    raise BlockNotFound(
                        f"block {to_text(cid)} was published without a copy from {name}, which cannot be read now "
                        f"({exc.strerror})"
                    ) from None
        data = os.pread(fd, length, offset)
        if len(data) != length:
            if _left_in_place(name):
                raise BlockNotFound(f"block {to_text(cid)} was published without a copy from {name}, now shorter")
            raise StoreError(f"pack {name} of the {self.name} is truncated")
        return data

    def origin(self, cid: BlockCid) -> Path | None:
        """The user's file a block is read from when it was published without a copy, else None."""
        where = self._where(cid)
        return Path(where[0]) if where is not None and _left_in_place(where[0]) else None

    def _write_pack(self, fill: Callable[[BlockSink, LeafReference], BlockCid]) -> BlockCid:
        """Write the blocks `fill` produces into a new pack (on a second thread), then index them.

        `fill` gets two sinks: one for blocks to copy, one for raw leaves left in place in the user's files
        (indexed by absolute path, offset and length; see `import_in_place`).
        """

        self._index()
        rows: list[tuple[BlockCid, str, int, int]] = []  # blocks copied into the new pack
        references: list[tuple[BlockCid, str, int, int]] = []  # raw leaves left in the user's files
        seen: set[BlockCid] = set()
        name = f"{uuid.uuid4().hex}.car"
        fd, tmp = tempfile.mkstemp(dir=self.packs, prefix=".incoming-", suffix=".car")

        def keep(car: CarWriter, cid: BlockCid, data: bytes) -> None:
            # Publishing the same content again copies nothing, except blocks so far only referenced in a user's
            # file: copying them makes the store independent of that file.
            if cid in seen:
                return
            where = self._where(cid)
            if where is not None and not _left_in_place(where[0]):
                return
            seen.add(cid)
            rows.append((cid, name, car.put(cid, data), len(data)))

        resolved: dict[Path, str] = {}

        def refer(cid: BlockCid, path: Path, offset: int, length: int) -> None:
            # No lookup per leaf: a block the index already has keeps its row (INSERT OR IGNORE below).
            where = resolved.get(path)
            if where is None:
                where = resolved[path] = os.fspath(Path(path).resolve())
            references.append((cid, where, offset, length))

        try:
            with os.fdopen(fd, "w+b") as stream:
                car = CarWriter(stream, [prefix(DAG_PB) + bytes(32)])
                writer = BackgroundWriter(lambda cid, data: keep(car, cid, data))
                try:
                    root = fill(writer.put, refer)
                finally:
                    writer.close()
                car.replace_roots([root])
            if rows:
                os.replace(tmp, self.packs / name)
            else:
                Path(tmp).unlink()
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if rows or references:
            with self._lock:
                db = self._index()
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO blocks VALUES (?, ?, ?, ?)", rows)  # a copy beats a reference
                db.executemany("INSERT OR IGNORE INTO blocks VALUES (?, ?, ?, ?)", references)
                db.execute("COMMIT")
                self._window = {}
        return root

    @contextlib.contextmanager
    def keeping(self, segment_bytes: int = 64 * 1024 * 1024) -> Iterator[BlockSink]:
        """A sink for blocks already verified elsewhere (a pull's), written into packs of about `segment_bytes`,
        each indexed as soon as it is complete and the last one at the end, also when the pull fails or is
        interrupted: whatever was verified is kept, and a pull run again reads it from here."""
        self._index()
        seen: set[BlockCid] = set()
        segment: dict[str, Any] = {}

        def start() -> None:
            fd, tmp = tempfile.mkstemp(dir=self.packs, prefix=".incoming-", suffix=".car")
            stream = os.fdopen(fd, "w+b")
            segment.update(
                name=f"{uuid.uuid4().hex}.car",
                tmp=tmp,
                stream=stream,
                car=CarWriter(stream, [prefix(DAG_PB) + bytes(32)]),
                rows=[],
                size=0,
            )

        def commit() -> None:
            segment["stream"].close()
            rows = segment["rows"]
            if not rows:
                Path(segment["tmp"]).unlink(missing_ok=True)
                return
            os.replace(segment["tmp"], self.packs / segment["name"])
            with self._lock:
                db = self._index()
                db.execute("BEGIN")
                db.executemany("INSERT OR IGNORE INTO blocks VALUES (?, ?, ?, ?)", rows)
                db.execute("COMMIT")
                self._window = {}

        def keep(cid: BlockCid, data: bytes) -> None:
            if cid in seen:
                return
            seen.add(cid)
            rows = segment["rows"]
            rows.append((cid, segment["name"], segment["car"].put(cid, data), len(data)))
            segment["size"] += len(data)
            if segment["size"] >= segment_bytes:
                commit()
                start()

        start()
        try:
            yield keep
        finally:
            commit()

    def put_block(self, cid: BlockCid, data: bytes, *, verify: bool = True) -> None:
        """Store one block (checked against its CID unless `verify` is false)."""
        if verify:
            verify_block(cid, data)

        def one(put: BlockSink, refer: LeafReference) -> BlockCid:
            put(cid, data)
            return cid

        self._write_pack(one)

    def put_car(self, car: IO[bytes], roots: list[BlockCid]) -> None:

        _, blocks = read_car(car)  # verifies every block as it is read

        def copy(put: BlockSink, refer: LeafReference) -> BlockCid:
            for cid, data in blocks:
                put(cid, data)
            return roots[0] if roots else prefix(DAG_PB) + bytes(32)

        self._write_pack(copy)

    def import_dag(self, produce: DagProducer) -> BlockCid:
        return self._write_pack(lambda put, refer: produce(put))

    def import_in_place(self, produce: Callable[[BlockSink, LeafReference], BlockCid]) -> BlockCid:
        """Like `import_dag`, but the raw leaves `produce` passes to its second sink stay in the user's files.

        Like Kubo's filestore (`ipfs add --nocopy`): nothing of a file's bytes is copied, only where each leaf
        is (absolute path, offset, length) is indexed. The store then serves those blocks from the files, and
        every read is checked against its CID as always: a file changed or moved afterwards makes its blocks
        fail with a line naming the file.
        """
        return self._write_pack(produce)

    def close(self) -> None:
        with self._lock:
            for fd in self._files.values():
                os.close(fd)
            self._files.clear()
            if self._db is not None:
                self._db.close()
                self._db = None


class NodeStore:
    """A real IPFS node's RPC API (`/ip4/127.0.0.1/tcp/5001/http` or `http://host:port`)."""

    def __init__(self, api: str, *, timeout: float = DEFAULT_TIMEOUT):
        self.api = _multiaddr(api)
        self.timeout = timeout
        self.name = f"IPFS node {api}"
        self._client = None

    @property
    def http_base(self) -> str:
        """The API's base URL (`http://host:port`), for the calls made without the client (streamed ones)."""
        parts = self.api.strip("/").split("/")
        host = f"[{parts[1]}]" if parts[0] == "ip6" else parts[1]
        scheme = parts[4] if len(parts) > 4 else "http"
        return f"{scheme}://{host}:{parts[3]}"

    def client(self):  # type: ignore[no-untyped-def]
        if self._client is None:
            import ipfshttpclient

            # ipfshttpclient.connect() refuses daemons newer than 0.7; the client itself works with them.
            self._client = ipfshttpclient.Client(self.api, timeout=self.timeout)
        return self._client

    def _server_timeout(self) -> dict[str, str]:
        # Also bound the node's own wait: a timed-out request must not leave work running on the node.
        return {"timeout": f"{max(1, int(self.timeout))}s"}

    def get_block(self, cid: BlockCid) -> bytes:
        try:
            return bytes(self.client().block.get(to_text(cid), opts=self._server_timeout()))
        except Exception as exc:  # ipfshttpclient's errors and the requests/urllib3 ones it lets through
            raise _node_error(self, exc, f"block {to_text(cid)}") from None

    def put_car(self, car: IO[bytes], roots: list[BlockCid]) -> None:
        """Import without pinning, then pin each root with a time-out.

        Nodes store imported blocks without checking them, and a pinned import of an incomplete DAG can hold
        the node's garbage-collection lock for good (seen with js-ipfs); pinning afterwards walks the DAG and
        fails within the time-out when a block is missing.
        """
        try:
            self.client().dag.imprt(car, opts={"pin-roots": "false"}, return_result=False)
            for root in roots:
                self.client().pin.add(to_text(root), opts=self._server_timeout())
        except Exception as exc:  # ipfshttpclient's errors and the requests/urllib3 ones it lets through
            raise _node_error(self, exc, "the CAR import") from None

    def import_dag(self, produce: DagProducer) -> BlockCid:
        """Blocks go to a temporary CAR file (flat memory), imported and pinned in one call at the end."""
        # The root is known only at the end; any CIDv1 sha2-256 has the same length, so the header is rewritten.
        placeholder = prefix(DAG_PB) + bytes(32)
        with tempfile.NamedTemporaryFile(prefix="deai-gov-", suffix=".car") as car:
            writer = CarWriter(car, [placeholder])
            root = produce(writer.put)
            writer.replace_roots([root])
            car.seek(0)
            self.put_car(car, [root])
        return root

    def pin(self, cid: str) -> None:
        """Have the node fetch (from its peers when it lacks blocks) and pin the whole DAG of `cid`, within the
        store's time-out; StoreError naming the node's reason otherwise."""
        try:
            self.client().pin.add(cid, opts=self._server_timeout())
        except Exception as exc:  # ipfshttpclient's errors and the requests/urllib3 ones it lets through
            raise _node_error(self, exc, f"pinning {cid}") from None

    def public_addresses(self) -> list[str]:
        """The node's own multiaddrs others could fetch from (loopback and unspecified ones left out, at most 20);
        [] when it cannot say: they are a hint for a pinning service, not a requirement."""
        try:
            addresses = self.client().id().get("Addresses") or []
        except Exception:  # ipfshttpclient's and requests' errors alike
            return []
        local = ("/ip4/127.", "/ip6/::1/", "/ip4/0.0.0.0/")
        return [str(a) for a in addresses if isinstance(a, str) and not a.startswith(local)][:20]

    def version(self) -> str:
        try:
            return str(self.client().version()["Version"])
        except Exception as exc:  # ipfshttpclient's errors, requests' and a malformed answer alike
            raise _node_error(self, exc, "its version") from None


class GatewaySource:
    """A trustless HTTP gateway (read only): `GET <base>/ipfs/<cid>?format=raw` returns one raw block. Requests go
    over keep-alive sessions (one a thread), so reading block by block does not open a connection per block; the
    blocks a walk will ask for next can be fetched ahead, a few at a time in parallel (`prefetch`)."""

    #: Blocks fetched ahead at most (each at most 2 MiB), and how many requests run at once.
    PREFETCH_AHEAD = 8
    PREFETCH_WORKERS = 4

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.name = f"gateway {self.base_url}"
        self._sessions = threading.local()
        self._lock = threading.Lock()
        self._pool: Any = None
        self._ahead: dict[BlockCid, Any] = {}  # CID -> future of its bytes, in the order asked
        self._wanted: list[BlockCid] = []  # CIDs hinted, not yet started

    def prefetch(self, cids: list[BlockCid]) -> None:
        """The blocks the caller will ask for next, in order: up to `PREFETCH_AHEAD` of them are fetched ahead,
        `PREFETCH_WORKERS` at a time. Their bytes are checked by the caller when it asks for them, as always."""
        with self._lock:
            self._wanted = [cid for cid in cids if cid not in self._ahead]
            self._top_up()

    def stop_prefetch(self) -> None:
        """Drop what was fetched ahead and stop the workers (the walk is over)."""
        with self._lock:
            for future in self._ahead.values():
                future.cancel()
            self._ahead.clear()
            self._wanted = []
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _top_up(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        while self._wanted and len(self._ahead) < self.PREFETCH_AHEAD:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.PREFETCH_WORKERS, thread_name_prefix="gateway-prefetch")
            cid = self._wanted.pop(0)
            self._ahead[cid] = self._pool.submit(self._fetch, cid)

    def get_block(self, cid: BlockCid) -> bytes:
        """The block's bytes, read within about `timeout` seconds overall and never more than 2 MiB of them: a
        gateway is a peer, and a slow or endless answer must neither hang the caller nor fill its memory."""
        with self._lock:
            future = self._ahead.pop(cid, None)
            if future is None and self._ahead:  # the walk went elsewhere: what was fetched ahead is stale
                for stale in self._ahead.values():
                    stale.cancel()
                self._ahead.clear()
            self._top_up()
        if future is not None:
            return bytes(future.result())
        return self._fetch(cid)

    def _fetch(self, cid: BlockCid) -> bytes:
        import time

        import requests
        import urllib3

        url = f"{self.base_url}/ipfs/{to_text(cid)}?format=raw"
        deadline = time.monotonic() + self.timeout
        try:
            session = getattr(self._sessions, "session", None)
            if session is None:
                session = self._sessions.session = requests.Session()
            with session.get(
                url, headers={"Accept": "application/vnd.ipld.raw"}, timeout=self.timeout, stream=True
            ) as response:
                if response.status_code == 404:
                    raise BlockNotFound(f"{self.name} does not have block {to_text(cid)}")
                if response.status_code != 200:
                    raise StoreError(f"{self.name} answered HTTP {response.status_code} for block {to_text(cid)}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > MAX_BLOCK:
                    raise StoreError(
                        f"{self.name} offered {int(declared):,} bytes for block {to_text(cid)}; blocks over "
                        f"{MAX_BLOCK:,} bytes are refused unread"
                    )
                return self._read_bounded(response.raw, cid, deadline)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StoreError(f"{self.name} is unreachable: {type(exc).__name__}") from None

    def _read_bounded(self, raw: Any, cid: BlockCid, deadline: float) -> bytes:
        """The body, read a socket read at a time (each bounded by the time-out), against an overall deadline:
        a server trickling a byte at a time satisfies every per-read time-out, not this one."""
        import time

        body = bytearray()
        while chunk := raw.read1(64 * 1024):
            body += chunk
            if len(body) > MAX_BLOCK:
                raise StoreError(
                    f"{self.name} sent more than {MAX_BLOCK:,} bytes for block {to_text(cid)}; the rest was not read"
                )
            if time.monotonic() > deadline:
                raise StoreError(f"{self.name} did not deliver block {to_text(cid)} within {self.timeout:g} s")
        return bytes(body)


def fetch_verified(sources: list[BlockSource], cid: BlockCid) -> bytes:
    """The block `cid` from the first source that has it, checked against its CID.

    A source that returns other bytes is reported by name and the next source is tried; if none has the
    right bytes, the error says what each source did.
    """
    problems = []
    mismatches = 0
    for source in sources:
        try:
            data = source.get_block(cid)
        except StoreError as exc:
            problems.append(str(exc))
            continue
        if not getattr(source, "verified", False) and not matches(cid, data):  # a verifying source checked it
            mismatches += 1
            origin = source.origin(cid) if isinstance(source, EmbeddedStore) else None
            if origin is not None:
                problems.append(f"{origin} has changed since it was published without a copy: block {to_text(cid)}")
            else:
                problems.append(f"{source.name} returned bytes that do not match block {to_text(cid)}")
            continue
        return data
    if not sources:
        raise BlockNotFound(f"no source configured to fetch block {to_text(cid)}")
    raise (BlockMismatch if mismatches else BlockNotFound)("; ".join(problems))


def export_car(sources: list[BlockSource], root: BlockCid, stream: IO[bytes]) -> None:
    """Write the DAG under `root` as a CAR v1, blocks in depth-first order (each once), verified as fetched."""
    writer = CarWriter(stream, [root])
    for cid, data in walk_blocks(sources, root):
        writer.put(cid, data)


def walk_blocks(sources: list[BlockSource], *roots: BlockCid) -> Iterator[tuple[BlockCid, bytes]]:
    """Every distinct block of the DAGs under `roots`, depth first in link order, each verified and read once
    however often it is linked (a DAG repeating its blocks costs no more); children follow dag-pb links."""

    seen: set[BlockCid] = set()
    stack = list(reversed(roots))
    while stack:
        cid = stack.pop()
        if cid in seen:
            continue
        seen.add(cid)
        data = fetch_verified(sources, cid)
        yield cid, data
        if codec_of(cid) == DAG_PB:
            stack.extend(link.cid for link in reversed(decode_node(data).links))


def _multiaddr(api: str) -> str:
    """Accept both `http://127.0.0.1:5001` and `/ip4/127.0.0.1/tcp/5001/http`."""
    if api.startswith("/"):
        return api
    from urllib.parse import urlparse

    parsed = urlparse(api)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or not parsed.port:
        raise StoreError(f"{api!r} is not an IPFS API address (http://host:port or a multiaddr)")
    kind = "ip6" if ":" in parsed.hostname else ("ip4" if parsed.hostname.replace(".", "").isdigit() else "dns")
    return f"/{kind}/{parsed.hostname}/tcp/{parsed.port}/{parsed.scheme}"


def _node_error(store: NodeStore, exc: Exception, what: str) -> StoreError:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    name = type(exc).__name__
    if "Timeout" in name or "timed out" in text.lower():
        return BlockNotFound(f"{store.name} did not deliver {what} within {store.timeout:.0f} s")
    if "ConnectionError" in name or "Connection" in text:
        return StoreError(f"{store.name} is unreachable ({text})")
    if "not found" in text.lower():
        return BlockNotFound(f"{store.name} does not have {what}")
    return StoreError(f"{store.name} failed on {what}: {text}")
