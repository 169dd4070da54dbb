"""Plain JSON-RPC over HTTP(S) for the read paths that must start fast.

Importing web3 takes 1-1.5 s, most of a short command's run. Listing proposals or checking a deployment only
needs a handful of requests (`eth_chainId`, `eth_getCode`, `eth_getLogs`, batches of `eth_call`), so those go
through this client, built on the standard library, and web3 is imported only when a command needs it
(transactions, contract objects). Proxies from the environment are honoured as by `requests`.
"""

from __future__ import annotations

import json
from typing import Any

from .. import parsing
from ..errors import ChainError, RpcBusy, RpcError

#: HTTP statuses a provider answers when it is busy or briefly down: the request is tried again after a pause.
RETRY_STATUSES = (429, 502, 503, 504)
#: Pauses before each new try (seconds), unless the provider says how long in `Retry-After` (honoured up to
#: `MAX_PAUSE`).
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
MAX_PAUSE = 30.0
#: Methods never sent twice after a 5xx (the first may have been processed); a 429 was refused, so it is retried.
NOT_REPEATED_AFTER_5XX = ("eth_sendRawTransaction", "eth_sendTransaction")


def redacted(url: str) -> str:
    """`url` as it may be printed: a provider's key, whether in the user part, the path or the query, hidden.
    `https://mainnet.infura.io/v3/0123abcd…` -> `https://mainnet.infura.io/v3/…`."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an RPC URL that cannot be parsed)"
    if not parts.scheme or not host:
        return url  # not a URL at all: nothing in it is a provider's key, and the user needs to see it
    path = "/".join(_hidden(segment) for segment in parts.path.split("/"))
    return f"{parts.scheme}://{'…@' if parts.username or parts.password else ''}{host}{port}{path}" + (
        "?…" if parts.query else ""
    )


class JsonRpc:
    """Requests to one JSON-RPC endpoint; `batch` sends many in one round trip. A provider that answers 429 (too
    many requests) or a 5xx is asked again after a pause (see `BACKOFF`), as public providers expect."""

    def __init__(self, url: str, *, timeout: float = 30.0, backoff: tuple[float, ...] = BACKOFF):
        self.url = url
        self.shown_url = redacted(url)
        self.timeout = timeout
        self.backoff = backoff
        self.retried = 0  # requests asked again after a 429 or 5xx, for reports
        self._next_id = 0

    def _post(self, payload: Any) -> Any:
        import time

        methods = [p.get("method") for p in payload] if isinstance(payload, list) else [payload.get("method")]
        for attempt in range(len(self.backoff) + 1):
            try:
                return self._post_once(payload)
            except RpcBusy as busy:
                repeatable = busy.status == 429 or not any(m in NOT_REPEATED_AFTER_5XX for m in methods)
                if attempt == len(self.backoff) or not repeatable:
                    raise
                self.retried += 1
                pause = self.backoff[attempt] if busy.retry_after is None else busy.retry_after  # as the node asks
                time.sleep(min(MAX_PAUSE, pause))
        raise AssertionError("unreachable")

    def _post_once(self, payload: Any) -> Any:
        import http.client  # here, not at the top: importing the chain module stays cheap for commands without RPC
        import urllib.error
        import urllib.request

        body = json.dumps(payload).encode()
        try:
            request = urllib.request.Request(
                self.url, data=body, headers={"Content-Type": "application/json", "Accept": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in RETRY_STATUSES:
                raise RpcBusy(self.shown_url, exc.code, exc.reason, _seconds(exc.headers.get("Retry-After"))) from None
            raise ChainError(f"the RPC node at {self.shown_url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChainError(f"cannot reach the RPC node at {self.shown_url}: {reason}") from None
        except (ValueError, UnicodeError) as exc:  # not an http(s) URL, or a host name that cannot be encoded
            raise ChainError(f"cannot reach the RPC node at {self.shown_url}: {exc}") from None
        try:
            return parsing.loads(raw)
        except ValueError:
            raise ChainError(f"the RPC node at {self.shown_url} did not answer with JSON") from None

    def _envelope(self, method: str, params: list[Any]) -> dict[str, Any]:
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        """The `result` of one request; RpcError when the node answers with an error."""
        answer = self._post(self._envelope(method, params or []))
        if not isinstance(answer, dict):
            raise ChainError(f"the RPC node at {self.shown_url} sent a malformed answer to {method}")
        if "error" in answer:
            raise RpcError(method, answer["error"])
        return answer.get("result")

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """One answer per call, in order: its `result`, or an RpcError instance for a call that failed.

        A node that does not take batches gets the calls one by one.
        """
        if not calls:
            return []
        envelopes = [self._envelope(method, params) for method, params in calls]
        answer = self._post(envelopes)
        if not isinstance(answer, list) or len(answer) != len(calls):
            return [self._one(method, params) for method, params in calls]
        by_id = {item.get("id"): item for item in answer if isinstance(item, dict)}
        results: list[Any] = []
        for envelope in envelopes:
            item = by_id.get(envelope["id"])
            if item is None:
                raise ChainError(f"the RPC node at {self.shown_url} left a batched {envelope['method']} unanswered")
            error = item.get("error")
            results.append(RpcError(envelope["method"], error) if error else item.get("result"))
        return results

    def _one(self, method: str, params: list[Any]) -> Any:
        try:
            return self.request(method, params)
        except RpcError as exc:
            return exc


def _hidden(segment: str) -> str:
    """A path segment, or `…` when it looks like a key: long, or longer than 8 characters with digits in it."""
    return "…" if len(segment) >= 16 or (len(segment) > 8 and any(c.isdigit() for c in segment)) else segment


def _seconds(value: str | None) -> float | None:
    """A `Retry-After` header's delay in seconds (the HTTP-date form is ignored)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
