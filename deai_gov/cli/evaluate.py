"""`deai-gov eval ...`: evaluations of model versions, attested with the Ethereum Attestation Service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .commands import eval_
from .options import MODEL, json_option
from .output import HIDDEN_NOTE, cell, console, echo, emit, hides_anything
from .session import Session
from .tx import transact


@eval_.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option(
    "--benchmark",
    "benchmark_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The benchmark's definition (JSON: name, version, dataset, command, metrics with direction and tolerance).",
)
@click.option("--metric", "metric_values", multiple=True, metavar="NAME=VALUE", help="A measured value (repeatable).")
@click.option(
    "--metrics",
    "metrics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON object of the measured values, name -> number, as a harness writes it (instead of --metric).",
)
@click.option("--outputs", "outputs_cid", default="", metavar="CID", help="CID of the outputs and logs, to audit.")
@json_option
@click.pass_obj
def submit(
    session: Session,
    reference: tuple[str, int | None],
    benchmark_file: Path,
    metric_values: tuple[str, ...],
    metrics_file: Path | None,
    outputs_cid: str,
) -> None:
    """Attest an evaluation computed elsewhere: a benchmark's metrics on a version's artifact.

    The attestation is made on chain with the DAO's attestation service, bound to the artifact CID the registry
    records for the version (default: the current one) and to this DAO; it counts once the DAO trusts its evaluator
    (`proposal create --evaluator add ADDRESS`).
    """
    from ..merit.benchmark import load_benchmark, measured
    from ..workflows.evaluations import attest_evaluation, build_evaluation

    name, version = reference
    benchmark = load_benchmark(benchmark_file)
    values = _values(metric_values, metrics_file)
    evaluation = build_evaluation(
        session.dao,
        name,
        version,
        benchmark=benchmark.name,
        benchmark_version=benchmark.version,
        dataset_cid=benchmark.dataset_cid,
        harness_digest=benchmark.digest,
        metrics=measured(benchmark, values),
        outputs_cid=outputs_cid,
    )
    session.dao.attestation_service()  # a DAO without one: said before anything is shown as about to be sent
    shown = ", ".join(f"{m.name} {m.shown}" for m in evaluation.metrics)
    echo(
        f"evaluation of {name} v{evaluation.version} (artifact {evaluation.artifact_cid}) on {benchmark.name} "
        f"v{benchmark.version}: {shown}",
        err=True,
    )
    summary = transact(session, attest_evaluation(session.dao, evaluation), "attest the evaluation", outcome_key="uid")
    if isinstance(summary.get("uid"), bytes):
        summary["uid"] = "0x" + summary["uid"].hex()
    if summary.get("sent"):
        echo(f"attestation {summary['uid']}", err=True)
    emit(session, summary | {"evaluation": evaluation.to_json()}, lambda: None)


def _values(pairs: tuple[str, ...], path: Path | None) -> dict[str, Any]:
    """The measured values: --metric NAME=VALUE pairs, or a JSON object from --metrics (not both)."""
    from .. import parsing
    from ..errors import InputError

    if bool(pairs) == (path is not None):
        raise InputError(
            "give the measured values with --metric NAME=VALUE (repeatable) or --metrics FILE, one of them"
        )
    if path is not None:
        try:
            data = parsing.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"cannot read metrics {path}: {str(exc)[:120]}") from None
        if not isinstance(data, dict):
            raise InputError(f"metrics {path} is not a JSON object of name -> number")
        return data
    values: dict[str, Any] = {}
    for pair in pairs:
        metric, equals, value = pair.partition("=")
        if not equals or not metric.strip():
            raise InputError(f"--metric {pair!r}: write NAME=VALUE, e.g. accuracy=0.875")
        if metric.strip() in values:
            raise InputError(f"--metric {metric.strip()!r} is given twice")
        values[metric.strip()] = value.strip()
    return values


@eval_.command("list")
@click.argument("reference", metavar="[NAME[@VERSION]]", type=MODEL, required=False)
@json_option
@click.pass_obj
def list_(session: Session, reference: tuple[str, int | None] | None) -> None:
    """The evaluations attested for the DAO's models, each with whether it counts and, if not, why."""
    from rich.table import Table

    from ..home.addressbook import names_of, with_name
    from ..units import format_time
    from ..workflows.evaluations import find_evaluations

    name, version = reference if reference is not None else (None, None)
    found = find_evaluations(session.dao, name, version)
    names = names_of()

    def render() -> None:
        if not found:
            echo("no evaluations attested yet" + (f" for {name}" if name else ""))
            return
        table = Table("version", "benchmark", "metrics", "evaluator", "counts", "attestation")
        for record in found:
            e = record.evaluation
            table.add_row(
                f"{e.model} v{e.version}" if e else "?",
                cell(f"{e.benchmark} v{e.benchmark_version}") if e else "?",
                cell(", ".join(f"{m.name} {m.shown}" for m in e.metrics)) if e else "?",
                with_name(record.attester, names) + ("" if record.trusted else " (untrusted)"),
                "yes" if record.counts else cell("no: " + "; ".join(record.problems)),
                f"{record.uid[:10]}… {format_time(record.time)}",
            )
        console().print(table)
        texts = [p for r in found for p in r.problems]
        texts += [
            t for r in found if r.evaluation for t in (r.evaluation.benchmark, *(m.name for m in r.evaluation.metrics))
        ]
        if hides_anything(*texts):
            echo(HIDDEN_NOTE, err=True)

    emit(session, [record.to_json() for record in found], render)


@eval_.command()
@click.argument("uid", metavar="UID")
@json_option
@click.pass_obj
def show(session: Session, uid: str) -> None:
    """One attestation: the evaluation it records, its evaluator, and whether it counts."""
    from ..errors import InputError
    from ..home.addressbook import names_of, with_name
    from ..names import parse_hash32
    from ..units import format_time
    from ..workflows.evaluations import find_evaluations

    wanted = "0x" + parse_hash32(uid, "attestation UID").hex()
    found = next((r for r in find_evaluations(session.dao) if r.uid == wanted), None)
    if found is None:
        raise InputError(f"no evaluation of this DAO's models has the attestation UID {wanted}")
    names = names_of()

    def render() -> None:
        e = found.evaluation
        verdict = "counts" if found.counts else "does not count: " + "; ".join(found.problems)
        echo(f"attestation {found.uid}: {verdict}")
        echo(f"  by {with_name(found.attester, names)}{'' if found.trusted else ' (not trusted by the DAO)'}, "
             f"{format_time(found.time)}, block {found.block}")  # fmt: skip
        if e is None:
            return
        echo(f"  {e.model} v{e.version}, artifact {e.artifact_cid}")
        echo(f"  benchmark {e.benchmark} v{e.benchmark_version}, harness 0x{e.harness_digest.hex()}")
        if e.dataset_cid:
            echo(f"  data set {e.dataset_cid}")
        for m in e.metrics:
            echo(f"  {m.name} {m.shown} ({'higher' if m.higher_is_better else 'lower'} is better)")
        if e.outputs_cid:
            echo(f"  outputs {e.outputs_cid}")

    emit(session, found.to_json(), render)
