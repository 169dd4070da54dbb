"""`deai-gov relay`: a gasless relayer for the community, over HTTP."""

from __future__ import annotations

import click

from .commands import relay
from .output import echo
from .session import Session


@relay.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8700, show_default=True, help="Port to listen on.")
@click.option(
    "--gas-per-signer-hour",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="Gas the relayer spends for one voter or delegator in any hour.",
)
@click.option(
    "--gas-per-hour",
    type=click.IntRange(min=1),
    default=50_000_000,
    show_default=True,
    help="Gas the relayer spends in any hour, for everyone.",
)
@click.option("--gas-total", type=click.IntRange(min=1), help="Gas the relayer spends in all before it stops relaying.")
@click.option(
    "--allow-origin",
    "origins",
    multiple=True,
    metavar="URL",
    help="A web page (origin, e.g. https://dao.example) that may post to the relayer from a browser (repeatable).",
)
@click.option(
    "--requests-per-minute",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Requests one client address may make in a minute.",
)
@click.pass_obj
def serve(
    session: Session,
    host: str,
    port: int,
    gas_per_signer_hour: int,
    gas_per_hour: int,
    gas_total: int | None,
    origins: tuple[str, ...],
    requests_per_minute: int,
) -> None:
    """Serve the relayer's HTTP API: signed votes and delegations relayed from --account, checked first, within a
    gas budget.

    POST /v1/votes takes a signed vote (the file `proposal sign-vote` writes, or what a wallet's page sends); POST
    /v1/delegations a signed delegation; GET /v1/status says what the relayer serves and has spent. Each vote or
    delegation is checked before any gas is spent (signature, chain and contract, proposal open, content binding,
    nonce, voting power), the same one sent twice is relayed once, and the gas spent stays within the budget. Runs
    until interrupted (Ctrl-C). Needs the `web` extra (pip install 'deai-gov[web]').
    """
    from ..errors import InputError
    from ..workflows.relaying import RelayBudget, Relayer

    session.refuse_safe("relay: a relayer sends from an account it unlocks")
    try:
        from ..web.relay_app import relay_app
        from ..web.server import serve as serve_app
    except ImportError:
        raise InputError("the relayer needs the web extra", hint="pip install 'deai-gov[web]'") from None
    account = session.signer()
    budget = RelayBudget(gas_per_signer_hour, gas_per_hour, gas_total)
    relayer = Relayer(session.dao, account, budget)
    balance = session.chain.balance(account.address)
    echo(
        f"relaying votes and delegations for chain {session.chain.chain_id}'s governor "
        f"{session.dao.address('governor')} from {session.account_alias} ({account.address}, "
        f"{balance / 10**18:.4f} ETH) on http://{host}:{port}",
        err=True,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo("  listening beyond loopback: put it behind TLS (a reverse proxy) and keep its budget small", err=True)
    serve_app(relay_app(relayer, allow_origins=origins, client_per_minute=requests_per_minute), host, port)
