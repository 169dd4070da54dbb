"""Names for addresses: the aliases of this machine's accounts (their keystores), usable wherever a command takes an
address, and shown next to the addresses they name.

No ENS and nothing from the network: a name means only what this configuration folder says it means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..names import address_or_none, checksum_address
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


def with_name(address: str, names: Mapping[str, str]) -> str:
    """An address as shown to people: `0x… (alice)` when `names` (from `names_of`) names it, none for the zero
    address, else the address alone."""
    name = names.get(str(address).lower())
    shown = address_or_none(address)
    return f"{shown} ({name})" if name else shown


#: An address in running text: 0x and 40 hex digits, not part of a longer hex string (a hash, calldata).
_ADDRESS_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")


def name_addresses(text: str, names: Mapping[str, str]) -> str:
    """`text` (words this package wrote, such as an action in words) with each address `names` knows followed by
    its name: `to 0x… (bob)`. Never for what a proposer wrote: a name beside an address there would vouch for it."""
    if not names:
        return text

    def named(match: re.Match[str]) -> str:
        name = names.get(match.group(0).lower())
        return f"{match.group(0)} ({name})" if name else match.group(0)

    return _ADDRESS_IN_TEXT.sub(named, text)
