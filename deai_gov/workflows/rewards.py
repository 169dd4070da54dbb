"""Rewards computed from measured impact: the DAO's adopted reward policy, read back and checked against the digest
the registry holds, and a version's reward under it from the evaluations that count (`merit.policy` says how).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..dao.actions import Action
from ..errors import InputError, VerificationError
from ..merit.policy import RewardComputation, RewardPolicy, compute_reward, read_policy, reproduced
from .evaluations import EvaluationRecord, MeasureKey, Measurement, find_evaluations, latest_measurements

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource

__all__ = ["adopted_policy", "auto_reward", "policy_action"]


def policy_action(dao: Dao, document: bytes, cid: str) -> Action:
    """Adopt the reward policy `document` (published at `cid`) when the proposal executes; InputError when the
    document is not a valid policy."""
    policy = read_policy(document)
    return dao.action("registry", "setRewardPolicy", policy.digest, f"ipfs://{cid}")


def adopted_policy(dao: Dao, sources: list[BlockSource]) -> RewardPolicy | None:
    """The reward policy the DAO adopted, fetched from its `ipfs://` location and checked against the digest the
    registry holds; None before any was adopted.

    Raises:
        VerificationError: The document fetched does not hash to the registry's digest.
        InputError: Its location is not an `ipfs://` CID, or the document is not a valid policy.
        StoreError: No source had the document.
    """
    import hashlib

    from ..ipfs.blockcid import from_text
    from ..ipfs.content import file_bytes
    from ..merit.policy import MAX_POLICY

    digest, uri = dao.read("registry", "rewardPolicy")
    if bytes(digest) == bytes(32):
        return None
    if not str(uri).startswith("ipfs://"):
        raise InputError(f"the adopted reward policy is at {str(uri)[:80]!r}, not an ipfs:// CID")
    document = file_bytes(sources, from_text(str(uri).removeprefix("ipfs://")), limit=MAX_POLICY)
    if hashlib.sha256(document).digest() != bytes(digest):
        raise VerificationError(f"the reward policy at {uri} does not hash to the digest the DAO adopted")
    return read_policy(document)


def auto_reward(
    dao: Dao,
    policy: RewardPolicy,
    name: str,
    version: int,
    artifact_cid: str,
    not_independent: dict[str, str] | None = None,
    records: list[EvaluationRecord] | None = None,
    sources: list[BlockSource] | None = None,
) -> RewardComputation:
    """What version `version` of `name` (artifact `artifact_cid`, registered or not yet) earns under `policy`: its
    reproduced scores on the policy's metrics against the best any other version of the model reached.

    Only evaluations that count are used (trusted, bound, not revoked), one per evaluator and version (its latest),
    on the policy's exact benchmark and with the policy's direction; for the candidate, not those of
    `not_independent` evaluators (lowercase address -> why). `records` are the model's evaluations with that
    version as proposed (`find_evaluations`), read here when not given (the off-chain ones from `sources`).
    """
    if records is None:
        records = find_evaluations(dao, name, proposed={(name, version): artifact_cid}, sources=sources)
    wanted = {m.key: m for m in policy.metrics}

    def on_policy(key: MeasureKey, measured: Measurement) -> bool:  # the policy's benchmark, in its direction
        metric = wanted.get(key)
        return metric is not None and measured.higher_is_better == metric.higher_is_better

    found, _ = latest_measurements(records, name, version, not_independent, on_policy)
    latest = {(number, key, who): m.value for (number, key, who), m in found.items()}
    candidate: dict[tuple[str, str, bytes, str], list[int]] = {}
    earlier: dict[tuple[str, str, bytes, str], dict[int, list[int]]] = {}
    for (number, key, _), value in sorted(latest.items()):
        if number == version:
            candidate.setdefault(key, []).append(value)
        else:
            earlier.setdefault(key, {}).setdefault(number, []).append(value)
    computed = compute_reward(policy, candidate, {key: list(per.values()) for key, per in earlier.items()})
    reproducing = sorted(
        {
            m.evaluator
            for (number, key, _), m in found.items()
            if number == version and reproduced(candidate[key], wanted[key], policy.min_evaluators) is not None
        },
        key=str.lower,
    )
    paying = bool(policy.evaluator_tokens or policy.evaluator_merit)  # no fee: no evaluator listed as paid
    return dataclasses.replace(
        computed,
        evaluations=tuple(sorted({m.uid for m in found.values()})),
        evaluators=tuple(reproducing) if paying else (),
        evaluator_tokens=policy.evaluator_tokens,
        evaluator_merit=policy.evaluator_merit,
    )
