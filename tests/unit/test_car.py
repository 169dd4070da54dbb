"""CAR v1 streams from peers (`deai_gov.ipfs.car`): every section is bounded before it is read."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multiformats import varint

from deai_gov.errors import CarError
from deai_gov.ipfs.blockcid import RAW, block_cid
from deai_gov.ipfs.car import MAX_BLOCK, MAX_FRAME, CarWriter, _read_length, read_car


class CountingStream(io.BytesIO):
    """A stream that records how many bytes were asked of it at most in one read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.largest_read = 0

    def read(self, size: int | None = -1) -> bytes:
        self.largest_read = max(self.largest_read, size if size is not None and size >= 0 else 1 << 62)
        return super().read(size)


def car_with_sections(*sections: bytes) -> bytes:
    """A CAR v1 with one root and the given raw sections (each written with its varint length prefix)."""
    root = block_cid(RAW, b"root")
    out = io.BytesIO()
    CarWriter(out, [root])
    return out.getvalue() + b"".join(varint.encode(len(s)) + s for s in sections)


def test_a_valid_car_round_trips() -> None:
    block = b"hello"
    cid = block_cid(RAW, block)
    roots, blocks = read_car(io.BytesIO(car_with_sections(cid + block)))
    assert roots == [block_cid(RAW, b"root")] and list(blocks) == [(cid, block)]


def test_a_huge_length_prefix_is_refused_before_reading() -> None:
    header = car_with_sections()
    stream = CountingStream(header + varint.encode(2**62) + b"x" * 100)
    _, blocks = read_car(stream)
    with pytest.raises(CarError, match="refused unread"):
        list(blocks)
    assert stream.largest_read <= 1024  # the reader never asked for the declared length


def test_a_block_just_over_the_limit_is_refused_and_one_at_the_limit_read() -> None:
    at_limit = b"\x00" * MAX_BLOCK
    cid = block_cid(RAW, at_limit)
    _, blocks = read_car(io.BytesIO(car_with_sections(cid + at_limit)))
    assert [c for c, _ in blocks] == [cid]
    over = b"\x00" * (MAX_BLOCK + 2048)
    _, blocks = read_car(io.BytesIO(car_with_sections(block_cid(RAW, over) + over)))
    with pytest.raises(CarError, match="refused unread"):
        list(blocks)


@pytest.mark.parametrize("section", [b"", b"\x01", b"\x12\x20", b"\x01\x55\x12"])
def test_empty_or_short_sections_are_car_errors(section: bytes) -> None:
    _, blocks = read_car(io.BytesIO(car_with_sections(section)))
    with pytest.raises(CarError):
        list(blocks)


def cid_with_codec(codec: int, data: bytes) -> bytes:
    """A CIDv1 of `data` (sha2-256) with any codec, its varint possibly longer than one byte."""
    import hashlib

    return b"\x01" + varint.encode(codec) + b"\x12\x20" + hashlib.sha256(data).digest()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["v0", 0x55, 0x70, 0x71, 0x0129]), st.binary(max_size=3000)),
        max_size=8,
    )
)
def test_any_valid_car_reads_back_block_for_block(blocks: list[tuple[str | int, bytes]]) -> None:
    """Sections whose CID is a bare multihash (v0), has a one-byte codec (the fast path) or a longer one, with
    blocks from empty to a few KiB: every block comes back as it was written, with its CID."""
    import hashlib

    sections = []
    for kind, data in blocks:
        cid = b"\x12\x20" + hashlib.sha256(data).digest() if kind == "v0" else cid_with_codec(int(kind), data)
        sections.append((cid, data))
    _, read = read_car(io.BytesIO(car_with_sections(*(cid + data for cid, data in sections))))
    assert [(cid, bytes(data)) for cid, data in read] == sections


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=MAX_FRAME))
def test_length_prefixes_decode_as_the_multiformats_decoder_does(length: int) -> None:
    assert _read_length(io.BytesIO(varint.encode(length))) == varint.decode(varint.encode(length)) == length


@pytest.mark.parametrize(
    ("prefix", "error"),
    [
        (b"\x85\x00", "not minimally encoded"),
        (b"\xff" * 9 + b"\x01", "longer than 9 bytes"),
        (b"\x80\x80", "ends inside a length prefix"),
    ],
)
def test_malformed_length_prefixes_are_car_errors(prefix: bytes, error: str) -> None:
    with pytest.raises(CarError, match=error):
        _read_length(io.BytesIO(prefix))
