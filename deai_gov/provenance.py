"""Which vote wrote a model version, found and proven from chain data alone (any RPC node, no index)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import DeaiGovError
from .governance import get_proposal, timelock_operation_id
from .logs import iter_logs, logs_in_receipt
from .names import model_id
from .registry import VersionInfo, get_version
from .states import ProposalState

if TYPE_CHECKING:
    from .dao import Dao

TIMELOCK = "TimelockController"


@dataclass(frozen=True)
class Approval:
    """The proposal whose execution wrote a version (`version`, of model `name`), and its final tally."""

    proposal_id: int
    tx_hash: str
    block: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    state: ProposalState
    name: str
    version: VersionInfo


def approval_of(dao: Dao, name: str, version: int | None = None) -> Approval:
    """The proposal that wrote version `version` of `name` (its current version when None), found and proven with
    nothing but RPC calls.

    1. `VersionPublished` (indexed by model id and version) gives the transaction that wrote the version.
    2. In it, the timelock's `CallExecuted` for the registry call gives the timelock operation id.
    3. That operation was scheduled by the governor's `queue`: the `CallScheduled` log with this id sits in the
       same transaction as the governor's `ProposalQueued`, which names the proposal.
    4. Proof: the operation id is a hash of the proposal's actions and description, so it is recomputed from the
       proposal's `ProposalCreated` log and must match. This holds whoever executed (governor or timelock).
    """

    written = get_version(dao, name, version)  # validates name and version
    version = written.number
    chain, registry, timelock = dao.chain, dao.address("registry"), dao.address("timelock")
    published = next(
        iter_logs(
            chain,
            "ModelRegistry",
            registry,
            "VersionPublished",
            from_block=dao.deployment.block,
            filters={"modelId": model_id(name), "version": version},
        ),
        None,
    )
    if published is None:
        raise DeaiGovError(f"no VersionPublished event found for {name} v{version} (pruned node?)")
    receipt = chain.receipt(published.tx_hash)
    calls = [
        args
        for args in logs_in_receipt(receipt, TIMELOCK, timelock, "CallExecuted")
        if args["target"].lower() == registry.lower()
    ]
    if not calls:
        raise DeaiGovError(f"{name} v{version} was written in {published.tx_hash} without the timelock (not by a vote)")
    operation_id = bytes(calls[0]["id"])
    scheduled = next(
        iter_logs(
            chain,
            TIMELOCK,
            timelock,
            "CallScheduled",
            from_block=dao.deployment.block,
            to_block=published.block,
            filters={"id": operation_id},
        ),
        None,
    )
    if scheduled is None:
        raise DeaiGovError(f"timelock operation 0x{operation_id.hex()} has no CallScheduled log (pruned node?)")
    queue_receipt = chain.receipt(scheduled.tx_hash)
    for queued in logs_in_receipt(queue_receipt, "ModelGovernor", dao.address("governor"), "ProposalQueued"):
        proposal_id = int(queued["proposalId"])
        proposal, _, _ = get_proposal(dao, proposal_id)
        if timelock_operation_id(dao, proposal) == operation_id:
            votes, current = dao.read_many(
                [dao.call("governor", "proposalVotes", proposal_id), dao.call("governor", "state", proposal_id)]
            )
            against, for_, abstain = votes
            return Approval(
                proposal_id,
                published.tx_hash,
                published.block,
                for_,
                against,
                abstain,
                ProposalState(current),
                name,
                written,
            )
    raise DeaiGovError(f"no proposal of this governor matches timelock operation 0x{operation_id.hex()}")
