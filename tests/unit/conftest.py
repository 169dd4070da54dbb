"""Fixtures shared by the unit tests that need a DAO: one deployed per test module, on each chain (embedded
py-evm and the session's anvil) unless a module narrows `deployed` to the embedded chain. Tests that send
transactions either check differences, not totals, or deploy a DAO of their own."""

from __future__ import annotations

import pytest

from deai_gov.chain.client import connect
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil

from ..helpers import People, deploy_dao_for, people_from


@pytest.fixture(scope="module")
def embedded_dao() -> tuple[Dao, People]:
    chain = connect(None)
    people = people_from(chain.dev_keys)
    return deploy_dao_for(chain, people), people


@pytest.fixture(scope="module")
def anvil_dao(anvil: Anvil) -> tuple[Dao, People]:
    people = people_from(anvil.dev_keys())
    return deploy_dao_for(connect(anvil.url), people), people


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def deployed(request: pytest.FixtureRequest) -> tuple[Dao, People]:
    """A DAO on each chain, shared by a module's tests."""
    return request.getfixturevalue(f"{request.param}_dao")  # type: ignore[no-any-return]


@pytest.fixture
def dao(deployed: tuple[Dao, People]) -> Dao:
    return deployed[0]


@pytest.fixture
def people(deployed: tuple[Dao, People]) -> People:
    return deployed[1]
