"""Event logs: one iterator over bounded block ranges (public RPC nodes cap the range of one eth_getLogs), and the
logs of one receipt. Logs are fetched as JSON-RPC gives them and decoded with eth-abi (`deai_gov.abi`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .abi import as_bytes, decode_log, event_shape, topic_of
from .chain import Chain

DEFAULT_CHUNK = 50_000


@dataclass(frozen=True)
class EventLog:
    """One decoded log: the event's arguments and where it was emitted."""

    args: dict[str, Any]
    block: int
    tx_hash: str
    log_index: int


def _block_ranges(chain: Chain, from_block: int, to_block: int | None, chunk: int) -> Iterator[tuple[int, int]]:
    """Consecutive inclusive block ranges of at most `chunk` blocks, from `from_block` to `to_block` (or the tip)."""
    last = chain.block_number() if to_block is None else to_block
    start = max(0, from_block)
    while start <= last:
        end = min(last, start + chunk - 1)
        yield start, end
        start = end + 1


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _hex(value: Any) -> str:
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
    chunk: int = DEFAULT_CHUNK,
) -> Iterator[EventLog]:
    """Every log of `contract`'s `event` emitted by `address`, oldest first.

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
    for start, end in _block_ranges(chain, from_block, to_block, chunk):
        query = {"address": address, "topics": topics, "fromBlock": hex(start), "toBlock": hex(end)}
        for log in chain.get_logs(query):
            yield EventLog(
                decode_log(shape, log, fields, raw),
                _int(log["blockNumber"]),
                _hex(log["transactionHash"]),
                _int(log["logIndex"]),
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
        topics = [_hex(t) for t in log["topics"]]
        if str(log["address"]).lower() != address.lower() or not topics or topics[0] != shape.topic:
            continue
        if after is not None and _int(log["logIndex"]) <= after:
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
