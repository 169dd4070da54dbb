"""Work that overlaps the importer's hashing on the second core.

hashlib and file writes release the GIL on large buffers, so hashing each chunk for its CID, hashing the whole
file for the manifest and writing blocks to a store overlap instead of adding up.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable


class BackgroundSha256:
    """A sha256 computed on a second thread: `update()` queues a chunk, `hexdigest()` waits for the queue.

    At most `depth` chunks wait (memory stays bounded); the queue lets the two threads drift apart by a few
    chunks instead of meeting at every one.
    """

    def __init__(self, depth: int = 16) -> None:
        self._hash = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._hash.update(chunk)

    def update(self, chunk: bytes) -> None:
        self._queue.put(chunk)

    def hexdigest(self) -> str:
        self.close()
        return self._hash.hexdigest()

    def close(self) -> None:
        """Stop the thread (after the chunks already queued); safe to call more than once."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class BackgroundWriter:
    """Runs `write(cid, data)` on a second thread so storing blocks overlaps hashing the next ones.

    At most `depth` blocks wait in the queue (memory stays bounded); `close()` waits for the queue to drain and
    re-raises the first error the writer met.
    """

    def __init__(self, write: Callable[[bytes, bytes], object], depth: int = 8) -> None:
        self._write = write
        self._queue: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="block-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._write(*item)
                except BaseException as exc:  # kept and re-raised in the caller's thread
                    self._error = exc

    def put(self, cid: bytes, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((cid, data))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
