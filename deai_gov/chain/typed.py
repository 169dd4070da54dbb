"""EIP-712 typed data as contracts check it: its hash, a key's signature of it, and who made a signature; the one
place the library recovers signers (ballots, delegations, Safe transactions and messages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

#: The EIP-712 domain of a contract that names itself (OpenZeppelin's `EIP712`: governor, token, EAS).
NAMED_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def typed_hash(typed: dict[str, Any]) -> bytes:
    """The EIP-712 hash of a typed message, as a contract computes it."""
    from eth_account.messages import encode_typed_data
    from eth_utils import keccak

    signable = encode_typed_data(full_message=typed)
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


def sign_typed(account: LocalAccount, typed: dict[str, Any]) -> bytes:
    """`account`'s signature (65 bytes, r | s | v) of a typed message."""
    from eth_account.messages import encode_typed_data

    return bytes(account.sign_message(encode_typed_data(full_message=typed)).signature)


def typed_signer(typed: dict[str, Any], signature: bytes, what: str = "signature") -> str:
    """The address that signed a typed message; InputError, naming `what`, for a signature that is not 65 bytes
    (r | s | v, v 27 or 28) or recovers to no address."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    if len(signature) != 65 or signature[64] not in (27, 28):
        raise InputError(f"the {what} is not 65 bytes, r | s | v with v 27 or 28")
    try:
        return str(Account.recover_message(encode_typed_data(full_message=typed), signature=signature))
    except Exception:  # eth_keys raises its own kinds for a signature off the curve
        raise InputError(f"the {what} does not recover to any address") from None
