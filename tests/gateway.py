"""HTTP servers on 127.0.0.1 for tests: a minimal trustless gateway serving raw blocks from a store (optionally
lying), on top of `serve_http`, which runs any request handler on a free port."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from deai_gov.errors import BlockNotFound
from deai_gov.ipfs.blockcid import from_text
from deai_gov.ipfs.stores import BlockSource

#: Given (cid text, true bytes), return the bytes to serve.
Tamper = Callable[[str, bytes], bytes]


@contextmanager
def serve_gateway(source: BlockSource, tamper: Tamper | None = None) -> Iterator[str]:
    """Run a gateway answering `GET /ipfs/<cid>?format=raw`; yields its base URL, stops on exit."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            if not url.path.startswith("/ipfs/") or "format=raw" not in url.query:
                self.send_error(400)
                return
            text = url.path.removeprefix("/ipfs/")
            try:
                data = source.get_block(from_text(text))
            except (BlockNotFound, ValueError):
                self.send_error(404)
                return
            if tamper:
                data = tamper(text, data)
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.ipld.raw")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        yield url


@contextmanager
def serve_http(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free loopback port; yields the base URL, stops the server on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
