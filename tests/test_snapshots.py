"""What the integration tests rely on to share one deployed DAO (tests/helpers.py `isolated`): whatever a test does to
a chain (transactions, blocks, time travel) is undone after it, on anvil and on the embedded chain, and the chain's
clock is not left behind the wall clock."""

from __future__ import annotations

import time

import pytest

from deai_gov.chain.client import Chain, send
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import advance_time, mine

from .helpers import People, isolated


@pytest.mark.chains("embedded", "anvil")
def test_a_revert_undoes_transactions_blocks_and_time_travel(chain: Chain, dao: Dao, people: People) -> None:
    block, stamp = chain.block_number(), chain.timestamp()
    balance = token.holding(dao, people.outsider.address).balance
    with isolated(chain):
        send(chain, people.alice, token.transfer(dao, people.outsider.address, 5 * TOKEN))
        advance_time(chain, 30 * 86_400)
        assert chain.timestamp() >= stamp + 30 * 86_400
        assert token.holding(dao, people.outsider.address).balance == balance + 5 * TOKEN
    assert (chain.block_number(), chain.timestamp()) == (block, stamp)
    assert token.holding(dao, people.outsider.address).balance == balance
    mine(chain)
    assert chain.timestamp() < stamp + 86_400  # the clock went back with the blocks


@pytest.mark.chains("embedded", "anvil")
def test_snapshots_nest(chain: Chain, dao: Dao, people: People) -> None:
    balance = token.holding(dao, people.outsider.address).balance
    with isolated(chain):
        send(chain, people.alice, token.transfer(dao, people.outsider.address, 1 * TOKEN))
        with isolated(chain):
            send(chain, people.alice, token.transfer(dao, people.outsider.address, 2 * TOKEN))
        assert token.holding(dao, people.outsider.address).balance == balance + 1 * TOKEN
    assert token.holding(dao, people.outsider.address).balance == balance


def test_after_a_revert_anvil_keeps_up_with_the_wall_clock(chain: Chain) -> None:
    """anvil restarts its clock at the snapshot's latest block; the revert brings it back to the wall clock."""
    with isolated(chain):
        time.sleep(2.2)
    mine(chain)
    assert int(time.time()) - chain.timestamp() <= 1
