"""Which vote wrote a model version, found and proven from chain data alone (any RPC node, no index)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.logs import iter_logs, logs_in_receipt
from ..contracts.abi import decode_call
from ..contracts.states import ProposalState, VersionStatus
from ..dao.governance import get_proposal, timelock_operation_id
from ..dao.registry import VersionInfo, get_version
from ..errors import DeaiGovError
from ..names import model_id

if TYPE_CHECKING:
    from ..dao.deployed import Dao

TIMELOCK = "TimelockController"


@dataclass(frozen=True)
class Approval:
    """The proposal whose execution approved version `version` of model `name` as it stands, and its final tally:
    the one that wrote it, or for a version made current again by a rollback, the rollback's (`made_current`;
    `written_by` then names the proposal that wrote it)."""

    proposal_id: int
    tx_hash: str
    block: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    state: ProposalState
    name: str
    version: VersionInfo
    made_current: bool = False
    written_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Token amounts as strings of base units (JSON numbers lose precision past 2**53)."""
        return {
            "name": self.name,
            "version": self.version.number,
            "artifact_cid": self.version.artifact_cid,
            "manifest_cid": self.version.manifest_cid,
            "contributor": self.version.contributor,
            "proposal_id": self.proposal_id,
            "proposal_state": self.state.label,
            "approved_by": "rollback" if self.made_current else "write",
            "written_by": self.proposal_id if self.written_by is None else self.written_by,
            "votes_for": str(self.votes_for),
            "votes_against": str(self.votes_against),
            "votes_abstain": str(self.votes_abstain),
            "executed_in": self.tx_hash,
            "block": self.block,
        }


def approval_of(dao: Dao, name: str, version: int | None = None) -> Approval:
    """The proposal that approved version `version` of `name` (its current version when None) as it stands: the
    one that wrote it or, when a rollback made it current again, that rollback's; found and proven with nothing
    but RPC calls.

    1. `VersionPublished` (indexed by model id and version) gives the transaction that wrote the version, and its
       place among the transaction's logs; for a current version, the last `CurrentVersionChanged` naming it gives
       the transaction that made it current (the same one, unless a rollback did).
    2. The timelock emits `CallExecuted` right after each call returns: the first one from the DAO's own timelock,
       after that log, for a call to the registry, is the call that emitted it. It names the timelock operation,
       the call's index in it and the call's data. (Only the DAO's addresses count, and log order matters: a
       transaction may execute several proposals, and anyone may emit look-alike events.)
    3. That operation was scheduled by the governor's `queue`: the `CallScheduled` log with this id sits in the
       same transaction as the governor's `ProposalQueued`, which names the proposal.
    4. Proof: the operation id is a hash of the proposal's actions and description, so it is recomputed from the
       proposal's `ProposalCreated` log and must match; and the proposal's action at the call's index must be
       exactly that registry call, writing this model's version (or rolling it back to this version). This holds
       whoever executed (governor, timelock, a multicall).

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        version: A version number from 1; None for the model's current version.

    Returns:
        The proposal's id and state, its final tally (for, against, abstain, in base units), the transaction and
        block that executed it, the version, and whether a rollback made it current (then `written_by` names the
        proposal that wrote it).

    Raises:
        InputError: A malformed name, an unknown model or no such version.
        DeaiGovError: The proof fails: the version was not written through the DAO's timelock, no proposal of the
            governor matches the operation, or the node no longer has a log it needs (a pruned node).
        ChainError: The node could not be reached.
    """

    written = get_version(dao, name, version)  # validates name and version
    version = written.number
    chain, registry = dao.chain, dao.address("registry")
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
    writer = _proposal_behind(dao, published, name, version, rollback=False)
    made_current = None
    if written.status == VersionStatus.CURRENT:
        changes = iter_logs(
            chain,
            "ModelRegistry",
            registry,
            "CurrentVersionChanged",
            from_block=published.block,
            filters={"modelId": model_id(name), "current": version},
        )
        made_current = next((log for log in reversed(list(changes)) if log.tx_hash != published.tx_hash), None)
    approver, log = (writer, published)
    if made_current is not None:
        approver, log = _proposal_behind(dao, made_current, name, version, rollback=True), made_current
    votes, current = dao.read_many(
        [dao.call("governor", "proposalVotes", approver), dao.call("governor", "state", approver)]
    )
    against, for_, abstain = votes
    return Approval(
        approver,
        log.tx_hash,
        log.block,
        for_,
        against,
        abstain,
        ProposalState(current),
        name,
        written,
        made_current=made_current is not None,
        written_by=writer if made_current is not None else None,
    )


def _proposal_behind(dao: Dao, log: Any, name: str, version: int, *, rollback: bool) -> int:
    """The id of the proposal whose execution emitted registry log `log`, proven (steps 2 to 4 of `approval_of`)."""
    chain, registry, timelock = dao.chain, dao.address("registry"), dao.address("timelock")
    what = f"{name} v{version} was {'made current again' if rollback else 'written'}"
    receipt = chain.receipt(log.tx_hash)
    calls = [
        args
        for args in logs_in_receipt(receipt, TIMELOCK, timelock, "CallExecuted", after=log.log_index)
        if args["target"].lower() == registry.lower()
    ]
    if not calls:
        raise DeaiGovError(f"{what} in {log.tx_hash} without the timelock (not by a vote)")
    executed = calls[0]
    operation_id = bytes(executed["id"])
    scheduled = next(
        iter_logs(
            chain,
            TIMELOCK,
            timelock,
            "CallScheduled",
            from_block=dao.deployment.block,
            to_block=log.block,
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
            _check_the_call(proposal, executed, registry, name, version, rollback=rollback)
            return proposal_id
    raise DeaiGovError(f"no proposal of this governor matches timelock operation 0x{operation_id.hex()}")


def _check_the_call(
    proposal: Any, executed: dict[str, Any], registry: str, name: str, version: int, *, rollback: bool
) -> None:
    """DeaiGovError unless the proposal's action at the executed call's index is that registry call, writing a
    version of `name` (or, with `rollback`, rolling `name` back to `version`)."""

    index = int(executed["index"])
    if index >= len(proposal.actions):
        raise DeaiGovError(f"the timelock executed call {index} of an operation whose proposal has fewer actions")
    action = proposal.actions[index]
    if (action.target.lower(), action.value, action.calldata) != (
        registry.lower(),
        int(executed["value"]),
        bytes(executed["data"]),
    ):
        raise DeaiGovError(f"the executed registry call is not action {index + 1} of the proposal that scheduled it")
    try:
        function, args = decode_call("ModelRegistry", action.calldata)
    except ValueError:
        raise DeaiGovError("the registry call that wrote the version does not decode") from None
    same_model = bytes(args.get("modelId", b"")) == model_id(name)
    if rollback:
        does = function == "rollback" and same_model and int(args.get("targetVersion", 0)) == version
    else:
        does = (function == "register" and args.get("name") == name) or (function == "upgrade" and same_model)
    if not does:
        meant = f"roll {name} back to v{version}" if rollback else f"write a version of {name}"
        raise DeaiGovError(f"the executed registry call ({function}) does not {meant}")


@dataclass(frozen=True)
class CidUse:
    """Where a CID stands in the registry: the artifact or the manifest of a version, and that version's standing."""

    cid: str
    name: str
    version: VersionInfo
    part: str  # "artifact" or "manifest"
    model_state: str  # the model's status in words (active, retired, suspended…)
    approval: Approval | None  # None when the vote behind it cannot be proven (a pruned node)
    approval_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "cid": self.cid,
            "name": self.name,
            "version": self.version.number,
            "part": self.part,
            "version_status": self.version.status.name.lower(),
            "model_state": self.model_state,
            "proposal_id": self.approval.proposal_id if self.approval else None,
            "approval_error": self.approval_error,
        }


def which(dao: Dao, cid: str) -> list[CidUse]:
    """Every version of the DAO's registry whose artifact or manifest is `cid` (any multibase, CIDv0 or v1), with
    the model's state and the proven vote behind the version (`approval_of`); [] when none is.

    Raises:
        InputError: `cid` is not a CID the registry could hold.
        ChainError: The node could not be reached.
    """
    from ..dao.registry import get_model
    from ..ipfs.blockcid import to_registry_bytes, to_text

    wanted = to_registry_bytes(cid)
    found: list[CidUse] = []
    for log in iter_logs(
        dao.chain, "ModelRegistry", dao.address("registry"), "VersionPublished", from_block=dao.deployment.block
    ):
        parts = [("artifact", log.args["artifactCid"]), ("manifest", log.args["manifestCid"])]
        for part, stored in parts:
            if bytes(stored) != wanted:
                continue
            name = _model_name(dao, bytes(log.args["modelId"]))
            version = get_version(dao, name, int(log.args["version"]))
            approval, error = None, None
            try:
                approval = approval_of(dao, name, version.number)
            except DeaiGovError as exc:  # the proof failed (a pruned node, say): shown, the rest still is
                error = str(exc)
            found.append(CidUse(to_text(wanted), name, version, part, get_model(dao, name).state, approval, error))
    return found


def _model_name(dao: Dao, model: bytes) -> str:
    return str(dao.read("registry", "getModel", model)[1])
