"""A deployed DAO: the four contracts bound to a chain, checked against the deployment record, and the ways to
talk to them (a `ReadCall`, a proposal `Action`, a `PreparedTx`), plus its settings read in one batch."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..chain.client import Chain, PreparedTx, ReadCall, call_many, read
from ..chain.logs import iter_logs
from ..contracts.abi import encode_call
from ..contracts.artifacts import artifact
from ..errors import InputError, RpcError, TransactionError
from ..names import checksum
from .actions import Action, Proposal
from .deploy import ZERO_ADDRESS, Deployment

if TYPE_CHECKING:
    from ..merit.eas import EasContracts

#: The contract each role of a deployment record names.
CONTRACT_OF_ROLE = {
    "token": "ModelToken",
    "timelock": "TimelockController",
    "governor": "ModelGovernor",
    "registry": "ModelRegistry",
}


@dataclass
class Dao:
    """One deployment on one chain. Contracts are named by their role (token, timelock, governor, registry);
    calls are encoded from the shipped ABIs, so reading never needs web3."""

    chain: Chain
    deployment: Deployment
    #: Proposals this object has read back from their logs, by id: (proposal, proposer, block). Contents never
    #: change once proposed, but a reorganisation could give a sequential id to other contents, so an entry is used
    #: only after the governor confirms id <-> contents (`governance.get_proposal`).
    proposals_read: dict[int, tuple[Proposal, str, int]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def attach(cls, chain: Chain, deployment: Deployment, *, custom: bool = False) -> Dao:
        """Bind `deployment` to `chain`; refuse a record made for another chain or with no code behind it, and
        (unless `custom`, for a deployment this package did not make) one whose contracts are not the package's
        or are not wired as a DAO: see `check_wiring`."""
        from eth_utils import is_address

        if chain.chain_id != deployment.chain_id:
            raise InputError(
                f"the deployment record is for chain id {deployment.chain_id}, but the node is chain id "
                f"{chain.chain_id}"
            )
        addresses = {}
        for role in CONTRACT_OF_ROLE:
            address = deployment.addresses.get(role)
            if not isinstance(address, str) or not is_address(address):
                raise InputError(f"the deployment record's {role} address {address!r} is not an address")
            addresses[role] = address
        codes = chain.batch([("eth_getCode", [address, "latest"]) for address in addresses.values()])
        for (role, address), code in zip(addresses.items(), codes, strict=True):
            if isinstance(code, RpcError):
                raise code
            if not code or code in ("0x", b""):
                raise InputError(f"no contract at the {role} address {address} on chain {chain.chain_id}")
        dao = cls(chain, deployment)
        if not custom:
            failed = [c for c in check_wiring(dao, codes=dict(zip(addresses, codes, strict=True))) if not c.ok]
            if failed:
                raise InputError(
                    f"the deployment record does not describe a DAO this package deployed: {failed[0].detail} "
                    f"({len(failed)} check{'s' if len(failed) > 1 else ''} failed; `dao verify` lists them; "
                    "--custom-deployment to use it anyway)"
                )
        return dao

    @property
    def records_attestation_service(self) -> bool:
        """Whether the deployment record names where evaluations are attested (deployments before them do not)."""
        addresses = self.deployment.addresses
        return isinstance(addresses.get("eas"), str) and isinstance(addresses.get("schema_registry"), str)

    def attestation_service(self) -> EasContracts:
        """Where this DAO's evaluations are attested (InputError for a deployment without one)."""
        from ..merit.eas import EasContracts

        if not self.records_attestation_service:
            raise InputError(
                "this DAO's deployment record names no attestation service (EAS): it was deployed without one",
                hint="deploy with `dao deploy --eas deploy` (or --eas ADDRESS of an existing EAS)",
            )
        addresses = self.deployment.addresses
        return EasContracts(checksum(addresses["eas"]), checksum(addresses["schema_registry"]))

    def address(self, role: str) -> str:
        """The checksummed address of `role` (token, timelock, governor, registry)."""

        return checksum(str(self.deployment.addresses[role]))

    def call(self, role: str, function: str, *args: Any) -> ReadCall:
        """A read-only call of `function` on the contract playing `role`."""
        return ReadCall(self.address(role), CONTRACT_OF_ROLE[role], function, args)

    def read(self, role: str, function: str, *args: Any) -> Any:
        """What `function` of the contract playing `role` returns now (a revert raises its decoded error)."""
        return read(self.chain, self.call(role, function, *args))

    def read_many(self, calls: list[ReadCall]) -> list[Any]:
        """The results of many read-only calls, in one JSON-RPC batch."""
        return call_many(self.chain, calls)

    def calldata(self, role: str, function: str, *args: Any) -> bytes:
        """The calldata of `function(*args)` on the contract playing `role`."""

        return encode_call(CONTRACT_OF_ROLE[role], function, args)

    def action(self, role: str, function: str, *args: Any, value: int = 0) -> Action:
        """A call the timelock makes when a proposal executes."""
        return Action(self.address(role), value, self.calldata(role, function, *args))

    def prepare(
        self,
        role: str,
        function: str,
        args: tuple[Any, ...],
        description: str,
        *,
        read_outcome: Callable[[Any], Any] | None = None,
    ) -> PreparedTx:
        """A transaction calling `function(*args)` on the contract playing `role`, described in words."""
        return PreparedTx(self.address(role), self.calldata(role, function, *args), description, 0, read_outcome)


@dataclass(frozen=True)
class DaoSettings:
    """The DAO's parameters and counters as they stand now (what `deai-gov dao info` prints)."""

    chain_id: int
    addresses: dict[str, str]
    token_name: str
    token_symbol: str
    total_supply: int
    voting_delay: int
    voting_period: int
    proposal_threshold: int
    quorum_percent: int
    quorum_now: int
    late_quorum_extension: int
    timelock_delay: int
    treasury: int
    proposal_guardian: str
    registry_guardian: str
    models: int
    proposals: int
    total_merit: int = 0
    evaluators: tuple[str, ...] = ()
    #: The adopted reward policy's SHA-256 and location, or None before one is adopted.
    reward_policy: tuple[bytes, str] | None = None
    #: Where the DAO describes itself (EIP-4824's daoURI), a chain string; empty before the DAO votes one.
    dao_uri: str = ""

    def to_json(self) -> dict[str, Any]:
        """Token amounts as strings of base units, durations in seconds (`_s`)."""
        return {
            "chain_id": self.chain_id,
            "addresses": self.addresses,
            "token": {"name": self.token_name, "symbol": self.token_symbol, "total_supply": str(self.total_supply)},
            "voting_delay_s": self.voting_delay,
            "voting_period_s": self.voting_period,
            "proposal_threshold": str(self.proposal_threshold),
            "quorum_percent": self.quorum_percent,
            "quorum_now": str(self.quorum_now),
            "late_quorum_extension_s": self.late_quorum_extension,
            "timelock_delay_s": self.timelock_delay,
            "treasury": str(self.treasury),
            "proposal_guardian": self.proposal_guardian,
            "registry_guardian": self.registry_guardian,
            "models": self.models,
            "proposals": self.proposals,
            "total_merit": str(self.total_merit),
            "evaluators": list(self.evaluators),
            "reward_policy": (
                {"digest": "0x" + self.reward_policy[0].hex(), "uri": self.reward_policy[1]}
                if self.reward_policy
                else None
            ),
            "dao_uri": self.dao_uri or None,
        }


def read_settings(dao: Dao) -> DaoSettings:
    """Every parameter of the DAO, read in one JSON-RPC batch (two round trips: the clock, then the rest)."""
    clock = int(dao.read("governor", "clock"))
    names = [
        ("token_name", dao.call("token", "name")),
        ("token_symbol", dao.call("token", "symbol")),
        ("total_supply", dao.call("token", "totalSupply")),
        ("voting_delay", dao.call("governor", "votingDelay")),
        ("voting_period", dao.call("governor", "votingPeriod")),
        ("proposal_threshold", dao.call("governor", "proposalThreshold")),
        ("quorum_percent", dao.call("governor", "quorumNumerator")),
        ("quorum_now", dao.call("governor", "quorum", clock - 1)),
        ("late_quorum_extension", dao.call("governor", "lateQuorumVoteExtension")),
        ("timelock_delay", dao.call("timelock", "getMinDelay")),
        ("treasury", dao.call("token", "balanceOf", dao.address("timelock"))),
        ("proposal_guardian", dao.call("governor", "proposalGuardian")),
        ("registry_guardian", dao.call("registry", "guardian")),
        ("models", dao.call("registry", "modelCount")),
        ("proposals", dao.call("governor", "latestProposalId")),
        ("total_merit", dao.call("token", "totalMerit")),
        ("evaluators", dao.call("registry", "evaluators")),
        ("reward_policy", dao.call("registry", "rewardPolicy")),
        ("dao_uri", dao.call("registry", "daoURI")),
    ]
    values = dict(zip((name for name, _ in names), dao.read_many([call for _, call in names]), strict=True))
    values["evaluators"] = tuple(sorted(str(a) for a in values["evaluators"]))
    digest, uri = values["reward_policy"]
    values["reward_policy"] = (bytes(digest), str(uri)) if bytes(digest) != bytes(32) else None
    return DaoSettings(chain_id=dao.chain.chain_id, addresses=dict(dao.deployment.addresses), **values)


@dataclass(frozen=True)
class WiringCheck:
    """One property of a deployment, checked on chain."""

    what: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"check": self.what, "ok": self.ok, "detail": self.detail}


@functools.cache
def timelock_roles() -> dict[str, bytes]:
    """The TimelockController's roles by name, with their ids (keccak256 of the name; the admin role is zero)."""
    from eth_utils import keccak

    names = ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE")
    return {**{name: keccak(text=name) for name in names}, "DEFAULT_ADMIN_ROLE": bytes(32)}


def same_code(deployed: bytes, shipped: bytes) -> bool:
    """Whether runtime code `deployed` is the shipped runtime code: equal except in the 32-byte slots the compiler
    leaves zero for immutables (set by the constructor) and in the trailing CBOR metadata (it hashes the sources,
    comments included)."""
    if len(deployed) != len(shipped):
        return False
    body = len(shipped) - (int.from_bytes(shipped[-2:], "big") + 2 if len(shipped) >= 2 else 0)
    if deployed[:body] == shipped[:body]:
        return True
    for index in (i for i, (a, b) in enumerate(zip(deployed[:body], shipped[:body], strict=True)) if a != b):
        start = end = index
        while start > 0 and shipped[start - 1] == 0:
            start -= 1
        while end < body and shipped[end] == 0:
            end += 1
        if shipped[index] != 0 or end - start < 32:  # not inside an immutable's 32-byte zero placeholder
            return False
    return True


def check_wiring(dao: Dao, *, codes: dict[str, Any] | None = None, roles_from_logs: bool = False) -> list[WiringCheck]:
    """Whether the DAO is what `deploy_dao` makes: the package's contract code at every address, the registry owned
    by the timelock, the governor bound to this token, timelock and registry, the governor proposer and canceller,
    execution open to anyone, and no timelock admin but the timelock itself (the deployer renounced). With
    `roles_from_logs`, every holder of every timelock role is also listed from the timelock's RoleGranted/RoleRevoked
    logs, so a proposer or canceller added besides the governor is found too (the CLI's `dao verify`)."""

    checks: list[WiringCheck] = []
    if codes is None:
        answers = dao.chain.batch([("eth_getCode", [dao.address(role), "latest"]) for role in CONTRACT_OF_ROLE])
        codes = dict(zip(CONTRACT_OF_ROLE, answers, strict=True))
    for role, contract in CONTRACT_OF_ROLE.items():
        code = codes[role]
        deployed = bytes.fromhex(str(code).removeprefix("0x")) if isinstance(code, str) else b""
        shipped = bytes.fromhex(artifact(contract).deployed_bytecode.removeprefix("0x"))
        ok = same_code(deployed, shipped)
        detail = f"the {role} runs the package's {contract}" if ok else f"the {role} is not the package's {contract}"
        checks.append(WiringCheck(f"{role} code", ok, detail))
    timelock, governor, token = dao.address("timelock"), dao.address("governor"), dao.address("token")
    registry = dao.address("registry")
    role_id = timelock_roles()
    expected_roles = [
        ("PROPOSER_ROLE", governor, True),
        ("CANCELLER_ROLE", governor, True),
        ("EXECUTOR_ROLE", ZERO_ADDRESS, True),  # the zero address holding it opens execution to anyone
        ("DEFAULT_ADMIN_ROLE", timelock, True),
        ("DEFAULT_ADMIN_ROLE", dao.deployment.deployer, False),  # renounced at the end of the deployment
    ]
    calls = [
        dao.call("registry", "owner"),
        dao.call("governor", "token"),
        dao.call("governor", "timelock"),
        dao.call("governor", "modelRegistry"),
        *(dao.call("timelock", "hasRole", role_id[name], holder) for name, holder, _ in expected_roles),
    ]
    try:
        owner, governor_token, governor_timelock, governor_registry, *holds = dao.read_many(calls)
    except TransactionError as exc:
        return [*checks, WiringCheck("contract interfaces", False, f"a wiring read reverted: {exc}")]
    checks += [
        WiringCheck("registry owner", owner == timelock, f"the registry's owner is {owner} (the timelock: {timelock})"),
        WiringCheck("governor token", governor_token == token, f"the governor counts votes of {governor_token}"),
        WiringCheck(
            "governor timelock", governor_timelock == timelock, f"the governor executes through {governor_timelock}"
        ),
        WiringCheck(
            "governor registry",
            governor_registry == registry,
            f"the governor keeps its proposal guardian from vetoing a change of {governor_registry}'s guardian",
        ),
    ]
    for (name, holder, wanted), held in zip(expected_roles, holds, strict=True):
        who = "anyone" if holder == ZERO_ADDRESS else holder
        words = f"{who} {'holds' if held else 'does not hold'} the timelock's {name}"
        what = f"timelock {name}" if wanted else "deployer's admin role renounced"
        checks.append(WiringCheck(what, bool(held) == wanted, words))
    if roles_from_logs:
        checks += _role_holders(dao, role_id, {"PROPOSER_ROLE": {governor}, "CANCELLER_ROLE": {governor}})
        checks += _guardians(dao)
    return checks


def _guardians(dao: Dao) -> list[WiringCheck]:
    """Who the guardians are (`guardian_words`). Informational: any of them is a valid deployment."""
    proposals, registry = dao.read_many([dao.call("governor", "proposalGuardian"), dao.call("registry", "guardian")])
    return [
        WiringCheck(what, True, guardian_words(dao.chain, guardian))
        for what, guardian in (("proposal guardian", proposals), ("registry guardian", registry))
    ]


def guardian_words(chain: Chain, guardian: str | None) -> str:
    """A guardian in words: nobody, one key, a Safe multisig (its owners and threshold, as the Safe says now) or
    another contract."""
    from ..safe.transaction import safe_state

    if guardian is None or guardian == ZERO_ADDRESS:
        return "none: only the proposer cancels, only a vote suspends"
    if not chain.w3.eth.get_code(guardian):  # type: ignore[arg-type]
        return f"{guardian}, an account with one key (a multisig is safer)"
    try:
        state = safe_state(chain, guardian)
    except InputError:
        return f"{guardian}, a contract that is not a Safe (what it allows is its own code's)"
    owners = ", ".join(state.owners)
    return f"{guardian}, a Safe multisig: {state.threshold} of {len(state.owners)} owners sign ({owners})"


def _role_holders(dao: Dao, role_id: dict[str, bytes], only: dict[str, set[str]]) -> list[WiringCheck]:
    """Every current holder of the roles in `only`, from the timelock's role logs, against who alone should hold it."""

    events: list[tuple[int, int, str, bytes, str]] = []
    for event in ("RoleGranted", "RoleRevoked"):
        for log in iter_logs(
            dao.chain, "TimelockController", dao.address("timelock"), event, from_block=dao.deployment.block
        ):
            events.append((log.block, log.log_index, event, bytes(log.args["role"]), str(log.args["account"])))
    holders: dict[bytes, set[str]] = {}
    for _, _, event, role, account in sorted(events):
        if event == "RoleGranted":
            holders.setdefault(role, set()).add(account)
        else:
            holders.setdefault(role, set()).discard(account)
    checks = []
    for name, expected in only.items():
        found = holders.get(role_id[name], set())
        checks.append(
            WiringCheck(
                f"timelock {name} holders",
                found == expected,
                f"the timelock's {name} is held by {', '.join(sorted(found)) or 'nobody'}",
            )
        )
    return checks
