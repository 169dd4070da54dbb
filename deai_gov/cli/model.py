"""`deai-gov model`: read the registry, and pull or verify the version the DAO approved."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from . import emit, json_option, main
from .session import Session


def parse_reference(text: str) -> tuple[str, int | None]:
    """`org/name` or `org/name@VERSION`."""
    from ..errors import InputError
    from ..registry import validate_model_name

    name, _, version = text.partition("@")
    validate_model_name(name)
    if not version:
        return name, None
    if not version.isdigit() or int(version) < 1:
        raise InputError(f"{version!r} is not a version number (1, 2, 3...)")
    return name, int(version)


def _version_dict(version: Any) -> dict[str, Any]:
    data = asdict(version)
    data["status"] = version.status.name.lower()
    return data


@main.group()
def model() -> None:
    """Models in the registry: list, show, versions, pull, verify."""


@model.command("list")
@json_option
@click.pass_obj
def list_models(session: Session) -> None:
    """Every registered model with its status and current version."""
    from rich.console import Console
    from rich.table import Table

    from ..registry import list_models as read_models

    models = read_models(session.dao)
    rows = [
        {"name": m.name, "status": m.status.name.lower(), "current": m.current_version, "latest": m.latest_version}
        for m in models
    ]

    def render() -> None:
        table = Table("model", "status", "current", "latest")
        for row in rows:
            table.add_row(str(row["name"]), str(row["status"]), str(row["current"]), str(row["latest"]))
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
        console.print(f"[bold]{info.name}[/bold]  {data['status']}, current v{info.current_version}")
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
