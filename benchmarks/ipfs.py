"""Artifact throughput and memory: publish and verify against hashlib sha256 over the same bytes.

    python benchmarks/ipfs.py [--sizes 64,1024] [--node] [--json]

For each size (MiB) a file of random bytes is written once, then in this run:
- reference: hashlib sha256 over the file (1 MiB reads) — the ceiling any content-addressed import meets;
- copy reference: copying the file once (what writing the bytes to any store costs on this disk);
- import: chunking, block CIDs, the DAG and the whole-file sha256, blocks discarded;
- publish: import into a fresh embedded store (chunking, block CIDs, whole-file sha256, block files written);
- verify: read every block back from that store, check it against its CID and every file's sha256;
- with --node: the same publish into a real IPFS node (js-ipfs, started here), and the node's own `add`.
Throughput ratios are reference time / operation time (goal >= 0.7x). Each operation runs in a child process
so its peak resident memory (ru_maxrss) is its own (goal < 150 MB, interpreter and imports included).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 0.7
GOAL_PEAK_MB = 150

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
op, data, store_dir, extra = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
import hashlib
from deai_gov.content import publish, verify
from deai_gov.manifest import Contributor
from deai_gov.stores import EmbeddedStore, NodeStore
import dag_cbor, multiformats  # loaded lazily by the library; loading them is start-up time, not throughput
started = time.perf_counter()  # modules are loaded: only the work is timed
if op == "sha256":
    h = hashlib.sha256()
    with data.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    result = h.hexdigest()
elif op == "copy":
    import shutil
    shutil.copyfile(data, store_dir.with_suffix(".copy"))
    result = store_dir.with_suffix(".copy").stat().st_size
    store_dir.with_suffix(".copy").unlink()
elif op == "import":
    from deai_gov.importer import import_path
    result = import_path(data, lambda cid, block: None).sha256
elif op == "publish":
    store = NodeStore(extra, timeout=600) if extra else EmbeddedStore(store_dir)
    out = publish(data, store, name="bench/model", version=1, contributors=[Contributor("0x" + "11" * 20, 10000)])
    result = [out.artifact_cid, out.manifest_cid]
elif op == "verify":
    artifact, manifest = extra.split(",")
    result = verify([EmbeddedStore(store_dir)], artifact, manifest).size
elif op == "node-add":
    client = NodeStore(extra, timeout=600).client()
    answer = client.add(str(data), cid_version=1, raw_leaves=True, chunker="size-262144", opts={{"cid-base": "base32"}})
    result = answer["Hash"]
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "result": result}}))
"""


def run_child(op: str, data: Path, store: Path, extra: str = "") -> dict[str, Any]:
    """Run one operation in a fresh interpreter; return its time, peak memory and result."""
    code = _CHILD.format(root=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code, op, str(data), str(store), extra], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{op} failed:\n{done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_file(path: Path, mib: int) -> None:
    """Random bytes (incompressible, no repeated chunks), written once per size."""
    with path.open("wb") as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))


def bench_size(mib: int, workdir: Path, node_api: str | None) -> dict[str, Any]:
    data = workdir / f"artifact-{mib}MiB.bin"
    make_file(data, mib)
    reference = run_child("sha256", data, workdir)
    copied = run_child("copy", data, workdir / "copy")
    imported = run_child("import", data, workdir)
    if imported["result"] != reference["result"]:
        raise SystemExit("the importer's file sha256 differs from hashlib's")
    store = workdir / f"store-{mib}"
    published = run_child("publish", data, store)
    artifact, manifest = published["result"]
    verified = run_child("verify", data, store, f"{artifact},{manifest}")
    if verified["result"] != mib << 20:
        raise SystemExit(f"verify checked {verified['result']} bytes, expected {mib << 20}")
    rows = {
        "sha256 (reference)": reference,
        "copy the file (reference)": copied,
        "import (CIDs, DAG, file sha256)": imported,
        "publish (embedded store)": published,
        "verify (embedded store)": verified,
    }
    if node_api:
        rows["publish (real node, CAR import)"] = run_child("publish", data, store, node_api)
        node_add = run_child("node-add", data, store, node_api)
        if node_add["result"] != artifact:
            raise SystemExit(f"the node's own add gave {node_add['result']}, this importer {artifact}")
        rows["node's own add (same parameters)"] = node_add
    data.unlink()
    return {"mib": mib, "artifact_cid": artifact, "rows": rows}


def report(results: list[dict[str, Any]]) -> None:
    for result in results:
        mib = result["mib"]
        reference = result["rows"]["sha256 (reference)"]["seconds"]
        print(f"\n{mib} MiB  (artifact {result['artifact_cid']})")
        print(f"{'operation':<36}{'seconds':>9}{'MiB/s':>9}{'ratio':>8}{'peak MB':>9}  goals")
        for name, row in result["rows"].items():
            ratio = reference / row["seconds"]
            goals = []
            if name.startswith(("import", "publish (embedded", "verify")):
                goals.append(f"ratio {'PASS' if ratio >= GOAL_RATIO else 'FAIL'}")
                goals.append(f"memory {'PASS' if row['peak_mb'] < GOAL_PEAK_MB else 'FAIL'}")
            print(
                f"{name:<36}{row['seconds']:>9.2f}{mib / row['seconds']:>9.0f}{ratio:>7.2f}x"
                f"{row['peak_mb']:>9.0f}  {', '.join(goals)}"
            )
    print(f"\ngoals: throughput >= {GOAL_RATIO}x sha256 over the same bytes, peak memory < {GOAL_PEAK_MB} MB")
    print("publish writes every byte once more: compare it with sha256 plus the copy reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,1024", help="comma-separated sizes in MiB (default 64,1024)")
    parser.add_argument("--node", action="store_true", help="also publish through a real IPFS node started here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="deai-gov-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        if args.node:
            sys.path.insert(0, str(ROOT))
            from deai_gov.ipfsnode import IpfsNode

            with IpfsNode() as node:
                results = [bench_size(mib, Path(tmp), node.api_multiaddr) for mib in sizes]
        else:
            results = [bench_size(mib, Path(tmp), None) for mib in sizes]
    if args.json:
        print(json.dumps({"results": results, "seconds": time.perf_counter() - started}, indent=2))
    else:
        report(results)
        print(
            f"benchmark ran in {time.perf_counter() - started:.0f} s; sha256 here is hashlib "
            f"({hashlib.sha256().name}, OpenSSL)"
        )


if __name__ == "__main__":
    main()
