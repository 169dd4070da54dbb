"""The package's layers, as docs/architecture.md draws them, checked on the code itself.

The import graph counts every import, including those made inside functions (the package imports lazily to
start fast, but a lazy import is still a dependency): no cycles; `ipfs/` uses nothing of the package outside
itself but `errors` and `names`; the library never reaches up into `cli/` or `dev/`; and the CLI makes no
contract call of its own: every chain read and every transaction is a library function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "deai_gov"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module `name` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from . import governance` imports a module; `from .chain import send` imports from one
            targets = [f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in known]
            targets = targets or [origin]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target != "deai_gov":
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_modules(name, path, known) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules along it, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    graph = import_graph()
    assert "deai_gov.chain" in graph["deai_gov.registry"]  # module level, relative
    assert "deai_gov.errors" in graph["deai_gov.ipfs.stores"]  # two dots
    assert "deai_gov.governance" in graph["deai_gov.cli.proposal"]  # inside a function
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_there_is_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_ipfs_layer_never_reaches_the_chain() -> None:
    allowed = {"deai_gov.errors", "deai_gov.names"}
    wrong = {
        (module, target)
        for module, targets in import_graph().items()
        if module.startswith("deai_gov.ipfs")
        for target in targets
        if not target.startswith("deai_gov.ipfs") and target not in allowed
    }
    assert not wrong, f"ipfs/ imports above itself: {sorted(wrong)}"


@pytest.mark.parametrize("upper", ["deai_gov.cli", "deai_gov.dev"])
def test_the_library_never_reaches_up(upper: str) -> None:
    wrong = {
        (module, target)
        for module, targets in import_graph().items()
        if not module.startswith(("deai_gov.cli", "deai_gov.dev", "deai_gov.__main__"))
        for target in targets
        if target.startswith(upper)
    }
    assert not wrong, f"library modules import {upper}: {sorted(wrong)}"


def test_the_cli_calls_no_contract_function() -> None:
    """Reads and transactions are library functions; the CLI parses, confirms and renders."""
    found = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("functions", "events", "w3", "eth"):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not found, f"contract or web3 calls in the CLI: {found}"
