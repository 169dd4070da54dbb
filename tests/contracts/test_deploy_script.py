"""`scripts/deploy.py` deploys a working DAO through the library and writes its record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import brownie
import pytest
from contract_helpers import ROLES_OF_CONTRACTS

from deai_gov.contracts import artifact
from deai_gov.deploy import DaoParams, Deployment


@pytest.fixture(autouse=True)
def isolation(fn_isolation: Any) -> None:
    """The deployment is reverted after the test."""


def test_deploy_script_on_a_development_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, web3: Any) -> None:
    record = tmp_path / "dao.json"
    monkeypatch.setenv("DEAI_GOV_DEPLOYMENT", str(record))
    brownie.run("scripts/deploy.py")

    deployment = Deployment.load(record)
    assert deployment.chain_id == web3.eth.chain_id
    assert deployment.deployer == brownie.accounts[0].address
    assert deployment.params["treasury"] == str(DaoParams().treasury)
    for name, role in ROLES_OF_CONTRACTS.items():
        assert len(web3.eth.get_code(deployment.addresses[role])) == artifact(name).runtime_size
    reg = brownie.Contract.from_abi("ModelRegistry", deployment.registry, artifact("ModelRegistry").abi)
    assert reg.owner() == deployment.timelock
