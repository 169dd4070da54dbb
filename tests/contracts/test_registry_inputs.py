"""ModelRegistry input validation: model names, binary CIDs and contributors, as tables.

One registry per module (owned by accounts[0], `acme/vision` registered) and no per-test snapshot: rejected
calls change nothing, and accepted names are all different.
"""

from __future__ import annotations

from typing import Any

import brownie
import pytest
from contract_helpers import DAG_PB, cid, model_id, plain, typed_error

from deai_gov.errors import InputError
from deai_gov.names import validate_model_name

NAME = "acme/vision"
FRESH = "acme/fresh"  # never registered


@pytest.fixture(scope="module")
def registry(module_isolation: Any, ModelRegistry: Any, accounts: Any) -> Any:
    registry = ModelRegistry.deploy(accounts[0], accounts[1], {"from": accounts[0]})
    registry.register(NAME, cid("v1"), cid("v1-manifest", DAG_PB), accounts[3], {"from": accounts[0]})
    return registry


@pytest.fixture(scope="module")
def owner(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="module")
def contributor(accounts: Any) -> Any:
    return accounts[3]


# ------------------------------------------------------------------------------------------------ names

INVALID_NAMES = [
    pytest.param("Acme/vision", id="uppercase"),
    pytest.param("acme/Vision", id="uppercase-second-part"),
    pytest.param("acmevision", id="no-slash"),
    pytest.param("acme/vision/v2", id="two-slashes"),
    pytest.param("/vision", id="empty-org"),
    pytest.param("acme/", id="empty-name"),
    pytest.param("/", id="only-slash"),
    pytest.param("", id="empty"),
    pytest.param("-acme/vision", id="leading-dash"),
    pytest.param("acme/-vision", id="leading-dash-second-part"),
    pytest.param("acme/.vision", id="leading-dot"),
    pytest.param("acme/_vision", id="leading-underscore"),
    pytest.param("acme/vi sion", id="space"),
    pytest.param("a" * 32 + "/" + "b" * 32, id="65-bytes"),
    pytest.param("acmé/vision", id="unicode"),
    pytest.param("acme/visión", id="unicode-second-part"),
]

VALID_NAMES = [
    pytest.param("a/b", id="shortest"),
    pytest.param("acme-ai/vision_v2.1", id="all-characters"),
    pytest.param("0rg/9", id="digits"),
    pytest.param("a" * 31 + "/" + "b" * 32, id="64-bytes"),
]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_name_reverts(registry: Any, owner: Any, contributor: Any, name: str) -> None:
    with brownie.reverts(typed_error("ModelRegistryInvalidName", name)):
        registry.register(name, cid("a"), cid("m"), contributor, {"from": owner})
    with pytest.raises(InputError):  # the library refuses the same names before sending anything
        validate_model_name(name)


@pytest.mark.parametrize("name", VALID_NAMES)
def test_valid_name_registers(registry: Any, owner: Any, contributor: Any, name: str) -> None:
    assert validate_model_name(name) == name
    tx = registry.register(name, cid("a"), cid("m"), contributor, {"from": owner})
    assert tx.return_value == model_id(name)
    assert registry.getModel(model_id(name))[1] == name


# ------------------------------------------------------------------------------------------------ CIDs

DIGEST = bytes(range(32))
INVALID_CIDS = [
    pytest.param(b"", id="empty"),
    pytest.param(cid("x")[:35], id="35-bytes"),
    pytest.param(cid("x") + b"\x00", id="37-bytes"),
    pytest.param(b"\x12\x20" + DIGEST, id="cidv0-bytes"),
    pytest.param(b"\x00\x55\x12\x20" + DIGEST, id="version-0"),
    pytest.param(b"\x02\x55\x12\x20" + DIGEST, id="version-2"),
    pytest.param(b"\x01\x55\x1b\x20" + DIGEST, id="keccak-256-multihash"),
    pytest.param(b"\x01\x55\x13\x20" + DIGEST, id="sha2-512-code"),
    pytest.param(b"\x01\x55\x12\x1f" + DIGEST, id="wrong-digest-length"),
    pytest.param(b"\x01\xa9\x02\x12\x20" + DIGEST, id="2-byte-codec"),
    pytest.param(b"\x01\x81\x01\x12\x20" + DIGEST[:31], id="2-byte-codec-36-bytes"),
    # one-byte codecs that name no content a client can fetch and verify (C4): only raw and dag-pb pass
    pytest.param(b"\x01\x00\x12\x20" + DIGEST, id="identity-codec"),
    pytest.param(b"\x01\x12\x12\x20" + DIGEST, id="sha2-256-as-codec"),
    pytest.param(b"\x01\x01\x12\x20" + DIGEST, id="cidv1-as-codec"),
    pytest.param(b"\x01\x71\x12\x20" + DIGEST, id="dag-cbor-codec"),
]


@pytest.mark.parametrize("which", ["artifact", "manifest"])
@pytest.mark.parametrize("bad", INVALID_CIDS)
def test_invalid_cid_reverts(registry: Any, owner: Any, contributor: Any, bad: bytes, which: str) -> None:
    good = cid("good")
    artifact, manifest = (bad, good) if which == "artifact" else (good, bad)
    with brownie.reverts(typed_error("ModelRegistryInvalidCid", bad)):
        registry.register(FRESH, artifact, manifest, contributor, {"from": owner})
    with brownie.reverts(typed_error("ModelRegistryInvalidCid", bad)):
        registry.upgrade(model_id(NAME), artifact, manifest, contributor, {"from": owner})


# ------------------------------------------------------------------------------------------------ contributor


def test_zero_contributor_reverts(registry: Any, owner: Any) -> None:
    with brownie.reverts(typed_error("ModelRegistryInvalidContributor")):
        registry.register(FRESH, cid("a"), cid("m"), brownie.ZERO_ADDRESS, {"from": owner})
    with brownie.reverts(typed_error("ModelRegistryInvalidContributor")):
        registry.upgrade(model_id(NAME), cid("a"), cid("m"), brownie.ZERO_ADDRESS, {"from": owner})


def test_rejected_calls_changed_nothing(registry: Any) -> None:
    assert plain(registry.getModel(model_id(NAME))[2:]) == (1, False, 1, 1)
    with brownie.reverts(typed_error("ModelRegistryUnknownModel", model_id(FRESH))):
        registry.getModel(model_id(FRESH))
