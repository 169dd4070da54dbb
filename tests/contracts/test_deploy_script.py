"""`scripts/deploy.py` deploys a working DAO through the library and writes its record."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import brownie
import pytest
from contract_helpers import ROLES_OF_CONTRACTS

from deai_gov.contracts.artifacts import artifact
from deai_gov.dao.deploy import DaoParams, Deployment


def run_script(path: Path) -> None:
    """Run a brownie script's `main()` on the active network, as `brownie run` does.

    `brownie.run` imports a script under a module name made of its absolute path's parts, which fails when a
    folder above the project has a dot in its name (a checkout in `/tmp/tmp.XXXX`, say); loading the file
    directly works from anywhere.
    """
    spec = importlib.util.spec_from_file_location(f"deploy_script_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()


@pytest.fixture(autouse=True)
def isolation(fn_isolation: Any) -> None:
    """The deployment is reverted after the test."""


def test_deploy_script_on_a_development_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, web3: Any) -> None:
    record = tmp_path / "dao.json"
    monkeypatch.setenv("DEAI_GOV_DEPLOYMENT", str(record))
    run_script(Path(__file__).resolve().parents[2] / "scripts" / "deploy.py")

    deployment = Deployment.load(record)
    assert deployment.chain_id == web3.eth.chain_id
    assert deployment.deployer == brownie.accounts[0].address
    assert deployment.params["treasury"] == str(DaoParams().treasury)
    for name, role in ROLES_OF_CONTRACTS.items():
        assert len(web3.eth.get_code(deployment.addresses[role])) == artifact(name).runtime_size
    reg = brownie.Contract.from_abi("ModelRegistry", deployment.registry, artifact("ModelRegistry").abi)
    assert reg.owner() == deployment.timelock
