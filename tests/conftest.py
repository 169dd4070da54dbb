"""Shared fixtures: nodes (a real anvil, a js-ipfs daemon, a pinning service), the test DAO and its cast.

Library tests run with plain pytest (`-p no:pytest-brownie`); brownie's contract tests live in
`tests/contracts/` and run under `brownie test`, so plain pytest does not collect them.

The test DAO is deployed once per session on each chain a test asks for; every test that uses it, or the session's
anvil, runs inside a snapshot that is reverted after it (state, blocks and clock), with a configuration folder of
its own (so no log index outlives the blocks it was read from). Tests run on anvil; `@pytest.mark.chains("embedded",
"anvil")` runs a test on the embedded py-evm chain as well. Fixtures that deploy are session- or module-scoped and
requested as arguments (pytest sets those up before any function-scoped fixture takes its snapshot); one requested
through `request.getfixturevalue` inside a test's snapshot would see its contracts reverted away after that test
(the fixtures below that do so request the session's DAO before taking their snapshot).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deai_gov.chain.client import Chain, connect
from deai_gov.dao.deploy import deploy_dao
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, free_port
from deai_gov.dev.ipfsnode import IpfsNode

from .helpers import DaoWorld, People, dao_params, deploy_dao_for, isolated, people_from
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


@pytest.fixture(autouse=True)
def devnet_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Free ports for any devnet a test starts with `node start` (its defaults, 8545 and 5001, would be shared by
    tests running side by side)."""
    monkeypatch.setenv("DEAI_GOV_CHAIN_PORT", str(free_port()))
    monkeypatch.setenv("DEAI_GOV_IPFS_PORT", str(free_port()))


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


@pytest.fixture(scope="session")
def anvil_world(anvil: Anvil) -> DaoWorld:
    """The test DAO on the session's anvil, deployed once: alice and bob vote themselves, carol delegates to alice."""
    people = people_from(anvil.dev_keys())
    return DaoWorld(deploy_dao_for(connect(anvil.url), people), people)


@pytest.fixture(scope="session")
def anvil_undelegated(anvil: Anvil) -> DaoWorld:
    """The test DAO on the session's anvil as deployed, before anyone delegated: no one has votes yet."""
    people = people_from(anvil.dev_keys())
    chain = connect(anvil.url)
    return DaoWorld(Dao.attach(chain, deploy_dao(chain, people.deployer, dao_params(people))), people)


@pytest.fixture(scope="session")
def embedded_world() -> DaoWorld:
    """The same on an embedded chain of the session's."""
    chain = connect(None)
    people = people_from(chain.dev_keys)
    return DaoWorld(deploy_dao_for(chain, people), people)


def own_home(request: pytest.FixtureRequest) -> None:
    """DEAI_GOV_HOME, for the rest of the test, a folder of its own."""
    tmp_path: Path = request.getfixturevalue("tmp_path")
    request.getfixturevalue("monkeypatch").setenv("DEAI_GOV_HOME", str(tmp_path / "deai-gov-home"))


@pytest.fixture(autouse=True)
def anvil_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that uses the session's anvil leaves it as it found it: a snapshot before, a revert after (the test
    DAO deployed first, outside any test's snapshot); DEAI_GOV_HOME is a folder of the test's own."""
    if "anvil" not in request.fixturenames:
        yield
        return
    world: DaoWorld = request.getfixturevalue("anvil_world")
    own_home(request)
    with isolated(world.chain, world.dao):
        yield


@pytest.fixture
def chain_kind(request: pytest.FixtureRequest) -> str:
    """The chain a test runs on: anvil, unless `@pytest.mark.chains(...)` names others."""
    return getattr(request, "param", "anvil")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("chains")
    if marker is not None and "chain_kind" in metafunc.fixturenames:
        metafunc.parametrize("chain_kind", marker.args, indirect=True)


@pytest.fixture
def dao_world(request: pytest.FixtureRequest, chain_kind: str) -> Iterator[DaoWorld]:
    """The test DAO on the test's chain, everything the test does to that chain undone after it."""
    found: DaoWorld = request.getfixturevalue(f"{chain_kind}_world")  # session-scoped: deployed before the snapshot
    own_home(request)
    with isolated(found.chain, found.dao):
        yield found


@pytest.fixture
def chain(dao_world: DaoWorld) -> Chain:
    return dao_world.chain


@pytest.fixture
def people(dao_world: DaoWorld) -> People:
    return dao_world.people


@pytest.fixture
def dao(dao_world: DaoWorld) -> Dao:
    """The test DAO: alice and bob have self-delegated and carol delegates to alice."""
    return dao_world.dao


@pytest.fixture
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keystores written with pbkdf2 and two iterations instead of scrypt: same format, a millisecond each (scrypt
    takes half a second to write a keystore and as long to unlock it, in every command that signs)."""
    from collections.abc import Callable
    from typing import Any

    from eth_account import Account

    encrypt: Callable[..., dict[str, Any]] = Account.encrypt

    def fast(cls: type, private_key: Any, password: str, kdf: Any = None, iterations: Any = None) -> dict[str, Any]:
        return encrypt(private_key, password, kdf="pbkdf2", iterations=2)

    monkeypatch.setattr(Account, "encrypt", classmethod(fast))


# ------------------------------------------------------------------ markers: network and slow, by fixture and module

#: Fixtures that start a node process (anvil, js-ipfs, the pinning service), or need one.
NODE_FIXTURES = frozenset(
    {"anvil", "anvil_world", "anvil_undelegated", "ipfs_node", "pinning_service_url", "mlflow_server"}
)
#: Modules whose tests start nodes of their own (or every test needs one).
NODE_MODULES = {
    "test_faults.py": "kills, stalls and restarts anvils and IPFS nodes of its own",
    "test_ipfs_node.py": "the js-ipfs daemon itself, restarts included",
    "test_localnet.py": "`deai-gov node start`: a devnet and an IPFS node",
}
#: What takes seconds a test: whole modules, or the named tests of one. Longest module first: the suite runs in this
#: order, so that pytest-xdist (`--no-loadscope-reorder`, tools/test) starts the long modules first, not last.
SLOW: dict[str, tuple[str, ...] | None] = {
    "test_simulation.py": None,  # every simulation starts an anvil fork
    "test_invariants.py": None,  # hundreds of transactions on py-evm
    "test_localnet.py": None,  # starts and restarts the devnet; votes in real time
    "test_import_profiles.py": None,  # the JS importer (Node) on folders of many files
    "test_ipfs_node.py": (
        "test_pinned_import_of_an_incomplete_dag_blocks_gc_for_good",
        "test_a_given_repository_persists_across_restarts",
    ),
    "test_cli_transactions.py": (  # proposals simulated on anvil forks
        "test_the_dao_changes_itself_from_the_cli",
        "test_a_lifecycle_action_and_a_settings_change_pass_in_one_proposal",
    ),
    "test_faults.py": None,  # nodes killed and restarted, time-outs waited out
    "test_carstream.py": ("test_an_independent_client_reads_through_the_test_gateway",),
    "test_demo.py": None,  # the whole demo in a subprocess
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`network` on tests that need a node process, `slow` on those that take seconds (see README, Tests); the
    modules of SLOW first, longest first."""
    for item in items:
        module = item.path.name
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_anvil = (
            "dao_world" in fixtures and (callspec.params.get("chain_kind", "anvil") if callspec else "anvil") == "anvil"
        )
        if fixtures & NODE_FIXTURES or on_anvil or module in NODE_MODULES:
            item.add_marker(pytest.mark.network)
        if module in SLOW and (
            SLOW[module] is None or getattr(item, "originalname", item.name) in (SLOW[module] or ())
        ):
            item.add_marker(pytest.mark.slow)
    rank = {module: index for index, module in enumerate(SLOW)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


# ------------------------------------------------------------------ no secret in any output (tests/leakcheck.py)


#: Whether this process is a pytest-xdist worker: then the controller scans what it reports, and the leaks found
#: in the CLI runs of its tests travel to the controller with their reports.
in_worker = [False]


def pytest_configure(config: pytest.Config) -> None:
    in_worker[0] = hasattr(config, "workerinput")
    install()


def pytest_runtest_logstart(nodeid: str, location: object) -> None:
    current_test[0] = nodeid


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    if in_worker[0]:
        report: pytest.TestReport = outcome.get_result()
        report.user_properties.extend(("secret leak", leak) for leak in leaks)
        leaks.clear()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if in_worker[0]:
        return
    current_test[0] = report.nodeid  # under xdist, reports of two workers' tests interleave
    for section, content in report.sections:
        scan(section, content)
    leaks.extend(str(value) for name, value in report.user_properties if name == "secret leak")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for leak in leaks:
            if reporter is not None:
                reporter.write_line(f"SECRET LEAK: {leak}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
