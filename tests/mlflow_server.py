"""A real MLflow tracking server (mlflow 3.17.2, from its own environment: tools/install-mlflow-server) on a free
loopback port, with a SQLite registry and proxied artifacts in a folder of the test's, stopped by the test; and
what an ML team does with it (a run, its files, a registered version), through the documented REST API."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from deai_gov.dev.devnet import free_port

ROOT = Path(__file__).resolve().parent.parent
#: Fixed, so that the server's workers agree on webhook secrets (MLflow encrypts them with it).
WEBHOOK_ENCRYPTION_KEY = "o1VQ2o9T7sYqI8m2cJ2m5iS7cQk8rJ3p1x8n7lZ5v0Q="


def mlflow_command() -> str:
    """The server's `mlflow` command, installed first if it is not yet."""
    done = subprocess.run([str(ROOT / "tools" / "install-mlflow-server")], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


class MlflowServer:
    """`with MlflowServer(folder) as server:` a running tracking server at `server.url`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> MlflowServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = os.environ | {
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",  # no job workers: nothing here runs jobs
            "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http",  # webhooks to the test's listener on loopback
            "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
            "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": WEBHOOK_ENCRYPTION_KEY,
            "MLFLOW_WEBHOOK_CACHE_TTL": "1",  # a webhook a test creates is delivered to within a second
        }
        command = [
            mlflow_command(), "server",
            "--backend-store-uri", f"sqlite:///{self.folder / 'mlflow.db'}",
            "--default-artifact-root", "mlflow-artifacts:/",
            "--artifacts-destination", str(self.folder / "artifacts"),
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
        ]  # fmt: skip
        log = (self.folder / "server.log").open("wb")
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{self.url}/health", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(
                    f"the MLflow server did not start: {(self.folder / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its uvicorn worker
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    # ------------------------------------------------------------------ what an ML team does, over REST

    def call(self, method: str, endpoint: str, **body: Any) -> dict[str, Any]:
        answer = requests.request(method, f"{self.url}/api/2.0/mlflow/{endpoint}", json=body or None, timeout=30)
        assert answer.ok, (endpoint, answer.status_code, answer.text)
        return answer.json() if answer.content.strip() else {}

    def log_model(self, name: str, files: dict[str, bytes]) -> str:
        """A run with `files` logged under `model/`, registered as a new version of `name`; its version number."""
        run = self.call("POST", "runs/create", experiment_id="0")["run"]["info"]["run_id"]
        for path, data in files.items():
            url = f"{self.url}/api/2.0/mlflow-artifacts/artifacts/0/{run}/artifacts/model/{path}"
            assert requests.put(url, data=data, timeout=30).ok
        if not requests.get(f"{self.url}/api/2.0/mlflow/registered-models/get", params={"name": name}, timeout=30).ok:
            self.call("POST", "registered-models/create", name=name)
        version = self.call(
            "POST", "model-versions/create", name=name, source=f"mlflow-artifacts:/0/{run}/artifacts/model", run_id=run
        )
        return str(version["model_version"]["version"])

    def version(self, name: str, version: str) -> dict[str, Any]:
        found = requests.get(
            f"{self.url}/api/2.0/mlflow/model-versions/get", params={"name": name, "version": version}, timeout=30
        )
        assert found.ok, found.text
        return dict(found.json()["model_version"])
