"""Event logs (`deai_gov.chain.logs`): bounded block ranges, indexed filters, the logs of one receipt and the block at a
timestamp, checked against web3's own log queries and block headers."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from deai_gov.chain.client import Chain, PreparedTx, ReadCall, call_many, connect, send
from deai_gov.chain.logs import block_at_timestamp, iter_logs, logs_in_receipt
from deai_gov.contracts.abi import encode_call, encode_deployment
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, advance_time

from .helpers import People, deploy_dao_for, onchain, people_from

ZERO = "0x" + "00" * 20


def pay(dao: Dao, sender: Any, recipient: str, amount: int) -> Any:
    data = encode_call("ModelToken", "transfer", (recipient, amount))
    return send(dao.chain, sender, PreparedTx(dao.address("token"), data, "pay"))


def set_up(chain: Chain, keys: list[str]) -> tuple[Dao, People]:
    """A DAO with token transfers spread over blocks and time (gaps of 0, 7, 1000 and 90 s)."""
    people = people_from(keys)
    dao = deploy_dao_for(chain, people)
    pay(dao, people.alice, people.bob.address, 1 * TOKEN)
    pay(dao, people.bob, people.carol.address, 2 * TOKEN)
    advance_time(chain, 7)
    pay(dao, people.carol, people.outsider.address, 3 * TOKEN)
    advance_time(chain, 1_000)
    pay(dao, people.alice, people.outsider.address, 4 * TOKEN)
    advance_time(chain, 90)
    pay(dao, people.alice, people.bob.address, 5 * TOKEN)
    return dao, people


@pytest.fixture(scope="module")
def deployed(anvil: Anvil) -> tuple[Dao, People]:
    """The module's DAO on the session's anvil; what a test sends is undone after it."""
    return set_up(connect(anvil.url), anvil.dev_keys())


@pytest.fixture
def dao(deployed: tuple[Dao, People]) -> Dao:
    return deployed[0]


@pytest.fixture
def people(deployed: tuple[Dao, People]) -> People:
    return deployed[1]


def web3_transfers(dao: Dao, **argument_filters: str) -> list[tuple[dict[str, Any], int, str, int]]:
    """The token's Transfer logs as web3 decodes them: (args, block, transaction hash, log index)."""
    found = onchain(dao, "token").events.Transfer.get_logs(
        from_block=dao.deployment.block, argument_filters=argument_filters or None
    )
    return [
        (dict(log["args"]), log["blockNumber"], log["transactionHash"].to_0x_hex(), log["logIndex"]) for log in found
    ]


def transfers(dao: Dao, **options: Any) -> list[tuple[dict[str, Any], int, str, int]]:
    logs = iter_logs(
        dao.chain, "ModelToken", dao.address("token"), "Transfer", from_block=dao.deployment.block, **options
    )
    return [(log.args, log.block, log.tx_hash, log.log_index) for log in logs]


# ------------------------------------------------------------------ iter_logs


def test_iter_logs_matches_web3(dao: Dao, people: People) -> None:
    found = transfers(dao)
    assert found == web3_transfers(dao)
    # the four mints (holders and treasury), then the five payments of the set-up, oldest first
    assert [args["value"] for args, *_ in found[4:9]] == [n * TOKEN for n in (1, 2, 3, 4, 5)]
    assert [args["from"] for args, *_ in found[:4]] == [ZERO] * 4


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_small_chunks_give_the_same_logs(dao: Dao, chunk: int) -> None:
    assert transfers(dao, chunk=chunk) == transfers(dao, chunk=1_000_000)


def test_chunks_are_bounded(dao: Dao, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every eth_getLogs query spans at most `chunk` blocks, and together they cover the range once."""
    queries: list[tuple[int, int]] = []
    chain = dao.chain
    original = chain.get_logs

    def spy(query: dict[str, Any]) -> list[dict[str, Any]]:
        queries.append((int(query["fromBlock"], 16), int(query["toBlock"], 16)))
        return original(query)

    monkeypatch.setattr(chain, "get_logs", spy)
    tip = chain.block_number()
    found = transfers(dao, to_block=tip, chunk=3)
    monkeypatch.undo()
    assert found == [t for t in web3_transfers(dao) if t[1] <= tip]
    assert all(0 <= end - start < 3 for start, end in queries)
    assert queries[0][0] == dao.deployment.block
    assert queries[-1][1] == tip
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(queries))


def test_to_block_stops_early(dao: Dao, people: People) -> None:
    everything = web3_transfers(dao)
    third_payment_block = everything[6][1]
    found = transfers(dao, to_block=third_payment_block, chunk=2)
    assert found == [t for t in everything if t[1] <= third_payment_block]
    assert found[-1][0]["value"] == 3 * TOKEN


def test_a_range_without_logs(dao: Dao) -> None:
    tip = dao.chain.block_number()
    assert list(iter_logs(dao.chain, "ModelToken", dao.address("token"), "Transfer", from_block=tip + 1)) == []
    assert (
        list(
            iter_logs(
                dao.chain,
                "ModelToken",
                dao.address("token"),
                "Transfer",
                from_block=0,
                to_block=dao.deployment.block - 1,
            )
        )
        == []
    )


def test_filter_by_the_second_indexed_argument(dao: Dao, people: People) -> None:
    found = transfers(dao, filters={"to": people.outsider.address}, chunk=2)
    assert found == web3_transfers(dao, to=people.outsider.address)
    assert [args["value"] for args, *_ in found] == [3 * TOKEN, 4 * TOKEN]
    assert {args["to"] for args, *_ in found} == {people.outsider.address}


def test_filter_by_the_first_indexed_argument(dao: Dao, people: People) -> None:
    found = transfers(dao, filters={"from": people.alice.address})
    assert [args["value"] for args, *_ in found] == [1 * TOKEN, 4 * TOKEN, 5 * TOKEN]
    assert found == web3_transfers(dao, **{"from": people.alice.address})


def test_filter_by_both_indexed_arguments(dao: Dao, people: People) -> None:
    found = transfers(dao, filters={"from": people.alice.address, "to": people.bob.address})
    assert [args["value"] for args, *_ in found] == [1 * TOKEN, 5 * TOKEN]


def test_filter_that_matches_nothing(dao: Dao, people: People) -> None:
    assert transfers(dao, filters={"from": people.outsider.address}) == []


def test_other_events_of_the_same_contract(dao: Dao, people: People) -> None:
    found = list(
        iter_logs(
            dao.chain,
            "ModelToken",
            dao.address("token"),
            "DelegateVotesChanged",
            from_block=dao.deployment.block,
            filters={"delegate": people.bob.address},
            chunk=4,
        )
    )
    expected = onchain(dao, "token").events.DelegateVotesChanged.get_logs(
        from_block=dao.deployment.block, argument_filters={"delegate": people.bob.address}
    )
    assert [log.args for log in found] == [dict(log["args"]) for log in expected]
    assert found[-1].args["newVotes"] == int(onchain(dao, "token").functions.getVotes(people.bob.address).call())


# ------------------------------------------------------------------ logs_in_receipt


@pytest.fixture
def second_token(dao: Dao, people: People) -> tuple[str, Any]:
    """Another ModelToken (same events, another address), deployed from its creation code: (address, receipt)."""
    code = encode_deployment(
        "ModelToken", ("Look-alike", "MDL", [people.outsider.address], [77 * TOKEN], people.deployer.address)
    )
    result = send(dao.chain, people.deployer, PreparedTx(None, code, "deploy a look-alike token"))
    address = result.receipt["contractAddress"]
    assert call_many(dao.chain, [ReadCall(address, "ModelToken", "balanceOf", (people.outsider.address,))]) == [
        77 * TOKEN
    ]
    return address, result.receipt


def test_logs_in_receipt_ignores_another_address(dao: Dao, people: People, second_token: tuple[str, Any]) -> None:
    address, receipt = second_token
    assert logs_in_receipt(receipt, "ModelToken", dao.address("token"), "Transfer") == []
    mint = {"from": ZERO, "to": people.outsider.address, "value": 77 * TOKEN}
    assert logs_in_receipt(receipt, "ModelToken", address, "Transfer") == [mint]
    assert logs_in_receipt(receipt, "ModelToken", address.lower(), "Transfer") == [mint]


def test_logs_in_receipt_picks_the_address_out_of_mixed_logs(
    dao: Dao, people: People, second_token: tuple[str, Any]
) -> None:
    """One receipt holding Transfer logs of two tokens (JSON-RPC form): only the asked address's count."""
    address, deployment = second_token
    paid = pay(dao, people.bob, people.carol.address, 6 * TOKEN)
    ours = dao.chain.receipt(paid.tx_hash)
    theirs = dao.chain.receipt(deployment["transactionHash"].to_0x_hex())
    mixed = {"logs": [*theirs["logs"], *ours["logs"], *theirs["logs"]]}
    assert logs_in_receipt(mixed, "ModelToken", dao.address("token"), "Transfer") == [
        {"from": people.bob.address, "to": people.carol.address, "value": 6 * TOKEN}
    ]
    assert len(logs_in_receipt(mixed, "ModelToken", address, "Transfer")) == 2


def test_logs_in_receipt_in_web3_and_json_rpc_form_agree(dao: Dao, people: People) -> None:
    paid = pay(dao, people.carol, people.bob.address, 1)
    from_web3 = logs_in_receipt(paid.receipt, "ModelToken", dao.address("token"), "DelegateVotesChanged")
    from_rpc = logs_in_receipt(
        dao.chain.receipt(paid.tx_hash), "ModelToken", dao.address("token"), "DelegateVotesChanged"
    )
    assert from_web3 == from_rpc
    # carol's votes are alice's, so one unit moves from alice to bob
    assert [(log["delegate"], log["previousVotes"] - log["newVotes"]) for log in from_rpc] == [
        (people.alice.address, 1),
        (people.bob.address, -1),
    ]


# ------------------------------------------------------------------ block_at_timestamp


def timestamps(dao: Dao, low: int) -> dict[int, int]:
    w3 = dao.chain.w3
    return {n: int(w3.eth.get_block(n)["timestamp"]) for n in range(low, w3.eth.block_number + 1)}


def expected_block(times: dict[int, int], timestamp: int, low: int) -> int:
    return max((n for n, t in times.items() if t <= timestamp), default=low)


def test_block_at_timestamp(dao: Dao) -> None:
    low = dao.deployment.block
    times = timestamps(dao, low)
    assert max(times.values()) - min(times.values()) >= 1_097  # the gaps made at set-up
    for block, stamp in times.items():
        for probe in (stamp - 1, stamp, stamp + 1):
            assert block_at_timestamp(dao.chain, probe, low=low) == expected_block(times, probe, low), (block, probe)


def test_block_at_timestamp_inside_a_long_gap(dao: Dao) -> None:
    low = dao.deployment.block
    times = timestamps(dao, low)
    ordered = sorted(times.items())
    (before, t0), (_, t1) = max(itertools.pairwise(ordered), key=lambda pair: pair[1][1] - pair[0][1])
    assert t1 - t0 >= 1_000
    assert block_at_timestamp(dao.chain, (t0 + t1) // 2, low=low) == before


def test_block_at_timestamp_before_and_after_every_block(dao: Dao) -> None:
    low = dao.deployment.block
    first = int(dao.chain.w3.eth.get_block(low)["timestamp"])
    assert block_at_timestamp(dao.chain, first - 10_000, low=low) == low
    assert block_at_timestamp(dao.chain, 2**40, low=low) == dao.chain.block_number()


def test_block_at_timestamp_from_genesis_on_the_embedded_chain() -> None:
    chain = connect(None)
    advance_time(chain, 50)
    advance_time(chain, 3)
    advance_time(chain, 500)
    times = {n: int(chain.w3.eth.get_block(n)["timestamp"]) for n in range(chain.block_number() + 1)}
    for stamp in {t + d for t in times.values() for d in (-1, 0, 1)}:
        assert block_at_timestamp(chain, stamp) == expected_block(times, stamp, 0)


# ------------------------------------------------------------------ providers that refuse


def test_a_provider_with_range_and_result_limits_and_429s_gives_every_log(anvil: Anvil) -> None:
    """Through a provider that refuses ranges over 40 blocks and answers over 5 logs, and answers 429 to one request
    in five: the same logs as from the node itself, the range narrowed to what works, every refusal answered."""
    from .provider import serve_provider

    node = connect(anvil.url)
    people = people_from(anvil.dev_keys())
    dao = deploy_dao_for(node, people)
    for n in range(12):  # payments spread over ~300 blocks
        pay(dao, people.alice, people.bob.address, (n + 1) * TOKEN)
        node.request("anvil_mine", [hex(25)])
    direct = [(e.args, e.block, e.log_index) for e in iter_logs(
        node, "ModelToken", dao.address("token"), "Transfer", from_block=dao.deployment.block)]  # fmt: skip
    with serve_provider(anvil.url, max_range=40, max_results=5, busy_every=5) as provider:
        chain = connect(provider.url)
        chain.transport.backoff = (0.01,) * 5  # type: ignore[attr-defined]
        through = [(e.args, e.block, e.log_index) for e in iter_logs(
            chain, "ModelToken", dao.address("token"), "Transfer", from_block=dao.deployment.block)]  # fmt: skip
    assert through == direct and len(direct) >= 16
    assert provider.refused_range >= 1 and provider.refused_results >= 1 and provider.busy >= 1
    assert chain.log_range <= 40
    assert chain.transport.retried == provider.busy  # type: ignore[attr-defined]


def test_a_provider_busy_past_every_retry_is_one_clear_error(anvil: Anvil) -> None:
    from deai_gov.errors import RpcBusy

    from .provider import serve_provider

    with serve_provider(anvil.url, busy_every=1) as provider:
        chain = Chain(rpc_url=provider.url)
        chain.transport.backoff = (0.01, 0.01)  # type: ignore[attr-defined]
        with pytest.raises(RpcBusy, match=r"answered HTTP 429 Too Many Requests \(busy; tried again, in vain\)"):
            chain.block_number()
    assert provider.busy == 3  # the first request and two more


@pytest.mark.parametrize(
    ("message", "code", "asked", "next_range"),
    [
        ("query returned more than 10000 results. Try with this block range [0x10, 0x2f].", -32005, 1000, 32),
        ("Log response size exceeded. ... this block range should work: [0x0, 0x7cf]", -32602, 5000, 2000),
        ("eth_getLogs is limited to a 10,000 range", -32000, 50000, 25000),
        ("You can make eth_getLogs requests with up to a 2K block range", -32600, 10000, 2000),
        ("block range is too wide", -32000, 100, 50),
        ("exceed maximum block range: 5000", -32000, 10000, 5000),
    ],
)
def test_providers_refusals_are_read_for_the_next_range(message: str, code: int, asked: int, next_range: int) -> None:
    from deai_gov.chain.logs import _is_range_refusal, _suggested_range
    from deai_gov.errors import RpcError

    refusal = RpcError("eth_getLogs", {"code": code, "message": message})
    assert _is_range_refusal(refusal)
    assert _suggested_range(refusal, asked) == next_range


def test_other_errors_are_not_taken_for_a_range_refusal() -> None:
    from deai_gov.chain.logs import _is_range_refusal
    from deai_gov.errors import RpcError

    assert not _is_range_refusal(RpcError("eth_getLogs", {"code": -32000, "message": "invalid address"}))
