"""`deai-gov ui`: the community's web page, served from this machine."""

from __future__ import annotations

import click

from .output import echo
from .session import Session


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8600, show_default=True, help="Port to listen on.")
@click.option(
    "--relayer",
    metavar="URL",
    help="A relayer (`deai-gov relay serve`, started with --allow-origin for this page): members then vote and "
    "delegate from a browser wallet without gas.",
)
@click.pass_obj
def ui(session: Session, host: str, port: int, relayer: str | None) -> None:
    """Serve the DAO's web page: proposals with their tally and decoded actions, models as a lineage, the DAO.

    The page reads the chain and IPFS through the same library as the CLI, escapes everything it shows and holds no
    key. Without --relayer it runs no script at all; with it, a proposal's page offers voting from a browser wallet
    (EIP-1193): the wallet signs the ballot, the relayer sends it (the page's own script, nothing loaded from
    elsewhere). Runs until interrupted (Ctrl-C). Needs the `web` extra (pip install 'deai-gov[web]').
    """
    from ..errors import InputError

    try:
        from ..web.server import serve
        from ..web.ui_app import ui_app
    except ImportError:
        raise InputError("the web page needs the web extra", hint="pip install 'deai-gov[web]'") from None
    app = ui_app(session.dao, session.sources_if_any(), relayer=relayer)  # InputError for a relayer URL it refuses
    echo(f"the DAO on chain {session.chain.chain_id}: http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo("  listening beyond loopback: put it behind TLS (a reverse proxy)", err=True)
    serve(app, host, port)
