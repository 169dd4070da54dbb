"""The model registry: names, lifecycle actions as proposal calldata, reads, and the vote behind a version.

Lifecycle writes (register, upgrade, rollback, retire) only happen through proposals, so this module builds
`Action`s for `governance.propose`; only the guardian's `suspend`/`unsuspend` are sent directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .chain import ReadCall, TxResult, call_many, read, send
from .cid import cid_to_bytes, cid_to_text
from .errors import DeaiGovError, InputError, ProposalState, TransactionError
from .governance import Action
from .logs import events_in_transaction, iter_events

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from .dao import Dao

MAX_NAME_LENGTH = 64
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*")
PAGE_SIZE = 100


class ModelStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    RETIRED = 3


class VersionStatus(IntEnum):
    NONE = 0
    CURRENT = 1
    SUPERSEDED = 2
    ROLLED_BACK = 3


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    status: ModelStatus
    current_version: int
    latest_version: int


@dataclass(frozen=True)
class VersionInfo:
    number: int
    status: VersionStatus
    artifact_cid: str
    manifest_cid: str
    contributor: str
    created_at: int
    parent: int


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


def validate_model_name(name: str) -> str:
    """Return `name` if the registry accepts it, else raise InputError saying what is wrong."""
    if not isinstance(name, str) or not name:
        raise InputError("a model name is required (org/name)")
    if len(name.encode()) > MAX_NAME_LENGTH:
        raise InputError(f"model name {name!r} is longer than {MAX_NAME_LENGTH} bytes")
    if not _NAME_RE.fullmatch(name):
        raise InputError(
            f"{name!r} is not a valid model name: use org/name in lowercase letters, digits, '-', '_' and '.', "
            "each part starting with a letter or digit"
        )
    return name


def model_id(name: str) -> bytes:
    """The registry's id of model `name`: keccak256 of its UTF-8 bytes."""
    from eth_utils import keccak

    return keccak(text=validate_model_name(name))


def checksum_address(address: str, what: str) -> str:
    """`address` checksummed; InputError when it is not an address or its mixed case is a wrong checksum."""
    from web3 import Web3

    if not isinstance(address, str) or not Web3.is_address(address):
        raise InputError(f"{what} {address!r} is not an address")
    if address != address.lower() and not Web3.is_checksum_address(address):
        raise InputError(f"{what} {address} has a wrong checksum (mistyped?)")
    return str(Web3.to_checksum_address(address))


# ----------------------------------------------------------------------------- actions for proposals


def register_action(dao: Dao, name: str, artifact_cid: str, manifest_cid: str, contributor: str) -> Action:
    """Register `name` with version 1."""
    call = dao.registry.functions.register(
        validate_model_name(name),
        cid_to_bytes(artifact_cid),
        cid_to_bytes(manifest_cid),
        checksum_address(contributor, "contributor"),
    )
    return Action.from_call(call)


def upgrade_action(dao: Dao, name: str, artifact_cid: str, manifest_cid: str, contributor: str) -> Action:
    """Add a new version of `name`, built on its current one."""
    call = dao.registry.functions.upgrade(
        model_id(name),
        cid_to_bytes(artifact_cid),
        cid_to_bytes(manifest_cid),
        checksum_address(contributor, "contributor"),
    )
    return Action.from_call(call)


def rollback_action(dao: Dao, name: str, target_version: int) -> Action:
    """Make an earlier version of `name` current again."""
    if not isinstance(target_version, int) or not 1 <= target_version < 2**32:
        raise InputError(f"version {target_version!r} must be a whole number from 1")
    return Action.from_call(dao.registry.functions.rollback(model_id(name), target_version))


def retire_action(dao: Dao, name: str, reason: str) -> Action:
    """Retire `name` for good."""
    if not reason.strip():
        raise InputError("retiring a model needs a reason")
    return Action.from_call(dao.registry.functions.retire(model_id(name), reason))


def reward_action(dao: Dao, recipient: str, amount: int) -> Action:
    """Pay `amount` base units of the governance token from the treasury (the timelock) to `recipient`."""
    if amount <= 0:
        raise InputError("a reward must be a positive amount")
    return Action.from_call(dao.token.functions.transfer(checksum_address(recipient, "reward recipient"), amount))


# ----------------------------------------------------------------------------- guardian


def suspend_call(dao: Dao, name: str, reason: str) -> Any:
    """The registry call suspending `name` (guardian or owner only): pulls and verifications refuse it meanwhile."""
    if not reason.strip():
        raise InputError("say why the model is suspended (--reason): it is recorded on chain")
    return dao.registry.functions.suspend(model_id(name), reason)


def unsuspend_call(dao: Dao, name: str) -> Any:
    """The registry call lifting the suspension of `name` (guardian or owner only)."""
    return dao.registry.functions.unsuspend(model_id(name))


def suspend(dao: Dao, account: LocalAccount, name: str, reason: str) -> TxResult:
    """Suspend `name` (guardian or owner only)."""
    return send(dao.chain, account, suspend_call(dao, name, reason))


def unsuspend(dao: Dao, account: LocalAccount, name: str) -> TxResult:
    """Lift the suspension of `name` (guardian or owner only)."""
    return send(dao.chain, account, unsuspend_call(dao, name))


# ----------------------------------------------------------------------------- reads


def _model_info(raw: Any) -> ModelInfo:
    return ModelInfo("0x" + bytes(raw[0]).hex(), str(raw[1]), ModelStatus(raw[2]), int(raw[3]), int(raw[4]))


@lru_cache(maxsize=4096)
def checksum(address: str) -> str:
    """EIP-55 form of an address known to be valid (cached: a list repeats the same few addresses)."""
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


def _version_info(raw: Any) -> VersionInfo:
    return VersionInfo(
        number=int(raw[0]),
        status=VersionStatus(raw[1]),
        artifact_cid=cid_to_text(raw[2]),
        manifest_cid=cid_to_text(raw[3]),
        contributor=checksum(raw[4]),
        created_at=int(raw[5]),
        parent=int(raw[6]),
    )


def _registry(dao: Dao, function: str, *args: Any) -> ReadCall:
    return ReadCall(dao.address("registry"), "ModelRegistry", function, args)


def get_model(dao: Dao, name: str) -> ModelInfo:
    """A model by name; InputError if it is not registered."""
    try:
        raw = read(dao.chain, _registry(dao, "getModel", model_id(name)))
    except TransactionError as error:
        if error.error_name == "ModelRegistryUnknownModel":
            raise InputError(f"no model named {name!r} is registered") from None
        raise
    return _model_info(raw)


def get_version(dao: Dao, name: str, version: int | None = None) -> VersionInfo:
    """Version `version` of `name`, or its current version when None."""
    model = get_model(dao, name)
    if version is None:
        return _version_info(read(dao.chain, _registry(dao, "getCurrentVersion", model_id(name))))
    if not 1 <= version <= model.latest_version:
        raise InputError(f"{name} has no version {version} (versions 1 to {model.latest_version})")
    return _version_info(read(dao.chain, _registry(dao, "getVersion", model_id(name), version)))


def check_changeable(dao: Dao, name: str) -> ModelInfo:
    """The model, if a proposal may still change it (registered, not retired); InputError naming why not."""
    model = get_model(dao, name)
    if model.status == ModelStatus.RETIRED:
        raise InputError(f"{name} is retired and can no longer change")
    return model


def check_rollback(dao: Dao, name: str, version: int) -> None:
    """InputError unless rolling `name` back to `version` would be accepted now."""
    model = check_changeable(dao, name)
    target = get_version(dao, name, version)
    if version >= model.current_version:
        raise InputError(f"{name} v{version} is not earlier than its current version v{model.current_version}")
    if target.status == VersionStatus.ROLLED_BACK:
        raise InputError(f"{name} v{version} was rolled back once and can never be current again")


def list_models(dao: Dao, offset: int = 0, limit: int | None = None) -> list[ModelInfo]:
    """Models in registration order, fetched a page at a time."""
    total = int(read(dao.chain, _registry(dao, "modelCount")))
    end = total if limit is None else min(total, offset + limit)
    pages = call_many(
        dao.chain,
        [_registry(dao, "getModels", start, min(PAGE_SIZE, end - start)) for start in range(offset, end, PAGE_SIZE)],
    )
    return [_model_info(raw) for page in pages for raw in page]


def list_versions(dao: Dao, name: str, offset: int = 0, limit: int | None = None) -> list[VersionInfo]:
    """Versions of `name` in order, fetched a page at a time."""
    model = get_model(dao, name)
    end = model.latest_version if limit is None else min(model.latest_version, offset + limit)
    mid = model_id(name)
    starts = range(offset, end, PAGE_SIZE)
    pages = call_many(
        dao.chain, [_registry(dao, "getVersions", mid, start, min(PAGE_SIZE, end - start)) for start in starts]
    )
    return [_version_info(raw) for page in pages for raw in page]


def approval_of(dao: Dao, name: str, version: int) -> Approval:
    """The proposal that wrote version `version` of `name`, found and proven with nothing but RPC calls.

    1. `VersionPublished` (indexed by model id and version) gives the transaction that wrote the version.
    2. In it, the timelock's `CallExecuted` for the registry call gives the timelock operation id.
    3. That operation was scheduled by the governor's `queue`: the `CallScheduled` log with this id sits in the
       same transaction as the governor's `ProposalQueued`, which names the proposal.
    4. Proof: the operation id is a hash of the proposal's actions and description, so it is recomputed from the
       proposal's `ProposalCreated` log and must match. This holds whoever executed (governor or timelock).
    """
    from .governance import get_proposal, timelock_operation_id

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


# ----------------------------------------------------------------------------- words for voters


def describe_registry_call(dao: Dao, function: str, args: dict[str, Any]) -> str:
    """A registry call in words, e.g. 'register acme/vision v1, artifact bafy..., manifest bafy..., by 0x...'."""

    def name_of(mid: bytes) -> str:
        try:
            return str(dao.registry.functions.getModel(mid).call()[1])
        except Exception:
            return f"unregistered model 0x{bytes(mid).hex()[:12]}…"

    if function == "register":
        return (
            f"register {args['name']} v1, artifact {cid_to_text(args['artifactCid'])}, manifest "
            f"{cid_to_text(args['manifestCid'])}, contributed by {args['contributor']}"
        )
    if function == "upgrade":
        name = name_of(args["modelId"])
        try:
            latest = dao.registry.functions.getModel(args["modelId"]).call()[4]
            which = f"v{latest + 1} (if executed now)"
        except Exception:
            which = "a new version"
        return (
            f"upgrade {name} to {which}, artifact {cid_to_text(args['artifactCid'])}, manifest "
            f"{cid_to_text(args['manifestCid'])}, contributed by {args['contributor']}"
        )
    if function == "rollback":
        return f"roll {name_of(args['modelId'])} back to v{args['targetVersion']}"
    if function == "retire":
        return f"retire {name_of(args['modelId'])}: {args['reason']}"
    if function == "suspend":
        return f"suspend {name_of(args['modelId'])}: {args['reason']}"
    if function == "unsuspend":
        return f"lift the suspension of {name_of(args['modelId'])}"
    if function == "setGuardian":
        return f"make {args['newGuardian']} the registry guardian"
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"registry.{function}({rendered})"


@dataclass(frozen=True)
class ProposedVersion:
    """A version a proposal would add: register (v1) or upgrade (latest + 1 if executed now)."""

    name: str
    version: int
    artifact_cid: str
    manifest_cid: str


def proposed_versions(dao: Dao, actions: list[Action] | tuple[Action, ...]) -> list[ProposedVersion]:
    """The versions that `actions` would add to the registry, decoded from their calldata."""
    found = []
    for action in actions:
        if action.target.lower() != dao.registry.address.lower():
            continue
        try:
            fn, args = dao.registry.decode_function_input(action.calldata)
        except ValueError:
            continue
        if fn.fn_name == "register":
            name, version = args["name"], 1
        elif fn.fn_name == "upgrade":
            try:
                raw = dao.registry.functions.getModel(args["modelId"]).call()
            except Exception:  # unknown model: the upgrade would revert, simulate_actions says so
                continue
            name, version = raw[1], int(raw[4]) + 1
        else:
            continue
        found.append(ProposedVersion(name, version, cid_to_text(args["artifactCid"]), cid_to_text(args["manifestCid"])))
    return found
