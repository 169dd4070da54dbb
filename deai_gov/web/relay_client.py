"""Handing signed votes and delegations to a relayer over HTTP (`proposal relay --relayer URL`)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError, RelayLimitReached, ServiceError

PATHS = {"vote": "/v1/votes", "delegation": "/v1/delegations"}
#: A relayer's answer is a receipt or a sentence: anything longer is refused unread past this.
MAX_ANSWER = 64 * 1024


def submit(relayer_url: str, kind: str, data: dict[str, Any], *, timeout: float = 60.0) -> dict[str, Any]:
    """Post a signed vote or delegation to the relayer at `relayer_url`; its receipt (`RelayReceipt.to_json`).

    Raises:
        InputError: The relayer refused it (its reason, in its words).
        RelayLimitReached: Its budget or rate refuses it for now.
        ServiceError: It could not be reached, or did not answer as a relayer does.
    """
    import requests
    from urllib3.exceptions import HTTPError

    from ..parsing import loads

    url = relayer_url.rstrip("/") + PATHS[kind]
    try:
        with requests.post(url, json=data, timeout=timeout, stream=True) as answer:
            raw = answer.raw.read(MAX_ANSWER + 1, decode_content=True)
    except (requests.RequestException, HTTPError) as exc:  # urllib3's own while the body is read
        raise ServiceError(f"cannot reach the relayer at {relayer_url}: {type(exc).__name__}") from None
    if len(raw) > MAX_ANSWER:
        raise ServiceError(f"{relayer_url} answered over {MAX_ANSWER:,} bytes, not as a deai-gov relayer does")
    try:
        body = loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
        raise ServiceError(f"{relayer_url} answered HTTP {answer.status_code}, not as a deai-gov relayer does")
    if body["ok"] and isinstance(body.get("receipt"), dict):
        return dict(body["receipt"])
    reason = str(body.get("error", "no reason given"))[:300]
    if answer.status_code == 429:
        raise RelayLimitReached(f"the relayer refuses it for now: {reason}")
    if answer.status_code >= 500:
        raise ServiceError(f"the relayer failed: {reason}")
    raise InputError(f"the relayer refused it: {reason}")
