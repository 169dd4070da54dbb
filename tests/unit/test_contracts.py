"""The compiled contracts the package ships (`deai_gov.contracts.artifacts`)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from deai_gov.contracts.artifacts import (
    ARTIFACTS_FILE,
    DAO_CONTRACTS,
    EAS_FILE,
    Artifact,
    all_abis,
    artifact,
    build_info,
    bytecode_digests,
    event_abi,
    function_abi,
    openzeppelin_version,
)

ROOT = Path(__file__).resolve().parents[2]
OZ = ROOT / "node_modules" / "@openzeppelin" / "contracts"


def shipped() -> dict[str, dict[str, object]]:
    """The artifacts file as JSON, read here rather than through the module."""
    return json.loads(ARTIFACTS_FILE.read_text(encoding="utf-8"))["contracts"]


def declared(path: Path, kind: str) -> set[str]:
    """Names of the `kind`s (function, event, error) declared in a Solidity file, comments left out."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return set(re.findall(rf"\b{kind}\s+([A-Za-z_]\w*)\s*\(", text))


def test_the_shipped_artifacts_are_exactly_the_dao_contracts() -> None:
    assert len(DAO_CONTRACTS) == len(set(DAO_CONTRACTS)) == 4
    assert sorted(shipped()) == sorted(DAO_CONTRACTS)


@pytest.mark.parametrize("name", DAO_CONTRACTS)
def test_artifact(name: str) -> None:
    data = shipped()[name]
    found = artifact(name)
    assert isinstance(found, Artifact)
    assert (found.name, found.abi, found.bytecode, found.deployed_bytecode) == (
        name,
        data["abi"],
        data["bytecode"],
        data["deployedBytecode"],
    )
    assert found.bytecode.startswith("0x") and len(found.bytecode) > 2
    assert found.runtime_size == (len(found.deployed_bytecode) - 2) // 2 > 0


@pytest.mark.parametrize("name", ["Nope", "modelregistry", "", "Governor", "IModelRegistry"])
def test_an_unknown_contract_name(name: str) -> None:
    """The error names what was asked and what is shipped."""
    with pytest.raises(KeyError) as excinfo:
        artifact(name)
    message = str(excinfo.value)
    assert repr(name) in message
    assert all(contract in message for contract in DAO_CONTRACTS)


def test_function_abi() -> None:
    propose = function_abi("ModelGovernor", "propose")
    assert propose["type"] == "function" and propose["name"] == "propose"
    assert [i["type"] for i in propose["inputs"]] == ["address[]", "uint256[]", "bytes[]", "string"]
    model_id = function_abi("ModelRegistry", "modelId")
    assert [i["type"] for i in model_id["inputs"]] == ["string"]
    assert [o["type"] for o in model_id["outputs"]] == ["bytes32"]
    assert model_id["stateMutability"] == "pure"


def test_event_abi() -> None:
    vote = event_abi("ModelGovernor", "VoteCast")
    assert vote["type"] == "event"
    assert [(i["name"], i["type"], i["indexed"]) for i in vote["inputs"]] == [
        ("voter", "address", True),
        ("proposalId", "uint256", False),
        ("support", "uint8", False),
        ("weight", "uint256", False),
        ("reason", "string", False),
    ]


@pytest.mark.parametrize(
    ("lookup", "contract", "name"),
    [
        (function_abi, "ModelRegistry", "noSuchFunction"),
        (function_abi, "ModelRegistry", "ModelRegistered"),  # an event, not a function
        (event_abi, "ModelRegistry", "register"),  # a function, not an event
        (event_abi, "ModelGovernor", "ModelRegistryUnknownModel"),  # an error, not an event
        (function_abi, "ModelToken", "Propose"),  # names are case-sensitive
    ],
)
def test_a_missing_entry(lookup: object, contract: str, name: str) -> None:
    with pytest.raises(KeyError, match=f"contract {contract} has no"):
        lookup(contract, name)  # type: ignore[operator]


def test_a_lookup_in_an_unknown_contract() -> None:
    with pytest.raises(KeyError, match="no shipped artifact"):
        function_abi("Nope", "propose")
    with pytest.raises(KeyError, match="no shipped artifact"):
        event_abi("Nope", "VoteCast")


def test_the_registry_abi_has_what_its_interface_declares() -> None:
    """Every function, event and error of IModelRegistry.sol is found in the shipped ModelRegistry ABI."""
    interface = ROOT / "contracts" / "IModelRegistry.sol"
    functions, events, errors = (declared(interface, kind) for kind in ("function", "event", "error"))
    assert functions and events and errors
    for name in sorted(functions):
        assert function_abi("ModelRegistry", name)["name"] == name
    for name in sorted(events):
        assert event_abi("ModelRegistry", name)["name"] == name
    abi_errors = {e["name"] for e in artifact("ModelRegistry").abi if e["type"] == "error"}
    assert errors <= abi_errors


def test_the_governor_abi_has_the_events_of_igovernor() -> None:
    for name in sorted(declared(OZ / "governance" / "IGovernor.sol", "event")):
        assert event_abi("ModelGovernor", name)["name"] == name


def test_all_abis_are_the_shipped_ones_eas_included() -> None:
    data = shipped()
    eas = json.loads(EAS_FILE.read_text(encoding="utf-8"))["contracts"]
    assert all_abis() == [data[name]["abi"] for name in data] + [eas[name]["abi"] for name in eas]
    assert set(eas) == {"EAS", "SchemaRegistry"} and artifact("EAS").abi == eas["EAS"]["abi"]


def test_bytecode_digests() -> None:
    expected = {
        name: hashlib.sha256(bytes.fromhex(str(data["bytecode"])[2:])).hexdigest() for name, data in shipped().items()
    }
    assert bytecode_digests() == expected


def test_build_info_leaves_the_contracts_out() -> None:
    info = build_info()
    assert "contracts" not in info
    assert info
    whole = json.loads(ARTIFACTS_FILE.read_text(encoding="utf-8"))
    assert info == {k: v for k, v in whole.items() if k != "contracts"}


def test_openzeppelin_version_is_the_installed_one() -> None:
    installed = json.loads((OZ / "package.json").read_text(encoding="utf-8"))["version"]
    assert openzeppelin_version(ROOT) == installed
