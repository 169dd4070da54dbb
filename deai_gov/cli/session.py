"""What a command needs, made on first use from the global options: the network, a chain connection, the DAO, the
signer and the IPFS sources.

The Session is made as a command is about to run (`Session.for_command`), never for a group's `--help`. Each method
imports the library it needs when first called: every command makes a Session and each uses a few of its methods
(importing what all of them need at the top of this module would add some 20 ms to every command).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain.client import Chain
    from ..dao.deployed import Dao
    from ..home.config import Network
    from ..ipfs.pinning import PinningService
    from ..ipfs.stores import BlockSource, BlockStore


class Session:
    """The global options as given (`deai-gov --help` lists them), and what is made from them on first use."""

    @classmethod
    def for_command(cls, ctx: click.Context) -> Session:
        """The Session of the command about to run under `ctx`, made from the global options (the parameters of the
        root context). Its network is resolved now, before the command reads its own arguments: a wrong `--network`
        or config.toml is refused first, by every command, whether it reads the network or not."""
        session = cls(**ctx.find_root().params)
        _ = session.network
        return session

    def __init__(
        self,
        *,
        network: str | None = None,
        rpc_url: str | None = None,
        deployment: Path | None = None,
        ipfs_api: str | None = None,
        gateways: tuple[str, ...] = (),
        store: Path | None = None,
        as_json: bool = False,
        verbose: int = 0,
        account_alias: str | None = None,
        password_file: Path | None = None,
        password_env: str | None = None,
        safe: str | None = None,
        safe_export: Path | None = None,
        yes: bool = False,
        dry_run: bool = False,
        confirmations: int = 0,
        custom_deployment: bool = False,
    ) -> None:
        #: `--network NAME` and the options that override its settings, resolved into `network` on first use.
        self.network_name = network
        self.network_options: dict[str, Any] = {
            "rpc_url": rpc_url,
            "deployment": deployment,
            "ipfs_api": ipfs_api,
            "gateways": gateways,
            "store": store,
        }
        self.as_json = as_json
        self.verbose = verbose
        self.account_alias = account_alias
        self.password_file = password_file
        self.password_env = password_env
        #: `--safe ADDRESS`: the Safe multisig the command acts as; `--safe-export FILE`: where its request goes.
        self.safe = safe
        self.safe_export = safe_export
        self.yes = yes
        self.dry_run = dry_run
        self.confirmations = confirmations
        #: Use a deployment record whose contracts or wiring are not what this package deploys (`--custom-deployment`).
        self.custom_deployment = custom_deployment
        self._network: Network | None = None
        self._chain: Chain | None = None
        self._dao: Dao | None = None
        self._signer: LocalAccount | None = None

    @property
    def network(self) -> Network:
        """The network named by `--network` in config.toml, the options given taking precedence. With no network
        named and no chain, record or IPFS option given, the running devnet (`deai-gov node start`) if there is one;
        `--network local` names it explicitly (unless config.toml defines a network of that name)."""
        if self._network is None:
            from ..home.config import resolve_network

            self._network = resolve_network(self.network_name, **self.network_options) if self._named() else None
            if self._network is None:
                from ..dev.localnet import local_network

                devnet = local_network()
                if devnet is None and self.network_name == "local":
                    from ..errors import InputError

                    raise InputError("no devnet is running to be the network `local`", hint="deai-gov node start")
                self._network = devnet or resolve_network(None, **self.network_options)
                if devnet is not None and self.network_options["store"]:
                    self._network.store = self.network_options["store"]
        return self._network

    def _named(self) -> bool:
        """Whether the network is chosen by the options: a network named (other than a `local` that config.toml
        does not define), or a chain, record or IPFS node given."""
        from ..home.config import load_networks

        given = self.network_options
        if given["rpc_url"] or given["deployment"] or given["ipfs_api"] or given["gateways"]:
            return True
        if self.network_name is None:
            return False
        return self.network_name != "local" or "local" in load_networks()

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

    def acting_address(self) -> str:
        """Who the command acts as: the `--safe` multisig, else the signing account."""
        if self.safe is not None:
            from ..names import checksum_address

            return checksum_address(self.safe, "--safe")
        return str(self.signer().address)

    def refuse_safe(self, what: str) -> None:
        """InputError when `--safe` is given to a command that a Safe cannot do (`what`, in words)."""
        if self.safe is not None:
            from ..errors import InputError

            raise InputError(f"a Safe cannot {what}: run it without --safe")

    def signer(self) -> LocalAccount:
        """The `--account` keystore, decrypted (password from --password-file/--password-env or a prompt)."""

        from ..chain.devchain import check_dev_chain
        from ..errors import InputError
        from ..home.accounts import existing_keystore, is_development, load, read_password

        if self._signer is not None:
            return self._signer
        if not self.account_alias:
            raise InputError("this sends a transaction: choose the account with --account ALIAS")
        existing_keystore(self.account_alias)  # an unknown name is said before any password is asked
        if is_development(self.account_alias):
            try:
                check_dev_chain(self.chain)
            except InputError as refused:
                raise InputError(
                    f"{self.account_alias} holds a development chain's public key, so it signs on development chains "
                    f"only: {refused}",
                    hint="use an account of your own (deai-gov account new or account import)",
                ) from None
        password = read_password(password_file=self.password_file, password_env=self.password_env)
        if password is None:
            from .prompts import ask_hidden

            password = ask_hidden(
                f"Password for {self.account_alias}", alternative="pass --password-file FILE or --password-env VAR"
            )
        self._signer = load(self.account_alias, password)
        return self._signer

    def publish_store(self) -> BlockStore:
        """Where `propose` publishes artifacts: the IPFS node if configured, else the embedded store."""
        from ..errors import InputError
        from ..ipfs.stores import EmbeddedStore, NodeStore

        if self.network.ipfs_api:
            return NodeStore(self.network.ipfs_api)
        if self.network.store is not None:
            return EmbeddedStore(Path(self.network.store))
        raise InputError("nowhere to publish: pass --ipfs-api URL or --store DIR")

    def pinning_service(self, name: str) -> PinningService:
        """The remote pinning service `[pinning.NAME]` of config.toml, with its token read now; `local`, unless
        config.toml defines it, is the running devnet's own (which pins on its IPFS node)."""
        from ..home.config import load_pinning_services, pinning_service
        from ..ipfs.pinning import PinningService

        if name == "local" and "local" not in load_pinning_services():
            from ..dev.localnet import local_pinning
            from ..errors import InputError

            found = local_pinning()
            if found is None:
                raise InputError(
                    "the pinning service `local` is the devnet's, and none runs",
                    hint="deai-gov node start (with its IPFS node installed: tools/install-ipfs-node)",
                )
            return PinningService("local", *found)
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

        found: list[BlockSource] = []
        if self.network.store is not None:
            found.append(EmbeddedStore(Path(self.network.store)))
        if self.network.ipfs_api:
            found.append(NodeStore(self.network.ipfs_api))
        found.extend(GatewaySource(url) for url in self.network.gateways)
        if not found:
            from ..errors import InputError

            raise InputError("no IPFS source: pass --store DIR, --ipfs-api URL or --gateway URL (or configure them)")
        return found

    def sources_if_any(self) -> list[BlockSource]:
        """`sources()`, or none when nothing is configured: for what reads content only when it can (a review, a
        list of evaluations), and says so when it cannot."""
        from ..errors import InputError

        try:
            return self.sources()
        except InputError:
            return []
