"""Safe{Wallet} Transaction Builder batch files: the checksum is the app's, on the app's own test vector
(safe-react-apps `apps/tx-builder/src/lib/checksum.test.js`), and a file deai-gov writes validates as the app
validates it."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from deai_gov.chain.client import PreparedTx
from deai_gov.errors import InputError
from deai_gov.safe.txbuilder import batch_calls, batch_file, check_batch_file, checksum

OWNER = "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6"
#: The app's test vector, as its test writes it (a `checksum` of '' in meta, as addChecksum gets it).
VECTOR: dict[str, Any] = {
    "version": "1.0",
    "chainId": "4",
    "createdAt": 1646321521061,
    "meta": {
        "name": "test batch file",
        "txBuilderVersion": "1.4.0",
        "checksum": "",
        "createdFromSafeAddress": "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
        "createdFromOwnerAddress": OWNER,
    },
    "transactions": [
        {
            "to": OWNER,
            "value": "0",
            "contractMethod": {
                "inputs": [{"internalType": "address", "name": "paramAddress", "type": "address"}],
                "name": "testAddress",
                "payable": False,
            },
            "contractInputsValues": {"paramAddress": OWNER},
        },
        {
            "to": OWNER,
            "value": "0",
            "contractMethod": {
                "inputs": [{"internalType": "bool", "name": "paramBool", "type": "bool"}],
                "name": "testBool",
                "payable": False,
            },
            "contractInputsValues": {"paramAddress": "", "paramBool": "false"},
        },
        {
            "to": OWNER,
            "value": "2000000000000000000",
            "data": "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6",
        },
    ],
}
EXPECTED = "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c"


def test_the_checksum_is_the_apps_on_its_own_vector_whatever_the_key_order() -> None:
    assert checksum(VECTOR) == EXPECTED
    reordered = {key: VECTOR[key] for key in reversed(list(VECTOR))}
    reordered["meta"] = {key: VECTOR["meta"][key] for key in reversed(list(VECTOR["meta"]))}
    assert checksum(reordered) == EXPECTED
    assert checksum(VECTOR | {"meta": VECTOR["meta"] | {"name": "another name"}}) == EXPECTED  # the name is not in it
    swapped = copy.deepcopy(VECTOR)
    swapped["transactions"].reverse()
    assert checksum(swapped) != EXPECTED


def test_a_batch_file_deai_gov_writes_validates_and_a_changed_one_does_not() -> None:
    call = PreparedTx("0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa", bytes.fromhex("42f45790"), "a call", 5)
    batch = batch_file(31337, "0xdf8a1ce35c9a6ace153b4e0767942f1e2291a1aa", [call], name="Suspend acme/x",
                       owner=OWNER, created_at=1)  # fmt: skip
    assert batch["transactions"] == [
        {"to": "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa", "value": "5", "data": "0x42f45790"}
    ]
    assert batch["chainId"] == "31337" and batch["meta"]["createdFromSafeAddress"].startswith("0xDF8a")
    check_batch_file(batch)
    changed = copy.deepcopy(batch)
    changed["transactions"][0]["value"] = "6"
    with pytest.raises(InputError, match="changed after it was made"):
        check_batch_file(changed)
    with pytest.raises(InputError, match="not a Transaction Builder batch file"):
        check_batch_file({"version": "2.0"})


def test_the_apps_own_file_is_read_call_by_call_its_methods_encoded_and_a_bad_call_is_one_line() -> None:
    from eth_abi import encode
    from eth_utils import keccak

    safe = VECTOR["meta"]["createdFromSafeAddress"]
    calls = batch_calls(VECTOR, chain_id=4, safe=safe)
    assert [(c.to, c.value) for c in calls] == [(OWNER, 0), (OWNER, 0), (OWNER, 2 * 10**18)]
    assert calls[0].data == keccak(text="testAddress(address)")[:4] + encode(["address"], [OWNER])
    assert calls[1].data == keccak(text="testBool(bool)")[:4] + encode(["bool"], [False])
    assert calls[2].data == bytes.fromhex(str(VECTOR["transactions"][2]["data"])[2:])

    with pytest.raises(InputError, match="is for chain '4', this is chain 1"):
        batch_calls(VECTOR, chain_id=1, safe=safe)
    with pytest.raises(InputError, match="was made for the Safe"):
        batch_calls(VECTOR, chain_id=4, safe=OWNER)
    for change, said in (
        ({"to": "nowhere"}, "target"),
        ({"value": "-1"}, "not a whole number of wei"),
        ({"data": "0xZZ"}, "not 0x-prefixed hexadecimal"),
        ({"contractInputsValues": {"paramAddress": "0x12"}}, "'0x12' is not a address"),
        ({"contractInputsValues": {}}, "gives no value for its input 'paramAddress'"),
        ({"contractMethod": {"name": "f", "inputs": [{"name": "t", "type": "(uint256,bool)"}]}}, "type '(uint256"),
        ({"contractMethod": {"name": "f", "inputs": [{"name": "a", "type": "uint8[]"}]}}, "type 'uint8[]'"),
    ):
        hostile = copy.deepcopy(VECTOR)
        hostile["transactions"][0] |= change
        with pytest.raises(InputError, match=re.escape(said)):
            batch_calls(hostile, chain_id=4, safe=safe)
