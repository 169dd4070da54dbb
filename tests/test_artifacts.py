"""The shipped artifacts match the sources, and every contract fits EIP-170."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deai_gov.contracts.artifacts import DAO_CONTRACTS, artifact, build_info, bytecode_digests, sources_digest

ROOT = Path(__file__).resolve().parent.parent
EIP170_LIMIT = 24_576


def test_artifacts_are_built_from_the_current_sources() -> None:
    assert build_info()["sources_sha256"] == sources_digest(ROOT), (
        "contracts/ changed since deai_gov/artifacts/contracts.json was generated: run "
        "`brownie compile && python tools/export_artifacts.py`"
    )
    assert build_info()["compiler"]["version"].startswith("0.8.37")


def test_only_the_dao_contracts_are_shipped() -> None:
    # The gas benchmark's reference registry comes from the brownie build, never from the package.
    assert sorted(bytecode_digests()) == sorted(DAO_CONTRACTS)


@pytest.mark.parametrize("name", DAO_CONTRACTS)
def test_shipped_code_matches_the_build(name: str) -> None:
    build = ROOT / "build" / "contracts" / f"{name}.json"
    if not build.exists():
        pytest.skip("no brownie build in this checkout (run `brownie compile`)")
    built = json.loads(build.read_text())
    shipped = artifact(name)
    assert shipped.abi == built["abi"]
    # The trailing CBOR metadata hashes source paths; compare the code without it.
    assert _strip_metadata(shipped.deployed_bytecode) == _strip_metadata("0x" + built["deployedBytecode"])


@pytest.mark.parametrize("name", DAO_CONTRACTS)
def test_runtime_size_under_eip170(name: str) -> None:
    assert 0 < artifact(name).runtime_size < EIP170_LIMIT


def _strip_metadata(code: str) -> bytes:
    raw = bytes.fromhex(code.removeprefix("0x"))
    metadata_length = int.from_bytes(raw[-2:], "big")
    return raw[: -(metadata_length + 2)]
