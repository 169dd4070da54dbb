"""The whole model lifecycle through votes on a real anvil node; the full register-to-retire cycle on the embedded
chain as well."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deai_gov.chain.client import send
from deai_gov.contracts.states import ModelStatus, ProposalState, VersionStatus
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import advance_time
from deai_gov.errors import DeaiGovError, InputError, TransactionError, VerificationError
from deai_gov.ipfs.content import publish
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore
from deai_gov.names import model_id
from deai_gov.workflows.approved import pull_approved, verify_approved
from deai_gov.workflows.describe import proposal_info
from deai_gov.workflows.provenance import approval_of, which

from .helpers import (
    TIMELOCK_DELAY,
    VOTING_DELAY,
    VOTING_PERIOD,
    People,
    fake_cid,
    finish,
    onchain,
    pass_proposal,
    prepared,
    propose,
    propose_and_vote,
)

NAME = "acme/vision"


def _publish_model(
    folder: Path, store: EmbeddedStore, version: int, contributor: str, weights: bytes
) -> tuple[str, str]:
    (folder / "README.md").parent.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# acme/vision\n")
    (folder / "config.json").write_text('{"layers": 2}')
    (folder / "model.safetensors").write_bytes(weights)
    result = publish(
        folder,
        store,
        name=NAME,
        version=version,
        parent_version=version - 1,
        contributors=[Contributor(contributor, 10_000)],
    )
    return result.artifact_cid, result.manifest_cid


@pytest.mark.chains("embedded", "anvil")
def test_register_upgrade_rollback_retire_with_reward(dao: Dao, people: People, tmp_path: Path) -> None:
    treasury_before = onchain(dao, "token").functions.balanceOf(dao.deployment.timelock).call()
    bob_before = onchain(dao, "token").functions.balanceOf(people.bob.address).call()
    store = EmbeddedStore(tmp_path / "ipfs")
    weights_v1 = os.urandom(600_000)

    # register a published model folder, with a reward to the contributor in the same vote
    v1 = _publish_model(tmp_path / "v1", store, 1, people.bob.address, weights_v1)
    actions = [
        reg.register_action(dao, NAME, *v1, people.bob.address),
        token.reward_action(dao, people.bob.address, 25 * TOKEN),
    ]
    pid1 = pass_proposal(dao, people, actions, "Register acme/vision")
    model = reg.get_model(dao, NAME)
    assert (model.status, model.current_version, model.latest_version) == (ModelStatus.ACTIVE, 1, 1)
    version = reg.get_version(dao, NAME, 1)
    assert (version.artifact_cid, version.manifest_cid) == v1
    assert (version.contributor, version.parent, version.status) == (people.bob.address, 0, VersionStatus.CURRENT)
    assert onchain(dao, "token").functions.balanceOf(people.bob.address).call() == bob_before + 25 * TOKEN
    assert onchain(dao, "token").functions.balanceOf(dao.deployment.timelock).call() == treasury_before - 25 * TOKEN

    # anyone pulls exactly what the vote approved, every block verified
    _, report = pull_approved(dao, [store], NAME, tmp_path / "pulled-v1")
    assert (tmp_path / "pulled-v1" / "model.safetensors").read_bytes() == weights_v1
    assert [f.path for f in report.files] == ["README.md", "config.json", "model.safetensors"]

    # the vote behind version 1, found from the version alone
    approval = approval_of(dao, NAME, 1)
    assert approval.proposal_id == pid1
    assert approval.state == ProposalState.EXECUTED
    assert approval.votes_for == 700 * TOKEN  # alice's own 500 plus carol's delegated 200

    # upgrade: v2 becomes current, v1 superseded
    v2 = _publish_model(tmp_path / "v2", store, 2, people.carol.address, os.urandom(300_000))
    pid2 = pass_proposal(dao, people, [reg.upgrade_action(dao, NAME, *v2, people.carol.address)], "Upgrade to v2")
    assert reg.get_model(dao, NAME).current_version == 2
    assert reg.get_version(dao, NAME, 2).parent == 1
    assert reg.get_version(dao, NAME, 1).status == VersionStatus.SUPERSEDED
    assert approval_of(dao, NAME, 2).proposal_id == pid2 == pid1 + 1
    current = approval_of(dao, NAME)  # no version: the current one
    assert (current.name, current.version.number, current.proposal_id) == (NAME, 2, pid2)
    assert current.version == reg.get_version(dao, NAME, 2)
    approved, report = verify_approved(dao, [store], NAME)
    assert approved.version.number == 2 and report.manifest.contributors[0].address == people.carol.address

    # rollback to v1: v2 is marked rolled back and can never be current again
    rolled = pass_proposal(dao, people, [reg.rollback_action(dao, NAME, 1)], "Roll back to v1")
    # v1 stands by the rollback's vote now, and still names the vote that wrote it
    again = approval_of(dao, NAME)
    assert (again.version.number, again.proposal_id, again.made_current, again.written_by) == (1, rolled, True, pid1)
    assert again.to_json()["approved_by"] == "rollback" and again.to_json()["written_by"] == pid1
    assert approval_of(dao, NAME, 2).proposal_id == pid2  # a rolled-back version: the vote that wrote it
    # a CID alone says which version it is, and the vote that stands behind it (`model which`)
    [artifact] = which(dao, v1[0])
    assert (artifact.name, artifact.version.number, artifact.part) == (NAME, 1, "artifact")
    assert artifact.approval is not None and artifact.approval.proposal_id == rolled
    [manifest] = which(dao, v2[1])
    assert (manifest.part, manifest.version.status, manifest.approval.proposal_id) == (  # type: ignore[union-attr]
        "manifest",
        VersionStatus.ROLLED_BACK,
        pid2,
    )
    assert which(dao, fake_cid("never registered")) == []
    model = reg.get_model(dao, NAME)
    assert (model.current_version, model.latest_version) == (1, 2)
    assert reg.get_version(dao, NAME, 2).status == VersionStatus.ROLLED_BACK
    assert reg.get_version(dao, NAME).number == 1
    # the withdrawn version is pulled only when asked for explicitly
    with pytest.raises(InputError, match="v2 was rolled back by the DAO"):
        pull_approved(dao, [store], NAME, tmp_path / "pulled-v2-again", 2)
    assert not (tmp_path / "pulled-v2-again").exists()
    withdrawn, _ = verify_approved(dao, [store], NAME, 2, allow_rolled_back=True)
    assert withdrawn.version.status == VersionStatus.ROLLED_BACK

    # an upgrade after a rollback never reuses a version number
    # v3 re-releases v1's files: the registry takes the voted CIDs, but v1's manifest cannot pass as v3
    v3 = v1
    pass_proposal(dao, people, [reg.upgrade_action(dao, NAME, *v3, people.bob.address)], "Upgrade to v3")
    with pytest.raises(VerificationError, match="the manifest is for acme/vision v1, but the registry records it"):
        pull_approved(dao, [store], NAME, tmp_path / "pulled-v3")
    assert not (tmp_path / "pulled-v3").exists()
    versions = reg.list_versions(dao, NAME)
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].parent == 1 and versions[2].artifact_cid == v3[0]
    assert versions[1].artifact_cid == v2[0]  # written once, never changed

    # retire: terminal
    pass_proposal(dao, people, [reg.retire_action(dao, NAME, "superseded by acme/vision-2")], "Retire")
    assert reg.get_model(dao, NAME).status == ModelStatus.RETIRED
    retired_upgrade = [reg.upgrade_action(dao, NAME, fake_cid("v4"), fake_cid("m4"), people.bob.address)]
    pid = propose_and_vote(dao, people, retired_upgrade, "Upgrade a retired model")
    with pytest.raises(TransactionError, match="retired and can no longer change"):
        finish(dao, people, pid)
    assert reg.get_model(dao, NAME).latest_version == 3
    assert [m.name for m in reg.list_models(dao)] == [NAME]
    # its name is never free again: a registration is refused before anyone votes on it (the registry would refuse)
    with pytest.raises(InputError, match=r"was registered and is now retired: .* choose another name"):
        reg.check_registrable(dao, NAME)
    reg.check_registrable(dao, "acme/vision-2")  # a free name passes
    # a retired model's versions stay approved, and say so
    retired, _ = verify_approved(dao, [store], NAME, 1)
    assert retired.retired and retired.model.status == ModelStatus.RETIRED and not retired.suspended


def test_override_vote_changes_the_outcome(dao: Dao, people: People) -> None:
    actions = [reg.register_action(dao, NAME, fake_cid("a"), fake_cid("m"), people.bob.address)]
    pid = propose_and_vote(dao, people, actions, "Register")  # alice: 700 for (incl. carol's 200)
    send(dao.chain, people.bob, gov.vote(dao, pid, gov.Support.AGAINST, "not tested enough"))  # bob: 300 against
    info = proposal_info(dao, pid)
    assert (info.votes_for, info.votes_against) == (700 * TOKEN, 300 * TOKEN)

    send(dao.chain, people.carol, gov.override_vote(dao, pid, gov.Support.AGAINST, "I disagree with my delegate"))
    info = proposal_info(dao, pid)
    assert (info.votes_for, info.votes_against) == (500 * TOKEN, 500 * TOKEN)
    # who voted how, as `proposal votes` shows it: alice's vote now counts what carol did not take back
    shown = [(b.voter, b.support, b.weight, b.cast_weight, b.override, b.reason) for b in gov.ballots(dao, pid)]
    assert shown == [
        (people.alice.address, gov.Support.FOR, 500 * TOKEN, 700 * TOKEN, False, "looks good"),
        (people.bob.address, gov.Support.AGAINST, 300 * TOKEN, 300 * TOKEN, False, "not tested enough"),
        (people.carol.address, gov.Support.AGAINST, 200 * TOKEN, 200 * TOKEN, True, "I disagree with my delegate"),
    ]
    assert sum(b.weight for b in gov.ballots(dao, pid)) == info.votes_for + info.votes_against
    with pytest.raises(TransactionError, match="already overridden"):
        send(dao.chain, people.carol, gov.override_vote(dao, pid, gov.Support.FOR))

    advance_time(dao.chain, VOTING_PERIOD + 1)
    assert gov.state(dao, pid) == ProposalState.DEFEATED  # a tie does not pass
    with pytest.raises(TransactionError, match="was defeated; this needs a proposal that has succeeded"):
        send(dao.chain, people.alice, gov.queue(dao, pid))


def test_signed_votes_relay_in_any_order(dao: Dao, people: People) -> None:
    first = [reg.register_action(dao, NAME, fake_cid("a"), fake_cid("m"), people.bob.address)]
    second = [reg.register_action(dao, "acme/audio", fake_cid("b"), fake_cid("n"), people.bob.address)]
    pid1, _ = propose(dao, people.alice, first, "# One")
    pid2, _ = propose(dao, people.alice, second, "# Two")
    advance_time(dao.chain, VOTING_DELAY + 1)
    signed1 = gov.sign_vote(dao, people.bob, pid1, gov.Support.FOR)
    signed2 = gov.sign_vote(dao, people.bob, pid2, gov.Support.AGAINST, "prefer the first")
    send(dao.chain, people.outsider, gov.relay(dao, gov.SignedVote.from_dict(signed2.to_dict())))
    send(dao.chain, people.outsider, gov.relay(dao, signed1))
    assert proposal_info(dao, pid1).votes_for == 300 * TOKEN
    assert proposal_info(dao, pid2).votes_against == 300 * TOKEN
    with pytest.raises(InputError, match=f"{people.bob.address} has already voted on proposal {pid1}; nothing sent"):
        gov.relay(dao, signed1)  # a replay: said plainly before anything is sent (the governor would refuse it)


def test_guardian_cancels_a_proposal_and_suspends_a_model(dao: Dao, people: People) -> None:
    pass_proposal(
        dao, people, [reg.register_action(dao, NAME, fake_cid("a"), fake_cid("m"), people.bob.address)], "Register"
    )
    bad = [reg.upgrade_action(dao, NAME, fake_cid("evil"), fake_cid("evil m"), people.outsider.address)]
    pid = propose_and_vote(dao, people, bad, "Sneaky upgrade")
    with pytest.raises(TransactionError, match="may not cancel"):
        send(dao.chain, people.bob, gov.cancel(dao, pid))
    send(dao.chain, people.guardian, gov.cancel(dao, pid))
    assert gov.state(dao, pid) == ProposalState.CANCELED
    assert reg.get_model(dao, NAME).latest_version == 1

    send(dao.chain, people.guardian, reg.suspend(dao, NAME, "weights leak training data"))
    suspended = reg.get_model(dao, NAME)
    assert suspended.suspended and suspended.status == ModelStatus.ACTIVE and suspended.state == "suspended"
    with pytest.raises(InputError, match="suspended by its guardian"):
        pull_approved(dao, [], NAME, Path("/nonexistent/never-written"))
    with pytest.raises(TransactionError, match="the model is already suspended"):
        send(dao.chain, people.guardian, reg.suspend(dao, NAME, "again"))
    with pytest.raises(TransactionError, match="neither the registry's owner nor its guardian"):
        send(dao.chain, people.alice, reg.unsuspend(dao, NAME))
    send(dao.chain, people.guardian, reg.unsuspend(dao, NAME))
    lifted = reg.get_model(dao, NAME)
    assert not lifted.suspended and lifted.state == "active"
    with pytest.raises(TransactionError, match="the model is not suspended"):
        send(dao.chain, people.guardian, reg.unsuspend(dao, NAME))


def test_refusals_send_nothing(dao: Dao, people: People) -> None:
    chain = dao.chain
    nonce = chain.w3.eth.get_transaction_count(people.deployer.address)
    # a direct registry write by anyone, the deployer included
    with pytest.raises(TransactionError, match="not the registry's owner"):
        send(chain, people.deployer, prepared(onchain(dao, "registry").functions.retire(model_id(NAME), "x")))
    assert chain.w3.eth.get_transaction_count(people.deployer.address) == nonce
    # the guardian trying to register
    call = onchain(dao, "registry").functions.register(NAME, bytes(36), bytes(36), people.guardian.address)
    with pytest.raises(TransactionError, match="not the registry's owner"):
        send(chain, people.guardian, prepared(call))
    # proposing below the threshold (the outsider holds nothing)
    actions = [reg.register_action(dao, NAME, fake_cid("a"), fake_cid("m"), people.bob.address)]
    with pytest.raises(TransactionError, match="below the proposal threshold"):
        propose(dao, people.outsider, actions, "# Register")
    # submitting someone else's proposal (front-running) is refused by the #proposer= suffix
    alice_text = gov.with_proposer_suffix("# Register", people.alice.address)
    with pytest.raises(TransactionError, match="only that address may submit it"):
        propose(dao, people.bob, actions, alice_text)
    # duplicates are detected before sending
    pid = propose_and_vote(dao, people, actions, "Register")
    with pytest.raises(InputError, match=f"identical proposal already exists: proposal {pid}"):
        propose(dao, people.alice, actions, "# Register")
    # executing before the timelock delay has passed
    advance_time(chain, VOTING_PERIOD + 1)
    send(dao.chain, people.alice, gov.queue(dao, pid))
    with pytest.raises(TransactionError, match="timelock operation is not ready"):
        send(dao.chain, people.alice, gov.execute(dao, pid))
    assert gov.state(dao, pid) == ProposalState.QUEUED
    assert not [m for m in reg.list_models(dao)]


def test_unknown_things_are_named(dao: Dao, people: People) -> None:
    with pytest.raises(InputError, match="proposal 42 does not exist"):
        gov.state(dao, 42)
    with pytest.raises(InputError, match="no model named 'acme/none' is registered"):
        reg.get_model(dao, "acme/none")
    with pytest.raises(DeaiGovError, match="not a valid model name"):
        reg.register_action(dao, "Acme/Vision", fake_cid("a"), fake_cid("m"), people.bob.address)
    with pytest.raises(InputError, match="wrong checksum"):
        token.reward_action(dao, people.bob.address[:-1] + ("a" if people.bob.address[-1] != "a" else "b"), 1)


def test_approval_is_found_when_anyone_executes_through_the_timelock(dao: Dao, people: People) -> None:
    actions = [reg.register_action(dao, NAME, fake_cid("a"), fake_cid("m"), people.bob.address)]
    pid = propose_and_vote(dao, people, actions, "Register")
    advance_time(dao.chain, VOTING_PERIOD + 1)
    send(dao.chain, people.alice, gov.queue(dao, pid))
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    proposal, _, _ = gov.get_proposal(dao, pid)
    direct = onchain(dao, "timelock").functions.executeBatch(
        proposal.targets, proposal.values, proposal.calldatas, bytes(32), gov.timelock_salt(dao, proposal)
    )
    send(dao.chain, people.outsider, prepared(direct))  # the timelock's executor role is open to anyone
    assert gov.state(dao, pid) == ProposalState.EXECUTED
    approval = approval_of(dao, NAME, 1)
    assert approval.proposal_id == pid and approval.votes_for == 700 * TOKEN


def test_a_new_process_reads_proposals_back_from_logs(dao: Dao, people: People) -> None:
    actions = [reg.register_action(dao, NAME, fake_cid("a"), fake_cid("m"), people.bob.address)]
    pid_other, _ = propose(dao, people.bob, [reg.retire_action(dao, NAME, "x")], "# Another proposal")
    pid = propose_and_vote(dao, people, actions, "Register")
    proposal_in_memory = gov.get_proposal(dao, pid)
    dao.proposals_read.clear()  # as in a fresh process
    assert gov.get_proposal(dao, pid) == proposal_in_memory
    dao.proposals_read.clear()
    proposal, proposer, _ = gov.get_proposal(dao, pid_other)
    assert (proposal.title, proposer) == ("Another proposal", people.bob.address)
    dao.proposals_read.clear()
    finish(dao, people, pid)  # queue and execute look the proposal up from its log
    assert reg.get_model(dao, NAME).current_version == 1


def test_list_proposals_reads_states_in_batches(dao: Dao, people: People) -> None:
    """The list the CLI prints: newest first, each with its state (batched over RPC, one by one in-process)."""
    actions = [reg.register_action(dao, f"acme/listed-{i}", fake_cid(f"a{i}"), fake_cid(f"m{i}"), people.bob.address)
               for i in range(3)]  # fmt: skip
    ids = [propose(dao, people.alice, [action], f"# listed {i}")[0] for i, action in enumerate(actions)]
    send(dao.chain, people.alice, gov.cancel(dao, ids[1]))
    listed = gov.list_proposals(dao)
    assert [p.id for p in listed] == sorted(ids, reverse=True)
    assert [p.state for p in listed] == [ProposalState.PENDING, ProposalState.CANCELED, ProposalState.PENDING]
    assert listed[0].title == "listed 2" and listed[0].proposer == people.alice.address
    assert [p.id for p in gov.list_proposals(dao, ProposalState.CANCELED)] == [ids[1]]
    # with its tally, end of vote and quorum: alice votes for the first once its vote opens
    advance_time(dao.chain, VOTING_DELAY + 1)
    send(dao.chain, people.alice, gov.vote(dao, ids[0], gov.Support.FOR))
    first = next(p for p in gov.list_proposals(dao) if p.id == ids[0])
    info = proposal_info(dao, ids[0])
    assert (first.votes_for, first.votes_against, first.votes_abstain) == (700 * TOKEN, 0, 0)
    assert (first.deadline, first.quorum) == (info.deadline, info.quorum)
    assert first.to_json()["votes"] == {"for": str(700 * TOKEN), "against": "0", "abstain": "0"}
