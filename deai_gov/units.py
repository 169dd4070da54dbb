"""Units people write: token amounts (the library works in base units; people write `1.5`) and durations (the
library works in seconds; people write `90s`, `30m`, `48h`, `2d`, `1w`)."""

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
    # Exact integer arithmetic on the decimal's digits: Decimal's own scaling rounds to 28 significant digits.
    _, digits, exponent = value.as_tuple()
    coefficient = int("".join(map(str, digits)) or "0")
    shift = int(exponent) + decimals
    if coefficient == 0:
        return 0
    if shift < 0:
        if -shift > len(digits):  # every significant digit lies beyond the last decimal
            raise InputError(f"{text!r} has more than {decimals} decimals")
        coefficient, rest = divmod(coefficient, 10**-shift)
        if rest:
            raise InputError(f"{text!r} has more than {decimals} decimals")
        shift = 0
    if len(str(coefficient)) + shift > len(str(MAX_UINT256)):
        raise InputError(f"{text!r} is too large")
    units = coefficient * 10**shift
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


def format_fixed(units: int, decimals: int = TOKEN_DECIMALS) -> str:
    """A fixed-point value (an evaluation's metric, a policy's figure) as plain decimal text, without grouping, as
    JSON consumers parse it: 875000000000000000 -> '0.875', -5 * 10**17 -> '-0.5', 10**20 -> '100'."""
    from decimal import Decimal

    return format(Decimal(units).scaleb(-decimals).normalize(), "f")


def format_ether(wei: int, places: int = 4) -> str:
    """A native balance in ether, to `places` decimals at most (gas makes the last of 18 digits noise): 9,999.9853."""
    step = 10 ** (TOKEN_DECIMALS - places)
    rounded = (abs(wei) + step // 2) // step * step
    return ("-" if wei < 0 else "") + format_amount(rounded)


_SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}


def parse_duration(text: str | int) -> int:
    """Whole seconds from `3600` or a number with a unit: `90s`, `30m`, `48h`, `2d`, `1w`; InputError otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise InputError(f"{text} is not a duration (negative)")
        return text
    cleaned = str(text).strip().lower()
    unit = _SECONDS_PER_UNIT.get(cleaned[-1:]) if cleaned else None
    number = cleaned[:-1] if unit else cleaned
    if not (number.isascii() and number.isdigit()):
        raise InputError(f"{text!r} is not a duration: write seconds, or a number with s, m, h, d or w")
    return int(number) * (unit or 1)


_DURATION_WORDS = (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def format_duration(seconds: int) -> str:
    """Seconds in words, largest units first: 604800 -> '1 week', 90061 -> '1 day 1 hour 1 minute 1 second'."""
    if seconds <= 0:
        return "0 seconds"
    parts = []
    left = seconds
    for word, size in _DURATION_WORDS:
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count:,} {word}{'s' if count > 1 else ''}")
    return " ".join(parts)


def format_time(timestamp: int, now: float | None = None) -> str:
    """A unix time as people read it, in UTC, with how far it is from `now` (if given):
    '2026-12-08 14:00 UTC, in 6 days', '2026-12-01 09:30 UTC, 3 hours ago'."""
    from datetime import UTC, datetime

    try:
        text = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:,} seconds after 1970 (beyond any calendar date)"
    if now is None:
        return text
    return f"{text}, {format_relative(timestamp - int(now))}"


def format_relative(seconds: int) -> str:
    """A signed number of seconds from now in words: its largest unit, and the next one down when it is not zero:
    'in 6 days', 'in 1 day 23 hours', '3 hours ago', 'now'."""
    if seconds == 0:
        return "now"
    left = abs(seconds)
    parts = []
    for index, (word, size) in enumerate(_DURATION_WORDS):
        count, rest = divmod(left, size)
        if count:
            parts.append(f"{count:,} {word}{'s' if count > 1 else ''}")
            if index + 1 < len(_DURATION_WORDS):
                word, size = _DURATION_WORDS[index + 1]
                if rest // size:
                    parts.append(f"{rest // size:,} {word}{'s' if rest // size > 1 else ''}")
            break
    amount = " ".join(parts)
    return f"in {amount}" if seconds > 0 else f"{amount} ago"
