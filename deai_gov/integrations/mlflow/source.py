"""An MLflow model version as the source of a DAO version: `models:/NAME/VERSION` (or `models:/NAME@ALIAS`)
resolved on a tracking server, and its files downloaded through the server's artifact proxy, every path and size
checked, into a folder that publishing then takes as it takes any folder.

The source is recorded in the manifest (`source`: the server, the model, the version, the run), so anyone can see
where the DAO's version came from; `mirror` uses the same record to find the MLflow version to mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ...errors import InputError, ServiceError
from .client import ArtifactFile, MlflowClient, ModelVersion

_MODEL_URI = re.compile(r"\Amodels:/(?P<name>[^/@]+)(?:/(?P<version>\d+)|@(?P<alias>[A-Za-z0-9_\-]+))/?\Z")
#: A file the server lists without a size is read up to this.
UNDECLARED_LIMIT = 1024**4


@dataclass(frozen=True)
class MlflowSource:
    """Where a version came from in MLflow: what the manifest records as its `source`."""

    server: str
    model: str
    version: str
    run_id: str

    def to_record(self) -> dict[str, str]:
        return {"kind": "mlflow", "server": self.server, "model": self.model, "version": self.version,
                "run_id": self.run_id}  # fmt: skip


def parse_model_uri(uri: str) -> tuple[str, str | None, str | None]:
    """(model name, version or None, alias or None) of `models:/NAME/VERSION` or `models:/NAME@ALIAS`."""
    found = _MODEL_URI.match(uri)
    if not found:
        raise InputError(f"{uri!r} is not an MLflow model URI: write models:/NAME/VERSION or models:/NAME@ALIAS")
    return found.group("name"), found.group("version"), found.group("alias")


def resolve(client: MlflowClient, uri: str) -> ModelVersion:
    """The model version `uri` names on the server; a version still being created or failed is refused."""
    name, version, alias = parse_model_uri(uri)
    found = client.model_version(name, version) if version else client.version_by_alias(name, alias or "")
    if found.status and found.status != "READY":
        raise ServiceError(f"{found.name} version {found.version} is {found.status} in MLflow, not READY")
    return found


def artifact_root(client: MlflowClient, version: ModelVersion) -> str:
    """The path of the version's files on the server's artifact proxy (`mlflow-artifacts:/…`); other stores (S3,
    a local path) are refused: deai-gov reads files only through the server."""
    uri = client.download_uri(version.name, version.version)
    parts = urlsplit(uri)
    if parts.scheme != "mlflow-artifacts":
        raise ServiceError(
            f"{version.name} version {version.version}'s files are at {uri[:120]}, outside the server's artifact "
            "proxy; deai-gov reads them through the server (run it with --serve-artifacts, the default)"
        )
    return parts.path.strip("/")


def download_version(
    client: MlflowClient,
    version: ModelVersion,
    destination: Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[MlflowSource, list[ArtifactFile]]:
    """Download the version's files into `destination` (an empty folder), each at most its declared size.

    Returns:
        The source to record, and the files written (paths inside `destination`).

    Raises:
        ServiceError: the server cannot be reached, lists a path that is not portable, sends more or fewer bytes
            than it declared, or keeps the files outside its proxy.
        InputError: `destination` cannot be written.
    """
    root = artifact_root(client, version)
    files = client.artifact_files(root)
    if not files:
        raise ServiceError(f"{version.name} version {version.version} has no files in MLflow")
    for item in files:
        target = destination / item.path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                written = client.download(
                    root,
                    item.path,
                    lambda chunk, out=out: _write(out, chunk, progress),  # type: ignore[misc]
                    limit=item.size if item.size is not None else UNDECLARED_LIMIT,
                )
        except OSError as exc:
            raise InputError(f"cannot write {target}: {exc.strerror}") from None
        if item.size is not None and written != item.size:
            raise ServiceError(
                f"the MLflow server sent {written:,} bytes for {item.path}, not the {item.size:,} it listed"
            )
    return MlflowSource(client.uri, version.name, version.version, version.run_id), files


def _write(out: object, chunk: bytes, progress: Callable[[int], None] | None) -> None:
    out.write(chunk)  # type: ignore[attr-defined]
    if progress:
        progress(len(chunk))
