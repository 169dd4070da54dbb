"""The DAO's decisions mirrored onto an MLflow registry: an alias (`dao-approved` by default) on the MLflow version
whose files are the DAO's current version of a model, with tags naming the vote, removed while the model is
suspended or once it is retired.

Each event about a model (`CurrentVersionChanged` after a register, upgrade or rollback; `ModelSuspended`,
`ModelUnsuspended`, `ModelRetired`) reconciles that model with the chain as it stands now, so replaying events, or
missing one, ends in the same state. The MLflow version is the one the current version's manifest names as its
`source` on this server, and the alias moves onto it only when its files are exactly the version's (the signature
bundle aside, which publishing added): otherwise the alias is removed, since it would point at files the DAO did not
approve.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...dao.registry import get_model, get_version
from ...dao.token import symbol
from ...errors import ServiceError
from ...units import format_amount
from ...workflows.approved import fetch_version_manifest, resolve
from ...workflows.provenance import approval_of
from .client import ArtifactFile, MlflowClient, ModelVersion, check_alias
from .source import artifact_root

if TYPE_CHECKING:
    from ...dao.deployed import Dao
    from ...ipfs.manifest import Manifest
    from ...ipfs.stores import BlockSource
    from ...workflows.watch import WatchedEvent

DEFAULT_ALIAS = "dao-approved"
#: The registry events after which a model's alias is reconciled.
EVENTS = frozenset({"CurrentVersionChanged", "ModelSuspended", "ModelUnsuspended", "ModelRetired"})
TAG_PREFIX = "deai-gov."


@dataclass(frozen=True)
class MirrorResult:
    """What one reconciliation did to the MLflow registry."""

    model: str
    #: `set` (the alias moved, tags written), `kept` (already there), `removed`, `refused` (files differ: removed),
    #: or `skipped` (the version does not come from this server: nothing to mark).
    action: str
    mlflow_model: str | None
    mlflow_version: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "action": self.action,
            "mlflow_model": self.mlflow_model,
            "mlflow_version": self.mlflow_version,
            "detail": self.detail,
        }


class Mirror:
    """Reconciles the DAO's models with one MLflow server's aliases."""

    def __init__(self, dao: Dao, sources: list[BlockSource], client: MlflowClient, alias: str = DEFAULT_ALIAS):
        self.dao, self.sources, self.client, self.alias = dao, sources, client, check_alias(alias)

    def handle(self, event: WatchedEvent) -> MirrorResult | None:
        """Reconcile the model `event` is about, when it is one of `EVENTS`; None for any other event."""
        if event.name not in EVENTS or not event.model:
            return None
        return self.reconcile(event.model)

    def reconcile(self, name: str) -> MirrorResult:
        """Make the alias on model `name`'s MLflow versions say what the chain says now.

        Raises:
            ServiceError: the MLflow server failed or answered wrongly (the event should be retried).
            StoreError, ChainError: the manifest or the chain could not be read.
        """
        model = get_model(self.dao, name)
        manifest = fetch_version_manifest(self.sources, resolve(self.dao, name, None, allow_suspended=True))
        source = manifest.source
        if source.get("kind") != "mlflow" or not _same_server(source.get("server", ""), self.client.uri):
            return MirrorResult(name, "skipped", None, None, "its current version does not come from this server")
        mlflow_model, mlflow_version = source.get("model", ""), source.get("version", "")
        if model.retired or model.suspended:
            why = "retired" if model.retired else "suspended"
            return self._remove(name, mlflow_model, f"{name} is {why}")
        current = self.client.model_version(mlflow_model, mlflow_version)
        version = get_version(self.dao, name)
        if self.alias in current.aliases and current.tags.get(TAG_PREFIX + "manifest_cid") == version.manifest_cid:
            return MirrorResult(name, "kept", mlflow_model, mlflow_version, f"already on {name} v{version.number}")
        difference = self._difference(current, manifest)
        if difference:
            self._remove(name, mlflow_model, "")
            return MirrorResult(
                name, "refused", mlflow_model, mlflow_version,
                f"its files differ from {name} v{version.number}, which the DAO approved ({difference}); the alias "
                "is removed until they match",
            )  # fmt: skip
        for key, value in self._tags(name).items():
            self.client.set_version_tag(mlflow_model, mlflow_version, TAG_PREFIX + key, value)
        self.client.set_alias(mlflow_model, self.alias, mlflow_version)
        return MirrorResult(name, "set", mlflow_model, mlflow_version, f"{self.alias} -> {name} v{version.number}")

    def _remove(self, name: str, mlflow_model: str, why: str) -> MirrorResult:
        try:
            holder = self.client.version_by_alias(mlflow_model, self.alias)
        except ServiceError:  # no version holds the alias (MLflow answers 404)
            return MirrorResult(name, "kept", mlflow_model, None, f"{why}; no version holds {self.alias}")
        self.client.delete_alias(mlflow_model, self.alias)
        return MirrorResult(name, "removed", mlflow_model, holder.version, f"{why}: {self.alias} removed")

    def _difference(self, version: ModelVersion, manifest: Manifest) -> str:
        """ "" when the MLflow version's files are the manifest's (its signature bundle aside), else the first
        difference in words."""
        bundle = manifest.signature.bundle if manifest.signature else None
        expected = {entry.path: entry for entry in manifest.files if entry.path != bundle}
        root = artifact_root(self.client, version)
        files: dict[str, ArtifactFile] = {item.path: item for item in self.client.artifact_files(root)}
        for path in sorted(set(expected) | set(files)):
            if path not in files:
                return f"{path} is missing"
            if path not in expected:
                return f"{path} is extra"
            entry = expected[path]
            digest = hashlib.sha256()
            try:
                self.client.download(root, path, digest.update, limit=entry.size)
            except ServiceError as exc:
                if "sent more than" in str(exc):
                    return f"{path} is larger"
                raise
            if digest.hexdigest() != entry.sha256:
                return f"{path} changed"
        return ""

    def _tags(self, name: str) -> dict[str, str]:
        """The tags naming the DAO's decision: model and version, proposal, tally, CIDs, execution, registry."""
        approval = approval_of(self.dao, name)
        sym = symbol(self.dao)
        return {
            "model": name,
            "version": str(approval.version.number),
            "proposal": str(approval.proposal_id),
            "tally": f"for {format_amount(approval.votes_for)} {sym}, against {format_amount(approval.votes_against)} "
            f"{sym}, abstain {format_amount(approval.votes_abstain)} {sym}",
            "artifact_cid": approval.version.artifact_cid,
            "manifest_cid": approval.version.manifest_cid,
            "executed_in": approval.tx_hash,
            "registry": f"{self.dao.chain.chain_id}:{self.dao.address('registry')}",
        }


def _same_server(recorded: str, uri: str) -> bool:
    return recorded.rstrip("/").lower() == uri.rstrip("/").lower()
