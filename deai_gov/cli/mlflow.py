"""`deai-gov mlflow`: the MLflow model registry as a source of versions."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from .commands import mlflow
from .model import SOURCED_OPTIONS, _with, propose_version
from .options import MODEL, json_option
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
def propose(
    session: Session, uri: str, tracking_uri: str, dao_name: tuple[str, int | None], **options: Any
) -> None:
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
            options |= {"artifact_cid": None, "manifest_cid": None, "no_copy": False, "source": source.to_record()}
            propose_version(session, name, folder, options)
    finally:
        client.close()
