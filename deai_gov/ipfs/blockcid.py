"""CIDs: binary for the hot path of importing and verifying blocks, text only at the edges.

Parsing and formatting CIDs goes through the `multiformats` library, which validates every argument at run
time (~0.2 ms a call): fine for a root or a file, but 4,096 times per GiB it would cost more than hashing the
data. Inside the importer, the CAR code and the stores, a block's CID is therefore kept as its binary form
(`bytes`); the prefixes (version, codec, multihash code and length) come from `multiformats` once, and text is
made only at the edges (manifests, messages, node APIs) by `to_text`, the one way a CID becomes text.

The registry stores a CID in binary too: CIDv1, a one-byte multicodec and a sha2-256 multihash, 36 bytes.
`to_registry_bytes` converts any text CID (any multibase; CIDv0 `Qm...` is the same multihash with the dag-pb
codec) to that form, or says why the registry could not store it.
"""

from __future__ import annotations

import functools
import hashlib

from ..errors import InputError

#: A CID in binary form: CIDv1 (0x01, codec, multihash) or CIDv0 (a bare sha2-256 multihash).
BlockCid = bytes

#: Length of the binary CIDs the registry stores (CIDv1, one-byte codec, sha2-256 multihash).
REGISTRY_CID_LENGTH = 36

RAW = "raw"
DAG_PB = "dag-pb"
_SHA256_MULTIHASH = b"\x12\x20"  # sha2-256 code, 32-byte length


@functools.cache
def prefix(codec: str) -> bytes:
    """The 4 bytes before the digest of a CIDv1 with `codec` and a sha2-256 multihash."""
    from multiformats import CID, multihash

    whole = bytes(CID("base32", 1, codec, multihash.wrap(bytes(32), "sha2-256")))
    return whole[:-32]


@functools.cache
def _codec_by_prefix() -> dict[bytes, str]:
    return {prefix(codec): codec for codec in (RAW, DAG_PB, "dag-cbor", "dag-json")}


def block_cid(codec: str, block: bytes | bytearray | memoryview) -> BlockCid:
    """CIDv1 of `block` under `codec` with a sha2-256 multihash."""
    return prefix(codec) + hashlib.sha256(block).digest()


def codec_of(cid: BlockCid) -> str:
    """The codec name of a binary CID (`raw`, `dag-pb`, ...)."""
    if len(cid) == 34 and cid[:2] == _SHA256_MULTIHASH:
        return DAG_PB  # CIDv0
    known = _codec_by_prefix().get(cid[:4]) if len(cid) == 36 else None
    if known:
        return known
    from multiformats import CID

    return str(CID.decode(cid).codec.name)


def sha256_digest(cid: BlockCid) -> bytes | None:
    """The sha2-256 digest a CID commits to, or None if it uses another hash function."""
    if len(cid) == 34 and cid[:2] == _SHA256_MULTIHASH:
        return cid[2:]
    if len(cid) == 36 and cid[2:4] == _SHA256_MULTIHASH:
        return cid[4:]
    from multiformats import CID

    parsed = CID.decode(cid)
    return bytes(parsed.raw_digest) if parsed.hashfun.name == "sha2-256" else None


def matches(cid: BlockCid, data: bytes | bytearray) -> bool:
    """True when `data` hashes to the digest in `cid`."""
    digest = sha256_digest(cid)
    return digest is not None and hashlib.sha256(data).digest() == digest


def is_valid(cid: BlockCid) -> bool:
    """True when `cid` parses as a CID."""
    if (len(cid) == 36 and cid[0] == 1 and cid[2:4] == _SHA256_MULTIHASH) or (
        len(cid) == 34 and cid[:2] == _SHA256_MULTIHASH
    ):
        return True
    from multiformats import CID

    try:
        CID.decode(cid)
    except Exception:  # multiformats raises a family of its own (multibase, multicodec, CID): all mean no CID
        return False
    return True


def to_text(cid: BlockCid) -> str:
    """Text form: base32 for CIDv1 (`bafy...`), base58btc for CIDv0 (`Qm...`)."""
    cid = bytes(cid)
    if cid[:1] == b"\x01":  # CIDv1: the multibase-b (RFC 4648 base32, lower case, unpadded) encoding of the bytes
        import base64

        return "b" + base64.b32encode(cid).decode("ascii").lower().rstrip("=")
    from multiformats import CID

    parsed = CID.decode(cid)
    return str(parsed.set(base="base32")) if parsed.version == 1 else str(parsed)


def from_text(cid: str | BlockCid) -> BlockCid:
    """Binary form of a CID given as text (any multibase) or bytes; ValueError if it is not a CID."""
    from multiformats import CID

    try:
        return bytes(CID.decode(cid))
    except Exception:  # multiformats raises a family of its own (multibase, multicodec, CID): all mean no CID
        raise ValueError(f"{cid!r} is not a CID") from None


def to_registry_bytes(cid: str | bytes) -> bytes:
    """The 36-byte binary CIDv1 of `cid` the registry stores; InputError when the registry could not store it."""
    from multiformats import CID

    try:
        parsed = CID.decode(cid)
    except Exception:  # multiformats raises a family of its own (multibase, multicodec, CID): all mean no CID
        shown = cid if isinstance(cid, str) else "0x" + cid.hex()
        raise InputError(f"{shown!r} is not a valid CID") from None
    if parsed.hashfun.name != "sha2-256" or len(parsed.raw_digest) != 32:
        raise InputError(f"{parsed} uses {parsed.hashfun.name}; the registry accepts sha2-256 CIDs only")
    if parsed.codec.name not in (RAW, DAG_PB):
        raise InputError(
            f"{parsed} has codec {parsed.codec.name}; the registry accepts raw and dag-pb (UnixFS) CIDs only"
        )
    binary = bytes(parsed.set(version=1))
    assert len(binary) == REGISTRY_CID_LENGTH
    return binary


def normalize_cid(cid: str) -> str:
    """`cid` as base32 CIDv1 text, validated as storable in the registry."""
    return to_text(to_registry_bytes(cid))
