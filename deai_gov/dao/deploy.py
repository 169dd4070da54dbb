"""Deploy the whole DAO (timelock, token, registry, governor) in one call and record where it lives.

Roles are wired exactly once, at the end: the governor becomes the timelock's only proposer and canceller,
anyone may execute a passed and queued proposal, the registry is owned by the timelock, and the deployer
renounces its timelock admin role, so nothing but a vote can change the registry or spend the treasury.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import parsing
from ..chain.client import Chain, PreparedTx, ReadCall, call_many, send
from ..contracts.abi import encode_call, encode_deployment
from ..contracts.artifacts import DAO_CONTRACTS, build_info, bytecode_digests
from ..errors import InputError
from ..units import MAX_UINT256

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

ZERO_ADDRESS = "0x" + "00" * 20
DAY = 86_400
TOKEN = 10**18
#: The timelock roles the deployment wires: the governor proposes and cancels; the deployer gives up its admin role.
ROLES_TO_WIRE = ("PROPOSER_ROLE", "CANCELLER_ROLE", "DEFAULT_ADMIN_ROLE")


@dataclass
class DaoParams:
    """Deployment parameters. Durations are seconds (the token's clock is the block timestamp)."""

    token_name: str = "deai-gov Model Token"
    token_symbol: str = "MDL"
    governor_name: str = "deai-gov Governor"
    voting_delay: int = 1 * DAY
    voting_period: int = 7 * DAY
    #: Votes an account needs to propose, in base units (default 10,000 tokens, 0.1% of the default supply).
    proposal_threshold: int = 10_000 * TOKEN
    #: Percent of the total token supply at the snapshot (treasury included) that must vote for or abstain.
    quorum_percent: int = 4
    #: A proposal that reaches quorum late keeps at least this long to vote.
    late_quorum_extension: int = 2 * DAY
    timelock_delay: int = 2 * DAY
    #: Initial token holders, address -> base units. Empty: the deployer receives `holders_supply`.
    holders: dict[str, int] = field(default_factory=dict)
    holders_supply: int = 6_000_000 * TOKEN
    #: Minted to the timelock: the treasury contributors are rewarded from.
    treasury: int = 4_000_000 * TOKEN
    #: May cancel proposals (governor) and suspend models (registry); None for no guardian.
    guardian: str | None = None
    #: Where evaluations are attested: "auto" (the chain's predeployed Ethereum Attestation Service where there is
    #: one, as on OP-stack chains, else a new one), "deploy" (a new one), the address of an existing EAS, or None for
    #: none. The DAO's evaluation schema is registered with it unless it already is.
    eas: str | None = None

    def validate(self) -> None:
        """Raise InputError on the first parameter the contracts would refuse or that makes no sense."""
        from web3 import Web3

        checks = [
            (0 <= self.voting_delay < 2**48, f"voting delay {self.voting_delay} s is out of range"),
            (0 < self.voting_period < 2**32, f"voting period {self.voting_period} s must be positive (< 2^32)"),
            (0 <= self.quorum_percent <= 100, f"quorum {self.quorum_percent}% must be between 0 and 100"),
            (
                0 <= self.late_quorum_extension <= self.voting_period,
                "the late-quorum extension must be between 0 and the voting period",
            ),
            (0 <= self.timelock_delay < 2**64, "timelock delay is out of range"),
            (0 <= self.proposal_threshold <= MAX_UINT256, "proposal threshold is out of range"),
            (self.treasury >= 0 and all(v >= 0 for v in self.holders.values()), "token amounts must be >= 0"),
            (bool(self.token_name and self.token_symbol and self.governor_name), "names must not be empty"),
        ]
        for ok, message in checks:
            if not ok:
                raise InputError(message)
        if self.eas not in (None, "auto", "deploy") and not Web3.is_checksum_address(str(self.eas)):
            raise InputError(f"EAS {self.eas!r} is not a checksummed address (or auto, deploy)")
        for address in [*self.holders, *([self.guardian] if self.guardian else [])]:
            if not Web3.is_checksum_address(address):
                raise InputError(f"{address!r} is not a checksummed address")
        supply = self.treasury + (sum(self.holders.values()) if self.holders else self.holders_supply)
        if supply >= 2**208:
            raise InputError("total supply exceeds what ERC20Votes can count (2^208 - 1)")


@dataclass
class Deployment:
    """Where a DAO lives and how it was made; saved as JSON for later commands."""

    chain_id: int
    addresses: dict[str, str]
    block: int
    deployer: str
    params: dict[str, Any]
    artifacts: dict[str, str]
    compiler: dict[str, Any]
    deployed_at: str

    @property
    def token(self) -> str:
        return self.addresses["token"]

    @property
    def timelock(self) -> str:
        return self.addresses["timelock"]

    @property
    def governor(self) -> str:
        return self.addresses["governor"]

    @property
    def registry(self) -> str:
        return self.addresses["registry"]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        """Write the record atomically (a crash never leaves half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            data = parsing.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"no deployment record at {path}") from None
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read deployment record {path}: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"{path} is not a deployment record (not a JSON object)")
        required = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
        missing = required - data.keys()
        if missing:
            raise InputError(f"{path} is not a deployment record (missing {', '.join(sorted(missing))})")
        unknown = data.keys() - {f.name for f in fields(cls)}
        if unknown:
            raise InputError(f"{path} has fields this version does not know: {', '.join(sorted(unknown))}")
        if not isinstance(data["addresses"], dict) or not isinstance(data["chain_id"], int):
            raise InputError(f"{path} is not a deployment record (bad chain_id or addresses)")
        return cls(**data)


def deploy_dao(
    chain: Chain,
    deployer: LocalAccount,
    params: DaoParams | None = None,
    *,
    on_step: Callable[[str], None] | None = None,
) -> Deployment:
    """Deploy timelock, token, registry and governor (which names the registry whose guardian it protects), wire the
    roles and return the deployment record.

    Seven transactions from `deployer`: four deployments, then the governor made the timelock's proposer and
    canceller and the deployer's admin role renounced, so afterwards only a vote can change anything. With
    `params.eas`, first the Ethereum Attestation Service evaluations are attested on: deployed (two more) or checked
    at its address, and the evaluation schema registered unless it is (one more).

    Args:
        chain: Where to deploy (`chain.client.connect`).
        deployer: Pays for and signs the deployment; receives the holders' supply when `params.holders` is empty.
        params: Token, voting and timelock settings, initial holders, treasury and guardian; the defaults when None.
        on_step: Called with a line in words before each step (`deploying ModelToken`...), to show progress.

    Returns:
        The deployment record: chain id, addresses, first block, settings, and the compiler and bytecode digests
        it was made with. Save it (`Deployment.save`) for the CLI; `Dao.attach` binds it to a chain.

    Raises:
        InputError: A parameter the contracts would refuse (checked before anything is sent).
        TransactionError: A deployment transaction failed; the contracts deployed before it stay on chain.
        ChainError: The node could not be reached.
    """
    params = params or DaoParams()
    params.validate()
    step = on_step or (lambda _message: None)
    guardian = params.guardian or ZERO_ADDRESS
    first_block = chain.block_number() + 1

    def deploy(name: str, *args: Any) -> str:
        step(f"deploying {name}")
        tx = PreparedTx(None, encode_deployment(name, args), f"deploy {name}")
        return str(send(chain, deployer, tx).receipt["contractAddress"])

    def timelock_call(function: str, *args: Any) -> PreparedTx:
        data = encode_call("TimelockController", function, args)
        return PreparedTx(timelock_address, data, f"timelock.{function}")

    # First: an EAS given by address is checked before anything is deployed.
    attestation = _attestation_service(chain, deployer, params.eas, step) if params.eas is not None else {}
    timelock_address = deploy("TimelockController", params.timelock_delay, [], [ZERO_ADDRESS], deployer.address)
    holders = {a: v for a, v in (params.holders or {deployer.address: params.holders_supply}).items() if v > 0}
    allocation = [*holders.items(), (timelock_address, params.treasury)]
    token_address = deploy(
        "ModelToken",
        params.token_name,
        params.token_symbol,
        [a for a, _ in allocation],
        [v for _, v in allocation],
        timelock_address,  # the merit minter: merit is minted by a vote only
    )
    registry_address = deploy("ModelRegistry", timelock_address, guardian)
    vote_settings = (
        params.voting_delay,
        params.voting_period,
        params.proposal_threshold,
        params.quorum_percent,
        params.late_quorum_extension,
    )
    governor_address = deploy(
        "ModelGovernor",
        params.governor_name,
        token_address,
        timelock_address,
        vote_settings,
        guardian,
        registry_address,
    )

    proposer_role, canceller_role, admin_role = call_many(
        chain,
        [ReadCall(timelock_address, "TimelockController", role) for role in ROLES_TO_WIRE],
    )
    step("granting the governor the proposer and canceller roles")
    send(chain, deployer, timelock_call("grantRole", proposer_role, governor_address))
    send(chain, deployer, timelock_call("grantRole", canceller_role, governor_address))
    step("renouncing the deployer's timelock admin role")
    send(chain, deployer, timelock_call("renounceRole", admin_role, deployer.address))

    addresses = {
        "token": token_address,
        "timelock": timelock_address,
        "governor": governor_address,
        "registry": registry_address,
    }
    addresses |= attestation

    params_record = asdict(params)
    params_record["holders"] = {a: str(v) for a, v in holders.items()}
    for key in ("proposal_threshold", "holders_supply", "treasury"):
        params_record[key] = str(params_record[key])  # JSON readers lose precision on large integers
    return Deployment(
        chain_id=chain.chain_id,
        addresses=addresses,
        block=first_block,
        deployer=deployer.address,
        params=params_record,
        artifacts={name: digest for name, digest in bytecode_digests().items() if name in DAO_CONTRACTS},
        compiler=build_info(),
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _attestation_service(chain: Chain, deployer: LocalAccount, eas: str, step: Callable[[str], None]) -> dict[str, str]:
    """The EAS evaluations are attested on (deployed, or the one at `eas`), the evaluation schema and the off-chain
    anchor schema registered with it unless they already are (a UID is fixed by the schema's text: whoever registered
    it first, it is the same schema)."""
    from ..merit import eas as service
    from ..merit.evaluation import EVALUATION_SCHEMA
    from ..merit.offchain import ANCHOR_SCHEMA

    if eas == "auto" and chain.request("eth_getCode", [service.OP_STACK_EAS, "latest"]) not in ("0x", "", None):
        eas = service.OP_STACK_EAS
    if eas in ("auto", "deploy"):
        step("deploying the Ethereum Attestation Service (SchemaRegistry, EAS)")
        contracts = service.deploy_eas(chain, deployer)
    else:
        step(f"using the Ethereum Attestation Service at {eas}")
        contracts = service.attach_eas(chain, eas)
    for schema, what in ((EVALUATION_SCHEMA, "evaluation"), (ANCHOR_SCHEMA, "off-chain anchor")):
        if not service.is_registered(chain, contracts, service.schema_uid(schema)):
            step(f"registering the {what} schema")
            send(chain, deployer, service.register_schema(contracts, schema))
    return {"eas": contracts.eas, "schema_registry": contracts.schema_registry}
