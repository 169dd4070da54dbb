"""Deploy the DAO: `brownie run scripts/deploy.py --network NAME`.

The contracts are deployed by the library (`deai_gov.dao.deploy.deploy_dao`), the same code the CLI runs, over
brownie's web3 connection. The deployer is anvil's first development account on a local development network
(anvil started by brownie), otherwise the brownie keystore account named by `DEAI_GOV_ACCOUNT` (brownie asks
for its password). The deployment record is written to `DEAI_GOV_DEPLOYMENT`, by default
`deployments/<chain id>.json`.
"""

from __future__ import annotations

import os
from pathlib import Path

from brownie import accounts, network, web3
from eth_account import Account
from eth_account.signers.local import LocalAccount

from deai_gov.chain.client import Chain
from deai_gov.dao.deploy import DaoParams, deploy_dao
from deai_gov.dev.devnet import anvil_dev_keys


def deployer() -> LocalAccount:
    """The account that deploys and pays: a dev key on a local node, a keystore account elsewhere."""
    if network.rpc.is_active():  # a development network: brownie runs (or attached to) a local node
        account = Account.from_key(anvil_dev_keys()[0])
        if account.address not in accounts:
            raise SystemExit(
                f"anvil's first dev account {account.address} is not an account of this node: was it started "
                "with another mnemonic?"
            )
        return account
    alias = os.environ.get("DEAI_GOV_ACCOUNT")
    if not alias:
        raise SystemExit("set DEAI_GOV_ACCOUNT to the id of the brownie keystore account that deploys")
    loaded = accounts.load(alias)  # brownie asks for the keystore's password
    if not hasattr(loaded, "private_key"):  # brownie hands back the node's own unlocked account of that address
        raise SystemExit(f"{loaded.address} is an unlocked account of this node: deploy from another address")
    return Account.from_key(loaded.private_key)


def main() -> None:
    chain = Chain(w3=web3)
    account = deployer()
    print(f"Deploying the DAO on chain {chain.chain_id} ({network.show_active()}) from {account.address}")
    deployment = deploy_dao(chain, account, DaoParams(), on_step=lambda step: print(f"  {step}"))
    path = Path(os.environ.get("DEAI_GOV_DEPLOYMENT") or f"deployments/{deployment.chain_id}.json")
    deployment.save(path)
    for role, address in deployment.addresses.items():
        print(f"{role:>9}: {address}")
    print(f"Deployment record: {path}")
