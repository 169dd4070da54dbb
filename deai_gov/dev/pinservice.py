"""A pinning service for the devnet that really pins: the IPFS Pinning Service API (the spec's `/pins` endpoints,
bearer token, `PinStatus` and `PinResults` answers) on 127.0.0.1, pinning each request on the devnet's IPFS node.

`deai-gov node start` runs it beside the IPFS node (`python -m deai_gov.dev.pinservice`), and commands reach it as
the pinning service `local` (`model pin NAME --service local`, `model propose … --pin local`). A request is
`queued`, then `pinning` while the node fetches and pins the DAG, then `pinned`, or `failed` with the node's reason
in `info.status_details`. Requests are kept in a JSON file, so they survive a restart; a request left `pinning` by a
stop is tried again.

It is a development tool, for one user's devnet: one worker pins one request at a time, and the list filters are
the spec's (cid, name with its match modes, status, before, after, limit) without `meta`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .. import parsing

STATUSES = ("queued", "pinning", "pinned", "failed")
#: How long the node may take to pin one DAG before the request fails.
PIN_TIMEOUT = 300.0
_MAX_BODY = 1 << 20


def _now() -> str:
    """The time in the spec's format (RFC 3339, UTC, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PinRequests:
    """The service's requests, kept in `state_file` (written atomically on every change), and the worker that pins
    them on the IPFS node at `ipfs_api`."""

    def __init__(self, ipfs_api: str, state_file: Path, *, pin_timeout: float = PIN_TIMEOUT):
        self.ipfs_api = ipfs_api
        self.state_file = state_file
        self.pin_timeout = pin_timeout
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._stopping = False
        self.requests: dict[str, dict[str, Any]] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = parsing.loads(state_file.read_bytes())
            if isinstance(loaded, dict):
                self.requests = {key: value for key, value in loaded.items() if isinstance(value, dict)}
        for request in self.requests.values():  # a pin a stop interrupted is tried again
            if request.get("status") == "pinning":
                request["status"] = "queued"
        self._delegates: list[str] | None = None
        self._worker = threading.Thread(target=self._run, name="pinning-worker", daemon=True)

    def start(self) -> PinRequests:
        self._worker.start()
        return self

    def stop(self) -> None:
        with self._work:
            self._stopping = True
            self._work.notify_all()
        self._worker.join(timeout=5)

    def add(self, pin: dict[str, Any]) -> dict[str, Any]:
        requestid = secrets.token_hex(16)
        request: dict[str, Any] = {
            "requestid": requestid,
            "status": "queued",
            "created": _now(),
            "pin": pin,
            "delegates": self.delegates(),
            "info": {},
        }
        with self._work:
            self.requests[requestid] = request
            self._save()
            self._work.notify_all()
        return dict(request)

    def get(self, requestid: str) -> dict[str, Any] | None:
        with self._lock:
            found = self.requests.get(requestid)
            return None if found is None else dict(found)

    def remove(self, requestid: str) -> bool:
        with self._lock:
            if self.requests.pop(requestid, None) is None:
                return False
            self._save()
            return True

    def listing(self, query: dict[str, str]) -> dict[str, Any]:
        """`GET /pins`: the requests matching the spec's filters, newest first, `limit` of them."""
        statuses = set(query.get("status", "pinned").split(","))
        cids = set(filter(None, query.get("cid", "").split(",")))
        name, match = query.get("name"), query.get("match", "exact")
        before, after = query.get("before"), query.get("after")
        limit = max(1, min(1000, int(query["limit"]) if query.get("limit", "").isdigit() else 10))
        with self._lock:
            every = [dict(r) for r in self.requests.values()]
        found = [
            r
            for r in every
            if r["status"] in statuses
            and (not cids or r["pin"]["cid"] in cids)
            and (name is None or _name_matches(str(r["pin"].get("name", "")), name, match))
            and (before is None or _instant(r["created"]) < _instant(before))
            and (after is None or _instant(r["created"]) > _instant(after))
        ]
        found.sort(key=lambda r: r["created"], reverse=True)
        return {"count": len(found), "results": found[:limit]}

    def delegates(self) -> list[str]:
        """The node's own multiaddrs (where others may connect to fetch from it); the API's address when the node
        cannot say. The spec requires at least one."""
        if self._delegates is None:
            from ..ipfs.stores import NodeStore

            try:
                addresses = NodeStore(self.ipfs_api, timeout=10).client().id().get("Addresses") or []
            except Exception:  # ipfshttpclient's and requests' errors alike: a hint only
                addresses = []
            found = [str(a) for a in addresses if isinstance(a, str)][:20]
            self._delegates = found or [NodeStore(self.ipfs_api).api]
        return list(self._delegates)

    def _save(self) -> None:
        """Write the requests (the lock held)."""
        partial = self.state_file.with_name(f".{self.state_file.name}.partial")
        partial.write_text(json.dumps(self.requests, indent=1), encoding="utf-8")
        os.replace(partial, self.state_file)

    def _next(self) -> dict[str, Any] | None:
        with self._work:
            while not self._stopping:
                queued = sorted(
                    (r for r in self.requests.values() if r["status"] == "queued"), key=lambda r: r["created"]
                )
                if queued:
                    queued[0]["status"] = "pinning"
                    self._save()
                    return dict(queued[0])
                self._work.wait(timeout=1.0)
            return None

    def _run(self) -> None:
        from ..errors import DeaiGovError
        from ..ipfs.stores import NodeStore

        while (request := self._next()) is not None:
            node = NodeStore(self.ipfs_api, timeout=self.pin_timeout)
            try:
                node.pin(request["pin"]["cid"])
            except DeaiGovError as exc:
                status, info = "failed", {"status_details": str(exc)[:1000]}
            else:
                status, info = "pinned", {}
            with self._lock:
                kept = self.requests.get(request["requestid"])
                if kept is not None:  # not removed meanwhile
                    kept["status"], kept["info"] = status, info
                    self._save()


def _name_matches(name: str, wanted: str, match: str) -> bool:
    if match == "iexact":
        return name.lower() == wanted.lower()
    if match == "partial":
        return wanted in name
    if match == "ipartial":
        return wanted.lower() in name.lower()
    return name == wanted


def _instant(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _pin_of(body: Any) -> dict[str, Any] | str:
    """The `Pin` object of a request body, or why it is none (the spec's limits)."""
    if not isinstance(body, dict) or not isinstance(body.get("cid"), str) or not body["cid"]:
        return "the body must be a Pin object with a cid"
    from ..ipfs.blockcid import from_text

    try:
        from_text(body["cid"])
    except Exception:  # multiformats raises a family of its own: all mean no CID
        return f"{body['cid'][:100]!r} is not a CID"
    name, origins, meta = body.get("name"), body.get("origins", []), body.get("meta", {})
    if name is not None and (not isinstance(name, str) or len(name) > 255):
        return "name must be a string of 255 characters at most"
    if not isinstance(origins, list) or len(origins) > 20 or not all(isinstance(o, str) for o in origins):
        return "origins must be a list of 20 multiaddrs at most"
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        return "meta must map names to strings"
    pin: dict[str, Any] = {"cid": body["cid"], "origins": origins, "meta": meta}
    if name is not None:
        pin["name"] = name
    return pin


def make_server(requests: PinRequests, token: str, port: int = 0) -> ThreadingHTTPServer:
    """The HTTP server of the Pinning Service API on 127.0.0.1:`port` (0: a free one), answering with bearer
    `token` only."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: Any = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _error(self, status: int, reason: str, details: str) -> None:
            self._answer(status, {"error": {"reason": reason, "details": details}})

        def _authorised(self) -> bool:
            given = self.headers.get("Authorization", "")
            if secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return True
            self._error(401, "UNAUTHORIZED", "an access token (Authorization: Bearer …) is required")
            return False

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            if length > _MAX_BODY:
                raise ValueError("the body is too large")
            return parsing.loads(self.rfile.read(length) or b"null")

        def _request(self, *, collection: bool) -> tuple[str, dict[str, str]] | None:
            """The request id the path names ("" for `/pins` itself, when `collection` allows it) and the query,
            once the caller is authorised; None when an error was answered instead."""
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/")
            requestid = path.removeprefix("/pins/") if path.startswith("/pins/") and path.count("/") == 2 else None
            if path == "/pins" and collection:
                requestid = ""
            if requestid is None:
                self._error(404, "NOT_FOUND", "no such endpoint")
                return None
            if not self._authorised():
                return None
            return requestid, {key: values[-1] for key, values in parse_qs(parts.query).items()}

        def do_GET(self) -> None:  # the standard library's name
            if (asked := self._request(collection=True)) is None:
                return None
            requestid, query = asked
            if requestid == "":
                return self._answer(200, requests.listing(query))
            found = requests.get(requestid)
            return self._answer(200, found) if found else self._error(404, "NOT_FOUND", "no such pin request")

        def do_POST(self) -> None:  # the standard library's name
            if (asked := self._request(collection=True)) is None:
                return None
            requestid, _ = asked
            try:
                pin = _pin_of(self._body())
            except (ValueError, UnicodeDecodeError) as exc:
                pin = f"the body is not JSON: {exc}"
            if isinstance(pin, str):
                return self._error(400, "BAD_REQUEST", pin)
            if requestid and not requests.remove(requestid):  # a replacement: the old request goes
                return self._error(404, "NOT_FOUND", "no such pin request")
            return self._answer(202, requests.add(pin))

        def do_DELETE(self) -> None:  # the standard library's name
            if (asked := self._request(collection=False)) is None:
                return None
            if not requests.remove(asked[0]):
                return self._error(404, "NOT_FOUND", "no such pin request")
            return self._answer(202)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> None:
    """`python -m deai_gov.dev.pinservice --port P --ipfs-api URL --token-file F --state F`: serve until SIGTERM."""
    import signal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ipfs-api", required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    parser.add_argument("--state", type=Path, required=True)
    options = parser.parse_args(argv)
    token = options.token_file.read_text(encoding="utf-8").strip()
    requests = PinRequests(options.ipfs_api, options.state).start()
    server = make_server(requests, token, options.port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    try:
        server.serve_forever()
    finally:
        requests.stop()
        server.server_close()


if __name__ == "__main__":
    main()
