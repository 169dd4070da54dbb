"""Real Safe contracts for tests, deployed on anvil as Safe{Wallet} deploys them: the singleton, the proxy factory,
the fallback handler that answers ERC-1271, and MultiSendCallOnly. Two versions: 1.5.0, from the compiled artifacts
of `@safe-global/safe-smart-account` (npm, installed), and 1.4.1, the older ABI most deployed Safes use, from
`@safe-global/safe-contracts` (its ABI and bytecode kept in tests/data by `tools/export_safe.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "node_modules/@safe-global/safe-smart-account/build/artifacts"
SAFE_1_4_1 = ROOT / "tests/data/safe-contracts-1.4.1.json"
ZERO = "0x0000000000000000000000000000000000000000"
VERSIONS = ("1.5.0", "1.4.1")

#: The 1.5.0 artifact of each contract, under ARTIFACTS.
_PATHS_1_5_0 = {
    "Safe": "contracts/Safe.sol/Safe.json",
    "SafeProxyFactory": "contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
    "CompatibilityFallbackHandler": "contracts/handler/CompatibilityFallbackHandler.sol/"
    "CompatibilityFallbackHandler.json",
    "MultiSendCallOnly": "contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json",
}


def artifact(path: str) -> dict[str, Any]:
    return dict(json.loads((ARTIFACTS / path).read_text()))


@cache
def _bundle_1_4_1() -> dict[str, Any]:
    return dict(json.loads(SAFE_1_4_1.read_text())["contracts"])


def contract_artifact(name: str, version: str = "1.5.0") -> dict[str, Any]:
    """The ABI and bytecode of Safe contract `name` (Safe, SafeProxyFactory, CompatibilityFallbackHandler,
    MultiSendCallOnly) in `version`."""
    if version == "1.5.0":
        return artifact(_PATHS_1_5_0[name])
    if version == "1.4.1":
        return dict(_bundle_1_4_1()[name])
    raise ValueError(f"no Safe contracts {version!r} for the tests: one of {', '.join(VERSIONS)}")


def _deploy(w3: Any, sender: str, data: dict[str, Any], *args: Any) -> Any:
    contract = w3.eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(contract.constructor(*args).transact({"from": sender}))
    return w3.eth.contract(address=receipt.contractAddress, abi=data["abi"])


def deploy(w3: Any, sender: str, path: str, *args: Any) -> Any:
    """Deploy the 1.5.0 artifact at `path` (under ARTIFACTS)."""
    return _deploy(w3, sender, artifact(path), *args)


@dataclass(frozen=True)
class SafeContracts:
    singleton: Any
    factory: Any
    handler: Any
    multisend: Any
    version: str = "1.5.0"


def safe_contracts(w3: Any, sender: str, version: str = "1.5.0") -> SafeContracts:
    """The Safe contracts of `version` ("1.5.0" or "1.4.1"), deployed by `sender`."""
    names = ("Safe", "SafeProxyFactory", "CompatibilityFallbackHandler", "MultiSendCallOnly")
    singleton, factory, handler, multisend = (_deploy(w3, sender, contract_artifact(n, version)) for n in names)
    return SafeContracts(singleton, factory, handler, multisend, version)


def create_safe(
    w3: Any,
    sender: str,
    owners: list[str],
    threshold: int,
    contracts: SafeContracts | None = None,
    version: str = "1.5.0",
) -> Any:
    """A Safe proxy of the singleton of `version` (that of `contracts` when given), set up with `owners` and
    `threshold`, as Safe{Wallet} creates one. 1.4.1's `setup` has the same signature as 1.5.0's."""
    contracts = contracts or safe_contracts(w3, sender, version)
    singleton, factory = contracts.singleton, contracts.factory
    setup = singleton.encode_abi("setup", [owners, threshold, ZERO, b"", contracts.handler.address, ZERO, 0, ZERO])
    create = factory.functions.createProxyWithNonce(singleton.address, setup, 7)
    address = create.call({"from": sender})
    w3.eth.wait_for_transaction_receipt(create.transact({"from": sender}))
    return w3.eth.contract(address=address, abi=singleton.abi)
