"""`deai-gov dao`: the deployment's addresses and parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ..dao.deploy import DaoParams, deploy_dao
from ..dao.deployed import check_wiring, guardian_words, read_settings
from ..dao.token import symbol, top_delegates
from ..errors import InputError
from ..home.addressbook import resolve_address
from ..home.config import config_home
from ..names import address_or_none
from ..units import format_amount, format_duration, parse_amount
from .commands import dao
from .options import AMOUNT, Address, Duration, json_option
from .output import console, echo, emit, shown
from .prompts import confirm
from .session import Session


@dao.command()
@json_option
@click.pass_obj
def info(session: Session) -> None:
    """Addresses, voting parameters, quorum, timelock delay, treasury and guardians."""
    from ..home.addressbook import names_of, with_name
    from ..merit.eas import schema_uid
    from ..merit.evaluation import EVALUATION_SCHEMA

    settings = read_settings(session.dao)
    symbol = settings.token_symbol
    data = settings.to_json()

    def render() -> None:
        table = Table(show_header=False, box=None)
        for role, address in data["addresses"].items():
            table.add_row(role, address)
        table.add_row("chain id", str(data["chain_id"]))
        delay, period = format_duration(data["voting_delay_s"]), format_duration(data["voting_period_s"])
        table.add_row("voting", f"delay {delay}, period {period}")
        table.add_row("proposal threshold", f"{format_amount(int(data['proposal_threshold']))} {symbol}")
        table.add_row("quorum", f"{data['quorum_percent']}% ({format_amount(int(data['quorum_now']))} {symbol} now)")
        table.add_row("late-quorum extension", format_duration(data["late_quorum_extension_s"]))
        table.add_row("timelock delay", format_duration(data["timelock_delay_s"]))
        table.add_row("treasury", f"{format_amount(int(data['treasury']))} {symbol}")

        proposals, registry = address_or_none(data["proposal_guardian"]), address_or_none(data["registry_guardian"])
        guardians = f"proposals {proposals}, registry {registry}"
        table.add_row("guardians", guardians)
        table.add_row("models / proposals", f"{data['models']} / {data['proposals']}")
        table.add_row("merit", f"{format_amount(int(data['total_merit']))} {symbol} (non-transferable votes)")
        names = names_of()
        trusted = ", ".join(with_name(a, names) for a in data["evaluators"]) or "none yet"
        table.add_row("trusted evaluators", trusted)
        policy = data["reward_policy"]
        adopted = f"{shown(policy['uri'], lines=False)} (SHA-256 {policy['digest'][:18]}…)" if policy else ""
        table.add_row("reward policy", Text(adopted or "none adopted"))  # a chain string: text, never markup
        if session.dao.records_attestation_service:
            table.add_row("evaluation schema", "0x" + schema_uid(EVALUATION_SCHEMA).hex())
        table.add_row("daoURI (EIP-4824)", Text(shown(settings.dao_uri, lines=False) or "none yet"))
        console().print(table)

    emit(session, data, render)


@dao.command()
@json_option
@click.pass_obj
def verify(session: Session) -> None:
    """Prove the deployment's wiring from chain data: code, owners, roles, links (exit 3 if any check fails)."""
    session.custom_deployment = True  # attach without refusing, to list what is wrong
    checks = check_wiring(session.dao, roles_from_logs=True)
    data = {
        "ok": all(c.ok for c in checks),
        "checks": [c.to_json() for c in checks],
    }

    def render() -> None:
        for c in checks:
            echo(f"{'ok  ' if c.ok else 'FAIL'}  {c.what}: {c.detail}")

    emit(session, data, render)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise InputError(f"{len(failed)} of {len(checks)} checks failed: {failed[0].detail}")


def _holders(values: tuple[str, ...]) -> dict[str, int]:
    holders: dict[str, int] = {}
    for value in values:
        address, sep, amount = value.partition("=")
        if not sep:
            raise InputError(f"--holder takes ADDRESS=AMOUNT, got {value!r}")
        holders[resolve_address(address, "holder")] = parse_amount(amount)
    return holders


@dao.command()
@click.option("--token-name", default="deai-gov Model Token", show_default=True)
@click.option("--token-symbol", default="MDL", show_default=True)
@click.option(
    "--voting-delay",
    type=Duration(),
    default="1d",
    show_default=True,
    help="From proposal to vote: seconds, or 90m, 48h, 2d, 1w.",
)
@click.option("--voting-period", type=Duration(1), default="7d", show_default=True, help="How long a vote lasts.")
@click.option("--quorum", "quorum_percent", type=click.IntRange(0, 100), default=4, show_default=True, help="Percent.")
@click.option("--threshold", type=AMOUNT, default="10000", show_default=True, help="Tokens needed to propose.")
@click.option(
    "--late-quorum", type=Duration(), default="2d", show_default=True, help="Vote extension when quorum comes late."
)
@click.option("--timelock-delay", type=Duration(), default="2d", show_default=True, help="From queue to execution.")
@click.option("--holder", "holders", multiple=True, metavar="ADDRESS=AMOUNT", help="Initial holder (repeatable).")
@click.option(
    "--holders-supply",
    type=AMOUNT,
    default="6000000",
    show_default=True,
    help="Tokens for the deployer if no --holder.",
)
@click.option(
    "--treasury", type=AMOUNT, default="4000000", show_default=True, help="Tokens minted to the timelock (treasury)."
)
@click.option("--guardian", type=Address("guardian"), help="Guardian address (proposal veto and model suspension).")
@click.option(
    "--eas",
    default="auto",
    show_default=True,
    metavar="auto|deploy|none|ADDRESS",
    help="Where evaluations are attested: the chain's predeployed Ethereum Attestation Service (OP-stack chains) or "
    "a new one (auto), a new one (deploy), an existing one, or none.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the deployment record.")
@json_option
@click.pass_obj
def deploy(session: Session, out: Path | None, **options: Any) -> None:
    """Deploy token, timelock, governor and registry, wire the roles, and write the deployment record."""
    if not session.network.rpc_url:
        raise InputError(
            "deploying needs a chain that keeps its state",
            hint="start the devnet (`deai-gov node start`), or pass --rpc-url or --network",
        )
    params = DaoParams(
        token_name=options["token_name"],
        token_symbol=options["token_symbol"],
        voting_delay=options["voting_delay"],
        voting_period=options["voting_period"],
        quorum_percent=options["quorum_percent"],
        proposal_threshold=options["threshold"],
        late_quorum_extension=options["late_quorum"],
        timelock_delay=options["timelock_delay"],
        holders=_holders(options["holders"]),
        holders_supply=options["holders_supply"],
        treasury=options["treasury"],
        guardian=options["guardian"],
        eas=_eas_choice(options["eas"]),
    )
    params.validate()
    chain = session.chain
    if out is None and session.network.name == "local":  # the devnet's own DAO: later commands find it there
        from ..dev.localnet import deployment_record

        out = deployment_record()
    target = out or config_home() / "deployments" / f"{chain.chain_id}.json"
    if target.exists():
        raise InputError(f"{target} already exists: choose another --out (a record is never overwritten)")
    session.refuse_safe("deploy contracts (Safe transactions call contracts); deploy from an account")
    account = session.signer()
    echo(
        f"deploy the DAO on chain {chain.chain_id} from {account.address} (7 transactions), record to {target}",
        err=True,
    )
    echo(f"  guardian: {guardian_words(chain, params.guardian)}", err=True)
    if session.dry_run:
        emit(session, {"sent": False, "record": str(target)}, lambda: echo("dry run: nothing sent", err=True))
        return
    confirm("Deploy?", yes=session.yes)
    deployment = deploy_dao(chain, account, params, on_step=lambda text: echo(f"  {text}", err=True))
    deployment.save(target)
    emit(
        session,
        {"sent": True, "record": str(target), "addresses": deployment.addresses},
        lambda: echo(
            "\n".join(f"{role:<9} {address}" for role, address in deployment.addresses.items()) + f"\nrecord: {target}"
        ),
    )


@dao.command()
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many delegates.")
@json_option
@click.pass_obj
def delegates(session: Session, top: int) -> None:
    """The delegates with the most voting power now."""
    from ..home.addressbook import names_of, with_name

    rows = [d.to_json() for d in top_delegates(session.dao, top)]
    names = names_of()

    sym = symbol(session.dao)

    def render() -> None:
        table = Table("delegate", "votes", "% of supply")
        for r in rows:
            votes = f"{format_amount(int(str(r['votes'])))} {sym}"
            table.add_row(with_name(str(r["delegate"]), names), votes, f"{r['share_percent']}")
        console().print(table if rows else "nobody has delegated yet")

    emit(session, rows, render)


def _eas_choice(text: str) -> str | None:
    """`--eas` as DaoParams takes it: auto, deploy, None for none, or a checksummed address (an account's name too)."""
    if text in ("auto", "deploy"):
        return text
    if text == "none":
        return None
    return resolve_address(text, "EAS")


@dao.command()
@click.option(
    "--publish",
    is_flag=True,
    help="Generate the documents from the chain now and publish them on IPFS (the configured node or store).",
)
@click.option("--propose", is_flag=True, help="With --publish: propose the new daoURI at once (needs --account).")
@click.option("--name", help="The DAO's name in its description (default: the governor's name).")
@click.option("--description", default="", help="A sentence on what the DAO governs.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the documents into this folder, to review them or host them elsewhere.",
)
@json_option
@click.pass_obj
def uri(session: Session, publish: bool, propose: bool, name: str | None, description: str, out: Path | None) -> None:
    """The DAO's description for the tools that index DAOs (EIP-4824 daoURI): show it, or generate it from the
    chain, publish it on IPFS and propose it.

    The description is a JSON-LD document (dao.json) naming its members, proposals (their calls, their actions in
    words and their status), activity log (proposals made, votes cast), governance (a markdown page) and contracts,
    each generated from the chain. The DAO adopts it by vote: `proposal create --dao-uri URI`, or `--propose` here.
    """
    from ..dao.registry import dao_uri, dao_uri_action
    from ..workflows.daouri import describe_dao, publish_description, write_documents

    if propose and not publish:
        raise InputError("--propose proposes the daoURI that --publish makes: give both")
    current = dao_uri(session.dao)
    if not publish and out is None:
        data = {"dao_uri": current or None}
        emit(session, data, lambda: echo(
            f"daoURI: {current}" if current else "no daoURI yet: publish one with `deai-gov dao uri --publish`"
        ))  # fmt: skip
        return
    echo("reading members, proposals, votes and contracts from the chain…", err=True)
    described = describe_dao(session.dao, name=name, description=description)
    if publish:
        described = publish_description(session.publish_store(), described)
        echo(f"published: {described.dao_uri} (documents in ipfs://{described.folder_cid}/)", err=True)
    if out is not None:
        for path in write_documents(described, out):
            echo(f"  wrote {path}", err=True)
    data = described.to_json() | {"current": current or None}
    counts = (
        f"{data['members']} members, {data['proposals']} proposals, {data['activities']} activities, "
        f"{data['contracts']} contracts"
    )
    if not propose:
        if publish:
            uri_option = f"--dao-uri {described.dao_uri}"
            echo(f"adopt it by vote: deai-gov proposal create --title 'Describe the DAO' {uri_option}", err=True)
        emit(session, data, lambda: echo(counts))
        return
    from .submit import submit

    echo(counts, err=True)
    action = dao_uri_action(session.dao, described.dao_uri)
    submit(session, [action], "Describe the DAO (EIP-4824)", f"The DAO's description: {described.dao_uri}")
