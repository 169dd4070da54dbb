"""Revert data decoded and explained in words (`deai_gov.contracts.reverts`), from payloads built here with eth_abi."""

from __future__ import annotations

import os
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from deai_gov.cli.errors import exit_code_for
from deai_gov.contracts.reverts import decode_revert, explain_revert, revert_data_of, revert_error
from deai_gov.contracts.states import OperationState, ProposalState
from deai_gov.errors import TransactionError


def payload(signature: str, *args: Any) -> bytes:
    """Revert data of custom error `signature` (e.g. `Error(string)`) with `args`, as a contract returns it."""
    types = signature[signature.index("(") + 1 : -1]
    return function_signature_to_4byte_selector(signature) + encode([t for t in types.split(",") if t], list(args))


def bitmap(*states: int) -> bytes:
    """An OpenZeppelin state bitmap (bit i set for state i), as the bytes32 the contracts return."""
    return sum(1 << s for s in states).to_bytes(32, "big")


MODEL_ID = bytes.fromhex("11" * 32)


def test_error_string() -> None:
    data = payload("Error(string)", "Governor: vote not currently active ✓")
    assert decode_revert(data) == ("Error", {"message": "Governor: vote not currently active ✓"})
    assert explain_revert("0x" + data.hex()) == "reverted: Governor: vote not currently active ✓"


def test_panic_overflow() -> None:
    data = payload("Panic(uint256)", 0x11)
    assert decode_revert(data) == ("Panic", {"code": 17})
    assert explain_revert(data) == "the contract hit an arithmetic overflow or underflow"


def test_panic_with_an_unlisted_code_shows_the_code() -> None:
    assert explain_revert(payload("Panic(uint256)", 0x99)) == "the contract hit panic code 0x99"


def test_unexpected_proposal_state_lists_the_expected_states() -> None:
    data = payload(
        "GovernorUnexpectedProposalState(uint256,uint8,bytes32)",
        12,
        ProposalState.ACTIVE,
        bitmap(ProposalState.PENDING),
    )
    name, args = decode_revert(data) or ("", {})
    assert name == "GovernorUnexpectedProposalState"
    assert args == {"proposalId": 12, "current": 1, "expectedStates": bitmap(0)}
    assert explain_revert(data) == "proposal 12 is active; this needs a proposal that is pending"


def test_unexpected_proposal_state_with_three_expected_states() -> None:
    expected = bitmap(ProposalState.PENDING, ProposalState.ACTIVE, ProposalState.SUCCEEDED)
    data = payload("GovernorUnexpectedProposalState(uint256,uint8,bytes32)", 5, ProposalState.EXECUTED, expected)
    assert (
        explain_revert(data)
        == "proposal 5 was executed; this needs a proposal that is pending or is active or has succeeded"
    )


def test_unexpected_proposal_state_with_no_expected_state_means_it_exists() -> None:
    """OZ's propose reverts with an empty bitmap when the same proposal was submitted before."""
    data = payload("GovernorUnexpectedProposalState(uint256,uint8,bytes32)", 9, ProposalState.PENDING, bytes(32))
    assert explain_revert(data) == "proposal 9 already exists (it is pending)"


def test_timelock_operation_state() -> None:
    operation = os.urandom(32)
    data = payload("TimelockUnexpectedOperationState(bytes32,bytes32)", operation, bitmap(OperationState.READY))
    assert decode_revert(data) == (
        "TimelockUnexpectedOperationState",
        {"operationId": operation, "expectedStates": bitmap(2)},
    )
    assert explain_revert(data) == "the timelock operation is not ready yet (has the timelock delay passed?)"
    both = payload(
        "TimelockUnexpectedOperationState(bytes32,bytes32)",
        operation,
        bitmap(OperationState.WAITING, OperationState.READY),
    )
    assert "is not waiting or ready yet" in explain_revert(both)


@pytest.mark.parametrize(
    ("error", "words"),
    [("ModelRegistryAlreadySuspended", "already suspended"), ("ModelRegistryNotSuspended", "not suspended")],
)
def test_registry_suspension_errors(error: str, words: str) -> None:
    data = payload(f"{error}(bytes32)", MODEL_ID)
    assert decode_revert(data) == (error, {"modelId": MODEL_ID})
    assert explain_revert(data) == f"the model is {words}"


def test_guardian_refused_cancel_is_explained() -> None:
    data = payload("ModelGovernorGuardianChangeNotCancelable(uint256)", 7)
    assert decode_revert(data) == ("ModelGovernorGuardianChangeNotCancelable", {"proposalId": 7})
    assert "may not cancel proposal 7" in explain_revert(data)
    assert "cannot veto its own replacement" in explain_revert(data)


def test_registry_unknown_model_shows_the_id_in_hex() -> None:
    data = payload("ModelRegistryUnknownModel(bytes32)", MODEL_ID)
    assert explain_revert(data) == "no model with id 0x" + "11" * 32 + " is registered"


def test_addresses_are_decoded_checksummed() -> None:
    voter = "0x" + os.urandom(20).hex()
    name, args = decode_revert(payload("GovernorAlreadyCastVote(address)", voter)) or ("", {})
    assert (name, args) == ("GovernorAlreadyCastVote", {"voter": to_checksum_address(voter)})


def test_revert_error_carries_the_decoded_error() -> None:
    data = payload("GovernorNonexistentProposal(uint256)", 77)
    exc = revert_error(data)
    assert isinstance(exc, TransactionError)
    assert str(exc) == "proposal 77 does not exist" == explain_revert(data)
    assert (exc.error_name, exc.error_args) == ("GovernorNonexistentProposal", {"proposalId": 77})
    assert exit_code_for(exc) == 5


def test_an_unknown_selector() -> None:
    data = function_signature_to_4byte_selector("SomethingNobodyDeclared(uint256)") + encode(["uint256"], [1])
    assert decode_revert(data) is None
    message = explain_revert(data)
    assert message.startswith("the transaction reverted with unknown error data 0x" + data[:4].hex())
    exc = revert_error(data)
    assert (exc.error_name, exc.error_args, str(exc)) == (None, {}, message)


def test_long_unknown_data_is_cut_in_the_message() -> None:
    """The raw data shown is at most '0x' and 36 bytes, so a huge payload does not flood the message."""
    data = bytes.fromhex("deadbeef") + bytes(range(200))
    message = explain_revert(data)
    shown = message.rsplit(" ", 1)[-1]
    assert ("0x" + data.hex()).startswith(shown) and len(shown) == 74


@pytest.mark.parametrize(
    "data",
    [
        payload("Error(string)", "a message long enough to span words")[:40],  # cut inside the string
        function_signature_to_4byte_selector("Error(string)"),  # selector alone
        payload("GovernorNonexistentProposal(uint256)", 1)[:20],
        payload("Panic(uint256)", 0x11)[:-1],
        bytes.fromhex("08c379"),  # shorter than a selector
    ],
    ids=["cut-string", "selector-only", "cut-uint", "one-byte-short", "three-bytes"],
)
def test_truncated_data_is_unknown(data: bytes) -> None:
    assert decode_revert(data) is None
    assert decode_revert("0x" + data.hex()) is None
    assert explain_revert(data) == "the transaction reverted with unknown error data " + ("0x" + data.hex())[:74]
    assert revert_error(data).error_name is None


@pytest.mark.parametrize("text", ["0xzz", "not hex at all", "0x08c379a0f", "0x 08c379a0"])
def test_text_that_is_not_hex_is_unknown(text: str) -> None:
    assert decode_revert(text) is None
    assert explain_revert(text) == f"the transaction reverted with unknown error data {text}"


def test_hex_text_without_0x_is_read() -> None:
    data = payload("Panic(uint256)", 0x12)
    assert decode_revert(data.hex()) == ("Panic", {"code": 0x12})


@pytest.mark.parametrize("data", [None, "0x", "", b""])
def test_no_data_means_no_reason(data: bytes | str | None) -> None:
    assert decode_revert(data) is None
    assert explain_revert(data) == "the transaction reverted without a reason"
    exc = revert_error(data)
    assert str(exc) == "the transaction reverted without a reason" and exc.error_name is None


@pytest.mark.parametrize("current", [8, 9, 255])
def test_a_proposal_state_out_of_range_is_still_explained(current: int) -> None:
    """Revert data can come from any contract: a state no governor has is shown as a number, not a crash."""
    data = payload("GovernorUnexpectedProposalState(uint256,uint8,bytes32)", 4, current, bitmap(1))
    assert explain_revert(data) == f"proposal 4 is in state {current}; this needs a proposal that is active"
    data = payload("GovernorUnexpectedProposalState(uint256,uint8,bytes32)", 4, current, bytes(32))
    assert explain_revert(data) == f"proposal 4 already exists (it is in state {current})"


def test_a_revert_string_that_is_not_utf8_is_shown_with_replacement_characters() -> None:
    """`Error(string)` carries bytes the contract chose: they are shown, never a decoding failure."""
    data = function_signature_to_4byte_selector("Error(string)") + encode(["bytes"], [b"bad \xff byte"])
    assert explain_revert(data) == "reverted: bad \ufffd byte"


def test_a_vote_for_other_content_is_explained() -> None:
    content = bytes(range(32))
    data = payload("ModelGovernorVoteForOtherContent(uint256,bytes32)", 3, content)
    assert decode_revert(data) == ("ModelGovernorVoteForOtherContent", {"proposalId": 3, "contentHash": content})
    words = explain_revert(data)
    assert "other content than proposal 3 now holds (0x000102" in words and "nothing was counted" in words


def test_a_voting_period_below_the_extension_is_explained_in_durations() -> None:
    data = payload("ModelGovernorVotingPeriodBelowExtension(uint256,uint256)", 3600, 86400)
    assert explain_revert(data) == (
        "a voting period of 1 hour is shorter than the late-quorum extension (1 day); shorten the extension first"
    )


@pytest.mark.parametrize(
    "raised",
    [
        # web3 with no error-formatting middleware (brownie's) raises the node's JSON-RPC error object as it came
        lambda data: ValueError({"code": 3, "message": "execution reverted: custom error 0x71c6af49", "data": data}),
        lambda data: ValueError({"code": 3, "message": "execution reverted", "data": {"data": data}}),
    ],
)
def test_the_payload_is_found_in_a_json_rpc_error_object(raised: Any) -> None:
    data = "0x" + payload("GovernorAlreadyCastVote(address)", "0x" + "ab" * 20).hex()
    assert revert_data_of(raised(data)) == data
    assert revert_error(revert_data_of(raised(data)) or "").args[0].endswith("has already voted on this proposal")


def _sample(kind: str) -> Any:
    """A plausible value of an ABI type, for any error's arguments."""
    if kind.endswith("]"):
        return []
    if kind == "address":
        return "0x" + "11" * 20
    if kind == "bool":
        return True
    if kind == "string":
        return "text"
    if kind.startswith("bytes"):
        return bytes(int(kind[5:]) if kind[5:] else 3)
    return 7  # uint / int of any size


def test_every_custom_error_of_the_shipped_contracts_is_explained_from_its_own_arguments() -> None:
    """Each error the contracts (and EAS) can revert with decodes and reads as words, its arguments passed by the
    ABI's own names: an explanation whose parameters drift from the ABI fails here, not in front of a voter."""
    from deai_gov.contracts.abi import abi_type
    from deai_gov.contracts.artifacts import all_abis

    seen = 0
    for abi in all_abis():
        for entry in abi:
            if entry.get("type") != "error":
                continue
            types = [abi_type(i) for i in entry["inputs"]]
            data = payload(f"{entry['name']}({','.join(types)})", *[_sample(t) for t in types])
            words = explain_revert(data)
            assert words and "\n" not in words, entry["name"]
            seen += 1
    assert seen > 40
