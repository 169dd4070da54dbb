"""Development-chain commands (`dev.devnet`): time travel and the funded accounts, refused on any chain whose node
is not a development node, and interval mining on `Anvil(block_time=…)`."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

import pytest

from deai_gov.chain.anvil import Anvil
from deai_gov.chain.client import connect
from deai_gov.dev.devnet import check_dev_chain, dev_accounts, warp
from deai_gov.errors import InputError

from .gateway import serve_http


def test_a_real_network_node_is_refused_time_travel() -> None:
    """A node answering as Geth on chain 1 (a stand-in for a provider): `warp` and `dev_accounts` refuse before
    sending anything but the two reads that tell what it is."""
    asked: list[str] = []

    class Geth(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(request["method"])
            answers = {"eth_chainId": "0x1", "web3_clientVersion": "Geth/v1.14.11-stable/linux-amd64/go1.23.2"}
            body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": answers.get(request["method"])})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Geth) as url:
        chain = connect(url)
        with pytest.raises(InputError, match=r"chain 1 \(Geth/v1\.14\.11.*\) is not a development chain"):
            warp(chain, 3600)
        with pytest.raises(InputError, match="not a development chain"):
            dev_accounts(chain)
    assert set(asked) == {"eth_chainId", "web3_clientVersion"}


def test_warp_moves_an_anvil_chain_and_accounts_are_funded(anvil: Anvil) -> None:
    chain = connect(anvil.url)
    assert check_dev_chain(chain).startswith("anvil/")
    before = chain.timestamp()
    assert warp(chain, 7 * 86_400) >= before + 7 * 86_400
    found = dev_accounts(chain, 3)
    assert [a.index for a in found] == [0, 1, 2] and all(a.balance_wei > 0 for a in found)
    assert found[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # anvil's first account, as documented


@pytest.mark.network  # an anvil of its own, mining on an interval
def test_interval_mining_makes_time_pass_without_transactions() -> None:
    with Anvil(block_time=0.5) as node:
        chain = connect(node.url)
        first = chain.block_number()
        time.sleep(1.6)
        assert chain.block_number() >= first + 2
