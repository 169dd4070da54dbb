"""A deployed DAO: the four contracts bound to a chain, checked against the deployment record, and the ways to
talk to them (a `ReadCall`, a proposal `Action`, a `PreparedTx`), plus its settings read in one batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .actions import Action
from .chain import Chain, PreparedTx, ReadCall, call_many, read
from .deploy import Deployment
from .errors import InputError, RpcError

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

    @classmethod
    def attach(cls, chain: Chain, deployment: Deployment) -> Dao:
        """Bind `deployment` to `chain`; refuse a record made for another chain or with no code behind it."""
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
        return cls(chain, deployment)

    def address(self, role: str) -> str:
        """The checksummed address of `role` (token, timelock, governor, registry)."""
        from .names import checksum

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
        from .abi import encode_call

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
    ]
    values = dict(zip((name for name, _ in names), dao.read_many([call for _, call in names]), strict=True))
    return DaoSettings(chain_id=dao.chain.chain_id, addresses=dict(dao.deployment.addresses), **values)
