"""Constants and helpers shared by the contract tests (conftest modules cannot be imported reliably)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

import brownie
from eth_utils import keccak

from deai_gov import governance
from deai_gov.chain import TxResult
from deai_gov.dao import Dao
from deai_gov.deploy import TOKEN
from deai_gov.dev.devnet import advance_time
from deai_gov.governance import Action, Support

VOTING_DELAY = 60
VOTING_PERIOD = 3_600
TIMELOCK_DELAY = 300
LATE_QUORUM = 600
PROPOSAL_THRESHOLD = 100 * TOKEN
QUORUM_PERCENT = 10
TREASURY = 1_000 * TOKEN
BALANCES = {"alice": 500 * TOKEN, "bob": 300 * TOKEN, "carol": 200 * TOKEN}
ROLES = ("deployer", "alice", "bob", "carol", "guardian", "outsider")
#: The DAO's contracts and their keys in `Deployment.addresses`.
ROLES_OF_CONTRACTS = {
    "TimelockController": "timelock",
    "ModelToken": "token",
    "ModelGovernor": "governor",
    "ModelRegistry": "registry",
}

RAW = 0x55
DAG_PB = 0x70
DAG_CBOR = 0x71


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
    """brownie's receipt of a transaction the library sent (for `tx.events`)."""
    return brownie.chain.get_transaction(result.tx_hash)


def open_proposal(dao: Dao, proposer: Any, actions: list[Action], description: str) -> int:
    """Propose through the library and move the clock past the voting delay: the proposal is Active."""
    proposal_id, _ = governance.propose(dao, proposer, actions, description)
    advance_time(dao.chain, VOTING_DELAY + 1)
    return proposal_id


def pass_proposal(dao: Dao, people: SimpleNamespace, actions: list[Action], description: str) -> tuple[int, TxResult]:
    """Propose (alice), vote for (alice with carol's delegation, and bob), queue and execute (an outsider)."""
    proposal_id = open_proposal(dao, people.alice, actions, description)
    governance.cast_vote(dao, people.alice, proposal_id, Support.FOR)
    governance.cast_vote(dao, people.bob, proposal_id, Support.FOR)
    advance_time(dao.chain, VOTING_PERIOD + 1)
    governance.queue(dao, people.outsider, proposal_id)
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    return proposal_id, governance.execute(dao, people.outsider, proposal_id)
