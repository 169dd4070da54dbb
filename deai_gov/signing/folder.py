"""Signing a model folder and verifying one, with the upstream `model-signing` library (the `signing` extra).

A folder is signed the way deai-gov publishes it: every file it publishes is signed (hidden ones included when they
are published: unlike the upstream default, `.git*` paths are not left out), and only the bundle and what publishing
leaves out are ignored. The bundle is written into the folder as `model.sig`, so it travels with the version.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..errors import InputError, VerificationError
from .bundle import BUNDLE_NAME, SignedStatement, read_bundle
from .keys import EXTRA_HINT, public_key_pem


def _library() -> tuple[object, object, object]:
    try:
        from model_signing import hashing, signing, verifying
    except ImportError:
        raise InputError("signing a model needs the 'signing' extra", hint=EXTRA_HINT) from None
    return hashing, signing, verifying


def sign_folder(folder: Path, private_key: Path, password: bytes | None, left_out: list[str]) -> SignedStatement:
    """Sign every file of `folder` but the bundle and `left_out` (paths publishing leaves out) with the EC private
    key in `private_key` (PEM, encrypted with `password` or not), writing the bundle to `folder/model.sig`.

    Raises:
        InputError: `folder` is not a folder or already holds a `model.sig`; the key cannot be read or is not on a
            curve model signing uses; the `signing` extra is missing.
    """
    hashing, signing, _ = _library()
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: model signing signs a folder's files")
    bundle = folder / BUNDLE_NAME
    if bundle.exists() or bundle.is_symlink():
        raise InputError(
            f"{bundle} exists already: remove it to sign again, or keep it and give its signer's public key "
            "(--signer-public-key PUB.pem)"
        )
    public_key_pem(private_key, password)  # a bad key or password is named before anything is written
    ignored = hashing.Config().set_ignored_paths(paths=[BUNDLE_NAME, *left_out], ignore_git_paths=False)  # type: ignore[attr-defined]
    config = signing.Config().use_elliptic_key_signer(private_key=private_key, password=password)  # type: ignore[attr-defined]
    try:
        config.set_hashing_config(ignored).sign(folder, bundle)
    except (OSError, ValueError) as exc:
        bundle.unlink(missing_ok=True)
        raise InputError(
            f"cannot sign {folder}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    return read_bundle(bundle.read_bytes(), str(bundle))


def verify_folder(folder: Path, public_key: str, published: list[str]) -> SignedStatement:
    """Check `folder/model.sig` as the upstream `model_signing verify key` does (the signature, then every file
    against it), then deai-gov's stricter rule: it signs exactly the files `published` (relative paths, the
    bundle aside), no more and no fewer, whatever its ignore list says.

    Raises:
        InputError: no bundle, or one deai-gov cannot read; the `signing` extra is missing.
        VerificationError: the signature or a file does not match, or a published file is left unsigned.
    """
    _, _, verifying = _library()
    bundle = folder / BUNDLE_NAME
    if not bundle.is_file() or bundle.is_symlink():
        raise InputError(f"{folder} holds no {BUNDLE_NAME} to check")
    statement = read_bundle(bundle.read_bytes(), str(bundle))
    with tempfile.TemporaryDirectory() as scratch:
        key_file = Path(scratch) / "signer.pub"
        key_file.write_text(public_key, encoding="ascii")
        try:
            verifying.Config().use_elliptic_key_verifier(public_key=key_file).verify(folder, bundle)  # type: ignore[attr-defined]
        except Exception as exc:  # the library raises ValueError, InvalidSignature, protobuf errors...
            raise VerificationError(f"{bundle} does not verify: {_upstream_reason(exc)}") from None
    check_signed_files(statement, {path: "" for path in published if path != BUNDLE_NAME}, digests=False)
    return statement


def check_signed_files(statement: SignedStatement, files: dict[str, str], *, digests: bool = True) -> None:
    """VerificationError unless the statement signs exactly `files` (path -> SHA-256 hex; the bundle left out),
    each with its digest (unless `digests` is False); the first difference is named."""
    expected = {path: digest for path, digest in files.items() if path != BUNDLE_NAME}
    unsigned = sorted(set(expected) - set(statement.files))
    if unsigned:
        more = f" and {len(unsigned) - 1} more" if len(unsigned) > 1 else ""
        raise VerificationError(f"{BUNDLE_NAME} does not sign {unsigned[0]!r}{more}, which the version holds")
    extra = sorted(set(statement.files) - set(expected))
    if extra:
        more = f" and {len(extra) - 1} more" if len(extra) > 1 else ""
        raise VerificationError(f"{BUNDLE_NAME} signs {extra[0]!r}{more}, which the version does not hold")
    if digests:
        changed = sorted(path for path, digest in expected.items() if statement.files[path] != digest)
        if changed:
            raise VerificationError(f"{changed[0]!r} is not the file {BUNDLE_NAME} signs (its SHA-256 differs)")


def _upstream_reason(exc: Exception) -> str:
    """The upstream library's refusal in one short sentence (its own lists every digest as a Python repr)."""
    text = str(exc)
    changed = re.search(r"Hash mismatch for '([^']*)'", text)
    if changed:
        return f"{changed.group(1)!r} changed since it was signed"
    patterns = (
        (r"Extra files found in model '[^']*': ([^\]\"]*)", "files it does not sign: "),
        (r"Missing files in model '[^']*': ([^\]\"]*)", "files it signs are missing: "),
    )
    for pattern, meaning in patterns:
        found = re.search(pattern, text)
        if found:
            return meaning + found.group(1)[:200]
    if type(exc).__name__ == "InvalidSignature":
        return "the signature was not made with this key"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:200]
