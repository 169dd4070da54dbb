"""Evaluations of a DAO's model versions: attested (on chain, with the DAO's attestation service) and found again,
each with whether it counts and, when it does not, why.

An evaluation is attested with the DAO's registry as its recipient, so the DAO's evaluations are found by one log
query (EAS's `Attested` event, indexed by recipient and schema). Whatever a log says, each attestation is read
from EAS itself, decoded and checked (`merit.evaluation.binding_problems`): it counts only when it is bound to this
DAO, this schema and the version's exact artifact, is neither revoked nor expired, and comes from an evaluator the
DAO trusts. Anyone may attest; a hostile attestation is one row saying what is wrong with it, never an error of the
whole list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..chain.client import PreparedTx
from ..chain.logs import iter_logs
from ..dao.registry import get_version, trusted_evaluators
from ..errors import InputError
from ..merit import eas
from ..merit.benchmark import Benchmark
from ..merit.evaluation import EVALUATION_SCHEMA, Evaluation, Metric, binding_problems

if TYPE_CHECKING:
    from ..dao.deployed import Dao

__all__ = ["EvaluationRecord", "Measurement", "attest_evaluation", "build_evaluation", "find_evaluations",
           "latest_measurements"]  # fmt: skip

#: Why an evaluation that is otherwise bound and valid does not count.
NOT_TRUSTED = "its evaluator is not one the DAO trusts"
#: The same, as the reason an evaluation of a candidate is left out of a comparison.
NOT_TRUSTED_WHY = "not an evaluator the DAO trusts"

#: What makes two measurements comparable: benchmark name, benchmark version, harness digest, metric.
MeasureKey = tuple[str, str, bytes, str]


def build_evaluation(
    dao: Dao,
    name: str,
    version: int | None,
    *,
    benchmark: Benchmark,
    metrics: list[Metric],
    outputs_cid: str = "",
    proposal_id: int | None = None,
    candidate: str | None = None,
) -> Evaluation:
    """An evaluation on `benchmark` (its name, version, data set and digest are recorded) of version `version`
    (None: the current one) of `name`, bound to the artifact CID the registry
    records for it and to this DAO's registry; with `proposal_id`, of the version that proposal would write (under
    vote, say), bound to the artifact it names; with `candidate` (an artifact CID), of the version not proposed yet
    that the registry would number next. InputError for an unknown model, version or proposal, a proposal writing no
    version of `name`, or a malformed field."""
    if candidate is not None:  # not proposed yet: the number the registry would give it next
        number, artifact = next_version(dao, name), candidate
        if version is not None and version != number:
            raise InputError(f"the next version of {name} is v{number}, not v{version}")
    elif proposal_id is not None:
        from .approved import proposed_version

        proposed = proposed_version(dao, name, proposal_id)
        if version is not None and version != proposed.version:
            raise InputError(f"proposal {proposal_id} writes {name} v{proposed.version}, not v{version}")
        number, artifact = proposed.version, proposed.artifact_cid
    else:
        recorded = get_version(dao, name, version)
        number, artifact = recorded.number, recorded.artifact_cid
    evaluation = Evaluation(
        name,
        number,
        artifact,
        dao.address("registry"),
        benchmark.name,
        benchmark.version,
        benchmark.dataset_cid,
        benchmark.digest,
        tuple(metrics),
        outputs_cid,
    )
    evaluation.check()
    return evaluation


def next_version(dao: Dao, name: str) -> int:
    """The number the registry would give the next version of `name`: its latest + 1, or 1 for a new model."""
    from ..dao.registry import get_model

    try:
        return get_model(dao, name).latest_version + 1
    except InputError:  # no such model yet: a registration writes version 1
        return 1


def attest_evaluation(dao: Dao, evaluation: Evaluation) -> PreparedTx:
    """The on-chain attestation of `evaluation` with the DAO's attestation service, its registry as recipient; the
    transaction's outcome is the attestation's UID, as 0x and 64 hex digits."""
    contracts = dao.attestation_service()
    tx = eas.attest(
        contracts, eas.schema_uid(EVALUATION_SCHEMA), evaluation.encode(), recipient=dao.address("registry")
    )
    description = f"attest {evaluation.benchmark} on {evaluation.model} v{evaluation.version}"
    return PreparedTx(
        tx.to, tx.data, description, read_outcome=lambda receipt: "0x" + eas.attested_uid(contracts, receipt).hex()
    )


@dataclass(frozen=True)
class EvaluationRecord:
    """One attestation found for the DAO, what it says, and whether it counts."""

    uid: str
    attester: str
    time: int
    block: int
    #: The decoded evaluation, or None when the data is not a well-formed one (see `problems`).
    evaluation: Evaluation | None
    trusted: bool
    #: Why it does not count; empty when it does.
    problems: list[str] = field(default_factory=list)

    @property
    def counts(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "attester": self.attester,
            "time": self.time,
            "block": self.block,
            "trusted": self.trusted,
            "counts": self.counts,
            "problems": self.problems,
            "evaluation": self.evaluation.to_json() if self.evaluation is not None else None,
        }


def find_evaluations(
    dao: Dao,
    name: str | None = None,
    version: int | None = None,
    *,
    proposed: dict[tuple[str, int], str] | None = None,
) -> list[EvaluationRecord]:
    """Every evaluation attested for this DAO (of model `name`, and of its version `version`, when given), oldest
    first, each checked: decoded, bound to the artifact the registry records for its version, not revoked or
    expired at the chain's time, and attested by a trusted evaluator. `proposed` ((name, version) -> artifact CID)
    names versions a proposal would write: their evaluations are checked against that artifact instead.

    Raises:
        InputError: The DAO has no attestation service, or `name` / `version` is not registered.
        ChainError: The node could not be reached.
    """
    contracts = dao.attestation_service()
    schema = eas.schema_uid(EVALUATION_SCHEMA)
    proposed = proposed or {}
    if name is not None and (name, version) not in proposed:
        get_version(dao, name, version)  # an unknown model or version is an error, not an empty list
    registry = dao.address("registry")
    trusted = {address.lower() for address in trusted_evaluators(dao)}
    now = dao.chain.timestamp()
    artifacts: dict[tuple[str, int], str | None] = {}
    found = []
    logs = iter_logs(
        dao.chain,
        "EAS",
        contracts.eas,
        "Attested",
        from_block=dao.deployment.block,
        filters={"recipient": registry, "schemaUID": schema},
    )
    attested = list(logs)
    uids = [bytes(log.args["uid"]) for log in attested]
    for log, attestation in zip(attested, eas.get_attestations(dao.chain, contracts, uids), strict=True):
        if attestation is None:  # a log from a contract that is not what the record says: nothing to show
            continue
        is_trusted = attestation.attester.lower() in trusted
        try:
            evaluation = Evaluation.decode(attestation.data)
        except InputError as exc:
            found.append(_record(attestation, log.block, None, is_trusted, [str(exc)]))
            continue
        if name is not None and (evaluation.model != name or (version is not None and evaluation.version != version)):
            continue
        key = (evaluation.model, evaluation.version)
        if key not in artifacts:
            artifacts[key] = proposed.get(key) or _artifact_of(dao, *key)
        recorded = artifacts[key]
        if recorded is None:
            problems = [f"{evaluation.model} has no version {evaluation.version} in this DAO's registry"]
        else:
            problems = binding_problems(
                attestation, evaluation, schema=schema, registry=registry, artifact_cid=recorded, now=now
            )
        if not is_trusted:
            problems.append(NOT_TRUSTED)
        found.append(_record(attestation, log.block, evaluation, is_trusted, problems))
    return found


def _artifact_of(dao: Dao, name: str, version: int) -> str | None:
    try:
        return get_version(dao, name, version).artifact_cid
    except InputError:
        return None


def _record(
    attestation: eas.Attestation, block: int, evaluation: Evaluation | None, trusted: bool, problems: list[str]
) -> EvaluationRecord:
    return EvaluationRecord(
        "0x" + attestation.uid.hex(), attestation.attester, attestation.time, block, evaluation, trusted, problems
    )


@dataclass(frozen=True)
class Measurement:
    """One evaluator's value for one metric of one version."""

    evaluator: str
    value: int
    higher_is_better: bool


def latest_measurements(
    records: list[EvaluationRecord],
    name: str,
    candidate: int,
    not_independent: dict[str, str] | None = None,
    keep: Callable[[MeasureKey, Measurement], bool] | None = None,
) -> tuple[dict[tuple[int, MeasureKey, str], Measurement], dict[MeasureKey, set[tuple[str, str]]]]:
    """The measurements of model `name` that count, one per version, metric and evaluator: its latest (`records`
    are oldest first), among those `keep` accepts. Those of version `candidate` by `not_independent` evaluators
    (lowercase address -> why), and those by evaluators the DAO does not trust (bound and valid otherwise), are
    left out, and returned apart as (evaluator, why) per metric.

    Returns:
        (version, key, evaluator in lowercase) -> its measurement; and key -> the evaluations left out.
    """
    latest: dict[tuple[int, MeasureKey, str], Measurement] = {}
    left: dict[MeasureKey, set[tuple[str, str]]] = {}
    for record in records:
        e = record.evaluation
        if e is None or e.model != name:
            continue
        if not record.counts:
            if e.version == candidate and record.problems == [NOT_TRUSTED]:  # said, not counted
                for measured in e.metrics:
                    key = (e.benchmark, e.benchmark_version, e.harness_digest, measured.name)
                    left.setdefault(key, set()).add((record.attester, NOT_TRUSTED_WHY))
            continue
        why = (not_independent or {}).get(record.attester.lower())
        for measured in e.metrics:
            key = (e.benchmark, e.benchmark_version, e.harness_digest, measured.name)
            if e.version == candidate and why is not None:
                left.setdefault(key, set()).add((record.attester, why))
                continue
            found = Measurement(record.attester, measured.value, measured.higher_is_better)
            if keep is None or keep(key, found):
                latest[(e.version, key, record.attester.lower())] = found
    return latest, left
