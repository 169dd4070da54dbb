"""The MLflow model registry through the CLI, against a real MLflow tracking server (mlflow 3.17.2, its own
environment) and a DAO on anvil: a registered MLflow version is proposed with `mlflow propose` (by number or alias),
its files downloaded through the server's artifact proxy and published with its source in the manifest, then
executed and pulled byte for byte; a server answering wrongly (paths escaping the folder, sizes it does not keep,
not JSON, refusals) is one line and nothing is proposed."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from deai_gov.chain.client import send
from deai_gov.dao import governance as gov
from deai_gov.dev.devnet import Anvil, free_port

from .helpers import carried as carried_by_vote
from .helpers import cli_dao, run_cli
from .mlflow_server import MlflowServer

FILES = {"MLmodel": b"flavors:\n  python_function: {}\n", "model.pkl": b"\x80\x04weights", "data/vocab.txt": b"a\nb\n"}


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    with MlflowServer(tmp_path_factory.mktemp("mlflow")) as running:
        yield running


@pytest.fixture
def dao(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A DAO on anvil, alice's account in this test's home, an embedded store."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return cli_dao(anvil.url, anvil.dev_keys(), tmp_path)


run = run_cli


def cli(d: dict[str, Any], *args: str, sign: bool = False) -> tuple[int, str, str]:
    return run(*d["base"], *(d["signer"] if sign else []), *args)


def carried(d: dict[str, Any], pid: int) -> None:
    carried_by_vote(d["dao"], d["people"], pid)


def test_an_mlflow_version_is_proposed_with_its_source_executed_and_pulled_byte_for_byte(
    mlflow_server: MlflowServer, dao: dict[str, Any], tmp_path: Path
) -> None:
    version = mlflow_server.log_model("vision", FILES)
    run_id = mlflow_server.version("vision", version)["run_id"]
    code, out, err = cli(dao, "--json", "mlflow", "propose", f"models:/vision/{version}", "--tracking-uri",
                         mlflow_server.url, "--name", "acme/vision", sign=True)  # fmt: skip
    assert code == 0, err
    size = sum(len(data) for data in FILES.values())
    assert f"3 files, {size} bytes from MLflow {mlflow_server.url}: vision version {version}, run {run_id}" in err
    proposed = json.loads(out)
    code, out, _ = cli(dao, "proposal", "show", str(proposed["proposal_id"]))
    assert f"    from MLflow {mlflow_server.url}: vision version {version}, run {run_id}" in out
    code, out, _ = cli(dao, "--json", "proposal", "show", str(proposed["proposal_id"]))
    [artifact] = json.loads(out)["artifacts"]
    assert artifact["ok"] and artifact["name"] == "acme/vision" and artifact["version"] == 1
    carried(dao, proposed["proposal_id"])

    pulled = tmp_path / "pulled"
    code, out, err = cli(dao, "--json", "model", "pull", "acme/vision", "--to", str(pulled))
    assert code == 0, err
    assert {str(p.relative_to(pulled)): p.read_bytes() for p in pulled.rglob("*") if p.is_file()} == FILES
    from deai_gov.ipfs.blockcid import from_text
    from deai_gov.ipfs.content import fetch_manifest
    from deai_gov.ipfs.stores import EmbeddedStore

    store = EmbeddedStore(tmp_path / "store")
    manifest = fetch_manifest([store], from_text(json.loads(out)["manifest_cid"]))
    store.close()
    assert manifest.source == {"kind": "mlflow", "server": mlflow_server.url, "model": "vision", "version": version,
                               "run_id": run_id}  # fmt: skip

    # the next MLflow version, named by an alias, is proposed as an upgrade
    newer = mlflow_server.log_model("vision", FILES | {"model.pkl": b"\x80\x04better weights"})
    mlflow_server.call("POST", "registered-models/alias", name="vision", alias="champion", version=newer)
    code, out, err = cli(dao, "--json", "mlflow", "propose", "models:/vision@champion", "--tracking-uri",
                         mlflow_server.url, "--name", "acme/vision", sign=True)  # fmt: skip
    assert code == 0, err
    code, out, _ = cli(dao, "proposal", "show", str(json.loads(out)["proposal_id"]))
    assert "upgrade acme/vision to v2" in out and "available and matches" in out


def test_bad_requests_and_an_unknown_version_are_one_line(mlflow_server: MlflowServer, dao: dict[str, Any]) -> None:
    base = ["mlflow", "propose", "--tracking-uri", mlflow_server.url, "--name", "acme/vision"]
    cases = [
        ([*base, "models:/vision"], 3, "is not an MLflow model URI"),
        ([*base, "runs:/abc/model"], 3, "is not an MLflow model URI"),
        ([*base, "models:/nothing/7"], 7, "answered /api/2.0/mlflow/model-versions/get with HTTP 404: Model Version"),
        (["mlflow", "propose", "models:/vision/1", "--name", "acme/vision", "--tracking-uri", "ftp://x"], 3,
         "is not an MLflow tracking server URL"),
        (["mlflow", "propose", "models:/vision/1", "--name", "acme/vision", "--tracking-uri",
          f"http://127.0.0.1:{free_port()}"], 7, "cannot reach the MLflow server"),
        (["mlflow", "propose", "models:/vision/1", "--name", "Acme/Vision", "--tracking-uri", mlflow_server.url], 3,
         "not a valid model name"),
    ]  # fmt: skip
    for args, want, said in cases:
        code, _, err = cli(dao, *args, sign=True)
        assert code == want and said in err and err.strip().count("\n") == 0, (args, code, err)


class _Hostile(BaseHTTPRequestHandler):
    """An MLflow server that answers what `answers` says, per path."""

    answers: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        status, body = self.answers.get(path, (404, b'{"message": "no"}'))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def hostile_server(answers: dict[str, tuple[int, bytes]]) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Handler", (_Hostile,), {"answers": answers})
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return http, f"http://127.0.0.1:{http.server_address[1]}"


VERSION = json.dumps({"model_version": {"name": "vision", "version": "1", "source": "x", "run_id": "r",
                                        "status": "READY"}}).encode()  # fmt: skip
URI = json.dumps({"artifact_uri": "mlflow-artifacts:/0/r/artifacts/model"}).encode()


@pytest.mark.parametrize(
    ("answers", "said"),
    [
        ({"/api/2.0/mlflow/model-versions/get": (200, b"<html>")}, "with something that is not JSON"),
        ({"/api/2.0/mlflow/model-versions/get": (200, b"[" * 100_000)}, "with something that is not JSON"),
        ({"/api/2.0/mlflow/model-versions/get": (200, b'{"model_version": 5}')}, "described no model version"),
        (
            {"/api/2.0/mlflow/model-versions/get": (200, VERSION.replace(b"READY", b"FAILED_REGISTRATION"))},
            "is FAILED_REGISTRATION in MLflow, not READY",
        ),
        (
            {
                "/api/2.0/mlflow/model-versions/get": (200, VERSION),
                "/api/2.0/mlflow/model-versions/get-download-uri": (
                    200,
                    json.dumps({"artifact_uri": "s3://bucket/model"}).encode(),
                ),
            },
            "outside the server's artifact proxy",
        ),
        (
            {
                "/api/2.0/mlflow/model-versions/get": (200, VERSION),
                "/api/2.0/mlflow/model-versions/get-download-uri": (200, URI),
                "/api/2.0/mlflow-artifacts/artifacts": (
                    200,
                    json.dumps({"files": [{"path": "../../etc/passwd", "is_dir": False, "file_size": 5}]}).encode(),
                ),
            },
            "listed an artifact path deai-gov cannot publish",
        ),
        (
            {
                "/api/2.0/mlflow/model-versions/get": (200, VERSION),
                "/api/2.0/mlflow/model-versions/get-download-uri": (200, URI),
                "/api/2.0/mlflow-artifacts/artifacts": (
                    200,
                    json.dumps({"files": [{"path": "w.bin", "is_dir": False, "file_size": 2}]}).encode(),
                ),
                "/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/model/w.bin": (200, b"more than two bytes"),
            },
            "sent more than 2 bytes for w.bin",
        ),
        ({"/api/2.0/mlflow/model-versions/get": (401, b"{}")}, "refused the credentials"),
    ],
)
def test_a_hostile_server_is_one_line_and_nothing_is_proposed(
    dao: dict[str, Any], answers: dict[str, tuple[int, bytes]], said: str
) -> None:
    http, url = hostile_server(answers)
    try:
        code, out, err = cli(dao, "mlflow", "propose", "models:/vision/1", "--tracking-uri", url, "--name",
                             "acme/vision", sign=True)  # fmt: skip
    finally:
        http.shutdown()
    assert code == 7 and said in err and err.strip().count("\n") == 0, err
    assert gov.list_proposals(dao["dao"]) == [] and out == ""


def test_mlflow_sync_moves_the_alias_with_the_dao_and_refuses_files_that_differ(
    mlflow_server: MlflowServer, dao: dict[str, Any], tmp_path: Path
) -> None:
    """v1 and v2 proposed from MLflow and executed: the alias follows, with the vote's tags; a rollback moves it
    back; MLflow files changed after the vote are refused (the alias removed); a retirement removes it."""
    from deai_gov.dao import registry as reg

    url, cursor = mlflow_server.url, tmp_path / "sync.cursor"

    def proposed(version: str) -> int:
        code, out, err = cli(dao, "--json", "mlflow", "propose", f"models:/sync-me/{version}", "--tracking-uri", url,
                             "--name", "acme/sync-me", sign=True)  # fmt: skip
        assert code == 0, err
        return int(json.loads(out)["proposal_id"])

    def synced() -> list[dict[str, Any]]:
        code, out, err = cli(dao, "--json", "mlflow", "sync", "--tracking-uri", url, "--cursor", str(cursor),
                             "--from", "deployment", "--depth", "0", "--once")  # fmt: skip
        assert code in (0, 6), err
        return [json.loads(line) for line in out.splitlines()]

    def holder() -> str | None:
        found = mlflow_server.call("GET", "registered-models/get", name="sync-me")["registered_model"]
        aliases = {item["alias"]: item["version"] for item in found.get("aliases", [])}
        return aliases.get("dao-approved")

    first = mlflow_server.log_model("sync-me", FILES)
    pid = proposed(first)
    carried(dao, pid)
    [result] = synced()
    assert (result["action"], result["mlflow_version"], holder()) == ("set", first, first), result
    tags = {tag["key"]: tag["value"] for tag in mlflow_server.version("sync-me", first)["tags"]}
    v1 = reg.get_version(dao["dao"], "acme/sync-me", 1)
    assert tags["deai-gov.proposal"] == str(pid) and tags["deai-gov.version"] == "1"
    assert tags["deai-gov.tally"] == "for 700 MDL, against 0 MDL, abstain 0 MDL"
    assert (tags["deai-gov.artifact_cid"], tags["deai-gov.manifest_cid"]) == (v1.artifact_cid, v1.manifest_cid)
    assert synced() == []  # resumed from the cursor: nothing new

    second = mlflow_server.log_model("sync-me", FILES | {"model.pkl": b"\x80\x04v2"})
    carried(dao, proposed(second))
    assert [r["action"] for r in synced()] == ["set"] and holder() == second

    # the guardian suspends the model: the alias goes; lifted, it comes back
    guardian = dao["people"].guardian
    send(dao["dao"].chain, guardian, reg.suspend(dao["dao"], "acme/sync-me", "a bad output reported"))
    assert [r["action"] for r in synced()] == ["removed"] and holder() is None
    send(dao["dao"].chain, guardian, reg.unsuspend(dao["dao"], "acme/sync-me"))
    assert [r["action"] for r in synced()] == ["set"] and holder() == second

    code, out, err = cli(dao, "--json", "model", "propose", "rollback", "acme/sync-me@1", sign=True)
    assert code == 0, err
    rollback = int(json.loads(out)["proposal_id"])
    carried(dao, rollback)
    [result] = synced()
    assert (result["action"], holder()) == ("set", first)
    tags = {tag["key"]: tag["value"] for tag in mlflow_server.version("sync-me", first)["tags"]}
    assert tags["deai-gov.proposal"] == str(rollback)  # the rollback is what made it current

    # v3 proposed, then its files changed in MLflow before the vote executed: refused, the alias removed
    third = mlflow_server.log_model("sync-me", FILES | {"model.pkl": b"\x80\x04v3"})
    pid = proposed(third)
    run_id = mlflow_server.version("sync-me", third)["run_id"]
    import requests

    url_file = f"{url}/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/artifacts/model/model.pkl"
    assert requests.put(url_file, data=b"\x80\x04v4", timeout=30).ok
    carried(dao, pid)
    [result] = synced()
    assert result["action"] == "refused" and "model.pkl changed" in result["detail"] and holder() is None

    code, out, err = cli(dao, "--json", "model", "propose", "retire", "acme/sync-me", "--reason", "done", sign=True)
    assert code == 0, err
    mlflow_server.call("POST", "registered-models/alias", name="sync-me", alias="dao-approved", version=second)
    carried(dao, int(json.loads(out)["proposal_id"]))
    [result] = synced()
    assert (result["action"], holder()) == ("removed", None), result


def test_mlflow_listen_drafts_a_proposal_from_a_signed_webhook_and_refuses_a_bad_one(
    mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    """The listener runs as a user runs it; MLflow itself delivers `model_version.created` to it. A delivery with a
    bad signature, an old timestamp or a replayed id is refused and drafts nothing; a good one drafts a file."""
    import base64
    import hashlib
    import hmac
    import subprocess
    import sys
    import time

    import requests

    secret, drafts, port = "webhook-secret-4f1c", tmp_path / "drafts", free_port()
    (tmp_path / "secret.txt").write_text(secret + "\n")
    command = [sys.executable, "-m", "deai_gov", "mlflow", "listen", "--tracking-uri", mlflow_server.url,
               "--model", "hooked=acme/hooked", "--secret-file", str(tmp_path / "secret.txt"), "--drafts",
               str(drafts), "--port", str(port)]  # fmt: skip
    listener = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env={**os.environ,
                                "DEAI_GOV_HOME": str(tmp_path / "home")})  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        assert "listening for MLflow webhooks" in (listener.stderr.readline() if listener.stderr else "")
        mlflow_server.call("POST", "webhooks", name="deai-gov", url=url, secret=secret,
                           events=[{"entity": "MODEL_VERSION", "action": "CREATED"}])  # fmt: skip

        def post(body: bytes, delivery: str, stamp: int, key: str = secret) -> requests.Response:
            signed = hmac.new(key.encode(), f"{delivery}.{stamp}.".encode() + body, hashlib.sha256).digest()
            headers = {"X-MLflow-Delivery-Id": delivery, "X-MLflow-Timestamp": str(stamp),
                       "X-MLflow-Signature": "v1," + base64.b64encode(signed).decode()}  # fmt: skip
            return requests.post(url, data=body, headers=headers, timeout=30)

        forged = json.dumps(
            {"entity": "MODEL_VERSION", "action": "CREATED", "data": {"name": "hooked", "version": "1"}}
        ).encode()
        assert post(forged, "d-1", int(time.time()), key="not-the-secret").status_code == 401
        assert post(forged, "d-2", int(time.time()) - 3600).status_code == 401  # an old delivery: a replay
        assert requests.post(url, data=forged, timeout=30).status_code == 401  # unsigned
        assert not drafts.exists() or not list(drafts.iterdir())

        time.sleep(1.5)  # the server's cached list of webhooks (MLFLOW_WEBHOOK_CACHE_TTL) now holds this one
        version = mlflow_server.log_model("hooked", FILES)  # MLflow delivers model_version.created itself
        draft = drafts / f"acme-hooked-from-hooked-v{version}.json"
        deadline = time.monotonic() + 60
        while not draft.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        written = json.loads(draft.read_text())
        assert written["command"] == ["deai-gov", "mlflow", "propose", f"models:/hooked/{version}", "--tracking-uri",
                                      mlflow_server.url, "--name", "acme/hooked"]  # fmt: skip
        assert written["event"] == "model_version.created" and written["run_id"]

        # a well-signed delivery is taken once: the same id again is a replay
        body = json.dumps({"entity": "REGISTERED_MODEL", "action": "CREATED", "data": {"name": "x"}}).encode()
        assert post(body, "d-3", int(time.time())).status_code == 200
        assert post(body, "d-3", int(time.time())).status_code == 409
    finally:
        listener.terminate()
        listener.wait(timeout=20)
