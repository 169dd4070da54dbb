"""Any of the library's transactions made by a Safe multisig instead of a key: the Safe transaction (`SafeTx`) for a
`PreparedTx`, its EIP-712 hash in the Safe's domain, each owner's signature over it, and the `execTransaction` call
anyone sends once enough owners signed.

Facts of the Safe contracts (safe-smart-account 1.4.1 and 1.5.0) this follows: owners sign the EIP-712 `SafeTx`
in the domain `{chainId, verifyingContract: the Safe}` (no name, no version); a signature is `r | s | v` (65 bytes,
v 27 or 28); the signatures are concatenated in ascending order of owner address; the Safe's `nonce` orders its
transactions, so a signed transaction runs once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.client import PreparedTx, eth_calls
from ..chain.typed import sign_typed, typed_hash, typed_signer
from ..errors import ChainError, InputError, TransactionError
from ..names import checksum_address

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain.client import Chain

ZERO = "0x0000000000000000000000000000000000000000"
#: A Safe's EIP-712 domain: no name, no version.
SAFE_DOMAIN = [{"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]
SAFE_TX_TYPE = [
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "data", "type": "bytes"},
    {"name": "operation", "type": "uint8"},
    {"name": "safeTxGas", "type": "uint256"},
    {"name": "baseGas", "type": "uint256"},
    {"name": "gasPrice", "type": "uint256"},
    {"name": "gasToken", "type": "address"},
    {"name": "refundReceiver", "type": "address"},
    {"name": "nonce", "type": "uint256"},
]
_EXEC_TYPES = ["address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256", "address", "address", "bytes"]


@dataclass(frozen=True)
class SafeTx:
    """A Safe transaction: the call the Safe makes (always a plain call here, operation 0) and its nonce."""

    to: str
    value: int
    data: bytes
    nonce: int
    operation: int = 0
    safe_tx_gas: int = 0
    base_gas: int = 0
    gas_price: int = 0
    gas_token: str = ZERO
    refund_receiver: str = ZERO

    def typed_data(self, chain_id: int, safe: str) -> dict[str, Any]:
        """The EIP-712 message owners sign."""
        return {
            "types": {
                "EIP712Domain": SAFE_DOMAIN,
                "SafeTx": SAFE_TX_TYPE,
            },
            "primaryType": "SafeTx",
            "domain": _domain(chain_id, safe),
            "message": {
                "to": self.to,
                "value": self.value,
                "data": self.data,
                "operation": self.operation,
                "safeTxGas": self.safe_tx_gas,
                "baseGas": self.base_gas,
                "gasPrice": self.gas_price,
                "gasToken": self.gas_token,
                "refundReceiver": self.refund_receiver,
                "nonce": self.nonce,
            },
        }

    def hash(self, chain_id: int, safe: str) -> bytes:
        """The Safe transaction hash, as the Safe's `getTransactionHash` computes it."""
        return typed_hash(self.typed_data(chain_id, safe))


@dataclass(frozen=True)
class SafeState:
    """A Safe as the chain says now: its owners, how many must sign, and its next nonce."""

    address: str
    owners: tuple[str, ...]
    threshold: int
    nonce: int


def _selector(signature: str) -> bytes:
    from eth_utils import function_signature_to_4byte_selector

    return bytes(function_signature_to_4byte_selector(signature))


def safe_state(chain: Chain, safe: str) -> SafeState:
    """The Safe at `safe`: owners, threshold, nonce. InputError for an address that is no Safe."""
    from eth_abi import decode

    address = checksum_address(safe, "Safe")
    answers = eth_calls(chain, [(address, _selector(name)) for name in ("getOwners()", "getThreshold()", "nonce()")])
    if any(isinstance(answer, TransactionError) or not answer for answer in answers):
        raise InputError(f"{address} is not a Safe on this chain (it answers no getOwners, getThreshold or nonce)")
    try:
        owners = decode(["address[]"], answers[0])[0]  # type: ignore[arg-type]
        threshold = decode(["uint256"], answers[1])[0]  # type: ignore[arg-type]
        nonce = decode(["uint256"], answers[2])[0]  # type: ignore[arg-type]
    except Exception:  # eth_abi raises several kinds for data that is not what a Safe answers
        raise InputError(f"{address} is not a Safe on this chain (its answers do not decode)") from None
    return SafeState(address, tuple(checksum_address(o, "owner") for o in owners), int(threshold), int(nonce))


def safe_transaction(state: SafeState, prepared: PreparedTx) -> SafeTx:
    """The Safe transaction that makes `prepared` (any library transaction) with the Safe as its sender, at the
    Safe's next nonce."""
    if prepared.to is None:
        raise InputError("a Safe transaction calls a contract; deploying one from a Safe is not supported")
    return SafeTx(checksum_address(prepared.to, "target"), prepared.value, prepared.data, state.nonce)


def sign(account: LocalAccount, chain_id: int, safe: str, tx: SafeTx) -> bytes:
    """`account`'s signature of the Safe transaction (65 bytes, r | s | v)."""
    return sign_typed(account, tx.typed_data(chain_id, safe))


def _domain(chain_id: int, safe: str) -> dict[str, Any]:
    return {"chainId": chain_id, "verifyingContract": checksum_address(safe, "Safe")}


def safe_message_typed_data(chain_id: int, safe: str, message: bytes) -> dict[str, Any]:
    """The EIP-712 `SafeMessage` owners sign for the Safe to approve `message` (ERC-1271): in the Safe's own
    domain, as the Safe's fallback handler checks it."""
    return {
        "types": {
            "EIP712Domain": SAFE_DOMAIN,
            "SafeMessage": [{"name": "message", "type": "bytes"}],
        },
        "primaryType": "SafeMessage",
        "domain": _domain(chain_id, safe),
        "message": {"message": message},
    }


def owners_signatures(state: SafeState, typed: dict[str, Any], signatures: list[bytes]) -> dict[str, bytes]:
    """Each signature of `typed` by its owner, checked: every one by an owner, no owner twice, at least the
    threshold. InputError naming what is wrong, before anything is sent."""
    by_owner: dict[str, bytes] = {}
    owners = {owner.lower() for owner in state.owners}
    for signature in signatures:
        signer = typed_signer(typed, signature, "Safe owner's signature")
        if signer.lower() not in owners:
            raise InputError(f"{signer} signed, but is not an owner of the Safe {state.address}")
        if signer in by_owner:
            raise InputError(f"{signer} signed twice")
        by_owner[signer] = signature
    if len(by_owner) < state.threshold:
        raise InputError(
            f"{len(by_owner)} of the Safe's owners signed; it needs {state.threshold} "
            f"(owners: {', '.join(state.owners)})"
        )
    return by_owner


def packed(by_owner: dict[str, bytes]) -> bytes:
    """Owners' signatures as a Safe reads them: concatenated in ascending order of owner address."""
    return b"".join(by_owner[owner] for owner in sorted(by_owner, key=lambda owner: int(owner, 16)))


def check_signatures(state: SafeState, chain_id: int, tx: SafeTx, signatures: list[bytes]) -> dict[str, bytes]:
    """Each signature of the Safe transaction by its owner (`owners_signatures`), and the transaction at the Safe's
    current nonce. InputError naming what is wrong, before anything is sent."""
    by_owner = owners_signatures(state, tx.typed_data(chain_id, state.address), signatures)
    if tx.nonce != state.nonce:
        raise InputError(
            f"the Safe transaction is for nonce {tx.nonce}, the Safe is at {state.nonce}: "
            + ("it was executed, or another was" if tx.nonce < state.nonce else "earlier ones must run first")
        )
    return by_owner


def execute(state: SafeState, chain_id: int, tx: SafeTx, signatures: list[bytes]) -> PreparedTx:
    """The `execTransaction` call that runs the Safe transaction with the owners' signatures (checked first, then
    concatenated in ascending order of owner address); anyone may send it."""
    from eth_abi import encode

    by_owner = check_signatures(state, chain_id, tx, signatures)
    args = [tx.to, tx.value, tx.data, tx.operation, tx.safe_tx_gas, tx.base_gas, tx.gas_price, tx.gas_token,
            tx.refund_receiver, packed(by_owner)]  # fmt: skip
    calldata = _selector(f"execTransaction({','.join(_EXEC_TYPES)})") + encode(_EXEC_TYPES, args)
    return PreparedTx(
        state.address,
        calldata,
        f"the Safe {state.address} runs its transaction {tx.nonce} ({len(by_owner)} of {state.threshold} owners)",
        read_outcome=lambda receipt: _executed(receipt, state.address),
    )


def _executed(receipt: Any, safe: str) -> bool:
    """Whether the Safe reports success: its `ExecutionSuccess` log (an inner call that failed with a zero safeTxGas
    reverts the whole transaction instead)."""
    from eth_utils import keccak

    success = "0x" + keccak(text="ExecutionSuccess(bytes32,uint256)").hex()
    for log in receipt["logs"]:
        topics = [t.hex() if isinstance(t, bytes | bytearray) else str(t) for t in log["topics"]]
        if (
            str(log["address"]).lower() == safe.lower()
            and topics
            and topics[0].lower().removeprefix("0x") == success[2:]
        ):
            return True
    raise ChainError(f"the Safe {safe} did not report its transaction as executed")
