"""CAR v1 (Content Addressable aRchive): write and read streams of blocks, verifying every block on read.

    varint(len(header)) header(dag-cbor {"roots": [CID...], "version": 1})
    then per block: varint(len(cid) + len(data)) cid data

The header uses the `dag-cbor` library; varints and header CIDs come from `multiformats`. Block CIDs are
binary (see `blockcid`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from ..errors import CarError
from .blockcid import BlockCid, is_valid, matches, sha256_digest, to_text


class CarWriter:
    """Write a CAR v1 to a binary stream, one block at a time."""

    def __init__(self, stream: IO[bytes], roots: list[BlockCid]):
        self._stream = stream
        self._start = stream.tell() if stream.seekable() else None
        self._header = self._encode_header(roots)
        stream.write(self._header)
        self._position = (self._start or 0) + len(self._header)

    @staticmethod
    def _encode_header(roots: list[BlockCid]) -> bytes:
        import dag_cbor
        from multiformats import CID, varint

        header = dag_cbor.encode({"roots": [CID.decode(root) for root in roots], "version": 1})
        return bytes(varint.encode(len(header))) + header

    def replace_roots(self, roots: list[BlockCid]) -> None:
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

    def put(self, cid: BlockCid, data: bytes) -> int:
        """Append one block; return the stream offset of its data (where a reader finds its bytes)."""
        from multiformats import varint

        length_prefix = varint.encode(len(cid) + len(data))
        self._stream.write(length_prefix)
        self._stream.write(cid)
        self._stream.write(data)
        offset = self._position + len(length_prefix) + len(cid)
        self._position = offset + len(data)
        return offset


#: The largest block accepted from anyone (the trustless gateway spec and Kubo's bitswap limit: 2 MiB).
MAX_BLOCK = 2 * 1024 * 1024
#: A section is a CID (at most a few hundred bytes in practice) and a block: anything longer is refused before it is
#: read, so a hostile length prefix cannot make the reader buffer gigabytes.
MAX_FRAME = MAX_BLOCK + 1024


def verify_block(cid: BlockCid, data: bytes) -> None:
    """Raise CarError unless `data` hashes to the digest in `cid` (sha2-256 only)."""
    if sha256_digest(cid) is None:
        raise CarError(f"block {to_text(cid)} does not use sha2-256; only sha2-256 blocks are accepted")
    if not matches(cid, data):
        raise CarError(f"block {to_text(cid)} does not match its CID: its bytes hash to something else")


def read_car(stream: IO[bytes]) -> tuple[list[BlockCid], Iterator[tuple[BlockCid, bytes]]]:
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
    return [bytes(root) for root in roots if isinstance(root, CID)], _blocks(stream)


def _blocks(stream: IO[bytes]) -> Iterator[tuple[BlockCid, bytes]]:
    from multiformats import varint

    while (frame := _read_frame(stream)) is not None:
        view = memoryview(frame)
        if len(frame) < 4:
            raise CarError("a CAR section is too short to start with a CID")
        if frame[0] == 0x12:  # CIDv0: a bare sha2-256 multihash, 34 bytes
            cid_length = 34
        elif frame[0] == 0x01 and frame[1] < 0x80 and frame[2:4] == b"\x12\x20":  # CIDv1, one-byte codec, sha2-256
            cid_length = 36
        else:
            try:
                _, version_length, _ = varint.decode_raw(view)
                _, codec_length, _ = varint.decode_raw(view[version_length:])
                offset = version_length + codec_length
                _, code_length, _ = varint.decode_raw(view[offset:])
                digest_size, size_length, _ = varint.decode_raw(view[offset + code_length :])
                cid_length = offset + code_length + size_length + digest_size
            except Exception:
                raise CarError("a CAR section does not start with a valid CID") from None
        cid = bytes(view[:cid_length])
        if not is_valid(cid):
            raise CarError("a CAR section does not start with a valid CID")
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
    if length == 0:
        raise CarError("the CAR stream holds an empty section (no CID)")
    if length > MAX_FRAME:
        raise CarError(f"a CAR section declares {length:,} bytes; blocks over {MAX_BLOCK:,} bytes are refused unread")
    data = stream.read(length)
    if len(data) != length:
        raise CarError("the CAR stream is truncated")
    return data
