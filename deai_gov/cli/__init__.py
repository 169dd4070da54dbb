"""The `deai-gov` command line. Only click and rich are imported at module level, so `--help` stays fast;
everything touching the chain or IPFS is imported inside the command that needs it.

The CLI only parses, confirms and renders: every action is a library function (deai_gov.*).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import __version__
from .errors import fail
from .options import json_option
from .output import console, emit
from .session import Session


class _Main(click.Group):
    """Turns library errors into one line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import DeaiGovError
        from .errors import ExitCode, error_line, exit_code_for

        try:
            return super().invoke(ctx)
        except DeaiGovError as exc:
            verbose = isinstance(ctx.obj, Session) and ctx.obj.verbose > 0
            fail(error_line(exc, verbose=verbose), exit_code_for(exc))
        except KeyboardInterrupt:
            fail("interrupted", ExitCode.INTERRUPTED)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="deai-gov")
@click.option("-n", "--network", envvar="DEAI_GOV_NETWORK", help="Named network from config.toml.")
@click.option("--rpc-url", envvar="DEAI_GOV_RPC_URL", help="JSON-RPC endpoint (overrides the network's).")
@click.option(
    "--deployment",
    envvar="DEAI_GOV_DEPLOYMENT",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Deployment record (JSON written by `deploy`).",
)
@click.option(
    "--custom-deployment",
    is_flag=True,
    help="Use a deployment record whose contracts or wiring differ from what this package deploys.",
)
@click.option("--ipfs-api", envvar="DEAI_GOV_IPFS_API", help="IPFS node RPC API, e.g. http://127.0.0.1:5001.")
@click.option("--gateway", "gateways", multiple=True, help="Trustless gateway to read blocks from (repeatable).")
@click.option(
    "--store",
    envvar="DEAI_GOV_STORE",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded block store folder.",
)
@click.option("-a", "--account", "account_alias", envvar="DEAI_GOV_ACCOUNT", help="Keystore alias that signs.")
@click.option(
    "--password-file", type=click.Path(dir_okay=False, path_type=Path), help="Read the keystore password from a file."
)
@click.option("--password-env", metavar="VAR", help="Read the keystore password from this environment variable.")
@click.option("-y", "--yes", is_flag=True, help="Send transactions without asking.")
@click.option("--dry-run", is_flag=True, help="Simulate transactions (gas estimate) and send nothing.")
@click.option("--confirmations", type=click.IntRange(min=0), default=0, help="Blocks to wait after inclusion.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout.")
@click.option(
    "-v", "--verbose", count=True, help="Name the kind of error with its message (-vv: library warnings too)."
)
@click.pass_context
def main(
    ctx: click.Context,
    network: str | None,
    rpc_url: str | None,
    deployment: Path | None,
    custom_deployment: bool,
    ipfs_api: str | None,
    gateways: tuple[str, ...],
    store: Path | None,
    account_alias: str | None,
    password_file: Path | None,
    password_env: str | None,
    yes: bool,
    dry_run: bool,
    confirmations: int,
    as_json: bool,
    verbose: int,
) -> None:
    """DAO governance for the lifecycle of AI models whose artifacts live on IPFS."""
    import warnings

    from ..home.config import resolve_network

    if verbose < 2:  # a library's deprecation notice is for its callers' developers, not for people at a prompt
        warnings.simplefilter("ignore")

    resolved = resolve_network(
        network, rpc_url=rpc_url, deployment=deployment, ipfs_api=ipfs_api, gateways=gateways, store=store
    )
    ctx.obj = Session(
        resolved,
        as_json=as_json,
        verbose=verbose,
        account_alias=account_alias,
        password_file=password_file,
        password_env=password_env,
        yes=yes,
        dry_run=dry_run,
        confirmations=confirmations,
        custom_deployment=custom_deployment,
    )


@main.command()
@json_option
@click.pass_obj
def demo(session: Session) -> None:
    """Deploy a DAO on an embedded chain and pass one model registration by vote."""

    from ..dev.demo import run_demo

    screen = console(stderr=session.as_json)
    with screen.status("working…") as status:

        def step(text: str) -> None:
            status.update(text)
            if not session.as_json:
                screen.print(text, highlight=False)

        report = run_demo(step)
    emit(session, report.to_dict(), lambda: screen.print(f"[green]Done in {report.seconds:.1f} s.[/green]"))


from .account import account  # noqa: E402  (the command groups, each in its own module)
from .dao import dao  # noqa: E402
from .model import model  # noqa: E402
from .node import node  # noqa: E402
from .proposal import proposal  # noqa: E402
from .watch import watch  # noqa: E402

for _group in (account, dao, model, node, proposal, watch):
    main.add_command(_group)

__all__ = ["main"]
