"""JSON from outside (RPC answers, pinning services, manifests, cursor and record files), parsed with a nesting
limit.

Python's JSON decoder recurses once per level. With the default recursion limit a document nested 100,000 deep is
a RecursionError, which no `except ValueError` expects; with a raised limit (py-evm, behind the embedded chain,
sets 100,000 when imported) it overflows the C stack and the process dies. So the depth is measured first, on the
text with its strings blanked out, and a document deeper than `MAX_DEPTH` is refused as a ValueError, like any
other malformed JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Deeper than any document this package reads (a JSON-RPC answer holding logs is 4 deep, a manifest 5).
MAX_DEPTH = 64

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(rb"[\[\]{}]")


def nesting(data: bytes) -> int:
    """How deep the arrays and objects of JSON text `data` nest (brackets inside strings do not count)."""
    if data.count(b"[") + data.count(b"{") <= 1:
        return data.count(b"[") + data.count(b"{")
    deepest = depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b'""', data)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads(data)`, and a ValueError for JSON nested deeper than `max_depth` (before it is parsed)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if raw.count(b"[") + raw.count(b"{") > max_depth and nesting(raw) > max_depth:
        raise ValueError(f"JSON nested more than {max_depth} levels deep")
    return json.loads(data)
