"""A deployed DAO: the four contracts bound to a chain, checked against the deployment record."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .chain import Chain
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
    """One deployment on one chain. The web3 contract handles (`token`, `timelock`, `governor`, `registry`) are
    made on first use, so a command that only reads through `address()` never imports web3."""

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

    def _contract(self, role: str) -> Any:
        return self.chain.contract(CONTRACT_OF_ROLE[role], self.address(role))

    @cached_property
    def token(self) -> Any:
        return self._contract("token")

    @cached_property
    def timelock(self) -> Any:
        return self._contract("timelock")

    @cached_property
    def governor(self) -> Any:
        return self._contract("governor")

    @cached_property
    def registry(self) -> Any:
        return self._contract("registry")
