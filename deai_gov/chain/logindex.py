"""A local index of event logs, so that listing proposals, finding which vote approved a version or following the
DAO reads only the blocks added since the last run, not the chain's whole history again.

One SQLite file per chain and deployment (`<config home>/index/<chain id>-<governor>.sqlite`) keeps, for each
(contract, event) asked for, every log up to a confirmed block (`confirmations` below the tip) and the range it
covers. A query is answered from the file for the confirmed part, after reading the blocks the file does not cover
yet (`logs.fetch_logs`, provider-proof); the blocks above the confirmed one are always read from the node. The
file's checkpoints (block, hash) are checked against the node once per command (every `FRESH` seconds): a block's
hash vouches for every block before it, so one request checks the whole file.

It is a cache: deleting the file loses nothing (the next query reads the chain again). A reorganisation shallower
than `confirmations` cannot touch it (nothing that recent is kept); a deeper one is detected by block hash: the
block where the covered range ends, and earlier ones recorded at each extension, are checked against the node, and
what lies after the last block still on the chain is dropped and read again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import parsing
from ..home.config import config_home
from .client import Chain
from .logs import fetch_logs, hex_text, quantity

#: Blocks below the tip before a log is kept: deeper than any reorganisation of the chains this is used on.
CONFIRMATIONS = 12
#: Checkpoints (block, hash) kept per covered range, to find where a deep reorganisation began.
CHECKPOINTS = 64

#: Seconds a command trusts the tip it read and the index it checked against the chain (one command's span).
FRESH = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS coverage (
    address TEXT NOT NULL, topic0 TEXT NOT NULL, from_block INTEGER NOT NULL, to_block INTEGER NOT NULL,
    PRIMARY KEY (address, topic0));
CREATE TABLE IF NOT EXISTS checkpoints (block INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    address TEXT NOT NULL, topic0 TEXT NOT NULL, block INTEGER NOT NULL, log_index INTEGER NOT NULL,
    block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL, topics TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (block, log_index));
CREATE INDEX IF NOT EXISTS logs_by_event ON logs (address, topic0, block, log_index);
"""


class LogIndex:
    """The log index of one chain and deployment, in the SQLite file at `path`."""

    def __init__(self, path: Path, chain: Chain, *, confirmations: int = CONFIRMATIONS):
        self.path = path
        self.chain = chain
        self.confirmations = confirmations
        self.reread = 0  # blocks dropped and read again after a reorganisation, for reports
        self._connection: sqlite3.Connection | None = None
        self._tip: tuple[float, int] | None = None  # (when read, block number)
        self._checked = 0.0  # when the checkpoints were last checked against the node

    @property
    def _db(self) -> sqlite3.Connection:
        """The file, opened (and made) at the first query: a command that reads no logs leaves no file."""
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.executescript(_SCHEMA)
        return self._connection

    @classmethod
    def for_deployment(cls, chain: Chain, governor: str, home: Path | None = None) -> LogIndex:
        """The index file of the deployment whose governor is `governor` on `chain`, in the configuration folder."""

        folder = (home or config_home()) / "index"
        return cls(folder / f"{chain.chain_id}-{governor.lower()}.sqlite", chain)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def logs(self, address: str, topics: list[Any], from_block: int, to_block: int) -> Iterator[dict[str, Any]]:
        """The logs of `address` matching `topics` (the first an event topic; later ones None or one value) from
        `from_block` to `to_block`, oldest first, as JSON-RPC gives them."""
        address, topic0 = address.lower(), str(topics[0]).lower()
        confirmed = min(to_block, self._latest() - self.confirmations)
        if confirmed >= from_block:
            try:
                found = self._confirmed_logs(address, topic0, topics, from_block, confirmed)
            except (sqlite3.DatabaseError, ValueError):  # a damaged file, or rows that are not what it writes
                self.discard()
                found = self._confirmed_logs(address, topic0, topics, from_block, confirmed)
            yield from found
        live_from = max(from_block, confirmed + 1)
        if live_from <= to_block:
            yield from fetch_logs(self.chain, address, topics, live_from, to_block)

    def _confirmed_logs(
        self, address: str, topic0: str, topics: list[Any], from_block: int, to_block: int
    ) -> list[dict[str, Any]]:
        self._check_against_chain()
        self._cover(address, topic0, from_block, to_block)
        return list(self._stored(address, topic0, topics, from_block, to_block))

    def discard(self) -> None:
        """Delete the file (and SQLite's journal beside it): it is a cache, so the next query reads the chain again
        and writes a new one."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self._checked = 0.0
        self.reread = 0

    # ------------------------------------------------------------------ keeping the file up to date

    def _cover(self, address: str, topic0: str, from_block: int, to_block: int) -> None:
        """Read into the file whatever of `from_block`..`to_block` it does not hold yet."""
        row = self._db.execute(
            "SELECT from_block, to_block FROM coverage WHERE address = ? AND topic0 = ?", (address, topic0)
        ).fetchone()
        if row is None:
            self._fetch(address, topic0, from_block, to_block)
            self._set_coverage(address, topic0, from_block, to_block)
            return
        covered_from, covered_to = row
        if from_block >= covered_from and to_block <= covered_to:
            return
        if from_block < covered_from:
            self._fetch(address, topic0, from_block, covered_from - 1)
            covered_from = from_block
        if to_block > covered_to:
            self._fetch(address, topic0, covered_to + 1, to_block)
            covered_to = to_block
        self._set_coverage(address, topic0, covered_from, covered_to)

    def _fetch(self, address: str, topic0: str, from_block: int, to_block: int) -> None:
        rows = [
            (
                address,
                topic0,
                quantity(log["blockNumber"]),
                quantity(log["logIndex"]),
                hex_text(log["blockHash"]),
                hex_text(log["transactionHash"]),
                json.dumps([hex_text(t).lower() for t in log["topics"]]),
                hex_text(log["data"]),
            )
            for log in fetch_logs(self.chain, address, [topic0], from_block, to_block)
        ]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO logs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _set_coverage(self, address: str, topic0: str, from_block: int, to_block: int) -> None:
        block = self.chain.request("eth_getBlockByNumber", [hex(to_block), False])
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO coverage VALUES (?, ?, ?, ?)", (address, topic0, from_block, to_block)
            )
            if isinstance(block, dict):
                self._db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?)", (to_block, block["hash"]))
            self._db.execute(
                "DELETE FROM checkpoints WHERE block NOT IN (SELECT block FROM checkpoints ORDER BY block DESC "
                "LIMIT ?)",
                (CHECKPOINTS,),
            )

    def _latest(self) -> int:
        """The chain's latest block number, read at most once every `FRESH` seconds."""
        import time

        now = time.monotonic()
        if self._tip is None or now - self._tip[0] > FRESH:
            self._tip = (now, self.chain.block_number())
        return self._tip[1]

    def _check_against_chain(self) -> None:
        """Make sure the file holds only blocks still on the chain (once every `FRESH` seconds): the newest
        checkpoint's hash is compared with the node's; on a difference, older ones until one matches, and every log,
        range and checkpoint after it is dropped (read again when next asked for)."""
        import time

        if time.monotonic() - self._checked < FRESH:
            return
        tip = self._latest()
        checkpoints = self._db.execute("SELECT block, hash FROM checkpoints ORDER BY block DESC").fetchall()
        kept: int | None = None
        for block, recorded in checkpoints:
            if block > tip:
                continue
            found = self.chain.request("eth_getBlockByNumber", [hex(block), False])
            if isinstance(found, dict) and str(found["hash"]).lower() == str(recorded).lower():
                kept = block
                break
        newest = checkpoints[0][0] if checkpoints else None
        if newest is not None and kept != newest:
            after = -1 if kept is None else kept
            with self._db:
                self._db.execute("BEGIN")
                dropped = self._db.execute("SELECT max(to_block) FROM coverage").fetchone()[0] or after
                self.reread += max(0, dropped - after)
                self._db.execute("DELETE FROM logs WHERE block > ?", (after,))
                self._db.execute("DELETE FROM checkpoints WHERE block > ?", (after,))
                self._db.execute("DELETE FROM coverage WHERE from_block > ?", (after,))
                self._db.execute("UPDATE coverage SET to_block = ? WHERE to_block > ?", (after, after))
        self._checked = time.monotonic()

    # ------------------------------------------------------------------ reading it

    def _stored(
        self, address: str, topic0: str, topics: list[Any], from_block: int, to_block: int
    ) -> Iterator[dict[str, Any]]:
        wanted = [None if t is None else str(t).lower() for t in topics[1:]]
        cursor = self._db.execute(
            "SELECT block, log_index, block_hash, tx_hash, topics, data FROM logs WHERE address = ? AND topic0 = ? "
            "AND block BETWEEN ? AND ? ORDER BY block, log_index",
            (address, topic0, from_block, to_block),
        )
        for block, log_index, block_hash, tx_hash, topics_json, data in cursor.fetchall():
            found = parsing.loads(topics_json)
            if any(w is not None and (len(found) <= i + 1 or found[i + 1] != w) for i, w in enumerate(wanted)):
                continue
            yield {
                "address": address,
                "topics": found,
                "data": data,
                "blockNumber": block,
                "logIndex": log_index,
                "blockHash": block_hash,
                "transactionHash": tx_hash,
            }


def enable(chain: Chain, governor: str, home: Path | None = None) -> LogIndex | None:
    """Answer `chain`'s log queries from the index file of the deployment whose governor is at `governor`, from now
    on (not on the embedded chain, which has no history worth keeping, nor when DEAI_GOV_NO_INDEX is set); returns
    the index."""
    import os

    if chain.embedded or os.environ.get("DEAI_GOV_NO_INDEX"):
        return None
    index = LogIndex.for_deployment(chain, governor, home)
    chain.log_index = index
    return index
