"""UnixFS over dag-pb: the block format IPFS uses for files and folders, encoded and decoded here.

No maintained Python encoder exists, so this module is the project's own, kept to what the importer needs and
checked in the tests against real IPFS nodes and known CIDs. Protobuf wire format, per the dag-pb spec:

    PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }   (Links are written before Data)
    PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
    UnixFS Data { Type = 1; optional bytes Data = 2; optional uint64 filesize = 3; repeated uint64 blocksizes = 4;
                  optional uint64 hashType = 5; optional uint64 fanout = 6; }     (the last two: HAMT shards)

CIDs are binary (see `blockcid`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from ..errors import UnixFSError
from .blockcid import DAG_PB, RAW, BlockCid, is_valid

__all__ = ["DAG_PB", "RAW", "Link", "Node", "NodeType", "decode_node", "encode_node", "encode_unixfs"]


class NodeType(IntEnum):
    RAW = 0
    DIRECTORY = 1
    FILE = 2
    METADATA = 3
    SYMLINK = 4
    HAMT_SHARD = 5


@dataclass(frozen=True)
class Link:
    """A dag-pb link: child CID, name (empty inside files) and the child's cumulative DAG size."""

    cid: BlockCid
    name: str
    tsize: int


@dataclass(frozen=True)
class Node:
    """A decoded dag-pb node with its UnixFS data."""

    links: tuple[Link, ...]
    type: NodeType
    data: bytes = b""
    filesize: int | None = None
    blocksizes: tuple[int, ...] = field(default_factory=tuple)
    hash_type: int | None = None
    fanout: int | None = None


# ----------------------------------------------------------------------------- protobuf primitives


# Protobuf varints (unsigned LEB128). multiformats' varint functions validate their arguments at run time and
# made decoding a 1 GiB DAG spend more time in validation than in hashing, so these few lines stay local.
def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field_number: int, wire_type: int) -> bytes:
    return _varint(field_number << 3 | wire_type)


def _bytes_field(field_number: int, value: bytes) -> bytes:
    return _key(field_number, 2) + _varint(len(value)) + value


def _int_field(field_number: int, value: int) -> bytes:
    return _key(field_number, 0) + _varint(value)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(buf) and shift <= 63:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise UnixFSError("truncated or oversized protobuf varint")


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) pairs of a protobuf message with only varint and length-delimited fields."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos)
            out.append((number, value))
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            if pos + length > len(buf):
                raise UnixFSError("truncated protobuf field")
            out.append((number, buf[pos : pos + length]))
            pos += length
        else:
            raise UnixFSError(f"unexpected protobuf wire type {wire}")
    return out


# ----------------------------------------------------------------------------- encoding


def encode_unixfs(
    node_type: NodeType,
    *,
    data: bytes = b"",
    filesize: int | None = None,
    blocksizes: tuple[int, ...] = (),
    hash_type: int | None = None,
    fanout: int | None = None,
) -> bytes:
    out = _int_field(1, node_type)
    if data:
        out += _bytes_field(2, data)
    if filesize is not None:
        out += _int_field(3, filesize)
    for size in blocksizes:
        out += _int_field(4, size)
    if hash_type is not None:
        out += _int_field(5, hash_type)
    if fanout is not None:
        out += _int_field(6, fanout)
    return out


def encode_node(links: list[Link] | tuple[Link, ...], unixfs_data: bytes) -> bytes:
    """A dag-pb block: links first (each with Hash, Name and Tsize), then Data."""
    out = bytearray()
    for link in links:
        body = _bytes_field(1, link.cid) + _bytes_field(2, link.name.encode()) + _int_field(3, link.tsize)
        out += _bytes_field(2, body)
    out += _bytes_field(1, unixfs_data)
    return bytes(out)


# ----------------------------------------------------------------------------- decoding


def decode_node(block: bytes) -> Node:
    """Decode a dag-pb block carrying UnixFS data; raise UnixFSError on anything malformed."""
    links: list[Link] = []
    data: bytes | None = None
    for number, value in _fields(block):
        if number == 2 and isinstance(value, bytes):
            cid, name, tsize = None, "", 0
            for link_number, link_value in _fields(value):
                if link_number == 1 and isinstance(link_value, bytes):
                    if not is_valid(link_value):
                        raise UnixFSError("a link holds an invalid CID")
                    cid = link_value
                elif link_number == 2 and isinstance(link_value, bytes):
                    name = link_value.decode("utf-8", errors="strict")
                elif link_number == 3 and isinstance(link_value, int):
                    tsize = link_value
            if cid is None:
                raise UnixFSError("a link has no CID")
            links.append(Link(cid, name, tsize))
        elif number == 1 and isinstance(value, bytes):
            data = value
        else:
            raise UnixFSError(f"unexpected dag-pb field {number}")
    if data is None:
        raise UnixFSError("dag-pb node without UnixFS data")
    node_type, payload, filesize, blocksizes = None, b"", None, []
    hash_type: int | None = None
    fanout: int | None = None
    for number, value in _fields(data):
        if number == 1 and isinstance(value, int):
            node_type = value
        elif number == 2 and isinstance(value, bytes):
            payload = value
        elif number == 3 and isinstance(value, int):
            filesize = value
        elif number == 4 and isinstance(value, int):
            blocksizes.append(value)
        elif number == 5 and isinstance(value, int):
            hash_type = value
        elif number == 6 and isinstance(value, int):
            fanout = value
    try:
        kind = NodeType(node_type if node_type is not None else -1)
    except ValueError:
        raise UnixFSError(f"unknown UnixFS node type {node_type}") from None
    return Node(tuple(links), kind, payload, filesize, tuple(blocksizes), hash_type, fanout)
