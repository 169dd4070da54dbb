"""The DAO as deployed by the library: contract sizes, the token's clock and treasury, the governor/timelock
wiring, and the governance flow (threshold, restricted proposer, sequential ids, guardian veto, vote overrides,
a full register-and-reward cycle).

The flow runs through `deai_gov.dao.governance` with LocalAccounts; brownie objects make the assertions.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import brownie
import pytest
from contract_helpers import (
    BALANCES,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    ROLES_OF_CONTRACTS,
    TREASURY,
    brownie_tx,
    cid,
    model_id,
    plain,
    typed_error,
)

from deai_gov.chain.client import Chain, send
from deai_gov.contracts.artifacts import DAO_CONTRACTS, artifact
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance, registry
from deai_gov.dao import token as lib_token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dao.governance import Action, Support
from deai_gov.dev.devnet import advance_time
from deai_gov.ipfs.blockcid import to_text
from deai_gov.workflows.provenance import approval_of
from tests.helpers import (
    LATE_QUORUM,
    TIMELOCK_DELAY,
    VOTING_DELAY,
    VOTING_PERIOD,
    People,
    finish,
    onchain,
    open_proposal,
    propose,
    propose_and_vote,
)

EIP170_LIMIT = 24_576
NAME = "acme/vision"


@pytest.fixture(scope="module", autouse=True)
def deployed(lib_dao: Dao) -> None:
    """Deploy the module's DAO before anything else (brownie moves `fn_isolation` ahead of the first
    function-scoped fixture, so the deployment must come first to be inside every test's snapshot)."""


@pytest.fixture(autouse=True)
def isolation(fn_isolation: Any) -> None:
    """Each test starts from the state right after the deployment."""


def register_action(lib_dao: Dao, actors: People, name: str = NAME) -> Action:
    return registry.register_action(
        lib_dao, name, to_text(cid(name)), to_text(cid(name + "/manifest")), actors.bob.address
    )


def state_bitmap(*states: ProposalState) -> bytes:
    """Governor's `expectedStates` argument (bytes32 with one bit per state)."""
    return sum(1 << s for s in states).to_bytes(32, "big")


# ------------------------------------------------------------------------------------------------ sizes


@pytest.mark.parametrize("name", DAO_CONTRACTS)
def test_runtime_size_under_eip170(name: str, lib_dao: Dao, web3: Any) -> None:
    address = lib_dao.deployment.addresses[ROLES_OF_CONTRACTS[name]]
    size = len(web3.eth.get_code(address))
    assert size == artifact(name).runtime_size  # the code on chain is the shipped artifact
    assert 0 < size < EIP170_LIMIT, f"{name} runtime is {size} bytes"


# ------------------------------------------------------------------------------------------------ token


def test_token_clock_is_the_block_timestamp(
    lib_dao: Dao, dao_contracts: SimpleNamespace, lib_chain: Chain, actors: People, web3: Any
) -> None:
    token, governor = dao_contracts.token, dao_contracts.governor
    assert token.CLOCK_MODE() == "mode=timestamp"
    assert governor.CLOCK_MODE() == "mode=timestamp"
    latest = web3.eth.get_block("latest")
    assert token.clock(block_identifier=latest.number) == latest.timestamp
    assert governor.clock(block_identifier=latest.number) == latest.timestamp

    # Checkpoints are keyed by timestamp: carol takes her 200 votes back from alice.
    result = send(lib_dao.chain, actors.carol, lib_token.delegate(lib_dao, actors.carol.address))
    moved_at = web3.eth.get_block(result.block_number).timestamp
    events = brownie_tx(result).events
    assert plain(events["DelegateChanged"]) == {
        "delegator": actors.carol.address,
        "fromDelegate": actors.alice.address,
        "toDelegate": actors.carol.address,
    }
    assert plain(token.checkpoints(actors.carol.address, 0)) == (moved_at, BALANCES["carol"])
    advance_time(lib_chain, 1)
    assert token.getPastVotes(actors.carol.address, moved_at - 1) == 0
    assert token.getPastVotes(actors.carol.address, moved_at) == BALANCES["carol"]
    assert token.getPastVotes(actors.alice.address, moved_at - 1) == BALANCES["alice"] + BALANCES["carol"]
    assert token.getPastVotes(actors.alice.address, moved_at) == BALANCES["alice"]


def test_treasury_is_minted_to_the_timelock(dao_contracts: SimpleNamespace, actors: People) -> None:
    token, timelock = dao_contracts.token, dao_contracts.timelock
    assert token.balanceOf(timelock) == TREASURY
    for name, amount in BALANCES.items():
        assert token.balanceOf(getattr(actors, name).address) == amount
    assert token.balanceOf(actors.deployer.address) == 0
    assert token.totalSupply() == TREASURY + sum(BALANCES.values())
    assert token.getVotes(actors.alice.address) == BALANCES["alice"] + BALANCES["carol"]


# ------------------------------------------------------------------------------------------------ wiring


def test_governor_and_timelock_wiring(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People) -> None:
    timelock, governor, reg = dao_contracts.timelock, dao_contracts.governor, dao_contracts.registry
    admin, proposer, canceller, executor = (
        timelock.DEFAULT_ADMIN_ROLE(),
        timelock.PROPOSER_ROLE(),
        timelock.CANCELLER_ROLE(),
        timelock.EXECUTOR_ROLE(),
    )
    assert timelock.hasRole(proposer, governor)
    assert timelock.hasRole(canceller, governor)
    assert timelock.hasRole(executor, brownie.ZERO_ADDRESS)  # anyone may execute
    assert timelock.hasRole(admin, timelock)  # the timelock administers itself, through proposals only
    for role in (admin, proposer, canceller):
        assert not timelock.hasRole(role, actors.deployer.address)
    assert timelock.getMinDelay() == TIMELOCK_DELAY

    # Every role ever granted, from the logs: nobody else ever held a role, the deployer's admin is gone.
    granted = {
        (bytes(e["args"]["role"]), e["args"]["account"])
        for e in onchain(lib_dao, "timelock").events.RoleGranted.get_logs(from_block=lib_dao.deployment.block)
    }
    assert granted == {
        (bytes(admin), timelock.address),
        (bytes(admin), actors.deployer.address),
        (bytes(executor), brownie.ZERO_ADDRESS),
        (bytes(proposer), governor.address),
        (bytes(canceller), governor.address),
    }
    revoked = [
        (bytes(e["args"]["role"]), e["args"]["account"])
        for e in onchain(lib_dao, "timelock").events.RoleRevoked.get_logs(from_block=lib_dao.deployment.block)
    ]
    assert revoked == [(bytes(admin), actors.deployer.address)]

    assert governor.timelock() == timelock
    assert governor.token() == dao_contracts.token
    assert governor.proposalGuardian() == actors.guardian.address
    assert governor.votingDelay() == VOTING_DELAY
    assert governor.votingPeriod() == VOTING_PERIOD
    assert governor.proposalThreshold() == PROPOSAL_THRESHOLD
    assert governor.quorumNumerator() == QUORUM_PERCENT
    assert governor.lateQuorumVoteExtension() == LATE_QUORUM
    assert reg.owner() == timelock
    assert reg.guardian() == actors.guardian.address

    # The deployer kept no power: it can neither schedule on the timelock nor write the registry.
    with brownie.reverts(typed_error("AccessControlUnauthorizedAccount", actors.deployer.address, bytes(proposer))):
        timelock.schedule(reg, 0, b"", bytes(32), bytes(32), TIMELOCK_DELAY, {"from": actors.deployer.address})
    for account in (actors.deployer, actors.guardian):
        with brownie.reverts(typed_error("OwnableUnauthorizedAccount", account.address)):
            reg.register(NAME, cid("a"), cid("b"), actors.bob.address, {"from": account.address})


# ------------------------------------------------------------------------------------------------ proposing


def test_proposing_below_threshold_reverts(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People) -> None:
    action = register_action(lib_dao, actors)
    governor = dao_contracts.governor
    for account in (actors.outsider, actors.carol):  # carol's 200 tokens are delegated to alice
        description = governance.with_proposer_suffix("Register acme/vision", account.address)
        with brownie.reverts(typed_error("GovernorInsufficientProposerVotes", account.address, 0, PROPOSAL_THRESHOLD)):
            governor.propose([action.target], [0], [action.calldata], description, {"from": account.address})
    assert governor.latestProposalId() == 0


def test_proposer_suffix_restricts_who_may_submit(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People) -> None:
    governor = dao_contracts.governor
    action = register_action(lib_dao, actors)
    description = governance.with_proposer_suffix("Register acme/vision", actors.alice.address)
    assert description.endswith(f"#proposer={actors.alice.address}")

    with brownie.reverts(typed_error("GovernorRestrictedProposer", actors.bob.address)):
        governor.propose([action.target], [0], [action.calldata], description, {"from": actors.bob.address})
    proposal_id, result = propose(lib_dao, actors.alice, [action], description)
    assert proposal_id == 1
    assert brownie_tx(result).events["ProposalCreated"]["description"] == description
    assert governor.proposalProposer(proposal_id) == actors.alice.address
    with brownie.reverts(typed_error("GovernorRestrictedProposer", actors.bob.address)):
        governor.propose([action.target], [0], [action.calldata], description, {"from": actors.bob.address})


def test_proposal_ids_are_sequential(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People) -> None:
    governor = dao_contracts.governor
    first_id, first = propose(lib_dao, actors.alice, [register_action(lib_dao, actors)], "Register a")
    second_action = register_action(lib_dao, actors, "acme/b")
    second_id, second = propose(lib_dao, actors.bob, [second_action], "Register b")
    assert (first_id, second_id) == (1, 2)
    assert brownie_tx(first).events["ProposalCreated"]["proposalId"] == 1
    assert brownie_tx(second).events["ProposalCreated"]["proposalId"] == 2
    assert governor.latestProposalId() == 2

    proposal, proposer, _ = governance.get_proposal(lib_dao, 1)
    assert proposer == actors.alice.address
    assert governor.getProposalId(*proposal.args()) == 1
    assert governor.hashProposal(*proposal.args()) != 1  # the id is the counter, not the hash
    created_at = brownie_tx(first).timestamp
    assert governor.proposalSnapshot(1) == created_at + VOTING_DELAY
    assert governor.proposalDeadline(1) == created_at + VOTING_DELAY + VOTING_PERIOD
    assert governance.state(lib_dao, 1) == governance.state(lib_dao, 2) == ProposalState.PENDING


# ------------------------------------------------------------------------------------------------ guardian


def test_proposal_guardian_cancels_an_active_proposal(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, [register_action(lib_dao, actors)], "Register acme/vision")
    assert governance.state(lib_dao, proposal_id) == ProposalState.ACTIVE
    proposal, _, _ = governance.get_proposal(lib_dao, proposal_id)

    for account in (actors.outsider, actors.alice):  # a proposer may only cancel while pending
        with brownie.reverts(typed_error("GovernorUnableToCancel", proposal_id, account.address)):
            governor.cancel(*proposal.args(), {"from": account.address})

    result = send(lib_dao.chain, actors.guardian, governance.cancel(lib_dao, proposal_id))
    assert plain(brownie_tx(result).events["ProposalCanceled"]) == {"proposalId": proposal_id}
    assert governor.state(proposal_id) == ProposalState.CANCELED
    with brownie.reverts(
        typed_error(
            "GovernorUnexpectedProposalState",
            proposal_id,
            int(ProposalState.CANCELED),
            state_bitmap(ProposalState.ACTIVE),
        )
    ):
        governor.castVote(proposal_id, Support.FOR, {"from": actors.bob.address})


def guardian_changes(lib_dao: Dao, new_guardian: str) -> dict[str, list[Action]]:
    """Proposals whose every action replaces a guardian: the governor's, the registry's, or both."""
    governor_guardian = lib_dao.action("governor", "setProposalGuardian", new_guardian)
    registry_guardian = lib_dao.action("registry", "setGuardian", new_guardian)
    return {
        "governor": [governor_guardian],
        "registry": [registry_guardian],
        "both": [governor_guardian, registry_guardian],
    }


@pytest.mark.parametrize("which", ["governor", "registry", "both"])
def test_the_guardian_cannot_cancel_its_own_replacement(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People, which: str
) -> None:
    """Active, then queued: the guardian may not cancel a proposal that only replaces guardians; it executes."""
    governor = dao_contracts.governor
    actions = guardian_changes(lib_dao, brownie.ZERO_ADDRESS)[which]
    proposal_id = propose_and_vote(lib_dao, actors, actions, f"Remove the {which} guardian")
    proposal, _, _ = governance.get_proposal(lib_dao, proposal_id)
    refused = typed_error("ModelGovernorGuardianChangeNotCancelable", proposal_id)
    with brownie.reverts(refused):
        governor.cancel(*proposal.args(), {"from": actors.guardian.address})
    advance_time(lib_dao.chain, VOTING_PERIOD + 1)
    send(lib_dao.chain, actors.bob, governance.queue(lib_dao, proposal_id))
    with brownie.reverts(refused):
        governor.cancel(*proposal.args(), {"from": actors.guardian.address})
    advance_time(lib_dao.chain, TIMELOCK_DELAY + 1)
    send(lib_dao.chain, actors.outsider, governance.execute(lib_dao, proposal_id))
    removed = {"governor": governor.proposalGuardian(), "registry": dao_contracts.registry.guardian()}
    for role, guardian in removed.items():
        assert guardian == (brownie.ZERO_ADDRESS if which in (role, "both") else actors.guardian.address)


@pytest.mark.parametrize(
    "extra",
    ["register a model", "send ether along", "the same selector on another contract"],
)
def test_a_guardian_change_does_not_shield_anything_else(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People, extra: str
) -> None:
    """A guardian change attached to another action, or one that is not exactly a guardian change, stays
    cancellable by the guardian."""
    governor_guardian = lib_dao.action("governor", "setProposalGuardian", actors.carol.address)
    if extra == "register a model":
        actions = [governor_guardian, register_action(lib_dao, actors)]
    elif extra == "send ether along":
        actions = [Action(governor_guardian.target, 1, governor_guardian.calldata)]
    else:
        actions = [Action(lib_dao.address("token"), 0, governor_guardian.calldata)]
    proposal_id = propose_and_vote(lib_dao, actors, actions, f"New guardian, and {extra}")
    result = send(lib_dao.chain, actors.guardian, governance.cancel(lib_dao, proposal_id))
    assert plain(brownie_tx(result).events["ProposalCanceled"]) == {"proposalId": proposal_id}
    assert dao_contracts.governor.state(proposal_id) == ProposalState.CANCELED


def test_a_guardian_cannot_cancel_even_its_own_guardian_change(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    """C3: a guardian that proposes the same guardian change first (pre-empting a replacement sent without
    `#proposer=`) cannot then cancel it, not even while pending: the DAO votes on that content either way. Another
    proposer keeps the right to cancel its own pending guardian change, and the guardian the right to cancel its
    own pending proposal of anything else."""
    governor = dao_contracts.governor
    finish(
        lib_dao,
        actors,
        propose_and_vote(lib_dao, actors, guardian_changes(lib_dao, actors.alice.address)["governor"], "Alice guards"),
    )
    assert governor.proposalGuardian() == actors.alice.address
    replacement = guardian_changes(lib_dao, actors.bob.address)["both"]
    preempted, _ = propose(lib_dao, actors.alice, replacement, "# Bob guards", proposer_suffix=False)
    proposal, _, _ = governance.get_proposal(lib_dao, preempted)
    with brownie.reverts(typed_error("ModelGovernorGuardianChangeNotCancelable", preempted)):
        governor.cancel(*proposal.args(), {"from": actors.alice.address})
    assert governor.state(preempted) == ProposalState.PENDING

    by_bob, _ = propose(lib_dao, actors.bob, replacement, "# Bob guards, his own proposal")
    send(lib_dao.chain, actors.bob, governance.cancel(lib_dao, by_bob))
    assert governor.state(by_bob) == ProposalState.CANCELED

    other, _ = propose(lib_dao, actors.alice, [register_action(lib_dao, actors)], "# Register acme/vision")
    send(lib_dao.chain, actors.alice, governance.cancel(lib_dao, other))
    assert governor.state(other) == ProposalState.CANCELED


def test_the_governor_names_the_registry_it_protects(lib_dao: Dao, dao_contracts: SimpleNamespace) -> None:
    assert dao_contracts.governor.modelRegistry() == dao_contracts.registry.address


# ------------------------------------------------------------------------------------------------ overrides


def test_override_vote_after_the_delegate_voted(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People) -> None:
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, [register_action(lib_dao, actors)], "Register acme/vision")
    alice_weight = BALANCES["alice"] + BALANCES["carol"]

    voted = brownie_tx(send(lib_dao.chain, actors.alice, governance.vote(lib_dao, proposal_id, Support.FOR)))
    assert voted.events["VoteCast"]["weight"] == alice_weight
    assert plain(governor.proposalVotes(proposal_id)) == (0, alice_weight, 0)

    overridden = brownie_tx(
        send(
            lib_dao.chain,
            actors.carol,
            governance.override_vote(lib_dao, proposal_id, Support.AGAINST, "not this model"),
        )
    )
    assert plain(overridden.events["VoteReduced"]) == {
        "delegate": actors.alice.address,
        "proposalId": proposal_id,
        "support": Support.FOR,
        "weight": BALANCES["carol"],
    }
    assert plain(overridden.events["OverrideVoteCast"]) == {
        "voter": actors.carol.address,
        "proposalId": proposal_id,
        "support": Support.AGAINST,
        "weight": BALANCES["carol"],
        "reason": "not this model",
    }
    assert plain(governor.proposalVotes(proposal_id)) == (BALANCES["carol"], BALANCES["alice"], 0)
    assert governor.hasVotedOverride(proposal_id, actors.carol.address)
    assert not governor.hasVoted(proposal_id, actors.carol.address)
    with brownie.reverts(typed_error("GovernorAlreadyOverriddenVote", actors.carol.address)):
        governor.castOverrideVote(proposal_id, Support.FOR, "", {"from": actors.carol.address})


def test_override_vote_before_the_delegate_votes(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People) -> None:
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, [register_action(lib_dao, actors)], "Register acme/vision")

    overridden = brownie_tx(
        send(lib_dao.chain, actors.carol, governance.override_vote(lib_dao, proposal_id, Support.FOR))
    )
    assert "VoteReduced" not in overridden.events
    voted = brownie_tx(send(lib_dao.chain, actors.alice, governance.vote(lib_dao, proposal_id, Support.AGAINST)))
    assert voted.events["VoteCast"]["weight"] == BALANCES["alice"]  # carol's share is no longer alice's
    assert plain(governor.proposalVotes(proposal_id)) == (BALANCES["alice"], BALANCES["carol"], 0)


# ------------------------------------------------------------------------------------------------ full cycle


def test_register_and_reward_through_a_vote(
    lib_dao: Dao, lib_chain: Chain, dao_contracts: SimpleNamespace, actors: People
) -> None:
    token, reg = dao_contracts.token, dao_contracts.registry
    reward = 50 * TOKEN
    actions = [register_action(lib_dao, actors), lib_token.reward_action(lib_dao, actors.bob.address, reward)]
    proposal_id = propose_and_vote(lib_dao, actors, actions, "Register acme/vision, reward bob")  # alice for
    send(lib_chain, actors.bob, governance.vote(lib_dao, proposal_id, Support.FOR))
    result = finish(lib_dao, actors, proposal_id)

    executed = brownie_tx(result).events
    assert plain(executed["ProposalExecuted"]) == {"proposalId": proposal_id}
    assert plain(executed["ModelRegistered"]) == {"modelId": model_id(NAME), "name": NAME}
    assert executed["VersionPublished"]["contributor"] == actors.bob.address
    transfer = {"from": dao_contracts.timelock.address, "to": actors.bob.address, "value": reward}
    assert plain(executed["Transfer"]) == transfer
    assert len(executed["CallExecuted"]) == 2
    assert plain(reg.getModel(model_id(NAME))[1:]) == (NAME, 1, False, 1, 1)
    assert token.balanceOf(actors.bob.address) == BALANCES["bob"] + reward
    assert token.balanceOf(dao_contracts.timelock) == TREASURY - reward

    approval = approval_of(lib_dao, NAME, 1)
    assert approval.proposal_id == proposal_id
    assert approval.tx_hash == result.tx_hash
    assert approval.votes_for == sum(BALANCES.values())
    assert approval.state == ProposalState.EXECUTED

    # The guardian may suspend the DAO's model, never write a version.
    suspended = brownie_tx(send(lib_dao.chain, actors.guardian, registry.suspend(lib_dao, NAME, "incident")))
    assert suspended.events["ModelSuspended"]["by"] == actors.guardian.address
    with brownie.reverts(typed_error("OwnableUnauthorizedAccount", actors.guardian.address)):
        reg.upgrade(model_id(NAME), cid("x"), cid("y"), actors.bob.address, {"from": actors.guardian.address})


# ------------------------------------------------------------------------------------------------ merit


def test_merit_is_minted_by_a_vote_votes_and_never_moves(
    lib_dao: Dao, lib_chain: Chain, dao_contracts: SimpleNamespace, actors: People, accounts: Any
) -> None:
    """dave (the outsider) holds no tokens; a vote grants him merit: it is his balance and his votes, he votes with
    it on the next proposal and his vote counts, but he can transfer none of it."""
    token = dao_contracts.token
    dave = actors.outsider
    with brownie.reverts(typed_error("ModelTokenUnauthorizedMeritMinter", accounts[0].address)):
        token.mintMerit(dave.address, TOKEN, 0, "no vote", {"from": accounts[0]})
    merit = 12 * TOKEN  # the supply is 2,000 tokens: 1% is 20
    actions = [register_action(lib_dao, actors), lib_token.merit_action(lib_dao, dave.address, merit, "acme/vision v1")]
    pid = propose_and_vote(lib_dao, actors, actions, "Register acme/vision, merit to dave")
    executed = brownie_tx(finish(lib_dao, actors, pid)).events
    assert plain(executed["MeritMinted"]) == {
        "account": dave.address, "grantId": 0, "amount": merit, "expiresAt": 0, "reason": "acme/vision v1"
    }  # fmt: skip
    assert token.meritOf(dave.address) == merit == token.balanceOf(dave.address) == token.totalMerit()
    assert token.totalSupply() == TREASURY + sum(BALANCES.values()) + merit  # quorum counts it: it is supply

    with brownie.reverts(typed_error("ModelTokenMeritNotTransferable", dave.address, 0, TOKEN)):
        token.transfer(actors.bob.address, TOKEN, {"from": dave.address})
    send(lib_chain, dave, lib_token.delegate(lib_dao, dave.address))
    held = lib_token.holding(lib_dao, dave.address)
    assert (held.balance, held.merit, held.votes, held.transferable) == (merit, merit, merit, 0)

    # his merit votes on the next proposal, counted as his weight
    nxt = propose_and_vote(lib_dao, actors, [register_action(lib_dao, actors, "acme/next")], "Next")
    voted = brownie_tx(send(lib_chain, dave, governance.vote(lib_dao, nxt, Support.FOR))).events
    assert voted["VoteCast"]["weight"] == merit
    # tokens received later stay transferable above the merit
    send(lib_chain, actors.bob, lib_token.transfer(lib_dao, dave.address, 5 * TOKEN))
    send(lib_chain, dave, lib_token.transfer(lib_dao, actors.bob.address, 5 * TOKEN))
    assert token.balanceOf(dave.address) == merit


def test_merit_with_a_lifetime_expires_and_anyone_burns_it_then(
    lib_dao: Dao, lib_chain: Chain, dao_contracts: SimpleNamespace, actors: People, accounts: Any
) -> None:
    """Two grants to dave, one for 30 days and one for good: before 30 days nobody can burn the first; after, anyone
    does, once, and dave's merit, balance, votes and the supply fall by it; the second never expires."""
    token = dao_contracts.token
    dave = actors.outsider
    month = 30 * 24 * 3600
    grants = [lib_token.merit_action(lib_dao, dave.address, 5 * TOKEN, "for a month", month),
              lib_token.merit_action(lib_dao, dave.address, 3 * TOKEN, "for good")]  # fmt: skip
    pid = propose_and_vote(lib_dao, actors, grants, "Merit to dave, one grant for a month")
    executed = brownie_tx(finish(lib_dao, actors, pid))
    minted = executed.events["MeritMinted"]
    expires = executed.timestamp + month
    assert [(e["grantId"], e["amount"], e["expiresAt"]) for e in minted] == [(0, 5 * TOKEN, expires), (1, 3 * TOKEN, 0)]
    assert [tuple(map(int, token.meritGrant(dave.address, i))) for i in range(2)] == [
        (5 * TOKEN, expires),
        (3 * TOKEN, 0),
    ]
    send(lib_chain, dave, lib_token.delegate(lib_dao, dave.address))
    supply = token.totalSupply()
    with brownie.reverts(typed_error("ModelTokenMeritNotExpired", dave.address, 0, expires)):
        token.expireMerit(dave.address, 0, {"from": accounts[0]})
    advance_time(lib_chain, month)
    burnt = token.expireMerit(dave.address, 0, {"from": accounts[0]})  # anyone
    assert plain(burnt.events["MeritExpired"]) == {"account": dave.address, "grantId": 0, "amount": 5 * TOKEN}
    held = lib_token.holding(lib_dao, dave.address)
    assert (held.balance, held.merit, held.votes) == (3 * TOKEN, 3 * TOKEN, 3 * TOKEN)
    assert (token.totalSupply(), token.totalMerit()) == (supply - 5 * TOKEN, 3 * TOKEN)
    with brownie.reverts(typed_error("ModelTokenUnknownMeritGrant", dave.address, 0)):
        token.expireMerit(dave.address, 0, {"from": accounts[0]})  # once only
    with brownie.reverts(typed_error("ModelTokenMeritNotExpired", dave.address, 1, 0)):
        token.expireMerit(dave.address, 1, {"from": accounts[0]})  # for good
    with brownie.reverts(typed_error("ModelTokenUnknownMeritGrant", dave.address, 2)):
        token.expireMerit(dave.address, 2, {"from": accounts[0]})
    assert [(g.grant_id, g.amount) for g in lib_token.merit_grants(lib_dao, dave.address)] == [(0, 0), (1, 3 * TOKEN)]


def test_merit_is_capped_per_proposal_and_never_goes_to_the_dao_itself(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    from deai_gov.errors import TransactionError

    dave = actors.outsider.address
    over = [
        lib_token.merit_action(lib_dao, dave, 15 * TOKEN, "a"),
        lib_token.merit_action(lib_dao, dave, 6 * TOKEN, "b"),
    ]
    pid = propose_and_vote(lib_dao, actors, over, "21 tokens of merit in two mints: over the 1% cap of 20")
    with pytest.raises(TransactionError, match=r"21 tokens of merit in one transaction is out of range.*at most 20"):
        finish(lib_dao, actors, pid)
    treasury = [lib_token.merit_action(lib_dao, dao_contracts.timelock.address, TOKEN, "self-dealing")]
    pid = propose_and_vote(lib_dao, actors, treasury, "Merit to the treasury")
    with pytest.raises(TransactionError, match=r"merit cannot go to .*not the zero address, the token or the treasury"):
        finish(lib_dao, actors, pid)
    assert dao_contracts.token.totalMerit() == 0
