"""The plain JSON-RPC client of the fast read paths: against anvil, and against servers that misbehave."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from deai_gov.chain.client import connect, eth_calls
from deai_gov.chain.rpc import JsonRpc
from deai_gov.dao.deploy import deploy_dao
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil
from deai_gov.errors import ChainError, RpcError, TransactionError

from .gateway import serve_http
from .helpers import dao_params, people_from

Answer = Callable[[Any], tuple[int, bytes]]


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], str]]:
    """Start HTTP servers on free loopback ports answering every POST with `answer(request JSON)`."""
    with contextlib.ExitStack() as servers:

        def start(answer: Answer) -> str:
            class Handler(BaseHTTPRequestHandler):
                def do_POST(self) -> None:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                    status, payload = answer(body)
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

                def log_message(self, *args: Any) -> None:
                    pass

            return servers.enter_context(serve_http(Handler))

        yield start


def test_requests_and_batches_against_anvil(anvil: Anvil) -> None:
    rpc = JsonRpc(anvil.url)
    assert int(rpc.request("eth_chainId"), 16) == 31337
    answers = rpc.batch([("eth_blockNumber", []), ("eth_nosuchmethod", []), ("eth_chainId", [])])
    assert int(answers[2], 16) == 31337 and int(answers[0], 16) >= 0
    assert isinstance(answers[1], RpcError) and answers[1].method == "eth_nosuchmethod"
    with pytest.raises(RpcError, match="the node refused eth_getBalance"):
        rpc.request("eth_getBalance", ["not an address", "latest"])


def test_a_reverting_call_in_a_batch_is_decoded(anvil: Anvil) -> None:
    from eth_utils import function_signature_to_4byte_selector

    people = people_from(anvil.dev_keys())
    chain = connect(anvil.url)
    dao = Dao.attach(chain, deploy_dao(chain, people.deployer, dao_params(people)))
    state = function_signature_to_4byte_selector("state(uint256)")
    delay = function_signature_to_4byte_selector("votingDelay()")
    governor = dao.address("governor")
    [answer] = eth_calls(chain, [(governor, delay)])
    assert isinstance(answer, bytes) and int.from_bytes(answer, "big") == dao_params(people).voting_delay
    fine, reverted = eth_calls(chain, [(governor, delay), (governor, state + (77).to_bytes(32, "big"))])
    assert fine == answer  # a failed member does not spoil the batch
    assert isinstance(reverted, TransactionError) and "proposal 77 does not exist" in str(reverted)
    with pytest.raises(TransactionError, match="proposal 77 does not exist"):
        dao.read_many([dao.call("governor", "votingDelay"), dao.call("governor", "state", 77)])
    assert isinstance(chain.transport, JsonRpc)


def test_a_node_without_batches_is_asked_one_by_one(serve: Callable[[Answer], str]) -> None:
    seen: list[Any] = []

    def answer(body: Any) -> tuple[int, bytes]:
        seen.append(body)
        if isinstance(body, list):
            return 200, json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no"}}).encode()
        return 200, json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": body["method"]}).encode()

    rpc = JsonRpc(serve(answer))
    assert rpc.batch([("a", []), ("b", [])]) == ["a", "b"]
    assert [type(b).__name__ for b in seen] == ["list", "dict", "dict"]


@pytest.mark.parametrize(
    ("status", "payload", "message"),
    [
        (500, b"boom", "answered HTTP 500"),
        (200, b"<html>not json</html>", "did not answer with JSON"),
        (200, b"[1, 2]", "malformed answer to eth_chainId"),
        (200, b'{"jsonrpc": "2.0", "id": 1, "result": "0xzz"}', "malformed chain id"),
    ],
)
def test_a_misbehaving_node_is_one_clear_error(
    serve: Callable[[Answer], str], status: int, payload: bytes, message: str
) -> None:
    url = serve(lambda body: (status, payload))
    with pytest.raises(ChainError, match=message):
        connect(url)


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1:1", "http://ümlaut.invalid:1", "http://127.0.0.1:1"])
def test_an_unusable_url_is_one_clear_error(url: str) -> None:
    with pytest.raises(ChainError, match=f"cannot reach the RPC node at {url}"):
        connect(url, timeout=5)
