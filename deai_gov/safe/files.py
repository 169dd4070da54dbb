"""The files a Safe's owners pass around (batch files, signatures, a Safe's vote): read as JSON from outside (with a
nesting limit), one line naming the file for anything else; written whole (a new file beside it, then renamed over
it: a reader never sees half of one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..parsing import loads


def read_json_file(path: Path, what: str) -> Any:
    """The JSON in `path`; InputError saying it is not `what` when it cannot be read or is not JSON."""
    try:
        return loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise InputError(f"{path} is not {what}: not JSON") from None


def write_json_file(path: Path, data: Any) -> None:
    """Write `data` as indented JSON into `path`, whole."""
    temporary = path.with_name(path.name + ".partial")
    try:
        temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
