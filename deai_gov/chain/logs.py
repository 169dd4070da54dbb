"""Event logs: one iterator over bounded block ranges (public RPC nodes cap the range of one eth_getLogs), and the
logs of one receipt. Logs are fetched as JSON-RPC gives them and decoded with eth-abi (`deai_gov.contracts.abi`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..contracts.abi import as_bytes, decode_log, event_shape, topic_of
from ..errors import RpcError
from .client import Chain

#: The widest range of blocks one eth_getLogs asks for; a provider's refusal narrows it, success widens it again.
MAX_RANGE = 100_000
#: Successful requests in a row before the range doubles again.
GROW_AFTER = 4


@dataclass(frozen=True)
class EventLog:
    """One decoded log: the event's arguments and where it was emitted."""

    args: dict[str, Any]
    block: int
    tx_hash: str
    log_index: int


def _is_range_refusal(error: RpcError) -> bool:
    """Whether a provider refused an eth_getLogs for its range or its number of results (Infura, Alchemy,
    QuickNode, Ankr, Erigon and others word it differently; EIP-1474's -32005 is "limit exceeded")."""
    text = error.message.lower()
    words = ("range", "too many", "more than", "limit", "exceed", "response size", "too large", "too wide")
    return error.code == -32005 or any(word in text for word in words)


def _suggested_range(error: RpcError, asked: int) -> int:
    """The range to ask next: the one the provider suggests (`[0x…, 0x…]`, or "up to a 2K block range"), else
    half of what was refused."""
    import re

    text = error.message
    pair = re.search(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]", text)
    if pair:
        return max(1, min(asked - 1, int(pair.group(2), 16) - int(pair.group(1), 16) + 1))
    limit = re.search(r"(\d[\d,]*)\s*(k?)\s*(?:-?\s*)?block", text, re.IGNORECASE)
    if limit:
        blocks = int(limit.group(1).replace(",", "")) * (1_000 if limit.group(2).lower() == "k" else 1)
        if 0 < blocks < asked:
            return blocks
    return max(1, asked // 2)


def fetch_logs(
    chain: Chain, address: str | list[str], topics: list[Any], from_block: int, to_block: int, *, cap: int | None = None
) -> Iterator[dict[str, Any]]:
    """The raw logs (as JSON-RPC gives them) of `address` matching `topics` from `from_block` to `to_block`
    inclusive, oldest first, in as few eth_getLogs as the provider allows.

    The range starts at what last worked on this chain (`chain.log_range`), shrinks to what a provider suggests or
    by half when it refuses a range or a result count, and doubles again after a few successes (up to `cap` or
    `MAX_RANGE`). HTTP 429 and 5xx are retried by the transport (`rpc.JsonRpc`).
    """
    widest = min(cap or MAX_RANGE, MAX_RANGE)
    size = max(1, min(widest, getattr(chain, "log_range", 10_000)))
    successes = 0
    start = max(0, from_block)
    while start <= to_block:
        end = min(to_block, start + size - 1)
        query = {"address": address, "topics": topics, "fromBlock": hex(start), "toBlock": hex(end)}
        try:
            found = chain.get_logs(query)
        except RpcError as refused:
            if end == start or not _is_range_refusal(refused):
                raise
            size = _suggested_range(refused, end - start + 1)
            chain.log_range = size
            successes = 0
            continue
        yield from found
        start = end + 1
        successes += 1
        if successes >= GROW_AFTER and size < widest:
            size, successes = min(widest, size * 2), 0
            chain.log_range = size


def quantity(value: Any) -> int:
    """A number of a log or receipt: a JSON-RPC hex quantity, or the int web3 already made of it."""
    return int(value, 16) if isinstance(value, str) else int(value)


def hex_text(value: Any) -> str:
    """Bytes of a log or receipt (a hash, a topic, data) as 0x-hex: JSON-RPC's string, or web3's bytes, converted."""
    return value if isinstance(value, str) else "0x" + bytes(value).hex()


def iter_logs(
    chain: Chain,
    contract: str,
    address: str,
    event: str,
    *,
    from_block: int,
    to_block: int | None = None,
    filters: dict[str, Any] | None = None,
    fields: set[str] | None = None,
    raw: set[str] | None = None,
    chunk: int | None = None,
) -> Iterator[EventLog]:
    """Every log of `contract`'s `event` emitted by `address`, oldest first (see `fetch_logs`; `chunk` caps the
    range of one request).

    `filters` narrows the query by indexed arguments (name -> value). With `fields`, only those non-indexed
    arguments are decoded (see `abi.decode_log`): a long list then skips what it does not show. String arguments
    named in `raw` come back as bytes.
    """
    shape = event_shape(contract, event)
    topics: list[str | None] = [shape.topic]
    for name, abi_type in shape.indexed:
        value = (filters or {}).get(name)
        topics.append(None if value is None else topic_of(abi_type, value))
    while topics and topics[-1] is None:
        topics.pop()
    last = chain.block_number() if to_block is None else to_block
    index = chain.log_index
    found = (
        index.logs(address, topics, from_block, last)
        if index is not None and chunk is None
        else fetch_logs(chain, address, topics, from_block, last, cap=chunk)
    )
    for log in found:
        yield EventLog(
            decode_log(shape, log, fields, raw),
            quantity(log["blockNumber"]),
            hex_text(log["transactionHash"]),
            quantity(log["logIndex"]),
        )


def logs_in_receipt(
    receipt: Any, contract: str, address: str, event: str, *, after: int | None = None
) -> list[dict[str, Any]]:
    """The arguments of each log of `contract`'s `event` emitted by `address` in the transaction of `receipt`
    (a JSON-RPC receipt, or web3's), in log order; with `after`, only logs whose index comes after that log index.
    Logs of other addresses are ignored: anyone can emit an event of the same name."""
    shape = event_shape(contract, event)
    found = []
    for log in receipt["logs"]:
        topics = [hex_text(t) for t in log["topics"]]
        if str(log["address"]).lower() != address.lower() or not topics or topics[0] != shape.topic:
            continue
        if after is not None and quantity(log["logIndex"]) <= after:
            continue
        found.append(decode_log(shape, {"data": as_bytes(log["data"]), "topics": topics}))
    return found


def block_at_timestamp(chain: Chain, timestamp: int, *, low: int = 0) -> int:
    """The last block (from `low` on) whose timestamp is at most `timestamp`; `low` if none is.

    A binary search over block headers: about log2(blocks) calls, instead of scanning logs from genesis.
    """
    high = chain.block_number()
    while low < high:
        middle = (low + high + 1) // 2
        if chain.block_timestamp(middle) <= timestamp:
            low = middle
        else:
            high = middle - 1
    return low
