"""Content identifiers as the registry stores them.

The registry keeps a CID in binary: CIDv1, a one-byte multicodec and a sha2-256 multihash, 36 bytes. Text
CIDs (any multibase; CIDv0 `Qm...` is the same multihash with the dag-pb codec) are converted here, through
the `multiformats` library, and shown back as base32 CIDv1 (`bafy...`, `bafk...`).
"""

from __future__ import annotations

from .errors import InputError

BINARY_CID_LENGTH = 36


def cid_to_bytes(cid: str | bytes) -> bytes:
    """The 36-byte binary CIDv1 of `cid`; raise InputError when the registry could not store it."""
    from multiformats import CID

    try:
        parsed = CID.decode(cid)
    except Exception:
        shown = cid if isinstance(cid, str) else "0x" + cid.hex()
        raise InputError(f"{shown!r} is not a valid CID") from None
    if parsed.hashfun.name != "sha2-256" or len(parsed.raw_digest) != 32:
        raise InputError(f"{parsed} uses {parsed.hashfun.name}; the registry accepts sha2-256 CIDs only")
    if parsed.codec.code >= 0x80:
        raise InputError(f"{parsed} has codec {parsed.codec.name}; the registry accepts one-byte codecs only")
    binary = bytes(parsed.set(version=1))
    assert len(binary) == BINARY_CID_LENGTH
    return binary


def cid_to_text(binary: bytes) -> str:
    """The base32 CIDv1 text of a binary CID (multibase prefix `b`, RFC 4648 base32, lower case, no padding)."""
    binary = bytes(binary)
    if binary[:1] == b"\x01":  # CIDv1: the text is the multibase encoding of the bytes (registry reads hit this)
        import base64

        return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")
    from multiformats import CID

    return str(CID.decode(binary).set(base="base32"))


def normalize_cid(cid: str) -> str:
    """`cid` as base32 CIDv1 text, validated as storable."""
    return cid_to_text(cid_to_bytes(cid))


def raw_block_cid(data: bytes) -> str:
    """The CID of `data` as one raw block: what `ipfs add --cid-version 1 --raw-leaves` gives a file of at most
    one chunk (256 KiB). Larger files and folders need the UnixFS importer."""
    import hashlib

    from multiformats import CID, multihash

    return str(CID("base32", 1, "raw", multihash.wrap(hashlib.sha256(data).digest(), "sha2-256")))
