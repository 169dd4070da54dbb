"""Waiting for a proposal's state (`governance.wait_for_state`) and the weight a vote would have
(`governance.check_vote_weight`), on anvil with time moved between polls."""

from __future__ import annotations

import itertools
import time

import pytest

from deai_gov.chain.client import send
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import advance_time
from deai_gov.errors import InputError, WaitTimeout

from .helpers import VOTING_DELAY, VOTING_PERIOD, People, onchain, propose

_numbers = itertools.count(1)


def new_proposal(dao: Dao, people: People) -> int:
    """A pending proposal of alice's, different from every other one."""
    number = next(_numbers)
    pid, _ = propose(dao, people.alice, [token.reward_action(dao, people.bob.address, number)], f"# Reward {number}")
    return pid


def onchain_state(dao: Dao, pid: int) -> ProposalState:
    return ProposalState(onchain(dao, "governor").functions.state(pid).call())


# ------------------------------------------------------------------ wait_for_state


def test_waits_until_the_voting_delay_has_passed(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    seen: list[ProposalState] = []

    def on_change(state: ProposalState) -> None:
        seen.append(state)
        if state == ProposalState.PENDING:
            advance_time(dao.chain, VOTING_DELAY + 1)

    found = gov.wait_for_state(dao, pid, ProposalState.ACTIVE, timeout=30, interval=0.01, on_change=on_change)
    assert found == ProposalState.ACTIVE == onchain_state(dao, pid)
    assert seen == [ProposalState.PENDING, ProposalState.ACTIVE]


def test_waits_through_several_states(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    seen: list[ProposalState] = []

    def on_change(state: ProposalState) -> None:
        seen.append(state)
        if state == ProposalState.PENDING:
            advance_time(dao.chain, VOTING_DELAY + 1)
        elif state == ProposalState.ACTIVE:
            send(dao.chain, people.alice, gov.vote(dao, pid, gov.Support.FOR))
            advance_time(dao.chain, VOTING_PERIOD + 1)

    found = gov.wait_for_state(dao, pid, ProposalState.SUCCEEDED, timeout=30, interval=0.01, on_change=on_change)
    assert found == ProposalState.SUCCEEDED == onchain_state(dao, pid)
    assert seen == [ProposalState.PENDING, ProposalState.ACTIVE, ProposalState.SUCCEEDED]


def test_polls_without_reporting_the_same_state_twice(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    seen: list[ProposalState] = []
    polls = 0
    real_state = gov.state

    def counting_state(dao_: Dao, proposal_id: int) -> ProposalState:
        nonlocal polls
        polls += 1
        if polls == 4:  # the clock moves just before the fourth reading
            advance_time(dao_.chain, VOTING_DELAY + 1)
        return real_state(dao_, proposal_id)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gov, "state", counting_state)
        found = gov.wait_for_state(dao, pid, ProposalState.ACTIVE, timeout=30, interval=0.01, on_change=seen.append)
    assert found == ProposalState.ACTIVE
    assert polls == 4  # three readings of pending, then active
    assert seen == [ProposalState.PENDING, ProposalState.ACTIVE]


def test_returns_at_once_when_already_there(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    seen: list[ProposalState] = []
    started = time.monotonic()
    assert gov.wait_for_state(dao, pid, ProposalState.PENDING, timeout=1, interval=60, on_change=seen.append) == (
        ProposalState.PENDING
    )
    assert time.monotonic() - started < 5
    assert seen == [ProposalState.PENDING]


def test_refuses_a_state_already_passed(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + 1)
    seen: list[ProposalState] = []
    with pytest.raises(InputError, match=f"proposal {pid} is already active; it will not be pending again"):
        gov.wait_for_state(dao, pid, ProposalState.PENDING, timeout=1, interval=0.01, on_change=seen.append)
    assert seen == []


def test_refuses_a_state_a_succeeded_proposal_has_left(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + 1)
    send(dao.chain, people.alice, gov.vote(dao, pid, gov.Support.FOR))
    advance_time(dao.chain, VOTING_PERIOD + 1)
    assert onchain_state(dao, pid) == ProposalState.SUCCEEDED
    with pytest.raises(InputError, match="already succeeded"):
        gov.wait_for_state(dao, pid, ProposalState.ACTIVE, timeout=1, interval=0.01)


def test_refuses_after_a_cancel(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    send(dao.chain, people.alice, gov.cancel(dao, pid))
    assert onchain_state(dao, pid) == ProposalState.CANCELED
    seen: list[ProposalState] = []
    for target in (ProposalState.ACTIVE, ProposalState.EXECUTED):
        with pytest.raises(InputError, match=f"proposal {pid} was canceled: it will never be {target.label}"):
            gov.wait_for_state(dao, pid, target, timeout=30, interval=0.01, on_change=seen.append)
    assert seen == [ProposalState.CANCELED, ProposalState.CANCELED]
    assert gov.wait_for_state(dao, pid, ProposalState.CANCELED, timeout=1, interval=0.01) == ProposalState.CANCELED


def test_refuses_when_the_proposal_ends_while_waiting(dao: Dao, people: People) -> None:
    """No votes: once the voting period is over the proposal is defeated and can never succeed."""
    pid = new_proposal(dao, people)

    def on_change(state: ProposalState) -> None:
        if state == ProposalState.PENDING:
            advance_time(dao.chain, VOTING_DELAY + VOTING_PERIOD + 2)

    with pytest.raises(InputError, match="was defeated: it will never be"):
        gov.wait_for_state(dao, pid, ProposalState.SUCCEEDED, timeout=30, interval=0.01, on_change=on_change)
    assert onchain_state(dao, pid) == ProposalState.DEFEATED


def test_times_out(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match=f"proposal {pid} is still pending"):
        gov.wait_for_state(dao, pid, ProposalState.ACTIVE, timeout=0.05, interval=0.01)
    assert time.monotonic() - started < 5
    assert onchain_state(dao, pid) == ProposalState.PENDING


def test_refuses_an_unknown_proposal(dao: Dao) -> None:
    with pytest.raises(InputError, match="does not exist"):
        gov.wait_for_state(dao, 10**6, ProposalState.ACTIVE, timeout=0.05, interval=0.01)


# ------------------------------------------------------------------ check_vote_weight


def test_vote_weight_is_none_while_pending(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    assert gov.check_vote_weight(dao, pid, people.alice.address) is None
    assert gov.check_vote_weight(dao, pid, people.outsider.address) is None


def test_vote_weight_of_an_active_proposal(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + 1)
    governor, tok = onchain(dao, "governor"), onchain(dao, "token")
    snapshot = governor.functions.proposalSnapshot(pid).call()
    alice = gov.check_vote_weight(dao, pid, people.alice.address)
    assert alice == governor.functions.getVotes(people.alice.address, snapshot).call() == 700 * TOKEN
    carol = gov.check_vote_weight(dao, pid, people.carol.address, override=True)
    assert carol == tok.functions.getPastBalanceOf(people.carol.address, snapshot).call() == 200 * TOKEN


def test_vote_weight_refuses_an_outsider(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + 1)
    outsider = people.outsider.address
    with pytest.raises(InputError, match=f"{outsider} had no votes delegated to it at proposal {pid}'s snapshot"):
        gov.check_vote_weight(dao, pid, outsider)
    with pytest.raises(InputError, match=f"{outsider} held no tokens"):
        gov.check_vote_weight(dao, pid, outsider, override=True)


def test_vote_weight_refuses_a_holder_who_delegated(dao: Dao, people: People) -> None:
    """carol holds tokens but gave her votes to alice: a plain vote of hers counts for nothing."""
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + 1)
    with pytest.raises(InputError, match="no votes delegated"):
        gov.check_vote_weight(dao, pid, people.carol.address)


def test_vote_weight_counts_the_snapshot_not_now(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + 1)
    # tokens the outsider receives and delegates after the snapshot do not count
    send(dao.chain, people.bob, token.transfer(dao, people.outsider.address, TOKEN))
    send(dao.chain, people.outsider, token.delegate(dao, people.outsider.address))
    assert onchain(dao, "token").functions.getVotes(people.outsider.address).call() == TOKEN
    with pytest.raises(InputError):
        gov.check_vote_weight(dao, pid, people.outsider.address)


def test_vote_weight_is_none_once_voting_is_over(dao: Dao, people: People) -> None:
    pid = new_proposal(dao, people)
    advance_time(dao.chain, VOTING_DELAY + VOTING_PERIOD + 2)
    assert onchain_state(dao, pid) == ProposalState.DEFEATED
    assert gov.check_vote_weight(dao, pid, people.alice.address) is None
