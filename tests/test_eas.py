"""Evaluations as attestations on the real Ethereum Attestation Service (its npm package's contracts, deployed on
anvil): the schema registered under the UID computed here, an evaluation attested and read back, and each way an
attestation can fail to be about the version shown (another artifact, another DAO, another schema, revoked)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from eth_abi import encode

from deai_gov.chain.client import Chain, send
from deai_gov.contracts.artifacts import eas_package
from deai_gov.dao.deployed import Dao
from deai_gov.errors import InputError, TransactionError
from deai_gov.merit import eas
from deai_gov.merit.evaluation import (
    _TYPES,
    EVALUATION_SCHEMA,
    Evaluation,
    Metric,
    binding_problems,
    parse_metric_value,
)

from .helpers import People

CID = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
OTHER_CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"


def an_evaluation(dao: Dao, cid: str = CID, **changed: object) -> Evaluation:
    fields: dict[str, object] = {
        "model": "acme/vision",
        "version": 2,
        "artifact_cid": cid,
        "registry": dao.address("registry"),
        "benchmark": "tiny-accuracy",
        "benchmark_version": "1",
        "dataset_cid": OTHER_CID,
        "harness_digest": b"\x07" * 32,
        "metrics": (
            Metric("accuracy", parse_metric_value("0.875"), True),
            Metric("loss", parse_metric_value("0.31"), False),
        ),
        "outputs_cid": "",
    }
    return Evaluation(**(fields | changed))  # type: ignore[arg-type]


@pytest.fixture
def deployed(chain: Chain, people: People) -> tuple[eas.EasContracts, bytes]:
    contracts = eas.deploy_eas(chain, people.deployer)
    uid = send(chain, people.deployer, eas.register_schema(contracts, EVALUATION_SCHEMA)).outcome
    return contracts, uid


def test_eas_from_its_npm_package_deploys_and_registers_the_schema_under_the_computed_uid(
    chain: Chain, people: People, deployed: tuple[eas.EasContracts, bytes]
) -> None:
    contracts, uid = deployed
    assert eas_package()["version"] == "1.9.0" and eas.eas_version(chain, contracts) == "1.4.0"
    assert uid == eas.schema_uid(EVALUATION_SCHEMA) and eas.is_registered(chain, contracts, uid)
    assert eas.attach_eas(chain, contracts.eas) == contracts
    # the same schema twice: the registry refuses it (someone registering it first changes nothing: same UID)
    with pytest.raises(TransactionError):
        send(chain, people.alice, eas.register_schema(contracts, EVALUATION_SCHEMA))
    with pytest.raises(InputError, match="no contract at"):
        eas.attach_eas(chain, "0x" + "12" * 20)


def test_an_evaluation_is_attested_read_back_and_bound_to_its_artifact_dao_and_schema(
    chain: Chain, dao: Dao, people: People, deployed: tuple[eas.EasContracts, bytes]
) -> None:
    contracts, schema = deployed
    evaluation = an_evaluation(dao)
    uid = send(chain, people.bob, eas.attest(contracts, schema, evaluation.encode())).outcome
    found = eas.get_attestation(chain, contracts, uid)
    assert found is not None and found.attester == people.bob.address and found.schema == schema
    read_back = Evaluation.decode(found.data)
    assert read_back == evaluation and [m.shown for m in read_back.metrics] == ["0.875", "0.31"]
    now = chain.timestamp()
    registry = dao.address("registry")
    assert binding_problems(found, read_back, schema=schema, registry=registry, artifact_cid=CID, now=now) == []
    assert binding_problems(found, read_back, schema=schema, registry=registry, artifact_cid=OTHER_CID, now=now) == [
        f"made on another artifact ({CID})"
    ]
    elsewhere: dict[str, Any] = {
        "schema": b"\x01" * 32,
        "registry": people.carol.address,
        "artifact_cid": CID,
        "now": now - 3600,
    }
    assert binding_problems(found, read_back, **elsewhere) == [
        f"made under another schema (0x{schema.hex()[:16]}…)",
        f"made for another DAO (registry {registry})",
        "dated in the future",
    ]
    # only its evaluator revokes it; then it no longer counts
    with pytest.raises(TransactionError):
        send(chain, people.carol, eas.revoke(contracts, schema, uid))
    send(chain, people.bob, eas.revoke(contracts, schema, uid))
    revoked = eas.get_attestation(chain, contracts, uid)
    assert revoked is not None and binding_problems(
        revoked, read_back, schema=schema, registry=registry, artifact_cid=CID, now=chain.timestamp()
    ) == ["revoked by its evaluator"]
    assert eas.get_attestation(chain, contracts, b"\x09" * 32) is None


def raw(**changed: object) -> bytes:
    """Attestation data as anyone can write it: the schema's fields, some of them changed."""
    fields: dict[str, object] = {
        "model": "acme/vision", "version": 2, "artifact": CID, "registry": "0x" + "11" * 20, "benchmark": "b",
        "benchmark_version": "1", "dataset": "", "harness": b"\0" * 32, "metrics": ["a"], "values": [1],
        "directions": [True], "outputs": "",
    }  # fmt: skip
    return encode(_TYPES, list((fields | changed).values()))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x00" * 7, "is not an evaluation under this schema"),
        (os.urandom(70_000), "more than 65,536 is refused unread"),
        (raw(metrics=["a", "b"]), "names 2 metrics with 1 values and 1 directions"),
        (raw(model="Acme/Vision"), "not a valid model name"),
        (raw(artifact="not-a-cid"), "artifact CID 'not-a-cid' is not a CID"),
        (raw(metrics=["acc", "acc"], values=[1, 2], directions=[True, True]), "names a metric twice"),
        (raw(benchmark="b\x1b[2J"), "unprintable"),
        (raw(metrics=[], values=[], directions=[]), "holds 1 to 64 metrics, not 0"),
        (raw(version=0), "versions count from 1"),
    ],
    ids=[
        "short",
        "megabytes",
        "uneven-arrays",
        "bad-name",
        "bad-cid",
        "duplicate-metric",
        "escape-in-text",
        "no-metric",
        "version-0",
    ],
)
def test_hostile_attestation_data_is_refused_in_one_sentence(data: bytes, words: str) -> None:
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Evaluation.decode(data)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.875", 875 * 10**15), ("12", 12 * 10**18), ("-3.5e-2", -35 * 10**15), ("1e-18", 1)],
)
def test_metric_values_are_fixed_point_with_18_decimals(text: str, value: int) -> None:
    assert parse_metric_value(text) == value


@pytest.mark.parametrize("text", ["NaN", "inf", "-Infinity", "1e-19", "abc", "1e100"])
def test_nan_infinity_and_excess_precision_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_metric_value(text)


def test_a_dao_deploys_its_attestation_service_or_uses_the_chains_and_registers_its_schema_once(
    chain: Chain, people: People
) -> None:
    from deai_gov.dao.deploy import DaoParams, deploy_dao

    steps: list[str] = []
    first = deploy_dao(chain, people.deployer, DaoParams(eas="deploy"), on_step=steps.append)
    contracts = Dao.attach(chain, first).attestation_service()
    assert "deploying the Ethereum Attestation Service (SchemaRegistry, EAS)" in steps
    assert "registering the evaluation schema" in steps
    assert eas.is_registered(chain, contracts, eas.schema_uid(EVALUATION_SCHEMA))
    assert first.params["eas"] == "deploy"
    # a second DAO on the same chain uses that EAS: the schema is there already, registered once for all
    steps.clear()
    second = deploy_dao(chain, people.deployer, DaoParams(eas=contracts.eas), on_step=steps.append)
    assert Dao.attach(chain, second).attestation_service() == contracts
    assert f"using the Ethereum Attestation Service at {contracts.eas}" in steps
    assert "registering the evaluation schema" not in steps
    # no EAS asked for: evaluations say how to get one
    third = deploy_dao(chain, people.deployer, DaoParams())
    with pytest.raises(InputError, match="names no attestation service") as refused:
        Dao.attach(chain, third).attestation_service()
    assert refused.value.hint is not None and "--eas deploy" in refused.value.hint
    with pytest.raises(InputError, match="not a checksummed address"):
        DaoParams(eas="somewhere").validate()
    blocks = chain.block_number()
    with pytest.raises(InputError, match="is not an EAS contract"):  # a contract, but not an attestation service
        deploy_dao(chain, people.deployer, DaoParams(eas=Dao.attach(chain, third).address("token")))
    assert chain.block_number() == blocks  # refused before anything was deployed
