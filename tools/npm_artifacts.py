"""Compiled contracts taken from an npm package's tarball without installing it (for packages whose dependencies
are heavy or conflicting): `npm pack` fetches the tarball alone, its integrity is checked against a pinned value, and
only the named artifacts' fields are kept, bundled as one JSON file the project ships or its tests read.

Used by tools/export_eas.py and tools/export_safe.py.
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


def packed_artifacts(
    package: str, version: str, integrity: str, artifacts: dict[str, str], fields: tuple[str, ...]
) -> dict[str, dict[str, object]]:
    """Each artifact (name -> path inside the tarball) of `package@version`, with only `fields`; exits with one line
    when npm fails, the tarball's sha512 is not `integrity`, or an artifact is missing."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--silent"], cwd=folder, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(f"npm pack {package}@{version} failed: {done.stderr.strip()[:300]}")
        tarball = Path(folder) / done.stdout.strip().splitlines()[-1]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != integrity:
            sys.exit(f"{tarball.name}: integrity {digest}, expected {integrity}")
        contracts = {}
        with tarfile.open(tarball) as archive:
            for name, member in artifacts.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    sys.exit(f"{tarball.name} has no {member}")
                data = json.load(extracted)
                contracts[name] = {field: data[field] for field in fields}
    return contracts


def write_or_check(target: Path, text: str, root: Path, script: str, what: str) -> None:
    """Write `text` into `target`, or with `--check` on the command line exit 1 when `target` differs from it."""
    if "--check" in sys.argv[1:]:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            sys.exit(f"{target.relative_to(root)} is stale: run `python {script}`")
        print(f"{what} are up to date")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(root)}")
