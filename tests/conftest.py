"""Shared fixtures: chains (embedded py-evm and a real anvil), funded accounts and a deployed DAO.

Library tests run with plain pytest (`-p no:pytest-brownie`); brownie's contract tests live in
`tests/contracts/` and run under `brownie test`, so plain pytest does not collect them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from deai_gov.chain import Chain, connect
from deai_gov.dao import Dao
from deai_gov.deploy import TOKEN, DaoParams, deploy_dao
from deai_gov.dev.devnet import Anvil, free_port
from deai_gov.dev.ipfsnode import IpfsNode

from .leakcheck import current_test, install, leaks, scan

collect_ignore = ["contracts"]

VOTING_DELAY = 60
VOTING_PERIOD = 3_600
TIMELOCK_DELAY = 300
LATE_QUORUM = 600


@dataclass
class People:
    """Who is who in the test DAO."""

    deployer: LocalAccount
    alice: LocalAccount  # 500 tokens, votes herself
    bob: LocalAccount  # 300 tokens, contributor
    carol: LocalAccount  # 200 tokens, delegates to alice
    guardian: LocalAccount
    outsider: LocalAccount  # no tokens


def dao_params(people: People) -> DaoParams:
    return DaoParams(
        holders={people.alice.address: 500 * TOKEN, people.bob.address: 300 * TOKEN, people.carol.address: 200 * TOKEN},
        treasury=1_000 * TOKEN,
        proposal_threshold=100 * TOKEN,
        quorum_percent=10,
        voting_delay=VOTING_DELAY,
        voting_period=VOTING_PERIOD,
        late_quorum_extension=LATE_QUORUM,
        timelock_delay=TIMELOCK_DELAY,
        guardian=people.guardian.address,
    )


@pytest.fixture(scope="session")
def ipfs_node() -> Iterator[IpfsNode]:
    """One offline js-ipfs daemon for the session, API and gateway on free loopback ports."""
    with IpfsNode(gateway_port=free_port()) as node:
        yield node


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


def people_from(keys: list[str]) -> People:
    """The test DAO's cast from the first six development keys."""
    return People(*(Account.from_key(k) for k in keys[:6]))


@pytest.fixture(params=["embedded", "anvil"])
def chain_and_keys(request: pytest.FixtureRequest) -> tuple[Chain, list[str]]:
    """A fresh embedded chain, or the session's anvil (state shared, DAO deployed anew each test)."""
    if request.param == "embedded":
        chain = connect(None)
        return chain, chain.dev_keys
    node: Anvil = request.getfixturevalue("anvil")
    return connect(node.url), node.dev_keys()


@pytest.fixture
def chain(chain_and_keys: tuple[Chain, list[str]]) -> Chain:
    return chain_and_keys[0]


@pytest.fixture
def people(chain_and_keys: tuple[Chain, list[str]]) -> People:
    return people_from(chain_and_keys[1])


@pytest.fixture
def dao(chain: Chain, people: People) -> Dao:
    """A freshly deployed DAO where alice, bob have self-delegated and carol delegates to alice."""
    from deai_gov import governance as gov
    from deai_gov.dev.devnet import advance_time

    deployment = deploy_dao(chain, people.deployer, dao_params(people))
    dao = Dao.attach(chain, deployment)
    gov.delegate(dao, people.alice, people.alice.address)
    gov.delegate(dao, people.bob, people.bob.address)
    gov.delegate(dao, people.carol, people.alice.address)
    advance_time(chain, 1)
    return dao


# ------------------------------------------------------------------ no secret in any output (tests/leakcheck.py)


def pytest_configure(config: pytest.Config) -> None:
    install()


def pytest_runtest_logstart(nodeid: str, location: object) -> None:
    current_test[0] = nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for section, content in report.sections:
        scan(section, content)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for leak in leaks:
            if reporter is not None:
                reporter.write_line(f"SECRET LEAK: {leak}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
