"""`deai-gov model`: read the registry, and pull or verify the version the DAO approved."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from .options import json_option
from .output import emit
from .session import Session


def parse_reference(text: str) -> tuple[str, int | None]:
    """`org/name` or `org/name@VERSION`."""
    from ..errors import InputError
    from ..names import validate_model_name

    name, _, version = text.partition("@")
    validate_model_name(name)
    if not version:
        return name, None
    if not (version.isascii() and version.isdigit()) or int(version) < 1:
        raise InputError(f"{version!r} is not a version number (1, 2, 3...)")
    return name, int(version)


def _version_dict(version: Any) -> dict[str, Any]:
    data = asdict(version)
    data["status"] = version.status.name.lower()
    return data


@click.group()
def model() -> None:
    """Models in the registry: list, show, versions, approval, pull, verify; suspend and unsuspend (guardian)."""


@model.command("list")
@json_option
@click.pass_obj
def list_models(session: Session) -> None:
    """Every registered model with its status and current version."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..registry import list_models as read_models

    models = read_models(session.dao)
    rows = [
        {"name": m.name, "status": m.status.name.lower(), "current": m.current_version, "latest": m.latest_version}
        for m in models
    ]

    def render() -> None:
        table = Table("model", "status", "current", "latest")
        for row in rows:
            table.add_row(Text(str(row["name"])), str(row["status"]), str(row["current"]), str(row["latest"]))
        Console().print(table if rows else "no models registered yet")

    emit(session, rows, render)


@model.command()
@click.argument("name")
@json_option
@click.pass_obj
def show(session: Session, name: str) -> None:
    """A model's status, current version and history (parents, contributors, CIDs)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..registry import get_model, list_versions

    name, _ = parse_reference(name)
    info = get_model(session.dao, name)
    versions = list_versions(session.dao, name)
    data = {
        "name": info.name,
        "id": info.id,
        "status": info.status.name.lower(),
        "current_version": info.current_version,
        "latest_version": info.latest_version,
        "versions": [_version_dict(v) for v in versions],
    }

    def render() -> None:
        console = Console()
        console.print(Text.assemble((info.name, "bold"), f"  {data['status']}, current v{info.current_version}"))
        table = Table("v", "status", "parent", "contributor", "artifact", "manifest")
        for v in versions:
            table.add_row(
                str(v.number),
                v.status.name.lower(),
                str(v.parent or "-"),
                v.contributor,
                v.artifact_cid,
                v.manifest_cid,
            )
        console.print(table)

    emit(session, data, render)


@model.command()
@click.argument("name")
@json_option
@click.pass_obj
def versions(session: Session, name: str) -> None:
    """The versions of a model, oldest first."""
    from rich.console import Console
    from rich.table import Table

    from ..registry import list_versions

    name, _ = parse_reference(name)
    found = list_versions(session.dao, name)

    def render() -> None:
        table = Table("v", "status", "parent", "created", "artifact")
        for v in found:
            table.add_row(str(v.number), v.status.name.lower(), str(v.parent or "-"), str(v.created_at), v.artifact_cid)
        Console().print(table)

    emit(session, [_version_dict(v) for v in found], render)


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]")
@json_option
@click.pass_obj
def approval(session: Session, reference: str) -> None:
    """Which vote wrote a version (default: the current one), proven from the chain alone.

    Follows the version's `VersionPublished` log to the timelock operation that wrote it, and that operation to
    the proposal queued with it; the operation id is recomputed from the proposal's actions and must match.
    """
    from ..provenance import approval_of
    from ..registry import get_model, get_version
    from ..units import format_amount

    name, version = parse_reference(reference)
    number = version if version is not None else get_model(session.dao, name).current_version
    written = get_version(session.dao, name, number)
    found = approval_of(session.dao, name, number)
    data = {
        "name": name,
        "version": number,
        "artifact_cid": written.artifact_cid,
        "manifest_cid": written.manifest_cid,
        "contributor": written.contributor,
        "proposal_id": found.proposal_id,
        "proposal_state": found.state.label,
        "votes_for": str(found.votes_for),
        "votes_against": str(found.votes_against),
        "votes_abstain": str(found.votes_abstain),
        "executed_in": found.tx_hash,
        "block": found.block,
    }

    def render() -> None:
        click.echo(f"{name} v{number} was written by proposal {found.proposal_id} ({found.state.label})")
        click.echo(
            f"  votes: for {format_amount(found.votes_for)}, against {format_amount(found.votes_against)}, "
            f"abstain {format_amount(found.votes_abstain)}"
        )
        click.echo(f"  executed in {found.tx_hash} (block {found.block})")
        click.echo(f"  contributor {written.contributor}")
        click.echo(f"  artifact {written.artifact_cid}, manifest {written.manifest_cid}")

    emit(session, data, render)


@model.command()
@click.argument("name")
@click.option("--reason", required=True, help="Why, recorded on chain (pull and verify refuse the model meanwhile).")
@json_option
@click.pass_obj
def suspend(session: Session, name: str, reason: str) -> None:
    """Suspend a model at once, without a vote (the registry guardian, or the DAO by proposal).

    While suspended, pull and verify refuse the model unless --allow-suspended is given; its versions are
    untouched and proposals may still change it. `unsuspend` lifts it.
    """
    from ..registry import get_model, suspend_call
    from .tx import transact

    name, _ = parse_reference(name)
    get_model(session.dao, name)  # an unknown model is named as such, not as a revert
    emit(session, transact(session, suspend_call(session.dao, name, reason), f"suspend {name}: {reason}"), lambda: None)


@model.command()
@click.argument("name")
@json_option
@click.pass_obj
def unsuspend(session: Session, name: str) -> None:
    """Lift a model's suspension (the registry guardian, or the DAO by proposal)."""
    from ..registry import get_model, unsuspend_call
    from .tx import transact

    name, _ = parse_reference(name)
    get_model(session.dao, name)
    emit(session, transact(session, unsuspend_call(session.dao, name), f"unsuspend {name}"), lambda: None)


def _report_dict(approved: Any, report: Any) -> dict[str, Any]:
    return {
        "name": approved.name,
        "version": approved.version.number,
        "model_status": approved.status.name.lower(),
        "artifact_cid": report.artifact_cid,
        "manifest_cid": report.manifest_cid,
        "blocks": report.blocks,
        "bytes": report.size,
        "files": [asdict(f) for f in report.files],
    }


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]")
@click.option("--to", "destination", type=click.Path(path_type=Path), help="Folder to create (default: ./NAME-vN).")
@click.option("--allow-suspended", is_flag=True, help="Pull even if the guardian suspended the model.")
@json_option
@click.pass_obj
def pull(session: Session, reference: str, destination: Path | None, allow_suspended: bool) -> None:
    """Fetch the approved artifact, verify every block and file against the registry, write it atomically."""
    from ..approved import pull_approved, resolve
    from ..progress import transfer_bar

    name, version = parse_reference(reference)
    approved = resolve(session.dao, name, version, allow_suspended=allow_suspended)
    target = destination or Path(f"{name.replace('/', '-')}-v{approved.version.number}")
    with transfer_bar(f"pulling {name} v{approved.version.number}", None, enabled=not session.as_json) as advance:
        approved, report = pull_approved(
            session.dao,
            session.sources(),
            name,
            target,
            approved.version.number,
            allow_suspended=allow_suspended,
            progress=advance,
        )
    data = _report_dict(approved, report) | {"path": str(target)}
    emit(
        session,
        data,
        lambda: click.echo(
            f"{name} v{approved.version.number}: {len(report.files)} files, {report.size:,} bytes verified "
            f"({report.blocks} blocks) -> {target}"
        ),
    )


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]")
@click.option("--allow-suspended", is_flag=True, help="Verify even if the guardian suspended the model.")
@json_option
@click.pass_obj
def verify(session: Session, reference: str, allow_suspended: bool) -> None:
    """Check the approved artifact against the registry without writing anything."""
    from ..approved import verify_approved
    from ..progress import transfer_bar

    name, version = parse_reference(reference)
    with transfer_bar(f"verifying {name}", None, enabled=not session.as_json) as advance:
        approved, report = verify_approved(
            session.dao, session.sources(), name, version, allow_suspended=allow_suspended, progress=advance
        )

    def render() -> None:
        for f in report.files:
            click.echo(f"ok  {f.path}  {f.size:,} bytes  sha256 {f.sha256[:16]}…  {f.cid}")
        click.echo(
            f"{name} v{approved.version.number} matches the registry: manifest {report.manifest_cid}, "
            f"artifact {report.artifact_cid}, {report.blocks} blocks"
        )

    emit(session, _report_dict(approved, report), render)


@model.group()
def propose() -> None:
    """Propose a lifecycle change: register, upgrade, rollback, retire (with an optional reward)."""


def _publish_description(session: Session, path: Path) -> str:
    """Publish a full proposal description (markdown/JSON) to IPFS; the proposal carries only its CID."""
    import tempfile

    from ..errors import InputError
    from ..ipfs.blockcid import to_text
    from ..ipfs.importer import import_bytes
    from ..ipfs.stores import EmbeddedStore

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if session.dry_run:
        with tempfile.TemporaryDirectory() as scratch:
            return to_text(EmbeddedStore(Path(scratch)).import_dag(lambda sink: import_bytes(data, sink).cid))
    return to_text(session.publish_store().import_dag(lambda sink: import_bytes(data, sink).cid))


def _submit(session: Session, actions: list[Any], title: str, body: str, full: Path | None = None) -> None:
    from ..errors import DuplicateProposalError
    from ..governance import build_proposal, existing_proposal_id, propose_call
    from .tx import transact

    signer = session.signer()
    if full is not None:
        body = f"{body}\n\nFull description: ipfs://{_publish_description(session, full)}".strip()
    description = f"# {title}\n\n{body}".rstrip()
    try:
        found = build_proposal(session.dao, signer.address, actions, description)
    except DuplicateProposalError as duplicate:
        _report_existing(session, duplicate.proposal_id)
        return
    from ..describe import describe_actions

    for words in describe_actions(session.dao, found):
        click.echo(f"  will: {words}", err=True)
    summary = transact(session, propose_call(session.dao, found), f"propose: {title}")
    if summary.get("sent"):
        summary["proposal_id"] = existing_proposal_id(session.dao, found)
        click.echo(f"proposal {summary['proposal_id']} submitted", err=True)
    emit(session, summary, lambda: None)


def _report_existing(session: Session, proposal_id: int) -> None:
    """Running the same proposal command again (after an interruption, say) finds the proposal it made: report
    it and send nothing; unless it can no longer pass, since an identical proposal can never be submitted again."""
    from ..errors import InputError
    from ..governance import state
    from ..states import ProposalState

    current = state(session.dao, proposal_id)
    if current in (ProposalState.CANCELED, ProposalState.DEFEATED, ProposalState.EXPIRED):
        raise InputError(f"an identical proposal {proposal_id} was {current.label}; change --title to propose it again")
    click.echo(f"proposal {proposal_id} already exists ({current.label}): nothing sent", err=True)
    emit(session, {"proposal_id": proposal_id, "sent": False, "existing": True, "state": current.label}, lambda: None)


def _artifact(
    session: Session,
    name: str,
    version: int,
    parent: int,
    path: Path | None,
    cids: tuple[str | None, str | None],
    contributor: str,
    no_copy: bool = False,
) -> tuple[str, str, str]:
    """(artifact CID, manifest CID, words): publish PATH, or take given CIDs.

    A dry run publishes into a scratch store without copying: it only computes the CIDs.
    """
    import tempfile

    from ..errors import InputError
    from ..ipfs.blockcid import normalize_cid
    from ..ipfs.content import publish
    from ..ipfs.manifest import Contributor
    from ..ipfs.stores import EmbeddedStore
    from ..progress import folder_size, transfer_bar

    artifact_cid, manifest_cid = cids
    if path is None:
        if not (artifact_cid and manifest_cid):
            raise InputError("give the model's PATH to publish, or both --artifact CID and --manifest CID")
        if no_copy:
            raise InputError("--no-copy is about publishing a PATH; it means nothing with given CIDs")
        return normalize_cid(artifact_cid), normalize_cid(manifest_cid), "given CIDs"
    if artifact_cid or manifest_cid:
        raise InputError("give either PATH or --artifact/--manifest, not both")
    with tempfile.TemporaryDirectory() as scratch:
        store = EmbeddedStore(Path(scratch)) if session.dry_run else session.publish_store()
        with transfer_bar(f"publishing {path.name}", folder_size(path), enabled=not session.as_json) as advance:
            published = publish(
                path,
                store,
                name=name,
                version=version,
                parent_version=parent,
                contributors=[Contributor(contributor, 10_000)],
                progress=advance,
                copy=not (no_copy or session.dry_run),
            )
    where = "computed only (dry run)" if session.dry_run else f"published to the {store.name}"
    if no_copy and not session.dry_run:
        where += f" without a copy: keep {path} unchanged, the store reads it from there"
    click.echo(f"artifact {published.artifact_cid}, manifest {published.manifest_cid} ({where})", err=True)
    return published.artifact_cid, published.manifest_cid, where


def _reward(session: Session, contributor: str, reward: str | None) -> list[Any]:
    from ..registry import reward_action
    from ..units import parse_amount

    return [reward_action(session.dao, contributor, parse_amount(reward))] if reward else []


_common = [
    click.option("--artifact", "artifact_cid", help="Artifact root CID (instead of PATH)."),
    click.option("--manifest", "manifest_cid", help="Manifest CID (instead of PATH)."),
    click.option("--contributor", help="Contributor address (default: the proposing account)."),
    click.option(
        "--reward", metavar="AMOUNT", help="Tokens paid from the treasury to the contributor by the same vote."
    ),
    click.option(
        "--no-copy",
        is_flag=True,
        help="Leave PATH's bytes where they are instead of copying them into the embedded store, which then reads "
        "them from PATH (like `ipfs add --nocopy`); a file changed later is refused.",
    ),
    click.option("--title", help="Proposal title (default: generated)."),
    click.option("--description", "body", default="", help="Proposal body (markdown; keep it short, it is on chain)."),
    click.option(
        "--description-file",
        "full",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Full description published to IPFS; the proposal carries its CID.",
    ),
]


def _with_common(command: Any) -> Any:
    for option in reversed(_common):
        command = option(command)
    return command


@propose.command()
@click.argument("name")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_with_common
@json_option
@click.pass_obj
def register(session: Session, name: str, path: Path | None, **options: Any) -> None:
    """Register NAME with version 1 from PATH (published first) or given CIDs."""
    from ..names import checksum_address
    from ..registry import register_action

    name, _ = parse_reference(name)
    contributor = (
        checksum_address(options["contributor"], "contributor") if options["contributor"] else session.signer().address
    )
    artifact, manifest, _ = _artifact(
        session, name, 1, 0, path, (options["artifact_cid"], options["manifest_cid"]), contributor, options["no_copy"]
    )
    actions = [
        register_action(session.dao, name, artifact, manifest, contributor),
        *_reward(session, contributor, options["reward"]),
    ]
    _submit(session, actions, options["title"] or f"Register {name} v1", options["body"], options["full"])


@propose.command()
@click.argument("name")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_with_common
@json_option
@click.pass_obj
def upgrade(session: Session, name: str, path: Path | None, **options: Any) -> None:
    """Propose a new version of NAME from PATH (published first) or given CIDs."""
    from ..names import checksum_address
    from ..registry import check_changeable, upgrade_action

    name, _ = parse_reference(name)
    info = check_changeable(session.dao, name)
    version = info.latest_version + 1
    contributor = (
        checksum_address(options["contributor"], "contributor") if options["contributor"] else session.signer().address
    )
    artifact, manifest, _ = _artifact(
        session,
        name,
        version,
        info.current_version,
        path,
        (options["artifact_cid"], options["manifest_cid"]),
        contributor,
        options["no_copy"],
    )
    actions = [
        upgrade_action(session.dao, name, artifact, manifest, contributor),
        *_reward(session, contributor, options["reward"]),
    ]
    _submit(session, actions, options["title"] or f"Upgrade {name} to v{version}", options["body"], options["full"])


@propose.command()
@click.argument("reference", metavar="NAME@VERSION")
@click.option("--title", help="Proposal title (default: generated).")
@click.option("--description", "body", default="", help="Why (recorded in the proposal).")
@json_option
@click.pass_obj
def rollback(session: Session, reference: str, title: str | None, body: str) -> None:
    """Propose making an earlier version of a model current again."""
    from ..errors import InputError
    from ..registry import check_rollback, rollback_action

    name, version = parse_reference(reference)
    if version is None:
        raise InputError("say which version to roll back to: NAME@VERSION")
    check_rollback(session.dao, name, version)
    _submit(session, [rollback_action(session.dao, name, version)], title or f"Roll {name} back to v{version}", body)


@propose.command()
@click.argument("name")
@click.option("--reason", required=True, help="Why the model is retired (recorded on chain).")
@click.option("--title", help="Proposal title (default: generated).")
@json_option
@click.pass_obj
def retire(session: Session, name: str, reason: str, title: str | None) -> None:
    """Propose retiring a model for good."""
    from ..registry import check_changeable, retire_action

    name, _ = parse_reference(name)
    check_changeable(session.dao, name)
    _submit(session, [retire_action(session.dao, name, reason)], title or f"Retire {name}", reason)
