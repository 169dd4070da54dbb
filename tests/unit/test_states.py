"""The contracts' enums as mirrored in Python (`deai_gov.contracts.states`), checked against the Solidity
declarations."""

from __future__ import annotations

import re
from enum import IntEnum
from pathlib import Path

import pytest

from deai_gov.contracts.states import ModelStatus, OperationState, ProposalState, VersionStatus

ROOT = Path(__file__).resolve().parents[2]
OZ = ROOT / "node_modules" / "@openzeppelin" / "contracts"


def solidity_enum(sources: list[Path], name: str) -> list[str]:
    """Members of `enum name { ... }`, in declaration order, from the one source among `sources` declaring it."""
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        text = re.sub(r"//[^\n]*", "", text)
        for match in re.finditer(rf"\benum\s+{name}\s*\{{([^}}]*)\}}", text):
            found.append([member.strip() for member in match.group(1).split(",") if member.strip()])
    assert len(found) == 1, f"enum {name} is declared {len(found)} times in {[p.name for p in sources]}"
    return found[0]


def python_name(member: str) -> str:
    """`RolledBack` -> `ROLLED_BACK`: the Python spelling of a Solidity enum member."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", member).upper()


REGISTRY_SOURCES = sorted((ROOT / "contracts").glob("*ModelRegistry.sol"))

ENUMS: list[tuple[type[IntEnum], list[Path], str]] = [
    (ProposalState, [OZ / "governance" / "IGovernor.sol"], "ProposalState"),
    (OperationState, [OZ / "governance" / "TimelockController.sol"], "OperationState"),
    (ModelStatus, REGISTRY_SOURCES, "ModelStatus"),
    (VersionStatus, REGISTRY_SOURCES, "VersionStatus"),
]


def test_the_registry_sources_are_found() -> None:
    assert {p.name for p in REGISTRY_SOURCES} >= {"ModelRegistry.sol"}


@pytest.mark.parametrize(("enum", "sources", "name"), ENUMS, ids=[e[2] for e in ENUMS])
def test_values_follow_the_solidity_declaration_order(enum: type[IntEnum], sources: list[Path], name: str) -> None:
    """Member i of the Solidity enum is ABI-encoded as i: the Python member of that name must have value i."""
    members = solidity_enum(sources, name)
    assert [(python_name(m), i) for i, m in enumerate(members)] == [(m.name, m.value) for m in enum]


@pytest.mark.parametrize(
    ("enum", "sources", "name"),
    [e for e in ENUMS if e[0] in (ProposalState, OperationState)],
    ids=["ProposalState", "OperationState"],
)
def test_labels_are_the_solidity_names_in_lower_case(enum: type[IntEnum], sources: list[Path], name: str) -> None:
    members = solidity_enum(sources, name)
    assert [enum(i).label for i in range(len(members))] == [m.lower() for m in members]  # type: ignore[attr-defined]


def test_model_status_labels() -> None:
    """A model in status None does not exist: it reads as unregistered, not as 'none'."""
    assert ModelStatus.NONE.label == "unregistered"
    assert ModelStatus(0).label == "unregistered"
    members = solidity_enum(REGISTRY_SOURCES, "ModelStatus")
    assert [ModelStatus(i).label for i in range(1, len(members))] == [m.lower() for m in members[1:]]


def test_final_proposal_states() -> None:
    """Canceled, defeated, expired and executed are never left; every other state may still change."""
    final = {state for state in ProposalState if state.is_final}
    assert final == {ProposalState.CANCELED, ProposalState.DEFEATED, ProposalState.EXPIRED, ProposalState.EXECUTED}
    for label in ("pending", "active", "succeeded", "queued"):
        assert not next(s for s in ProposalState if s.label == label).is_final


def test_enums_read_from_chain_integers() -> None:
    """Values a view returns as plain ints map to members, and an unknown value is refused."""
    assert ProposalState(4) is ProposalState.SUCCEEDED
    assert ModelStatus(2) is ModelStatus.RETIRED
    assert VersionStatus(3) is VersionStatus.ROLLED_BACK
    assert OperationState(2) is OperationState.READY
    with pytest.raises(ValueError):
        ProposalState(8)
    with pytest.raises(ValueError):
        ModelStatus(3)
