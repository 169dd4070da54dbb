"""The chain (`deai_gov.chain.client`): read calls in batches against web3's contract calls, failed calls in place,
simulation that sends nothing, sending with an outcome, and connecting to nothing."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from deai_gov.chain.client import (
    Chain,
    PreparedTx,
    ReadCall,
    TxResult,
    call_many,
    connect,
    eth_calls,
    read,
    send,
    simulate,
)
from deai_gov.chain.logs import logs_in_receipt
from deai_gov.contracts.abi import encode_call
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, free_port
from deai_gov.errors import ChainError, TransactionError

from .helpers import People, onchain, people_from, prepared

# Reads and sends take each transport's own path (JSON-RPC over HTTP, or eth-tester in-process): both chains.
pytestmark = pytest.mark.chains("embedded", "anvil")


def nonce(chain: Chain, address: str) -> int:
    return int(chain.w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]


# ------------------------------------------------------------------ ReadCall, call_many, read


def reads(dao: Dao, people: People) -> list[tuple[ReadCall, Any]]:
    """Read calls, each with the same call made through a web3 contract object."""
    token, governor = onchain(dao, "token"), onchain(dao, "governor")
    registry, timelock = onchain(dao, "registry"), onchain(dao, "timelock")
    alice, carol = people.alice.address, people.carol.address
    key = 3
    proposer_role = keccak(text="PROPOSER_ROLE")
    pairs = [
        (ReadCall(dao.address("token"), "ModelToken", "name"), token.functions.name()),
        (ReadCall(dao.address("token"), "ModelToken", "symbol"), token.functions.symbol()),
        (ReadCall(dao.address("token"), "ModelToken", "decimals"), token.functions.decimals()),
        (ReadCall(dao.address("token"), "ModelToken", "totalSupply"), token.functions.totalSupply()),
        (ReadCall(dao.address("token"), "ModelToken", "balanceOf", (alice,)), token.functions.balanceOf(alice)),
        (ReadCall(dao.address("token"), "ModelToken", "getVotes", (alice,)), token.functions.getVotes(alice)),
        (ReadCall(dao.address("token"), "ModelToken", "delegates", (carol,)), token.functions.delegates(carol)),
        (
            ReadCall(dao.address("token"), "ModelToken", "checkpoints", (alice, 0)),
            token.functions.checkpoints(alice, 0),
        ),
        (ReadCall(dao.address("governor"), "ModelGovernor", "votingPeriod"), governor.functions.votingPeriod()),
        (
            ReadCall(dao.address("governor"), "ModelGovernor", "proposalThreshold"),
            governor.functions.proposalThreshold(),
        ),
        (ReadCall(dao.address("governor"), "ModelGovernor", "proposalGuardian"), governor.functions.proposalGuardian()),
        (
            ReadCall(dao.address("governor"), "ModelGovernor", "nonces", (alice,)),
            governor.get_function_by_signature("nonces(address)")(alice),
        ),
        (
            ReadCall(dao.address("governor"), "ModelGovernor", "nonces", (alice, key)),
            governor.get_function_by_signature("nonces(address,uint192)")(alice, key),
        ),
        (ReadCall(dao.address("registry"), "ModelRegistry", "owner"), registry.functions.owner()),
        (ReadCall(dao.address("registry"), "ModelRegistry", "modelCount"), registry.functions.modelCount()),
        (ReadCall(dao.address("timelock"), "TimelockController", "getMinDelay"), timelock.functions.getMinDelay()),
        (
            ReadCall(
                dao.address("timelock"), "TimelockController", "hasRole", (proposer_role, dao.address("governor"))
            ),
            timelock.functions.hasRole(proposer_role, dao.address("governor")),
        ),
        (
            ReadCall(dao.address("timelock"), "TimelockController", "hasRole", (proposer_role, alice)),
            timelock.functions.hasRole(proposer_role, alice),
        ),
    ]
    return [(call, web3_call.call()) for call, web3_call in pairs]


def normalized(value: Any) -> Any:
    """web3 gives structs as tuples or lists; compare as tuples."""
    return tuple(value) if isinstance(value, list) else value


def test_call_many_matches_web3(dao: Dao, people: People) -> None:
    pairs = reads(dao, people)
    found = call_many(dao.chain, [call for call, _ in pairs])
    assert found == [normalized(expected) for _, expected in pairs]
    # the values the test DAO was deployed with, as a sanity check of the comparison itself
    by_function = {call.function + str(len(call.args)): value for (call, _), value in zip(pairs, found, strict=True)}
    assert by_function["symbol0"] == "MDL"
    assert by_function["delegates1"] == people.alice.address
    assert by_function["proposalGuardian0"] == people.guardian.address
    assert by_function["owner0"] == dao.address("timelock")
    assert isinstance(by_function["checkpoints2"], tuple) and len(by_function["checkpoints2"]) == 2


def test_call_many_in_small_batches_gives_the_same(dao: Dao, people: People) -> None:
    calls = [call for call, _ in reads(dao, people)]
    assert call_many(dao.chain, calls, batch_size=2) == call_many(dao.chain, calls)
    assert call_many(dao.chain, []) == []


def test_read_one(dao: Dao, people: People) -> None:
    call = ReadCall(dao.address("token"), "ModelToken", "balanceOf", (people.bob.address,))
    assert read(dao.chain, call) == onchain(dao, "token").functions.balanceOf(people.bob.address).call()


def test_call_many_raises_the_decoded_revert(dao: Dao) -> None:
    calls = [
        ReadCall(dao.address("token"), "ModelToken", "totalSupply"),
        ReadCall(dao.address("governor"), "ModelGovernor", "state", (999,)),
    ]
    with pytest.raises(TransactionError) as raised:
        call_many(dao.chain, calls)
    assert raised.value.error_name == "GovernorNonexistentProposal"
    assert raised.value.error_args == {"proposalId": 999}


# ------------------------------------------------------------------ eth_calls


def test_eth_calls_puts_a_revert_in_place(dao: Dao, people: People) -> None:
    token, governor = dao.address("token"), dao.address("governor")
    balance = encode_call("ModelToken", "balanceOf", (people.alice.address,))
    supply = encode_call("ModelToken", "totalSupply")
    answers = eth_calls(
        dao.chain, [(token, balance), (governor, encode_call("ModelGovernor", "state", (999,))), (token, supply)]
    )
    w3 = dao.chain.w3
    assert answers[0] == bytes(w3.eth.call({"to": token, "data": "0x" + balance.hex()}))
    assert answers[2] == bytes(w3.eth.call({"to": token, "data": "0x" + supply.hex()}))
    assert isinstance(answers[1], TransactionError)
    assert answers[1].error_name == "GovernorNonexistentProposal"
    assert answers[1].error_args == {"proposalId": 999}


def test_eth_calls_from_a_sender_with_values(dao: Dao, people: People) -> None:
    token = dao.address("token")
    pay_alice = encode_call("ModelToken", "transfer", (people.alice.address, 1))
    answers = eth_calls(
        dao.chain,
        [(token, pay_alice), (token, pay_alice), (token, encode_call("ModelToken", "totalSupply"))],
        sender=people.outsider.address,
        values=[0, 0, 5],
    )
    # the outsider holds nothing: the transfer reverts with the token's error, naming the outsider
    for answer in answers[:2]:
        assert isinstance(answer, TransactionError)
        assert answer.error_name == "ERC20InsufficientBalance"
        assert answer.error_args == {"sender": people.outsider.address, "balance": 0, "needed": 1}
    # a view is not payable: sending value with it reverts (without data)
    assert isinstance(answers[2], TransactionError)
    assert answers[2].error_name is None
    # the same transfer from bob, who holds tokens, returns true
    (from_bob,) = eth_calls(dao.chain, [(token, pay_alice)], sender=people.bob.address)
    assert from_bob == (1).to_bytes(32, "big")


def test_eth_calls_in_batches_keeps_the_order(dao: Dao, people: People) -> None:
    token = dao.address("token")
    holders = [people.alice, people.bob, people.carol, people.outsider, people.guardian]
    requests = [(token, encode_call("ModelToken", "balanceOf", (h.address,))) for h in holders]
    answers = eth_calls(dao.chain, requests, batch_size=2)
    expected = [onchain(dao, "token").functions.balanceOf(h.address).call() for h in holders]
    assert [int.from_bytes(a, "big") for a in answers if isinstance(a, bytes)] == expected


# ------------------------------------------------------------------ simulate and send


def test_simulate_raises_the_decoded_revert_and_sends_nothing(dao: Dao, people: People) -> None:
    chain = dao.chain
    tx = prepared(onchain(dao, "token").functions.transfer(people.alice.address, 1), "pay alice 1")
    before = (nonce(chain, people.outsider.address), chain.block_number())
    with pytest.raises(TransactionError) as raised:
        simulate(chain, people.outsider.address, tx)
    assert raised.value.error_name == "ERC20InsufficientBalance"
    assert raised.value.error_args == {"sender": people.outsider.address, "balance": 0, "needed": 1}
    assert (nonce(chain, people.outsider.address), chain.block_number()) == before


def test_send_that_would_revert_sends_nothing(dao: Dao, people: People) -> None:
    chain = dao.chain
    tx = prepared(onchain(dao, "token").functions.transfer(people.alice.address, 1), "pay alice 1")
    before = (nonce(chain, people.outsider.address), chain.block_number(), chain.balance(people.outsider.address))
    with pytest.raises(TransactionError) as raised:
        send(chain, people.outsider, tx)
    assert raised.value.error_name == "ERC20InsufficientBalance"
    after = (nonce(chain, people.outsider.address), chain.block_number(), chain.balance(people.outsider.address))
    assert after == before


def test_simulate_estimates_and_sends_nothing(dao: Dao, people: People) -> None:
    chain = dao.chain
    tx = prepared(onchain(dao, "token").functions.transfer(people.carol.address, TOKEN), "pay carol 1")
    carol = onchain(dao, "token").functions.balanceOf(people.carol.address)
    before = (nonce(chain, people.bob.address), chain.block_number(), carol.call())
    gas = simulate(chain, people.bob.address, tx)
    assert 21_000 < gas < int(chain.w3.eth.get_block("latest")["gasLimit"])
    assert (nonce(chain, people.bob.address), chain.block_number(), carol.call()) == before


def test_send_returns_the_receipt_and_the_outcome(dao: Dao, people: People) -> None:
    chain = dao.chain
    token = onchain(dao, "token")
    seen: list[Any] = []

    def read_outcome(receipt: Any) -> Any:
        seen.append(receipt)
        return logs_in_receipt(receipt, "ModelToken", dao.address("token"), "Transfer")

    tx = PreparedTx(
        dao.address("token"),
        encode_call("ModelToken", "transfer", (people.outsider.address, 2 * TOKEN)),
        "pay the outsider 2",
        read_outcome=read_outcome,
    )
    balances = [token.functions.balanceOf(a).call() for a in (people.bob.address, people.outsider.address)]
    sent_from = nonce(chain, people.bob.address)
    result = send(chain, people.bob, tx)
    assert isinstance(result, TxResult)
    receipt = chain.w3.eth.get_transaction_receipt(result.tx_hash)
    assert seen == [result.receipt]
    assert result.outcome == [{"from": people.bob.address, "to": people.outsider.address, "value": 2 * TOKEN}]
    assert result.receipt["status"] == receipt["status"] == 1
    assert result.gas_used == receipt["gasUsed"]
    assert result.block_number == receipt["blockNumber"] == chain.block_number()
    assert receipt["transactionHash"].to_0x_hex() == result.tx_hash
    assert nonce(chain, people.bob.address) == sent_from + 1
    assert [token.functions.balanceOf(a).call() for a in (people.bob.address, people.outsider.address)] == [
        balances[0] - 2 * TOKEN,
        balances[1] + 2 * TOKEN,
    ]


def test_send_without_read_outcome_has_none(dao: Dao, people: People) -> None:
    submitted: list[str] = []
    tx = PreparedTx(people.outsider.address, b"", "pay 1 wei", value=1)
    result = send(dao.chain, people.carol, tx, on_submitted=submitted.append)
    assert result.outcome is None
    assert submitted == [result.tx_hash]


# ------------------------------------------------------------------ connect


def test_connect_to_a_closed_port() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ChainError, match="cannot reach the RPC node"):
        connect(url, timeout=2)


def test_connect_to_something_that_is_not_a_url() -> None:
    with pytest.raises(ChainError):
        connect("not a url")


def test_connect_to_anvil(anvil: Anvil) -> None:
    chain = connect(anvil.url)
    assert chain.chain_id == anvil.chain_id
    assert chain.rpc_url == anvil.url
    assert not chain.embedded


def test_embedded_chain_has_funded_keys() -> None:
    chain = connect(None)
    assert chain.embedded and chain.rpc_url is None
    assert len(chain.dev_keys) == 10
    assert all(chain.balance(person.address) > 0 for person in vars(people_from(chain.dev_keys)).values())
