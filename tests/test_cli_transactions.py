"""Transactions from the command line: keystores, delegation, a whole proposal cycle, dry runs and refusals."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from deai_gov.chain.client import connect, send
from deai_gov.cli import main
from deai_gov.contracts.states import ModelStatus
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.ipfs.content import publish
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore

from .helpers import TIMELOCK_DELAY, VOTING_DELAY, VOTING_PERIOD, DaoWorld, onchain, pass_proposal, people_from
from .leakcheck import watch

NAME = "acme/from-cli"


@pytest.fixture
def setup(anvil: Anvil, anvil_undelegated: DaoWorld, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The session's DAO before anyone delegated (what the test sends is undone after it), its record saved for the
    CLI, and alice, bob and carol imported as accounts (keystores quick to unlock)."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    keys = anvil.dev_keys()[:6]
    people = people_from(keys)
    chain = connect(anvil.url)
    record = tmp_path / "deployment.json"
    anvil_undelegated.dao.deployment.save(record)
    dao = anvil_undelegated.dao
    password = tmp_path / "password.txt"
    password.write_text(watch("correct horse battery staple") + "\n")
    for alias, key in (("alice", keys[1]), ("bob", keys[2]), ("carol", keys[3])):
        secret = tmp_path / f"{alias}.key"
        secret.write_text(key)
        code, _, err = cli(["--password-file", str(password), "account", "import", alias, "--secret-file", str(secret)])
        assert code == 0, err
        secret.unlink()
    base = ["--rpc-url", anvil.url, "--deployment", str(record), "--store", str(tmp_path / "store")]
    return chain, dao, people, base, password, keys


def cli(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def signed(base: list[str], password: Path, alias: str, *args: str) -> tuple[int, str, str]:
    return cli([*base, "--account", alias, "--password-file", str(password), "--yes", *args])


def pass_from_the_cli(chain, base: list[str], password: Path, proposal_id: int) -> None:  # type: ignore[no-untyped-def]
    """alice and bob vote for, bob queues and executes, the clock moved past each wait: every command exits 0."""
    advance_time(chain, VOTING_DELAY + 1)
    for alias in ("alice", "bob"):
        code, _, err = signed(base, password, alias, "proposal", "vote", str(proposal_id), "for")
        assert code == 0, err
    advance_time(chain, VOTING_PERIOD + 1)
    code, _, err = signed(base, password, "bob", "proposal", "queue", str(proposal_id))
    assert code == 0, err
    advance_time(chain, TIMELOCK_DELAY + 1)
    code, _, err = signed(base, password, "bob", "proposal", "execute", str(proposal_id))
    assert code == 0, err


def test_a_proposal_cycle_from_the_cli(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chain, dao, people, base, password, keys = setup
    code, out, _ = cli(["account", "list", "--json"])
    assert code == 0 and [a["alias"] for a in json.loads(out)] == ["alice", "bob", "carol"]
    assert signed(base, password, "alice", "account", "delegate", "self")[0] == 0
    assert signed(base, password, "carol", "account", "delegate", people.alice.address)[0] == 0
    assert signed(base, password, "bob", "account", "delegate", "self")[0] == 0
    code, out, _ = cli([*base, "account", "power", people.alice.address, "--json"])
    assert json.loads(out)["votes"] == str(700 * 10**18)
    # in words, the accounts of this machine by name, and a self-delegation or none said as such
    assert cli([*base, "account", "power", "carol"])[1].strip() == (
        f"{people.carol.address} (carol): balance 200 MDL, voting power 0 MDL, delegates to "
        f"{people.alice.address} (alice)"
    )
    assert cli([*base, "account", "power", "alice"])[1].strip().endswith("voting power 700 MDL, delegates to itself")
    assert cli([*base, "account", "power", people.outsider.address])[1].strip() == (
        f"{people.outsider.address}: balance 0 MDL, voting power 0 MDL, has not delegated: its tokens vote only "
        "once it delegates (to itself or to another)"
    )
    code, out, _ = cli([*base, "dao", "delegates", "--json"])
    assert [(d["delegate"], d["votes"]) for d in json.loads(out)] == [
        (people.alice.address, str(700 * 10**18)),
        (people.bob.address, str(300 * 10**18)),
    ]
    code, _, err = signed(base, password, "bob", "account", "transfer", people.outsider.address, "1.5")
    assert code == 0 and "transfer 1.5 MDL" in err, err
    assert onchain(dao, "token").functions.balanceOf(people.outsider.address).call() == 15 * 10**17
    code, out, _ = cli([*base, "account", "balance", people.outsider.address, "--json"])
    assert code == 0 and json.loads(out)["balance"] == str(15 * 10**17)
    code, _, err = signed(base, password, "bob", "account", "transfer", "--", people.outsider.address, "-3")
    assert code == 3 and "not a non-negative amount" in err
    code, _, err = signed(base, password, "bob", "account", "transfer", people.outsider.address, "1000000")
    assert code == 5 and "holds" in err and "needed" in err
    advance_time(chain, 1)

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(os.urandom(70_000))
    full = tmp_path / "proposal.md"
    full.write_text("# Why register acme/from-cli\n\nBenchmarks, evaluation and risks, in full.\n")
    code, out, err = signed(
        base, password, "alice", "model", "propose", "register", NAME, str(folder), "--reward", "5",
        "--description-file", str(full), "--no-copy", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert f"without a copy: keep {folder} unchanged" in err
    submitted = json.loads(out)
    pid = submitted["proposal_id"]
    assert submitted["sent"] and pid == 1
    assert f"register {NAME} v1" in err and "reward 5 MDL" in err
    code, out, _ = cli([*base, "proposal", "show", str(pid), "--json"])
    shown = json.loads(out)
    assert code == 0 and shown["would_succeed_now"] == [True, True]
    assert shown["full_description"] == full.read_text() and "ipfs://bafkrei" in shown["description"]
    assert shown["artifacts"][0]["ok"] and shown["artifacts"][0]["version"] == 1

    advance_time(chain, VOTING_DELAY + 1)
    code, _, err = signed(base, password, "alice", "proposal", "vote", str(pid), "for", "--reason", "good")
    assert code == 0 and f"vote for on proposal {pid} (" in err and "with 700 votes" in err, err  # + carol's 200
    code, _, err = signed(base, password, "carol", "proposal", "override", str(pid), "abstain")
    assert code == 0, err
    ballot = tmp_path / "bob-vote.json"
    # signed with no RPC at all: only the deployment record
    offline = ["--deployment", base[3], "--account", "bob", "--password-file", str(password)]
    sign = ["proposal", "sign-vote", str(pid), "for", "--offline", "--content-hash", shown["content_hash"]]
    code, _, err = cli([*offline, *sign, "--out", str(ballot)])
    assert code == 0 and json.loads(ballot.read_text())["voter"] == people.bob.address, err
    code, _, err = signed(base, password, "alice", "proposal", "relay", str(ballot))  # alice pays, bob votes
    assert code == 0, err
    votes = onchain(dao, "governor").functions.proposalVotes(pid).call()
    assert list(votes) == [0, 800 * 10**18 - 15 * 10**17, 200 * 10**18]  # against, for, abstain (bob sent 1.5)

    advance_time(chain, VOTING_PERIOD + 1)
    code, out, _ = cli([*base, "proposal", "wait", str(pid), "--until", "succeeded", "--timeout", "0", "--json"])
    assert code == 0 and json.loads(out)["state"] == "succeeded"
    assert signed(base, password, "bob", "proposal", "queue", str(pid))[0] == 0
    code, _, err = signed(base, password, "bob", "proposal", "execute", str(pid))
    assert code == 3 and f"too early to execute proposal {pid}: it becomes executable at " in err
    assert f"; deai-gov proposal wait {pid} --until executable" in err
    advance_time(chain, TIMELOCK_DELAY + 1)
    assert signed(base, password, "bob", "proposal", "execute", str(pid))[0] == 0
    assert reg.get_model(dao, NAME).current_version == 1
    assert onchain(dao, "token").functions.balanceOf(people.alice.address).call() == 505 * 10**18

    # the same registration again would fail: refused before anything is published, asked or sent
    version = reg.get_version(dao, NAME)
    proposals = onchain(dao, "governor").functions.latestProposalId().call()
    code, out, err = signed(
        base, password, "alice", "model", "propose", "register", NAME,
        "--artifact", version.artifact_cid, "--manifest", version.manifest_cid, "--title", "Again", "--json",
    )  # fmt: skip
    assert code == 3 and f"{NAME} is already registered (v1 current)" in err and "model propose upgrade" in err
    assert onchain(dao, "governor").functions.latestProposalId().call() == proposals
    # sent anyway by another tool: `show` says it would fail before anyone votes
    from deai_gov.dao import governance

    again_action = reg.register_action(dao, NAME, version.artifact_cid, version.manifest_cid, people.alice.address)
    again = int(
        send(
            chain,
            people.alice,
            governance.propose(dao, governance.build_proposal(dao, people.alice.address, [again_action], "# Again")),
        ).outcome
    )
    code, out, _ = cli([*base, "proposal", "show", str(again), "--json"])
    assert json.loads(out)["simulation"] == ["a model with this name is already registered"]
    code, _, err = cli([*base, "proposal", "wait", str(pid), "--until", "defeated", "--timeout", "0"])
    assert code == 3 and "was executed: it will never be defeated" in err
    code, out, err = cli([*base, "model", "pull", NAME, "--to", str(tmp_path / "pulled"), "--json"])
    assert code == 0, err
    assert (tmp_path / "pulled" / "weights.bin").read_bytes() == (folder / "weights.bin").read_bytes()
    # keys never appear in any output
    for key in keys:
        assert key.removeprefix("0x") not in out + err


def test_dry_run_sends_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    chain, _, people, base, password, _ = setup
    nonce = chain.w3.eth.get_transaction_count(people.alice.address)
    code, out, err = signed(base, password, "alice", "--dry-run", "account", "delegate", "self", "--json")
    assert code == 0 and "dry run: nothing sent" in err
    assert json.loads(out)["sent"] is False and json.loads(out)["gas_estimate"] > 21_000
    assert chain.w3.eth.get_transaction_count(people.alice.address) == nonce


def test_refusals(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chain, _, people, base, password, _ = setup
    nonce = chain.w3.eth.get_transaction_count(people.alice.address)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("nope\n")
    code, _, err = cli(
        [*base, "--account", "alice", "--password-file", str(wrong), "--yes", "account", "delegate", "self"]
    )
    assert code == 3 and err.strip() == "error: wrong password for account 'alice'"
    code, _, err = cli([*base, "--account", "alice", "--password-file", str(password), "account", "delegate", "self"])
    assert code == 3 and "refusing to send without confirmation (no terminal to ask); pass --yes" in err
    code, _, err = cli(
        [*base, "--account", "nobody", "--password-file", str(password), "--yes", "account", "delegate", "self"]
    )
    assert code == 3 and "no account named 'nobody'" in err
    code, _, err = cli([*base, "account", "delegate", "self"])
    assert code == 3 and "choose the account with --account" in err
    code, _, err = signed(base, password, "alice", "account", "delegate", "0xNOTANADDRESS")
    assert code == 3 and "is not an address" in err
    code, _, err = signed(base, password, "bob", "proposal", "vote", "9", "for")
    assert code == 3 and "proposal 9 does not exist" in err
    code, _, err = signed(
        base, password, "alice", "model", "propose", "register", NAME, "--artifact", "bad", "--manifest", "bad"
    )
    assert code == 3 and "is not a valid CID" in err
    assert chain.w3.eth.get_transaction_count(people.alice.address) == nonce
    code, _, err = cli(["--password-file", str(password), "account", "import", "alice", "--secret-file", str(wrong)])
    assert code == 3 and "already exists" in err


def test_account_new_and_delete(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, _, _, password, _ = setup
    code, out, _ = cli(["--password-file", str(password), "account", "new", "fresh", "--json"])
    created = json.loads(out)
    assert code == 0 and created["address"].startswith("0x")
    keystore = Path(os.environ["DEAI_GOV_HOME"]) / "keystores" / "fresh.json"
    assert keystore.stat().st_mode & 0o777 == 0o600
    assert json.loads(keystore.read_text())["crypto"]["kdf"] in ("scrypt", "pbkdf2")
    assert cli(["--yes", "account", "delete", "fresh"])[0] == 0
    assert not keystore.exists()


def test_deploy_from_the_cli(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, people, base, password, _ = setup
    record = tmp_path / "new-dao.json"
    rpc = base[:2]
    args = [*rpc, "--account", "alice", "--password-file", str(password), "--yes", "dao", "deploy"]
    options = [
        "--voting-delay",
        "60",
        "--holder",
        f"{people.bob.address}=1000",
        "--treasury",
        "500",
        "--out",
        str(record),
    ]
    code, out, err = cli([*args, *options, "--json"])
    assert code == 0, err
    deployed = json.loads(out)
    assert record.exists() and set(deployed["addresses"]) == {
        "token",
        "timelock",
        "governor",
        "registry",
        "eas",
        "schema_registry",
    }  # fmt: skip  (--eas auto: a new EAS)
    code, out, _ = cli([*rpc, "--deployment", str(record), "dao", "info", "--json"])
    info = json.loads(out)
    assert code == 0 and info["voting_delay_s"] == 60 and info["treasury"] == str(500 * 10**18)
    code, _, err = cli([*args, *options])
    assert code == 3 and "already exists" in err
    code, _, err = cli([*args, "--quorum", "101"])
    assert code == 2


def test_the_guardian_suspends_and_unsuspends_from_the_cli(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chain, dao, people, base, password, keys = setup
    secret = tmp_path / "guardian.key"
    secret.write_text(keys[4])
    code, _, err = cli(
        ["--password-file", str(password), "account", "import", "guardian", "--secret-file", str(secret)]
    )
    assert code == 0, err
    secret.unlink()
    send(dao.chain, people.alice, token.delegate(dao, people.alice.address))
    advance_time(chain, 1)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(1000))
    bob = [Contributor(people.bob.address, 10_000)]
    published = publish(weights, EmbeddedStore(tmp_path / "store"), name=NAME, version=1, contributors=bob)
    action = reg.register_action(dao, NAME, published.artifact_cid, published.manifest_cid, people.bob.address)
    pass_proposal(dao, people, [action], f"Register {NAME}")

    code, _, err = signed(base, password, "bob", "model", "suspend", NAME, "--reason", "leaks training data")
    assert code == 5 and f"{people.bob.address} is neither the registry's owner nor its guardian" in err
    code, out, err = signed(base, password, "guardian", "model", "suspend", NAME, "--reason", "leaks data", "--json")
    assert code == 0 and json.loads(out)["sent"], err
    assert reg.get_model(dao, NAME).suspended
    code, _, err = cli([*base, "model", "pull", NAME, "--to", str(tmp_path / "out")])
    assert code == 3 and "suspended" in err and not (tmp_path / "out").exists()
    code, _, err = signed(base, password, "guardian", "model", "suspend", NAME, "--reason", "again")
    assert code == 5 and "the model is already suspended" in err
    assert signed(base, password, "guardian", "model", "unsuspend", NAME)[0] == 0
    assert not reg.get_model(dao, NAME).suspended and reg.get_model(dao, NAME).status == ModelStatus.ACTIVE
    code, _, err = cli([*base, "model", "pull", NAME, "--to", str(tmp_path / "out")])
    assert code == 0 and (tmp_path / "out" / "weights.bin").read_bytes() == weights.read_bytes(), err


def test_the_dao_changes_itself_from_the_cli(setup) -> None:  # type: ignore[no-untyped-def]
    """`proposal create` with a treasury transfer, two settings, a guardian change and a call by signature: the
    actions shown in words, proposed, voted, queued and executed from the CLI, then read back from the chain."""
    from deai_gov.dao import governance as gov

    chain, dao, people, base, password, _ = setup
    for alias in ("alice", "bob"):
        assert signed(base, password, alias, "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    create = [
        "proposal", "create", "--title", "Grant, new rules, new guardian",
        "--transfer", "25", people.outsider.address,
        "--set", "voting-period=2h", "--set", "quorum=5%",
        "--guardian", people.carol.address, "--guardian-of", "registry",
        "--call", dao.address("token"), "approve(address,uint256)", f"{people.bob.address},1000",
    ]  # fmt: skip
    code, out, err = signed(base, password, "alice", "--dry-run", *create)  # the simulation as a voter reads it
    assert code == 0 and dao.read("governor", "latestProposalId") == 0, err
    assert "result: every action succeeds; execution gas" in out and "  voting period: 1 hour -> 2 hours" in out
    assert f"  {people.outsider.address}: 0 MDL -> 25 MDL" in out
    code, out, err = signed(base, password, "alice", "--json", *create)
    assert code == 0, err
    proposal_id = json.loads(out)["proposal_id"]
    assert "will: transfer 25 MDL" in err and "registry guardian" in err
    proposal, _, _ = gov.get_proposal(dao, proposal_id)
    assert len(proposal.actions) == 5
    code, out, err = cli([*base, "--json", "proposal", "show", str(proposal_id), "--simulate"])
    assert code == 0, err
    simulated = json.loads(out)["fork_simulation"]
    assert simulated["succeeded"] and simulated["route"] == "governor"
    pass_from_the_cli(chain, base, password, proposal_id)
    settings = {c["what"]: c["after"] for c in simulated["settings"]}  # what the simulation said, now on chain
    assert settings["voting period"] == "2 hours" and dao.read("governor", "votingPeriod") == 7_200
    assert settings["quorum"] == "5% of the supply" and dao.read("governor", "quorumNumerator") == 5
    assert settings["registry guardian (suspends models)"] == dao.read("registry", "guardian") == people.carol.address
    balances = {c["what"]: c["after"] for c in simulated["balances"]}
    assert balances[people.outsider.address] == "25 MDL"
    read = dao.read_many(
        [
            dao.call("token", "balanceOf", people.outsider.address),
            dao.call("governor", "votingPeriod"),
            dao.call("governor", "quorumNumerator"),
            dao.call("registry", "guardian"),
            dao.call("governor", "proposalGuardian"),
            dao.call("token", "allowance", dao.address("timelock"), people.bob.address),
        ]
    )
    assert read[:4] == [25 * 10**18, 7_200, 5, people.carol.address] and read[5] == 1_000
    assert read[4] != people.carol.address  # --guardian-of registry left the governor's guardian alone
    code, _, err = signed(base, password, "alice", "proposal", "create", "--title", "Nothing")
    assert code == 3 and "a proposal needs an action" in err
    code, _, err = signed(base, password, "alice", "proposal", "create", "--title", "x", "--set", "quorum=150%")
    assert code == 3 and "quorum: '150%' is out of range (0 to 100)" in err


def test_a_reward_split_among_three_contributors_pays_each_its_share(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`model propose register --contributor A:5000 --contributor B:3000 --contributor C:2000 --reward 100`: the
    manifest names the three with their shares, the registry the first, and once executed each is paid exactly
    its share of the reward."""
    from deai_gov.dao import governance as gov
    from deai_gov.ipfs.blockcid import from_text
    from deai_gov.ipfs.content import fetch_manifest
    from deai_gov.workflows.approved import resolve

    chain, dao, people, base, password, _ = setup
    for alias in ("alice", "bob"):
        assert signed(base, password, alias, "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(os.urandom(2048))
    shares = [(people.carol.address, 5_000), (people.outsider.address, 3_000), (people.guardian.address, 2_000)]
    contributors = [arg for address, bps in shares for arg in ("--contributor", f"{address}:{bps}")]
    before = [dao.read("token", "balanceOf", address) for address, _ in shares]
    code, out, err = signed(
        base, password, "alice", "--json", "model", "propose", "register", "acme/shared", str(folder),
        *contributors, "--reward", "100",
    )  # fmt: skip
    assert code == 0, err
    # a share of the contributors' reward, said as such (not as a grant), with the accounts of this machine named
    assert "contributors' reward 100 MDL, split by their shares in the manifest:" in err
    assert (
        f"50 MDL (50%) to {people.carol.address} (carol)" in err
        and f"20 MDL (20%) to {people.guardian.address}\n" in err
    )
    assert "(a contributor's reward share only if the version's manifest names it" in err  # the 2nd and 3rd
    proposal_id = json.loads(out)["proposal_id"]
    code, out, err = cli([*base, "proposal", "show", str(proposal_id)])
    assert code == 0, err
    assert (
        f"available and matches; its contributors' reward of 100 MDL follows its manifest's shares: 50 MDL (50%) to "
        f"{people.carol.address} (carol), 30 MDL (30%) to {people.outsider.address}, 20 MDL (20%) to "
        f"{people.guardian.address}"
    ) in " ".join(out.split())
    code, out, err = cli([*base, "--json", "proposal", "show", str(proposal_id)])
    [artifact] = json.loads(out)["artifacts"]
    assert [(s["address"], s["share_bps"], s["amount"]) for s in artifact["reward_shares"]] == [
        (address, bps, str(bps * 10**16)) for address, bps in shares
    ]
    # The same registration with the reward split 60/20/20: `proposal show` says who gets what instead.
    proposal, _, _ = gov.get_proposal(dao, proposal_id)
    skewed = [proposal.actions[0], *token.reward_actions(dao, [(a, b) for a, b in zip(
        [a for a, _ in shares], [6_000, 2_000, 2_000], strict=True)], 100 * 10**18)]  # fmt: skip
    other = gov.build_proposal(dao, people.bob.address, skewed, "# Same model, other split")
    skewed_id = send(chain, people.bob, gov.propose(dao, other)).outcome
    code, out, err = cli([*base, "--json", "proposal", "show", str(skewed_id)])
    [artifact] = json.loads(out)["artifacts"]
    assert artifact["ok"] is False and artifact["problem"].startswith("the reward does not follow the manifest's")
    assert f"{people.carol.address} gets 60 where its share of 50% of 100 is 50" in artifact["problem"]
    pass_from_the_cli(chain, base, password, proposal_id)
    after = [dao.read("token", "balanceOf", address) for address, _ in shares]
    assert [b - a for a, b in zip(before, after, strict=True)] == [50 * 10**18, 30 * 10**18, 20 * 10**18]
    approved = resolve(dao, "acme/shared")
    assert approved.version.contributor == people.carol.address
    manifest = fetch_manifest([EmbeddedStore(tmp_path / "store")], from_text(approved.version.manifest_cid))
    assert [(c.address, c.share_bps) for c in manifest.contributors] == shares


def test_a_lifecycle_action_and_a_settings_change_pass_in_one_proposal(setup) -> None:  # type: ignore[no-untyped-def]
    """`proposal create --rollback NAME@1 --set voting-period=2h`: the dry run's simulation reports both changes,
    and the proposal, passed from the CLI, leaves the chain as it said."""
    from .helpers import fake_cid

    chain, dao, people, base, password, _ = setup
    for alias in ("alice", "bob"):
        assert signed(base, password, alias, "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    name = "acme/mixed"
    pass_proposal(
        dao, people, [reg.register_action(dao, name, fake_cid("x1"), fake_cid("x1m"), people.bob.address)], "v1"
    )
    pass_proposal(
        dao, people, [reg.upgrade_action(dao, name, fake_cid("x2"), fake_cid("x2m"), people.bob.address)], "v2"
    )
    create = ["proposal", "create", "--title", "Back to v1, longer votes", "--rollback", f"{name}@1",
              "--set", "voting-period=2h"]  # fmt: skip
    code, out, err = signed(base, password, "alice", "--dry-run", "--json", *create)
    assert code == 0, err
    simulated = json.loads(out)["simulation"]
    assert simulated["succeeded"] and simulated["route"] == "governor"
    assert simulated["registry"] == [
        {"what": name, "before": "active, current v2 of 2", "after": "active, current v1 of 2"}
    ]
    assert simulated["settings"] == [{"what": "voting period", "before": "1 hour", "after": "2 hours"}]
    code, out, err = signed(base, password, "alice", "--json", *create)
    assert code == 0, err
    assert f"will: roll {name} back to v1" in err, err
    pass_from_the_cli(chain, base, password, json.loads(out)["proposal_id"])
    assert reg.get_model(dao, name).current_version == 1 and dao.read("governor", "votingPeriod") == 7_200
    code, _, err = signed(base, password, "alice", "proposal", "create", "--title", "x", "--rollback", f"{name}@9")
    assert code == 3 and "acme/mixed has no version 9" in err, err


UNIX_TIME = re.compile(r"(?<![\d.,])1[6-9]\d{8}(?![\d,])")  # 2020-2033 in seconds, a bare number
BASE_UNITS = re.compile(r"(?<![\d.,x])\d{16,}(?![\d,])")  # 10^15 and more: wei, not tokens


def test_human_output_shows_dates_and_tokens_and_ends_each_line(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What people read: no unix time, no amount in base units, every output ending with a newline, from the
    commands that print times and amounts, and from the refusal of a proposer without enough votes."""
    from .helpers import fake_cid

    chain, dao, people, base, password, _ = setup
    code, _, err = signed(base, password, "carol", "proposal", "create", "--title", "x", "--transfer", "1",
                          people.bob.address)  # fmt: skip
    assert code == 5 and "below the proposal threshold of 100 tokens" in err, err
    assert not BASE_UNITS.search(err), err
    for alias in ("alice", "bob"):
        assert signed(base, password, alias, "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    pass_proposal(
        dao, people, [reg.register_action(dao, "acme/dated", fake_cid("d"), fake_cid("dm"), people.bob.address)], "v1"
    )
    code, out, err = signed(base, password, "alice", "--json", "proposal", "create", "--title", "Pending",
                            "--set", "voting-period=3h", "--transfer", "2.5", people.bob.address)  # fmt: skip
    assert code == 0, err
    pending = str(json.loads(out)["proposal_id"])
    outputs = []
    for args in (
        ["proposal", "show", pending],
        ["proposal", "show", "1"],
        ["proposal", "list"],
        ["proposal", "list", "--state", "canceled"],
        ["dao", "info"],
        ["model", "versions", "acme/dated"],
        ["model", "show", "acme/dated"],
    ):
        code, out, err = cli([*base, *args])
        assert code == 0, err
        outputs.append((args, out, err))
    for args, out, err in outputs:
        for stream in (out, err):
            assert not stream or stream.endswith("\n"), (args, stream[-80:])
            assert not UNIX_TIME.search(stream) and not BASE_UNITS.search(stream), (args, stream)
    show_pending = outputs[0][1]
    assert re.search(r"voting opens \d{4}-\d\d-\d\d \d\d:\d\d UTC, in \d+ (second|minute)", show_pending), show_pending
    assert "set the governor's voting period to 3 hours" in show_pending
    assert "voting closed " in outputs[1][1] and "UTC" in outputs[1][1]
    assert outputs[3][1] == "no proposals\n"
    assert fake_cid("d") in outputs[5][1]  # a CID whole in its table cell: nothing wrapped when not a terminal
    assert "period 1 hour" in outputs[4][1] and "timelock delay" in outputs[4][1]


def test_no_library_warning_reaches_people(tmp_path: Path) -> None:
    """A library's FutureWarning (urllib3's, from the IPFS client, say) is for developers: the CLI, run as people run
    it, does not print it, unless asked with -vv."""
    import subprocess
    import sys

    script = (
        "import sys, warnings\n"
        "from deai_gov.dev import localnet\n"
        "def running(home=None):\n"
        "    warnings.warn('HTTPConnection.request_chunked() is deprecated', FutureWarning, stacklevel=1)\n"
        "localnet.running = running\n"
        "from deai_gov.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {**os.environ, "DEAI_GOV_HOME": str(tmp_path)}
    command = [sys.executable, "-c", script]
    quiet = subprocess.run([*command, "node", "status"], capture_output=True, text=True, env=env, check=False)
    assert quiet.returncode == 0 and quiet.stdout == "not running (`deai-gov node start`)\n", quiet.stderr
    assert quiet.stderr == ""
    loud = subprocess.run([*command, "-vv", "node", "status"], capture_output=True, text=True, env=env, check=False)
    assert "FutureWarning: HTTPConnection.request_chunked() is deprecated" in loud.stderr


def test_trusted_evaluators_change_by_a_vote_and_every_step_says_so(setup) -> None:  # type: ignore[no-untyped-def]
    """`proposal create --evaluator add carol --evaluator add ADDRESS`: the actions in words, the set changed once
    executed, `watch` reporting it; a change that would do nothing, or the zero address, is refused before sending."""
    chain, dao, people, base, password, _ = setup
    for alias in ("alice", "bob"):
        assert signed(base, password, alias, "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    start = chain.block_number()
    code, out, err = signed(
        base, password, "alice", "--json", "proposal", "create", "--title", "Two evaluators",
        "--evaluator", "add", "carol", "--evaluator", "add", people.outsider.address,
    )  # fmt: skip
    assert code == 0, err
    assert (
        f"will: trust {people.carol.address} (carol) as an evaluator: its evaluations of the DAO's models count from "
        "now on" in err
    )
    pass_from_the_cli(chain, base, password, json.loads(out)["proposal_id"])
    assert reg.trusted_evaluators(dao) == sorted([people.carol.address, people.outsider.address])
    code, out, _ = cli([*base, "--json", "dao", "info"])
    assert json.loads(out)["evaluators"] == sorted([people.carol.address, people.outsider.address])
    code, out, _ = cli([*base, "dao", "info"])
    assert f"{people.carol.address} (carol)" in next(line for line in out.splitlines() if "trusted evaluators" in line)
    code, out, _ = cli([*base, "watch", "--from", str(start), "--once", "--confirmations", "0"])
    assert f"evaluator {people.carol.address} (carol) now trusted" in out
    code, _, err = signed(
        base, password, "alice", "proposal", "create", "--title", "again", "--evaluator", "add", "carol"
    )
    assert (
        code == 3 and f"{people.carol.address} is already a trusted evaluator: the proposal would change nothing" in err
    )
    code, _, err = signed(base, password, "alice", "proposal", "create", "--title", "x", "--evaluator", "remove", "bob")
    assert code == 3 and "is not a trusted evaluator" in err
    code, _, err = signed(
        base, password, "alice", "proposal", "create", "--title", "x", "--evaluator", "add", "0x" + "00" * 20
    )
    assert code == 3 and "an evaluator must be an account, not the zero address" in err
    code, _, err = signed(base, password, "alice", "proposal", "create", "--title", "x", "--evaluator", "trust", "bob")
    assert code == 2 and "'trust' is not one of 'add', 'remove'" in err


def test_merit_from_the_cli_said_as_merit_and_flagged_when_nobody_earned_it(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`proposal create --merit` to someone the proposal names as no contributor is marked DANGER; `model propose
    --merit` splits it among the contributors; `account power` and `watch` show merit as such."""
    chain, _, people, base, password, _ = setup
    for alias in ("alice", "bob"):
        assert signed(base, password, alias, "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    start = chain.block_number()
    dave = people.outsider.address
    code, out, err = signed(
        base, password, "alice", "--json", "proposal", "create", "--title", "Merit for reviews",
        "--merit", "10", dave, "reviewed acme/x v1",
    )  # fmt: skip
    assert code == 0, err
    assert (
        f"will: DANGER: grant 10 MDL of merit to {dave}, who contributes no version in this proposal: voting power "
        "it keeps and cannot transfer, for 'reviewed acme/x v1'" in err
    )
    pass_from_the_cli(chain, base, password, json.loads(out)["proposal_id"])
    code, out, _ = cli([*base, "account", "power", dave])
    assert out.strip().startswith(f"{dave}: balance 10 MDL (10 of it merit, not transferable), voting power 0 MDL")
    code, out, err = cli([*base, "watch", "--from", str(start), "--once", "--confirmations", "0"])
    assert code == 0 and f"10 MDL of merit to {dave} (grant 0): reviewed acme/x v1" in out, err

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(os.urandom(1024))
    shares = ["--contributor", f"{people.carol.address}:6000", "--contributor", f"{dave}:4000"]
    code, _, err = signed(
        base, password, "alice", "--dry-run", "model", "propose", "register", "acme/merited", str(folder), *shares,
        "--merit", "10",
    )  # fmt: skip
    assert code == 0, err
    assert f"merit 6 MDL (60%) to {people.carol.address} (carol)" in err and f"merit 4 MDL (40%) to {dave}" in err
    assert f"will: grant 6 MDL of merit to {people.carol.address} (carol) (the contributor of this proposal's" in err
    assert f"will: grant 4 MDL of merit to {dave} (a contributor's share only if the version's manifest" in err
    code, _, err = signed(
        base, password, "alice", "proposal", "create", "--title", "too much", "--merit", "0", dave, "nothing"
    )
    assert code == 3 and "merit must be a positive amount" in err
