"""Encrypted keystores in a temporary configuration folder (`deai_gov.home.accounts`).

Keys here are throwaway test keys; the suite's leak guard watches them and the passwords, and no assertion
compares a key directly (a failing comparison would print it).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import is_checksum_address, keccak

from deai_gov.errors import InputError
from deai_gov.home import accounts

from ..leakcheck import watch

KEY = watch("0x" + keccak(text="deai-gov unit tests: throwaway key, never funded").hex())
PASSWORD = watch("correct horse battery staple")
OTHER_PASSWORD = watch("incorrect donkey battery staple")
# The public development mnemonic of Hardhat and anvil, and the addresses every tool derives from it.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ADDRESSES = ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]


# Keystores written with pbkdf2 and two iterations instead of scrypt (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("cheap_kdf")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The configuration folder, chosen through DEAI_GOV_HOME (so calls without `home=` use it too)."""
    folder = tmp_path / "config"
    monkeypatch.setenv("DEAI_GOV_HOME", str(folder))
    return folder


def same_key(account: Any, key: str) -> bool:
    return bytes(account.key) == bytes.fromhex(key.removeprefix("0x"))


def test_create_then_load(home: Path) -> None:
    stored = accounts.create("alice", PASSWORD)
    assert stored.alias == "alice"
    assert stored.path == home / "keystores" / "alice.json"
    assert is_checksum_address(stored.address)
    loaded = accounts.load("alice", PASSWORD)
    assert loaded.address == stored.address


def test_created_keys_are_random(home: Path) -> None:
    first = accounts.create("one", PASSWORD)
    second = accounts.create("two", PASSWORD)
    assert first.address != second.address


def test_keystore_files_are_private(home: Path) -> None:
    stored = accounts.create("alice", PASSWORD)
    assert stat.S_IMODE(stored.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.path.parent.stat().st_mode) & 0o077 == 0


def test_import_a_private_key(home: Path) -> None:
    stored = accounts.import_private_key("bob", KEY, PASSWORD)
    assert stored.address == Account.from_key(KEY).address
    loaded = accounts.load("bob", PASSWORD)
    assert loaded.address == stored.address
    matches = same_key(loaded, KEY)
    assert matches, "the decrypted key is not the imported one"


@pytest.mark.parametrize("form", ["bare", "padded"])
def test_a_key_without_0x_or_with_whitespace_is_read(home: Path, form: str) -> None:
    text = KEY.removeprefix("0x") if form == "bare" else f"  {KEY}\n"
    assert accounts.import_private_key("k", text, PASSWORD).address == Account.from_key(KEY).address


@pytest.mark.parametrize("bad", ["", "0x1234", "zz" * 32, "0x" + "ff" * 32, "0x" + "ab" * 33])
def test_an_invalid_private_key_is_refused(home: Path, bad: str) -> None:
    """The message never repeats what was typed (it might be a mistyped real key)."""
    with pytest.raises(InputError) as excinfo:
        accounts.import_private_key("k", bad, PASSWORD)
    assert str(excinfo.value) == "that is not a valid private key (64 hex digits)"
    assert not (home / "keystores" / "k.json").exists()


def test_import_a_mnemonic(home: Path) -> None:
    """The standard derivation path m/44'/60'/0'/0/i gives the addresses every wallet derives."""
    first = accounts.import_mnemonic("dev0", DEV_MNEMONIC, PASSWORD)
    second = accounts.import_mnemonic("dev1", "  " + DEV_MNEMONIC.replace(" ", "\n ") + "\n", PASSWORD, index=1)
    assert [first.address, second.address] == DEV_ADDRESSES
    assert accounts.load("dev1", PASSWORD).address == DEV_ADDRESSES[1]


@pytest.mark.parametrize("bad", ["", "test test test", "hello " * 11 + "world", DEV_MNEMONIC.replace("junk", "jink")])
def test_an_invalid_mnemonic_is_refused(home: Path, bad: str) -> None:
    with pytest.raises(InputError, match="not a valid BIP-39 mnemonic"):
        accounts.import_mnemonic("m", bad, PASSWORD)
    assert accounts.list_accounts() == []


def test_the_keystore_is_encrypted(home: Path) -> None:
    """The file is Web3 Secret Storage: the key appears in it neither as hex nor as bytes, nor the password."""
    stored = accounts.import_private_key("bob", KEY, PASSWORD)
    raw = stored.path.read_bytes()
    keystore = json.loads(raw)
    assert keystore["version"] == 3
    assert {"ciphertext", "cipher", "kdf", "mac"} <= set(keystore["crypto"])
    assert "0x" + keystore["address"].removeprefix("0x").lower() == stored.address.lower()
    key_hex = KEY.removeprefix("0x")
    in_clear = key_hex in raw.decode().lower() or bytes.fromhex(key_hex) in raw or PASSWORD.encode() in raw
    assert not in_clear, "the keystore holds the key or the password in clear"
    differs = keystore["crypto"]["ciphertext"].lower() != key_hex
    assert differs, "the ciphertext is the key"


def test_a_wrong_password_is_refused(home: Path) -> None:
    accounts.import_private_key("bob", KEY, PASSWORD)
    with pytest.raises(InputError, match="wrong password for account 'bob'") as excinfo:
        accounts.load("bob", OTHER_PASSWORD)
    shown = OTHER_PASSWORD in str(excinfo.value)
    assert not shown, "the message repeats the password"


def test_an_empty_password_is_refused(home: Path) -> None:
    with pytest.raises(InputError, match="empty password"):
        accounts.create("alice", "")
    assert not (home / "keystores" / "alice.json").exists()


def test_a_duplicate_alias_is_refused_and_the_first_key_kept(home: Path) -> None:
    first = accounts.import_private_key("alice", KEY, PASSWORD)
    before = first.path.read_bytes()
    for attempt in (
        lambda: accounts.create("alice", OTHER_PASSWORD),
        lambda: accounts.import_mnemonic("alice", DEV_MNEMONIC, OTHER_PASSWORD),
        lambda: accounts.import_private_key("alice", KEY, OTHER_PASSWORD),
    ):
        with pytest.raises(InputError, match="an account named 'alice' already exists"):
            attempt()
    assert first.path.read_bytes() == before
    assert accounts.load("alice", PASSWORD).address == first.address


@pytest.mark.parametrize(
    "alias", ["", "-alice", ".alice", "_alice", "a/b", "../alice", "al ice", "alice\n", "a" * 65, "ålice", "a:b"]
)
def test_bad_aliases_are_refused(home: Path, alias: str) -> None:
    for call in (
        lambda: accounts.create(alias, PASSWORD),
        lambda: accounts.load(alias, PASSWORD),
        lambda: accounts.delete(alias),
        lambda: accounts.existing_keystore(alias),
    ):
        with pytest.raises(InputError, match="not a valid account alias"):
            call()
    assert not (home / "keystores").exists() or list((home / "keystores").iterdir()) == []


@pytest.mark.parametrize("alias", ["a", "A1", "ops.multisig-2", "x_y", "a" * 64])
def test_good_aliases(home: Path, alias: str) -> None:
    stored = accounts.import_private_key(alias, KEY, PASSWORD)
    assert stored.path.name == f"{alias}.json"
    assert accounts.existing_keystore(alias) == stored.path


def test_list_accounts(home: Path) -> None:
    """Sorted by alias, checksummed, and files that are not keystores are left out."""
    assert accounts.list_accounts() == []
    accounts.import_mnemonic("zed", DEV_MNEMONIC, PASSWORD)
    bob = accounts.import_private_key("bob", KEY, PASSWORD)
    (home / "keystores" / "notes.json").write_text('{"hello": "world"}')
    (home / "keystores" / "broken.json").write_text("not json")
    (home / "keystores" / "odd.json").write_text('{"address": "not-hex"}')
    (home / "keystores" / "readme.txt").write_text("hi")
    listed = accounts.list_accounts()
    assert [(a.alias, a.address, a.path.name) for a in listed] == [
        ("bob", bob.address, "bob.json"),
        ("zed", DEV_ADDRESSES[0], "zed.json"),
    ]


def test_an_explicit_home(tmp_path: Path, home: Path) -> None:
    other = tmp_path / "elsewhere"
    stored = accounts.import_private_key("bob", KEY, PASSWORD, home=other)
    assert stored.path == other / "keystores" / "bob.json"
    assert [a.alias for a in accounts.list_accounts(home=other)] == ["bob"]
    assert accounts.list_accounts() == []
    assert accounts.load("bob", PASSWORD, home=other).address == stored.address


def test_delete(home: Path) -> None:
    stored = accounts.create("alice", PASSWORD)
    accounts.delete("alice")
    assert not stored.path.exists()
    with pytest.raises(InputError, match="no account named 'alice'"):
        accounts.delete("alice")
    with pytest.raises(InputError, match="no account named 'alice'"):
        accounts.existing_keystore("alice")


def test_loading_a_missing_account_names_the_known_ones(home: Path) -> None:
    with pytest.raises(InputError, match=r"no account named 'carol' \(known: none\)"):
        accounts.load("carol", PASSWORD)
    accounts.create("alice", PASSWORD)
    accounts.create("bob", PASSWORD)
    with pytest.raises(InputError, match=r"\(known: alice, bob\)"):
        accounts.load("carol", PASSWORD)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "unreadable or not JSON"),
        (b"\xff\xfe", "unreadable or not JSON"),
        (b'{"hello": "world"}', "not a valid Web3 Secret Storage file"),
        (b"[1, 2]", "not a valid Web3 Secret Storage file"),
    ],
)
def test_a_damaged_keystore(home: Path, content: bytes, message: str) -> None:
    path = home / "keystores" / "alice.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        accounts.load("alice", PASSWORD)


def test_read_password_from_a_file(tmp_path: Path) -> None:
    """The first line, without its line ending; spaces inside and around the password are kept."""
    path = tmp_path / "pw"
    path.write_text(f"{PASSWORD}\nsecond line\n", encoding="utf-8")
    assert accounts.read_password(password_file=path) == PASSWORD
    path.write_text(f"  {PASSWORD} \r\n", encoding="utf-8")
    assert accounts.read_password(password_file=path) == f"  {PASSWORD} "
    path.write_text("pässwörd", encoding="utf-8")
    assert accounts.read_password(password_file=path) == "pässwörd"


def test_read_an_empty_password_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_bytes(b"")
    assert accounts.read_password(password_file=path) == ""


def test_a_password_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the password file"):
        accounts.read_password(password_file=tmp_path / "missing")
    with pytest.raises(InputError, match="cannot read the password file"):
        accounts.read_password(password_file=tmp_path)
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8 text"):
        accounts.read_password(password_file=binary)


def test_read_password_from_an_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEAI_GOV_TEST_PASSWORD", PASSWORD)
    assert accounts.read_password(password_env="DEAI_GOV_TEST_PASSWORD") == PASSWORD
    monkeypatch.setenv("DEAI_GOV_TEST_PASSWORD", "")
    assert accounts.read_password(password_env="DEAI_GOV_TEST_PASSWORD") == ""


def test_an_unset_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEAI_GOV_TEST_PASSWORD", raising=False)
    with pytest.raises(InputError, match="DEAI_GOV_TEST_PASSWORD is not set"):
        accounts.read_password(password_env="DEAI_GOV_TEST_PASSWORD")


def test_the_file_comes_before_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pw"
    path.write_text(PASSWORD, encoding="utf-8")
    monkeypatch.setenv("DEAI_GOV_TEST_PASSWORD", OTHER_PASSWORD)
    assert accounts.read_password(password_file=path, password_env="DEAI_GOV_TEST_PASSWORD") == PASSWORD


def test_no_source_means_no_password() -> None:
    assert accounts.read_password() is None


def test_the_zero_key_is_refused(home: Path) -> None:
    """eth-keys accepts 32 zero bytes, but no signature can be made with them: a keystore of it would be useless."""
    with pytest.raises(InputError, match="not a valid private key"):
        accounts.import_private_key("zero", "0x" + "00" * 32, PASSWORD)
    assert not (home / "keystores" / "zero.json").exists()


def test_a_mistyped_account_name_is_guessed(home: Path) -> None:
    accounts.create("bob", PASSWORD)
    with pytest.raises(InputError, match=r"no account named 'bobb' \(did you mean 'bob'\? known: bob\)"):
        accounts.existing_keystore("bobb")
