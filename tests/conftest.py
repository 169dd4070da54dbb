"""Shared fixtures: chains (embedded py-evm and a real anvil), funded accounts and a deployed DAO.

Library tests run with plain pytest (`-p no:pytest-brownie`); brownie's contract tests live in
`tests/contracts/` and run under `brownie test`, so plain pytest does not collect them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deai_gov.chain.client import Chain, connect
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, free_port
from deai_gov.dev.ipfsnode import IpfsNode

from .helpers import People, deploy_dao_for, people_from
from .leakcheck import current_test, install, leaks, scan

collect_ignore = ["contracts"]


@pytest.fixture(scope="session", autouse=True)
def configuration_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A configuration folder of the test session's own (keystores, log indexes, the devnet record) for every test
    that does not choose one: nothing the tests do lands in the real `~/.config/deai-gov`."""
    import os

    if os.environ.get("DEAI_GOV_HOME"):
        yield
        return
    os.environ["DEAI_GOV_HOME"] = str(tmp_path_factory.mktemp("deai-gov-home"))
    try:
        yield
    finally:
        del os.environ["DEAI_GOV_HOME"]


@pytest.fixture(scope="session")
def ipfs_node() -> Iterator[IpfsNode]:
    """One offline js-ipfs daemon for the session, API and gateway on free loopback ports."""
    with IpfsNode(gateway_port=free_port()) as node:
        yield node


#: The access token the test pinning service accepts.
PINNING_TOKEN = "test-pinning-token-7f3a9c"


@pytest.fixture(scope="session")
def pinning_service_url() -> Iterator[str]:
    """npm `mock-ipfs-pinning-service` (the IPFS shipyard's in-memory service, which validates every request and
    answer against the Pinning Service API's own OpenAPI document) on a free loopback port, for the session."""
    import subprocess
    import time
    from pathlib import Path

    import requests

    root = Path(__file__).resolve().parent.parent
    port = free_port()
    cli = root / "node_modules" / "mock-ipfs-pinning-service" / "cli.js"
    command = ["node", str(cli), "--port", str(port), "--token", PINNING_TOKEN, "--loglevel", "error"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/pins", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the pinning service did not start: {process.stderr.read()!r}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


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
    return deploy_dao_for(chain, people)


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
