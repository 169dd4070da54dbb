"""Plain JSON-RPC over HTTP(S) for the read paths that must start fast.

Importing web3 takes 1-1.5 s, most of a short command's run. Listing proposals or checking a deployment only
needs a handful of requests (`eth_chainId`, `eth_getCode`, `eth_getLogs`, batches of `eth_call`), so those go
through this client, built on the standard library, and web3 is imported only when a command needs it
(transactions, contract objects). Proxies from the environment are honoured as by `requests`.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ChainError, RpcError


class JsonRpc:
    """Requests to one JSON-RPC endpoint; `batch` sends many in one round trip."""

    def __init__(self, url: str, *, timeout: float = 30.0):
        self.url = url
        self.timeout = timeout
        self._next_id = 0

    def _post(self, payload: Any) -> Any:
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
            raise ChainError(f"the RPC node at {self.url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChainError(f"cannot reach the RPC node at {self.url}: {reason}") from None
        except (ValueError, UnicodeError) as exc:  # not an http(s) URL, or a host name that cannot be encoded
            raise ChainError(f"cannot reach the RPC node at {self.url}: {exc}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise ChainError(f"the RPC node at {self.url} did not answer with JSON") from None

    def _envelope(self, method: str, params: list[Any]) -> dict[str, Any]:
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}

    def request(self, method: str, params: list[Any] | None = None) -> Any:
        """The `result` of one request; RpcError when the node answers with an error."""
        answer = self._post(self._envelope(method, params or []))
        if not isinstance(answer, dict):
            raise ChainError(f"the RPC node at {self.url} sent a malformed answer to {method}")
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
                raise ChainError(f"the RPC node at {self.url} left a batched {envelope['method']} unanswered")
            error = item.get("error")
            results.append(RpcError(envelope["method"], error) if error else item.get("result"))
        return results

    def _one(self, method: str, params: list[Any]) -> Any:
        try:
            return self.request(method, params)
        except RpcError as exc:
            return exc
