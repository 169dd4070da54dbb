"""The demo: a whole DAO on the embedded chain and an embedded IPFS store. Needs only Python.

A maintainer publishes a small model; three members delegate and vote (one overrides its delegate); the
proposal is queued and executed; the artifact is pulled and verified against the registry; then upgrade,
rollback and retire, each by vote, and the contributor's reward paid. Every step calls the same library
functions a real deployment uses; only the clock is fast-forwarded.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..chain.client import Chain, connect, send
from ..dao import governance as gov
from ..dao import registry as reg
from ..dao import token
from ..dao.deploy import TOKEN, DaoParams, deploy_dao
from ..dao.deployed import Dao
from ..ipfs.content import publish
from ..ipfs.manifest import Contributor
from ..ipfs.stores import EmbeddedStore
from ..units import format_amount
from ..workflows.approved import pull_approved, verify_approved
from ..workflows.describe import describe_actions, proposal_info
from ..workflows.provenance import approval_of
from .devnet import advance_time

MODEL_NAME = "demo/tiny-classifier"
REWARD = 50 * TOKEN


@dataclass
class DemoReport:
    """What happened, for people (steps) and scripts (to_dict)."""

    chain_id: int = 0
    addresses: dict[str, str] = field(default_factory=dict)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    pulled: dict[str, Any] = field(default_factory=dict)
    reward_paid: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "addresses": self.addresses,
            "proposals": self.proposals,
            "model": self.model,
            "pulled": self.pulled,
            "reward_paid": self.reward_paid,
            "seconds": round(self.seconds, 2),
        }


def write_model(folder: Path, version: int) -> None:
    """A tiny model folder in the Hugging Face layout: model card, config, weights."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(
        f"---\nlicense: apache-2.0\ntags: [demo, classifier]\n---\n# {MODEL_NAME} v{version}\n\nCats or dogs.\n"
    )
    (folder / "config.json").write_text(json.dumps({"classes": ["cat", "dog"], "features": 2}))
    weights = {"weights": [[0.12 * version, -0.4], [0.9, 0.33 * version]], "bias": [0.1, -0.1]}
    (folder / "weights.json").write_text(json.dumps(weights))


def run_demo(on_step: Callable[[str], None] | None = None, chain: Chain | None = None) -> DemoReport:
    """The whole model lifecycle by vote; returns what happened."""
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
    say("Deploying the DAO (timelock, token, registry, governor) on the embedded chain")
    deployment = deploy_dao(chain, deployer, params)
    dao = Dao.attach(chain, deployment)
    report.chain_id, report.addresses = deployment.chain_id, deployment.addresses
    for role, address in deployment.addresses.items():
        say(f"  {role:<9} {address}")

    say("Members delegate their votes (member 2 delegates to member 1)")
    send(chain, maintainer, token.delegate(dao, maintainer.address))
    send(chain, member1, token.delegate(dao, member1.address))
    send(chain, member2, token.delegate(dao, member1.address))
    advance_time(chain, 1)

    def by_vote(actions: list[gov.Action], title: str, *, override: bool = False) -> int:
        proposal = gov.build_proposal(dao, maintainer.address, actions, f"# {title}")
        pid = send(chain, maintainer, gov.propose(dao, proposal)).outcome
        for words in describe_actions(dao, proposal):
            say(f"  proposal {pid} will: {words}")
        advance_time(chain, params.voting_delay + 1)
        send(chain, member1, gov.vote(dao, pid, gov.Support.FOR, "useful model"))
        send(chain, maintainer, gov.vote(dao, pid, gov.Support.FOR))
        if override:
            say("  member 2 overrides its delegate and abstains")
            send(chain, member2, gov.override_vote(dao, pid, gov.Support.ABSTAIN, "not reviewed yet"))
        info = proposal_info(dao, pid)
        votes = {
            k: format_amount(v)
            for k, v in (("for", info.votes_for), ("against", info.votes_against), ("abstain", info.votes_abstain))
        }
        advance_time(chain, params.voting_period + 1)
        send(chain, maintainer, gov.queue(dao, pid))
        advance_time(chain, params.timelock_delay + 1)
        send(chain, member1, gov.execute(dao, pid))
        say(f"  votes {votes}: {gov.state(dao, pid).label}")
        report.proposals.append({"id": pid, "title": title, "votes": votes, "state": gov.state(dao, pid).label})
        return pid

    with tempfile.TemporaryDirectory(prefix="deai-gov-demo-") as scratch:
        work = Path(scratch)
        store = EmbeddedStore(work / "ipfs")
        contributors = [Contributor(maintainer.address, 10_000, "maintainer")]

        write_model(work / "v1", 1)
        v1 = publish(work / "v1", store, name=MODEL_NAME, version=1, contributors=contributors)
        say(f"The maintainer publishes {MODEL_NAME} v1: artifact {v1.artifact_cid}")
        by_vote(
            [
                reg.register_action(dao, MODEL_NAME, v1.artifact_cid, v1.manifest_cid, maintainer.address),
                token.reward_action(dao, maintainer.address, REWARD),
            ],
            f"Register {MODEL_NAME} v1",
            override=True,
        )
        say("Anyone pulls the approved version, every block verified against the registry")
        _, pulled = pull_approved(dao, [store], MODEL_NAME, work / "pulled")
        report.pulled = {"files": [f.path for f in pulled.files], "bytes": pulled.size, "blocks": pulled.blocks}
        say(f"  {len(pulled.files)} files, {pulled.size} bytes, all matching")

        write_model(work / "v2", 2)
        v2 = publish(work / "v2", store, name=MODEL_NAME, version=2, parent_version=1, contributors=contributors)
        say(f"Upgrade to v2: artifact {v2.artifact_cid}")
        by_vote([reg.upgrade_action(dao, MODEL_NAME, v2.artifact_cid, v2.manifest_cid, maintainer.address)], "Upgrade")
        verify_approved(dao, [store], MODEL_NAME)
        say("Roll back to v1 (v2 misbehaves)")
        by_vote([reg.rollback_action(dao, MODEL_NAME, 1)], f"Roll {MODEL_NAME} back to v1")
        say("Retire the model")
        by_vote([reg.retire_action(dao, MODEL_NAME, "superseded by a better model")], f"Retire {MODEL_NAME}")

    model = reg.get_model(dao, MODEL_NAME)
    approval = approval_of(dao, MODEL_NAME, 1)
    report.model = {
        "name": model.name,
        "status": model.state,
        "current_version": model.current_version,
        "latest_version": model.latest_version,
        "versions": [
            {"version": v.number, "status": v.status.name.lower(), "artifact_cid": v.artifact_cid, "parent": v.parent}
            for v in reg.list_versions(dao, MODEL_NAME)
        ],
        "v1_approved_by_proposal": approval.proposal_id,  # the rollback that made it current again
        "v1_written_by_proposal": approval.to_json()["written_by"],
    }
    report.reward_paid = format_amount(REWARD)
    say(
        f"{model.name}: {report.model['status']}, current v{model.current_version}; "
        f"v1 written by proposal {approval.to_json()['written_by']}, current again by proposal "
        f"{approval.proposal_id}; reward {report.reward_paid} "
        f"{token.symbol(dao)} paid"
    )
    report.seconds = time.monotonic() - started
    return report
