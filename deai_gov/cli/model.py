"""`deai-gov model`: read the registry, and pull or verify the version the DAO approved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..display import hides_anything
from .commands import model
from .options import AMOUNT_OR_AUTO, MODEL, PROFILE_NAMES, PROPOSAL_ID, Duration, ModelReference, json_option
from .output import HIDDEN_NOTE, cell, console, echo, emit
from .session import Session
from .submit import content_store, submit
from .tx import transact
from .watch import run_watch, watch_options

if TYPE_CHECKING:
    from ..ipfs.pinning import PinStatus
    from ..workflows.proposing import VersionContent


ALLOW_UNTRUSTED_SIGNER_OPTION = click.option(
    "--allow-untrusted-signer",
    is_flag=True,
    help="Accept a version signed by a key the DAO does not (or no longer) trust for the model; the signature "
    "must still hold.",
)


@model.command("list")
@json_option
@click.pass_obj
def list_models(session: Session) -> None:
    """Every registered model with its status and current version."""
    from rich.table import Table

    from ..dao.registry import list_models as read_models

    models = read_models(session.dao)
    rows = [m.to_json() for m in models]

    def render() -> None:
        table = Table("model", "status", "current", "latest")
        for m in models:
            table.add_row(cell(m.name), m.label, str(m.current_version), str(m.latest_version))
        console().print(table if rows else "no models registered yet")

    emit(session, rows, render)


@model.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@json_option
@click.pass_obj
def show(session: Session, reference: tuple[str, int | None]) -> None:
    """A model's status, current version and history (parents, contributors, CIDs)."""
    from rich.text import Text

    from ..dao.registry import model_history
    from ..home.addressbook import names_of, with_name
    from ..units import format_fixed, format_time
    from ..workflows.quality import compare_versions

    name, _ = reference
    history = model_history(session.dao, name)
    info, versions = history.model, history.versions
    names = names_of()
    records = _evaluations_of(session, name)

    def render() -> None:
        # A block a version, each line within 100 columns (the CIDs have one each): a table of every field is ~230.
        screen = console()
        screen.print(Text.assemble((info.name, "bold"), f"  {info.label}, current v{info.current_version}"))
        for v in reversed(versions):  # newest first, as `git log`
            parent = f"parent v{v.parent}" if v.parent else "first version"
            status = v.status.name.lower().replace("_", " ")
            screen.print(
                Text.assemble(
                    (f"v{v.number}", "bold"),
                    f"  {status}, {parent}, {format_time(v.created_at)}, by {with_name(v.contributor, names)}",
                ),
                highlight=False,
            )
            screen.print(f"    artifact {v.artifact_cid}\n    manifest {v.manifest_cid}", highlight=False)
            for comparison in compare_versions(records, name, v.number, None):
                evaluators = len(comparison.candidate)
                screen.print(
                    f"    evaluated: {comparison.benchmark} {comparison.metric} "
                    f"{format_fixed(comparison.candidate_value or 0)} ({evaluators} trusted evaluator"
                    f"{'s' if evaluators > 1 else ''}{', ' + ', '.join(comparison.flags) if comparison.flags else ''})",
                    highlight=False,
                    markup=False,
                )

    emit(session, history.to_json() | {"evaluations": [r.to_json() for r in records]}, render)


def _evaluations_of(session: Session, name: str) -> list[Any]:
    """The evaluations attested for model `name` ([] for a DAO without an attestation service)."""
    if not session.dao.records_attestation_service:
        return []
    from ..workflows.evaluations import find_evaluations

    return find_evaluations(session.dao, name, sources=session.sources_if_any())


@model.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@json_option
@click.pass_obj
def versions(session: Session, reference: tuple[str, int | None]) -> None:
    """The versions of a model, oldest first."""
    from rich.table import Table

    from ..dao.registry import list_versions
    from ..units import format_time

    name, _ = reference
    found = list_versions(session.dao, name)

    def render() -> None:
        table = Table("v", "status", "parent", "created", "artifact")
        for v in found:
            table.add_row(
                str(v.number),
                v.status.name.lower().replace("_", " "),
                str(v.parent or "-"),
                format_time(v.created_at),
                v.artifact_cid,
            )
        console().print(table)

    emit(session, [v.to_json() for v in found], render)


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@json_option
@click.pass_obj
def approval(session: Session, reference: tuple[str, int | None]) -> None:
    """Which vote approved a version (default: the current one), proven from the chain alone.

    Follows the version's `VersionPublished` log (or, for a version a rollback made current again, that rollback's
    `CurrentVersionChanged`) to the timelock operation that emitted it, and that operation to the proposal queued
    with it; the operation id is recomputed from the proposal's actions and must match.
    """
    from ..dao.token import symbol
    from ..home.addressbook import names_of, with_name
    from ..units import format_amount
    from ..workflows.provenance import approval_of

    name, version = reference
    found = approval_of(session.dao, name, version)
    number, written = found.version.number, found.version
    sym = symbol(session.dao)

    def render() -> None:
        if found.made_current:
            echo(
                f"{name} v{number} was made current again by proposal {found.proposal_id} ({found.state.label}), "
                f"a rollback; proposal {found.written_by} wrote it"
            )
        else:
            echo(f"{name} v{number} was written by proposal {found.proposal_id} ({found.state.label})")
        echo(
            f"  votes: for {format_amount(found.votes_for)} {sym}, against {format_amount(found.votes_against)} "
            f"{sym}, abstain {format_amount(found.votes_abstain)} {sym}"
        )
        echo(f"  executed in {found.tx_hash} (block {found.block})")
        echo(f"  contributor {with_name(written.contributor, names_of())}")
        echo(f"  artifact {written.artifact_cid}, manifest {written.manifest_cid}")

    emit(session, found.to_json(), render)


@model.command()
@click.argument("cid")
@json_option
@click.pass_obj
def which(session: Session, cid: str) -> None:
    """Which model and version a CID is (artifact or manifest), its standing, and the vote that approved it."""
    from ..errors import InputError
    from ..workflows.provenance import which as find

    found = find(session.dao, cid)
    if not found:
        raise InputError(f"{cid} is no artifact or manifest of any version in this DAO's registry")

    def render() -> None:
        for use in found:
            vote = (
                f"approved by proposal {use.approval.proposal_id} ({use.approval.state.label})"
                if use.approval
                else f"its vote could not be proven: {use.approval_error}"
            )
            status = use.version.status.name.lower().replace("_", " ")
            echo(
                f"{use.cid}: the {use.part} of {use.name} v{use.version.number} ({status}; model "
                f"{use.model_state}), {vote}"
            )

    emit(session, [use.to_json() for use in found], render)


@model.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@click.argument("old", metavar="V1", type=click.IntRange(min=1))
@click.argument("new", metavar="[V2]", type=click.IntRange(min=1), required=False)
@click.option(
    "--proposal",
    "proposal_id",
    type=PROPOSAL_ID,
    help="Compare V1 to the version this proposal would write (one under vote, say) instead of V2.",
)
@json_option
@click.pass_obj
def diff(
    session: Session, reference: tuple[str, int | None], old: int, new: int | None, proposal_id: int | None
) -> None:
    """What changed from version V1 to V2: files added, removed, changed or moved, sizes, manifest fields.

    Read from the two manifests alone, each verified and checked against the registry (or, with --proposal, against
    the proposal's call); no artifact is fetched.
    """
    from ..workflows.diff import diff_versions

    name, _ = reference
    found = diff_versions(session.dao, session.sources(), name, old, new, proposal_id=proposal_id)
    counts = found.counts()
    target = f"v{found.new_version}" + (f" (proposed by {proposal_id})" if proposal_id is not None else "")

    def render() -> None:
        said = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "no file differs"
        plural = "s" if found.unchanged != 1 else ""
        delta = found.new_size - found.old_size
        echo(
            f"{name} v{old} -> {target}: {said}, {found.unchanged} file{plural} the same; artifact "
            f"{found.old_size:,} -> {found.new_size:,} bytes ({delta:+,})"
        )
        marks = {"added": "+", "removed": "-", "changed": "~", "moved": ">"}
        for change in found.files:
            if change.change == "added":
                size = f"{change.new_size:,} bytes"
            elif change.change == "removed":
                size = f"{change.old_size:,} bytes"
            elif change.change == "moved":
                size = f"from {change.old_path}, {change.new_size:,} bytes, same content"
            else:
                size = f"{change.old_size:,} -> {change.new_size:,} bytes"
            echo(f"  {marks[change.change]} {change.path}  ({size})")
        for field in found.fields:
            echo(f"  manifest {field.field}: {_short(field.old)} -> {_short(field.new)}")
        written = [c.path for c in found.files] + [c.old_path or "" for c in found.files]
        if hides_anything(*written, *(f.old for f in found.fields), *(f.new for f in found.fields)):
            echo(HIDDEN_NOTE, err=True)

    emit(session, found.to_json(), render)


def _short(text: str, limit: int = 120) -> str:
    """A manifest value as shown in one line: none when empty, cut at `limit` characters (the JSON has it whole)."""
    if not text:
        return "none"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@model.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@click.option("--reason", required=True, help="Why, recorded on chain (pull and verify refuse the model meanwhile).")
@json_option
@click.pass_obj
def suspend(session: Session, reference: tuple[str, int | None], reason: str) -> None:
    """Suspend a model at once, without a vote (the registry guardian, or the DAO by proposal).

    While suspended, pull and verify refuse the model unless --allow-suspended is given; its versions are
    untouched and proposals may still change it. A retired model can be suspended too, and retiring a model does
    not lift its suspension. `unsuspend` lifts it.
    """
    from ..dao.registry import get_model
    from ..dao.registry import suspend as suspend_tx

    name, _ = reference
    get_model(session.dao, name)  # an unknown model is named as such, not as a revert
    emit(session, transact(session, suspend_tx(session.dao, name, reason)), lambda: None)


@model.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@json_option
@click.pass_obj
def unsuspend(session: Session, reference: tuple[str, int | None]) -> None:
    """Lift a model's suspension (the registry guardian, or the DAO by proposal)."""
    from ..dao.registry import get_model
    from ..dao.registry import unsuspend as unsuspend_tx

    name, _ = reference
    get_model(session.dao, name)
    emit(session, transact(session, unsuspend_tx(session.dao, name)), lambda: None)


def _names(sources: list[Any]) -> str:
    """The block sources in words, in the order they are asked."""
    return ", ".join(source.name for source in sources)


@contextmanager
def _lacking_blocks(name: str, version: int | None) -> Iterator[None]:
    """A version's blocks found on none of the sources: the error says whose version it is and where to look."""
    from ..errors import BlockNotFound

    try:
        yield
    except BlockNotFound as exc:
        which = f"{name} v{version}" if version is not None else f"{name}'s current version"
        raise BlockNotFound(
            f"{which} is not on any IPFS source asked here: {exc}",
            hint="it lives wherever its contributor or a pinning service keeps it: add an IPFS node or gateway that "
            "has it (--ipfs-api URL, --gateway URL), or import its CAR file (deai-gov model import FILE.car)",
        ) from None


def _warn_if_retired(approved: Any) -> None:
    if approved.retired:
        echo(f"warning: {approved.name} is retired: the DAO will not change it again", err=True)


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option("--to", "destination", type=click.Path(path_type=Path), help="Folder to create (default: ./NAME-vN).")
@click.option("--allow-suspended", is_flag=True, help="Pull even if the guardian suspended the model.")
@click.option("--allow-rolled-back", is_flag=True, help="Pull a version the DAO rolled back (withdrew).")
@ALLOW_UNTRUSTED_SIGNER_OPTION
@click.option(
    "--include-hidden",
    is_flag=True,
    help="Write the hidden files and folders (.git/, .env...) the version holds; refused by default, since a .git "
    "folder's config runs commands in the folder it lands in.",
)
@json_option
@click.pass_obj
def pull(
    session: Session,
    reference: tuple[str, int | None],
    destination: Path | None,
    allow_suspended: bool,
    allow_rolled_back: bool,
    allow_untrusted_signer: bool,
    include_hidden: bool,
) -> None:
    """Fetch the approved artifact, verify every block and file against the registry, write it atomically.

    A signed version's signature is checked first (OpenSSF model signing: the bundle, its key, every file's
    digest), and its key must be one the DAO trusts for the model; then every file is checked against it.
    """
    from ..workflows.approved import default_destination, pull_version, resolve
    from .progress import transfer_bar

    name, version = reference
    approved = resolve(session.dao, name, version, allow_suspended=allow_suspended, allow_rolled_back=allow_rolled_back)
    _warn_if_retired(approved)
    target = destination or default_destination(approved)
    sources = session.sources()
    signature = _signature_first(session, sources, approved, allow_untrusted_signer)
    with (
        _lacking_blocks(name, approved.version.number),
        transfer_bar(
            f"pulling {name} v{approved.version.number}", None, enabled=not session.as_json, sources=_names(sources)
        ) as advance,
    ):
        report = pull_version(sources, approved, target, progress=advance, include_hidden=include_hidden)
    data = approved.to_json() | report.to_json() | {"path": str(target), "signature": _json_or_none(signature)}

    def render() -> None:
        echo(
            f"{name} v{approved.version.number}: {len(report.files)} files, {report.size:,} bytes verified "
            f"({report.blocks} blocks) -> {target}"
        )
        if signature is not None:
            echo(f"  {signature.words(name)}")

    emit(session, data, render)


def _signature_first(session: Session, sources: list[Any], approved: Any, allow_untrusted: bool) -> Any:
    """The version's signature, checked before any file is fetched (`approved_signature`); a warning when it
    could not be checked here or its key is used without the DAO's trust."""
    from ..workflows.signatures import approved_signature

    with _lacking_blocks(approved.name, approved.version.number):
        _, signature = approved_signature(session.dao, sources, approved, allow_untrusted=allow_untrusted)
    if signature is not None and not signature.checked:
        echo(f"warning: {signature.words(approved.name)}", err=True)
    elif signature is not None and not signature.trusted:
        echo(f"warning: {signature.words(approved.name)} (allowed by --allow-untrusted-signer)", err=True)
    return signature


def _json_or_none(item: Any) -> Any:
    return item.to_json() if item is not None else None


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option("--allow-suspended", is_flag=True, help="Verify even if the guardian suspended the model.")
@click.option("--allow-rolled-back", is_flag=True, help="Verify a version the DAO rolled back (withdrew).")
@ALLOW_UNTRUSTED_SIGNER_OPTION
@click.option(
    "--local",
    "local",
    type=click.Path(exists=True, path_type=Path),
    help="Check this local file or folder instead: re-imported with the import profile the version's manifest "
    "records, it must give the registered artifact CID (only the manifest is fetched).",
)
@json_option
@click.pass_obj
def verify(
    session: Session,
    reference: tuple[str, int | None],
    allow_suspended: bool,
    allow_rolled_back: bool,
    allow_untrusted_signer: bool,
    local: Path | None,
) -> None:
    """Check the approved artifact against the registry without writing anything.

    With --local, check a copy on this machine (a pulled folder, the maintainer's files) against the version. A
    signed version's signature is checked too, and its key must be one the DAO trusts for the model.
    """
    from ..workflows.approved import resolve, verify_approved
    from .progress import transfer_bar

    name, version = reference
    if local is not None:
        _verify_local(session, name, version, local, allow_untrusted_signer)
        return
    allowed = {"allow_suspended": allow_suspended, "allow_rolled_back": allow_rolled_back}
    sources = session.sources()
    approved = resolve(session.dao, name, version, **allowed)
    signature = _signature_first(session, sources, approved, allow_untrusted_signer)
    with (
        _lacking_blocks(name, version),
        transfer_bar(f"verifying {name}", None, enabled=not session.as_json, sources=_names(sources)) as advance,
    ):
        approved, report = verify_approved(session.dao, sources, name, version, **allowed, progress=advance)
    _warn_if_retired(approved)

    def render() -> None:
        for f in report.files:
            echo(f"ok  {f.path}  {f.size:,} bytes  sha256 {f.sha256[:16]}…  {f.cid}")
        echo(
            f"{name} v{approved.version.number} matches the registry: manifest {report.manifest_cid}, "
            f"artifact {report.artifact_cid}, {report.blocks} blocks"
        )
        if signature is not None:
            echo(f"  {signature.words(name)}")

    emit(session, approved.to_json() | report.to_json() | {"signature": _json_or_none(signature)}, render)


def _verify_local(session: Session, name: str, version: int | None, local: Path, allow_untrusted: bool) -> None:
    from ..errors import VerificationError
    from ..workflows.approved import compare_approved, resolve

    sources = session.sources()
    signature = _signature_first(
        session,
        sources,
        resolve(session.dao, name, version, allow_suspended=True, allow_rolled_back=True),
        allow_untrusted,
    )
    approved, found = compare_approved(session.dao, sources, name, version, local)
    number = approved.version.number
    data = approved.to_json() | found.to_json() | {"path": str(local), "signature": _json_or_none(signature)}

    def render() -> None:
        if found.matches:
            echo(f"{local} is exactly {name} v{number}: artifact {found.artifact_cid} (profile {found.profile})")
            if signature is not None:
                echo(f"  {signature.words(name)}")
            return
        for line in found.differences[:20]:
            echo(f"  {line}")
        if len(found.differences) > 20:
            echo(f"  … and {len(found.differences) - 20} more")

    emit(session, data, render)
    if not found.matches:
        raise VerificationError(
            f"{local} is not {name} v{number}: it hashes to {found.artifact_cid}, the registry records "
            f"{approved.version.artifact_cid} ({_count(len(found.differences), 'difference')}, profile {found.profile})"
        )


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option(
    "--update",
    "card_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the section into this model card (README.md): replaced in place if it is there, else appended; "
    "the rest of the card is kept. Default: print it.",
)
@json_option
@click.pass_obj
def card(session: Session, reference: tuple[str, int | None], card_file: Path | None) -> None:
    """A model card section stating the DAO's approval of a version: CIDs, contributor, vote, evaluations."""
    from ..workflows.modelcard import approval_section, write_into

    name, version = reference
    section = approval_section(session.dao, name, version, session.sources_if_any())
    data = section.to_json()
    if card_file is None:
        emit(session, data, lambda: echo(section.markdown.rstrip("\n")))
        return
    write_into(card_file, section.markdown)
    emit(
        session,
        data | {"card": str(card_file)},
        lambda: echo(f"wrote the approval of {name} v{data['version']} into {card_file}"),
    )


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option(
    "--public-key-out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PUB.pem",
    help="Write the signer's public key here, for the upstream check: model_signing verify key DIR --signature "
    "DIR/model.sig --public_key PUB.pem.",
)
@json_option
@click.pass_obj
def signature(session: Session, reference: tuple[str, int | None], public_key_out: Path | None) -> None:
    """A version's OpenSSF model signature (key, trust, root digest, check) and the keys trusted for NAME."""
    from ..dao.registry import trusted_signers
    from ..errors import InputError
    from ..workflows.approved import fetch_version_manifest, resolve
    from ..workflows.signatures import version_signature

    name, version = reference
    approved = resolve(session.dao, name, version, allow_suspended=True, allow_rolled_back=True)
    sources = session.sources()
    with _lacking_blocks(name, approved.version.number):
        manifest = fetch_version_manifest(sources, approved)
    found = version_signature(session.dao, sources, name, manifest)
    trusted = trusted_signers(session.dao, name)
    if public_key_out is not None:
        if manifest.signature is None:
            raise InputError(f"{name} v{approved.version.number} is not signed: there is no signer key to write")
        if public_key_out.exists():
            raise InputError(f"{public_key_out} exists already; choose a new file")
        public_key_out.write_text(manifest.signature.public_key, encoding="ascii")
    data = {
        "name": name,
        "version": approved.version.number,
        "signature": _json_or_none(found),
        "public_key": manifest.signature.public_key if manifest.signature else None,
        "trusted_keys": trusted,
    }

    def render() -> None:
        number = approved.version.number
        echo(f"{name} v{number}: {found.words(name) if found else 'not signed'}")
        if public_key_out is not None:
            echo(f"  signer's public key written to {public_key_out}")
        keys = ", ".join(f"sha256:{key}" for key in trusted) or "none"
        echo(f"keys the DAO trusts to sign {name}: {keys}")

    emit(session, data, render)


@model.command("export")
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.argument("file", metavar="FILE.car", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--allow-suspended", is_flag=True, help="Export even if the guardian suspended the model.")
@click.option("--allow-rolled-back", is_flag=True, help="Export a version the DAO rolled back (withdrew).")
@json_option
@click.pass_obj
def export_car(
    session: Session,
    reference: tuple[str, int | None],
    file: Path,
    allow_suspended: bool,
    allow_rolled_back: bool,
) -> None:
    """Write a version to one CAR file: its artifact and manifest, every block verified first.

    The file moves the version to a machine without network access (`model import` there) or into any IPFS node
    (`ipfs dag import FILE.car`); its roots are the artifact, then the manifest. An existing file is refused.
    """
    from ..workflows.approved import export_approved
    from .progress import transfer_bar

    name, version = reference
    allowed = {"allow_suspended": allow_suspended, "allow_rolled_back": allow_rolled_back}
    sources = session.sources()
    with (
        _lacking_blocks(name, version),
        transfer_bar(f"exporting {name}", None, enabled=not session.as_json, sources=_names(sources)) as advance,
    ):
        approved, report = export_approved(session.dao, sources, name, file, version, **allowed, progress=advance)
    _warn_if_retired(approved)
    emit(
        session,
        report.to_json(),
        lambda: echo(
            f"{name} v{approved.version.number}: {report.blocks} blocks, {report.bytes:,} bytes verified -> "
            f"{report.path} (roots: artifact {report.roots[0]}, manifest {report.roots[1]})"
        ),
    )


@model.command("import")
@click.argument("file", metavar="FILE.car", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
def import_car(session: Session, file: Path) -> None:
    """Import a CAR file into the configured store or IPFS node, every block checked against its CID first.

    A CAR made by `model export` is verified whole once imported (manifest, every file); `model verify NAME`
    then checks it against the registry from that store. Any other CAR must hold every block of its roots.
    """
    from ..ipfs.archive import import_archive

    store = session.publish_store()
    report = import_archive(file, store)
    found = report.version
    data = report.to_json() | {"store": store.name}

    def render() -> None:
        echo(f"{file}: {report.blocks} blocks, {report.bytes:,} bytes imported into the {store.name}")
        if found:
            echo(
                f"  {found.manifest.name} v{found.manifest.version}: {len(found.files)} files verified "
                f"(artifact {found.artifact_cid}, manifest {found.manifest_cid})"
            )

    emit(session, data, render)


def _pin_line(status: PinStatus) -> None:
    echo(f"{status.name}: {status.status} ({status.cid}, request {status.requestid})", err=True)


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option(
    "--service",
    required=True,
    help="Pinning service: a [pinning.NAME] table of config.toml, or `local` (the devnet's).",
)
@click.option("--no-wait", is_flag=True, help="Ask and return; check later with `model pins`.")
@click.option("--timeout", type=Duration(), default="1h", show_default=True, help="How long to wait for `pinned`.")
@json_option
@click.pass_obj
def pin(session: Session, reference: tuple[str, int | None], service: str, no_wait: bool, timeout: int) -> None:
    """Ask a remote pinning service (IPFS Pinning Service API) to keep a version's artifact and manifest.

    The configured IPFS node's addresses go with the request as origins. Waits until both are pinned (or one
    fails) unless --no-wait; a request already made for the same CID is reported again, not duplicated.
    """
    from ..ipfs.pinning import pin_and_wait
    from ..workflows.approved import resolve

    name, version = reference
    approved = resolve(session.dao, name, version, allow_suspended=True, allow_rolled_back=True)
    found = pin_and_wait(
        session.pinning_service(service),
        name,
        approved.version.number,
        approved.version.artifact_cid,
        approved.version.manifest_cid,
        origins=session.origins(),
        timeout=None if no_wait else float(timeout),
        on_change=_pin_line,
    )
    data = {"name": name, "version": approved.version.number, "service": service, "pins": [s.to_json() for s in found]}
    states = ", ".join(f"{role} {s.status}" for role, s in zip(("artifact", "manifest"), found, strict=True))
    emit(session, data, lambda: echo(f"{name} v{approved.version.number} at {service}: {states}"))


@model.command()
@click.argument("reference", metavar="[NAME[@VERSION]]", type=MODEL, required=False)
@click.option(
    "--service",
    required=True,
    help="Pinning service: a [pinning.NAME] table of config.toml, or `local` (the devnet's).",
)
@json_option
@click.pass_obj
def pins(session: Session, reference: tuple[str, int | None] | None, service: str) -> None:
    """Pin requests at a remote pinning service, of any status: all of them, or a version's two."""
    from rich.table import Table

    remote = session.pinning_service(service)
    cids: list[str] = []
    if reference is not None:
        from ..workflows.approved import resolve

        approved = resolve(session.dao, *reference, allow_suspended=True, allow_rolled_back=True)
        cids = [approved.version.artifact_cid, approved.version.manifest_cid]
    found = remote.list(cids=cids)

    def render() -> None:
        table = Table("status", "name", "cid", "request", "created")
        for s in found:
            table.add_row(s.status, cell(s.name), s.cid, cell(s.requestid), cell(s.created))
        console().print(table if found else "no pin requests")

    emit(session, [s.to_json() for s in found], render)


@model.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option(
    "--service",
    required=True,
    help="Pinning service: a [pinning.NAME] table of config.toml, or `local` (the devnet's).",
)
@json_option
@click.pass_obj
def unpin(session: Session, reference: tuple[str, int | None], service: str) -> None:
    """Remove a version's pin requests (artifact and manifest) from a remote pinning service."""
    from ..workflows.approved import resolve

    approved = resolve(session.dao, *reference, allow_suspended=True, allow_rolled_back=True)
    remote = session.pinning_service(service)
    found = remote.list(cids=[approved.version.artifact_cid, approved.version.manifest_cid])
    for status in found:
        remote.remove(status.requestid)
    data = {"name": reference[0], "version": approved.version.number, "removed": [s.to_json() for s in found]}
    emit(
        session, data, lambda: echo(f"removed {len(found)} pin request(s) of {reference[0]} v{approved.version.number}")
    )


@model.group()
def propose() -> None:
    """Propose a lifecycle change: register, upgrade, rollback, retire (with an optional reward)."""


def _content(
    session: Session,
    name: str,
    version: int,
    parent: int,
    path: Path | None,
    shares: list[tuple[str, int]],
    options: Any,
) -> VersionContent:
    """The proposed version's content: PATH published (and pinned, with --pin), or the given CIDs."""
    from ..workflows.proposing import PinRequest, check_content_request, given_version, plan_publish, publish_version
    from .progress import transfer_bar

    store = content_store(session) if path is not None else None
    copy = not options["no_copy"]
    check_content_request(store, path, options["artifact_cid"], options["manifest_cid"], copy=copy)
    if path is None:
        return given_version(options["artifact_cid"], options["manifest_cid"])
    plan = plan_publish(path, include_hidden=options["include_hidden"])
    signature = _folder_signature(session, path, options)  # a bad key or bundle is refused before anything is said
    if signature is not None and signature.made_now:  # the bundle is one of the files now
        plan = plan_publish(path, include_hidden=options["include_hidden"])
    where = options.get("source_label") or path  # a Hub or MLflow source is named, not its temporary folder
    echo(f"{len(plan.files)} file{'s' if len(plan.files) != 1 else ''}, {plan.size:,} bytes from {where}", err=True)
    if session.dry_run:
        for relative, size in plan.files:
            echo(f"  {relative}  {size:,} bytes", err=True)
    if plan.hidden_left_out:
        shown = ", ".join(plan.hidden_left_out[:5]) + (", …" if len(plan.hidden_left_out) > 5 else "")
        echo(
            f"  left out {len(plan.hidden_left_out)} hidden (pass --include-hidden to publish them): {shown}", err=True
        )
    pin = None
    if options["pin"] and session.dry_run:
        echo(f"not pinned at {options['pin']} (dry run)", err=True)
    elif options["pin"]:  # before proposing: voters can then fetch what they vote on from the service
        pin = PinRequest(session.pinning_service(options["pin"]), session.origins(), float(options["pin_timeout"]))
    with transfer_bar(f"publishing {path.name}", plan.size, enabled=not session.as_json) as advance:
        content = publish_version(
            store,
            path,
            name=name,
            version=version,
            parent=parent,
            contributors=shares,
            copy=copy,
            include_hidden=options["include_hidden"],
            profile=options["profile"],
            progress=advance,
            pin=pin,
            on_pin=_pin_line,
            signature=signature,
            source=options.get("source"),
        )
    echo(f"artifact {content.artifact_cid}, manifest {content.manifest_cid} ({content.where})", err=True)
    return content


def _folder_signature(session: Session, path: Path, options: Any) -> Any:
    """PATH's model signature: made now with --sign-key (not in a dry run, which writes nothing), or its model.sig
    checked with --signer-public-key; None when unsigned. Said before anything is published."""
    from ..workflows.signatures import sign_or_check_folder

    sign_key, public_key = options["sign_key"], options["signer_public_key"]
    if sign_key is not None and session.dry_run:
        echo(f"not signed (dry run): --sign-key would write {path / 'model.sig'}", err=True)
        return None
    password = _sign_key_password(sign_key, options) if sign_key else None
    signature = sign_or_check_folder(
        path,
        sign_key=sign_key,
        password=password,
        signer_public_key=public_key,
        include_hidden=options["include_hidden"],
    )
    if signature is not None:
        how = f"signed now into {path / 'model.sig'}" if signature.made_now else "its model.sig verified"
        echo(
            f"{how}: key sha256:{signature.record.key_fingerprint}, {len(signature.statement.files)} files, root "
            f"digest {signature.record.root_digest}",
            err=True,
        )
    return signature


def _sign_key_password(key: Path, options: Any) -> bytes | None:
    """--sign-key's password: from --sign-key-password-file, asked when the key is encrypted (once), else none."""
    from ..home.accounts import read_password
    from .prompts import ask_hidden

    if "sign_key_password" in options:
        return options["sign_key_password"]  # type: ignore[no-any-return]
    password = read_password(password_file=options["sign_key_password_file"])
    if password is None:
        try:
            encrypted = b"ENCRYPTED" in key.read_bytes()
        except OSError:
            encrypted = False
        if not encrypted:
            return None
        password = ask_hidden(f"Password of {key.name}", alternative="pass --sign-key-password-file FILE")
    options["sign_key_password"] = password.encode("utf-8")
    return options["sign_key_password"]  # type: ignore[no-any-return]


def _check_signer_first(session: Session, name: str, options: Any) -> None:
    """For an upgrade of NAME from a PATH to sign: refuse a key the DAO does not trust for NAME (without
    --trust-signer) before anything is signed or published."""
    from ..signing.keys import fingerprint, public_key_pem
    from ..workflows.signatures import check_signer_trusted

    key = options["sign_key"] or options["signer_public_key"]
    if key is None or options["trust_signer"]:
        return
    password = _sign_key_password(key, options) if options["sign_key"] else None
    check_signer_trusted(session.dao, name, fingerprint(public_key_pem(key, password)))


def _shares_and_content(
    session: Session, name: str, version: int, parent: int, path: Path | None, options: Any
) -> tuple[list[tuple[str, int]], VersionContent]:
    """The contributors' shares and the version's content: PATH published with the shares in its manifest, or the
    given CIDs checked first and the shares read from their manifest (unless --contributor says)."""
    if path is not None:
        shares = _contributors(session, options)
        return shares, _content(session, name, version, parent, path, shares, options)
    from dataclasses import replace

    from ..errors import InputError

    if options["sign_key"] or options["signer_public_key"]:
        raise InputError(
            "--sign-key and --signer-public-key are about publishing a PATH; given CIDs carry the "
            "signature their manifest records"
        )
    content = _content(session, name, version, parent, path, [], options)
    manifest = _given_manifest(session, content.manifest_cid)
    content = replace(content, signature=manifest.signature)
    if options["contributors"]:
        return _given_shares(options["contributors"]), content
    return [(c.address, c.share_bps) for c in manifest.contributors], content


def _contributors(session: Session, options: Any) -> list[tuple[str, int]]:
    """The version's contributors and their shares (basis points): --contributor ADDRESS[:SHARE], repeatable; one
    without a share takes all 10,000; by default the proposing account. The first is the registry's contributor."""
    given = options["contributors"]
    if given:
        return _given_shares(given)
    return [(session.acting_address(), 10_000)]


def _given_manifest(session: Session, manifest_cid: str) -> Any:
    """A published manifest, fetched and verified from the configured sources."""
    from ..ipfs.blockcid import from_text
    from ..ipfs.content import fetch_manifest

    return fetch_manifest(session.sources(), from_text(manifest_cid))


def _given_shares(given: tuple[str, ...]) -> list[tuple[str, int]]:
    from ..errors import InputError
    from ..home.addressbook import resolve_address

    shares: list[tuple[str, int]] = []
    for item in given:
        address, colon, share = item.partition(":")
        if not colon:
            if len(given) > 1:
                raise InputError(f"--contributor {item!r}: with several contributors give each a share, ADDRESS:BPS")
            share = "10000"
        if not (share.isascii() and share.isdigit()):
            raise InputError(f"--contributor {item!r}: the share is basis points, a whole number (10000 = all)")
        shares.append((resolve_address(address, "contributor"), int(share)))
    from ..dao.token import check_shares

    return check_shares(shares)


def _amounts(
    session: Session, name: str, version: int, artifact_cid: str, shares: list[tuple[str, int]], options: Any
) -> tuple[int | None, int | None, int, str, list[Any]]:
    """--reward and --merit as amounts, and the merit's lifetime: `auto` computed under the DAO's adopted reward
    policy from the version's reproduced improvement (evaluations by its proposer and contributors left out), the
    computation shown; merit auto lasts as long as the policy says. Last, the sentence the proposal's description
    then carries (the policy's digest and the evaluations used), or ""; and the actions paying the evaluators who
    reproduced the version their fees under the policy (with --reward auto and --merit auto)."""
    reward, merit = options["reward"], options["merit"]
    lifetime = options["merit_lifetime"]
    if "auto" not in (reward, merit):
        return reward, merit, lifetime or 0, "", []
    from ..dao.token import symbol
    from ..errors import InputError
    from ..units import format_fixed
    from ..workflows.rewards import adopted_policy, auto_reward

    policy = adopted_policy(session.dao, session.sources())
    if policy is None:
        raise InputError(
            "the DAO has adopted no reward policy, so --reward/--merit auto has nothing to follow",
            hint="propose one: deai-gov proposal create --title … --policy FILE",
        )
    independent = {address.lower(): "a contributor" for address, _ in shares}
    independent[session.acting_address().lower()] = "the proposer"
    computed = auto_reward(session.dao, policy, name, version, artifact_cid, independent, sources=session.sources())
    sym = symbol(session.dao)
    echo(f"  under the adopted reward policy 0x{policy.digest.hex()[:16]}…:", err=True)
    for line in computed.metrics:
        candidate = "-" if line.candidate is None else format_fixed(line.candidate)
        baseline = "-" if line.baseline is None else format_fixed(line.baseline)
        echo(f"    {line.label}: {candidate} against best {baseline}: {line.note}", err=True)
    echo(
        f"    reward {format_fixed(computed.tokens)} {sym}, merit {format_fixed(computed.merit)} {sym}",
        err=True,
    )
    if merit == "auto" and lifetime is not None:
        raise InputError("--merit auto lasts as long as the reward policy says: leave --merit-lifetime out")
    fees = _evaluator_fees(
        session, computed, pay=reward == "auto", grant=merit == "auto", lifetime=policy.merit_lifetime
    )
    if reward == "auto":
        reward = computed.tokens or None
    if merit == "auto":
        merit, lifetime = computed.merit or None, policy.merit_lifetime
    return reward, merit, lifetime or 0, computed.record, fees


def _evaluator_fees(session: Session, computed: Any, *, pay: bool, grant: bool, lifetime: int) -> list[Any]:
    """The policy's fee to each evaluator who reproduced the version: tokens (with --reward auto) and merit (with
    --merit auto), each said before the proposal is sent."""
    from ..dao.token import merit_action, reward_action, symbol
    from ..home.addressbook import names_of, with_name
    from ..units import format_amount

    actions: list[Any] = []
    sym, names = symbol(session.dao), names_of()
    for evaluator in computed.evaluators:
        parts = []
        if pay and computed.evaluator_tokens:
            actions.append(reward_action(session.dao, evaluator, computed.evaluator_tokens))
            parts.append(f"{format_amount(computed.evaluator_tokens)} {sym}")
        if grant and computed.evaluator_merit:
            reason = "reproduced an evaluation under the reward policy"
            actions.append(merit_action(session.dao, evaluator, computed.evaluator_merit, reason, lifetime))
            parts.append(f"{format_amount(computed.evaluator_merit)} {sym} of merit")
        if parts:
            echo(f"  evaluator's fee {' and '.join(parts)} to {with_name(evaluator, names)} (reproduced it)", err=True)
    return actions


def _with_record(body: str, *records: str) -> str:
    """The proposal's body with what it records after it: the reward's policy and evaluations (when the reward is
    auto), the version's signer and root digest (when signed)."""
    return "\n\n".join(part for part in (body, *records) if part).strip()


def _signer(session: Session, name: str, content: VersionContent, options: Any, *, registering: bool) -> list[Any]:
    """The action trusting the version's signer for NAME, when this vote must (see `signer_trust_actions`)."""
    from ..workflows.signatures import signer_trust_actions

    actions = signer_trust_actions(
        session.dao, name, content.signature, registering=registering, trust=options["trust_signer"]
    )
    if actions and content.signature:
        echo(f"  the vote also trusts key sha256:{content.signature.key_fingerprint[:16]}… to sign {name}", err=True)
    return actions


def _merit(session: Session, shares: list[tuple[str, int]], merit: int | None, reason: str, lifetime: int) -> list[Any]:
    from ..dao.token import merit_actions
    from ..units import format_duration

    if merit is None:
        return []
    actions = merit_actions(session.dao, shares, merit, reason, lifetime)  # refuses merit that is not positive, first
    lasting = f", for {format_duration(lifetime)}" if lifetime else ""
    for part in _parts(session, shares, merit):
        echo(f"  merit {part}{lasting}", err=True)
    return actions


def _reward(session: Session, shares: list[tuple[str, int]], reward: int | None) -> list[Any]:
    from ..dao.token import reward_actions, symbol
    from ..home.addressbook import names_of, with_name
    from ..units import format_amount

    if reward is None:
        return []
    actions = reward_actions(session.dao, shares, reward)  # refuses a reward that is not positive, first
    sym = symbol(session.dao)
    if len(shares) == 1:
        echo(f"  contributor reward {format_amount(reward)} {sym} to {with_name(shares[0][0], names_of())}", err=True)
        return actions
    echo(f"  contributors' reward {format_amount(reward)} {sym}, split by their shares in the manifest:", err=True)
    for part in _parts(session, shares, reward):
        echo(f"    {part}", err=True)
    return actions


def _parts(session: Session, shares: list[tuple[str, int]], amount: int) -> list[str]:
    """`amount` split by the contributors' shares, a part each in words: `6 MDL (60%) to 0x… (carol)`."""
    from ..dao.token import split_reward, symbol
    from ..home.addressbook import names_of, with_name
    from ..units import format_amount

    sym, names = symbol(session.dao), names_of()
    return [
        f"{format_amount(part)} {sym} ({bps / 100:g}%) to {with_name(address, names)}"
        for (address, part), (_, bps) in zip(split_reward(amount, shares), shares, strict=True)
    ]


ARTIFACT_OPTION = click.option("--artifact", "artifact_cid", help="Artifact root CID (instead of PATH).")
MANIFEST_OPTION = click.option("--manifest", "manifest_cid", help="Manifest CID (instead of PATH).")
CONTRIBUTOR_OPTION = click.option(
    "--contributor",
    "contributors",
    multiple=True,
    metavar="ADDRESS[:BPS]",
    help="A contributor and its share in basis points (repeatable; shares add up to 10000; one alone takes all). "
    "Recorded in the manifest; the first is the registry's contributor. Default: the proposing account.",
)
REWARD_OPTION = click.option(
    "--reward",
    type=AMOUNT_OR_AUTO,
    metavar="AMOUNT|auto",
    help="Tokens paid from the treasury by the same vote, split among the contributors by their shares (each "
    "gets the floor of its share, the first also the remainder); `auto`: what the DAO's adopted reward policy "
    "gives for the version's reproduced improvement.",
)
MERIT_OPTION = click.option(
    "--merit",
    type=AMOUNT_OR_AUTO,
    metavar="AMOUNT|auto",
    help="Merit minted to the contributors by the same vote, split by their shares: voting power they keep and "
    "cannot transfer (at most 1% of the supply at a time); `auto`: as the adopted reward policy gives.",
)
MERIT_LIFETIME_OPTION = click.option(
    "--merit-lifetime",
    type=Duration(),
    metavar="DURATION",
    help="How long the merit lasts after it is minted (365d, 2y as 730d); anyone may burn it then. Default: for "
    "good; with --merit auto, what the reward policy says.",
)
NO_COPY_OPTION = click.option(
    "--no-copy",
    is_flag=True,
    help="Leave PATH's bytes where they are instead of copying them into the embedded store, which then reads "
    "them from PATH (like `ipfs add --nocopy`); a file changed later is refused.",
)
INCLUDE_HIDDEN_OPTION = click.option(
    "--include-hidden",
    is_flag=True,
    help="Also publish hidden files and folders (.env, .git/...), left out by default: publishing is public.",
)
PROFILE_OPTION = click.option(
    "--profile",
    type=click.Choice(list(PROFILE_NAMES)),
    default=PROFILE_NAMES[0],
    show_default=True,
    help="Import profile for PATH: IPIP-499's unixfs-v1-2025 (what Kubo makes after `ipfs config profile apply "
    "unixfs-v1-2025`), or cidv1-raw-256k-174, the parameters of versions published before it.",
)
PIN_OPTION = click.option(
    "--pin",
    metavar="SERVICE",
    help="Have this remote pinning service ([pinning.SERVICE] in config.toml, or `local`: the devnet's) pin the "
    "artifact and manifest, and wait until it has, before proposing.",
)
PIN_TIMEOUT_OPTION = click.option(
    "--pin-timeout", type=Duration(), default="10m", show_default=True, help="How long --pin waits for `pinned`."
)
SIGN_KEY_OPTION = click.option(
    "--sign-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="KEY.pem",
    help="Sign PATH with this EC private key (OpenSSF model signing; P-256, P-384 or P-521): the bundle is written "
    "into PATH as model.sig and published with it, and the manifest records the public key.",
)
SIGN_KEY_PASSWORD_OPTION = click.option(
    "--sign-key-password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the password of an encrypted --sign-key from a file (default: asked).",
)
SIGNER_PUBLIC_KEY_OPTION = click.option(
    "--signer-public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PUB.pem",
    help="PATH holds a model.sig made with the upstream tool (model_signing sign key): check it with this public "
    "key and publish it; it must sign every file that is published.",
)
TRUST_SIGNER_OPTION = click.option(
    "--trust-signer",
    is_flag=True,
    help="Ask the same vote to trust the version's signer key for NAME (an upgrade signed by a key the DAO does "
    "not trust is refused without it; a registration trusts its signer by itself).",
)
FROM_OPTION = click.option(
    "--from",
    "from_uri",
    metavar="hf://ORG/NAME@REVISION",
    help="Take the files from a Hugging Face Hub snapshot instead of PATH (its cache, or downloaded; the 'hub' "
    "extra): the manifest records the repository and the commit the revision resolved to.",
)
TITLE_OPTION = click.option("--title", help="Proposal title (default: generated).")
DESCRIPTION_OPTION = click.option(
    "--description", "body", default="", help="Proposal body (markdown; keep it short, it is on chain)."
)
DESCRIPTION_FILE_OPTION = click.option(
    "--description-file",
    "full",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Full description published to IPFS; the proposal carries its CID.",
)

_common = [
    FROM_OPTION,
    ARTIFACT_OPTION,
    MANIFEST_OPTION,
    CONTRIBUTOR_OPTION,
    REWARD_OPTION,
    MERIT_OPTION,
    MERIT_LIFETIME_OPTION,
    NO_COPY_OPTION,
    INCLUDE_HIDDEN_OPTION,
    PROFILE_OPTION,
    PIN_OPTION,
    PIN_TIMEOUT_OPTION,
    SIGN_KEY_OPTION,
    SIGN_KEY_PASSWORD_OPTION,
    SIGNER_PUBLIC_KEY_OPTION,
    TRUST_SIGNER_OPTION,
    TITLE_OPTION,
    DESCRIPTION_OPTION,
    DESCRIPTION_FILE_OPTION,
]
#: What a proposal of files taken from elsewhere (`mlflow propose`) takes: the files are downloaded to a folder
#: that is gone afterwards, so they are copied into the store, and there are no CIDs to give instead.
SOURCED_OPTIONS = [
    option for option in _common if option not in (FROM_OPTION, ARTIFACT_OPTION, MANIFEST_OPTION, NO_COPY_OPTION)
]
#: What `model publish` takes: how PATH is published and who contributed it.
_publishing = [
    FROM_OPTION,
    CONTRIBUTOR_OPTION,
    NO_COPY_OPTION,
    INCLUDE_HIDDEN_OPTION,
    PROFILE_OPTION,
    PIN_OPTION,
    PIN_TIMEOUT_OPTION,
    SIGN_KEY_OPTION,
    SIGN_KEY_PASSWORD_OPTION,
    SIGNER_PUBLIC_KEY_OPTION,
]


def _with(options: list[Any]) -> Any:
    """Decorate a command with `options`, in that order in its help."""

    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@model.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_with(_publishing)
@json_option
@click.pass_obj
def publish(session: Session, reference: tuple[str, int | None], path: Path | None, **options: Any) -> None:
    """Publish PATH as NAME's next version without proposing it, for evaluators to measure first."""
    options |= {"artifact_cid": None, "manifest_cid": None}
    with _from_elsewhere(session, path, options) as folder:
        if folder is None:
            from ..errors import InputError

            raise InputError("give the model's PATH, or --from hf://ORG/NAME@REVISION")
        _publish(session, reference[0], folder, options)


def _publish(session: Session, name: str, path: Path, options: dict[str, Any]) -> None:
    from ..workflows.evaluations import next_version

    version = next_version(session.dao, name)
    parent = _current_or_none(session, name)
    shares = _contributors(session, options)
    content = _content(session, name, version, parent, path, shares, options)
    data = {"name": name, "version": version, "parent_version": parent} | content.to_json()
    command = "upgrade" if parent else "register"

    def render() -> None:
        echo(f"published {name} v{version} (not proposed): artifact {content.artifact_cid}")
        echo(
            f"  evaluate it: deai-gov eval run {name} --candidate {content.artifact_cid} --candidate-manifest "
            f"{content.manifest_cid} --benchmark FILE"
        )
        echo(
            f"  propose it: deai-gov model propose {command} {name} --artifact {content.artifact_cid} "
            f"--manifest {content.manifest_cid}"
        )

    emit(session, data, render)


def _current_or_none(session: Session, name: str) -> int:
    """NAME's current version, 0 for a model not registered yet; InputError for a retired one."""
    from ..dao.registry import check_changeable, check_registrable
    from ..errors import InputError

    try:
        check_registrable(session.dao, name)
        return 0
    except InputError:
        return check_changeable(session.dao, name).current_version


@propose.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_with(_common)
@json_option
@click.pass_obj
def register(session: Session, reference: tuple[str, int | None], path: Path | None, **options: Any) -> None:
    """Register NAME with version 1 from PATH (published first), a Hub snapshot (--from) or given CIDs."""
    with _from_elsewhere(session, path, options) as folder:
        propose_registration(session, reference[0], folder, options)


def propose_version(session: Session, name: str, path: Path, options: dict[str, Any]) -> None:
    """Propose PATH as NAME's next version: a registration for a model not registered yet, else an upgrade (what
    `mlflow propose` does with the files it downloaded). `options` are `model propose`'s, `source` among them."""
    if _current_or_none(session, name):
        propose_upgrade(session, name, path, options)
    else:
        propose_registration(session, name, path, options)


def propose_registration(session: Session, name: str, path: Path | None, options: dict[str, Any]) -> None:
    """`model propose register`: publish, draft with the reward, merit and signer actions, submit."""
    from ..dao.registry import check_registrable, register_action
    from ..errors import InputError
    from ..workflows.signatures import signature_note

    refusal = None
    try:
        check_registrable(session.dao, name)
    except InputError as taken:  # raised before sending, unless this very proposal exists (a re-run of the command)
        refusal = taken
    shares, content = _shares_and_content(session, name, 1, 0, path, options)
    contributor = shares[0][0]
    reward, merit, lifetime, record, fees = _amounts(session, name, 1, content.artifact_cid, shares, options)
    actions = [
        register_action(session.dao, name, content.artifact_cid, content.manifest_cid, contributor),
        *_signer(session, name, content, options, registering=True),
        *_reward(session, shares, reward),
        *_merit(session, shares, merit, f"{name} v1", lifetime),
        *fees,
    ]
    title = options["title"] or f"Register {name} v1"
    body = _with_record(options["body"], record, signature_note(content.signature))
    submit(session, actions, title, body, options["full"], refuse_new=refusal)


@propose.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_with(_common)
@json_option
@click.pass_obj
def upgrade(session: Session, reference: tuple[str, int | None], path: Path | None, **options: Any) -> None:
    """Propose a new version of NAME from PATH (published first), a Hub snapshot (--from) or given CIDs."""
    with _from_elsewhere(session, path, options) as folder:
        propose_upgrade(session, reference[0], folder, options)


@contextmanager
def _from_elsewhere(session: Session, path: Path | None, options: dict[str, Any]) -> Iterator[Path | None]:
    """PATH, or with --from hf://ORG/NAME@REVISION the Hub snapshot made into real files in a temporary folder
    (for as long as the proposal is being made), its repository and commit set as the manifest's source, its model
    card's license and base model checked (the base model, when the DAO has it, recorded as its lineage)."""
    import tempfile

    from ..errors import InputError
    from ..integrations.hub import base_models, lineage, materialize, resolve_snapshot
    from ..ipfs.manifest import license_from_card, read_model_card

    uri = options.get("from_uri")
    if not uri:
        yield path
        return
    if path is not None or options.get("artifact_cid") or options.get("manifest_cid"):
        raise InputError("give the model's PATH, --artifact/--manifest or --from, one of them")
    if options.get("no_copy"):
        raise InputError("--no-copy keeps a folder's bytes where they are; a Hub snapshot is copied")
    snapshot = resolve_snapshot(uri)
    with tempfile.TemporaryDirectory(prefix="deai-gov-hub-") as scratch:
        folder = Path(scratch) / snapshot.repo.replace("/", "--")
        folder.mkdir()
        count = materialize(snapshot, folder)
        echo(f"{uri}: {snapshot.repo} at commit {snapshot.commit}, {count} files (Hugging Face Hub)", err=True)
        record = snapshot.to_record()
        card = read_model_card(folder)
        if not license_from_card(card):
            echo("warning: the model card names no license", err=True)
        bases = base_models(card)
        if bases:
            record["base_model"] = ", ".join(bases)
        for base in bases:
            found = lineage(session.dao, session.sources_if_any(), base)
            echo(f"  base model {base}: " + (f"in this DAO as {found}" if found else "not in this DAO"), err=True)
            if found and "base_model_in_dao" not in record:
                record["base_model_in_dao"] = found
        options |= {"source": record, "source_label": uri}
        yield folder


def propose_upgrade(session: Session, name: str, path: Path | None, options: dict[str, Any]) -> None:
    """`model propose upgrade`: publish, draft with the reward, merit and signer actions, submit."""
    from ..dao.registry import check_changeable, upgrade_action
    from ..workflows.signatures import signature_note

    info = check_changeable(session.dao, name)
    version = info.latest_version + 1
    _check_signer_first(session, name, options)
    shares, content = _shares_and_content(session, name, version, info.current_version, path, options)
    contributor = shares[0][0]
    reward, merit, lifetime, record, fees = _amounts(session, name, version, content.artifact_cid, shares, options)
    actions = [
        upgrade_action(session.dao, name, content.artifact_cid, content.manifest_cid, contributor),
        *_signer(session, name, content, options, registering=False),
        *_reward(session, shares, reward),
        *_merit(session, shares, merit, f"{name} v{version}", lifetime),
        *fees,
    ]
    title = options["title"] or f"Upgrade {name} to v{version}"
    body = _with_record(options["body"], record, signature_note(content.signature))
    submit(session, actions, title, body, options["full"])


@propose.command()
@click.argument("reference", metavar="NAME@VERSION", type=ModelReference(version="required"))
@click.option("--title", help="Proposal title (default: generated).")
@click.option("--description", "body", default="", help="Why (recorded in the proposal).")
@json_option
@click.pass_obj
def rollback(session: Session, reference: tuple[str, int], title: str | None, body: str) -> None:
    """Propose making an earlier version of a model current again."""
    from ..dao.registry import check_rollback, rollback_action

    name, version = reference
    check_rollback(session.dao, name, version)
    submit(session, [rollback_action(session.dao, name, version)], title or f"Roll {name} back to v{version}", body)


@propose.command()
@click.argument("reference", metavar="NAME", type=MODEL)
@click.option("--reason", required=True, help="Why the model is retired (recorded on chain).")
@click.option("--title", help="Proposal title (default: generated).")
@json_option
@click.pass_obj
def retire(session: Session, reference: tuple[str, int | None], reason: str, title: str | None) -> None:
    """Propose retiring a model for good."""
    from ..dao.registry import check_changeable, retire_action

    name, _ = reference
    check_changeable(session.dao, name)
    submit(session, [retire_action(session.dao, name, reason)], title or f"Retire {name}", reason)


@model.command("watch")
@click.argument("reference", metavar="NAME", type=MODEL)
@watch_options
@click.pass_obj
def watch_model(session: Session, reference: tuple[str, int | None], **options: Any) -> None:
    """Follow one model: registered, versions published, current version changed (upgrade, rollback), suspended,
    unsuspended, retired. For deployment jobs: `--exec ./deploy.sh --cursor deploy.cursor`."""
    name, _ = reference
    run_watch(session, name, **options)


def _count(number: int, noun: str) -> str:
    """`1 difference`, `3 differences`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
