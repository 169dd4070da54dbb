"""What only the contract tests need on top of tests/helpers.py (the test DAO's cast, parameters and proposal
steps): brownie's renderings of errors, events and return values, and binary CIDs. (conftest modules cannot be
imported reliably.)"""

from __future__ import annotations

import hashlib
from typing import Any

import brownie
from eth_utils import keccak

from deai_gov.chain.client import TxResult
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import CONTRACT_OF_ROLE

PROPOSAL_THRESHOLD = 100 * TOKEN
QUORUM_PERCENT = 10
TREASURY = 1_000 * TOKEN
BALANCES = {"alice": 500 * TOKEN, "bob": 300 * TOKEN, "carol": 200 * TOKEN}
#: The DAO's contracts and their keys in `Deployment.addresses`.
ROLES_OF_CONTRACTS = {contract: role for role, contract in CONTRACT_OF_ROLE.items()}

RAW = 0x55
DAG_PB = 0x70


def typed_error(name: str, *args: Any) -> str:
    """A custom error as brownie renders it in `revert_msg`, the string `brownie.reverts` compares with:
    `Name: arg1, arg2`, addresses in lowercase, bytes and bytes32 (given as bytes or 0x-hex of 32 bytes) as
    Python bytes literals."""
    rendered = []
    for arg in args:
        if hasattr(arg, "address"):
            arg = arg.address
        if isinstance(arg, str) and arg.startswith("0x") and len(arg) == 42:
            arg = arg.lower()
        elif isinstance(arg, str) and arg.startswith("0x") and len(arg) == 66:
            arg = bytes.fromhex(arg[2:])
        elif isinstance(arg, bytes):
            arg = bytes(arg)  # brownie's HexString renders as hex; the decoded error holds plain bytes
        rendered.append(str(arg))
    return f"{name}: {', '.join(rendered)}"


def plain(value: Any) -> Any:
    """brownie's return values and event fields as plain Python: tuples, dicts, ints, strings, and bytes as
    0x-hex. (brownie's own tuple comparison raises TypeError on string members.)"""
    if isinstance(value, bytes):
        return hx(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (tuple, list)):
        return tuple(plain(v) for v in value)
    if callable(getattr(value, "items", None)):
        return {k: plain(v) for k, v in value.items()}
    return value


def hx(data: bytes) -> str:
    """0x-hex of `data`: how brownie's return values and event fields of type bytes compare."""
    return "0x" + bytes(data).hex()


def model_id(name: str) -> str:
    """The registry's id of `name`, as 0x-hex."""
    return hx(keccak(text=name))


def cid(seed: str, codec: int = RAW) -> bytes:
    """A binary sha2-256 CIDv1 (36 bytes) of `seed`."""
    return bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(seed.encode()).digest()


def brownie_tx(result: TxResult) -> Any:
    """brownie's receipt of a transaction the library sent (for `tx.events`). brownie reads a receipt on a thread of
    its own and may hand it back before it has the status (a busy machine): its events are decoded from the logs only
    once the status says the transaction succeeded, so wait for that (the library already saw it mined)."""
    import time

    deadline = time.monotonic() + 30
    while True:
        tx = brownie.chain.get_transaction(result.tx_hash)
        if tx.status == 1 or time.monotonic() > deadline:
            return tx
        time.sleep(0.05)
