"""The documents point at what exists: every repository path README.md and docs/*.md name, every relative link
and every `#anchor` in them; and the exit codes are tabulated once, in the generated docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Top-level folders whose paths are the repository's own (not examples such as `./acme-vision` or `deployments/`).
TRACKED = ("deai_gov", "docs", "tools", "benchmarks", "scripts", "tests")
PATH = re.compile(rf"(?<![\w./-])((?:{'|'.join(TRACKED)})/[\w./-]*)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def named_paths(text: str) -> set[str]:
    return {match.rstrip(".") for match in PATH.findall(text)}


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a markdown file: lower case, punctuation dropped, spaces as `-`,
    a repeated one numbered."""
    found: set[str] = set()
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", prose, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_path_named_exists(document: Path) -> None:
    missing = sorted(p for p in named_paths(document.read_text(encoding="utf-8")) if not (ROOT / p).exists())
    assert not missing, f"{_name(document)} names paths that do not exist: {missing}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_relative_link_and_anchor_exists(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        linked = (document.parent / file).resolve() if file else document
        known = anchors(linked.read_text(encoding="utf-8")) if linked.suffix == ".md" and linked.exists() else set()
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in known):
            broken.append(target)
    assert not broken, f"{_name(document)} links to what does not exist: {broken}"


def test_the_exit_codes_are_tabulated_once() -> None:
    """docs/cli.md's table is generated from the code (deai_gov/cli/reference.py); the other pages link to it."""
    tables = [_name(d) for d in DOCUMENTS if re.search(r"^\| *130 *\|", d.read_text(encoding="utf-8"), re.MULTILINE)]
    assert tables == ["docs/cli.md"]
    assert "exit-codes" in anchors((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"))
