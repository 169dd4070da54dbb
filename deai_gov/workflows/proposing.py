"""Drafting a lifecycle proposal: publish the model (or take its CIDs), publish the full description to IPFS,
and put the actions and a short on-chain description together. The CLI's `model propose` commands and scripts
draft through these functions (`publish_version` or `given_version` for the content), then submit through
`workflows.submission`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contracts.states import ProposalState
from ..dao.actions import Action, Proposal
from ..dao.governance import build_proposal, state
from ..errors import InputError
from ..ipfs.blockcid import normalize_cid, to_text
from ..ipfs.content import publish
from ..ipfs.importer import import_bytes, list_files
from ..ipfs.manifest import Contributor, SignatureRecord
from ..ipfs.pinning import PinningService, PinStatus, pin_and_wait
from ..ipfs.profiles import DEFAULT_PROFILE, profile_named
from ..ipfs.stores import EmbeddedStore

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockStore
    from .signatures import FolderSignature


@dataclass(frozen=True)
class PublishPlan:
    """What publishing a path will send, known before anything is read or sent."""

    files: list[tuple[str, int]]
    #: Hidden files and folders found and left out (publish them with include_hidden).
    hidden_left_out: list[str]

    @property
    def size(self) -> int:
        return sum(size for _, size in self.files)


def plan_publish(path: Path, *, include_hidden: bool = False) -> PublishPlan:
    """The files a publish of `path` takes (in order, with sizes) and the hidden ones it leaves out; InputError
    for a name that is not portable or a symbolic link, before anything is read."""

    return PublishPlan(*list_files(path, include_hidden=include_hidden))


@dataclass(frozen=True)
class VersionContent:
    """The CIDs a proposed version records, where its content is (in words), and the pin requests made for it."""

    artifact_cid: str
    manifest_cid: str
    where: str
    pins: tuple[PinStatus, ...] = ()
    #: The model signature published with it (its manifest's record), if any.
    signature: SignatureRecord | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "artifact_cid": self.artifact_cid,
            "manifest_cid": self.manifest_cid,
            "where": self.where,
            "pins": [pin.to_json() for pin in self.pins],
            "signature": self.signature.to_json() if self.signature else None,
        }


@dataclass(frozen=True)
class PinRequest:
    """Have a remote pinning service keep a version before it is proposed, so voters can fetch what they vote on."""

    service: PinningService
    #: Multiaddresses the service may fetch the blocks from (the publishing node's).
    origins: list[str]
    #: Seconds to wait until both the artifact and the manifest are pinned.
    timeout: float


def given_version(artifact_cid: str, manifest_cid: str) -> VersionContent:
    """A version already on IPFS, named by its two CIDs (normalized to base32 CIDv1).

    Raises:
        InputError: a CID is not a valid CID.
    """
    return VersionContent(normalize_cid(artifact_cid), normalize_cid(manifest_cid), "given CIDs")


def publish_version(
    store: BlockStore | None,
    path: Path,
    *,
    name: str,
    version: int,
    parent: int,
    contributors: list[tuple[str, int]],
    copy: bool = True,
    include_hidden: bool = False,
    profile: str | None = None,
    progress: Callable[[int], None] | None = None,
    pin: PinRequest | None = None,
    on_pin: Callable[[PinStatus], None] | None = None,
    signature: FolderSignature | None = None,
    source: dict[str, str] | None = None,
) -> VersionContent:
    """Publish the model at `path` (with its manifest) into `store`, then have it pinned remotely if asked.

    Args:
        store: where the blocks go; None stores nothing and only computes the CIDs (a dry run, never pinned).
        path: the model's file or folder.
        name: the model's name, recorded in the manifest.
        version: the version number the registry will give it (`registry.next_version`).
        parent: the version it derives from (0 for none).
        contributors: (address, basis points) pairs, the manifest's contributors; the first is the registry's.
        copy: False lets an embedded store read the files from `path` instead of keeping a copy (`path` must then
            stay unchanged).
        include_hidden: publish hidden files and folders too (see `plan_publish` for the list, before publishing).
        profile: the import profile's name (default: IPIP-499's `unixfs-v1-2025`; see `ipfs.profiles`).
        progress: called with the bytes read so far.
        pin: a pinning service to keep the artifact and manifest, waited for until both are pinned.
        on_pin: called with each pin request when made, and when its status changes.
        signature: the folder's model signature (`signatures.sign_or_check_folder`): recorded in the manifest, and
            the files published are checked to be those it signs before the manifest is stored.
        source: where the version came from outside the DAO (an MLflow model version), for its manifest.

    Returns:
        The version's CIDs, where they are, and the pin requests.

    Raises:
        InputError: the path or a name in it is not publishable, or the store cannot keep it as asked.
        StoreError: the store refused the blocks, or the pinning service failed or timed out.
    """
    check_content_request(store, path, None, None, copy=copy)
    import_profile = profile_named(profile) if profile else DEFAULT_PROFILE
    with tempfile.TemporaryDirectory() as scratch:
        target = store if store is not None else EmbeddedStore(Path(scratch))
        published = publish(
            path,
            target,
            name=name,
            version=version,
            parent_version=parent,
            contributors=[Contributor(address, bps) for address, bps in contributors],
            progress=progress,
            copy=copy and store is not None,
            include_hidden=include_hidden,
            profile=import_profile,
            signature=signature.record if signature else None,
            check_manifest=signature.check_published if signature else None,
            source=source,
        )
    record = signature.record if signature else None
    if store is None:
        return VersionContent(
            published.artifact_cid, published.manifest_cid, "not published: a dry run computes them only", (), record
        )
    where = f"published to the {store.name}"
    if not copy:
        where += f" without a copy: keep {path} unchanged, the store reads it from there"
    pins: list[PinStatus] = []
    if pin is not None:
        pins = pin_and_wait(
            pin.service,
            name,
            version,
            published.artifact_cid,
            published.manifest_cid,
            origins=pin.origins,
            timeout=pin.timeout,
            on_change=on_pin,
        )
    return VersionContent(published.artifact_cid, published.manifest_cid, where, tuple(pins), record)


def check_content_request(
    store: BlockStore | None,
    path: Path | None,
    artifact_cid: str | None,
    manifest_cid: str | None,
    *,
    copy: bool = True,
) -> None:
    """InputError unless the request names the version's content one way: a PATH to publish (into a store that can
    keep it as asked), or both CIDs. Checked before anything is listed, read or sent."""

    if path is None:
        if not (artifact_cid and manifest_cid):
            raise InputError("give the model's PATH to publish, or both --artifact CID and --manifest CID")
        if not copy:
            raise InputError("--no-copy is about publishing a PATH; it means nothing with given CIDs")
        return
    if artifact_cid or manifest_cid:
        raise InputError("give either PATH or --artifact/--manifest, not both")
    if not copy and store is not None and not isinstance(store, EmbeddedStore):
        raise InputError(f"publishing without a copy needs an embedded store; the {store.name} keeps its own copy")


def publish_description(store: BlockStore | None, path: Path) -> str:
    """Publish a full proposal description (markdown/JSON) and return its CID; the proposal carries only the CID.
    With `store` None the CID is only computed."""

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with tempfile.TemporaryDirectory() as scratch:
        target = store if store is not None else EmbeddedStore(Path(scratch))
        return to_text(target.import_dag(lambda sink: import_bytes(data, sink).cid))


def draft_proposal(
    dao: Dao, proposer: str, actions: list[Action], title: str, body: str = "", full_description_cid: str | None = None
) -> Proposal:
    """The proposal `proposer` would submit: `# title`, the body, a link to the full description on IPFS, and
    the `#proposer=` suffix. DuplicateProposalError when the same proposal was already submitted."""
    if full_description_cid:
        body = f"{body}\n\nFull description: ipfs://{full_description_cid}".strip()
    return build_proposal(dao, proposer, actions, f"# {title}\n\n{body}".rstrip())


def existing_proposal_state(dao: Dao, proposal_id: int) -> ProposalState:
    """The state of an identical proposal submitted before (a re-run finds the proposal it made); InputError when
    it can no longer pass, since an identical proposal can never be submitted again."""
    current = state(dao, proposal_id)
    if current in (ProposalState.CANCELED, ProposalState.DEFEATED, ProposalState.EXPIRED):
        raise InputError(
            f"an identical proposal {proposal_id} was {current.label}", hint="change --title to propose it again"
        )
    return current
