"""Options and parameter types shared by the commands: every command parses them the same way."""

from __future__ import annotations

from typing import Any

import click

from ..errors import InputError
from ..ipfs.profiles import DEFAULT_PROFILE, PROFILES
from ..names import parse_model_reference
from ..units import parse_amount, parse_duration
from .session import Session


def json_option(command: Any) -> Any:
    """`--json` on a command as well as before it: `deai-gov model list --json` = `deai-gov --json model list`."""

    def turn_on(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.find_object(Session).as_json = True  # type: ignore[union-attr]

    return click.option(
        "--json", "as_json", is_flag=True, expose_value=False, callback=turn_on, help="Machine-readable output."
    )(command)


#: Proposal ids are uint256 on chain (sequential from 1 here).
PROPOSAL_ID = click.IntRange(1, 2**256 - 1)

#: How a vote counts.
SUPPORT = click.Choice(["for", "against", "abstain"], case_sensitive=False)

#: Proposal states, as `proposal list --state` and `proposal wait --until` name them.
#: Import profiles for --profile, the default first.
PROFILE_NAMES = (DEFAULT_PROFILE.name, *(name for name in PROFILES if name != DEFAULT_PROFILE.name))

STATES = ["pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed"]


class ModelReference(click.ParamType):
    """`org/name` or `org/name@VERSION`, parsed into (name, version or None); a bad one is an input error."""

    name = "model"

    def __init__(self, *, version: str = "optional"):
        """`version` is "optional", "required" or "none" (the command takes a bare name)."""
        self.version = version

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        if isinstance(value, str) and "/" not in value and value.startswith(("bafy", "bafk", "Qm")):
            raise InputError(
                f"{value} is a CID, not a model name (org/name)",
                hint=f"`deai-gov model which {value}` says which model and version it is",
            )
        name, version = parse_model_reference(value)  # InputError: exit 3 with the library's words
        if self.version == "required" and version is None:
            raise InputError("say which version to roll back to: NAME@VERSION")
        return name, version


class Amount(click.ParamType):
    """A token amount in decimal units (`12.5`), converted to base units."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value if isinstance(value, int) else parse_amount(value)


class AmountOrAuto(Amount):
    """A token amount, or `auto`: computed from the DAO's adopted reward policy."""

    name = "amount|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return "auto" if value == "auto" else super().convert(value, param, ctx)


class Address(click.ParamType):
    """An Ethereum address, checksummed (a mixed-case one must carry a valid checksum), or the name of an account of
    this machine (`home.addressbook`)."""

    name = "address"

    def __init__(self, what: str = "address"):
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ..home.addressbook import resolve_address

        return resolve_address(value, self.what)


class Duration(click.ParamType):
    """A duration in whole seconds, written as seconds (`3600`) or with a unit: `90s`, `30m`, `48h`, `2d`, `1w`."""

    name = "duration"

    def __init__(self, minimum: int = 0):
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            seconds = parse_duration(value)
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        if seconds < self.minimum:
            self.fail(f"{value!r} is shorter than {self.minimum} s", param, ctx)
        return seconds  # how long the contracts can count is checked by the library (DaoParams.validate)


MODEL = ModelReference()
AMOUNT = Amount()
AMOUNT_OR_AUTO = AmountOrAuto()
