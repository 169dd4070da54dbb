"""Pulls through a trustless gateway: one CAR stream against one plain HTTP download of the same bytes.

    python benchmarks/gateway.py [--mib 256] [--delays 0,20,50] [--json]

A file of random bytes is published (default profile) to an embedded store, which a spec-following gateway on
127.0.0.1 serves (tests/gateway.py: `?format=car` streams in depth-first order, `?format=raw` blocks), each answer
held back by the given delay (a distant gateway); it streams each CAR from a file it writes the first time (as
production gateways cache them), asked for once before the clock starts. For each delay, in the same run:

- **download + sha256 (reference)**: one HTTP request for the file's bytes, hashed as they arrive: the ceiling for
  any verified transfer over one connection;
- **verify (CAR stream)**: `content.verify` through the gateway: the manifest block by block, the artifact as
  one CAR, every block verified as it streams, every file's sha256 checked; the same transfer and checks as a
  pull, without writing the files. Goals: >= 0.7x the reference at 0 ms, >= 0.5x at 20 ms;
- **pull (CAR stream)**: `content.pull`, the same and the files written (this disk's write speed shows here);
- **verify (raw blocks only)**: from a gateway that refuses CARs, block by block (reported, no goal).

Each is run `--repeat` times (the reference too) and the fastest run counts, as timeit does: what is measured
is the code, not what else the machine was doing. Each runs in a fresh interpreter (its libraries imported
before the clock starts), whose peak resident memory (interpreter included) must stay < 150 MB. The exit status
is 0 even when a goal fails; failures are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from runner import run_benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {0: 0.7, 20: 0.5}
GOAL_PEAK_MB = 150

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
import dag_cbor, multiformats, requests, urllib3  # loaded lazily by the library: start-up time, not transfer
from deai_gov.ipfs.content import pull, verify
from deai_gov.ipfs.stores import GatewaySource
op, url, artifact, manifest, out = sys.argv[1:6]
started = time.perf_counter()
if op == "pull":
    report = pull([GatewaySource(url)], artifact, manifest, Path(out))
else:
    report = verify([GatewaySource(url)], artifact, manifest)
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "bytes": report.size, "streams": [s.blocks for s in report.streams]}}))
"""


def in_child(op: str, url: str, artifact: str, manifest: str, out: Path) -> dict[str, Any]:
    """`verify` or `pull` through the gateway at `url`, in a fresh interpreter: its time and peak memory."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT)), op, url, artifact, manifest, str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the pull failed:\n{done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@contextlib.contextmanager
def file_server(path: Path, delay: float) -> Iterator[str]:
    """Serve `path`'s bytes at any URL, streamed, after `delay` seconds: the reference download."""
    from tests.gateway import serve_http

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Length", str(path.stat().st_size))
            self.end_headers()
            with path.open("rb") as source, contextlib.suppress(OSError):
                while chunk := source.read(1024 * 1024):
                    self.wfile.write(chunk)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        yield url


def warm_up(url: str, root: str) -> None:
    """Ask for the CAR once, so the gateway has it cached (its own DAG walk is not what is measured)."""
    import requests

    headers = {"Accept": "application/vnd.ipld.car; version=1; order=dfs; dups=y"}
    with requests.get(f"{url}/ipfs/{root}?format=car&dag-scope=all", headers=headers, stream=True, timeout=120) as r:
        for _ in r.iter_content(1024 * 1024):
            pass


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def download_and_hash(url: str) -> tuple[float, str]:
    import requests

    started = time.perf_counter()
    digest = hashlib.sha256()
    with requests.get(url, stream=True, timeout=60) as response:
        for chunk in response.iter_content(1024 * 1024):
            digest.update(chunk)
    return time.perf_counter() - started, digest.hexdigest()


def run(args: argparse.Namespace) -> dict[str, Any]:
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.ipfs.stores import EmbeddedStore
    from tests.gateway import serve_trustless_gateway

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="deai-gov-gateway-", dir=os.environ.get("BENCH_DIR")) as scratch:
        work = Path(scratch)
        data = work / "weights.bin"
        with data.open("wb") as out:
            for _ in range(args.mib):
                out.write(os.urandom(1024 * 1024))
        store = EmbeddedStore(work / "store")
        contributors = [Contributor("0x" + "11" * 20, 10_000)]
        version = publish(data, store, name="bench/gateway", version=1, contributors=contributors)
        expected = file_sha256(data)  # streamed: a child process starts with its parent's peak memory (Linux)
        for delay_ms in args.delays:
            delay = delay_ms / 1000
            print(f"  {delay_ms} ms a request", file=sys.stderr, flush=True)
            with file_server(data, delay) as url:
                timed = [download_and_hash(url) for _ in range(args.repeat)]
            if any(digest != expected for _, digest in timed):
                raise RuntimeError("the reference download hashed to something else")
            reference = min(seconds for seconds, _ in timed)
            row: dict[str, Any] = {"delay_ms": delay_ms, "reference_seconds": round(reference, 3)}
            for mode, op, car in (("car", "verify", True), ("car_pull", "pull", True), ("raw", "verify", False)):
                if mode == "raw" and delay_ms > args.raw_max_delay:
                    continue
                with serve_trustless_gateway(store, car=car, delay=delay, car_cache=work) as gateway:
                    if car:  # the gateway builds its CAR once, before the clock starts (gateways cache them)
                        warm_up(gateway.url, version.artifact_cid)
                    runs = []
                    for attempt in range(args.repeat if mode != "raw" else 1):
                        out = work / f"out-{delay_ms}-{mode}-{attempt}"
                        before = gateway.raw_requests + gateway.car_requests
                        runs.append(in_child(op, gateway.url, version.artifact_cid, version.manifest_cid, out))
                        requests_made = gateway.raw_requests + gateway.car_requests - before
                        with contextlib.suppress(OSError):
                            (out / "weights.bin").unlink()
                pulled = min(runs, key=lambda run: float(run["seconds"]))
                pulled["peak_mb"] = max(run["peak_mb"] for run in runs)
                row[mode] = {
                    "seconds": round(pulled["seconds"], 3),
                    "ratio": round(reference / pulled["seconds"], 3),
                    "peak_mb": round(pulled["peak_mb"], 1),
                    "requests": requests_made,
                }
            goal = GOALS.get(delay_ms)
            row["goal"] = goal
            row["pass"] = (goal is None or row["car"]["ratio"] >= goal) and row["car"]["peak_mb"] < GOAL_PEAK_MB
            rows.append(row)
    return {
        "mib": args.mib,
        "rows": rows,
        "goals_met": all(r["pass"] for r in rows),
        "failed": [f"{r['delay_ms']} ms" for r in rows if not r["pass"]],
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"Pull of {report['mib']} MiB through a loopback trustless gateway, against one download + sha256\n")
    print(f"{'delay':>6}  {'reference':>9}  {'CAR verify':>10} {'ratio':>6} {'peak':>8} {'reqs':>5}  goal         "
          f"{'CAR pull':>9} {'ratio':>6}  {'raw verify':>10} {'ratio':>6} {'reqs':>5}")  # fmt: skip
    for row in report["rows"]:
        car, pulled, raw = row["car"], row["car_pull"], row.get("raw")
        goal = f">={row['goal']:.1f}x" if row["goal"] else "  -   "
        verdict = "PASS" if row["pass"] else "FAIL"
        raw_text = f"{raw['seconds']:>9.2f}s {raw['ratio']:>5.2f}x {raw['requests']:>5}" if raw else "   (skipped)"
        print(
            f"{row['delay_ms']:>4} ms  {row['reference_seconds']:>8.2f}s  {car['seconds']:>9.2f}s "
            f"{car['ratio']:>5.2f}x {car['peak_mb']:>5.0f} MB {car['requests']:>5}  {goal} {verdict}  "
            f"{pulled['seconds']:>8.2f}s {pulled['ratio']:>5.2f}x  {raw_text}"
        )
    verdict = "all goals met" if report["goals_met"] else "FAILED: " + ", ".join(report["failed"])
    print(f"\n{verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=256, help="file size in MiB (default 256)")
    parser.add_argument(
        "--delays", type=lambda text: [int(d) for d in text.split(",")], default=[0, 20, 50], help="ms, e.g. 0,20,50"
    )
    parser.add_argument(
        "--raw-max-delay", type=int, default=20, help="skip the raw-block pull above this delay (it is slow)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement, the fastest kept (default 3; raw: 1)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_benchmark(None, parse_args, run, print_report))
