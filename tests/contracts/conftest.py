"""Fixtures of the contract tests, run by `tools/brownie-test` (`brownie test tests/contracts` on an anvil that
brownie starts on a free port).

The DAO is deployed once per test module through the library (`deai_gov.dao.deploy.deploy_dao`, the one deploy
path) over brownie's own web3 connection (`lib_dao`), and wrapped as brownie `Contract` objects for assertions
(`dao_contracts`: `tx.events`, `brownie.reverts`). Each test module has an autouse `isolation` fixture, so
every test runs inside an EVM snapshot (brownie's `fn_isolation`) and never sees another test's transactions.

Two brownie behaviours shape this file:
- brownie moves `fn_isolation` ahead of the first fixture of a test whose *first* definition is function-scoped.
  A module using the DAO therefore declares a module-scoped autouse fixture requesting `lib_dao` before its
  `isolation` fixture, and the fixtures here do not reuse the names of the function-scoped fixtures of
  `tests/conftest.py` (`people`, `dao`): brownie would see those and snapshot before the deployment.
- `tests/conftest.py` sets `collect_ignore = ["contracts"]` for plain pytest; pytest applies it only while
  walking `tests/`, so `brownie test tests/contracts` still collects this folder.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import brownie
import pytest
from contract_helpers import ROLES_OF_CONTRACTS

from deai_gov.chain.client import Chain
from deai_gov.contracts.artifacts import artifact
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import anvil_dev_keys
from tests.helpers import People, deploy_dao_for, people_from


@pytest.fixture(scope="session")
def chain() -> Any:
    """brownie's chain (tests/conftest.py defines a library `chain` fixture for the plain pytest suite)."""
    return brownie.chain


@pytest.fixture(scope="session")
def lib_chain() -> Chain:
    """The library's view of the node brownie started: the same web3 connection."""
    return Chain(w3=brownie.web3)


@pytest.fixture(scope="session")
def actors() -> People:
    """LocalAccounts from anvil's public test mnemonic; brownie's `accounts[i]` are the same addresses."""
    cast = people_from(anvil_dev_keys())
    roles = [cast.deployer, cast.alice, cast.bob, cast.carol, cast.guardian, cast.outsider]
    assert [a.address for a in roles] == [a.address for a in brownie.accounts[: len(roles)]], (
        "brownie's anvil does not use anvil's default mnemonic"
    )
    return cast


@pytest.fixture(scope="module")
def lib_dao(module_isolation: Any, lib_chain: Chain, actors: People) -> Dao:
    """The test DAO deployed through the library, once per module (brownie's `module_isolation` resets the chain
    when a module starts, so it must come first); alice and bob vote themselves, carol delegates to alice."""
    return deploy_dao_for(lib_chain, actors)


@pytest.fixture(scope="module")
def dao_contracts(lib_dao: Dao) -> SimpleNamespace:
    """brownie `Contract` objects for the DAO's four contracts (the shipped ABIs)."""
    return SimpleNamespace(
        **{
            role: brownie.Contract.from_abi(name, lib_dao.deployment.addresses[role], artifact(name).abi)
            for name, role in ROLES_OF_CONTRACTS.items()
        }
    )


@pytest.fixture
def registry(ModelRegistry: Any, accounts: Any) -> Any:
    """A ModelRegistry owned directly by accounts[0] with guardian accounts[1] (unit tests of the registry)."""
    return ModelRegistry.deploy(accounts[0], accounts[1], {"from": accounts[0]})
