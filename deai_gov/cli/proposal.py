"""`deai-gov proposal`: list and read proposals, with their actions decoded into words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..display import hides_anything
from .commands import proposal
from .options import AMOUNT, MODEL, PROPOSAL_ID, STATES, SUPPORT, Address, Duration, ModelReference, json_option
from .output import HIDDEN_NOTE, cell, console, echo, emit
from .session import Session
from .tx import transact


@proposal.command()
@click.option("--title", required=True, help="Proposal title (the first line voters see).")
@click.option("--description", "body", default="", help="Proposal body (markdown; keep it short, it is on chain).")
@click.option(
    "--description-file",
    "full",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Full description published to IPFS; the proposal carries its CID.",
)
@click.option(
    "--rollback",
    "rollbacks",
    type=ModelReference(version="required"),
    multiple=True,
    metavar="NAME@VERSION",
    help="Make an earlier version of a model current again (repeatable).",
)
@click.option(
    "--retire",
    "retirements",
    type=(MODEL, str),
    multiple=True,
    metavar="NAME REASON",
    help="Retire a model for good, the reason recorded on chain (repeatable).",
)
@click.option(
    "--transfer",
    "transfers",
    type=(AMOUNT, Address("recipient")),
    multiple=True,
    metavar="AMOUNT TO",
    help="Send AMOUNT tokens from the treasury to TO (repeatable).",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Change a setting: voting-delay=1d, voting-period=7d, threshold=10000, quorum=5%, late-quorum=2d, "
    "timelock-delay=2d (repeatable).",
)
@click.option("--guardian", metavar="ADDRESS|NAME|none", help="Replace the guardians (or remove them with `none`).")
@click.option(
    "--guardian-of",
    type=click.Choice(["both", "governor", "registry"]),
    default="both",
    show_default=True,
    help="Which guardian --guardian replaces: the governor's (cancels proposals), the registry's (suspends models).",
)
@click.option(
    "--merit",
    "merits",
    type=(AMOUNT, Address("merit recipient"), str),
    multiple=True,
    metavar="AMOUNT TO REASON",
    help="Mint merit to TO for REASON: voting power it keeps and cannot transfer (repeatable; at most 1% of the "
    "supply each).",
)
@click.option(
    "--merit-lifetime",
    type=Duration(),
    metavar="DURATION",
    help="How long each --merit lasts after it is minted (e.g. 365d); anyone may burn it then. Default: for good.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Adopt this reward policy document (JSON; published to IPFS, its SHA-256 recorded on chain).",
)
@click.option(
    "--evaluator",
    "evaluators",
    type=(click.Choice(["add", "remove"]), Address("evaluator")),
    multiple=True,
    metavar="add|remove ADDRESS",
    help="Trust an evaluator's evaluations of the DAO's models, or stop trusting them (repeatable).",
)
@click.option(
    "--signer",
    "signers",
    type=(click.Choice(["trust", "distrust"]), MODEL, str),
    multiple=True,
    metavar="trust|distrust NAME KEY",
    help="Trust a key to sign a model's versions (OpenSSF model signing), or stop trusting it; KEY is a PEM key "
    "file or the key's fingerprint (repeatable).",
)
@click.option(
    "--dao-uri",
    metavar="URI",
    help="Publish where the DAO describes itself (EIP-4824 daoURI), e.g. the ipfs:// URI `dao uri --publish` prints.",
)
@click.option(
    "--call",
    "calls",
    type=(Address("call target"), str, str),
    multiple=True,
    metavar="ADDRESS SIGNATURE ARGS",
    help="Call any contract, e.g. --call 0x… 'setFee(uint256)' 30; ARGS comma-separated, '' for none (repeatable).",
)
@click.option(
    "--calldata",
    "raw_calls",
    type=(Address("call target"), str),
    multiple=True,
    metavar="ADDRESS 0xDATA",
    help="Call a contract with raw calldata, for what --call cannot spell (repeatable).",
)
@json_option
@click.pass_obj
def create(
    session: Session,
    title: str,
    body: str,
    full: Path | None,
    rollbacks: tuple[tuple[str, int], ...],
    retirements: tuple[tuple[tuple[str, int | None], str], ...],
    transfers: tuple[tuple[int, str], ...],
    merits: tuple[tuple[int, str, str], ...],
    merit_lifetime: int | None,
    settings: tuple[str, ...],
    guardian: str | None,
    guardian_of: str,
    evaluators: tuple[tuple[str, str], ...],
    signers: tuple[tuple[str, tuple[str, int | None], str], ...],
    policy_file: Path | None,
    dao_uri: str | None,
    calls: tuple[tuple[str, str, str], ...],
    raw_calls: tuple[tuple[str, str], ...],
) -> None:
    """Propose changes to the DAO itself: treasury transfers, merit, settings, guardians, evaluators, signer keys,
    reward policy, daoURI, any call, model rollbacks and retirements; combinable.

    Every value is checked before anything is sent (a setting the contracts would refuse, a call that cannot be
    encoded, a rollback to a version that cannot be made current), the actions are shown in words, and the proposal
    is sent after confirmation (`--dry-run` to simulate it whole instead). Actions run in the order: rollbacks,
    retirements, transfers, merit, settings, guardians, evaluators, signer keys, reward policy, daoURI,
    calls.
    """
    from ..dao import changes
    from ..dao.registry import (
        check_changeable,
        check_evaluator_change,
        check_rollback,
        check_signer_change,
        dao_uri_action,
        evaluator_action,
        get_model,
        retire_action,
        rollback_action,
        signer_action,
    )
    from ..dao.token import merit_action
    from ..errors import InputError
    from ..home.addressbook import resolve_address
    from ..workflows.signatures import signer_fingerprint
    from .submit import submit

    actions = []
    for name, version in rollbacks:
        check_rollback(session.dao, name, version)
        actions.append(rollback_action(session.dao, name, version))
    for (name, _), reason in retirements:
        check_changeable(session.dao, name)
        actions.append(retire_action(session.dao, name, reason))
    actions += [changes.transfer_action(session.dao, to, amount) for amount, to in transfers]
    actions += [merit_action(session.dao, to, amount, reason, merit_lifetime or 0) for amount, to, reason in merits]
    for item in settings:
        name, equals, value = item.partition("=")
        if not equals:
            raise InputError(f"--set {item!r}: write NAME=VALUE, e.g. voting-period=7d")
        actions.append(changes.setting_action(session.dao, name.strip(), value.strip()))
    if guardian is not None:
        address = None if guardian.lower() == "none" else resolve_address(guardian, "guardian")
        which = {"governor": guardian_of != "registry", "registry": guardian_of != "governor"}
        actions += changes.guardian_actions(session.dao, address, **which)
    for change, evaluator in evaluators:
        check_evaluator_change(session.dao, evaluator, change == "add")
        actions.append(evaluator_action(session.dao, evaluator, change == "add"))
    for change, (name, _), key in signers:
        if change == "trust":
            check_changeable(session.dao, name)
        else:  # a retired model's key may still be distrusted: every version it signed is flagged
            get_model(session.dao, name)
        fingerprint = signer_fingerprint(key)
        check_signer_change(session.dao, name, fingerprint, change == "trust")
        actions.append(signer_action(session.dao, name, fingerprint, change == "trust"))
    if policy_file is not None:
        actions.append(_policy(session, policy_file))
    if dao_uri is not None:
        actions.append(dao_uri_action(session.dao, dao_uri))
    for target, signature, args in calls:
        arguments = [arg.strip() for arg in args.split(",")] if args.strip() else []
        actions.append(changes.call_action(session.dao, target, signature, arguments))
    actions += [changes.calldata_action(target, data) for target, data in raw_calls]
    if not actions:
        raise InputError(
            "a proposal needs an action: --rollback, --retire, --transfer, --merit, --set, --guardian, --evaluator, "
            "--signer, --policy, --dao-uri, --call or --calldata"
        )
    submit(session, actions, title, body, full)


@proposal.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only proposals in this state.")
@json_option
@click.pass_obj
def list_proposals(session: Session, state: str | None) -> None:
    """Every proposal with its state, end of vote, tally and quorum, newest first."""
    from rich.table import Table

    from ..contracts.states import ProposalState
    from ..dao.governance import list_proposals as find_proposals

    wanted = ProposalState[state.upper()] if state else None
    found = find_proposals(session.dao, wanted)

    from ..dao.token import symbol
    from ..units import format_amount, format_time

    sym = symbol(session.dao) if found else ""

    def render() -> None:
        table = Table("id", "state", "title", "vote ends", "for / against", "quorum")
        for p in found:
            counted = p.votes_for + p.votes_abstain
            share = f"{min(999, counted * 100 // p.quorum)}%" if p.quorum else "-"
            tally = f"{format_amount(p.votes_for)} / {format_amount(p.votes_against)} {sym}"
            # text as written, no markup
            table.add_row(str(p.id), p.state.label, cell(p.title), format_time(p.deadline), tally, share)
        console().print(table if found else "no proposals")
        if hides_anything(*(p.title for p in found)):
            echo(HIDDEN_NOTE)

    emit(session, [p.to_json() for p in found], render)


def voting_times(info: Any, now: float) -> str:
    """When a proposal's vote opens or closes, and when it may execute, in dates people read."""
    from ..contracts.states import ProposalState
    from ..units import format_time

    if info.state == ProposalState.PENDING:
        return f"voting opens {format_time(info.snapshot, now)}, closes {format_time(info.deadline, now)}"
    if info.state == ProposalState.ACTIVE:
        return f"voting until {format_time(info.deadline, now)}"
    text = f"voting closed {format_time(info.deadline, now)}"
    if info.eta and info.state == ProposalState.QUEUED:
        text += f"; executable from {format_time(info.eta, now)}"
    return text


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@click.option(
    "--simulate",
    is_flag=True,
    help="Play the whole proposal out on a local fork of the chain (anvil): vote, queue, execute, and report what "
    "it changes.",
)
@json_option
@click.pass_obj
def show(session: Session, proposal_id: int, simulate: bool) -> None:
    """Title, description, decoded actions, votes, quorum and deadline of a proposal."""
    from rich.text import Text

    from ..dao.governance import outcome_words
    from ..dao.token import symbol
    from ..home.addressbook import name_addresses, names_of, with_name
    from ..units import format_amount
    from ..workflows.describe import review_proposal
    from ..workflows.simulation import check_proposal

    sources = session.sources_if_any()  # none configured: content is not checked (and the review says so)
    review = review_proposal(session.dao, sources, proposal_id)
    info, outcomes, full_description = review.info, review.simulation, review.full_description
    whole = None
    if simulate and outcomes:  # not once executed or canceled: nothing is left to simulate
        echo("simulating the whole proposal on a fork of the chain…", err=True)
        whole = check_proposal(session.dao, info.proposal, proposal_id=proposal_id)
    data = review.to_json() | {"fork_simulation": whole.to_json() if whole is not None else None}

    now = session.chain.now()
    sym = symbol(session.dao)
    names = names_of()

    def render() -> None:
        screen = console()
        # Everything a proposer wrote is printed as written: rich markup in it would restyle, hide or break the output.
        screen.print(Text.assemble((f"Proposal {info.id}: {info.proposal.title}", "bold"), f"  ({info.state.label})"))
        screen.print(f"proposed by {with_name(info.proposer, names)}; {voting_times(info, now)}", highlight=False)
        if review.dangerous:
            numbers = ", ".join(str(i) for i in review.dangerous)
            screen.print(
                f"DANGER: action{'s' if len(review.dangerous) > 1 else ''} {numbers} of {len(info.actions_in_words)} "
                "could hand over the DAO, its treasury or its registry: read them twice",
                highlight=False,
                markup=False,
            )
        screen.print(f"content hash 0x{info.proposal.content_hash.hex()} (what a vote on it binds)", highlight=False)
        if info.proposal.body:
            screen.print(info.proposal.body, highlight=False, markup=False)
        if full_description:
            screen.print(full_description, highlight=False, markup=False)
        for i, words in enumerate(info.actions_in_words, 1):
            screen.print(f"  {i}. {name_addresses(words, names)}", highlight=False, markup=False)
            if outcomes and whole is None:
                screen.print(f"     {outcome_words(outcomes[i - 1])}", highlight=False, markup=False)
        report_lines = whole.lines(info.actions_in_words) if whole is not None else []
        for line in report_lines:
            screen.print(line, highlight=False, markup=False)
        screen.print(
            f"votes: for {format_amount(info.votes_for)} {sym}, against {format_amount(info.votes_against)} {sym}, "
            f"abstain {format_amount(info.votes_abstain)} {sym}; quorum {format_amount(info.quorum)} {sym}",
            highlight=False,
        )
        for item in review.artifacts:  # after the actions and the tally: the part that depends on peers
            state = str(item.problem)
            if item.ok:
                state = "available and matches"
                if len(item.reward_shares) == 1:
                    [share] = item.reward_shares
                    state += f"; its manifest names one contributor, paid {format_amount(share.amount)} {sym}: "
                    state += with_name(share.address, names)
                elif item.reward_shares:
                    total = sum(share.amount for share in item.reward_shares)
                    parts = ", ".join(
                        f"{format_amount(share.amount)} {sym} ({share.share_bps / 100:g}%) to "
                        f"{with_name(share.address, names)}"
                        for share in item.reward_shares
                    )
                    state += f"; its contributors' reward of {format_amount(total)} {sym} follows its manifest's "
                    state += f"shares: {parts}"
            screen.print(f"  artifact of {item.name} v{item.version}: {state}", highlight=False, markup=False)
            if item.source:
                screen.print(f"    {source_words(item.source)}", highlight=False, markup=False)
            if item.signature is not None:
                screen.print(f"    {item.signature.words(item.name)}", highlight=False, markup=False)
            for line in quality_lines(item):
                screen.print(line, highlight=False, markup=False)
        for line in reward_lines(review.reward_check, sym):
            screen.print(line, highlight=False, markup=False)
        outside = [info.proposal.description, full_description or "", *info.actions_in_words, *report_lines]
        outside += [source_words(item.source) for item in review.artifacts if item.source]
        if hides_anything(*outside, *(o for o in outcomes if o)):
            echo(HIDDEN_NOTE)

    emit(session, data, render)


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@click.argument("support", type=SUPPORT)
@click.option("--reason", default="", help="Why, recorded on chain with the vote.")
@json_option
@click.pass_obj
def vote(session: Session, proposal_id: int, support: str, reason: str) -> None:
    """Vote on a proposal with your delegated voting power.

    The vote binds the proposal's content as `proposal show` prints it: if by the time it is mined the number names
    other content (after a chain reorganisation), the governor refuses it and nothing is counted.
    """
    from ..dao.governance import Support, check_timing, get_proposal
    from ..dao.governance import vote as vote_tx

    proposal, _, _ = get_proposal(session.dao, proposal_id)
    check_timing(session.dao, proposal_id, "vote")
    if session.safe is not None:
        _safe_vote(session, proposal_id, Support.parse(support), reason)
        return
    tx = vote_tx(session.dao, proposal_id, Support.parse(support), reason, proposal=proposal)
    weight = _weight_words(session, proposal_id, override=False)
    emit(session, transact(session, tx, tx.description + weight), lambda: None)


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@click.argument("support", type=SUPPORT)
@click.option("--reason", default="", help="Why, recorded on chain with the vote.")
@json_option
@click.pass_obj
def override(session: Session, proposal_id: int, support: str, reason: str) -> None:
    """Vote with your own tokens instead of letting your delegate's vote count for them."""
    from ..dao.governance import Support, check_timing, override_vote

    check_timing(session.dao, proposal_id, "vote")
    tx = override_vote(session.dao, proposal_id, Support.parse(support), reason)
    weight = _weight_words(session, proposal_id, override=True)
    emit(session, transact(session, tx, tx.description + weight), lambda: None)


def _safe_vote(session: Session, proposal_id: int, support: Any, reason: str) -> None:
    """A Safe's vote: its ballot written into the `--safe-export` file for the owners to sign (ERC-1271), signed
    at once by `--account` when it is one of them; anyone casts it once enough signed (`safe execute`)."""
    from ..errors import InputError
    from ..workflows.safe_requests import read_request, save_signatures, vote_request
    from .safe import owner_signs, request_lines

    path = session.safe_export
    if path is None:
        raise InputError(
            "a Safe votes through its owners' signatures: name the file that collects them with --safe-export FILE"
        )
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: there is no folder {path.parent}")
    safe = session.acting_address()
    weight = _weight_words(session, proposal_id, override=False)
    request = vote_request(session.dao, safe, proposal_id, support, reason)
    echo("\n".join(request_lines(request)) + (f"\n  the Safe votes{weight}" if weight else ""), err=True)
    if session.dry_run:
        emit(session, request.to_json() | {"signed": False}, lambda: echo("dry run: nothing written", err=True))
        return
    collected = request.collected
    if session.account_alias:
        collected = owner_signs(session, request, "this vote")
    save_signatures(path, request, collected)
    after = read_request(session.dao, path)
    echo(request_lines(after)[-1].strip(), err=True)
    echo(
        f"written to {path}: each owner signs it with `deai-gov --account OWNER safe sign {path}`, then anyone "
        f"casts it with `deai-gov safe execute {path}`",
        err=True,
    )
    emit(session, after.to_json() | {"ballot_file": str(path)}, lambda: None)


def _weight_words(session: Session, proposal_id: int, *, override: bool) -> str:
    """What the signer's vote counts for, in words (empty when the proposal is not open for votes); a vote that
    would count for nothing is refused by the library before anything is asked."""
    from ..dao.governance import check_vote_weight
    from ..units import format_amount

    # The signer (and its password) is asked for only once the proposal is known and open.
    weight = check_vote_weight(session.dao, proposal_id, session.acting_address, override=override)
    return "" if weight is None else f" with {format_amount(weight)} votes"


def _lifecycle(session: Session, proposal_id: int, step: str) -> None:
    from ..dao import governance

    governance.check_timing(session.dao, proposal_id, step)
    tx = getattr(governance, step)(session.dao, proposal_id)
    emit(session, transact(session, tx), lambda: None)


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@json_option
@click.pass_obj
def queue(session: Session, proposal_id: int) -> None:
    """Queue a succeeded proposal in the timelock."""
    _lifecycle(session, proposal_id, "queue")


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@json_option
@click.pass_obj
def execute(session: Session, proposal_id: int) -> None:
    """Execute a queued proposal once the timelock delay has passed."""
    _lifecycle(session, proposal_id, "execute")


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@json_option
@click.pass_obj
def cancel(session: Session, proposal_id: int) -> None:
    """Cancel a proposal: the guardian until it executes; its proposer while pending (any time if no guardian)."""
    _lifecycle(session, proposal_id, "cancel")


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@json_option
@click.pass_obj
def votes(session: Session, proposal_id: int) -> None:
    """Who voted on a proposal, how, with what weight and why (overrides of delegates included)."""
    from rich.table import Table

    from ..dao.governance import ballots
    from ..dao.token import symbol
    from ..home.addressbook import names_of, with_name
    from ..units import format_amount

    found = ballots(session.dao, proposal_id)
    names = names_of()
    sym = symbol(session.dao)

    def render() -> None:
        if not found:
            echo(f"nobody has voted on proposal {proposal_id} yet")
            return
        table = Table("voter", "vote", "weight", "reason")
        for ballot in found:
            who = with_name(ballot.voter, names)
            how = ballot.support.name.lower() + (" (override)" if ballot.override else "")
            weight = f"{format_amount(ballot.weight)} {sym}"
            if ballot.weight != ballot.cast_weight:
                weight += f" (of {format_amount(ballot.cast_weight)}: delegators overrode the rest)"
            reason = ballot.reason if len(ballot.reason) <= 80 else ballot.reason[:79] + "…"
            table.add_row(who, how, weight, cell(reason))  # text as written, no markup
        console().print(table)
        if hides_anything(*(b.reason for b in found)):
            echo(HIDDEN_NOTE, err=True)

    emit(session, [ballot.to_json() for ballot in found], render)


@proposal.command("sign-vote")
@click.argument("proposal_id", type=PROPOSAL_ID)
@click.argument("support", type=SUPPORT)
@click.option("--reason", default="", help="Why, recorded on chain with the vote.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File for the signed vote.")
@click.option(
    "--offline",
    is_flag=True,
    help="No RPC at all: domain from the deployment record, first nonce; needs --content-hash.",
)
@click.option(
    "--content-hash",
    default=None,
    metavar="0xHASH",
    help="With --offline: the proposal's content hash, as `proposal show` prints it; the signature binds it.",
)
@json_option
@click.pass_obj
def sign_vote(
    session: Session, proposal_id: int, support: str, reason: str, out: Path, offline: bool, content_hash: str | None
) -> None:
    """Sign a vote (EIP-712) into a file that anyone can relay; nothing is sent."""
    import json

    from ..dao.deploy import Deployment
    from ..dao.governance import Support, sign_ballot
    from ..dao.governance import sign_vote as sign
    from ..errors import InputError
    from ..names import parse_hash32

    session.refuse_safe("sign a vote with one key: use `proposal vote ID SUPPORT` with --safe and --safe-export")
    if not out.parent.is_dir():
        raise InputError(f"cannot write {out}: there is no folder {out.parent}")
    if content_hash is not None and not offline:
        raise InputError("--content-hash is for --offline signing; online, the hash is read from the chain")
    if offline:
        if session.network.deployment is None:
            raise InputError("signing offline needs the deployment record", hint="pass --deployment FILE")
        if content_hash is None:
            raise InputError(
                "signing offline needs the proposal's content hash: the signature binds it",
                hint="pass --content-hash 0x… as `proposal show` prints it",
            )
        record = Deployment.load(session.network.deployment)
        vote = sign_ballot(
            session.signer(),
            governor=record.governor,
            governor_name=str(record.params.get("governor_name", "deai-gov Governor")),
            chain_id=record.chain_id,
            proposal_id=proposal_id,
            content_hash=parse_hash32(content_hash, "--content-hash"),
            support=Support.parse(support),
            reason=reason,
        )
    else:
        vote = sign(session.dao, session.signer(), proposal_id, Support.parse(support), reason)
    try:
        out.write_text(json.dumps(vote.to_dict(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}") from None
    emit(session, vote.to_dict(), lambda: echo(f"signed: {support} on proposal {proposal_id} -> {out}"))


@proposal.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--relayer",
    metavar="URL",
    help="Hand the votes to a relayer (`deai-gov relay serve`) at URL, which pays the gas, instead of --account.",
)
@json_option
@click.pass_obj
def relay(session: Session, files: tuple[Path, ...], relayer: str | None) -> None:
    """Submit signed votes (files from sign-vote); the relaying account pays the gas."""
    import json

    from ..dao.governance import SignedVote
    from ..dao.governance import relay as relay_tx
    from ..errors import InputError

    votes = []  # every file is read and checked before anything is sent
    for path in files:
        try:
            votes.append((path, SignedVote.from_dict(json.loads(path.read_text(encoding="utf-8")))))
        except InputError as exc:  # its words begin "not a signed vote"
            raise InputError(f"{path} is {exc}") from None
        except ValueError:
            raise InputError(f"{path} is not a signed vote: not JSON from sign-vote") from None
    if relayer is not None:
        _remote_relay(session, relayer, votes)
        return
    results = []
    for path, vote in votes:
        tx = relay_tx(session.dao, vote)
        results.append(transact(session, tx, f"relay {path.name}: {vote.voter} on proposal {vote.proposal_id}"))
    emit(session, results, lambda: None)


def _remote_relay(session: Session, url: str, votes: list[tuple[Path, Any]]) -> None:
    """Each signed vote posted to the relayer at `url`, in order; stops at the first it refuses."""
    from ..errors import InputError
    from ..web.relay_client import submit as submit_remote

    if session.dry_run:
        raise InputError("--dry-run simulates from an account: a remote relayer checks and sends on its own")
    receipts = []
    for path, vote in votes:
        receipt = submit_remote(url, "vote", vote.to_dict())
        again = " (relayed before: the same answer)" if receipt.get("repeated") else ""
        echo(f"relayed {path.name}: {vote.voter} on proposal {vote.proposal_id}, tx {receipt.get('tx_hash')}{again}",
             err=True)  # fmt: skip
        receipts.append(receipt)
    emit(session, receipts, lambda: None)


@proposal.command()
@click.argument("proposal_id", type=PROPOSAL_ID)
@click.option(
    "--until",
    "target",
    type=click.Choice([*STATES, "executable"]),
    help="State to wait for (required); `executable`: queued and its timelock delay over.",
)
@click.option(
    "--timeout", type=Duration(), default="1h", show_default=True, help="How long to wait: 3600, 90s, 30m, 2h, 1d."
)
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=12, show_default=True, help="Seconds between checks."
)
@json_option
@click.pass_obj
def wait(session: Session, proposal_id: int, target: str | None, timeout: float, interval: float) -> None:
    """Wait until a proposal reaches a state (exit 3 if it ends in another final state, 1 on time-out)."""

    from ..contracts.states import ProposalState
    from ..dao.governance import next_moment, wait_for_state, wait_until_executable
    from .progress import WaitCountdown

    if target is None:
        raise click.UsageError(f"Missing option '--until' (one of {', '.join(STATES)}, executable)")
    countdown = WaitCountdown(proposal_id, target)
    with console(stderr=True).status(countdown):

        def show(current: ProposalState) -> None:
            countdown.seen(current, next_moment(session.dao, proposal_id, current), session.dao.chain.timestamp())

        if target == "executable":
            wait_until_executable(session.dao, proposal_id, timeout=timeout, interval=interval, on_change=show)
            reached = ProposalState.QUEUED
        else:
            wanted = ProposalState[target.upper()]
            reached = wait_for_state(
                session.dao, proposal_id, wanted, timeout=timeout, interval=interval, on_change=show
            )
    data = {"id": proposal_id, "state": reached.label, "executable": target == "executable"}
    words = "is executable" if target == "executable" else reached.phrase
    emit(session, data, lambda: echo(f"proposal {proposal_id} {words}"))


def quality_lines(item: Any) -> list[str]:
    """What evaluations say about a proposed version (`ProposedArtifact.quality`), a line per benchmark metric, the
    addresses named from the address book."""
    from ..home.addressbook import name_addresses, names_of
    from ..units import format_fixed

    names = names_of()

    if not item.quality:
        note = item.quality_note
        return [f"    evaluations: {note}"] if note and "no attestation service" not in note else []
    lines = []
    for c in item.quality:
        better = "higher" if c.higher_is_better else "lower"
        plural = "s" if len(c.candidate) > 1 else ""
        by = "reproduced by" if c.reproduced else "by"
        candidate = (
            f"{format_fixed(c.candidate_value)} {by} {len(c.candidate)} trusted evaluator{plural}"
            if c.candidate_value is not None
            else "not evaluated"
        )
        baseline = (
            f"the current version's {format_fixed(c.baseline_value)}"
            if c.baseline_value is not None
            else "no current value"
        )
        delta = f" ({'+' if c.delta > 0 else ''}{format_fixed(c.delta)})" if c.delta is not None else ""
        flags = f"; flagged: {', '.join(c.flags)}" if c.flags else ""
        untrusted = f"; not counted (not trusted by the DAO): {', '.join(c.not_counted)}" if c.not_counted else ""
        line = f"    {c.benchmark} {c.metric} ({better} is better): {candidate}, against {baseline}{delta}{flags}"
        lines.append(name_addresses(line + untrusted, names))
    return lines


def _policy(session: Session, path: Path) -> Any:
    """The action adopting the reward policy at `path`: checked, then published (on a dry run, its CID computed
    only)."""
    from ..errors import InputError
    from ..ipfs.blockcid import to_text
    from ..ipfs.importer import import_bytes
    from ..merit.policy import MAX_POLICY, read_policy
    from ..workflows.rewards import policy_action
    from .submit import content_store

    try:
        document = path.read_bytes()[: MAX_POLICY + 1]
    except OSError as exc:
        raise InputError(f"cannot read reward policy {path}: {exc.strerror or exc}") from None
    try:
        read_policy(document)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    store = content_store(session)
    if store is None:
        cid = to_text(import_bytes(document, lambda _cid, _data: None).cid)
    else:
        cid = to_text(store.import_dag(lambda sink: import_bytes(document, sink).cid))
    echo(f"reward policy {path.name}: ipfs://{cid}", err=True)
    return policy_action(session.dao, document, cid)


def reward_lines(check: dict[str, Any] | None, sym: str) -> list[str]:
    """The adopted reward policy applied to a proposal (`ProposalReview.reward_check`), in lines."""
    from ..units import format_fixed

    if check is None:
        return []
    if check.get("note"):
        return [f"  reward policy: {check['note']}"]
    lines = [
        f"  reward policy {check['policy'][:18]}…: gives {format_fixed(int(check['tokens_allowed']))} {sym} and "
        f"{format_fixed(int(check['merit_allowed']))} {sym} of merit; the proposal pays "
        f"{format_fixed(int(check['tokens_paid']))} {sym} and mints {format_fixed(int(check['merit_minted']))} {sym} "
        "of merit"
    ]
    for version in check["versions"]:
        for metric in version["metrics"]:
            candidate = "-" if metric["candidate"] is None else format_fixed(int(metric["candidate"]))
            baseline = "-" if metric["baseline"] is None else format_fixed(int(metric["baseline"]))
            lines.append(f"    {metric['metric']}: {candidate} against best {baseline}: {metric['note']}")
    lines += [f"    flagged: {flag}" for flag in check["flags"]]
    return lines


def source_words(source: dict[str, str]) -> str:
    """Where a version came from, as its manifest says, in one line (the manifest's text, shown as written)."""
    kind = source.get("kind", "")
    if kind == "mlflow":
        run = f", run {source['run_id']}" if source.get("run_id") else ""
        model, version = source.get("model", "?"), source.get("version", "?")
        return f"from MLflow {source.get('server', '?')}: {model} version {version}{run}"
    if kind == "huggingface":
        said = f"from the Hugging Face Hub: {source.get('repo', '?')} at commit {source.get('commit', '?')}"
        if source.get("revision") and source.get("revision") != source.get("commit"):
            said += f" ({source['revision']})"
        if source.get("base_model"):
            found = source.get("base_model_in_dao")
            said += f"; base model {source['base_model']}" + (f", in this DAO as {found}" if found else "")
        return said
    return "from " + ", ".join(f"{key} {value}" for key, value in source.items())
