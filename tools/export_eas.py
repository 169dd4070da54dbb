"""Write deai_gov/contracts/eas.json: the Ethereum Attestation Service's compiled contracts (EAS and SchemaRegistry)
from their npm package, so `dao deploy` can deploy them on a chain that has none, and the tests run the real thing.

The package (`@ethereum-attestation-service/eas-contracts`) depends on hardhat (~500 MB), so it is not installed:
`npm pack` fetches its tarball alone, its integrity is checked against the value pinned here, and only the two
artifacts' ABI and bytecode are kept.

Usage: python tools/export_eas.py [--check]
With --check, exit 1 if the shipped file differs from what the pinned package gives.
"""

from __future__ import annotations

import json
from pathlib import Path

from npm_artifacts import packed_artifacts, write_or_check

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "deai_gov" / "contracts" / "eas.json"
PACKAGE = "@ethereum-attestation-service/eas-contracts"
VERSION = "1.9.0"
#: npm's integrity of the tarball (sha512, as `npm view PACKAGE@VERSION dist.integrity` prints it).
INTEGRITY = "sha512-L60y1fgKlY3a45xxnPlgRbiGQY8RF/lF+AzF1iVoR7/aEzitS0Nuyyjq8+IXs1sSSU0dl2+yGSmELxVeB6FelA=="
ARTIFACTS = {
    "SchemaRegistry": "package/artifacts/contracts/SchemaRegistry.sol/SchemaRegistry.json",
    "EAS": "package/artifacts/contracts/EAS.sol/EAS.json",
}


def render() -> str:
    contracts = packed_artifacts(PACKAGE, VERSION, INTEGRITY, ARTIFACTS, ("abi", "bytecode", "deployedBytecode"))
    bundle = {"package": PACKAGE, "version": VERSION, "integrity": INTEGRITY, "license": "MIT", "contracts": contracts}
    return json.dumps(bundle, indent=1, sort_keys=True) + "\n"


def main() -> None:
    write_or_check(TARGET, render(), ROOT, "tools/export_eas.py", "EAS artifacts")


if __name__ == "__main__":
    main()
