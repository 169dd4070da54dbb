"""Several calls as one Safe transaction: Safe's `MultiSendCallOnly` contract, which the Safe delegate-calls with the
calls packed one after another (each `operation (1 byte, 0: a call) | to (20) | value (32) | data length (32) |
data`). The CallOnly variant refuses a delegate call inside the batch, so a batch can only make calls.

Safe{Wallet} runs a Transaction Builder batch of more than one call the same way, through the canonical deployment of
`MultiSendCallOnly` (the same address on every chain where Safe is deployed, `CANONICAL_MULTISEND_CALL_ONLY`); on a
chain without it, pass the address of your own deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..names import checksum_address
from .transaction import SafeTx

#: MultiSendCallOnly's canonical addresses (safe-global/safe-deployments), by Safe version; 1.4.1's is deployed on
#: the most chains, and is the default.
CANONICAL_MULTISEND_CALL_ONLY = {
    "1.4.1": "0x9641d764fc13c8B624c04430C7356C1C7C8102e2",
    "1.5.0": "0xA83c336B20401Af773B6219BA5027174338D1836",
}
DEFAULT_MULTISEND = CANONICAL_MULTISEND_CALL_ONLY["1.4.1"]
DELEGATE_CALL = 1
_SELECTOR = bytes.fromhex("8d80ff0a")  # multiSend(bytes)


@dataclass(frozen=True)
class Call:
    """One call the Safe makes: its target, value (wei) and calldata."""

    to: str
    value: int
    data: bytes


def pack(calls: list[Call]) -> bytes:
    """The `transactions` argument of `multiSend`: the calls packed in order (all plain calls)."""
    return b"".join(
        b"\x00" + bytes.fromhex(call.to[2:]) + call.value.to_bytes(32, "big") + len(call.data).to_bytes(32, "big")
        + call.data
        for call in calls
    )  # fmt: skip


def safe_tx_for(calls: list[Call], nonce: int, multisend: str) -> SafeTx:
    """The Safe transaction making `calls` at `nonce`: the call itself when there is one; else a delegate call to
    MultiSendCallOnly at `multisend` with the calls packed."""
    from eth_abi import encode

    if not calls:
        raise InputError("a Safe transaction needs at least one call")
    if len(calls) == 1:
        return SafeTx(calls[0].to, calls[0].value, calls[0].data, nonce)
    data = _SELECTOR + encode(["bytes"], [pack(calls)])
    return SafeTx(checksum_address(multisend, "MultiSendCallOnly"), 0, data, nonce, operation=DELEGATE_CALL)
