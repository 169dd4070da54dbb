"""Token amounts between decimal text and base units (`deai_gov.units`)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from deai_gov.errors import InputError
from deai_gov.units import MAX_UINT256, TOKEN_DECIMALS, format_amount, format_ether, format_fixed, parse_amount


def test_the_token_has_18_decimals_and_uint256_is_the_ceiling() -> None:
    assert TOKEN_DECIMALS == 18
    assert MAX_UINT256 == 2**256 - 1 == int("f" * 64, 16)


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [
        ("1.5", 6, 1_500_000),
        ("0.000001", 6, 1),
        ("42", 0, 42),
        ("3", 2, 300),
        (".5", 1, 5),
        ("5.", 1, 50),
        ("  2.25\n", 2, 225),
        ("1e3", 0, 1000),
        ("2.5E-3", 4, 25),
        ("-0", 18, 0),
    ],
)
def test_amounts_with_other_decimals(text: str, decimals: int, units: int) -> None:
    assert parse_amount(text, decimals) == units


def test_non_text_amounts() -> None:
    assert parse_amount(7) == 7 * 10**18
    assert parse_amount(Decimal("0.25")) == 25 * 10**16
    assert parse_amount(3, decimals=0) == 3


def test_trailing_zeros_are_not_extra_decimals() -> None:
    """'1.500000000000000000000' is exactly 1.5 tokens: nothing is lost, so nothing is refused."""
    assert parse_amount("1.500000000000000000000") == 15 * 10**17
    assert parse_amount("7.000", decimals=0) == 7


@pytest.mark.parametrize(
    ("text", "decimals"),
    [("1.0000000000000000001", 18), ("0.0000001", 6), ("1.5", 0), ("0.125", 2), ("1e-19", 18)],
)
def test_amounts_that_would_need_rounding_are_refused(text: str, decimals: int) -> None:
    with pytest.raises(InputError, match=f"more than {decimals} decimals"):
        parse_amount(text, decimals)


@pytest.mark.parametrize("text", ["-1", "-0.5", " -3", "-1e-30", "-inf"])
def test_negative_amounts_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="non-negative"):
        parse_amount(text)


def test_negative_numbers_are_refused() -> None:
    with pytest.raises(InputError):
        parse_amount(-1)


def test_the_largest_amounts() -> None:
    """10**77 base units fit in a uint256 (about 1.16 * 10**77); 1.2 * 10**77 does not."""
    assert parse_amount("1e59") == 10**77
    assert parse_amount("1e77", decimals=0) == 10**77
    for text, decimals in [("1.2e59", 18), ("1.2e77", 0), ("1e60", 18), ("1" + "0" * 78, 0)]:
        with pytest.raises(InputError, match="too large"):
            parse_amount(text, decimals)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "one",
        "1,000",
        "1,5",
        "0x10",
        "1.5 tokens",
        "$5",
        "--1",
        "1..5",
        "1e",
        "\u0661",  # Arabic-Indic digit one
        "\uff11",  # fullwidth digit one
        "½",
    ],
)
def test_junk_is_not_an_amount(text: str) -> None:
    with pytest.raises(InputError, match="is not an amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["nan", "NaN", "sNaN", "Infinity", "inf"])
def test_non_finite_values_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("units", "decimals", "text"),
    [
        (1, 18, "0.000000000000000001"),
        (10**18, 18, "1"),
        (10**17, 18, "0.1"),
        (1_234_567 * 10**18 + 10**16, 18, "1,234,567.01"),
        (1_500_000, 6, "1.5"),
        (999, 3, "0.999"),
        (1234, 0, "1,234"),
        (-15 * 10**17, 18, "-1.5"),
        (-1, 18, "-0.000000000000000001"),
        (MAX_UINT256, 18, f"{MAX_UINT256 // 10**18:,}.{MAX_UINT256 % 10**18:018d}".rstrip("0")),
    ],
)
def test_format_amount(units: int, decimals: int, text: str) -> None:
    assert format_amount(units, decimals) == text


def test_formatting_and_parsing_agree() -> None:
    """Formatted text, without its thousands separators, parses back to the same units."""
    rng = random.Random(1155)
    for _ in range(300):
        units = rng.randrange(10 ** rng.randrange(1, 27))
        decimals = rng.choice([0, 2, 6, 18])
        assert parse_amount(format_amount(units, decimals).replace(",", ""), decimals) == units


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("10000000000.000000000000000001", 10**28 + 1),
        ("12345678901.123456789012345678", 12345678901123456789012345678),
        ("0.000000000000000001", 1),
        ("0e-1000000", 0),
    ],
)
def test_amounts_beyond_28_significant_digits_are_exact(text: str, units: int) -> None:
    """Decimal arithmetic rounds to 28 digits by default; an amount is never rounded."""
    assert parse_amount(text) == units


@pytest.mark.parametrize(
    ("text", "decimals", "words"),
    [
        (str(2**256), 0, "too large"),
        ("1e1000000", 18, "too large"),
        ("1e-1000000", 18, "more than 18 decimals"),
        ("1" + "0" * 60 + ".000000000000000000001", 18, "more than 18 decimals"),
    ],
)
def test_amounts_that_would_only_fit_rounded_are_refused(text: str, decimals: int, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_amount(text, decimals)


@pytest.mark.parametrize(
    ("wei", "shown"),
    [
        (10_000 * 10**18, "10,000"),
        (9_999_985_250_394_251_868_988, "9,999.9853"),  # a devnet account after a deployment's gas
        (10**14 - 1, "0.0001"),
        (4 * 10**13, "0"),
        (-15 * 10**17, "-1.5"),
    ],
)
def test_a_native_balance_is_shown_to_four_decimals(wei: int, shown: str) -> None:
    assert format_ether(wei) == shown


@pytest.mark.parametrize(
    ("units", "text"),
    [(875 * 10**15, "0.875"), (-5 * 10**17, "-0.5"), (10**20, "100"), (0, "0"), (1, "0.000000000000000001")],
)
def test_a_fixed_point_value_is_plain_decimal_text(units: int, text: str) -> None:
    assert format_fixed(units) == text
