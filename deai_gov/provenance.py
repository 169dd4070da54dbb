"""Which vote wrote a model version, found and proven from chain data alone (any RPC node, no index)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import DeaiGovError
from .governance import get_proposal, timelock_operation_id
from .logs import events_in_transaction, iter_events
from .names import model_id
from .registry import get_version
from .states import ProposalState

if TYPE_CHECKING:
    from .dao import Dao


@dataclass(frozen=True)
class Approval:
    """The proposal whose execution wrote a version, and its final tally."""

    proposal_id: int
    tx_hash: str
    block: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    state: ProposalState


def approval_of(dao: Dao, name: str, version: int) -> Approval:
    """The proposal that wrote version `version` of `name`, found and proven with nothing but RPC calls.

    1. `VersionPublished` (indexed by model id and version) gives the transaction that wrote the version.
    2. In it, the timelock's `CallExecuted` for the registry call gives the timelock operation id.
    3. That operation was scheduled by the governor's `queue`: the `CallScheduled` log with this id sits in the
       same transaction as the governor's `ProposalQueued`, which names the proposal.
    4. Proof: the operation id is a hash of the proposal's actions and description, so it is recomputed from the
       proposal's `ProposalCreated` log and must match. This holds whoever executed (governor or timelock).
    """
    get_version(dao, name, version)  # validates name and version
    chain, timelock = dao.chain, dao.timelock
    published = next(
        iter_events(
            chain,
            dao.registry.events.VersionPublished,
            from_block=dao.deployment.block,
            argument_filters={"modelId": model_id(name), "version": version},
        ),
        None,
    )
    if published is None:
        raise DeaiGovError(f"no VersionPublished event found for {name} v{version} (pruned node?)")
    receipt = chain.w3.eth.get_transaction_receipt(published["transactionHash"])
    tx_hash = receipt["transactionHash"].to_0x_hex()
    calls = [
        e
        for e in events_in_transaction(receipt, timelock.events.CallExecuted)
        if e["args"]["target"].lower() == dao.registry.address.lower()
    ]
    if not calls:
        raise DeaiGovError(f"{name} v{version} was written in {tx_hash} without the timelock (not by a vote)")
    operation_id = bytes(calls[0]["args"]["id"])
    scheduled = next(
        iter_events(
            chain,
            timelock.events.CallScheduled,
            from_block=dao.deployment.block,
            to_block=int(receipt["blockNumber"]),
            argument_filters={"id": operation_id},
        ),
        None,
    )
    if scheduled is None:
        raise DeaiGovError(f"timelock operation 0x{operation_id.hex()} has no CallScheduled log (pruned node?)")
    queue_receipt = chain.w3.eth.get_transaction_receipt(scheduled["transactionHash"])
    for queued in events_in_transaction(queue_receipt, dao.governor.events.ProposalQueued):
        proposal_id = int(queued["args"]["proposalId"])
        proposal, _, _ = get_proposal(dao, proposal_id)
        if timelock_operation_id(dao, proposal) == operation_id:
            against, for_, abstain = dao.governor.functions.proposalVotes(proposal_id).call()
            state = ProposalState(dao.governor.functions.state(proposal_id).call())
            return Approval(proposal_id, tx_hash, int(receipt["blockNumber"]), for_, against, abstain, state)
    raise DeaiGovError(f"no proposal of this governor matches timelock operation 0x{operation_id.hex()}")
