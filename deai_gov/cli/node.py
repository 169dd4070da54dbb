"""`deai-gov node`: a persistent local devnet (anvil, and a js-ipfs node where installed) on 127.0.0.1."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..dev.localnet import running
from ..dev.localnet import start as start_localnet
from ..dev.localnet import stop as stop_localnet
from ..errors import InputError
from ..home.accounts import existing_keystore, import_private_key
from ..units import format_duration, format_ether, format_time
from .account import new_password
from .commands import node
from .options import Duration, json_option
from .output import echo, emit
from .session import Session

if TYPE_CHECKING:
    from ..chain.client import Chain


@node.command()
@click.option(
    "--chain-port",
    type=click.IntRange(1, 65535),
    envvar="DEAI_GOV_CHAIN_PORT",
    help="anvil's port (env DEAI_GOV_CHAIN_PORT)  [default: 8545]",
)
@click.option(
    "--ipfs-port",
    type=click.IntRange(1, 65535),
    envvar="DEAI_GOV_IPFS_PORT",
    help="The IPFS API port (env DEAI_GOV_IPFS_PORT)  [default: 5001]",
)
@click.option("--no-ipfs", is_flag=True, help="Start the chain only.")
@click.option(
    "--block-time",
    type=click.FloatRange(min=0, max=3600),
    default=1.0,
    show_default=True,
    help="Seconds between blocks, so time passes as on a real chain; 0 mines a block only per transaction.",
)
@click.option(
    "--deploy",
    is_flag=True,
    help="Also deploy a DAO with votes in minutes, tokens for dev1-dev3 (delegated); kept across restarts.",
)
@json_option
@click.pass_obj
def start(
    session: Session, chain_port: int | None, ipfs_port: int | None, no_ipfs: bool, block_time: float, deploy: bool
) -> None:
    """Start the devnet in the background; chain state and IPFS blocks persist across restarts.

    While it runs, every command uses it when no network, RPC URL or deployment record is given (`--network local`
    names it): nothing to export. `--deploy` deploys the devnet's DAO (or finds the one already there).
    """
    from ..dev.localnet import deployment_record

    net = start_localnet(chain_port=chain_port, ipfs_port=ipfs_port, ipfs=not no_ipfs, block_time=block_time or None)
    deployed: dict[str, Any] | None = None
    if deploy:
        from ..chain.client import connect
        from ..dev.localnet import deploy_local_dao

        deployment, fresh = deploy_local_dao(connect(net.rpc_url), on_step=lambda text: echo(f"  {text}", err=True))
        deployed = {"record": str(deployment_record()), "new": fresh, "addresses": deployment.addresses}
    record = deployment_record()
    data = net.to_json() | {"deployment": deployed or ({"record": str(record)} if record.exists() else None)}

    def render() -> None:
        blocks = f"a block every {block_time:g} s" if block_time else "a block per transaction"
        echo(f"chain {net.rpc_url} ({blocks})" + (f", IPFS API {net.ipfs_api}" if net.ipfs_api else ""))
        if net.ipfs_note:
            echo(f"no IPFS node: {net.ipfs_note}")
        if deployed is not None:
            how = "deployed" if deployed["new"] else "already deployed"
            echo(f"DAO {how}: governor {deployed['addresses']['governor']} (record {deployed['record']})")
            echo("votes open 1 minute after a proposal and last 10; dev1, dev2 and dev3 hold delegated tokens")
        echo("every command now uses this devnet when given no network (for other shells and scripts:)")
        for line in net.exports(record if record.exists() else None):
            echo(f"  {line}")
        echo("funded development accounts: `deai-gov node accounts` (add --import dev to sign with --account dev1)")

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
            echo(f"{a.index:>2}  {a.address}  {format_ether(a.balance_wei)} ETH{alias}")
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
    """Whether the devnet runs, where, and its DAO's record."""
    from ..dev.localnet import deployment_record

    net = running()
    record = deployment_record()
    data = {"running": net is not None} | (net.to_json() if net else {})
    data["deployment"] = str(record) if record.exists() else None

    def render() -> None:
        if net is None:
            echo("not running (`deai-gov node start`)")
            return
        ipfs = f"IPFS API {net.ipfs_api}" if net.ipfs_api else f"no IPFS node ({net.ipfs_note or 'not started'})"
        echo(f"running: chain {net.rpc_url}, {ipfs}")
        echo(f"DAO record {record}" if record.exists() else "no DAO yet (`deai-gov node start --deploy` deploys one)")

    emit(session, data, render)
