"""What the governor adds to OpenZeppelin's ballots (the third audit's L5, C1, C2 and C4): a ballot binds the
proposal's content, not only its number; a cast vote cannot be changed by an override; a late ballot that turns
the outcome extends the vote; the voting period stays above the late-quorum extension; the guardian exemption
follows the registry the DAO names.

Signed ballots are signed by `deai_gov.dao.governance.sign_ballot` (or, for the override ballot the library does
not sign, with eth_account here) and sent with brownie, so that the governor alone decides what counts.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import brownie
import pytest
from contract_helpers import BALANCES, brownie_tx, cid, plain, typed_error
from eth_account.signers.local import LocalAccount

from deai_gov.chain.client import send
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance, registry
from deai_gov.dao.deployed import Dao
from deai_gov.dao.governance import Action, Support, ballot_nonce_key, sign_ballot
from deai_gov.dev.devnet import advance_time
from deai_gov.errors import TransactionError
from deai_gov.ipfs.blockcid import to_text
from tests.helpers import LATE_QUORUM, VOTING_PERIOD, People, finish, open_proposal, propose, propose_and_vote

NAME = "acme/vision"


@pytest.fixture(scope="module", autouse=True)
def deployed(lib_dao: Dao) -> None:
    """Deploy the module's DAO before brownie's `fn_isolation` snapshot (see tests/contracts/conftest.py)."""


@pytest.fixture(autouse=True)
def isolation(fn_isolation: Any) -> None:
    """Each test starts from the state right after the deployment."""


def register(lib_dao: Dao, actors: People, name: str = NAME) -> list[Action]:
    return [
        registry.register_action(
            lib_dao, name, to_text(cid(name)), to_text(cid(name + "/manifest")), actors.bob.address
        )
    ]


def signed_ballot(lib_dao: Dao, voter: LocalAccount, proposal_id: int, content: bytes, **kw: Any) -> bytes:
    """`voter`'s signature of a `Ballot` for FOR on `proposal_id`, bound to `content` (or with `nonce=`)."""
    signed = sign_ballot(
        voter,
        governor=lib_dao.address("governor"),
        governor_name=lib_dao.read("governor", "name"),
        chain_id=lib_dao.chain.chain_id,
        proposal_id=proposal_id,
        content_hash=content,
        support=Support.FOR,
        **kw,
    )
    return bytes.fromhex(signed.signature[2:])


def signed_override(lib_dao: Dao, voter: LocalAccount, proposal_id: int, nonce: int, reason: str = "") -> bytes:
    """`voter`'s signature of an `OverrideBallot` (AGAINST on `proposal_id`) with `nonce`."""
    domain = {
        "name": lib_dao.read("governor", "name"),
        "version": "1",
        "chainId": lib_dao.chain.chain_id,
        "verifyingContract": lib_dao.address("governor"),
    }
    fields = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")]
    types = {"OverrideBallot": [{"name": n, "type": t} for n, t in [*fields, ("reason", "string")]]}
    message = {
        "proposalId": proposal_id,
        "support": int(Support.AGAINST),
        "voter": voter.address,
        "nonce": nonce,
        "reason": reason,
    }
    return bytes(voter.sign_typed_data(domain, types, message).signature)


# ------------------------------------------------------------------------------------------------ L5: content


def test_the_governor_records_each_proposals_content_hash(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    proposal_id, _ = propose(lib_dao, actors.alice, register(lib_dao, actors), "# Register acme/vision")
    proposal, _, _ = governance.get_proposal(lib_dao, proposal_id)
    assert plain(dao_contracts.governor.proposalContentHash(proposal_id)) == "0x" + proposal.content_hash.hex()
    assert plain(dao_contracts.governor.proposalContentHash(proposal_id + 1)) == "0x" + "00" * 32


def test_a_ballot_signed_for_one_content_never_counts_for_another_under_the_same_number(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    """Bob signs, offline, FOR proposal 1 as he expects it (acme/vision); a front-runner's proposal becomes number 1.
    The governor refuses his signature there, and counts a signature bound to what proposal 1 really holds."""
    governor = dao_contracts.governor
    expected = governance.build_proposal(
        lib_dao, actors.alice.address, register(lib_dao, actors), "# Register acme/vision"
    )
    signature = signed_ballot(lib_dao, actors.bob, 1, expected.content_hash)
    front_run = open_proposal(lib_dao, actors.alice, register(lib_dao, actors, "evil/twin"), "# Register evil/twin")
    assert front_run == 1
    with brownie.reverts(typed_error("GovernorInvalidSignature", actors.bob.address)):
        governor.castVoteBySig(1, Support.FOR, actors.bob.address, signature, {"from": actors.outsider.address})

    # OpenZeppelin's plain nonce, and its key of the proposal number, bind no content: neither counts here
    for nonce in (0, 1 << 64):
        plain_signature = signed_ballot(lib_dao, actors.bob, 1, expected.content_hash, nonce=nonce)
        with brownie.reverts(typed_error("GovernorInvalidSignature", actors.bob.address)):
            governor.castVoteBySig(
                1, Support.FOR, actors.bob.address, plain_signature, {"from": actors.outsider.address}
            )

    actual, _, _ = governance.get_proposal(lib_dao, 1)
    bound = signed_ballot(lib_dao, actors.bob, 1, actual.content_hash)
    tx = governor.castVoteBySig(1, Support.FOR, actors.bob.address, bound, {"from": actors.outsider.address})
    assert tx.events["VoteCast"]["weight"] == BALANCES["bob"]
    key = ballot_nonce_key(actual.content_hash)
    assert governor.nonces(actors.bob.address, key) == (key << 64) + 1


def test_a_vote_whose_params_name_other_content_is_refused(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, register(lib_dao, actors), "# Register acme/vision")
    proposal, _, _ = governance.get_proposal(lib_dao, proposal_id)
    content = "0x" + proposal.content_hash.hex()
    for params in (b"\x01" * 32, proposal.content_hash[:31], proposal.content_hash + b"\x00"):
        with brownie.reverts(typed_error("ModelGovernorVoteForOtherContent", proposal_id, content)):
            governor.castVoteWithReasonAndParams(proposal_id, Support.FOR, "", params, {"from": actors.bob.address})
    result = send(lib_dao.chain, actors.bob, governance.vote(lib_dao, proposal_id, Support.FOR, proposal=proposal))
    event = brownie_tx(result).events["VoteCastWithParams"]
    assert (event["weight"], plain(event["params"])) == (BALANCES["bob"], content)


def test_a_signed_override_is_keyed_by_the_content_too(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    """C4: overrides are signed with the content-keyed nonce, like votes: carol's first override of a proposal is
    nonce `key << 64` whatever she signed before, and a plain nonce no longer counts."""
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, register(lib_dao, actors), "# Register acme/vision")
    proposal, _, _ = governance.get_proposal(lib_dao, proposal_id)
    key = ballot_nonce_key(proposal.content_hash)
    refused = signed_override(lib_dao, actors.carol, proposal_id, 0)
    with brownie.reverts(typed_error("GovernorInvalidSignature", actors.carol.address)):
        governor.castOverrideVoteBySig(
            proposal_id, Support.AGAINST, actors.carol.address, "", refused, {"from": actors.outsider.address}
        )
    signature = signed_override(lib_dao, actors.carol, proposal_id, key << 64, "not this one")
    args = (proposal_id, Support.AGAINST, actors.carol.address, "not this one", signature)
    tx = governor.castOverrideVoteBySig(*args, {"from": actors.outsider.address})
    assert tx.events["OverrideVoteCast"]["weight"] == BALANCES["carol"]
    with brownie.reverts(typed_error("GovernorInvalidSignature", actors.carol.address)):  # no replay
        governor.castOverrideVoteBySig(*args, {"from": actors.outsider.address})


# ------------------------------------------------------------------------------------------------ C1: overrides


@pytest.mark.parametrize("first", [Support.FOR, Support.ABSTAIN])
def test_an_account_that_voted_cannot_override_its_own_vote(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People, first: Support
) -> None:
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, register(lib_dao, actors), "# Register acme/vision")
    send(lib_dao.chain, actors.bob, governance.vote(lib_dao, proposal_id, first))
    with brownie.reverts(typed_error("GovernorAlreadyCastVote", actors.bob.address)):
        governor.castOverrideVote(proposal_id, Support.AGAINST, "", {"from": actors.bob.address})
    with pytest.raises(TransactionError, match="has already voted on this proposal"):
        send(lib_dao.chain, actors.bob, governance.override_vote(lib_dao, proposal_id, Support.AGAINST))
    assert plain(governor.proposalVotes(proposal_id))[{Support.FOR: 1, Support.ABSTAIN: 2}[first]] == BALANCES["bob"]


def turned_late(lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People, late_support: Support) -> tuple[int, Any]:
    """Alice abstains at once with her and carol's weight (quorum reached early, the late-quorum extension spent),
    bob votes against; with `VOTING_PERIOD - 100` seconds gone, carol overrides alice with `late_support`."""
    token = dao_contracts.token
    token.transfer(actors.carol.address, 200 * 10**18, {"from": actors.alice.address})  # carol: 400, still alice's
    proposal_id = open_proposal(lib_dao, actors.alice, register(lib_dao, actors), "# Register acme/vision")
    send(lib_dao.chain, actors.alice, governance.vote(lib_dao, proposal_id, Support.ABSTAIN))
    send(lib_dao.chain, actors.bob, governance.vote(lib_dao, proposal_id, Support.AGAINST))
    advance_time(lib_dao.chain, VOTING_PERIOD - 100)
    late = brownie_tx(send(lib_dao.chain, actors.carol, governance.override_vote(lib_dao, proposal_id, late_support)))
    return proposal_id, late


def test_a_late_ballot_that_turns_the_outcome_extends_the_vote(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    """C1: carol's 400 FOR beats bob's 300 AGAINST 100 seconds before the end; the vote now ends LATE_QUORUM
    seconds after her ballot, so bob's side has time to answer."""
    governor = dao_contracts.governor
    proposal_id, late = turned_late(lib_dao, dao_contracts, actors, Support.FOR)
    extended = late.timestamp + LATE_QUORUM
    assert plain(late.events["ProposalExtended"]) == {"proposalId": proposal_id, "extendedDeadline": extended}
    assert governor.proposalDeadline(proposal_id) == extended
    advance_time(lib_dao.chain, 200)  # past the deadline the proposal was created with
    assert governor.state(proposal_id) == ProposalState.ACTIVE
    advance_time(lib_dao.chain, LATE_QUORUM)
    assert governor.state(proposal_id) == ProposalState.SUCCEEDED


def test_a_late_ballot_that_does_not_turn_the_outcome_extends_nothing(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    governor = dao_contracts.governor
    proposal_id, late = turned_late(lib_dao, dao_contracts, actors, Support.AGAINST)
    assert "ProposalExtended" not in late.events
    deadline = governor.proposalDeadline(proposal_id)
    assert deadline < late.timestamp + LATE_QUORUM
    advance_time(lib_dao.chain, 200)
    assert governor.state(proposal_id) == ProposalState.DEFEATED


def test_an_early_ballot_that_turns_the_outcome_extends_nothing(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    governor = dao_contracts.governor
    proposal_id = open_proposal(lib_dao, actors.alice, register(lib_dao, actors), "# Register acme/vision")
    deadline = governor.proposalDeadline(proposal_id)
    send(lib_dao.chain, actors.bob, governance.vote(lib_dao, proposal_id, Support.AGAINST))
    turned = brownie_tx(send(lib_dao.chain, actors.alice, governance.vote(lib_dao, proposal_id, Support.FOR)))
    assert "ProposalExtended" not in turned.events
    assert governor.proposalDeadline(proposal_id) == deadline


# ------------------------------------------------------------------------------------------------ C4: settings


def test_the_voting_period_cannot_go_below_the_late_quorum_extension(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People
) -> None:
    too_short = propose_and_vote(
        lib_dao, actors, [lib_dao.action("governor", "setVotingPeriod", LATE_QUORUM - 1)], "Shorter votes"
    )
    with pytest.raises(TransactionError, match="is shorter than the late-quorum extension"):
        finish(lib_dao, actors, too_short)
    assert dao_contracts.governor.votingPeriod() == VOTING_PERIOD
    just_enough = propose_and_vote(
        lib_dao, actors, [lib_dao.action("governor", "setVotingPeriod", LATE_QUORUM)], "Short votes"
    )
    finish(lib_dao, actors, just_enough)
    assert dao_contracts.governor.votingPeriod() == LATE_QUORUM


# ------------------------------------------------------------------------------------------------ C2: registry


def test_the_guardian_exemption_follows_the_registry_the_dao_names(
    lib_dao: Dao, dao_contracts: SimpleNamespace, actors: People, ModelRegistry: Any
) -> None:
    """C2: the DAO moves to a new registry and names it in the same vote; the guardian can then not veto its own
    replacement there, and the old registry's guardian change is no longer exempt."""
    governor, timelock = dao_contracts.governor, dao_contracts.timelock
    new = ModelRegistry.deploy(timelock.address, actors.guardian.address, {"from": actors.deployer.address})
    with brownie.reverts(typed_error("GovernorOnlyExecutor", actors.alice.address)):
        governor.setModelRegistry(new.address, {"from": actors.alice.address})
    moved = finish(
        lib_dao,
        actors,
        propose_and_vote(lib_dao, actors, [lib_dao.action("governor", "setModelRegistry", new.address)], "Move"),
    )
    assert plain(brownie_tx(moved).events["ModelRegistrySet"]) == {
        "oldRegistry": dao_contracts.registry.address,
        "newRegistry": new.address,
    }
    assert governor.modelRegistry() == new.address

    change_new = Action(new.address, 0, lib_dao.action("registry", "setGuardian", actors.bob.address).calldata)
    protected = propose_and_vote(lib_dao, actors, [change_new], "Bob guards the new registry")
    proposal, _, _ = governance.get_proposal(lib_dao, protected)
    with brownie.reverts(typed_error("ModelGovernorGuardianChangeNotCancelable", protected)):
        governor.cancel(*proposal.args(), {"from": actors.guardian.address})
    change_old = lib_dao.action("registry", "setGuardian", actors.bob.address)
    exposed = propose_and_vote(lib_dao, actors, [change_old], "Bob guards the old registry")
    send(lib_dao.chain, actors.guardian, governance.cancel(lib_dao, exposed))
    assert governor.state(exposed) == ProposalState.CANCELED
