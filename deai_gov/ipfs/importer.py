"""Files and folders to UnixFS DAGs built by a named import profile (`profiles`): the same bytes always give the
same CID, the one any IPFS implementation computes with the same profile (by default IPIP-499's `unixfs-v1-2025`:
`ipfs config profile apply unixfs-v1-2025` on Kubo, `profile: 'unixfs-v1-2025'` in Helia's importer).

Streaming: a file is read one chunk at a time and each block goes straight to `sink`; only one pending list of
links per tree level is kept, so memory stays flat however large the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import InputError
from ..names import check_file_path
from .blockcid import DAG_PB, RAW, BlockCid, block_cid
from .hamt import build_shard
from .hashing import BackgroundSha256
from .profiles import DEFAULT_PROFILE, ImportProfile
from .unixfs import Link, NodeType, encode_node, encode_unixfs

#: Receives every block as it is made: (binary CID, bytes).
BlockSink = Callable[[BlockCid, bytes], object]
#: Receives a raw leaf of a file instead of `BlockSink`: (CID, offset in the file, length).
LeafSink = Callable[[BlockCid, int, int], None]
#: Receives a raw leaf of a file instead of `BlockSink`: (CID, file, offset, length).
FileLeafSink = Callable[[BlockCid, Path, int, int], None]
#: Receives the number of file bytes just imported.
Progress = Callable[[int], None]
#: How many bytes of chunks may wait for the whole-file hash on the second core (memory stays flat).
_HASH_QUEUE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """What importing a file or folder produced: root CID, content size, cumulative DAG size, and for a file
    the sha256 of its bytes."""

    cid: BlockCid
    size: int
    tsize: int
    sha256: str = ""


#: Called for each file imported from a folder: (path relative to the imported root, with `/`, entry).
FileCallback = Callable[[str, Entry], None]
#: Called for each empty folder imported (path relative to the imported root, with `/`).
FolderCallback = Callable[[str], None]


class _BalancedBuilder:
    """Builds the balanced DAG level by level as leaves arrive.

    Each level holds at most `max_links` pending links; a full level becomes one parent link on the level above.
    At the end, every level is closed from the bottom up; the first level that ever received exactly one link,
    with nothing pending below it, holds the root (one chunk: the raw leaf itself is the root).
    """

    def __init__(self, sink: BlockSink, max_links: int):
        self.sink = sink
        self.max_links = max_links
        self.levels: list[list[tuple[Link, int]]] = []  # per level: (link, file bytes under it)
        self.received: list[int] = []

    def add(self, level: int, link: Link, size: int) -> None:
        if level == len(self.levels):
            self.levels.append([])
            self.received.append(0)
        self.levels[level].append((link, size))
        self.received[level] += 1
        if len(self.levels[level]) == self.max_links:
            self._close(level)

    def _close(self, level: int) -> None:
        pending, self.levels[level] = self.levels[level], []
        links = [link for link, _ in pending]
        sizes = tuple(size for _, size in pending)
        block = encode_node(links, encode_unixfs(NodeType.FILE, filesize=sum(sizes), blocksizes=sizes))
        cid = block_cid(DAG_PB, block)
        self.sink(cid, block)
        self.add(level + 1, Link(cid, "", len(block) + sum(link.tsize for link in links)), sum(sizes))

    def finish(self) -> Entry:
        level = 0
        while True:
            pending = self.levels[level]
            above = level + 1 < len(self.levels)
            if self.received[level] == 1 and pending and not above:
                link, size = pending[0]
                return Entry(link.cid, size, link.tsize)
            if pending:
                self._close(level)
            level += 1


def import_stream(
    stream: IO[bytes],
    sink: BlockSink,
    *,
    profile: ImportProfile = DEFAULT_PROFILE,
    progress: Progress | None = None,
) -> Entry:
    """Import a binary stream as a UnixFS file; every block goes to `sink`."""
    return _import_chunks(_stream_chunks(stream, profile.chunk_size), sink, profile, progress, None)


def _stream_chunks(stream: IO[bytes], chunk_size: int) -> Iterator[bytes]:
    """The stream's chunks in order, each `chunk_size` bytes but the last (an empty stream is one empty chunk)."""
    first = True
    while True:
        chunk = _read_exactly(stream, chunk_size)
        if not chunk and not first:
            return
        first = False
        yield chunk
        if len(chunk) < chunk_size:
            return


def _import_chunks(
    chunks: Iterator[bytes],
    sink: BlockSink,
    profile: ImportProfile,
    progress: Progress | None,
    leaves: LeafSink | None,
) -> Entry:
    """Hash each chunk for its raw leaf CID here and for the whole-file sha256 on a second thread (hashlib
    releases the GIL, so the two overlap); build the balanced DAG above the leaves."""

    builder = _BalancedBuilder(sink, profile.max_links)
    file_hash = BackgroundSha256(depth=max(2, _HASH_QUEUE_BYTES // profile.chunk_size))
    try:
        offset = 0
        for chunk in chunks:
            file_hash.update(chunk)
            cid = block_cid(RAW, chunk)
            if leaves is None:
                sink(cid, chunk)
            else:
                leaves(cid, offset, len(chunk))
            offset += len(chunk)
            builder.add(0, Link(cid, "", len(chunk)), len(chunk))
            if progress:
                progress(len(chunk))
        root = builder.finish()
        return Entry(root.cid, root.size, root.tsize, file_hash.hexdigest())
    finally:
        file_hash.close()


def import_file(
    path: Path,
    sink: BlockSink,
    *,
    profile: ImportProfile = DEFAULT_PROFILE,
    progress: Progress | None = None,
    leaves: LeafSink | None = None,
) -> Entry:
    """Import a regular file: the same DAG as `import_stream`, read unbuffered (no copy through a buffer). With
    `leaves`, the raw leaves go there instead of to `sink`, with their offsets in the file (for a store that
    leaves them in place).

    The file must not change meanwhile: its size and modification time before and after, and the bytes read,
    are compared, and a change is refused (the CIDs and the sha256 would describe no version of the file).
    """
    with path.open("rb", buffering=0) as stream:
        before = os.fstat(stream.fileno())
        entry = _import_chunks(_stream_chunks(stream, profile.chunk_size), sink, profile, progress, leaves)
        after = os.fstat(stream.fileno())
    if entry.size != after.st_size or (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise InputError(f"{path} changed while it was being published; publish it again once it is complete")
    return entry


def import_bytes(data: bytes, sink: BlockSink, *, profile: ImportProfile = DEFAULT_PROFILE) -> Entry:
    """Import in-memory bytes as a UnixFS file."""
    import io

    return import_stream(io.BytesIO(data), sink, profile=profile)


def import_path(
    path: Path,
    sink: BlockSink,
    *,
    profile: ImportProfile = DEFAULT_PROFILE,
    progress: Progress | None = None,
    on_file: FileCallback | None = None,
    leaves: FileLeafSink | None = None,
    include_hidden: bool = False,
    on_empty_folder: FolderCallback | None = None,
    _relative: str = "",
) -> Entry:
    """Import a file, or a folder recursively (entries sorted by name, as dag-pb requires).

    Hidden files and folders (a name starting with `.`: `.env`, `.git/`) are left out unless `include_hidden`, as
    `ipfs add` does without `--hidden`: publishing is public and permanent. Empty folders are kept. A folder whose
    block would be larger than the profile's threshold becomes a HAMT shard (`hamt`). Every name must be portable
    (`names.check_file_path`). With `leaves`, the raw leaves of every file go there as (CID, file, offset,
    length) instead of to `sink`.
    """
    if path.is_symlink():
        raise InputError(f"{path} is a symbolic link; publish the file it points to instead")
    if path.is_file():
        in_file = None if leaves is None else (lambda cid, offset, length: leaves(cid, path, offset, length))
        entry = import_file(path, sink, profile=profile, progress=progress, leaves=in_file)
        if on_file:
            on_file(_relative or path.name, entry)
        return entry
    if path.is_dir():
        links = []
        size = 0
        for child in _children(path, include_hidden):
            relative = f"{_relative}/{child.name}" if _relative else child.name
            check_file_path(relative)
            entry = import_path(
                Path(child.path),
                sink,
                profile=profile,
                progress=progress,
                on_file=on_file,
                leaves=leaves,
                include_hidden=include_hidden,
                on_empty_folder=on_empty_folder,
                _relative=relative,
            )
            links.append(Link(entry.cid, child.name, entry.tsize))
            size += entry.size
        if not links and _relative and on_empty_folder:
            on_empty_folder(_relative)
        return _folder(links, size, sink, profile)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    raise InputError(f"{path} is neither a file nor a folder")


def _folder(links: list[Link], size: int, sink: BlockSink, profile: ImportProfile) -> Entry:
    """A folder's block (its entries sorted by name), or its HAMT shard when that block would be larger than the
    profile's threshold (strictly: IPIP-499's `block-bytes` rule, the serialized block's exact size)."""
    block = encode_node(links, encode_unixfs(NodeType.DIRECTORY))
    if profile.hamt_threshold is not None and len(block) > profile.hamt_threshold:
        cid, tsize = build_shard([(link.name, link) for link in links], sink, fanout=profile.hamt_fanout)
        return Entry(cid, size, tsize)
    cid = block_cid(DAG_PB, block)
    sink(cid, block)
    return Entry(cid, size, len(block) + sum(link.tsize for link in links))


def _children(folder: Path, include_hidden: bool) -> list[os.DirEntry[str]]:
    """The entries of `folder` a publish takes, sorted by name as dag-pb requires (hidden ones only if asked)."""
    entries = [e for e in os.scandir(folder) if include_hidden or not e.name.startswith(".")]
    return sorted(entries, key=lambda e: e.name.encode())


def list_files(path: Path, *, include_hidden: bool = False) -> tuple[list[tuple[str, int]], list[str]]:
    """What `import_path` would publish from `path`, found without reading any file, in one walk:
    (relative path, size) of every file it takes, in its order, and the hidden files it leaves out (shown, not
    checked: they are not published). InputError for what `import_path` refuses: a name that is not portable, a
    symbolic link, something that is neither file nor folder."""
    path = Path(path)
    if path.is_symlink():
        raise InputError(f"{path} is a symbolic link; publish the file it points to instead")
    if path.is_file():
        return [(path.name, path.stat().st_size)], []
    if not path.is_dir():
        raise InputError(f"{path} does not exist" if not path.exists() else f"{path} is neither a file nor a folder")
    taken: list[tuple[str, int]] = []
    left_out: list[str] = []
    # Each frame: the entries of one folder still to see, their path prefix, and whether the folder is left out.
    stack: list[tuple[Iterator[os.DirEntry[str]], str, bool]] = [(iter(_children(path, True)), "", False)]
    while stack:
        entries, prefix, hidden = stack[-1]
        child = next(entries, None)
        if child is None:
            stack.pop()
            continue
        relative = f"{prefix}{child.name}"
        if hidden or (not include_hidden and child.name.startswith(".")):
            if child.is_dir(follow_symlinks=False):
                stack.append((iter(_children(Path(child.path), True)), relative + "/", True))
            else:
                left_out.append(relative)
            continue
        check_file_path(relative)
        if child.is_symlink():
            raise InputError(f"{child.path} is a symbolic link; publish the file it points to instead")
        if child.is_dir():
            stack.append((iter(_children(Path(child.path), True)), relative + "/", False))
        elif child.is_file():
            taken.append((relative, child.stat().st_size))
        else:
            raise InputError(f"{child.path} is neither a file nor a folder")
    return taken, left_out


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    """Read `size` bytes unless the stream ends first (pipes may return short reads)."""
    parts = []
    remaining = size
    while remaining:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
