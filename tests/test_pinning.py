"""Remote pinning (`deai_gov.ipfs.pinning`) against npm `mock-ipfs-pinning-service`, which checks every request
and answer against the IPFS Pinning Service API's OpenAPI document: add, follow, list, remove, and the errors a
service can give, with the access token never in a message."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
import requests

from deai_gov.errors import StoreError
from deai_gov.ipfs.blockcid import to_text
from deai_gov.ipfs.importer import import_bytes
from deai_gov.ipfs.pinning import PinningService, wait_until_pinned
from deai_gov.ipfs.stores import EmbeddedStore
from deai_gov.workflows.proposing import PinRequest, publish_version

from .conftest import PINNING_TOKEN

CONTRIBUTOR = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"


def cid_of(text: str) -> str:
    return to_text(import_bytes(text.encode(), lambda cid, block: None).cid)


@pytest.fixture
def service(pinning_service_url: str) -> PinningService:
    return PinningService("mock", pinning_service_url, PINNING_TOKEN, timeout=10)


def move_to(url: str, cid: str, status: str, after: float = 0.3) -> threading.Thread:
    """The service progressing on its own: the mock derives a pin's status from a name starting `<status>-`."""

    def later() -> None:
        time.sleep(after)
        headers = {"Authorization": f"Bearer {PINNING_TOKEN}"}
        requests.post(f"{url}/pins", json={"cid": cid, "name": f"{status}-by-the-service"}, headers=headers, timeout=5)

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread


def test_a_pin_is_requested_listed_and_removed(service: PinningService) -> None:
    cid = cid_of("weights v1")
    asked = service.add(cid, name="acme/vision@1 artifact", origins=["/dns4/node.example/tcp/4001"], meta={"v": "1"})
    assert (asked.cid, asked.status, asked.name) == (cid, "queued", "acme/vision@1 artifact") and asked.requestid
    assert service.get(asked.requestid) == asked
    assert [s.requestid for s in service.list(cids=[cid])] == [asked.requestid]
    service.remove(asked.requestid)
    assert service.list(cids=[cid]) == []


def test_waiting_follows_the_request_until_pinned(service: PinningService, pinning_service_url: str) -> None:
    cid = cid_of("weights v2")
    asked = service.add(cid, name="acme/vision@2 artifact")
    changes: list[str] = []
    move_to(pinning_service_url, cid, "pinned")
    [done] = wait_until_pinned(service, [asked], timeout=10, poll=0.1, on_change=lambda s: changes.append(s.status))
    assert done.status == "pinned" and changes == ["pinned"]


def test_a_version_is_published_then_pinned_before_it_is_proposed(
    service: PinningService, pinning_service_url: str, tmp_path: Path
) -> None:
    """`publish_version` with a pin request: the blocks are stored, then both CIDs pinned and waited for; a dry
    run computes the same CIDs and asks the service nothing."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"pinned weights " * 1000)
    version = {"name": "acme/pinned", "version": 1, "parent": 0, "contributors": [(CONTRIBUTOR, 10_000)]}
    dry = publish_version(None, model, **version, pin=PinRequest(service, [], timeout=10))
    assert dry.pins == () and service.list(cids=[dry.artifact_cid, dry.manifest_cid]) == []
    for cid in (dry.artifact_cid, dry.manifest_cid):
        move_to(pinning_service_url, cid, "pinned", after=0.5)
    heard: list[str] = []
    store = EmbeddedStore(tmp_path / "store")
    found = publish_version(
        store,
        model,
        **version,
        pin=PinRequest(service, ["/ip4/127.0.0.1/tcp/4001"], timeout=20),
        on_pin=lambda status: heard.append(status.status),
    )
    assert (found.artifact_cid, found.manifest_cid) == (dry.artifact_cid, dry.manifest_cid)
    assert [(pin.cid, pin.status) for pin in found.pins] == [
        (found.artifact_cid, "pinned"),
        (found.manifest_cid, "pinned"),
    ]
    assert heard and found.to_json()["pins"][0]["status"] == "pinned"
    store.close()


def test_a_failed_pin_and_a_pin_that_never_comes_are_named(service: PinningService, pinning_service_url: str) -> None:
    failing = service.add(cid_of("weights v3"), name="acme/vision@3 artifact")
    move_to(pinning_service_url, failing.cid, "failed")
    with pytest.raises(StoreError, match=r"failed to pin .* \(acme/vision@3 artifact\)"):
        wait_until_pinned(service, [failing], timeout=10, poll=0.1)
    slow = service.add(cid_of("weights v4"), name="acme/vision@4 artifact")
    with pytest.raises(StoreError, match=r"did not pin everything within 0.3 s \(acme/vision@4 artifact queued\)"):
        wait_until_pinned(service, [slow], timeout=0.3, poll=0.1)


def test_a_wrong_token_is_refused_without_showing_any_token(pinning_service_url: str) -> None:
    wrong = PinningService("mock", pinning_service_url, "wrong-secret-token-123", timeout=10)
    with pytest.raises(StoreError, match=r"refused the access token \(HTTP 401\)") as refused:
        wrong.list()
    assert "wrong-secret-token-123" not in str(refused.value) and "wrong-secret" not in repr(wrong)


def test_an_unknown_request_gets_the_services_reason_on_one_line(service: PinningService) -> None:
    """The service's Failure object (`error.reason`, `error.details`) is reported, its first line only (the mock's
    details hold a stack trace)."""
    with pytest.raises(StoreError, match=r"answered HTTP 404: NotFound") as refused:
        service.get("req-unknown")
    assert "\n" not in str(refused.value)


SPEC = Path(__file__).resolve().parent.parent / "node_modules/mock-ipfs-pinning-service/api/oas-doc.yaml"


def conforms(value: object, schema: dict, document: dict, where: str = "") -> list[str]:  # type: ignore[type-arg]
    """Where `value` breaks an OpenAPI 3.0 schema of `document` (the subset the Pinning Service API uses: $ref,
    type, required, properties, items, enum, maxLength, minItems, maxItems, additionalProperties)."""
    while "$ref" in schema:
        node: object = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]  # type: ignore[index]
        schema = node  # type: ignore[assignment]
    problems: list[str] = []
    kinds = {"string": str, "integer": int, "array": list, "object": dict, "boolean": bool}
    kind = schema.get("type")
    if kind in kinds and not isinstance(value, kinds[kind]):
        return [f"{where or 'value'} is not a {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where} {value!r} is not one of {schema['enum']}")
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        problems.append(f"{where} is longer than {schema['maxLength']}")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            problems.append(f"{where} has {len(value)} items")
        for index, item in enumerate(value):
            problems += conforms(item, schema.get("items", {}), document, f"{where}[{index}]")
    if isinstance(value, dict):
        problems += [f"{where}.{key} is missing" for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            if key in schema.get("properties", {}):
                problems += conforms(item, schema["properties"][key], document, f"{where}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += conforms(item, schema["additionalProperties"], document, f"{where}.{key}")
    return problems


def test_requests_and_answers_conform_to_the_specs_openapi_document(
    service: PinningService, pinning_service_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every body this client sends is a `Pin` of the Pinning Service API's OpenAPI document (as the mock service
    ships it), and the service's answers to the same requests are `PinStatus` and `PinResults`."""
    import yaml

    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    sent: list[object] = []
    real = requests.request

    def recording(method: str, url: str, **kwargs: object) -> requests.Response:
        if kwargs.get("json") is not None:
            sent.append(kwargs["json"])
        return real(method, url, **kwargs)

    monkeypatch.setattr(requests, "request", recording)
    long_name = "acme/" + "x" * 300  # the spec caps names at 255 characters: the client trims
    origins = [f"/dns4/node{i}.example/tcp/4001" for i in range(25)]  # and origins at 20
    asked = service.add(cid_of("conformance"), name=long_name, origins=origins, meta={"model": "acme/x"})
    assert sent and [conforms(body, schemas["Pin"], document) for body in sent] == [[]], sent
    headers = {"Authorization": f"Bearer {PINNING_TOKEN}"}
    status = real("GET", f"{pinning_service_url}/pins/{asked.requestid}", headers=headers, timeout=5).json()
    assert conforms(status, schemas["PinStatus"], document) == []
    listed = real("GET", f"{pinning_service_url}/pins", params={"cid": asked.cid}, headers=headers, timeout=5).json()
    assert conforms(listed, schemas["PinResults"], document) == [] and listed["count"] == 1
    service.remove(asked.requestid)


def test_an_unreachable_service_is_named(service: PinningService) -> None:
    from deai_gov.dev.devnet import free_port

    down = PinningService("down", f"http://127.0.0.1:{free_port()}", PINNING_TOKEN, timeout=2)
    with pytest.raises(StoreError, match=r"pinning service down at http://127.0.0.1:\d+ is unreachable"):
        down.list()


# ------------------------------------------------------------------ the devnet's own service, which really pins


@pytest.fixture
def local_service(ipfs_node, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`deai_gov.dev.pinservice` in this process, pinning on the session's js-ipfs node; a client of it; its URL."""
    from deai_gov.dev.pinservice import PinRequests, make_server

    requests_ = PinRequests(ipfs_node.api_url, tmp_path / "pins.json", pin_timeout=3).start()
    server = make_server(requests_, "local-token")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield PinningService("local", url, "local-token", timeout=10), url, ipfs_node
    finally:
        server.shutdown()
        server.server_close()
        requests_.stop()


def test_the_devnet_pinning_service_pins_on_its_node_and_answers_as_the_spec_says(local_service) -> None:  # type: ignore[no-untyped-def]
    """The service the docs pointed to (npm's mock) never reaches `pinned`; the devnet's does, on its IPFS node.
    A CID the offline node cannot fetch fails with the node's reason; every answer conforms to the spec's
    OpenAPI document; a wrong token is refused."""
    import yaml

    from deai_gov.ipfs.stores import NodeStore

    service, url, node = local_service
    store = NodeStore(node.api_url, timeout=30)
    cid = to_text(store.import_dag(lambda sink: import_bytes(b"pinned for real " + os.urandom(8), sink).cid))
    asked = service.add(cid, name="acme/tiny@1 artifact", origins=[], meta={"model": "acme/tiny"})
    assert asked.status in ("queued", "pinning", "pinned")
    [done] = wait_until_pinned(service, [asked], timeout=30, poll=0.2)
    assert done.status == "pinned" and done.requestid == asked.requestid
    from deai_gov.ipfs.blockcid import from_text

    pinned = {to_text(from_text(key)) for key in store.client().pin.ls(type="recursive")["Keys"]}  # js-ipfs: base58
    assert cid in pinned

    missing = cid_of("on no node at all " + os.urandom(8).hex())
    lost = service.add(missing, name="nowhere")
    with pytest.raises(StoreError, match=r"local failed to pin .*: IPFS node .* (did not deliver|does not have)"):
        wait_until_pinned(service, [lost], timeout=30, poll=0.2)

    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    headers = {"Authorization": "Bearer local-token"}
    status = requests.get(f"{url}/pins/{asked.requestid}", headers=headers, timeout=5).json()
    assert conforms(status, schemas["PinStatus"], document) == []
    listed = requests.get(f"{url}/pins", params={"status": "pinned,failed"}, headers=headers, timeout=5).json()
    assert conforms(listed, schemas["PinResults"], document) == [] and listed["count"] == 2
    assert [s.requestid for s in service.list(cids=[cid])] == [asked.requestid]
    refused = requests.get(f"{url}/pins", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert refused.status_code == 401 and conforms(refused.json(), schemas["Failure"], document) == []
    service.remove(asked.requestid)
    assert service.list(cids=[cid]) == []


def test_the_devnet_pinning_service_refuses_hostile_requests_in_one_line(local_service) -> None:  # type: ignore[no-untyped-def]
    """Requests come from any local client: a body too large or nested too deep, no CID, an overlong name, too many
    origins, or a wrong path are each a 4xx with the spec's Failure, and nothing is queued."""
    _, url, _ = local_service
    headers = {"Authorization": "Bearer local-token"}
    cid = cid_of("hostile")
    bodies = [
        b"[" * 100_000,
        b"not json",
        b'{"cid": "bafy-not-a-cid"}',
        b'{"name": "no cid"}',
        json.dumps({"cid": cid, "name": "x" * 256}).encode(),
        json.dumps({"cid": cid, "origins": ["/ip4/1.2.3.4"] * 21}).encode(),
        json.dumps({"cid": cid, "meta": {"k": 1}}).encode(),
    ]
    for body in bodies:
        answer = requests.post(f"{url}/pins", data=body, headers=headers, timeout=10)
        assert answer.status_code == 400 and answer.json()["error"]["reason"] == "BAD_REQUEST", body[:40]
    too_large = requests.post(f"{url}/pins", data=b" " * (2 << 20), headers=headers, timeout=10)
    assert too_large.status_code == 400 and "too large" in too_large.json()["error"]["details"]
    assert requests.get(f"{url}/elsewhere", headers=headers, timeout=5).status_code == 404
    assert requests.delete(f"{url}/pins", headers=headers, timeout=5).status_code == 404
    listed = requests.get(f"{url}/pins", params={"status": "queued,pinning,pinned,failed"}, headers=headers, timeout=5)
    assert listed.json()["count"] == 0
