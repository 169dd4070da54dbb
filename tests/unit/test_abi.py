"""Calls, results, calldata and logs encoded and decoded against the shipped ABIs (`deai_gov.contracts.abi`), checked
against
eth_abi and selectors and topics computed here from the written-out signatures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_abi import decode, encode
from eth_utils import event_signature_to_log_topic, function_signature_to_4byte_selector, to_checksum_address

from deai_gov.contracts.abi import (
    EventShape,
    decode_call,
    decode_log,
    decode_result,
    encode_call,
    encode_deployment,
    event_shape,
    function_shape,
    topic_of,
)
from deai_gov.contracts.artifacts import ARTIFACTS_FILE

ALICE = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"
BOB = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
CAROL = "0x1efF47bc3a10a45D4B230B5d10E37751FE6AA718"


def selector(signature: str) -> bytes:
    return function_signature_to_4byte_selector(signature)


def topic(signature: str) -> str:
    return "0x" + event_signature_to_log_topic(signature).hex()


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def shipped_bytecode(contract: str) -> bytes:
    """Creation code of `contract`, read from the artifacts file directly."""
    data = json.loads(ARTIFACTS_FILE.read_text(encoding="utf-8"))["contracts"][contract]
    return bytes.fromhex(data["bytecode"].removeprefix("0x"))


# ------------------------------------------------------------------ encode_call


@pytest.mark.parametrize(
    ("contract", "function", "signature", "types", "args"),
    [
        ("ModelToken", "transfer", "transfer(address,uint256)", ["address", "uint256"], (BOB, 7 * 10**18)),
        ("ModelToken", "balanceOf", "balanceOf(address)", ["address"], (ALICE,)),
        ("ModelToken", "symbol", "symbol()", [], ()),
        ("ModelGovernor", "state", "state(uint256)", ["uint256"], (42,)),
        ("ModelGovernor", "proposalSnapshot", "proposalSnapshot(uint256)", ["uint256"], (2**200 + 3,)),
        (
            "ModelGovernor",
            "castVoteWithReason",
            "castVoteWithReason(uint256,uint8,string)",
            ["uint256", "uint8", "string"],
            (9, 1, "benchmarks look right ✓"),
        ),
        (
            "ModelGovernor",
            "getProposalId",
            "getProposalId(address[],uint256[],bytes[],bytes32)",
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            ([ALICE, BOB], [0, 5], [b"\x01\x02", b""], b"\x33" * 32),
        ),
        (
            "ModelRegistry",
            "getVersion",
            "getVersion(bytes32,uint32)",
            ["bytes32", "uint32"],
            (b"\x11" * 32, 3),
        ),
    ],
)
def test_encode_call_matches_eth_abi(
    contract: str, function: str, signature: str, types: list[str], args: tuple[Any, ...]
) -> None:
    assert encode_call(contract, function, args) == selector(signature) + encode(types, list(args))


def test_overloaded_function_is_picked_by_arity() -> None:
    one = function_shape("ModelGovernor", "nonces", 1)
    two = function_shape("ModelGovernor", "nonces", 2)
    assert one.selector == selector("nonces(address)")
    assert two.selector == selector("nonces(address,uint192)")
    assert one.signature == "nonces(address)"
    assert two.signature == "nonces(address,uint192)"
    assert one.outputs == two.outputs == ("uint256",)
    assert encode_call("ModelGovernor", "nonces", (ALICE,)) == selector("nonces(address)") + encode(
        ["address"], [ALICE]
    )
    assert encode_call("ModelGovernor", "nonces", (ALICE, 5 << 64)) == selector("nonces(address,uint192)") + encode(
        ["address", "uint192"], [ALICE, 5 << 64]
    )


def test_overloaded_function_without_arity_is_refused() -> None:
    with pytest.raises(KeyError, match="overloaded"):
        function_shape("ModelGovernor", "nonces")


def test_unknown_function_or_arity_is_refused() -> None:
    with pytest.raises(KeyError):
        function_shape("ModelToken", "mint")
    with pytest.raises(KeyError):
        function_shape("ModelGovernor", "nonces", 3)
    with pytest.raises(KeyError):
        encode_call("ModelToken", "transfer", (BOB,))


def test_struct_output_is_spelled_out_as_a_tuple_type() -> None:
    shape = function_shape("ModelToken", "checkpoints")
    assert shape.selector == selector("checkpoints(address,uint32)")
    assert shape.outputs == ("(uint48,uint208)",)
    assert function_shape("ModelRegistry", "getModel").outputs == ("(bytes32,string,uint8,bool,uint32,uint32)",)


# ------------------------------------------------------------------ decode_result


def test_decode_uint() -> None:
    assert decode_result("ModelToken", "totalSupply", 0, word(2_000 * 10**18)) == 2_000 * 10**18
    assert decode_result("ModelGovernor", "nonces", 2, word(7)) == 7


def test_decode_uint_refuses_a_short_answer() -> None:
    with pytest.raises(ValueError, match="32-byte"):
        decode_result("ModelToken", "totalSupply", 0, b"\x01" * 31)


@pytest.mark.parametrize(("raw", "expected"), [(0, False), (1, True)])
def test_decode_bool(raw: int, expected: bool) -> None:
    found = decode_result("ModelToken", "transfer", 2, word(raw))
    assert found is expected


def test_decode_address_is_checksummed() -> None:
    answer = encode(["address"], [BOB.lower()])
    found = decode_result("ModelToken", "delegates", 1, answer)
    assert found == BOB
    assert found == to_checksum_address(BOB.lower())


def test_decode_string() -> None:
    assert decode_result("ModelToken", "symbol", 0, encode(["string"], ["MDL"])) == "MDL"


def test_decode_struct_is_a_tuple() -> None:
    answer = encode(["(uint48,uint208)"], [(1_700_000_000, 700 * 10**18)])
    assert decode_result("ModelToken", "checkpoints", 2, answer) == (1_700_000_000, 700 * 10**18)
    model = (b"\x11" * 32, "acme/vision", 1, True, 2, 3)
    answer = encode(["(bytes32,string,uint8,bool,uint32,uint32)"], [model])
    assert decode_result("ModelRegistry", "getModel", 1, answer) == model


def test_decode_several_outputs_checksums_a_top_level_address() -> None:
    values = (b"\x0f", "deai-gov Governor", "1", 31337, BOB.lower(), b"\x00" * 32, (1, 2))
    types = ["bytes1", "string", "string", "uint256", "address", "bytes32", "uint256[]"]
    found = decode_result("ModelGovernor", "eip712Domain", 0, encode(types, list(values)))
    assert found == (b"\x0f", "deai-gov Governor", "1", 31337, BOB, b"\x00" * 32, (1, 2))


def test_decode_several_uints() -> None:
    answer = encode(["uint256", "uint256", "uint256"], [3, 5, 8])
    assert decode_result("ModelGovernor", "proposalVotes", 1, answer) == (3, 5, 8)


# ------------------------------------------------------------------ decode_call


def test_decode_call_round_trips() -> None:
    data = encode_call("ModelToken", "transfer", (BOB.lower(), 12))
    assert decode_call("ModelToken", data) == ("transfer", {"to": BOB, "value": 12})


def test_decode_call_of_each_overload() -> None:
    assert decode_call("ModelGovernor", encode_call("ModelGovernor", "nonces", (ALICE,))) == (
        "nonces",
        {"owner": ALICE},
    )
    two = selector("nonces(address,uint192)") + encode(["address", "uint192"], [ALICE, 9])
    assert decode_call("ModelGovernor", two) == ("nonces", {"owner": ALICE, "key": 9})


def test_decode_call_checksums_address_arrays() -> None:
    args = ([ALICE.lower(), BOB.lower()], [0, 1], [b"\xaa", b""], b"\x01" * 32)
    data = selector("getProposalId(address[],uint256[],bytes[],bytes32)") + encode(
        ["address[]", "uint256[]", "bytes[]", "bytes32"], list(args)
    )
    name, decoded = decode_call("ModelGovernor", data)
    assert name == "getProposalId"
    assert decoded["targets"] == (ALICE, BOB)
    assert decoded["values"] == (0, 1)
    assert decoded["calldatas"] == (b"\xaa", b"")
    assert decoded["descriptionHash"] == b"\x01" * 32


def test_decode_call_refuses_an_unknown_selector() -> None:
    with pytest.raises(ValueError, match="matches no function"):
        decode_call("ModelToken", b"\xde\xad\xbe\xef" + word(1))
    # a function of another contract is unknown to this one
    with pytest.raises(ValueError, match="matches no function"):
        decode_call("ModelToken", encode_call("ModelGovernor", "state", (1,)))


def test_decode_call_refuses_truncated_data() -> None:
    data = encode_call("ModelToken", "transfer", (BOB, 12))
    with pytest.raises(ValueError, match="does not decode"):
        decode_call("ModelToken", data[:-1])
    with pytest.raises(ValueError):
        decode_call("ModelToken", data[:2])


# ------------------------------------------------------------------ events and logs


@pytest.mark.parametrize(
    ("contract", "event", "signature"),
    [
        ("ModelToken", "Transfer", "Transfer(address,address,uint256)"),
        ("ModelToken", "DelegateVotesChanged", "DelegateVotesChanged(address,uint256,uint256)"),
        (
            "ModelGovernor",
            "ProposalCreated",
            "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)",
        ),
        ("ModelRegistry", "VersionPublished", "VersionPublished(bytes32,uint32,address,uint32,bytes,bytes)"),
    ],
)
def test_event_topic(contract: str, event: str, signature: str) -> None:
    assert event_shape(contract, event).topic == topic(signature)


def test_decode_log_with_indexed_addresses() -> None:
    log = {
        "topics": [
            topic("Transfer(address,address,uint256)"),
            "0x" + encode(["address"], [ALICE]).hex(),
            "0x" + encode(["address"], [BOB]).hex(),
        ],
        "data": "0x" + encode(["uint256"], [5 * 10**18]).hex(),
    }
    assert decode_log(event_shape("ModelToken", "Transfer"), log) == {"from": ALICE, "to": BOB, "value": 5 * 10**18}


def test_decode_log_takes_bytes_as_web3_gives_them() -> None:
    log = {
        "topics": [
            bytes.fromhex(topic("DelegateVotesChanged(address,uint256,uint256)")[2:]),
            encode(["address"], [CAROL.lower()]),
        ],
        "data": encode(["uint256", "uint256"], [1, 2]),
    }
    found = decode_log(event_shape("ModelToken", "DelegateVotesChanged"), log)
    assert found == {"delegate": CAROL, "previousVotes": 1, "newVotes": 2}


def test_decode_log_with_indexed_static_values_and_plain_bytes() -> None:
    model_id = b"\x42" * 32
    log = {
        "topics": [
            topic("VersionPublished(bytes32,uint32,address,uint32,bytes,bytes)"),
            "0x" + model_id.hex(),
            "0x" + word(3).hex(),
            "0x" + encode(["address"], [BOB.lower()]).hex(),
        ],
        "data": "0x" + encode(["uint32", "bytes", "bytes"], [2, b"\x01" * 36, b"\x02" * 36]).hex(),
    }
    assert decode_log(event_shape("ModelRegistry", "VersionPublished"), log) == {
        "modelId": model_id,
        "version": 3,
        "contributor": BOB,
        "parent": 2,
        "artifactCid": b"\x01" * 36,
        "manifestCid": b"\x02" * 36,
    }


PROPOSAL_TYPES = ["uint256", "address", "address[]", "uint256[]", "string[]", "bytes[]", "uint256", "uint256", "string"]
PROPOSAL = [
    7,
    ALICE.lower(),
    [BOB.lower(), CAROL.lower()],
    [0, 10**18],
    ["", ""],
    [b"\xa9\x05\x9c\xbb", b""],
    1_000,
    4_600,
    "# Register acme/vision v1\n\nbody",
]


def proposal_log() -> dict[str, Any]:
    topic0 = topic("ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)")
    return {"topics": [topic0], "data": "0x" + encode(PROPOSAL_TYPES, PROPOSAL).hex()}


def test_decode_log_checksums_address_arrays() -> None:
    found = decode_log(event_shape("ModelGovernor", "ProposalCreated"), proposal_log())
    assert found == {
        "proposalId": 7,
        "proposer": ALICE,
        "targets": (BOB, CAROL),
        "values": (0, 10**18),
        "signatures": ("", ""),
        "calldatas": (b"\xa9\x05\x9c\xbb", b""),
        "voteStart": 1_000,
        "voteEnd": 4_600,
        "description": "# Register acme/vision v1\n\nbody",
    }


def test_decode_log_fields_skip_the_dynamic_arguments_left_out() -> None:
    shape = event_shape("ModelGovernor", "ProposalCreated")
    found = decode_log(shape, proposal_log(), fields={"proposalId", "proposer", "voteEnd", "description"})
    assert found == {"proposalId": 7, "proposer": ALICE, "voteEnd": 4_600, "description": PROPOSAL[8]}


def test_decode_log_fields_never_walk_a_dynamic_argument_left_out() -> None:
    """A `targets` array whose offset points past the data would fail to decode; left out, it is never read."""
    data = bytearray(encode(PROPOSAL_TYPES, PROPOSAL))
    data[2 * 32 : 3 * 32] = word(10**6)  # the offset word of `targets`
    log = {"topics": proposal_log()["topics"], "data": bytes(data)}
    shape = event_shape("ModelGovernor", "ProposalCreated")
    assert decode_log(shape, log, fields={"proposalId", "voteStart"}) == {"proposalId": 7, "voteStart": 1_000}
    with pytest.raises(Exception):  # noqa: B017 - eth_abi's own decoding error
        decode_log(shape, log)


def test_decode_log_leaves_an_indexed_dynamic_argument_as_its_topic() -> None:
    shape = EventShape("Named", topic("Named(string,uint256)"), (("name", "string"),), (("count", "uint256"),))
    hashed = "0x" + ("ab" * 32)
    found = decode_log(shape, {"topics": [shape.topic, hashed], "data": "0x" + word(4).hex()})
    assert found == {"name": hashed, "count": 4}


def test_decode_log_refuses_missing_topics() -> None:
    """A Transfer log without its two indexed addresses is not a Transfer log."""
    log = {"topics": [topic("Transfer(address,address,uint256)")], "data": "0x" + word(1).hex()}
    with pytest.raises(ValueError):
        decode_log(event_shape("ModelToken", "Transfer"), log)


# ------------------------------------------------------------------ topic_of, encode_deployment


def test_topic_of() -> None:
    assert topic_of("address", BOB) == "0x" + "00" * 12 + BOB[2:].lower()
    assert topic_of("uint256", 5) == "0x" + word(5).hex()
    assert topic_of("uint32", 2**32 - 1) == "0x" + word(2**32 - 1).hex()
    assert topic_of("bytes32", b"\x07" * 32) == "0x" + "07" * 32
    # what a log's topics hold decodes back to the value
    assert decode(["address"], bytes.fromhex(topic_of("address", BOB)[2:])) == (BOB.lower(),)


def test_encode_deployment_appends_the_constructor_arguments() -> None:
    args = ("Test Token", "TT", [ALICE, BOB], [10**18, 2 * 10**18], CAROL)
    expected = shipped_bytecode("ModelToken") + encode(
        ["string", "string", "address[]", "uint256[]", "address"], list(args)
    )
    assert encode_deployment("ModelToken", args) == expected


def test_encode_deployment_of_the_timelock() -> None:
    args = (300, [ALICE], [CAROL], BOB)
    expected = shipped_bytecode("TimelockController") + encode(
        ["uint256", "address[]", "address[]", "address"], list(args)
    )
    assert encode_deployment("TimelockController", args) == expected


def test_encode_deployment_refuses_missing_arguments() -> None:
    with pytest.raises(Exception):  # noqa: B017 - eth_abi's own encoding error
        encode_deployment("ModelToken", ("Test Token", "TT"))


def test_addresses_inside_a_struct_are_checksummed() -> None:
    """getVersion returns a struct whose contributor is an address: it comes back in its EIP-55 form."""
    version = (2, 1, b"\x01" * 36, b"\x02" * 36, BOB.lower(), 1_700_000_000, 1)
    answer = encode(["(uint32,uint8,bytes,bytes,address,uint40,uint32)"], [version])
    found = decode_result("ModelRegistry", "getVersion", 2, answer)
    assert found[4] == BOB and found[:4] == version[:4] and found[5:] == version[5:]
