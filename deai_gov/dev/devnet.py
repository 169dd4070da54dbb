"""Local development chains: anvil's funded dev accounts, and time travel on dev chains (the anvil process
itself is `deai_gov.chain.anvil`'s, shared with proposal simulations)."""

from __future__ import annotations

from dataclasses import dataclass

from ..chain.anvil import ANVIL_MNEMONIC, Anvil, anvil_dev_keys, find_anvil, free_port, port_in_use
from ..chain.client import Chain
from ..errors import ChainError

__all__ = [
    "ANVIL_MNEMONIC",
    "DEV_CLIENTS",
    "Anvil",
    "DevAccount",
    "advance_time",
    "anvil_dev_keys",
    "check_dev_chain",
    "dev_accounts",
    "find_anvil",
    "free_port",
    "mine",
    "port_in_use",
    "warp",
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


#: What development nodes answer to `web3_clientVersion` (anvil, Hardhat, Ganache); a public node never does.
DEV_CLIENTS = ("anvil/", "hardhatnetwork/", "ganache/")


def check_dev_chain(chain: Chain) -> str:
    """The node's client name if it is a development chain (one that may travel in time); InputError otherwise, so
    that no command meant for a devnet is ever sent to a real network."""
    from ..errors import InputError

    if chain.embedded:
        return "embedded py-evm"
    try:
        client = str(chain.request("web3_clientVersion"))
    except ChainError:
        client = "an unknown client"
    if not client.lower().startswith(DEV_CLIENTS):
        raise InputError(
            f"chain {chain.chain_id} ({client}) is not a development chain: time travel is for local devnets only"
        )
    return client


def warp(chain: Chain, seconds: int) -> int:
    """Skip a development chain `seconds` ahead (InputError on any other chain); returns the new block time."""
    check_dev_chain(chain)
    advance_time(chain, seconds)
    return chain.timestamp()


@dataclass(frozen=True)
class DevAccount:
    """One of the funded accounts a development chain starts with (its key is public knowledge)."""

    index: int
    address: str
    private_key: str
    balance_wei: int


def dev_accounts(chain: Chain, count: int = 10) -> list[DevAccount]:
    """anvil's funded development accounts on `chain` (which must be a development chain), with their balances."""
    from eth_account import Account

    check_dev_chain(chain)
    keys = anvil_dev_keys(count)
    addresses = [Account.from_key(key).address for key in keys]
    balances = chain.batch([("eth_getBalance", [address, "latest"]) for address in addresses])
    return [
        DevAccount(index, address, key, int(balance, 16) if isinstance(balance, str) else 0)
        for index, (address, key, balance) in enumerate(zip(addresses, keys, balances, strict=True))
    ]
