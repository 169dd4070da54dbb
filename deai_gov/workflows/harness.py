"""Running a benchmark's harness on a pulled version: untrusted bytes, kept away from what matters.

The harness is a command from a benchmark file, run on a model whose files came from anyone. Formats such as
pickle (`.pkl`, and PyTorch checkpoints loaded with `torch.load`) run code when loaded. So the harness runs:

- as a separate process, in a fresh working folder, with a clean environment: `PATH` and the locale only, and a
  `HOME` and `TMPDIR` of its own. No `DEAI_GOV_*` variable, password, token or key is passed, and the configuration
  folder is not named;
- with its standard input closed, and its output and errors written to a log in its outputs folder;
- under a time limit, after which its whole process group is killed.

Its metrics are read back from the one file it was told to write, and only if that is a regular file inside its
folder (a symlink out of it is refused). This is separation, not a sandbox: the harness runs as the user.
"""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..merit.benchmark import Benchmark

#: A metrics file larger than this is refused unread.
MAX_METRICS_FILE = 1024 * 1024
#: File name endings of formats that run code when loaded.
CODE_RUNNING_SUFFIXES = (".pkl", ".pickle", ".pt", ".pth", ".ckpt", ".joblib", ".bin", ".npy")


@dataclass(frozen=True)
class HarnessRun:
    """What a harness run left: its exit status, its metrics, and where its outputs and log are."""

    returncode: int
    metrics: dict[str, Any]
    outputs: Path
    log: Path
    seconds: float


def code_running_files(folder: Path) -> list[str]:
    """The files of a pulled version whose format may run code when loaded (by their name), relative paths sorted."""
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in CODE_RUNNING_SUFFIXES
    )


def copies_of(folder: Path, data: Path) -> list[str]:
    """The files of a pulled version that are byte for byte the file `data` (a benchmark's data set shipped in the
    model, whose score may then be memorised), relative paths sorted."""
    import hashlib

    size = data.stat().st_size
    digest = hashlib.sha256(data.read_bytes()).digest()
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and path.stat().st_size == size
        and hashlib.sha256(path.read_bytes()).digest() == digest
    )  # fmt: skip


def run_harness(
    benchmark: Benchmark, model: Path, dataset: Path | None, work: Path, *, timeout: float = 3600.0
) -> HarnessRun:
    """Run `benchmark`'s command on the version pulled at `model` (and its data set file), in `work` (a fresh,
    empty folder), and read the metrics it wrote.

    The command's placeholders: `{model}` (the pulled folder), `{dataset}` (the data set file), `{metrics}` (the
    JSON file it must write, name -> number) and `{outputs}` (a folder for anything to keep).

    Raises:
        InputError: The benchmark has no command, a placeholder it cannot fill, the harness failed or timed out, or
            its metrics file is missing, outside its folder, too large or not a JSON object.
    """
    import time

    from .. import parsing

    if not benchmark.command:
        raise InputError(f"benchmark {benchmark.name} has no command to run: attest results with `eval submit`")
    outputs, home, tmp = work / "outputs", work / "home", work / "tmp"
    for folder in (outputs, home, tmp):
        folder.mkdir(parents=True)
    metrics_file = work / "metrics.json"
    values = {"{model}": str(model), "{metrics}": str(metrics_file), "{outputs}": str(outputs)}
    if dataset is not None:
        values["{dataset}"] = str(dataset)
    elif any("{dataset}" in part for part in benchmark.command):
        raise InputError(f"benchmark {benchmark.name}'s command names {{dataset}}, but it names no data set")
    argv = []
    for part in benchmark.command:  # only the four placeholders: any other brace is the command's own
        for placeholder, value in values.items():
            part = part.replace(placeholder, value)
        argv.append(part)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(tmp),
    }
    log = outputs / "harness.log"
    started = time.monotonic()
    with log.open("wb") as written:
        try:
            process = subprocess.Popen(
                argv,
                cwd=work,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=written,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a time-out kills what it started too
            )
        except OSError as exc:
            raise InputError(f"cannot start the harness {argv[0]!r}: {exc.strerror or exc}") from None
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise InputError(f"the harness ran longer than {timeout:g} s and was stopped (log: {log})") from None
    seconds = time.monotonic() - started
    if returncode != 0:
        raise InputError(f"the harness exited with status {returncode} (log: {log})")
    return HarnessRun(returncode, _read_metrics(metrics_file, work, parsing), outputs, log, seconds)


def _read_metrics(path: Path, work: Path, parsing: Any) -> dict[str, Any]:
    if path.is_symlink() or not path.is_file():
        raise InputError(f"the harness wrote no metrics file at {path} (a regular file, not a link)")
    if not path.resolve().is_relative_to(work.resolve()):
        raise InputError("the harness's metrics file is outside its folder")
    if path.stat().st_size > MAX_METRICS_FILE:
        raise InputError(f"the harness's metrics file is larger than {MAX_METRICS_FILE:,} bytes")
    try:
        data = parsing.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"the harness's metrics file is not JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise InputError("the harness's metrics file is not a JSON object of name -> number")
    return data
