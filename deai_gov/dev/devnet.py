"""Local development chains: anvil's funded dev accounts and skipping ahead (the anvil process itself is
`deai_gov.chain.anvil`'s, shared with proposal simulations; mining and time travel are `deai_gov.chain.devchain`'s,
which the library's workflows use too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..chain.anvil import ANVIL_MNEMONIC, Anvil, anvil_dev_keys, find_anvil, free_port, port_in_use
from ..chain.client import Chain
from ..chain.devchain import DEV_CLIENTS, advance_time, check_dev_chain, mine

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

    def to_json(self) -> dict[str, Any]:
        """Never the key: it is public knowledge, but printed keys end up pasted where they do harm."""
        return {"index": self.index, "address": self.address, "balance_wei": str(self.balance_wei)}


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
