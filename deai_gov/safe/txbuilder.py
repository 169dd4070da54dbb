"""Safe{Wallet}'s Transaction Builder batch files: the JSON a Safe's owners load in the app to review and sign a
batch, with the checksum the app computes over it.

The format (`version` "1.0"): `{version, chainId, createdAt, meta: {name, description, txBuilderVersion,
createdFromSafeAddress, createdFromOwnerAddress, checksum}, transactions: [{to, value, data}]}`, numbers as strings.
The checksum is the app's (safe-react-apps, `apps/tx-builder/src/lib/checksum.ts`): the file serialised with lists
as `[a,b]`, objects as `{` + the JSON of their sorted key list + each value serialised and followed by `,` + `}`,
and scalars as JSON, taken with `meta.name` null; then keccak-256 of that text. A file is checked as the app checks
it: over its content without `meta.checksum`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..names import checksum_address

if TYPE_CHECKING:
    from ..chain.client import PreparedTx

TX_BUILDER_VERSION = "1.18.0"


def serialize(value: Any) -> str:
    """The Transaction Builder's serialisation of a JSON value (see the module's docstring)."""
    if isinstance(value, list):
        return "[" + ",".join(serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value)
        return "{" + _js_json(keys) + "".join(serialize(value[key]) + "," for key in keys) + "}"
    return _js_json(value)


def _js_json(value: Any) -> str:
    """`JSON.stringify(value)` for the values a batch file holds: compact, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def checksum(batch: dict[str, Any]) -> str:
    """The checksum the Transaction Builder computes for `batch` as it is (`addChecksum`): 0x-prefixed keccak-256."""
    from eth_utils import keccak

    text = serialize(batch | {"meta": dict(batch.get("meta") or {}) | {"name": None}})
    return "0x" + keccak(text.encode("utf-8")).hex()


def _without_checksum(batch: dict[str, Any]) -> dict[str, Any]:
    return batch | {"meta": {key: value for key, value in dict(batch.get("meta") or {}).items() if key != "checksum"}}


def batch_file(
    chain_id: int,
    safe: str,
    calls: list[PreparedTx],
    *,
    name: str,
    description: str = "",
    owner: str | None = None,
    created_at: int | None = None,
) -> dict[str, Any]:
    """A batch file for Safe `safe` making `calls` (the library's transactions) in order, with its checksum."""
    transactions = []
    for call in calls:
        if call.to is None:
            raise InputError("a Transaction Builder batch calls contracts; it cannot deploy one")
        transactions.append({"to": checksum_address(call.to, "target"), "value": str(call.value),
                             "data": "0x" + call.data.hex()})  # fmt: skip
    batch: dict[str, Any] = {
        "version": "1.0",
        "chainId": str(chain_id),
        "createdAt": created_at if created_at is not None else int(time.time() * 1000),
        "meta": {
            "name": name,
            "description": description,
            "txBuilderVersion": TX_BUILDER_VERSION,
            "createdFromSafeAddress": checksum_address(safe, "Safe"),
            "createdFromOwnerAddress": checksum_address(owner, "owner") if owner else "",
        },
        "transactions": transactions,
    }
    batch["meta"]["checksum"] = checksum(batch)  # over the file without a checksum, as the app validates it
    return batch


def check_batch_file(batch: Any) -> None:
    """InputError unless `batch` is a batch file whose checksum is the one the app computes for it."""
    if not isinstance(batch, dict) or not isinstance(batch.get("meta"), dict) or batch.get("version") != "1.0":
        raise InputError("not a Transaction Builder batch file (version 1.0 with meta and transactions)")
    if batch["meta"].get("checksum") != checksum(_without_checksum(batch)):  # as the app's validateChecksum
        raise InputError("the batch file's checksum does not match its content: it was changed after it was made")
