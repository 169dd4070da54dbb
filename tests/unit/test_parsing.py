"""JSON from outside with a nesting limit (`deai_gov.parsing`): deep documents are a ValueError, never a
RecursionError or a crash, and the brackets inside strings do not count."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deai_gov.parsing import MAX_DEPTH, loads, nesting


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "{{{", "]]"]', 1),  # brackets in strings
        ('["a \\" [[[ \\\\", [2]]', 2),  # escaped quotes and backslashes
    ],
)
def test_nesting_counts_only_structure(text: str, depth: int) -> None:
    assert nesting(text.encode()) == depth
    assert loads(text) == json.loads(text)


def test_a_document_nested_past_the_limit_is_a_value_error() -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} levels"):
        loads(deep)
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert loads(json.dumps({"s": "[" * 10_000})) == {"s": "[" * 10_000}  # deep-looking text inside a string


def test_under_py_evms_recursion_limit_a_hostile_document_is_refused_not_a_crash() -> None:
    """py-evm raises the recursion limit to 100,000 when imported; json.loads then overflows the C stack on a
    document nested 1,000,000 deep and the process dies. `loads` refuses it first."""
    code = (
        "import sys; sys.setrecursionlimit(100_000)\n"
        "from deai_gov.parsing import loads\n"
        "try:\n    loads(b'[' * 1_000_000 + b']' * 1_000_000)\nexcept ValueError as exc:\n    print('refused:', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("refused: JSON nested more than")
