"""Start-up of the CLI as a ratio to `python -c "import click"`, the floor of any click command line.

    python benchmarks/startup.py [--runs 21] [--json]

Every command runs as a fresh process, each run paired with a run of the reference just before it; a round runs
every command once (the order rotating from round to round) and the ratio of each pair is taken, so a machine
whose speed drifts moves both sides of a ratio alike. Reported: the median of each command's ratios, by wall time
and by CPU time (user + system of the child), and its median wall time.

- **deai-gov --help**: the main group's help. Goal <= 1.2x;
- **deai-gov proposal --help**: a group's help, its commands listed with their summaries from the command table,
  without importing the module that defines them. Goal <= 1.2x;
- **deai-gov proposal show --help**: a command's own help, which imports its module and what that imports;
- **deai-gov account list**: a command that runs (the keystores of an empty configuration folder).

The exit status is 1 when a `--help` ratio is above its goal (unlike the other benchmarks, this one is a check
that can be run in CI), 0 otherwise. With PYTHONDONTWRITEBYTECODE set, the package's modules are compiled at every
start (click's come compiled from site-packages) and the figures include it: the line under the table says which.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.2
REFERENCE = [sys.executable, "-c", "import click"]
#: (row, arguments of deai-gov, whether the row has the goal)
ROWS = [
    ("deai-gov --help", ["--help"], True),
    ("deai-gov proposal --help", ["proposal", "--help"], True),
    ("deai-gov proposal show --help", ["proposal", "show", "--help"], False),
    ("deai-gov account list", ["account", "list"], False),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="Rounds (pairs per command).")
    parser.add_argument("--json", action="store_true", help="The figures as JSON.")
    return parser.parse_args(argv)


def console_script() -> str:
    """The installed `deai-gov` command, beside this interpreter or on PATH (what people run)."""
    beside = Path(sys.executable).with_name("deai-gov")
    found = str(beside) if beside.exists() else shutil.which("deai-gov")
    if found is None:
        raise SystemExit("benchmark failed: no deai-gov command: install the package (pip install -e .)")
    return found


def bytecode_cached() -> bool:
    """Whether the CLI's start-up modules run from cached bytecode (else they are compiled at every start)."""
    spec = importlib.util.find_spec("deai_gov.cli.commands")
    origin = spec.origin if spec is not None else None
    return origin is not None and Path(importlib.util.cache_from_source(origin)).exists()


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(args: argparse.Namespace) -> dict[str, Any]:
    script = console_script()
    with tempfile.TemporaryDirectory() as home:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DEAI_GOV_")}
        env["DEAI_GOV_HOME"] = home  # empty: `account list` finds no keystores, and no config.toml is read
        commands = {row: [script, *arguments] for row, arguments, _goal in ROWS}
        for command in [REFERENCE, *commands.values()]:
            timed(command, env)  # warm the page cache (and write bytecode, where that is allowed)
        pairs: dict[str, list[tuple[float, float, float, float]]] = {row: [] for row in commands}
        for round_number in range(args.runs):
            order = list(commands)
            shift = round_number % len(order)
            for row in order[shift:] + order[:shift]:
                reference, measured = timed(REFERENCE, env), timed(commands[row], env)
                pairs[row].append((*measured, *reference))
    rows = []
    for row, _arguments, has_goal in ROWS:
        ratio = statistics.median(wall / ref_wall for wall, _cpu, ref_wall, _ref_cpu in pairs[row])
        cpu_ratio = statistics.median(cpu / ref_cpu for _wall, cpu, _ref_wall, ref_cpu in pairs[row] if ref_cpu > 0)
        rows.append(
            {
                "command": row,
                "median_ms": round(statistics.median(p[0] for p in pairs[row]) * 1000, 1),
                "reference_ms": round(statistics.median(p[2] for p in pairs[row]) * 1000, 1),
                "ratio": round(ratio, 3),
                "cpu_ratio": round(cpu_ratio, 3),
                "goal": GOAL if has_goal else None,
                "met": ratio <= GOAL if has_goal else None,
            }
        )
    return {
        "reference": 'python -c "import click"',
        "runs": args.runs,
        "bytecode_cached": bytecode_cached(),
        "rows": rows,
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"Start-up against {report['reference']}: medians of {report['runs']} paired runs")
    print(f"\n{'command':<32}{'median ms':>10}{'reference':>11}{'ratio':>8}{'cpu ratio':>11}   goal")
    for row in report["rows"]:
        goal = "-" if row["goal"] is None else f"<= {row['goal']}x {'PASS' if row['met'] else 'FAIL'}"
        print(
            f"{row['command']:<32}{row['median_ms']:>10.1f}{row['reference_ms']:>11.1f}"
            f"{row['ratio']:>7.2f}x{row['cpu_ratio']:>10.2f}x   {goal}"
        )
    print(
        "\nbytecode: "
        + (
            "cached (as an installed package runs)"
            if report["bytecode_cached"]
            else "not cached (PYTHONDONTWRITEBYTECODE): the package's modules are compiled at every start"
        )
    )
    failed = [row["command"] for row in report["rows"] if row["met"] is False]
    print(f"goals: {'all met' if not failed else 'not met by ' + ', '.join(failed)}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 1 if any(row["met"] is False for row in report["rows"]) else 0


if __name__ == "__main__":
    sys.exit(main())
