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
from .files import read_json_file
from .multisend import Call

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

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
    calls: Sequence[PreparedTx | Call],
    *,
    name: str,
    description: str = "",
    owner: str | None = None,
    created_at: int | None = None,
) -> dict[str, Any]:
    """A batch file for Safe `safe` making `calls` (the library's transactions) in order, with its checksum."""
    transactions = [_entry(call) for call in calls]
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


def with_call(batch: dict[str, Any], call: PreparedTx | Call, description: str) -> dict[str, Any]:
    """`batch` with one more call at its end, its description extended and its checksum made again."""
    meta = {key: value for key, value in batch["meta"].items() if key != "checksum"}
    meta["description"] = "; ".join(part for part in (str(meta.get("description") or ""), description) if part)
    grown = batch | {"meta": meta, "transactions": [*batch["transactions"], _entry(call)]}
    grown["meta"]["checksum"] = checksum(grown)
    return grown


def _entry(call: PreparedTx | Call) -> dict[str, str]:
    """One call as the batch file writes it; InputError for a contract creation (a batch only calls)."""
    if call.to is None:
        raise InputError("a Transaction Builder batch calls contracts; it cannot deploy one")
    return {"to": checksum_address(str(call.to), "target"), "value": str(call.value), "data": "0x" + call.data.hex()}


def read_batch_file(path: Path) -> dict[str, Any]:
    """The batch file at `path`, its checksum checked (InputError naming the file for anything else)."""
    batch = read_json_file(path, "a Transaction Builder batch file")
    try:
        check_batch_file(batch)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    return dict(batch)


def batch_calls(batch: dict[str, Any], *, chain_id: int, safe: str) -> list[Call]:
    """The calls of a checked batch file (from deai-gov or Safe{Wallet}) for Safe `safe` on chain `chain_id`, each
    read strictly: InputError for a file made for another chain or Safe, or a call that is not well formed. A call
    given as `contractMethod` + `contractInputsValues` is encoded here, for the simple ABI types only."""
    if str(batch.get("chainId")) != str(chain_id):
        raise InputError(f"the batch file is for chain {batch.get('chainId')!r}, this is chain {chain_id}")
    made_for = batch["meta"].get("createdFromSafeAddress")
    if made_for and str(made_for).lower() != safe.lower():
        raise InputError(f"the batch file was made for the Safe {made_for}, not {safe}")
    entries = batch.get("transactions")
    if not isinstance(entries, list) or not entries:
        raise InputError("the batch file holds no transactions")
    return [_call(entry, index) for index, entry in enumerate(entries, 1)]


def _call(entry: Any, index: int) -> Call:
    where = f"the batch file's transaction {index}"
    if not isinstance(entry, dict):
        raise InputError(f"{where} is not an object")
    to = checksum_address(str(entry.get("to")), f"{where}'s target")
    value_text = entry.get("value", "0")
    if not isinstance(value_text, str | int) or not str(value_text).isdigit() or int(value_text) >= 2**256:
        raise InputError(f"{where} has a value that is not a whole number of wei: {value_text!r}")
    data = entry.get("data")
    if data not in (None, "", "0x"):
        if not isinstance(data, str) or not data.startswith("0x") or len(data) % 2:
            raise InputError(f"{where} has data that is not 0x-prefixed hexadecimal")
        try:
            return Call(to, int(value_text), bytes.fromhex(data[2:]))
        except ValueError:
            raise InputError(f"{where} has data that is not 0x-prefixed hexadecimal") from None
    if entry.get("contractMethod") is None:
        return Call(to, int(value_text), b"")
    return Call(to, int(value_text), _encoded(entry.get("contractMethod"), entry.get("contractInputsValues"), where))


_SIMPLE = ("address", "bool", "string", "bytes")


def _encoded(method: Any, values: Any, where: str) -> bytes:
    """The calldata of a call the app wrote as a method and the text of its inputs."""
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector

    if not isinstance(method, dict) or not isinstance(method.get("inputs"), list) or not method.get("name"):
        raise InputError(f"{where} has a contractMethod without a name and inputs")
    values = values if isinstance(values, dict) else {}
    types, args = [], []
    for item in method["inputs"]:
        kind = str(item.get("type", "")) if isinstance(item, dict) else ""
        if not (kind in _SIMPLE or kind.startswith(("uint", "int", "bytes"))) or "[" in kind or "(" in kind:
            raise InputError(f"{where} has an input of type {kind!r}: give the call as data instead")
        text = values.get(item.get("name"))
        if not isinstance(text, str):
            raise InputError(f"{where} gives no value for its input {item.get('name')!r}")
        types.append(kind)
        args.append(_input(kind, text, where))
    signature = f"{method['name']}({','.join(types)})"
    try:
        return bytes(function_signature_to_4byte_selector(signature)) + encode(types, args)
    except Exception:  # eth_abi raises several kinds for a value out of its type's range
        raise InputError(f"{where}: its inputs do not fit {signature}") from None


def _input(kind: str, text: str, where: str) -> Any:
    try:
        if kind == "address":
            return checksum_address(text, "input")
        if kind == "bool":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if kind == "string":
            return text
        if kind.startswith(("uint", "int")):
            return int(text, 0)
        return bytes.fromhex(text.removeprefix("0x"))
    except (ValueError, InputError):
        raise InputError(f"{where}: {text!r} is not a {kind}") from None
