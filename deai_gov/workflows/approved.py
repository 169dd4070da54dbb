"""From "the version the DAO approved" to verified bytes: registry lookup, then pull or verify.

The registry gives the artifact and manifest CIDs of a version; the manifest must name the same model and
version, and every block and file must match. A suspended model, and a version the DAO rolled back, are refused
unless explicitly allowed; a retired model is served, and says so (`ApprovedVersion.retired`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contracts.states import VersionStatus
from ..dao.registry import ModelInfo, ProposedVersion, VersionInfo, get_model, get_version, proposed_versions
from ..dao.token import split_reward
from ..errors import InputError, StoreError, VerificationError
from ..ipfs.archive import export_version
from ..ipfs.blockcid import from_text
from ..ipfs.content import (
    LocalComparison,
    Progress,
    VerifyReport,
    compare_local,
    fetch_manifest,
    hidden_entries,
    pull,
    verify,
)
from ..ipfs.manifest import Manifest
from ..ipfs.stores import fetch_verified
from ..units import format_amount

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.archive import ArchiveReport
    from ..ipfs.stores import BlockSource


@dataclass(frozen=True)
class ApprovedVersion:
    name: str
    model: ModelInfo
    version: VersionInfo

    @property
    def retired(self) -> bool:
        """The DAO retired the model: its versions stay approved, but it will not change again."""
        return self.model.retired

    @property
    def suspended(self) -> bool:
        """The guardian suspended the model (only ever resolved when explicitly allowed)."""
        return self.model.suspended

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version.number,
            "model_status": self.model.state,
            "retired": self.retired,
            "suspended": self.suspended,
            "version_status": self.version.status.name.lower(),
            "artifact_cid": self.version.artifact_cid,
            "manifest_cid": self.version.manifest_cid,
        }


def resolve(
    dao: Dao,
    name: str,
    version: int | None = None,
    *,
    allow_suspended: bool = False,
    allow_rolled_back: bool = False,
) -> ApprovedVersion:
    """The registry's record of `name` at `version` (default: its current version). InputError for a suspended
    model or a rolled-back version unless allowed: the guardian or the DAO said not to use it.

    Nothing is fetched from IPFS.

    Args:
        dao: The DAO (`Dao.attach`).
        name: The model's name, `org/name`.
        version: A version number from 1; None for the model's current version.
        allow_suspended: Use the model even if its guardian suspended it.
        allow_rolled_back: Use the version even if the DAO rolled it back (withdrew it).

    Returns:
        The model (status, suspension, current and latest versions) and the version (CIDs, contributor, parent,
        status); `retired` says whether the DAO retired the model.

    Raises:
        InputError: A malformed name, an unknown model or version, a suspended model or a rolled-back version
            (unless allowed).
        ChainError: The node could not be reached.
    """
    model = get_model(dao, name)
    if model.suspended and not allow_suspended:
        raise InputError(
            f"{name} is suspended by its guardian; refusing to use it",
            hint="allow it explicitly (--allow-suspended) to use it anyway",
        )
    found = get_version(dao, name, version)
    if found.status == VersionStatus.ROLLED_BACK and not allow_rolled_back:
        raise InputError(
            f"{name} v{found.number} was rolled back by the DAO (withdrawn); refusing to use it",
            hint="allow it explicitly (--allow-rolled-back) to use it anyway",
        )
    return ApprovedVersion(name, model, found)


def _check_manifest_identity(approved: ApprovedVersion, manifest: Manifest) -> None:
    if (manifest.name, manifest.version) != (approved.name, approved.version.number):
        raise VerificationError(
            f"the manifest is for {manifest.name} v{manifest.version}, but the registry records it for "
            f"{approved.name} v{approved.version.number}"
        )


def verify_approved(
    dao: Dao,
    sources: list[BlockSource],
    name: str,
    version: int | None = None,
    *,
    allow_suspended: bool = False,
    allow_rolled_back: bool = False,
    progress: Progress | None = None,
) -> tuple[ApprovedVersion, VerifyReport]:
    """Check every block and file of a registered version against the registry, writing nothing.

    Args:
        dao: The DAO (`Dao.attach`).
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        name: The model's name, `org/name`.
        version: A version number from 1; None for the model's current version.
        allow_suspended: Use the model even if its guardian suspended it.
        allow_rolled_back: Use the version even if the DAO rolled it back (withdrew it).
        progress: Called with each count of bytes checked, to draw progress.

    Returns:
        The registry's record (as `resolve` gives it) and what was checked: the manifest, every file with its size,
        sha256 and CID, the number of blocks.

    Raises:
        InputError: A malformed name, an unknown model or version, a suspended model or a rolled-back version
            (unless allowed).
        VerificationError: The content does not match what the registry records (the block, file or manifest
            is named); a source served bytes that do not hash to their CID (`BlockMismatch`, a `StoreError`
            with the same exit code).
        StoreError: No source delivered a block (`BlockNotFound`), or none could be reached.
        ChainError: The node could not be reached.
    """
    approved = resolve(dao, name, version, allow_suspended=allow_suspended, allow_rolled_back=allow_rolled_back)
    report = verify(sources, approved.version.artifact_cid, approved.version.manifest_cid, progress)
    _check_manifest_identity(approved, report.manifest)
    return approved, report


def pull_approved(
    dao: Dao,
    sources: list[BlockSource],
    name: str,
    destination: Path,
    version: int | None = None,
    *,
    allow_suspended: bool = False,
    allow_rolled_back: bool = False,
    progress: Progress | None = None,
    include_hidden: bool = False,
) -> tuple[ApprovedVersion, VerifyReport]:
    """Fetch a registered version into `destination`, verified, written atomically (`resolve`, then
    `pull_version`).

    The files are written into a hidden folder beside `destination` and moved into place only once everything
    matched: a refused or interrupted pull leaves no folder that looks complete.

    Args:
        dao: The DAO (`Dao.attach`).
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        name: The model's name, `org/name`.
        destination: A folder that does not exist yet, or an empty one.
        version: A version number from 1; None for the model's current version.
        allow_suspended: Use the model even if its guardian suspended it.
        allow_rolled_back: Use the version even if the DAO rolled it back (withdrew it).
        progress: Called with each count of bytes checked, to draw progress.
        include_hidden: Write hidden entries (`.git/`, `.env`) the version holds instead of refusing the pull.

    Returns:
        The registry's record (as `resolve` gives it) and what was checked and written (`VerifyReport`).

    Raises:
        InputError: A malformed name, an unknown model or version, a suspended model or a rolled-back version
            (unless allowed);
            `destination` exists and is not an empty folder.
        VerificationError: The content does not match what the registry records (the block, file or manifest
            is named); a source served bytes that do not hash to their CID (`BlockMismatch`, a `StoreError`
            with the same exit code).
        StoreError: No source delivered a block (`BlockNotFound`), or none could be reached.
        ChainError: The node could not be reached.
    """
    approved = resolve(dao, name, version, allow_suspended=allow_suspended, allow_rolled_back=allow_rolled_back)
    return approved, pull_version(sources, approved, destination, progress=progress, include_hidden=include_hidden)


def pull_version(
    sources: list[BlockSource],
    approved: ApprovedVersion,
    destination: Path,
    *,
    progress: Progress | None = None,
    include_hidden: bool = False,
) -> VerifyReport:
    """Fetch a version `resolve` found into `destination`: its manifest first (it must name that model and
    version), then every block and file, verified, written atomically."""

    # The manifest is small: check whose it is before fetching the artifact.
    _check_manifest_identity(approved, fetch_manifest(sources, from_text(approved.version.manifest_cid)))
    return pull(
        sources,
        approved.version.artifact_cid,
        approved.version.manifest_cid,
        destination,
        progress,
        include_hidden=include_hidden,
    )


def default_destination(approved: ApprovedVersion) -> Path:
    """Where a pull writes when not told: `./ORG-NAME-vN` in the current folder."""
    return Path(f"{approved.name.replace('/', '-')}-v{approved.version.number}")


def export_approved(
    dao: Dao,
    sources: list[BlockSource],
    name: str,
    path: Path,
    version: int | None = None,
    *,
    allow_suspended: bool = False,
    allow_rolled_back: bool = False,
    progress: Progress | None = None,
) -> tuple[ApprovedVersion, ArchiveReport]:
    """A registered version written to a CAR file at `path`, after every block and file was verified.

    The file's roots are the artifact, then the manifest: `ipfs dag import` loads it into any IPFS node, and
    `ipfs.archive.import_archive` into a store on a machine without network access.

    Args:
        dao: The DAO (`Dao.attach`).
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        name: The model's name, `org/name`.
        path: The CAR file to write; it must not exist yet.
        version: A version number from 1; None for the model's current version.
        allow_suspended: Use the model even if its guardian suspended it.
        allow_rolled_back: Use the version even if the DAO rolled it back (withdrew it).
        progress: Called with each count of bytes checked.

    Returns:
        The registry's record (as `resolve` gives it) and what the file holds: its roots, blocks and bytes, and
        what was verified.

    Raises:
        InputError: A malformed name, an unknown model or version, a suspended model or a rolled-back version
            (unless allowed); `path` exists or cannot be written.
        VerificationError: The content does not match what the registry records (the block, file or manifest
            is named).
        StoreError: No source delivered a block, or none could be reached.
        ChainError: The node could not be reached.
    """

    approved = resolve(dao, name, version, allow_suspended=allow_suspended, allow_rolled_back=allow_rolled_back)
    # The manifest is small: check whose it is before anything is written.
    _check_manifest_identity(approved, fetch_manifest(sources, from_text(approved.version.manifest_cid)))
    report = export_version(
        sources, approved.version.artifact_cid, approved.version.manifest_cid, path, progress=progress
    )
    return approved, report


def compare_approved(
    dao: Dao, sources: list[BlockSource], name: str, version: int | None, path: Path
) -> tuple[ApprovedVersion, LocalComparison]:
    """Whether the local copy at `path` is exactly a registered version: re-imported with the profile its manifest
    records (the manifest is fetched and verified from `sources`; the artifact is not fetched).

    Suspended models and rolled-back versions are compared too: this says what a copy is, not whether to use it.

    Args:
        dao: The DAO (`Dao.attach`).
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        name: The model's name, `org/name`.
        version: A version number from 1; None for the model's current version.
        path: The local file or folder (a pulled copy, the maintainer's files).

    Returns:
        The registry's record (as `resolve` gives it) and the comparison: the CID the local copy hashes to, whether
        it matches, and each file that differs, is missing or is extra.

    Raises:
        InputError: A malformed name, an unknown model or version, or `path` cannot be read.
        VerificationError: The manifest does not match the registry's record.
        StoreError: No source delivered the manifest.
        ChainError: The node could not be reached.
    """

    approved = resolve(dao, name, version, allow_suspended=True, allow_rolled_back=True)
    return approved, compare_local(path, fetch_version_manifest(sources, approved))


def fetch_version_manifest(sources: list[BlockSource], approved: ApprovedVersion) -> Manifest:
    """A registered version's manifest, fetched and verified, and checked to be that version's: it names the
    model, the version number and the artifact the registry records (VerificationError otherwise)."""
    manifest = fetch_manifest(sources, from_text(approved.version.manifest_cid))
    _check_manifest_identity(approved, manifest)
    if from_text(manifest.artifact_root) != from_text(approved.version.artifact_cid):
        raise VerificationError(
            f"the manifest of {approved.name} v{approved.version.number} describes artifact "
            f"{manifest.artifact_root}, not {approved.version.artifact_cid}"
        )
    return manifest


def check_proposed(
    sources: list[BlockSource], proposed: ProposedVersion, transfers: list[tuple[str, int]] | None = None
) -> str | None:
    """What `review_proposed` finds wrong with a proposed version, or None."""
    return review_proposed(sources, proposed, transfers)[0]


def review_proposed(
    sources: list[BlockSource],
    proposed: ProposedVersion,
    transfers: list[tuple[str, int]] | None = None,
    manifest: Manifest | None = None,
) -> tuple[str | None, list[RewardShare]]:
    """None when a proposed version's manifest is available, verified and names that model, version and artifact
    (and the artifact's root block is available), and when the proposal's treasury `transfers` ((recipient,
    amount)) that pay its contributors split their total by the manifest's shares; otherwise what is wrong, in one
    sentence.

    Never raises for content: a reviewer sees each proposed version's problem as one line, and the rest of the
    review still.

    Args:
        sources: Where blocks are read from, in order (`EmbeddedStore`, `NodeStore`, `GatewaySource`); no source is
            trusted: every block is checked against its CID.
        proposed: A version a proposal would add (`registry.proposed_versions`).
        transfers: The proposal's treasury transfers, (recipient, amount in base units); None for none.
        manifest: The version's manifest when the caller has already fetched and verified it (it is then checked,
            not fetched again).

    Returns:
        None when everything checks out, else the first problem in one sentence; and when everything checks out,
        how the transfers paying the manifest's contributors split their reward (else []).
    """

    try:
        manifest = manifest or fetch_manifest(sources, from_text(proposed.manifest_cid))
        if (manifest.name, manifest.version) != (proposed.name, proposed.version):
            return (
                f"its manifest is for {manifest.name} v{manifest.version}, not {proposed.name} v{proposed.version}",
                [],
            )
        if from_text(manifest.artifact_root) != from_text(proposed.artifact_cid):
            return f"its manifest describes artifact {manifest.artifact_root}, not {proposed.artifact_cid}", []
        named = [c.address for c in manifest.contributors]
        if proposed.contributor and proposed.contributor.lower() not in (a.lower() for a in named):
            return (
                f"the registry call credits {proposed.contributor}, whom its manifest does not name as a contributor "
                f"({', '.join(named)})"
            ), []
        fetch_verified(sources, from_text(proposed.artifact_cid))
    except (StoreError, VerificationError, InputError, ValueError) as exc:
        return str(exc), []
    hidden = hidden_entries(manifest)
    if hidden:  # flagged unless known safe: written into a folder, `.git/config` runs its commands
        shown = ", ".join(hidden[:3]) + (", …" if len(hidden) > 3 else "")
        return f"its artifact holds hidden entries ({shown}), which can run code once pulled; a pull refuses them", []
    problem = check_reward_split(manifest, transfers or [])
    return problem, [] if problem else reward_shares(manifest, transfers or [])


def check_reward_split(manifest: Manifest, transfers: list[tuple[str, int]]) -> str | None:
    """None when the `transfers` ((recipient, amount)) paying the manifest's contributors split their total as
    `token.split_reward` does by the manifest's shares (or when none pays them); else who gets what instead.

    Args:
        manifest: The proposed version's manifest, with its contributors and their shares.
        transfers: The proposal's treasury transfers, (recipient, amount in base units); those to anyone not in
            the manifest are ignored.

    Returns:
        None when the split follows the shares, else one sentence naming each contributor paid otherwise.
    """

    shares = [(c.address, c.share_bps) for c in manifest.contributors]
    named = {address.lower() for address, _ in shares}
    paid: dict[str, int] = {}
    for recipient, amount in transfers:
        if recipient.lower() in named:
            paid[recipient.lower()] = paid.get(recipient.lower(), 0) + amount
    if not paid:
        return None
    total = sum(paid.values())
    try:
        due_parts = split_reward(total, shares)
    except InputError as exc:  # a manifest built without validation: say so, never stop the review
        return f"the reward cannot be checked against the manifest's shares: {exc}"
    wrong = [
        f"{address} gets {format_amount(paid.get(address.lower(), 0))} where its share of {bps / 100:g}% of "
        f"{format_amount(total)} is {format_amount(due)}"
        for (address, due), (_, bps) in zip(due_parts, shares, strict=True)
        if paid.get(address.lower(), 0) != due
    ]
    return f"the reward does not follow the manifest's shares: {'; '.join(wrong)}" if wrong else None


@dataclass(frozen=True)
class RewardShare:
    """What one contributor named in a version's manifest is paid by the proposal that writes the version."""

    address: str
    #: Its share of the contributors' reward, in basis points (10,000 = all), as the manifest records it.
    share_bps: int
    #: What the proposal's treasury transfers pay it, in token base units.
    amount: int

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "share_bps": self.share_bps, "amount": str(self.amount)}


def reward_shares(manifest: Manifest, transfers: list[tuple[str, int]]) -> list[RewardShare]:
    """Each of the manifest's contributors with its share and what `transfers` ((recipient, amount)) pay it, in the
    manifest's order; [] when they pay none of them."""
    paid: dict[str, int] = {}
    for recipient, amount in transfers:
        paid[recipient.lower()] = paid.get(recipient.lower(), 0) + amount
    shares = [RewardShare(c.address, c.share_bps, paid.get(c.address.lower(), 0)) for c in manifest.contributors]
    return shares if any(share.amount for share in shares) else []


def proposed_version(dao: Dao, name: str, proposal_id: int) -> ProposedVersion:
    """The version of `name` proposal `proposal_id` would write (its number as the registry would give it if the
    proposal executed now); InputError for an unknown proposal or one that writes no version of `name`."""
    from ..dao.governance import get_proposal

    proposal = get_proposal(dao, proposal_id)[0]
    found = [version for version in proposed_versions(dao, proposal.actions) if version.name == name]
    if not found:
        raise InputError(f"proposal {proposal_id} writes no version of {name}")
    return found[-1]


def fetch_proposed_manifest(sources: list[BlockSource], proposed: ProposedVersion, proposal_id: int | None) -> Manifest:
    """The manifest of a version a proposal would write, fetched and verified, and checked to name that model,
    version and artifact (VerificationError otherwise)."""
    manifest = fetch_manifest(sources, from_text(proposed.manifest_cid))
    if (manifest.name, manifest.version) != (proposed.name, proposed.version) or from_text(
        manifest.artifact_root
    ) != from_text(proposed.artifact_cid):
        what = f"proposal {proposal_id} writes" if proposal_id is not None else "the candidate is"
        raise VerificationError(
            f"{what} {proposed.name} v{proposed.version} with artifact {proposed.artifact_cid}, "
            f"but its manifest is for {manifest.name} v{manifest.version}, artifact {manifest.artifact_root}"
        )
    return manifest


def pull_proposed(
    sources: list[BlockSource], proposed: ProposedVersion, proposal_id: int | None, destination: Path
) -> VerifyReport:
    """Fetch a version a proposal would write into `destination`, as `pull_version` does for a registered one: its
    manifest first (checked by `fetch_proposed_manifest`), then every block and file, verified, written atomically."""
    fetch_proposed_manifest(sources, proposed, proposal_id)
    return pull(sources, proposed.artifact_cid, proposed.manifest_cid, destination)
