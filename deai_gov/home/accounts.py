"""Accounts as encrypted keystores (Web3 Secret Storage, the format geth, ape and brownie use).

Keystores live in `<config home>/keystores/<alias>.json` with mode 0600. A private key is only ever held
decrypted in memory, never printed or logged; passwords come from a prompt, or a file or environment variable
the user names explicitly.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import parsing
from ..errors import InputError
from .config import config_home

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class StoredAccount:
    alias: str
    address: str
    path: Path

    def to_json(self) -> dict[str, Any]:
        return {"alias": self.alias, "address": self.address}


def keystore_dir(home: Path | None = None) -> Path:
    return (home or config_home()) / "keystores"


def _path(alias: str, home: Path | None) -> Path:
    if not _ALIAS.fullmatch(alias):
        raise InputError(f"{alias!r} is not a valid account alias (letters, digits, '_', '-', '.'; 64 at most)")
    return keystore_dir(home) / f"{alias}.json"


def _ensure_new(alias: str, home: Path | None) -> None:
    path = _path(alias, home)
    if path.exists():
        raise InputError(f"an account named {alias!r} already exists ({path})")


def _save(
    alias: str, account: LocalAccount, password: str, home: Path | None, *, development: bool = False
) -> StoredAccount:
    from eth_account import Account

    path = _path(alias, home)
    if path.exists():
        raise InputError(f"an account named {alias!r} already exists ({path})")
    if not password:
        raise InputError("an empty password would leave the key unprotected")
    keystore = Account.encrypt(account.key, password)
    if development:  # beside the standard fields, which every Web3 Secret Storage reader ignores
        keystore["deai_gov"] = {"development": True}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(keystore, f)
    return StoredAccount(alias, account.address, path)


def create(alias: str, password: str, *, home: Path | None = None) -> StoredAccount:
    """A new random key, encrypted with `password`."""
    from eth_account import Account

    _ensure_new(alias, home)
    return _save(alias, Account.create(), password, home)


def import_private_key(
    alias: str, private_key: str, password: str, *, home: Path | None = None, development: bool = False
) -> StoredAccount:
    """Store `private_key` encrypted under `alias`; `development` marks it as a development chain's public key,
    which then signs on development chains only (`is_development`)."""
    from eth_account import Account

    _ensure_new(alias, home)
    try:
        account = Account.from_key(private_key.strip())
    except Exception:  # eth-account raises ValueError, TypeError or eth-keys' ValidationError for a bad key
        raise InputError("that is not a valid private key (64 hex digits)") from None
    if int.from_bytes(account.key, "big") == 0:  # eth-keys accepts it, but no signature can be made with it
        raise InputError("that is not a valid private key (64 hex digits)")
    return _save(alias, account, password, home, development=development)


def import_mnemonic(
    alias: str, mnemonic: str, password: str, *, index: int = 0, home: Path | None = None
) -> StoredAccount:
    from eth_account import Account

    _ensure_new(alias, home)
    Account.enable_unaudited_hdwallet_features()
    try:
        account = Account.from_mnemonic(" ".join(mnemonic.split()), account_path=f"m/44'/60'/0'/0/{index}")
    except Exception:  # eth-account's HD wallet raises ValueError or its own errors for a bad mnemonic
        raise InputError("that is not a valid BIP-39 mnemonic") from None
    return _save(alias, account, password, home)


def list_accounts(*, home: Path | None = None) -> list[StoredAccount]:
    found = []
    for path in sorted(keystore_dir(home).glob("*.json")):
        from eth_utils import is_hex_address, to_checksum_address

        try:
            address = "0x" + str(parsing.loads(path.read_text(encoding="utf-8"))["address"]).removeprefix("0x")
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a keystore: `load` names the problem if this alias is used
        if is_hex_address(address):
            found.append(StoredAccount(path.stem, to_checksum_address(address), path))
    return found


def existing_keystore(alias: str, *, home: Path | None = None) -> Path:
    """The keystore file of `alias`; InputError if there is none."""
    path = _path(alias, home)
    if not path.exists():
        raise _unknown(alias, home)
    return path


def _unknown(alias: str, home: Path | None) -> InputError:
    """The error for an account name with no keystore: the known names, and a guess when one is close."""
    import difflib

    known = [account.alias for account in list_accounts(home=home)]
    close = difflib.get_close_matches(alias, known, n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    return InputError(
        f"no account named {alias!r} ({guess}known: {', '.join(known) or 'none'})",
        hint=None if known else "create one with `deai-gov account new NAME`, or `account import NAME`",
    )


def is_development(alias: str, *, home: Path | None = None) -> bool:
    """Whether the keystore of `alias` holds a development chain's public key (`node accounts --import`): anyone
    knows it, so it must sign on development chains only. False for a keystore that is missing or unreadable."""
    try:
        keystore = parsing.loads(_path(alias, home).read_text(encoding="utf-8"))
        return bool(keystore["deai_gov"]["development"])
    except (OSError, ValueError, KeyError, TypeError):  # no such mark (or no such file): a key of one's own
        return False


def delete(alias: str, *, home: Path | None = None) -> None:
    existing_keystore(alias, home=home).unlink()


def load(alias: str, password: str, *, home: Path | None = None) -> LocalAccount:
    """Decrypt the keystore of `alias`; InputError on a missing, unreadable or wrongly unlocked keystore."""
    from eth_account import Account

    path = _path(alias, home)
    try:
        keystore = parsing.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _unknown(alias, home) from None
    except (OSError, ValueError):
        raise InputError(f"the keystore {path} is unreadable or not JSON") from None
    try:
        key = Account.decrypt(keystore, password)
    except ValueError:
        raise InputError(f"wrong password for account {alias!r}") from None
    except Exception:  # a hostile file: eth-keyfile raises KeyError, TypeError and the like on a bad layout
        raise InputError(f"the keystore {path} is not a valid Web3 Secret Storage file") from None
    return Account.from_key(key)


def read_password(*, password_file: Path | None = None, password_env: str | None = None) -> str | None:
    """The password from a file (first line) or a named environment variable; None when neither is given."""
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").splitlines()[0] if password_file.stat().st_size else ""
        except OSError as exc:
            raise InputError(f"cannot read the password file {password_file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"cannot read the password file {password_file}: it is not UTF-8 text") from None
    if password_env is not None:
        if password_env not in os.environ:
            raise InputError(f"the environment variable {password_env} is not set")
        return os.environ[password_env]
    return None
