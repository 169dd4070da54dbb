"""`deai-gov node start|stop|status`: a background devnet whose chain state and IPFS blocks survive restarts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from deai_gov.chain import connect
from deai_gov.cli import main
from deai_gov.deploy import DaoParams, deploy_dao
from deai_gov.dev.devnet import anvil_dev_keys
from deai_gov.dev.localnet import stop
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

        assert set(cli("node", "stop")[1]["stopped"]) == {"chain", "ipfs"}
        assert cli("node", "status")[1]["running"] is False

        _, again = cli("node", "start")
        chain = connect(again["rpc_url"])
        assert chain.w3.eth.get_code(deployment.registry), "the chain state was not kept"
        assert NodeStore(again["ipfs_api"], timeout=30).get_block(cid) == b"kept across restarts"
    finally:
        stop(home=tmp_path)
    assert cli("node", "status")[1]["running"] is False
