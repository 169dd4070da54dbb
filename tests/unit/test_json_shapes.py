"""The JSON shapes `--json` prints are the library results' `to_json()`, and docs/json.md lists exactly their fields:
a field added, renamed or removed in code without the document (or the other way round) fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from deai_gov.contracts.states import ModelStatus, ProposalState, VersionStatus
from deai_gov.dao.actions import Proposal
from deai_gov.dao.deployed import DaoSettings, WiringCheck
from deai_gov.dao.governance import Ballot, ProposalSummary, Support
from deai_gov.dao.registry import ModelHistory, ModelInfo, VersionInfo
from deai_gov.dao.token import Delegate, Holding, MeritGrant
from deai_gov.dev.devnet import DevAccount
from deai_gov.dev.localnet import Localnet
from deai_gov.home.accounts import StoredAccount
from deai_gov.integrations.mlflow.mirror import MirrorResult
from deai_gov.ipfs.archive import ArchiveReport
from deai_gov.ipfs.content import LocalComparison, StreamReport, VerifyReport
from deai_gov.ipfs.manifest import FileEntry
from deai_gov.ipfs.pinning import PinStatus
from deai_gov.merit.evaluation import Evaluation, Metric
from deai_gov.safe.collected import CollectedSignatures
from deai_gov.safe.transaction import SafeState
from deai_gov.workflows.approved import ApprovedVersion
from deai_gov.workflows.daouri import DaoDescription
from deai_gov.workflows.describe import ProposalInfo, ProposalReview, ProposedArtifact
from deai_gov.workflows.diff import FieldChange, FileChange, VersionDiff
from deai_gov.workflows.evaluations import EvaluationRecord
from deai_gov.workflows.modelcard import CardSection
from deai_gov.workflows.proposing import VersionContent
from deai_gov.workflows.provenance import Approval, CidUse
from deai_gov.workflows.quality import MetricComparison
from deai_gov.workflows.relaying import RelayReceipt
from deai_gov.workflows.safe_requests import SafeRequest
from deai_gov.workflows.signatures import VersionSignature
from deai_gov.workflows.simulation import ProposalCheck
from deai_gov.workflows.submission import ExistingProposal

DOC = Path(__file__).resolve().parents[2] / "docs" / "json.md"
ADDRESS = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"

MODEL = ModelInfo("0x" + "ab" * 32, "acme/vision", ModelStatus.ACTIVE, False, 2, 3)
VERSION = VersionInfo(2, VersionStatus.CURRENT, CID, CID, ADDRESS, 1_700_000_000, 1)
INFO = ProposalInfo(3, Proposal((), "# Title"), ADDRESS, ProposalState.ACTIVE, 1, 2, 0, 10, 0, 0, 5, 7, ["do a"])
REPORT = VerifyReport(CID, CID, None, [FileEntry("a.bin", 1, "00" * 32, CID)], 2, [StreamReport("p", 2, 9, None)])  # type: ignore[arg-type]

#: One instance of each result, as the library builds it.
SAMPLES: dict[str, Any] = {
    "ModelInfo": MODEL,
    "ModelHistory": ModelHistory(MODEL, [VERSION]),
    "VersionInfo": VERSION,
    "Approval": Approval(3, "0x" + "cd" * 32, 9, 10, 0, 0, ProposalState.EXECUTED, "acme/vision", VERSION),
    "CardSection": CardSection(
        "<!-- deai-gov:approval -->\n",
        Approval(3, "0x" + "cd" * 32, 9, 10, 0, 0, ProposalState.EXECUTED, "acme/vision", VERSION).to_json()
        | {"chain_id": 1, "registry": ADDRESS, "evaluations": [], "signature": None},
    ),
    "ApprovedVersion": ApprovedVersion("acme/vision", MODEL, VERSION),
    "CidUse": CidUse(CID, "acme/vision", VERSION, "artifact", "active", None, "pruned"),
    "VersionDiff": VersionDiff(
        "acme/vision",
        1,
        2,
        None,
        [FileChange("a.bin", "moved", 1, 1, "b.bin")],
        2,
        [FieldChange("license", "mit", "apache-2.0")],
        10,
        12,
    ),
    "FileChange": FileChange("a.bin", "added", None, 5),
    "EvaluationRecord": EvaluationRecord("0x" + "ab" * 32, ADDRESS, 1, 2, None, False, ["untrusted"]),
    "Evaluation": Evaluation(
        "acme/vision", 2, CID, ADDRESS, "b", "1", "", b"\0" * 32, (Metric("acc", 10**18, True),), ""
    ),
    "Metric": Metric("acc", 875 * 10**15, True),
    "MetricComparison": MetricComparison("b v1", "acc", True, ((ADDRESS, 10**18),), ((ADDRESS, 5 * 10**17),)),
    "FieldChange": FieldChange("license", "mit", "apache-2.0"),
    "VerifyReport": REPORT,
    "LocalComparison": LocalComparison(CID, True, [], "unixfs-v1-2025"),
    "ArchiveReport": ArchiveReport("v.car", [CID, CID], 3, 99, None),
    "PinStatus": PinStatus("r1", "queued", CID, "acme/vision@2 artifact", "2026-12-07T00:00:00Z"),
    "VersionContent": VersionContent(CID, CID, "given CIDs"),
    "ProposalSummary": ProposalSummary(3, ProposalState.ACTIVE, ADDRESS, "Title", 5),
    "Ballot": Ballot(ADDRESS, Support.FOR, 5, 7, "why", False, 9, "0x" + "ab" * 32),
    "ProposalReview": ProposalReview(INFO, [None], [], None),
    "ProposedArtifact": ProposedArtifact("acme/vision", 2, CID, CID, None),
    "MirrorResult": MirrorResult("acme/vision", "set", "vision", "3", "dao-approved -> acme/vision v2"),
    "VersionSignature": VersionSignature("ab" * 32, "cd" * 32, True, "the DAO", None),
    "ProposalCheck": ProposalCheck(None, "no anvil", [None]),
    "RelayReceipt": RelayReceipt("vote", ADDRESS, "proposal 3", "0x" + "ab" * 32, 7, 80_000),
    "DaoDescription": DaoDescription(
        {
            name: {key: []}
            for name, key in (
                ("members.json", "members"),
                ("proposals.json", "proposals"),
                ("activityLog.json", "activities"),
                ("contracts.json", "contracts"),
            )
        }
    ),
    "SafeRequest": SafeRequest(
        "vote",
        SafeState(ADDRESS, (ADDRESS,), 1, 0),
        ["vote for"],
        CollectedSignatures("vote", 1, ADDRESS, "0x", {}),
        {},
    ),
    "ExistingProposal": ExistingProposal(3, ProposalState.ACTIVE),
    "StoredAccount": StoredAccount("alice", ADDRESS, Path("alice.json")),
    "Holding": Holding(ADDRESS, 5, 7, ADDRESS, "MDL"),
    "Delegate": Delegate(ADDRESS, 7, 0.5),
    "DaoSettings": DaoSettings(
        1, {"token": ADDRESS}, "Model", "MDL", 10, 1, 2, 3, 4, 5, 6, 7, 8, ADDRESS, ADDRESS, 1, 2
    ),
    "MeritGrant": MeritGrant(0, 10**18, 1_800_000_000),
    "WiringCheck": WiringCheck("the registry's owner is the timelock", True, ADDRESS),
    "Localnet": Localnet(1, 8545, None, None),
    "DevAccount": DevAccount(0, ADDRESS, "0x" + "11" * 32, 10**18),
}


def documented() -> dict[str, list[str]]:
    """Each `### Type` section of docs/json.md and the fields of its table (those of another type it says it
    includes, with "every field of X", first)."""
    sections = re.split(r"^### ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]
    found: dict[str, list[str]] = {}
    for section in sections:
        name, _, body = section.partition("\n")
        fields = re.findall(r"^\| `(\w+)` \|", body.split("\n## ")[0], flags=re.M)
        included = re.search(r"every field of (\w+)", body)
        found[name.strip()] = (found[included.group(1)] if included else []) + fields
    return found


def test_every_result_is_documented_and_every_section_is_a_result() -> None:
    assert set(documented()) == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_document_lists_exactly_the_fields_written(name: str) -> None:
    assert list(SAMPLES[name].to_json()) == documented()[name]


def test_the_section_reader_sees_fields_and_inclusions() -> None:
    shapes = documented()
    assert shapes["ModelHistory"] == [*shapes["ModelInfo"], "versions"]
    assert shapes["PinStatus"] == ["requestid", "status", "cid", "name", "created"]
