"""Event log queries in bounded block ranges (public RPC nodes cap the range of one eth_getLogs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .chain import Chain

DEFAULT_CHUNK = 50_000


def iter_events(
    chain: Chain,
    event: Any,
    *,
    from_block: int,
    to_block: int | None = None,
    argument_filters: dict[str, Any] | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> Iterator[Any]:
    """Decoded logs of web3 contract `event` (e.g. `governor.events.ProposalCreated`), oldest first."""
    last = chain.w3.eth.block_number if to_block is None else to_block
    start = max(0, from_block)
    while start <= last:
        end = min(last, start + chunk - 1)
        yield from event.get_logs(from_block=start, to_block=end, argument_filters=argument_filters)
        start = end + 1


def iter_event_args(
    chain: Chain, event: Any, *, from_block: int, to_block: int | None = None, chunk: int = DEFAULT_CHUNK
) -> Iterator[tuple[dict[str, Any], int]]:
    """(arguments, block number) of every `event` log, oldest first: the fast path for long lists.

    The same logs as `iter_events`, decoded directly with eth-abi (web3's decoding costs ~1 ms a log): values
    are not normalised (addresses in lower case, bytes as bytes).
    """
    from eth_abi import decode
    from eth_utils import event_abi_to_log_topic
    from eth_utils.abi import collapse_if_tuple

    abi = event.abi
    inputs = abi["inputs"]
    indexed = [i for i in inputs if i["indexed"]]
    plain = [i for i in inputs if not i["indexed"]]
    plain_types = [collapse_if_tuple(dict(i)) for i in plain]
    topic = "0x" + event_abi_to_log_topic(abi).hex()
    last = chain.w3.eth.block_number if to_block is None else to_block
    start = max(0, from_block)
    while start <= last:
        end = min(last, start + chunk - 1)
        query = {"address": event.address, "topics": [topic], "fromBlock": start, "toBlock": end}
        for log in chain.w3.eth.get_logs(query):  # type: ignore[arg-type]
            args = dict(zip((i["name"] for i in plain), decode(plain_types, bytes(log["data"])), strict=True))
            for item, value in zip(indexed, log["topics"][1:], strict=True):
                args[item["name"]] = decode([item["type"]], bytes(value))[0] if item["type"] != "string" else value
            yield args, int(log["blockNumber"])
        start = end + 1


def events_in_transaction(receipt: Any, event: Any) -> list[Any]:
    """Logs of `event` emitted by its contract in the transaction of `receipt`."""
    from web3.logs import DISCARD

    return list(event.process_receipt(receipt, errors=DISCARD))


def block_at_timestamp(chain: Chain, timestamp: int, *, low: int = 0) -> int:
    """The last block (from `low` on) whose timestamp is at most `timestamp`; `low` if none is.

    A binary search over block headers: about log2(blocks) calls, instead of scanning logs from genesis.
    """
    high = int(chain.w3.eth.block_number)
    while low < high:
        middle = (low + high + 1) // 2
        if int(chain.w3.eth.get_block(middle)["timestamp"]) <= timestamp:
            low = middle
        else:
            high = middle - 1
    return low
