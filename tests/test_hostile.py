"""Adversaries: proposers, executors and peers who send what no honest client would. Each test plays one attack
against the real contracts (embedded chain or anvil) and checks that voters still see what they vote on and that
nothing fails for everyone."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from eth_abi import encode

from deai_gov import governance as gov
from deai_gov import registry as reg
from deai_gov import token
from deai_gov.abi import function_shape
from deai_gov.chain import PreparedTx, connect, send
from deai_gov.cli import main
from deai_gov.dao import Dao
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.states import ProposalState

from .helpers import People, deploy_recorded, fake_cid, people_from, propose


def propose_raw_description(dao: Dao, proposer: People, description: bytes) -> None:
    """Submit a proposal whose description is arbitrary bytes: a Solidity string need not be UTF-8."""
    action = reg.register_action(dao, "acme/raw", fake_cid("artifact"), fake_cid("manifest"), proposer.bob.address)
    shape = function_shape("ModelGovernor", "propose")
    data = shape.selector + encode(
        ["address[]", "uint256[]", "bytes[]", "bytes"], [[action.target], [0], [action.calldata], description]
    )
    send(dao.chain, proposer.alice, PreparedTx(dao.address("governor"), data, "a proposal with a raw description"))


def test_a_description_that_is_not_utf8_never_stops_the_list(anvil: Anvil, tmp_path: Path) -> None:
    """Proposal 2's description is not UTF-8: every proposal is still listed, and proposal 2 is shown with
    replacement characters, for the CLI as for the library."""
    people = people_from(anvil.dev_keys())
    chain = connect(anvil.url)
    record = tmp_path / "deployment.json"
    dao = deploy_recorded(chain, people, record)
    send(chain, people.alice, token.delegate(dao, people.alice.address))
    advance_time(chain, 1)
    first, _ = propose(dao, people.alice, [token.reward_action(dao, people.bob.address, 1)], "# A fine proposal")
    propose_raw_description(dao, people, b"# Bad \xff\xfe title\n\nbody \xc3")
    listed = gov.list_proposals(dao)
    assert [p.id for p in listed] == [first + 1, first]
    assert listed[0].title == "Bad \ufffd\ufffd title" and listed[0].state == ProposalState.PENDING
    proposal, _, _ = gov.get_proposal(dao, first + 1)
    assert proposal.body == "body \ufffd"

    base = ["--rpc-url", anvil.url, "--deployment", str(record)]
    result = CliRunner().invoke(main, [*base, "--json", "proposal", "list"])
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in json.loads(result.output)] == ["Bad \ufffd\ufffd title", "A fine proposal"]
    result = CliRunner().invoke(main, [*base, "proposal", "show", str(first + 1)])
    assert result.exit_code == 0, result.output
    assert "register acme/raw v1" in result.output
