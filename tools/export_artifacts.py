"""Write deai_gov/contracts/contracts.json from the brownie build (run after `brownie compile`).

Only the contracts a DAO deployment is made of (`DAO_CONTRACTS`) are shipped; the gas benchmark's reference
registry is read from the brownie build by the benchmark itself.

Usage: python tools/export_artifacts.py [--check]
With --check, exit 1 if the shipped file differs from what the current build would write.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deai_gov.contracts.artifacts import ARTIFACTS_FILE, DAO_CONTRACTS, openzeppelin_version, sources_digest  # noqa: E402


def render() -> str:
    build = ROOT / "build" / "contracts"
    contracts = {}
    compiler = None
    for name in DAO_CONTRACTS:
        path = build / f"{name}.json"
        if not path.exists():
            sys.exit(f"{path} is missing: run `brownie compile` first")
        data = json.loads(path.read_text(encoding="utf-8"))
        compiler = data["compiler"]
        contracts[name] = {
            "abi": data["abi"],
            "bytecode": "0x" + data["bytecode"],
            "deployedBytecode": "0x" + data["deployedBytecode"],
        }
    bundle = {
        "compiler": compiler,
        "openzeppelin": openzeppelin_version(ROOT),
        "sources_sha256": sources_digest(ROOT),
        "contracts": contracts,
    }
    return json.dumps(bundle, indent=1, sort_keys=True) + "\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv[1:]:
        current = ARTIFACTS_FILE.read_text(encoding="utf-8") if ARTIFACTS_FILE.exists() else ""
        if current != text:
            sys.exit(f"{ARTIFACTS_FILE.relative_to(ROOT)} is stale: run `python tools/export_artifacts.py`")
        print("artifacts are up to date")
        return
    ARTIFACTS_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {ARTIFACTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
