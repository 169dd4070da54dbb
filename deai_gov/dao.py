"""A deployed DAO: the four contracts bound to a chain, checked against the deployment record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .chain import Chain
from .deploy import Deployment
from .errors import InputError


@dataclass
class Dao:
    """Contract handles of one deployment."""

    chain: Chain
    deployment: Deployment
    token: Any
    timelock: Any
    governor: Any
    registry: Any

    @classmethod
    def attach(cls, chain: Chain, deployment: Deployment) -> Dao:
        """Bind `deployment` to `chain`; refuse a record made for another chain or with no code behind it."""
        if chain.chain_id != deployment.chain_id:
            raise InputError(
                f"the deployment record is for chain id {deployment.chain_id}, but the node is chain id "
                f"{chain.chain_id}"
            )
        names = {
            "token": "ModelToken",
            "timelock": "TimelockController",
            "governor": "ModelGovernor",
            "registry": "ModelRegistry",
        }
        handles = {}
        for role, contract_name in names.items():
            address = deployment.addresses.get(role)
            if not isinstance(address, str) or not chain.w3.is_address(address):
                raise InputError(f"the deployment record's {role} address {address!r} is not an address")
            if not chain.w3.eth.get_code(chain.w3.to_checksum_address(address)):
                raise InputError(f"no contract at the {role} address {address} on chain {chain.chain_id}")
            handles[role] = chain.contract(contract_name, address)
        return cls(chain, deployment, **handles)
