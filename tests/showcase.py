"""The DAO the web page's tests show: a model registered by a proposal with a hostile title and description (and a
reward), its v2 upgraded, both measured by a trusted evaluator, v2 rolled back; one more proposal open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deai_gov.chain.client import send
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.merit.benchmark import Benchmark, MetricSpec
from deai_gov.merit.evaluation import Metric
from deai_gov.workflows.evaluations import attest_evaluation, build_evaluation

from .helpers import cli_dao, fake_cid, open_proposal, pass_proposal

NAME = "acme/vision"
HOSTILE_TITLE = "Register <script>alert(1)</script> \x1b[8mhidden\x1b[0m \u202eevil"
HOSTILE_BODY = "[click](javascript:alert(2)) <img src=x onerror=alert(3)> \x1b]8;;http://evil\x07link"


def showcase_dao(rpc_url: str, dev_keys: list[str], folder: Path) -> dict[str, Any]:
    """`cli_dao` with an attestation service, and the history above; `open` is the open proposal's id (retire the
    model, proposed by bob, nobody voted yet)."""
    w = cli_dao(rpc_url, dev_keys, folder, eas="deploy")
    dao, people = w["dao"], w["people"]
    register = reg.register_action(dao, NAME, fake_cid("v1"), fake_cid("v1m"), people.bob.address)
    trust = reg.evaluator_action(dao, people.carol.address, True)
    reward = token.reward_action(dao, people.bob.address, 100 * TOKEN)
    pass_proposal(dao, people, [register, reward, trust], f"{HOSTILE_TITLE}\n\n{HOSTILE_BODY}")
    upgrade = reg.upgrade_action(dao, NAME, fake_cid("v2"), fake_cid("v2m"), people.carol.address)
    pass_proposal(dao, people, [upgrade], f"Upgrade {NAME} to v2")
    bench = Benchmark("vision <eval>", "1", fake_cid("data"), ("run",), (MetricSpec("top-1", True, 0),), b"\x01" * 32)
    for version, accuracy in ((1, 81), (2, 78)):  # carol, a trusted evaluator, measured both; v2 did worse
        evaluation = build_evaluation(dao, NAME, version, benchmark=bench,
                                      metrics=[Metric("top-1", accuracy * 10**16, True)])  # fmt: skip
        send(dao.chain, people.carol, attest_evaluation(dao, evaluation))
    pass_proposal(dao, people, [reg.rollback_action(dao, NAME, 1)], f"Roll {NAME} back to v1: v2 measured worse")
    retire = reg.retire_action(dao, NAME, "superseded by acme/vision-2")
    pid = open_proposal(dao, people.bob, [retire], "# Retire acme/vision\n\nSuperseded by acme/vision-2.")
    return w | {"open": pid}
