"""`deai-gov node`: a persistent local devnet (anvil, and a js-ipfs node where installed) on 127.0.0.1."""

from __future__ import annotations

import click

from .options import json_option
from .output import echo, emit
from .session import Session


@click.group()
def node() -> None:
    """A local devnet kept between commands: start, stop, status."""


def _describe(net: object) -> dict[str, object]:
    from ..dev.localnet import Localnet

    assert isinstance(net, Localnet)
    return {"rpc_url": net.rpc_url, "ipfs_api": net.ipfs_api, "chain_pid": net.chain_pid, "ipfs_pid": net.ipfs_pid}


@node.command()
@click.option("--chain-port", type=click.IntRange(1, 65535), help="anvil's port (default: a free one).")
@click.option("--ipfs-port", type=click.IntRange(1, 65535), help="The IPFS API port (default: a free one).")
@click.option("--no-ipfs", is_flag=True, help="Start the chain only.")
@json_option
@click.pass_obj
def start(session: Session, chain_port: int | None, ipfs_port: int | None, no_ipfs: bool) -> None:
    """Start the devnet in the background; chain state and IPFS blocks persist across restarts."""
    from ..dev.localnet import start as start_localnet

    net = start_localnet(chain_port=chain_port, ipfs_port=ipfs_port, ipfs=not no_ipfs)
    data = _describe(net)
    emit(
        session,
        data,
        lambda: echo(f"chain {net.rpc_url}" + (f", IPFS API {net.ipfs_api}" if net.ipfs_api else "")),
    )


@node.command()
@json_option
@click.pass_obj
def stop(session: Session) -> None:
    """Stop the devnet (the chain's state is saved)."""
    from ..dev.localnet import stop as stop_localnet

    stopped = stop_localnet()
    emit(session, {"stopped": stopped}, lambda: echo("stopped " + (", ".join(stopped) or "nothing (not running)")))


@node.command()
@json_option
@click.pass_obj
def status(session: Session) -> None:
    """Whether the devnet runs, and where."""
    from ..dev.localnet import running

    net = running()
    data = {"running": net is not None} | (_describe(net) if net else {})
    emit(
        session,
        data,
        lambda: echo(f"running: chain {net.rpc_url}, IPFS {net.ipfs_api}" if net else "not running"),
    )
