"""Named networks and where their deployment records and IPFS sources are.

`config.toml` in the configuration folder (`$DEAI_GOV_HOME`, else `$XDG_CONFIG_HOME/deai-gov`, else
`~/.config/deai-gov`):

    [networks.sepolia]
    rpc_url = "https://rpc.example"          # the chain's JSON-RPC endpoint
    deployment = "deployments/sepolia.json"  # deployment record (relative to the configuration folder)
    ipfs_api = "http://127.0.0.1:5001"       # optional: an IPFS node's RPC API
    gateways = ["https://gateway.example"]   # optional: trustless gateways to read from
    store = "ipfs"                           # optional: embedded block store folder

    [pinning.pinata]                         # a remote pinning service (IPFS Pinning Service API)
    endpoint = "https://api.pinata.cloud/psa"
    token_env = "PINATA_JWT"                 # the access token: from this environment variable...
    # token_file = "~/.secrets/pinata"       # ...or from this file (never from config.toml itself)

Command-line options and environment variables override the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError


def config_home() -> Path:
    """The configuration folder."""
    if os.environ.get("DEAI_GOV_HOME"):
        return Path(os.environ["DEAI_GOV_HOME"]).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "deai-gov"


@dataclass
class Network:
    """Everything a command needs to reach one deployment."""

    name: str
    rpc_url: str | None = None
    deployment: Path | None = None
    ipfs_api: str | None = None
    gateways: list[str] = field(default_factory=list)
    store: Path | None = None


def _load(home: Path | None, section: str) -> dict[str, dict[str, Any]]:
    """A table of named tables of config.toml (`[networks.*]`, `[pinning.*]`); {} when there is no file."""
    path = (home or config_home()) / "config.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    tables = data.get(section, {})
    if not isinstance(tables, dict):
        raise InputError(f"{path}: [{section}] must hold named tables ([{section}.NAME])")
    return tables


def load_networks(home: Path | None = None) -> dict[str, dict[str, Any]]:
    """The `[networks.*]` tables of config.toml ({} when there is no file)."""
    return _load(home, "networks")


def load_pinning_services(home: Path | None = None) -> dict[str, dict[str, Any]]:
    """The `[pinning.*]` tables of config.toml ({} when there is no file)."""
    return _load(home, "pinning")


#: The keys of each kind of table in config.toml and the type of each value ("strings": a list of strings).
SCHEMAS: dict[str, dict[str, str]] = {
    "networks": {
        "rpc_url": "string",
        "deployment": "string",
        "ipfs_api": "string",
        "gateways": "strings",
        "store": "string",
    },
    "pinning": {"endpoint": "string", "token_env": "string", "token_file": "string"},
}


def _named(home: Path, section: str, name: str, noun: str) -> dict[str, Any]:
    """The `[section.name]` table of config.toml, its keys and value types checked (`SCHEMAS`); InputError naming
    the known tables, or the key that is unknown or of the wrong type."""
    import difflib

    tables = _load(home, section)
    where = home / "config.toml"
    if name not in tables:
        known = ", ".join(sorted(tables)) or "none configured"
        raise InputError(f"unknown {noun} {name!r} (known: {known}; see {where})")
    table = tables[name]
    if not isinstance(table, dict):
        raise InputError(f"{noun} {name!r} in {where} must be a table ([{section}.{name}])")
    schema = SCHEMAS[section]
    for key, value in table.items():
        wanted = schema.get(key)
        if wanted is None and key != "token":  # a token in the file is refused with its own words
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InputError(f"{where}: [{section}.{name}] has no key {key!r} ({hint}known: {', '.join(schema)})")
        if wanted == "string" and not isinstance(value, str):
            raise InputError(f"{where}: [{section}.{name}] {key} must be a string, not {_toml_type(value)}")
        if wanted == "strings" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            example = f'{key} = ["{value}"]' if isinstance(value, str) else f'{key} = ["…", "…"]'
            raise InputError(
                f"{where}: [{section}.{name}] {key} must be a list of strings ({example}), not {_toml_type(value)}"
            )
    return table


def _toml_type(value: Any) -> str:
    """A TOML value's kind in words."""
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return next((words for kind, words in kinds.items() if isinstance(value, kind)), "a date or time")


@dataclass(frozen=True)
class PinningServiceConfig:
    """A remote pinning service from config.toml: where it is and where its access token is kept."""

    name: str
    endpoint: str
    token_env: str | None = None
    token_file: Path | None = None

    def token(self) -> str:
        """The access token, read now from the environment variable or the file named (never printed)."""
        if self.token_env:
            value = os.environ.get(self.token_env, "").strip()
            if not value:
                raise InputError(f"pinning service {self.name}: the environment variable {self.token_env} is not set")
            return value
        if self.token_file:
            try:
                value = self.token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise InputError(
                    f"pinning service {self.name}: cannot read {self.token_file}: {exc.strerror}"
                ) from None
            if not value:
                raise InputError(f"pinning service {self.name}: {self.token_file} is empty")
            return value
        raise InputError(f"pinning service {self.name}: set token_env or token_file in config.toml")


def pinning_service(name: str, home: Path | None = None) -> PinningServiceConfig:
    """The `[pinning.NAME]` table of config.toml; InputError naming the known services otherwise."""
    home = home or config_home()
    table = _named(home, "pinning", name, "pinning service")
    endpoint = table.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        raise InputError(f"pinning service {name}: endpoint must be an http(s) URL")
    if "token" in table:
        raise InputError(
            f"pinning service {name}: do not write the token in config.toml; name its environment variable "
            "(token_env) or file (token_file)"
        )
    token_file = table.get("token_file")
    path = Path(str(token_file)).expanduser() if token_file else None
    return PinningServiceConfig(
        name, endpoint.rstrip("/"), table.get("token_env"), path if path is None or path.is_absolute() else home / path
    )


def resolve_network(
    name: str | None,
    *,
    rpc_url: str | None = None,
    deployment: Path | None = None,
    ipfs_api: str | None = None,
    gateways: tuple[str, ...] = (),
    store: Path | None = None,
    home: Path | None = None,
) -> Network:
    """The named network from config.toml, with explicit options taking precedence."""
    home = home or config_home()
    settings: dict[str, Any] = {}
    if name:
        settings = _named(home, "networks", name, "network")

    def path_setting(key: str) -> Path | None:
        value = settings.get(key)
        if value is None:
            return None
        path = Path(str(value)).expanduser()
        return path if path.is_absolute() else home / path

    return Network(
        name=name or "custom",
        rpc_url=rpc_url or settings.get("rpc_url"),
        deployment=deployment or path_setting("deployment"),
        ipfs_api=ipfs_api or settings.get("ipfs_api"),
        gateways=list(gateways) or list(settings.get("gateways", [])),
        store=store or path_setting("store"),
    )
