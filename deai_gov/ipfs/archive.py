"""A model version as one CAR file: exported from any source after a full verification, imported into any store
after every block is checked. The CAR (v1) names two roots, the artifact then the manifest, and holds every block
of both DAGs once, so it moves a version to an air-gapped machine or into any IPFS implementation
(`ipfs dag import`), where the same CIDs name the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CarError, InputError, VerificationError
from .blockcid import BlockCid, from_text, to_text
from .car import CarWriter, read_car
from .content import VerifyReport, fetch_manifest, verify
from .stores import BlockSource, BlockStore, walk_blocks

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ArchiveReport:
    """What a CAR file holds: its roots (artifact, manifest), its blocks and their bytes, and, when the roots are a
    version's, what the version's manifest says."""

    path: str
    roots: list[str]
    blocks: int
    bytes: int
    version: VerifyReport | None = None

    def to_json(self) -> dict[str, Any]:
        """`version` names the model version the roots are (from its verified manifest), or is None."""
        found = self.version
        return {
            "path": self.path,
            "roots": self.roots,
            "blocks": self.blocks,
            "bytes": self.bytes,
            "version": {"name": found.manifest.name, "version": found.manifest.version, "files": len(found.files)}
            if found
            else None,
        }


def export_version(
    sources: list[BlockSource],
    artifact_cid: str,
    manifest_cid: str,
    path: Path,
    *,
    progress: Progress | None = None,
) -> ArchiveReport:
    """Verify the version (every block and file against its manifest), then write it to `path` as a CAR: roots
    [artifact, manifest], the manifest's blocks then the artifact's, each once. The file appears only complete
    (written beside `path` and renamed); an existing `path` is refused."""
    path = Path(path)
    if path.exists():
        raise InputError(f"{path} already exists; choose another file name")
    report = verify(sources, artifact_cid, manifest_cid, progress)
    artifact, manifest = from_text(artifact_cid), from_text(manifest_cid)
    blocks = size = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            writer = CarWriter(stream, [artifact, manifest])
            for cid, data in walk_blocks(sources, manifest, artifact):
                writer.put(cid, data)
                blocks, size = blocks + 1, size + len(data)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return ArchiveReport(str(path), [to_text(artifact), to_text(manifest)], blocks, size, report)


def import_archive(path: Path, store: BlockStore) -> ArchiveReport:
    """Check every block of the CAR at `path` against its CID, then import it into `store` (a node pins its
    roots). When its two roots are an artifact and its manifest, the version is verified from `store` afterwards;
    otherwise every root's DAG must be complete there. Nothing is imported from a CAR with a bad block."""
    path = Path(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with stream:
        try:
            roots, checked = read_car(stream)
        except CarError as exc:
            raise InputError(f"{path} is not a CAR v1 file ({exc})") from None
        if not roots:
            raise InputError(f"{path} names no root")
        blocks = size = 0
        try:
            for _, data in checked:  # read_car verifies each block against its CID
                blocks, size = blocks + 1, size + len(data)
        except CarError as exc:
            raise VerificationError(f"{path}: {exc}; nothing was imported") from None
        stream.seek(0)
        store.put_car(stream, roots)
    version = _as_version(store, roots)
    if version is None:  # not a version's CAR: every block of its roots must be there
        for _ in walk_blocks([store], *roots):
            pass
    return ArchiveReport(str(path), [to_text(root) for root in roots], blocks, size, version)


def _as_version(store: BlockStore, roots: list[BlockCid]) -> VerifyReport | None:
    """The version the roots [artifact, manifest] form, verified in `store`; None when they are not a version's."""

    if len(roots) != 2:
        return None
    try:
        manifest = fetch_manifest([store], roots[1])
    except VerificationError:
        return None
    if from_text(manifest.artifact_root) != roots[0]:
        return None
    return verify([store], to_text(roots[0]), to_text(roots[1]))
