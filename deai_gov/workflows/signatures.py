"""A version's OpenSSF model signature: made or checked when it is published, checked when it is reviewed, pulled
or verified, against the keys the DAO trusts for its model.

What a check proves, from the manifest and the bundle alone (no artifact is fetched): the bundle is the one the
manifest lists (its SHA-256), it is signed by the key the manifest records, it signs exactly the manifest's files
with their digests (the bundle aside), its root digest is the manifest's, and the registry trusts that key for the
model. A pull then checks every file against the manifest's digests, so a pulled folder is what the key signed;
`model_signing verify key` agrees on it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dao.registry import trusted_signers
from ..errors import DeaiGovError, InputError, VerificationError
from ..ipfs.blockcid import from_text
from ..ipfs.content import file_bytes
from ..ipfs.importer import list_files
from ..ipfs.manifest import Manifest, SignatureRecord
from ..signing.bundle import BUNDLE_NAME, SignedStatement, read_bundle
from ..signing.folder import check_signed_files, sign_folder, verify_folder
from ..signing.keys import check_statement_signature, fingerprint, public_key_pem

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource
    from .approved import ApprovedVersion


@dataclass(frozen=True)
class FolderSignature:
    """A folder's signature before it is published: what the manifest records, and the statement to check the
    published files against."""

    record: SignatureRecord
    statement: SignedStatement
    #: Whether deai-gov wrote the bundle now (`--sign-key`) rather than finding one made with the upstream tool.
    made_now: bool

    def check_published(self, manifest: Manifest) -> None:
        """VerificationError unless the files just published are those signed (one changed since, say)."""
        check_signed_files(self.statement, {entry.path: entry.sha256 for entry in manifest.files})


def sign_or_check_folder(
    path: Path,
    *,
    sign_key: Path | None = None,
    password: bytes | None = None,
    signer_public_key: Path | None = None,
    include_hidden: bool = False,
) -> FolderSignature | None:
    """The signature a folder is published with: made now with `sign_key` (an EC private key, PEM), or the
    `model.sig` already in it, checked with `signer_public_key` as `model_signing verify key` checks it and
    required to sign every file publishing takes; None for a folder with neither.

    Raises:
        InputError: a `model.sig` with no public key to check it, a key that cannot be read, both options, the
            `signing` extra missing.
        VerificationError: the folder's `model.sig` does not verify, or leaves out a file that would be published.
    """
    if sign_key is not None and signer_public_key is not None:
        raise InputError(
            "give --sign-key to sign now, or --signer-public-key for the model.sig already there, not both"
        )
    present = path.is_dir() and (path / BUNDLE_NAME).is_file()
    if sign_key is None and signer_public_key is None:
        if present:
            raise InputError(
                f"{path / BUNDLE_NAME} is a model signature: give its signer's public key (--signer-public-key "
                "PUB.pem) so that voters can check it, or remove it"
            )
        return None
    files, hidden = list_files(path, include_hidden=include_hidden)
    published = [relative for relative, _ in files]
    if sign_key is not None:
        statement = sign_folder(path, sign_key, password, [] if include_hidden else hidden)
        key = public_key_pem(sign_key, password)
    else:
        assert signer_public_key is not None
        if not present:
            raise InputError(f"--signer-public-key checks {path / BUNDLE_NAME}, which is not there")
        key = public_key_pem(signer_public_key)
        statement = verify_folder(path, key, published)
    record = SignatureRecord(BUNDLE_NAME, fingerprint(key), key, statement.root_digest)
    return FolderSignature(record, statement, sign_key is not None)


@dataclass(frozen=True)
class VersionSignature:
    """What a version's signature is worth: who signed, whether the DAO trusts that key for the model, and whether
    the signature checked out (`problem` None) or could not be checked here (`checked` False)."""

    fingerprint: str
    root_digest: str
    #: The DAO trusts the key to sign this model: now, or once the proposal under review executes.
    trusted: bool
    #: "the DAO" (the registry trusts it now), "this proposal" (it would), or "" when not trusted.
    trusted_by: str
    #: Why the signature does not hold, in one sentence; None when it does (or could not be checked).
    problem: str | None
    #: False when the `signing` extra is missing here: the signature was read but not checked.
    checked: bool = True

    @property
    def verified(self) -> bool:
        return self.checked and self.problem is None

    def to_json(self) -> dict[str, Any]:
        return {
            "key_fingerprint": self.fingerprint,
            "root_digest": self.root_digest,
            "trusted": self.trusted,
            "trusted_by": self.trusted_by or None,
            "checked": self.checked,
            "verified": self.verified,
            "problem": self.problem,
        }

    def words(self, model: str) -> str:
        """One line for a voter: `signed by key sha256:… (trusted for M by the DAO): verified against every file`."""
        key = f"key sha256:{self.fingerprint[:16]}…"
        trust = f"trusted for {model} by {self.trusted_by}" if self.trusted else f"NOT trusted for {model} by the DAO"
        if self.problem:
            return f"signature REFUSED: {self.problem} (signed by {key}, {trust})"
        if not self.checked:
            return f"signed by {key} ({trust}); signature not checked here: pip install 'deai-gov[signing]'"
        return f"signed by {key} ({trust}): the signature covers every file, root digest {self.root_digest[:16]}…"


def version_signature(
    dao: Dao,
    sources: list[BlockSource],
    name: str,
    manifest: Manifest,
    *,
    trusted_by_proposal: frozenset[str] = frozenset(),
) -> VersionSignature | None:
    """The signature of the version `manifest` describes (None for an unsigned one), checked from the manifest and
    the bundle alone. Never raises for content or a missing extra: what is wrong is its `problem`.

    Args:
        dao: The DAO, whose registry says which keys are trusted for model `name`.
        sources: Where the bundle is fetched from (every block checked against its CID).
        name: The model.
        manifest: The version's manifest, already fetched and verified.
        trusted_by_proposal: Fingerprints a proposal under review would trust for `name`.
    """
    record = manifest.signature
    if record is None:
        return None
    trusted_now = record.key_fingerprint in trusted_signers(dao, name)
    by = "the DAO" if trusted_now else "this proposal" if record.key_fingerprint in trusted_by_proposal else ""
    problem, checked = None, True
    try:
        statement = read_bundle(_bundle_bytes(sources, manifest, record), record.bundle)
        if statement.root_digest != record.root_digest:
            raise VerificationError(f"{record.bundle}'s root digest is not the one the manifest records")
        check_signed_files(statement, {entry.path: entry.sha256 for entry in manifest.files})
        check_statement_signature(statement, record.public_key)
    except InputError as exc:
        if exc.hint and "signing" in exc.hint:
            checked = False
        else:
            problem = str(exc)
    except DeaiGovError as exc:
        problem = str(exc)
    return VersionSignature(record.key_fingerprint, record.root_digest, bool(by), by, problem, checked)


def _bundle_bytes(sources: list[BlockSource], manifest: Manifest, record: SignatureRecord) -> bytes:
    entry = next(entry for entry in manifest.files if entry.path == record.bundle)  # `Manifest.validate` ensures it
    data = file_bytes(sources, from_text(entry.cid), limit=max(entry.size, 1))
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise VerificationError(f"{record.bundle} is not the file the manifest lists (its SHA-256 differs)")
    return data


def require_signature_holds(
    signature: VersionSignature | None, name: str, version: int, *, allow_untrusted: bool
) -> None:
    """VerificationError when a version is signed and its signature fails, or is by a key the DAO does not trust
    for the model (unless `allow_untrusted`); what a pull or a verification refuses."""
    if signature is None:
        return
    if signature.problem:
        raise VerificationError(f"the signature of {name} v{version} does not hold: {signature.problem}")
    if not signature.trusted and not allow_untrusted:
        raise VerificationError(
            f"{name} v{version} is signed by key sha256:{signature.fingerprint[:16]}…, which the DAO does not (or no "
            "longer) trust for it",
            hint="use it anyway with --allow-untrusted-signer, or propose trusting the key: deai-gov proposal create "
            f"--signer trust {name} {signature.fingerprint}",
        )


def signer_trust_actions(
    dao: Dao, name: str, record: SignatureRecord | None, *, registering: bool, trust: bool
) -> list[Any]:
    """The actions that make the version's signer trusted for `name` when the proposal executes: a registration
    trusts its signer (the vote on a new model decides who signs it); an upgrade signed by a key the DAO does not
    trust for the model is refused unless `trust` asks the same vote to trust it.

    Raises:
        InputError: `trust` for an unsigned version; an upgrade by an untrusted key without `trust`.
    """
    from ..dao.registry import signer_action

    if record is None:
        if trust:
            raise InputError("--trust-signer: the version is not signed (sign it with --sign-key KEY.pem)")
        return []
    if registering:
        return [signer_action(dao, name, record.key_fingerprint, True)]
    if record.key_fingerprint in trusted_signers(dao, name):
        return []
    if not trust:
        check_signer_trusted(dao, name, record.key_fingerprint)
    return [signer_action(dao, name, record.key_fingerprint, True)]


def check_signer_trusted(dao: Dao, name: str, key_fingerprint: str) -> None:
    """InputError unless the DAO trusts the key to sign `name`'s versions, with what to do instead."""
    if key_fingerprint not in trusted_signers(dao, name):
        raise InputError(
            f"the version is signed by key sha256:{key_fingerprint[:16]}…, which the DAO does not trust to sign {name}",
            hint="add --trust-signer to ask the same vote to trust it, or sign with a key it trusts (deai-gov model "
            f"signature {name} lists them)",
        )


def signature_note(record: SignatureRecord | None) -> str:
    """The sentence a signed version's proposal description carries (what the manifest records), or ""."""
    if record is None:
        return ""
    return (
        f"Signed with OpenSSF model signing ({record.bundle}): key sha256:{record.key_fingerprint}, root digest "
        f"sha256:{record.root_digest}."
    )


def signer_fingerprint(given: str) -> str:
    """A key's fingerprint from what a user gives: a PEM file (public key, or EC private key) or the fingerprint
    itself (64 hex digits, `sha256:` or `0x` optional); InputError otherwise."""
    path = Path(given)
    if path.is_file():
        return fingerprint(public_key_pem(path))
    text = given.lower().removeprefix("sha256:").removeprefix("0x")
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return text
    raise InputError(f"{given!r} is neither a PEM key file nor a key fingerprint (64 hex digits)")


def approved_signature(
    dao: Dao, sources: list[BlockSource], approved: ApprovedVersion, *, allow_untrusted: bool = False
) -> tuple[Manifest, VersionSignature | None]:
    """A registered version's manifest (fetched, verified, checked to be that version's) and its signature, which
    must hold: what `model pull` and `model verify` check before any file is fetched.

    Raises:
        VerificationError: the manifest is not the version's; the signature fails, or its key is not trusted for
            the model now (unless `allow_untrusted`).
        StoreError: no source delivered the manifest.
    """
    from .approved import fetch_version_manifest

    manifest = fetch_version_manifest(sources, approved)
    signature = version_signature(dao, sources, approved.name, manifest)
    require_signature_holds(signature, approved.name, approved.version.number, allow_untrusted=allow_untrusted)
    return manifest, signature
