"""The `deai-gov` command line. Only click and rich are imported at module level, so `--help` stays fast;
everything touching the chain is imported inside the command that needs it."""

from __future__ import annotations

import json
import sys

import click

from .. import __version__


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deai-gov")
def main() -> None:
    """DAO governance for the lifecycle of AI models whose artifacts live on IPFS."""


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of the narrative.")
def demo(as_json: bool) -> None:
    """Deploy a DAO on an embedded chain and pass one model registration by vote."""
    from rich.console import Console

    from ..errors import DeaiGovError

    console = Console(stderr=as_json)
    try:
        from ..demo import run_demo

        with console.status("working…") as status:

            def step(text: str) -> None:
                status.update(text)
                if not as_json:
                    console.print(text, highlight=False)

            report = run_demo(step)
    except DeaiGovError as exc:
        _fail(str(exc))
        return
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        console.print(f"[green]Done in {report.seconds:.1f} s.[/green]")
