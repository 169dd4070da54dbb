"""The package's layers: the `LAYERS` table below is the architecture, enforced on the code and drawn in
docs/architecture.md (`python tests/test_layering.py` rewrites the drawing from the table).

The import graph counts every import, including those made inside functions or under `TYPE_CHECKING` (an import
is a dependency wherever it stands): no cycles; each package imports only its own modules and the rows beneath
it, never a package of its own row; every module of the package belongs to a row; and the CLI makes no contract
call of its own: every chain read and every transaction is a library function.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

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
    assert "deai_gov.chain.client" in graph["deai_gov.dao.registry"]  # module level, relative
    assert "deai_gov.errors" in graph["deai_gov.ipfs.stores"]  # two dots
    assert "deai_gov.dao.governance" in graph["deai_gov.cli.proposal"]  # inside a function
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_there_is_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


#: The package's layers, top to bottom: (unit, job) pairs, a unit being a package of `deai_gov` or one of its
#: top-level modules. A unit imports only itself and the rows beneath its own, never another unit of its row.
LAYERS: list[tuple[tuple[str, str], ...]] = [
    (("__main__", "`python -m deai_gov`"),),
    (("cli", "parse options, confirm, render text or JSON, map errors to exit codes and hints"),),
    (
        ("dev", "local development: anvil devnet, localnet, js-ipfs runner, demo"),
        ("integrations", "bridges to where models live: the MLflow registry (source, mirror, webhooks), the Hub"),
        ("web", "the DAO on the web: the gasless relayer's HTTP API, serving an app, the relayer's client"),
    ),
    (("workflows", "work on a user's behalf: approved version, provenance, drafting, review, simulation, watch"),),
    (("dao", "a deployed DAO: deploy, attach, actions, governance, registry, token, changes"),),
    (
        ("merit", "evaluations as EAS attestations (on chain, and signed off chain), benchmarks, the reward policy"),
        ("safe", "Safe multisigs: any transaction as a Safe transaction, owners' EIP-712 signatures, execution"),
    ),
    (("chain", "transport: JSON-RPC, embedded py-evm, Chain/ReadCall/PreparedTx, logs, log index, anvil, EIP-712"),),
    (
        ("contracts", "the shipped contracts, offline: ABIs and bytecode, enums, ABI codec, reverts in words"),
        ("home", "the configuration home: config.toml networks and pinning services, keystores"),
        ("signing", "OpenSSF model signing: bundles read strictly, signer keys, folders signed and verified"),
    ),
    (("ipfs", "content by CID: blocks, UnixFS, importer, CAR, stores, manifest, publish/pull/verify"),),
    (
        ("names", "model names and ids, references, addresses"),
        ("units", "token amounts, durations, times"),
        ("parsing", "JSON from outside, with a nesting limit"),
        ("display", "text from outside made visible: controls, escapes, bidi and zero-width characters"),
    ),
    (("errors", "every exception class of the package"),),
]


def unit_of(module: str) -> str:
    """The LAYERS unit a module of the package belongs to (`deai_gov.dao.token` -> `dao`)."""
    return module.split(".")[1] if module != "deai_gov" else ""


def rows() -> dict[str, int]:
    """Each unit's row number, 0 at the top."""
    return {unit: number for number, row in enumerate(LAYERS) for unit, _ in row}


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes up the table or sideways within a row, as `module -> target`."""
    row = rows()
    found = []
    for module, targets in sorted(graph.items()):
        unit = unit_of(module)
        for target in sorted(targets):
            other = unit_of(target)
            if unit and other and other != unit and row[other] <= row[unit]:
                found.append(f"{module} -> {target}")
    return found


def test_every_module_belongs_to_a_layer() -> None:
    units = {unit_of(module) for module in modules()} - {""}
    assert units <= set(rows()), f"not in LAYERS: {sorted(units - set(rows()))}"
    assert set(rows()) <= units, f"LAYERS names what is not there: {sorted(set(rows()) - units)}"


def test_each_layer_imports_only_the_rows_beneath_it() -> None:
    wrong = layer_violations(import_graph())
    assert not wrong, "imports against LAYERS:\n" + "\n".join(wrong)


def test_an_import_up_or_sideways_is_caught() -> None:
    assert layer_violations({"deai_gov.ipfs.content": {"deai_gov.chain.client"}}) == [
        "deai_gov.ipfs.content -> deai_gov.chain.client"
    ]
    assert layer_violations({"deai_gov.home.config": {"deai_gov.contracts.abi"}})  # same row
    assert not layer_violations({"deai_gov.dao.token": {"deai_gov.chain.client", "deai_gov.dao.actions"}})


ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
BEGIN, END = "<!-- LAYERS: drawn from tests/test_layering.py -->", "<!-- /LAYERS -->"


def drawing() -> str:
    """LAYERS as the text block docs/architecture.md shows."""
    lines = ["```"]
    for number, row in enumerate(LAYERS):
        if number:
            lines.append("  " + "─" * 108)
        for unit, job in row:
            path = f"deai_gov/{unit}/" if (PACKAGE / unit).is_dir() else f"deai_gov/{unit}.py"
            lines.append(f"  {path:<24}{job}")
    lines.append("```")
    return "\n".join(lines)


def test_the_architecture_document_draws_the_table() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    shown = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    assert shown, f"docs/architecture.md lacks the {BEGIN} block"
    assert shown.group(1) == drawing(), "docs/architecture.md is stale: run `python tests/test_layering.py`"


def test_the_cli_calls_no_contract_function() -> None:
    """Reads and transactions are library functions; the CLI parses, confirms and renders."""
    found = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("functions", "events", "w3", "eth"):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not found, f"contract or web3 calls in the CLI: {found}"


if __name__ == "__main__":  # rewrite the drawing in docs/architecture.md from LAYERS
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    ARCHITECTURE.write_text(block.sub(lambda _: f"{BEGIN}\n{drawing()}\n{END}", text), encoding="utf-8")
    sys.exit(0)
