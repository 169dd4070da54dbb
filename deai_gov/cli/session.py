"""What a command needs, made on first use: the network, a chain connection, the DAO and IPFS sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..chain.client import Chain
    from ..dao.deployed import Dao
    from ..home.config import Network
    from ..ipfs.stores import BlockSource


@dataclass
class Session:
    network: Network
    as_json: bool = False
    verbose: int = 0
    account_alias: str | None = None
    password_file: Path | None = None
    password_env: str | None = None
    yes: bool = False
    dry_run: bool = False
    confirmations: int = 0
    #: Use a deployment record whose contracts or wiring are not what this package deploys (`--custom-deployment`).
    custom_deployment: bool = False
    _chain: Chain | None = field(default=None, repr=False)
    _dao: Dao | None = field(default=None, repr=False)
    _signer: Any = field(default=None, repr=False)

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            from ..chain.client import connect
            from ..errors import InputError

            if not self.network.rpc_url:
                raise InputError("no RPC URL: pass --rpc-url, or --network NAME with rpc_url in config.toml")
            self._chain = connect(self.network.rpc_url)
        return self._chain

    @property
    def dao(self) -> Dao:
        if self._dao is None:
            from ..dao.deploy import Deployment
            from ..dao.deployed import Dao
            from ..errors import InputError

            if self.network.deployment is None:
                raise InputError("no deployment record: pass --deployment FILE, or --network NAME with one")
            from ..chain.logindex import enable

            record = Deployment.load(self.network.deployment)
            self._dao = Dao.attach(self.chain, record, custom=self.custom_deployment)
            # log queries read only what the index does not hold yet
            enable(self._dao.chain, self._dao.address("governor"))
        return self._dao

    def signer(self) -> Any:
        """The `--account` keystore, decrypted (password from --password-file/--password-env or a prompt)."""

        from ..errors import InputError
        from ..home.accounts import load, read_password

        if self._signer is not None:
            return self._signer
        if not self.account_alias:
            raise InputError("this sends a transaction: choose the account with --account ALIAS")
        password = read_password(password_file=self.password_file, password_env=self.password_env)
        if password is None:
            from .prompts import ask_hidden

            password = ask_hidden(
                f"Password for {self.account_alias}", alternative="pass --password-file FILE or --password-env VAR"
            )
        self._signer = load(self.account_alias, password)
        return self._signer

    def publish_store(self) -> Any:
        """Where `propose` publishes artifacts: the IPFS node if configured, else the embedded store."""
        from ..errors import InputError
        from ..ipfs.stores import EmbeddedStore, NodeStore

        if self.network.ipfs_api:
            return NodeStore(self.network.ipfs_api)
        if self.network.store is not None:
            return EmbeddedStore(Path(self.network.store))
        raise InputError("nowhere to publish: pass --ipfs-api URL or --store DIR")

    def pinning_service(self, name: str) -> Any:
        """The remote pinning service `[pinning.NAME]` of config.toml, with its token read now."""
        from ..home.config import pinning_service
        from ..ipfs.pinning import PinningService

        config = pinning_service(name)
        return PinningService(config.name, config.endpoint, config.token())

    def origins(self) -> list[str]:
        """Multiaddrs a pinning service may fetch blocks from: the configured IPFS node's own, loopback ones left
        out (none when no node is configured, or it cannot say)."""
        from ..ipfs.stores import NodeStore

        return NodeStore(self.network.ipfs_api).public_addresses() if self.network.ipfs_api else []

    def sources(self) -> list[BlockSource]:
        """Where blocks are read from, in order: the embedded store, the IPFS node, then gateways."""
        from ..ipfs.stores import EmbeddedStore, GatewaySource, NodeStore

        found: list[Any] = []
        if self.network.store is not None:
            found.append(EmbeddedStore(Path(self.network.store)))
        if self.network.ipfs_api:
            found.append(NodeStore(self.network.ipfs_api))
        found.extend(GatewaySource(url) for url in self.network.gateways)
        if not found:
            from ..errors import InputError

            raise InputError("no IPFS source: pass --store DIR, --ipfs-api URL or --gateway URL (or configure them)")
        return found
