"""Token amounts: the library works in base units; people write decimal amounts like `1.5`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import InputError

TOKEN_DECIMALS = 18
MAX_UINT256 = 2**256 - 1


def parse_amount(text: str | int | Decimal, decimals: int = TOKEN_DECIMALS) -> int:
    """`"1.5"` -> 1.5 * 10**decimals base units; rejects negatives, too many decimals and overflows."""
    cleaned = str(text).strip().replace("_", "")
    if not cleaned.isascii():  # Decimal reads any Unicode digit; an amount is typed in ASCII
        raise InputError(f"{text!r} is not an amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(f"{text!r} is not an amount") from None
    if not value.is_finite() or value < 0:
        raise InputError(f"{text!r} is not a non-negative amount")
    try:
        scaled = value.scaleb(decimals)
    except ArithmeticError:
        raise InputError(f"{text!r} is too large") from None
    if scaled != scaled.to_integral_value():
        raise InputError(f"{text!r} has more than {decimals} decimals")
    units = int(scaled)
    if units > MAX_UINT256:
        raise InputError(f"{text!r} is too large")
    return units


def format_amount(units: int, decimals: int = TOKEN_DECIMALS) -> str:
    """Base units as a decimal string without trailing zeros: 1500000000000000000 -> '1.5'."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**decimals)
    text = f"{whole:,}"
    if frac:
        text += "." + str(frac).rjust(decimals, "0").rstrip("0")
    return sign + text
