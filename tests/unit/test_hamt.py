"""HAMT slots (`deai_gov.ipfs.hamt`): murmur3 x64 64 of the name, 8 bits a level, rehashed past 64 bits."""

from __future__ import annotations

import mmh3
import pytest

from deai_gov.errors import UnixFSError
from deai_gov.ipfs.blockcid import RAW, block_cid
from deai_gov.ipfs.hamt import build_shard, shard_entries, slot
from deai_gov.ipfs.unixfs import Link, NodeType, decode_node


def h1(data: bytes) -> bytes:
    """The first 64 bits of murmur3 x64 128, big-endian: what the JS importer and Kubo hash names with."""
    return mmh3.hash64(data, x64arch=True, signed=False)[0].to_bytes(8, "big")


@pytest.mark.parametrize("name", ["a", "model.safetensors", "é"])
def test_slots_read_the_hash_a_byte_a_level_then_rehash(name: str) -> None:
    first, second = h1(name.encode()), h1(name.encode() + b"\x01")
    assert [slot(name, level) for level in range(8)] == list(first)
    assert [slot(name, level) for level in range(8, 16)] == list(second)
    # a fanout of 16 reads 4 bits a level, most significant first
    assert [slot(name, level, 16) for level in range(4)] == [first[0] >> 4, first[0] & 15, first[1] >> 4, first[1] & 15]


def test_known_slot_of_a_name() -> None:
    """`a` hashes to 85 55 55 65 f6 59 78 89 (checked with @multiformats/murmur3's murmur3128)."""
    assert [slot("a", level) for level in range(3)] == [0x85, 0x55, 0x55]


def test_a_built_shard_lists_its_entries_back() -> None:
    blocks: dict[bytes, bytes] = {}
    entries = [(f"file-{i}", Link(block_cid(RAW, str(i).encode()), "", 1)) for i in range(600)]
    root, tsize = build_shard(entries, lambda cid, block: blocks.__setitem__(cid, block))
    node = decode_node(blocks[root])
    assert node.type == NodeType.HAMT_SHARD and node.fanout == 256 and node.hash_type == 0x22
    listed = dict(shard_entries(node, lambda cid: decode_node(blocks[cid]), where="test", max_nodes=600))
    assert listed == {name: link.cid for name, link in entries}
    assert tsize == sum(len(block) for block in blocks.values()) + 600  # blocks plus the 600 one-byte files
    with pytest.raises(UnixFSError, match="more sub-shards than entries"):
        list(shard_entries(node, lambda cid: decode_node(blocks[cid]), where="test", max_nodes=1))
