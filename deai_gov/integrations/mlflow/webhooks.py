"""MLflow's webhooks received: each delivery's HMAC signature and timestamp verified, and a draft proposal written
for a new model version, for a maintainer to review and send. Nothing is ever sent from here.

MLflow (3.3+) signs a delivery with the webhook's secret: `X-MLflow-Signature: v1,<base64 HMAC-SHA256(secret,
"{delivery id}.{timestamp}.{raw body}")>`, with `X-MLflow-Delivery-Id` and `X-MLflow-Timestamp` (unix seconds).
A delivery is accepted only with a valid signature, a timestamp within `max_age` of now, and a delivery id not seen
before (a replay is refused). Its body is hostile input even then: size-bounded, parsed with a nesting limit, and
its version is looked up on the tracking server before anything is drafted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ... import parsing
from ...errors import DeaiGovError, InputError
from .client import MlflowClient

MAX_BODY = 1024 * 1024
#: The events that draft a proposal: a new version, and an alias set on one (MLflow's REST names, upper-case).
DRAFTED = {("MODEL_VERSION", "CREATED"), ("MODEL_VERSION_ALIAS", "CREATED")}


@dataclass(frozen=True)
class Delivery:
    """A verified delivery: its id, MLflow's event (entity, action, upper-case as its REST API names them) and the
    event's data."""

    delivery_id: str
    entity: str
    action: str
    data: dict[str, Any]


def verify_delivery(
    secret: bytes, headers: Mapping[str, str], body: bytes, *, now: float | None = None, max_age: int = 300
) -> Delivery:
    """The delivery if its signature is the webhook secret's HMAC over it and its timestamp is recent; else
    InputError naming the check that failed. (A replay is the listener's to refuse: it remembers ids.)"""
    lowered = {key.lower(): value for key, value in headers.items()}  # header names are case-insensitive
    delivery_id = lowered.get("x-mlflow-delivery-id", "")
    stamp = lowered.get("x-mlflow-timestamp", "")
    signature = lowered.get("x-mlflow-signature", "")
    if not delivery_id or not stamp or not signature:
        raise InputError("the delivery is not signed (no X-MLflow-Delivery-Id, -Timestamp or -Signature)")
    if len(body) > MAX_BODY:
        raise InputError(f"the delivery is larger than {MAX_BODY:,} bytes")
    version, _, given = signature.partition(",")
    try:
        expected = hmac.new(secret, f"{delivery_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        valid = version == "v1" and hmac.compare_digest(base64.b64decode(given, validate=True), expected)
    except (ValueError, UnicodeEncodeError):
        valid = False
    if not valid:
        raise InputError("the delivery's signature is not the webhook secret's (X-MLflow-Signature)")
    if not (stamp.isascii() and stamp.isdigit()) or abs((now or time.time()) - int(stamp)) > max_age:
        raise InputError(f"the delivery's timestamp is not within {max_age} s of now: a replay, or a clock off")
    try:
        payload = parsing.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InputError("the delivery is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise InputError("the delivery is not an MLflow event (entity, action, data)")
    entity, action = str(payload.get("entity", "")).upper(), str(payload.get("action", "")).upper()
    return Delivery(delivery_id, entity, action, payload["data"])  # MLflow writes them lower-case in deliveries


@dataclass(frozen=True)
class Draft:
    """A proposal drafted from a delivery: which MLflow version, for which DAO model, and the command that proposes
    it once a maintainer has reviewed it."""

    dao_model: str
    mlflow_model: str
    mlflow_version: str
    run_id: str
    server: str
    delivery_id: str
    event: str
    command: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "dao_model": self.dao_model,
            "mlflow_model": self.mlflow_model,
            "mlflow_version": self.mlflow_version,
            "run_id": self.run_id,
            "server": self.server,
            "delivery_id": self.delivery_id,
            "event": self.event,
            "command": self.command,
        }


def draft_for(delivery: Delivery, client: MlflowClient, names: Mapping[str, str]) -> Draft | None:
    """The draft a delivery calls for: a new version (or an alias set on one) of an MLflow model that `names` maps
    to a DAO model, as the tracking server describes it (the delivery's own data is not trusted for it); None for
    any other event or model."""
    if (delivery.entity, delivery.action) not in DRAFTED:
        return None
    mlflow_model, number = str(delivery.data.get("name", "")), str(delivery.data.get("version", ""))
    dao_model = names.get(mlflow_model)
    if dao_model is None or not number.isdigit():
        return None
    version = client.model_version(mlflow_model, number)  # what the server says, not what the delivery says
    command = ["deai-gov", "mlflow", "propose", f"models:/{version.name}/{version.version}", "--tracking-uri",
               client.uri, "--name", dao_model]  # fmt: skip
    event = f"{delivery.entity.lower()}.{delivery.action.lower()}"
    return Draft(dao_model, version.name, version.version, version.run_id, client.uri, delivery.delivery_id, event,
                 command)  # fmt: skip


def write_draft(folder: Path, draft: Draft) -> Path:
    """The draft written to `folder` as `ORG-NAME-from-MODEL-vN.json` (replaced whole, never half-written); an
    existing draft of the same version is kept as it is."""
    path = folder / f"{draft.dao_model.replace('/', '-')}-from-{_safe(draft.mlflow_model)}-v{draft.mlflow_version}.json"
    if path.exists():
        return path
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}-{threading.get_ident()}")
    partial.write_text(json.dumps(draft.to_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100]


class Listener(ThreadingHTTPServer):
    """An HTTP server that takes MLflow's deliveries on any path (POST), verifies them, and writes a draft for each
    new version; `on_result` is told of each delivery handled: (status, what happened, the draft's path or None)."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        secret: bytes,
        client: MlflowClient,
        names: Mapping[str, str],
        folder: Path,
        max_age: int = 300,
        on_result: Callable[[int, str, Path | None], None] | None = None,
    ):
        super().__init__(address, _Handler)
        self.secret, self.client, self.names, self.folder, self.max_age = secret, client, names, folder, max_age
        self.on_result = on_result or (lambda status, said, path: None)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def handle_delivery(self, headers: Mapping[str, str], body: bytes) -> tuple[int, str, Path | None]:
        """(HTTP status, what happened in words, the draft written or None) for one delivery."""
        try:
            delivery = verify_delivery(self.secret, headers, body, max_age=self.max_age)
        except InputError as refused:
            return 401, f"refused: {refused}", None
        with self._lock:
            if delivery.delivery_id in self._seen:
                return 409, f"refused: delivery {delivery.delivery_id[:40]} was received before (a replay)", None
            self._seen[delivery.delivery_id] = None
            while len(self._seen) > 10_000:
                self._seen.popitem(last=False)
        try:
            draft = draft_for(delivery, self.client, self.names)
        except DeaiGovError as exc:
            return 502, f"not drafted: {exc}", None
        if draft is None:
            return 200, f"ignored: {delivery.entity.lower()}.{delivery.action.lower()} drafts nothing here", None
        path = write_draft(self.folder, draft)
        return 200, f"drafted {draft.dao_model} from {draft.mlflow_model} version {draft.mlflow_version}", path


class _Handler(BaseHTTPRequestHandler):
    server: Listener

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._answer(413 if length.isdigit() else 411, "refused: the delivery's length is missing or too large")
            return
        body = self.rfile.read(int(length))
        headers = {key: value for key, value in self.headers.items()}
        status, said, path = self.server.handle_delivery(headers, body)
        self.server.on_result(status, said, path)
        self._answer(status, said)

    def _answer(self, status: int, said: str) -> None:
        data = json.dumps({"result": said}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:  # the CLI says what happened, once per delivery
        pass
