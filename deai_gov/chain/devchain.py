"""Development chains (anvil, Hardhat, Ganache, the embedded py-evm): telling one apart from a real network
(`check_dev_chain`), and moving its clock or mining a block. Callers check first, so that no development shortcut
is ever sent to a real network."""

from __future__ import annotations

from ..errors import ChainError, InputError
from .client import Chain


def advance_time(chain: Chain, seconds: int) -> None:
    """Move a development chain's clock forward by `seconds` and mine a block."""
    if chain.embedded:
        tester = chain.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        # py-evm mines the travelling block one second before the timestamp it is given.
        tester.time_travel(chain.timestamp() + seconds + 1)
        return
    try:
        chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    except Exception as exc:  # a node without these methods: web3 raises whatever its provider gives
        raise ChainError(f"this node cannot travel in time (not a development chain?): {exc}") from None


def mine(chain: Chain) -> None:
    """Mine one block on a development chain."""
    if chain.embedded:
        chain.w3.provider.ethereum_tester.mine_blocks(1)  # type: ignore[attr-defined]
    else:
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


#: What development nodes answer to `web3_clientVersion` (anvil, Hardhat, Ganache); a public node never does.
DEV_CLIENTS = ("anvil/", "hardhatnetwork/", "ganache/")


def check_dev_chain(chain: Chain) -> str:
    """The node's client name if it is a development chain (one that may travel in time); InputError otherwise, so
    that no command meant for a devnet is ever sent to a real network."""
    if chain.embedded:
        return "embedded py-evm"
    try:
        client = str(chain.request("web3_clientVersion"))
    except ChainError:
        client = "an unknown client"
    if not client.lower().startswith(DEV_CLIENTS):
        raise InputError(
            f"chain {chain.chain_id} ({client}) is not a development chain",
            hint="time travel and the development accounts are for local devnets only",
        )
    return client
