"""Safe multisigs, real ones: the Safe contracts of `@safe-global/safe-smart-account` 1.5.0, deployed on anvil from
the package's compiled artifacts, a 2-of-3 Safe as the registry's guardian. A guardian suspension made by the
library as a Safe transaction has the hash the Safe computes, runs once two owners signed (whoever sends it), and is
refused, before anything is sent, with one signature, a stranger's signature or a used nonce."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from eth_account import Account

from deai_gov.chain.client import connect, send
from deai_gov.dao import registry as reg
from deai_gov.dev.devnet import Anvil
from deai_gov.errors import InputError, TransactionError
from deai_gov.safe.transaction import execute, safe_state, safe_transaction, sign

from .helpers import dao_params, deploy_dao_for, fake_cid, pass_proposal, people_from
from .safes import create_safe

NAME = "acme/guarded"


@pytest.fixture
def guarded(anvil: Anvil) -> dict[str, Any]:
    chain = connect(anvil.url)
    people = people_from(anvil.dev_keys())
    owners = [Account.create() for _ in range(3)]
    safe = create_safe(chain.w3, people.deployer.address, [o.address for o in owners], 2)
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
