"""Names for addresses: the aliases of this machine's accounts (their keystores), usable wherever a command takes an
address, and shown next to the addresses they name.

No ENS and nothing from the network: a name means only what this configuration folder says it means.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..names import checksum_address
from .accounts import list_accounts


def resolve_address(text: str, what: str, *, home: Path | None = None) -> str:
    """`text` as a checksummed address: an address itself (checked as `names.checksum_address` checks it), or the
    alias of an account of this machine (`deai-gov account list`). InputError naming the known aliases otherwise,
    with a guess when one is close."""
    if not isinstance(text, str):
        raise InputError(f"{what} {text!r} is not an address")
    if text[:2] in ("0x", "0X") or not text:
        return checksum_address(text, what)
    accounts = {account.alias: account.address for account in list_accounts(home=home)}
    if text in accounts:
        return accounts[text]
    import difflib

    close = difflib.get_close_matches(text, list(accounts), n=1)
    known = ", ".join(sorted(accounts)) or "none yet"
    guess = f"did you mean {close[0]!r}? " if close else ""
    raise InputError(f"{what} {text!r} is neither an address nor an account name ({guess}accounts: {known})")


def names_of(*, home: Path | None = None) -> dict[str, str]:
    """Each known address (lowercase) and the account alias that names it, for showing beside addresses."""
    return {account.address.lower(): account.alias for account in list_accounts(home=home)}
