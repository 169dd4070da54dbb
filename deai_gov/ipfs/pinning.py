"""Remote pinning with the IPFS Pinning Service API (ipfs/pinning-services-api-spec, `ipfs-pinning-service.yaml`),
which Pinata, Filebase and others implement: ask a service to keep a CID, follow the request until it is
`pinned` (or `failed`), list and remove requests.

A service is a peer like any other: its answers are bounded in size and checked in shape, and its errors are
reported in its own words (`error.reason`, `error.details`). The access token goes only into the `Authorization`
header; no message ever holds it.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .. import parsing
from ..errors import InputError, StoreError

STATUSES = ("queued", "pinning", "pinned", "failed")
#: Larger answers are refused unread: a list page of 1,000 pins fits easily.
MAX_ANSWER = 8 * 1024 * 1024
PAGE = 1000


@dataclass(frozen=True)
class PinStatus:
    """A pin request as the service reports it."""

    requestid: str
    status: str
    cid: str
    name: str
    created: str
    delegates: list[str] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "requestid": self.requestid,
            "status": self.status,
            "cid": self.cid,
            "name": self.name,
            "created": self.created,
        }


class PinningService:
    """One pinning service endpoint (e.g. `https://api.pinata.cloud/psa`) and its access token."""

    def __init__(self, name: str, endpoint: str, token: str, *, timeout: float = 30.0):
        self.name = f"pinning service {name}"
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self.timeout = timeout
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise InputError(f"{self.name}: {endpoint!r} is not an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            # the token would cross the network in clear text, to anyone on the path
            raise InputError(
                f"{self.name}: {parts.hostname} is reached over plain http, which would send the access token in "
                "clear text",
                hint="use its https:// endpoint (plain http is for a service on this machine only)",
            )

    def __repr__(self) -> str:  # never the token
        return f"PinningService({self.name!r}, {self.endpoint!r})"

    def add(
        self, cid: str, *, name: str = "", origins: Iterable[str] = (), meta: dict[str, str] | None = None
    ) -> PinStatus:
        """Ask the service to pin `cid` (`POST /pins`); `origins` are multiaddrs of nodes that have the blocks."""
        pin: dict[str, Any] = {"cid": cid}
        if name:
            pin["name"] = name[:255]
        if origins:
            pin["origins"] = list(origins)[:20]
        if meta:
            pin["meta"] = meta
        return self._status(self._request("POST", "/pins", body=pin), cid)

    def get(self, requestid: str) -> PinStatus:
        """A pin request's current status (`GET /pins/{requestid}`)."""
        return self._status(self._request("GET", f"/pins/{_path_safe(requestid)}"))

    def list(self, *, cids: Iterable[str] = (), name: str | None = None) -> list[PinStatus]:
        """Every pin request, of any status, newest first; only those of `cids` (or named `name`) when given.
        Pages are followed (`before` the oldest `created` of the last page)."""
        params: dict[str, str] = {"status": ",".join(STATUSES), "limit": str(PAGE)}
        wanted = list(cids)
        if wanted:
            params["cid"] = ",".join(wanted)
        if name:
            params["name"] = name
        found: list[PinStatus] = []
        for _ in range(1000):  # a service that pages forever is cut off
            answer = self._request("GET", "/pins", params=params)
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list):
                raise StoreError(f"{self.name} answered a pin list without results")
            page = [self._status(item) for item in results]
            found += page
            count = answer.get("count")
            if not page or not isinstance(count, int) or count <= len(page):
                return found
            params["before"] = min(p.created for p in page)
        raise StoreError(f"{self.name} keeps paging its pin list; stopped")

    def remove(self, requestid: str) -> None:
        """Remove a pin request (`DELETE /pins/{requestid}`)."""
        self._request("DELETE", f"/pins/{_path_safe(requestid)}")

    def _request(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None) -> Any:
        import requests

        try:
            with requests.request(
                method,
                self.endpoint + path,
                json=body,
                params=params,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=self.timeout,
                stream=True,
            ) as response:
                raw = response.raw.read(MAX_ANSWER + 1, decode_content=True)
                status = response.status_code
        except (requests.RequestException, OSError) as exc:
            raise StoreError(f"{self.name} at {self.endpoint} is unreachable: {type(exc).__name__}") from None
        if len(raw) > MAX_ANSWER:
            raise StoreError(f"{self.name} answered more than {MAX_ANSWER:,} bytes; refused")
        if self._token:  # a service that echoes the request's headers must not get the token printed
            raw = raw.replace(self._token.encode(), b"[token]")
        if status == 401:
            raise StoreError(f"{self.name} refused the access token (HTTP 401): check the token it was given")
        if status >= 400:
            raise StoreError(f"{self.name} answered HTTP {status}: {_reason(raw)}")
        if not raw:
            return None
        try:
            return parsing.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser goes
            raise StoreError(f"{self.name} answered something that is not JSON (HTTP {status})") from None

    def _status(self, item: Any, cid: str | None = None) -> PinStatus:
        """A PinStatus from an answer, checked in shape (and for the CID asked, when given)."""
        try:
            pin = item["pin"]
            found = PinStatus(
                requestid=_text(item["requestid"], 512),
                status=item["status"],
                cid=_text(pin["cid"], 512),
                name=_text(pin.get("name") or "", 255),
                created=_text(item["created"], 64),
                delegates=[_text(d, 1024) for d in (item.get("delegates") or [])][:20],
                info={_text(k, 256): _text(v, 4096) for k, v in (item.get("info") or {}).items()},
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            raise StoreError(f"{self.name} answered a pin status this client cannot read") from None
        if found.status not in STATUSES:
            raise StoreError(f"{self.name} reports an unknown pin status {found.status!r}")
        if cid is not None and found.cid != cid:
            raise StoreError(f"{self.name} answered about {found.cid} when asked to pin {cid}")
        return found


def pin_version(
    service: PinningService, name: str, number: int, artifact: str, manifest: str, *, origins: Iterable[str] = ()
) -> list[PinStatus]:
    """Requests for a version's artifact and manifest (named `NAME@V artifact|manifest`, with `origins`). A CID
    pinned again gets a new request (the spec), so a live request (not failed) for the same CID is reused instead:
    asking again duplicates nothing."""
    live = {s.cid: s for s in service.list(cids=[artifact, manifest]) if s.status != "failed"}
    meta = {"model": name, "version": str(number)}
    return [
        live.get(cid) or service.add(cid, name=f"{name}@{number} {role}", origins=list(origins), meta=meta)
        for role, cid in (("artifact", artifact), ("manifest", manifest))
    ]


def wait_until_pinned(
    service: PinningService,
    requests_: list[PinStatus],
    *,
    timeout: float,
    poll: float = 2.0,
    on_change: Callable[[PinStatus], None] | None = None,
) -> list[PinStatus]:
    """Follow pin requests until every one is `pinned`; StoreError when one fails or time runs out (the requests
    stay with the service: `model pins` shows them later)."""
    deadline = time.monotonic() + timeout
    current = {r.requestid: r for r in requests_}
    while True:
        for status in current.values():
            if status.status == "failed":
                details = status.info.get("status_details", "no details given")
                raise StoreError(f"{service.name} failed to pin {status.cid} ({status.name}): {details}")
        waiting = [r for r in current.values() if r.status != "pinned"]
        if not waiting:
            return list(current.values())
        if time.monotonic() > deadline:
            states = ", ".join(f"{r.name or r.cid} {r.status}" for r in waiting)
            raise StoreError(
                f"{service.name} did not pin everything within {timeout:g} s ({states}); the requests stay with "
                "the service"
            )
        time.sleep(poll)
        for request in waiting:
            updated = service.get(request.requestid)
            if updated.status != request.status and on_change:
                on_change(updated)
            current[request.requestid] = updated


def pin_and_wait(
    service: PinningService,
    name: str,
    number: int,
    artifact: str,
    manifest: str,
    *,
    origins: Iterable[str] = (),
    timeout: float | None,
    on_change: Callable[[PinStatus], None] | None = None,
) -> list[PinStatus]:
    """Ask `service` to pin a version's artifact and manifest (`pin_version`), then, unless `timeout` is None,
    follow the requests until both are pinned (`wait_until_pinned`); `on_change` hears of each request when made
    and of every change of status."""
    statuses = pin_version(service, name, number, artifact, manifest, origins=origins)
    for status in statuses:
        if on_change:
            on_change(status)
    if timeout is None:
        return statuses
    return wait_until_pinned(service, statuses, timeout=timeout, on_change=on_change)


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError("not a bounded string")
    return value


def _is_loopback(host: str) -> bool:
    """Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _path_safe(requestid: str) -> str:
    if not requestid or any(c in requestid for c in "/?#%") or len(requestid) > 512:
        raise InputError(f"{requestid!r} is not a pin request id")
    return requestid


def _reason(raw: bytes) -> str:
    """A service's error in its words: `error.reason: error.details` (spec's Failure object), else a short text."""
    try:
        error = parsing.loads(raw)["error"]
        reason, details = _line(error.get("reason", "")), _line(error.get("details", ""))
        return f"{reason}: {details}" if details else reason or "no reason given"
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return _line(raw[:200].decode("utf-8", errors="replace")) or "no reason given"


def _line(value: Any) -> str:
    """The first line of a service's text, at most 200 characters (a stack trace is not a reason)."""
    lines = str(value).strip().splitlines()
    return lines[0][:200] if lines else ""
