"""A loopback stand-in for a public RPC provider: it forwards JSON-RPC to a real node (anvil) and imposes what
providers impose on eth_getLogs (a block-range limit and a result limit, refused with the words and codes Infura,
Alchemy and QuickNode use) and HTTP 429 with `Retry-After` on some requests. Counters tell a test what it asked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import requests

from .gateway import serve_http


@dataclass
class Provider:
    url: str = ""
    requests: int = 0  # HTTP requests received
    get_logs: int = 0  # eth_getLogs answered with logs
    refused_range: int = 0
    refused_results: int = 0
    busy: int = 0  # answered 429
    methods: dict[str, int] = field(default_factory=dict)


@contextmanager
def serve_provider(
    upstream: str, *, max_range: int | None = None, max_results: int | None = None, busy_every: int | None = None
) -> Iterator[Provider]:
    """Forward to `upstream`; eth_getLogs over `max_range` blocks or with more than `max_results` logs is refused,
    and every `busy_every`-th HTTP request is answered 429."""
    counters = Provider()
    lock = threading.Lock()
    session = requests.Session()

    def limited(call: dict[str, Any]) -> dict[str, Any] | None:
        """The error envelope a provider would answer `call` with, or None to forward it."""
        if call.get("method") != "eth_getLogs":
            return None
        query = call["params"][0]
        start, end = int(query["fromBlock"], 16), int(query["toBlock"], 16)
        if max_range is not None and end - start + 1 > max_range:
            counters.refused_range += 1
            message = f"eth_getLogs is limited to a {max_range:,} block range"  # QuickNode's words
            return {"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32602, "message": message}}
        if max_results is not None:
            found = session.post(upstream, json=call, timeout=30).json().get("result") or []
            if len(found) > max_results:
                counters.refused_results += 1
                middle = start + (end - start) // 2
                message = (  # Infura's words, with its suggested range
                    f"query returned more than {max_results} results. Try with this block range "
                    f"[{hex(start)}, {hex(middle)}]."
                )
                return {"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32005, "message": message}}
            counters.get_logs += 1
            return {"jsonrpc": "2.0", "id": call["id"], "result": found}
        counters.get_logs += 1
        return None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                counters.requests += 1
                busy = busy_every is not None and counters.requests % busy_every == 0
                if busy:
                    counters.busy += 1
            if busy:
                self._answer(429, b'{"error": "Too Many Requests"}', retry_after="0")
                return
            payload = json.loads(body)
            calls = payload if isinstance(payload, list) else [payload]
            for call in calls:
                counters.methods[call.get("method", "?")] = counters.methods.get(call.get("method", "?"), 0) + 1
            if isinstance(payload, dict):
                answer = limited(payload)
                if answer is not None:
                    self._answer(200, json.dumps(answer).encode())
                    return
            forwarded = session.post(upstream, data=body, headers={"Content-Type": "application/json"}, timeout=60)
            self._answer(forwarded.status_code, forwarded.content)

        def _answer(self, status: int, body: bytes, retry_after: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        counters.url = url
        yield counters
