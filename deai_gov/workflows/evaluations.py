"""Evaluations of a DAO's model versions: attested (on chain, with the DAO's attestation service) and found again,
each with whether it counts and, when it does not, why.

An evaluation is attested with the DAO's registry as its recipient, so the DAO's evaluations are found by one log
query (EAS's `Attested` event, indexed by recipient and schema). Whatever a log says, each attestation is read
from EAS itself, decoded and checked (`merit.evaluation.binding_problems`): it counts only when it is bound to this
DAO, this schema and the version's exact artifact, is neither revoked nor expired, and comes from an evaluator the
DAO trusts. Anyone may attest; a hostile attestation is one row saying what is wrong with it, never an error of the
whole list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..chain.client import PreparedTx
from ..chain.logs import iter_logs
from ..dao.registry import get_version, trusted_evaluators
from ..errors import InputError
from ..merit import eas
from ..merit.benchmark import Benchmark
from ..merit.evaluation import EVALUATION_SCHEMA, Evaluation, Metric, binding_problems

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource, BlockStore
    from ..merit.offchain import Domain, OffchainAttestation

__all__ = ["EvaluationRecord", "Measurement", "attest_evaluation", "build_evaluation", "find_evaluations",
           "latest_measurements"]  # fmt: skip

#: Why an evaluation that is otherwise bound and valid does not count.
NOT_TRUSTED = "its evaluator is not one the DAO trusts"
#: The same, as the reason an evaluation of a candidate is left out of a comparison.
NOT_TRUSTED_WHY = "not an evaluator the DAO trusts"

#: What makes two measurements comparable: benchmark name, benchmark version, harness digest, metric.
MeasureKey = tuple[str, str, bytes, str]


def measure_key(evaluation: Evaluation, metric: str) -> MeasureKey:
    """The key of `evaluation`'s measurement of `metric`."""
    return (evaluation.benchmark, evaluation.benchmark_version, evaluation.harness_digest, metric)


def benchmark_label(key: MeasureKey) -> str:
    """A benchmark as a voter reads it: name, version and the start of its harness digest."""
    name, version, harness, _ = key
    return f"{name} v{version} (harness 0x{harness.hex()[:8]})"


def build_evaluation(
    dao: Dao,
    name: str,
    version: int | None,
    *,
    benchmark: Benchmark,
    metrics: list[Metric],
    outputs_cid: str = "",
    proposal_id: int | None = None,
    candidate: str | None = None,
) -> Evaluation:
    """An evaluation on `benchmark` (its name, version, data set and digest are recorded) of version `version`
    (None: the current one) of `name`, bound to the artifact CID the registry
    records for it and to this DAO's registry; with `proposal_id`, of the version that proposal would write (under
    vote, say), bound to the artifact it names; with `candidate` (an artifact CID), of the version not proposed yet
    that the registry would number next. InputError for an unknown model, version or proposal, a proposal writing no
    version of `name`, or a malformed field."""
    if candidate is not None:  # not proposed yet: the number the registry would give it next
        number, artifact = next_version(dao, name), candidate
        if version is not None and version != number:
            raise InputError(f"the next version of {name} is v{number}, not v{version}")
    elif proposal_id is not None:
        from .approved import proposed_version

        proposed = proposed_version(dao, name, proposal_id)
        if version is not None and version != proposed.version:
            raise InputError(f"proposal {proposal_id} writes {name} v{proposed.version}, not v{version}")
        number, artifact = proposed.version, proposed.artifact_cid
    else:
        recorded = get_version(dao, name, version)
        number, artifact = recorded.number, recorded.artifact_cid
    evaluation = Evaluation(
        name,
        number,
        artifact,
        dao.address("registry"),
        benchmark.name,
        benchmark.version,
        benchmark.dataset_cid,
        benchmark.digest,
        tuple(metrics),
        outputs_cid,
    )
    evaluation.check()
    return evaluation


def next_version(dao: Dao, name: str) -> int:
    """The number the registry would give the next version of `name`: its latest + 1, or 1 for a new model."""
    from ..dao.registry import get_model

    try:
        return get_model(dao, name).latest_version + 1
    except InputError:  # no such model yet: a registration writes version 1
        return 1


def attest_evaluation(dao: Dao, evaluation: Evaluation) -> PreparedTx:
    """The on-chain attestation of `evaluation` with the DAO's attestation service, its registry as recipient; the
    transaction's outcome is the attestation's UID, as 0x and 64 hex digits."""
    contracts = dao.attestation_service()
    tx = eas.attest(
        contracts, eas.schema_uid(EVALUATION_SCHEMA), evaluation.encode(), recipient=dao.address("registry")
    )
    description = f"attest {evaluation.benchmark} on {evaluation.model} v{evaluation.version}"
    return PreparedTx(
        tx.to, tx.data, description, read_outcome=lambda receipt: "0x" + eas.attested_uid(contracts, receipt).hex()
    )


def sign_evaluation(dao: Dao, account: LocalAccount, evaluation: Evaluation) -> OffchainAttestation:
    """An off-chain attestation of `evaluation` signed by `account` (no transaction, no gas): in EAS's format, for
    this chain's EAS, under the DAO's evaluation schema, with its registry as recipient, dated by the chain's
    clock."""
    from ..merit.offchain import sign_offchain

    contracts = dao.attestation_service()
    return sign_offchain(
        account,
        _domain_here(dao, contracts),
        eas.schema_uid(EVALUATION_SCHEMA),
        evaluation.encode(),
        recipient=dao.address("registry"),
        time=dao.chain.timestamp(),
    )


def _domain_here(dao: Dao, contracts: eas.EasContracts) -> Domain:
    """The EIP-712 domain of this chain's EAS: what an off-chain attestation for this DAO is signed in."""
    from ..merit.offchain import Domain

    return Domain(eas.eas_version(dao.chain, contracts), dao.chain.chain_id, contracts.eas)


def publish_offchain(store: BlockStore, attestation: OffchainAttestation) -> str:
    """Put the off-chain attestation's package (EAS's signed JSON) on IPFS; its CID."""
    from ..ipfs.blockcid import to_text
    from ..ipfs.importer import import_bytes

    package = attestation.to_package()
    return to_text(store.import_dag(lambda sink: import_bytes(package, sink).cid))


def read_offchain(sources: list[BlockSource], cid: str) -> OffchainAttestation:
    """The off-chain attestation whose package is at `cid`, fetched (every block checked) and checked whole."""
    from ..ipfs.blockcid import from_text
    from ..ipfs.content import file_bytes
    from ..merit.offchain import MAX_PACKAGE, read_package

    return read_package(file_bytes(sources, from_text(cid), limit=MAX_PACKAGE))


def relay_evaluation(dao: Dao, attestation: OffchainAttestation, cid: str) -> list[PreparedTx]:
    """The transactions that make an off-chain evaluation findable and dated on chain, paid by whoever relays it:
    the anchor schema registered (once per EAS), the UID timestamped by EAS (unless it already is), and an anchor
    (UID and CID) attested to the DAO's registry. Refused (InputError) when the attestation is not one this DAO
    could count: signed for another chain or EAS, under another schema, to another recipient, data that is not a
    valid evaluation, or already anchored here. An untrusted evaluator's is relayed (and shown as such)."""
    from ..merit.offchain import ANCHOR_SCHEMA, encode_anchor

    contracts = dao.attestation_service()
    domain, here = attestation.domain, _domain_here(dao, contracts)
    if not domain.same_as(here):
        raise InputError(
            f"this attestation was signed for chain {domain.chain_id} and EAS {domain.eas} (version "
            f"{domain.eas_version}), not this DAO's (chain {here.chain_id}, EAS {here.eas}, version {here.eas_version})"
        )
    if attestation.schema != eas.schema_uid(EVALUATION_SCHEMA):
        raise InputError(f"this attestation is under another schema (0x{attestation.schema.hex()[:16]}…)")
    if attestation.recipient.lower() != dao.address("registry").lower():
        raise InputError(f"this attestation is addressed to {attestation.recipient}, not this DAO's registry")
    Evaluation.decode(attestation.data).check()  # InputError when it is not a valid evaluation
    anchor_schema = eas.schema_uid(ANCHOR_SCHEMA)
    for _, anchor in _attested(dao, contracts, anchor_schema):
        if anchor.data[:32] == attestation.uid:
            raise InputError(f"off-chain attestation 0x{attestation.uid.hex()} is already relayed for this DAO")
    txs = []
    if not eas.is_registered(dao.chain, contracts, anchor_schema):
        txs.append(eas.register_schema(contracts, ANCHOR_SCHEMA))
    [(stamped, _)] = eas.offchain_times(dao.chain, contracts, [(attestation.attester, attestation.uid)])
    if not stamped:
        txs.append(eas.timestamp(contracts, attestation.uid))
    anchoring = eas.attest(
        contracts, anchor_schema, encode_anchor(attestation.uid, cid), recipient=dao.address("registry")
    )
    description = f"anchor off-chain attestation 0x{attestation.uid.hex()[:16]}…"
    txs.append(PreparedTx(anchoring.to, anchoring.data, description))
    return txs


@dataclass(frozen=True)
class EvaluationRecord:
    """One attestation found for the DAO, what it says, and whether it counts."""

    uid: str
    attester: str
    time: int
    block: int
    #: The decoded evaluation, or None when the data is not a well-formed one (see `problems`).
    evaluation: Evaluation | None
    trusted: bool
    #: Why it does not count; empty when it does.
    problems: list[str] = field(default_factory=list)
    #: For an off-chain attestation, the CID of its package (EAS's signed JSON) on IPFS; None for an on-chain one.
    offchain_cid: str | None = None

    @property
    def counts(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "attester": self.attester,
            "time": self.time,
            "block": self.block,
            "trusted": self.trusted,
            "counts": self.counts,
            "problems": self.problems,
            "offchain_cid": self.offchain_cid,
            "evaluation": self.evaluation.to_json() if self.evaluation is not None else None,
        }


def find_evaluations(
    dao: Dao,
    name: str | None = None,
    version: int | None = None,
    *,
    proposed: dict[tuple[str, int], str] | None = None,
    sources: list[BlockSource] | None = None,
) -> list[EvaluationRecord]:
    """Every evaluation attested for this DAO (of model `name`, and of its version `version`, when given), oldest
    first, each checked: decoded, bound to the artifact the registry records for its version, not revoked or
    expired at the chain's time, and attested by a trusted evaluator. `proposed` ((name, version) -> artifact CID)
    names versions a proposal would write: their evaluations are checked against that artifact instead.

    Off-chain attestations are found by their anchors (`merit.offchain.ANCHOR_SCHEMA`) and read from `sources`
    (IPFS): each is checked whole (signature, UID, this chain's EAS) and then as an on-chain one, revoked meaning
    revoked off chain by its attester on this EAS. Without sources, or when one cannot be read, it is a row saying
    so.

    Raises:
        InputError: The DAO has no attestation service, or `name` / `version` is not registered.
        ChainError: The node could not be reached.
    """
    contracts = dao.attestation_service()
    proposed = proposed or {}
    if name is not None and (name, version) not in proposed:
        get_version(dao, name, version)  # an unknown model or version is an error, not an empty list
    checker = _Checker(dao, contracts, name, version, proposed)
    checked = [
        checker.check(attestation, block)
        for block, attestation in _attested(dao, contracts, eas.schema_uid(EVALUATION_SCHEMA))
    ]
    checked += _offchain_records(dao, contracts, checker, sources or [])
    found = [record for record in checked if record is not None]
    return sorted(found, key=lambda record: record.block)  # stable: in log order within a block


def _attested(dao: Dao, contracts: eas.EasContracts, schema: bytes) -> list[tuple[int, eas.Attestation]]:
    """The attestations made under `schema` to the DAO's registry, as EAS records them, with their blocks."""
    logs = list(
        iter_logs(
            dao.chain,
            "EAS",
            contracts.eas,
            "Attested",
            from_block=dao.deployment.block,
            filters={"recipient": dao.address("registry"), "schemaUID": schema},
        )
    )
    uids = [bytes(log.args["uid"]) for log in logs]
    read = eas.get_attestations(dao.chain, contracts, uids)
    # a log from a contract that is not what the record says reads as None: nothing to show
    return [(log.block, attestation) for log, attestation in zip(logs, read, strict=True) if attestation is not None]


class _Checker:
    """Checks attestations the way `find_evaluations` says, reading each version's artifact once."""

    def __init__(
        self,
        dao: Dao,
        contracts: eas.EasContracts,
        name: str | None,
        version: int | None,
        proposed: dict[tuple[str, int], str],
    ) -> None:
        self.dao, self.name, self.version, self.proposed = dao, name, version, proposed
        self.schema = eas.schema_uid(EVALUATION_SCHEMA)
        self.registry = dao.address("registry")
        self.trusted = {address.lower() for address in trusted_evaluators(dao)}
        self.now = dao.chain.timestamp()
        self.artifacts: dict[tuple[str, int], str | None] = {}

    def check(
        self, attestation: eas.Attestation, block: int, offchain_cid: str | None = None, problems: tuple[str, ...] = ()
    ) -> EvaluationRecord | None:
        """The record of one attestation (None when it is about another model or version than the one asked)."""
        is_trusted = attestation.attester.lower() in self.trusted
        uid = "0x" + attestation.uid.hex()

        def record(evaluation: Evaluation | None, found: list[str]) -> EvaluationRecord:
            return EvaluationRecord(
                uid, attestation.attester, attestation.time, block, evaluation, is_trusted, found, offchain_cid
            )

        try:
            evaluation = Evaluation.decode(attestation.data)
        except InputError as exc:
            return record(None, [*problems, str(exc)])
        if self.name is not None and (
            evaluation.model != self.name or (self.version is not None and evaluation.version != self.version)
        ):
            return None
        key = (evaluation.model, evaluation.version)
        if key not in self.artifacts:
            self.artifacts[key] = self.proposed.get(key) or _artifact_of(self.dao, *key)
        recorded = self.artifacts[key]
        found = list(problems)
        if recorded is None:
            found.append(f"{evaluation.model} has no version {evaluation.version} in this DAO's registry")
        else:
            found += binding_problems(
                attestation,
                evaluation,
                schema=self.schema,
                registry=self.registry,
                artifact_cid=recorded,
                now=self.now,
            )
        if not is_trusted:
            found.append(NOT_TRUSTED)
        return record(evaluation, found)


def _offchain_records(
    dao: Dao, contracts: eas.EasContracts, checker: _Checker, sources: list[BlockSource]
) -> list[EvaluationRecord | None]:
    """The off-chain attestations anchored for the DAO, each read from IPFS and checked (one row each, first anchor
    of a UID only)."""
    from ..ipfs.blockcid import from_text
    from ..ipfs.content import file_bytes
    from ..merit.offchain import ANCHOR_SCHEMA, MAX_PACKAGE, decode_anchor, read_package

    seen: set[bytes] = set()
    read: list[tuple[int, str, Any]] = []  # (block, cid, OffchainAttestation)
    rows: list[EvaluationRecord | None] = []
    for block, anchor in _attested(dao, contracts, eas.schema_uid(ANCHOR_SCHEMA)):
        try:
            uid, cid = decode_anchor(anchor.data)
        except InputError as exc:
            rows.append(_unread(anchor, block, anchor.uid, None, str(exc)))
            continue
        if uid in seen:  # anchored again: the same attestation, shown once
            continue
        seen.add(uid)
        if not sources:
            rows.append(_unread(anchor, block, uid, cid, f"off chain at {cid}: no IPFS source to read it from"))
            continue
        try:
            attestation = read_package(file_bytes(sources, from_text(cid), limit=MAX_PACKAGE))
        except Exception as exc:  # unavailable, not what its CID says, or not a valid package: one row, never more
            rows.append(_unread(anchor, block, uid, cid, f"off chain at {cid}: {str(exc)[:160]}"))
            continue
        if attestation.uid != uid:
            rows.append(_unread(anchor, block, uid, cid, f"off chain at {cid}: that package is another attestation"))
            continue
        read.append((block, cid, attestation))
    times = eas.offchain_times(dao.chain, contracts, [(a.attester, a.uid) for _, _, a in read])
    here = _domain_here(dao, contracts) if read else None
    for (block, cid, attestation), (stamped, revoked) in zip(read, times, strict=True):
        problems = []
        domain = attestation.domain
        if here is None or not domain.same_as(here):
            problems.append(
                f"signed for another chain or attestation service (chain {domain.chain_id}, EAS {domain.eas})"
            )
        if attestation.recipient.lower() != checker.registry.lower():
            problems.append(f"addressed to {attestation.recipient}, not this DAO's registry")
        if not stamped:
            problems.append("its UID was never timestamped on chain")
        as_recorded = eas.Attestation(
            attestation.uid, attestation.schema, attestation.time, attestation.expiration_time, revoked,
            attestation.ref_uid, attestation.recipient, attestation.attester, attestation.revocable, attestation.data,
        )  # fmt: skip
        rows.append(checker.check(as_recorded, block, cid, tuple(problems)))
    return rows


def _unread(anchor: eas.Attestation, block: int, uid: bytes, cid: str | None, why: str) -> EvaluationRecord:
    """The row of an anchored off-chain attestation that could not be read: named by its UID, shown as the anchor's
    (its relayer, its time), never counted."""
    return EvaluationRecord("0x" + uid.hex(), anchor.attester, anchor.time, block, None, False, [why], cid)


def _artifact_of(dao: Dao, name: str, version: int) -> str | None:
    try:
        return get_version(dao, name, version).artifact_cid
    except InputError:
        return None


@dataclass(frozen=True)
class Measurement:
    """One evaluator's value for one metric of one version."""

    evaluator: str
    value: int
    higher_is_better: bool
    #: The attestation it comes from.
    uid: str = ""


def latest_measurements(
    records: list[EvaluationRecord],
    name: str,
    candidate: int,
    not_independent: dict[str, str] | None = None,
    keep: Callable[[MeasureKey, Measurement], bool] | None = None,
) -> tuple[dict[tuple[int, MeasureKey, str], Measurement], dict[MeasureKey, set[tuple[str, str]]]]:
    """The measurements of model `name` that count, one per version, metric and evaluator: its latest (`records`
    are oldest first), among those `keep` accepts. Those of version `candidate` by `not_independent` evaluators
    (lowercase address -> why), and those by evaluators the DAO does not trust (bound and valid otherwise), are
    left out, and returned apart as (evaluator, why) per metric.

    Returns:
        (version, key, evaluator in lowercase) -> its measurement; and key -> the evaluations left out.
    """
    latest: dict[tuple[int, MeasureKey, str], Measurement] = {}
    left: dict[MeasureKey, set[tuple[str, str]]] = {}
    for record in records:
        e = record.evaluation
        if e is None or e.model != name:
            continue
        if not record.counts:
            if e.version == candidate and record.problems == [NOT_TRUSTED]:  # said, not counted
                for measured in e.metrics:
                    key = measure_key(e, measured.name)
                    left.setdefault(key, set()).add((record.attester, NOT_TRUSTED_WHY))
            continue
        why = (not_independent or {}).get(record.attester.lower())
        for measured in e.metrics:
            key = measure_key(e, measured.name)
            if e.version == candidate and why is not None:
                left.setdefault(key, set()).add((record.attester, why))
                continue
            found = Measurement(record.attester, measured.value, measured.higher_is_better, record.uid)
            if keep is None or keep(key, found):
                latest[(e.version, key, record.attester.lower())] = found
    return latest, left
