"""The compiled contracts the package ships and deploys (ABI, bytecode, compiler settings).

`deai_gov/contracts/contracts.json` is generated from the brownie build by `tools/export_artifacts.py`, so
installing the package needs neither Node nor brownie. `sources_digest` fingerprints what the artifacts were
built from; a test compares it with the shipped value so stale artifacts cannot go unnoticed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTIFACTS_FILE = Path(__file__).with_name("contracts.json")
#: The Ethereum Attestation Service's contracts (EAS, SchemaRegistry), from their npm package (`tools/export_eas.py`).
EAS_FILE = Path(__file__).with_name("eas.json")

#: The contracts a DAO deployment is made of, in deployment order.
DAO_CONTRACTS = ("TimelockController", "ModelToken", "ModelGovernor", "ModelRegistry")


@dataclass(frozen=True)
class Artifact:
    """One compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str

    @property
    def runtime_size(self) -> int:
        """Deployed code size in bytes (the EIP-170 limit is 24,576)."""
        return len(bytes.fromhex(self.deployed_bytecode.removeprefix("0x")))


@functools.cache
def _bundle(path: Path = ARTIFACTS_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def build_info() -> dict[str, Any]:
    """Compiler version and settings, OpenZeppelin version and the digest of the sources."""
    return {key: value for key, value in _bundle().items() if key != "contracts"}


def eas_package() -> dict[str, str]:
    """The npm package the EAS contracts were taken from: name, version, tarball integrity."""
    return {key: value for key, value in _bundle(EAS_FILE).items() if key != "contracts"}


def artifact(name: str) -> Artifact:
    """The shipped artifact of contract `name` (the DAO's own, or EAS's)."""
    contracts = _bundle()["contracts"] | _bundle(EAS_FILE)["contracts"]
    if name not in contracts:
        raise KeyError(f"no shipped artifact for contract {name!r}; shipped: {', '.join(sorted(contracts))}")
    data = contracts[name]
    return Artifact(name, data["abi"], data["bytecode"], data["deployedBytecode"])


def function_abi(contract: str, function: str, arity: int | None = None) -> dict[str, Any]:
    """The ABI entry of `function` in shipped contract `contract`; `arity` (the number of arguments) picks among
    overloads such as the governor's `nonces`, and an overloaded name without it is refused."""
    found = [
        entry
        for entry in artifact(contract).abi
        if entry.get("type") == "function"
        and entry.get("name") == function
        and (arity is None or len(entry["inputs"]) == arity)
    ]
    if not found:
        raise KeyError(f"contract {contract} has no function {function}" + (f" taking {arity}" if arity else ""))
    if len(found) > 1:
        raise KeyError(f"{contract}.{function} is overloaded: say how many arguments")
    return found[0]


def event_abi(contract: str, event: str) -> dict[str, Any]:
    """The ABI entry of `event` in shipped contract `contract`."""
    return _abi_entry(contract, "event", event)


def _abi_entry(contract: str, kind: str, name: str) -> dict[str, Any]:
    for entry in artifact(contract).abi:
        if entry.get("type") == kind and entry.get("name") == name:
            return entry
    raise KeyError(f"contract {contract} has no {kind} {name}")


def all_abis() -> list[list[dict[str, Any]]]:
    """ABIs of every shipped contract, EAS's included (used to decode custom errors from any of them)."""
    return [data["abi"] for data in (_bundle()["contracts"] | _bundle(EAS_FILE)["contracts"]).values()]


def bytecode_digests() -> dict[str, str]:
    """sha256 of each shipped contract's creation bytecode, recorded with every deployment."""
    return {
        name: hashlib.sha256(bytes.fromhex(data["bytecode"].removeprefix("0x"))).hexdigest()
        for name, data in _bundle()["contracts"].items()
    }


def sources_digest(project_root: Path) -> str:
    """sha256 over the Solidity sources, the compiler configuration and the OpenZeppelin version.

    Only meaningful in a source checkout (it reads `contracts/`, `brownie-config.yaml`, `package-lock.json`).
    """
    h = hashlib.sha256()
    for path in sorted((project_root / "contracts").rglob("*.sol")):
        h.update(path.relative_to(project_root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    h.update((project_root / "brownie-config.yaml").read_bytes() + b"\0")
    h.update(openzeppelin_version(project_root).encode())
    return h.hexdigest()


def openzeppelin_version(project_root: Path) -> str:
    """The OpenZeppelin Contracts version locked in `package-lock.json`."""
    lock = json.loads((project_root / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/@openzeppelin/contracts"]["version"])
