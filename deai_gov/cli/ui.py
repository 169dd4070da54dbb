"""`deai-gov ui`: the community's web page, served from this machine."""

from __future__ import annotations

import click

from .output import echo
from .session import Session


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8600, show_default=True, help="Port to listen on.")
@click.pass_obj
def ui(session: Session, host: str, port: int) -> None:
    """Serve the DAO's web page: proposals with their tally and decoded actions, models as a lineage, the DAO.

    The page reads the chain and IPFS through the same library as the CLI, escapes everything it shows, runs no
    script and holds no key. Runs until interrupted (Ctrl-C). Needs the `web` extra (pip install 'deai-gov[web]').
    """
    from ..errors import InputError

    try:
        from ..web.server import serve
        from ..web.ui_app import ui_app
    except ImportError:
        raise InputError("the web page needs the web extra", hint="pip install 'deai-gov[web]'") from None
    app = ui_app(session.dao, session.sources_if_any())
    echo(f"the DAO on chain {session.chain.chain_id}: http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo("  listening beyond loopback: put it behind TLS (a reverse proxy)", err=True)
    serve(app, host, port)
