"""The manifest of a model version: what the artifact is, file by file, and who contributed it.

It is published to IPFS beside the artifact; the registry records both CIDs. Schema `deai-gov/manifest/v2`
(documented in docs/artifacts.md):

    {
      "schema": "deai-gov/manifest/v2",
      "name": "acme/vision", "version": 2, "parent_version": 1,
      "format": "safetensors", "license": "apache-2.0", "description": "...",
      "artifact": {"root": "<CID>", "size": 123, "import": {"profile": "unixfs-v1-2025", <its parameters>}},
      "files": [{"path": "model.safetensors", "size": 100, "sha256": "<hex>", "cid": "<CID>"}, ...],
      "empty_folders": ["logs", ...],
      "contributors": [{"address": "0x...", "share_bps": 10000, "name": "..."}],
      "model_card": {<YAML metadata of a Hugging Face README.md, when present>},
      "signature": {"bundle": "model.sig", "key_fingerprint": "<hex>", "public_key": "<PEM>", "root_digest": "<hex>"},
      "source": {"kind": "mlflow", "server": "https://…", "model": "vision", "version": "3", "run_id": "…"}
    }

`signature` is there only for a signed version (OpenSSF model signing, see `deai_gov.signing`): the bundle is one of
the artifact's files; the key fingerprint is the SHA-256 of the public key's PEM. `source` is there only for a
version taken from another registry (an MLflow model version): where it came from, as text.

Shares are basis points and add up to 10,000. Files are sorted by path; paths use `/`. A `v1` manifest (before
import profiles had names) is still read: its `import` record holds the legacy profile's parameters unnamed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import parsing
from ..errors import InputError
from ..names import check_file_path, checksum_address, first_collision, validate_model_name

SCHEMA = "deai-gov/manifest/v2"
#: Every schema this version reads; it writes only `SCHEMA`.
READABLE_SCHEMAS = ("deai-gov/manifest/v1", SCHEMA)
TOTAL_SHARES_BPS = 10_000
_HEX64 = re.compile(r"\A[0-9a-f]{64}\Z")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_FORMATS = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".onnx": "onnx",
    ".pt": "pytorch",
    ".pth": "pytorch",
    ".bin": "binary",
    ".json": "json",
}


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str
    cid: str


@dataclass(frozen=True)
class Contributor:
    address: str
    share_bps: int
    name: str = ""


@dataclass(frozen=True)
class SignatureRecord:
    """An OpenSSF model signature that travels in the artifact: where its bundle is, who signed, what root digest."""

    #: The bundle's path in the artifact (`model.sig`).
    bundle: str
    #: SHA-256 (hex) of `public_key`: what the registry trusts per model, and the bundle's key hint.
    key_fingerprint: str
    #: The signer's public key in PEM, so that anyone can check the signature offline.
    public_key: str
    #: The bundle's root digest (hex): SHA-256 over the signed files' digests.
    root_digest: str

    def to_json(self) -> dict[str, str]:
        return vars(self).copy()


@dataclass
class Manifest:
    name: str
    version: int
    artifact_root: str
    artifact_size: int
    import_params: dict[str, Any]
    files: list[FileEntry]
    contributors: list[Contributor]
    parent_version: int = 0
    format: str = ""
    license: str = ""
    description: str = ""
    model_card: dict[str, Any] = field(default_factory=dict)
    schema: str = SCHEMA
    #: Folders of the artifact that hold nothing (paths, sorted): a UnixFS DAG keeps them, so a pull recreates them.
    empty_folders: list[str] = field(default_factory=list)
    signature: SignatureRecord | None = None
    #: Where the version came from outside the DAO (`kind`, then that kind's fields), or {}.
    source: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return (
            {
                "schema": self.schema,
                "name": self.name,
                "version": self.version,
                "parent_version": self.parent_version,
                "format": self.format,
                "license": self.license,
                "description": self.description,
                "artifact": {"root": self.artifact_root, "size": self.artifact_size, "import": self.import_params},
                "files": [vars(f) for f in self.files],
                "contributors": [vars(c) for c in self.contributors],
                "model_card": self.model_card,
            }
            | ({"empty_folders": self.empty_folders} if self.schema != "deai-gov/manifest/v1" else {})
            | ({"signature": self.signature.to_json()} if self.signature else {})
            | ({"source": self.source} if self.source else {})
        )

    def to_bytes(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces, UTF-8): the same manifest always gives the same CID."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse and validate a manifest; InputError naming the first problem."""
        try:
            raw = parsing.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise InputError("the manifest is not UTF-8 JSON") from None
        if not isinstance(raw, dict) or raw.get("schema") not in READABLE_SCHEMAS:
            raise InputError(f"the manifest is not a {' or '.join(READABLE_SCHEMAS)} document")
        try:
            artifact = raw["artifact"]
            manifest = cls(
                name=str(raw["name"]),
                version=int(raw["version"]),
                parent_version=int(raw.get("parent_version", 0)),
                format=str(raw.get("format", "")),
                license=str(raw.get("license", "")),
                description=str(raw.get("description", "")),
                artifact_root=str(artifact["root"]),
                artifact_size=int(artifact["size"]),
                import_params=dict(artifact["import"]),
                files=[
                    FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]), str(f["cid"])) for f in raw["files"]
                ],
                contributors=[
                    Contributor(str(c["address"]), int(c["share_bps"]), str(c.get("name", "")))
                    for c in raw["contributors"]
                ],
                model_card=dict(raw.get("model_card") or {}),
                schema=str(raw["schema"]),
                empty_folders=[str(folder) for folder in raw.get("empty_folders", [])],
                signature=_signature(raw.get("signature")),
                source=_source(raw.get("source")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"the manifest is incomplete or malformed ({type(exc).__name__}: {exc})") from None
        manifest.validate()
        return manifest

    def validate(self) -> None:
        validate_model_name(self.name)
        if self.version < 1 or not 0 <= self.parent_version < self.version:
            raise InputError("the manifest's version must be >= 1 and its parent an earlier version (or 0)")
        if not self.contributors:
            raise InputError("the manifest names no contributor")
        if sum(c.share_bps for c in self.contributors) != TOTAL_SHARES_BPS or any(
            c.share_bps <= 0 for c in self.contributors
        ):
            raise InputError(f"contributor shares must be positive and add up to {TOTAL_SHARES_BPS} basis points")
        addresses = [checksum_address(c.address, "contributor") for c in self.contributors]
        if len(set(addresses)) != len(addresses):
            raise InputError("the manifest names a contributor twice: each contributor may appear once")
        paths = [f.path for f in self.files]
        if len(set(paths)) != len(paths):
            raise InputError("the manifest's file paths must be unique")
        if len(set(self.empty_folders)) != len(self.empty_folders) or set(self.empty_folders) & set(paths):
            raise InputError("the manifest's empty folders must be unique and not also files")
        for path in [*paths, *self.empty_folders]:
            check_file_path(path)
        collision = first_collision([*paths, *self.empty_folders])
        if collision:
            raise InputError(
                f"{collision[0]!r} and {collision[1]!r} would be one file on a case-insensitive file system"
            )
        if self.signature is not None:
            self._validate_signature(self.signature, set(paths))
        if self.source and (
            "kind" not in self.source
            or len(self.source) > 16
            or any(len(key) > 64 or len(value) > 2048 for key, value in self.source.items())
        ):
            raise InputError("the manifest's source must name its kind, in at most 16 short text fields")

    @staticmethod
    def _validate_signature(signature: SignatureRecord, paths: set[str]) -> None:
        if signature.bundle not in paths:
            raise InputError(f"the manifest's signature bundle {signature.bundle!r} is not one of its files")
        if not _HEX64.match(signature.root_digest) or not _HEX64.match(signature.key_fingerprint):
            raise InputError("the manifest's signature digests are not SHA-256 in hex")
        if hashlib.sha256(signature.public_key.encode("utf-8")).hexdigest() != signature.key_fingerprint:
            raise InputError("the manifest's signer key fingerprint is not the SHA-256 of its public key")


def _source(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise TypeError("source is not an object of text fields")
    return dict(raw)


def _signature(raw: Any) -> SignatureRecord | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TypeError("signature is not an object")
    return SignatureRecord(
        str(raw["bundle"]), str(raw["key_fingerprint"]), str(raw["public_key"]), str(raw["root_digest"])
    )


def read_model_card(folder: Path) -> dict[str, Any]:
    """The YAML metadata block at the top of a Hugging Face `README.md`, or {} when there is none."""
    card = folder / "README.md"
    if not card.is_file():
        return {}
    match = _FRONT_MATTER.match(card.read_text(encoding="utf-8", errors="replace"))
    if not match:
        return {}
    import yaml

    try:
        metadata = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise InputError(f"{card} has invalid YAML metadata: {str(exc).splitlines()[0]}") from None
    return metadata if isinstance(metadata, dict) else {}


def guess_format(paths: list[str]) -> str:
    """The artifact's weight format, from its file extensions (largest-known first)."""
    for suffix, name in _FORMATS.items():
        if any(p.endswith(suffix) for p in paths):
            return name
    return "files"


def license_from_card(card: dict[str, Any]) -> str:
    value = card.get("license", "")
    return value if isinstance(value, str) else ""
