"""Hostile peers and DAGs: the memory and time it takes to refuse them.

    python benchmarks/hostile.py [--gib 1] [--json]

Every case runs in a fresh interpreter, so its peak resident memory (ru_maxrss, interpreter and imports
included) is its own, against a loopback gateway started here or a store written here beforehand:

- **idle (reference)**: the same interpreter and imports, no work: the memory floor every case starts from;
- **gateway streams N GiB (chunked)**: a block request answered with N GiB of chunked data, no length announced;
- **gateway announces N GiB**: the answer announces N GiB in Content-Length and starts sending it;
- **gateway trickles a byte every 0.2 s**: headers, then one byte every 0.2 s, against a 1-second deadline;
- **honest 3,000-leaf file (reference)**: a valid UnixFS file of 3,000 1-KiB raw leaves (3,019 blocks) read back;
- **3,000-deep file DAG**: a chain of 3,000 file nodes over one leaf (a recursive walk overflowed the stack);
- **100,000-wide file DAG**: a root of 20 links to a node of 5,000 links to a node of 5,000 links to one byte:
  100,000 links at its second level, 500 million leaf references, three distinct blocks.

Goals: every hostile case refused with a one-line library error (a `DeaiGovError`), peak memory < 150 MB, the
DAGs refused in < 5 s each (shown beside the honest file's read time), the trickle cut off at its deadline plus
one read time-out at most. The exit status is 0 even when a goal fails; failures are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from runner import run_benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' loopback server (tests.gateway.serve_http) serves the hostile gateways
GOAL_PEAK_MB = 150
GOAL_DAG_SECONDS = 5.0
TRICKLE_DEADLINE = 1.0
#: The gateway source's time-out for each read (the trickle is cut off by the overall deadline before it).
READ_TIMEOUT_SLACK = 1.0
MIB = 1 << 20
DEEP = 3_000
WIDE = (20, 5_000, 5_000)
HONEST_LEAVES, HONEST_LEAF = 3_000, 1024

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
case, where, root = sys.argv[1], sys.argv[2], sys.argv[3]
from deai_gov.errors import DeaiGovError
from deai_gov.ipfs.blockcid import from_text
from deai_gov.ipfs.content import file_bytes
from deai_gov.ipfs.stores import EmbeddedStore, GatewaySource

def work():
    if case == "idle":
        return 0
    if case.startswith("gateway"):
        timeout = {deadline} if case == "gateway-trickle" else 30.0
        return len(GatewaySource(where, timeout=timeout).get_block(from_text(root)))
    return len(file_bytes([EmbeddedStore(Path(where))], from_text(root)))

started = time.perf_counter()
try:
    outcome, refused = f"read {{work():,}} bytes", False
except DeaiGovError as exc:
    outcome, refused = str(exc), True
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "refused": refused, "outcome": outcome}}))
"""


def run_child(case: str, where: str, root: str) -> dict[str, Any]:
    """One case in a fresh interpreter: its time, peak memory, and whether (and how) it was refused."""
    code = _CHILD.format(root=str(ROOT), deadline=TRICKLE_DEADLINE)
    done = subprocess.run(
        [sys.executable, "-c", code, case, where, root], capture_output=True, text=True, check=False, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"{case} crashed:\n{done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ----------------------------------------------------------------------------- hostile gateways (loopback)


def gateway_handler(kind: str, total: int) -> type[BaseHTTPRequestHandler]:
    """A request handler answering every GET the hostile way `kind` names."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            if kind == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
            elif kind == "announced":
                self.send_header("Content-Length", str(total))
            else:
                self.send_header("Content-Length", "1000")
            self.end_headers()
            chunk = b"y" * MIB
            with contextlib.suppress(OSError):  # the client hangs up: that is the point
                if kind == "trickle":
                    for _ in range(1000):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.2)
                    return
                for _ in range(total // MIB):
                    self.wfile.write(b"%x\r\n%s\r\n" % (MIB, chunk) if kind == "chunked" else chunk)
                if kind == "chunked":
                    self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


# ----------------------------------------------------------------------------- hostile and honest DAGs


def build_dags(store_dir: Path) -> dict[str, str]:
    """Write the honest file, the deep chain and the wide fan-out into one embedded store; their root CIDs."""
    from deai_gov.ipfs.blockcid import DAG_PB, RAW, BlockCid, block_cid, to_text
    from deai_gov.ipfs.stores import EmbeddedStore
    from deai_gov.ipfs.unixfs import Link, NodeType, encode_node, encode_unixfs

    def file_node(links: list[tuple[BlockCid, int]]) -> bytes:
        sizes = tuple(size for _, size in links)
        unixfs = encode_unixfs(NodeType.FILE, filesize=sum(sizes), blocksizes=sizes)
        return encode_node([Link(cid, "", size) for cid, size in links], unixfs)

    store = EmbeddedStore(store_dir)
    roots: dict[str, str] = {}

    def honest(sink: Any) -> BlockCid:
        level: list[tuple[BlockCid, int]] = []
        for i in range(HONEST_LEAVES):
            leaf = i.to_bytes(4, "big") * (HONEST_LEAF // 4)
            cid = block_cid(RAW, leaf)
            sink(cid, leaf)
            level.append((cid, len(leaf)))
        while len(level) > 1:
            parents = []
            for start in range(0, len(level), 174):
                group = level[start : start + 174]
                block = file_node(group)
                cid = block_cid(DAG_PB, block)
                sink(cid, block)
                parents.append((cid, sum(size for _, size in group)))
            level = parents
        return level[0][0]

    def deep(sink: Any) -> BlockCid:
        leaf = b"{}"
        child = block_cid(RAW, leaf)
        sink(child, leaf)
        for _ in range(DEEP):
            block = file_node([(child, len(leaf))])
            child = block_cid(DAG_PB, block)
            sink(child, block)
        return child

    def wide(sink: Any) -> BlockCid:
        leaf = b"x"
        child, size = block_cid(RAW, leaf), 1
        sink(child, leaf)
        for width in reversed(WIDE):
            block = file_node([(child, size)] * width)
            child, size = block_cid(DAG_PB, block), size * width
            sink(child, block)
        return child

    for name, produce in (("honest", honest), ("deep", deep), ("wide", wide)):
        roots[name] = to_text(store.import_dag(produce))
    return roots


# ----------------------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict[str, Any]:
    from deai_gov.ipfs.blockcid import RAW, block_cid, to_text
    from tests.gateway import serve_http

    block = to_text(block_cid(RAW, b"a block nobody will send honestly"))
    total = args.gib << 30
    rows: list[dict[str, Any]] = []

    def measure(case: str, label: str, where: str, root: str, kind: str) -> None:
        print(f"  {label}", file=sys.stderr, flush=True)
        rows.append({"case": case, "label": label, "kind": kind, **run_child(case, where, root)})

    measure("idle", "idle interpreter (reference)", "-", "-", "reference")
    for kind, label in (
        ("chunked", f"gateway streams {args.gib} GiB (chunked)"),
        ("announced", f"gateway announces {args.gib} GiB"),
        ("trickle", "gateway trickles a byte every 0.2 s"),
    ):
        with serve_http(gateway_handler(kind, total)) as url:
            measure(f"gateway-{kind}", label, url, block, "gateway")
    with tempfile.TemporaryDirectory(prefix="deai-hostile-") as scratch:
        roots = build_dags(Path(scratch) / "store")
        store = str(Path(scratch) / "store")
        measure("honest", f"honest {HONEST_LEAVES:,}-leaf file (reference)", store, roots["honest"], "reference")
        measure("deep", f"{DEEP:,}-deep file DAG", store, roots["deep"], "dag")
        measure("wide", f"{WIDE[0] * WIDE[1]:,}-wide file DAG", store, roots["wide"], "dag")
    for row in rows:
        row["goals"] = goals(row)
        row["pass"] = all(row["goals"].values())
    return {
        "rows": rows,
        "goals_met": all(row["pass"] for row in rows),
        "failed": [row["label"] for row in rows if not row["pass"]],
    }


def goals(row: dict[str, Any]) -> dict[str, bool]:
    """The goals a row must meet (references only have to run honestly)."""
    if row["kind"] == "reference":
        return {"ran without refusal": not row["refused"]}
    met = {"refused": row["refused"], f"peak < {GOAL_PEAK_MB} MB": row["peak_mb"] < GOAL_PEAK_MB}
    if row["kind"] == "dag":
        met[f"< {GOAL_DAG_SECONDS:g} s"] = row["seconds"] < GOAL_DAG_SECONDS
    if row["case"] == "gateway-trickle":
        met["cut off at the deadline"] = row["seconds"] < TRICKLE_DEADLINE + READ_TIMEOUT_SLACK
    return met


def print_report(report: dict[str, Any]) -> None:
    print(f"{'case':<40} {'time':>8} {'peak':>9}  result")
    for row in report["rows"]:
        verdict = "PASS" if row["pass"] else "FAIL: " + ", ".join(k for k, ok in row["goals"].items() if not ok)
        print(f"{row['label']:<40} {row['seconds']:>7.2f}s {row['peak_mb']:>6.1f} MB  {verdict}")
        print(f"{'':<40} {row['outcome'][:110]}")
    total = len(report["rows"])
    verdict = "all goals met" if report["goals_met"] else "FAILED: " + ", ".join(report["failed"])
    print(f"\n{total - len(report['failed'])}/{total} rows meet their goals; {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gib", type=int, default=1, help="GiB the hostile gateways offer (default 1)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_benchmark(None, parse_args, run, print_report))
