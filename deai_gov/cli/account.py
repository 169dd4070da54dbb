"""`deai-gov account`: keystores, balances, voting power and delegation."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..home.accounts import (
    create,
    existing_keystore,
    import_mnemonic,
    import_private_key,
    list_accounts,
    read_password,
)
from ..home.accounts import delete as delete_keystore
from ..home.addressbook import resolve_address
from ..units import format_amount, format_ether
from .commands import account
from .options import AMOUNT, Address, json_option
from .output import echo, emit
from .prompts import ask_hidden, confirm
from .session import Session
from .tx import transact


def new_password(session: Session) -> str:
    password = read_password(password_file=session.password_file, password_env=session.password_env)
    if password is None:
        password = ask_hidden(
            "New keystore password", alternative="pass --password-file FILE or --password-env VAR", twice=True
        )
    return password


@account.command()
@click.argument("alias")
@json_option
@click.pass_obj
def new(session: Session, alias: str) -> None:
    """Create a new key, stored encrypted under ALIAS."""
    stored = create(alias, new_password(session))
    emit(session, stored.to_json(), lambda: echo(f"{alias}: {stored.address}"))


@account.command("import")
@click.argument("alias")
@click.option("--mnemonic", is_flag=True, help="Import from a BIP-39 mnemonic instead of a private key.")
@click.option(
    "--index", type=click.IntRange(0, 2**31 - 1), default=0, help="Mnemonic account index (m/44'/60'/0'/0/N)."
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the private key or mnemonic from this file instead of a hidden prompt.",
)
@json_option
@click.pass_obj
def import_(session: Session, alias: str, mnemonic: bool, index: int, secret_file: Path | None) -> None:
    """Import a private key (or a mnemonic) as ALIAS; the secret is read hidden and never shown."""
    what = "mnemonic" if mnemonic else "private key"
    if secret_file is not None:
        try:
            secret = secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read {secret_file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"cannot read {secret_file}: it is not UTF-8 text") from None
    else:
        secret = ask_hidden(what.capitalize(), alternative="pass --secret-file FILE")
    password = new_password(session)
    stored = (
        import_mnemonic(alias, secret, password, index=index)
        if mnemonic
        else import_private_key(alias, secret, password)
    )
    emit(session, stored.to_json(), lambda: echo(f"{alias}: {stored.address}"))


@account.command("list")
@json_option
@click.pass_obj
def list_(session: Session) -> None:
    """Stored accounts and their addresses."""
    found = list_accounts()
    emit(
        session,
        [a.to_json() for a in found],
        lambda: echo("\n".join(f"{a.alias}  {a.address}" for a in found) or "no accounts yet"),
    )


@account.command()
@click.argument("alias")
@json_option
@click.pass_obj
def delete(session: Session, alias: str) -> None:
    """Delete the keystore of ALIAS (the key is lost unless backed up)."""
    existing_keystore(alias)  # an unknown alias is named before anything is asked
    confirm(
        f"Delete the keystore of {alias}? Its key is gone for good without a backup", yes=session.yes, action="delete"
    )
    delete_keystore(alias)
    emit(session, {"deleted": alias}, lambda: echo(f"deleted {alias}"))


def _address_or_signer(session: Session, address: str | None) -> str:
    if address:
        return resolve_address(address, "address")
    if session.account_alias:
        for stored in list_accounts():
            if stored.alias == session.account_alias:
                return stored.address
        raise InputError(f"no account named {session.account_alias!r}")
    raise InputError("give an ADDRESS or --account ALIAS")


@account.command()
@click.argument("address", required=False)
@json_option
@click.pass_obj
def power(session: Session, address: str | None) -> None:
    """Token balance, voting power and delegate of ADDRESS (default: --account)."""
    from ..dao.token import holding  # the chain's modules (~25 ms), here and below: the keystore commands do without
    from ..home.addressbook import names_of, with_name
    from ..names import address_or_none

    held = holding(session.dao, _address_or_signer(session, address))
    names = names_of()
    if held.delegate.lower() == held.address.lower():
        delegation = "delegates to itself"
    elif address_or_none(held.delegate) == "none":
        delegation = "has not delegated: its tokens vote only once it delegates (to itself or to another)"
    else:
        delegation = f"delegates to {with_name(held.delegate, names)}"
    emit(
        session,
        held.to_json(),
        lambda: echo(
            f"{with_name(held.address, names)}: balance {format_amount(held.balance)} {held.symbol}"
            + (f" ({format_amount(held.merit)} of it merit, not transferable)" if held.merit else "")
            + f", voting power {format_amount(held.votes)} {held.symbol}, {delegation}"
        ),
    )


@account.command()
@click.argument("address", required=False)
@json_option
@click.pass_obj
def merit(session: Session, address: str | None) -> None:
    """The grants of merit ADDRESS received (default: --account): what is left of each and when it expires."""
    from ..dao.token import merit_grants, symbol
    from ..home.addressbook import names_of, with_name
    from ..units import format_time

    who = _address_or_signer(session, address)
    grants = merit_grants(session.dao, who)
    now = session.chain.timestamp()
    sym = symbol(session.dao)

    def render() -> None:
        if not grants:
            echo(f"{with_name(who, names_of())} has no merit")
            return
        for grant in grants:
            if not grant.amount:
                state = "expired (burnt)"
            elif not grant.expires_at:
                state = "for good"
            elif grant.expires_at <= now:
                state = f"expired at {format_time(grant.expires_at)}: anyone may burn it (`account expire-merit`)"
            else:
                state = f"until {format_time(grant.expires_at, now)}"
            echo(f"grant {grant.grant_id}: {format_amount(grant.amount)} {sym}, {state}")

    emit(session, [grant.to_json() for grant in grants], render)


@account.command("expire-merit")
@click.argument("holder", metavar="ADDRESS|NAME", type=Address("merit holder"))
@click.argument("grant_id", metavar="GRANT", type=click.IntRange(min=0))
@json_option
@click.pass_obj
def expire_merit(session: Session, holder: str, grant_id: int) -> None:
    """Burn a grant of merit that has expired (anyone may): its holder's votes fall by as much."""
    from ..dao.token import expire_merit as expire_tx

    emit(session, transact(session, expire_tx(session.dao, holder, grant_id)), lambda: None)


@account.command()
@click.argument("delegatee", metavar="ADDRESS|NAME|self")
@json_option
@click.pass_obj
def delegate(session: Session, delegatee: str) -> None:
    """Give your voting power to ADDRESS, or to yourself with `self`."""
    from ..dao.token import delegate as delegate_tx

    target = session.acting_address() if delegatee == "self" else resolve_address(delegatee, "delegate")
    emit(session, transact(session, delegate_tx(session.dao, target)), lambda: None)


@account.command()
@click.argument("recipient", metavar="ADDRESS|NAME", type=Address("recipient"))
@click.argument("amount", type=AMOUNT)
@json_option
@click.pass_obj
def transfer(session: Session, recipient: str, amount: int) -> None:
    """Send AMOUNT governance tokens (e.g. 12.5) to ADDRESS."""
    from ..dao.token import transfer as transfer_tx

    emit(session, transact(session, transfer_tx(session.dao, recipient, amount)), lambda: None)


@account.command()
@click.argument("address", required=False)
@json_option
@click.pass_obj
def balance(session: Session, address: str | None) -> None:
    """Governance token and native balance of ADDRESS (default: --account)."""
    from ..dao.token import holding

    held = holding(session.dao, _address_or_signer(session, address))
    native = session.chain.balance(held.address)
    emit(
        session,
        held.to_json() | {"native_wei": str(native)},
        lambda: echo(f"{held.address}: {format_amount(held.balance)} {held.symbol}, {format_ether(native)} ETH"),
    )
