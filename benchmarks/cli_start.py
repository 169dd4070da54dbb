"""`deai-gov --help` start-up time as a ratio to a bare `python -c pass` (goal <= 10x).

    python benchmarks/cli_start.py [--runs 15] [--json]

Both are run as fresh processes, alternating, and the medians compared; a third row shows what importing
web3 at module level would cost, to keep the reason for lazy imports visible.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 10.0
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "deai-gov --help": [sys.executable, "-m", "deai_gov", "--help"],
    "deai-gov model --help": [sys.executable, "-m", "deai_gov", "model", "--help"],
    "python -c 'import web3' (for scale)": [sys.executable, "-c", "import web3"],
}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        timed(command)  # warm the page cache
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            samples[name].append(timed(command))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians["python -c pass"]
    rows = {name: {"median_ms": round(m * 1000, 1), "ratio": round(m / base, 2)} for name, m in medians.items()}
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'command':<40}{'median ms':>10}{'ratio':>8}")
    for name, row in rows.items():
        print(f"{name:<40}{row['median_ms']:>10}{row['ratio']:>7}x")
    help_ratio = rows["deai-gov --help"]["ratio"]
    print(f"\ngoal: deai-gov --help <= {GOAL:.0f}x python -c pass: {'PASS' if help_ratio <= GOAL else 'FAIL'}")


if __name__ == "__main__":
    main()
