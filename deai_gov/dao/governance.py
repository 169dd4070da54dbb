"""Proposals and votes on the DAO's OpenZeppelin Governor.

A proposal is a list of `Action`s (target, value, calldata) and a description. Descriptions end with
`#proposer=<address>` by default: the governor then refuses the same proposal from anyone else, which stops a
front-runner from submitting (and so controlling) it first. Proposal ids are sequential (1, 2, 3...).
The governor stores no proposal contents, so queue/execute/cancel read them back from `ProposalCreated` logs.

Every transaction here is a `PreparedTx` (`propose`, `vote`, `override_vote`, `relay`, `queue`, `execute`,
`cancel`) for `chain.simulate` and `chain.send`; reads are `ReadCall`s in JSON-RPC batches.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.client import Chain, PreparedTx, eth_calls
from ..chain.logs import block_at_timestamp, iter_logs, logs_in_receipt
from ..chain.typed import NAMED_DOMAIN, sign_typed, typed_signer
from ..contracts.states import ProposalState
from ..errors import DeaiGovError, DuplicateProposalError, InputError, TransactionError, WaitTimeout
from .actions import Action, Proposal, SignedVote, Support, description_title, with_proposer_suffix

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from .deployed import Dao

__all__ = [
    "Action",
    "Ballot",
    "NextMoment",
    "Proposal",
    "ProposalState",
    "ProposalSummary",
    "SignedVote",
    "Support",
    "ballot_nonce_key",
    "ballots",
    "build_proposal",
    "cancel",
    "check_timing",
    "check_vote_weight",
    "execute",
    "existing_proposal_id",
    "get_proposal",
    "list_proposals",
    "next_moment",
    "outcome_words",
    "override_vote",
    "propose",
    "queue",
    "relay",
    "sign_ballot",
    "sign_vote",
    "simulate_actions",
    "state",
    "timelock_operation_id",
    "timelock_salt",
    "vote",
    "vote_weight",
    "wait_for_state",
    "with_proposer_suffix",
    "would_succeed",
]

GOVERNOR = "ModelGovernor"


@dataclass(frozen=True)
class ProposalSummary:
    """One line of a proposal list."""

    id: int
    state: ProposalState
    proposer: str
    title: str
    block: int
    deadline: int = 0  # when its vote ends (unix seconds, extensions included)
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    quorum: int = 0  # votes (for and abstain) it needs, at its snapshot

    def to_json(self) -> dict[str, Any]:
        """Token amounts as strings of base units."""
        return {
            "id": self.id,
            "state": self.state.label,
            "proposer": self.proposer,
            "title": self.title,
            "deadline": self.deadline,
            "votes": {
                "for": str(self.votes_for),
                "against": str(self.votes_against),
                "abstain": str(self.votes_abstain),
            },
            "quorum": str(self.quorum),
        }


def list_proposals(dao: Dao, state: ProposalState | None = None) -> list[ProposalSummary]:
    """Every proposal of the DAO (newest first), optionally only those in `state`: one log query per block
    range for the `ProposalCreated` events, and the states read in JSON-RPC batches.

    Args:
        dao: The DAO (`Dao.attach`).
        state: Only the proposals in this state now; None for all of them.

    Returns:
        One `ProposalSummary` per proposal (id, state, proposer, title, block of creation), newest first.

    Raises:
        ChainError: The node could not be reached.
    """
    created = list(
        iter_logs(
            dao.chain,
            GOVERNOR,
            dao.address("governor"),
            "ProposalCreated",
            from_block=dao.deployment.block,
            fields={"proposalId", "proposer", "description"},
        )
    )
    ids = [int(log.args["proposalId"]) for log in created]
    answers = dao.read_many([dao.call("governor", function, pid) for pid in ids for function in _LISTED])
    rows = [answers[i * len(_LISTED) : (i + 1) * len(_LISTED)] for i in range(len(ids))]
    kept = [(log, pid, row) for log, pid, row in zip(created, ids, rows, strict=True) if state in (None, row[0])]
    # a pending proposal's snapshot is ahead of the chain: its quorum as it would be now
    now = dao.chain.timestamp() - 1
    quorums = (
        dao.read_many([dao.call("governor", "quorum", min(int(row[2]), now)) for _, _, row in kept]) if kept else []
    )
    found = [
        ProposalSummary(
            pid,
            ProposalState(current),
            log.args["proposer"],
            description_title(log.args["description"]),
            log.block,
            int(deadline),
            int(for_),
            int(against),
            int(abstain),
            int(quorum),
        )
        for (log, pid, (current, deadline, _, (against, for_, abstain))), quorum in zip(kept, quorums, strict=True)
    ]
    return sorted(found, key=lambda p: -p.id)


#: What `list_proposals` reads of each proposal, in one batch.
_LISTED = ("state", "proposalDeadline", "proposalSnapshot", "proposalVotes")


@dataclass(frozen=True)
class Ballot:
    """One vote on a proposal, as its events record it: a delegate's vote (`override` False) or a delegator's
    override. `weight` is what it counts for now: a delegate's vote less the balances of the delegators who overrode
    it after it was cast (`VoteReduced`)."""

    voter: str
    support: Support
    weight: int
    cast_weight: int
    reason: str
    override: bool
    block: int
    tx_hash: str

    def to_json(self) -> dict[str, Any]:
        """Token amounts as strings of base units."""
        return {
            "voter": self.voter,
            "support": self.support.name.lower(),
            "weight": str(self.weight),
            "cast_weight": str(self.cast_weight),
            "reason": self.reason,
            "override": self.override,
            "block": self.block,
            "tx_hash": self.tx_hash,
        }


def ballots(dao: Dao, proposal_id: int) -> list[Ballot]:
    """Who voted on a proposal and how, oldest first, from the governor's vote events since the proposal was made.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: The proposal.

    Returns:
        One `Ballot` per vote and per override, with its reason (text as written by the voter: show it as such).

    Raises:
        InputError: There is no such proposal.
        ChainError: The node could not be reached.
    """
    _, _, created = get_proposal(dao, proposal_id)
    governor = dao.address("governor")
    events = ("VoteCast", "VoteCastWithParams", "OverrideVoteCast", "VoteReduced")
    logs = sorted(
        (
            (event, log)
            for event in events
            for log in iter_logs(dao.chain, GOVERNOR, governor, event, from_block=created)
            if int(log.args["proposalId"]) == proposal_id
        ),
        key=lambda pair: (pair[1].block, pair[1].log_index),
    )
    found: list[Ballot] = []
    reduced: dict[str, int] = {}
    for event, log in logs:
        args = log.args
        if event == "VoteReduced":
            delegate = str(args["delegate"]).lower()
            reduced[delegate] = reduced.get(delegate, 0) + int(args["weight"])
            continue
        weight = int(args["weight"])
        found.append(
            Ballot(
                str(args["voter"]),
                Support(int(args["support"])),
                weight,
                weight,
                str(args.get("reason", "")),
                event == "OverrideVoteCast",
                log.block,
                log.tx_hash,
            )
        )
    return [
        dataclasses.replace(b, weight=b.cast_weight - reduced.get(b.voter.lower(), 0)) if not b.override else b
        for b in found
    ]


def existing_proposal_id(dao: Dao, proposal: Proposal) -> int | None:
    """Id of an identical proposal already submitted (same actions and description), if any."""
    try:
        return int(dao.read("governor", "getProposalId", *proposal.args()))
    except TransactionError:  # GovernorNonexistentProposal
        return None


def build_proposal(
    dao: Dao, proposer: str, actions: list[Action], description: str, *, proposer_suffix: bool = True
) -> Proposal:
    """The proposal `proposer` would submit; InputError if it is empty, DuplicateProposalError (an InputError
    carrying the existing id) if an identical one was already submitted.

    Args:
        dao: The DAO (`Dao.attach`).
        proposer: The address that will send it (`propose`).
        actions: What the timelock runs if it passes, in order: `registry.register_action`,
            `token.reward_action`, `deai_gov.dao.changes`...
        description: Markdown; its first line, `# Title`, is the title voters see.
        proposer_suffix: Append `#proposer=<proposer>` to the description, so that the governor accepts this
            proposal from `proposer` only (nobody can front-run it).

    Returns:
        The proposal, ready for `propose`: actions and final description, whose hash with the actions is its id.

    Raises:
        DuplicateProposalError: An identical proposal exists; its id is in `proposal_id`.
        InputError: No action, or no description.
        ChainError: The node could not be reached.
    """
    if not actions:
        raise InputError("a proposal needs at least one action")
    if not description.strip():
        raise InputError("a proposal needs a description (at least a title)")
    text = with_proposer_suffix(description, proposer) if proposer_suffix else description
    proposal = Proposal(tuple(actions), text)
    existing = existing_proposal_id(dao, proposal)
    if existing is not None:
        raise DuplicateProposalError(existing)
    return proposal


def propose(dao: Dao, proposal: Proposal) -> PreparedTx:
    """Submit `proposal` (from `build_proposal`); the outcome is the new proposal's id, read from the receipt.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal: From `build_proposal`, for the account that sends this transaction.

    Returns:
        The transaction, for `chain.client.send`, whose `TxResult.outcome` is then the new proposal's id. Sending
        raises TransactionError (nothing sent) when the sender's votes are below the proposal threshold or the
        proposal was built for another proposer.
    """
    governor = dao.address("governor")

    def proposal_id(receipt: Any) -> int:
        created = logs_in_receipt(receipt, GOVERNOR, governor, "ProposalCreated")
        found = int(created[0]["proposalId"])
        _remember(dao, found, (proposal, created[0]["proposer"], int(receipt["blockNumber"])))
        return found

    args = (proposal.targets, proposal.values, proposal.calldatas, proposal.description)
    return dao.prepare("governor", "propose", args, f"propose: {proposal.title}", read_outcome=proposal_id)


def state(dao: Dao, proposal_id: int) -> ProposalState:
    """The proposal's state; InputError if there is no such proposal."""
    try:
        return ProposalState(dao.read("governor", "state", proposal_id))
    except TransactionError as exc:
        raise InputError(str(exc)) from None


def _remember(dao: Dao, proposal_id: int, found: tuple[Proposal, str, int]) -> tuple[Proposal, str, int]:
    dao.proposals_read[proposal_id] = found
    return found


def get_proposal(dao: Dao, proposal_id: int) -> tuple[Proposal, str, int]:
    """(proposal, proposer, block) of proposal `proposal_id`, read from its `ProposalCreated` log.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: The proposal's number.

    Returns:
        The proposal (actions and description), the address that proposed it, and the block it was created in.

    Raises:
        InputError: There is no such proposal.
        DeaiGovError: The governor knows it but the node no longer has its log (a pruned node).
        ChainError: The node could not be reached.
    """
    state(dao, proposal_id)  # fails early and clearly for unknown ids
    seen = dao.proposals_read.get(proposal_id)
    if seen is not None and existing_proposal_id(dao, seen[0]) == proposal_id:
        return seen
    # The proposal was created `votingDelay` before its snapshot: start the log search at that block, and fall
    # back to the whole history in case the delay has been changed since.
    snapshot, delay = dao.read_many(
        [dao.call("governor", "proposalSnapshot", proposal_id), dao.call("governor", "votingDelay")]
    )
    likely_start = block_at_timestamp(dao.chain, int(snapshot) - int(delay) - 1, low=dao.deployment.block)
    found = _created_log(dao, proposal_id, likely_start)
    if found is None and dao.chain.log_index is not None:  # a damaged or edited cache: read the node itself
        dao.chain.log_index.discard()
        found = _created_log(dao, proposal_id, likely_start)
    if found is None:
        raise DeaiGovError(
            f"proposal {proposal_id} exists but no ProposalCreated log holding what the governor knows it by was "
            "found (a pruned node, or one that answers logs wrongly)"
        )
    return _remember(dao, proposal_id, found)


def _created_log(dao: Dao, proposal_id: int, likely_start: int) -> tuple[Proposal, str, int] | None:
    """The `ProposalCreated` log of `proposal_id` whose contents the governor confirms (`getProposalId` of its
    actions and description is that id): a log as a cache or a node serves it is only believed when it is what
    the chain holds."""
    for start in dict.fromkeys((likely_start, dao.deployment.block)):
        created = iter_logs(
            dao.chain, GOVERNOR, dao.address("governor"), "ProposalCreated", from_block=start, raw={"description"}
        )
        for log in created:
            args = log.args
            if int(args["proposalId"]) != proposal_id:
                continue
            actions = tuple(
                Action(t, int(v), bytes(c))
                for t, v, c in zip(args["targets"], args["values"], args["calldatas"], strict=True)
            )
            proposal = _proposal(actions, args["description"])
            if existing_proposal_id(dao, proposal) == proposal_id:
                return proposal, args["proposer"], log.block
    return None


def _proposal(actions: tuple[Action, ...], description: bytes) -> Proposal:
    """A proposal read from its log: its description as text, and its exact bytes when they are not UTF-8."""
    try:
        return Proposal(actions, description.decode("utf-8"))
    except UnicodeDecodeError:
        return Proposal(actions, description.decode("utf-8", errors="replace"), description)


def timelock_salt(dao: Dao, proposal: Proposal) -> bytes:
    """The salt GovernorTimelockControl schedules a proposal with: the governor's address XOR description hash."""
    governor = bytes.fromhex(dao.address("governor")[2:]).ljust(32, b"\0")
    return bytes(a ^ b for a, b in zip(governor, proposal.description_hash, strict=True))


def timelock_operation_id(dao: Dao, proposal: Proposal) -> bytes:
    """The timelock operation id of `proposal` (a hash of its actions and salt)."""
    args = (proposal.targets, proposal.values, proposal.calldatas, bytes(32), timelock_salt(dao, proposal))
    return bytes(dao.read("timelock", "hashOperationBatch", *args))


def vote(
    dao: Dao, proposal_id: int, support: Support, reason: str = "", *, proposal: Proposal | None = None
) -> PreparedTx:
    """Vote with the sender's delegated voting power at the proposal's snapshot.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: An active proposal.
        support: `Support.FOR`, `Support.AGAINST` or `Support.ABSTAIN`.
        reason: Stored on chain in the `VoteCast` event; empty for none.
        proposal: The proposal the voter was shown (`get_proposal`). The vote then binds its content: it carries the
            content hash as the vote's params, and the governor refuses the vote (nothing counted) if by the time it
            is mined `proposal_id` names other content, after a chain reorganisation for instance.

    Returns:
        The transaction, for `chain.client.send`. Sending raises TransactionError (nothing sent) when the
        proposal is not active or the sender has voted on it already. A sender with no votes delegated at the
        snapshot would use up its vote for nothing: `check_vote_weight` says so first.
    """
    words = f"vote {support.name.lower()} on proposal {proposal_id}"
    if proposal is not None:
        words += f" ({proposal.title})"
        args = (proposal_id, int(support), reason, proposal.content_hash)
        return dao.prepare("governor", "castVoteWithReasonAndParams", args, words)
    if reason:
        return dao.prepare("governor", "castVoteWithReason", (proposal_id, int(support), reason), words)
    return dao.prepare("governor", "castVote", (proposal_id, int(support)), words)


def override_vote(dao: Dao, proposal_id: int, support: Support, reason: str = "") -> PreparedTx:
    """Vote with the sender's own tokens against (or with) how its delegate voted, overriding that share.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: An active proposal.
        support: `Support.FOR`, `Support.AGAINST` or `Support.ABSTAIN`.
        reason: Stored on chain with the vote; empty for none.

    Returns:
        The transaction, for `chain.client.send`; it counts the sender's token balance at the snapshot. Sending
        raises TransactionError (nothing sent) when the proposal is not active or the sender has overridden
        already.
    """
    words = f"override your delegate: vote {support.name.lower()} on proposal {proposal_id}"
    return dao.prepare("governor", "castOverrideVote", (proposal_id, int(support), reason), words)


GOVERNOR_EIP712_VERSION = "1"  # OpenZeppelin Governor's `version()`


def ballot_nonce_key(content_hash: bytes) -> int:
    """The key of the governor's nonces for ballots on a proposal: the low 192 bits of its content hash
    (`Proposal.content_hash`, the governor's `proposalContentHash`). A signed ballot's nonce is
    `key << 64 | n`, n counting the voter's signed ballots on that content from 0."""
    if len(content_hash) != 32:
        raise InputError(f"a proposal's content hash has 32 bytes, not {len(content_hash)}")
    return int.from_bytes(content_hash[8:], "big")


def sign_ballot(
    account: LocalAccount,
    *,
    governor: str,
    governor_name: str,
    chain_id: int,
    proposal_id: int,
    content_hash: bytes,
    support: Support,
    reason: str = "",
    nonce: int | None = None,
) -> SignedVote:
    """Sign a vote with no chain access at all (EIP-712 `Ballot`, or `ExtendedBallot` with a reason).

    The governor counts a signed ballot only with a nonce keyed by the proposal's content (`ballot_nonce_key`), so
    the signature binds `content_hash`, not only the number: it never counts for other content that number may name
    (a front-runner's proposal, or after a reorganisation). A voter's first signature for a proposal uses nonce
    `key << 64`, known offline; pass `nonce` for a later one.
    """
    nonce = ballot_nonce_key(content_hash) << 64 if nonce is None else nonce
    typed = ballot_typed_data(
        governor=governor,
        governor_name=governor_name,
        chain_id=chain_id,
        proposal_id=proposal_id,
        support=support,
        voter=account.address,
        nonce=nonce,
        reason=reason,
    )
    signature = "0x" + sign_typed(account, typed).hex()
    return SignedVote(proposal_id, int(support), account.address, nonce, reason, signature, "0x" + content_hash.hex())


def ballot_typed_data(
    *,
    governor: str,
    governor_name: str,
    chain_id: int,
    proposal_id: int,
    support: Support,
    voter: str,
    nonce: int,
    reason: str = "",
) -> dict[str, Any]:
    """The EIP-712 ballot the governor checks for `castVoteBySig` (`Ballot`), or, with a reason,
    `castVoteWithReasonAndParamsBySig` (`ExtendedBallot`, no params)."""
    if not 1 <= proposal_id < 2**192:
        raise InputError(f"proposal id {proposal_id} is out of range")
    message: dict[str, Any] = {"proposalId": proposal_id, "support": int(support), "voter": voter, "nonce": nonce}
    types = [
        {"name": "proposalId", "type": "uint256"},
        {"name": "support", "type": "uint8"},
        {"name": "voter", "type": "address"},
        {"name": "nonce", "type": "uint256"},
    ]
    primary = "Ballot"
    if reason:
        primary = "ExtendedBallot"
        types += [{"name": "reason", "type": "string"}, {"name": "params", "type": "bytes"}]
        message.update(reason=reason, params=b"")
    return {
        "types": {"EIP712Domain": NAMED_DOMAIN, primary: types},
        "primaryType": primary,
        "domain": {
            "name": governor_name,
            "version": GOVERNOR_EIP712_VERSION,
            "chainId": chain_id,
            "verifyingContract": governor,
        },
        "message": message,
    }


def unsigned_ballot(
    dao: Dao, voter: str, proposal_id: int, support: Support, reason: str = ""
) -> tuple[SignedVote, dict[str, Any]]:
    """The vote `voter` would sign now (its signature empty) and the EIP-712 ballot to sign for it, with the
    governor's current nonce for this voter and the proposal's content (`sign_vote`): for a voter that signs by
    other means than one key, a Safe's owners for instance (ERC-1271)."""
    proposal, _, _ = get_proposal(dao, proposal_id)
    key = ballot_nonce_key(proposal.content_hash)
    name, nonce = dao.read_many([dao.call("governor", "name"), dao.call("governor", "nonces", voter, key)])
    typed = ballot_typed_data(
        governor=dao.address("governor"),
        governor_name=str(name),
        chain_id=dao.chain.chain_id,
        proposal_id=proposal_id,
        support=support,
        voter=voter,
        nonce=int(nonce),
        reason=reason,
    )
    vote = SignedVote(proposal_id, int(support), voter, int(nonce), reason, "", "0x" + proposal.content_hash.hex())
    return vote, typed


def ballot_signer(dao: Dao, signed: SignedVote, governor_name: str) -> str:
    """Who signed the vote for this governor and chain, as an ECDSA signature (a signature made for another governor
    or chain recovers to someone else). InputError for one that recovers to no address."""
    typed = ballot_typed_data(governor=dao.address("governor"), governor_name=governor_name,
                              chain_id=dao.chain.chain_id, proposal_id=signed.proposal_id,
                              support=Support(signed.support), voter=signed.voter, nonce=signed.nonce,
                              reason=signed.reason)  # fmt: skip
    return typed_signer(typed, bytes.fromhex(signed.signature.removeprefix("0x")), "vote's signature")


def sign_vote(dao: Dao, account: LocalAccount, proposal_id: int, support: Support, reason: str = "") -> SignedVote:
    """Sign a vote (EIP-712) with the governor's current nonce for this voter and the proposal's content; the
    signature binds that content (`sign_ballot`), and the signed vote records its hash.

    Nothing is sent: anyone may submit the vote later with `relay` and pay its gas. `sign_ballot` signs with no
    chain access at all.

    Args:
        dao: The DAO (`Dao.attach`).
        account: The voter's decrypted key.
        proposal_id: The proposal voted on; it must exist.
        support: `Support.FOR`, `Support.AGAINST` or `Support.ABSTAIN`.
        reason: Stored on chain with the vote once relayed; empty for none.

    Returns:
        The signed vote (`SignedVote.to_dict` for a file); no key in it.

    Raises:
        InputError: There is no such proposal.
        ChainError: The node could not be reached.
    """
    proposal, _, _ = get_proposal(dao, proposal_id)
    key = ballot_nonce_key(proposal.content_hash)
    name, nonce = dao.read_many([dao.call("governor", "name"), dao.call("governor", "nonces", account.address, key)])
    return sign_ballot(
        account,
        governor=dao.address("governor"),
        governor_name=str(name),
        chain_id=dao.chain.chain_id,
        proposal_id=proposal_id,
        content_hash=proposal.content_hash,
        support=support,
        reason=reason,
        nonce=int(nonce),
    )


def relay(dao: Dao, signed: SignedVote) -> PreparedTx:
    """Submit a signed vote; the relayer pays the gas, the vote counts for the signer. A vote that records the
    proposal it was signed for is refused (InputError) when its number now names other contents (the governor would
    refuse its signature: it binds the content).

    Args:
        dao: The DAO (`Dao.attach`).
        signed: From `sign_vote` or `sign_ballot` (or `SignedVote.from_dict` of a vote file).

    Returns:
        The transaction, for `chain.client.send` from the relayer's account. Sending raises TransactionError
        (nothing sent) when the proposal is not active, the voter has voted already or the signature is invalid.

    Raises:
        InputError: The proposal is unknown, or its number now names other contents than those signed.
        ChainError: The node could not be reached.
    """
    if signed.proposal_hash:
        proposal, _, _ = get_proposal(dao, signed.proposal_id)
        if "0x" + proposal.content_hash.hex() != signed.proposal_hash.lower():
            raise InputError(
                f"proposal {signed.proposal_id} is not the proposal this vote was signed for (its contents changed, "
                "after a chain reorganisation?); nothing sent"
            )
    if dao.read("governor", "hasVoted", signed.proposal_id, signed.voter):
        raise InputError(f"{signed.voter} has already voted on proposal {signed.proposal_id}; nothing sent")
    signature = bytes.fromhex(signed.signature.removeprefix("0x"))
    words = f"relay the vote of {signed.voter} on proposal {signed.proposal_id}"
    if signed.reason:
        args: tuple[Any, ...] = (signed.proposal_id, signed.support, signed.voter, signed.reason, b"", signature)
        return dao.prepare("governor", "castVoteWithReasonAndParamsBySig", args, words)
    args = (signed.proposal_id, signed.support, signed.voter, signature)
    return dao.prepare("governor", "castVoteBySig", args, words)


def _lifecycle(dao: Dao, step: str, proposal_id: int) -> PreparedTx:
    proposal, _, _ = get_proposal(dao, proposal_id)
    return dao.prepare("governor", step, proposal.args(), f"{step} proposal {proposal_id} ({proposal.title})")


def queue(dao: Dao, proposal_id: int) -> PreparedTx:
    """Queue a succeeded proposal in the timelock (its actions read back from its `ProposalCreated` log).

    Anyone may queue it. It can be executed once the timelock delay has passed (`wait_until_executable`).

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: A succeeded proposal.

    Returns:
        The transaction, for `chain.client.send`. Sending raises TransactionError (nothing sent) when the
        proposal has not succeeded.

    Raises:
        InputError: There is no such proposal.
        ChainError: The node could not be reached.
    """
    return _lifecycle(dao, "queue", proposal_id)


def execute(dao: Dao, proposal_id: int) -> PreparedTx:
    """Execute a queued proposal whose timelock delay has passed.

    Anyone may execute it: the timelock then runs every action in one transaction, or none of them.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: A queued proposal.

    Returns:
        The transaction, for `chain.client.send`. Sending raises TransactionError (nothing sent) when the
        proposal is not queued, its delay is not over, or one of its actions would revert (the proposal then
        stays queued).

    Raises:
        InputError: There is no such proposal.
        ChainError: The node could not be reached.
    """
    return _lifecycle(dao, "execute", proposal_id)


def cancel(dao: Dao, proposal_id: int) -> PreparedTx:
    """Cancel a proposal (its proposer while pending, or the proposal guardian at any time before execution).

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: A proposal not yet executed or canceled.

    Returns:
        The transaction, for `chain.client.send`. Sending raises TransactionError (nothing sent) when the sender
        may not cancel it now; a queued proposal's timelock operation is canceled with it.

    Raises:
        InputError: There is no such proposal.
        ChainError: The node could not be reached.
    """
    return _lifecycle(dao, "cancel", proposal_id)


class CheckedOnlyInExecution(str):
    """The outcome of an action `simulate_actions` cannot check on its own: a call to one of the governor's own
    settings (`onlyGovernance`), which the governor accepts only inside the execution of a proposal. The
    whole-proposal simulation (`workflows.simulation`) checks it."""


#: The words of a `CheckedOnlyInExecution` outcome.
CHECKED_ONLY_IN_EXECUTION = CheckedOnlyInExecution(
    "checked only with the whole proposal (`proposal show --simulate`): the governor accepts a change of its own "
    "settings only while executing a proposal"
)


def simulate_actions(dao: Dao, proposal: Proposal) -> list[str | None]:
    """Whether each action would succeed if executed now: a call from the timelock's address, per action.

    None for an action that would succeed, else the decoded reason; `CHECKED_ONLY_IN_EXECUTION` for a call to the
    governor itself, which no call outside an execution can check. Actions are simulated one by one against the
    current state, so an action that depends on an earlier one in the same proposal may be misjudged.
    """
    governor = dao.address("governor").lower()
    checkable = [action for action in proposal.actions if action.target.lower() != governor]
    answers = iter(
        eth_calls(
            dao.chain,
            [(action.target, action.calldata) for action in checkable],
            sender=dao.address("timelock"),
            values=[action.value for action in checkable],
        )
    )
    outcomes: list[str | None] = []
    for action in proposal.actions:
        if action.target.lower() == governor:
            outcomes.append(CHECKED_ONLY_IN_EXECUTION)
            continue
        answer = next(answers)
        outcomes.append(str(answer) if isinstance(answer, TransactionError) else None)
    return outcomes


def outcome_words(outcome: str | None) -> str:
    """An outcome of `simulate_actions` in words: would succeed now, would fail now (why), or checked elsewhere."""
    if outcome is None:
        return "would succeed now"
    if isinstance(outcome, CheckedOnlyInExecution):
        return str(outcome)
    return f"would fail now: {outcome}"


def would_succeed(outcome: str | None) -> bool | None:
    """An outcome of `simulate_actions` for JSON: True, False, or None where the action was not checked alone."""
    return None if isinstance(outcome, CheckedOnlyInExecution) else outcome is None


@dataclass(frozen=True)
class NextMoment:
    """When a proposal will next change by the clock alone, and the `proposal wait --until` target for it."""

    #: The chain time (unix seconds) from which the change shows in a block.
    at: int
    #: The change in words: "voting opens", "voting ends", "it becomes executable".
    what: str
    #: The state `proposal wait --until` names for it.
    wait_for: str


def next_moment(dao: Dao, proposal_id: int, current: ProposalState) -> NextMoment | None:
    """The moment a proposal in state `current` next changes by the clock alone: voting opens (pending), voting
    ends (active), its timelock delay is over (queued); None in the other states, where only a transaction or
    nothing at all changes it."""
    if current == ProposalState.PENDING:
        return NextMoment(int(dao.read("governor", "proposalSnapshot", proposal_id)) + 1, "voting opens", "active")
    if current == ProposalState.ACTIVE:
        return NextMoment(int(dao.read("governor", "proposalDeadline", proposal_id)) + 1, "voting ends", "succeeded")
    if current == ProposalState.QUEUED:
        return NextMoment(int(dao.read("governor", "proposalEta", proposal_id)), "it becomes executable", "executable")
    return None


def check_timing(dao: Dao, proposal_id: int, step: str) -> None:
    """InputError when `step` ("vote", "queue" or "execute") on the proposal is merely early: it names the moment it
    will work (and how long until then) and the command that waits for it. Other refusals are left to the
    transaction's own simulation, which says why."""
    from ..units import format_duration, format_time

    current = state(dao, proposal_id)
    early_in = {"vote": (ProposalState.PENDING,), "queue": (ProposalState.ACTIVE,)}.get(
        step, (ProposalState.ACTIVE, ProposalState.QUEUED)
    )
    if current not in early_in:
        return
    moment = next_moment(dao, proposal_id, current)
    now = dao.chain.timestamp()
    if moment is None or moment.at <= now:
        return
    raise InputError(
        f"too early to {'vote on' if step == 'vote' else step} proposal {proposal_id}: {moment.what} at "
        f"{format_time(moment.at)} (in {format_duration(_roughly(moment.at - now))}); nothing sent",
        hint=f"deai-gov proposal wait {proposal_id} --until {moment.wait_for}",
    )


def _roughly(seconds: int) -> int:
    """A wait as people say it: to the second under 2 minutes, else to the minute (23:59:59 is a day)."""
    return max(1, seconds) if seconds < 120 else round(seconds / 60) * 60


def vote_weight(dao: Dao, proposal_id: int, voter: str, *, override: bool = False) -> int:
    """What a vote by `voter` on an active proposal would count for: the votes delegated to it at the proposal's
    snapshot, or for an override vote its own token balance then (OpenZeppelin's `GovernorCountingOverridable`)."""
    snapshot = int(dao.read("governor", "proposalSnapshot", proposal_id))
    if override:
        return int(dao.read("token", "getPastBalanceOf", voter, snapshot))
    return int(dao.read("governor", "getVotes", voter, snapshot))


def check_vote_weight(
    dao: Dao, proposal_id: int, voter: str | Callable[[], str], *, override: bool = False
) -> int | None:
    """What a vote by `voter` would count for, or None when the proposal is not open for votes (the vote's
    simulation then says why). InputError when it would count for nothing: no voting power at the snapshot, and
    for an unknown proposal. `voter` may be a callable, called only once the proposal is known to be open (the CLI
    asks for a keystore password only then)."""
    if state(dao, proposal_id) != ProposalState.ACTIVE:
        return None
    if callable(voter):
        voter = voter()
    weight = vote_weight(dao, proposal_id, voter, override=override)
    if weight == 0:
        what = "held no tokens" if override else "had no votes delegated to it"
        raise InputError(
            f"{voter} {what} at proposal {proposal_id}'s snapshot: the vote would count for nothing; nothing sent "
            "(delegate with `account delegate` before a proposal's snapshot to vote on it)"
        )
    return weight


# How far along each state is; a proposal never goes back to a lower rank.
_PROGRESS = {
    ProposalState.PENDING: 0,
    ProposalState.ACTIVE: 1,
    ProposalState.SUCCEEDED: 2,
    ProposalState.DEFEATED: 2,
    ProposalState.QUEUED: 3,
    ProposalState.EXECUTED: 4,
}


def wait_for_state(
    dao: Dao,
    proposal_id: int,
    target: ProposalState,
    *,
    timeout: float = 3600.0,
    interval: float = 12.0,
    on_change: Callable[[ProposalState], None] | None = None,
) -> ProposalState:
    """Poll the proposal's state every `interval` seconds until it is `target`.

    InputError when it can no longer get there (it ended in another final state, or is already past it);
    WaitTimeout after `timeout` seconds. `on_change` hears each state seen, the first one included.

    Args:
        dao: The DAO (`Dao.attach`).
        proposal_id: The proposal to follow.
        target: The state to wait for (`wait_until_executable` waits out the timelock delay as well).
        timeout: Seconds to wait at most.
        interval: Seconds between two reads of the state.
        on_change: Called with each state seen, the first one included.

    Returns:
        `target`, once the proposal is in it (at once if it is already).

    Raises:
        InputError: There is no such proposal, or it can no longer reach `target`.
        WaitTimeout: `timeout` passed first.
        ChainError: The node could not be reached.
    """
    deadline = time.monotonic() + timeout
    current = state(dao, proposal_id)
    if current != target and not current.is_final and _PROGRESS.get(current, 0) >= _PROGRESS.get(target, 5):
        raise InputError(f"proposal {proposal_id} is already {current.label}; it will not be {target.label} again")
    if on_change:
        on_change(current)
    while current != target:
        if current.is_final:
            raise InputError(f"proposal {proposal_id} {current.phrase}: it will never be {target.label}")
        if time.monotonic() > deadline:
            raise WaitTimeout(f"proposal {proposal_id} is still {current.label} after {timeout:.0f} s")
        time.sleep(interval)
        seen, current = current, state(dao, proposal_id)
        if on_change and current != seen:
            on_change(current)
    return current


def wait_until_executable(
    dao: Dao,
    proposal_id: int,
    *,
    timeout: float = 3600.0,
    interval: float = 12.0,
    on_change: Callable[[ProposalState], None] | None = None,
) -> int:
    """Wait until the proposal is queued and its timelock delay has run (the latest block's time has reached its
    eta), so that `execute` goes through; returns the eta. Errors as `wait_for_state`."""
    started = time.monotonic()
    wait_for_state(dao, proposal_id, ProposalState.QUEUED, timeout=timeout, interval=interval, on_change=on_change)
    eta = int(dao.read("governor", "proposalEta", proposal_id))
    while dao.chain.timestamp() < eta:
        if time.monotonic() - started > timeout:
            raise WaitTimeout(f"proposal {proposal_id} is still in its timelock delay after {timeout:.0f} s")
        time.sleep(min(interval, max(0.2, eta - dao.chain.timestamp())))
    return eta


def votes_count_from_next_block(dao: Dao, proposer: str) -> bool:
    """Whether `proposer` holds the proposal threshold only through a delegation in the latest block: the governor
    counts votes as of the second before a proposal's block, so such a proposal goes through from the next block
    on, and is refused in this one."""
    latest = dao.chain.timestamp()
    threshold, now_votes, counted = dao.read_many(
        [
            dao.call("governor", "proposalThreshold"),
            dao.call("token", "getVotes", proposer),
            dao.call("governor", "getVotes", proposer, latest - 1),
        ]
    )
    return int(counted) < int(threshold) <= int(now_votes)


def wait_for_next_block(chain: Chain, *, timeout: float = 60.0) -> int:
    """Wait until a block newer than the latest is mined; returns its timestamp (WaitTimeout after `timeout`)."""
    started, latest = time.monotonic(), chain.block_number()
    while chain.block_number() <= latest:
        if time.monotonic() - started > timeout:
            raise WaitTimeout(f"no new block within {timeout:.0f} s (is the chain mining?)")
        time.sleep(0.25)
    return chain.timestamp()
