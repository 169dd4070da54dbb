"""`tools/api-docs` builds the library reference with pdoc, and it documents what scripts call first: each entry
point with its arguments and what it returns, read from google-style docstrings."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The entry points of the README's library examples, by module page.
ENTRY_POINTS = {
    "deai_gov/chain/client.html": ["connect", "send", "simulate"],
    "deai_gov/dao/deploy.html": ["deploy_dao"],
    "deai_gov/dao/governance.html": ["build_proposal", "propose", "vote", "queue", "execute", "wait_for_state"],
    "deai_gov/workflows/approved.html": ["resolve", "verify_approved", "pull_approved"],
    "deai_gov/workflows/provenance.html": ["approval_of"],
    "deai_gov/ipfs/content.html": ["publish", "pull", "verify"],
}


def test_the_reference_builds_and_documents_the_entry_points(tmp_path: Path) -> None:
    out = tmp_path / "api"
    path = os.pathsep.join([str(ROOT / ".venv" / "bin"), os.environ["PATH"]])
    done = subprocess.run(
        [str(ROOT / "tools" / "api-docs"), str(out)],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()
    for page, functions in ENTRY_POINTS.items():
        html = (out / page).read_text(encoding="utf-8")
        sections = dict(re.findall(r'<section id="(\w+)">(.*?)</section>', html, flags=re.DOTALL))
        assert set(functions) <= set(sections), f"{page} lacks {set(functions) - set(sections)}"
        for function in functions:
            headings = re.findall(r'<h6 id="(\w+)">', sections[function])
            assert {"arguments", "returns"} <= set(headings), f"{page}: {function} has only {headings}"
    assert not (out / "deai_gov" / "cli.html").exists(), "the CLI's reference is docs/cli.md, not the library's"
