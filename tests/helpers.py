"""What the library tests share: the cast and parameters of the test DAO, deploying it, pushing a proposal through
its whole cycle on a dev chain, undoing what a test did to a chain (snapshots), and independent views of on-chain
state (web3 contract objects, used only to check what the library reports). Fixtures live in conftest.py; tests
import helpers from here, never from it."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from deai_gov.chain.client import Chain, PreparedTx, TxResult, send
from deai_gov.contracts.artifacts import artifact
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import token
from deai_gov.dao.actions import Action
from deai_gov.dao.deploy import TOKEN, DaoParams, deploy_dao
from deai_gov.dao.deployed import CONTRACT_OF_ROLE, Dao
from deai_gov.dev.devnet import advance_time

VOTING_DELAY = 60
VOTING_PERIOD = 3_600
TIMELOCK_DELAY = 300
LATE_QUORUM = 600


@dataclass
class People:
    """Who is who in the test DAO."""

    deployer: LocalAccount
    alice: LocalAccount  # 500 tokens, votes herself
    bob: LocalAccount  # 300 tokens, contributor
    carol: LocalAccount  # 200 tokens, delegates to alice
    guardian: LocalAccount
    outsider: LocalAccount  # no tokens


@dataclass(frozen=True)
class DaoWorld:
    """The test DAO deployed on a chain, and its cast."""

    dao: Dao
    people: People

    @property
    def chain(self) -> Chain:
        return self.dao.chain


def dao_params(people: People) -> DaoParams:
    return DaoParams(
        holders={people.alice.address: 500 * TOKEN, people.bob.address: 300 * TOKEN, people.carol.address: 200 * TOKEN},
        treasury=1_000 * TOKEN,
        proposal_threshold=100 * TOKEN,
        quorum_percent=10,
        voting_delay=VOTING_DELAY,
        voting_period=VOTING_PERIOD,
        late_quorum_extension=LATE_QUORUM,
        timelock_delay=TIMELOCK_DELAY,
        guardian=people.guardian.address,
    )


def people_from(keys: list[str]) -> People:
    """The test DAO's cast from the first six development keys."""
    return People(*(Account.from_key(k) for k in keys[:6]))


def delegate_cast(dao: Dao, people: People) -> None:
    """alice and bob vote themselves, carol delegates to alice; the clock moves on so the votes are checkpointed."""
    for holder, delegatee in ((people.alice, people.alice), (people.bob, people.bob), (people.carol, people.alice)):
        send(dao.chain, holder, token.delegate(dao, delegatee.address))
    advance_time(dao.chain, 1)


def deploy_dao_for(chain: Chain, people: People, params: DaoParams | None = None) -> Dao:
    """Deploy the test DAO; alice and bob vote themselves, carol delegates to alice."""
    dao = Dao.attach(chain, deploy_dao(chain, people.deployer, params or dao_params(people)))
    delegate_cast(dao, people)
    return dao


def deploy_recorded(
    chain: Chain, people: People, record: Path, params: DaoParams | None = None, *, delegated: bool = False
) -> Dao:
    """Deploy a test DAO (`dao_params(people)` unless `params`), save its record at `record` for the CLI, attach;
    with `delegated`, the cast delegates as in `deploy_dao_for`."""
    deployment = deploy_dao(chain, people.deployer, params or dao_params(people))
    deployment.save(record)
    dao = Dao.attach(chain, deployment)
    if delegated:
        delegate_cast(dao, people)
    return dao


def take_snapshot(chain: Chain) -> Any:
    """A snapshot of a development chain's state, blocks and clock, to revert to with `revert_to`."""
    if chain.embedded:
        tester = chain.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        # Its next block comes at the wall clock, but `advance_time` counts from the latest block: when that is a
        # while ago (the DAO deployed earlier, a revert to it), a block now keeps the two together.
        now = int(time.time())
        if now > chain.timestamp() + 1:
            if tester.get_block_by_number("pending")["timestamp"] < now:
                tester.time_travel(now)  # mines a block stamped now, or a second before
            else:
                tester.mine_blocks(1)  # the pending block is stamped now already
        return tester.take_snapshot()
    return chain.request("evm_snapshot")


def revert_to(chain: Chain, snapshot: Any) -> None:
    """Back to `snapshot`: every later block, state change and move of the clock undone. An anvil snapshot serves
    one revert (take another to revert again); eth-tester's can be reverted to any number of times."""
    if chain.embedded:
        chain.w3.provider.ethereum_tester.revert_to_snapshot(snapshot)  # type: ignore[attr-defined]
        return
    if chain.request("evm_revert", [snapshot]) is not True:
        raise AssertionError(f"anvil refused to revert to snapshot {snapshot}")
    # anvil restarts its clock at the snapshot's latest block, which leaves it behind the wall clock by however long
    # the test ran; a node's next block is never earlier than now (never earlier than the latest block either).
    now = int(time.time())
    if now > chain.timestamp():
        chain.request("evm_setTime", [now])


@contextmanager
def isolated(chain: Chain, *daos: Dao) -> Iterator[Chain]:
    """Whatever is done on `chain` inside the block is undone after it (a snapshot, then a revert)."""
    snapshot = take_snapshot(chain)
    try:
        yield chain
    finally:
        revert_to(chain, snapshot)
        # What `daos` remember of proposals (checked against the governor before use) goes with them.
        for dao in daos:
            dao.proposals_read.clear()


def fake_cid(label: str, codec: str = "raw") -> str:
    """A valid sha2-256 CIDv1 (base32) for `label` — stands in for content published elsewhere."""
    from multiformats import CID, multihash

    digest = hashlib.sha256(label.encode()).digest()
    return str(CID("base32", 1, codec, multihash.wrap(digest, "sha2-256")))


def propose(
    dao: Dao, proposer: LocalAccount, actions: list[Action], description: str, *, proposer_suffix: bool = True
) -> tuple[int, TxResult]:
    """Build and send a proposal the library's way; returns its id (the transaction's outcome) and the result."""
    proposal = gov.build_proposal(dao, proposer.address, actions, description, proposer_suffix=proposer_suffix)
    result = send(dao.chain, proposer, gov.propose(dao, proposal))
    return int(result.outcome), result


def open_proposal(dao: Dao, proposer: LocalAccount, actions: list[Action], description: str) -> int:
    """Propose and move the clock past the voting delay: the proposal is Active; returns its id."""
    pid, _ = propose(dao, proposer, actions, description)
    advance_time(dao.chain, VOTING_DELAY + 1)
    return pid


def propose_and_vote(
    dao: Dao,
    people: People,
    actions: list[Action],
    title: str,
    *,
    proposer: LocalAccount | None = None,
) -> int:
    """Propose, let the delay pass, alice (with carol's delegation) votes for: returns the proposal id."""
    pid = open_proposal(dao, proposer or people.alice, actions, f"# {title}")
    send(dao.chain, people.alice, gov.vote(dao, pid, gov.Support.FOR, "looks good"))
    return pid


def finish(dao: Dao, people: People, pid: int) -> TxResult:
    """End the vote, queue, wait out the timelock and execute; returns the execute transaction."""
    advance_time(dao.chain, VOTING_PERIOD + 1)
    assert gov.state(dao, pid) == ProposalState.SUCCEEDED
    send(dao.chain, people.bob, gov.queue(dao, pid))
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    return send(dao.chain, people.outsider, gov.execute(dao, pid))


def pass_proposal(dao: Dao, people: People, actions: list[Action], title: str) -> int:
    pid = propose_and_vote(dao, people, actions, title)
    finish(dao, people, pid)
    assert gov.state(dao, pid) == ProposalState.EXECUTED
    return pid


def onchain(dao: Dao, role: str) -> Any:
    """A web3 contract object for the contract playing `role`: an independent view to check the library by."""
    w3 = dao.chain.w3
    return w3.eth.contract(address=dao.address(role), abi=artifact(CONTRACT_OF_ROLE[role]).abi)


def prepared(call: Any, description: str = "a call made by a test") -> PreparedTx:
    """A web3 contract call as a PreparedTx, to send what no library function prepares (a test's own attempt)."""
    return PreparedTx(call.address, bytes.fromhex(call._encode_transaction_data()[2:]), description)


def run_cli(*args: str) -> tuple[int, str, str]:
    """`deai-gov ARGS` in-process: (exit code, stdout, stderr); an uncaught exception is raised, never an outcome."""
    from click.testing import CliRunner

    from deai_gov.cli import main

    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a bug, never an outcome
    return result.exit_code, result.stdout, result.stderr


def cli_dao(rpc_url: str, dev_keys: list[str], folder: Path, **changes: Any) -> dict[str, Any]:
    """A DAO deployed for the CLI (its record in `folder`, the cast delegated; `changes` to `dao_params`, e.g. a
    `guardian` instead of the cast's, or `eas="deploy"`),
    alice's key imported as account `alice` in the configuration home (DEAI_GOV_HOME, set by the caller): the DAO,
    the cast, the global options (`base`: node, deployment, an embedded store in `folder`) and those that sign as
    alice (`signer`)."""
    import dataclasses

    from deai_gov.chain.client import connect

    people = people_from(dev_keys)
    record = folder / "deployment.json"
    params = dataclasses.replace(dao_params(people), **changes) if changes else None
    dao = deploy_recorded(connect(rpc_url), people, record, params, delegated=True)
    password = folder / "password.txt"
    password.write_text("cli-dao\n")
    secret = folder / "alice.key"
    secret.write_text(dev_keys[1])
    assert run_cli("--password-file", str(password), "account", "import", "alice", "--secret-file", str(secret))[0] == 0
    base = ["--rpc-url", rpc_url, "--deployment", str(record), "--store", str(folder / "store")]
    signer = ["--account", "alice", "--password-file", str(password), "--yes"]
    return {"dao": dao, "people": people, "base": base, "signer": signer}


def carried(dao: Dao, people: People, pid: int) -> None:
    """alice (with carol's delegation) votes for proposal `pid`; the vote ends; it is queued and executed."""
    advance_time(dao.chain, VOTING_DELAY + 1)
    send(dao.chain, people.alice, gov.vote(dao, pid, gov.Support.FOR, ""))
    finish(dao, people, pid)


def voting_accounts(dao: Dao, funder: LocalAccount, count: int) -> list[LocalAccount]:
    """`count` new accounts holding half a token each from `funder`, each delegating to itself (a little gas set
    with anvil_setBalance), the clock moved on so their votes count: sent without waiting for each receipt."""
    voters = [Account.create() for _ in range(count)]
    w3, token_contract = dao.chain.w3, onchain(dao, "token")
    fees = {"maxFeePerGas": 10**10, "maxPriorityFeePerGas": 0, "chainId": dao.chain.chain_id, "gas": 300_000}
    nonce = w3.eth.get_transaction_count(funder.address)
    for index, voter in enumerate(voters):
        w3.provider.make_request("anvil_setBalance", [voter.address, hex(10**16)])  # type: ignore[arg-type]
        tx = token_contract.functions.transfer(voter.address, TOKEN // 2).build_transaction(
            {"from": funder.address, "nonce": nonce + index, **fees}
        )
        w3.eth.send_raw_transaction(funder.sign_transaction(tx).raw_transaction)
    for voter in voters:
        tx = token_contract.functions.delegate(voter.address).build_transaction(
            {"from": voter.address, "nonce": 0, **fees}
        )
        last = w3.eth.send_raw_transaction(voter.sign_transaction(tx).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(last)["status"] == 1
    advance_time(dao.chain, 1)
    return voters
