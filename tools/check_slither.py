"""Compare a Slither JSON report with the findings docs/security.md justifies; exit 1 on anything new."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def finding_key(result: dict) -> str:  # type: ignore[type-arg]
    """Detector plus what it points at, without line numbers (so edits elsewhere do not churn the list)."""
    subject = result["description"].splitlines()[0].split(" (")[0].strip()
    return f"{result['check']}: {subject}"


def main(report_path: str, accepted_path: str) -> int:
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    if not report.get("success"):
        print(f"slither failed: {report.get('error')}", file=sys.stderr)
        return 2
    accepted: dict[str, str] = json.loads(Path(accepted_path).read_text(encoding="utf-8"))
    found = {finding_key(r) for r in report.get("results", {}).get("detectors", [])}
    new = sorted(found - accepted.keys())
    for key in new:
        print(f"new finding: {key}", file=sys.stderr)
    gone = sorted(accepted.keys() - found)
    for key in gone:
        print(f"no longer reported (remove it from {accepted_path}): {key}")
    print(f"slither: {len(found)} findings, {len(found) - len(new)} justified in docs/security.md, {len(new)} new")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
