"""A whole-file sha256 computed on a second core while the caller hashes blocks on the first.

hashlib releases the GIL on large buffers, so hashing each chunk for its CID and the whole file for the
manifest overlap instead of costing twice the time.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor


class BackgroundSha256:
    """`update()` queues a chunk (at most one in flight, so memory stays bounded); `hexdigest()` waits."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
        self._pending: Future[None] | None = None

    def update(self, chunk: bytes) -> None:
        if self._pending is not None:
            self._pending.result()
        self._pending = self._executor.submit(self._hash.update, chunk)

    def hexdigest(self) -> str:
        if self._pending is not None:
            self._pending.result()
            self._pending = None
        self._executor.shutdown(wait=True)
        return self._hash.hexdigest()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
