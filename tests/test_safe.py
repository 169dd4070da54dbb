"""Safe multisigs, real ones, each test on two versions: the Safe contracts of `@safe-global/safe-smart-account` 1.5.0
and of `@safe-global/safe-contracts` 1.4.1 (the older ABI most deployed Safes use), deployed on anvil from the
packages' compiled artifacts, a 2-of-3 Safe as the registry's guardian. A guardian suspension made by the library as
a Safe transaction has the hash the Safe computes, runs once two owners signed (whoever sends it), and is refused,
before anything is sent, with one signature, a stranger's signature or a used nonce. A Safe's vote, signed by two
owners as an ERC-1271 message, is cast by anyone and counts the Safe's weight; with one signature it is refused."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from eth_account import Account

from deai_gov.chain.client import connect, send
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.actions import Support
from deai_gov.dao.deploy import TOKEN
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.errors import InputError, TransactionError
from deai_gov.safe.transaction import execute, safe_state, safe_transaction, sign
from deai_gov.workflows.safe_requests import run_request, sign_request, vote_request

from .helpers import dao_params, deploy_dao_for, fake_cid, open_proposal, pass_proposal, people_from
from .safes import VERSIONS, create_safe

NAME = "acme/guarded"


@pytest.fixture(params=VERSIONS, ids=[f"safe-{version}" for version in VERSIONS])
def guarded(anvil: Anvil, request: pytest.FixtureRequest) -> dict[str, Any]:
    chain = connect(anvil.url)
    people = people_from(anvil.dev_keys())
    owners = [Account.create() for _ in range(3)]
    safe = create_safe(chain.w3, people.deployer.address, [o.address for o in owners], 2, version=request.param)
    assert safe.functions.VERSION().call() == request.param
    dao = deploy_dao_for(chain, people, dataclasses.replace(dao_params(people), guardian=safe.address))
    register = reg.register_action(dao, NAME, fake_cid("g1"), fake_cid("g1m"), people.bob.address)
    pass_proposal(dao, people, [register], f"Register {NAME}")
    return {"chain": chain, "dao": dao, "people": people, "safe": safe, "owners": owners}


def test_a_2_of_3_safe_guardian_suspends_a_model_once_two_owners_signed(guarded: dict[str, Any]) -> None:
    chain, dao, safe, owners = guarded["chain"], guarded["dao"], guarded["safe"], guarded["owners"]
    state = safe_state(chain, safe.address)
    assert (set(state.owners), state.threshold, state.nonce) == ({o.address for o in owners}, 2, 0)

    tx = safe_transaction(state, reg.suspend(dao, NAME, "a harmful output was reported"))
    args = (tx.to, tx.value, tx.data, tx.operation, tx.safe_tx_gas, tx.base_gas, tx.gas_price, tx.gas_token,
            tx.refund_receiver, tx.nonce)  # fmt: skip
    assert tx.hash(chain.chain_id, safe.address) == bytes(safe.functions.getTransactionHash(*args).call())

    first, second = (sign(owner, chain.chain_id, safe.address, tx) for owner in owners[:2])
    with pytest.raises(InputError, match="1 of the Safe's owners signed; it needs 2"):
        execute(state, chain.chain_id, tx, [first])
    stranger = sign(Account.create(), chain.chain_id, safe.address, tx)
    with pytest.raises(InputError, match="is not an owner of the Safe"):
        execute(state, chain.chain_id, tx, [first, stranger])
    assert not reg.get_model(dao, NAME).suspended

    # the signatures in either order: packed by owner address; sent by someone who is not an owner
    result = send(chain, guarded["people"].outsider, execute(state, chain.chain_id, tx, [second, first]))
    assert result.outcome is True and reg.get_model(dao, NAME).suspended
    assert safe_state(chain, safe.address).nonce == 1

    # the same signed transaction again: refused here (its nonce is used), and by the Safe itself
    with pytest.raises(InputError, match="for nonce 0, the Safe is at 1: it was executed"):
        execute(safe_state(chain, safe.address), chain.chain_id, tx, [first, second])
    replay = execute(state, chain.chain_id, tx, [first, second])  # built against the old state, as a stale file
    with pytest.raises(TransactionError, match="a signer is not an owner of the Safe"):
        send(chain, guarded["people"].outsider, replay)


def test_an_address_that_is_no_safe_is_one_line(guarded: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="is not a Safe on this chain"):
        safe_state(guarded["chain"], guarded["dao"].address("registry"))
    with pytest.raises(InputError, match="is not a Safe on this chain"):
        safe_state(guarded["chain"], guarded["people"].alice.address)


def test_a_safe_votes_with_its_weight_once_two_owners_signed_its_ballot(guarded: dict[str, Any]) -> None:
    chain, dao, people = guarded["chain"], guarded["dao"], guarded["people"]
    safe, owners = guarded["safe"].address, guarded["owners"]
    weight = 150 * TOKEN
    send(chain, people.alice, token.transfer(dao, safe, weight))
    state = safe_state(chain, safe)
    tx = safe_transaction(state, token.delegate(dao, safe))  # the Safe votes itself: a Safe transaction
    signatures = [sign(owner, chain.chain_id, safe, tx) for owner in owners[:2]]
    send(chain, people.outsider, execute(state, chain.chain_id, tx, signatures))
    assert token.holding(dao, safe).delegate == safe
    advance_time(chain, 1)

    action = reg.register_action(dao, "acme/voted", fake_cid("v1"), fake_cid("v1m"), people.bob.address)
    pid = open_proposal(dao, people.alice, [action], "# Register acme/voted")
    assert gov.state(dao, pid) == ProposalState.ACTIVE  # past the voting delay

    request = vote_request(dao, safe, pid, Support.FOR)
    assert request.kind == "vote" and not request.ready
    first = dataclasses.replace(request, collected=sign_request(request, owners[0]))
    with pytest.raises(InputError, match="it needs 2"):
        run_request(dao, first)
    both = dataclasses.replace(request, collected=sign_request(first, owners[2]))
    assert both.ready and set(both.signed_by) == {owners[0].address, owners[2].address}

    result = send(chain, people.outsider, run_request(dao, both))  # cast by someone who is not an owner
    assert result.receipt["status"] == 1
    assert dao.read("governor", "hasVoted", pid, safe)
    assert dao.read("governor", "proposalVotes", pid)[1] == weight  # for: the Safe's weight
