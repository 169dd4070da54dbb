"""Model names, model ids, model references and address checksums (`deai_gov.names`)."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from hypothesis import given
from hypothesis import strategies as st

from deai_gov.errors import InputError
from deai_gov.names import (
    MAX_NAME_LENGTH,
    check_file_path,
    checksum,
    checksum_address,
    first_collision,
    model_id,
    parse_model_reference,
    validate_model_name,
)

# The test vectors of EIP-55 itself: each is the correct checksummed form of its lowercase address.
EIP55_VECTORS = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (the pre-standard padding Ethereum uses) by pycryptodome, independently of eth_utils."""
    return pycryptodome_keccak.new(digest_bits=256, data=data).digest()


def eip55(address: str) -> str:
    """EIP-55 computed from its definition: a hex letter is upper case when its nibble of the hash is >= 8."""
    hex_digits = address.lower().removeprefix("0x")
    digest = keccak256(hex_digits.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(hex_digits))


def flip_first_letter(address: str) -> str:
    """`address` with the case of its first hex letter swapped: 40 hex digits still, checksum now wrong."""
    for i, ch in enumerate(address[2:], 2):
        if ch.isalpha():
            return address[:i] + ch.swapcase() + address[i + 1 :]
    raise AssertionError(f"{address} has no letter")


def test_the_reference_keccak_is_not_sha3() -> None:
    """The two hashes differ, so comparing ids with keccak256 would notice a SHA3-256 implementation."""
    assert keccak256(b"acme/vision") != hashlib.sha3_256(b"acme/vision").digest()
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


@pytest.mark.parametrize("name", ["acme/vision", "a/b", "meta-llama/llama-3.1-8b", "0rg/m_1.v2"])
def test_model_id_is_keccak256_of_the_utf8_name(name: str) -> None:
    """The id is what Solidity's keccak256(bytes(name)) gives: Keccak-256, not SHA3-256."""
    assert model_id(name) == keccak256(name.encode("utf-8"))
    assert model_id(name) != hashlib.sha3_256(name.encode("utf-8")).digest()


def test_model_ids_differ_between_names() -> None:
    assert model_id("acme/vision") != model_id("acme/vision2")


@pytest.mark.parametrize("name", ["Acme/vision", "acme", ""])
def test_model_id_of_an_invalid_name_is_refused(name: str) -> None:
    with pytest.raises(InputError):
        model_id(name)


def test_the_longest_accepted_name() -> None:
    """A name of exactly MAX_NAME_LENGTH bytes passes; one byte more is refused with the limit named."""
    longest = "a/" + "b" * (MAX_NAME_LENGTH - 2)
    assert MAX_NAME_LENGTH == 64
    assert validate_model_name(longest) == longest
    with pytest.raises(InputError, match="longer than 64 bytes"):
        validate_model_name(longest + "c")


@pytest.mark.parametrize("name", [None, 42, b"acme/vision", ""])
def test_a_missing_or_non_text_name_is_refused(name: object) -> None:
    with pytest.raises(InputError, match="model name is required"):
        validate_model_name(name)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [
        "acme/vision\n",  # a trailing newline (a `$` anchor would let it through)
        " acme/vision",
        "acme//vision",
        "_acme/vision",
        "acme/.vision",
        ".acme/vision",
        "acme/vision/",
        "acme\\vision",
        "acme/vis\u0131on",  # dotless i: not ASCII
        "ACME/VISION",
    ],
)
def test_more_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="not a valid model name"):
        validate_model_name(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme/vision", ("acme/vision", None)),
        ("acme/vision@1", ("acme/vision", 1)),
        ("acme/vision@12", ("acme/vision", 12)),
        ("acme/vision@007", ("acme/vision", 7)),
        ("a/b@4294967295", ("a/b", 4294967295)),
    ],
)
def test_model_references(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_model_reference(text) == expected


@pytest.mark.parametrize("version", ["0", "00", "-1", "+1", " 1", "1 ", "1.5", "one", "0x1", "1@2", "\u0663", "²"])
def test_a_reference_with_a_bad_version_is_refused(version: str) -> None:
    """Only ASCII digits naming 1 or more are a version."""
    with pytest.raises(InputError, match="not a version number"):
        parse_model_reference(f"acme/vision@{version}")


@pytest.mark.parametrize("text", ["Acme/vision@1", "acme@1", "@1", "acme/vision /@2"])
def test_a_reference_with_a_bad_name_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="model name"):
        parse_model_reference(text)


@pytest.mark.parametrize("vector", EIP55_VECTORS)
def test_checksum_matches_the_eip55_vectors(vector: str) -> None:
    assert checksum(vector.lower()) == vector
    assert checksum_address(vector.lower(), "the contributor") == vector
    assert checksum_address(vector, "the contributor") == vector


def test_checksum_of_random_addresses_follows_eip55() -> None:
    for _ in range(50):
        address = "0x" + os.urandom(20).hex()
        assert checksum(address) == eip55(address)
        assert checksum_address(address, "the recipient") == eip55(address)


@pytest.mark.parametrize("vector", EIP55_VECTORS)
def test_an_all_uppercase_address_carries_no_checksum_and_is_taken(vector: str) -> None:
    """EIP-55 leaves all-uppercase (like all-lowercase) addresses unchecked; cast and web3 take them."""
    upper = "0x" + vector[2:].upper()
    assert checksum_address(upper, "the recipient") == vector
    assert checksum_address("0X" + vector[2:].upper(), "the recipient") == vector


def test_a_wrong_checksum_is_refused() -> None:
    """Mixed case that is not the EIP-55 checksum means a mistyped address: refused, not silently fixed."""
    for vector in EIP55_VECTORS[4:]:
        bad = flip_first_letter(vector)
        with pytest.raises(InputError, match="wrong checksum") as excinfo:
            checksum_address(bad, "the recipient")
        assert "the recipient" in str(excinfo.value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0x",
        "0x1234",
        "0x" + "ab" * 19,
        "0x" + "ab" * 21,
        "0x" + "gg" * 20,
        "acme/vision",
        "vitalik.eth",
        None,
        0,
        bytes(20),
    ],
)
def test_something_that_is_not_an_address_is_refused(value: object) -> None:
    with pytest.raises(InputError, match="is not an address") as excinfo:
        checksum_address(value, "the guardian")  # type: ignore[arg-type]
    assert str(excinfo.value).startswith("the guardian ")


def test_checksum_is_stable_across_calls() -> None:
    """The cached form is the same string each time, whatever case the address was first given in."""
    address = EIP55_VECTORS[5]
    assert checksum(address.lower()) == checksum(address.lower()) == checksum(address) == address


def test_a_reference_ending_in_at_is_refused() -> None:
    """`acme/vision@` is a version left out by mistake, not the current version."""
    with pytest.raises(InputError, match="not a version number"):
        parse_model_reference("acme/vision@")


# ------------------------------------------------------------------------------------------------ properties

_START = set(b"0123456789abcdefghijklmnopqrstuvwxyz")
_INSIDE = _START | set(b"-._")


def registry_accepts(name: str) -> bool:
    """The registry's own rule, byte by byte as `ModelRegistry._validateName` checks it."""
    data = name.encode()
    part_start, slashes = True, 0
    for byte in data:
        if byte == ord("/"):
            if part_start:
                return False
            part_start, slashes = True, slashes + 1
        elif byte in (_START if part_start else _INSIDE):
            part_start = False
        else:
            return False
    return len(data) <= 64 and slashes == 1 and not part_start


NAMEISH = st.text(alphabet=st.sampled_from([*"ab09-._/", "A", "Z", " ", "é", "\x00", "@"]), max_size=70)


@given(NAMEISH)
def test_model_names_are_accepted_exactly_when_the_registry_would(name: str) -> None:
    try:
        validate_model_name(name)
        accepted = True
    except InputError:
        accepted = False
    assert accepted == registry_accepts(name)


#: Paths made of parts an attacker would try (drives, parent steps, Windows separators, controls) and of arbitrary
#: short names over a small alphabet that can also spell them.
PATH_PARTS = st.one_of(
    st.sampled_from(["C:", "c:x", "..", ".", "", "..\\..\\x.dll", "\\\\server\\share", "a\x00b", "\x1b[8m"]),
    st.sampled_from(["CON", "nul.txt", "com1", "LPT9.log", "a.", "b "]),
    st.text(alphabet=st.sampled_from([*"aB.-_ ", "\\", ":", "\x00", "\x1b", "\x85", "é", "C"]), max_size=8),
)
PATHISH = st.lists(PATH_PARTS, min_size=1, max_size=4).map("/".join)


@given(PATHISH)
def test_an_accepted_path_stays_inside_its_folder_on_every_system(path: str) -> None:
    """A path `check_file_path` lets through has no root, drive or parent step on POSIX or Windows, and no
    control character; one it refuses is refused with a one-line InputError."""
    try:
        check_file_path(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    for flavour in (PurePosixPath, PureWindowsPath):
        parsed = flavour(path)
        assert not parsed.anchor and ".." not in parsed.parts
    assert not PureWindowsPath(path).is_reserved()  # no device name
    assert not any(part.endswith((".", " ")) for part in path.split("/"))  # Windows would drop the ending
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in path)


@given(st.lists(st.text(alphabet=st.sampled_from([*"aAbB", "é", "e\u0301", "ß", "ss", "K", "\u212a"]), min_size=1)))
def test_collisions_are_found_exactly_when_two_names_fold_together(paths: list[str]) -> None:
    def key(path: str) -> str:
        return unicodedata.normalize("NFC", path).casefold()

    found = first_collision(paths)
    distinct = set(paths)
    if found is None:
        assert len({key(p) for p in distinct}) == len(distinct)
    else:
        first, second = found
        assert first != second and key(first) == key(second) and {first, second} <= distinct
