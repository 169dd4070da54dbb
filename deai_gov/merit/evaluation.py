"""An evaluation of a model version, as the data of an EAS attestation under the DAO's evaluation schema, and the
checks that decide whether an attestation says anything about the version a voter is shown.

An evaluation records the model and version, the artifact CID it ran on, the DAO's registry (so an attestation made
for another DAO never counts here), the benchmark (name, version, the data set's CID, the harness's digest), each
metric (name, value, which direction is better) and the CID of the outputs and logs anyone can audit. Values are
fixed-point integers with 18 decimals (`0.875` is 875000000000000000): no float crosses the chain.

Attestation data comes from anyone: `Evaluation.decode` refuses in one sentence what is malformed (arrays of
different lengths, too many metrics, names too long, a model name or CID that is not one) instead of showing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import InputError
from ..names import checksum, checksum_address, validate_model_name
from ..units import format_fixed

#: The schema the DAO registers with EAS (no resolver, revocable): field names are part of its UID.
EVALUATION_SCHEMA = (
    "string model,uint32 version,string artifactCid,address registry,string benchmark,string benchmarkVersion,"
    "string datasetCid,bytes32 harnessDigest,string[] metrics,int256[] values,bool[] higherIsBetter,"
    "string outputsCid"
)
_TYPES = [
    "string", "uint32", "string", "address", "string", "string", "string", "bytes32", "string[]", "int256[]",
    "bool[]", "string",
]  # fmt: skip
#: Metric values are fixed-point integers with this many decimals.
METRIC_DECIMALS = 18
#: Bounds on what an attestation may carry: more is refused unread (a megabyte of metrics shows nothing useful).
MAX_METRICS = 64
MAX_TEXT = 200
MAX_DATA = 64 * 1024


def short_text(value: Any) -> bool:
    """Whether `value` is a name an evaluation, benchmark or policy may carry: printable text of 1 to MAX_TEXT
    characters (no terminal escapes, no line breaks)."""
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT and value.isprintable()


@dataclass(frozen=True)
class Metric:
    """One measured value: `value` in units of 10**-18 (fixed point), and which direction is better."""

    name: str
    value: int
    higher_is_better: bool

    @property
    def shown(self) -> str:
        """The value as people write it: `0.875`, `12`, `-3.5`."""
        return format_fixed(self.value)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.shown, "value_units": str(self.value),
                "higher_is_better": self.higher_is_better}  # fmt: skip


def parse_metric_value(text: str | int | float) -> int:
    """A metric value from text (`0.875`, `12`, `-3.5e-2`) as a fixed-point integer; InputError for NaN, infinity
    or more than 18 decimals."""
    try:
        number = Decimal(str(text).strip())
    except InvalidOperation:
        raise InputError(f"metric value {text!r} is not a number") from None
    if not number.is_finite():
        raise InputError(f"metric value {text!r} is not a finite number")
    scaled = number.scaleb(METRIC_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise InputError(f"metric value {text!r} has more than {METRIC_DECIMALS} decimals")
    value = int(scaled)
    if abs(value) >= 2**255:
        raise InputError(f"metric value {text!r} is out of range")
    return value


@dataclass(frozen=True)
class Evaluation:
    """What an evaluator measured on one version of a model."""

    model: str
    version: int
    artifact_cid: str
    registry: str
    benchmark: str
    benchmark_version: str
    dataset_cid: str
    harness_digest: bytes
    metrics: tuple[Metric, ...]
    outputs_cid: str

    def encode(self) -> bytes:
        """The attestation data: `abi.encode` of the schema's fields, in order."""
        from eth_abi import encode

        self.check()
        return encode(
            _TYPES,
            [
                self.model,
                self.version,
                self.artifact_cid,
                self.registry,
                self.benchmark,
                self.benchmark_version,
                self.dataset_cid,
                self.harness_digest,
                [m.name for m in self.metrics],
                [m.value for m in self.metrics],
                [m.higher_is_better for m in self.metrics],
                self.outputs_cid,
            ],
        )

    @classmethod
    def decode(cls, data: bytes) -> Evaluation:
        """The evaluation in attestation data; InputError, in one sentence, for data that is not a well-formed one."""
        from ..contracts.abi import decode_values

        if len(data) > MAX_DATA:
            raise InputError(f"the evaluation data is {len(data):,} bytes; more than {MAX_DATA:,} is refused unread")
        try:
            values = decode_values(_TYPES, bytes(data))
        except Exception:  # eth_abi's DecodingError and the rest: hostile bytes
            raise InputError("the attestation's data is not an evaluation under this schema") from None
        names, numbers, directions = values[8], values[9], values[10]
        if not (len(names) == len(numbers) == len(directions)):
            raise InputError(
                f"the evaluation names {len(names)} metrics with {len(numbers)} values and {len(directions)} directions"
            )
        found = cls(
            str(values[0]),
            int(values[1]),
            str(values[2]),
            checksum(str(values[3])),
            str(values[4]),
            str(values[5]),
            str(values[6]),
            bytes(values[7]),
            tuple(Metric(str(n), int(v), bool(d)) for n, v, d in zip(names, numbers, directions, strict=True)),
            str(values[11]),
        )
        found.check()
        return found

    def check(self) -> None:
        """InputError unless every field is well formed: a model name, a version from 1, CIDs, an address, short
        printable texts, 1 to 64 distinct metric names."""
        from ..ipfs.blockcid import from_text

        validate_model_name(self.model)
        if self.version < 1:
            raise InputError(f"evaluation of {self.model} v{self.version}: versions count from 1")
        for what, cid, optional in (
            ("artifact", self.artifact_cid, False),
            ("data set", self.dataset_cid, True),
            ("outputs", self.outputs_cid, True),
        ):
            if optional and not cid:
                continue
            try:
                from_text(cid)
            except (InputError, ValueError):
                raise InputError(f"the evaluation's {what} CID {cid[:80]!r} is not a CID") from None
        checksum_address(self.registry, "the evaluation's registry")
        if len(self.harness_digest) != 32:
            raise InputError("the evaluation's harness digest is not 32 bytes")
        texts = [("benchmark", self.benchmark), ("benchmark version", self.benchmark_version)]
        texts += [("metric name", m.name) for m in self.metrics]
        for what, text in texts:
            if not short_text(text):
                raise InputError(
                    f"the evaluation's {what} {text[:80]!r} is empty, longer than {MAX_TEXT} or unprintable"
                )
        if not 1 <= len(self.metrics) <= MAX_METRICS:
            raise InputError(f"an evaluation holds 1 to {MAX_METRICS} metrics, not {len(self.metrics)}")
        names = [m.name for m in self.metrics]
        if len(set(names)) != len(names):
            raise InputError("the evaluation names a metric twice")

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "version": self.version,
            "artifact_cid": self.artifact_cid,
            "registry": self.registry,
            "benchmark": self.benchmark,
            "benchmark_version": self.benchmark_version,
            "dataset_cid": self.dataset_cid,
            "harness_digest": "0x" + self.harness_digest.hex(),
            "metrics": [m.to_json() for m in self.metrics],
            "outputs_cid": self.outputs_cid,
        }


def binding_problems(
    attestation: Any, evaluation: Evaluation, *, schema: bytes, registry: str, artifact_cid: str, now: int
) -> list[str]:
    """Why an attestation says nothing about the version in question, each in words ([] when it does): another
    schema, another DAO's registry, another artifact, revoked, expired, or dated after `now` (the chain's time).

    Args:
        attestation: The `eas.Attestation` as EAS records it.
        evaluation: Its data, decoded (`Evaluation.decode`).
        schema: The DAO's evaluation schema UID.
        registry: The DAO's registry address.
        artifact_cid: The version's artifact CID, as the registry records it.
        now: The chain's time: the cut-off for revocation, expiry and dating.
    """
    from ..ipfs.blockcid import from_text

    problems = []
    if attestation.schema != schema:
        problems.append(f"made under another schema (0x{attestation.schema.hex()[:16]}…)")
    if evaluation.registry.lower() != registry.lower():
        problems.append(f"made for another DAO (registry {evaluation.registry})")
    if from_text(evaluation.artifact_cid) != from_text(artifact_cid):
        problems.append(f"made on another artifact ({evaluation.artifact_cid})")
    if attestation.revocation_time and attestation.revocation_time <= now:
        problems.append("revoked by its evaluator")
    if attestation.expiration_time and attestation.expiration_time <= now:
        problems.append("expired")
    if attestation.time > now:
        problems.append("dated in the future")
    return problems
