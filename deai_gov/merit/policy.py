"""A reward policy: what an accepted version earns for its measured improvement, as the DAO adopted it by vote.

    {
      "schema": "deai-gov/reward-policy/v1",
      "benchmarks": [
        {"name": "tiny-clf", "version": "1", "harness": "0x<64 hex digits>", "metric": "accuracy",
         "better": "higher", "weight": "1", "tolerance": "0.01"}
      ],
      "min_evaluators": 2,
      "tokens_per_unit": "100",
      "merit_per_unit": "50",
      "cap_per_version": "500",
      "merit_lifetime_days": 365,
      "evaluator_tokens": "5",
      "evaluator_merit": "1"
    }

Every meaning is the policy's: which benchmark (name, version and harness digest, so a changed harness is another
benchmark), which metric and which direction is better, its weight, how far evaluators may differ and still agree,
how many trusted evaluators must agree, and the rates (tokens and merit per 1.0 of weighted improvement) and the cap
on tokens per version. Everything is checked when the policy is read; numbers are decimal text read as fixed point
with 18 decimals, and the arithmetic is integer:

- a score is **reproduced** when at least `min_evaluators` distinct evaluators measured it and their values lie
  within `tolerance` of each other; its value is their median (the lower middle one);
- the **baseline** is the best reproduced score any earlier version of the model ever had on the identical benchmark
  (rolled-back versions included, so a version re-proposed is never paid twice); no baseline, no reward;
- each metric's improvement is how far the candidate's reproduced score beats the baseline in the better direction
  (nothing when it does not), times its weight, rounded down to 10**-18;
- tokens = sum of improvements times `tokens_per_unit`, rounded down to a base unit, at most `cap_per_version`;
  merit likewise with `merit_per_unit` (the token caps merit itself at 1% of the supply per proposal);
- merit granted under the policy expires `merit_lifetime_days` after it is minted (absent or 0: never): anyone may
  then burn it (`ModelToken.expireMerit`), so say follows recent contributions;
- each trusted, independent evaluator whose value is part of a reproduced score of the version earns
  `evaluator_tokens` and `evaluator_merit` (each 0 when absent), paid by the same proposal: reproducing is work;
- a benchmark entry with `"holdout": true` is one whose data only trusted evaluators hold (`merit.benchmark`); with
  `"require_holdout": true` a version earns nothing unless a holdout metric of it is reproduced, so a score on
  public data alone, which a model can memorise, is never paid.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from .evaluation import MAX_TEXT, METRIC_DECIMALS, parse_metric_value, short_text

SCHEMA = "deai-gov/reward-policy/v1"
ONE = 10**METRIC_DECIMALS
#: A policy document larger than this is refused unread.
MAX_POLICY = 64 * 1024
MAX_BENCHMARKS = 32
DAY = 24 * 3600
#: The longest merit lifetime a policy may set (about a century): the token's own bound.
MAX_LIFETIME_DAYS = 36_500


@dataclass(frozen=True)
class PolicyMetric:
    """One metric of one benchmark the policy pays for."""

    benchmark: str
    version: str
    harness: bytes
    metric: str
    higher_is_better: bool
    weight: int
    tolerance: int
    holdout: bool = False

    @property
    def key(self) -> tuple[str, str, bytes, str]:
        """What makes two measurements comparable: benchmark name, version, harness digest, metric."""
        return (self.benchmark, self.version, self.harness, self.metric)

    @property
    def label(self) -> str:
        return f"{self.benchmark} v{self.version} (harness 0x{self.harness.hex()[:8]}) {self.metric}"


@dataclass(frozen=True)
class RewardPolicy:
    metrics: tuple[PolicyMetric, ...]
    min_evaluators: int
    tokens_per_unit: int
    merit_per_unit: int
    cap_per_version: int
    #: SHA-256 of the document: what the registry records.
    digest: bytes
    #: How long merit granted under the policy lasts, in seconds (0: for good).
    merit_lifetime: int = 0
    #: Pay nothing unless a holdout metric of the version is reproduced.
    require_holdout: bool = False
    #: What each evaluator whose value is part of a reproduced score earns, in base units (tokens, then merit).
    evaluator_tokens: int = 0
    evaluator_merit: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "digest": "0x" + self.digest.hex(),
            "metrics": [m.label for m in self.metrics],
            "min_evaluators": self.min_evaluators,
            "tokens_per_unit": str(self.tokens_per_unit),
            "merit_per_unit": str(self.merit_per_unit),
            "cap_per_version": str(self.cap_per_version),
            "merit_lifetime_days": self.merit_lifetime // DAY,
            "require_holdout": self.require_holdout,
            "evaluator_tokens": str(self.evaluator_tokens),
            "evaluator_merit": str(self.evaluator_merit),
        }


def read_policy(document: bytes) -> RewardPolicy:
    """The policy in `document`; InputError naming the first thing wrong with it."""
    from .. import parsing

    if len(document) > MAX_POLICY:
        raise InputError(f"a reward policy is at most {MAX_POLICY:,} bytes")
    try:
        data = parsing.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"the reward policy is not JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f'the reward policy must be a JSON object with "schema": "{SCHEMA}"')
    unknown = set(data) - {"schema", "benchmarks", "min_evaluators", "tokens_per_unit", "merit_per_unit",
                           "cap_per_version", "merit_lifetime_days", "require_holdout", "evaluator_tokens",
                           "evaluator_merit", "description"}  # fmt: skip
    if unknown:
        raise InputError(f"the reward policy has an unknown field {sorted(unknown)[0]!r}")
    entries = data.get("benchmarks")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_BENCHMARKS:
        raise InputError(f"the reward policy names 1 to {MAX_BENCHMARKS} benchmark metrics")
    metrics = tuple(_metric(entry, index) for index, entry in enumerate(entries, 1))
    if len({m.key for m in metrics}) != len(metrics):
        raise InputError("the reward policy names a benchmark metric twice")
    minimum = data.get("min_evaluators")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1 <= minimum <= 100:
        raise InputError("min_evaluators must be a whole number from 1 to 100")
    days = data.get("merit_lifetime_days", 0)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_LIFETIME_DAYS:
        raise InputError(f"merit_lifetime_days must be a whole number from 0 (never expires) to {MAX_LIFETIME_DAYS}")
    require_holdout = data.get("require_holdout", False)
    if not isinstance(require_holdout, bool):
        raise InputError("require_holdout must be true or false")
    if require_holdout and not any(m.holdout for m in metrics):
        raise InputError('require_holdout needs a benchmark entry with "holdout": true')
    return RewardPolicy(
        metrics,
        minimum,
        _amount(data, "tokens_per_unit"),
        _amount(data, "merit_per_unit"),
        _amount(data, "cap_per_version"),
        hashlib.sha256(document).digest(),
        days * DAY,
        require_holdout,
        _amount(data, "evaluator_tokens"),
        _amount(data, "evaluator_merit"),
    )


def _amount(data: Mapping[str, Any], key: str) -> int:
    """A token amount of the policy (decimal text, in tokens) in base units; 0 when absent."""
    value = data.get(key, "0")
    if not isinstance(value, str):
        raise InputError(f'{key} must be decimal text, e.g. "100"')
    amount = parse_metric_value(value)  # tokens have 18 decimals too
    if amount < 0:
        raise InputError(f"{key} cannot be negative")
    return amount


def _metric(entry: Any, index: int) -> PolicyMetric:
    from ..names import parse_hash32

    if not isinstance(entry, dict):
        raise InputError(f"benchmark entry {index} is not a JSON object")
    texts = {key: entry.get(key) for key in ("name", "version", "metric")}
    for key, text in texts.items():
        if not short_text(text):
            raise InputError(f"benchmark entry {index}: {key} must be printable text of 1 to {MAX_TEXT} characters")
    if entry.get("better") not in ("higher", "lower"):
        raise InputError(f'benchmark entry {index}: say which direction is better ("higher" or "lower")')
    harness = entry.get("harness")
    if not isinstance(harness, str):
        raise InputError(f"benchmark entry {index}: harness must be the benchmark file's SHA-256 (0x and 64 hex)")
    holdout = entry.get("holdout", False)
    if not isinstance(holdout, bool):
        raise InputError(f"benchmark entry {index}: holdout must be true or false")
    weight = parse_metric_value(str(entry.get("weight", "1")))
    tolerance = parse_metric_value(str(entry.get("tolerance", "0")))
    if weight <= 0 or tolerance < 0:
        raise InputError(f"benchmark entry {index}: the weight must be positive and the tolerance not negative")
    return PolicyMetric(
        str(texts["name"]),
        str(texts["version"]),
        parse_hash32(harness, f"benchmark entry {index}'s harness"),
        str(texts["metric"]),
        entry["better"] == "higher",
        weight,
        tolerance,
        holdout,
    )


@dataclass(frozen=True)
class MetricReward:
    """What one policy metric contributes to a version's reward, and why."""

    label: str
    candidate: int | None
    baseline: int | None
    improvement: int
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.label,
            "candidate": None if self.candidate is None else str(self.candidate),
            "baseline": None if self.baseline is None else str(self.baseline),
            "weighted_improvement": str(self.improvement),
            "note": self.note,
        }


@dataclass(frozen=True)
class RewardComputation:
    """A version's reward under a policy: per metric, and the totals (base units)."""

    digest: bytes
    metrics: tuple[MetricReward, ...]
    tokens: int
    merit: int
    #: The attestation UIDs of the evaluations the computation read (candidate and earlier versions), sorted.
    evaluations: tuple[str, ...] = ()
    #: The evaluators whose values are part of a reproduced score of the candidate (sorted), and what each earns.
    evaluators: tuple[str, ...] = ()
    evaluator_tokens: int = 0
    evaluator_merit: int = 0

    @property
    def tokens_total(self) -> int:
        """Everything the treasury pays: the contributors' reward and every evaluator's fee."""
        return self.tokens + self.evaluator_tokens * len(self.evaluators)

    @property
    def merit_total(self) -> int:
        return self.merit + self.evaluator_merit * len(self.evaluators)

    @property
    def record(self) -> str:
        """The sentence a reward proposal carries in its description: the policy and the evaluations it followed."""
        used = ", ".join(self.evaluations) or "none"
        return f"Reward computed under the adopted reward policy 0x{self.digest.hex()} from the evaluations {used}."

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": "0x" + self.digest.hex(),
            "metrics": [m.to_json() for m in self.metrics],
            "tokens": str(self.tokens),
            "merit": str(self.merit),
            "evaluations": list(self.evaluations),
            "evaluators": list(self.evaluators),
            "evaluator_tokens": str(self.evaluator_tokens),
            "evaluator_merit": str(self.evaluator_merit),
        }


def reproduced(values: list[int], metric: PolicyMetric, minimum: int) -> int | None:
    """The reproduced score of one evaluator's value each, or None when fewer than `minimum` or they differ by
    more than the tolerance."""
    if len(values) < minimum or not values or max(values) - min(values) > metric.tolerance:
        return None
    return int(statistics.median_low(values))


def compute_reward(
    policy: RewardPolicy,
    candidate: Mapping[tuple[str, str, bytes, str], list[int]],
    earlier: Mapping[tuple[str, str, bytes, str], list[list[int]]],
) -> RewardComputation:
    """The reward of a candidate version under `policy`.

    Args:
        policy: The adopted policy.
        candidate: Per metric key, the independent trusted evaluators' values for the candidate (one each).
        earlier: Per metric key, for each earlier version of the model, its evaluators' values (one each).
    """
    lines = []
    total = 0
    holdout_reproduced = False
    for metric in policy.metrics:
        score = reproduced(candidate.get(metric.key, []), metric, policy.min_evaluators)
        bests = [
            s
            for s in (reproduced(v, metric, policy.min_evaluators) for v in earlier.get(metric.key, []))
            if s is not None
        ]
        best = (max(bests) if metric.higher_is_better else min(bests)) if bests else None
        if score is None:
            count = len(candidate.get(metric.key, []))
            note = f"not reproduced: {count} of {policy.min_evaluators} evaluators needed, within the tolerance"
            lines.append(MetricReward(metric.label, None, best, 0, note))
            continue
        holdout_reproduced = holdout_reproduced or metric.holdout
        if best is None:
            lines.append(
                MetricReward(metric.label, score, None, 0, "no earlier reproduced score: no baseline, no reward")
            )
            continue
        gain = score - best if metric.higher_is_better else best - score
        weighted = max(0, gain) * metric.weight // ONE
        total += weighted
        lines.append(MetricReward(metric.label, score, best, weighted, "improved" if gain > 0 else "no improvement"))
    if policy.require_holdout and not holdout_reproduced:
        note = "the policy requires a reproduced holdout score, and this version has none: nothing is paid"
        lines.append(MetricReward("holdout", None, None, 0, note))
        total = 0
    tokens = min(total * policy.tokens_per_unit // ONE, policy.cap_per_version)
    merit = total * policy.merit_per_unit // ONE
    return RewardComputation(policy.digest, tuple(lines), tokens, merit)
