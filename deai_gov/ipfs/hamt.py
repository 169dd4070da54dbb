"""HAMT-sharded UnixFS folders (the UnixFS spec's HAMTDirectory), built and read.

A folder too large for one block is split by the hash of each entry's name: murmur3-x64-64 (multicodec 0x22;
the first 64 bits of murmur3 x64 128, big-endian) read 8 bits a level for a fanout of 256. A shard node's links
are named by the slot as two upper-case hex digits, followed by the entry's name for an entry, alone for a
sub-shard holding the entries that share that slot. Its UnixFS data holds the bitmap of used slots (big-endian,
leading zero bytes left out), the hash type and the fanout. When the hash runs out (past 64 bits), the name with
one more byte appended (1, 2, ...) is hashed again. This is what Kubo (boxo) and the JS importer build, so the
same folder gives the same CID.

Reading checks every shard as hostile input: known hash type, a power-of-two fanout, link names of the right
form, each entry in the slot its name hashes to, the bitmap equal to the slots used, and a bounded depth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..errors import UnixFSError
from .blockcid import DAG_PB, BlockCid, block_cid, codec_of
from .unixfs import Link, Node, NodeType, encode_node, encode_unixfs

MURMUR3_X64_64 = 0x22
#: More levels than 2^64 names could ever need: a deeper shard is malformed.
MAX_SHARD_DEPTH = 16
MAX_FANOUT = 1024

#: Receives every block as it is made: (binary CID, bytes).
BlockSink = Callable[[BlockCid, bytes], object]


def _hash_bits(name: str, start: int, count: int) -> int:
    """Bits [start, start + count) of the name's hash stream: the murmur3 x64 64 of the name, then of the name
    followed by byte 1, 2, ..., each 64 bits big-endian, most significant bit first."""
    import mmh3

    data = name.encode()
    value = 0
    taken = 0
    position = start
    while taken < count:
        buffer, offset = divmod(position, 64)
        h1, _ = mmh3.hash64(data if buffer == 0 else data + bytes([buffer]), x64arch=True, signed=False)
        take = min(count - taken, 64 - offset)
        value = value << take | (h1 >> (64 - offset - take)) & ((1 << take) - 1)
        taken += take
        position += take
    return value


def slot(name: str, level: int, fanout: int = 256) -> int:
    """The slot of `name` in a shard `level` levels below the folder's root shard."""
    bits = fanout.bit_length() - 1
    return _hash_bits(name, level * bits, bits)


def _label_width(fanout: int) -> int:
    return len(f"{fanout - 1:X}")


def _bitmap_bytes(slots: set[int]) -> bytes:
    bitmap = sum(1 << index for index in slots)
    return bitmap.to_bytes(max(1, (bitmap.bit_length() + 7) // 8), "big")


def build_shard(entries: list[tuple[str, Link]], sink: BlockSink, *, fanout: int = 256) -> tuple[BlockCid, int]:
    """The HAMT shard of a folder's entries ((name, link to the entry) pairs); every block goes to `sink`.
    Returns the root shard's CID and the cumulative size of the DAG under it."""
    width = _label_width(fanout)

    def build(items: list[tuple[str, Link]], level: int) -> tuple[BlockCid, int]:
        if level >= MAX_SHARD_DEPTH:
            raise UnixFSError(f"{len(items)} names share a {level * 8}-bit hash prefix; cannot shard them")
        slots: dict[int, list[tuple[str, Link]]] = {}
        for name, link in items:
            slots.setdefault(slot(name, level, fanout), []).append((name, link))
        links = []
        for index in sorted(slots):
            group = slots[index]
            label = f"{index:0{width}X}"
            if len(group) == 1:
                name, link = group[0]
                links.append(Link(link.cid, label + name, link.tsize))
            else:
                cid, tsize = build(group, level + 1)
                links.append(Link(cid, label, tsize))
        data = encode_unixfs(
            NodeType.HAMT_SHARD, data=_bitmap_bytes(set(slots)), hash_type=MURMUR3_X64_64, fanout=fanout
        )
        block = encode_node(links, data)
        cid = block_cid(DAG_PB, block)
        sink(cid, block)
        return cid, len(block) + sum(link.tsize for link in links)

    return build(entries, 0)


def shard_entries(
    root: Node, fetch_node: Callable[[BlockCid], Node], *, where: str, max_nodes: int
) -> Iterator[tuple[str, BlockCid]]:
    """The (name, CID) of every entry of the sharded folder whose root shard is `root`, in link order, reading
    sub-shards with `fetch_node`. UnixFSError on any malformed shard; at most `max_nodes` sub-shards are read."""
    fanout = _check_shard(root, where)
    width = _label_width(fanout)
    stack: list[tuple[Iterator[Link], int]] = [(iter(root.links), 0)]
    read = 0
    while stack:
        links, level = stack[-1]
        link = next(links, None)
        if link is None:
            stack.pop()
            continue
        label, name = link.name[:width], link.name[width:]
        try:
            index = int(label, 16)
        except ValueError:
            raise UnixFSError(f"{where}: shard link {link.name!r} does not start with a slot number") from None
        if label != f"{index:0{width}X}" or index >= fanout:
            raise UnixFSError(f"{where}: shard link {link.name!r} does not start with a slot number")
        if name:
            if slot(name, level, fanout) != index:
                raise UnixFSError(f"{where}: entry {name!r} is in slot {index}, not where its name hashes to")
            yield name, link.cid
            continue
        read += 1
        if read > max_nodes:
            raise UnixFSError(f"{where}: the sharded folder has more sub-shards than entries it could hold")
        if level + 1 >= MAX_SHARD_DEPTH or codec_of(link.cid) != DAG_PB:
            raise UnixFSError(f"{where}: malformed sub-shard {link.name!r}")
        child = fetch_node(link.cid)
        if _check_shard(child, where) != fanout:
            raise UnixFSError(f"{where}: a sub-shard has another fanout than its parent")
        stack.append((iter(child.links), level + 1))


def _check_shard(node: Node, where: str) -> int:
    """The fanout of a HAMT shard node; UnixFSError unless it is a well-formed one."""
    if node.type != NodeType.HAMT_SHARD:
        raise UnixFSError(f"{where}: expected a HAMT shard, found a UnixFS {node.type.name.lower()}")
    if node.hash_type != MURMUR3_X64_64:
        raise UnixFSError(f"{where}: HAMT hash type {node.hash_type} is not murmur3-x64-64 (0x22)")
    fanout = node.fanout or 0
    if fanout < 2 or fanout > MAX_FANOUT or fanout & (fanout - 1):
        raise UnixFSError(f"{where}: HAMT fanout {fanout} is not a power of two up to {MAX_FANOUT}")
    width = _label_width(fanout)
    slots = set()
    for link in node.links:
        try:
            slots.add(int(link.name[:width], 16))
        except ValueError:
            raise UnixFSError(f"{where}: shard link {link.name!r} does not start with a slot number") from None
    if len(slots) != len(node.links) or int.from_bytes(node.data, "big") != sum(1 << index for index in slots):
        raise UnixFSError(f"{where}: the shard's bitmap does not match its links")
    return fanout
