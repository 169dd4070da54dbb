"""Following the DAO (`deai_gov.workflows.watch`, `deai-gov watch`, `deai-gov model watch`): every event once, in
order, across
restarts, only once confirmed, and a deployment script run on each, against anvil."""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from deai_gov.chain.anvil import Anvil
from deai_gov.chain.client import Chain, connect, send
from deai_gov.cli import main
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import advance_time
from deai_gov.errors import ChainError, HookFailed
from deai_gov.home.accounts import keystore_dir
from deai_gov.workflows.watch import WatchedEvent, follow, run_command

from .helpers import (
    TIMELOCK_DELAY,
    VOTING_PERIOD,
    People,
    deploy_recorded,
    fake_cid,
    pass_proposal,
    people_from,
    propose_and_vote,
)

NAME = "acme/watched"


@pytest.fixture(scope="module")
def registered(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> tuple[Dao, People, list[str]]:
    """A DAO on the session's anvil with its record saved for the CLI, and NAME registered (v1), for the module."""
    return set_up(anvil, tmp_path_factory.mktemp("watch"))


@pytest.fixture
def world(registered: tuple[Dao, People, list[str]]) -> tuple[Dao, People, list[str]]:
    """The module's DAO; what the test does to the chain is undone after it."""
    return registered


@pytest.fixture
def own_world(registered: tuple[Dao, People, list[str]]) -> tuple[Dao, People, list[str]]:
    """The same, for tests that reorganise the chain (snapshot and revert): inside the test's own snapshot, they
    rewind nothing other tests see."""
    return registered


def set_up(anvil: Anvil, tmp_path: Path) -> tuple[Dao, People, list[str]]:
    people = people_from(anvil.dev_keys())
    record = tmp_path / "deployment.json"
    dao = deploy_recorded(connect(anvil.url), people, record, delegated=True)
    pass_proposal(
        dao, people, [reg.register_action(dao, NAME, fake_cid("w1"), fake_cid("w1m"), people.bob.address)], "v1"
    )
    return dao, people, ["--rpc-url", anvil.url, "--deployment", str(record)]


def mine(chain: Chain, blocks: int) -> None:
    chain.request("anvil_mine", [hex(blocks)])


def deploy_script(tmp_path: Path) -> tuple[Path, Path]:
    """A deployment script as a user would write one: it appends what it was told to a log and exits 0."""
    log = tmp_path / "deployed.log"
    script = tmp_path / "deploy.sh"
    script.write_text(
        "#!/bin/sh\n"
        "payload=$(cat)\n"
        f'echo "$DEAI_GOV_EVENT $DEAI_GOV_MODEL ${{DEAI_GOV_VERSION:--}} ${{DEAI_GOV_PROPOSAL_ID:--}} '
        f'$(echo "$payload" | head -c 1)" >> {log}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def test_a_deployment_script_follows_a_model_through_its_life_once_each(
    world: tuple[Dao, People, list[str]], tmp_path: Path
) -> None:
    """`model watch NAME --exec ./deploy.sh --cursor FILE --once`, run again after each change (a restart each
    time): registration, upgrade, rollback, suspension, unsuspension and retirement, each delivered exactly once,
    in order, with the event on the script's input (a JSON object) and in its environment."""
    dao, people, base = world
    script, log = deploy_script(tmp_path)
    cursor = tmp_path / "deploy.cursor"
    command = [*base, "model", "watch", NAME, "--exec", str(script), "--cursor", str(cursor), "--once",
               "--confirmations", "1", "--from", "deployment"]  # fmt: skip

    def run() -> list[str]:
        mine(dao.chain, 1)  # the last change one block deep
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.stderr
        return result.stdout.splitlines()

    first = run()
    assert (
        first == [line for line in first if line.startswith("block ")] and len(first) == 3
    )  # registered, v1 published, current v0 -> v1
    pass_proposal(
        dao, people, [reg.upgrade_action(dao, NAME, fake_cid("w2"), fake_cid("w2m"), people.bob.address)], "v2"
    )
    assert [line.split(": ", 1)[1] for line in run()] == [
        f"{NAME} v2 published (artifact {fake_cid('w2')})",
        f"{NAME}: current version v1 -> v2",
    ]
    assert run() == []  # a restart with nothing new delivers nothing
    pass_proposal(dao, people, [reg.rollback_action(dao, NAME, 1)], "back")
    send(dao.chain, people.guardian, reg.suspend(dao, NAME, "weights leaked"))
    send(dao.chain, people.guardian, reg.unsuspend(dao, NAME))
    pass_proposal(dao, people, [reg.retire_action(dao, NAME, "superseded")], "retire")
    later = [line.split(": ", 1)[1] for line in run()]
    assert later[0] == f"{NAME}: current version v2 -> v1"
    assert later[1] == f"{NAME} suspended by {people.guardian.address}: weights leaked"
    assert later[2] == f"{NAME} unsuspended by {people.guardian.address}"
    assert later[3] == f"{NAME} retired at v1: superseded" and len(later) == 4
    # each change names the vote that made it (DEAI_GOV_PROPOSAL_ID); the guardian's own acts name none
    assert log.read_text().splitlines() == [
        f"ModelRegistered {NAME} - 1 {{",
        f"VersionPublished {NAME} 1 1 {{",
        f"CurrentVersionChanged {NAME} 1 1 {{",
        f"VersionPublished {NAME} 2 2 {{",
        f"CurrentVersionChanged {NAME} 2 2 {{",
        f"CurrentVersionChanged {NAME} 1 3 {{",
        f"ModelSuspended {NAME} - - {{",
        f"ModelUnsuspended {NAME} - - {{",
        f"ModelRetired {NAME} - 4 {{",
    ]


def test_watch_prints_json_lines_for_proposals_and_votes(world: tuple[Dao, People, list[str]]) -> None:
    dao, people, base = world
    keystores = keystore_dir()  # this test's own configuration folder: alice is an account of this machine
    keystores.mkdir(parents=True)
    (keystores / "alice.json").write_text(json.dumps({"address": people.alice.address[2:].lower(), "crypto": {}}))
    result = CliRunner().invoke(main, [*base, "watch", "--json", "--once", "--confirmations", "0", "--from",
                                       "deployment"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    every = [json.loads(line) for line in result.stdout.splitlines()]
    assert next(e["event"] for e in every if e["contract"] == "registry") == "GuardianChanged"  # named at deployment
    roles = [e["summary"] for e in every if e["contract"] == "timelock"]  # the deployment wires the timelock
    assert f"timelock role PROPOSER_ROLE granted to {dao.address('governor')} (the governor)" in roles
    assert any(line.startswith("timelock role DEFAULT_ADMIN_ROLE revoked from") for line in roles)
    assert "timelock role EXECUTOR_ROLE granted to anyone (the zero address)" in roles  # open execution
    events = [e for e in every if e["contract"] == "governor" and e["args"].get("proposalId") is not None]
    names = [e["event"] for e in events]
    settings = [e["summary"] for e in every if e["event"] == "VotingPeriodSet"]
    assert settings == ["voting period 0 seconds -> 1 hour"]  # the deployment's own settings are shown too
    assert names == ["ProposalCreated", "VoteCast", "ProposalQueued", "ProposalExecuted"]
    created = events[0]
    assert created["contract"] == "governor" and created["args"]["proposalId"] == 1
    assert isinstance(created["block"], int) and created["tx_hash"].startswith("0x")
    vote = events[1]
    assert vote["args"]["voter"] == people.alice.address and vote["args"]["weight"] == 700 * 10**18  # exact
    assert f"{people.alice.address} (alice) voted for on proposal 1 with 700 MDL" == vote["summary"]
    assert vote["args"]["voter"] == people.alice.address  # the name is for people, the arguments stay as logged


def test_settings_treasury_grants_and_guardian_changes_are_followed_with_the_vote_behind_them(
    world: tuple[Dao, People, list[str]],
) -> None:
    """A voting-period change, a proposal-guardian change and a treasury grant were never shown; each is now, with
    the proposal whose execution made it."""
    dao, people, base = world
    from_block = dao.chain.block_number() + 1
    actions = [
        dao.action("governor", "setVotingPeriod", 2 * VOTING_PERIOD),
        dao.action("governor", "setProposalGuardian", people.carol.address),
        token.reward_action(dao, people.bob.address, 5 * 10**18),
    ]
    pid = pass_proposal(dao, people, actions, "Longer votes, carol guards, bob is paid")
    result = CliRunner().invoke(main, [*base, "watch", "--json", "--once", "--confirmations", "0", "--from",
                                       str(from_block)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    made = {e["event"]: e for e in changes if e["event"] in ("VotingPeriodSet", "ProposalGuardianSet", "Transfer")}
    assert made["VotingPeriodSet"]["summary"] == "voting period 1 hour -> 2 hours"
    assert (
        made["ProposalGuardianSet"]["summary"]
        == f"proposal guardian {people.guardian.address} -> {people.carol.address}"
    )
    assert made["Transfer"]["summary"] == f"treasury sent 5 MDL to {people.bob.address}"
    assert made["Transfer"]["contract"] == "token"
    assert {e["proposal_id"] for e in made.values()} == {pid}
    assert [e["event"] for e in changes if e["contract"] == "token"] == ["Transfer"]  # only the treasury's


def test_a_setting_that_did_not_change_is_no_event_and_no_address_reads_none() -> None:
    from deai_gov.names import address_or_none
    from deai_gov.workflows.watch import _is_no_change

    zero = "0x" + "00" * 20
    assert _is_no_change("GuardianChanged", {"previousGuardian": zero, "newGuardian": zero})
    assert not _is_no_change("GuardianChanged", {"previousGuardian": zero, "newGuardian": "0x" + "11" * 20})
    assert address_or_none(zero) == "none" and address_or_none("0x" + "11" * 20) == "0x" + "11" * 20


def test_only_confirmed_events_are_delivered_and_a_shallow_reorganisation_is_harmless(
    own_world: tuple[Dao, People, list[str]], tmp_path: Path
) -> None:
    """An upgrade executed in a block that is then reorganised away (anvil snapshot and revert) while it was less
    than `confirmations` deep is never delivered; what replaced it is, once confirmed."""
    dao, people, _ = own_world
    chain = dao.chain
    cursor = tmp_path / "cursor.json"

    def once() -> list[str]:
        return [e.name for e in follow(dao, confirmations=3, cursor_path=cursor, model=NAME, once=True,
                                       from_block=dao.deployment.block)]  # fmt: skip

    mine(chain, 3)
    assert once() == ["ModelRegistered", "VersionPublished", "CurrentVersionChanged"]
    upgrade = [reg.upgrade_action(dao, NAME, fake_cid("r2"), fake_cid("r2m"), people.bob.address)]
    pid = propose_and_vote(dao, people, upgrade, "v2")
    advance_time(chain, VOTING_PERIOD + 1)
    send(chain, people.bob, gov.queue(dao, pid))
    advance_time(chain, TIMELOCK_DELAY + 1)
    snapshot = chain.request("evm_snapshot", [])
    send(chain, people.bob, gov.execute(dao, pid))
    mine(chain, 1)  # the upgrade is 1 block deep: not yet confirmed
    assert once() == []
    assert chain.request("evm_revert", [snapshot]) is True  # a 2-block reorganisation: the upgrade is gone
    send(chain, people.guardian, reg.suspend(dao, NAME, "instead"))
    mine(chain, 3)
    assert once() == ["ModelSuspended"]


def test_a_reorganisation_deeper_than_the_confirmations_stops_the_watch(
    own_world: tuple[Dao, People, list[str]], tmp_path: Path
) -> None:
    dao, people, _ = own_world
    chain = dao.chain
    cursor = tmp_path / "cursor.json"
    snapshot = chain.request("evm_snapshot", [])
    suspended = send(chain, people.guardian, reg.suspend(dao, NAME, "delivered, then reorganised away"))
    mine(chain, 2)
    found = list(
        follow(dao, confirmations=1, cursor_path=cursor, model=NAME, once=True, from_block=suspended.block_number)
    )
    assert [e.name for e in found] == ["ModelSuspended"]
    chain.request("evm_revert", [snapshot])
    mine(chain, 5)  # past the cursor's block, with other hashes
    with pytest.raises(ChainError, match="no longer the one events were delivered from"):
        list(follow(dao, confirmations=1, cursor_path=cursor, model=NAME, once=True))


def test_the_library_iterator_follows_live_changes(world: tuple[Dao, People, list[str]]) -> None:
    """`follow` as a script uses it: a thread watches while the chain changes; events arrive within a few polls."""
    dao, people, _ = world
    seen: list[WatchedEvent] = []
    stop = threading.Event()

    def watcher() -> None:
        for event in follow(dao, confirmations=0, model=NAME, interval=0.1, stop=stop.is_set):
            seen.append(event)

    thread = threading.Thread(target=watcher)
    thread.start()
    try:
        time.sleep(0.3)
        send(dao.chain, people.guardian, reg.suspend(dao, NAME, "live"))
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert [e.name for e in seen] == ["ModelSuspended"] and seen[0].args["reason"] == "live"


def test_a_failing_command_is_retried_then_stops_without_moving_past_the_event(tmp_path: Path) -> None:
    event = WatchedEvent("ModelSuspended", "registry", 7, "0x" + "11" * 32, "0x" + "22" * 32, 0, {}, NAME, "x")
    attempts = tmp_path / "attempts"
    command = f"echo x >> {attempts}; test $(wc -l < {attempts}) -ge 3"  # fails twice, then succeeds
    assert run_command(command, event, retries=5, backoff=0.01) == 3
    attempts.unlink()
    with pytest.raises(HookFailed, match=r"exit status 1\) after 3 attempts; the cursor stays before this event"):
        run_command(f"echo x >> {attempts}; exit 1", event, retries=2, backoff=0.01)
    assert len(attempts.read_text().splitlines()) == 3


def test_an_event_too_large_for_the_environment_reaches_the_command_whole_on_its_input(tmp_path: Path) -> None:
    """M4: anyone may vote with a reason of 140 KB. Such an event leaves the too-long variable out (the kernel would
    refuse to start any command with it: E2BIG) and reaches the command whole on its standard input."""
    reason = "why " * 35_000  # 140,000 characters
    event = WatchedEvent(
        "VoteCast", "governor", 9, "0x" + "11" * 32, "0x" + "22" * 32, 0, {"proposalId": 3, "reason": reason}
    )
    env = event.environment()
    assert "DEAI_GOV_EVENT_JSON" not in env and env["DEAI_GOV_PROPOSAL_ID"] == "3"
    out = tmp_path / "seen"
    command = f'cat > {out}.json; printf "%s %s" "$DEAI_GOV_EVENT" "${{DEAI_GOV_EVENT_JSON:-absent}}" > {out}.env'
    assert run_command(command, event, retries=0) == 1
    assert json.loads(Path(f"{out}.json").read_text())["args"]["reason"] == reason
    assert Path(f"{out}.env").read_text() == "VoteCast absent"
    small = WatchedEvent("VoteCast", "governor", 9, "0x" + "11" * 32, "0x" + "22" * 32, 0, {"reason": "ok"})
    assert json.loads(small.environment()["DEAI_GOV_EVENT_JSON"])["args"] == {"reason": "ok"}
