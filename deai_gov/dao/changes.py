"""Actions by which the DAO changes itself: treasury transfers, its settings, its guardians, and any other call.

Each builder returns an `Action` (the call the timelock makes when the proposal executes), validated before anything
is sent: an amount, duration or percent the contracts would refuse, or a call that cannot be encoded, is an
InputError naming it. Values are written as people write them: token amounts (`2500`, `1.5`), durations (`2d`,
`90m`), percents (`5%`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..names import checksum_address
from ..units import MAX_UINT256, parse_amount, parse_duration
from .actions import Action
from .deploy import ZERO_ADDRESS

if TYPE_CHECKING:
    from .deployed import Dao


def transfer_action(dao: Dao, recipient: str, amount: int) -> Action:
    """Send `amount` base units of the token from the treasury (the timelock) to `recipient`."""
    if amount <= 0:
        raise InputError("a transfer must be a positive amount")
    return dao.action("token", "transfer", checksum_address(recipient, "recipient"), amount)


@dataclass(frozen=True)
class Setting:
    """One setting a vote can change: which contract and function, and how its value is written and bounded."""

    role: str
    function: str
    kind: str  # "duration", "amount" or "percent"
    maximum: int
    minimum: int = 0


#: The settings `setting_action` knows, by the names the CLI uses.
SETTINGS: dict[str, Setting] = {
    "voting-delay": Setting("governor", "setVotingDelay", "duration", 2**48 - 1),
    "voting-period": Setting("governor", "setVotingPeriod", "duration", 2**32 - 1, minimum=1),
    "threshold": Setting("governor", "setProposalThreshold", "amount", MAX_UINT256),
    "quorum": Setting("governor", "updateQuorumNumerator", "percent", 100),
    "late-quorum": Setting("governor", "setLateQuorumVoteExtension", "duration", 2**48 - 1),
    "timelock-delay": Setting("timelock", "updateDelay", "duration", MAX_UINT256),
}


def setting_action(dao: Dao, name: str, value: str | int) -> Action:
    """The action setting `name` (see SETTINGS) to `value`: `voting-period=7d`, `threshold=10000` (tokens),
    `quorum=5%`. InputError for an unknown setting or a value the contract would refuse."""
    setting = SETTINGS.get(name)
    if setting is None:
        raise InputError(f"unknown setting {name!r}; known: {', '.join(SETTINGS)}")
    if setting.kind == "duration":
        number = parse_duration(value)
    elif setting.kind == "amount":
        number = parse_amount(value)
    else:
        text = str(value).strip().removesuffix("%").strip()
        if not (text.isascii() and text.isdigit()):
            raise InputError(f"{name}: {value!r} is not a whole percent (e.g. 5%)")
        number = int(text)
    if not setting.minimum <= number <= setting.maximum:
        raise InputError(f"{name}: {value!r} is out of range ({setting.minimum} to {setting.maximum})")
    return dao.action(setting.role, setting.function, number)


def guardian_actions(dao: Dao, guardian: str | None, *, governor: bool = True, registry: bool = True) -> list[Action]:
    """Make `guardian` (None: nobody) the governor's proposal guardian and/or the registry's guardian. A proposal
    made only of these cannot be cancelled by the guardian it replaces."""

    if not (governor or registry):
        raise InputError("choose the governor's guardian, the registry's, or both")
    address = ZERO_ADDRESS if guardian is None else checksum_address(guardian, "guardian")
    actions = []
    if governor:
        actions.append(dao.action("governor", "setProposalGuardian", address))
    if registry:
        actions.append(dao.action("registry", "setGuardian", address))
    return actions


_SIGNATURE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\(([^()]*)\)")
_INT_SIZES = "|".join(str(bits) for bits in range(8, 257, 8))
_SCALAR = re.compile(rf"address|bool|string|bytes([1-9]|[12][0-9]|3[0-2])?|u?int({_INT_SIZES})?")


def call_action(dao: Dao, target: str, signature: str, args: list[str], *, value: int = 0) -> Action:
    """A call of `signature` (e.g. `transfer(address,uint256)`) on `target` with `args` written as text: addresses
    (checksummed), whole numbers, `true`/`false`, `0x…` bytes, strings. Arrays and tuples need raw calldata
    (`calldata_action`)."""
    from eth_abi import encode
    from eth_utils import keccak

    del dao  # kept for symmetry with the other builders (the target need not be the DAO's)
    match = _SIGNATURE.fullmatch(signature.replace(" ", ""))
    if match is None:
        raise InputError(f"{signature!r} is not a function signature like transfer(address,uint256)")
    name, listed = match.groups()
    types = [t for t in listed.split(",") if t] if listed else []
    for kind in types:
        if not _SCALAR.fullmatch(kind):
            raise InputError(f"{signature}: type {kind!r} is not supported here; give the calldata (--calldata)")
    if len(args) != len(types):
        raise InputError(f"{signature} takes {len(types)} argument(s), {len(args)} given")
    values = [_argument(kind, text, index) for index, (kind, text) in enumerate(zip(types, args, strict=True))]
    try:
        data = keccak(text=f"{name}({','.join(types)})")[:4] + encode(types, values)
    except Exception as exc:  # eth_abi's encoding errors: a value out of range for its type
        raise InputError(f"{signature}: cannot encode the arguments ({type(exc).__name__}: {exc})") from None
    if value < 0:
        raise InputError("a call's value must not be negative")
    return Action(checksum_address(target, "call target"), value, data)


def calldata_action(target: str, calldata: str, *, value: int = 0) -> Action:
    """A call of `target` with raw `calldata` (`0x…`), for what `call_action` cannot spell."""
    text = calldata.strip().removeprefix("0x")
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise InputError(f"{calldata!r} is not hex calldata") from None
    if len(data) < 4:
        raise InputError("calldata starts with a 4-byte function selector")
    if value < 0:
        raise InputError("a call's value must not be negative")
    return Action(checksum_address(target, "call target"), value, data)


def _argument(kind: str, text: str, index: int) -> Any:
    where = f"argument {index + 1} ({kind})"
    if kind == "address":
        return checksum_address(text, where)
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise InputError(f"{where}: {text!r} is not true or false")
        return text.lower() == "true"
    if kind == "string":
        return text
    if kind.startswith("bytes"):
        try:
            data = bytes.fromhex(text.removeprefix("0x"))
        except ValueError:
            raise InputError(f"{where}: {text!r} is not 0x-prefixed hex") from None
        size = kind.removeprefix("bytes")
        if size and len(data) != int(size):
            raise InputError(f"{where}: {len(data)} bytes given, {size} expected")
        return data
    cleaned = text.replace("_", "").replace(",", "")
    if not re.fullmatch(r"-?[0-9]+", cleaned):
        raise InputError(f"{where}: {text!r} is not a whole number")
    number = int(cleaned)
    bits = int(kind.lstrip("uint") or 256)
    low, high = (0, 2**bits - 1) if kind.startswith("u") else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not low <= number <= high:
        raise InputError(f"{where}: {text} is out of range for {kind}")
    return number
