"""Local development chains: anvil's funded dev accounts, and time travel on dev chains (the anvil process
itself is `deai_gov.anvil`'s, shared with proposal simulations)."""

from __future__ import annotations

from ..anvil import ANVIL_MNEMONIC, Anvil, anvil_dev_keys, find_anvil, free_port, port_in_use
from ..chain import Chain
from ..errors import ChainError

__all__ = [
    "ANVIL_MNEMONIC",
    "Anvil",
    "advance_time",
    "anvil_dev_keys",
    "find_anvil",
    "free_port",
    "mine",
    "port_in_use",
]


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
    except Exception as exc:
        raise ChainError(f"this node cannot travel in time (not a development chain?): {exc}") from None


def mine(chain: Chain) -> None:
    """Mine one block on a development chain."""
    if chain.embedded:
        chain.w3.provider.ethereum_tester.mine_blocks(1)  # type: ignore[attr-defined]
    else:
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
