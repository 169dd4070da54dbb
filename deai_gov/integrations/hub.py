"""The Hugging Face Hub as a source of versions: `hf://ORG/NAME@REVISION` resolved to a snapshot at one commit with
`huggingface_hub` (from its cache, or downloaded), made into real files, and published with the repository and the
commit in the manifest; the model card's `base_model`, when the DAO has that model, becomes the version's lineage.

A Hub cache is a folder anyone on the machine may have written: a snapshot's files are links into the repository's
`blobs/`, and a link pointing anywhere else is refused rather than followed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DeaiGovError, InputError, ServiceError

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource

_HUB_URI = re.compile(
    r"\Ahf://(?P<repo>[A-Za-z0-9][\w.\-]{0,95}/[A-Za-z0-9][\w.\-]{0,95})(?:@(?P<rev>[\w.\-/]{1,255}))?\Z"
)
_COMMIT = re.compile(r"\A[0-9a-f]{40}\Z")
EXTRA_HINT = "install the hub extra: pip install 'deai-gov[hub]'"


@dataclass(frozen=True)
class HubSnapshot:
    """A repository at one commit, as the Hub cache holds it."""

    repo: str
    #: What was asked for: a branch, a tag or a commit.
    revision: str
    #: The commit it resolved to (40 hex digits).
    commit: str
    folder: Path

    def to_record(self) -> dict[str, str]:
        return {"kind": "huggingface", "repo": self.repo, "revision": self.revision, "commit": self.commit}


def parse_hub_uri(uri: str) -> tuple[str, str]:
    """(repository, revision) of `hf://ORG/NAME[@REVISION]` (revision `main` when none is given)."""
    found = _HUB_URI.match(uri)
    if not found:
        raise InputError(f"{uri!r} is not a Hub model: write hf://ORG/NAME@REVISION (a branch, tag or commit)")
    return found.group("repo"), found.group("rev") or "main"


def resolve_snapshot(uri: str) -> HubSnapshot:
    """The snapshot `uri` names, from the Hub cache (`HF_HUB_CACHE`), or downloaded unless `HF_HUB_OFFLINE` is set.

    Raises:
        InputError: a malformed URI; the `hub` extra is missing.
        ServiceError: the repository or revision is unknown, not in the cache offline, or the Hub unreachable.
    """
    repo, revision = parse_hub_uri(uri)
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
    except ImportError:
        raise InputError("taking a model from the Hugging Face Hub needs the 'hub' extra", hint=EXTRA_HINT) from None
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    cache = os.environ.get("HF_HUB_CACHE") or None  # read now: huggingface_hub reads its settings once, at import
    try:
        folder = Path(snapshot_download(repo, revision=revision, cache_dir=cache, local_files_only=offline))  # type: ignore[arg-type]
    except LocalEntryNotFoundError:
        raise ServiceError(
            f"{repo}@{revision} is not in the Hub cache" + (" and HF_HUB_OFFLINE is set" if offline else ""),
            hint="download it first (huggingface-cli download), or unset HF_HUB_OFFLINE",
        ) from None
    except (HfHubHTTPError, OSError, ValueError) as exc:
        said = " ".join(str(exc).split())[:200]
        raise ServiceError(f"the Hub could not give {repo}@{revision}: {type(exc).__name__}: {said}") from None
    if not _COMMIT.match(folder.name):
        raise ServiceError(f"the Hub cache gave {folder}, which is not a snapshot at a commit")
    return HubSnapshot(repo, revision, folder.name, folder)


def materialize(snapshot: HubSnapshot, destination: Path) -> int:
    """The snapshot's files as real files under `destination` (hard links to the cache's blobs where the file
    system allows, else copies); the number of files. A link that leads outside the repository's `blobs/` folder, or
    anything that is not a file or folder, is refused (InputError)."""
    blobs = (snapshot.folder.parent.parent / "blobs").resolve()
    count = 0
    for source, relative in _walk(snapshot.folder):
        target = destination / relative
        if source.is_symlink():
            real = source.resolve()
            if not real.is_relative_to(blobs) or not real.is_file():
                raise InputError(f"the Hub cache's {relative} links to {real}, outside the repository's blobs")
        elif source.is_file():
            real = source
        else:
            raise InputError(f"the Hub cache's {relative} is neither a file nor a folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(real, target)
        except OSError:
            shutil.copyfile(real, target)
        count += 1
    return count


def _walk(folder: Path) -> Iterator[tuple[Path, str]]:
    stack = [(folder, "")]
    while stack:
        current, prefix = stack.pop()
        for entry in sorted(current.iterdir()):
            relative = f"{prefix}{entry.name}"
            if entry.is_dir() and not entry.is_symlink():
                stack.append((entry, relative + "/"))
            else:
                yield entry, relative


def base_models(card: dict[str, Any]) -> list[str]:
    """The model card's `base_model` entries (a name, or a list of them)."""
    value = card.get("base_model")
    found = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(item) for item in found if isinstance(item, str) and item.strip()][:16]


def lineage(dao: Dao, sources: list[BlockSource], base_model: str) -> str | None:
    """The DAO model `base_model` (a Hub name) is, in words (`acme/base v2, manifest bafk…`), or None: the DAO model
    of that name, else one whose current version's manifest came from that Hub repository. Never raises for a model
    that cannot be read: it is passed over."""
    from ..dao.registry import get_version, list_models
    from ..ipfs.blockcid import from_text
    from ..ipfs.content import fetch_manifest
    from ..names import validate_model_name

    candidates = []
    with contextlib.suppress(InputError):  # a Hub name that is no DAO name can still be a source's repository
        candidates.append(validate_model_name(base_model.lower()))
    try:
        models = list_models(dao, limit=500)
    except DeaiGovError:
        return None
    registered = {model.name: model for model in models}
    for name in candidates:
        if name in registered:
            version = get_version(dao, name)
            return f"{name} v{version.number}, manifest {version.manifest_cid}"
    for model in models:
        try:
            version = get_version(dao, model.name)
            manifest = fetch_manifest(sources, from_text(version.manifest_cid)) if sources else None
        except DeaiGovError:
            continue
        if (
            manifest is not None
            and manifest.source.get("kind") == "huggingface"
            and manifest.source.get("repo") == base_model
        ):
            return f"{model.name} v{version.number}, manifest {version.manifest_cid}"
    return None
