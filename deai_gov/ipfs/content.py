"""Publish a model artifact with its manifest, and pull or verify it against the CIDs the registry records.

Trust comes from the bytes: every block read from any source is checked against its CID, every file against
its size, sha256 and CID in the manifest, and the manifest against the registry. A pull writes into a hidden
temporary folder next to the destination and renames it into place only when everything matched, so an
interrupted or refused pull never leaves a folder that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, StoreError, UnixFSError, VerificationError
from ..names import check_file_path
from .blockcid import DAG_PB, RAW, BlockCid, codec_of, from_text, matches, to_text
from .carstream import CarStreamSource, with_car_streams
from .hamt import shard_entries
from .hashing import BackgroundSha256
from .importer import Entry, FileLeafSink, import_bytes, import_path
from .manifest import (
    Contributor,
    FileEntry,
    Manifest,
    SignatureRecord,
    guess_format,
    license_from_card,
    read_model_card,
)
from .profiles import DEFAULT_PROFILE, ImportProfile, profile_of
from .stores import BlockSource, BlockStore, EmbeddedStore, fetch_verified
from .unixfs import Node, NodeType, decode_node

Progress = Callable[[int], None]

#: How deep a walk goes: a balanced DAG of 174 links a node reaches exabytes in 8 levels, folders rarely pass 20.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Published:
    artifact_cid: str
    manifest_cid: str
    manifest: Manifest


@dataclass(frozen=True)
class StreamReport:
    """A gateway's or node's CAR stream of the artifact: how much of it was used, and why it ended early, if so."""

    peer: str
    blocks: int
    bytes: int
    ended: str | None


@dataclass
class VerifyReport:
    """What was checked: the manifest, and each file with its size; and the CAR streams blocks came from."""

    artifact_cid: str
    manifest_cid: str
    manifest: Manifest
    files: list[FileEntry] = field(default_factory=list)
    blocks: int = 0
    streams: list[StreamReport] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the whole check (manifest, walk, every file)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "artifact_cid": self.artifact_cid,
            "manifest_cid": self.manifest_cid,
            "blocks": self.blocks,
            "bytes": self.size,
            "files": [asdict(entry) for entry in self.files],
            "streams": [asdict(stream) for stream in self.streams],
            "seconds": round(self.seconds, 3),
        }


def publish(
    path: Path,
    store: BlockStore,
    *,
    name: str,
    version: int,
    contributors: list[Contributor],
    parent_version: int = 0,
    license: str = "",
    description: str = "",
    progress: Progress | None = None,
    copy: bool = True,
    include_hidden: bool = False,
    profile: ImportProfile = DEFAULT_PROFILE,
    signature: SignatureRecord | None = None,
    check_manifest: Callable[[Manifest], None] | None = None,
    source: dict[str, str] | None = None,
) -> Published:
    """Import `path` (file or folder) into `store` with the import `profile`, then build, validate and publish
    its manifest, which records the profile.

    Hidden files and folders are left out unless `include_hidden` (see `importer.import_path`).

    With `copy=False` (an embedded store only) the files' bytes are not copied into the store: it serves them
    from `path`, like Kubo's `ipfs add --nocopy` (see `EmbeddedStore.import_in_place`).

    Args:
        path: A file, or a folder (a Hugging Face model folder's `README.md` front matter goes into the manifest).
        store: Where the blocks go: `NodeStore` (an IPFS node, which others can read from) or `EmbeddedStore`.
        name: The model's name, `org/name`, recorded in the manifest.
        version: The version the manifest is for: 1 for a registration, the latest + 1 for an upgrade.
        contributors: Who made it, with shares in basis points adding up to 10,000; the first is the one the
            registry records.
        parent_version: The version this one builds on (0 for none).
        license: Recorded in the manifest; empty to take it from the model card.
        description: Recorded in the manifest.
        progress: Called with each count of bytes imported.
        copy: False to leave the files' bytes where they are (embedded store only); keep `path` unchanged then.
        include_hidden: Also publish hidden files and folders (`.env`, `.git/`...).
        profile: The import profile (chunking, layout, sharding): IPIP-499's `unixfs-v1-2025` by default, so that
            an IPFS node computes the same CIDs.
        signature: The model signature whose bundle is among the files, recorded in the manifest.
        check_manifest: Called with the manifest once the files are imported and before it is stored: an exception
            it raises (a signature that does not sign these very files, say) stops the publish there.
        source: Where the version came from outside the DAO (an MLflow model version), recorded in the manifest.

    Returns:
        The artifact's root CID and the manifest's CID (what a registry action records), and the manifest.

    Raises:
        InputError: `path` does not exist, is or holds a symbolic link, or changed while being read; a manifest
            field is not acceptable (name, version, contributor shares); `copy=False` with a node store.
        StoreError: The store refused the blocks, or could not be reached.
    """

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if not copy and not isinstance(store, EmbeddedStore):
        raise InputError(f"publishing without a copy needs an embedded store; the {store.name} keeps its own copy")
    files: list[FileEntry] = []
    empty_folders: list[str] = []

    def on_file(relative: str, entry: Entry) -> None:
        files.append(FileEntry(relative, entry.size, entry.sha256, to_text(entry.cid)))

    def produce(sink: Callable[[BlockCid, bytes], object], leaves: FileLeafSink | None = None) -> BlockCid:
        return import_path(
            path,
            sink,
            profile=profile,
            progress=progress,
            on_file=on_file,
            leaves=leaves,
            include_hidden=include_hidden,
            on_empty_folder=empty_folders.append,
        ).cid

    card = read_model_card(path) if path.is_dir() else {}
    # Build and validate the manifest's fixed parts before importing gigabytes.
    Manifest(name, version, "", 0, profile.to_dict(), [], contributors, parent_version).validate()
    if copy:
        root = store.import_dag(produce)
    else:
        assert isinstance(store, EmbeddedStore)
        root = store.import_in_place(produce)
    files.sort(key=lambda f: f.path)
    manifest = Manifest(
        name=name,
        version=version,
        parent_version=parent_version,
        artifact_root=to_text(root),
        artifact_size=sum(f.size for f in files),
        import_params=profile.to_dict(),
        files=files,
        empty_folders=sorted(empty_folders),
        contributors=contributors,
        format=guess_format([f.path for f in files]),
        license=license or license_from_card(card),
        description=description,
        model_card=card,
        signature=signature,
        source=dict(source or {}),
    )
    manifest.validate()
    if check_manifest is not None:
        check_manifest(manifest)
    manifest_root = store.import_dag(lambda sink: import_bytes(manifest.to_bytes(), sink).cid)
    return Published(to_text(root), to_text(manifest_root), manifest)


def verify(
    sources: list[BlockSource], artifact_cid: str, manifest_cid: str, progress: Progress | None = None
) -> VerifyReport:
    """Check the whole artifact and its manifest against the recorded CIDs without writing anything.

    This checks content by CIDs alone; `workflows.approved.verify_approved` also reads the CIDs from the registry
    and checks that the manifest names that model and version.

    Args:
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        artifact_cid: The artifact's root CID.
        manifest_cid: The manifest's CID.
        progress: Called with each count of bytes checked, to draw progress.

    Returns:
        What was checked: the manifest, every file with its size, sha256 and CID, the number of blocks, and the CAR
        streams blocks came from.

    Raises:
        InputError: A CID that cannot be parsed.
        VerificationError: The content does not match its CID or the manifest (the block, file or manifest
            is named); a source served bytes that do not hash to their CID (`BlockMismatch`, a `StoreError`
            with the same exit code).
        StoreError: No source delivered a block (`BlockNotFound`), or none could be reached.
    """
    return _check(sources, artifact_cid, manifest_cid, None, progress)


def pull(
    sources: list[BlockSource],
    artifact_cid: str,
    manifest_cid: str,
    destination: Path,
    progress: Progress | None = None,
    *,
    keep: bool = True,
    include_hidden: bool = False,
) -> VerifyReport:
    """Fetch, verify and write the artifact to `destination` (a new folder), atomically.

    An artifact holding hidden entries (`.git/`, `.env`...) is refused before anything is written unless
    `include_hidden`: written into a folder, a `.git` folder's config runs its commands at the first `git status`.

    With `keep` and an embedded store among `sources`, every block fetched from the other sources is kept in that
    store once verified (the first one), as it arrives: a pull interrupted and run again does not fetch again what
    it already verified, and later pulls read it locally.

    This checks content by CIDs alone; `workflows.approved.pull_approved` also reads the CIDs from the registry
    and checks that the manifest names that model and version.

    Args:
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        artifact_cid: The artifact's root CID.
        manifest_cid: The manifest's CID.
        destination: A folder that does not exist yet, or an empty one.
        progress: Called with each count of bytes checked, to draw progress.
        keep: Keep the blocks fetched in the first embedded store among `sources`.
        include_hidden: Write hidden files and folders the manifest lists, instead of refusing the pull.

    Returns:
        What was checked and written: the manifest, every file with its size, sha256 and CID, the number of blocks.

    Raises:
        InputError: A CID that cannot be parsed; `destination` exists and is not an empty folder, or cannot be
            created or written; the artifact holds hidden entries and `include_hidden` is False.
        VerificationError: The content does not match its CID or the manifest (the block, file or manifest
            is named); a source served bytes that do not hash to their CID (`BlockMismatch`, a `StoreError`
            with the same exit code).
        StoreError: No source delivered a block (`BlockNotFound`), or none could be reached.
    """
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise InputError(f"{destination} already exists and is not an empty folder")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {destination}: {exc.strerror} ({exc.filename})") from None
    staging = _staging_folder(destination)

    keeper = next((s for s in sources if isinstance(s, EmbeddedStore)), None) if keep else None
    try:
        with keeper.keeping() if keeper is not None else contextlib.nullcontext() as sink:
            report = _check(
                sources, artifact_cid, manifest_cid, staging, progress, keep=sink, include_hidden=include_hidden
            )
        if destination.exists():
            destination.rmdir()
        os.replace(staging, destination)
    except OSError as exc:  # the disk or the file system refused a write (ENOSPC, ENAMETOOLONG...)
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"cannot write the pull into {destination}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def hidden_entries(manifest: Manifest) -> list[str]:
    """The manifest's files and empty folders with a hidden part (a name starting with `.`: `.git/config`, `.env`),
    which publishing leaves out unless asked and pulling refuses unless asked."""
    return [
        path
        for path in [*(entry.path for entry in manifest.files), *manifest.empty_folders]
        if any(part.startswith(".") for part in path.split("/"))
    ]


def _staging_folder(destination: Path) -> Path:
    """A new hidden folder beside `destination` for a pull to write into until it is verified. Made with the
    usual permissions (the umask's, as the folder it becomes should have: a server running as another user may
    need to read it), where `tempfile.mkdtemp` would make it private."""
    import secrets

    for _ in range(100):
        staging = destination.parent / f".{destination.name}.partial-{secrets.token_hex(4)}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot create {staging}: {exc.strerror}") from None
        return staging
    raise InputError(f"cannot find a free name for a staging folder in {destination.parent}")


class _Keeping:
    """A source whose blocks, once they match their CID, also go to `keep` (see `pull`)."""

    def __init__(self, inner: BlockSource, keep: Callable[[BlockCid, bytes], object]):
        self.inner = inner
        self.name = inner.name
        self.verified = getattr(inner, "verified", False)
        self._keep = keep

    def get_block(self, cid: BlockCid) -> bytes:
        data = self.inner.get_block(cid)
        if self.verified or matches(cid, data):  # a lying source's bytes are refused by the caller, never kept
            self._keep(cid, data)
        return data

    @property
    def wants_hints(self) -> bool:
        return bool(getattr(self.inner, "wants_hints", False))

    def hint(self, cids: list[BlockCid]) -> None:
        self.inner.hint(cids)  # type: ignore[attr-defined]  # asked only when wants_hints


def _hint(sources: list[BlockSource], cids: list[BlockCid]) -> None:
    """Tell the sources that read ahead which raw leaves come next (those no local store holds already). Nothing is
    looked up while no source wants hints (a CAR stream still running delivers them in order anyway)."""

    readers = [s for s in sources if getattr(s, "wants_hints", False)]
    if not readers:
        return
    local = [s for s in sources if isinstance(s, EmbeddedStore)]
    unique = dict.fromkeys(cids)  # a DAG may name one leaf many times: it is fetched once
    wanted = [cid for cid in unique if codec_of(cid) == RAW and not any(store.has(cid) for store in local)]
    if wanted:
        for reader in readers:
            reader.hint(wanted)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LocalComparison:
    """A local file or folder re-imported with a manifest's profile, against the manifest."""

    artifact_cid: str  # what the local copy hashes to
    matches: bool  # the same root CID as the manifest's artifact
    differences: list[str]  # each file that differs, is missing or is extra, in words (empty when it matches)
    profile: str

    def to_json(self) -> dict[str, Any]:
        return {
            "matches": self.matches,
            "local_cid": self.artifact_cid,
            "profile": self.profile,
            "differences": self.differences,
        }


def compare_local(path: Path, manifest: Manifest) -> LocalComparison:
    """Re-import `path` the way the version was built (the manifest's profile; hidden files only when the manifest
    lists any) and compare with the manifest: the root CID, then file by file. Nothing is stored. InputError when
    the manifest's profile is not one this version knows (the artifact can still be verified from IPFS)."""

    profile = profile_of(manifest.import_params)
    hidden = any(part.startswith(".") for entry in manifest.files for part in entry.path.split("/"))
    found: dict[str, str] = {}
    empty: list[str] = []
    entry = import_path(
        Path(path),
        lambda cid, block: None,
        profile=profile,
        include_hidden=hidden,
        on_file=lambda relative, file: found.__setitem__(relative, to_text(file.cid)),
        on_empty_folder=empty.append,
    )
    expected = {f.path: f.cid for f in manifest.files}
    if Path(path).is_file() and len(expected) == 1:  # a single-file artifact: its one name is the manifest's
        found = {next(iter(expected)): next(iter(found.values()))}
    differences = [
        f"{p}: differs from the manifest"
        for p in sorted(expected.keys() & found.keys())
        if not _same(expected[p], found[p])
    ]
    differences += [f"{p}: missing here" for p in sorted(expected.keys() - found.keys())]
    differences += [f"{p}: not in the manifest" for p in sorted(found.keys() - expected.keys())]
    if manifest.schema != "deai-gov/manifest/v1":  # v1 manifests did not list empty folders
        differences += [f"{p}/: empty folder missing here" for p in sorted(set(manifest.empty_folders) - set(empty))]
        differences += [
            f"{p}/: empty folder not in the manifest" for p in sorted(set(empty) - set(manifest.empty_folders))
        ]
    root = to_text(entry.cid)
    matches = _same(manifest.artifact_root, root)
    if not matches and not differences:
        differences = ["the files match but the folder does not (an empty folder added or removed?)"]
    return LocalComparison(root, matches, differences, profile.name)


def _same(text: str, other: str) -> bool:
    """Whether two CID texts name the same block (in any multibase); False for one that is not a CID."""
    try:
        return from_text(text) == from_text(other)
    except ValueError:
        return False


# ----------------------------------------------------------------------------- the walk


def _same_cid(text: str, cid: BlockCid) -> bool:
    """Whether the manifest's CID text (in any multibase) names `cid`."""
    try:
        return from_text(text) == cid
    except ValueError:
        raise VerificationError(f"the manifest holds an invalid CID {text!r}") from None


def _check(
    sources: list[BlockSource],
    artifact_cid: str,
    manifest_cid: str,
    staging: Path | None,
    progress: Progress | None,
    *,
    keep: Callable[[BlockCid, bytes], object] | None = None,
    include_hidden: bool = True,
) -> VerifyReport:
    import time

    def kept(found: list[BlockSource]) -> list[BlockSource]:
        """`found`, each source but the embedded stores also handing its verified blocks to `keep`."""
        if keep is None:
            return found
        return [s if isinstance(s, EmbeddedStore) else _Keeping(s, keep) for s in found]

    started = time.monotonic()
    try:
        artifact_root, manifest_root = from_text(artifact_cid), from_text(manifest_cid)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    manifest = fetch_manifest(kept(sources), manifest_root)
    if not _same_cid(manifest.artifact_root, artifact_root):
        raise VerificationError(
            f"the manifest {manifest_cid} describes artifact {manifest.artifact_root}, not {artifact_cid}"
        )
    hidden = hidden_entries(manifest)
    if hidden and not include_hidden:
        shown = ", ".join(hidden[:3]) + (", …" if len(hidden) > 3 else "")
        raise InputError(
            f"the artifact holds {len(hidden)} hidden entr{'y' if len(hidden) == 1 else 'ies'} ({shown}), which "
            "can run code once written (a .git folder's config and hooks): nothing was written",
            hint="pull them only if you trust the version (--include-hidden)",
        )
    expected = {f.path: f for f in manifest.files}
    report = VerifyReport(to_text(artifact_root), to_text(manifest_root), manifest)
    seen: set[str] = set()
    empty_found: list[str] = []
    streamed = with_car_streams(sources, artifact_root)  # one request a gateway or node for the whole artifact
    streams = [s for s in streamed if isinstance(s, CarStreamSource)]
    sources = kept(streamed)

    def on_empty(relative: str) -> None:
        if relative not in manifest.empty_folders:
            raise VerificationError(
                f"the artifact holds an empty folder {relative!r}, which the manifest does not list"
            )
        empty_found.append(relative)
        if staging is not None:
            (staging / relative).mkdir(parents=True, exist_ok=True)

    try:
        for relative, file_cid in _files(sources, artifact_root, expected, manifest.empty_folders, on_empty):
            entry = expected.get(relative)
            if entry is None:
                raise VerificationError(f"the artifact holds {relative!r}, which the manifest does not list")
            if not _same_cid(entry.cid, file_cid):
                raise VerificationError(
                    f"{relative}: the artifact's CID {to_text(file_cid)} is not the manifest's {entry.cid}"
                )
            _check_file(sources, file_cid, entry, staging, progress, report)
            seen.add(relative)
            report.files.append(entry)
    finally:
        for stream in streams:
            ended = stream.ended  # why it stopped early, if it did (closing it now is not a reason)
            stream.close()
            if stream.blocks or ended:
                report.streams.append(StreamReport(stream.peer, stream.blocks, stream.bytes, ended))
    missing = sorted(set(expected) - seen) or sorted(set(manifest.empty_folders) - set(empty_found))
    if missing:
        raise VerificationError(f"the manifest lists {missing[0]!r}, which the artifact does not contain")
    report.seconds = time.monotonic() - started
    return report


def file_bytes(
    sources: list[BlockSource], root: BlockCid, limit: int = 16 * 1024 * 1024, *, timeout: float = 120.0
) -> bytes:
    """A small UnixFS file (a manifest, a proposal description) in memory, every block verified.

    Each distinct block is fetched once (a DAG naming one leaf a hundred thousand times costs one request), and
    the whole read has `timeout` seconds: a budget of bytes, blocks, requests and time.
    """
    import time

    deadline = time.monotonic() + timeout
    data = bytearray()
    counter = _Counter(cache={}, deadline=deadline, cache_limit=limit)
    for chunk in _file_chunks(sources, root, counter, declared_size=limit):
        data += chunk
        if len(data) > limit:
            raise VerificationError(f"{to_text(root)} is larger than {limit:,} bytes")
    return bytes(data)


def fetch_manifest(sources: list[BlockSource], root: BlockCid) -> Manifest:
    """The manifest at `root`, every block verified, parsed and validated."""
    try:
        return Manifest.from_bytes(file_bytes(sources, root))
    except InputError as exc:
        raise VerificationError(f"manifest {to_text(root)}: {exc}") from None


def _files(
    sources: list[BlockSource],
    root: BlockCid,
    expected: dict[str, FileEntry],
    empty_folders: list[str],
    on_empty: Callable[[str], None],
) -> Iterator[tuple[str, BlockCid]]:
    """(relative path, file CID) of every file under `root`. A file root: its one path is the manifest's."""
    if codec_of(root) == RAW or _node(sources, root).type == NodeType.FILE:
        if len(expected) != 1:
            raise VerificationError(f"the artifact is a single file but the manifest lists {len(expected)} files")
        yield next(iter(expected)), root
        return
    yield from _walk_directory(sources, root, budget=_entries_budget([*expected, *empty_folders]), on_empty=on_empty)


def _entries_budget(paths: list[str]) -> int:
    """How many folder entries a walk may visit: every listed file and empty folder, every folder on their paths,
    and no more."""
    folders = {path.rsplit("/", 1)[0] for path in paths if "/" in path}
    parents = {"/".join(folder.split("/")[: i + 1]) for folder in folders for i in range(folder.count("/") + 1)}
    return len(set(paths) | parents)


def _walk_directory(
    sources: list[BlockSource], root: BlockCid, *, budget: int, on_empty: Callable[[str], None]
) -> Iterator[tuple[str, BlockCid]]:
    """Files under a folder, depth first in link order, a subfolder's files where the subfolder stands: the order a
    `dfs` CAR is written in, so a streamed CAR is read straight through (each empty folder is passed to
    `on_empty`). Iterative, at most `MAX_DEPTH` folders deep and `budget` entries in all (a hostile folder tree
    neither exhausts the stack nor multiplies fetches). A folder may be a plain UnixFS directory or a HAMT shard
    (`hamt`), whatever profile built it."""
    # Each frame: the entries of one folder still to see, its path prefix, and how many it had so far.
    stack: list[tuple[Iterator[tuple[str, BlockCid]], str, list[int]]] = [
        (_folder_entries(sources, root, "", budget), "", [0])
    ]
    visited = 0
    while stack:
        entries, prefix, seen = stack[-1]
        step = next(entries, None)
        if step is None:
            stack.pop()
            if not seen[0] and prefix:
                on_empty(prefix.rstrip("/"))
            continue
        seen[0] += 1
        name, child = step
        if not name or "/" in name:
            raise VerificationError(f"{prefix or to_text(root)}: unsafe entry name {name!r}")
        try:
            check_file_path(f"{prefix}{name}")
        except InputError as exc:
            raise VerificationError(f"unsafe entry name: {exc}") from None
        visited += 1
        if visited > budget:
            raise VerificationError(
                f"the artifact holds more entries than the {budget:,} files and folders its manifest lists"
            )
        relative = f"{prefix}{name}"
        if codec_of(child) == DAG_PB and _node(sources, child).type in _FOLDER_TYPES:
            if len(stack) > MAX_DEPTH:
                raise VerificationError(f"{relative}: folders nested deeper than {MAX_DEPTH} levels")
            stack.append((_folder_entries(sources, child, relative + "/", budget), relative + "/", [0]))
        else:
            yield relative, child


_FOLDER_TYPES = (NodeType.DIRECTORY, NodeType.HAMT_SHARD)


def _folder_entries(
    sources: list[BlockSource], cid: BlockCid, prefix: str, budget: int
) -> Iterator[tuple[str, BlockCid]]:
    """(name, CID) of each entry of one folder, plain or sharded; VerificationError for anything else."""
    where = prefix or to_text(cid)
    node = _node(sources, cid)
    if node.type == NodeType.DIRECTORY:
        for link in node.links:
            yield link.name, link.cid
        return
    if node.type != NodeType.HAMT_SHARD:
        raise VerificationError(f"{where}: expected a folder, found a UnixFS {node.type.name.lower()}")

    def fetch_shard(shard: BlockCid) -> Node:
        return _node(sources, shard)

    try:
        yield from shard_entries(node, fetch_shard, where=where, max_nodes=budget)
    except UnixFSError as exc:
        raise VerificationError(str(exc)) from None


@dataclass
class _Counter:
    blocks: int = 0
    #: Blocks already fetched in this read, by CID (for small files only: `file_bytes`), and their bytes in all.
    cache: dict[BlockCid, bytes] | None = None
    cache_limit: int = 0
    cached: int = 0
    #: When the read must end (time.monotonic()), or None.
    deadline: float | None = None

    def fetch(self, sources: list[BlockSource], cid: BlockCid) -> bytes:
        """`cid`'s bytes, verified: from this read's cache when fetched before, else from `sources`."""
        import time

        if self.cache is not None and cid in self.cache:
            return self.cache[cid]
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise StoreError(f"reading {to_text(cid)} took longer than its time budget; stopped")
        data = fetch_verified(sources, cid)
        if self.cache is not None and self.cached + len(data) <= self.cache_limit:
            self.cache[cid] = data
            self.cached += len(data)
        return data


def _node(sources: list[BlockSource], cid: BlockCid) -> Node:
    try:
        return decode_node(fetch_verified(sources, cid))
    except UnixFSError as exc:
        raise VerificationError(f"block {to_text(cid)}: {exc}") from None


def _file_chunks(
    sources: list[BlockSource], cid: BlockCid, counter: _Counter, *, declared_size: int
) -> Iterator[bytes]:
    """The bytes of a UnixFS file in order, every block verified; sizes checked against the UnixFS data.

    Iterative, at most `MAX_DEPTH` levels deep, and within a block budget derived from `declared_size` (the
    manifest's size, or a limit): a DAG whose links point at the same blocks again and again, or at empty
    blocks, would otherwise cost any number of fetches.
    """
    budget = _blocks_budget(declared_size)
    # Each frame: the links still to read under one node, and per link the byte count its parent declares.
    stack: list[Iterator[tuple[BlockCid, int | None]]] = [iter([(cid, None)])]
    produced: list[int] = []  # bytes produced under each open link, to compare with its declared size
    declared: list[tuple[BlockCid, int | None]] = []
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            if declared:
                done_cid, expected_size = declared.pop()
                got = produced.pop()
                if expected_size is not None and got != expected_size:
                    raise VerificationError(
                        f"block {to_text(done_cid)} holds {got} bytes where its parent says {expected_size}"
                    )
                if produced:
                    produced[-1] += got
            continue
        block, expected_size = step
        counter.blocks += 1
        if counter.blocks > budget:
            raise VerificationError(
                f"{to_text(cid)} needs more than {budget:,} blocks for {declared_size:,} bytes: not a file DAG"
            )
        if len(stack) > MAX_DEPTH:
            raise VerificationError(f"{to_text(cid)}: a file DAG deeper than {MAX_DEPTH} levels")
        data = counter.fetch(sources, block)
        links = _file_links(block, data)
        declared.append((block, expected_size))
        produced.append(0)
        if links is None:  # a raw leaf
            produced[-1] += len(data)
            yield data
            stack.append(iter(()))
            continue
        own, children = links
        if own:
            produced[-1] += len(own)
            yield own
        _hint(sources, [child for child, _ in children])
        stack.append(iter(children))


def _file_links(cid: BlockCid, data: bytes) -> tuple[bytes, list[tuple[BlockCid, int | None]]] | None:
    """None for a raw leaf; else a file node's own bytes and its (child, declared size) links."""
    codec = codec_of(cid)
    if codec == RAW:
        return None
    if codec != DAG_PB:
        raise VerificationError(f"block {to_text(cid)} has codec {codec}; files are raw or dag-pb blocks")
    try:
        node = decode_node(data)
    except UnixFSError as exc:
        raise VerificationError(f"block {to_text(cid)}: {exc}") from None
    if node.type not in (NodeType.FILE, NodeType.RAW):
        raise VerificationError(f"block {to_text(cid)} is a UnixFS {node.type.name.lower()}, not a file")
    if node.links and len(node.blocksizes) != len(node.links):
        raise VerificationError(f"block {to_text(cid)}: {len(node.links)} links but {len(node.blocksizes)} block sizes")
    return node.data or b"", [(link.cid, size) for link, size in zip(node.links, node.blocksizes, strict=False)]


def _blocks_budget(declared_size: int) -> int:
    """The most blocks an honest DAG of `declared_size` bytes needs: a leaf per 256 bytes (smaller chunks than
    any importer uses), as many inner nodes, and some slack for tiny files."""
    return 64 + 2 * (max(declared_size, 0) // 256)


def _check_file(
    sources: list[BlockSource],
    cid: BlockCid,
    entry: FileEntry,
    staging: Path | None,
    progress: Progress | None,
    report: VerifyReport,
) -> None:

    digest = BackgroundSha256(depth=4)  # leaves of up to 2 MiB: at most 8 MiB wait for the second core
    size = 0
    counter = _Counter()
    out: IO[bytes] | None = None
    try:
        if staging is not None:
            target = staging / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            out = target.open("wb")
        for chunk in _file_chunks(sources, cid, counter, declared_size=entry.size):
            size += len(chunk)
            if size > entry.size:
                raise VerificationError(f"{entry.path}: more bytes than the manifest's {entry.size}")
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
            if progress:
                progress(len(chunk))
        actual = digest.hexdigest()
    finally:
        digest.close()
        if out is not None:
            out.close()
    if size != entry.size:
        raise VerificationError(f"{entry.path}: {size} bytes, the manifest says {entry.size}")
    if actual != entry.sha256:
        raise VerificationError(f"{entry.path}: sha256 {actual} does not match the manifest's {entry.sha256}")
    report.blocks += counter.blocks
