"""Encoding and decoding against the ABIs the package ships: function calls and their results, calldata read back
from a proposal, and event logs. eth-abi does the work; web3's contract objects are not needed (nor imported).

Values come back as eth-abi gives them, except addresses, which are checksummed (EIP-55) so that what a voter
reads can be compared with what a wallet shows, and strings: chain data is foreign, and a Solidity string is any
bytes, so text that is not UTF-8 is decoded with replacement characters instead of failing (one proposal with a
bad description must not stop a list).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..ipfs.blockcid import to_text
from ..names import checksum
from .artifacts import artifact, event_abi, function_abi


@functools.cache
def _codec() -> Any:
    """eth-abi's codec with one change: strings that are not UTF-8 decode with replacement characters."""
    from eth_abi.codec import ABICodec
    from eth_abi.decoding import StringDecoder
    from eth_abi.encoding import TextStringEncoder
    from eth_abi.registry import BaseEquals
    from eth_abi.registry import registry as default_registry

    class ForeignStringDecoder(StringDecoder):
        def __init__(self) -> None:
            super().__init__(handle_string_errors="replace")

    registry = default_registry.copy()
    registry.unregister("string")
    registry.register(BaseEquals("string"), TextStringEncoder, ForeignStringDecoder, label="string")
    return ABICodec(registry)


def decode_values(types: list[str], data: bytes) -> tuple[Any, ...]:
    """ABI-decode `data` as `types` (strings with replacement characters where they are not UTF-8)."""
    return tuple(_codec().decode(types, data))


def abi_type(param: dict[str, Any]) -> str:
    """The canonical type of an ABI parameter (tuples spelled out, as selectors need them)."""
    if param["type"].startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


@dataclass(frozen=True)
class FunctionShape:
    """What it takes to call one function: its selector and the types of its inputs and outputs."""

    name: str
    selector: bytes
    inputs: tuple[str, ...]
    input_names: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.inputs)})"


def _shape(entry: dict[str, Any]) -> FunctionShape:
    from eth_utils import keccak

    inputs = tuple(abi_type(i) for i in entry["inputs"])
    signature = f"{entry['name']}({','.join(inputs)})"
    return FunctionShape(
        entry["name"],
        keccak(text=signature)[:4],
        inputs,
        tuple(str(i.get("name", "")) for i in entry["inputs"]),
        tuple(abi_type(o) for o in entry.get("outputs", [])),
    )


@functools.cache
def function_shape(contract: str, function: str, arity: int | None = None) -> FunctionShape:
    """The shape of `function` of shipped `contract`; `arity` picks among overloads (e.g. `nonces`)."""
    return _shape(function_abi(contract, function, arity))


@functools.cache
def _functions_by_selector(contract: str) -> dict[bytes, FunctionShape]:
    shapes = [_shape(entry) for entry in artifact(contract).abi if entry.get("type") == "function"]
    return {shape.selector: shape for shape in shapes}


def _is_uint_word(abi_type: str) -> bool:
    return abi_type.startswith("uint") and not abi_type.endswith("]")


def encode_call(contract: str, function: str, args: tuple[Any, ...] | list[Any] = ()) -> bytes:
    """Calldata of `contract.function(*args)`."""
    shape = function_shape(contract, function, len(args))
    if all(_is_uint_word(t) for t in shape.inputs):  # the hot path of long lists: ids and indexes only
        return shape.selector + b"".join(int(a).to_bytes(32, "big") for a in args)
    from eth_abi import encode

    return shape.selector + encode(list(shape.inputs), list(args))


def decode_result(contract: str, function: str, arity: int, answer: bytes) -> Any:
    """The value `contract.function` returned (a tuple when it returns several)."""
    shape = function_shape(contract, function, arity)
    if len(shape.outputs) == 1 and (_is_uint_word(shape.outputs[0]) or shape.outputs[0] == "bool"):
        if len(answer) < 32:
            raise ValueError(f"{contract}.{function} returned {len(answer)} bytes, not a 32-byte word")
        value = int.from_bytes(answer[:32], "big")
        return bool(value) if shape.outputs[0] == "bool" else value
    values = checksummed(shape.outputs, decode_values(list(shape.outputs), answer))
    return values[0] if len(values) == 1 else tuple(values)


def decode_call(contract: str, calldata: bytes) -> tuple[str, dict[str, Any]]:
    """(function name, arguments by name) of calldata meant for shipped `contract`; ValueError when it is not a
    call of one of its functions or does not decode."""
    shape = _functions_by_selector(contract).get(bytes(calldata[:4]))
    if shape is None:
        raise ValueError(f"calldata 0x{bytes(calldata[:4]).hex()} matches no function of {contract}")
    try:
        values = decode_values(list(shape.inputs), bytes(calldata[4:]))
    except Exception as exc:  # hostile calldata: eth_abi raises DecodingError and others (OverflowError...)
        raise ValueError(f"calldata of {contract}.{shape.name} does not decode: {exc}") from None
    return shape.name, dict(zip(shape.input_names, checksummed(shape.inputs, values), strict=True))


def checksummed(types: tuple[str, ...] | list[str], values: Any) -> list[Any]:
    """`values` with every address, alone, in an array or in a struct, in its checksummed form."""

    def fix(abi_type: Any, value: Any) -> Any:
        if abi_type.is_array and isinstance(value, (list, tuple)):
            return tuple(fix(abi_type.item_type, v) for v in value)
        components = getattr(abi_type, "components", None)
        if components is not None and isinstance(value, (list, tuple)):
            return tuple(fix(t, v) for t, v in zip(components, value, strict=True))
        if getattr(abi_type, "base", None) == "address" and isinstance(value, str):
            return checksum(value)
        return value

    return [fix(_parsed_type(t), v) for t, v in zip(types, values, strict=True)]


@functools.cache
def _parsed_type(abi_type: str) -> Any:
    from eth_abi.grammar import parse

    return parse(abi_type)


@dataclass(frozen=True)
class EventShape:
    """How to decode one event's logs: its topic and its indexed and plain inputs."""

    name: str
    topic: str
    indexed: tuple[tuple[str, str], ...]  # (name, type)
    plain: tuple[tuple[str, str], ...]


@functools.cache
def event_shape(contract: str, event: str) -> EventShape:
    """The shape of `event` of shipped `contract`."""
    from eth_utils import keccak

    entry = event_abi(contract, event)
    types = ",".join(abi_type(i) for i in entry["inputs"])
    return EventShape(
        event,
        "0x" + keccak(text=f"{event}({types})").hex(),
        tuple((i["name"], abi_type(i)) for i in entry["inputs"] if i["indexed"]),
        tuple((i["name"], abi_type(i)) for i in entry["inputs"] if not i["indexed"]),
    )


@functools.cache
def _events_by_topic(contract: str) -> dict[str, EventShape]:
    names = [entry["name"] for entry in artifact(contract).abi if entry.get("type") == "event"]
    return {shape.topic: shape for shape in (event_shape(contract, name) for name in names)}


def decode_any_log(contract: str, log: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The event name and arguments of a log emitted by shipped `contract`, whatever the event; None when the log
    is none of its events or does not decode (a JSON-RPC log object, or web3's)."""
    topics = ["0x" + as_bytes(t).hex() if not isinstance(t, str) else t.lower() for t in log.get("topics", [])]
    shape = _events_by_topic(contract).get(topics[0]) if topics else None
    if shape is None or len(topics) != len(shape.indexed) + 1:
        return None
    try:
        args = decode_log(shape, {"data": as_bytes(log["data"]), "topics": topics})
    except Exception:  # a log that claims the event's topic but not its layout
        return None
    order = [entry["name"] for entry in event_abi(contract, shape.name)["inputs"]]
    return shape.name, {name: args[name] for name in order if name in args}


def bytes_argument(name: str, value: bytes | bytearray) -> str:
    """A bytes argument of a call or event as text: a CID as its text form when the argument is named for one
    (`artifactCid`, `manifestCid`) and parses as one, anything else as 0x-hex."""
    if name.lower().endswith("cid"):
        try:
            return to_text(bytes(value))
        except Exception:  # bytes that are no CID, whatever the argument's name says
            pass
    return "0x" + bytes(value).hex()


def _is_dynamic(abi_type: str) -> bool:
    return abi_type in ("string", "bytes") or abi_type.endswith("]")


def as_bytes(value: Any) -> bytes:
    """Bytes of a JSON-RPC hex string (or of bytes already)."""
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def topic_of(abi_type: str, value: Any) -> str:
    """The topic an indexed argument of static type `abi_type` with `value` is filed under."""
    from eth_abi import encode

    return "0x" + encode([abi_type], [value]).hex()


def decode_log(
    shape: EventShape, log: dict[str, Any], fields: set[str] | None = None, raw: set[str] | None = None
) -> dict[str, Any]:
    """The arguments of one log of `shape` (a JSON-RPC log object). With `fields`, only those plain arguments are
    decoded: a dynamic one left out is read as its offset word, so eth-abi never walks it. String arguments named
    in `raw` come back as the bytes the log holds (a string's exact bytes matter when they are hashed)."""
    types = [
        ("bytes" if raw and n in raw and t == "string" else t)
        if fields is None or n in fields or not _is_dynamic(t)
        else "uint256"
        for n, t in shape.plain
    ]
    values = decode_values(types, as_bytes(log["data"]))
    args = {
        name: value
        for (name, abi_type), value in zip(shape.plain, checksummed(types, values), strict=True)
        if fields is None or name in fields
    }
    for (name, abi_type), topic in zip(shape.indexed, log["topics"][1:], strict=True):
        args[name] = (
            topic if _is_dynamic(abi_type) else checksummed([abi_type], decode_values([abi_type], as_bytes(topic)))[0]
        )
    return args


def encode_deployment(contract: str, args: tuple[Any, ...] | list[Any] = ()) -> bytes:
    """The creation code of shipped `contract` with its constructor arguments appended."""
    from eth_abi import encode

    shipped = artifact(contract)
    constructor: dict[str, Any] = next((e for e in shipped.abi if e.get("type") == "constructor"), {"inputs": []})
    types = [abi_type(i) for i in constructor["inputs"]]
    return as_bytes(shipped.bytecode) + (encode(types, list(args)) if types else b"")
