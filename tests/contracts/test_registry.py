"""ModelRegistry semantics, on a registry owned directly by a test account (accounts[0], guardian accounts[1]).

Versions: 1, 2, 3... never reused; the current one is Current, earlier ones Superseded, the ones rolled back
from RolledBack (never a rollback target again). Retired is terminal. The guardian may only suspend/unsuspend.
"""

from __future__ import annotations

from typing import Any

import brownie
import pytest
from contract_helpers import DAG_PB, RAW, cid, hx, model_id, plain, typed_error
from eth_utils import keccak

from deai_gov.ipfs.blockcid import to_registry_bytes, to_text

NAME = "acme/vision"
MODEL_ID = model_id(NAME)

# ModelStatus and VersionStatus
NONE, ACTIVE, RETIRED = 0, 1, 2
CURRENT, SUPERSEDED, ROLLED_BACK = 1, 2, 3

MAX_UINT256 = 2**256 - 1


@pytest.fixture(autouse=True)
def isolation(fn_isolation: Any) -> None:
    """Each test starts from the same chain state."""


@pytest.fixture
def owner(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture
def guardian(accounts: Any) -> Any:
    return accounts[1]


@pytest.fixture
def outsider(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture
def contributor(accounts: Any) -> Any:
    return accounts[3]


def register(registry: Any, owner: Any, contributor: Any, name: str = NAME, seed: str = "v1") -> Any:
    return registry.register(name, cid(seed), cid(seed + "-manifest", DAG_PB), contributor, {"from": owner})


def upgrade(registry: Any, owner: Any, contributor: Any, seed: str) -> Any:
    return registry.upgrade(MODEL_ID, cid(seed), cid(seed + "-manifest", DAG_PB), contributor, {"from": owner})


def statuses(registry: Any) -> list[int]:
    """Status of every version of `acme/vision`, in order."""
    return [v[1] for v in registry.getVersions(MODEL_ID, 0, MAX_UINT256)]


# ------------------------------------------------------------------------------------------------ deployment


def test_constructor_sets_owner_and_guardian(registry: Any, owner: Any, guardian: Any) -> None:
    assert registry.owner() == owner.address
    assert registry.guardian() == guardian.address
    assert plain(registry.tx.events["GuardianChanged"][0]) == {
        "previousGuardian": brownie.ZERO_ADDRESS,
        "newGuardian": guardian.address,
    }
    assert registry.modelCount() == 0


# ------------------------------------------------------------------------------------------------ register


def test_register_creates_version_1_current(registry: Any, owner: Any, contributor: Any) -> None:
    tx = register(registry, owner, contributor)

    assert tx.return_value == MODEL_ID
    assert registry.modelId(NAME) == MODEL_ID
    assert list(tx.events.keys()) == ["ModelRegistered", "VersionPublished", "CurrentVersionChanged"]
    assert plain(tx.events["ModelRegistered"]) == {"modelId": MODEL_ID, "name": NAME}
    assert plain(tx.events["VersionPublished"]) == {
        "modelId": MODEL_ID,
        "version": 1,
        "contributor": contributor.address,
        "parent": 0,
        "artifactCid": hx(cid("v1")),
        "manifestCid": hx(cid("v1-manifest", DAG_PB)),
    }
    assert plain(tx.events["CurrentVersionChanged"]) == {"modelId": MODEL_ID, "previous": 0, "current": 1}

    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, ACTIVE, False, 1, 1)
    expected = (1, CURRENT, hx(cid("v1")), hx(cid("v1-manifest", DAG_PB)), contributor.address, tx.timestamp, 0)
    assert plain(registry.getVersion(MODEL_ID, 1)) == expected
    assert plain(registry.getCurrentVersion(MODEL_ID)) == expected
    assert registry.modelCount() == 1


def test_register_twice_reverts(registry: Any, owner: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    with brownie.reverts(typed_error("ModelRegistryModelExists", MODEL_ID)):
        register(registry, owner, contributor, seed="other")


# ------------------------------------------------------------------------------------------------ CIDs


def test_cids_round_trip_byte_exact(registry: Any, owner: Any, contributor: Any) -> None:
    # CIDv0 text of `printf 'hello world\n'` (dag-pb), stored as its CIDv1 equivalent.
    text_cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    pairs = [
        (cid("a", RAW), cid("b", DAG_PB)),
        (cid("c", DAG_PB), cid("d", RAW)),
        (to_registry_bytes(text_cid), bytes([0x01, RAW, 0x12, 0x20]) + b"\xff" * 32),
    ]
    assert to_registry_bytes(text_cid)[:4] == bytes([0x01, DAG_PB, 0x12, 0x20])
    txs = [registry.register(NAME, *pairs[0], contributor, {"from": owner})]
    txs += [registry.upgrade(MODEL_ID, *pair, contributor, {"from": owner}) for pair in pairs[1:]]

    for number, ((artifact, manifest), tx) in enumerate(zip(pairs, txs, strict=True), start=1):
        version = registry.getVersion(MODEL_ID, number)
        event = tx.events["VersionPublished"]
        assert (bytes(version[2]), bytes(version[3])) == (artifact, manifest)
        assert (bytes(event["artifactCid"]), bytes(event["manifestCid"])) == (artifact, manifest)
    stored = bytes(registry.getVersion(MODEL_ID, 3)[2])
    assert to_text(stored).startswith("bafybei")  # base32 CIDv1, dag-pb, sha2-256
    assert to_registry_bytes(to_text(stored)) == to_registry_bytes(text_cid)


# ------------------------------------------------------------------------------------------------ upgrade


def test_upgrade_supersedes_current(registry: Any, owner: Any, contributor: Any, accounts: Any) -> None:
    register(registry, owner, contributor)
    tx = upgrade(registry, owner, accounts[4], "v2")

    assert tx.return_value == 2
    assert list(tx.events.keys()) == ["VersionPublished", "CurrentVersionChanged"]
    assert tx.events["VersionPublished"]["version"] == 2
    assert tx.events["VersionPublished"]["parent"] == 1
    assert tx.events["VersionPublished"]["contributor"] == accounts[4].address
    assert plain(tx.events["CurrentVersionChanged"]) == {"modelId": MODEL_ID, "previous": 1, "current": 2}
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, ACTIVE, False, 2, 2)
    assert statuses(registry) == [SUPERSEDED, CURRENT]
    current = (2, CURRENT, hx(cid("v2")), hx(cid("v2-manifest", DAG_PB)), accounts[4].address, tx.timestamp, 1)
    assert plain(registry.getCurrentVersion(MODEL_ID)) == current


def test_upgrade_unknown_model_reverts(registry: Any, owner: Any, contributor: Any) -> None:
    with brownie.reverts(typed_error("ModelRegistryUnknownModel", MODEL_ID)):
        upgrade(registry, owner, contributor, "v2")


# ------------------------------------------------------------------------------------------------ rollback


def test_rollback_to_earlier_version(registry: Any, owner: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")
    upgrade(registry, owner, contributor, "v3")

    tx = registry.rollback(MODEL_ID, 2, {"from": owner})
    assert list(tx.events.keys()) == ["CurrentVersionChanged"]
    assert plain(tx.events["CurrentVersionChanged"]) == {"modelId": MODEL_ID, "previous": 3, "current": 2}
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, ACTIVE, False, 2, 3)
    assert statuses(registry) == [SUPERSEDED, CURRENT, ROLLED_BACK]
    assert registry.getCurrentVersion(MODEL_ID)[2] == hx(cid("v2"))

    registry.rollback(MODEL_ID, 1, {"from": owner})
    assert statuses(registry) == [CURRENT, ROLLED_BACK, ROLLED_BACK]


@pytest.mark.parametrize("target", [0, 3, 4, 2**32 - 1], ids=["zero", "current", "later", "max"])
def test_rollback_must_target_an_earlier_version(registry: Any, owner: Any, contributor: Any, target: int) -> None:
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")
    upgrade(registry, owner, contributor, "v3")
    with brownie.reverts(typed_error("ModelRegistryInvalidRollback", MODEL_ID, 3, target)):
        registry.rollback(MODEL_ID, target, {"from": owner})


def test_rolled_back_version_is_never_a_target_again(registry: Any, owner: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")
    registry.rollback(MODEL_ID, 1, {"from": owner})  # v2 rolled back
    tx = upgrade(registry, owner, contributor, "v3")  # versions are never reused: 3, not 2
    assert tx.return_value == 3
    assert tx.events["VersionPublished"]["parent"] == 1  # built on the current version, not the latest
    assert statuses(registry) == [SUPERSEDED, ROLLED_BACK, CURRENT]

    with brownie.reverts(typed_error("ModelRegistryInvalidRollback", MODEL_ID, 3, 2)):
        registry.rollback(MODEL_ID, 2, {"from": owner})
    registry.rollback(MODEL_ID, 1, {"from": owner})
    assert statuses(registry) == [CURRENT, ROLLED_BACK, ROLLED_BACK]
    assert upgrade(registry, owner, contributor, "v4").return_value == 4
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, ACTIVE, False, 4, 4)


def test_rollback_with_single_version_reverts(registry: Any, owner: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    with brownie.reverts(typed_error("ModelRegistryInvalidRollback", MODEL_ID, 1, 1)):
        registry.rollback(MODEL_ID, 1, {"from": owner})


# ------------------------------------------------------------------------------------------------ retire


def test_retire_is_terminal(registry: Any, owner: Any, guardian: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")

    tx = registry.retire(MODEL_ID, "superseded by acme/vision-2", {"from": owner})
    assert plain(tx.events["ModelRetired"]) == {
        "modelId": MODEL_ID,
        "finalVersion": 2,
        "reason": "superseded by acme/vision-2",
    }
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, RETIRED, False, 2, 2)
    assert plain(registry.getCurrentVersion(MODEL_ID)[:2]) == (2, CURRENT)  # still readable

    retired = typed_error("ModelRegistryModelIsRetired", MODEL_ID)
    with brownie.reverts(retired):
        upgrade(registry, owner, contributor, "v3")
    with brownie.reverts(retired):
        registry.rollback(MODEL_ID, 1, {"from": owner})
    with brownie.reverts(retired):
        registry.retire(MODEL_ID, "again", {"from": owner})
    with brownie.reverts(typed_error("ModelRegistryModelExists", MODEL_ID)):  # a name is never reused
        register(registry, owner, contributor, seed="reborn")
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, RETIRED, False, 2, 2)


def test_a_suspension_survives_upgrade_and_retirement(
    registry: Any, owner: Any, guardian: Any, contributor: Any
) -> None:
    register(registry, owner, contributor)
    registry.suspend(MODEL_ID, "incident", {"from": guardian})
    assert upgrade(registry, owner, contributor, "fix").return_value == 2
    assert plain(registry.getModel(MODEL_ID)[2:4]) == (ACTIVE, True)  # an upgrade does not lift a suspension
    tx = registry.retire(MODEL_ID, "gone", {"from": owner})
    assert "ModelUnsuspended" not in tx.events
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, RETIRED, True, 2, 2)  # neither does retirement
    with brownie.reverts(typed_error("ModelRegistryAlreadySuspended", MODEL_ID)):
        registry.suspend(MODEL_ID, "twice", {"from": guardian})
    registry.unsuspend(MODEL_ID, {"from": guardian})
    assert plain(registry.getModel(MODEL_ID)[2:4]) == (RETIRED, False)


def test_guardian_suspends_a_retired_model(registry: Any, owner: Any, guardian: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    registry.retire(MODEL_ID, "superseded", {"from": owner})
    tx = registry.suspend(MODEL_ID, "backdoor found after retirement", {"from": guardian})
    assert tx.events["ModelSuspended"]["by"] == guardian.address
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, RETIRED, True, 1, 1)
    with brownie.reverts(typed_error("ModelRegistryModelIsRetired", MODEL_ID)):
        upgrade(registry, owner, contributor, "v2")  # still retired for good


# ------------------------------------------------------------------------------------------------ guardian


def test_guardian_suspends_and_unsuspends(registry: Any, owner: Any, guardian: Any, contributor: Any) -> None:
    register(registry, owner, contributor)

    tx = registry.suspend(MODEL_ID, "leaks training data", {"from": guardian})
    suspended = {"modelId": MODEL_ID, "by": guardian.address, "reason": "leaks training data"}
    assert plain(tx.events["ModelSuspended"]) == suspended
    assert plain(registry.getModel(MODEL_ID)[2:4]) == (ACTIVE, True)
    assert plain(registry.getCurrentVersion(MODEL_ID)[:2]) == (1, CURRENT)  # versions untouched
    with brownie.reverts(typed_error("ModelRegistryAlreadySuspended", MODEL_ID)):
        registry.suspend(MODEL_ID, "twice", {"from": guardian})

    tx = registry.unsuspend(MODEL_ID, {"from": guardian})
    assert plain(tx.events["ModelUnsuspended"]) == {"modelId": MODEL_ID, "by": guardian.address}
    assert plain(registry.getModel(MODEL_ID)[2:4]) == (ACTIVE, False)
    with brownie.reverts(typed_error("ModelRegistryNotSuspended", MODEL_ID)):
        registry.unsuspend(MODEL_ID, {"from": guardian})

    tx = registry.suspend(MODEL_ID, "by the owner", {"from": owner})  # the owner may too
    assert tx.events["ModelSuspended"]["by"] == owner.address


def test_the_guardian_lifts_only_a_suspension_it_made(
    registry: Any, owner: Any, guardian: Any, contributor: Any
) -> None:
    """The guardian is an emergency brake: a suspension the DAO voted for (the owner's) is lifted by a vote only."""
    register(registry, owner, contributor)
    registry.suspend(MODEL_ID, "the DAO voted it down", {"from": owner})
    with brownie.reverts(typed_error("ModelRegistryVotedSuspension", MODEL_ID)):
        registry.unsuspend(MODEL_ID, {"from": guardian})
    assert plain(registry.getModel(MODEL_ID)[2:4]) == (ACTIVE, True)
    tx = registry.unsuspend(MODEL_ID, {"from": owner})  # a vote lifts it
    assert plain(tx.events["ModelUnsuspended"]) == {"modelId": MODEL_ID, "by": owner.address}
    # the guardian's own suspension: the guardian, or the DAO, lifts it
    registry.suspend(MODEL_ID, "incident", {"from": guardian})
    registry.unsuspend(MODEL_ID, {"from": guardian})
    registry.suspend(MODEL_ID, "incident again", {"from": guardian})
    registry.unsuspend(MODEL_ID, {"from": owner})
    # a lifted voted suspension leaves no mark: the guardian's next one is its own again
    registry.suspend(MODEL_ID, "voted", {"from": owner})
    registry.unsuspend(MODEL_ID, {"from": owner})
    registry.suspend(MODEL_ID, "the guardian's", {"from": guardian})
    registry.unsuspend(MODEL_ID, {"from": guardian})
    assert plain(registry.getModel(MODEL_ID)[2:4]) == (ACTIVE, False)


def test_suspend_unknown_model_reverts(registry: Any, guardian: Any) -> None:
    with brownie.reverts(typed_error("ModelRegistryUnknownModel", MODEL_ID)):
        registry.suspend(MODEL_ID, "?", {"from": guardian})


def test_guardian_cannot_write_versions(registry: Any, owner: Any, guardian: Any, contributor: Any) -> None:
    register(registry, owner, contributor, name="acme/other")
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")
    unauthorized = typed_error("OwnableUnauthorizedAccount", guardian)
    with brownie.reverts(unauthorized):
        register(registry, guardian, contributor, name="acme/new")
    with brownie.reverts(unauthorized):
        upgrade(registry, guardian, contributor, "v3")
    with brownie.reverts(unauthorized):
        registry.rollback(MODEL_ID, 1, {"from": guardian})
    with brownie.reverts(unauthorized):
        registry.retire(MODEL_ID, "guardian", {"from": guardian})
    with brownie.reverts(unauthorized):
        registry.setGuardian(guardian, {"from": guardian})
    with brownie.reverts(unauthorized):
        registry.transferOwnership(guardian, {"from": guardian})
    assert plain(registry.getModel(MODEL_ID)) == (MODEL_ID, NAME, ACTIVE, False, 2, 2)
    assert registry.modelCount() == 2


def test_outsider_cannot_write(registry: Any, owner: Any, outsider: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")
    unauthorized = typed_error("OwnableUnauthorizedAccount", outsider)
    with brownie.reverts(unauthorized):
        register(registry, outsider, contributor, name="acme/new")
    with brownie.reverts(unauthorized):
        upgrade(registry, outsider, contributor, "v3")
    with brownie.reverts(unauthorized):
        registry.rollback(MODEL_ID, 1, {"from": outsider})
    with brownie.reverts(unauthorized):
        registry.retire(MODEL_ID, "outsider", {"from": outsider})
    with brownie.reverts(unauthorized):
        registry.setGuardian(outsider, {"from": outsider})
    with brownie.reverts(typed_error("ModelRegistryUnauthorized", outsider)):
        registry.suspend(MODEL_ID, "outsider", {"from": outsider})
    registry.suspend(MODEL_ID, "guardian", {"from": registry.guardian()})
    with brownie.reverts(typed_error("ModelRegistryUnauthorized", outsider)):
        registry.unsuspend(MODEL_ID, {"from": outsider})


def test_set_guardian(registry: Any, owner: Any, guardian: Any, outsider: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    tx = registry.setGuardian(outsider, {"from": owner})
    changed = {"previousGuardian": guardian.address, "newGuardian": outsider.address}
    assert plain(tx.events["GuardianChanged"]) == changed
    assert registry.guardian() == outsider.address
    with brownie.reverts(typed_error("ModelRegistryUnauthorized", guardian)):
        registry.suspend(MODEL_ID, "old guardian", {"from": guardian})
    registry.suspend(MODEL_ID, "new guardian", {"from": outsider})

    registry.setGuardian(brownie.ZERO_ADDRESS, {"from": owner})
    assert registry.guardian() == brownie.ZERO_ADDRESS
    with brownie.reverts(typed_error("ModelRegistryUnauthorized", outsider)):
        registry.unsuspend(MODEL_ID, {"from": outsider})


# ------------------------------------------------------------------------------------------------ views


def test_get_models_pagination(registry: Any, owner: Any, contributor: Any) -> None:
    names = ["acme/a", "acme/b", "acme/c"]
    for name in names:
        register(registry, owner, contributor, name=name)

    def page(offset: int, limit: int) -> list[str]:
        return [m[1] for m in registry.getModels(offset, limit)]

    assert page(0, 10) == names
    assert page(0, 3) == names
    assert page(0, 2) == names[:2]
    assert page(1, 1) == ["acme/b"]
    assert page(2, 5) == ["acme/c"]
    assert page(1, MAX_UINT256) == names[1:]  # no overflow on offset + limit
    assert page(0, 0) == []
    assert page(3, 1) == []
    assert page(10, 10) == []
    assert page(MAX_UINT256, MAX_UINT256) == []
    assert plain(registry.getModels(0, 1)[0]) == (model_id("acme/a"), "acme/a", ACTIVE, False, 1, 1)


def test_get_versions_pagination(registry: Any, owner: Any, contributor: Any) -> None:
    register(registry, owner, contributor)
    upgrade(registry, owner, contributor, "v2")
    upgrade(registry, owner, contributor, "v3")

    def page(offset: int, limit: int) -> list[int]:
        return [v[0] for v in registry.getVersions(MODEL_ID, offset, limit)]

    assert page(0, 10) == [1, 2, 3]
    assert page(0, 2) == [1, 2]
    assert page(2, 10) == [3]
    assert page(1, MAX_UINT256) == [2, 3]
    assert page(0, 0) == []
    assert page(3, 1) == []
    assert page(MAX_UINT256, 1) == []
    assert plain(registry.getVersions(MODEL_ID, 1, 1)[0]) == plain(registry.getVersion(MODEL_ID, 2))


def test_unknown_model_and_version_views_revert(registry: Any, owner: Any, contributor: Any) -> None:
    unknown = model_id("acme/unknown")
    for view, args in (
        (registry.getModel, ()),
        (registry.getCurrentVersion, ()),
        (registry.getVersion, (1,)),
        (registry.getVersions, (0, 10)),
    ):
        with brownie.reverts(typed_error("ModelRegistryUnknownModel", unknown)):
            view(unknown, *args)
    register(registry, owner, contributor)
    for version in (0, 2, 2**32 - 1):
        with brownie.reverts(typed_error("ModelRegistryUnknownVersion", MODEL_ID, version)):
            registry.getVersion(MODEL_ID, version)


# ------------------------------------------------------------------------------------------------ storage


def _slot(key: bytes, base: int) -> int:
    return int.from_bytes(keccak(key.rjust(32, b"\0") + base.to_bytes(32, "big")), "big")


def test_version_record_occupies_three_slots(registry: Any, owner: Any, contributor: Any, web3: Any) -> None:
    """`_versions[id][n]` (state variable slot 4, after _owner, _guardian, _names, _models) is two digests and
    one packed slot: contributor (20 bytes), createdAt (5), parent (4), the two codecs (1 + 1), rolledBack (1)."""
    register(registry, owner, contributor)
    tx = upgrade(registry, owner, contributor, "v2")
    registry.rollback(MODEL_ID, 1, {"from": owner})

    model_key = bytes.fromhex(MODEL_ID[2:])
    base = _slot((2).to_bytes(32, "big"), _slot(model_key, 4))
    slots = [bytes(web3.eth.get_storage_at(registry.address, base + i)).rjust(32, b"\0") for i in range(4)]
    assert slots[0] == cid("v2")[4:]
    assert slots[1] == cid("v2-manifest", DAG_PB)[4:]
    packed = int.from_bytes(slots[2], "big")
    assert packed & (2**160 - 1) == int(contributor.address, 16)
    assert packed >> 160 & (2**40 - 1) == tx.timestamp
    assert packed >> 200 & (2**32 - 1) == 1  # parent
    assert packed >> 232 & 0xFF == RAW
    assert packed >> 240 & 0xFF == DAG_PB
    assert packed >> 248 == 1  # rolled back
    assert slots[3] == bytes(32)  # nothing beyond the third slot

    model = int.from_bytes(bytes(web3.eth.get_storage_at(registry.address, _slot(model_key, 3))), "big")
    fields = (model & 0xFFFFFFFF, model >> 32 & 0xFFFFFFFF, model >> 64 & 0xFFFFFFFF, model >> 96 & 0xFF, model >> 104)
    assert fields == (1, 2, 0, ACTIVE, 0)  # current, latest, index, status, not suspended: one slot


# ------------------------------------------------------------------------------------------------ evaluators


def test_only_the_owner_changes_the_trusted_evaluators_each_change_an_event(
    registry: Any, owner: Any, guardian: Any, contributor: Any
) -> None:
    assert list(registry.evaluators()) == [] and not registry.isEvaluator(contributor)
    tx = registry.setEvaluator(contributor, True, {"from": owner})
    assert plain(tx.events["EvaluatorSet"]) == {"evaluator": contributor.address, "trusted": True}
    registry.setEvaluator(guardian, True, {"from": owner})
    assert set(registry.evaluators()) == {contributor.address, guardian.address} and registry.isEvaluator(guardian)
    with brownie.reverts(typed_error("ModelRegistryEvaluatorUnchanged", contributor.address, True)):
        registry.setEvaluator(contributor, True, {"from": owner})
    tx = registry.setEvaluator(contributor, False, {"from": owner})
    assert plain(tx.events["EvaluatorSet"]) == {"evaluator": contributor.address, "trusted": False}
    assert list(registry.evaluators()) == [guardian.address] and not registry.isEvaluator(contributor)
    with brownie.reverts(typed_error("ModelRegistryEvaluatorUnchanged", contributor.address, False)):
        registry.setEvaluator(contributor, False, {"from": owner})
    with brownie.reverts(typed_error("ModelRegistryInvalidEvaluator")):
        registry.setEvaluator(brownie.ZERO_ADDRESS, True, {"from": owner})
    for outsider in (guardian, contributor):  # the guardian's emergency powers do not reach the evaluator set
        with brownie.reverts(typed_error("OwnableUnauthorizedAccount", outsider.address)):
            registry.setEvaluator(outsider, True, {"from": outsider})


def test_only_the_owner_trusts_a_signer_key_per_model_and_the_set_reads_back(
    registry: Any, owner: Any, guardian: Any, contributor: Any
) -> None:
    key, other = "0x" + "ab" * 32, "0x" + "cd" * 32
    ahead = model_id("acme/later")  # a registration may trust its signer before its model exists
    registry.setSigner(ahead, key, True, {"from": owner})
    assert registry.isSigner(ahead, key)
    register(registry, owner, contributor)
    register(registry, owner, contributor, name="acme/other", seed="other")
    mid, oid = model_id(NAME), model_id("acme/other")
    assert list(registry.signers(mid)) == [] and not registry.isSigner(mid, key)
    tx = registry.setSigner(mid, key, True, {"from": owner})
    assert plain(tx.events["SignerSet"]) == {"modelId": mid, "keyHash": key, "trusted": True}
    registry.setSigner(mid, other, True, {"from": owner})
    assert {plain(k) for k in registry.signers(mid)} == {key, other} and registry.isSigner(mid, other)
    assert list(registry.signers(oid)) == [] and not registry.isSigner(oid, key)  # trust is per model
    with brownie.reverts(typed_error("ModelRegistrySignerUnchanged", mid, key, True)):
        registry.setSigner(mid, key, True, {"from": owner})
    tx = registry.setSigner(mid, key, False, {"from": owner})
    assert plain(tx.events["SignerSet"]) == {"modelId": mid, "keyHash": key, "trusted": False}
    assert [plain(k) for k in registry.signers(mid)] == [other] and not registry.isSigner(mid, key)
    with brownie.reverts(typed_error("ModelRegistrySignerUnchanged", oid, key, False)):
        registry.setSigner(oid, key, False, {"from": owner})
    with brownie.reverts(typed_error("ModelRegistryInvalidSigner")):
        registry.setSigner(mid, "0x" + "00" * 32, True, {"from": owner})
    registry.retire(mid, "done", {"from": owner})
    registry.setSigner(mid, other, False, {"from": owner})  # a retired model's keys can still be distrusted
    for outsider in (guardian, contributor):  # the guardian's emergency powers do not reach the signer keys
        with brownie.reverts(typed_error("OwnableUnauthorizedAccount", outsider.address)):
            registry.setSigner(oid, key, True, {"from": outsider})


def test_only_the_owner_adopts_a_reward_policy_its_digest_and_location_read_back(
    registry: Any, owner: Any, guardian: Any
) -> None:
    assert plain(registry.rewardPolicy()) == ("0x" + "00" * 32, "")
    digest = "0x" + "ab" * 32
    tx = registry.setRewardPolicy(digest, "ipfs://bafkreipolicy", {"from": owner})
    assert plain(tx.events["RewardPolicyAdopted"]) == {"digest": digest, "uri": "ipfs://bafkreipolicy"}
    assert plain(registry.rewardPolicy()) == (digest, "ipfs://bafkreipolicy")
    for empty in (("0x" + "00" * 32, "ipfs://x"), (digest, "")):
        with brownie.reverts(typed_error("ModelRegistryInvalidRewardPolicy")):
            registry.setRewardPolicy(*empty, {"from": owner})
    with brownie.reverts(typed_error("OwnableUnauthorizedAccount", guardian.address)):
        registry.setRewardPolicy(digest, "ipfs://other", {"from": guardian})


def test_only_the_owner_publishes_the_daos_eip4824_uri_with_the_standards_event_and_erc165(
    registry: Any, owner: Any, guardian: Any
) -> None:
    from eth_utils import keccak

    assert registry.daoURI() == ""
    tx = registry.setDaoURI("ipfs://bafkreidao", {"from": owner})
    assert plain(tx.events["DAOURIUpdate"]) == {"daoAddress": registry.address, "daoURI": "ipfs://bafkreidao"}
    assert registry.daoURI() == "ipfs://bafkreidao"
    with brownie.reverts(typed_error("ModelRegistryInvalidDaoURI")):
        registry.setDaoURI("", {"from": owner})
    with brownie.reverts(typed_error("OwnableUnauthorizedAccount", guardian.address)):
        registry.setDaoURI("ipfs://other", {"from": guardian})
    # ERC-165: IERC4824 (its one function, daoURI()) and IERC165 itself, as an ERC4824Index checks before indexing
    assert registry.supportsInterface(keccak(text="daoURI()")[:4])
    assert registry.supportsInterface(keccak(text="supportsInterface(bytes4)")[:4])
    assert not registry.supportsInterface("0xffffffff")
