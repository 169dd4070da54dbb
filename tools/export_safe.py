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

import json
from pathlib import Path

from npm_artifacts import packed_artifacts, write_or_check

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
    contracts = packed_artifacts(PACKAGE, VERSION, INTEGRITY, ARTIFACTS, ("abi", "bytecode"))
    bundle = {
        "package": PACKAGE,
        "version": VERSION,
        "integrity": INTEGRITY,
        "license": LICENSE,
        "contracts": contracts,
    }
    return json.dumps(bundle, indent=1, sort_keys=True) + "\n"


def main() -> None:
    write_or_check(TARGET, render(), ROOT, "tools/export_safe.py", "Safe 1.4.1 artifacts")


if __name__ == "__main__":
    main()
