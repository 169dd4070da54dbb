"""How long after its block an event reaches a follower: `watch.follow` on a chain mining a block a second.

    python benchmarks/watch.py [--events 20] [--json]

anvil mines a block every second (`--block-time 1`, as `deai-gov node start` does); a DAO is deployed and one model
registered. The guardian then suspends and unsuspends it in turn, one transaction every 1.5 s, each making one
registry event. A follower (`deai_gov.workflows.watch.follow`, the iterator behind `deai-gov watch`) runs in a
thread; for
each event the latency is the time from the moment the sender saw its transaction's receipt (the block is out) to
the moment the follower yielded the event (where `watch` prints its line). Measured for the defaults
(`--confirmations 2`, a poll every 2 s) and for a follower tuned for speed (`--confirmations 0 --interval 0.2`).

No goal is set: the figures say what to expect. With N confirmations an event waits for N more blocks (N s here),
then up to one poll interval.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from runner import run_benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETTINGS = {"defaults (2 confirmations, 2 s polls)": (2, 2.0), "tuned (0 confirmations, 0.2 s polls)": (0, 0.2)}


def measure(events: int) -> dict[str, Any]:
    from deai_gov.chain.anvil import Anvil
    from deai_gov.chain.client import connect, send
    from deai_gov.dao import registry as reg
    from deai_gov.workflows.watch import follow
    from tests.helpers import deploy_dao_for, fake_cid, pass_proposal, people_from

    rows: dict[str, Any] = {}
    with Anvil(block_time=1.0) as node:
        chain = connect(node.url)
        people = people_from(node.dev_keys())
        dao = deploy_dao_for(chain, people)
        name = "bench/watched"
        register = [reg.register_action(dao, name, fake_cid("b1"), fake_cid("b1m"), people.bob.address)]
        pass_proposal(dao, people, register, "watched")
        for label, (confirmations, interval) in SETTINGS.items():
            mined: dict[int, float] = {}  # block -> when its receipt was seen
            seen: dict[int, float] = {}  # block -> when the follower yielded its event
            stop = threading.Event()

            def follower(
                confirmations: int = confirmations,
                interval: float = interval,
                stop: threading.Event = stop,
                seen: dict[int, float] = seen,
            ) -> None:
                for event in follow(dao, confirmations=confirmations, model=name, interval=interval, stop=stop.is_set):
                    seen[event.block] = time.perf_counter()

            thread = threading.Thread(target=follower)
            thread.start()
            time.sleep(interval + 0.5)
            for n in range(events):
                tx = reg.suspend(dao, name, f"n{n}") if n % 2 == 0 else reg.unsuspend(dao, name)
                result = send(chain, people.guardian, tx)
                mined[result.block_number] = time.perf_counter()
                time.sleep(1.5)
            deadline = time.monotonic() + confirmations + 2 * interval + 5
            while not set(mined) <= set(seen) and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            thread.join(timeout=30)
            latencies = [seen[block] - when for block, when in mined.items() if block in seen]
            if len(latencies) != len(mined):
                missing = sorted(set(mined) - set(seen))
                raise RuntimeError(f"{label}: {len(missing)} of {len(mined)} events never arrived (blocks {missing})")
            rows[label] = {
                "events": len(latencies),
                "median_seconds": round(statistics.median(latencies), 2),
                "max_seconds": round(max(latencies), 2),
                "min_seconds": round(min(latencies), 2),
            }
    return {"block_time": 1.0, "rows": rows}


def run(args: argparse.Namespace) -> dict[str, Any]:
    return measure(args.events)


def print_report(report: dict[str, Any]) -> None:
    print(f"Latency from an event's block to the follower's line, blocks every {report['block_time']:g} s\n")
    print(f"{'follower':<40} {'events':>6} {'median':>8} {'min':>7} {'max':>7}")
    for label, row in report["rows"].items():
        print(
            f"{label:<40} {row['events']:>6} {row['median_seconds']:>7.2f}s {row['min_seconds']:>6.2f}s "
            f"{row['max_seconds']:>6.2f}s"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10, help="events per follower (default 10)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run_benchmark(None, parse_args, run, print_report))
