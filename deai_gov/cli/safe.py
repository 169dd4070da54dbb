"""`deai-gov safe`: what a Safe multisig's owners are asked to sign, their signatures, and the run once enough signed.

A request is a Transaction Builder batch file (written by any sending command given `--safe ADDRESS --safe-export
FILE`, or exported from Safe{Wallet}), its owners' signatures collected beside it, or a Safe's vote (written by
`proposal vote … --safe ADDRESS --safe-export FILE`), its signatures inside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .commands import safe
from .options import json_option
from .output import echo, emit
from .prompts import confirm
from .session import Session
from .tx import transact

if TYPE_CHECKING:
    from ..safe.collected import CollectedSignatures
    from ..workflows.safe_requests import SafeRequest

REQUEST = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
NONCE = click.option(
    "--nonce",
    type=click.IntRange(min=0),
    help="Sign for this Safe nonce (default: the Safe's next one, or the one the signatures so far use).",
)
MULTISEND = click.option(
    "--multisend",
    metavar="ADDRESS",
    help="MultiSendCallOnly that runs a batch of several calls (default: Safe's canonical 1.4.1 deployment).",
)


def _read(session: Session, path: Path, nonce: int | None = None, multisend: str | None = None) -> SafeRequest:
    from ..errors import InputError
    from ..workflows.safe_requests import read_request

    session.refuse_safe("sign or run a Safe's request for another Safe (the file names its Safe)")
    if not path.is_file():
        raise InputError(f"no file {path}")
    return read_request(session.dao, path, nonce=nonce, multisend=multisend)


def owner_signs(session: Session, request: SafeRequest, what: str) -> CollectedSignatures:
    """The `--account` owner's signature of the request added to those collected, once they confirm (`what` is
    what they sign, in the question)."""
    from ..workflows.safe_requests import check_owner, sign_request

    account = session.signer()
    check_owner(request, account.address)
    confirm(f"Sign {what} as {session.account_alias} ({account.address})?", yes=session.yes)
    return sign_request(request, account)


def request_lines(request: SafeRequest) -> list[str]:
    """What an owner reads before signing: each action in words, the hash, the signatures so far."""
    from ..home.addressbook import name_addresses, names_of

    state, names = request.state, names_of()
    what = "transaction" if request.kind == "transaction" else "vote (ERC-1271 message)"
    lines = [f"the Safe {state.address} ({state.threshold} of {len(state.owners)} owners) is asked to sign a {what}:"]
    lines += [f"  will: {name_addresses(words, names)}" for words in request.words]
    if request.tx is not None:
        via = " through MultiSendCallOnly (one transaction)" if request.tx.operation == 1 else ""
        lines.append(f"  Safe nonce {request.tx.nonce} (the Safe is at {state.nonce}){via}")
    lines.append(f"  hash to sign {request.collected.hash}")
    signed = request.signed_by_owners
    lines.append(
        f"  signed by {len(signed)} of {state.threshold} needed"
        + (f": {', '.join(signed)}" if signed else "")
        + ("; ready to run (deai-gov safe execute)" if request.ready else "")
    )
    return lines


@safe.command()
@REQUEST
@NONCE
@MULTISEND
@json_option
@click.pass_obj
def show(session: Session, file: Path, nonce: int | None, multisend: str | None) -> None:
    """What a Safe's request (a batch file or a Safe's vote) does, in words, and who has signed it."""
    request = _read(session, file, nonce, multisend)
    emit(session, request.to_json(), lambda: echo("\n".join(request_lines(request))))


@safe.command()
@REQUEST
@NONCE
@MULTISEND
@json_option
@click.pass_obj
def sign(session: Session, file: Path, nonce: int | None, multisend: str | None) -> None:
    """Sign a Safe's request as one of its owners, after reading what it does.

    The signature (EIP-712, no transaction, no gas) goes beside a batch file (NAME.signatures.json) or into a vote's
    file; send the file on to the next owner.
    """
    from ..errors import InputError
    from ..workflows.safe_requests import check_owner, save_signatures

    request = _read(session, file, nonce, multisend)
    echo("\n".join(request_lines(request)), err=True)
    signer = session.signer().address
    check_owner(request, signer)  # before a dry run says anything more
    if request.tx is not None and request.tx.nonce < request.state.nonce:
        raise InputError(f"the Safe is past nonce {request.tx.nonce}: this transaction can no longer run")
    if session.dry_run:
        emit(session, request.to_json() | {"signed": False}, lambda: echo("dry run: nothing signed", err=True))
        return
    written = save_signatures(file, request, owner_signs(session, request, "this"))
    after = _read(session, file, request.tx.nonce if request.tx else None, multisend)
    echo(f"signed by {signer} -> {written}", err=True)
    if after.ready:
        echo(f"enough owners signed: anyone may now run `deai-gov safe execute {file}`", err=True)
    emit(session, after.to_json() | {"signed": True, "signatures_file": str(written)}, lambda: None)


@safe.command()
@REQUEST
@MULTISEND
@json_option
@click.pass_obj
def execute(session: Session, file: Path, multisend: str | None) -> None:
    """Run a Safe's request once enough owners signed: the Safe's transaction, or its vote cast by signature.

    Any account may send it and pays its gas; the signatures are checked (owners, threshold, nonce) before anything
    is sent.
    """
    from ..workflows.safe_requests import run_request

    request = _read(session, file, multisend=multisend)
    echo("\n".join(request_lines(request)), err=True)
    tx = run_request(session.dao, request)
    emit(session, transact(session, tx) | {"safe": request.state.address, "kind": request.kind}, lambda: None)
