"""Every command given bad values: one line of error, the documented exit code, no traceback, nothing sent.

One module-scoped DAO on the session's anvil holds a registered model and one proposal in each state
(executed, queued, succeeded, active, pending, canceled). Its delays are long (a day to vote, 30 days of
timelock) so no state changes while the cases run. Each case in `CASES` runs the CLI in-process (CliRunner) and checks:

- the exit code is non-zero (and the documented one where the case names it);
- stderr holds exactly one error line (``error: ...``; ``Error: ...`` after click's usage lines for exit 2),
  besides a transaction's description, which `tx.transact` prints before it confirms;
- nothing escaped as an exception (CliRunner would swallow a traceback: it is rendered into the output);
- stdout is empty;
- no transaction was sent: the block number and the nonces of every account are unchanged.

Add a row for every new command or option; a case the CLI gets wrong can be kept as a strict xfail with the
reason (`xfail=`) until it is fixed. A few cases expect exit 0: a corrupt file the command should skip, not
crash on; or a command run again that must find what it did the first time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account

from deai_gov.chain.client import connect, send
from deai_gov.cli import main
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, advance_time, free_port
from deai_gov.ipfs.content import publish
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore

from .helpers import People, dao_params, deploy_recorded, people_from, propose

MODEL = "acme/bad-input"
DAY = 86_400
VOTING_DELAY = DAY
VOTING_PERIOD = DAY
TIMELOCK_DELAY = 30 * DAY
PASSWORD = "correct horse battery staple"

# --------------------------------------------------------------------------------------------- the world


@dataclass
class World:
    """The deployed DAO, the accounts and the files the cases refer to as {placeholders}."""

    chain: Any
    people: People
    vars: dict[str, str]
    homes: dict[str, Path]
    watched: list[str] = field(default_factory=list)  # addresses whose nonces must not move


def _keystore(path: Path, key: bytes, password: str = PASSWORD) -> None:
    """A Web3 Secret Storage file; pbkdf2 with few iterations keeps the 40-odd decryptions fast."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(Account.encrypt(key, password, kdf="pbkdf2", iterations=2)))


def _bad_checksum(address: str) -> str:
    """`address` with the case of its first letter flipped: still 40 hex digits, checksum wrong."""
    for i, ch in enumerate(address[2:], 2):
        if ch.isalpha():
            return address[:i] + ch.swapcase() + address[i + 1 :]
    raise AssertionError("no letter to flip")


def _cid(label: str, hasher: str, codec: str = "raw") -> str:
    """A CIDv1 of `label` with any multihash and codec (the registry takes sha2-256 raw and dag-pb CIDs only)."""
    import hashlib

    from multiformats import CID, multihash

    digest = hashlib.sha256(label.encode()).digest()
    return str(CID("base32", 1, codec, multihash.wrap(digest, hasher)))


def _propose(dao: Dao, who: Any, actions: list[gov.Action], title: str) -> int:
    pid, _ = propose(dao, who, actions, f"# {title}")
    return pid


@pytest.fixture(scope="module")
def world(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("bad_input")
    chain = connect(anvil.url)
    keys = anvil.dev_keys()[:6]
    people = people_from(keys)
    params = dataclasses.replace(
        dao_params(people), voting_delay=VOTING_DELAY, voting_period=VOTING_PERIOD, timelock_delay=TIMELOCK_DELAY
    )
    record = tmp / "deployment.json"
    dao = deploy_recorded(chain, people, record, params)
    send(dao.chain, people.alice, token.delegate(dao, people.alice.address))
    send(dao.chain, people.bob, token.delegate(dao, people.bob.address))
    send(dao.chain, people.carol, token.delegate(dao, people.alice.address))
    advance_time(chain, 1)

    # a registered model, its blocks in the embedded store (pull and verify work for good input)
    folder = tmp / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# bad input model\n")
    (folder / "weights.bin").write_bytes(os.urandom(20_000))
    store = tmp / "store"
    published = publish(
        folder, EmbeddedStore(store), name=MODEL, version=1, contributors=[Contributor(people.bob.address, 10_000)]
    )
    register = reg.register_action(dao, MODEL, published.artifact_cid, published.manifest_cid, people.bob.address)
    # versions published, not registered: what proposals naming them by CID read their contributors from
    candidate = tmp / "candidate"
    candidate.mkdir()
    (candidate / "weights.bin").write_bytes(b"candidate weights")
    alice_only = [Contributor(people.alice.address, 10_000)]
    new_cids, pending_cids, canceled_cids = (
        (p.artifact_cid, p.manifest_cid)
        for p in (
            publish(candidate, EmbeddedStore(store), name=name, version=1, contributors=alice_only)
            for name in ("acme/new", "acme/pending", "acme/canceled")
        )
    )

    def reward(amount: int) -> gov.Action:
        return token.reward_action(dao, people.bob.address, amount * TOKEN)

    def vote_through(pid: int) -> None:
        advance_time(chain, VOTING_DELAY + 1)
        send(dao.chain, people.alice, gov.vote(dao, pid, gov.Support.FOR, "yes"))
        advance_time(chain, VOTING_PERIOD + 1)

    executed = _propose(dao, people.alice, [register], f"Register {MODEL} v1")
    vote_through(executed)
    send(dao.chain, people.bob, gov.queue(dao, executed))
    advance_time(chain, TIMELOCK_DELAY + 1)
    send(dao.chain, people.outsider, gov.execute(dao, executed))
    queued = _propose(dao, people.alice, [reward(1)], "Queued reward")
    vote_through(queued)
    send(dao.chain, people.bob, gov.queue(dao, queued))
    succeeded = _propose(dao, people.alice, [reward(2)], "Succeeded reward")
    vote_through(succeeded)
    active = _propose(dao, people.alice, [reward(3)], "Active reward")
    advance_time(chain, VOTING_DELAY + 1)
    send(dao.chain, people.alice, gov.vote(dao, active, gov.Support.FOR, "yes"))
    pending_action = reg.register_action(dao, "acme/pending", *pending_cids, people.alice.address)
    pending = _propose(dao, people.alice, [pending_action], "Register acme/pending v1")
    canceled_action = reg.register_action(dao, "acme/canceled", *canceled_cids, people.alice.address)
    canceled = _propose(dao, people.alice, [canceled_action], "Register acme/canceled v1")
    send(dao.chain, people.alice, gov.cancel(dao, canceled))
    expected = {
        executed: ProposalState.EXECUTED,
        queued: ProposalState.QUEUED,
        succeeded: ProposalState.SUCCEEDED,
        active: ProposalState.ACTIVE,
        pending: ProposalState.PENDING,
        canceled: ProposalState.CANCELED,
    }
    assert {pid: gov.state(dao, pid) for pid in expected} == expected

    # homes (DEAI_GOV_HOME): keystores and config files, good and bad
    main_home = tmp / "home"
    for alias, key in (("alice", keys[1]), ("bob", keys[2]), ("carol", keys[3]), ("outsider", keys[5])):
        _keystore(main_home / "keystores" / f"{alias}.json", Account.from_key(key).key)
    ks = main_home / "keystores"
    (ks / "notjson.json").write_text("this is not JSON {")
    (ks / "garbled.json").write_text(json.dumps({"address": people.outsider.address[2:].lower(), "crypto": "x"}))
    (ks / "folder.json").mkdir()  # a keystore path that cannot be read (a directory: the tests run as root)
    (ks / "badutf8.json").write_bytes(b"\xff\xfe{not utf-8")

    corrupt_home = tmp / "corrupt-home"
    _keystore(corrupt_home / "keystores" / "alice.json", people.alice.key)
    (corrupt_home / "keystores" / "alist.json").write_text("[1, 2, 3]")
    (corrupt_home / "keystores" / "zbadaddr.json").write_text(json.dumps({"address": "not-hex", "crypto": {}}))

    badtoml_home = tmp / "badtoml-home"
    badtoml_home.mkdir()
    (badtoml_home / "config.toml").write_text("[networks.dev\nrpc_url = \n")
    weird_home = tmp / "weird-home"
    weird_home.mkdir()
    (weird_home / "config.toml").write_text(
        f'[networks]\nflat = "{anvil.url}"\n\n[networks.intrpc]\nrpc_url = 5\ndeployment = "{record}"\n'
    )
    notable_home = tmp / "notable-home"
    notable_home.mkdir()
    (notable_home / "config.toml").write_text("networks = 5\n")

    # node homes: one whose record names a live process (a `sleep` of ours), one fresh
    running_home = tmp / "running-home"
    (running_home / "localnet").mkdir(parents=True)
    (running_home / "localnet" / "localnet.json").write_text(
        json.dumps({"chain_pid": anvil.process.pid, "chain_port": anvil.port, "ipfs_pid": None, "ipfs_port": None})
    )
    fresh_home = tmp / "fresh-home"
    fresh_home.mkdir()

    # files
    def write(name: str, text: str | bytes) -> str:
        path = tmp / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
        return str(path)

    data = json.loads(record.read_text())
    signed_vote = gov.sign_vote(dao, people.bob, pending, gov.Support.FOR).to_dict()
    full = tmp / "nonempty-dir"
    full.mkdir()
    (full / "something.txt").write_text("here\n")
    variables = {
        "rpc": anvil.url,
        "record": str(record),
        "store": str(store),
        "tmp": str(tmp),
        "folder": str(folder),
        "nonempty": str(full),
        "pw": write("password.txt", PASSWORD + "\n"),
        "wrongpw": write("wrong.txt", "nope\n"),
        "emptypw": write("empty.txt", ""),
        "badutf8": write("badutf8.txt", b"\xff\xfe\xfa password\n"),
        "badkey": write("badkey.txt", "0x1234\n"),
        "badmnemonic": write("badmnemonic.txt", "correct horse battery staple\n"),
        "goodmnemonic": write("goodmnemonic.txt", "test test test test test test test test test test test junk\n"),
        "desc": write("description.md", "# Why\n\nBecause.\n"),
        "benchmark": write("benchmark.json", json.dumps({"name": "b", "metrics": {"acc": {"better": "higher"}}})),
        "badpolicy": write("policy.json", json.dumps({"schema": "deai-gov/reward-policy/v1", "benchmarks": []})),
        "rec_other_chain": write("other-chain.json", json.dumps(data | {"chain_id": 1})),
        "rec_notjson": write("notjson.json", "{ not json"),
        "rec_badutf8": write("badutf8-record.json", b"\xff\xfe{}"),
        "rec_missing": write("missing-keys.json", json.dumps({"chain_id": 31337})),
        "rec_array": write("array.json", "[]"),
        "rec_extra": write("extra-key.json", json.dumps(data | {"bogus": 1})),
        "rec_badaddr": write(
            "bad-address.json", json.dumps(data | {"addresses": data["addresses"] | {"registry": "0xnot-an-address"}})
        ),
        "rec_nocode": write(
            "no-code.json", json.dumps(data | {"addresses": {k: people.bob.address for k in data["addresses"]}})
        ),
        "ballot": write("ballot.json", json.dumps(signed_vote)),
        "ballot_forged": write("forged.json", json.dumps(signed_vote | {"voter": people.carol.address})),
        "ballot_array": write("ballot-array.json", "[]"),
        "ballot_fields": write("ballot-fields.json", json.dumps({"proposal_id": pending})),
        "ballot_badsig": write("ballot-badsig.json", json.dumps(signed_vote | {"signature": "0xZZ"})),
        "ballot_notjson": write("ballot-notjson.json", "not json"),
        "badcard": write("README.md", "<!-- /deai-gov:approval -->\n<!-- deai-gov:approval -->\n"),
        "down": f"http://127.0.0.1:{free_port()}",
        "record_registry": data["addresses"]["registry"],
        "anvil_port": str(anvil.port),
        "alice": people.alice.address,
        "bob": people.bob.address,
        "carol": people.carol.address,
        "outsider": people.outsider.address,
        "alice_lower": people.alice.address.lower(),
        "alice_badsum": _bad_checksum(people.alice.address),
        "bob_badsum": _bad_checksum(people.bob.address),
        "zero": "0x" + "00" * 20,
        "cid_a": new_cids[0],
        "model_manifest": published.manifest_cid,
        "cid_m": new_cids[1],
        "cid_absent": _cid("nowhere manifest", "sha2-256"),  # a valid CID of no block anywhere
        "cid_pa": pending_cids[0],
        "cid_pm": pending_cids[1],
        "cid_ca": canceled_cids[0],
        "cid_cm": canceled_cids[1],
        "cid_blake": _cid("blake", "blake2b-256"),
        "cid_dagjson": _cid("dag-json", "sha2-256", "dag-json"),
        "pid_executed": str(executed),
        "pid_queued": str(queued),
        "pid_succeeded": str(succeeded),
        "pid_active": str(active),
        "pid_pending": str(pending),
        "huge": str(2**256),
    }
    homes = {
        "main": main_home,
        "corrupt": corrupt_home,
        "badtoml": badtoml_home,
        "weird": weird_home,
        "notable": notable_home,
        "running": running_home,
        "fresh": fresh_home,
    }
    watched = [str(p.address) for p in (people.deployer, people.alice, people.bob, people.carol, people.outsider)]
    yield World(chain, people, variables, homes, watched)

    # a devnet the CLI may have started (`node start` on a busy port): stop the process it recorded
    started = fresh_home / "localnet" / "localnet.json"
    if started.exists():
        pid = json.loads(started.read_text()).get("chain_pid")
        try:
            if pid and "anvil" in Path(f"/proc/{pid}/cmdline").read_text():
                os.kill(pid, 9)
        except (OSError, ValueError):
            pass


# --------------------------------------------------------------------------------------------- the cases

BASE = ["--rpc-url", "{rpc}", "--deployment", "{record}", "--store", "{store}"]


HASH = "0x" + "11" * 32  # a proposal content hash, for offline signing


def signed(alias: str, *more: str) -> list[str]:
    """A command sent by `alias` with the right password and --yes: only the bad value stops it."""
    return [*BASE, "--account", alias, "--password-file", "{pw}", "--yes", *more]


def case(
    case_id: str, argv: list[str], code: int | None, text: str | None = None, *, home: str = "main", xfail: str = ""
) -> Any:
    """One row: argv (with {placeholders}), the exit code (None: any non-zero), a substring of the error line."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(argv, code, text, home, id=case_id, marks=marks)


# fmt: off
GLOBAL = [
    case("global-unknown-network", ["--network", "nowhere", "model", "list"], 3, "unknown network 'nowhere'"),
    case("global-unknown-network-unicode", ["--network", "réseau-測試", "dao", "info"], 3, "unknown network"),
    case("global-config-not-toml", ["--network", "dev", "dao", "info"], 3, "config.toml", home="badtoml"),
    case("global-config-networks-not-table", ["--network", "x", "dao", "info"], 3, "[networks]", home="notable"),
    case(
        "global-config-network-not-table", ["--network", "flat", "dao", "info"], 3, "flat", home="weird",
    ),
    case("global-config-rpc-url-not-string", ["--network", "intrpc", "dao", "info"], 3,
         "[networks.intrpc] rpc_url must be a string, not an integer", home="weird"),
    case("global-no-rpc-url", ["--deployment", "{record}", "dao", "info"], 3, "no RPC URL"),
    case("global-no-deployment", ["--rpc-url", "{rpc}", "dao", "info"], 3, "no deployment record"),
    case("global-rpc-down", ["--rpc-url", "{down}", "--deployment", "{record}", "dao", "info"], 4, "cannot reach"),
    case("global-rpc-not-a-url", ["--rpc-url", "not a url", "--deployment", "{record}", "dao", "info"], 4),
    case("global-rpc-unicode-host", ["--rpc-url", "http://ümlaut.invalid:1", "--deployment", "{record}", "dao",
                                     "info"], 4),
    case("global-deployment-missing", ["--rpc-url", "{rpc}", "--deployment", "{tmp}/none.json", "model", "list"], 3,
         "no deployment record at"),
    case("global-deployment-other-chain", ["--rpc-url", "{rpc}", "--deployment", "{rec_other_chain}", "dao", "info"],
         3, "the deployment record is for chain id 1, but the node is chain id 31337"),
    case("global-deployment-not-json", ["--rpc-url", "{rpc}", "--deployment", "{rec_notjson}", "dao", "info"], 3,
         "cannot read deployment record"),
    case("global-deployment-not-utf8", ["--rpc-url", "{rpc}", "--deployment", "{rec_badutf8}", "dao", "info"], 3,
         "cannot read deployment record"),
    case("global-deployment-missing-keys", ["--rpc-url", "{rpc}", "--deployment", "{rec_missing}", "dao", "info"], 3,
         "is not a deployment record"),
    case(
        "global-deployment-json-array", ["--rpc-url", "{rpc}", "--deployment", "{rec_array}", "dao", "info"], 3,
        "not a deployment record",
    ),
    case(
        "global-deployment-unknown-key", ["--rpc-url", "{rpc}", "--deployment", "{rec_extra}", "dao", "info"], 3,
        "bogus",
    ),
    case(
        "global-deployment-bad-address", ["--rpc-url", "{rpc}", "--deployment", "{rec_badaddr}", "dao", "info"], 3,
        "0xnot-an-address",
    ),
    case("global-deployment-no-code", ["--rpc-url", "{rpc}", "--deployment", "{rec_nocode}", "dao", "info"], 3,
         "no contract at the token address"),
    case("global-deployment-is-a-dir", ["--rpc-url", "{rpc}", "--deployment", "{tmp}", "dao", "info"], 2),
    case("global-store-is-a-file", [*BASE[:4], "--store", "{record}", "model", "list"], 2),
    case("global-confirmations-negative", ["--confirmations", "-1", *BASE, "model", "list"], 2),
    case("global-confirmations-not-int", ["--confirmations", "many", *BASE, "model", "list"], 2),
    case("global-unknown-option", ["--colour", "model", "list"], 2, "No such option"),
    case("global-unknown-command", ["modle", "list"], 2, "No such command"),
]

ACCOUNT = [
    # keystores: creating and importing
    case("account-new-bad-alias", ["--password-file", "{pw}", "account", "new", "bad alias!"], 3,
         "not a valid account alias"),
    case("account-new-unicode-alias", ["--password-file", "{pw}", "account", "new", "ålice"], 3,
         "not a valid account alias"),
    case("account-new-path-alias", ["--password-file", "{pw}", "account", "new", "../escape"], 3,
         "not a valid account alias"),
    case("account-new-existing", ["--password-file", "{pw}", "account", "new", "alice"], 3, "already exists"),
    case("account-new-empty-password", ["--password-file", "{emptypw}", "account", "new", "fresh"], 3,
         "empty password"),
    case("account-new-missing-password-file", ["--password-file", "{tmp}/nope.txt", "account", "new", "fresh"], 3,
         "cannot read the password file"),
    case("account-new-password-env-unset", ["--password-env", "DEAI_NO_SUCH_VAR", "account", "new", "fresh"], 3,
         "DEAI_NO_SUCH_VAR is not set"),
    case(
        "account-new-password-file-not-utf8", ["--password-file", "{badutf8}", "account", "new", "fresh"], 3,
        "password file",
    ),
    case(
        "account-new-no-terminal", ["account", "new", "fresh"], 3, "no terminal",
    ),
    case("account-import-bad-key", ["--password-file", "{pw}", "account", "import", "fresh", "--secret-file",
                                    "{badkey}"], 3, "not a valid private key"),
    case("account-import-missing-secret-file", ["--password-file", "{pw}", "account", "import", "fresh",
                                                "--secret-file", "{tmp}/nope.key"], 3, "cannot read"),
    case(
        "account-import-secret-not-utf8", ["--password-file", "{pw}", "account", "import", "fresh", "--secret-file",
                                           "{badutf8}"], 3, "cannot read",
    ),
    case("account-import-bad-mnemonic", ["--password-file", "{pw}", "account", "import", "fresh", "--mnemonic",
                                         "--secret-file", "{badmnemonic}"], 3, "not a valid BIP-39 mnemonic"),
    case("account-import-negative-index", ["--password-file", "{pw}", "account", "import", "fresh", "--mnemonic",
                                           "--index", "-1", "--secret-file", "{goodmnemonic}"], 2),
    case(
        "account-import-huge-index", ["--password-file", "{pw}", "account", "import", "fresh", "--mnemonic",
                                      "--index", "4294967296", "--secret-file", "{goodmnemonic}"], 2, "--index",
    ),
    case("account-import-unicode-alias", ["--password-file", "{pw}", "account", "import", "密钥", "--secret-file",
                                          "{badkey}"], 3, "not a valid account alias"),
    case(
        "account-import-no-terminal", ["--password-file", "{pw}", "account", "import", "fresh"], 3, "no terminal",
    ),
    case("account-delete-unknown", ["--yes", "account", "delete", "nobody"], 3, "no account named 'nobody'"),
    case("account-delete-path-alias", ["--yes", "account", "delete", "../home/keystores/alice"], 3,
         "not a valid account alias"),
    case(
        "account-delete-no-terminal", ["account", "delete", "alice"], 3, "pass --yes",
    ),
    case(
        "account-list-corrupt-keystores", ["account", "list"], 0, home="corrupt",
    ),
    # reading balances and power
    case("account-balance-not-an-address", [*BASE, "account", "balance", "0xNOTANADDRESS"], 3, "is not an address"),
    case("account-balance-bad-checksum", [*BASE, "account", "balance", "{alice_badsum}"], 3, "wrong checksum"),
    case("account-balance-short-address", [*BASE, "account", "balance", "0x1234"], 3, "is not an address"),
    case("account-balance-no-address", [*BASE, "account", "balance"], 3, "give an ADDRESS or --account"),
    case("account-balance-unknown-account", [*BASE, "--account", "nobody", "account", "balance"], 3,
         "no account named 'nobody'"),
    case(
        "account-balance-unknown-account-corrupt-dir", [*BASE, "--account", "nobody", "account", "balance"], 3,
        "no account named", home="corrupt",
    ),
    case("account-power-unicode-address", [*BASE, "account", "power", "0xÅ" + "1" * 39], 3, "is not an address"),
    case("account-power-41-digits", [*BASE, "account", "power", "0x" + "a" * 41], 3, "is not an address"),
    case("account-merit-bad-address", [*BASE, "account", "merit", "0x12"], 3, "is not an address"),
    case("account-merit-nobody", [*BASE, "account", "merit"], 3, "give an ADDRESS or --account ALIAS"),
    case("account-expire-merit-no-grant", signed("bob", "account", "expire-merit", "{outsider}", "0"), 5,
         "has no grant 0 of merit left to expire"),
    case("account-expire-merit-negative", signed("bob", "account", "expire-merit", "--", "{outsider}", "-1"), 2,
         "is not in the range"),
    case("account-expire-merit-bad-holder", signed("bob", "account", "expire-merit", "0x12", "0"), 3,
         "merit holder '0x12' is not an address"),
    case("account-power-ens-name", [*BASE, "account", "power", "alice.eth"], 3,
         "is neither an address nor an account name"),
    # delegation: addresses, keystores, passwords
    case("account-delegate-not-an-address", signed("alice", "account", "delegate", "0xNOTANADDRESS"), 3,
         "is not an address"),
    case("account-delegate-bad-checksum", signed("alice", "account", "delegate", "{bob_badsum}"), 3,
         "wrong checksum"),
    case("account-delegate-no-account", [*BASE, "account", "delegate", "self"], 3,
         "choose the account with --account"),
    case("account-delegate-unknown-account", signed("nobody", "account", "delegate", "self"), 3,
         "no account named 'nobody' (known: alice, bob, carol, garbled, outsider)"),
    case("account-delegate-unicode-account", signed("ålice", "account", "delegate", "self"), 3,
         "not a valid account alias"),
    case("account-delegate-wrong-password", [*BASE, "--account", "alice", "--password-file", "{wrongpw}", "--yes",
                                             "account", "delegate", "self"], 3, "wrong password for account 'alice'"),
    case("account-delegate-empty-password", [*BASE, "--account", "alice", "--password-file", "{emptypw}", "--yes",
                                             "account", "delegate", "self"], 3, "wrong password"),
    case("account-delegate-missing-password-file", [*BASE, "--account", "alice", "--password-file", "{tmp}/no.txt",
                                                    "--yes", "account", "delegate", "self"], 3,
         "cannot read the password file"),
    case("account-delegate-password-file-is-dir", [*BASE, "--account", "alice", "--password-file", "{tmp}", "--yes",
                                                   "account", "delegate", "self"], 2),
    case("account-delegate-password-env-unset", [*BASE, "--account", "alice", "--password-env", "DEAI_NO_SUCH_VAR",
                                                 "--yes", "account", "delegate", "self"], 3, "is not set"),
    case("account-delegate-no-password-no-terminal", [*BASE, "--account", "alice", "--yes", "account", "delegate",
                                                      "self"], 3, "no password"),
    case("account-delegate-keystore-not-json", signed("notjson", "account", "delegate", "self"), 3,
         "unreadable or not JSON"),
    case("account-delegate-keystore-not-utf8", signed("badutf8", "account", "delegate", "self"), 3,
         "unreadable or not JSON"),
    case("account-delegate-keystore-unreadable", signed("folder", "account", "delegate", "self"), 3,
         "unreadable or not JSON"),
    case("account-delegate-keystore-garbled", signed("garbled", "account", "delegate", "self"), 3,
         "not a valid Web3 Secret Storage file"),
    case("account-delegate-no-yes", [*BASE, "--account", "alice", "--password-file", "{pw}", "account", "delegate",
                                     "self"], 3, "refusing to send without confirmation"),
    # transfers: amounts
    case("account-transfer-negative", signed("bob", "account", "transfer", "--", "{outsider}", "-3"), 3,
         "not a non-negative amount"),
    case("account-transfer-not-a-number", signed("bob", "account", "transfer", "{outsider}", "lots"), 3,
         "is not an amount"),
    case("account-transfer-hex", signed("bob", "account", "transfer", "{outsider}", "0x10"), 3, "is not an amount"),
    case("account-transfer-too-many-decimals", signed("bob", "account", "transfer", "{outsider}",
                                                      "1.0000000000000000001"), 3, "more than 18 decimals"),
    case("account-transfer-tiny-exponent", signed("bob", "account", "transfer", "{outsider}", "1e-19"), 3,
         "more than 18 decimals"),
    case("account-transfer-huge", signed("bob", "account", "transfer", "{outsider}", "1e80"), 3, "too large"),
    case("account-transfer-huge-exponent", signed("bob", "account", "transfer", "{outsider}", "1e999999999"), 3,
         "too large"),
    case("account-transfer-nan", signed("bob", "account", "transfer", "{outsider}", "NaN"), 3, "non-negative"),
    case("account-transfer-infinity", signed("bob", "account", "transfer", "{outsider}", "Infinity"), 3,
         "non-negative"),
    case(
        "account-transfer-unicode-digits", signed("outsider", "account", "transfer", "{bob}", "１２"), 3,
        "is not an amount",
    ),
    case("account-transfer-more-than-balance", signed("bob", "account", "transfer", "{outsider}", "1000000"), 5,
         "holds"),
    case("account-transfer-to-zero-address", signed("bob", "account", "transfer", "{zero}", "1"), 5,
         "tokens cannot be sent to 0x0000000000000000000000000000000000000000"),
    case("account-transfer-bad-checksum", signed("bob", "account", "transfer", "{alice_badsum}", "1"), 3,
         "wrong checksum"),
    case("account-transfer-missing-amount", signed("bob", "account", "transfer", "{outsider}"), 2,
         "Missing argument 'AMOUNT'"),
]

DAO = [
    case("dao-info-extra-argument", [*BASE, "dao", "info", "extra"], 2, "unexpected extra argument"),
    case("dao-verify-extra-argument", [*BASE, "dao", "verify", "extra"], 2, "unexpected extra argument"),
    case("dao-verify-no-record", ["--rpc-url", "{rpc}", "dao", "verify"], 3, "no deployment record"),
    case("dao-delegates-top-zero", [*BASE, "dao", "delegates", "--top", "0"], 2),
    case("dao-delegates-top-negative", [*BASE, "dao", "delegates", "--top", "-5"], 2),
    case("dao-delegates-top-not-int", [*BASE, "dao", "delegates", "--top", "ten"], 2),
    case("dao-deploy-quorum-101", ["--rpc-url", "{rpc}", "dao", "deploy", "--quorum", "101"], 2),
    case("dao-deploy-voting-period-zero", ["--rpc-url", "{rpc}", "dao", "deploy", "--voting-period", "0"], 2),
    case("dao-deploy-voting-delay-negative", ["--rpc-url", "{rpc}", "dao", "deploy", "--voting-delay", "-1"], 2),
    case("dao-deploy-voting-delay-huge", ["--rpc-url", "{rpc}", "--dry-run", "dao", "deploy", "--voting-delay",
                                          str(2**48)], 3, "voting delay"),
    case("dao-deploy-voting-period-huge", ["--rpc-url", "{rpc}", "--dry-run", "dao", "deploy", "--voting-period",
                                           str(2**32)], 3, "voting period"),
    case("dao-deploy-timelock-huge", ["--rpc-url", "{rpc}", "--dry-run", "dao", "deploy", "--timelock-delay",
                                      str(2**64)], 3, "timelock delay"),
    case("dao-deploy-late-quorum-too-long", ["--rpc-url", "{rpc}", "--dry-run", "dao", "deploy", "--voting-period",
                                             "100", "--late-quorum", "101"], 3, "late-quorum"),
    case("dao-deploy-empty-token-name", ["--rpc-url", "{rpc}", "--dry-run", "dao", "deploy", "--token-name", ""], 3,
         "names must not be empty"),
    case("dao-deploy-threshold-not-a-number", ["--rpc-url", "{rpc}", "dao", "deploy", "--threshold", "many"], 3,
         "is not an amount"),
    case("dao-deploy-treasury-huge", ["--rpc-url", "{rpc}", "dao", "deploy", "--treasury", "1e80"], 3, "too large"),
    case("dao-deploy-supply-over-erc20votes", ["--rpc-url", "{rpc}", "--dry-run", "dao", "deploy", "--treasury",
                                               "1e50"], 3, "2^208"),
    case("dao-deploy-holders-supply-negative", ["--rpc-url", "{rpc}", "dao", "deploy", "--holders-supply", "-1"], 3,
         "non-negative"),
    case("dao-deploy-holder-no-equals", ["--rpc-url", "{rpc}", "dao", "deploy", "--holder", "{bob}"], 3,
         "--holder takes ADDRESS=AMOUNT"),
    case("dao-deploy-holder-bad-checksum", ["--rpc-url", "{rpc}", "dao", "deploy", "--holder", "{bob_badsum}=10"], 3,
         "wrong checksum"),
    case("dao-deploy-holder-negative", ["--rpc-url", "{rpc}", "dao", "deploy", "--holder", "{bob}=-10"], 3,
         "non-negative"),
    case("dao-deploy-holder-unicode-amount", ["--rpc-url", "{rpc}", "dao", "deploy", "--holder", "{bob}=ten€"], 3,
         "is not an amount"),
    case("dao-deploy-guardian-not-an-address", ["--rpc-url", "{rpc}", "dao", "deploy", "--guardian", "guardian"], 3,
         "is neither an address nor an account name"),
    case("dao-deploy-no-rpc", ["dao", "deploy"], 3, "deploying needs a chain"),
    case("dao-deploy-record-exists", ["--rpc-url", "{rpc}", "dao", "deploy", "--out", "{record}"], 3,
         "already exists"),
    case("dao-deploy-out-is-dir", ["--rpc-url", "{rpc}", "dao", "deploy", "--out", "{tmp}"], 2),
    case("dao-deploy-no-account", ["--rpc-url", "{rpc}", "dao", "deploy", "--out", "{tmp}/new.json"], 3,
         "choose the account with --account"),
    case("dao-deploy-wrong-password", ["--rpc-url", "{rpc}", "--account", "alice", "--password-file", "{wrongpw}",
                                       "--yes", "dao", "deploy", "--out", "{tmp}/new.json"], 3, "wrong password"),
    case("dao-deploy-no-yes", ["--rpc-url", "{rpc}", "--account", "alice", "--password-file", "{pw}", "dao",
                               "deploy", "--out", "{tmp}/new.json"], 3, "refusing to send without confirmation"),
]

EVAL = [  # this DAO was deployed without an attestation service: every evaluation command says how to get one
    case("proposal-create-bad-policy", signed("alice", "proposal", "create", "--title", "p", "--policy",
                                              "{badpolicy}"), 3, "names 1 to 32 benchmark metrics"),
    case("model-propose-reward-auto-no-policy", signed("alice", "model", "propose", "upgrade", MODEL, "--artifact",
                                                       "{cid_a}", "--manifest", "{cid_m}", "--reward", "auto"), 3,
         "the DAO has adopted no reward policy"),
    case("eval-run-candidate-without-manifest", signed("alice", "eval", "run", MODEL, "--benchmark", "{benchmark}",
                                                       "--candidate", "{cid_a}"), 3, "has no command to run"),
    case("eval-run-no-command", signed("alice", "eval", "run", MODEL, "--benchmark", "{benchmark}"), 3,
         "has no command to run; attest results with `eval submit`"),
    case("eval-run-no-benchmark-file", signed("alice", "eval", "run", MODEL, "--benchmark", "{tmp}/none.json"), 3,
         "cannot read benchmark"),
    case("eval-run-dataset-missing", signed("alice", "eval", "run", MODEL, "--benchmark", "{benchmark}", "--dataset",
                                            "{tmp}/none.csv"), 2, "does not exist"),
    case("eval-run-bad-timeout", signed("alice", "eval", "run", MODEL, "--benchmark", "{benchmark}", "--timeout",
                                        "soon"), 2, "is not a duration"),
    case("eval-list-no-eas", [*BASE, "eval", "list"], 3, "names no attestation service (EAS)"),
    case("eval-list-bad-name", [*BASE, "eval", "list", "Acme/X"], 3, "not a valid model name"),
    case("eval-show-not-a-uid", [*BASE, "eval", "show", "0x1234"], 3, "is not a 32-byte hash"),
    case("eval-show-no-eas", [*BASE, "eval", "show", "0x" + "ab" * 32], 3, "names no attestation service (EAS)"),
    case("eval-submit-no-eas", signed("alice", "eval", "submit", MODEL, "--benchmark", "{benchmark}", "--metric",
                                      "acc=1"), 3, "names no attestation service (EAS)"),
    case("eval-submit-no-benchmark-file", signed("alice", "eval", "submit", MODEL, "--benchmark", "{tmp}/none.json",
                                                 "--metric", "acc=1"), 3, "cannot read benchmark"),
    case("eval-submit-unknown-version", signed("alice", "eval", "submit", f"{MODEL}@9", "--benchmark", "{benchmark}",
                                               "--metric", "acc=1"), 3, "has no version 9"),
    case("eval-submit-nan", signed("alice", "eval", "submit", MODEL, "--benchmark", "{benchmark}", "--metric",
                                   "acc=inf"), 3, "is not a finite number"),
    case("eval-submit-offchain-no-eas", signed("alice", "eval", "submit", MODEL, "--benchmark", "{benchmark}",
                                               "--metric", "acc=1", "--offchain"), 3,
         "names no attestation service (EAS)"),
    case("eval-relay-not-a-cid", signed("alice", "eval", "relay", "not-a-cid"), 3, "is not a valid CID"),
    case("eval-relay-not-a-package", signed("alice", "eval", "relay", "{badpolicy}"), 3,
         "not an off-chain attestation"),
    case("eval-relay-nowhere", signed("alice", "eval", "relay", "{cid_absent}"), 7, "is not in the embedded store"),
    case("eval-revoke-not-a-uid", signed("alice", "eval", "revoke", "0x1234"), 3, "is not a 32-byte hash"),
    case("eval-revoke-no-eas", signed("alice", "eval", "revoke", "0x" + "ab" * 32), 3,
         "names no attestation service (EAS)"),
]

MODEL_CASES = [
    case("model-show-uppercase-name", [*BASE, "model", "show", "Acme/Bad"], 3, "not a valid model name"),
    case("model-card-unknown-model", [*BASE, "model", "card", "acme/none"], 3,
         "no model named 'acme/none' is registered"),
    case("model-card-unknown-version", [*BASE, "model", "card", f"{MODEL}@9"], 3, "has no version 9"),
    case("model-card-update-folder", [*BASE, "model", "card", MODEL, "--update", "{tmp}"], 2, "is a directory"),
    case("model-card-broken-markers", [*BASE, "model", "card", MODEL, "--update", "{badcard}"], 3,
         "markers are broken"),
    case("model-signature-unknown-model", [*BASE, "model", "signature", "acme/none"], 3,
         "no model named 'acme/none' is registered"),
    case("model-signature-unsigned-key-out", [*BASE, "model", "signature", MODEL, "--public-key-out", "{tmp}/k.pem"],
         3, "is not signed: there is no signer key to write"),
    case("model-show-no-slash", [*BASE, "model", "show", "bad-input"], 3, "not a valid model name"),
    case("model-show-unicode-name", [*BASE, "model", "show", "acme/modèle-ü"], 3, "not a valid model name"),
    case("model-show-empty-name", [*BASE, "model", "show", ""], 3, "a model name is required"),
    case("model-show-long-name", [*BASE, "model", "show", "acme/" + "x" * 300], 3, "longer than"),
    case("model-show-unknown", [*BASE, "model", "show", "acme/unknown"], 3, "no model named 'acme/unknown'"),
    case("model-pull-a-cid", [*BASE, "model", "pull", "{cid_a}", "--to", "{tmp}/p9"], 3,
         "is a CID, not a model name (org/name); `deai-gov model which"),
    case("model-which-unregistered", [*BASE, "model", "which", "{cid_a}"], 3,
         "is no artifact or manifest of any version in this DAO's registry"),
    case("model-which-not-a-cid", [*BASE, "model", "which", "bafy-nothing"], 3, "is not a valid CID"),
    case("model-which-its-manifest", [*BASE, "model", "which", "{model_manifest}"], 0),
    case("model-diff-same-version", [*BASE, "model", "diff", MODEL, "1", "1"], 3, "v1 and v1 are the same version"),
    case("model-diff-version-zero", [*BASE, "model", "diff", MODEL, "0", "1"], 2, "is not in the range x>=1"),
    case("model-diff-no-such-version", [*BASE, "model", "diff", MODEL, "1", "7"], 3, "has no version 7"),
    case("model-diff-not-a-number", [*BASE, "model", "diff", MODEL, "1", "two"], 2, "'two' is not a valid integer"),
    case("model-diff-unknown-model", [*BASE, "model", "diff", "acme/unknown", "1", "2"], 3,
         "no model named 'acme/unknown'"),
    case("model-show-mistyped", [*BASE, "model", "show", "acme/bad-inptu"], 3,
         "no model named 'acme/bad-inptu' is registered; did you mean 'acme/bad-input'?"),
    case("global-option-after-the-command", [*BASE, "account", "list", "--password-env", "PW"], 2,
         "--password-env is an option of deai-gov itself: write it before the command"),
    case("account-unknown-before-any-password", [*BASE, "--account", "bobb", "account", "delegate", "self"], 3,
         "no account named 'bobb' (did you mean 'bob'?"),
    case("model-versions-bad-name", [*BASE, "model", "versions", "acme//double"], 3, "not a valid model name"),
    case("model-versions-unknown", [*BASE, "model", "versions", "acme/unknown"], 3, "no model named"),
    case("model-list-extra-argument", [*BASE, "model", "list", MODEL], 2),
    case("model-pull-version-zero", [*BASE, "model", "pull", MODEL + "@0", "--to", "{tmp}/p0"], 3,
         "'0' is not a version number"),
    case("model-pull-version-negative", [*BASE, "model", "pull", MODEL + "@-1", "--to", "{tmp}/p1"], 3,
         "is not a version number"),
    case("model-pull-version-decimal", [*BASE, "model", "pull", MODEL + "@1.5", "--to", "{tmp}/p2"], 3,
         "is not a version number"),
    case("model-pull-version-word", [*BASE, "model", "pull", MODEL + "@latest", "--to", "{tmp}/p3"], 3,
         "is not a version number"),
    case("model-pull-version-unknown", [*BASE, "model", "pull", MODEL + "@9", "--to", "{tmp}/p4"], 3,
         "has no version 9"),
    case("model-pull-version-huge", [*BASE, "model", "pull", MODEL + "@" + str(2**256), "--to", "{tmp}/p5"], 3,
         "has no version"),
    case(
        "model-pull-version-unicode-digit", [*BASE, "model", "pull", MODEL + "@١", "--to", "{tmp}/p6"], 3,
        "is not a version number",
    ),
    case("model-pull-unknown-model", [*BASE, "model", "pull", "acme/unknown", "--to", "{tmp}/p7"], 3,
         "no model named"),
    case("model-pull-no-ipfs-source", ["--rpc-url", "{rpc}", "--deployment", "{record}", "model", "pull", MODEL,
                                       "--to", "{tmp}/p8"], 3, "no IPFS source"),
    case("model-pull-into-nonempty-folder", [*BASE, "model", "pull", MODEL, "--to", "{nonempty}"], 3,
         "already exists and is not an empty folder"),
    case("model-pull-to-a-file", [*BASE, "model", "pull", MODEL, "--to", "{record}"], 3, "already exists"),
    case(
        "model-pull-under-a-file", [*BASE, "model", "pull", MODEL, "--to", "{record}/sub"], None, "sub",
    ),
    case("model-pull-gateway-not-a-url", ["--rpc-url", "{rpc}", "--deployment", "{record}", "--gateway", "not a url",
                                          "model", "pull", MODEL, "--to", "{tmp}/p9"], 7),
    case("model-verify-bad-name", [*BASE, "model", "verify", "ACME/X"], 3, "not a valid model name"),
    case("model-verify-unknown", [*BASE, "model", "verify", "acme/unknown"], 3, "no model named"),
    case("model-verify-version-zero", [*BASE, "model", "verify", MODEL + "@0"], 3, "is not a version number"),
    case("model-verify-ipfs-api-down", ["--rpc-url", "{rpc}", "--deployment", "{record}", "--ipfs-api", "{down}",
                                        "model", "verify", MODEL], 7),
    case("model-verify-local-missing", [*BASE, "model", "verify", MODEL, "--local", "{tmp}/missing"], 2,
         "does not exist"),
    case("model-pin-unknown-service", [*BASE, "model", "pin", MODEL, "--service", "nope"], 3,
         "unknown pinning service 'nope'"),
    case("model-pin-bad-timeout", [*BASE, "model", "pin", MODEL, "--service", "x", "--timeout", "soon"], 2),
    case("model-pins-unknown-service", [*BASE, "model", "pins", "--service", "nope"], 3, "unknown pinning service"),
    case("model-unpin-unknown-model", [*BASE, "model", "unpin", "acme/unknown", "--service", "x"], 3,
         "no model named"),
    case("model-export-over-a-file", [*BASE, "model", "export", MODEL, "{record}"], 3, "already exists"),
    case("model-export-unknown", [*BASE, "model", "export", "acme/unknown", "{tmp}/x.car"], 3, "no model named"),
    case("model-export-version-zero", [*BASE, "model", "export", MODEL + "@0", "{tmp}/x.car"], 3,
         "is not a version number"),
    case("model-import-not-a-car", [*BASE, "model", "import", "{record}"], 3, "is not a CAR v1 file"),
    case("model-import-missing", [*BASE, "model", "import", "{tmp}/missing.car"], 2, "does not exist"),
    case("model-import-nowhere", ["--rpc-url", "{rpc}", "--deployment", "{record}", "model", "import", "{record}"], 3,
         "nowhere to publish"),
    case("proposal-create-no-action", signed("alice", "proposal", "create", "--title", "x"), 3, "needs an action"),
    case("proposal-create-unknown-setting", signed("alice", "proposal", "create", "--title", "x", "--set", "votes=1"),
         3, "unknown setting 'votes'"),
    case("proposal-create-setting-without-value", signed("alice", "proposal", "create", "--title", "x", "--set",
                                                         "quorum"), 3, "write NAME=VALUE"),
    case("proposal-create-quorum-over-100", signed("alice", "proposal", "create", "--title", "x", "--set",
                                                   "quorum=101%"), 3, "out of range"),
    case("proposal-create-transfer-not-an-address", signed("alice", "proposal", "create", "--title", "x",
                                                           "--transfer", "1", "0xnot"), 3, "is not an address"),
    case("proposal-create-call-not-a-signature", signed("alice", "proposal", "create", "--title", "x", "--call",
                                                        "0x" + "11" * 20, "oops", ""), 3, "not a function signature"),
    case("proposal-create-calldata-not-hex", signed("alice", "proposal", "create", "--title", "x", "--calldata",
                                                    "0x" + "11" * 20, "0xzz"), 3, "not hex calldata"),
    case("proposal-create-rollback-without-version", signed("alice", "proposal", "create", "--title", "x",
                                                            "--rollback", "acme/x"), 3, "NAME@VERSION"),
    case("proposal-create-rollback-unknown-model", signed("alice", "proposal", "create", "--title", "x",
                                                          "--rollback", "acme/nothing@1"), 3, "acme/nothing"),
    case("proposal-create-retire-bad-name", signed("alice", "proposal", "create", "--title", "x", "--retire",
                                                   "Not A Name", "why"), 3),
    # proposals: register
    case("model-register-bad-name", signed("alice", "model", "propose", "register", "Acme/New", "--artifact",
                                           "{cid_a}", "--manifest", "{cid_m}"), 3, "not a valid model name"),
    case("model-register-taken-name", signed("alice", "model", "propose", "register", MODEL, "--artifact", "{cid_a}",
                                             "--manifest", "{cid_m}"), 3, "is already registered (v1 current): a new "
         "version is an upgrade; use `deai-gov model propose upgrade acme/bad-input PATH`"),
    case("model-register-unicode-name", signed("alice", "model", "propose", "register", "acme/naïve", "--artifact",
                                               "{cid_a}", "--manifest", "{cid_m}"), 3, "not a valid model name"),
    case("model-register-malformed-cid", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                "bafy-not-a-cid", "--manifest", "{cid_m}"), 3, "is not a valid CID"),
    case("model-register-short-cidv0", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                              "{cid_a}", "--manifest", "Qm123"), 3, "is not a valid CID"),
    case("model-register-blake2b-cid", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                              "{cid_blake}", "--manifest", "{cid_m}"), 3, "sha2-256 CIDs only"),
    case("model-register-two-byte-codec", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                 "{cid_dagjson}", "--manifest", "{cid_m}"), 3, "raw and dag-pb"),
    case("model-register-only-artifact", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                "{cid_a}"), 3, "give the model's PATH"),
    case("model-register-no-copy-with-cids", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                    "{cid_a}", "--manifest", "{cid_m}", "--no-copy"), 3,
         "means nothing with given CIDs"),
    case("model-register-no-copy-to-a-node", ["--ipfs-api", "{down}", *signed("alice", "model", "propose", "register",
                                              "acme/new", "{folder}", "--no-copy")], 3, "needs an embedded store"),
    case("model-register-sign-key-not-a-key", signed("alice", "model", "propose", "register", "acme/new",
                                                     "{folder}", "--sign-key", "{record}"), 3, "is not a PEM key"),
    case("model-register-sign-key-with-cids", signed("alice", "model", "propose", "register", "acme/new",
                                                     "--artifact", "{cid_a}", "--manifest", "{cid_m}", "--sign-key",
                                                     "{record}"), 3, "are about publishing a PATH"),
    case("model-register-signer-key-without-bundle", signed("alice", "model", "propose", "register", "acme/new",
                                                            "{folder}", "--signer-public-key", "{record}"), 3,
         "model.sig, which is not there"),
    case("mlflow-propose-not-a-model-uri", signed("alice", "mlflow", "propose", "runs:/abc/model", "--name",
                                                 "acme/new", "--tracking-uri", "http://127.0.0.1:9"), 3,
         "is not an MLflow model URI"),
    case("mlflow-propose-no-tracking-uri", signed("alice", "mlflow", "propose", "models:/m/1", "--name", "acme/new"),
         2, "Missing option '--tracking-uri'"),
    case("mlflow-propose-server-down", signed("alice", "mlflow", "propose", "models:/m/1", "--name", "acme/new",
                                              "--tracking-uri", "{down}"), 7, "cannot reach the MLflow server"),
    case("mlflow-sync-bad-alias", [*BASE, "mlflow", "sync", "--tracking-uri", "http://127.0.0.1:9", "--alias", "v2",
                                   "--once"], 3, "is not an MLflow alias"),
    case("mlflow-sync-bad-start", [*BASE, "mlflow", "sync", "--tracking-uri", "http://127.0.0.1:9", "--from", "soon",
                                   "--once"], 3, "write a block number or `deployment`"),
    case("mlflow-listen-no-secret", [*BASE, "mlflow", "listen", "--tracking-uri", "http://127.0.0.1:9", "--model",
                                     "m=acme/m"], 3, "give the webhook's secret"),
    case("mlflow-listen-bad-model-map", [*BASE, "mlflow", "listen", "--tracking-uri", "http://127.0.0.1:9",
                                         "--model", "nonsense", "--secret-env", "HOME"], 3,
         "write MLFLOW_NAME=ORG/NAME"),
    case("model-register-from-and-path", signed("alice", "model", "propose", "register", "acme/new", "{folder}",
                                                "--from", "hf://acme/tiny"), 3, "one of them"),
    case("model-publish-nothing", signed("alice", "model", "publish", "acme/new"), 3,
         "give the model's PATH, or --from"),
    case("dao-uri-propose-without-publish", signed("alice", "dao", "uri", "--propose"), 3, "give both"),
    case("dao-uri-publish-to-a-node-down", [*BASE, "--ipfs-api", "{down}", "dao", "uri", "--publish"], None,
         "IPFS"),
    case("proposal-create-dao-uri-not-a-uri", signed("alice", "proposal", "create", "--title", "x", "--dao-uri",
                                                     "plain words"), 3, "printable characters without spaces"),
    case("ui-bad-port", [*BASE, "ui", "--port", "0"], 2, "--port"),
    case("ui-relayer-not-a-url", [*BASE, "ui", "--relayer", "relay.example; script-src *"], 3,
         "is not a relayer URL"),
    case("ui-no-deployment", ["--rpc-url", "{rpc}", "ui"], 3, "no deployment record"),
    case("relay-serve-no-account", [*BASE, "relay", "serve", "--port", "9"], 3, "choose the account with --account"),
    case("relay-serve-bad-port", signed("alice", "relay", "serve", "--port", "0"), 2, "--port"),
    case("relay-serve-as-a-safe", signed("alice", "--safe", "{record_registry}", "relay", "serve"), 3,
         "a Safe cannot relay"),
    case("proposal-relay-relayer-down", [*BASE, "proposal", "relay", "{ballot}", "--relayer", "{down}"], 7,
         "cannot reach the relayer"),
    case("safe-show-no-file", [*BASE, "safe", "show", "{tmp}/none.json"], 3, "no file"),
    case("safe-show-not-json", [*BASE, "safe", "show", "{ballot_notjson}"], 3, "not JSON"),
    case("safe-sign-not-a-request", signed("alice", "safe", "sign", "{record}"), 3,
         "not a file of Safe owners' signatures"),
    case("safe-execute-a-signed-vote", signed("alice", "safe", "execute", "{ballot}"), 3,
         "not a file of Safe owners' signatures"),
    case("safe-execute-a-folder", signed("alice", "safe", "execute", "{folder}"), 2, "is a directory"),
    case("global-safe-without-export", [*signed("alice", "--safe", "{record_registry}", "model", "suspend", MODEL,
                                                "--reason", "x")], 3, "--safe-export FILE"),
    case("global-safe-not-a-safe", [*signed("alice", "--safe", "{record_registry}", "--safe-export", "{tmp}/b.json",
                                            "model", "suspend", MODEL, "--reason", "x")], 3, "is not a Safe"),
    case("global-safe-deploys", [*signed("alice", "--safe", "{record_registry}", "--safe-export", "{tmp}/b.json",
                                         "dao", "deploy")], 3, "a Safe cannot deploy"),
    case("proposal-create-signer-not-a-key", signed("alice", "proposal", "create", "--title", "x", "--signer",
                                                    "trust", MODEL, "nothex"), 3,
         "neither a PEM key file nor a key fingerprint"),
    case("proposal-create-signer-unchanged", signed("alice", "proposal", "create", "--title", "x", "--signer",
                                                    "distrust", MODEL, "ab" * 32), 3, "is not trusted to sign"),
    case("model-register-path-and-cids", signed("alice", "model", "propose", "register", "acme/new", "{folder}",
                                                "--artifact", "{cid_a}"), 3, "not both"),
    case("model-register-missing-path", signed("alice", "model", "propose", "register", "acme/new",
                                               "{tmp}/no-such-folder"), 2, "does not exist"),
    case("model-register-missing-description-file", signed(
        "alice", "model", "propose", "register", "acme/new", "--artifact", "{cid_a}", "--manifest", "{cid_m}",
        "--description-file", "{tmp}/no-such.md"), 2, "does not exist"),
    case("model-register-bad-contributor", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                  "{cid_a}", "--manifest", "{cid_m}", "--contributor", "0x12"), 3,
         "contributor '0x12' is not an address"),
    case("model-register-contributor-bad-checksum", signed(
        "alice", "model", "propose", "register", "acme/new", "--artifact", "{cid_a}", "--manifest", "{cid_m}",
        "--contributor", "{bob_badsum}"), 3, "wrong checksum"),
    case("model-register-merit-lifetime-bad", signed("alice", "model", "propose", "register", "acme/new",
                                                     "--artifact", "{cid_a}", "--manifest", "{cid_m}", "--merit", "5",
                                                     "--merit-lifetime", "forever"), 2, "is not a duration"),
    case("proposal-create-merit-lifetime-too-long", signed("alice", "proposal", "create", "--title", "m", "--merit",
                                                           "1", "{bob}", "r", "--merit-lifetime", "40000d"), 3,
         "a merit lifetime is from 0 (never expires) to 100 years"),
    case("model-register-reward-negative", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                  "{cid_a}", "--manifest", "{cid_m}", "--reward", "-5"), 3,
         "non-negative"),
    case("model-register-reward-zero", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                              "{cid_a}", "--manifest", "{cid_m}", "--reward", "0"), 3,
         "a reward must be a positive amount"),
    case("model-register-reward-word", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                              "{cid_a}", "--manifest", "{cid_m}", "--reward", "five"), 3,
         "is not an amount"),
    case("model-register-reward-huge", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                              "{cid_a}", "--manifest", "{cid_m}", "--reward", "1e80"), 3, "too large"),
    case("model-register-reward-decimals", signed("alice", "model", "propose", "register", "acme/new", "--artifact",
                                                  "{cid_a}", "--manifest", "{cid_m}", "--reward",
                                                  "0.0000000000000000001"), 3, "more than 18 decimals"),
    case("model-register-identical-canceled", signed("alice", "model", "propose", "register", "acme/canceled",
                                                     "--artifact", "{cid_ca}", "--manifest", "{cid_cm}"), 3,
         "was canceled; change --title"),
    # proposing again what is already pending is reported, not an error (a rerun after an interruption)
    case("model-register-identical-pending", signed("alice", "model", "propose", "register", "acme/pending",
                                                    "--artifact", "{cid_pa}", "--manifest", "{cid_pm}"), 0),
    case("model-register-below-threshold", signed("outsider", "model", "propose", "register", "acme/new",
                                                  "--artifact", "{cid_a}", "--manifest", "{cid_m}"), 5,
         "below the proposal threshold"),
    case("model-register-nowhere-to-publish", ["--rpc-url", "{rpc}", "--deployment", "{record}", "--account",
                                               "alice", "--password-file", "{pw}", "--yes", "model", "propose",
                                               "register", "acme/new", "{folder}"], 3, "nowhere to publish"),
    case("model-register-manifest-nowhere", signed("alice", "model", "propose", "register", "acme/new",
                                                   "--artifact", "{cid_a}", "--manifest", "{cid_absent}"), 7,
         "is not in the embedded store"),
    # publishing without proposing
    case("model-publish-bad-name", signed("alice", "model", "publish", "Acme/New", "{folder}"), 3,
         "not a valid model name"),
    case("model-publish-missing-folder", signed("alice", "model", "publish", "acme/new", "{tmp}/no-such-folder"), 2,
         "does not exist"),
    case("model-publish-bad-contributor", signed("alice", "model", "publish", "acme/new", "{folder}",
                                                 "--contributor", "0x12"), 3, "contributor '0x12' is not an address"),
    case("model-publish-nowhere-to-publish", ["--rpc-url", "{rpc}", "--deployment", "{record}", "--account", "alice",
                                              "--password-file", "{pw}", "--yes", "model", "publish", "acme/new",
                                              "{folder}"], 3, "nowhere to publish"),
    case("model-register-wrong-password", [*BASE, "--account", "alice", "--password-file", "{wrongpw}", "--yes",
                                           "model", "propose", "register", "acme/new", "--artifact", "{cid_a}",
                                           "--manifest", "{cid_m}"], 3, "wrong password"),
    # upgrade, rollback, retire
    case("model-upgrade-unknown-model", signed("alice", "model", "propose", "upgrade", "acme/unknown", "--artifact",
                                               "{cid_a}", "--manifest", "{cid_m}"), 3, "no model named"),
    case("model-upgrade-malformed-cids", signed("alice", "model", "propose", "upgrade", MODEL, "--artifact", "bad",
                                                "--manifest", "bad"), 3, "is not a valid CID"),
    case("model-upgrade-reward-negative", signed("alice", "model", "propose", "upgrade", MODEL, "--artifact",
                                                 "{cid_a}", "--manifest", "{cid_m}", "--reward", "-1"), 3,
         "non-negative"),
    case("model-upgrade-contributor-bad-checksum", signed(
        "alice", "model", "propose", "upgrade", MODEL, "--artifact", "{cid_a}", "--manifest", "{cid_m}",
        "--contributor", "{alice_badsum}"), 3, "wrong checksum"),
    case("model-rollback-no-version", signed("alice", "model", "propose", "rollback", MODEL), 3,
         "say which version"),
    case("model-rollback-version-zero", signed("alice", "model", "propose", "rollback", MODEL + "@0"), 3,
         "is not a version number"),
    case("model-rollback-version-negative", signed("alice", "model", "propose", "rollback", MODEL + "@-2"), 3,
         "is not a version number"),
    case(
        "model-rollback-version-uint32", signed("alice", "model", "propose", "rollback", MODEL + "@4294967296"), 3,
        "has no version 4294967296",
    ),
    case(
        "model-rollback-version-unknown", [*signed("alice", "--dry-run"), "model", "propose", "rollback",
                                           MODEL + "@7"], 3, "has no version 7",
    ),
    case(
        "model-rollback-unknown-model", [*signed("alice", "--dry-run"), "model", "propose", "rollback",
                                         "acme/unknown@1"], 3, "no model named",
    ),
    case("model-retire-no-reason", signed("alice", "model", "propose", "retire", MODEL), 2,
         "Missing option '--reason'"),
    case("model-retire-blank-reason", signed("alice", "model", "propose", "retire", MODEL, "--reason", "  "), 3,
         "needs a reason"),
    case("model-retire-bad-name", signed("alice", "model", "propose", "retire", "acme/Ünicode", "--reason",
                                         "obsolète"), 3, "not a valid model name"),
    case(
        "model-retire-unknown-model", [*signed("alice", "--dry-run"), "model", "propose", "retire", "acme/unknown",
                                       "--reason", "plus utilisé 🚫"], 3, "no model named",
    ),
    case("model-propose-unknown-step", signed("alice", "model", "propose", "delete", MODEL), 2, "No such command"),
]

PROPOSAL = [
    case("proposal-show-zero", [*BASE, "proposal", "show", "0"], 2, "1<=x"),
    case("proposal-show-negative", [*BASE, "proposal", "show", "-1"], 2),
    case("proposal-show-not-int", [*BASE, "proposal", "show", "x"], 2, "'x' is not a valid integer"),
    case("proposal-show-unknown", [*BASE, "proposal", "show", "999"], 3, "proposal 999 does not exist"),
    case("proposal-show-simulate-unknown", [*BASE, "proposal", "show", "999", "--simulate"], 3, "999 does not exist"),
    case(
        "proposal-show-huge", [*BASE, "proposal", "show", "{huge}"], 2, "is not in the range",
    ),
    case("proposal-list-bad-state", [*BASE, "proposal", "list", "--state", "approved"], 2, "'approved' is not one of"),
    case(
        "proposal-vote-unknown", signed("bob", "proposal", "vote", "999", "for"), 3, "proposal 999 does not exist",
    ),
    case(
        "proposal-vote-huge-id", signed("bob", "proposal", "vote", "{huge}", "for"), 2, "is not in the range",
    ),
    case("proposal-vote-bad-support", signed("bob", "proposal", "vote", "{pid_active}", "maybe"), 2,
         "'maybe' is not one of"),
    case("proposal-vote-pending", signed("bob", "proposal", "vote", "{pid_pending}", "for", "--reason",
                                         "très bien 👍"), 3,
         "too early to vote on proposal {pid_pending}: voting opens at "),
    case("proposal-vote-executed", signed("bob", "proposal", "vote", "{pid_executed}", "against"), 5,
         "was executed; this needs a proposal that is active"),
    case("proposal-vote-twice", signed("alice", "proposal", "vote", "{pid_active}", "against"), 5,
         "has already voted"),
    case("proposal-vote-wrong-password", [*BASE, "--account", "bob", "--password-file", "{wrongpw}", "--yes",
                                          "proposal", "vote", "{pid_active}", "for"], 3, "wrong password"),
    case("proposal-override-pending", signed("carol", "proposal", "override", "{pid_pending}", "abstain"), 3,
         "(in 1 day); nothing sent; deai-gov proposal wait {pid_pending} --until active"),
    case("proposal-override-bad-support", signed("carol", "proposal", "override", "{pid_active}", "yes"), 2),
    case("model-approval-unknown", [*BASE, "model", "approval", "acme/unknown"], 3,
         "no model named 'acme/unknown' is registered"),
    case("model-approval-version-zero", [*BASE, "model", "approval", MODEL + "@0"], 3, "is not a version number"),
    case("model-approval-no-such-version", [*BASE, "model", "approval", MODEL + "@99"], 3, "has no version 99"),
    case("model-approval-bad-name", [*BASE, "model", "approval", "not-a-name"], 3, "not a valid model name"),
    case("model-suspend-unknown", signed("bob", "model", "suspend", "acme/unknown", "--reason", "x"), 3,
         "no model named 'acme/unknown' is registered"),
    case("model-suspend-bad-name", signed("bob", "model", "suspend", "Acme/Bad", "--reason", "x"), 3,
         "not a valid model name"),
    case("model-suspend-no-reason", signed("bob", "model", "suspend", MODEL), 2, "Missing option '--reason'"),
    case("model-suspend-blank-reason", signed("bob", "model", "suspend", MODEL, "--reason", "  "), 3,
         "say why the model is suspended"),
    case("model-suspend-not-guardian", signed("bob", "model", "suspend", MODEL, "--reason", "x"), 5,
         "is neither the registry's owner nor its guardian"),
    case("model-unsuspend-not-guardian", signed("bob", "model", "unsuspend", MODEL), 5,
         "is neither the registry's owner nor its guardian"),
    case("model-unsuspend-unknown", signed("bob", "model", "unsuspend", "acme/unknown"), 3,
         "no model named 'acme/unknown' is registered"),
    case("proposal-vote-no-voting-power", signed("outsider", "proposal", "vote", "{pid_active}", "for"), 3,
         "had no votes delegated to it at proposal"),
    case("proposal-override-no-tokens", signed("outsider", "proposal", "override", "{pid_active}", "for"), 3,
         "held no tokens at proposal"),
    case("proposal-queue-pending", signed("bob", "proposal", "queue", "{pid_pending}"), 5,
         "is pending; this needs a proposal that has succeeded"),
    case("proposal-queue-active", signed("bob", "proposal", "queue", "{pid_active}"), 3,
         "too early to queue proposal {pid_active}: voting ends at "),
    case("proposal-queue-queued", signed("bob", "proposal", "queue", "{pid_queued}"), 5, "is queued"),
    case("proposal-queue-unknown", signed("bob", "proposal", "queue", "999"), 3, "proposal 999 does not exist"),
    case("proposal-votes-unknown", [*BASE, "proposal", "votes", "999"], 3, "proposal 999 does not exist"),
    case("proposal-votes-zero", [*BASE, "proposal", "votes", "0"], 2),
    case("proposal-votes-of-an-active-one", [*BASE, "proposal", "votes", "{pid_active}"], 0),
    case("proposal-execute-before-timelock", signed("bob", "proposal", "execute", "{pid_queued}"), 3,
         "too early to execute proposal {pid_queued}: it becomes executable at "),
    case("proposal-execute-not-queued", signed("bob", "proposal", "execute", "{pid_succeeded}"), 5,
         "has succeeded; this needs a proposal that is queued"),
    case("proposal-execute-pending", signed("bob", "proposal", "execute", "{pid_pending}"), 5, "is pending"),
    case("proposal-execute-active", signed("bob", "proposal", "execute", "{pid_active}"), 3,
         "too early to execute proposal {pid_active}: voting ends at "),
    case("proposal-execute-executed", signed("bob", "proposal", "execute", "{pid_executed}"), 5, "was executed"),
    case("proposal-execute-zero", signed("bob", "proposal", "execute", "0"), 2),
    case("proposal-cancel-not-proposer", signed("bob", "proposal", "cancel", "{pid_pending}"), 5,
         "may not cancel proposal"),
    case("proposal-cancel-executed", signed("alice", "proposal", "cancel", "{pid_executed}"), 5, None),
    case("proposal-cancel-unknown", signed("alice", "proposal", "cancel", "999"), 3, "does not exist"),
    case("proposal-sign-vote-no-out", signed("bob", "proposal", "sign-vote", "{pid_pending}", "for"), 2,
         "Missing option '--out'"),
    case("proposal-sign-vote-out-is-dir", signed("bob", "proposal", "sign-vote", "{pid_pending}", "for", "--out",
                                                 "{tmp}"), 2),
    case(
        "proposal-sign-vote-out-missing-folder", signed("bob", "proposal", "sign-vote", "{pid_pending}", "for",
                                                        "--out", "{tmp}/no/such/folder/vote.json"), 3, "vote.json",
    ),
    case("proposal-sign-vote-unknown", signed("bob", "proposal", "sign-vote", "999", "for", "--out",
                                              "{tmp}/v.json"), 3, "proposal 999 does not exist"),
    case("proposal-sign-vote-offline-no-record", ["--account", "bob", "--password-file", "{pw}", "proposal",
                                                  "sign-vote", "1", "for", "--offline", "--out", "{tmp}/v.json"], 3,
         "needs the deployment record"),
    case("proposal-sign-vote-offline-corrupt-record", ["--deployment", "{rec_notjson}", "--account", "bob",
                                                       "--password-file", "{pw}", "proposal", "sign-vote", "1",
                                                       "for", "--offline", "--content-hash", HASH, "--out",
                                                       "{tmp}/v.json"], 3, "cannot read deployment record"),
    case("proposal-sign-vote-offline-huge-id", ["--deployment", "{record}", "--account", "bob", "--password-file",
                                                "{pw}", "proposal", "sign-vote", "{huge}", "for", "--offline",
                                                "--content-hash", HASH, "--out", "{tmp}/v.json"], 2,
         "is not in the range"),
    case("proposal-sign-vote-offline-no-content-hash", ["--deployment", "{record}", "--account", "bob",
                                                        "--password-file", "{pw}", "proposal", "sign-vote", "1",
                                                        "for", "--offline", "--out", "{tmp}/v.json"], 3,
         "needs the proposal's content hash"),
    case("proposal-sign-vote-offline-bad-content-hash", ["--deployment", "{record}", "--account", "bob",
                                                         "--password-file", "{pw}", "proposal", "sign-vote", "1",
                                                         "for", "--offline", "--content-hash", "0x1234", "--out",
                                                         "{tmp}/v.json"], 3, "is not a 32-byte hash"),
    case("proposal-sign-vote-online-content-hash", signed("bob", "proposal", "sign-vote", "1", "for",
                                                          "--content-hash", HASH, "--out", "{tmp}/v.json"), 3,
         "--content-hash is for --offline signing"),
    case("proposal-sign-vote-wrong-password", ["--deployment", "{record}", "--account", "bob", "--password-file",
                                               "{wrongpw}", "proposal", "sign-vote", "1", "for", "--offline",
                                               "--content-hash", HASH, "--out", "{tmp}/v.json"], 3,
         "wrong password"),
    case("proposal-relay-missing-file", signed("alice", "proposal", "relay", "{tmp}/no-vote.json"), 2,
         "does not exist"),
    case("proposal-relay-no-file", signed("alice", "proposal", "relay"), 2, "Missing argument"),
    case("proposal-relay-not-json", signed("alice", "proposal", "relay", "{ballot_notjson}"), 3,
         "is not a signed vote"),
    case("proposal-relay-not-utf8", signed("alice", "proposal", "relay", "{badutf8}"), 3, "is not a signed vote"),
    case(
        "proposal-relay-missing-fields", signed("alice", "proposal", "relay", "{ballot_fields}"), 3,
        "{ballot_fields} is not a signed vote",
    ),
    case(
        "proposal-relay-json-array", signed("alice", "proposal", "relay", "{ballot_array}"), 3,
        "{ballot_array} is not a signed vote",
    ),
    case(
        "proposal-relay-bad-signature-hex", signed("alice", "proposal", "relay", "{ballot_badsig}"), 3,
        "signature",
    ),
    case("proposal-relay-forged-voter", signed("alice", "proposal", "relay", "{ballot_forged}"), 5, None),
    case("proposal-relay-pending", signed("alice", "proposal", "relay", "{ballot}"), 5, "is pending"),
    case("proposal-wait-bad-state", [*BASE, "proposal", "wait", "{pid_active}", "--until", "passed"], 2),
    case(
        "proposal-wait-no-until", [*BASE, "proposal", "wait", "{pid_active}"], 2, "Missing option '--until'",
    ),
    case("proposal-wait-negative-timeout", [*BASE, "proposal", "wait", "{pid_active}", "--until", "succeeded",
                                            "--timeout", "-1"], 2),
    case("proposal-wait-zero-interval", [*BASE, "proposal", "wait", "{pid_active}", "--until", "succeeded",
                                         "--interval", "0"], 2),
    case("proposal-wait-unknown", [*BASE, "proposal", "wait", "999", "--until", "executed", "--timeout", "0"], 3,
         "proposal 999 does not exist"),
    case("proposal-wait-final-state", [*BASE, "proposal", "wait", "{pid_executed}", "--until", "defeated",
                                       "--timeout", "0"], 3, "was executed: it will never be defeated"),
    case("proposal-wait-time-out", [*BASE, "proposal", "wait", "{pid_pending}", "--until", "active", "--timeout",
                                    "0"], 1, "is still pending after 0 s"),
]

NODE = [
    case("node-start-port-zero", ["node", "start", "--no-ipfs", "--chain-port", "0"], 2, home="fresh"),
    case("node-start-port-too-big", ["node", "start", "--no-ipfs", "--chain-port", "65536"], 2, home="fresh"),
    case("node-start-port-not-int", ["node", "start", "--chain-port", "eight"], 2, home="fresh"),
    case("node-start-ipfs-port-negative", ["node", "start", "--ipfs-port", "-1"], 2, home="fresh"),
    case("node-start-already-running", ["node", "start", "--no-ipfs"], 1, "already running", home="running"),
    case(
        "node-start-port-in-use", ["node", "start", "--no-ipfs", "--chain-port", "{anvil_port}"], None, "port",
        home="fresh",
    ),
    case("node-status-extra-argument", ["node", "status", "now"], 2, home="fresh"),
    case("node-start-block-time-negative", ["node", "start", "--block-time", "-1"], 2, home="fresh"),
    case("watch-from-not-a-block", [*BASE, "watch", "--once", "--from", "yesterday"], 3, "write a block number"),
    case("watch-negative-confirmations", [*BASE, "watch", "--confirmations", "-1"], 2),
    case("watch-cursor-not-a-cursor", [*BASE, "watch", "--once", "--cursor", "{record}"], 3,
         "is not one this command wrote"),
    case("watch-retries-not-int", [*BASE, "watch", "--retries", "many"], 2),
    case("model-watch-unknown", [*BASE, "model", "watch", "acme/nothing", "--once"], 3, "no model named"),
    case("model-watch-bad-name", [*BASE, "model", "watch", "Not/Valid!", "--once"], 3),
    case("node-accounts-count-zero", ["node", "accounts", "--count", "0"], 2, home="fresh"),
    case("node-accounts-no-devnet", ["node", "accounts"], 3, "no devnet is running", home="fresh"),
    case("node-warp-not-a-duration", ["node", "warp", "2 days"], 2, "is not a duration", home="fresh"),
    case("node-warp-no-devnet", ["node", "warp", "1h"], 3, "no devnet is running", home="fresh"),
    case("node-warp-zero", ["node", "warp", "0"], 2, "shorter than", home="fresh"),
    case("node-stop-unknown-option", ["node", "stop", "--force"], 2, "No such option", home="fresh"),
]

DEMO = [
    case("demo-unknown-option", ["demo", "--fast"], 2, "No such option '--fast'"),
    case("demo-extra-argument", ["demo", "now"], 2, "unexpected extra argument"),
    case("demo-unknown-network", ["--network", "nowhere", "demo"], 3, "unknown network"),
    case("demo-confirmations-negative", ["--confirmations", "-5", "demo"], 2),
]
# fmt: on

CASES = GLOBAL + ACCOUNT + DAO + EVAL + MODEL_CASES + PROPOSAL + NODE + DEMO

# --------------------------------------------------------------------------------------------- the checks

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_ENV = ("DEAI_GOV_NETWORK", "DEAI_GOV_RPC_URL", "DEAI_GOV_DEPLOYMENT", "DEAI_GOV_IPFS_API", "DEAI_GOV_STORE",
        "DEAI_GOV_ACCOUNT", "XDG_CONFIG_HOME")  # fmt: skip


def _fill(arg: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), arg)


def _snapshot(world: World) -> tuple[int, list[int]]:
    w3 = world.chain.w3
    return w3.eth.block_number, [w3.eth.get_transaction_count(a) for a in world.watched]


def _files(home: Path) -> list[str]:
    """The files of a configuration folder, its log index (a cache of the chain, see `deai_gov.chain.logindex`)
    aside."""
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.relative_to(home).parts[0] != "index")


def _error_lines(err: str) -> list[str]:
    """stderr without what a command prints on purpose before it fails: click's usage lines (exit 2), and a
    transaction's description (`tx.transact` prints what it does and a `  chain N, from ...` line, then confirms;
    `dao deploy` prints a `deploy the DAO on chain ...` line and the guardian's; `dao uri` says it reads the chain)."""
    lines = [line for line in err.splitlines() if line.strip()]
    kept = []
    for i, line in enumerate(lines):
        if line.startswith(
            (
                "Usage: ",
                "Try '",
                "  chain ",
                "  will: ",
                "deploy the DAO on chain ",
                "  guardian: ",
                "reading members, proposals",
            )
        ):
            continue
        if i + 1 < len(lines) and lines[i + 1].startswith("  chain "):
            continue
        kept.append(line)
    return kept


def invoke(world: World, argv: list[str], home: str) -> tuple[int, str, str]:
    """Run the CLI in-process; an exception that escaped it is rendered into stderr as a traceback."""
    env: dict[str, str | None] = dict.fromkeys(_ENV)
    env["DEAI_GOV_HOME"] = str(world.homes[home])
    result = CliRunner().invoke(main, [_fill(a, world.vars) for a in argv], env=env)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    return result.exit_code, result.stdout, err


@pytest.mark.parametrize(("argv", "code", "text", "home"), CASES)
def test_bad_input(world: World, argv: list[str], code: int | None, text: str | None, home: str) -> None:
    before, keystores = _snapshot(world), _files(world.homes[home])
    exit_code, out, err = invoke(world, argv, home)
    shown = f"exit {exit_code}\n--- stdout\n{out}--- stderr\n{err}"
    assert "Traceback" not in err, shown
    assert _snapshot(world) == before, "a transaction was sent\n" + shown
    assert _files(world.homes[home]) == keystores, "files in DEAI_GOV_HOME changed\n" + shown
    if code == 0:  # the command should cope (skip what is corrupt), not fail
        assert exit_code == 0, shown
        return
    assert exit_code != 0, shown
    if code is not None:
        assert exit_code == code, shown
    assert out == "", "a failing command printed to stdout\n" + shown
    lines = _error_lines(err)
    assert len(lines) == 1, "not exactly one line of error\n" + shown
    assert lines[0].startswith("Error: " if exit_code == 2 else "error: "), shown
    if text is not None:
        assert _fill(text, world.vars) in lines[0], shown


def test_the_table_covers_every_command() -> None:
    """Each leaf command of the CLI appears in at least one case."""
    import click

    def leaves(group: click.Group, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):  # not group.commands: the CLI loads a command when it is looked up
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                yield from leaves(command, (*prefix, name))
            else:
                yield (*prefix, name)

    def covered(leaf: tuple[str, ...]) -> bool:
        n = len(leaf)
        return any(tuple(p.values[0][i : i + n]) == leaf for p in CASES for i in range(len(p.values[0])))

    missing = [" ".join(leaf) for leaf in leaves(main, ()) if not covered(leaf)]
    assert not missing, f"commands without a bad-input case: {missing}"


def test_node_stop_leaves_an_unrelated_process_alone(tmp_path: Path) -> None:
    """A stale localnet.json whose chain pid now belongs to another process: `node stop` must not kill it."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        home = tmp_path / "home"
        (home / "localnet").mkdir(parents=True)
        (home / "localnet" / "localnet.json").write_text(
            json.dumps({"chain_pid": other.pid, "chain_port": free_port(), "ipfs_pid": None, "ipfs_port": None})
        )
        result = CliRunner().invoke(main, ["node", "stop"], env={"DEAI_GOV_HOME": str(home)})
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert other.poll() is None, f"node stop killed pid {other.pid}, not an anvil: {result.stdout}{result.stderr}"
    finally:
        other.kill()
        other.wait()
