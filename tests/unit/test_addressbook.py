"""Account names wherever an address is taken (`deai_gov.home.addressbook`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deai_gov.errors import InputError
from deai_gov.home.accounts import keystore_dir
from deai_gov.home.addressbook import names_of, resolve_address

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
