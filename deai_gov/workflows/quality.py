"""What evaluations say about a candidate version against the version it would replace: per benchmark and metric,
the values trusted evaluators measured on each, the change, and what a voter should notice (a regression, a
benchmark the current version was measured on but the candidate was not, evaluators who disagree).

Only evaluations that count (`evaluations.find_evaluations`) are compared; a benchmark is the same benchmark only
when its name, version and harness digest are.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..units import format_fixed
from .evaluations import NOT_TRUSTED_WHY, EvaluationRecord, benchmark_label, latest_measurements, measure_key

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource


@dataclass(frozen=True)
class MetricComparison:
    """One metric of one benchmark, measured on the candidate and on the version it would replace."""

    benchmark: str
    metric: str
    higher_is_better: bool
    #: (evaluator, value) of each counting evaluation of the candidate, in units of 10**-18.
    candidate: tuple[tuple[str, int], ...]
    #: The same for the version it would replace.
    baseline: tuple[tuple[str, int], ...]
    #: Evaluations of the candidate left out, as (evaluator, why): by the proposal's proposer, its version's
    #: contributor or someone it pays (they are not independent), or by an evaluator the DAO does not trust.
    left_out: tuple[tuple[str, str], ...] = ()
    #: The candidate's file that is this benchmark's data set, if it ships one: its score may be memorised.
    data_inside: str | None = None

    @property
    def candidate_value(self) -> int | None:
        """The median of the candidate's values (None when it was not evaluated)."""
        return _median(self.candidate)

    @property
    def baseline_value(self) -> int | None:
        return _median(self.baseline)

    @property
    def delta(self) -> int | None:
        """Candidate minus baseline, when both were evaluated."""
        if self.candidate_value is None or self.baseline_value is None:
            return None
        return self.candidate_value - self.baseline_value

    @property
    def spread(self) -> int:
        """How far the candidate's evaluators are apart (0 with one evaluator, or when they agree exactly)."""
        values = [value for _, value in self.candidate]
        return max(values) - min(values) if values else 0

    @property
    def flags(self) -> list[str]:
        """What a voter should notice, in words."""
        found = []
        if not self.candidate and (self.baseline or len(self.not_counted) < len(self.left_out)):
            # measured on the current version, or only by those who cannot vouch for it: a gap worth flagging
            found.append("not evaluated on the candidate")
        elif self.delta is not None and (self.delta < 0 if self.higher_is_better else self.delta > 0):
            found.append("regressed")
        if self.spread:
            found.append(f"its evaluators differ by {format_fixed(self.spread)}")
        if self.data_inside is not None:
            found.append(f"the candidate contains the benchmark's data set ({self.data_inside}): it may be memorised")
        for who, why in self.left_out:
            if why != NOT_TRUSTED_WHY:
                found.append(f"left out the evaluation by {who} ({why})")
        return found

    @property
    def not_counted(self) -> list[str]:
        """Evaluators of the candidate the DAO does not trust: said, not counted, not a flag (anyone may attest)."""
        return [who for who, why in self.left_out if why == NOT_TRUSTED_WHY]

    @property
    def reproduced(self) -> bool:
        """Whether at least two trusted evaluators measured the candidate and found the same value."""
        return len(self.candidate) >= 2 and not self.spread

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "candidate": _shown_or_none(self.candidate_value),
            "candidate_evaluators": [who for who, _ in self.candidate],
            "baseline": _shown_or_none(self.baseline_value),
            "baseline_evaluators": [who for who, _ in self.baseline],
            "left_out": [{"evaluator": who, "why": why} for who, why in self.left_out],
            "data_inside": self.data_inside,
            "delta": _shown_or_none(self.delta),
            "flags": self.flags,
        }


def compare_versions(
    records: list[EvaluationRecord],
    name: str,
    candidate: int,
    baseline: int | None,
    *,
    not_independent: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> list[MetricComparison]:
    """Each metric of each benchmark either version was evaluated on, by evaluations that count, sorted by
    benchmark and metric. One value per evaluator and version: an evaluator's latest. `not_independent` (lowercase
    address -> why) names evaluators whose evaluations of the candidate are left out (and said to be). `files`
    (CID -> path): the candidate's files; a benchmark whose data set is among them is marked (a public test set
    shipped inside a model can be memorised)."""
    from ..ipfs.blockcid import normalize_cid

    found, left = latest_measurements(records, name, candidate, not_independent)
    latest = {
        (version, benchmark_label(key), key[3], who): (m.evaluator, m.value, m.higher_is_better)
        for (version, key, who), m in found.items()
        if version in (candidate, baseline)
    }
    left_by_label = {(benchmark_label(key), key[3]): why for key, why in left.items()}
    directions = {
        (benchmark_label(measure_key(e, m.name)), m.name): m.higher_is_better
        for e in (record.evaluation for record in records)
        if e is not None and e.model == name
        for m in e.metrics
    }
    inside = {}  # benchmark label -> the candidate's file that is its data set
    for e in (record.evaluation for record in records):
        if e is not None and e.model == name and e.dataset_cid and files:
            path = files.get(normalize_cid(e.dataset_cid))
            for m in e.metrics:
                if path is not None:
                    inside[benchmark_label(measure_key(e, m.name))] = path
    # a metric only left-out evaluations measured is still shown: the voter is told what was left out, and why
    keys = sorted({(benchmark, metric) for _, benchmark, metric, _ in latest} | set(left_by_label))
    comparisons = []
    for benchmark, metric in keys:

        def values(
            version: int | None, benchmark: str = benchmark, metric: str = metric
        ) -> tuple[tuple[str, int], ...]:
            return tuple(
                (who, value)
                for (v, b, m, _), (who, value, _) in sorted(latest.items())
                if v == version and b == benchmark and m == metric
            )

        direction = directions[(benchmark, metric)]
        excluded = tuple(sorted(left_by_label.get((benchmark, metric), set())))
        comparisons.append(
            MetricComparison(
                benchmark, metric, direction, values(candidate), values(baseline), excluded, inside.get(benchmark)
            )
        )
    return comparisons


def proposed_quality(
    dao: Dao,
    name: str,
    version: int,
    artifact_cid: str,
    not_independent: dict[str, str] | None = None,
    records: list[EvaluationRecord] | None = None,
    sources: list[BlockSource] | None = None,
    files: dict[str, str] | None = None,
) -> list[MetricComparison]:
    """The comparison a voter sees for a version a proposal would write: against the model's current version
    (none for a registration), without the evaluations of the candidate by `not_independent` evaluators. `records`
    are the model's evaluations with that version as proposed (`find_evaluations`), read here when not given (the
    off-chain ones from `sources`). `files` (CID -> path) are the candidate's files, as its manifest lists them: a
    benchmark whose data set is one of them is flagged."""
    from ..dao.registry import get_model
    from ..errors import InputError
    from .evaluations import find_evaluations

    try:
        baseline = get_model(dao, name).current_version or None
    except InputError:  # a registration: no model yet, hence nothing to compare with
        baseline = None
    if records is None:
        records = find_evaluations(dao, name, proposed={(name, version): artifact_cid}, sources=sources)
    return compare_versions(records, name, version, baseline, not_independent=not_independent, files=files)


def _median(values: tuple[tuple[str, int], ...]) -> int | None:
    return int(statistics.median_low(value for _, value in values)) if values else None


def _shown_or_none(units: int | None) -> str | None:
    return None if units is None else format_fixed(units)
