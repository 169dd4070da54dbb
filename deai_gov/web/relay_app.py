"""The relayer's HTTP API, over `workflows.relaying.Relayer`:

    GET  /v1/status        what it serves (chain, governor, token, its account) and what it has spent
    POST /v1/votes         a signed vote, as `proposal sign-vote` writes it or a wallet's page sends it
    POST /v1/delegations   a signed delegation (`SignedDelegation` JSON)

Every answer is JSON: `{"ok": true, "receipt": {...}}`, or `{"ok": false, "error": "one sentence"}` with the
status saying what kind of refusal it is: 400 not JSON, 413 a body over the limit, 422 a vote or delegation that
would be refused or count for nothing, 429 a request rate or gas budget used up, 503 the chain unreachable. A body
is read up to its limit and no further; nothing from a request is ever executed or rendered.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import ChainError, DeaiGovError, InputError, RelayLimitReached, TransactionError
from ..parsing import loads

if TYPE_CHECKING:
    from ..workflows.relaying import Relayer, RelayReceipt

#: A signed vote is a few hundred bytes (a reason included); anything much larger is refused unread.
MAX_BODY = 16 * 1024
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
log = logging.getLogger(__name__)


class RateLimit:
    """At most `per_minute` requests in any minute for each key (a client's address, a signer)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self._clock()
        seen = self._seen[key]
        while seen and seen[0] <= now - 60:
            seen.popleft()
        if len(seen) >= self.per_minute:
            return False
        seen.append(now)
        return True


def relay_app(
    relayer: Relayer,
    *,
    allow_origins: tuple[str, ...] = (),
    max_body: int = MAX_BODY,
    client_per_minute: int = 600,
    signer_per_minute: int = 20,
) -> Starlette:
    """The relayer as an ASGI app. `allow_origins`: the pages (origins) that may post to it from a browser (CORS);
    none by default. A client (by address) may make `client_per_minute` requests a minute, and a signer
    `signer_per_minute` submissions, valid or not."""
    clients, signers = RateLimit(client_per_minute), RateLimit(signer_per_minute)

    async def status(request: Request) -> JSONResponse:
        return _answer(200, {"ok": True, "status": await run_in_threadpool(relayer.status)})

    def submit(kind: str, relay: Callable[[Any], RelayReceipt], signer_field: str) -> Any:
        async def endpoint(request: Request) -> JSONResponse:
            client = request.client.host if request.client else "unknown"
            if not clients.allow(client):
                return _refused(429, "too many requests from this address: try again in a minute")
            body = await _body(request, max_body)
            if body is None:
                return _refused(413, f"the body is over {max_body:,} bytes")
            try:
                data = loads(body)
            except ValueError:
                return _refused(400, "the body is not JSON")
            signer = str(data.get(signer_field, "")).lower() if isinstance(data, dict) else ""
            if signer and not signers.allow(signer):
                return _refused(429, f"too many {kind}s from {signer} this minute: try again later")
            try:
                receipt = await run_in_threadpool(relay, data)
            except DeaiGovError as exc:
                return _refusal(exc)
            return _answer(200, {"ok": True, "receipt": receipt.to_json()})

        return endpoint

    routes = [
        Route("/v1/status", status, methods=["GET"]),
        Route("/v1/votes", submit("vote", relayer.relay_vote, "voter"), methods=["POST"]),
        Route("/v1/delegations", submit("delegation", relayer.relay_delegation, "delegator"), methods=["POST"]),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=list(allow_origins), allow_methods=["GET", "POST"],
                             allow_headers=["Content-Type"])] if allow_origins else []  # fmt: skip
    return Starlette(routes=routes, middleware=middleware)


async def _body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None past `limit` bytes, whether announced or streamed (the rest is never read)."""
    announced = request.headers.get("content-length")
    if announced is not None and (not announced.isdigit() or int(announced) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _refusal(exc: DeaiGovError) -> JSONResponse:
    if isinstance(exc, RelayLimitReached):
        status = 429
    elif isinstance(exc, InputError | TransactionError):
        status = 422
    elif isinstance(exc, ChainError):
        status = 503
    else:
        log.warning("relay failed: %s", exc)
        status = 500
    return _refused(status, str(exc))


def _refused(status: int, message: str) -> JSONResponse:
    return _answer(status, {"ok": False, "error": message})


def _answer(status: int, data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=HEADERS)
