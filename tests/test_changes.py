"""The DAO changing itself (`deai_gov.dao.changes`): treasury transfers, settings, guardians and arbitrary calls, each
proposed, voted, queued and executed on a real chain, then read back from the contracts; and the values the
contracts would refuse, refused before anything is sent."""

from __future__ import annotations

import pytest

from deai_gov.dao import changes
from deai_gov.dao.deploy import ZERO_ADDRESS
from deai_gov.dao.deployed import Dao
from deai_gov.errors import InputError
from deai_gov.units import parse_amount

from .helpers import People, pass_proposal


def test_a_treasury_transfer_moves_exactly_its_amount(dao: Dao, people: People) -> None:
    before = dao.read_many(
        [
            dao.call("token", "balanceOf", dao.address("timelock")),
            dao.call("token", "balanceOf", people.outsider.address),
        ]
    )
    amount = parse_amount("250")
    pass_proposal(dao, people, [changes.transfer_action(dao, people.outsider.address, amount)], "Grant 250 MDL")
    after = dao.read_many(
        [
            dao.call("token", "balanceOf", dao.address("timelock")),
            dao.call("token", "balanceOf", people.outsider.address),
        ]
    )
    assert (before[0] - after[0], after[1] - before[1]) == (amount, amount)


def test_settings_change_to_the_values_written(dao: Dao, people: People) -> None:
    written = {
        "voting-delay": "2h",
        "voting-period": "3d",
        "threshold": "150",
        "quorum": "7%",
        "late-quorum": "30m",
        "timelock-delay": "1d",
    }
    actions = [changes.setting_action(dao, name, value) for name, value in written.items()]
    pass_proposal(dao, people, actions, "New rules")
    read = dao.read_many(
        [
            dao.call("governor", "votingDelay"),
            dao.call("governor", "votingPeriod"),
            dao.call("governor", "proposalThreshold"),
            dao.call("governor", "quorumNumerator"),
            dao.call("governor", "lateQuorumVoteExtension"),
            dao.call("timelock", "getMinDelay"),
        ]
    )
    assert read == [7_200, 259_200, 150 * 10**18, 7, 1_800, 86_400]


def test_guardians_are_replaced_and_removed(dao: Dao, people: People) -> None:
    pass_proposal(dao, people, changes.guardian_actions(dao, people.carol.address), "Carol guards")
    assert [dao.read("governor", "proposalGuardian"), dao.read("registry", "guardian")] == [people.carol.address] * 2
    pass_proposal(dao, people, changes.guardian_actions(dao, None, governor=False), "No registry guardian")
    assert [dao.read("governor", "proposalGuardian"), dao.read("registry", "guardian")] == [
        people.carol.address,
        ZERO_ADDRESS,
    ]


def test_any_call_by_signature_or_by_calldata(dao: Dao, people: People) -> None:
    """The timelock approves an allowance through a call spelled by its signature, and pays through raw
    calldata: both land as written."""
    approve = changes.call_action(dao, dao.address("token"), "approve(address,uint256)", [people.bob.address, "1_000"])
    transfer = dao.action("token", "transfer", people.carol.address, 5)
    raw = changes.calldata_action(dao.address("token"), "0x" + transfer.calldata.hex())
    assert raw.calldata == transfer.calldata
    pass_proposal(dao, people, [approve, raw], "Allowance and a payment")
    assert dao.read("token", "allowance", dao.address("timelock"), people.bob.address) == 1_000


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda dao: changes.setting_action(dao, "voting-period", "0"), "out of range"),
        (lambda dao: changes.setting_action(dao, "quorum", "101%"), "out of range"),
        (lambda dao: changes.setting_action(dao, "quorum", "5.5%"), "not a whole percent"),
        (lambda dao: changes.setting_action(dao, "voting-delay", "soon"), "is not a duration"),
        (lambda dao: changes.setting_action(dao, "votes", "1"), "unknown setting 'votes'"),
        (lambda dao: changes.transfer_action(dao, "0x" + "11" * 20, 0), "positive amount"),
        (lambda dao: changes.guardian_actions(dao, None, governor=False, registry=False), "choose the governor"),
        (lambda dao: changes.call_action(dao, ZERO_ADDRESS, "f(uint8)", ["256"]), "out of range for uint8"),
        (lambda dao: changes.call_action(dao, ZERO_ADDRESS, "f(uint256[])", ["1"]), "not supported here"),
        (lambda dao: changes.call_action(dao, ZERO_ADDRESS, "f(address)", []), "takes 1 argument"),
        (lambda dao: changes.call_action(dao, ZERO_ADDRESS, "not a signature", []), "not a function signature"),
        (lambda dao: changes.call_action(dao, ZERO_ADDRESS, "f(bytes4)", ["0x01"]), "1 bytes given, 4 expected"),
        (lambda dao: changes.calldata_action(ZERO_ADDRESS, "0xzz"), "not hex calldata"),
    ],
)
def test_values_the_contracts_would_refuse_are_refused_first(dao: Dao, build: object, words: str) -> None:
    with pytest.raises(InputError, match=words):
        build(dao)  # type: ignore[operator]
