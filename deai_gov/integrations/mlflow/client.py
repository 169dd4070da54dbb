"""A client of an MLflow tracking server's documented REST API (model registry and proxied artifacts), over
`requests`: MLflow itself cannot be installed beside eth-brownie's pins, and a voter's install stays light.

The server is outside the DAO: every answer is hostile input. Answers are size-bounded and parsed with a nesting
limit, fields are type-checked, artifact paths must be portable paths inside the version's folder, and every failure
is one `ServiceError` sentence naming the server and what was asked, never a traceback. Credentials come from
MLflow's own environment variables (`MLFLOW_TRACKING_TOKEN`, or `MLFLOW_TRACKING_USERNAME` and
`MLFLOW_TRACKING_PASSWORD`) and are never shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from ... import parsing
from ...errors import InputError, ServiceError
from ...names import check_file_path

#: A registry answer is a few KiB; one listing of a folder with 10,000 files is ~1 MiB.
MAX_ANSWER = 8 * 1024 * 1024
_CHUNK = 1024 * 1024
_ALIAS = re.compile(r"\A[A-Za-z0-9_\-]{1,255}\Z")


@dataclass(frozen=True)
class ModelVersion:
    """An MLflow model version, as the registry describes it."""

    name: str
    version: str
    source: str
    run_id: str
    status: str
    aliases: tuple[str, ...]
    tags: dict[str, str]


@dataclass(frozen=True)
class ArtifactFile:
    """A file under a version's artifact folder: its path inside that folder and its declared size."""

    path: str
    size: int | None


class MlflowClient:
    """The REST API of one tracking server (`tracking_uri`, `http(s)://host[:port][/prefix]`)."""

    def __init__(self, tracking_uri: str, *, timeout: float = 60.0):
        parts = urlsplit(tracking_uri)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise InputError(
                f"{tracking_uri!r} is not an MLflow tracking server URL (http[s]://host[:port])",
                hint="give --tracking-uri URL, or set MLFLOW_TRACKING_URI",
            )
        self.uri = tracking_uri.rstrip("/")
        self.timeout = timeout
        import requests

        self._http = requests.Session()
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        if token:
            self._http.headers["Authorization"] = f"Bearer {token}"
        elif os.environ.get("MLFLOW_TRACKING_USERNAME"):
            self._http.auth = (os.environ["MLFLOW_TRACKING_USERNAME"], os.environ.get("MLFLOW_TRACKING_PASSWORD", ""))

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------------------------------- registry

    def model_version(self, name: str, version: str) -> ModelVersion:
        """Version `version` of registered model `name` (ServiceError when there is none)."""
        answer = self._json("GET", "mlflow/model-versions/get", params={"name": name, "version": version})
        return _version(answer.get("model_version"))

    def version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version alias `alias` of model `name` points to."""
        answer = self._json("GET", "mlflow/registered-models/alias", params={"name": name, "alias": alias})
        return _version(answer.get("model_version"))

    def versions(self, name: str) -> list[ModelVersion]:
        """Every version of model `name` (newest first), following the pages."""
        found: list[ModelVersion] = []
        token = ""
        for _ in range(1000):
            params = {"filter": f"name='{_quoted(name)}'", "max_results": "200"} | (
                {"page_token": token} if token else {}
            )
            answer = self._json("GET", "mlflow/model-versions/search", params=params)
            found += [_version(item) for item in _list(answer.get("model_versions", []), "model_versions")]
            token = str(answer.get("next_page_token") or "")
            if not token:
                return found
        raise ServiceError(f"{self.uri} keeps paging the versions of {name}")

    def download_uri(self, name: str, version: str) -> str:
        """Where version `version`'s files are (`mlflow-artifacts:/…` on a server that proxies artifacts)."""
        answer = self._json("GET", "mlflow/model-versions/get-download-uri", params={"name": name, "version": version})
        return _text(answer.get("artifact_uri"), "artifact_uri")

    def set_alias(self, name: str, alias: str, version: str) -> None:
        check_alias(alias)
        self._json("POST", "mlflow/registered-models/alias", body={"name": name, "alias": alias, "version": version})

    def delete_alias(self, name: str, alias: str) -> None:
        check_alias(alias)
        self._json("DELETE", "mlflow/registered-models/alias", body={"name": name, "alias": alias})

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        body = {"name": name, "version": version, "key": key, "value": value}
        self._json("POST", "mlflow/model-versions/set-tag", body=body)

    # ------------------------------------------------------------------------------------------- artifacts

    def artifact_files(self, root: str, *, limit: int = 100_000) -> list[ArtifactFile]:
        """Every file under `root` (a path on the artifact proxy), walked folder by folder, at most `limit`."""
        files: list[ArtifactFile] = []
        folders = [""]
        while folders:
            folder = folders.pop()
            answer = self._json("GET", "mlflow-artifacts/artifacts", params={"path": _join(root, folder)})
            for item in _list(answer.get("files", []), "files"):
                if not isinstance(item, dict):
                    raise ServiceError(f"{self.uri} listed an artifact that is not an object")
                said = _text(item.get("path"), "path")
                name = said.removeprefix(f"{folder}/") if folder else said  # one name, or the folder's path and it
                relative = f"{folder}/{name}" if folder else name
                try:
                    if "/" in name:
                        raise InputError(f"{said!r} is not a name inside {folder or 'the version folder'!r}")
                    check_file_path(relative)
                except InputError as exc:
                    raise ServiceError(f"{self.uri} listed an artifact path deai-gov cannot publish: {exc}") from None
                if item.get("is_dir") is True:
                    folders.append(relative)
                    continue
                size = item.get("file_size")
                files.append(ArtifactFile(relative, size if isinstance(size, int) and size >= 0 else None))
                if len(files) > limit:
                    raise ServiceError(f"{self.uri} lists more than {limit:,} files under {root}")
        return sorted(files, key=lambda f: f.path)

    def download(self, root: str, path: str, write: Callable[[bytes], object], *, limit: int) -> int:
        """Stream file `path` under `root` to `write`, at most `limit` bytes; the bytes written."""
        url = f"{self.uri}/api/2.0/mlflow-artifacts/artifacts/{quote(_join(root, path))}"
        written = 0
        with self._request("GET", url, stream=True) as answer:
            for chunk in _chunks(answer):
                written += len(chunk)
                if written > limit:
                    raise ServiceError(f"{self.uri} sent more than {limit:,} bytes for {path}")
                write(chunk)
        return written

    # ------------------------------------------------------------------------------------------- transport

    def _json(
        self, method: str, endpoint: str, *, params: dict[str, str] | None = None, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = f"{self.uri}/api/2.0/{endpoint}"
        with self._request(method, url, params=params, json=body, stream=True) as answer:
            data = bytearray()
            for chunk in _chunks(answer):
                data += chunk
                if len(data) > MAX_ANSWER:
                    raise ServiceError(f"{self.uri} answered {endpoint} with more than {MAX_ANSWER:,} bytes")
        try:
            decoded = parsing.loads(bytes(data)) if data.strip() else {}
        except (ValueError, UnicodeDecodeError):
            raise ServiceError(f"{self.uri} answered {endpoint} with something that is not JSON") from None
        if not isinstance(decoded, dict):
            raise ServiceError(f"{self.uri} answered {endpoint} with JSON that is not an object")
        return decoded

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        import requests

        endpoint = url.removeprefix(self.uri)
        try:
            answer = self._http.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            raise ServiceError(
                f"cannot reach the MLflow server {self.uri}: {type(exc).__name__}",
                hint="is it running? give its URL with --tracking-uri or MLFLOW_TRACKING_URI",
            ) from None
        if answer.status_code >= 300:
            said = _error_message(answer)
            answer.close()
            if answer.status_code in (401, 403):
                raise ServiceError(
                    f"the MLflow server {self.uri} refused the credentials for {endpoint} (HTTP {answer.status_code})",
                    hint="set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD",
                )
            raise ServiceError(f"the MLflow server {self.uri} answered {endpoint} with HTTP {answer.status_code}{said}")
        return answer


def check_alias(alias: str) -> str:
    """`alias` if MLflow takes it as an alias name, else InputError."""
    if not _ALIAS.match(alias) or re.fullmatch(r"[vV]\d+|latest", alias):
        raise InputError(f"{alias!r} is not an MLflow alias: letters, digits, '_' and '-', not 'latest' or 'vN'")
    return alias


def _error_message(answer: Any) -> str:
    """`: <the server's message>` from an MLflow error answer (its first 200 characters), or ""."""
    try:
        raw = answer.raw.read(64 * 1024, decode_content=True)
        message = parsing.loads(raw).get("message", "")
    except Exception:  # a hostile or broken error answer says nothing more
        return ""
    text = " ".join(str(message).split())[:200]
    return f": {text}" if text else ""


def _chunks(answer: Any) -> Iterator[bytes]:
    import requests

    try:
        yield from answer.iter_content(_CHUNK)
    except requests.RequestException as exc:
        raise ServiceError(f"the MLflow server's answer broke off: {type(exc).__name__}") from None


def _join(root: str, path: str) -> str:
    return "/".join(part for part in (root.strip("/"), path) if part)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ServiceError(f"the MLflow server's {what} is not a list")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ServiceError(f"the MLflow server's {what} is missing or not text")
    return str(value)


def _version(raw: Any) -> ModelVersion:
    if not isinstance(raw, dict):
        raise ServiceError("the MLflow server described no model version")
    tags = {
        str(tag.get("key")): str(tag.get("value"))
        for tag in _list(raw.get("tags", []), "tags")
        if isinstance(tag, dict)
    }
    aliases = tuple(str(alias) for alias in _list(raw.get("aliases", []), "aliases"))
    return ModelVersion(
        _text(raw.get("name"), "name"),
        _text(raw.get("version"), "version"),
        str(raw.get("source", "")),
        str(raw.get("run_id", "")),
        str(raw.get("status", "")),
        aliases,
        tags,
    )
