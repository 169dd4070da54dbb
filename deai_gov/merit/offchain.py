"""Off-chain attestations in EAS's own format (version 2), for evaluators without gas: signed with EIP-712, kept on
IPFS as EAS's shareable JSON package, and anchored on chain by whoever relays them.

An off-chain attestation is the EIP-712 message

    Attest(uint16 version, bytes32 schema, address recipient, uint64 time, uint64 expirationTime, bool revocable,
           bytes32 refUID, bytes data, bytes32 salt)

in the domain `{name: "EAS Attestation", version: <the EAS contract's version()>, chainId, verifyingContract: <the
EAS>}`, signed by its attester. Its UID is keccak256 of the packed fields, the schema written as the UTF-8 text of
its hex string and the attester as the zero address (what EAS's SDK computes). The package is the SDK's
`{"sig": {version, uid, domain, primaryType, types, message, signature: {v, r, s}}, "signer"}`, so EAS's own tools
read it.

Nothing here trusts a package: `read_package` checks its size and every field, recomputes the UID and recovers the
signer from the signature, and refuses, in one line, anything that does not hold.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.typed import NAMED_DOMAIN
from ..errors import InputError
from .eas import ZERO_ADDRESS, ZERO_UID

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

#: The version of EAS's off-chain format written and read here (with a salt).
OFFCHAIN_VERSION = 2
DOMAIN_NAME = "EAS Attestation"
#: The EIP-712 type of a version-2 off-chain attestation, field by field.
ATTEST_TYPE = [
    {"name": "version", "type": "uint16"},
    {"name": "schema", "type": "bytes32"},
    {"name": "recipient", "type": "address"},
    {"name": "time", "type": "uint64"},
    {"name": "expirationTime", "type": "uint64"},
    {"name": "revocable", "type": "bool"},
    {"name": "refUID", "type": "bytes32"},
    {"name": "data", "type": "bytes"},
    {"name": "salt", "type": "bytes32"},
]
#: A package larger than this is refused unread (an evaluation's data is at most 64 KiB).
MAX_PACKAGE = 160 * 1024
_UINT64 = 2**64
#: The schema of an anchor: whoever relays an off-chain attestation records its UID and the CID of its package on
#: chain under this schema, with the DAO's registry as recipient, so anyone with an RPC and IPFS finds it.
ANCHOR_SCHEMA = "bytes32 offchainUID,string packageCID"
#: The longest CID text an anchor may carry.
MAX_CID_TEXT = 128


@dataclass(frozen=True)
class Domain:
    """Where an off-chain attestation is valid: a chain and an EAS contract (and that contract's version)."""

    eas_version: str
    chain_id: int
    eas: str

    def same_as(self, other: Domain) -> bool:
        """Whether both name the same chain, EAS contract (whatever the address's letter case) and EAS version."""
        return (self.chain_id, self.eas.lower(), self.eas_version) == (
            other.chain_id,
            other.eas.lower(),
            other.eas_version,
        )


@dataclass(frozen=True)
class OffchainAttestation:
    """A signed off-chain attestation, its signer recovered from the signature."""

    domain: Domain
    schema: bytes
    recipient: str
    time: int
    expiration_time: int
    revocable: bool
    ref_uid: bytes
    data: bytes
    salt: bytes
    signature: tuple[int, bytes, bytes]
    attester: str

    @property
    def uid(self) -> bytes:
        return offchain_uid(
            self.schema, self.recipient, self.time, self.expiration_time, self.revocable, self.ref_uid, self.data,
            self.salt,
        )  # fmt: skip

    def message(self) -> dict[str, Any]:
        """The EIP-712 message, as EAS's SDK writes it."""
        return {
            "version": OFFCHAIN_VERSION,
            "schema": "0x" + self.schema.hex(),
            "recipient": self.recipient,
            "time": self.time,
            "expirationTime": self.expiration_time,
            "revocable": self.revocable,
            "refUID": "0x" + self.ref_uid.hex(),
            "data": "0x" + self.data.hex(),
            "salt": "0x" + self.salt.hex(),
        }

    def to_package(self) -> bytes:
        """EAS's shareable package (`{"sig": …, "signer": …}`), as UTF-8 JSON: what is kept on IPFS."""
        v, r, s = self.signature
        sig = {
            "version": OFFCHAIN_VERSION,
            "uid": "0x" + self.uid.hex(),
            "domain": _domain_json(self.domain),
            "primaryType": "Attest",
            "types": {"Attest": ATTEST_TYPE},
            "message": self.message(),
            "signature": {"v": v, "r": "0x" + r.hex(), "s": "0x" + s.hex()},
        }
        return json.dumps({"sig": sig, "signer": self.attester}, indent=1).encode()


def offchain_uid(
    schema: bytes,
    recipient: str,
    time: int,
    expiration_time: int,
    revocable: bool,
    ref_uid: bytes,
    data: bytes,
    salt: bytes,
) -> bytes:
    """The UID of a version-2 off-chain attestation: keccak256 of (uint16 version, the schema's hex text, recipient,
    the zero address, uint64 time, uint64 expirationTime, bool revocable, bytes32 refUID, bytes data, bytes32 salt,
    uint32 0), packed."""
    from eth_utils import keccak

    packed = (
        OFFCHAIN_VERSION.to_bytes(2, "big")
        + ("0x" + schema.hex()).encode()
        + bytes.fromhex(recipient.removeprefix("0x"))
        + bytes.fromhex(ZERO_ADDRESS.removeprefix("0x"))
        + time.to_bytes(8, "big")
        + expiration_time.to_bytes(8, "big")
        + bytes([revocable])
        + ref_uid
        + data
        + salt
        + bytes(4)
    )
    return keccak(packed)


def sign_offchain(
    account: LocalAccount,
    domain: Domain,
    schema: bytes,
    data: bytes,
    *,
    recipient: str,
    time: int,
    expiration_time: int = 0,
    revocable: bool = True,
    ref_uid: bytes = ZERO_UID,
    salt: bytes | None = None,
) -> OffchainAttestation:
    """Sign an off-chain attestation of `data` under `schema`, dated `time` (seconds), with a random salt unless one
    is given. No transaction: the attester needs no gas."""
    from eth_account import Account

    unsigned = OffchainAttestation(
        domain, schema, recipient, time, expiration_time, revocable, ref_uid, data, salt or os.urandom(32),
        (0, b"", b""), account.address,
    )  # fmt: skip
    signed = Account.sign_message(_signable(unsigned), account.key)
    v, r, s = signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
    return OffchainAttestation(**{**vars(unsigned), "signature": (v, r, s)})


def _signable(attestation: OffchainAttestation) -> Any:
    from eth_account.messages import encode_typed_data

    return encode_typed_data(
        full_message={
            "types": {"EIP712Domain": NAMED_DOMAIN, "Attest": ATTEST_TYPE},
            "primaryType": "Attest",
            "domain": _domain_json(attestation.domain),
            "message": attestation.message(),
        }
    )


def _domain_json(domain: Domain) -> dict[str, Any]:
    return {
        "name": DOMAIN_NAME,
        "version": domain.eas_version,
        "chainId": domain.chain_id,
        "verifyingContract": domain.eas,
    }


def read_package(document: bytes) -> OffchainAttestation:
    """The off-chain attestation in EAS's shareable package `document`, checked whole: its size, every field, its
    UID (recomputed) and its signature (the signer recovered must be the one it names). InputError naming the first
    thing wrong."""
    from eth_account import Account

    from .. import parsing

    if len(document) > MAX_PACKAGE:
        raise InputError(f"an off-chain attestation is at most {MAX_PACKAGE:,} bytes")
    try:
        package = parsing.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError("not an off-chain attestation: not UTF-8 JSON") from None
    sig = package.get("sig") if isinstance(package, dict) else None
    if not isinstance(sig, dict) or not isinstance(sig.get("message"), dict):
        raise InputError('not an off-chain attestation: EAS\'s package is {"sig": {…, "message": …}, "signer": …}')
    if sig.get("primaryType") != "Attest" or _strip(sig.get("types")) != {"Attest": ATTEST_TYPE}:
        raise InputError("not an off-chain attestation of EAS's version 2 (its EIP-712 type is not Attest v2)")
    message, domain_json = sig["message"], sig.get("domain")
    if _number(message.get("version"), 2**16, "version") != OFFCHAIN_VERSION or sig.get("version") not in (2, "2"):
        raise InputError("only version 2 of EAS's off-chain attestations (with a salt) is read here")
    if not isinstance(domain_json, dict) or domain_json.get("name") != DOMAIN_NAME:
        raise InputError('its EIP-712 domain is not "EAS Attestation"')
    eas_version = domain_json.get("version")
    if not isinstance(eas_version, str) or not 0 < len(eas_version) <= 32:
        raise InputError("its EIP-712 domain has no EAS version")
    domain = Domain(
        eas_version,
        _number(domain_json.get("chainId"), 2**256, "chain id"),
        _address(domain_json.get("verifyingContract"), "verifying contract"),
    )
    signature = sig.get("signature")
    if not isinstance(signature, dict):
        raise InputError("it carries no signature {v, r, s}")
    v = _number(signature.get("v"), 256, "signature v")
    attestation = OffchainAttestation(
        domain,
        _hex(message.get("schema"), "schema", 32),
        _address(message.get("recipient"), "recipient"),
        _number(message.get("time"), _UINT64, "time"),
        _number(message.get("expirationTime"), _UINT64, "expiration time"),
        _boolean(message.get("revocable")),
        _hex(message.get("refUID"), "refUID", 32),
        _hex(message.get("data"), "data", None),
        _hex(message.get("salt"), "salt", 32),
        (v, _hex(signature.get("r"), "signature r", 32), _hex(signature.get("s"), "signature s", 32)),
        _address(package.get("signer"), "signer"),
    )
    if sig.get("uid") != "0x" + attestation.uid.hex():
        raise InputError("its UID is not the one its fields give")
    try:
        recovered = Account.recover_message(_signable(attestation), vrs=attestation.signature)
    except Exception:  # a malformed or out-of-range signature: eth-keys raises several kinds
        raise InputError("its signature is not a valid signature") from None
    if recovered.lower() != attestation.attester.lower():
        raise InputError(f"its signature is by {recovered}, not by the signer it names ({attestation.attester})")
    return attestation


def _strip(types: Any) -> Any:
    """The package's EIP-712 types without the domain's (which some writers include)."""
    return {k: v for k, v in types.items() if k != "EIP712Domain"} if isinstance(types, dict) else None


def _number(value: Any, bound: int, what: str) -> int:
    """A whole number below `bound`, written as a JSON number or as decimal text (EAS's SDK writes big integers as
    text)."""
    if isinstance(value, bool):
        raise InputError(f"its {what} is not a whole number")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 80:
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < bound:
        raise InputError(f"its {what} is not a whole number in range")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError("its revocable field is not true or false")
    return value


def _hex(value: Any, what: str, size: int | None) -> bytes:
    """0x-prefixed lowercase hex of `size` bytes (any size when None)."""
    if not isinstance(value, str) or not value.startswith("0x") or value != value.lower():
        raise InputError(f"its {what} is not 0x and lowercase hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise InputError(f"its {what} is not 0x and lowercase hex") from None
    if size is not None and len(raw) != size:
        raise InputError(f"its {what} is not {size} bytes")
    return raw


def _address(value: Any, what: str) -> str:
    from ..names import checksum_address

    if not isinstance(value, str):
        raise InputError(f"its {what} is not an address")
    return checksum_address(value, f"its {what}")


def encode_anchor(uid: bytes, cid: str) -> bytes:
    """An anchor's data: the off-chain attestation's UID and its package's CID."""
    from eth_abi import encode

    return encode(["bytes32", "string"], [uid, cid])


def decode_anchor(data: bytes) -> tuple[bytes, str]:
    """(UID, CID) from an anchor's data; InputError for data that is not that (or a CID text that is not one)."""
    from eth_abi import decode

    from ..ipfs.blockcid import normalize_cid

    try:
        uid, cid = decode(["bytes32", "string"], data)
    except Exception:  # eth-abi raises several kinds on malformed data
        raise InputError("the anchor's data is not an off-chain attestation's UID and CID") from None
    if not isinstance(cid, str) or not 0 < len(cid) <= MAX_CID_TEXT:
        raise InputError("the anchor's CID is not a CID")
    return bytes(uid), normalize_cid(cid)
