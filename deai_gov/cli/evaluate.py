"""`deai-gov eval ...`: evaluations of model versions, attested with the Ethereum Attestation Service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..display import hides_anything
from .commands import eval_
from .options import MODEL, PROPOSAL_ID, Duration, json_option
from .output import HIDDEN_NOTE, cell, console, echo, emit
from .session import Session
from .tx import transact

proposal_option = click.option(
    "--proposal",
    "proposal_id",
    type=PROPOSAL_ID,
    help="Evaluate the version this proposal would write (one under vote), bound to the artifact it names.",
)
offchain_option = click.option(
    "--offchain",
    is_flag=True,
    help="Sign an off-chain attestation instead (EAS's format, EIP-712; no transaction, no gas). It is put on IPFS "
    "and counts once someone with gas relays it: `deai-gov eval relay CID`.",
)
candidate_option = click.option(
    "--candidate",
    "candidate",
    metavar="ARTIFACT_CID",
    help="Evaluate a version not proposed yet: this artifact, as the version the registry would number next (so "
    "`model propose … --reward auto` can use the evaluation).",
)


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
@proposal_option
@candidate_option
@offchain_option
@json_option
@click.pass_obj
def submit(
    session: Session,
    reference: tuple[str, int | None],
    benchmark_file: Path,
    metric_values: tuple[str, ...],
    metrics_file: Path | None,
    outputs_cid: str,
    proposal_id: int | None,
    candidate: str | None,
    offchain: bool,
) -> None:
    """Attest an evaluation computed elsewhere: a benchmark's metrics on a version's artifact.

    The attestation is made on chain with the DAO's attestation service, bound to the artifact CID the registry
    records for the version (default: the current one) and to this DAO; it counts once the DAO trusts its evaluator
    (`proposal create --evaluator add ADDRESS`).
    """
    from ..merit.benchmark import load_benchmark, measured
    from ..workflows.evaluations import build_evaluation

    name, version = reference
    benchmark = load_benchmark(benchmark_file)
    values = _values(metric_values, metrics_file)
    evaluation = build_evaluation(
        session.dao,
        name,
        version,
        benchmark=benchmark,
        metrics=measured(benchmark, values),
        outputs_cid=outputs_cid,
        proposal_id=proposal_id,
        candidate=candidate,
    )
    session.dao.attestation_service()  # a DAO without one: said before anything is shown as about to be sent
    shown = ", ".join(f"{m.name} {m.shown}" for m in evaluation.metrics)
    echo(
        f"evaluation of {name} v{evaluation.version} (artifact {evaluation.artifact_cid}) on {benchmark.name} "
        f"v{benchmark.version}: {shown}",
        err=True,
    )
    _attest(session, evaluation, offchain)


@eval_.command()
@click.argument("reference", metavar="NAME[@VERSION]", type=MODEL)
@click.option(
    "--benchmark",
    "benchmark_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The benchmark's definition; its `command` is the harness run on the pulled version.",
)
@click.option(
    "--dataset",
    "dataset_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The benchmark's data set from this file instead of IPFS (a holdout benchmark's is not published); it must "
    "have the benchmark's dataset CID.",
)
@click.option("--timeout", type=Duration(), default="1h", show_default=True, help="How long the harness may run.")
@click.option("--allow-suspended", is_flag=True, help="Evaluate even if the guardian suspended the model.")
@click.option("--allow-rolled-back", is_flag=True, help="Evaluate a version the DAO rolled back (withdrew).")
@proposal_option
@candidate_option
@click.option("--candidate-manifest", metavar="MANIFEST_CID", help="The candidate's manifest CID (with --candidate).")
@offchain_option
@json_option
@click.pass_obj
def run(
    session: Session,
    reference: tuple[str, int | None],
    benchmark_file: Path,
    dataset_file: Path | None,
    timeout: int,
    allow_suspended: bool,
    allow_rolled_back: bool,
    proposal_id: int | None,
    candidate: str | None,
    candidate_manifest: str | None,
    offchain: bool,
) -> None:
    """Pull and verify a version, run the benchmark's harness on it, and attest the metrics it measured.

    The harness runs in a fresh folder as a separate process with a clean environment and home: no keys, passwords,
    tokens or configuration reach it. It is not a sandbox: model files in formats such as pickle run code when
    loaded. Its outputs (and log) are published with the evaluation when an IPFS node or store is configured.
    """
    import tempfile

    from ..errors import InputError
    from ..ipfs.blockcid import from_text
    from ..ipfs.content import file_bytes
    from ..merit.benchmark import check_dataset, load_benchmark, measured
    from ..workflows.approved import proposed_version, pull_proposed, pull_version, resolve
    from ..workflows.evaluations import build_evaluation
    from ..workflows.harness import code_running_files, copies_of, run_harness

    name, version = reference
    benchmark = load_benchmark(benchmark_file)
    if not benchmark.command:
        raise InputError(f"benchmark {benchmark.name} has no command to run", hint="attest results with `eval submit`")
    if benchmark.holdout and dataset_file is None:
        raise InputError(
            f"benchmark {benchmark.name} is a holdout: its data set is not published",
            hint="give the copy you hold with --dataset FILE (checked against its CID)",
        )
    if dataset_file is not None and not benchmark.dataset_cid:
        raise InputError(f"benchmark {benchmark.name} names no data set, so --dataset has nothing to stand for")
    held = None
    if dataset_file is not None:  # checked before any pull or run
        if dataset_file.stat().st_size > DATASET_LIMIT:
            raise InputError(f"{dataset_file} is larger than a data set can be ({DATASET_LIMIT:,} bytes)")
        held = dataset_file.read_bytes()
        check_dataset(benchmark, held, dataset_file)
    session.dao.attestation_service()  # a DAO without one: said before any work
    sources = session.sources()
    if (candidate is None) != (candidate_manifest is None):
        raise InputError("--candidate and --candidate-manifest go together: the artifact and its manifest")
    if candidate is not None and candidate_manifest is not None:
        from ..dao.registry import ProposedVersion
        from ..workflows.evaluations import next_version

        target = ProposedVersion(name, next_version(session.dao, name), candidate, candidate_manifest)
        number, artifact = target.version, candidate
        if version is not None and version != number:  # said before any work, as build_evaluation says it
            raise InputError(f"the next version of {name} is v{number}, not v{version}")
    elif proposal_id is not None:
        target = proposed_version(session.dao, name, proposal_id)
        number, artifact = target.version, target.artifact_cid
        if version is not None and version != number:
            raise InputError(f"proposal {proposal_id} writes {name} v{number}, not v{version}")
    else:
        approved = resolve(
            session.dao, name, version, allow_suspended=allow_suspended, allow_rolled_back=allow_rolled_back
        )
        number, artifact = approved.version.number, approved.version.artifact_cid
    with tempfile.TemporaryDirectory(prefix="deai-gov-eval-") as folder:
        work = Path(folder)
        model = work / "model"
        under_vote = f", proposed by {proposal_id}" if proposal_id is not None else ""
        echo(f"pulling {name} v{number} ({artifact}{under_vote})", err=True)
        if proposal_id is not None or candidate is not None:
            pull_proposed(sources, target, proposal_id, model)
        else:
            pull_version(sources, approved, model)
        risky = code_running_files(model)
        if risky:
            shown = ", ".join(risky[:5]) + (", …" if len(risky) > 5 else "")
            echo(f"warning: files in formats that can run code when loaded: {shown}", err=True)
        dataset = None
        if benchmark.dataset_cid:
            dataset = work / "dataset"
            dataset.write_bytes(
                held if held is not None else file_bytes(sources, from_text(benchmark.dataset_cid), limit=DATASET_LIMIT)
            )
            inside = copies_of(model, dataset)
            if inside:
                echo(
                    f"warning: the version ships the benchmark's data set as {', '.join(inside[:3])}: its score may "
                    "be memorised (voters see it flagged)",
                    err=True,
                )
        echo(f"running {benchmark.name} v{benchmark.version}: {' '.join(benchmark.command)}", err=True)
        result = run_harness(benchmark, model, dataset, work / "run", timeout=float(timeout))
        metrics = measured(benchmark, result.metrics)
        outputs_cid = "" if session.dry_run else _publish_outputs(session, result.outputs)
        evaluation = build_evaluation(
            session.dao,
            name,
            number,
            benchmark=benchmark,
            metrics=metrics,
            outputs_cid=outputs_cid,
            proposal_id=proposal_id,
            candidate=candidate,
        )
    shown = ", ".join(f"{m.name} {m.shown}" for m in evaluation.metrics)
    echo(f"measured in {result.seconds:.1f} s: {shown}" + (f"; outputs {outputs_cid}" if outputs_cid else ""), err=True)
    _attest(session, evaluation, offchain)


def _attest(session: Session, evaluation: Any, offchain: bool = False) -> None:
    """Attest `evaluation` (simulated, confirmed and sent as every transaction is) and say its UID; off chain:
    signed, confirmed, put on IPFS, and the command that relays it said."""
    from ..workflows.evaluations import attest_evaluation

    if offchain:
        _sign_offchain(session, evaluation)
        return
    summary = transact(session, attest_evaluation(session.dao, evaluation), "attest the evaluation", outcome_key="uid")
    if summary.get("sent"):
        echo(f"attestation {summary['uid']}", err=True)
    emit(session, summary | {"evaluation": evaluation.to_json()}, lambda: None)


def _sign_offchain(session: Session, evaluation: Any) -> None:
    from ..workflows.evaluations import publish_offchain, sign_evaluation
    from .prompts import confirm

    session.refuse_safe("sign an off-chain attestation (it is one key's signature): attest on chain instead")
    attestation = sign_evaluation(session.dao, session.signer(), evaluation)
    uid = "0x" + attestation.uid.hex()
    echo(f"signed off-chain attestation {uid} (by {attestation.attester}, no transaction)", err=True)
    data: dict[str, Any] = {"uid": uid, "attester": attestation.attester, "offchain": True}
    if session.dry_run:
        echo("dry run: not published", err=True)
        emit(session, data | {"offchain_cid": None, "evaluation": evaluation.to_json()}, lambda: None)
        return
    store = session.publish_store()  # before asking: nowhere to publish is said first
    confirm("Publish this signed evaluation (public, on IPFS)?", yes=session.yes)
    cid = publish_offchain(store, attestation)
    echo(f"published at {cid}; it counts once relayed on chain: deai-gov eval relay {cid}", err=True)
    emit(session, data | {"offchain_cid": cid, "evaluation": evaluation.to_json()}, lambda: None)


@eval_.command()
@click.argument("source", metavar="CID|FILE")
@json_option
@click.pass_obj
def relay(session: Session, source: str) -> None:
    """Record an off-chain evaluation on chain for the DAO (you pay the gas): its UID timestamped, its CID anchored.

    SOURCE is the CID of its package (EAS's signed JSON) on IPFS, or the package as a file (published first). It is
    checked whole before anything is sent: the signature, the UID, this chain's attestation service, the DAO's
    schema and registry, and a valid evaluation. Whether it then counts is decided as for any evaluation.
    """
    from ..merit.offchain import MAX_PACKAGE, read_package
    from ..workflows.evaluations import publish_offchain, read_offchain, relay_evaluation

    path = Path(source)
    if path.is_file():
        from ..errors import InputError

        if path.stat().st_size > MAX_PACKAGE:
            raise InputError(f"{path} is larger than an off-chain attestation can be ({MAX_PACKAGE:,} bytes)")
        attestation = read_package(path.read_bytes())
        cid = None if session.dry_run else publish_offchain(session.publish_store(), attestation)
    else:
        from ..ipfs.blockcid import normalize_cid

        cid = normalize_cid(source)
        attestation = read_offchain(session.sources(), cid)
    uid = "0x" + attestation.uid.hex()
    txs = relay_evaluation(session.dao, attestation, cid or "")
    echo(f"off-chain attestation {uid} by {attestation.attester}, at {cid or '(not published: dry run)'}", err=True)
    sent = []
    for index, tx in enumerate(txs):
        if session.dry_run and index:  # it needs the ones before it mined to be simulated
            echo(f"then: {tx.description}", err=True)
            continue
        sent.append(transact(session, tx))
    if not session.dry_run:
        echo(f"relayed: {uid} is now found by `deai-gov eval list` with the DAO's other evaluations", err=True)
    emit(session, {"uid": uid, "offchain_cid": cid, "transactions": sent}, lambda: None)


@eval_.command()
@click.argument("uid", metavar="UID")
@json_option
@click.pass_obj
def revoke(session: Session, uid: str) -> None:
    """Revoke one of your evaluations (on chain, or off chain through EAS's record of off-chain revocations)."""
    from ..errors import InputError
    from ..merit import eas
    from ..merit.evaluation import EVALUATION_SCHEMA
    from ..names import parse_hash32
    from ..workflows.evaluations import find_evaluations

    raw = parse_hash32(uid, "attestation UID")
    wanted = "0x" + raw.hex()
    found = next((r for r in find_evaluations(session.dao, sources=session.sources_if_any()) if r.uid == wanted), None)
    if found is None or found.evaluation is None:
        raise InputError(f"no evaluation of this DAO's models has the attestation UID {wanted}")
    signer = session.acting_address()
    if found.attester.lower() != signer.lower():
        raise InputError(f"only its evaluator ({found.attester}) can revoke attestation {wanted}, not {signer}")
    contracts = session.dao.attestation_service()
    if found.offchain_cid is not None:
        tx = eas.revoke_offchain(contracts, raw)
    else:
        tx = eas.revoke(contracts, eas.schema_uid(EVALUATION_SCHEMA), raw)
    emit(session, transact(session, tx), lambda: None)


#: A benchmark's data set is one file, read whole: at most this large.
DATASET_LIMIT = 64 * 1024 * 1024


def _publish_outputs(session: Session, outputs: Path) -> str:
    """The outputs folder (the harness's log in it) published where the session publishes; "" when nowhere is
    configured."""
    from ..errors import InputError
    from ..ipfs.blockcid import to_text
    from ..ipfs.importer import import_path

    try:
        store = session.publish_store()
    except InputError:
        return ""
    return to_text(store.import_dag(lambda sink: import_path(outputs, sink).cid))


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
    found = find_evaluations(session.dao, name, version, sources=session.sources_if_any())
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
                f"{record.uid[:10]}… {format_time(record.time)}" + (" (off chain)" if record.offchain_cid else ""),
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
    found = next((r for r in find_evaluations(session.dao, sources=session.sources_if_any()) if r.uid == wanted), None)
    if found is None:
        raise InputError(f"no evaluation of this DAO's models has the attestation UID {wanted}")
    names = names_of()

    def render() -> None:
        e = found.evaluation
        verdict = "counts" if found.counts else "does not count: " + "; ".join(found.problems)
        echo(f"attestation {found.uid}: {verdict}")
        echo(f"  by {with_name(found.attester, names)}{'' if found.trusted else ' (not trusted by the DAO)'}, "
             f"{format_time(found.time)}, block {found.block}")  # fmt: skip
        if found.offchain_cid:
            echo(f"  off chain: EAS's signed package at {found.offchain_cid}, anchored in block {found.block}")
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
