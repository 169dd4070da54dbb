"""The Ethereum Attestation Service on a chain: deployed where a chain has none, a schema registered, attestations
made, revoked and read. The contracts are EAS's own, from their npm package (`@ethereum-attestation-service/
eas-contracts` 1.9.0, whose `version()` is 1.4.0); OP-stack chains have them predeployed, and any chain that has
them is used as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..chain.client import Chain, PreparedTx, ReadCall, call_many, read, send
from ..chain.logs import logs_in_receipt
from ..contracts.abi import encode_call, encode_deployment
from ..errors import InputError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

ZERO_ADDRESS = "0x" + "00" * 20
#: Where OP-stack chains (Optimism, Base...) predeploy EAS.
OP_STACK_EAS = "0x4200000000000000000000000000000000000021"
ZERO_UID = b"\x00" * 32


@dataclass(frozen=True)
class EasContracts:
    """Where EAS lives on a chain: the attestation contract and its schema registry."""

    eas: str
    schema_registry: str

    def to_json(self) -> dict[str, Any]:
        return {"eas": self.eas, "schema_registry": self.schema_registry}


def deploy_eas(chain: Chain, deployer: LocalAccount) -> EasContracts:
    """Deploy a SchemaRegistry and an EAS using it, from the shipped npm artifacts."""

    def deploy(name: str, *args: Any) -> str:
        tx = PreparedTx(None, encode_deployment(name, args), f"deploy {name}")
        return str(send(chain, deployer, tx).receipt["contractAddress"])

    registry = deploy("SchemaRegistry")
    return EasContracts(deploy("EAS", registry), registry)


def attach_eas(chain: Chain, eas: str) -> EasContracts:
    """The EAS at `eas`, with the schema registry it uses (InputError when `eas` holds no EAS)."""
    from ..names import checksum_address

    address = checksum_address(eas, "EAS address")
    code = chain.request("eth_getCode", [address, "latest"])
    if code in ("0x", "", None):
        raise InputError(f"no contract at {address}: not an EAS on chain {chain.chain_id}")
    try:
        registry = str(read(chain, ReadCall(address, "EAS", "getSchemaRegistry")))
    except Exception:  # a contract without that function: not EAS
        raise InputError(f"{address} is not an EAS contract (it has no schema registry)") from None
    return EasContracts(address, registry)


def eas_version(chain: Chain, contracts: EasContracts) -> str:
    """The EAS contract's own `version()` (the off-chain attestations' EIP-712 domain version)."""
    return str(read(chain, ReadCall(contracts.eas, "EAS", "version")))


def schema_uid(schema: str, resolver: str = ZERO_ADDRESS, revocable: bool = True) -> bytes:
    """The UID the SchemaRegistry gives a schema: keccak256 of `abi.encodePacked(schema, resolver, revocable)`."""
    from eth_utils import keccak

    return keccak(schema.encode() + bytes.fromhex(resolver.removeprefix("0x")) + bytes([revocable]))


def is_registered(chain: Chain, contracts: EasContracts, uid: bytes) -> bool:
    """Whether the schema `uid` is registered (the registry returns an empty record for an unknown UID)."""
    record = read(chain, ReadCall(contracts.schema_registry, "SchemaRegistry", "getSchema", (uid,)))
    return bytes(record[0]) == uid


def register_schema(
    contracts: EasContracts, schema: str, resolver: str = ZERO_ADDRESS, revocable: bool = True
) -> PreparedTx:
    """Register `schema` (no resolver, revocable by default); its outcome is the schema's UID."""
    data = encode_call("SchemaRegistry", "register", (schema, resolver, revocable))
    uid = schema_uid(schema, resolver, revocable)
    description = f"register the schema {schema!r}" if len(schema) <= 60 else f"register a schema (0x{uid.hex()[:16]}…)"
    return PreparedTx(contracts.schema_registry, data, description, read_outcome=lambda _r: uid)


def attest(
    contracts: EasContracts,
    schema: bytes,
    data: bytes,
    *,
    recipient: str = ZERO_ADDRESS,
    expiration_time: int = 0,
    revocable: bool = True,
    ref_uid: bytes = ZERO_UID,
) -> PreparedTx:
    """An on-chain attestation of `data` under schema `schema`; its outcome is the attestation's UID (from the
    `Attested` event the EAS itself emitted)."""
    request = (schema, (recipient, expiration_time, revocable, ref_uid, data, 0))
    calldata = encode_call("EAS", "attest", (request,))
    return PreparedTx(
        contracts.eas, calldata, "attest an evaluation", read_outcome=lambda receipt: attested_uid(contracts, receipt)
    )


def attested_uid(contracts: EasContracts, receipt: Any) -> bytes:
    """The UID of the attestation a mined `attest` made, from the `Attested` event the EAS itself emitted."""
    [attested] = logs_in_receipt(receipt, "EAS", contracts.eas, "Attested")
    return bytes(attested["uid"])


def revoke(contracts: EasContracts, schema: bytes, uid: bytes) -> PreparedTx:
    """Revoke attestation `uid` (only its attester can)."""
    calldata = encode_call("EAS", "revoke", ((schema, (uid, 0)),))
    return PreparedTx(contracts.eas, calldata, f"revoke attestation 0x{uid.hex()}")


@dataclass(frozen=True)
class Attestation:
    """An on-chain attestation as the EAS contract records it."""

    uid: bytes
    schema: bytes
    time: int
    expiration_time: int
    revocation_time: int
    ref_uid: bytes
    recipient: str
    attester: str
    revocable: bool
    data: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": "0x" + self.uid.hex(),
            "schema": "0x" + self.schema.hex(),
            "time": self.time,
            "expiration_time": self.expiration_time,
            "revocation_time": self.revocation_time,
            "attester": self.attester,
            "recipient": self.recipient,
        }


def get_attestation(chain: Chain, contracts: EasContracts, uid: bytes) -> Attestation | None:
    """The attestation `uid`, or None when EAS has none by that UID."""
    return get_attestations(chain, contracts, [uid])[0]


def get_attestations(chain: Chain, contracts: EasContracts, uids: list[bytes]) -> list[Attestation | None]:
    """Each attestation of `uids` (None where EAS has none by that UID), read in one JSON-RPC batch."""
    found = call_many(chain, [ReadCall(contracts.eas, "EAS", "getAttestation", (uid,)) for uid in uids])
    return [_attestation(record) for record in found]


def _attestation(record: Any) -> Attestation | None:
    if bytes(record[0]) == ZERO_UID:
        return None
    uid, schema, time, expiration, revocation, ref, recipient, attester, revocable, data = record
    return Attestation(
        bytes(uid), bytes(schema), int(time), int(expiration), int(revocation), bytes(ref), str(recipient),
        str(attester), bool(revocable), bytes(data),
    )  # fmt: skip


def timestamp(contracts: EasContracts, data: bytes) -> PreparedTx:
    """Have EAS record the time it first saw `data` (an off-chain attestation's UID): `getTimestamp` reads it back."""
    return PreparedTx(contracts.eas, encode_call("EAS", "timestamp", (data,)), f"timestamp 0x{data.hex()[:16]}…")


def revoke_offchain(contracts: EasContracts, uid: bytes) -> PreparedTx:
    """Revoke the off-chain attestation `uid`, as its attester (EAS records who revoked what, and when)."""
    calldata = encode_call("EAS", "revokeOffchain", (uid,))
    return PreparedTx(contracts.eas, calldata, f"revoke off-chain attestation 0x{uid.hex()}")


def offchain_times(chain: Chain, contracts: EasContracts, pairs: list[tuple[str, bytes]]) -> list[tuple[int, int]]:
    """For each (attester, off-chain UID): when EAS first timestamped the UID and when that attester revoked it (0
    for never), read in one JSON-RPC batch."""
    calls = []
    for attester, uid in pairs:
        calls.append(ReadCall(contracts.eas, "EAS", "getTimestamp", (uid,)))
        calls.append(ReadCall(contracts.eas, "EAS", "getRevokeOffchain", (attester, uid)))
    found = [int(value) for value in call_many(chain, calls)] if calls else []
    return list(zip(found[0::2], found[1::2], strict=True))
