"""CAR v1 (Content Addressable aRchive): write and read streams of blocks, verifying every block on read.

    varint(len(header)) header(dag-cbor {"roots": [CID...], "version": 1})
    then per block: varint(len(cid) + len(data)) cid data

The header uses the `dag-cbor` library; CIDs and varints come from `multiformats`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from .errors import DeaiGovError

if TYPE_CHECKING:
    from multiformats import CID


class CarError(DeaiGovError):
    """A CAR stream is malformed, or one of its blocks does not match its CID."""


class CarWriter:
    """Write a CAR v1 to a binary stream, one block at a time."""

    def __init__(self, stream: IO[bytes], roots: list[CID]):
        self._stream = stream
        self._start = stream.tell() if stream.seekable() else None
        self._header = self._encode_header(roots)
        stream.write(self._header)

    @staticmethod
    def _encode_header(roots: list[CID]) -> bytes:
        import dag_cbor
        from multiformats import varint

        header = dag_cbor.encode({"roots": list(roots), "version": 1})
        return bytes(varint.encode(len(header))) + header

    def replace_roots(self, roots: list[CID]) -> None:
        """Rewrite the header in place, for roots only known once every block is written. The new header must
        have the same length (e.g. one CIDv1 sha2-256 root replacing another), and the stream be seekable."""
        header = self._encode_header(roots)
        if self._start is None or len(header) != len(self._header):
            raise CarError("the CAR header cannot be rewritten in place")
        end = self._stream.tell()
        self._stream.seek(self._start)
        self._stream.write(header)
        self._stream.seek(end)
        self._header = header

    def put(self, cid: CID, data: bytes) -> None:
        from multiformats import varint

        raw_cid = bytes(cid)
        self._stream.write(varint.encode(len(raw_cid) + len(data)))
        self._stream.write(raw_cid)
        self._stream.write(data)


def verify_block(cid: CID, data: bytes) -> None:
    """Raise CarError unless `data` hashes to the digest in `cid` (sha2-256 only)."""
    if cid.hashfun.name != "sha2-256":
        raise CarError(f"block {cid.set(base='base32')} uses {cid.hashfun.name}; only sha2-256 blocks are accepted")
    if hashlib.sha256(data).digest() != bytes(cid.raw_digest):
        raise CarError(f"block {cid.set(base='base32')} does not match its CID: its bytes hash to something else")


def read_car(stream: IO[bytes]) -> tuple[list[CID], Iterator[tuple[CID, bytes]]]:
    """Roots of a CAR v1 and an iterator over its blocks, each verified against its CID as it is read."""
    import dag_cbor

    header_bytes = _read_frame(stream)
    if header_bytes is None:
        raise CarError("empty CAR stream")
    try:
        header = dag_cbor.decode(header_bytes)
    except Exception:
        raise CarError("the CAR header is not valid dag-cbor") from None
    from multiformats import CID

    roots = header.get("roots") if isinstance(header, dict) else None
    if not isinstance(header, dict) or header.get("version") != 1 or not isinstance(roots, list):
        raise CarError("not a CAR v1 header")
    if not all(isinstance(root, CID) for root in roots):
        raise CarError("the CAR header's roots are not all CIDs")
    return [root for root in roots if isinstance(root, CID)], _blocks(stream)


def _blocks(stream: IO[bytes]) -> Iterator[tuple[CID, bytes]]:
    from multiformats import CID, varint

    while (frame := _read_frame(stream)) is not None:
        view = memoryview(frame)
        try:
            if frame[0] == 0x12:  # a CIDv0: bare sha2-256 multihash, 34 bytes
                cid_length = 34
            else:
                _, version_length, _ = varint.decode_raw(view)
                _, codec_length, _ = varint.decode_raw(view[version_length:])
                offset = version_length + codec_length
                _, code_length, _ = varint.decode_raw(view[offset:])
                digest_size, size_length, _ = varint.decode_raw(view[offset + code_length :])
                cid_length = offset + code_length + size_length + digest_size
            cid = CID.decode(bytes(view[:cid_length]))
        except Exception:
            raise CarError("a CAR section does not start with a valid CID") from None
        data = bytes(view[cid_length:])
        verify_block(cid, data)
        yield cid, data


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """One varint-length-prefixed frame, or None at a clean end of stream."""
    from multiformats import varint

    prefix = stream.read(1)
    if not prefix:
        return None
    while prefix[-1] & 0x80:
        more = stream.read(1)
        if not more or len(prefix) > 9:
            raise CarError("the CAR stream ends inside a length prefix")
        prefix += more
    length = varint.decode(prefix)
    data = stream.read(length)
    if len(data) != length:
        raise CarError("the CAR stream is truncated")
    return data
