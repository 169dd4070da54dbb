"""The embedded chain behind the JSON-RPC interface (`deai_gov.chain.embedded`): answers in a node's form (hex strings),
checked against web3's own view and, for the requests a node answers too, against anvil over plain JSON-RPC."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from hexbytes import HexBytes
from web3.datastructures import AttributeDict

from deai_gov.chain.client import Chain, PreparedTx, connect, send
from deai_gov.chain.embedded import EmbeddedTransport, to_json_rpc
from deai_gov.chain.rpc import JsonRpc
from deai_gov.contracts.abi import encode_call
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, mine
from deai_gov.errors import RpcError

from .helpers import DaoWorld, People, people_from

# The requests a node answers too are checked on the embedded chain and on anvil.
pytestmark = pytest.mark.chains("embedded", "anvil")

# ------------------------------------------------------------------ to_json_rpc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (None, None),
        ("0xAbC", "0xAbC"),
        ("mined", "mined"),
        (0, "0x0"),
        (255, "0xff"),
        (2**256 - 1, "0x" + "f" * 64),
        (b"", "0x"),
        (b"\x00\x01\xff", "0x0001ff"),
        (bytearray(b"\x10"), "0x10"),
        (HexBytes("0xdead"), "0xdead"),
        ([1, b"\x02", "x", None], ["0x1", "0x02", "x", None]),
        ((3, (4, True)), ["0x3", ["0x4", True]]),
        (1.5, 1.5),
    ],
)
def test_to_json_rpc(value: Any, expected: Any) -> None:
    assert to_json_rpc(value) == expected


def test_to_json_rpc_of_nested_mappings() -> None:
    value = AttributeDict({"number": 16, "logs": [AttributeDict({"topics": [HexBytes("0x01")], "removed": False})]})
    assert to_json_rpc(value) == {"number": "0x10", "logs": [{"topics": ["0x01"], "removed": False}]}
    assert type(to_json_rpc(value)) is dict


# ------------------------------------------------------------------ the embedded transport


@pytest.fixture(scope="module")
def embedded() -> Chain:
    return connect(None)


def test_the_embedded_chain_uses_the_embedded_transport(embedded: Chain) -> None:
    assert isinstance(embedded.transport, EmbeddedTransport)
    assert embedded.rpc_url is None


def test_chain_id_and_block_number(embedded: Chain) -> None:
    w3 = embedded.w3
    assert embedded.request("eth_chainId") == hex(w3.eth.chain_id)
    before = embedded.request("eth_blockNumber")
    assert before == hex(w3.eth.block_number)
    mine(embedded)
    assert embedded.request("eth_blockNumber") == hex(int(before, 16) + 1)


def test_get_block_by_number(embedded: Chain) -> None:
    mine(embedded)
    w3 = embedded.w3
    latest = w3.eth.get_block("latest")
    found = embedded.request("eth_getBlockByNumber", ["latest", False])
    assert found["number"] == hex(latest["number"])
    assert found["timestamp"] == hex(latest["timestamp"])
    assert found["hash"] == latest["hash"].to_0x_hex()
    first = embedded.request("eth_getBlockByNumber", ["0x1", False])
    assert first["number"] == "0x1"
    assert first["hash"] == w3.eth.get_block(1)["hash"].to_0x_hex()
    assert embedded.request("eth_getBlockByNumber", ["earliest", False])["number"] == "0x0"
    assert embedded.block_timestamp(1) == w3.eth.get_block(1)["timestamp"]


def test_get_balance_now_and_at_an_earlier_block(embedded: Chain) -> None:
    payer, payee = people_from(embedded.dev_keys).alice, people_from(embedded.dev_keys).outsider
    w3 = embedded.w3
    before_block = w3.eth.block_number
    before = w3.eth.get_balance(payee.address)
    assert embedded.request("eth_getBalance", [payee.address, "latest"]) == hex(before)
    send(embedded, payer, PreparedTx(payee.address, b"", "pay 12345 wei", value=12_345))
    assert embedded.request("eth_getBalance", [payee.address]) == hex(before + 12_345)
    assert embedded.request("eth_getBalance", [payee.address, hex(before_block)]) == hex(before)
    assert embedded.balance(payee.address) == before + 12_345


def test_unknown_method(embedded: Chain) -> None:
    with pytest.raises(RpcError) as raised:
        embedded.request("eth_sendTransaction", [{}])
    assert raised.value.code == -32601
    assert raised.value.method == "eth_sendTransaction"


def test_batch_puts_an_error_in_place(embedded: Chain) -> None:
    first, second, third = embedded.batch([("eth_chainId", []), ("eth_nothing", []), ("eth_blockNumber", [])])
    assert first == hex(embedded.w3.eth.chain_id)
    assert isinstance(second, RpcError) and second.code == -32601
    assert third == hex(embedded.w3.eth.block_number)


# ------------------------------------------------------------------ the same requests, embedded and on anvil


def test_transport_of_each_chain(dao: Dao) -> None:
    transport = dao.chain.transport
    assert isinstance(transport, EmbeddedTransport if dao.chain.embedded else JsonRpc)


def test_get_code(dao: Dao, people: People) -> None:
    chain = dao.chain
    token = dao.address("token")
    code = chain.request("eth_getCode", [token, "latest"])
    assert isinstance(code, str) and code.startswith("0x") and len(code) > 1_000
    assert code == chain.w3.eth.get_code(token).to_0x_hex()
    assert chain.request("eth_getCode", [people.outsider.address, "latest"]) == "0x"
    # before the token existed
    assert chain.request("eth_getCode", [token, hex(dao.deployment.block - 1)]) == "0x"


def test_call_succeeds(dao: Dao, people: People) -> None:
    data = encode_call("ModelToken", "balanceOf", (people.alice.address,))
    answer = dao.chain.request("eth_call", [{"to": dao.address("token"), "data": "0x" + data.hex()}, "latest"])
    assert answer == "0x" + encode(["uint256"], [500 * TOKEN]).hex()


def test_call_at_an_earlier_block(dao: Dao, people: People) -> None:
    data = "0x" + encode_call("ModelToken", "balanceOf", (people.alice.address,)).hex()
    answer = dao.chain.request("eth_call", [{"to": dao.address("token"), "data": data}, hex(dao.deployment.block - 1)])
    assert answer == "0x"  # no contract there yet


def test_call_that_reverts_carries_the_revert_data(dao: Dao, people: People) -> None:
    """What a node answers: code 3 and the custom error's data (ERC20InsufficientBalance(sender, balance, needed))."""
    data = encode_call("ModelToken", "transfer", (people.alice.address, 1))
    call = {"from": people.outsider.address, "to": dao.address("token"), "data": "0x" + data.hex()}
    with pytest.raises(RpcError) as raised:
        dao.chain.request("eth_call", [call, "latest"])
    expected = function_signature_to_4byte_selector("ERC20InsufficientBalance(address,uint256,uint256)") + encode(
        ["address", "uint256", "uint256"], [people.outsider.address, 0, 1]
    )
    assert raised.value.code == 3
    assert raised.value.method == "eth_call"
    assert raised.value.data == "0x" + expected.hex()


def test_get_logs_in_json_rpc_form(dao: Dao, people: People) -> None:
    chain = dao.chain
    token = dao.address("token")
    query = {"address": token, "fromBlock": hex(dao.deployment.block), "toBlock": "latest"}
    found = chain.request("eth_getLogs", [query])
    expected = chain.w3.eth.get_logs({"address": token, "fromBlock": dao.deployment.block, "toBlock": "latest"})
    assert len(found) == len(expected) > 0
    for log, web3_log in zip(found, expected, strict=True):
        assert log["address"].lower() == token.lower()
        assert log["blockNumber"] == hex(web3_log["blockNumber"])
        assert log["logIndex"] == hex(web3_log["logIndex"])
        assert log["transactionHash"] == web3_log["transactionHash"].to_0x_hex()
        assert log["data"] == "0x" + bytes(web3_log["data"]).hex()
        assert log["topics"] == ["0x" + bytes(t).hex() for t in web3_log["topics"]]
    # the holders' mint comes first: Transfer from the zero address to alice, 500 tokens
    mint = found[0]
    assert mint["topics"][1] == "0x" + "00" * 32
    assert mint["topics"][2] == "0x" + encode(["address"], [people.alice.address]).hex()
    assert int(mint["data"], 16) == 500 * TOKEN


def test_get_logs_with_a_topic_filter(dao: Dao, people: People) -> None:
    transfer = "0x" + bytes(dao.chain.w3.keccak(text="Transfer(address,address,uint256)")).hex()
    to_bob = "0x" + encode(["address"], [people.bob.address]).hex()
    query = {
        "address": dao.address("token"),
        "fromBlock": hex(dao.deployment.block),
        "topics": [transfer, None, to_bob],
    }
    found = dao.chain.request("eth_getLogs", [query])
    assert [int(log["data"], 16) for log in found] == [300 * TOKEN]


def test_transaction_receipt_in_json_rpc_form(dao: Dao, people: People) -> None:
    chain = dao.chain
    data = encode_call("ModelToken", "transfer", (people.outsider.address, 3))
    result = send(chain, people.bob, PreparedTx(dao.address("token"), data, "pay 3"))
    receipt = chain.request("eth_getTransactionReceipt", [result.tx_hash])
    web3_receipt = chain.w3.eth.get_transaction_receipt(result.tx_hash)
    assert receipt["status"] == "0x1"
    assert receipt["transactionHash"] == result.tx_hash
    assert receipt["blockNumber"] == hex(web3_receipt["blockNumber"])
    assert receipt["gasUsed"] == hex(web3_receipt["gasUsed"])
    assert receipt["from"].lower() == people.bob.address.lower()
    assert receipt["to"].lower() == dao.address("token").lower()
    transfer = "0x" + bytes(chain.w3.keccak(text="Transfer(address,address,uint256)")).hex()
    (log,) = [log for log in receipt["logs"] if log["topics"][0] == transfer]
    assert len(receipt["logs"]) == len(web3_receipt["logs"])  # DelegateVotesChanged for bob too
    assert log["topics"][1:] == [
        "0x" + encode(["address"], [people.bob.address]).hex(),
        "0x" + encode(["address"], [people.outsider.address]).hex(),
    ]
    assert log["data"] == "0x" + encode(["uint256"], [3]).hex()
    assert chain.receipt(result.tx_hash)["blockNumber"] == receipt["blockNumber"]


def test_receipt_of_an_unknown_transaction_is_null(dao: Dao) -> None:
    assert dao.chain.request("eth_getTransactionReceipt", ["0x" + "ab" * 32]) is None


def test_unknown_method_is_refused_on_both_chains(dao: Dao) -> None:
    with pytest.raises(RpcError) as raised:
        dao.chain.request("eth_noSuchMethod", [])
    assert raised.value.code == -32601


@pytest.fixture
def embedded_dao(embedded_world: DaoWorld) -> tuple[Dao, People]:
    return embedded_world.dao, embedded_world.people


@pytest.fixture
def anvil_dao(anvil_world: DaoWorld) -> tuple[Dao, People]:
    return anvil_world.dao, anvil_world.people


def test_anvil_answers_the_revert_as_the_embedded_chain_does(
    embedded_dao: tuple[Dao, People], anvil_dao: tuple[Dao, People], anvil: Anvil
) -> None:
    """The same failing call, embedded and on anvil over plain JSON-RPC: same code, same error, same amounts."""
    answers = []
    for (dao, people), transport in ((embedded_dao, embedded_dao[0].chain.transport), (anvil_dao, JsonRpc(anvil.url))):
        data = encode_call("ModelToken", "transfer", (people.carol.address, 201 * TOKEN))
        call = {"from": people.carol.address, "to": dao.address("token"), "data": "0x" + data.hex()}
        with pytest.raises(RpcError) as raised:
            transport.request("eth_call", [call, "latest"])
        carol = encode(["address"], [people.carol.address]).hex()
        assert isinstance(raised.value.data, str) and carol in raised.value.data
        answers.append((raised.value.code, raised.value.data.replace(carol, "<carol>")))
    expected = (
        "0x"
        + function_signature_to_4byte_selector("ERC20InsufficientBalance(address,uint256,uint256)").hex()
        + "<carol>"
        + encode(["uint256", "uint256"], [200 * TOKEN, 201 * TOKEN]).hex()
    )
    assert answers == [(3, expected), (3, expected)]
