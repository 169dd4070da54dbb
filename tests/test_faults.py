"""Faults really happening, on anvil and a real IPFS node: nothing is lost, half-done, resent or duplicated.

- a receipt that never comes: a clear time-out, and the next send refuses to queue behind the waiting
  transaction (nothing resent blindly); once it is mined, sending works again;
- a transaction replaced by another with the same nonce, or dropped by the node: named as such within seconds;
- the RPC node killed while a transaction waits: one clear line, and a restarted node serves the next command;
- a proposal command interrupted after publishing, and the same command run again: one proposal, one copy;
- the process interrupted between queue and execute: execute once; again, nothing is sent;
- the IPFS node down during a pull: refused, nothing written; back up, the same pull succeeds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from deai_gov.chain.client import Chain, connect, fee_fields, send, wait_for_receipt
from deai_gov.dao import governance as gov
from deai_gov.dao import token
from deai_gov.dao.deploy import deploy_dao
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.dev.ipfsnode import IpfsNode
from deai_gov.errors import ChainError, InputError, StoreError, TransactionError
from deai_gov.ipfs.content import publish, pull
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore, NodeStore

from .helpers import TIMELOCK_DELAY, VOTING_DELAY, VOTING_PERIOD, dao_params, onchain, people_from
from .test_cli_transactions import cli, setup, signed  # noqa: F401  (setup is a fixture)


@pytest.fixture
def own_anvil() -> Iterator[Anvil]:
    """An anvil for this test alone: these tests stop its mining or kill it."""
    with Anvil() as node:
        yield node


def rpc(chain: Chain, method: str, *params: Any) -> Any:
    return chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]


def raw_transfer(chain: Chain, key: str, nonce: int, tip: int = 0) -> str:
    """Send a plain ETH transfer at `nonce` without waiting (a transaction sent from another wallet)."""
    account = Account.from_key(key)
    tx = {"to": account.address, "value": 1, "gas": 21_000, "nonce": nonce, "chainId": chain.chain_id}
    fees = fee_fields(chain.w3)
    tx |= {k: v + tip for k, v in fees.items()}
    return chain.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction).to_0x_hex()


def test_a_receipt_that_never_comes_times_out_and_nothing_is_resent(own_anvil: Anvil) -> None:
    chain = connect(own_anvil.url)
    people = people_from(own_anvil.dev_keys())
    dao = Dao.attach(chain, deploy_dao(chain, people.deployer, dao_params(people)))
    address = people.alice.address
    rpc(chain, "evm_setAutomine", False)
    with pytest.raises(TransactionError, match=r"got no receipt within 1 s; it was not resent"):
        send(chain, people.alice, token.delegate(dao, address), timeout=1)
    assert chain.w3.eth.get_transaction_count(address, "pending") == chain.w3.eth.get_transaction_count(address) + 1
    # running the same command again must not queue a second delegation behind the first
    with pytest.raises(TransactionError, match=r"has 1 transaction not yet mined \(nonce \d+\); nothing was sent"):
        send(dao.chain, people.alice, token.delegate(dao, address))
    assert chain.w3.eth.get_transaction_count(address, "pending") == chain.w3.eth.get_transaction_count(address) + 1
    rpc(chain, "evm_mine")
    assert onchain(dao, "token").functions.delegates(address).call() == address  # the first one landed, once
    rpc(chain, "evm_setAutomine", True)
    send(dao.chain, people.alice, token.delegate(dao, people.bob.address))  # and the account can send again
    assert onchain(dao, "token").functions.delegates(address).call() == people.bob.address


def test_a_replaced_transaction_is_named(own_anvil: Anvil) -> None:
    chain = connect(own_anvil.url)
    key = own_anvil.dev_keys()[1]
    sender = Account.from_key(key).address
    rpc(chain, "evm_setAutomine", False)
    nonce = chain.w3.eth.get_transaction_count(sender)
    original = raw_transfer(chain, key, nonce)
    raw_transfer(chain, key, nonce, tip=10**9)  # "speed up" from another wallet: same nonce, higher fee
    rpc(chain, "evm_mine")
    with pytest.raises(TransactionError, match=f"transaction {original} was replaced: another transaction used nonce"):
        wait_for_receipt(chain, original, timeout=30, sender=sender, nonce=nonce)


def test_a_dropped_transaction_is_named(own_anvil: Anvil) -> None:
    chain = connect(own_anvil.url)
    key = own_anvil.dev_keys()[1]
    rpc(chain, "evm_setAutomine", False)
    dropped = raw_transfer(chain, key, chain.w3.eth.get_transaction_count(Account.from_key(key).address))
    rpc(chain, "anvil_dropTransaction", dropped)
    with pytest.raises(TransactionError, match=f"transaction {dropped} was dropped: .* nothing was resent"):
        wait_for_receipt(chain, dropped, timeout=30, drop_grace=0.5)


def test_the_rpc_node_killed_while_a_transaction_waits() -> None:
    node = Anvil().start()
    try:
        chain = connect(node.url)
        account = Account.from_key(node.dev_keys()[1])
        rpc(chain, "evm_setAutomine", False)
        outcome: list[BaseException] = []

        def wait_in_background() -> None:
            try:
                tx_hash = raw_transfer(chain, account.key.to_0x_hex(), 0)
                wait_for_receipt(chain, tx_hash, timeout=30, sender=account.address, nonce=0)
            except BaseException as exc:
                outcome.append(exc)

        waiting = threading.Thread(target=wait_in_background)
        waiting.start()
        threading.Event().wait(1.0)
        node.stop()  # the node dies while the transaction waits for its receipt
        waiting.join(timeout=30)
        assert len(outcome) == 1 and isinstance(outcome[0], ChainError), outcome
        assert "lost the RPC node while waiting for transaction" in str(outcome[0])
        assert "\n" not in str(outcome[0])
    finally:
        node.stop()
    with pytest.raises(ChainError, match="cannot reach the RPC node"):
        connect(node.url)


def pack_files(store: Path) -> set[str]:
    return {p.name for p in (store / "packs").glob("*.car")}


def test_a_proposal_command_run_again_after_an_interruption(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    chain, dao, people, base, password, _ = setup
    assert signed(base, password, "alice", "account", "delegate", "self")[0] == 0
    advance_time(chain, 1)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"layers": 2}')
    (folder / "weights.bin").write_bytes(bytes(range(256)) * 2_000)
    # the first run was killed after publishing, before proposing: the blocks are in the store, no proposal
    store = Path(base[base.index("--store") + 1])
    publish(folder, EmbeddedStore(store), name="acme/rerun", version=1,
            contributors=[Contributor(people.bob.address, 10_000)])  # fmt: skip
    packs = pack_files(store)
    command = ["model", "propose", "register", "acme/rerun", str(folder), "--contributor", people.bob.address]
    code, out, err = signed(base, password, "alice", *command, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["sent"] and first["proposal_id"] == 1
    assert pack_files(store) == packs  # publishing the same bytes again stored nothing new
    nonce = chain.w3.eth.get_transaction_count(people.alice.address)
    # and once more, as if the second run's answer was lost: the same proposal is found, nothing is sent
    code, out, err = signed(base, password, "alice", *command, "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again == {"proposal_id": 1, "sent": False, "existing": True, "state": "pending"}
    assert "proposal 1 already exists (pending): nothing sent" in err
    assert chain.w3.eth.get_transaction_count(people.alice.address) == nonce
    assert pack_files(store) == packs
    with pytest.raises(InputError, match="does not exist"):
        gov.state(dao, 2)

    # interrupted between queue and execute: execute runs once, then refuses and sends nothing
    advance_time(chain, VOTING_DELAY + 1)
    send(dao.chain, people.alice, gov.vote(dao, 1, gov.Support.FOR))
    advance_time(chain, VOTING_PERIOD + 1)
    send(dao.chain, people.bob, gov.queue(dao, 1))
    advance_time(chain, TIMELOCK_DELAY + 1)
    assert signed(base, password, "bob", "proposal", "execute", "1")[0] == 0
    nonce = chain.w3.eth.get_transaction_count(people.bob.address)
    code, _, err = signed(base, password, "bob", "proposal", "execute", "1")
    assert code == 5 and len(err.strip().splitlines()) == 1 and "executed" in err, err
    assert chain.w3.eth.get_transaction_count(people.bob.address) == nonce
    code, _, err = signed(base, password, "alice", *command)  # re-run once more: still one proposal, executed
    assert code == 0 and "proposal 1 already exists (executed): nothing sent" in err, err


@pytest.fixture
def restartable_node(tmp_path: Path) -> Iterator[IpfsNode]:
    node = IpfsNode(repo=tmp_path / "ipfs-repo")
    try:
        yield node
    finally:
        node.stop()


def test_the_ipfs_node_down_during_a_pull_then_back(restartable_node: IpfsNode, tmp_path: Path) -> None:
    restartable_node.start()
    store = NodeStore(restartable_node.api_multiaddr, timeout=5)
    (tmp_path / "weights.bin").write_bytes(bytes(range(256)) * 5_000)
    published = publish(tmp_path / "weights.bin", store, name="acme/outage", version=1,
                        contributors=[Contributor("0x" + "22" * 20, 10_000)])  # fmt: skip
    restartable_node.stop()
    destination = tmp_path / "pulled"
    with pytest.raises(StoreError, match="is unreachable"):
        pull([store], published.artifact_cid, published.manifest_cid, destination)
    assert not destination.exists() and not list(tmp_path.glob(".pulled.partial-*"))
    restartable_node.start()  # same repository and port: the pinned blocks are still there
    report = pull([store], published.artifact_cid, published.manifest_cid, destination)
    assert report.blocks > 1 and (destination / "weights.bin").read_bytes() == (tmp_path / "weights.bin").read_bytes()
