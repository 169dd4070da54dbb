"""Binary CIDs and their text forms (`deai_gov.ipfs.blockcid`), compared with the `multiformats` library."""

from __future__ import annotations

import hashlib
import os

import pytest
from multiformats import CID, multihash

from deai_gov.errors import InputError
from deai_gov.ipfs.blockcid import (
    REGISTRY_CID_LENGTH,
    block_cid,
    codec_of,
    from_text,
    matches,
    normalize_cid,
    to_registry_bytes,
    to_text,
)

CODECS = ["raw", "dag-pb", "dag-cbor", "dag-json", "dag-jose", "git-raw", "libp2p-key"]
TWO_BYTE_CODECS = ["dag-jose", "dag-json"]  # multicodecs 0x85 and 0x0129: varints of two bytes


def cid_of(data: bytes, codec: str = "raw", hasher: str = "sha2-256", version: int = 1) -> CID:
    """The CID multiformats makes for `data`."""
    base = "base58btc" if version == 0 else "base32"
    return CID(base, version, codec, multihash.digest(data, hasher))


def v0_of(data: bytes) -> CID:
    return cid_of(data, "dag-pb", version=0)


@pytest.mark.parametrize("codec", CODECS)
def test_to_text_of_a_cidv1_is_multiformats_base32(codec: str) -> None:
    for _ in range(5):
        cid = cid_of(os.urandom(64), codec)
        assert to_text(bytes(cid)) == str(cid)
        assert to_text(bytearray(bytes(cid))) == str(cid)


@pytest.mark.parametrize("hasher", ["blake2b-256", "sha2-512", "sha3-256", "identity"])
def test_to_text_of_a_cidv1_with_another_hash(hasher: str) -> None:
    cid = cid_of(b"some block", "raw", hasher)
    assert to_text(bytes(cid)) == str(cid)


def test_to_text_of_a_cidv0_is_base58() -> None:
    for _ in range(5):
        cid = v0_of(os.urandom(64))
        text = to_text(bytes(cid))
        assert text == str(cid) and text.startswith("Qm") and len(text) == 46


def test_block_cid_is_the_multiformats_cid() -> None:
    block = os.urandom(1000)
    for codec in ("raw", "dag-pb", "dag-cbor"):
        assert block_cid(codec, block) == bytes(cid_of(block, codec))
    assert block_cid("raw", memoryview(block)) == bytes(cid_of(block))


@pytest.mark.parametrize("base", ["base32", "base58btc", "base36", "base16", "base64"])
def test_from_text_reads_any_multibase(base: str) -> None:
    cid = cid_of(b"hello", "dag-pb")
    text = str(cid.set(base=base))
    assert from_text(text) == bytes(cid)


def test_from_text_of_a_cidv0_and_of_bytes() -> None:
    cid = v0_of(b"hello")
    assert from_text(str(cid)) == bytes(cid)
    assert len(from_text(str(cid))) == 34
    assert from_text(bytes(cid)) == bytes(cid)
    v1 = cid_of(b"hello", "raw")
    assert from_text(bytes(v1)) == bytes(v1)


@pytest.mark.parametrize(
    "text",
    ["", "hello", "Qm", "bafy", str(cid_of(b"x"))[:-5], "z" + "0" * 40, "Qm" + "0" * 44, b"\x01\x55", b"junk"],
)
def test_from_text_refuses_what_is_not_a_cid(text: str | bytes) -> None:
    with pytest.raises(ValueError, match="is not a CID"):
        from_text(text)


def test_to_registry_bytes_of_any_form() -> None:
    """Text in any base, CIDv0 text and binary all become the same 36-byte CIDv1."""
    data = os.urandom(32)
    v1 = cid_of(data, "dag-pb")
    v0 = v0_of(data)
    expected = bytes(v1)
    assert len(expected) == REGISTRY_CID_LENGTH == 36
    for form in (str(v1), str(v1.set(base="base58btc")), str(v1.set(base="base36")), str(v0), bytes(v0), expected):
        assert to_registry_bytes(form) == expected


@pytest.mark.parametrize("hasher", ["sha3-256", "sha2-512", "blake2b-256"])
def test_to_registry_bytes_refuses_other_hashes(hasher: str) -> None:
    """sha3-256 has a 32-byte digest too: the hash function is checked, not the length."""
    with pytest.raises(InputError, match=f"uses {hasher}; the registry accepts sha2-256 CIDs only"):
        to_registry_bytes(str(cid_of(b"model", "raw", hasher)))


def test_to_registry_bytes_refuses_a_keccak_cid() -> None:
    """CIDv1, raw (0x55), keccak-256 (multihash 0x1b), 32-byte digest: 36 bytes like a storable CID, yet refused."""
    cid = bytes([0x01, 0x55, 0x1B, 0x20]) + hashlib.sha256(b"model").digest()
    assert len(cid) == REGISTRY_CID_LENGTH
    with pytest.raises(InputError, match="uses keccak-256"):
        to_registry_bytes(cid)
    assert not matches(cid, b"model")


@pytest.mark.parametrize("codec", TWO_BYTE_CODECS)
def test_to_registry_bytes_refuses_two_byte_codecs(codec: str) -> None:
    cid = cid_of(b"model", codec)
    assert bytes(cid)[1] >= 0x80  # the codec's varint continues into a second byte
    with pytest.raises(InputError, match=f"has codec {codec}; the registry accepts raw and dag-pb"):
        to_registry_bytes(str(cid))
    with pytest.raises(InputError, match="raw and dag-pb"):
        to_registry_bytes(bytes(cid))


@pytest.mark.parametrize("code", [0x00, 0x01, 0x12, 0x71])
def test_to_registry_bytes_refuses_one_byte_codecs_of_no_unixfs_content(code: int) -> None:
    """identity, cidv1 and sha2-256 written as codecs, and dag-cbor: the registry refuses them as well (C4)."""
    cid = bytes([0x01, code, 0x12, 0x20]) + hashlib.sha256(b"model").digest()
    with pytest.raises(InputError, match="the registry accepts raw and dag-pb"):
        to_registry_bytes(cid)


@pytest.mark.parametrize("junk", ["junk", "Qm123", "bafy" + "a" * 55, " " + str(cid_of(b"x"))])
def test_to_registry_bytes_refuses_junk_text(junk: str) -> None:
    with pytest.raises(InputError, match="is not a valid CID") as excinfo:
        to_registry_bytes(junk)
    assert repr(junk) in str(excinfo.value)


def test_to_registry_bytes_refuses_junk_bytes_and_shows_them_in_hex() -> None:
    with pytest.raises(InputError, match="'0x6a756e6b' is not a valid CID"):
        to_registry_bytes(b"junk")
    truncated = bytes(cid_of(b"x"))[:-1]
    with pytest.raises(InputError, match="is not a valid CID"):
        to_registry_bytes(truncated)


def test_normalize_a_cidv0() -> None:
    """A CIDv0 is the dag-pb CIDv1 of the same multihash, written in base32."""
    for _ in range(5):
        digest = os.urandom(32)
        v0 = CID("base58btc", 0, "dag-pb", multihash.wrap(digest, "sha2-256"))
        v1 = CID("base32", 1, "dag-pb", multihash.wrap(digest, "sha2-256"))
        assert normalize_cid(str(v0)) == str(v1)
        assert normalize_cid(str(v1.set(base="base58btc"))) == str(v1)


def test_normalize_refuses_what_the_registry_cannot_store() -> None:
    with pytest.raises(InputError):
        normalize_cid(str(cid_of(b"x", "raw", "blake2b-256")))
    with pytest.raises(InputError):
        normalize_cid("not a cid")


@pytest.mark.parametrize("codec", CODECS)
def test_codec_of(codec: str) -> None:
    cid = cid_of(os.urandom(16), codec)
    assert codec_of(bytes(cid)) == codec == cid.codec.name


def test_codec_of_a_cidv0_and_of_other_hashes() -> None:
    assert codec_of(bytes(v0_of(b"x"))) == "dag-pb"
    assert codec_of(bytes(cid_of(b"x", "raw", "blake2b-256"))) == "raw"
    assert codec_of(bytes(cid_of(b"x", "dag-cbor", "sha2-512"))) == "dag-cbor"


def test_matches() -> None:
    block = os.urandom(300)
    assert matches(bytes(cid_of(block, "raw")), block)
    assert matches(bytes(cid_of(block, "dag-pb")), block)
    assert matches(bytes(v0_of(block)), block)
    assert not matches(bytes(cid_of(block, "raw")), block[:-1])
    assert not matches(bytes(v0_of(block)), block + b"\0")
    flipped = bytes(cid_of(block, "raw"))[:-1] + bytes([bytes(cid_of(block, "raw"))[-1] ^ 1])
    assert not matches(flipped, block)


def test_matches_is_false_for_a_hash_it_cannot_check() -> None:
    """A blake2b CID of the very bytes given is not confirmed: only sha2-256 is checked."""
    block = b"model weights"
    assert not matches(bytes(cid_of(block, "raw", "blake2b-256")), block)
    assert not matches(bytes(cid_of(block, "raw", "sha2-512")), block)
