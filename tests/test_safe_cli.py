"""A Safe multisig acting in the DAO through the CLI, with real Safe contracts (safe-smart-account 1.5.0 on anvil): a
2-of-3 Safe, the registry's and governor's guardian, suspends a model and cancels a proposal; a batch of two calls
runs through MultiSendCallOnly; the Safe proposes, and votes by its owners' ERC-1271 signatures with its weight
counted. Each owner reads what the request does, decoded from its calldata, before signing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from deai_gov.chain.client import connect, send
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.safe.txbuilder import check_batch_file, checksum

from .helpers import VOTING_DELAY, cli_dao, fake_cid, pass_proposal, people_from, run_cli
from .safes import create_safe, safe_contracts

NAME = "acme/guarded"


@pytest.fixture
def world(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A DAO whose guardian is a 2-of-3 Safe, NAME registered; the owners' keys imported as owner0..owner2 and
    alice's as alice, all with the same password file."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    chain = connect(anvil.url)
    deployer = people_from(anvil.dev_keys()).deployer
    contracts = safe_contracts(chain.w3, deployer.address)
    owners = [Account.create() for _ in range(3)]
    safe = create_safe(chain.w3, deployer.address, [o.address for o in owners], 2, contracts)
    world = cli_dao(anvil.url, anvil.dev_keys(), tmp_path, guardian=safe.address)
    password = world["signer"][world["signer"].index("--password-file") + 1]
    for index, owner in enumerate(owners):
        secret = tmp_path / f"owner{index}.key"
        secret.write_text(owner.key.hex())
        code, _, err = run_cli("--password-file", password, "account", "import", f"owner{index}", "--secret-file",
                               str(secret))  # fmt: skip
        assert code == 0, err
    register = reg.register_action(world["dao"], NAME, fake_cid("g1"), fake_cid("g1m"), world["people"].bob.address)
    pass_proposal(world["dao"], world["people"], [register], f"Register {NAME}")
    return world | {"safe": safe.address, "owners": owners, "password": password, "multisend": contracts.multisend}


def cli(w: dict[str, Any], *args: str, account: str | None = None) -> tuple[int, str, str]:
    signer = ["--account", account, "--password-file", w["password"], "--yes"] if account else []
    return run_cli(*w["base"], *signer, *args)


def as_safe(w: dict[str, Any], batch: Path, *args: str, account: str | None = None) -> tuple[int, str, str]:
    return cli(w, "--safe", w["safe"], "--safe-export", str(batch), *args, account=account)


def signed_by_two(w: dict[str, Any], request: Path, *extra: str) -> None:
    for owner in ("owner0", "owner2"):
        code, _, err = cli(w, "safe", "sign", str(request), *extra, account=owner)
        assert code == 0, err


def test_a_safe_guardian_suspends_a_model_and_cancels_a_proposal_once_two_owners_signed(
    world: dict[str, Any], tmp_path: Path
) -> None:
    w, dao, safe = world, world["dao"], world["safe"]
    batch = tmp_path / "suspend.json"

    code, out, err = as_safe(w, batch, "--json", "model", "suspend", NAME, "--reason", "harmful outputs reported")
    assert code == 0, err
    assert f"the Safe {safe} will: suspend {NAME}: harmful outputs reported" in err
    assert json.loads(out)["sent"] is False and not reg.get_model(dao, NAME).suspended
    written = json.loads(batch.read_text())
    check_batch_file(written)  # the checksum the Transaction Builder computes over it
    assert written["meta"]["createdFromSafeAddress"] == safe and len(written["transactions"]) == 1
    assert written["transactions"][0]["to"] == dao.address("registry")

    # what each owner sees before signing: the call decoded, the hash, who signed so far
    code, out, _ = cli(w, "safe", "show", str(batch))
    assert code == 0, out
    assert f"the Safe {safe} (2 of 3 owners) is asked to sign a transaction:" in out
    assert f"will: suspend {NAME}: harmful outputs reported" in out
    assert "Safe nonce 0 (the Safe is at 0)" in out and "signed by 0 of 2 needed" in out

    code, _, err = cli(w, "safe", "sign", str(batch), account="owner0")
    assert code == 0, err
    assert f"will: suspend {NAME}" in err and (tmp_path / "suspend.signatures.json").exists()
    code, _, err = cli(w, "safe", "execute", str(batch), account="alice")
    assert code != 0 and "1 of the Safe's owners signed; it needs 2" in err and len(err.strip().splitlines()) >= 1
    code, _, err = cli(w, "safe", "sign", str(batch), account="alice")
    assert code != 0 and "is not an owner of the Safe" in err.splitlines()[-1]

    code, _, err = cli(w, "safe", "sign", str(batch), account="owner2")
    assert code == 0 and "enough owners signed" in err, err
    code, out, err = cli(w, "--json", "safe", "execute", str(batch), account="alice")
    assert code == 0, err
    assert json.loads(out)["sent"] is True and reg.get_model(dao, NAME).suspended

    # the same request again: its nonce is used
    code, _, err = cli(w, "safe", "execute", str(batch), account="alice")
    assert code != 0 and "for nonce 0, the Safe is at 1" in err

    # the Safe, proposal guardian too, cancels alice's proposal
    people = w["people"]
    retire = reg.retire_action(dao, NAME, "superseded")
    pid = send(dao.chain, people.alice, gov.propose(dao, gov.build_proposal(dao, people.alice.address, [retire],
                                                                            "Retire it"))).outcome  # fmt: skip
    cancel = tmp_path / "cancel.json"
    code, _, err = as_safe(w, cancel, "proposal", "cancel", str(pid))
    assert code == 0, err
    assert f"will: cancel proposal {pid} (Retire it)" in err
    signed_by_two(w, cancel)
    code, _, err = cli(w, "safe", "execute", str(cancel), account="alice")
    assert code == 0, err
    assert gov.state(dao, pid) == ProposalState.CANCELED


def test_a_safe_batches_two_calls_through_multisend_then_proposes_and_votes_with_its_owners_signatures(
    world: dict[str, Any], tmp_path: Path
) -> None:
    w, dao, safe, people = world, world["dao"], world["safe"], world["people"]
    send(dao.chain, people.alice, token.transfer(dao, safe, 150 * TOKEN))
    bob_before = token.holding(dao, people.bob.address).balance

    batch = tmp_path / "batch.json"
    assert as_safe(w, batch, "account", "delegate", "self")[0] == 0
    code, _, err = as_safe(w, batch, "account", "transfer", people.bob.address, "10")
    assert code == 0, err
    assert "(2 calls in the batch" in err
    written = json.loads(batch.read_text())
    assert written["meta"]["checksum"] == checksum({**written, "meta": {
        k: v for k, v in written["meta"].items() if k != "checksum"}})  # fmt: skip
    code, out, _ = cli(w, "safe", "show", str(batch), "--multisend", w["multisend"].address)
    assert f"will: give the Safe's voting power to {safe}" in out
    assert f"will: transfer 10 MDL from the Safe to {people.bob.address}" in out
    assert "through MultiSendCallOnly (one transaction)" in out
    signed_by_two(w, batch, "--multisend", w["multisend"].address)
    code, _, err = cli(w, "safe", "execute", str(batch), account="alice")
    assert code == 0, err
    assert token.holding(dao, safe).delegate == safe  # both calls ran, in one Safe transaction
    assert token.holding(dao, people.bob.address).balance == bob_before + 10 * TOKEN
    advance_time(dao.chain, 1)

    # the Safe proposes
    proposal = tmp_path / "propose.json"
    code, _, err = as_safe(w, proposal, "proposal", "create", "--title", "Retire it", "--retire", NAME, "superseded")
    assert code == 0, err
    assert "will: propose 'Retire it' to the DAO, whose actions would: retire acme/guarded: superseded" in err
    signed_by_two(w, proposal)
    assert cli(w, "safe", "execute", str(proposal), account="alice")[0] == 0
    pid = max(int(row["id"]) for row in json.loads(cli(w, "--json", "proposal", "list")[1]))
    assert gov.get_proposal(dao, pid)[1] == safe
    advance_time(dao.chain, VOTING_DELAY + 1)

    # the Safe votes: owner0 signs as it writes the ballot, owner2 signs the file, alice casts it
    ballot = tmp_path / "vote.json"
    code, _, err = as_safe(w, ballot, "proposal", "vote", str(pid), "for", account="owner0")
    assert code == 0, err
    assert f"will: vote for on proposal {pid} (Retire it) as the Safe" in err
    assert "the Safe votes with 140 votes" in err and "signed by 1 of 2 needed" in err
    code, _, err = cli(w, "safe", "execute", str(ballot), account="alice")
    assert code != 0 and "it needs 2" in err
    code, _, err = cli(w, "safe", "sign", str(ballot), account="owner2")
    assert code == 0, err
    code, out, err = cli(w, "--json", "safe", "execute", str(ballot), account="alice")
    assert code == 0, err
    assert dao.read("governor", "hasVoted", pid, safe)
    assert dao.read("governor", "proposalVotes", pid)[1] == 140 * TOKEN  # for: the Safe's weight


def test_dao_verify_names_the_safe_guardian_its_owners_and_threshold(world: dict[str, Any]) -> None:
    code, out, err = cli(world, "--json", "dao", "verify")
    assert code == 0, err
    details = {check["check"]: check["detail"] for check in json.loads(out)["checks"]}
    for what in ("proposal guardian", "registry guardian"):
        assert details[what].startswith(f"{world['safe']}, a Safe multisig: 2 of 3 owners sign")
        assert {o.address for o in world["owners"]} <= set(details[what].split("(")[1].rstrip(")").split(", "))


def test_bad_or_hostile_safe_requests_are_one_line_and_nothing_is_signed_or_sent(
    world: dict[str, Any], tmp_path: Path
) -> None:
    w, dao = world, world["dao"]
    batch = tmp_path / "b.json"
    code, _, err = cli(w, "--safe", w["safe"], "model", "suspend", NAME, "--reason", "x")
    assert code != 0 and "--safe-export FILE" in err and len(err.strip().splitlines()) <= 2
    code, _, err = cli(w, "--safe", dao.address("registry"), "--safe-export", str(batch), "model", "unsuspend", NAME)
    assert code != 0 and "is not a Safe on this chain" in err

    # the Safe may not do what the call needs: refused before any file is written
    code, _, err = as_safe(w, batch, "account", "transfer", w["people"].bob.address, "10")
    assert code != 0 and "made by the Safe" in err and not batch.exists()

    assert as_safe(w, batch, "model", "suspend", NAME, "--reason", "x")[0] == 0
    signed_by_two(w, batch)
    # the batch changed after the owners signed: their signatures no longer count
    changed = json.loads(batch.read_text())
    changed["transactions"][0]["data"] = changed["transactions"][0]["data"][:-2] + "ff"
    changed["meta"]["checksum"] = checksum({**changed, "meta": {
        k: v for k, v in changed["meta"].items() if k != "checksum"}})  # fmt: skip
    batch.write_text(json.dumps(changed))
    code, _, err = cli(w, "safe", "execute", str(batch), account="alice")
    assert code != 0 and "changed after owners signed" in err
    # a batch edited without its checksum made again; one for another chain; not JSON
    changed["meta"]["checksum"] = "0x" + "00" * 32
    batch.write_text(json.dumps(changed))
    assert "checksum does not match" in cli(w, "safe", "show", str(batch))[2]
    other = json.loads((tmp_path / "b.json").read_text()) | {"chainId": "1"}
    other["meta"]["checksum"] = checksum({**other, "meta": {k: v for k, v in other["meta"].items() if k != "checksum"}})
    (tmp_path / "other.json").write_text(json.dumps(other))
    assert "is for chain '1'" in cli(w, "safe", "show", str(tmp_path / "other.json"))[2]
    (tmp_path / "junk.json").write_text("{not json")
    code, _, err = cli(w, "safe", "show", str(tmp_path / "junk.json"))
    assert code != 0 and "not JSON" in err and len(err.strip().splitlines()) == 1
    assert not reg.get_model(dao, NAME).suspended
