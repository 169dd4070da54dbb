"""Account names wherever an address is taken (`deai_gov.home.addressbook`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deai_gov.errors import InputError
from deai_gov.home.accounts import keystore_dir
from deai_gov.home.addressbook import name_addresses, names_of, resolve_address, with_name

BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
CAROL = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A configuration folder with two accounts (only the address of a keystore is read to name it)."""
    folder = keystore_dir(tmp_path)
    folder.mkdir(parents=True)
    for alias, address in (("bob", BOB), ("carol", CAROL)):
        (folder / f"{alias}.json").write_text(json.dumps({"address": address[2:].lower(), "crypto": {}}))
    return tmp_path


def test_an_account_name_stands_for_its_address(home: Path) -> None:
    assert resolve_address("bob", "recipient", home=home) == BOB
    assert names_of(home=home) == {BOB.lower(): "bob", CAROL.lower(): "carol"}


def test_an_address_is_taken_as_an_address(home: Path) -> None:
    assert resolve_address(CAROL.lower(), "recipient", home=home) == CAROL
    with pytest.raises(InputError, match="wrong checksum"):
        resolve_address(CAROL.replace("F", "f", 1), "recipient", home=home)


def test_an_unknown_name_lists_the_accounts_and_guesses(home: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        resolve_address("bobb", "recipient", home=home)
    assert str(excinfo.value) == (
        "recipient 'bobb' is neither an address nor an account name (did you mean 'bob'? accounts: bob, carol)"
    )
    with pytest.raises(InputError, match="accounts: none yet"):
        resolve_address("dave", "guardian", home=home / "elsewhere")


def test_addresses_are_shown_with_their_names_and_the_zero_address_as_none(home: Path) -> None:
    names = names_of(home=home)
    assert with_name(BOB.lower(), names) == f"{BOB.lower()} (bob)"
    assert with_name("0x" + "00" * 20, names) == "none"
    assert with_name("0x" + "ab" * 20, names) == "0x" + "ab" * 20
    text = f"reward 5 MDL to {BOB} from the treasury; pay {CAROL.lower()}."
    assert name_addresses(text, names) == f"reward 5 MDL to {BOB} (bob) from the treasury; pay {CAROL.lower()} (carol)."


def test_only_whole_addresses_are_named_never_a_part_of_a_hash_or_of_calldata(home: Path) -> None:
    names = names_of(home=home)
    tx_hash = BOB + "00" * 12  # 0x and 64 hex digits, beginning with bob's address
    calldata = "0xa9059cbb" + BOB[2:]
    assert name_addresses(f"mined in {tx_hash}; data {calldata}", names) == f"mined in {tx_hash}; data {calldata}"
    assert name_addresses(f"to {BOB}x", names) == f"to {BOB}x"
    assert name_addresses(f"to {BOB}", {}) == f"to {BOB}"
