"""Small steps the library tests repeat: deploy a DAO with its record, push a proposal through its whole cycle on
a dev chain."""

from __future__ import annotations

import hashlib
from pathlib import Path

from eth_account.signers.local import LocalAccount

from deai_gov import governance as gov
from deai_gov.chain import Chain, TxResult
from deai_gov.dao import Dao
from deai_gov.deploy import DaoParams, deploy_dao
from deai_gov.dev.devnet import advance_time
from deai_gov.states import ProposalState

from .conftest import TIMELOCK_DELAY, VOTING_DELAY, VOTING_PERIOD, People, dao_params


def fake_cid(label: str, codec: str = "raw") -> str:
    """A valid sha2-256 CIDv1 (base32) for `label` — stands in for content published elsewhere."""
    from multiformats import CID, multihash

    digest = hashlib.sha256(label.encode()).digest()
    return str(CID("base32", 1, codec, multihash.wrap(digest, "sha2-256")))


def propose_and_vote(
    dao: Dao,
    people: People,
    actions: list[gov.Action],
    title: str,
    *,
    proposer: LocalAccount | None = None,
) -> int:
    """Propose, let the delay pass, alice (with carol's delegation) votes for: returns the proposal id."""
    pid, _ = gov.propose(dao, proposer or people.alice, actions, f"# {title}")
    advance_time(dao.chain, VOTING_DELAY + 1)
    gov.cast_vote(dao, people.alice, pid, gov.Support.FOR, "looks good")
    return pid


def finish(dao: Dao, people: People, pid: int) -> TxResult:
    """End the vote, queue, wait out the timelock and execute; returns the execute transaction."""
    advance_time(dao.chain, VOTING_PERIOD + 1)
    assert gov.state(dao, pid) == ProposalState.SUCCEEDED
    gov.queue(dao, people.bob, pid)
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    return gov.execute(dao, people.outsider, pid)


def pass_proposal(dao: Dao, people: People, actions: list[gov.Action], title: str) -> int:
    pid = propose_and_vote(dao, people, actions, title)
    finish(dao, people, pid)
    assert gov.state(dao, pid) == ProposalState.EXECUTED
    return pid


def deploy_recorded(chain: Chain, people: People, record: Path, params: DaoParams | None = None) -> Dao:
    """Deploy a test DAO (`dao_params(people)` unless `params`), save its record at `record` for the CLI, attach."""
    deployment = deploy_dao(chain, people.deployer, params or dao_params(people))
    deployment.save(record)
    return Dao.attach(chain, deployment)
