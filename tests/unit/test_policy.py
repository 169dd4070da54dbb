"""The reward policy (`deai_gov.merit.policy`): every meaning checked where the document is read, and the reward
computed in integers from reproduced scores against the best earlier one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deai_gov.errors import InputError
from deai_gov.merit.policy import ONE, compute_reward, read_policy, reproduced

HARNESS = "0x" + "ab" * 32
KEY = ("tiny", "1", bytes.fromhex("ab" * 32), "accuracy")


def document(**changed: Any) -> bytes:
    metric = {"name": "tiny", "version": "1", "harness": HARNESS, "metric": "accuracy", "better": "higher",
              "weight": "2", "tolerance": "0.01"}  # fmt: skip
    data = {"schema": "deai-gov/reward-policy/v1", "benchmarks": [metric], "min_evaluators": 2,
            "tokens_per_unit": "100", "merit_per_unit": "20", "cap_per_version": "150"}  # fmt: skip
    for key, value in changed.items():
        if key.startswith("metric_"):
            metric[key.removeprefix("metric_")] = value
        else:
            data[key] = value
    return json.dumps(data).encode()


def units(text: str) -> int:
    from decimal import Decimal

    return int(Decimal(text) * ONE)


def test_a_valid_policy_reads_with_its_digest() -> None:
    import hashlib

    policy = read_policy(document())
    assert policy.digest == hashlib.sha256(document()).digest() and policy.min_evaluators == 2
    assert policy.metrics[0].key == KEY and policy.metrics[0].weight == 2 * ONE
    assert (policy.tokens_per_unit, policy.cap_per_version) == (100 * ONE, 150 * ONE)


@pytest.mark.parametrize(
    ("changed", "words"),
    [
        ({"schema": "other"}, 'with "schema"'),
        ({"bonus": "1"}, "unknown field 'bonus'"),
        ({"benchmarks": []}, "names 1 to 32 benchmark metrics"),
        ({"min_evaluators": 0}, "min_evaluators must be a whole number from 1 to 100"),
        ({"min_evaluators": True}, "min_evaluators must be a whole number"),
        ({"metric_better": "up"}, "say which direction is better"),
        ({"metric_weight": "-1"}, "the weight must be positive"),
        ({"metric_weight": "NaN"}, "is not a finite number"),
        ({"metric_tolerance": "-0.1"}, "the tolerance not negative"),
        ({"metric_harness": "0x12"}, "is not a 32-byte hash"),
        ({"metric_metric": "a\x1b[2Jb"}, "printable text"),
        ({"tokens_per_unit": 5}, "tokens_per_unit must be decimal text"),
        ({"cap_per_version": "-5"}, "cap_per_version cannot be negative"),
        ({"merit_lifetime_days": -1}, "merit_lifetime_days must be a whole number from 0"),
        ({"merit_lifetime_days": "365"}, "merit_lifetime_days must be a whole number"),
        ({"require_holdout": True}, 'require_holdout needs a benchmark entry with "holdout": true'),
        ({"require_holdout": "yes"}, "require_holdout must be true or false"),
        ({"metric_holdout": 1}, "holdout must be true or false"),
        ({"evaluator_tokens": "-1"}, "evaluator_tokens cannot be negative"),
        ({"evaluator_merit": 1}, "evaluator_merit must be decimal text"),
    ],
)
def test_every_meaning_is_checked_where_the_policy_is_read(changed: dict[str, Any], words: str) -> None:
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace("[", r"\[")):
        read_policy(document(**changed))


def test_a_metric_named_twice_or_a_huge_document_is_refused() -> None:
    twice = json.loads(document())
    twice["benchmarks"].append(dict(twice["benchmarks"][0]))
    with pytest.raises(InputError, match="names a benchmark metric twice"):
        read_policy(json.dumps(twice).encode())
    with pytest.raises(InputError, match="at most 65,536 bytes"):
        read_policy(b" " * 70_000)


def test_a_score_is_reproduced_only_by_enough_evaluators_within_the_tolerance() -> None:
    metric = read_policy(document()).metrics[0]
    assert reproduced([units("0.9")], metric, 2) is None  # one evaluator of the two needed
    assert reproduced([units("0.9"), units("0.92")], metric, 2) is None  # 0.02 apart, tolerance 0.01
    assert reproduced([units("0.9"), units("0.905"), units("0.91")], metric, 2) == units("0.905")  # the median


def test_the_reward_is_the_weighted_improvement_over_the_best_earlier_score_capped() -> None:
    policy = read_policy(document())
    earlier = {KEY: [[units("0.5"), units("0.5")], [units("0.6"), units("0.6")]]}  # v1 0.5, v2 0.6: the best is 0.6
    found = compute_reward(policy, {KEY: [units("0.8"), units("0.8")]}, earlier)
    # (0.8 - 0.6) x weight 2 = 0.4: 40 tokens, 8 of merit
    assert (found.tokens, found.merit) == (40 * ONE, 8 * ONE) and found.metrics[0].note == "improved"
    big = compute_reward(policy, {KEY: [units("2"), units("2")]}, earlier)
    assert big.tokens == 150 * ONE and big.merit == 56 * ONE  # tokens capped at 150; merit is capped on chain


def test_no_baseline_no_reward_and_no_reward_for_a_regression_or_a_version_proposed_again() -> None:
    policy = read_policy(document())
    candidate = {KEY: [units("0.8"), units("0.8")]}
    assert compute_reward(policy, candidate, {}).tokens == 0
    assert (
        compute_reward(policy, candidate, {}).metrics[0].note == "no earlier reproduced score: no baseline, no reward"
    )
    worse = compute_reward(policy, {KEY: [units("0.4"), units("0.4")]}, {KEY: [[units("0.5"), units("0.5")]]})
    assert worse.tokens == 0 and worse.metrics[0].note == "no improvement"
    # a rolled-back version's score counts as earlier: proposing the same model again earns nothing twice
    again = compute_reward(policy, candidate, {KEY: [[units("0.5")] * 2, [units("0.8")] * 2]})
    assert again.tokens == 0


def test_the_computation_is_deterministic_to_the_last_unit() -> None:
    policy = read_policy(document(metric_weight="0.333333333333333333"))
    args = ({KEY: [units("0.7"), units("0.7")]}, {KEY: [[units("0.6"), units("0.6")]]})
    first, second = compute_reward(policy, *args), compute_reward(policy, *args)
    assert first == second and first.tokens == 3_333_333_333_333_333_300  # floors at each step, stated in the docs


def test_a_policy_requiring_a_holdout_pays_only_a_reproduced_holdout_score() -> None:
    """Public data can be memorised: with require_holdout, an improvement on the public benchmark alone earns
    nothing; once the holdout score is reproduced too, both are paid."""
    holdout_key = ("tiny-holdout", "1", bytes.fromhex("ab" * 32), "accuracy")
    data = json.loads(document())
    data["benchmarks"].append(data["benchmarks"][0] | {"name": "tiny-holdout", "holdout": True})
    data["require_holdout"], data["merit_lifetime_days"] = True, 365
    policy = read_policy(json.dumps(data).encode())
    assert policy.require_holdout and policy.merit_lifetime == 365 * 24 * 3600
    earlier = {KEY: [[units("0.5")] * 2], holdout_key: [[units("0.5")] * 2]}
    public_only = compute_reward(policy, {KEY: [units("0.8")] * 2}, earlier)
    assert (public_only.tokens, public_only.merit) == (0, 0)
    assert public_only.metrics[-1].note.startswith("the policy requires a reproduced holdout score")
    both = compute_reward(policy, {KEY: [units("0.8")] * 2, holdout_key: [units("0.6")] * 2}, earlier)
    assert both.tokens == 80 * ONE  # (0.3 + 0.1) x weight 2 x 100
