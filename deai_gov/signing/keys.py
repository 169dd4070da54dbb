"""Signer keys and the signature over a bundle's statement.

A key is identified as `model-signing` identifies it in a bundle: by the SHA-256 of its public key in PEM
(SubjectPublicKeyInfo, as `cryptography` writes it), the key's fingerprint. The DAO's registry keeps, per model, the
fingerprints it trusts; a manifest carries the public key itself, so anyone can check a version offline.

The statement's signature is a DSSE envelope's (ECDSA over the envelope's pre-authentication encoding, with the
hash the curve calls for), checked with `cryptography`, which the `signing` extra installs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..errors import InputError, VerificationError
from .bundle import SignedStatement

#: The curves `model-signing` signs with, and the hash each one takes.
_CURVES = {"secp256r1": "SHA256", "secp384r1": "SHA384", "secp521r1": "SHA512"}
EXTRA_HINT = "install the signing extra: pip install 'deai-gov[signing]'"


def fingerprint(public_key_pem: bytes | str) -> str:
    """The key's fingerprint: SHA-256 (hex) of its PEM, as a bundle's public key hint records it."""
    text = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
    return hashlib.sha256(text).hexdigest()


def _serialization() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise InputError("checking or making model signatures needs the 'signing' extra", hint=EXTRA_HINT) from None
    return serialization


def public_key_pem(path: Path, password: bytes | None = None) -> str:
    """The public key in canonical PEM from a PEM file holding a public key or an EC private key (whose password,
    if it has one, is `password`); InputError for a file that is neither, or a curve `model-signing` does not
    sign with (Ed25519, say)."""
    serialization = _serialization()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    try:
        if b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except TypeError:
        raise InputError(f"{path} is an encrypted private key: give its password") from None
    except ValueError as exc:
        raise InputError(f"{path} is not a PEM key this can read ({str(exc).splitlines()[0]})") from None
    curve = getattr(getattr(key, "curve", None), "name", None)
    if curve not in _CURVES:
        raise InputError(
            f"{path} is not an elliptic-curve key on P-256, P-384 or P-521, which model signing uses "
            f"(make one: openssl ecparam -name prime256v1 -genkey -noout -out key.pem)"
        )
    return str(
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    )


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1's pre-authentication encoding: what an envelope's signature signs."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def check_statement_signature(statement: SignedStatement, public_key: str) -> None:
    """VerificationError unless the bundle's statement is signed by `public_key` (PEM) and its key hint names that
    key; InputError when the `signing` extra is missing or the key cannot be read."""
    serialization = _serialization()
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    if statement.key_hint and statement.key_hint != fingerprint(public_key):
        raise VerificationError(
            f"the signature names key {statement.key_hint[:16]}…, not the key {fingerprint(public_key)[:16]}… "
            "the manifest records"
        )
    try:
        key = serialization.load_pem_public_key(public_key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise InputError("the manifest's signer key is not a PEM public key") from None
    curve = getattr(getattr(key, "curve", None), "name", "")
    if not isinstance(key, ec.EllipticCurvePublicKey) or curve not in _CURVES:
        raise InputError("the manifest's signer key is not an elliptic-curve key model signing uses")
    try:
        key.verify(
            statement.signature,
            pae(statement.payload_type, statement.payload),
            ec.ECDSA(getattr(hashes, _CURVES[curve])()),
        )
    except InvalidSignature:
        raise VerificationError(
            "the signature over the model's file list does not verify with the signer's key"
        ) from None
