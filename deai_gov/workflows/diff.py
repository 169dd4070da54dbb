"""What changed between two registered versions of a model: files added, removed, changed or moved, and the manifest's
other fields, read from the two manifests alone (each fetched, verified against its CID and checked against the
registry's record); no artifact is fetched.

Both versions are compared whatever their status (a rolled-back version, a suspended model): a diff says what a
version is, not whether to use it. The newer side may be a version still under vote: the one a proposal would write,
its manifest checked as `proposal show` checks it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..ipfs.manifest import FileEntry, Manifest
from .approved import fetch_proposed_manifest, fetch_version_manifest, proposed_version, resolve

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource

__all__ = ["FieldChange", "FileChange", "VersionDiff", "diff_versions"]


@dataclass(frozen=True)
class FileChange:
    """One file that differs: `added`, `removed`, `changed` (same path, other bytes) or `moved` (same bytes, other
    path: `old_path` is where it was)."""

    path: str
    change: str
    old_size: int | None
    new_size: int | None
    old_path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "change": self.change,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_path": self.old_path,
        }


@dataclass(frozen=True)
class FieldChange:
    """A manifest field other than the file list that differs, both values as text."""

    field: str
    old: str
    new: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class VersionDiff:
    """The difference from version `old_version` to version `new_version` of a model (the version proposal
    `proposal_id` would write, when it is one)."""

    name: str
    old_version: int
    new_version: int
    proposal_id: int | None
    files: list[FileChange]
    unchanged: int
    fields: list[FieldChange]
    old_size: int
    new_size: int

    def counts(self) -> dict[str, int]:
        """How many files were added, removed, changed and moved."""
        return {kind: sum(f.change == kind for f in self.files) for kind in ("added", "removed", "changed", "moved")}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "proposal_id": self.proposal_id,
            "files": [f.to_json() for f in self.files],
            "unchanged_files": self.unchanged,
            "manifest_changes": [f.to_json() for f in self.fields],
            "old_size": self.old_size,
            "new_size": self.new_size,
        } | {kind: count for kind, count in self.counts().items()}


def diff_versions(
    dao: Dao, sources: list[BlockSource], name: str, old: int, new: int | None = None, *, proposal_id: int | None = None
) -> VersionDiff:
    """What changed from registered version `old` of `name` to registered version `new`, or to the version proposal
    `proposal_id` would write (under vote, say), from their manifests.

    Args:
        dao: The DAO (`Dao.attach`).
        sources: Where blocks are read from, in order; no source is trusted: every block is checked against its CID.
        name: The model's name, `org/name`.
        old: The registered version compared from (from 1).
        new: The registered version compared to (from 1; it may be older than `old`); None with `proposal_id`.
        proposal_id: Compare to the version of `name` this proposal would write instead.

    Returns:
        The files that differ (paths sorted), how many are the same, the manifest fields that differ, and the
        artifacts' sizes.

    Raises:
        InputError: A malformed name, an unknown model, version or proposal, a proposal that writes no version of
            `name`, the same version twice, or neither or both of `new` and `proposal_id`.
        VerificationError: A manifest does not match the registry's record (or the proposal's call).
        StoreError: No source delivered a manifest.
        ChainError: The node could not be reached.
    """
    if (new is None) == (proposal_id is None):
        raise InputError("name the version to compare to, or a proposal (--proposal ID), not both")
    if old == new:
        raise InputError(f"v{old} and v{new} are the same version: name two different ones")
    before = resolve(dao, name, old, allow_suspended=True, allow_rolled_back=True)
    old_manifest = fetch_version_manifest(sources, before)
    if new is not None:
        new_manifest = fetch_version_manifest(sources, resolve(dao, name, new, allow_suspended=True,
                                                               allow_rolled_back=True))  # fmt: skip
        new_number = new
    else:
        proposed = proposed_version(dao, name, int(proposal_id or 0))
        new_manifest = fetch_proposed_manifest(sources, proposed, int(proposal_id or 0))
        new_number = proposed.version
    files, unchanged = _file_changes(old_manifest.files, new_manifest.files)
    return VersionDiff(
        name,
        old,
        new_number,
        proposal_id,
        files,
        unchanged,
        _field_changes(old_manifest, new_manifest),
        old_manifest.artifact_size,
        new_manifest.artifact_size,
    )


def _file_changes(old: list[FileEntry], new: list[FileEntry]) -> tuple[list[FileChange], int]:
    """The files that differ, paths sorted, and how many are the same. A file removed at one path and added at
    another with the same bytes (SHA-256) is one move; contents, not CIDs, decide (two import profiles give one
    file different CIDs)."""
    before = {f.path: f for f in old}
    after = {f.path: f for f in new}
    changes: list[FileChange] = []
    unchanged = 0
    for path in sorted(before.keys() & after.keys()):
        a, b = before[path], after[path]
        if (a.sha256, a.size) == (b.sha256, b.size):
            unchanged += 1
        else:
            changes.append(FileChange(path, "changed", a.size, b.size))
    removed = {path: before[path] for path in before.keys() - after.keys()}
    added = {path: after[path] for path in after.keys() - before.keys()}
    by_content: dict[str, list[str]] = {}
    for path in sorted(removed):
        by_content.setdefault(removed[path].sha256, []).append(path)
    for path in sorted(added):
        sources = by_content.get(added[path].sha256)
        if sources:
            origin = sources.pop(0)
            gone = removed.pop(origin)
            changes.append(FileChange(path, "moved", gone.size, added[path].size, origin))
        else:
            changes.append(FileChange(path, "added", None, added[path].size))
    changes.extend(FileChange(path, "removed", entry.size, None) for path, entry in removed.items())
    return sorted(changes, key=lambda change: change.path), unchanged


def _field_changes(old: Manifest, new: Manifest) -> list[FieldChange]:
    """The manifest fields other than the file list that differ (not the version, its parent and the artifact's
    root, which always do and head the diff)."""

    def contributors(manifest: Manifest) -> str:
        return ", ".join(f"{c.address} {c.share_bps / 100:g}%" for c in manifest.contributors)

    def compact(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    pairs = [
        ("format", old.format, new.format),
        ("license", old.license, new.license),
        ("description", old.description, new.description),
        ("contributors", contributors(old), contributors(new)),
        ("import", compact(old.import_params), compact(new.import_params)),
        ("model card", compact(old.model_card), compact(new.model_card)),
        ("empty folders", ", ".join(old.empty_folders), ", ".join(new.empty_folders)),
        ("schema", old.schema, new.schema),
    ]
    return [FieldChange(field, a, b) for field, a, b in pairs if a != b]
