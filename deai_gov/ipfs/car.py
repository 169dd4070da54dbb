"""CAR v1 (Content Addressable aRchive): write and read streams of blocks, verifying every block on read.

    varint(len(header)) header(dag-cbor {"roots": [CID...], "version": 1})
    then per block: varint(len(cid) + len(data)) cid data

The header uses the `dag-cbor` library; varints and header CIDs come from `multiformats`. Block CIDs are
binary (see `blockcid`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, cast

from ..errors import CarError
from .blockcid import RAW, BlockCid, codec_of, is_valid, matches, sha256_digest, to_text


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


def verify_block(cid: BlockCid, data: bytes | bytearray) -> None:
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
    except Exception:  # hostile bytes: dag_cbor raises a family of its own per malformed part
        raise CarError("the CAR header is not valid dag-cbor") from None
    from multiformats import CID

    roots = header.get("roots") if isinstance(header, dict) else None
    if not isinstance(header, dict) or header.get("version") != 1 or not isinstance(roots, list):
        raise CarError("not a CAR v1 header")
    if not all(isinstance(root, CID) for root in roots):
        raise CarError("the CAR header's roots are not all CIDs")
    return [bytes(root) for root in roots if isinstance(root, CID)], _blocks(stream)


def _blocks(stream: IO[bytes]) -> Iterator[tuple[BlockCid, bytes]]:
    """Each section's CID and block, verified. A section is read with `readinto` straight into the buffer the
    block is returned in: a 1 GiB model streams through without a copy of its bytes beyond the socket's."""
    while (length := _read_length(stream)) is not None:
        head = _read_exact(stream, min(length, _FAST_CID))
        if head[0] == 0x12 and len(head) >= 34:  # CIDv0: a bare sha2-256 multihash, 34 bytes
            cid_length = 34
        elif len(head) == _FAST_CID and head[0] == 0x01 and head[1] < 0x80 and head[2:4] == b"\x12\x20":
            cid_length = _FAST_CID  # CIDv1 with a one-byte codec and sha2-256: every block our DAGs hold
        else:
            head += _read_exact(stream, length - len(head))
            cid_length = _cid_length(head)
        cid = bytes(head[:cid_length])
        if not is_valid(cid):
            raise CarError("a CAR section does not start with a valid CID")
        data = bytearray(length - cid_length)
        spill = len(head) - cid_length  # block bytes already read with the CID
        data[:spill] = head[cid_length:]
        _read_into(stream, memoryview(data)[spill:])
        verify_block(cid, data)
        # A raw leaf stays the bytearray it was read into: its readers hash it and write it, which a bytearray
        # serves as bytes would, without a copy of each leaf. Node blocks, small, become bytes for the decoders.
        yield cid, (cast(bytes, data) if codec_of(cid) == RAW else bytes(data))


#: The length of a CIDv1 with a one-byte codec and a sha2-256 digest.
_FAST_CID = 36


def _cid_length(frame: bytearray) -> int:
    """The length of the CID a section starts with, read from its varints."""
    from multiformats import varint

    view = memoryview(frame)
    try:
        _, version_length, _ = varint.decode_raw(view)
        _, codec_length, _ = varint.decode_raw(view[version_length:])
        offset = version_length + codec_length
        _, code_length, _ = varint.decode_raw(view[offset:])
        digest_size, size_length, _ = varint.decode_raw(view[offset + code_length :])
    except Exception:  # hostile bytes: multiformats' varint raises its own errors as well as ValueError
        raise CarError("a CAR section does not start with a valid CID") from None
    cid_length = offset + code_length + size_length + digest_size
    if cid_length > len(frame):
        raise CarError("a CAR section does not start with a valid CID")
    return int(cid_length)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """One varint-length-prefixed frame, or None at a clean end of stream."""
    length = _read_length(stream)
    return None if length is None else bytes(_read_exact(stream, length))


def _read_length(stream: IO[bytes]) -> int | None:
    """A section's length prefix (an unsigned varint, minimally encoded as the multiformats spec requires),
    checked against the limits; None at a clean end of stream. Decoded here, a byte at a time as it is read: the
    multiformats decoder validates its argument's types on every call, a cost paid per block of a stream."""
    length = 0
    for position in range(9):
        byte = stream.read(1)
        if not byte:
            if position == 0:
                return None
            raise CarError("the CAR stream ends inside a length prefix")
        value = byte[0]
        if value == 0 and position > 0:
            raise CarError("a CAR length prefix is not minimally encoded")
        length |= (value & 0x7F) << (7 * position)
        if not value & 0x80:
            break
    else:
        raise CarError("a CAR length prefix is longer than 9 bytes")
    if length == 0:
        raise CarError("the CAR stream holds an empty section (no CID)")
    if length > MAX_FRAME:
        raise CarError(f"a CAR section declares {length:,} bytes; blocks over {MAX_BLOCK:,} bytes are refused unread")
    return length


def _read_exact(stream: IO[bytes], size: int) -> bytearray:
    buffer = bytearray(size)
    _read_into(stream, memoryview(buffer))
    return buffer


def _read_into(stream: IO[bytes], view: memoryview) -> None:
    """Fill `view` from `stream`; CarError if the stream ends first."""
    filled = 0
    while filled < len(view):
        got = stream.readinto(view[filled:])  # type: ignore[attr-defined]
        if not got:
            raise CarError("the CAR stream is truncated")
        filled += got
