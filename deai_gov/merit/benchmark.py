"""A benchmark definition: what an evaluation measures and how, in a small JSON file evaluators share.

    {
      "name": "tiny-accuracy",
      "version": "1",
      "dataset": "bafkrei…",
      "command": ["python3", "harness.py", "{model}", "{dataset}", "{metrics}"],
      "metrics": {"accuracy": {"better": "higher", "tolerance": "0.01"}}
    }

`dataset` is the CID of the labelled data (optional); `command` is the harness `eval run` starts (optional for
results computed elsewhere); each metric says which direction is better and how far two evaluators may differ and
still agree. The file's SHA-256 is the evaluation's `harnessDigest`: two evaluators who ran the same definition
record the same digest.

`"holdout": true` marks a **holdout** benchmark: its data set is not published (so no model can be trained on it),
only its CID, a digest of its bytes, is; trusted evaluators hold the data and give it to `eval run --dataset FILE`,
which checks it against the CID. When the DAO rotates the benchmark out, the data is published and anyone can
check past evaluations against it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .evaluation import MAX_METRICS, MAX_TEXT, Metric, parse_metric_value, short_text

#: A benchmark file larger than this is refused unread.
MAX_FILE = 64 * 1024


@dataclass(frozen=True)
class MetricSpec:
    """One metric a benchmark measures: which direction is better, and the tolerance (fixed point, 18 decimals)."""

    name: str
    higher_is_better: bool
    tolerance: int


@dataclass(frozen=True)
class Benchmark:
    name: str
    version: str
    dataset_cid: str
    command: tuple[str, ...]
    metrics: tuple[MetricSpec, ...]
    #: SHA-256 of the definition file: the evaluation's harness digest.
    digest: bytes
    #: Its data set is held by trusted evaluators only, not published (see the module's docstring).
    holdout: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "dataset_cid": self.dataset_cid,
            "command": list(self.command),
            "metrics": {
                m.name: {"higher_is_better": m.higher_is_better, "tolerance": str(m.tolerance)} for m in self.metrics
            },
            "digest": "0x" + self.digest.hex(),
            "holdout": self.holdout,
        }


def load_benchmark(path: Path) -> Benchmark:
    """The benchmark defined in `path`; InputError naming the file and what is wrong."""
    from .. import parsing

    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE + 1)
    except OSError as exc:
        raise InputError(f"cannot read benchmark {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE:
        raise InputError(f"benchmark {path} is larger than {MAX_FILE:,} bytes")
    try:
        data = parsing.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"benchmark {path} is not JSON: {str(exc)[:120]}") from None
    try:
        return _benchmark(data, hashlib.sha256(raw).digest())
    except InputError as exc:
        raise InputError(f"benchmark {path}: {exc}") from None


def _benchmark(data: Any, digest: bytes) -> Benchmark:
    from ..ipfs.blockcid import from_text

    if not isinstance(data, dict):
        raise InputError("not a JSON object")
    unknown = set(data) - {"name", "version", "dataset", "command", "metrics", "description", "holdout"}
    if unknown:
        raise InputError(f"unknown field {sorted(unknown)[0]!r}")
    name, version = data.get("name"), data.get("version", "1")
    for what, text in (("name", name), ("version", version)):
        if not short_text(text):
            raise InputError(f"its {what} must be printable text of 1 to {MAX_TEXT} characters")
    dataset = data.get("dataset", "")
    if not isinstance(dataset, str):
        raise InputError("its dataset must be a CID")
    if dataset:
        try:
            from_text(dataset)
        except (InputError, ValueError):
            raise InputError(f"its dataset {dataset[:80]!r} is not a CID") from None
    holdout = data.get("holdout", False)
    if not isinstance(holdout, bool):
        raise InputError("its holdout field must be true or false")
    if holdout and not dataset:
        raise InputError("a holdout benchmark names its data set's CID (the data itself stays unpublished)")
    command = data.get("command", [])
    if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
        raise InputError("its command must be a list of strings (the program, then its arguments)")
    metrics = data.get("metrics")
    if not isinstance(metrics, dict) or not 1 <= len(metrics) <= MAX_METRICS:
        raise InputError(f"it must name 1 to {MAX_METRICS} metrics")
    specs = []
    for metric, spec in metrics.items():
        if not short_text(metric):
            raise InputError(f"metric name {metric[:80]!r} must be printable text of 1 to {MAX_TEXT} characters")
        if not isinstance(spec, dict) or spec.get("better") not in ("higher", "lower"):
            raise InputError(f'metric {metric!r}: say which direction is better ("better": "higher" or "lower")')
        tolerance = parse_metric_value(str(spec.get("tolerance", "0")))
        if tolerance < 0:
            raise InputError(f"metric {metric!r}: a tolerance cannot be negative")
        specs.append(MetricSpec(metric, spec["better"] == "higher", tolerance))
    return Benchmark(str(name), str(version), dataset, tuple(command), tuple(specs), digest, holdout)


def check_dataset(benchmark: Benchmark, data: bytes, path: Path) -> None:
    """InputError unless `data` (read from `path`) is the benchmark's data set: its CID, under any import profile this
    package knows (the one it was published with is not recorded), is the benchmark's `dataset`."""
    from ..ipfs.blockcid import from_text
    from ..ipfs.importer import import_bytes
    from ..ipfs.profiles import PROFILES

    wanted = from_text(benchmark.dataset_cid)
    for profile in PROFILES.values():
        if import_bytes(data, lambda _cid, _data: None, profile=profile).cid == wanted:
            return
    raise InputError(
        f"{path} is not {benchmark.name}'s data set: its bytes do not have the CID {benchmark.dataset_cid}"
    )


def measured(benchmark: Benchmark, values: Mapping[str, Any]) -> list[Metric]:
    """The benchmark's metrics with `values` (name -> number or text, as a harness writes them or `--metric`
    gives them), in the benchmark's order; InputError for a metric missing, one the benchmark does not define, or a
    value that is not a finite number."""
    known = {spec.name for spec in benchmark.metrics}
    extra = sorted(set(values) - known)
    if extra:
        raise InputError(f"{benchmark.name} defines no metric {extra[0]!r} (it measures {', '.join(sorted(known))})")
    missing = [spec.name for spec in benchmark.metrics if spec.name not in values]
    if missing:
        raise InputError(f"no value for {benchmark.name}'s metric {missing[0]!r}")
    metrics = []
    for spec in benchmark.metrics:
        value = values[spec.name]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InputError(f"metric {spec.name!r}: {str(value)[:40]!r} is not a number")
        metrics.append(Metric(spec.name, parse_metric_value(value), spec.higher_is_better))
    return metrics
