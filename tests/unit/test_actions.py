"""A proposal as plain data (`deai_gov.dao.actions`): title, body, the `#proposer=` suffix, the description hash, vote
choices, and signed votes read from and written to JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from Crypto.Hash import keccak
from eth_account import Account

from deai_gov.dao.actions import (
    Action,
    Proposal,
    SignedVote,
    Support,
    description_body,
    description_title,
    with_proposer_suffix,
)
from deai_gov.dao.governance import ballot_nonce_key, sign_ballot
from deai_gov.errors import InputError

PROPOSER = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"
OTHER = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
ACTION = Action("0x1efF47bc3a10a45D4B230B5d10E37751FE6AA718", 0, b"\xa9\x05\x9c\xbb")


def keccak256(text: str) -> bytes:
    """keccak-256 from pycryptodome, independent of eth_utils."""
    return keccak.new(digest_bits=256, data=text.encode()).digest()


# ------------------------------------------------------------------ title and body


def test_title_body_and_suffix() -> None:
    description = f"# Register acme/vision v1\n\nBenchmarks in the manifest.\nSecond line.\n\n#proposer={PROPOSER}"
    proposal = Proposal((ACTION,), description)
    assert proposal.title == "Register acme/vision v1"
    assert proposal.body == "Benchmarks in the manifest.\nSecond line."


def test_title_without_heading_marks_and_surrounding_blank_lines() -> None:
    assert description_title("\n\n  ### Retire acme/old  \nbody") == "Retire acme/old"
    assert description_title("Plain title\nbody") == "Plain title"


def test_empty_description_has_an_empty_title_and_body() -> None:
    assert description_title("") == ""
    assert description_title("  \n ") == ""
    assert description_body("") == ""


def test_body_of_a_title_only_description_is_empty() -> None:
    assert description_body(f"# Title\n\n#proposer={PROPOSER}") == ""
    assert description_body("# Title") == ""


def test_body_keeps_a_suffix_that_is_not_at_the_end() -> None:
    text = f"# Title\n\n#proposer={PROPOSER} was here\nend"
    assert description_body(text) == f"#proposer={PROPOSER} was here\nend"


def test_body_keeps_a_malformed_suffix() -> None:
    assert description_body("# Title\n\nbody\n#proposer=0x1234") == "body\n#proposer=0x1234"


def test_proposal_lists() -> None:
    second = Action(OTHER, 5, b"")
    proposal = Proposal((ACTION, second), "# T")
    assert proposal.targets == [ACTION.target, OTHER]
    assert proposal.values == [0, 5]
    assert proposal.calldatas == [ACTION.calldata, b""]
    assert proposal.args() == ([ACTION.target, OTHER], [0, 5], [ACTION.calldata, b""], keccak256("# T"))


# ------------------------------------------------------------------ description hash


@pytest.mark.parametrize(
    "description",
    ["", "# T", f"# Register ✓ acme/vision\n\nbody\n\n#proposer={PROPOSER}", "x" * 10_000],
)
def test_description_hash_is_keccak_of_the_utf8_text(description: str) -> None:
    assert Proposal((ACTION,), description).description_hash == keccak256(description)


def test_description_hash_of_the_empty_string() -> None:
    known = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    assert Proposal((ACTION,), "").description_hash == known


def test_description_hash_depends_on_every_character() -> None:
    assert Proposal((ACTION,), "# T").description_hash != Proposal((ACTION,), "# T ").description_hash


# ------------------------------------------------------------------ the #proposer= suffix


def test_suffix_is_appended_after_a_blank_line() -> None:
    assert with_proposer_suffix("# Title\n\nbody  \n\n", PROPOSER) == f"# Title\n\nbody\n\n#proposer={PROPOSER}"


def test_suffix_is_added_once() -> None:
    once = with_proposer_suffix("# Title", PROPOSER)
    assert with_proposer_suffix(once, PROPOSER) == once
    assert once.count("#proposer=") == 1
    assert once.endswith(f"#proposer={PROPOSER}")


def test_suffix_of_someone_else_is_kept() -> None:
    theirs = f"# Title\n\n#proposer={OTHER}"
    assert with_proposer_suffix(theirs, PROPOSER) == theirs


def test_suffix_in_lower_case_counts_as_one() -> None:
    lower = f"# Title\n\n#proposer={PROPOSER.lower()}"
    assert with_proposer_suffix(lower, PROPOSER) == lower


def test_a_suffix_not_at_the_end_does_not_count() -> None:
    text = f"# Title\n\n#proposer={OTHER} and more"
    assert with_proposer_suffix(text, PROPOSER) == f"{text}\n\n#proposer={PROPOSER}"


def test_an_address_too_short_does_not_count() -> None:
    text = "# Title\n\n#proposer=0x1234"
    assert with_proposer_suffix(text, PROPOSER).endswith(f"\n\n#proposer={PROPOSER}")


# ------------------------------------------------------------------ Support


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for", Support.FOR),
        (" FOR ", Support.FOR),
        ("Against", Support.AGAINST),
        ("abstain", Support.ABSTAIN),
        (0, Support.AGAINST),
        (1, Support.FOR),
        (2, Support.ABSTAIN),
    ],
)
def test_support_parse(text: str | int, expected: Support) -> None:
    assert Support.parse(text) is expected


def test_support_values_are_the_governors() -> None:
    assert (int(Support.AGAINST), int(Support.FOR), int(Support.ABSTAIN)) == (0, 1, 2)


@pytest.mark.parametrize("text", ["yes", "", "1", "for!"])
def test_support_parse_refuses_other_words(text: str) -> None:
    with pytest.raises(InputError, match="not a vote"):
        Support.parse(text)


# ------------------------------------------------------------------ SignedVote


CONTENT = bytes.fromhex("ff" * 8 + "0123456789abcdef" * 3)  # a proposal's content hash


@pytest.fixture
def signed() -> SignedVote:
    account = Account.from_key("0x" + "07" * 32)
    return sign_ballot(
        account,
        governor=OTHER,
        governor_name="deai-gov Governor",
        chain_id=31337,
        proposal_id=3,
        content_hash=CONTENT,
        support=Support.AGAINST,
        reason="the benchmark is wrong",
    )


def test_signed_vote_to_dict(signed: SignedVote) -> None:
    """The first nonce is keyed by the low 192 bits of the content hash (the governor counts no other)."""
    data = signed.to_dict()
    assert data == {
        "proposal_id": 3,
        "support": "against",
        "voter": Account.from_key("0x" + "07" * 32).address,
        "nonce": str(int("0123456789abcdef" * 3, 16) << 64),
        "reason": "the benchmark is wrong",
        "signature": signed.signature,
        "proposal_hash": "0x" + CONTENT.hex(),
    }
    assert len(bytes.fromhex(data["signature"].removeprefix("0x"))) == 65


def test_a_ballot_nonce_key_needs_a_32_byte_hash() -> None:
    with pytest.raises(InputError, match="32 bytes, not 20"):
        ballot_nonce_key(bytes(20))


def test_signed_vote_round_trips_through_json(signed: SignedVote) -> None:
    assert SignedVote.from_dict(json.loads(json.dumps(signed.to_dict()))) == signed


def test_signed_vote_reason_defaults_to_empty(signed: SignedVote) -> None:
    data = signed.to_dict()
    del data["reason"]
    assert SignedVote.from_dict(data).reason == ""


def test_signed_vote_takes_the_support_as_a_number(signed: SignedVote) -> None:
    data = signed.to_dict() | {"support": 2, "nonce": 5}
    found = SignedVote.from_dict(data)
    assert (found.support, found.nonce) == (Support.ABSTAIN, 5)


@pytest.mark.parametrize("field", ["proposal_id", "support", "voter", "nonce", "signature"])
def test_signed_vote_refuses_a_missing_field(signed: SignedVote, field: str) -> None:
    data = signed.to_dict()
    del data[field]
    with pytest.raises(InputError, match=f"missing field '{field}'"):
        SignedVote.from_dict(data)


@pytest.mark.parametrize("signature", ["0xzz" + "00" * 64, "not hex", "0x" + "0" * 129])
def test_signed_vote_refuses_a_signature_that_is_not_hex(signed: SignedVote, signature: str) -> None:
    with pytest.raises(InputError, match="not hexadecimal"):
        SignedVote.from_dict(signed.to_dict() | {"signature": signature})


@pytest.mark.parametrize("size", [0, 64, 66])
def test_signed_vote_refuses_a_signature_of_the_wrong_length(signed: SignedVote, size: int) -> None:
    with pytest.raises(InputError, match=f"has {size} bytes, not 65"):
        SignedVote.from_dict(signed.to_dict() | {"signature": "0x" + "ab" * size})


@pytest.mark.parametrize("data", [None, [], "a vote", 3])
def test_signed_vote_refuses_what_is_not_an_object(data: Any) -> None:
    with pytest.raises(InputError, match="expected a JSON object"):
        SignedVote.from_dict(data)


@pytest.mark.parametrize(
    "change",
    [{"support": "maybe"}, {"proposal_id": "three"}, {"nonce": "0x10"}, {"support": 7}, {"proposal_id": None}],
)
def test_signed_vote_refuses_bad_values(signed: SignedVote, change: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"not a signed vote|not a vote"):
        SignedVote.from_dict(signed.to_dict() | change)


def test_a_suffix_followed_by_a_newline_does_not_count() -> None:
    """The governor honours `#proposer=` only at the very end of the text: a trailing newline (a description file
    ending in one) leaves the proposal open to anyone, so the suffix is added again, last."""
    text = f"# Title\n\n#proposer={OTHER}\n"
    protected = with_proposer_suffix(text, PROPOSER)
    assert protected.endswith(f"#proposer={PROPOSER}") and protected.startswith(text.rstrip())
