"""Off-chain attestations in EAS's version-2 format: signed, packaged, and read back with every field, the UID and
the signature checked; a package altered in any way is refused in one line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from deai_gov.errors import InputError
from deai_gov.merit.offchain import (
    ATTEST_TYPE,
    MAX_PACKAGE,
    Domain,
    decode_anchor,
    encode_anchor,
    offchain_uid,
    read_package,
    sign_offchain,
)

EAS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
KEY = "0x" + "ab" * 32
DOMAIN = Domain("1.4.0", 31337, EAS)


def signed() -> dict[str, Any]:
    attestation = sign_offchain(
        Account.from_key(KEY), DOMAIN, b"\x11" * 32, b"evaluation data", recipient=REGISTRY, time=1_700_000_000,
        salt=b"\x22" * 32,
    )  # fmt: skip
    package: dict[str, Any] = json.loads(attestation.to_package())
    return package


def test_a_signed_package_reads_back_with_its_signer_and_uid() -> None:
    package = signed()
    read = read_package(json.dumps(package).encode())
    assert read.attester == Account.from_key(KEY).address
    assert package["sig"]["uid"] == "0x" + read.uid.hex()
    assert (read.time, read.data, read.recipient, read.domain) == (1_700_000_000, b"evaluation data", REGISTRY, DOMAIN)


def test_the_signature_is_plain_eip712_over_eas_attest_type() -> None:
    """eth-account, given only the package's own domain, types and message, recovers the signer: the package is
    EIP-712 as any wallet or EAS's SDK reads it."""
    sig = signed()["sig"]
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            **sig["types"],
        },
        "primaryType": sig["primaryType"],
        "domain": sig["domain"],
        "message": sig["message"],
    }
    v, r, s = sig["signature"]["v"], int(sig["signature"]["r"], 16), int(sig["signature"]["s"], 16)
    assert (
        Account.recover_message(encode_typed_data(full_message=typed), vrs=(v, r, s)) == Account.from_key(KEY).address
    )
    assert sig["types"]["Attest"] == ATTEST_TYPE and sig["domain"]["name"] == "EAS Attestation"


def test_the_uid_packs_the_schema_as_its_hex_text_and_a_zero_attester() -> None:
    from eth_utils import keccak

    packed = (
        (2).to_bytes(2, "big") + ("0x" + "11" * 32).encode() + bytes.fromhex(REGISTRY[2:]) + bytes(20)
        + (1_700_000_000).to_bytes(8, "big") + bytes(8) + b"\x01" + bytes(32) + b"evaluation data" + b"\x22" * 32
        + bytes(4)
    )  # fmt: skip
    assert offchain_uid(b"\x11" * 32, REGISTRY, 1_700_000_000, 0, True, bytes(32), b"evaluation data", b"\x22" * 32) \
        == keccak(packed)  # fmt: skip


def _tampered(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    package = signed()
    target = package
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return package


@pytest.mark.parametrize(
    ("package", "words"),
    [
        (_tampered(("sig", "message", "data"), "0x" + b"other data".hex()), "its UID is not the one its fields give"),
        (_tampered(("signer",), "0x" + "cd" * 20), "its signature is by 0x"),
        (_tampered(("sig", "signature", "r"), "0x" + "00" * 32), "its signature is"),
        (_tampered(("sig", "message", "version"), 1), "only version 2"),
        (_tampered(("sig", "primaryType"), "Attestation"), "not Attest v2"),
        (_tampered(("sig", "domain", "name"), "Other"), 'not "EAS Attestation"'),
        (_tampered(("sig", "message", "schema"), "0x" + "AB" * 32), "not 0x and lowercase hex"),
        (_tampered(("sig", "message", "time"), -1), "its time is not a whole number in range"),
        (_tampered(("sig", "message", "time"), True), "its time is not a whole number"),
        (_tampered(("sig", "message", "revocable"), "yes"), "revocable field is not true or false"),
        (_tampered(("sig", "message", "salt"), "0x00"), "its salt is not 32 bytes"),
        (_tampered(("sig", "message", "recipient"), "0x12"), "recipient"),
        ({"sig": []}, "EAS's package is"),
        ([1, 2], "EAS's package is"),
    ],
    ids=["data-changed", "other-signer", "bad-signature", "version-1", "primary-type", "domain-name", "uppercase",
         "negative-time", "boolean-time", "revocable-text", "short-salt", "bad-recipient", "sig-array", "array"],
)  # fmt: skip
def test_an_altered_or_malformed_package_is_refused_in_one_line(package: Any, words: str) -> None:
    with pytest.raises(InputError) as refused:
        read_package(json.dumps(package).encode())
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_oversized_or_non_json_packages_are_refused_unread() -> None:
    with pytest.raises(InputError, match="at most"):
        read_package(b" " * (MAX_PACKAGE + 1))
    with pytest.raises(InputError, match="not UTF-8 JSON"):
        read_package(b"\xff\xfe")


def test_big_numbers_written_as_text_are_read() -> None:
    """EAS's SDK writes bigint fields as decimal text."""
    package = signed()
    package["sig"]["message"]["time"] = "1700000000"
    package["sig"]["domain"]["chainId"] = "31337"
    assert read_package(json.dumps(package).encode()).time == 1_700_000_000


def test_an_anchor_carries_the_uid_and_cid_and_nothing_else_passes() -> None:
    cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    assert decode_anchor(encode_anchor(b"\x33" * 32, cid)) == (b"\x33" * 32, cid)
    with pytest.raises(InputError, match="not an off-chain attestation's UID and CID"):
        decode_anchor(b"\x00" * 40)
    with pytest.raises(InputError, match="CID is not a CID"):
        decode_anchor(encode_anchor(b"\x33" * 32, "x" * 500))
