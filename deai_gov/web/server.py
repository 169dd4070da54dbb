"""Serving an ASGI app with uvicorn: in the foreground for a command (`serve`), or on a thread for the length of a
`with` block (`running`), bound to loopback unless told otherwise."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK = "127.0.0.1"


def serve(app: Any, host: str = LOOPBACK, port: int = 8700) -> None:
    """Serve `app` until interrupted (Ctrl-C)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)


@contextmanager
def running(app: Any, host: str = LOOPBACK, port: int = 0, *, timeout: float = 10.0) -> Iterator[str]:
    """Serve `app` on a thread; yields its base URL (`http://HOST:PORT`) once it accepts connections, and stops it on
    leaving the block. Port 0 takes a free one."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
                            lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="deai-gov-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the web server did not start on {host}:{port}")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout)
