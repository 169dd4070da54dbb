"""Write tests/data/safe-contracts-1.4.1.json: the compiled Safe 1.4.1 contracts (the singleton, its proxy factory,
the fallback handler that answers ERC-1271 and MultiSendCallOnly), so the Safe tests also run against the older ABI,
the one most Safes deployed so far use.

The package (`@safe-global/safe-contracts`) has a peer dependency on ethers 5, so it is not installed: `npm pack`
fetches its tarball alone, its integrity is checked against the value pinned here, and only the four artifacts' ABI
and bytecode are kept.

Usage: python tools/export_safe.py [--check]
With --check, exit 1 if the file differs from what the pinned package gives.
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
TARGET = ROOT / "tests" / "data" / "safe-contracts-1.4.1.json"
PACKAGE = "@safe-global/safe-contracts"
VERSION = "1.4.1"
#: npm's integrity of the tarball (sha512, as `npm view PACKAGE@VERSION dist.integrity` prints it).
INTEGRITY = "sha512-fP1jewywSwsIniM04NsqPyVRFKPMAuirC3ftA/TA4X3Zc5EnwQp/UCJUU2PL/37/z/jMo8UUaJ+pnFNWmMU7dQ=="
LICENSE = "LGPL-3.0"
ARTIFACTS = {
    "Safe": "package/build/artifacts/contracts/Safe.sol/Safe.json",
    "SafeProxyFactory": "package/build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
    "CompatibilityFallbackHandler": "package/build/artifacts/contracts/handler/CompatibilityFallbackHandler.sol/"
    "CompatibilityFallbackHandler.json",
    "MultiSendCallOnly": "package/build/artifacts/contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json",
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
                contracts[name] = {"abi": data["abi"], "bytecode": data["bytecode"]}
    bundle = {
        "package": PACKAGE,
        "version": VERSION,
        "integrity": INTEGRITY,
        "license": LICENSE,
        "contracts": contracts,
    }
    return json.dumps(bundle, indent=1, sort_keys=True) + "\n"


def main() -> None:
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            sys.exit(f"{TARGET.relative_to(ROOT)} is stale: run `python tools/export_safe.py`")
        print("Safe 1.4.1 artifacts are up to date")
        return
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
