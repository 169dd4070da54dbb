"""Unit tests touch no chain and start no node: a test here that asks for a chain or node fixture is refused at
collection, and one that starts a chain or node anyway fails at once. Such tests belong in tests/ (the integration
tests), where the session's anvil, the test DAO and the IPFS node are."""

from __future__ import annotations

from typing import Any

import pytest

#: Fixtures that start a node or deploy on a chain (directly or through the fixtures they use).
CHAIN_FIXTURES = frozenset(
    {
        "anvil",
        "anvil_world",
        "embedded_world",
        "anvil_undelegated",
        "dao_world",
        "chain_kind",
        "chain",
        "dao",
        "people",
        "ipfs_node",
        "pinning_service_url",
    }
)


def pytest_itemcollected(item: pytest.Item) -> None:
    used = sorted(CHAIN_FIXTURES.intersection(getattr(item, "fixturenames", ())))
    if used:
        raise pytest.UsageError(
            f"{item.nodeid} uses {', '.join(used)}: unit tests touch no chain and start no node; "
            "move the test to tests/ (the integration tests)"
        )


@pytest.fixture(autouse=True)
def no_chain_or_node(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting an embedded chain, an anvil or an IPFS node from a unit test fails with the reason."""
    from deai_gov.chain import embedded
    from deai_gov.chain.anvil import Anvil
    from deai_gov.dev.ipfsnode import IpfsNode

    def refuse(*args: Any, **kwargs: Any) -> Any:
        pytest.fail("a unit test started a chain or a node: move it to tests/ (the integration tests)", pytrace=False)

    monkeypatch.setattr(embedded, "start_embedded", refuse)
    monkeypatch.setattr(Anvil, "start", refuse)
    monkeypatch.setattr(IpfsNode, "start", refuse)
