"""Real Safe contracts for tests: deployed on anvil from the compiled artifacts of `@safe-global/safe-smart-account`
1.5.0 (npm), as Safe{Wallet} deploys them: the singleton, the proxy factory, the fallback handler that answers
ERC-1271, and MultiSendCallOnly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent.parent / "node_modules/@safe-global/safe-smart-account/build/artifacts"
ZERO = "0x0000000000000000000000000000000000000000"


def artifact(path: str) -> dict[str, Any]:
    return dict(json.loads((ARTIFACTS / path).read_text()))


def deploy(w3: Any, sender: str, path: str, *args: Any) -> Any:
    data = artifact(path)
    contract = w3.eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(contract.constructor(*args).transact({"from": sender}))
    return w3.eth.contract(address=receipt.contractAddress, abi=data["abi"])


@dataclass(frozen=True)
class SafeContracts:
    singleton: Any
    factory: Any
    handler: Any
    multisend: Any


def safe_contracts(w3: Any, sender: str) -> SafeContracts:
    return SafeContracts(
        deploy(w3, sender, "contracts/Safe.sol/Safe.json"),
        deploy(w3, sender, "contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json"),
        deploy(w3, sender, "contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json"),
        deploy(w3, sender, "contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json"),
    )


def create_safe(w3: Any, sender: str, owners: list[str], threshold: int, contracts: SafeContracts | None = None) -> Any:
    """A Safe proxy of the 1.5.0 singleton, set up with `owners` and `threshold`, as Safe{Wallet} creates one."""
    contracts = contracts or safe_contracts(w3, sender)
    singleton, factory = contracts.singleton, contracts.factory
    setup = singleton.encode_abi("setup", [owners, threshold, ZERO, b"", contracts.handler.address, ZERO, 0, ZERO])
    create = factory.functions.createProxyWithNonce(singleton.address, setup, 7)
    address = create.call({"from": sender})
    w3.eth.wait_for_transaction_receipt(create.transact({"from": sender}))
    return w3.eth.contract(address=address, abi=singleton.abi)
