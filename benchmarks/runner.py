"""The command-line shell the benchmarks share: parse, run, print the report or its JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from deai_gov.errors import DeaiGovError


def run_benchmark(
    argv: list[str] | None,
    parse_args: Callable[[list[str] | None], Any],
    run: Callable[[Any], dict[str, Any]],
    print_report: Callable[[dict[str, Any]], None],
) -> int:
    """Run a benchmark and print its report (`--json`: as JSON); 0 even when a goal fails, 1 when it cannot run."""
    args = parse_args(argv)
    try:
        report = run(args)
    except (DeaiGovError, RuntimeError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0
