"""`deai-gov mlflow`: the MLflow model registry as a source of versions."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click

from .commands import mlflow
from .model import SOURCED_OPTIONS, _with, propose_version
from .options import MODEL, Duration, json_option
from .output import echo
from .session import Session

TRACKING_URI_OPTION = click.option(
    "--tracking-uri",
    envvar="MLFLOW_TRACKING_URI",
    show_envvar=True,
    required=True,
    metavar="URL",
    help="The MLflow tracking server (credentials: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and "
    "MLFLOW_TRACKING_PASSWORD).",
)


@mlflow.command()
@click.argument("uri", metavar="models:/NAME/VERSION")
@TRACKING_URI_OPTION
@click.option(
    "--name",
    "dao_name",
    type=MODEL,
    required=True,
    metavar="ORG/NAME",
    help="The model's name in the DAO (org/name; MLflow's names cannot hold a '/').",
)
@_with(SOURCED_OPTIONS)
@json_option
@click.pass_obj
def propose(session: Session, uri: str, tracking_uri: str, dao_name: tuple[str, int | None], **options: Any) -> None:
    """Propose an MLflow model version (models:/NAME/VERSION or @ALIAS) as a DAO model's next version.

    Its files are downloaded through the server's artifact proxy (every path and size checked), then published and
    proposed as `model propose register` or `upgrade` does (a registration for a model the DAO does not have yet);
    the manifest records the source: the server, the MLflow model, its version and run. Takes `model propose`'s
    options.
    """
    from ..integrations.mlflow.client import MlflowClient
    from ..integrations.mlflow.source import download_version, parse_model_uri, resolve
    from .model import _current_or_none
    from .progress import transfer_bar

    name = dao_name[0]
    parse_model_uri(uri)
    _current_or_none(session, name)  # a retired model is refused before the server is even asked
    client = MlflowClient(tracking_uri)
    try:
        version = resolve(client, uri)
        with tempfile.TemporaryDirectory(prefix="deai-gov-mlflow-") as scratch:
            folder = Path(scratch) / name.replace("/", "-")
            folder.mkdir()
            with transfer_bar(f"downloading {uri}", None, enabled=not session.as_json) as advance:
                source, files = download_version(client, version, folder, progress=advance)
            size = sum(item.size or 0 for item in files)
            echo(
                f"{len(files)} file{'s' if len(files) != 1 else ''}, {size:,} bytes from MLflow {source.server}: "
                f"{source.model} version {source.version}" + (f", run {source.run_id}" if source.run_id else ""),
                err=True,
            )
            options |= {"artifact_cid": None, "manifest_cid": None, "no_copy": False, "source": source.to_record(),
                        "source_label": uri}  # fmt: skip
            propose_version(session, name, folder, options)
    finally:
        client.close()


@mlflow.command()
@TRACKING_URI_OPTION
@click.option(
    "--alias",
    default="dao-approved",
    show_default=True,
    help="The alias that marks, on each model, the MLflow version the DAO approved.",
)
@click.option(
    "--cursor",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Resume from the event recorded in this file, and record each event handled (created if missing).",
)
@click.option(
    "--from",
    "start",
    metavar="BLOCK|deployment",
    help="Where to start without a cursor: a block number, or `deployment` (default: the next block).",
)
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Confirmations to wait for.")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds between polls."
)
@click.option("--once", is_flag=True, help="Mirror what is confirmed now, then exit (for cron and CI).")
@json_option
@click.pass_obj
def sync(
    session: Session,
    tracking_uri: str,
    alias: str,
    cursor: Path | None,
    start: str | None,
    depth: int,
    interval: float,
    once: bool,
) -> None:
    """Mirror the DAO's decisions onto MLflow: an alias on the version the DAO approved, tags naming the vote.

    After an executed register, upgrade or rollback, the alias moves to the MLflow version the model's current
    version came from (its manifest's source), once its files are checked to be exactly the approved ones, and the
    version is tagged with the proposal, tally, CIDs and execution; on a suspension or retirement the alias is
    removed (and set again on unsuspension). Follows the DAO like `watch`; with --cursor it resumes where it stopped.
    A version whose files differ is refused: the alias is removed, the line says why, and --once exits with 6.
    """
    from ..errors import InputError, VerificationError
    from ..home.addressbook import names_of
    from ..integrations.mlflow.client import MlflowClient, check_alias
    from ..integrations.mlflow.mirror import Mirror
    from ..workflows.watch import follow

    check_alias(alias)
    from_block = None
    if start == "deployment":
        from_block = session.dao.deployment.block
    elif start is not None:
        if not (start.isascii() and start.isdigit()):
            raise InputError(f"--from {start!r}: write a block number or `deployment`")
        from_block = int(start)
    client = MlflowClient(tracking_uri)
    mirror = Mirror(session.dao, session.sources(), client, alias)
    events = follow(
        session.dao, confirmations=depth, cursor_path=cursor, from_block=from_block, interval=interval, once=once,
        names=names_of(),
    )  # fmt: skip
    refused = 0
    try:
        for event in events:
            result = mirror.handle(event)
            if result is None:
                continue
            refused += result.action == "refused"
            if session.as_json:
                click.echo(json.dumps(result.to_json() | {"block": event.block, "event": event.name}))
            else:
                where = f"{result.mlflow_model} v{result.mlflow_version}" if result.mlflow_version else "-"
                echo(f"block {event.block:,}: {result.model}: {result.action} ({where}): {result.detail}",
                     err=result.action == "refused")  # fmt: skip
    except KeyboardInterrupt:
        echo("stopped; the cursor is saved after the last event handled", err=True)
    finally:
        events.close()
        client.close()
    if refused:
        raise VerificationError(f"{refused} version{'s' if refused > 1 else ''} refused: files differ from the DAO's")


@mlflow.command()
@TRACKING_URI_OPTION
@click.option(
    "--model",
    "names",
    multiple=True,
    required=True,
    metavar="MLFLOW_NAME=ORG/NAME",
    help="An MLflow registered model whose new versions are drafted, and its name in the DAO (repeatable).",
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The webhook's secret, as given to MLflow when the webhook was created (first line of the file).",
)
@click.option("--secret-env", metavar="VAR", help="Read the webhook's secret from this environment variable instead.")
@click.option(
    "--drafts",
    type=click.Path(file_okay=False, path_type=Path),
    default="drafts",
    show_default=True,
    help="Folder the drafts are written to, one JSON file per version.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8766, show_default=True, help="Port (0: any free one).")
@click.option(
    "--max-age", type=Duration(), default="5m", show_default=True, help="How old a delivery may be (replays)."
)
@json_option
@click.pass_obj
def listen(
    session: Session,
    tracking_uri: str,
    names: tuple[str, ...],
    secret_file: Path | None,
    secret_env: str | None,
    drafts: Path,
    host: str,
    port: int,
    max_age: int,
) -> None:
    """Receive MLflow webhooks: verify each delivery's signature and age, draft a proposal for each new version.

    Create the webhook in MLflow (3.3+) for `model_version.created` (and `model_version_alias.created`) with the
    same secret, pointing at this listener. A delivery with a bad signature, an old timestamp or an id seen before is
    refused (HTTP 401 or 409); a new version of a model named by --model is looked up on the tracking server and
    drafted as a file in --drafts holding the `mlflow propose` command to review and run: nothing is sent from here.
    """
    from ..errors import InputError
    from ..home.accounts import read_password
    from ..integrations.mlflow.client import MlflowClient
    from ..integrations.mlflow.webhooks import Listener
    from ..names import validate_model_name

    mapping: dict[str, str] = {}
    for item in names:
        mlflow_name, equals, dao_name = item.partition("=")
        if not equals or not mlflow_name:
            raise InputError(f"--model {item!r}: write MLFLOW_NAME=ORG/NAME")
        mapping[mlflow_name] = validate_model_name(dao_name)
    if (secret_file is None) == (secret_env is None):
        raise InputError("give the webhook's secret with --secret-file FILE or --secret-env VAR (one of them)")
    secret = read_password(password_file=secret_file, password_env=secret_env)
    if not secret:
        raise InputError("the webhook's secret is empty")
    try:
        drafts.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {drafts}: {exc.strerror}") from None
    client = MlflowClient(tracking_uri)

    def said(status: int, what: str, path: Path | None) -> None:
        if session.as_json:
            click.echo(json.dumps({"status": status, "result": what, "draft": str(path) if path else None}))
        else:
            echo(f"{status} {what}" + (f" -> {path}" if path else ""), err=status >= 400)

    try:
        server = Listener(
            (host, port), secret=secret.encode("utf-8"), client=client, names=mapping, folder=drafts,
            max_age=max_age, on_result=said,
        )  # fmt: skip
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    bound = server.server_address[1]
    echo(f"listening for MLflow webhooks on http://{host}:{bound}/ (drafts in {drafts}; Ctrl-C to stop)", err=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        echo("stopped", err=True)
    finally:
        server.server_close()
        client.close()
