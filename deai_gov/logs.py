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
