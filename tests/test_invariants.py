"""Random walks (seeded, so a failure replays): sequences of proposals (register, upgrade, rollback, retire,
reward), passing or failing votes, guardian cancels and suspensions, and direct writes, on the embedded chain.

A plain Python model predicts every outcome; after each step the registry and the treasury must equal it:
only executed proposals change the registry, versions only grow and are never reused, a retired model never
changes, written CIDs never change, and the treasury pays exactly the rewards of executed proposals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from deai_gov import governance as gov
from deai_gov import registry as reg
from deai_gov.chain import connect, send
from deai_gov.dao import Dao
from deai_gov.deploy import TOKEN, deploy_dao
from deai_gov.devnet import advance_time
from deai_gov.errors import ProposalState, TransactionError

from .conftest import TIMELOCK_DELAY, VOTING_DELAY, VOTING_PERIOD, People, dao_params
from .helpers import fake_cid

NAMES = ["acme/a", "acme/b"]


@dataclass
class ExpectedModel:
    status: str = "active"
    current: int = 1
    versions: dict[int, tuple[str, str]] = field(default_factory=dict)
    rolled_back: set[int] = field(default_factory=set)


class Lifecycle:
    def deploy(self) -> None:
        from eth_account import Account

        self.chain = connect(None)
        self.people = People(*(Account.from_key(k) for k in self.chain.dev_keys[:6]))
        self.dao = Dao.attach(self.chain, deploy_dao(self.chain, self.people.deployer, dao_params(self.people)))
        gov.delegate(self.dao, self.people.alice, self.people.alice.address)
        gov.delegate(self.dao, self.people.bob, self.people.bob.address)
        advance_time(self.chain, 1)
        self.models: dict[str, ExpectedModel] = {}
        self.treasury = self.dao.token.functions.balanceOf(self.dao.deployment.timelock).call()
        self.counter = 0
        # Start every example with one registered model, upgraded once, so rollbacks and retirements are reachable.
        self.proposal("register", NAMES[0], 0, True, 0)
        self.proposal("upgrade", NAMES[0], 0, True, 0)

    # ------------------------------------------------------------------ prediction

    def _plan(self, kind: str, name: str, target: int) -> tuple[list[gov.Action], bool]:
        """The actions, and whether executing them must succeed."""
        self.counter += 1
        cids = (fake_cid(f"artifact {self.counter}"), fake_cid(f"manifest {self.counter}"))
        expected = self.models.get(name)
        contributor = self.people.carol.address
        if kind == "register":
            return [reg.register_action(self.dao, name, *cids, contributor)], expected is None
        if expected is None:  # upgrading, rolling back or retiring an unknown model reverts in the registry
            return [reg.retire_action(self.dao, name, "x")], False
        changeable = expected.status != "retired"
        if kind == "upgrade":
            return [reg.upgrade_action(self.dao, name, *cids, contributor)], changeable
        if kind == "rollback":
            valid = 1 <= target < expected.current and target not in expected.rolled_back
            return [reg.rollback_action(self.dao, name, target)], changeable and valid
        return [reg.retire_action(self.dao, name, f"retired in step {self.counter}")], changeable

    def _apply(self, kind: str, name: str, target: int, actions: list[gov.Action]) -> None:
        if kind == "register":
            args = self.dao.registry.decode_function_input(actions[0].calldata)[1]
            self.models[name] = ExpectedModel(versions={1: self._cids(args)})
            return
        model = self.models[name]
        if kind == "upgrade":
            args = self.dao.registry.decode_function_input(actions[0].calldata)[1]
            new = max(model.versions) + 1
            model.versions[new] = self._cids(args)
            model.current = new
        elif kind == "rollback":
            model.rolled_back.add(model.current)
            model.current = target
        else:
            model.status = "retired"

    @staticmethod
    def _cids(args: dict) -> tuple[str, str]:  # type: ignore[type-arg]
        from deai_gov.cid import cid_to_text

        return cid_to_text(args["artifactCid"]), cid_to_text(args["manifestCid"])

    # ------------------------------------------------------------------ rules

    def proposal(self, kind: str, name: str, delta: int, passes: bool, reward: int) -> None:
        """A proposal; a rollback targets the current version plus `delta` (earlier, same or later)."""
        current = self.models[name].current if name in self.models else 1
        to_version = max(1, current + delta)
        actions, should_succeed = self._plan(kind, name, to_version)
        if reward:
            actions.append(reg.reward_action(self.dao, self.people.carol.address, reward * TOKEN))
        pid, _ = gov.propose(self.dao, self.people.alice, actions, f"# step {self.counter}: {kind} {name}")
        advance_time(self.chain, VOTING_DELAY + 1)
        if passes:
            gov.cast_vote(self.dao, self.people.alice, pid, gov.Support.FOR)  # 500 > quorum, no one against
        else:
            gov.cast_vote(self.dao, self.people.bob, pid, gov.Support.AGAINST)
        advance_time(self.chain, VOTING_PERIOD + 1)
        if not passes:
            assert gov.state(self.dao, pid) == ProposalState.DEFEATED
            return
        gov.queue(self.dao, self.people.bob, pid)
        advance_time(self.chain, TIMELOCK_DELAY + 1)
        try:
            gov.execute(self.dao, self.people.outsider, pid)
            executed = True
        except TransactionError:
            executed = False
        assert executed == should_succeed, f"{kind} {name} -> executed={executed}, predicted {should_succeed}"
        if executed:
            self._apply(kind, name, to_version, actions)
            self.treasury -= reward * TOKEN

    def guardian_cancels(self, name: str) -> None:
        actions, _ = self._plan("upgrade", name, 1)
        pid, _ = gov.propose(self.dao, self.people.alice, actions, f"# step {self.counter}: vetoed")
        gov.cancel(self.dao, self.people.guardian, pid)
        assert gov.state(self.dao, pid) == ProposalState.CANCELED

    def guardian_suspends(self, name: str) -> None:
        expected = self.models.get(name)
        try:
            reg.suspend(self.dao, self.people.guardian, name, "incident")
            suspended = True
        except TransactionError:
            suspended = False
        assert suspended == (expected is not None and expected.status == "active")
        if suspended:
            assert expected is not None
            expected.status = "suspended"
            reg.unsuspend(self.dao, self.people.guardian, name)
            expected.status = "active"

    def direct_write_is_refused(self, name: str) -> None:
        call = self.dao.registry.functions.register(name, bytes(36), bytes(36), self.people.outsider.address)
        try:
            send(self.chain, self.people.outsider, call)
        except TransactionError:
            return
        raise AssertionError("a direct registry write went through")

    # ------------------------------------------------------------------ invariants

    def registry_matches_the_model(self) -> None:
        if not hasattr(self, "dao"):
            return
        assert sorted(m.name for m in reg.list_models(self.dao)) == sorted(self.models)
        for name, expected in self.models.items():
            model = reg.get_model(self.dao, name)
            assert model.status.name.lower() == expected.status
            assert (model.current_version, model.latest_version) == (expected.current, max(expected.versions))
            versions = reg.list_versions(self.dao, name)
            assert [v.number for v in versions] == list(range(1, len(versions) + 1))  # never reused, no gaps
            for version in versions:
                assert (version.artifact_cid, version.manifest_cid) == expected.versions[version.number]
                assert (version.status.name == "ROLLED_BACK") == (version.number in expected.rolled_back)

    def treasury_paid_exactly_the_executed_rewards(self) -> None:
        if hasattr(self, "dao"):
            assert self.dao.token.functions.balanceOf(self.dao.deployment.timelock).call() == self.treasury


KINDS = ["register", "upgrade", "upgrade", "rollback", "rollback", "retire"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_walk_keeps_the_invariants(seed: int) -> None:
    rng = random.Random(seed)
    walk = Lifecycle()
    walk.deploy()
    for _ in range(14):
        name = rng.choice([NAMES[0], NAMES[0], NAMES[1]])
        step = rng.random()
        if step < 0.7:
            kind, delta = rng.choice(KINDS), rng.choice([-2, -1, -1, 0, 1])
            walk.proposal(kind, name, delta, rng.random() < 0.7, rng.choice([0, 0, 3]))
        elif step < 0.8:
            walk.guardian_cancels(name)
        elif step < 0.9:
            walk.guardian_suspends(name)
        else:
            walk.direct_write_is_refused(name)
        walk.registry_matches_the_model()
        walk.treasury_paid_exactly_the_executed_rewards()
    assert walk.counter >= 10
