"""The demo: a whole DAO on the embedded chain, one model registered by vote. Needs only Python.

Every step calls the same library functions a real deployment uses; only the clock is fast-forwarded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import governance as gov
from . import registry as reg
from .chain import Chain, connect
from .cid import raw_block_cid
from .dao import Dao
from .deploy import TOKEN, DaoParams, deploy_dao
from .devnet import advance_time
from .units import format_amount

MODEL_NAME = "demo/tiny-classifier"
REWARD = 50 * TOKEN


@dataclass
class DemoReport:
    """What happened, for people (events) and scripts (to_dict)."""

    chain_id: int = 0
    addresses: dict[str, str] = field(default_factory=dict)
    proposal_id: int = 0
    votes: dict[str, str] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    reward_paid: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "addresses": self.addresses,
            "proposal_id": self.proposal_id,
            "votes": self.votes,
            "model": self.model,
            "reward_paid": self.reward_paid,
            "seconds": round(self.seconds, 2),
        }


def demo_artifact() -> tuple[bytes, bytes]:
    """A tiny model (a linear classifier's weights as JSON) and its manifest."""
    weights = json.dumps({"classes": ["cat", "dog"], "weights": [[0.12, -0.4], [0.9, 0.33]], "bias": [0.1, -0.1]})
    artifact = weights.encode()
    manifest = json.dumps(
        {
            "name": MODEL_NAME,
            "version": 1,
            "format": "json-weights",
            "license": "apache-2.0",
            "files": [{"path": "weights.json", "size": len(artifact), "cid": raw_block_cid(artifact)}],
        },
        sort_keys=True,
    ).encode()
    return artifact, manifest


def run_demo(on_step: Callable[[str], None] | None = None, chain: Chain | None = None) -> DemoReport:
    """Deploy a DAO, then propose, vote on, queue and execute the registration of a model with a reward."""
    from eth_account import Account

    say = on_step or (lambda _text: None)
    started = time.monotonic()
    report = DemoReport()
    chain = chain or connect(None)
    deployer, maintainer, member1, member2, guardian = (Account.from_key(k) for k in chain.dev_keys[:5])
    params = DaoParams(
        holders={
            maintainer.address: 400_000 * TOKEN,
            member1.address: 350_000 * TOKEN,
            member2.address: 250_000 * TOKEN,
        },
        treasury=1_000_000 * TOKEN,
        proposal_threshold=1_000 * TOKEN,
        guardian=guardian.address,
    )
    say("Deploying the DAO (timelock, token, governor, registry) on the embedded chain")
    deployment = deploy_dao(chain, deployer, params)
    dao = Dao.attach(chain, deployment)
    report.chain_id, report.addresses = deployment.chain_id, deployment.addresses
    for role, address in deployment.addresses.items():
        say(f"  {role:<9} {address}")

    say("Members delegate their votes (member 2 delegates to member 1)")
    gov.delegate(dao, maintainer, maintainer.address)
    gov.delegate(dao, member1, member1.address)
    gov.delegate(dao, member2, member1.address)
    advance_time(chain, 1)

    artifact, manifest = demo_artifact()
    artifact_cid, manifest_cid = raw_block_cid(artifact), raw_block_cid(manifest)
    say(f"The maintainer proposes to register {MODEL_NAME}: artifact {artifact_cid}")
    actions = [
        reg.register_action(dao, MODEL_NAME, artifact_cid, manifest_cid, maintainer.address),
        reg.reward_action(dao, maintainer.address, REWARD),
    ]
    pid, _ = gov.propose(dao, maintainer, actions, f"# Register {MODEL_NAME} v1\n\nA tiny demo classifier.")
    report.proposal_id = pid
    for words in gov.describe_actions(dao, gov.get_proposal(dao, pid)[0]):
        say(f"  proposal {pid} will: {words}")

    advance_time(chain, params.voting_delay + 1)
    say("Voting opens: member 1 votes for (with member 2's delegated votes), the maintainer votes for")
    gov.cast_vote(dao, member1, pid, gov.Support.FOR, "useful model")
    gov.cast_vote(dao, maintainer, pid, gov.Support.FOR)
    say("Member 2 overrides its delegate and abstains")
    gov.cast_override_vote(dao, member2, pid, gov.Support.ABSTAIN, "not reviewed yet")
    info = gov.proposal_info(dao, pid)
    report.votes = {
        "for": format_amount(info.votes_for),
        "against": format_amount(info.votes_against),
        "abstain": format_amount(info.votes_abstain),
        "quorum": format_amount(info.quorum),
    }
    say(f"  for {report.votes['for']}, against {report.votes['against']}, abstain {report.votes['abstain']}")

    advance_time(chain, params.voting_period + 1)
    say(f"The vote ends: proposal {pid} is {gov.state(dao, pid).label}; queueing it in the timelock")
    gov.queue(dao, maintainer, pid)
    advance_time(chain, params.timelock_delay + 1)
    say("The timelock delay has passed: executing")
    gov.execute(dao, member1, pid)

    model = reg.get_model(dao, MODEL_NAME)
    version = reg.get_version(dao, MODEL_NAME)
    approval = reg.approval_of(dao, MODEL_NAME, version.number)
    report.model = {
        "name": model.name,
        "status": model.status.name.lower(),
        "version": version.number,
        "artifact_cid": version.artifact_cid,
        "manifest_cid": version.manifest_cid,
        "contributor": version.contributor,
        "approved_by_proposal": approval.proposal_id,
    }
    report.reward_paid = format_amount(REWARD)
    say(f"Registered {model.name} v{version.number} ({model.status.name.lower()}), approved by proposal {pid}")
    say(f"The maintainer received {report.reward_paid} {dao.token.functions.symbol().call()} from the treasury")
    report.seconds = time.monotonic() - started
    return report
