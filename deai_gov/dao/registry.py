"""The model registry: names, lifecycle actions as proposal calldata, reads, and the vote behind a version.

Lifecycle writes (register, upgrade, rollback, retire) only happen through proposals, so this module builds
`Action`s for `governance.build_proposal`; only the guardian's `suspend`/`unsuspend` are transactions of their
own (`PreparedTx`s for `chain.send`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.client import PreparedTx, ReadCall, call_many, read
from ..contracts.abi import decode_call
from ..contracts.states import ModelStatus, VersionStatus
from ..errors import InputError, TransactionError
from ..ipfs.blockcid import to_registry_bytes, to_text
from ..names import checksum, checksum_address, model_id, validate_model_name
from .actions import Action

if TYPE_CHECKING:
    from .deployed import Dao

PAGE_SIZE = 100


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    status: ModelStatus
    suspended: bool
    current_version: int
    latest_version: int

    @property
    def retired(self) -> bool:
        return self.status == ModelStatus.RETIRED

    def to_json(self) -> dict[str, Any]:
        """`status` is one word (`suspended` wins over `retired`), with both facts apart."""
        return {
            "name": self.name,
            "id": self.id,
            "status": self.state,
            "retired": self.retired,
            "suspended": self.suspended,
            "current_version": self.current_version,
            "latest_version": self.latest_version,
        }

    @property
    def state(self) -> str:
        """One word for scripts: `suspended` whenever the guardian suspended it (retired or not), else `retired` or
        `active`; a check for `suspended` therefore never misses a suspended model."""
        return "suspended" if self.suspended else self.status.label

    @property
    def label(self) -> str:
        """The status in words, both facts when both hold (`retired, suspended`)."""
        return f"{self.status.label}, suspended" if self.suspended and self.retired else self.state


@dataclass(frozen=True)
class VersionInfo:
    number: int
    status: VersionStatus
    artifact_cid: str
    manifest_cid: str
    contributor: str
    created_at: int
    parent: int

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "status": self.status.name.lower(),
            "artifact_cid": self.artifact_cid,
            "manifest_cid": self.manifest_cid,
            "contributor": self.contributor,
            "created_at": self.created_at,
            "parent": self.parent,
        }


# ----------------------------------------------------------------------------- actions for proposals


def register_action(dao: Dao, name: str, artifact_cid: str, manifest_cid: str, contributor: str) -> Action:
    """Register `name` with version 1.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        artifact_cid: The version's artifact root CID (sha2-256), as `ipfs.content.publish` returns it.
        manifest_cid: Its manifest's CID.
        contributor: The address the registry records as the version's contributor (the manifest's first).

    Returns:
        The action, for `governance.build_proposal`; the registry refuses it at execution if the name was ever
        registered.

    Raises:
        InputError: A name the registry would refuse, a CID it cannot store, or a malformed address.
    """
    return dao.action(
        "registry",
        "register",
        validate_model_name(name),
        to_registry_bytes(artifact_cid),
        to_registry_bytes(manifest_cid),
        checksum_address(contributor, "contributor"),
    )


def upgrade_action(dao: Dao, name: str, artifact_cid: str, manifest_cid: str, contributor: str) -> Action:
    """Add a new version of `name`, built on its current one.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        artifact_cid: The version's artifact root CID (sha2-256), as `ipfs.content.publish` returns it.
        manifest_cid: Its manifest's CID.
        contributor: The address the registry records as the version's contributor (the manifest's first).

    Returns:
        The action, for `governance.build_proposal`; the version number (latest + 1) is assigned when it executes.

    Raises:
        InputError: A malformed name, a CID the registry cannot store, or a malformed address.
    """
    return dao.action(
        "registry",
        "upgrade",
        model_id(name),
        to_registry_bytes(artifact_cid),
        to_registry_bytes(manifest_cid),
        checksum_address(contributor, "contributor"),
    )


def rollback_action(dao: Dao, name: str, target_version: int) -> Action:
    """Make an earlier version of `name` current again.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        target_version: The version to make current: below the current one, and never rolled back before
            (`check_rollback` checks this now).

    Returns:
        The action, for `governance.build_proposal`; the registry checks the target again at execution.

    Raises:
        InputError: A malformed name, or a version number out of range.
    """
    if not isinstance(target_version, int) or not 1 <= target_version < 2**32:
        raise InputError(f"version {target_version!r} must be a whole number from 1")
    return dao.action("registry", "rollback", model_id(name), target_version)


def retire_action(dao: Dao, name: str, reason: str) -> Action:
    """Retire `name` for good.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        reason: Why, recorded in the registry's `ModelRetired` event.

    Returns:
        The action, for `governance.build_proposal`; once executed, no version can be added or made current, and
        the name cannot be registered again.

    Raises:
        InputError: A malformed name, or an empty reason.
    """
    if not reason.strip():
        raise InputError("retiring a model needs a reason")
    return dao.action("registry", "retire", model_id(name), reason)


# ----------------------------------------------------------------------------- guardian


def evaluator_action(dao: Dao, evaluator: str, trusted: bool) -> Action:
    """Trust `evaluator`'s evaluations of the DAO's models (or stop trusting them) when the proposal executes.

    Anyone may attest an evaluation; only those of the evaluators the DAO trusts count, so the set changes by a vote
    alone (the registry's owner, the timelock).

    Raises:
        InputError: A malformed address, or the zero address.
    """
    address = checksum_address(evaluator, "evaluator")
    if int(address, 16) == 0:
        raise InputError("an evaluator must be an account, not the zero address")
    return dao.action("registry", "setEvaluator", address, trusted)


#: The longest daoURI the CLI proposes: a URI, not a document (EIP-4824 puts the document behind it).
LONGEST_DAO_URI = 2048


def dao_uri_action(dao: Dao, uri: str) -> Action:
    """Publish `uri` as where the DAO describes itself (EIP-4824's `daoURI`) when the proposal executes.

    Raises:
        InputError: An empty URI, one with spaces or control characters, or one longer than `LONGEST_DAO_URI`.
    """
    if not uri or len(uri) > LONGEST_DAO_URI or any(ch.isspace() or not ch.isprintable() for ch in uri):
        raise InputError(f"a daoURI is a URI of at most {LONGEST_DAO_URI} printable characters without spaces")
    if ":" not in uri:
        raise InputError(f"{uri!r} is not a URI: write its scheme, e.g. ipfs://CID")
    return dao.action("registry", "setDaoURI", uri)


def dao_uri(dao: Dao) -> str:
    """Where the DAO describes itself now (EIP-4824's `daoURI`; empty before any): a chain string, to show as such."""
    return str(dao.read("registry", "daoURI"))


def trusted_evaluators(dao: Dao) -> list[str]:
    """The evaluators whose evaluations count now, sorted."""
    return sorted(str(a) for a in dao.read("registry", "evaluators"))


def check_evaluator_change(dao: Dao, evaluator: str, trusted: bool) -> None:
    """InputError when the change would do nothing: `evaluator` is already trusted (or already not)."""
    if bool(dao.read("registry", "isEvaluator", evaluator)) == trusted:
        state = "already a trusted evaluator" if trusted else "not a trusted evaluator"
        raise InputError(f"{evaluator} is {state}: the proposal would change nothing")


def _fingerprint_bytes(fingerprint: str) -> bytes:
    text = fingerprint.lower().removeprefix("sha256:").removeprefix("0x")
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text) or int(text, 16) == 0:
        raise InputError(f"{fingerprint!r} is not a key fingerprint: the SHA-256 of a public key's PEM, 64 hex digits")
    return bytes.fromhex(text)


def signer_action(dao: Dao, name: str, fingerprint: str, trusted: bool) -> Action:
    """Trust the key with `fingerprint` (SHA-256 hex of its PEM) to sign model `name`'s versions (or stop trusting
    it) when the proposal executes. The model need not be registered: a registration trusts its signer in the same
    proposal.

    Raises:
        InputError: A malformed name or fingerprint.
    """
    validate_model_name(name)
    return dao.action("registry", "setSigner", model_id(name), _fingerprint_bytes(fingerprint), trusted)


def trusted_signers(dao: Dao, name: str) -> list[str]:
    """The fingerprints (hex) of the keys trusted to sign `name`'s versions now, sorted ([] for a model that does
    not exist)."""
    return sorted(bytes(key).hex() for key in dao.read("registry", "signers", model_id(name)))


def check_signer_change(dao: Dao, name: str, fingerprint: str, trusted: bool) -> None:
    """InputError when the change would do nothing: the key is already trusted for `name` (or already not)."""
    if bool(dao.read("registry", "isSigner", model_id(name), _fingerprint_bytes(fingerprint))) == trusted:
        state = "already trusted" if trusted else "not trusted"
        raise InputError(f"key {fingerprint[:16]}… is {state} to sign {name}: the proposal would change nothing")


def suspend(dao: Dao, name: str, reason: str) -> PreparedTx:
    """Suspend `name` (guardian or owner only): pulls and verifications refuse it meanwhile.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        reason: Why, recorded on chain.

    Returns:
        The transaction, for `chain.client.send` from the guardian's account. Sending raises TransactionError
        (nothing sent) from anyone else, or when the model is unknown or already suspended.

    Raises:
        InputError: A malformed name, or an empty reason.
    """
    if not reason.strip():
        raise InputError("say why the model is suspended (--reason): it is recorded on chain")
    return dao.prepare("registry", "suspend", (model_id(name), reason), f"suspend {name}: {reason}")


def unsuspend(dao: Dao, name: str) -> PreparedTx:
    """Lift the suspension of `name` (guardian or owner only).

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.

    Returns:
        The transaction, for `chain.client.send` from the guardian's account. Sending raises TransactionError
        (nothing sent) from anyone else, or when the model is not suspended.

    Raises:
        InputError: A malformed name.
    """
    return dao.prepare("registry", "unsuspend", (model_id(name),), f"unsuspend {name}")


# ----------------------------------------------------------------------------- reads


def model_from_view(raw: Any) -> ModelInfo:
    """A model as the registry's `getModel` returns it (its `ModelView` tuple), as a ModelInfo.

    Args:
        raw: The decoded `ModelView` tuple (id, name, status, suspended, current version, latest version).

    Returns:
        The model.
    """
    return ModelInfo(
        id="0x" + bytes(raw[0]).hex(),
        name=str(raw[1]),
        status=ModelStatus(raw[2]),
        suspended=bool(raw[3]),
        current_version=int(raw[4]),
        latest_version=int(raw[5]),
    )


def _version_info(raw: Any) -> VersionInfo:
    return VersionInfo(
        number=int(raw[0]),
        status=VersionStatus(raw[1]),
        artifact_cid=to_text(raw[2]),
        manifest_cid=to_text(raw[3]),
        contributor=checksum(raw[4]),
        created_at=int(raw[5]),
        parent=int(raw[6]),
    )


def _registry(dao: Dao, function: str, *args: Any) -> ReadCall:
    return dao.call("registry", function, *args)


def get_model(dao: Dao, name: str) -> ModelInfo:
    """A model by name; InputError if it is not registered.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.

    Returns:
        Its id, name, status (active or retired), whether it is suspended, and its current and latest versions.

    Raises:
        InputError: A malformed name, or no model registered under it.
        ChainError: The node could not be reached.
    """
    model = _find_model(dao, name)
    if model is None:
        raise InputError(f"no model named {name!r} is registered{_guess(dao, name)}")
    return model


def _find_model(dao: Dao, name: str) -> ModelInfo | None:
    """The model registered under `name`, or None (InputError for a malformed name)."""
    try:
        return model_from_view(read(dao.chain, _registry(dao, "getModel", model_id(name))))
    except TransactionError as error:
        if error.error_name == "ModelRegistryUnknownModel":
            return None
        raise


def _guess(dao: Dao, name: str) -> str:
    """`; did you mean 'acme/vision'?` when a registered name is close to `name` (read only on this error path,
    from the first 1,000 models); else nothing."""
    import difflib

    names = [model.name for model in list_models(dao, limit=1_000)]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def get_version(dao: Dao, name: str, version: int | None = None) -> VersionInfo:
    """Version `version` of `name`, or its current version when None.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        version: A version number from 1; None for the current version.

    Returns:
        The version: number, status, artifact and manifest CIDs, contributor, time of creation and parent.

    Raises:
        InputError: A malformed name, an unknown model, or no such version.
        ChainError: The node could not be reached.
    """
    model = get_model(dao, name)
    if version is None:
        return _version_info(read(dao.chain, _registry(dao, "getCurrentVersion", model_id(name))))
    if not 1 <= version <= model.latest_version:
        raise InputError(f"{name} has no version {version} (versions 1 to {model.latest_version})")
    return _version_info(read(dao.chain, _registry(dao, "getVersion", model_id(name), version)))


def check_changeable(dao: Dao, name: str) -> ModelInfo:
    """The model, if a proposal may still change it (registered, not retired); InputError naming why not.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.

    Returns:
        The model, as `get_model` reads it.

    Raises:
        InputError: A malformed name, an unknown model, or a retired one.
        ChainError: The node could not be reached.
    """
    model = get_model(dao, name)
    if model.retired:
        raise InputError(f"{name} is retired and can no longer change")
    return model


def check_registrable(dao: Dao, name: str) -> None:
    """InputError unless `name` is free for a registration now (the registry refuses any name ever registered,
    retired ones included), naming what to do instead.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.

    Raises:
        InputError: A malformed name, or one already registered.
        ChainError: The node could not be reached.
    """
    model = _find_model(dao, name)
    if model is None:
        return
    if model.retired:
        raise InputError(
            f"{name} was registered and is now retired: the registry never takes a name twice; choose another name"
        )
    raise InputError(
        f"{name} is already registered (v{model.current_version} current): a new version is an upgrade",
        hint=f"use `deai-gov model propose upgrade {name} PATH`",
    )


def check_rollback(dao: Dao, name: str, version: int) -> None:
    """InputError unless rolling `name` back to `version` would be accepted now.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        version: The version to make current again.

    Raises:
        InputError: An unknown or retired model, no such version, a version not below the current one, or one
            rolled back before (it can never be current again).
        ChainError: The node could not be reached.
    """
    model = check_changeable(dao, name)
    target = get_version(dao, name, version)
    if version >= model.current_version:
        raise InputError(f"{name} v{version} is not earlier than its current version v{model.current_version}")
    if target.status == VersionStatus.ROLLED_BACK:
        raise InputError(f"{name} v{version} was rolled back once and can never be current again")


def list_models(dao: Dao, offset: int = 0, limit: int | None = None) -> list[ModelInfo]:
    """Models in registration order, fetched a page at a time.

    Args:
        dao: The DAO (`Dao.attach`).
        offset: How many models to skip.
        limit: How many models at most; None for all the rest.

    Returns:
        The models, oldest registration first.

    Raises:
        ChainError: The node could not be reached.
    """
    total = int(read(dao.chain, _registry(dao, "modelCount")))
    end = total if limit is None else min(total, offset + limit)
    pages = call_many(
        dao.chain,
        [_registry(dao, "getModels", start, min(PAGE_SIZE, end - start)) for start in range(offset, end, PAGE_SIZE)],
    )
    return [model_from_view(raw) for page in pages for raw in page]


def list_versions(dao: Dao, name: str, offset: int = 0, limit: int | None = None) -> list[VersionInfo]:
    """Versions of `name` in order, fetched a page at a time.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        offset: How many versions to skip.
        limit: How many versions at most; None for all the rest.

    Returns:
        The versions, version 1 first.

    Raises:
        InputError: A malformed name, or an unknown model.
        ChainError: The node could not be reached.
    """
    model = get_model(dao, name)
    end = model.latest_version if limit is None else min(model.latest_version, offset + limit)
    mid = model_id(name)
    starts = range(offset, end, PAGE_SIZE)
    pages = call_many(
        dao.chain, [_registry(dao, "getVersions", mid, start, min(PAGE_SIZE, end - start)) for start in starts]
    )
    return [_version_info(raw) for page in pages for raw in page]


# ----------------------------------------------------------------------------- words for voters


@dataclass(frozen=True)
class ModelHistory:
    """A model and every version it has had, oldest first (what `deai-gov model show` prints)."""

    model: ModelInfo
    versions: list[VersionInfo]

    def to_json(self) -> dict[str, Any]:
        return self.model.to_json() | {"versions": [version.to_json() for version in self.versions]}


def model_history(dao: Dao, name: str) -> ModelHistory:
    """A model's record and all its versions.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.

    Returns:
        The model and its versions, oldest first.

    Raises:
        InputError: A malformed name, or an unknown model.
        ChainError: The node could not be reached.
    """
    return ModelHistory(get_model(dao, name), list_versions(dao, name))


@dataclass(frozen=True)
class ProposedVersion:
    """A version a proposal would add: register (v1) or upgrade (latest + 1 if executed now)."""

    name: str
    version: int
    artifact_cid: str
    manifest_cid: str
    contributor: str = ""


def versions_written(dao: Dao, actions: list[Action] | tuple[Action, ...]) -> list[ProposedVersion | None]:
    """Per action, the version it would write if the actions ran now, in order, or None for one that writes none.

    A registration writes version 1; an upgrade writes the model's latest version + 1 (not its current one: after a
    rollback the registry still counts on from the latest), counting the upgrades and registrations before it in the
    same list. An upgrade of a model the registry does not know writes nothing (it would revert).

    Raises:
        ChainError: The node could not be reached.
    """
    latest: dict[bytes, tuple[str, int]] = {}
    found: list[ProposedVersion | None] = []
    for action in actions:
        written = None
        if action.target.lower() == dao.address("registry").lower():
            try:
                function, args = decode_call("ModelRegistry", action.calldata)
            except ValueError:
                function, args = "", {}
            if function == "register":
                latest[model_id(str(args["name"]))] = (str(args["name"]), 1)
                written = (str(args["name"]), 1)
            elif function == "upgrade":
                key = bytes(args["modelId"])
                if key not in latest:
                    try:
                        view = read(dao.chain, _registry(dao, "getModel", key))
                        latest[key] = (str(view[1]), int(view[5]))  # ModelView.latestVersion
                    except TransactionError:  # unknown model: the upgrade would revert, simulate_actions says so
                        pass
                if key in latest:
                    name, number = latest[key]
                    latest[key] = written = (name, number + 1)
            if written is not None:
                found.append(
                    ProposedVersion(
                        written[0],
                        written[1],
                        to_text(args["artifactCid"]),
                        to_text(args["manifestCid"]),
                        str(args["contributor"]),
                    )
                )
                continue
        found.append(None)
    return found


def proposed_versions(dao: Dao, actions: list[Action] | tuple[Action, ...]) -> list[ProposedVersion]:
    """The versions that `actions` would add to the registry, decoded from their calldata.

    Args:
        dao: The DAO (`Dao.attach`).
        actions: A proposal's actions; those that are not a registration or an upgrade on this DAO's registry
            are skipped.

    Returns:
        One entry per registration (version 1) or upgrade (the model's latest version + 1, as if executed now,
        counting the earlier actions of the same list), in order (`versions_written` without the gaps).

    Raises:
        ChainError: The node could not be reached.
    """
    return [version for version in versions_written(dao, actions) if version is not None]
