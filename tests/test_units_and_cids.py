"""Pure helpers: CIDs as the registry stores them, token amounts, model names, revert decoding."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector as selector
from eth_utils import to_checksum_address

from deai_gov.contracts.reverts import explain_revert
from deai_gov.errors import InputError
from deai_gov.ipfs.blockcid import normalize_cid, to_registry_bytes, to_text
from deai_gov.names import model_id, validate_model_name
from deai_gov.units import format_amount, parse_amount

# `printf 'hello world\n' | ipfs add` (CIDv0): js-ipfs, Kubo and Debian's ipfs-cid agree on it.
HELLO_V0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
HELLO_V1 = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby"


def test_cid_v0_is_stored_as_its_v1_form() -> None:
    binary = to_registry_bytes(HELLO_V0)
    assert len(binary) == 36 and binary[:4] == bytes([0x01, 0x70, 0x12, 0x20])
    assert to_text(binary) == HELLO_V1 == normalize_cid(HELLO_V0)
    assert to_registry_bytes(HELLO_V1) == binary


@pytest.mark.parametrize(
    ("cid", "message"),
    [
        ("not-a-cid", "not a valid CID"),
        ("", "not a valid CID"),
        ("bafkreiaaaa", "not a valid CID"),
        # identity multihash and blake2b-256 are real CIDs the registry cannot store
        ("bafkqaaa", "accepts sha2-256 CIDs only"),
        ("bafk2bzacea3wsdh6y3a36tb3skempjoalsmvoubhz3ujlzxifkdyd5kumdgoe", "accepts sha2-256 CIDs only"),
    ],
)
def test_bad_cids_are_refused(cid: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        to_registry_bytes(cid)


@pytest.mark.parametrize(
    ("text", "units"),
    [("1", 10**18), ("1.5", 15 * 10**17), ("0", 0), ("1_000", 1000 * 10**18), ("0.000000000000000001", 1)],
)
def test_amounts(text: str, units: int) -> None:
    assert parse_amount(text) == units


@pytest.mark.parametrize("text", ["-1", "abc", "1e999999", "0.0000000000000000001", "nan", "inf"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(InputError):
        parse_amount(text)


def test_format_amount() -> None:
    assert format_amount(1_500_000 * 10**18 + 25 * 10**16) == "1,500,000.25"
    assert format_amount(0) == "0"


@pytest.mark.parametrize("name", ["acme/vision", "a/b", "meta-llama/llama-3.1-8b", "org_1/m.v2"])
def test_good_names(name: str) -> None:
    assert validate_model_name(name) == name
    assert len(model_id(name)) == 32


@pytest.mark.parametrize(
    "name",
    ["Acme/vision", "acme", "acme/", "/vision", "a/b/c", "acme/-x", "acme/vi sion", "acme/visión", "a/" + "b" * 63],
)
def test_bad_names(name: str) -> None:
    with pytest.raises(InputError, match="model name"):
        validate_model_name(name)


def test_reverts_in_words() -> None:
    data = selector("GovernorUnexpectedProposalState(uint256,uint8,bytes32)") + encode(
        ["uint256", "uint8", "bytes32"], [7, 3, (1 << 4 | 1 << 5).to_bytes(32, "big")]
    )
    assert explain_revert(data) == "proposal 7 was defeated; this needs a proposal that has succeeded or is queued"
    owner = "0x" + "ab" * 20
    data = selector("OwnableUnauthorizedAccount(address)") + encode(["address"], [owner])
    assert explain_revert("0x" + data.hex()).startswith(to_checksum_address(owner) + " is not the registry's owner")
    data = selector("Error(string)") + encode(["string"], ["nope"])
    assert explain_revert(data) == "reverted: nope"
    assert explain_revert(b"") == "the transaction reverted without a reason"
    assert "unknown error data 0xdeadbeef" in explain_revert("0xdeadbeef")


def test_cid_text_fast_path_matches_multiformats() -> None:
    """Registry reads turn binary CIDv1s into text without multiformats; the text must be the library's."""
    import os

    from multiformats import CID

    from deai_gov.ipfs.blockcid import to_registry_bytes, to_text

    for codec in ("raw", "dag-pb"):  # the codecs the registry stores
        for _ in range(20):
            text = str(CID("base32", 1, codec, ("sha2-256", os.urandom(32))))
            assert to_text(to_registry_bytes(text)) == text
