"""Property-based stateful test of the whole DAO on the embedded chain.

Hypothesis drives random sequences of delegations, transfers, proposals (register, upgrade, rollback, retire,
each optionally paying a reward and granting merit, for good or for a while), votes (direct and signed), override
votes, queue, execute, guardian cancels and suspensions, direct registry writes, merit expiring and time travel.
A plain Python model predicts every outcome from its own bookkeeping; after every step the chain must equal the
model:

- only executed proposals ever change the registry; a failing execution changes nothing;
- version numbers strictly increase and are never reused; a retired model never changes again; a version's
  CIDs never change once written;
- the treasury pays exactly the rewards of executed proposals; every balance is what the model says;
- merit is minted only by executed proposals, burnt only once its grant expired, never transferred: each holder's
  merit, the total merit and every balance equal the model's, and a transfer succeeds exactly when it leaves the
  sender at least its merit;
- every account's voting power, and every proposal's tally (overrides included), equal the model's; the sum
  of votes never exceeds the voting supply at the proposal's snapshot; Succeeded vs Defeated follows from the
  model's tally and quorum.

The DAO is deployed once; each example starts from a chain snapshot, so examples are cheap and independent.
"""

from __future__ import annotations

import bisect
import copy
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from deai_gov.chain.client import Chain, connect, send
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN, deploy_dao
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import advance_time
from deai_gov.errors import InputError, TransactionError
from deai_gov.ipfs.blockcid import to_text
from deai_gov.names import model_id

from .helpers import VOTING_DELAY, VOTING_PERIOD, People, dao_params, fake_cid, onchain, people_from, prepared, propose

NAMES = ["acme/a", "acme/b"]
ZERO = "0x" + "00" * 20
QUORUM_PERCENT = 10
THRESHOLD = 100 * TOKEN
# Where the clock may jump to: just past one proposal's snapshot, deadline or timelock eta, or a second on.
MILESTONES = ["snapshot", "deadline", "eta", "second"]
FINAL = {ProposalState.CANCELED, ProposalState.EXPIRED, ProposalState.EXECUTED}


@dataclass
class ExpectedModel:
    status: str = "active"  # or "retired"; a suspension is apart, and outlives a retirement
    suspended: bool = False
    current: int = 1
    versions: dict[int, tuple[str, str]] = field(default_factory=dict)
    rolled_back: set[int] = field(default_factory=set)


@dataclass
class ExpectedProposal:
    pid: int
    kind: str
    name: str
    target: int  # a rollback's target version
    actions: list[gov.Action]
    reward: int
    snapshot: int
    merit: int = 0
    lifetime: int = 0
    tally: list[int] = field(default_factory=lambda: [0, 0, 0])  # against, for, abstain
    voted: dict[str, int] = field(default_factory=dict)  # voter -> support
    overridden: set[str] = field(default_factory=set)
    reduced: dict[str, int] = field(default_factory=dict)  # delegate -> weight overridden before it voted
    executed: bool = False
    settled: bool = False  # its tally was checked after voting closed: it can no longer change


@dataclass
class Ledger:
    """Balances and delegations, with their history keyed by block timestamp (the token's clock)."""

    balances: dict[str, int]
    delegates: dict[str, str]
    #: Merit held (part of `balances`), and the grants made to the merit's one recipient: (amount left, expiry).
    merit: dict[str, int] = field(default_factory=dict)
    grants: list[tuple[int, int]] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    history: list[tuple[dict[str, int], dict[str, str]]] = field(default_factory=list)

    def record(self, timestamp: int) -> None:
        if self.times and self.times[-1] == timestamp:
            self.history[-1] = (dict(self.balances), dict(self.delegates))
        else:
            self.times.append(timestamp)
            self.history.append((dict(self.balances), dict(self.delegates)))

    def at(self, timestamp: int) -> tuple[dict[str, int], dict[str, str]]:
        return self.history[bisect.bisect_right(self.times, timestamp) - 1]

    @staticmethod
    def power(balances: dict[str, int], delegates: dict[str, str], account: str) -> int:
        return sum(amount for holder, amount in balances.items() if delegates.get(holder, ZERO) == account)


@dataclass
class World:
    """The DAO deployed once for the whole test, the snapshot every example starts from, and the model's
    bookkeeping at that snapshot."""

    chain: Chain
    people: People
    dao: Dao
    snapshot: Any = None
    expected: dict[str, Any] = field(default_factory=dict)


_world: World | None = None
STATS: dict[str, int] = {}
# Rules in the order hypothesis should favour (it prefers the first ones): moving proposals along first.
RULE_ORDER = [
    "proposal_moves_on",
    "vote",
    "propose",
    "override",
    "time_passes",
    "queue",
    "execute",
    "guardian_cancels",
    "delegate",
    "transfer",
    "guardian_suspends_or_lifts",
    "direct_write_is_refused",
]


def world() -> World:
    """Deploy once; seed a registered model and proposals in every live state, so that short examples (which
    hypothesis favours) still reach queueing, execution, rollbacks and retirements."""
    global _world
    if _world is None:
        chain = connect(None)
        people = people_from(chain.dev_keys)
        params = dao_params(people)
        dao = Dao.attach(chain, deploy_dao(chain, people.deployer, params))
        # Calls without a sender are made from the first account, which web3's eth-tester middleware finds by
        # listing every account, call after call: naming it once keeps the same sender at a fraction of the cost.
        chain.w3.eth.default_account = people.deployer.address
        advance_time(chain, 10 * 86_400)  # keep the chain's clock ahead of the wall clock: blocks tick one second
        _world = World(chain, people, dao)
        seed = DaoMachine(seeding=True)
        seed.delegate(0, 0)  # alice to herself, bob to himself, carol to alice
        seed.delegate(1, 1)
        seed.delegate(2, 0)
        for kind in ("register", "upgrade"):
            seed.propose(kind, NAMES[0], 0, 0, 0)
            seed.proposal_moves_on(0)
            seed.vote(0, 0, gov.Support.FOR, False)
            seed.proposal_moves_on(0, steps=3)
        seed.propose("upgrade", NAMES[0], 0, 5 * TOKEN, 0)  # will have succeeded when the next ones are active
        seed.proposal_moves_on(0)
        seed.vote(0, 0, gov.Support.FOR, False)
        advance_time(chain, VOTING_PERIOD // 2)
        seed.propose("rollback", NAMES[0], -1, 0, 1)  # active, alice votes for (carol may override her)
        seed.propose("upgrade", NAMES[0], 0, 0, 1)  # active, no votes yet
        seed.proposal_moves_on(0)
        seed.vote(1, 0, gov.Support.FOR, False)
        seed.time_passes(2, "deadline")
        seed.propose("register", NAMES[1], 0, 0, 0)  # pending
        first, second, succeeded, voted, unvoted, pending = seed.proposals
        seed.proposals = [first, second, succeeded, pending, voted, unvoted]  # rules favour the newest
        states = [gov.state(dao, p.pid) for p in seed.proposals[2:]]
        assert states == [ProposalState.SUCCEEDED, ProposalState.PENDING, ProposalState.ACTIVE, ProposalState.ACTIVE]
        _world.expected = copy.deepcopy({k: getattr(seed, k) for k in ("ledger", "models", "proposals", "counter")})
        _world.snapshot = chain.w3.provider.ethereum_tester.take_snapshot()  # type: ignore[attr-defined]
    return _world


def _count(what: str) -> None:
    STATS[what] = STATS.get(what, 0) + 1


class DaoMachine(RuleBasedStateMachine):
    def __init__(self, seeding: bool = False) -> None:
        super().__init__()
        w = world() if not seeding else _world
        assert w is not None
        self.chain, self.dao, self.people = w.chain, w.dao, w.people
        self.holders = [self.people.alice, self.people.bob, self.people.carol, self.people.outsider]
        if seeding:
            token = onchain(self.dao, "token").functions
            everyone = [a.address for a in self.holders] + [self.dao.deployment.timelock]
            self.ledger = Ledger({a: int(token.balanceOf(a).call()) for a in everyone}, {})
            self.ledger.record(self.chain.timestamp())
            self.models: dict[str, ExpectedModel] = {}
            self.proposals: list[ExpectedProposal] = []
            self.counter = 0
            return
        w.chain.w3.provider.ethereum_tester.revert_to_snapshot(w.snapshot)  # type: ignore[attr-defined]
        for name, value in copy.deepcopy(w.expected).items():
            setattr(self, name, value)

    @classmethod
    def rules(cls) -> Any:
        return sorted(super().rules(), key=lambda rule: RULE_ORDER.index(rule.function.__name__))

    # ------------------------------------------------------------------ helpers

    def _next_block_sees_latest_state(self, proposal: ExpectedProposal) -> None:
        """Step off the one-second boundaries where a view (at the latest block) and the next transaction
        (one second later) could see different proposal states; then the contract's `state` is exact."""
        g = onchain(self.dao, "governor").functions
        for _ in range(3):
            latest = self.chain.timestamp()
            eta = int(g.proposalEta(proposal.pid).call())
            if latest in (
                int(g.proposalSnapshot(proposal.pid).call()),
                int(g.proposalDeadline(proposal.pid).call()),
            ) or (eta and eta == latest + 1):
                advance_time(self.chain, 1)
            else:
                return

    def _state(self, proposal: ExpectedProposal) -> ProposalState:
        self._next_block_sees_latest_state(proposal)
        return gov.state(self.dao, proposal.pid)

    def _record(self) -> None:
        self.ledger.record(self.chain.timestamp())

    def _attempt(self, send_it: Any) -> bool:
        """Whether the transaction went through: the chain's refusal, or the library's before sending (a signed vote
        whose voter already voted), is a no."""
        try:
            send_it()
        except (TransactionError, InputError):
            return False
        return True

    def _plan(self, kind: str, name: str, target: int) -> list[gov.Action]:
        self.counter += 1
        cids = (fake_cid(f"artifact {self.counter}"), fake_cid(f"manifest {self.counter}"))
        contributor = self.people.bob.address
        if kind == "register":
            return [reg.register_action(self.dao, name, *cids, contributor)]
        if kind == "upgrade":
            return [reg.upgrade_action(self.dao, name, *cids, contributor)]
        if kind == "rollback":
            return [reg.rollback_action(self.dao, name, target)]
        return [reg.retire_action(self.dao, name, f"retired by proposal {self.counter}")]

    def _would_succeed(self, proposal: ExpectedProposal) -> bool:
        """Whether the registry accepts the proposal's action now (the reward transfer always can)."""
        model = self.models.get(proposal.name)
        if proposal.kind == "register":
            return model is None
        if model is None or model.status == "retired":
            return False
        if proposal.kind == "rollback":
            return 1 <= proposal.target < model.current and proposal.target not in model.rolled_back
        return True

    def _apply(self, proposal: ExpectedProposal) -> None:
        name = proposal.name
        if proposal.kind == "register":
            args = onchain(self.dao, "registry").decode_function_input(proposal.actions[0].calldata)[1]
            self.models[name] = ExpectedModel(versions={1: self._cids(args)})
        elif proposal.kind == "upgrade":
            model = self.models[name]
            args = onchain(self.dao, "registry").decode_function_input(proposal.actions[0].calldata)[1]
            new = max(model.versions) + 1
            model.versions[new] = self._cids(args)
            model.current = new
        elif proposal.kind == "rollback":
            model = self.models[name]
            model.rolled_back.add(model.current)
            model.current = proposal.target
        else:
            self.models[name].status = "retired"
        if proposal.reward:
            self.ledger.balances[self.dao.deployment.timelock] -= proposal.reward
            self.ledger.balances[self.people.carol.address] += proposal.reward
        if proposal.merit:
            carol = self.people.carol.address
            self.ledger.balances[carol] += proposal.merit
            self.ledger.merit[carol] = self.ledger.merit.get(carol, 0) + proposal.merit
            expires = self.chain.timestamp() + proposal.lifetime if proposal.lifetime else 0
            self.ledger.grants.append((proposal.merit, expires))
            _count("merit")

    @staticmethod
    def _cids(args: dict) -> tuple[str, str]:  # type: ignore[type-arg]
        return to_text(args["artifactCid"]), to_text(args["manifestCid"])

    def _pick(self, index: int) -> ExpectedProposal:
        """Index 0 is the newest proposal (hypothesis favours small numbers, and new proposals are live)."""
        return self.proposals[-1 - index % len(self.proposals)]

    # ------------------------------------------------------------------ token rules

    @rule(holder=st.integers(0, 3), delegatee=st.integers(0, 3))
    def delegate(self, holder: int, delegatee: int) -> None:
        account, to = self.holders[holder], self.holders[delegatee].address
        send(self.dao.chain, account, token.delegate(self.dao, to))
        self.ledger.delegates[account.address] = to
        self._record()
        _count("delegate")

    @rule(sender=st.integers(0, 3), recipient=st.integers(0, 3), amount=st.integers(0, 400))
    def transfer(self, sender: int, recipient: int, amount: int) -> None:
        account, to = self.holders[sender], self.holders[recipient].address
        value = amount * TOKEN
        moved = self._attempt(
            lambda: send(self.chain, account, prepared(onchain(self.dao, "token").functions.transfer(to, value)))
        )
        transferable = self.ledger.balances[account.address] - self.ledger.merit.get(account.address, 0)
        assert moved == (transferable >= value)
        if moved:
            self.ledger.balances[account.address] -= value
            self.ledger.balances[to] += value
            self._record()
            _count("transfer")

    # ------------------------------------------------------------------ governance rules

    @rule(
        kind=st.sampled_from(["register", "upgrade", "upgrade", "rollback", "retire"]),
        name=st.sampled_from(NAMES),
        delta=st.integers(-2, 1),
        reward=st.sampled_from([0, 0, 5 * TOKEN]),
        proposer=st.integers(0, 3),
    )
    def propose(self, kind: str, name: str, delta: int, reward: int, proposer: int) -> None:
        account = self.holders[proposer]
        current = self.models[name].current if name in self.models else 1
        target = max(1, current + delta)
        actions = self._plan(kind, name, target)
        if reward:
            actions.append(token.reward_action(self.dao, self.people.carol.address, reward))
        # a rewarded proposal grants merit too, every other one for a voting period only: derived from the draws
        # above, so the random sequences stay those the rules' draws make
        merit = 3 * TOKEN if reward else 0
        lifetime = VOTING_PERIOD if self.counter % 2 else 0
        if merit:
            actions.append(token.merit_action(self.dao, self.people.carol.address, merit, "invariants", lifetime))
        balances, delegates = self.ledger.at(self.chain.timestamp())  # the next block's clock - 1
        may_propose = Ledger.power(balances, delegates, account.address) >= THRESHOLD
        try:
            pid, _ = propose(self.dao, account, actions, f"# proposal {self.counter}: {kind} {name}")
        except TransactionError:
            assert not may_propose, "a proposer above the threshold was refused"
            return
        assert may_propose, "a proposer below the threshold got through"
        snapshot = int(onchain(self.dao, "governor").functions.proposalSnapshot(pid).call())
        assert snapshot == self.chain.timestamp() + VOTING_DELAY
        self.proposals.append(ExpectedProposal(pid, kind, name, target, actions, reward, snapshot, merit, lifetime))
        _count("propose")

    @precondition(lambda self: self.proposals)
    @rule(
        index=st.integers(0, 4),
        voter=st.integers(0, 3),
        support=st.sampled_from(list(gov.Support)),
        signed=st.booleans(),
    )
    def vote(self, index: int, voter: int, support: gov.Support, signed: bool) -> None:
        proposal, account = self._pick(index), self.holders[voter]
        allowed = self._state(proposal) == ProposalState.ACTIVE and account.address not in proposal.voted
        if signed:
            ballot = gov.sign_vote(self.dao, account, proposal.pid, support)
            voted = self._attempt(lambda: send(self.chain, self.people.outsider, gov.relay(self.dao, ballot)))
        else:
            voted = self._attempt(lambda: send(self.chain, account, gov.vote(self.dao, proposal.pid, support)))
        assert voted == allowed, f"vote on {proposal.pid}: went through={voted}, predicted {allowed}"
        if voted:
            balances, delegates = self.ledger.at(proposal.snapshot)
            weight = Ledger.power(balances, delegates, account.address) - proposal.reduced.get(account.address, 0)
            proposal.tally[support] += weight
            proposal.voted[account.address] = support
            _count("vote")

    @precondition(lambda self: self.proposals)
    @rule(index=st.integers(0, 4), voter=st.integers(0, 3), support=st.sampled_from(list(gov.Support)))
    def override(self, index: int, voter: int, support: gov.Support) -> None:
        proposal, account = self._pick(index), self.holders[voter]
        allowed = (
            self._state(proposal) == ProposalState.ACTIVE
            and account.address not in proposal.overridden
            and account.address not in proposal.voted  # a vote cast directly is not overridden by its own caster
        )
        overrode = self._attempt(
            lambda: send(self.dao.chain, account, gov.override_vote(self.dao, proposal.pid, support))
        )
        assert overrode == allowed, f"override on {proposal.pid}: went through={overrode}, predicted {allowed}"
        if overrode:
            balances, delegates = self.ledger.at(proposal.snapshot)
            weight, delegate = balances.get(account.address, 0), delegates.get(account.address, ZERO)
            proposal.overridden.add(account.address)
            proposal.tally[support] += weight
            if delegate in proposal.voted:
                proposal.tally[proposal.voted[delegate]] -= weight
            else:
                proposal.reduced[delegate] = proposal.reduced.get(delegate, 0) + weight
            _count("override")

    @precondition(lambda self: self.proposals)
    @rule(index=st.integers(0, 4))
    def queue(self, index: int) -> None:
        proposal = self._pick(index)
        allowed = self._state(proposal) == ProposalState.SUCCEEDED
        queued = self._attempt(lambda: send(self.chain, self.people.bob, gov.queue(self.dao, proposal.pid)))
        assert queued == allowed
        if queued:
            assert gov.state(self.dao, proposal.pid) == ProposalState.QUEUED
            _count("queue")

    @precondition(lambda self: self.proposals)
    @rule(index=st.integers(0, 4))
    def execute(self, index: int) -> None:
        proposal = self._pick(index)
        state = self._state(proposal)
        eta = int(onchain(self.dao, "governor").functions.proposalEta(proposal.pid).call())
        ready = state == ProposalState.QUEUED and eta <= self.chain.timestamp() + 1
        allowed = ready and self._would_succeed(proposal)
        executed = self._attempt(
            lambda: send(self.dao.chain, self.people.outsider, gov.execute(self.dao, proposal.pid))
        )
        assert executed == allowed, f"execute {proposal.kind} {proposal.name}: {executed}, predicted {allowed}"
        if executed:
            self._apply(proposal)
            self._record()
            proposal.executed = True
            _count("execute")
        else:
            assert gov.state(self.dao, proposal.pid) == state  # a failed execution leaves it as it was

    @precondition(lambda self: self.proposals)
    @rule(index=st.integers(0, 4))
    def guardian_cancels(self, index: int) -> None:
        proposal = self._pick(index)
        allowed = self._state(proposal) not in FINAL
        cancelled = self._attempt(
            lambda: send(self.dao.chain, self.people.guardian, gov.cancel(self.dao, proposal.pid))
        )
        assert cancelled == allowed
        if cancelled:
            assert gov.state(self.dao, proposal.pid) == ProposalState.CANCELED
            _count("cancel")

    @rule(name=st.sampled_from(NAMES), lift=st.booleans())
    def guardian_suspends_or_lifts(self, name: str, lift: bool) -> None:
        model = self.models.get(name)
        if lift:
            allowed = model is not None and model.suspended
            done = self._attempt(lambda: send(self.chain, self.people.guardian, reg.unsuspend(self.dao, name)))
        else:
            allowed = model is not None and not model.suspended  # retired models too
            done = self._attempt(
                lambda: send(self.dao.chain, self.people.guardian, reg.suspend(self.dao, name, "incident"))
            )
        assert done == allowed
        if done:
            assert model is not None
            model.suspended = not lift
            _count("unsuspend" if lift else "suspend")

    def _expire_merit(self) -> None:
        """Anyone (here, the outsider) tries to burn every grant of merit with some left: it burns exactly those
        that have expired."""
        carol = self.people.carol.address
        for grant, (amount, expires) in enumerate(self.ledger.grants):
            if not amount:
                continue
            if expires and abs(expires - self.chain.timestamp()) <= 2:
                advance_time(self.chain, 3)  # off the boundary, where the next block's clock decides
            allowed = bool(expires and expires <= self.chain.timestamp())
            burnt = self._attempt(
                lambda grant=grant: send(self.chain, self.people.outsider, token.expire_merit(self.dao, carol, grant))
            )
            assert burnt == allowed, f"expire grant {grant} ({amount}, {expires}): {burnt}, predicted {allowed}"
            if burnt:
                self.ledger.grants[grant] = (0, expires)
                self.ledger.balances[carol] -= amount
                self.ledger.merit[carol] -= amount
                self._record()
                _count("expire")

    @rule(name=st.sampled_from(NAMES), writer=st.integers(0, 3))
    def direct_write_is_refused(self, name: str, writer: int) -> None:
        call = onchain(self.dao, "registry").functions.register(name, bytes(36), bytes(36), self.people.bob.address)
        assert not self._attempt(lambda: send(self.chain, self.holders[writer], prepared(call)))
        guardian_call = prepared(onchain(self.dao, "registry").functions.retire(model_id(name), "guardian overreach"))
        assert not self._attempt(lambda: send(self.chain, self.people.guardian, guardian_call))

    @rule(index=st.integers(0, 4), milestone=st.sampled_from(MILESTONES))
    def time_passes(self, index: int, milestone: str) -> None:
        seconds = 1
        if self.proposals and milestone != "second":
            pid = self._pick(index).pid
            g = onchain(self.dao, "governor").functions
            target = {"snapshot": g.proposalSnapshot, "deadline": g.proposalDeadline, "eta": g.proposalEta}[milestone]
            seconds = max(1, int(target(pid).call()) + 1 - self.chain.timestamp())
        advance_time(self.chain, seconds)
        self._expire_merit()

    @precondition(lambda self: self.proposals)
    @rule(index=st.integers(0, 4), steps=st.integers(1, 4))
    def proposal_moves_on(self, index: int, steps: int = 1) -> None:
        """The natural next steps of a proposal: its vote opens, its vote closes, it is queued, it is executed."""
        proposal = self._pick(index)
        g = onchain(self.dao, "governor").functions
        for _ in range(steps):
            state = self._state(proposal)
            if state == ProposalState.PENDING:
                advance_time(self.chain, int(g.proposalSnapshot(proposal.pid).call()) + 1 - self.chain.timestamp())
            elif state == ProposalState.ACTIVE:
                advance_time(self.chain, int(g.proposalDeadline(proposal.pid).call()) + 1 - self.chain.timestamp())
            elif state == ProposalState.SUCCEEDED:
                self.queue(index)
            elif state == ProposalState.QUEUED:
                advance_time(self.chain, max(1, int(g.proposalEta(proposal.pid).call()) - self.chain.timestamp()))
                self.execute(index)
                return
            else:
                return

    # ------------------------------------------------------------------ invariants

    @invariant()
    def registry_equals_the_model(self) -> None:
        models = {m.name: m for m in reg.list_models(self.dao)}
        assert sorted(models) == sorted(self.models)
        for name, expected in self.models.items():
            model = models[name]
            assert (model.status.label, model.suspended) == (expected.status, expected.suspended)
            assert (model.current_version, model.latest_version) == (expected.current, max(expected.versions))
            versions = reg.list_versions(self.dao, name)
            assert [v.number for v in versions] == list(range(1, len(versions) + 1))  # never reused, no gaps
            for version in versions:
                assert (version.artifact_cid, version.manifest_cid) == expected.versions[version.number]
                assert (version.status.name == "ROLLED_BACK") == (version.number in expected.rolled_back)

    @invariant()
    def balances_and_treasury_equal_the_model(self) -> None:
        token = onchain(self.dao, "token").functions
        for holder, amount in self.ledger.balances.items():
            assert token.balanceOf(holder).call() == amount, f"balance of {holder}"

    @invariant()
    def merit_equals_the_model(self) -> None:
        token = onchain(self.dao, "token").functions
        for holder in self.holders:
            merit = self.ledger.merit.get(holder.address, 0)
            assert token.meritOf(holder.address).call() == merit, f"merit of {holder.address}"
            assert self.ledger.balances[holder.address] >= merit
        assert token.totalMerit().call() == sum(self.ledger.merit.values())
        assert token.totalSupply().call() == sum(self.ledger.balances.values())

    @invariant()
    def voting_power_and_tallies_equal_the_model(self) -> None:
        token, governor = onchain(self.dao, "token").functions, onchain(self.dao, "governor").functions
        for account in self.holders:
            assert token.getVotes(account.address).call() == Ledger.power(
                self.ledger.balances, self.ledger.delegates, account.address
            )
        now = self.chain.timestamp()
        for proposal in self.proposals:
            if proposal.settled:
                continue
            against, for_, abstain = governor.proposalVotes(proposal.pid).call()
            assert [against, for_, abstain] == proposal.tally, f"tally of proposal {proposal.pid}"
            if proposal.snapshot < now:
                assert against + for_ + abstain <= token.getPastTotalSupply(proposal.snapshot).call()
            state = gov.state(self.dao, proposal.pid)
            if state in (ProposalState.SUCCEEDED, ProposalState.DEFEATED):
                quorum = (
                    sum(self.ledger.at(proposal.snapshot)[0].values()) * QUORUM_PERCENT // 100
                )  # merit: supply moves
                passed = for_ > against and for_ + abstain >= quorum
                assert (state == ProposalState.SUCCEEDED) == passed
            assert (state == ProposalState.EXECUTED) == proposal.executed
            # Votes count only while active, and every later change of state is checked by the rule making it.
            proposal.settled = state not in (ProposalState.PENDING, ProposalState.ACTIVE)


def test_random_sequences_keep_the_invariants() -> None:
    """Hypothesis explores; the counters prove the interesting steps really happened, not just time travel."""
    world()
    STATS.clear()
    run_state_machine_as_test(
        DaoMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    for step in ("propose", "vote", "override", "queue", "execute", "cancel", "delegate", "transfer", "suspend",
                 "merit"):  # fmt: skip
        assert STATS.get(step, 0) > 0, f"no successful {step} in any example: {STATS}"
