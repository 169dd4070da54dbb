"""The CLI's shared parameter types (`deai_gov.cli.options`): each command parses a model reference, an amount, an
address and a duration the same way, and a bad value is a one-line error with the documented exit code."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from deai_gov.cli.options import AMOUNT, MODEL, Address, Duration, ModelReference
from deai_gov.errors import InputError


def test_a_model_reference_is_a_name_and_an_optional_version() -> None:
    assert MODEL.convert("acme/vision", None, None) == ("acme/vision", None)
    assert MODEL.convert("acme/vision@12", None, None) == ("acme/vision", 12)
    assert ModelReference(version="required").convert("acme/vision@3", None, None) == ("acme/vision", 3)
    with pytest.raises(InputError, match="say which version"):
        ModelReference(version="required").convert("acme/vision", None, None)
    with pytest.raises(InputError, match="not a valid model name"):
        MODEL.convert("Acme/Vision", None, None)


def test_an_amount_is_converted_to_base_units() -> None:
    assert AMOUNT.convert("12.5", None, None) == 12_500_000_000_000_000_000
    assert AMOUNT.convert("1_000", None, None) == 1_000 * 10**18
    with pytest.raises(InputError, match="is not an amount"):
        AMOUNT.convert("twelve", None, None)


def test_an_address_is_checksummed_and_a_wrong_checksum_refused() -> None:
    lower = "0x52908400098527886e0f7030069857d2e4169ee7"
    assert Address("holder").convert(lower, None, None) == "0x52908400098527886E0F7030069857D2E4169EE7"
    with pytest.raises(InputError, match="holder '0x1234' is not an address"):
        Address("holder").convert("0x1234", None, None)
    with pytest.raises(InputError, match="wrong checksum"):
        Address("holder").convert("0x52908400098527886E0F7030069857D2E4169Ee7", None, None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0), ("3600", 3600), ("90s", 90), ("30m", 1800), ("48h", 172_800), ("2d", 172_800), ("1w", 604_800),
     (" 2D ", 172_800), (60, 60)],
)  # fmt: skip
def test_a_duration_in_seconds_or_with_a_unit(text: str | int, seconds: int) -> None:
    assert Duration().convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["", "-1", "1.5h", "2 d", "d", "2y", "٣", "1e3", "0x10"])
def test_a_bad_duration_is_a_usage_error(text: str) -> None:
    @click.command()
    @click.option("--wait", type=Duration())
    def command(wait: int) -> None:
        click.echo(wait)

    result = CliRunner().invoke(command, ["--wait", text])
    assert result.exit_code == 2
    assert "is not a duration" in result.output


def test_a_duration_below_the_minimum_is_refused() -> None:
    with pytest.raises(click.BadParameter, match="shorter than 1 s"):
        Duration(1).convert("0", None, None)
