"""Reading an OpenSSF model signing bundle (`model.sig`) without trusting it.

The format is `model-signing` 1.x's (sigstore/model-transparency): a Sigstore bundle v0.3 whose DSSE envelope
carries an in-toto statement. Its subject is the model, with a root digest; its predicate
(`https://model_signing/signature/v1.0`) lists every signed file with its SHA-256 and the paths left out of the
signature (`ignore_paths`). For a key signature, the bundle's `verificationMaterial.publicKey.hint` is the SHA-256
of the signer's public key in PEM: the key's fingerprint.

A bundle is hostile input like any file from outside: this module parses it strictly (sizes, types, one signature,
SHA-256 per file, file paths that stay inside the folder) and recomputes its root digest from the files it lists;
it checks no signature (see `signing.keys`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from .. import parsing
from ..errors import InputError
from ..names import check_file_path

#: Where the bundle sits in a signed folder, as the upstream tool's examples put it; left out of its own digest.
BUNDLE_NAME = "model.sig"
BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
#: The paths `model-signing` leaves out of a signature unless told otherwise.
UPSTREAM_DEFAULT_IGNORED = (".git", ".gitattributes", ".github", ".gitignore")
#: A bundle lists ~150 bytes per file: this admits a million files and refuses a bundle that is not one.
MAX_BUNDLE_BYTES = 256 * 1024 * 1024
_HEX64 = re.compile(r"\A[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class SignedStatement:
    """What a bundle says, parsed but not yet verified."""

    #: SHA-256 (hex) of the signer's public key in PEM, from the bundle; "" for a bundle from before 1.0.
    key_hint: str
    #: The subject's digest (hex): SHA-256 over the signed files' digests in path order.
    root_digest: str
    #: Every signed file: its path inside the folder (`/`-separated) and its SHA-256 (hex).
    files: dict[str, str]
    #: The paths the signer left out (relative to the folder).
    ignore_paths: tuple[str, ...]
    #: The DSSE envelope's payload (the in-toto statement as JSON), its type and its one signature, as signed.
    payload: bytes
    payload_type: str
    signature: bytes


def read_bundle(data: bytes, where: str = BUNDLE_NAME) -> SignedStatement:
    """Parse a key-signed bundle; InputError naming the first thing wrong with it (`where` names the file).

    Only what deai-gov can check offline is read: a DSSE envelope with one signature, a statement of the model
    signing predicate, files hashed whole with SHA-256. A bundle signed per shard, through Sigstore's public-good
    instance or with a certificate is refused by name.
    """
    if len(data) > MAX_BUNDLE_BYTES:
        raise InputError(f"{where} is {len(data):,} bytes, more than any signature bundle")
    try:
        bundle = parsing.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError(f"{where} is not a signature bundle (not UTF-8 JSON)") from None
    try:
        return _statement(bundle, where)
    except (KeyError, TypeError, IndexError, ValueError, binascii.Error) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{where} is not a model signing bundle: {type(exc).__name__} {exc}") from None


def _statement(bundle: Any, where: str) -> SignedStatement:
    if not isinstance(bundle, dict) or bundle.get("mediaType") != BUNDLE_MEDIA_TYPE:
        raise InputError(f"{where} is not a Sigstore bundle v0.3 (mediaType {_said(bundle, 'mediaType')})")
    material = _object(bundle.get("verificationMaterial"), "verificationMaterial")
    if "certificate" in material or "x509CertificateChain" in material or material.get("tlogEntries"):
        raise InputError(
            f"{where} was signed with a certificate or through Sigstore: deai-gov checks signatures made with a key "
            "(model_signing sign key)"
        )
    hint = str(_object(material.get("publicKey", {}), "publicKey").get("hint", ""))
    if hint and not _HEX64.match(hint):
        raise InputError(f"{where}: the public key hint is not a SHA-256 in hex")
    envelope = _object(bundle.get("dsseEnvelope"), "dsseEnvelope")
    signatures = envelope["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1:
        raise InputError(f"{where}: a model signature has exactly one signature in its envelope")
    payload = base64.b64decode(str(envelope["payload"]), validate=True)
    signature = base64.b64decode(str(_object(signatures[0], "signature")["sig"]), validate=True)
    payload_type = str(envelope["payloadType"])
    if payload_type != PAYLOAD_TYPE:
        raise InputError(f"{where}: the envelope carries {payload_type!r}, not an in-toto statement")
    statement = _object(parsing.loads(payload.decode("utf-8")), "statement")
    if statement.get("_type") != STATEMENT_TYPE or statement.get("predicateType") != PREDICATE_TYPE:
        raise InputError(f"{where}: the statement is not a model signature ({PREDICATE_TYPE})")
    subjects = statement["subject"]
    if not isinstance(subjects, list) or len(subjects) != 1:
        raise InputError(f"{where}: a model signature has one subject, the model")
    root = str(_object(_object(subjects[0], "subject")["digest"], "digest").get("sha256", ""))
    predicate = _object(statement["predicate"], "predicate")
    serialization = _object(predicate["serialization"], "serialization")
    if serialization.get("method") != "files" or serialization.get("hash_type") != "sha256":
        raise InputError(
            f"{where} hashes the model by {_said(serialization, 'method')} with {_said(serialization, 'hash_type')}: "
            "deai-gov checks files hashed whole with sha256 (the upstream default)"
        )
    ignored = serialization.get("ignore_paths", [])
    if not isinstance(ignored, list):
        raise InputError(f"{where}: ignore_paths is not a list")
    files: dict[str, str] = {}
    for resource in predicate["resources"]:
        resource = _object(resource, "resource")
        path, digest = str(resource["name"]), str(resource["digest"])
        if resource.get("algorithm", "sha256") != "sha256" or not _HEX64.match(digest):
            raise InputError(f"{where}: {path!r} is not listed with a SHA-256 digest")
        check_file_path(path)
        if path in files:
            raise InputError(f"{where} lists {path!r} twice")
        files[path] = digest
    if not _HEX64.match(root) or root != root_digest(files):
        raise InputError(f"{where}: its root digest is not the digest of the files it lists")
    return SignedStatement(hint, root, files, tuple(str(p) for p in ignored), payload, payload_type, signature)


def root_digest(files: dict[str, str]) -> str:
    """The subject digest `model-signing` computes for files hashed whole: SHA-256 over their 32-byte digests, in
    the order of their paths compared component by component (`a/b` before `a.txt`, unlike plain text order)."""
    ordered = sorted(files, key=lambda path: PurePosixPath(path).parts)
    return hashlib.sha256(b"".join(bytes.fromhex(files[path]) for path in ordered)).hexdigest()


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"the bundle's {what} is not an object")
    return value


def _said(value: Any, key: str) -> str:
    found = value.get(key) if isinstance(value, dict) else None
    return repr(found)[:60]
