"""The DAO described to the tools that index DAOs (EIP-4824, "Common Interfaces for DAOs"): its members,
proposals (with their lifecycle actions in words and their status), activity log, governance and contracts,
generated from the chain as JSON-LD documents, published on IPFS, and named by the `daoURI` the DAO votes into its
registry.

The documents follow the standard's templates: ids are CAIP-10 (`eip155:CHAIN:ADDRESS`); a proposal's id is the
governor's CAIP-10 address + `?proposalId=` + its number; fields without a value are left out, as the standard asks.
The sub-documents are published first as one folder (`members.json`, `proposals.json`, `activityLog.json`,
`contracts.json`, `governance.md`); the DAO document names them by `ipfs://FOLDER/NAME` and is published after, so
that its own CID, the daoURI, covers all of them.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dao.deployed import DaoSettings, guardian_words, read_settings
from ..dao.governance import ballots, get_proposal, list_proposals
from ..dao.token import delegate_addresses, holder_addresses
from ..errors import InputError
from ..ipfs.blockcid import to_text
from ..ipfs.importer import import_bytes, import_path
from ..units import format_amount, format_duration
from .describe import describe_actions, full_description_cid

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockStore

#: The standard's JSON-LD context: `http://` in its DAO template, `https://` in every other one (as written there).
DAO_CONTEXT = "http://www.daostar.org/schemas"
CONTEXT = "https://www.daostar.org/schemas"
SUBDOCUMENTS = {
    "membersURI": "members.json",
    "proposalsURI": "proposals.json",
    "activityLogURI": "activityLog.json",
    "governanceURI": "governance.md",
    "contractsURI": "contracts.json",
}


def caip10(chain_id: int, address: str) -> str:
    """An account's CAIP-10 id on an EVM chain: `eip155:CHAIN:ADDRESS`."""
    return f"eip155:{chain_id}:{address}"


@dataclass(frozen=True)
class DaoDescription:
    """The DAO's EIP-4824 documents, by file name (`dao.json` and the `SUBDOCUMENTS`), and once published, the
    daoURI (`ipfs://CID` of `dao.json`) and the CID of the folder of sub-documents."""

    documents: dict[str, Any]
    dao_uri: str = ""
    folder_cid: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "dao_uri": self.dao_uri or None,
            "folder_cid": self.folder_cid or None,
            "members": len(self.documents["members.json"]["members"]),
            "proposals": len(self.documents["proposals.json"]["proposals"]),
            "activities": len(self.documents["activityLog.json"]["activities"]),
            "contracts": len(self.documents["contracts.json"]["contracts"]),
        }


def describe_dao(dao: Dao, *, name: str | None = None, description: str = "") -> DaoDescription:
    """The DAO's EIP-4824 documents as the chain says now (nothing published): `dao.json` names its sub-documents
    by file name until `publish_description` gives them their IPFS URIs. `name` defaults to the governor's."""
    chain_id = dao.chain.chain_id
    governor = caip10(chain_id, dao.address("governor"))
    settings = read_settings(dao)  # for the contracts (symbol, guardians) and the governance page
    proposals, activities = _proposals_and_activities(dao, chain_id, governor)
    documents: dict[str, Any] = {
        "members.json": {"@context": CONTEXT, "type": "DAO", "members": _members(dao, chain_id)},
        "proposals.json": {"@context": CONTEXT, "proposals": proposals},
        "activityLog.json": {"@context": CONTEXT, "activities": activities},
        "contracts.json": {"@context": CONTEXT, "contracts": _contracts(dao, chain_id, settings)},
        "governance.md": _governance(dao, settings),
    }
    dao_document: dict[str, Any] = {
        "@context": DAO_CONTEXT,
        "type": "DAO",
        "name": name or str(dao.read("governor", "name")),
        "description": description,
        **SUBDOCUMENTS,
    }
    documents["dao.json"] = {key: value for key, value in dao_document.items() if value}  # empty fields left out
    return DaoDescription(documents)


def _members(dao: Dao, chain_id: int) -> list[dict[str, str]]:
    """Whoever holds tokens or votes now (the treasury, the DAO's own, aside)."""
    treasury = dao.address("timelock")
    candidates = sorted((set(holder_addresses(dao)) | set(delegate_addresses(dao))) - {treasury})
    calls = [dao.call("token", fn, who) for who in candidates for fn in ("balanceOf", "getVotes")]
    values = dao.read_many(calls) if calls else []
    return [
        {"id": caip10(chain_id, who)}
        for index, who in enumerate(candidates)
        if int(values[2 * index]) or int(values[2 * index + 1])
    ]


def _proposals_and_activities(
    dao: Dao, chain_id: int, governor: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each proposal with its calls, its actions in words and its status; each proposal's submission and votes as
    activities."""
    timelock = dao.address("timelock")
    proposals, activities = [], []
    for summary in sorted(list_proposals(dao), key=lambda item: item.id):
        proposal, proposer, _ = get_proposal(dao, summary.id)
        pid = f"{governor}?proposalId={summary.id}"
        entry: dict[str, Any] = {
            "type": "proposal",
            "id": pid,
            "name": proposal.title or f"proposal {summary.id}",
            "status": summary.state.label,
            "calls": [
                {
                    "type": "CallDataEVM",
                    "operation": "call",
                    "from": timelock,
                    "to": action.target,
                    "value": str(action.value),
                    "data": "0x" + action.calldata.hex(),
                }
                for action in proposal.actions
            ],
            "actions": describe_actions(dao, proposal),
        }
        content = full_description_cid(proposal.description)
        if content:
            entry["contentURI"] = f"ipfs://{content}"
        proposals.append(entry)
        reference = {"type": "proposal", "id": pid}
        activities.append({"id": f"{pid}&activity=proposed", "type": "activity", "proposal": reference,
                           "member": {"id": caip10(chain_id, proposer)}, "action": "proposed"})  # fmt: skip
        for ballot in ballots(dao, summary.id):
            verb = f"{'overrode its delegate: ' if ballot.override else ''}voted {ballot.support.name.lower()}"
            activities.append({"id": f"{pid}&activity=vote&tx={ballot.tx_hash}", "type": "activity",
                               "proposal": reference, "member": {"id": caip10(chain_id, ballot.voter)},
                               "action": verb})  # fmt: skip
    return proposals, activities


def _contracts(dao: Dao, chain_id: int, settings: DaoSettings) -> list[dict[str, str]]:
    symbol = settings.token_symbol
    described = {
        "token": ("Governance token", f"ERC-20 votes token {symbol}: voting power, delegation, non-transferable merit"),
        "timelock": ("Treasury and executor", "TimelockController: runs passed proposals after its delay; holds the "
                     "treasury and owns the model registry"),
        "governor": ("Governor", "OpenZeppelin Governor: proposals and votes (standard Governor ABI and events)"),
        "registry": ("Model registry and ERC-4824 registration", "The DAO's AI models and their versions (CIDs on "
                     "IPFS); answers daoURI (ERC-4824)"),
        "eas": ("Ethereum Attestation Service", "Where evaluations of the DAO's models are attested"),
        "schema_registry": ("EAS schema registry", "The schemas of the attestations"),
    }  # fmt: skip
    found = [
        {"id": caip10(chain_id, address), "name": described[role][0], "description": described[role][1]}
        for role, address in dao.deployment.addresses.items()
        if role in described
    ]
    guardians = (("Proposal guardian", settings.proposal_guardian), ("Registry guardian", settings.registry_guardian))
    for what, guardian in guardians:
        if int(guardian, 16):
            words = guardian_words(dao.chain, guardian)
            found.append({"id": caip10(chain_id, guardian), "name": what, "description": words})
    return found


def _governance(dao: Dao, s: DaoSettings) -> str:
    """How the DAO decides, in markdown (EIP-4824's governanceURI is a flat file), from its settings now."""
    sym = s.token_symbol
    policy = f"adopted: {s.reward_policy[1]}" if s.reward_policy else "none adopted yet"
    return "\n".join([
        f"# How {s.token_name} holders govern their AI models",
        "",
        "Holders of the governance token, and those they delegate to, vote on proposals to register, upgrade, roll "
        "back or retire models whose artifacts live on IPFS, and to reward their contributors. A proposal that "
        "passes is queued in a timelock and executed, which updates the on-chain model registry.",
        "",
        f"- Proposing needs {format_amount(s.proposal_threshold)} {sym} of voting power.",
        f"- Voting opens {format_duration(s.voting_delay)} after a proposal and lasts "
        f"{format_duration(s.voting_period)} (extended by {format_duration(s.late_quorum_extension)} when the "
        "quorum comes late).",
        f"- Quorum: {s.quorum_percent}% of the supply votes for or abstains.",
        f"- A passed proposal waits {format_duration(s.timelock_delay)} in the timelock before it executes.",
        f"- Merit: votes earned by accepted contributions, which cannot be transferred ({format_amount(s.total_merit)} "
        f"{sym} now).",
        f"- Reward policy: {policy}.",
        f"- Proposal guardian: {guardian_words(dao.chain, s.proposal_guardian)}.",
        f"- Registry guardian: {guardian_words(dao.chain, s.registry_guardian)}.",
        "",
    ])  # fmt: skip


def publish_description(store: BlockStore, described: DaoDescription) -> DaoDescription:
    """Publish the sub-documents as one folder, then `dao.json` naming them by `ipfs://FOLDER/NAME`: the result
    carries the daoURI (`ipfs://CID` of `dao.json`) to propose (`registry.dao_uri_action`)."""
    documents = dict(described.documents)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "dao"
        folder.mkdir()
        for file_name in SUBDOCUMENTS.values():
            content = documents[file_name]
            text = content if isinstance(content, str) else json.dumps(content, indent=2, ensure_ascii=False) + "\n"
            (folder / file_name).write_text(text, encoding="utf-8")
        folder_cid = to_text(store.import_dag(lambda sink: import_path(folder, sink).cid))
    dao_document = dict(documents["dao.json"])
    for key, file_name in SUBDOCUMENTS.items():
        dao_document[key] = f"ipfs://{folder_cid}/{file_name}"
    documents["dao.json"] = dao_document
    data = (json.dumps(dao_document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    dao_cid = to_text(store.import_dag(lambda sink: import_bytes(data, sink).cid))
    return DaoDescription(documents, f"ipfs://{dao_cid}", folder_cid)


def write_documents(described: DaoDescription, folder: Path) -> list[Path]:
    """Write each document into `folder` (created if need be), for review or hosting elsewhere."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for file_name, content in described.documents.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=2, ensure_ascii=False) + "\n"
            (folder / file_name).write_text(text, encoding="utf-8")
            written.append(folder / file_name)
    except OSError as exc:
        raise InputError(f"cannot write the documents into {folder}: {exc.strerror}") from None
    return written
