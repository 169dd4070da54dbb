"""`deai-gov node`: a persistent local devnet (anvil, and a js-ipfs node where installed) on 127.0.0.1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..dev.localnet import running
from ..dev.localnet import start as start_localnet
from ..dev.localnet import stop as stop_localnet
from ..errors import InputError
from ..home.accounts import existing_keystore, import_private_key
from ..units import format_amount, format_duration, format_time
from .account import new_password
from .commands import node
from .options import Duration, json_option
from .output import echo, emit
from .session import Session

if TYPE_CHECKING:
    from ..chain.client import Chain


@node.command()
@click.option("--chain-port", type=click.IntRange(1, 65535), help="anvil's port (default: a free one).")
@click.option("--ipfs-port", type=click.IntRange(1, 65535), help="The IPFS API port (default: a free one).")
@click.option("--no-ipfs", is_flag=True, help="Start the chain only.")
@click.option(
    "--block-time",
    type=click.FloatRange(min=0, max=3600),
    default=1.0,
    show_default=True,
    help="Seconds between blocks, so time passes as on a real chain; 0 mines a block only per transaction.",
)
@json_option
@click.pass_obj
def start(session: Session, chain_port: int | None, ipfs_port: int | None, no_ipfs: bool, block_time: float) -> None:
    """Start the devnet in the background; chain state and IPFS blocks persist across restarts."""
    net = start_localnet(chain_port=chain_port, ipfs_port=ipfs_port, ipfs=not no_ipfs, block_time=block_time or None)
    data = net.to_json()

    def render() -> None:
        blocks = f"a block every {block_time:g} s" if block_time else "a block per transaction"
        echo(f"chain {net.rpc_url} ({blocks})" + (f", IPFS API {net.ipfs_api}" if net.ipfs_api else ""))
        echo("funded development accounts: `deai-gov node accounts` (add --import to use them with --account)")

    emit(session, data, render)


def _dev_chain(session: Session) -> Chain:
    """The chain `--rpc-url` (or the network) names, else the running devnet's. The chain's modules (~30 ms with
    dev.devnet's) are imported by the commands that use one, not by start, stop and status."""
    from ..chain.client import connect

    if session.network.rpc_url:
        return session.chain
    net = running()
    if net is None:
        raise InputError("no devnet is running and no --rpc-url given: start one with `deai-gov node start`")
    return connect(net.rpc_url)


@node.command()
@click.option("--count", type=click.IntRange(1, 100), default=10, show_default=True, help="How many accounts.")
@click.option(
    "--import",
    "import_as",
    metavar="PREFIX",
    help="Also save them as keystores PREFIX0, PREFIX1… (e.g. --import dev), to use with --account.",
)
@json_option
@click.pass_obj
def accounts(session: Session, count: int, import_as: str | None) -> None:
    """The funded accounts of the development chain (their keys are public: for devnets only)."""
    from ..dev.devnet import dev_accounts

    found = dev_accounts(_dev_chain(session), count)
    imported: list[str] = []
    if import_as is not None:
        password = new_password(session)
        for account in found:
            alias = f"{import_as}{account.index}"
            try:
                existing_keystore(alias)
            except InputError:
                import_private_key(alias, account.private_key, password, development=True)
                imported.append(alias)
    data = [a.to_json() | {"alias": f"{import_as}{a.index}" if import_as is not None else None} for a in found]

    def render() -> None:
        for a in found:
            alias = f"  --account {import_as}{a.index}" if import_as is not None else ""
            echo(f"{a.index:>2}  {a.address}  {format_amount(a.balance_wei)} ETH{alias}")
        if import_as is not None:
            skipped = len(found) - len(imported)
            echo(f"imported {len(imported)} keystore{'s' if len(imported) != 1 else ''}" + (
                f" ({skipped} already there)" if skipped else ""), err=True)  # fmt: skip

    emit(session, data, render)


@node.command()
@click.argument("duration", type=Duration(1))
@json_option
@click.pass_obj
def warp(session: Session, duration: int) -> None:
    """Skip the development chain DURATION ahead (90s, 15m, 2h, 7d); refused on any other chain."""
    from ..dev.devnet import warp as warp_chain

    chain = _dev_chain(session)
    now = warp_chain(chain, duration)
    data = {"seconds": duration, "block_time": now, "block": chain.block_number()}
    emit(session, data, lambda: echo(f"skipped {format_duration(duration)}: the chain's time is {format_time(now)}"))


@node.command()
@json_option
@click.pass_obj
def stop(session: Session) -> None:
    """Stop the devnet (the chain's state is saved)."""
    stopped = stop_localnet()
    emit(session, {"stopped": stopped}, lambda: echo("stopped " + (", ".join(stopped) or "nothing (not running)")))


@node.command()
@json_option
@click.pass_obj
def status(session: Session) -> None:
    """Whether the devnet runs, and where."""
    net = running()
    data = {"running": net is not None} | (net.to_json() if net else {})
    emit(
        session,
        data,
        lambda: echo(f"running: chain {net.rpc_url}, IPFS {net.ipfs_api}" if net else "not running"),
    )
