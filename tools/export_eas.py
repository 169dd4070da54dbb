"""Write deai_gov/contracts/eas.json: the Ethereum Attestation Service's compiled contracts (EAS and SchemaRegistry)
from their npm package, so `dao deploy` can deploy them on a chain that has none, and the tests run the real thing.

The package (`@ethereum-attestation-service/eas-contracts`) depends on hardhat (~500 MB), so it is not installed:
`npm pack` fetches its tarball alone, its integrity is checked against the value pinned here, and only the two
artifacts' ABI and bytecode are kept.

Usage: python tools/export_eas.py [--check]
With --check, exit 1 if the shipped file differs from what the pinned package gives.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

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
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=folder, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(f"npm pack {PACKAGE}@{VERSION} failed: {done.stderr.strip()[:300]}")
        tarball = Path(folder) / done.stdout.strip().splitlines()[-1]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != INTEGRITY:
            sys.exit(f"{tarball.name}: integrity {digest}, expected {INTEGRITY}")
        contracts = {}
        with tarfile.open(tarball) as archive:
            for name, member in ARTIFACTS.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    sys.exit(f"{tarball.name} has no {member}")
                data = json.load(extracted)
                contracts[name] = {
                    "abi": data["abi"],
                    "bytecode": data["bytecode"],
                    "deployedBytecode": data["deployedBytecode"],
                }
    bundle = {"package": PACKAGE, "version": VERSION, "integrity": INTEGRITY, "license": "MIT", "contracts": contracts}
    return json.dumps(bundle, indent=1, sort_keys=True) + "\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            sys.exit(f"{TARGET.relative_to(ROOT)} is stale: run `python tools/export_eas.py`")
        print("EAS artifacts are up to date")
        return
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
