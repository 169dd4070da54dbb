"""Named networks and where their deployment records and IPFS sources are.

`config.toml` in the configuration folder (`$DEAI_GOV_HOME`, else `$XDG_CONFIG_HOME/deai-gov`, else
`~/.config/deai-gov`):

    [networks.sepolia]
    rpc_url = "https://rpc.example"          # the chain's JSON-RPC endpoint
    deployment = "deployments/sepolia.json"  # deployment record (relative to the configuration folder)
    ipfs_api = "http://127.0.0.1:5001"       # optional: an IPFS node's RPC API
    gateways = ["https://gateway.example"]   # optional: trustless gateways to read from
    store = "ipfs"                           # optional: embedded block store folder

Command-line options and environment variables override the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError


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


def load_networks(home: Path | None = None) -> dict[str, dict[str, Any]]:
    """The `[networks.*]` tables of config.toml ({} when there is no file)."""
    path = (home or config_home()) / "config.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    networks = data.get("networks", {})
    if not isinstance(networks, dict):
        raise InputError(f"{path}: [networks] must be a table of named networks")
    return networks


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
        networks = load_networks(home)
        if name not in networks:
            known = ", ".join(sorted(networks)) or "none configured"
            raise InputError(f"unknown network {name!r} (known: {known}; see {home / 'config.toml'})")
        settings = networks[name]
        if not isinstance(settings, dict):
            raise InputError(f"network {name!r} in {home / 'config.toml'} must be a table ([networks.{name}])")

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
