"""A Safe multisig acting for its owners in the DAO: any of the library's transactions written as a Safe{Wallet}
Transaction Builder batch (or added to one), what a batch does in words for each owner before signing, owners'
signatures collected in a file, and the Safe transaction run once enough owners signed; a Safe's vote signed by its
owners as an ERC-1271 message and cast by anyone.

What an owner is shown is decoded from the calldata itself (never from a description written beside it), against the
DAO's own contracts: what they sign is what they read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chain.typed import sign_typed, typed_hash
from ..contracts.abi import decode_call
from ..dao.actions import Action, Proposal, SignedVote, Support, description_title
from ..dao.deployed import CONTRACT_OF_ROLE
from ..dao.governance import get_proposal, relay, unsigned_ballot
from ..dao.token import symbol
from ..errors import DeaiGovError, InputError
from ..names import checksum_address
from ..safe.collected import CollectedSignatures, merge, read_collected, write_collected
from ..safe.files import read_json_file, write_json_file
from ..safe.multisend import DEFAULT_MULTISEND, Call, safe_tx_for
from ..safe.transaction import (
    SafeState,
    SafeTx,
    execute,
    owners_signatures,
    packed,
    safe_message_typed_data,
    safe_state,
)
from ..safe.txbuilder import batch_calls, batch_file, read_batch_file, with_call
from ..units import format_amount
from .describe import DANGER, _unknown_call, describe_actions, describe_registry_call

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain.client import PreparedTx
    from ..dao.deployed import Dao

_VOTES = ("castVote", "castVoteWithReason", "castVoteWithReasonAndParams", "castOverrideVote")


def call_words(dao: Dao, call: Call) -> str:
    """What one call made by a Safe does, in words, decoded against the DAO's contracts (a call to anything else,
    or one that does not decode, is marked DANGER with its raw selector and arguments)."""
    roles = {dao.address(role).lower(): role for role in CONTRACT_OF_ROLE}
    role = roles.get(call.to.lower())
    if role is None:
        return _unknown_call(call.to, call.data, call.value)
    try:
        function, args = decode_call(CONTRACT_OF_ROLE[role], call.data)
    except ValueError:
        return f"{DANGER}call the {role} with data it does not understand 0x{call.data[:4].hex()}…"
    value = f", sending {call.value} wei" if call.value else ""
    if role == "governor":
        return _governor_words(dao, function, args) + value
    if role == "registry":
        return describe_registry_call(dao, function, args) + value
    if role == "token":
        if function == "transfer":
            return f"transfer {format_amount(args['value'])} {symbol(dao)} from the Safe to {args['to']}{value}"
        if function == "delegate":
            return f"give the Safe's voting power to {args['delegatee']}{value}"
        if function == "approve":
            return (
                f"{DANGER}allow {args['spender']} to spend {format_amount(args['value'])} {symbol(dao)} of the Safe's"
            )
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"{DANGER}{role}.{function}({rendered}){value}"


def _governor_words(dao: Dao, function: str, args: dict[str, Any]) -> str:
    if function == "propose":
        actions = tuple(
            Action(checksum_address(str(t), "target"), int(v), bytes(d))
            for t, v, d in zip(args["targets"], args["values"], args["calldatas"], strict=False)
        )
        proposal = Proposal(actions, str(args["description"]))
        lines = "; ".join(describe_actions(dao, proposal))
        return f"propose {description_title(proposal.description)!r} to the DAO, whose actions would: {lines}"
    if function in ("queue", "execute", "cancel"):
        try:
            key = (args["targets"], args["values"], args["calldatas"], args["descriptionHash"])
            proposal_id = int(dao.read("governor", "getProposalId", *key))
            title = get_proposal(dao, proposal_id)[0].title
        except DeaiGovError:
            return f"{DANGER}{function} a proposal the governor does not know"
        return f"{function} proposal {proposal_id} ({title})"
    if function in _VOTES:
        support = Support(int(args["support"])).name.lower() if int(args["support"]) in (0, 1, 2) else "?"
        verb = "override its delegate and vote" if function == "castOverrideVote" else "vote"
        reason = f", reason {args['reason']!r}" if args.get("reason") else ""
        return f"{verb} {support} on proposal {args['proposalId']} as the Safe{reason}"
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"{DANGER}governor.{function}({rendered})"


@dataclass(frozen=True)
class Exported:
    """A call written into a batch file: the file, how many calls it now holds, and the Safe's owners."""

    path: Path
    calls: int
    state: SafeState
    words: str


def export_call(dao: Dao, state: SafeState, tx: PreparedTx, path: Path) -> Exported:
    """Write `tx` as a call of the Safe `state` reads (`safe_state`) into the batch file `path`: a new file, or the
    batch it already holds for the same Safe and chain, extended (a batch runs as one Safe transaction). Nothing is
    signed or sent."""
    if tx.to is None:
        raise InputError("a Safe transaction calls a contract; deploying one from a Safe is not supported")
    call = Call(checksum_address(tx.to, "target"), tx.value, tx.data)
    words = call_words(dao, call)
    if path.exists():
        batch = read_batch_file(path)
        batch_calls(batch, chain_id=dao.chain.chain_id, safe=state.address)  # the same Safe and chain, well formed
        batch = with_call(batch, call, words)
    else:
        if not path.parent.is_dir():
            raise InputError(f"cannot write {path}: there is no folder {path.parent}")
        batch = batch_file(dao.chain.chain_id, state.address, [call], name="deai-gov", description=words)
    write_json_file(path, batch)
    return Exported(path, len(batch["transactions"]), state, words)


def signatures_path(batch_path: Path) -> Path:
    """Where the owners' signatures of a batch file are collected: beside it, `NAME.signatures.json`."""
    return batch_path.with_name(batch_path.stem + ".signatures.json")


@dataclass(frozen=True)
class SafeRequest:
    """What a Safe's owners are asked to sign, read from a file: a batch (its calls, the Safe transaction that
    makes them) or a vote; in words, with the signatures collected so far and the Safe as it is now."""

    kind: str
    state: SafeState
    words: list[str]
    collected: CollectedSignatures
    typed: dict[str, Any]
    tx: SafeTx | None = None
    vote: SignedVote | None = None

    @property
    def signed_by(self) -> list[str]:
        return list(self.collected.signatures)

    @property
    def signed_by_owners(self) -> list[str]:
        """Who signed among the Safe's owners now (an owner removed since signing no longer counts)."""
        owners = {owner.lower() for owner in self.state.owners}
        return [signer for signer in self.collected.signatures if signer.lower() in owners]

    @property
    def ready(self) -> bool:
        return len(self.signed_by_owners) >= self.state.threshold

    def to_json(self) -> dict[str, Any]:
        state = self.state
        data: dict[str, Any] = {
            "kind": self.kind,
            "safe": state.address,
            "owners": list(state.owners),
            "threshold": state.threshold,
            "actions": self.words,
            "hash": self.collected.hash,
            "signed_by": self.signed_by,
            "ready": self.ready,
            "nonce": self.tx.nonce if self.tx is not None else None,
            "safe_nonce": state.nonce,
            "operation": self.tx.operation if self.tx is not None else None,
            "proposal_id": self.vote.proposal_id if self.vote is not None else None,
            "proposal_hash": self.vote.proposal_hash if self.vote is not None else None,
        }
        return data


def read_request(dao: Dao, path: Path, *, nonce: int | None = None, multisend: str | None = None) -> SafeRequest:
    """The request in `path`: a Transaction Builder batch file (its signatures beside it, `signatures_path`) or the
    signatures file of a Safe's vote. A batch is signed at the Safe's current nonce unless `nonce` is given, or the
    nonce its signatures already use; several calls run through MultiSendCallOnly at `multisend` (by default the
    canonical deployment)."""
    data = read_json_file(path, "a batch file or a Safe's vote")
    if isinstance(data, dict) and "transactions" in data:
        return _transaction_request(dao, path, nonce, multisend)
    collected = read_collected(path)
    if collected.kind != "vote":
        raise InputError(f"{path} holds signatures of a Safe transaction: give the batch file they sign instead")
    return _vote_request(dao, collected)


def _transaction_request(dao: Dao, path: Path, nonce: int | None, multisend: str | None) -> SafeRequest:
    batch = read_batch_file(path)
    safe = str(batch["meta"].get("createdFromSafeAddress") or "")
    if not safe:
        raise InputError(f"{path} does not name the Safe it was made for (meta.createdFromSafeAddress)")
    state = safe_state(dao.chain, safe)
    calls = batch_calls(batch, chain_id=dao.chain.chain_id, safe=state.address)
    side = signatures_path(path)
    existing = read_collected(side) if side.exists() else None
    if existing is not None and existing.kind != "transaction":
        raise InputError(f"{side} holds signatures of a vote, not of this batch")
    if nonce is None:
        nonce = int(existing.details.get("nonce", state.nonce)) if existing is not None else state.nonce
    if multisend is None:
        multisend = str(existing.details.get("multisend", DEFAULT_MULTISEND)) if existing else DEFAULT_MULTISEND
    multisend = checksum_address(multisend, "MultiSendCallOnly")
    if len(calls) > 1 and not dao.chain.w3.eth.get_code(multisend):  # type: ignore[arg-type]
        raise InputError(
            f"there is no MultiSendCallOnly contract at {multisend} on this chain to run a batch of {len(calls)} calls",
            hint="pass --multisend ADDRESS of one deployed here",
        )
    tx = safe_tx_for(calls, nonce, multisend)
    typed = tx.typed_data(dao.chain.chain_id, state.address)
    details: dict[str, Any] = {"nonce": nonce} | ({"multisend": multisend} if len(calls) > 1 else {})
    fresh = CollectedSignatures("transaction", dao.chain.chain_id, state.address, "0x" + typed_hash(typed).hex(),
                                details)  # fmt: skip
    if existing is not None and existing.hash != fresh.hash:
        raise InputError(
            f"{side} holds signatures of another Safe transaction than {path} now makes (the batch, its nonce or "
            "MultiSend address changed after owners signed): their signatures cannot count"
        )
    words = [call_words(dao, call) for call in calls]
    return SafeRequest("transaction", state, words, existing or fresh, typed, tx=tx)


def vote_request(dao: Dao, safe: str, proposal_id: int, support: Support, reason: str = "") -> SafeRequest:
    """A vote of Safe `safe` for its owners to sign: the governor's ballot for the Safe (its nonce keyed by the
    proposal's content), wrapped as the Safe's `SafeMessage` (ERC-1271)."""
    state = safe_state(dao.chain, safe)
    vote, ballot = unsigned_ballot(dao, state.address, proposal_id, support, reason)
    ballot_fields = {key: value for key, value in vote.to_dict().items() if key != "signature"}
    details = {"vote": ballot_fields | {"governor": dao.address("governor")}}
    collected = CollectedSignatures("vote", dao.chain.chain_id, state.address, "", details)
    return _vote_request(dao, collected, ballot=ballot)


def _vote_request(dao: Dao, collected: CollectedSignatures, ballot: dict[str, Any] | None = None) -> SafeRequest:
    state = safe_state(dao.chain, collected.safe)
    if collected.chain_id != dao.chain.chain_id:
        raise InputError(f"the Safe's vote is for chain {collected.chain_id}, this is chain {dao.chain.chain_id}")
    data = collected.details.get("vote")
    if not isinstance(data, dict) or str(data.get("governor", "")).lower() != dao.address("governor").lower():
        raise InputError("the Safe's vote is not a ballot for this DAO's governor")
    vote = SignedVote.from_dict(data | {"signature": "0x" + "00" * 65})
    if vote.voter.lower() != state.address.lower():
        raise InputError(f"the ballot is for {vote.voter}, not for the Safe {state.address}")
    if ballot is None:
        fresh, ballot = unsigned_ballot(dao, state.address, vote.proposal_id, Support(vote.support), vote.reason)
        if (fresh.nonce, fresh.proposal_hash.lower()) != (vote.nonce, vote.proposal_hash.lower()):
            raise InputError(
                f"the Safe's ballot no longer matches proposal {vote.proposal_id} (its content changed, or the Safe "
                "has voted by signature since): its owners must sign a new one"
            )
    typed = safe_message_typed_data(dao.chain.chain_id, state.address, typed_hash(ballot))
    message_hash = "0x" + typed_hash(typed).hex()
    if collected.hash and collected.hash != message_hash:
        raise InputError("the Safe's vote file's hash is not that of its ballot: the file was changed")
    collected = CollectedSignatures("vote", collected.chain_id, state.address, message_hash, collected.details,
                                    collected.signatures)  # fmt: skip
    title = get_proposal(dao, vote.proposal_id)[0].title
    support = Support(vote.support).name.lower()
    reason = f", reason {vote.reason!r}" if vote.reason else ""
    words = [f"vote {support} on proposal {vote.proposal_id} ({title}) as the Safe{reason}"]
    return SafeRequest("vote", state, words, collected, typed, vote=vote)


def check_owner(request: SafeRequest, address: str) -> None:
    """InputError unless `address` is one of the Safe's owners now."""
    if address.lower() not in {owner.lower() for owner in request.state.owners}:
        raise InputError(f"{address} is not an owner of the Safe {request.state.address}")


def sign_request(request: SafeRequest, account: LocalAccount) -> CollectedSignatures:
    """`account`'s signature added to the request's collected signatures (InputError when it is no owner)."""
    check_owner(request, account.address)
    signature = sign_typed(account, request.typed)
    return request.collected.with_signature(account.address, signature)


def save_signatures(path: Path, request: SafeRequest, collected: CollectedSignatures) -> Path:
    """Write the collected signatures: beside a batch file, or into a vote's own file. Returns the file written."""
    target = signatures_path(path) if request.kind == "transaction" else path
    existing = read_collected(target) if target.exists() else None
    write_collected(target, merge(existing, collected))
    return target


def run_request(dao: Dao, request: SafeRequest) -> PreparedTx:
    """The transaction that carries out a request once enough owners signed, sent by anyone: the Safe's
    `execTransaction`, or the governor's `castVoteBySig` with the Safe's signatures. InputError before anything is
    sent if the signatures do not suffice or are not the owners'."""
    signatures = request.collected.signature_bytes()
    if request.tx is not None:
        return execute(request.state, dao.chain.chain_id, request.tx, signatures)
    assert request.vote is not None
    by_owner = owners_signatures(request.state, request.typed, signatures)
    vote = request.vote
    signed = SignedVote(vote.proposal_id, vote.support, vote.voter, vote.nonce, vote.reason,
                        "0x" + packed(by_owner).hex(), vote.proposal_hash)  # fmt: skip
    tx = relay(dao, signed)
    words = f"cast the vote of the Safe {vote.voter} on proposal {vote.proposal_id} "
    return dataclasses.replace(tx, description=words + f"({len(by_owner)} of {request.state.threshold} owners)")
