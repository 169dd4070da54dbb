"""Whole-proposal simulations on a fork (`deai_gov.workflows.simulation`): anvil forks the test chain, the proposal
is voted,
queued and executed there as the DAO would, and the report is compared with what really happens on the chain."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from deai_gov.chain.anvil import Anvil
from deai_gov.chain.client import connect, send
from deai_gov.dao import changes
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao.actions import Action, Proposal
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.errors import ChainError, SimulationUnavailable
from deai_gov.workflows.simulation import SimulationReport, check_proposal, simulate_proposal

from .helpers import (
    People,
    dao_params,
    deploy_dao_for,
    fake_cid,
    finish,
    open_proposal,
    people_from,
    propose,
    propose_and_vote,
)


@pytest.fixture
def world(dao: Dao, people: People) -> tuple[Dao, People]:
    """The test DAO on the session's anvil: alice (700 votes with carol's) and bob (300) delegated; quorum 200."""
    return dao, people


def draft(dao: Dao, people: People, actions: list[Action], title: str) -> Proposal:
    return gov.build_proposal(dao, people.alice.address, actions, f"# {title}")


def forks_running() -> int:
    """anvil forks this test process started that are still alive (a simulation's fork must not outlive it)."""
    import os

    count = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        count += parent == os.getpid() and bool(argv) and argv[0].endswith(b"anvil") and b"--fork-url" in argv
    return count


def test_register_then_upgrade_in_one_proposal_succeeds_and_matches_the_chain(world: tuple[Dao, People]) -> None:
    """Two actions where the second depends on the first (checked one at a time, the upgrade would look like
    failing): the whole proposal succeeds on the fork, and the real execution leaves the registry as reported."""
    dao, people = world
    name = "acme/sim-twice"
    actions = [
        reg.register_action(dao, name, fake_cid("s1"), fake_cid("s1m"), people.bob.address),
        reg.upgrade_action(dao, name, fake_cid("s2"), fake_cid("s2m"), people.bob.address),
    ]
    proposal = draft(dao, people, actions, "Register and upgrade")
    assert gov.simulate_actions(dao, proposal)[1] is not None  # one at a time: the upgrade of an unknown model
    block = dao.chain.block_number()
    report = simulate_proposal(dao, proposal, proposer=people.alice.address)
    assert report.succeeded and report.route == "governor" and report.gas_used and report.gas_used > 100_000
    assert [dataclasses.astuple(c) for c in report.models] == [(name, "not registered", "active, current v2 of 2")]
    assert any(e.startswith("registry ModelRegistered(") and f"name={name}" in e for e in report.events)
    assert report.steps[0] == f"proposed by {people.alice.address}" and report.steps[-2] == "queued"
    assert dao.chain.block_number() == block and forks_running() == 0  # the chain untouched, the fork gone
    pid = propose_and_vote(dao, people, actions, "Register and upgrade")
    finish(dao, people, pid)
    model = reg.get_model(dao, name)
    assert f"{model.label}, current v{model.current_version} of {model.latest_version}" == report.models[0].after


def test_a_treasury_drain_shows_the_treasury_delta(world: tuple[Dao, People]) -> None:
    dao, people = world
    treasury = int(dao.read("token", "balanceOf", dao.address("timelock")))
    before = int(dao.read("token", "balanceOf", people.outsider.address))
    proposal = draft(dao, people, [changes.transfer_action(dao, people.outsider.address, treasury)], "Drain")
    report = simulate_proposal(dao, proposal, proposer=people.alice.address)
    assert report.succeeded
    shown = {c.what: (c.before, c.after) for c in report.balances}
    assert shown[f"{dao.address('timelock')} (treasury)"] == (f"{treasury // TOKEN:,} MDL", "0 MDL")
    assert shown[people.outsider.address] == (f"{before // TOKEN:,} MDL", f"{(before + treasury) // TOKEN:,} MDL")
    assert not report.models and not report.settings
    assert any("token Transfer(" in e and f"value={treasury // TOKEN:,} MDL" in e for e in report.events)


def test_a_settings_change_shows_the_new_values_as_the_chain_then_has_them(world: tuple[Dao, People]) -> None:
    dao, people = world
    actions = [
        changes.setting_action(dao, "voting-period", "2h"),
        changes.setting_action(dao, "quorum", "5%"),
        *changes.guardian_actions(dao, people.carol.address, governor=False),
    ]
    proposal = draft(dao, people, actions, "New rules")
    report = simulate_proposal(dao, proposal, proposer=people.alice.address)
    assert report.succeeded
    assert {c.what: c.after for c in report.settings} == {
        "voting period": "2 hours",
        "quorum": "5% of the supply",
        "registry guardian (suspends models)": people.carol.address,
    }
    assert {c.what: c.before for c in report.settings}["voting period"] == "1 hour"
    pid = propose_and_vote(dao, people, actions, "New rules")
    finish(dao, people, pid)
    assert dao.read("governor", "votingPeriod") == 7_200 and dao.read("registry", "guardian") == people.carol.address


def test_a_failing_call_names_itself_and_nothing_changes(world: tuple[Dao, People]) -> None:
    """The second of three actions rolls back a model that does not exist: the report names action 2 and the
    registry's own reason, and reports no change (the execution reverts as a whole)."""
    dao, people = world
    actions = [
        changes.transfer_action(dao, people.bob.address, 1 * TOKEN),
        reg.rollback_action(dao, "acme/never-registered", 1),
        changes.setting_action(dao, "voting-period", "2h"),
    ]
    report = simulate_proposal(dao, draft(dao, people, actions, "Broken"), proposer=people.alice.address)
    assert report.failed_action == 2 and report.failure is not None
    assert report.failure.startswith("no model with id 0x") and report.failure.endswith(" is registered")
    assert not (report.models or report.balances or report.settings or report.events)
    lines = report.lines(["one", "roll back a model that is not there", "three"])
    assert lines[1].startswith("result: FAILS at action 2 (roll back a model that is not there): ")


@pytest.mark.parametrize("stage", ["pending", "active", "succeeded", "queued"])
def test_an_existing_proposal_is_simulated_from_the_state_it_is_in(world: tuple[Dao, People], stage: str) -> None:
    from deai_gov.dev.devnet import advance_time

    from .helpers import VOTING_PERIOD

    dao, people = world
    actions = [changes.transfer_action(dao, people.outsider.address, 7 * TOKEN)]
    if stage == "pending":
        pid, _ = propose(dao, people.alice, actions, f"# From {stage}")
    else:
        pid = open_proposal(dao, people.alice, actions, f"# From {stage}")
        send(dao.chain, people.bob, gov.vote(dao, pid, gov.Support.FOR))  # 300: over the quorum, with no one else
        if stage in ("succeeded", "queued"):
            advance_time(dao.chain, VOTING_PERIOD + 1)
        if stage == "queued":
            send(dao.chain, people.bob, gov.queue(dao, pid))
    proposal, _, _ = gov.get_proposal(dao, pid)
    report = simulate_proposal(dao, proposal, proposal_id=pid)
    assert report.succeeded and report.route == "governor", report.lines()
    assert any(c.after.endswith(" MDL") and c.what == people.outsider.address for c in report.balances)
    voted = any(step.startswith("voted for by") for step in report.steps)
    assert voted == (stage == "pending")  # bob's 300 votes already carry the others past the quorum of 200
    assert ("queued" in report.steps) == (stage != "queued")


def test_an_executed_proposal_has_nothing_left_to_simulate(world: tuple[Dao, People]) -> None:
    dao, people = world
    actions = [changes.transfer_action(dao, people.outsider.address, 1 * TOKEN)]
    pid = propose_and_vote(dao, people, actions, "Done")
    finish(dao, people, pid)
    proposal, _, _ = gov.get_proposal(dao, pid)
    with pytest.raises(SimulationUnavailable, match=f"proposal {pid} was executed"):
        simulate_proposal(dao, proposal, proposal_id=pid)


def test_a_quorum_no_vote_can_reach_runs_the_actions_from_the_timelock(anvil: Anvil) -> None:
    """Quorum at 60% of a supply of which only half is delegated: the proposal cannot pass even with every
    delegate for it, so the report says so and still shows what the actions would do, from the timelock."""
    people = people_from(anvil.dev_keys())
    dao = deploy_dao_for(connect(anvil.url), people, dataclasses.replace(dao_params(people), quorum_percent=60))
    proposal = draft(dao, people, [changes.transfer_action(dao, people.outsider.address, 3 * TOKEN)], "Unreachable")
    report = simulate_proposal(dao, proposal, proposer=people.alice.address)
    assert report.route == "timelock" and report.succeeded
    assert report.route_note and "defeated" in report.route_note and "quorum 1,200 MDL" in report.route_note
    assert any(c.what == people.outsider.address for c in report.balances)


def test_without_anvil_or_on_the_embedded_chain_each_action_is_checked_instead(
    world: tuple[Dao, People], monkeypatch: pytest.MonkeyPatch
) -> None:
    from deai_gov.workflows import simulation as simulation_module

    dao, people = world
    proposal = draft(dao, people, [changes.transfer_action(dao, people.bob.address, 1 * TOKEN)], "Fallback")

    def missing() -> str:
        raise ChainError("anvil is not installed", hint="run `npm ci` in the project, or put anvil on PATH")

    monkeypatch.setattr(simulation_module, "find_anvil", missing)
    check = check_proposal(dao, proposal, proposer=people.alice.address)
    assert check.report is None and check.unavailable and "anvil is not installed" in check.unavailable
    assert "run `npm ci`" in check.unavailable  # the hint goes with the reason
    assert check.per_action == [None]
    assert check.lines(["pay bob"])[1] == "  1. pay bob: would succeed now"
    embedded = connect(None)
    local = deploy_dao_for(embedded, people_from(embedded.dev_keys))
    with pytest.raises(SimulationUnavailable, match="embedded chain cannot be forked"):
        simulate_proposal(local, proposal, proposer=people.alice.address)


def test_the_fork_reads_the_chain_through_a_relay_and_never_shows_its_url(anvil: Anvil) -> None:
    """A provider URL carries its key: anvil's command line (readable by any user in the process list) gets a
    loopback relay's address instead, and the fork still reads the chain through it."""
    secret_url = anvil.url.replace("http://", "http://user:s3cr3t-key@") + "/?apikey=s3cr3t-key"
    with Anvil(fork_url=secret_url) as fork:
        assert fork.process is not None
        assert not any("s3cr3t" in str(arg) for arg in fork.process.args)  # type: ignore[union-attr]
        assert connect(fork.url).chain_id == connect(anvil.url).chain_id
        assert connect(fork.url).block_number() >= connect(anvil.url).block_number() - 1


def test_the_report_as_json_has_exact_figures(world: tuple[Dao, People]) -> None:
    dao, people = world
    proposal = draft(dao, people, [changes.transfer_action(dao, people.bob.address, 2 * TOKEN)], "JSON")
    report: SimulationReport = simulate_proposal(dao, proposal, proposer=people.alice.address)
    data = report.to_json()
    assert data["succeeded"] is True and data["failed_action"] is None and isinstance(data["gas_used"], int)
    assert data["fork_block"] == report.fork_block and data["route"] == "governor"
    assert {b["what"] for b in data["balances"]} == {f"{dao.address('timelock')} (treasury)", people.bob.address}


def test_a_change_of_the_governors_own_settings_is_never_judged_alone(world: tuple[Dao, People]) -> None:
    """Checked alone, a call to the governor's settings reverted with panic 0x31 (its queue of governance calls is
    empty outside an execution), so `proposal show` said "would fail now" of a voting-period or guardian change that
    executed fine. Such an action is left to the whole-proposal simulation, which runs it inside an execution."""
    dao, people = world
    actions = [
        changes.setting_action(dao, "voting-period", "15m"),
        dao.action("governor", "setProposalGuardian", people.carol.address),
        changes.transfer_action(dao, people.bob.address, 1 * TOKEN),
    ]
    outcomes = gov.simulate_actions(dao, draft(dao, people, actions, "Settings"))
    assert outcomes[:2] == [gov.CHECKED_ONLY_IN_EXECUTION] * 2 and outcomes[2] is None
    assert [gov.would_succeed(o) for o in outcomes] == [None, None, True]
    assert gov.outcome_words(outcomes[0]).startswith("checked only with the whole proposal")
    assert "panic" not in " ".join(str(o) for o in outcomes)
    whole = simulate_proposal(dao, draft(dao, people, actions, "Settings"), proposer=people.alice.address)
    assert whole.succeeded, whole.lines(["period", "guardian", "pay"])
