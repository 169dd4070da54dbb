"""A proposal's actions in words, decoded against the DAO's own contracts: what a voter reads before voting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .actions import Proposal
from .governance import get_proposal, state
from .ipfs.blockcid import to_text
from .states import ProposalState

if TYPE_CHECKING:
    from .dao import Dao


def describe_actions(dao: Dao, proposal: Proposal) -> list[str]:
    """Each action in words, decoded against the DAO's own contracts."""
    from .units import format_amount

    symbol = dao.token.functions.symbol().call()
    words = []
    for action in proposal.actions:
        target = action.target.lower()
        try:
            if target == dao.registry.address.lower():
                fn, args = dao.registry.decode_function_input(action.calldata)
                words.append(describe_registry_call(dao, fn.fn_name, args))
                continue
            if target == dao.token.address.lower():
                fn, args = dao.token.decode_function_input(action.calldata)
                if fn.fn_name == "transfer":
                    words.append(f"reward {format_amount(args['value'])} {symbol} to {args['to']} from the treasury")
                    continue
                words.append(f"token.{fn.fn_name}({', '.join(f'{k}={v}' for k, v in args.items())})")
                continue
            for contract in (dao.governor, dao.timelock):
                if target == contract.address.lower():
                    fn, args = contract.decode_function_input(action.calldata)
                    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
                    words.append(f"{'governor' if contract is dao.governor else 'timelock'}.{fn.fn_name}({rendered})")
                    break
            else:
                words.append(
                    f"call {action.target} with {len(action.calldata)} bytes of data, value {action.value} wei"
                )
        except ValueError:
            words.append(f"call {action.target} with undecodable data 0x{action.calldata[:4].hex()}…")
    return words


def describe_registry_call(dao: Dao, function: str, args: dict[str, Any]) -> str:
    """A registry call in words, e.g. 'register acme/vision v1, artifact bafy..., manifest bafy..., by 0x...'."""

    def name_of(mid: bytes) -> str:
        try:
            return str(dao.registry.functions.getModel(mid).call()[1])
        except Exception:
            return f"unregistered model 0x{bytes(mid).hex()[:12]}…"

    if function == "register":
        return (
            f"register {args['name']} v1, artifact {to_text(args['artifactCid'])}, manifest "
            f"{to_text(args['manifestCid'])}, contributed by {args['contributor']}"
        )
    if function == "upgrade":
        name = name_of(args["modelId"])
        try:
            latest = dao.registry.functions.getModel(args["modelId"]).call()[4]
            which = f"v{latest + 1} (if executed now)"
        except Exception:
            which = "a new version"
        return (
            f"upgrade {name} to {which}, artifact {to_text(args['artifactCid'])}, manifest "
            f"{to_text(args['manifestCid'])}, contributed by {args['contributor']}"
        )
    if function == "rollback":
        return f"roll {name_of(args['modelId'])} back to v{args['targetVersion']}"
    if function == "retire":
        return f"retire {name_of(args['modelId'])}: {args['reason']}"
    if function == "suspend":
        return f"suspend {name_of(args['modelId'])}: {args['reason']}"
    if function == "unsuspend":
        return f"lift the suspension of {name_of(args['modelId'])}"
    if function == "setGuardian":
        return f"make {args['newGuardian']} the registry guardian"
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"registry.{function}({rendered})"


@dataclass(frozen=True)
class ProposalInfo:
    """A proposal as a voter sees it."""

    id: int
    proposal: Proposal
    proposer: str
    state: ProposalState
    snapshot: int
    deadline: int
    eta: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    quorum: int
    created_block: int
    actions_in_words: list[str] = field(default_factory=list)


def proposal_info(dao: Dao, proposal_id: int) -> ProposalInfo:
    """State, timing, tally, quorum and decoded actions of a proposal."""
    g = dao.governor.functions
    proposal, proposer, block = get_proposal(dao, proposal_id)
    current = state(dao, proposal_id)
    snapshot = int(g.proposalSnapshot(proposal_id).call())
    against, for_, abstain = g.proposalVotes(proposal_id).call()
    clock = int(g.clock().call())
    quorum = int(g.quorum(min(snapshot, clock - 1)).call())  # a pending proposal: today's quorum
    return ProposalInfo(
        id=proposal_id,
        proposal=proposal,
        proposer=proposer,
        state=current,
        snapshot=snapshot,
        deadline=int(g.proposalDeadline(proposal_id).call()),
        eta=int(g.proposalEta(proposal_id).call()),
        votes_for=int(for_),
        votes_against=int(against),
        votes_abstain=int(abstain),
        quorum=quorum,
        created_block=block,
        actions_in_words=describe_actions(dao, proposal),
    )
