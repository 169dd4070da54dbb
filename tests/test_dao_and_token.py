"""A deployed DAO (`deai_gov.dao.deployed`) and its token (`deai_gov.dao.token`): settings in one batch, binding a
record to a
chain, holdings and delegates, and the token's transactions and treasury reward, checked through web3."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from deai_gov.chain.client import send
from deai_gov.contracts.abi import decode_call
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao, read_settings
from deai_gov.errors import InputError

from .helpers import (
    LATE_QUORUM,
    TIMELOCK_DELAY,
    VOTING_DELAY,
    VOTING_PERIOD,
    People,
    onchain,
)

BAD_CHECKSUM = "0x2b5aD5c4795c026514f8317c7a215E218DcCD6cF"


@pytest.fixture
def fresh(dao: Dao) -> Dao:
    """The test DAO, for a test that sends transactions (undone after it, like everything a test does)."""
    return dao


# ------------------------------------------------------------------ read_settings


def test_read_settings_matches_reads_one_by_one(dao: Dao, people: People) -> None:
    tok, gov, reg, timelock = (onchain(dao, role) for role in ("token", "governor", "registry", "timelock"))
    clock = gov.functions.clock().call()
    settings = read_settings(dao)
    assert settings.chain_id == dao.chain.w3.eth.chain_id
    assert settings.addresses == dao.deployment.addresses
    assert settings.token_name == tok.functions.name().call()
    assert settings.token_symbol == tok.functions.symbol().call()
    assert settings.total_supply == tok.functions.totalSupply().call()
    assert settings.voting_delay == gov.functions.votingDelay().call()
    assert settings.voting_period == gov.functions.votingPeriod().call()
    assert settings.proposal_threshold == gov.functions.proposalThreshold().call()
    assert settings.quorum_percent == gov.functions.quorumNumerator().call()
    assert settings.quorum_now == gov.functions.quorum(clock - 1).call()
    assert settings.late_quorum_extension == gov.functions.lateQuorumVoteExtension().call()
    assert settings.timelock_delay == timelock.functions.getMinDelay().call()
    assert settings.treasury == tok.functions.balanceOf(dao.address("timelock")).call()
    assert settings.proposal_guardian == gov.functions.proposalGuardian().call()
    assert settings.registry_guardian == reg.functions.guardian().call()
    assert settings.models == reg.functions.modelCount().call()
    assert settings.proposals == gov.functions.latestProposalId().call()


def test_read_settings_are_the_deployed_parameters(dao: Dao, people: People) -> None:
    settings = read_settings(dao)
    assert (settings.voting_delay, settings.voting_period) == (VOTING_DELAY, VOTING_PERIOD)
    assert (settings.late_quorum_extension, settings.timelock_delay) == (LATE_QUORUM, TIMELOCK_DELAY)
    assert settings.total_supply == 2_000 * TOKEN
    assert settings.treasury == 1_000 * TOKEN
    assert settings.proposal_threshold == 100 * TOKEN
    assert settings.quorum_percent == 10
    assert settings.quorum_now == 200 * TOKEN  # 10% of the whole supply, treasury included
    assert settings.proposal_guardian == settings.registry_guardian == people.guardian.address
    assert (settings.models, settings.proposals) == (0, 0)


# ------------------------------------------------------------------ Dao.attach


def test_attach_binds_a_good_record(dao: Dao) -> None:
    again = Dao.attach(dao.chain, dao.deployment)
    assert again.address("token") == dao.address("token")


def test_attach_refuses_another_chain_id(dao: Dao) -> None:
    record = replace(dao.deployment, chain_id=dao.deployment.chain_id + 1)
    with pytest.raises(InputError, match=f"chain id {record.chain_id}, but the node is chain id {record.chain_id - 1}"):
        Dao.attach(dao.chain, record)


def test_attach_refuses_an_address_without_code(dao: Dao, people: People) -> None:
    addresses = dict(dao.deployment.addresses, registry=people.outsider.address)
    with pytest.raises(InputError, match=f"no contract at the registry address {people.outsider.address}"):
        Dao.attach(dao.chain, replace(dao.deployment, addresses=addresses))


@pytest.mark.parametrize("bad", ["0x1234", "", "not an address", None, 42])
def test_attach_refuses_a_bad_address(dao: Dao, bad: object) -> None:
    addresses = dict(dao.deployment.addresses, governor=bad)
    with pytest.raises(InputError, match=r"governor address .* is not an address"):
        Dao.attach(dao.chain, replace(dao.deployment, addresses=addresses))


def test_attach_refuses_a_missing_role(dao: Dao) -> None:
    addresses = {role: a for role, a in dao.deployment.addresses.items() if role != "timelock"}
    with pytest.raises(InputError, match="timelock address None"):
        Dao.attach(dao.chain, replace(dao.deployment, addresses=addresses))


# ------------------------------------------------------------------ holdings and delegates


def test_holding(dao: Dao, people: People) -> None:
    tok = onchain(dao, "token")
    for person in (people.alice, people.carol, people.outsider):
        found = token.holding(dao, person.address.lower())
        assert found.address == person.address
        assert found.balance == tok.functions.balanceOf(person.address).call()
        assert found.votes == tok.functions.getVotes(person.address).call()
        assert found.delegate == tok.functions.delegates(person.address).call()
        assert found.symbol == "MDL"
    alice, carol = token.holding(dao, people.alice.address), token.holding(dao, people.carol.address)
    assert (alice.balance, alice.votes, alice.delegate) == (500 * TOKEN, 700 * TOKEN, people.alice.address)
    assert (carol.balance, carol.votes, carol.delegate) == (200 * TOKEN, 0, people.alice.address)
    assert token.holding(dao, people.outsider.address).delegate == "0x" + "00" * 20


@pytest.mark.parametrize("bad", ["0x1234", BAD_CHECKSUM])
def test_holding_refuses_a_bad_address(dao: Dao, bad: str) -> None:
    with pytest.raises(InputError):
        token.holding(dao, bad)


def expected_delegates(dao: Dao, candidates: list[str]) -> list[tuple[str, int, float]]:
    """(address, votes, share) of every candidate with votes, most first, from web3 reads."""
    tok = onchain(dao, "token")
    total = tok.functions.totalSupply().call()
    votes = {a: tok.functions.getVotes(a).call() for a in candidates}
    ranked = sorted(((v, a) for a, v in votes.items() if v > 0), reverse=True)
    return [(a, v, float(round(Fraction(100 * v, total), 2))) for v, a in ranked]


def test_top_delegates(dao: Dao, people: People) -> None:
    found = token.top_delegates(dao)
    assert [(d.address, d.votes, d.share_percent) for d in found] == [
        (people.alice.address, 700 * TOKEN, 35.0),
        (people.bob.address, 300 * TOKEN, 15.0),
    ]


def test_top_delegates_ordering_shares_and_drops(fresh: Dao, people: People) -> None:
    # the outsider gets 1 token from bob and votes itself; then bob gives his votes to carol, who never delegated
    send(fresh.chain, people.bob, token.transfer(fresh, people.outsider.address, 1 * TOKEN))
    send(fresh.chain, people.outsider, token.delegate(fresh, people.outsider.address))
    send(fresh.chain, people.bob, token.delegate(fresh, people.carol.address))
    found = token.top_delegates(fresh)
    everyone = [p.address for p in (people.alice, people.bob, people.carol, people.outsider, people.guardian)]
    assert [(d.address, d.votes, d.share_percent) for d in found] == expected_delegates(fresh, everyone)
    assert [(d.address, d.votes, d.share_percent) for d in found] == [
        (people.alice.address, 700 * TOKEN, 35.0),
        (people.carol.address, 299 * TOKEN, 14.95),
        (people.outsider.address, 1 * TOKEN, 0.05),
    ]
    # bob received votes once and has none now: he is left out
    assert people.bob.address not in [d.address for d in found]
    assert [d.address for d in token.top_delegates(fresh, top=2)] == [people.alice.address, people.carol.address]


# ------------------------------------------------------------------ transfer and delegate


@pytest.mark.parametrize(("recipient", "amount"), [("0x1234", 1), (BAD_CHECKSUM, 1), ("", 1)])
def test_transfer_refuses_a_bad_recipient(dao: Dao, recipient: str, amount: int) -> None:
    with pytest.raises(InputError, match="recipient"):
        token.transfer(dao, recipient, amount)


@pytest.mark.parametrize("amount", [0, -1])
def test_transfer_refuses_an_amount_that_is_not_positive(dao: Dao, people: People, amount: int) -> None:
    with pytest.raises(InputError, match="positive"):
        token.transfer(dao, people.bob.address, amount)


@pytest.mark.parametrize("delegatee", ["0x1234", BAD_CHECKSUM, "alice"])
def test_delegate_refuses_a_bad_address(dao: Dao, delegatee: str) -> None:
    with pytest.raises(InputError, match="delegate"):
        token.delegate(dao, delegatee)


def test_transfer_moves_balances_and_votes(fresh: Dao, people: People) -> None:
    tok = onchain(fresh, "token")
    tx = token.transfer(fresh, people.outsider.address.lower(), 40 * TOKEN)
    assert tx.to == fresh.address("token")
    assert decode_call("ModelToken", tx.data) == ("transfer", {"to": people.outsider.address, "value": 40 * TOKEN})
    assert "40" in tx.description and "MDL" in tx.description and people.outsider.address in tx.description
    send(fresh.chain, people.alice, tx)
    assert tok.functions.balanceOf(people.alice.address).call() == 460 * TOKEN
    assert tok.functions.balanceOf(people.outsider.address).call() == 40 * TOKEN
    assert tok.functions.getVotes(people.alice.address).call() == 660 * TOKEN  # her own 460 and carol's 200
    assert tok.functions.getVotes(people.outsider.address).call() == 0  # not delegated: no votes


def test_delegate_moves_votes(fresh: Dao, people: People) -> None:
    tok = onchain(fresh, "token")
    tx = token.delegate(fresh, people.bob.address.lower())
    assert decode_call("ModelToken", tx.data) == ("delegate", {"delegatee": people.bob.address})
    send(fresh.chain, people.carol, tx)
    assert tok.functions.delegates(people.carol.address).call() == people.bob.address
    assert tok.functions.getVotes(people.alice.address).call() == 500 * TOKEN
    assert tok.functions.getVotes(people.bob.address).call() == 500 * TOKEN
    assert tok.functions.balanceOf(people.carol.address).call() == 200 * TOKEN


# ------------------------------------------------------------------ reward_action


def test_reward_action_is_a_transfer_from_the_treasury(dao: Dao, people: People) -> None:
    action = token.reward_action(dao, people.bob.address.lower(), 100 * TOKEN)
    assert action.target == dao.address("token")
    assert action.value == 0
    assert decode_call("ModelToken", action.calldata) == ("transfer", {"to": people.bob.address, "value": 100 * TOKEN})


@pytest.mark.parametrize("amount", [0, -TOKEN])
def test_reward_action_refuses_an_amount_that_is_not_positive(dao: Dao, people: People, amount: int) -> None:
    with pytest.raises(InputError, match="positive"):
        token.reward_action(dao, people.bob.address, amount)


@pytest.mark.parametrize("recipient", ["0x1234", BAD_CHECKSUM])
def test_reward_action_refuses_a_bad_recipient(dao: Dao, recipient: str) -> None:
    with pytest.raises(InputError, match="reward recipient"):
        token.reward_action(dao, recipient, TOKEN)


@pytest.mark.parametrize(
    ("amount", "bps", "parts"),
    [
        (10_000, [5_000, 3_000, 2_000], [5_000, 3_000, 2_000]),
        (100, [3_334, 3_333, 3_333], [34, 33, 33]),  # 33.34 + 33.33 + 33.33: the remainder goes to the first
        (1, [5_000, 5_000], [1, 0]),
        (10**18 + 7, [10_000], [10**18 + 7]),
    ],
)
def test_a_reward_split_pays_each_its_share_and_loses_nothing(amount: int, bps: list[int], parts: list[int]) -> None:
    from deai_gov.dao.token import split_reward

    addresses = [f"0x{i:040x}" for i in range(1, len(bps) + 1)]
    split = split_reward(amount, list(zip(addresses, bps, strict=True)))
    assert [part for _, part in split] == parts and sum(parts) == amount


@pytest.mark.parametrize("bps", [[5_000, 4_000], [10_000, 0], [], [6_000, 5_000]])
def test_shares_that_do_not_add_up_are_refused(bps: list[int]) -> None:
    from deai_gov.dao.token import split_reward
    from deai_gov.errors import InputError

    with pytest.raises(InputError, match="add up to 10,000 basis points"):
        split_reward(100, [(f"0x{i:040x}", b) for i, b in enumerate(bps, 1)])
