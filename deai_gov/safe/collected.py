"""Owners' signatures collected in a file, as each owner adds theirs: for a Safe transaction (beside the batch file
it signs) or for a Safe's vote. The file records what was signed (its hash, and the Safe's nonce or the ballot), so
that a signature is never added to, or used for, anything else; it holds no key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..names import checksum_address
from .files import read_json_file, write_json_file

FORMAT = "deai-gov.safe-signatures/1"
KINDS = ("transaction", "vote")


@dataclass(frozen=True)
class CollectedSignatures:
    """What the owners of `safe` sign (`hash`: a Safe transaction's or a SafeMessage's EIP-712 hash) and the
    signatures so far, by owner. `details` holds the kind's own fields: a transaction's `nonce` and `multisend`, a
    vote's ballot."""

    kind: str
    chain_id: int
    safe: str
    hash: str
    details: dict[str, Any]
    signatures: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "chain_id": self.chain_id,
            "safe": self.safe,
            "hash": self.hash,
            **self.details,
            "signatures": dict(self.signatures),
        }

    @classmethod
    def from_dict(cls, data: Any) -> CollectedSignatures:
        """The file's content read strictly (InputError for anything that is not such a file)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("kind") not in KINDS:
            raise InputError(f"not a file of Safe owners' signatures ({FORMAT})")
        try:
            chain_id = int(data["chain_id"])
            safe = checksum_address(str(data["safe"]), "Safe")
            digest = str(data["hash"])
            signatures = data["signatures"]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a file of Safe owners' signatures: bad or missing field {exc}") from None
        if len(digest) != 66 or not _is_hex(digest):
            raise InputError("not a file of Safe owners' signatures: its hash is not 32 bytes of hexadecimal")
        if not isinstance(signatures, dict):
            raise InputError("not a file of Safe owners' signatures: `signatures` is not an object")
        checked = {}
        for owner, signature in signatures.items():
            if not isinstance(signature, str) or not _is_hex(signature) or len(signature) != 132:
                raise InputError(f"the signature of {owner} in the file is not 65 bytes of hexadecimal")
            checked[checksum_address(str(owner), "owner")] = signature
        reserved = {"format", "kind", "chain_id", "safe", "hash", "signatures"}
        details = {key: value for key, value in data.items() if key not in reserved}
        return cls(str(data["kind"]), chain_id, safe, digest.lower(), details, checked)

    def signature_bytes(self) -> list[bytes]:
        return [bytes.fromhex(signature[2:]) for signature in self.signatures.values()]

    def with_signature(self, owner: str, signature: bytes) -> CollectedSignatures:
        return replace(self, signatures=self.signatures | {owner: "0x" + signature.hex()})


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        return False
    return text.startswith("0x")


def read_collected(path: Path) -> CollectedSignatures:
    """The signatures file at `path` (InputError naming it for anything else)."""
    data = read_json_file(path, "a file of Safe owners' signatures")
    try:
        return CollectedSignatures.from_dict(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def write_collected(path: Path, collected: CollectedSignatures) -> None:
    """Write the file whole."""
    write_json_file(path, collected.to_dict())


def merge(existing: CollectedSignatures | None, fresh: CollectedSignatures) -> CollectedSignatures:
    """`fresh` (a new signature of some hash) added to the file's `existing` signatures, which must be of the same
    hash by the same Safe: InputError otherwise, and the file is left as it is."""
    if existing is None:
        return fresh
    if (existing.kind, existing.chain_id, existing.safe.lower(), existing.hash) != (
        fresh.kind,
        fresh.chain_id,
        fresh.safe.lower(),
        fresh.hash,
    ):
        raise InputError(
            f"the signatures file holds signatures of another {existing.kind} (hash {existing.hash}) than this one "
            f"({fresh.hash}): use another file, or remove it if that {existing.kind} is abandoned"
        )
    return replace(existing, signatures=existing.signatures | fresh.signatures)
