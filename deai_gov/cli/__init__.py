"""The `deai-gov` command line: the main group and its global options.

Start-up imports click and, of the package, only this module and the command table (`commands.py`): a group lists
its commands from the table, and a command's module, which imports the library, is imported when that command runs or
prints its own help. The main group's
callback keeps the options as given (click holds them in its context); the Session is made from them as a command is
about to run (by main for its own commands, by a group for its commands: never for a group's `--help`), and the
network, chain, DAO and signer on first use (`session.py`).

The CLI only parses, confirms and renders: every action is a library function (deai_gov.*).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import __version__
from .commands import COMMANDS, LazyGroup


class _Main(LazyGroup):
    """Turns library errors into one line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise  # a group's --help ends here: nothing of the library is imported for it
        except click.NoSuchOption as refused:  # a global option written after the command: say where it goes
            global_options = {opt for param in self.params for opt in (*param.opts, *param.secondary_opts)}
            if refused.option_name in global_options:
                raise click.UsageError(
                    f"{refused.option_name} is an option of deai-gov itself: write it before the command "
                    f"(deai-gov {refused.option_name} … {ctx.invoked_subcommand or 'COMMAND'} …)",
                    ctx=refused.ctx,
                ) from None
            raise
        except KeyboardInterrupt:
            from .errors import ExitCode, fail

            fail("interrupted", ExitCode.INTERRUPTED)
        except Exception as exc:  # the outer boundary: the library's errors become one line and their exit code
            from ..errors import DeaiGovError

            if not isinstance(exc, DeaiGovError):
                raise
            from .errors import error_line, exit_code_for, fail

            fail(error_line(exc, verbose=ctx.params.get("verbose", 0) > 0), exit_code_for(exc))


@click.group(
    cls=_Main, table=COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
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
@click.option(
    "--safe",
    metavar="ADDRESS",
    envvar="DEAI_GOV_SAFE",
    help="Act as this Safe multisig: transactions become Safe transactions for its owners to sign; nothing is sent.",
)
@click.option(
    "--safe-export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --safe: the Transaction Builder batch file to write or extend (a vote: the owners' ballot file).",
)
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
    safe: str | None,
    safe_export: Path | None,
    yes: bool,
    dry_run: bool,
    confirmations: int,
    as_json: bool,
    verbose: int,
) -> None:
    """DAO governance for the lifecycle of AI models whose artifacts live on IPFS."""
    import warnings

    if verbose < 2:  # a library's deprecation notice is for its callers' developers, not for people at a prompt
        warnings.simplefilter("ignore")
    # The options given stay in ctx.params. The Session is made from them for a command about to run: here for a
    # command of main's own, by a group for its commands (a group's callback, unlike this one, never runs for --help).
    if not isinstance(main.get_command(ctx, ctx.invoked_subcommand or ""), LazyGroup):
        from .session import Session

        ctx.obj = Session.for_command(ctx)


__all__ = ["main"]
