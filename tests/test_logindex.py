"""The local log index (`deai_gov.chain.logindex`): the same logs as the node gives, read once, kept only when
confirmed,
dropped and read again after a reorganisation deeper than its confirmations, and nothing lost when deleted."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from deai_gov.chain.anvil import Anvil
from deai_gov.chain.client import connect
from deai_gov.chain.logindex import CONFIRMATIONS, LogIndex
from deai_gov.chain.logs import iter_logs
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao

from .helpers import People, deploy_dao_for, people_from
from .provider import serve_provider
from .test_logs import pay


@pytest.fixture(scope="module")
def spread(anvil: Anvil) -> tuple[Dao, People]:
    """A DAO whose token moved in 10 payments spread over ~400 blocks (the tests using it only read)."""
    people = people_from(anvil.dev_keys())
    dao = deploy_dao_for(connect(anvil.url), people)
    for n in range(10):
        pay(dao, people.alice, people.bob.address if n % 2 else people.carol.address, (n + 1) * TOKEN)
        dao.chain.request("anvil_mine", [hex(40)])
    return dao, people


def transfers(chain: Any, dao: Dao, **filters: Any) -> list[tuple[int, int, int]]:
    found = iter_logs(
        chain, "ModelToken", dao.address("token"), "Transfer", from_block=dao.deployment.block, filters=filters
    )
    return [(log.block, log.log_index, log.args["value"]) for log in found]


def test_the_second_run_reads_only_new_blocks_and_gives_the_same_logs(
    spread: tuple[Dao, People], tmp_path: Path
) -> None:
    dao, people = spread
    truth = transfers(dao.chain, dao)
    with serve_provider(dao.chain.rpc_url or "", max_range=50) as provider:
        chain = connect(provider.url)
        chain.log_index = LogIndex(tmp_path / "index.sqlite", chain)
        assert transfers(chain, dao) == truth
        first = provider.methods.get("eth_getLogs", 0)
        assert first >= 8  # ~400 blocks, 50 at a time
        assert transfers(chain, dao) == truth
        again = provider.methods["eth_getLogs"] - first
        assert again <= 1  # the unconfirmed tail only
        by_bob = transfers(chain, dao, to=people.bob.address)  # filtered in the file, not by the node
        assert by_bob == transfers(dao.chain, dao, to=people.bob.address)
        assert [v for *_, v in by_bob][1:] == [n * TOKEN for n in (2, 4, 6, 8, 10)]  # after bob's mint
    tip = dao.chain.block_number()
    stored = sqlite3.connect(tmp_path / "index.sqlite").execute("SELECT max(block) FROM logs").fetchone()[0]
    assert stored <= tip - CONFIRMATIONS  # nothing less confirmed is kept


def test_deleting_the_index_loses_nothing(spread: tuple[Dao, People], tmp_path: Path) -> None:
    dao, _ = spread
    truth = transfers(dao.chain, dao)
    chain = connect(dao.chain.rpc_url)
    chain.log_index = LogIndex(tmp_path / "index.sqlite", chain)
    assert transfers(chain, dao) == truth
    chain.log_index.close()
    (tmp_path / "index.sqlite").unlink()
    chain.log_index = LogIndex(tmp_path / "index.sqlite", chain)
    assert transfers(chain, dao) == truth


def test_a_reorganisation_deeper_than_the_confirmations_is_read_again(dao: Dao, people: People, tmp_path: Path) -> None:
    """Payments kept by the index (well confirmed) are reorganised away (anvil revert, inside the test's own
    snapshot) and others made instead: the index notices the changed block hashes, drops what followed the last
    block still on the chain, and gives the new history."""
    reorganised(dao, people, tmp_path)


def reorganised(dao: Dao, people: People, tmp_path: Path) -> None:
    chain = connect(dao.chain.rpc_url)
    chain.log_index = LogIndex(tmp_path / "index.sqlite", chain)
    snapshot = chain.request("evm_snapshot", [])
    pay(dao, people.alice, people.outsider.address, 77 * TOKEN)
    chain.request("anvil_mine", [hex(30)])
    assert transfers(chain, dao, to=people.outsider.address)[-1][2] == 77 * TOKEN  # now kept in the file
    chain.request("evm_revert", [snapshot])
    pay(dao, people.alice, people.outsider.address, 88 * TOKEN)
    chain.request("anvil_mine", [hex(30)])
    index = chain.log_index = LogIndex(tmp_path / "index.sqlite", chain)  # the next command, on the same file
    after = transfers(chain, dao, to=people.outsider.address)
    assert [v for *_, v in after if v in (77 * TOKEN, 88 * TOKEN)] == [88 * TOKEN]
    assert after == transfers(dao.chain, dao, to=people.outsider.address)
    assert index.reread > 0
