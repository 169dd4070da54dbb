"""`deai-gov node start|stop|status`: a background devnet whose chain state and IPFS blocks survive restarts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from deai_gov.chain.client import connect
from deai_gov.cli import main
from deai_gov.dao.deploy import DaoParams, deploy_dao
from deai_gov.dev.devnet import anvil_dev_keys
from deai_gov.dev.localnet import deployment_record, stop
from deai_gov.ipfs.blockcid import to_text
from deai_gov.ipfs.importer import import_bytes
from deai_gov.ipfs.stores import NodeStore


def cli(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_state_survives_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path))
    try:
        _, started = cli("node", "start")
        assert started["rpc_url"].startswith("http://127.0.0.1:") and started["ipfs_api"]
        assert cli("node", "status")[1]["running"] is True
        chain = connect(started["rpc_url"])
        deployment = deploy_dao(chain, Account.from_key(anvil_dev_keys()[0]), DaoParams())
        store = NodeStore(started["ipfs_api"], timeout=30)
        cid = store.import_dag(lambda sink: import_bytes(b"kept across restarts", sink).cid)

        # the devnet's pinning service pins on its node (`--service local`, `--pin local`)
        assert started["pinning_url"]
        from deai_gov.cli.session import Session
        from deai_gov.ipfs.pinning import wait_until_pinned

        service = Session().pinning_service("local")
        [pinned] = wait_until_pinned(service, [service.add(to_text(cid), name="kept")], timeout=30, poll=0.2)
        assert pinned.status == "pinned"

        assert set(cli("node", "stop")[1]["stopped"]) == {"chain", "ipfs", "pinning"}
        assert cli("node", "status")[1]["running"] is False

        _, again = cli("node", "start")
        chain = connect(again["rpc_url"])
        assert chain.w3.eth.get_code(deployment.registry), "the chain state was not kept"
        assert NodeStore(again["ipfs_api"], timeout=30).get_block(cid) == b"kept across restarts"
    finally:
        stop(home=tmp_path)
    assert cli("node", "status")[1]["running"] is False


@pytest.mark.usefixtures("cheap_kdf")  # the dev accounts imported as keystores quick to unlock
def test_a_newcomer_goes_from_node_start_to_an_executed_proposal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only CLI commands, as the README's devnet path: `node start` (a block a second), `node accounts --import`,
    deploy, delegate, propose, then `proposal wait` carries each step; no time travel, no helper."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path))
    password = tmp_path / "password.txt"
    password.write_text("devnet only\n")

    def run(*args: str) -> dict:
        result = CliRunner().invoke(main, ["--password-file", str(password), "--yes", "--json", *args])
        assert result.exit_code == 0, result.stderr
        assert not result.stdout or json.loads(result.stdout) is not None
        return json.loads(result.stdout) if result.stdout else {}

    try:
        started = run("node", "start", "--no-ipfs")
        assert started["ipfs_note"] == "not asked for (--no-ipfs)"
        listed = run("node", "accounts", "--count", "3", "--import", "dev")
        assert [a["alias"] for a in listed] == ["dev0", "dev1", "dev2"] and int(listed[0]["balance_wei"]) > 0
        # no URL and no record passed from here on: the running devnet is the network, its DAO record is kept
        deployed = run("--account", "dev0", "dao", "deploy", "--voting-delay", "2s", "--voting-period", "6s",
                       "--timelock-delay", "2s", "--late-quorum", "0")  # fmt: skip
        assert deployed["record"] == str(deployment_record(tmp_path))
        assert run("node", "status")["deployment"] == deployed["record"]
        run("--account", "dev0", "account", "delegate", "self")
        created = run(
            "--account", "dev0", "proposal", "create", "--title", "First grant", "--transfer", "10", "dev2"
        )  # fmt: skip  (an account's name for its address)
        pid = str(created["proposal_id"])
        run("proposal", "wait", pid, "--until", "active", "--timeout", "60", "--interval", "0.5")
        run("--account", "dev0", "proposal", "vote", pid, "for")
        run("proposal", "wait", pid, "--until", "succeeded", "--timeout", "60", "--interval", "0.5")
        run("--account", "dev1", "proposal", "queue", pid)
        run("proposal", "wait", pid, "--until", "executable", "--timeout", "60", "--interval", "0.5")
        run("--account", "dev1", "proposal", "execute", pid)
        assert run("proposal", "show", pid)["state"] == "executed"
        assert run("account", "balance", "dev2")["balance"] == str(10 * 10**18)
    finally:
        stop(home=tmp_path)
