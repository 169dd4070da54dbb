"""Proposals and votes on the DAO's OpenZeppelin Governor.

A proposal is a list of `Action`s (target, value, calldata) and a description. Descriptions end with
`#proposer=<address>` by default: the governor then refuses the same proposal from anyone else, which stops a
front-runner from submitting (and so controlling) it first. Proposal ids are sequential (1, 2, 3...).
The governor stores no proposal contents, so queue/execute/cancel read them back from `ProposalCreated` logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .actions import Action, Proposal, SignedVote, Support, description_title, with_proposer_suffix
from .chain import TxResult, explain_call_failure, send
from .errors import DeaiGovError, DuplicateProposalError, InputError
from .logs import block_at_timestamp, events_in_transaction, iter_events
from .states import ProposalState

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from .dao import Dao

__all__ = [
    "Action",
    "Proposal",
    "ProposalState",
    "SignedVote",
    "Support",
    "build_proposal",
    "cancel",
    "cast_override_vote",
    "cast_vote",
    "delegate",
    "delegate_call",
    "execute",
    "existing_proposal_id",
    "get_proposal",
    "lifecycle_call",
    "override_call",
    "propose",
    "propose_call",
    "queue",
    "relay_call",
    "relay_vote",
    "sign_ballot",
    "sign_vote",
    "simulate_actions",
    "state",
    "timelock_operation_id",
    "timelock_salt",
    "with_proposer_suffix",
]


@dataclass(frozen=True)
class ProposalSummary:
    """One line of a proposal list."""

    id: int
    state: ProposalState
    proposer: str
    title: str
    block: int


def list_proposals(dao: Dao, state: ProposalState | None = None) -> list[ProposalSummary]:
    """Every proposal of the DAO (newest first), optionally only those in `state`: one log query per block
    range for the `ProposalCreated` events, and the states read in JSON-RPC batches."""
    from eth_utils import function_signature_to_4byte_selector

    from .chain import raw_calls
    from .contracts import event_abi
    from .logs import iter_event_args
    from .names import checksum

    governor = dao.address("governor")
    event = event_abi("ModelGovernor", "ProposalCreated")
    wanted = {"proposalId", "proposer", "description"}
    created = list(iter_event_args(dao.chain, governor, event, from_block=dao.deployment.block, fields=wanted))
    selector = function_signature_to_4byte_selector("state(uint256)")
    calls = [(governor, selector + int(args["proposalId"]).to_bytes(32, "big")) for args, _ in created]
    answers = raw_calls(dao.chain, calls)
    found = [
        ProposalSummary(
            int(args["proposalId"]),
            ProposalState(int.from_bytes(answer[-32:], "big")),
            checksum(args["proposer"]),
            description_title(args["description"]),
            block,
        )
        for (args, block), answer in zip(created, answers, strict=True)
        if state is None or int.from_bytes(answer[-32:], "big") == state
    ]
    return sorted(found, key=lambda p: -p.id)


def existing_proposal_id(dao: Dao, proposal: Proposal) -> int | None:
    """Id of an identical proposal already submitted (same actions and description), if any."""
    try:
        return int(dao.governor.functions.getProposalId(*proposal.args()).call())
    except Exception:  # GovernorNonexistentProposal
        return None


def build_proposal(
    dao: Dao, proposer: str, actions: list[Action], description: str, *, proposer_suffix: bool = True
) -> Proposal:
    """The proposal `proposer` would submit; InputError if it is empty, DuplicateProposalError (an InputError
    carrying the existing id) if an identical one was already submitted."""
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


def propose_call(dao: Dao, proposal: Proposal) -> Any:
    """The governor call that submits `proposal`."""
    return dao.governor.functions.propose(proposal.targets, proposal.values, proposal.calldatas, proposal.description)


def propose(
    dao: Dao,
    account: LocalAccount,
    actions: list[Action],
    description: str,
    *,
    proposer_suffix: bool = True,
) -> tuple[int, TxResult]:
    """Submit a proposal; return its id and the transaction. Refuses to submit a duplicate."""
    proposal = build_proposal(dao, account.address, actions, description, proposer_suffix=proposer_suffix)
    result = send(dao.chain, account, propose_call(dao, proposal))
    created = events_in_transaction(result.receipt, dao.governor.events.ProposalCreated)
    proposal_id = int(created[0]["args"]["proposalId"])
    _remember(dao, proposal_id, (proposal, account.address, result.block_number))
    return proposal_id, result


def state(dao: Dao, proposal_id: int) -> ProposalState:
    """The proposal's state; InputError if there is no such proposal."""
    try:
        return ProposalState(dao.governor.functions.state(proposal_id).call())
    except Exception as exc:
        raise InputError(str(explain_call_failure(exc))) from None


# Proposals seen by this process, by (governor, id). Contents never change once proposed, but a reorg could give
# a sequential id to other contents, so an entry is used only after the governor confirms id <-> contents.
_seen_proposals: dict[tuple[str, int], tuple[Proposal, str, int]] = {}


def _remember(dao: Dao, proposal_id: int, found: tuple[Proposal, str, int]) -> tuple[Proposal, str, int]:
    _seen_proposals[(dao.governor.address, proposal_id)] = found
    return found


def get_proposal(dao: Dao, proposal_id: int) -> tuple[Proposal, str, int]:
    """(proposal, proposer, block) of proposal `proposal_id`, read from its `ProposalCreated` log."""
    state(dao, proposal_id)  # fails early and clearly for unknown ids
    seen = _seen_proposals.get((dao.governor.address, proposal_id))
    if seen is not None and existing_proposal_id(dao, seen[0]) == proposal_id:
        return seen
    # The proposal was created `votingDelay` before its snapshot: start the log search at that block, and fall
    # back to the whole history in case the delay has been changed since.
    g = dao.governor.functions
    created = int(g.proposalSnapshot(proposal_id).call()) - int(g.votingDelay().call())
    likely_start = block_at_timestamp(dao.chain, created - 1, low=dao.deployment.block)
    for start in dict.fromkeys((likely_start, dao.deployment.block)):
        for log in iter_events(dao.chain, dao.governor.events.ProposalCreated, from_block=start):
            args = log["args"]
            if int(args["proposalId"]) == proposal_id:
                actions = tuple(
                    Action(t, int(v), bytes(c))
                    for t, v, c in zip(args["targets"], args["values"], args["calldatas"], strict=True)
                )
                found = Proposal(actions, args["description"]), args["proposer"], int(log["blockNumber"])
                return _remember(dao, proposal_id, found)
    raise DeaiGovError(f"proposal {proposal_id} exists but its ProposalCreated log was not found (pruned node?)")


def timelock_salt(dao: Dao, proposal: Proposal) -> bytes:
    """The salt GovernorTimelockControl schedules a proposal with: the governor's address XOR description hash."""
    governor = bytes.fromhex(dao.governor.address[2:]).ljust(32, b"\0")
    return bytes(a ^ b for a, b in zip(governor, proposal.description_hash, strict=True))


def timelock_operation_id(dao: Dao, proposal: Proposal) -> bytes:
    """The timelock operation id of `proposal` (a hash of its actions and salt)."""
    fn = dao.timelock.functions.hashOperationBatch
    return bytes(
        fn(proposal.targets, proposal.values, proposal.calldatas, bytes(32), timelock_salt(dao, proposal)).call()
    )


# Each action has a `*_call` builder (what the CLI simulates, confirms and sends) and a function that sends it.


def delegate_call(dao: Dao, delegatee: str) -> Any:
    """The token call giving the sender's voting power to `delegatee`."""
    from web3 import Web3

    if not Web3.is_checksum_address(delegatee):
        raise InputError(f"{delegatee!r} is not a checksummed address")
    return dao.token.functions.delegate(delegatee)


def delegate(dao: Dao, account: LocalAccount, delegatee: str) -> TxResult:
    """Give `account`'s voting power to `delegatee` (its own address to vote itself)."""
    return send(dao.chain, account, delegate_call(dao, delegatee))


def vote_call(dao: Dao, proposal_id: int, support: Support, reason: str = "") -> Any:
    fn = dao.governor.functions
    return (
        fn.castVoteWithReason(proposal_id, int(support), reason) if reason else fn.castVote(proposal_id, int(support))
    )


def cast_vote(dao: Dao, account: LocalAccount, proposal_id: int, support: Support, reason: str = "") -> TxResult:
    """Vote with the account's delegated voting power at the proposal's snapshot."""
    return send(dao.chain, account, vote_call(dao, proposal_id, support, reason))


def override_call(dao: Dao, proposal_id: int, support: Support, reason: str = "") -> Any:
    return dao.governor.functions.castOverrideVote(proposal_id, int(support), reason)


def cast_override_vote(
    dao: Dao, account: LocalAccount, proposal_id: int, support: Support, reason: str = ""
) -> TxResult:
    """Vote with the account's own tokens against (or with) how its delegate voted, overriding that share."""
    return send(dao.chain, account, override_call(dao, proposal_id, support, reason))


GOVERNOR_EIP712_VERSION = "1"  # OpenZeppelin Governor's `version()`


def sign_ballot(
    account: LocalAccount,
    *,
    governor: str,
    governor_name: str,
    chain_id: int,
    proposal_id: int,
    support: Support,
    reason: str = "",
    nonce: int | None = None,
) -> SignedVote:
    """Sign a vote with no chain access at all (EIP-712 `Ballot`, or `ExtendedBallot` with a reason).

    The governor's nonces are keyed by proposal id, so a voter's first signature for a proposal uses nonce
    `proposal_id << 64` — known offline; pass `nonce` for a later one.
    """
    if not 1 <= proposal_id < 2**192:
        raise InputError(f"proposal id {proposal_id} is out of range")
    nonce = proposal_id << 64 if nonce is None else nonce
    message: dict[str, Any] = {
        "proposalId": proposal_id,
        "support": int(support),
        "voter": account.address,
        "nonce": nonce,
    }
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
    domain = {
        "name": governor_name,
        "version": GOVERNOR_EIP712_VERSION,
        "chainId": chain_id,
        "verifyingContract": governor,
    }
    signed = account.sign_typed_data(domain, {primary: types}, message)
    return SignedVote(proposal_id, int(support), account.address, nonce, reason, "0x" + bytes(signed.signature).hex())


def sign_vote(dao: Dao, account: LocalAccount, proposal_id: int, support: Support, reason: str = "") -> SignedVote:
    """Sign a vote (EIP-712) with the governor's current nonce for this voter and proposal."""
    state(dao, proposal_id)
    return sign_ballot(
        account,
        governor=dao.governor.address,
        governor_name=dao.governor.functions.name().call(),
        chain_id=dao.chain.chain_id,
        proposal_id=proposal_id,
        support=support,
        reason=reason,
        nonce=int(dao.governor.functions.nonces(account.address, proposal_id).call()),
    )


def relay_call(dao: Dao, vote: SignedVote) -> Any:
    fn = dao.governor.functions
    signature = bytes.fromhex(vote.signature.removeprefix("0x"))
    if vote.reason:
        return fn.castVoteWithReasonAndParamsBySig(
            vote.proposal_id, vote.support, vote.voter, vote.reason, b"", signature
        )
    return fn.castVoteBySig(vote.proposal_id, vote.support, vote.voter, signature)


def relay_vote(dao: Dao, relayer: LocalAccount, vote: SignedVote) -> TxResult:
    """Submit a signed vote; the relayer pays the gas, the vote counts for the signer."""
    return send(dao.chain, relayer, relay_call(dao, vote))


def lifecycle_call(dao: Dao, step: str, proposal_id: int) -> tuple[Any, Proposal]:
    """The governor's `queue`, `execute` or `cancel` call for a proposal (read back from its log)."""
    if step not in ("queue", "execute", "cancel"):
        raise ValueError(f"unknown proposal step {step!r}")
    proposal, _, _ = get_proposal(dao, proposal_id)
    return getattr(dao.governor.functions, step)(*proposal.args()), proposal


def queue(dao: Dao, account: LocalAccount, proposal_id: int) -> TxResult:
    """Queue a succeeded proposal in the timelock."""
    return send(dao.chain, account, lifecycle_call(dao, "queue", proposal_id)[0])


def execute(dao: Dao, account: LocalAccount, proposal_id: int) -> TxResult:
    """Execute a queued proposal whose timelock delay has passed."""
    return send(dao.chain, account, lifecycle_call(dao, "execute", proposal_id)[0])


def cancel(dao: Dao, account: LocalAccount, proposal_id: int) -> TxResult:
    """Cancel a proposal (its proposer while pending, or the proposal guardian at any time before execution)."""
    return send(dao.chain, account, lifecycle_call(dao, "cancel", proposal_id)[0])


def simulate_actions(dao: Dao, proposal: Proposal) -> list[str | None]:
    """Whether each action would succeed if executed now: a call from the timelock's address, per action.

    None for an action that would succeed, else the decoded reason. Actions are simulated one by one against
    the current state, so an action that depends on an earlier one in the same proposal may be misjudged.
    """
    outcomes: list[str | None] = []
    for action in proposal.actions:
        call = {"from": dao.timelock.address, "to": action.target, "data": action.calldata, "value": action.value}
        try:
            dao.chain.w3.eth.call(call)  # type: ignore[arg-type]
        except Exception as exc:
            outcomes.append(str(explain_call_failure(exc)))
        else:
            outcomes.append(None)
    return outcomes


def vote_weight(dao: Dao, proposal_id: int, voter: str, *, override: bool = False) -> int:
    """What a vote by `voter` on an active proposal would count for: the votes delegated to it at the proposal's
    snapshot, or for an override vote its own token balance then (OpenZeppelin's `GovernorCountingOverridable`)."""
    snapshot = int(dao.governor.functions.proposalSnapshot(proposal_id).call())
    if override:
        return int(dao.token.functions.getPastBalanceOf(voter, snapshot).call())
    return int(dao.governor.functions.getVotes(voter, snapshot).call())
