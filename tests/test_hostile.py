"""Adversaries: proposers, executors and peers who send what no honest client would. Each test plays one attack
against the real contracts (embedded chain or anvil) and checks that voters still see what they vote on and that
nothing fails for everyone."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
import time
import tracemalloc
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_abi import encode

from deai_gov.chain.client import PreparedTx, connect, send
from deai_gov.cli import main
from deai_gov.contracts.abi import function_shape
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.errors import ChainError, InputError, StoreError, TransactionError, VerificationError
from deai_gov.ipfs.blockcid import DAG_PB, RAW, block_cid, from_text, to_text
from deai_gov.ipfs.content import file_bytes
from deai_gov.ipfs.importer import import_bytes
from deai_gov.ipfs.stores import EmbeddedStore, GatewaySource, fetch_verified
from deai_gov.ipfs.unixfs import Link, NodeType, encode_node, encode_unixfs
from deai_gov.workflows.provenance import approval_of

from .gateway import serve_http
from .helpers import DaoWorld, People, fake_cid, propose


def propose_raw_description(dao: Dao, proposer: People, description: bytes) -> None:
    """Submit a proposal whose description is arbitrary bytes: a Solidity string need not be UTF-8."""
    action = reg.register_action(dao, "acme/raw", fake_cid("artifact"), fake_cid("manifest"), proposer.bob.address)
    shape = function_shape("ModelGovernor", "propose")
    data = shape.selector + encode(
        ["address[]", "uint256[]", "bytes[]", "bytes"], [[action.target], [0], [action.calldata], description]
    )
    send(dao.chain, proposer.alice, PreparedTx(dao.address("governor"), data, "a proposal with a raw description"))


def test_a_description_that_is_not_utf8_never_stops_the_list(anvil: Anvil, dao_world: DaoWorld, tmp_path: Path) -> None:
    """Proposal 2's description is not UTF-8: every proposal is still listed, and proposal 2 is shown with
    replacement characters, for the CLI as for the library."""
    people, dao = dao_world.people, dao_world.dao
    chain = dao.chain
    record = tmp_path / "deployment.json"
    dao.deployment.save(record)
    first, _ = propose(dao, people.alice, [token.reward_action(dao, people.bob.address, 1)], "# A fine proposal")
    propose_raw_description(dao, people, b"# Bad \xff\xfe title\n\nbody \xc3")
    listed = gov.list_proposals(dao)
    assert [p.id for p in listed] == [first + 1, first]
    assert listed[0].title == "Bad \ufffd\ufffd title" and listed[0].state == ProposalState.PENDING
    proposal, _, _ = gov.get_proposal(dao, first + 1)
    assert proposal.body == "body \ufffd"

    base = ["--rpc-url", anvil.url, "--deployment", str(record)]
    result = CliRunner().invoke(main, [*base, "--json", "proposal", "list"])
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in json.loads(result.output)] == ["Bad \ufffd\ufffd title", "A fine proposal"]
    result = CliRunner().invoke(main, [*base, "proposal", "show", str(first + 1)])
    assert result.exit_code == 0, result.output
    assert "register acme/raw v1" in result.output

    # and it goes through its whole life: the governor knows it by the hash of its exact bytes
    advance_time(chain, 61)
    send(chain, people.alice, gov.vote(dao, first + 1, gov.Support.FOR))
    advance_time(chain, 3_601)
    send(chain, people.bob, gov.queue(dao, first + 1))
    advance_time(chain, 301)
    send(chain, people.bob, gov.execute(dao, first + 1))
    assert gov.state(dao, first + 1) == ProposalState.EXECUTED
    assert approval_of(dao, "acme/raw", 1).proposal_id == first + 1


ESCAPES = {
    "conceal": "\x1b[8m",  # hides everything after it
    "osc clipboard": "\x1b]52;c;ZXZpbA==\x07",  # writes the clipboard
    "osc hyperlink": "\x1b]8;;https://evil.example\x1b\\",
    "bidi override": "\u202e",
    "c1 csi": "\x9b2J",  # clears the screen on terminals that read 8-bit C1
    "zero width": "\u200b",
}


def test_a_proposers_escape_sequences_reach_no_terminal(anvil: Anvil, dao_world: DaoWorld, tmp_path: Path) -> None:
    """Title, body and a vote reason full of escape sequences: people see them made visible (and a note saying so),
    never obeyed, with the actions and tally intact; --json keeps the text exact."""
    people, dao = dao_world.people, dao_world.dao
    record = tmp_path / "deployment.json"
    dao.deployment.save(record)
    hostile = "".join(ESCAPES.values())
    title = f"Pay the maintainer{hostile}"
    body = f"Looks harmless.{ESCAPES['conceal']}\nsecond line\t(tabbed)"
    reward = token.reward_action(dao, people.bob.address, 10**18)
    pid, _ = propose(dao, people.alice, [reward], f"# {title}\n\n{body}")
    base = ["--rpc-url", anvil.url, "--deployment", str(record)]

    for argv in (["proposal", "list"], ["proposal", "show", str(pid)]):
        result = CliRunner().invoke(main, [*base, *argv], env={"COLUMNS": "300"})  # one table row a line
        assert result.exit_code == 0, result.output
        for name, sequence in ESCAPES.items():
            assert sequence not in result.output, f"{name} reached the terminal in {argv}"
        assert not any(ch in result.output for ch in "\x1b\x07\x9b\u202e\u200b")
        assert "\\x1b[8m" in result.output and "<U+202E>" in result.output
        assert "note: text written by the proposer holds control or invisible characters" in result.output
    shown = CliRunner().invoke(main, [*base, "proposal", "show", str(pid)], env={"COLUMNS": "300"}).output
    assert f"transfer 1 MDL from the treasury to {people.bob.address}" in shown  # the action is still there
    assert re.search(r"second line\s+\(tabbed\)", shown)  # layout kept (rich expands the tab)
    assert "votes: for 0 MDL, against 0 MDL, abstain 0 MDL" in shown  # and the tally after the concealed text

    exact = CliRunner().invoke(main, [*base, "--json", "proposal", "show", str(pid)])
    assert json.loads(exact.output)["title"] == title


class TricklingGateway(BaseHTTPRequestHandler):
    """Sends its headers, then a byte every 0.2 s: every read comes in under any per-read time-out."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)

    def log_message(self, *args: object) -> None:
        pass


class EndlessGateway(BaseHTTPRequestHandler):
    """Answers a block request with 64 MiB of chunked data (no length announced), as fast as it can."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"y" * (1024 * 1024)
        with contextlib.suppress(OSError):
            for _ in range(64):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


class HugeGateway(BaseHTTPRequestHandler):
    """Announces a 512 MiB block and would send it."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(512 * 1024 * 1024))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(b"z" * 65536)

    def log_message(self, *args: object) -> None:
        pass


BLOCK = block_cid(RAW, b"a block nobody will send honestly")


def test_a_trickling_gateway_is_cut_off_at_the_deadline() -> None:
    with serve_http(TricklingGateway) as url:
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"did not deliver block .* within 1 s"):
            GatewaySource(url, timeout=1.0).get_block(BLOCK)
        assert time.monotonic() - started < 3.0  # one per-read time-out at most beyond the deadline


def test_an_endless_answer_is_read_no_further_than_a_block() -> None:
    with serve_http(EndlessGateway) as url:
        tracemalloc.start()
        try:
            with pytest.raises(StoreError, match=r"sent more than 2,097,152 bytes .* the rest was not read"):
                GatewaySource(url, timeout=10.0).get_block(BLOCK)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 12 * 1024 * 1024, f"peak {peak:,} bytes while refusing a 64 MiB answer"


def test_a_block_announced_larger_than_2_mib_is_refused_unread() -> None:
    with serve_http(HugeGateway) as url:
        with pytest.raises(StoreError, match=r"offered 536,870,912 bytes .* refused unread"):
            GatewaySource(url, timeout=5.0).get_block(BLOCK)
        with pytest.raises(StoreError, match="refused unread"):  # and so when it is one source among others
            fetch_verified([GatewaySource(url, timeout=5.0)], BLOCK)


def file_node(links: list[tuple[bytes, int]]) -> bytes:
    """A UnixFS file node linking to `links` (child CID, bytes under it)."""
    sizes = tuple(size for _, size in links)
    unixfs = encode_unixfs(NodeType.FILE, filesize=sum(sizes), blocksizes=sizes)
    return encode_node([Link(cid, "", size) for cid, size in links], unixfs)


def test_a_3000_deep_file_dag_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A proposer's 'manifest' chaining 3,000 file nodes (RecursionError before) is a one-line verification error."""
    store = EmbeddedStore(tmp_path / "store")

    def chain(sink: Callable[[bytes, bytes], None]) -> bytes:
        leaf = b"{}"
        child = block_cid(RAW, leaf)
        sink(child, leaf)
        for _ in range(3_000):
            block = file_node([(child, len(leaf))])
            child = block_cid(DAG_PB, block)
            sink(child, block)
        return child

    child = store.import_dag(chain)  # one pack for all 3,001 blocks
    with pytest.raises(VerificationError, match="deeper than 64 levels"):
        file_bytes([store], child)


def fan_out_dag(store: EmbeddedStore, leaf: bytes, per_middle: int, middles: int) -> bytes:
    """A file DAG naming one `leaf` `per_middle` times under each of `middles` links to one middle node: tiny to
    store, `per_middle * middles` leaves to walk. Returns its root."""
    leaf_cid = block_cid(RAW, leaf)
    store.put_block(leaf_cid, leaf)
    middle = file_node([(leaf_cid, len(leaf))] * per_middle)
    middle_cid = block_cid(DAG_PB, middle)
    store.put_block(middle_cid, middle)
    top = file_node([(middle_cid, len(leaf) * per_middle)] * middles)
    top_cid = block_cid(DAG_PB, top)
    store.put_block(top_cid, top)
    return top_cid


def test_a_fan_out_dag_stops_within_its_block_budget(tmp_path: Path) -> None:
    """A small DAG whose links point at the same blocks again and again would need 100 million fetches (20,000 x
    5,000 links to one byte): the walk stops at the budget its declared size allows."""
    store = EmbeddedStore(tmp_path / "store")
    top_cid = fan_out_dag(store, b"x", 5_000, 20_000)
    started = time.monotonic()
    with pytest.raises(VerificationError, match=r"needs more than .* blocks"):
        file_bytes([store], top_cid, limit=64 * 1024)
    assert time.monotonic() - started < 10


def test_an_honest_deep_enough_file_still_reads(tmp_path: Path) -> None:
    """The limits leave real files alone: three levels of file nodes over raw leaves read back byte for byte."""
    store = EmbeddedStore(tmp_path / "store")
    leaves = [bytes([i]) * 300 for i in range(6)]
    leaf_cids = []
    for leaf in leaves:
        leaf_cids.append(block_cid(RAW, leaf))
        store.put_block(leaf_cids[-1], leaf)
    lower = [file_node([(leaf_cids[i], 300), (leaf_cids[i + 1], 300)]) for i in (0, 2, 4)]
    lower_cids = [block_cid(DAG_PB, block) for block in lower]
    for cid, block in zip(lower_cids, lower, strict=True):
        store.put_block(cid, block)
    top = file_node([(cid, 600) for cid in lower_cids])
    top_cid = block_cid(DAG_PB, top)
    store.put_block(top_cid, top)
    assert file_bytes([store], top_cid) == b"".join(leaves)


def model_folder_with_secrets(root: Path) -> Path:
    folder = root / "model"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text("[remote]\n\turl = https://token@example.invalid/x.git\n")
    (folder / ".env").write_text("HF_TOKEN=hf_secret\n")
    (folder / "weights.safetensors").write_bytes(b"\x00" * 1000)
    (folder / "README.md").write_text("# a model\n")
    return folder


def test_hidden_files_are_not_published_unless_asked(tmp_path: Path) -> None:
    """`.env` and `.git/` stay home by default (publishing is public and permanent); asked for, they go."""
    from deai_gov.ipfs.content import publish, verify
    from deai_gov.ipfs.manifest import Contributor

    folder = model_folder_with_secrets(tmp_path)
    store = EmbeddedStore(tmp_path / "store")
    who = [Contributor("0x" + "11" * 20, 10_000)]
    published = publish(folder, store, name="acme/secretive", version=1, contributors=who)
    assert [f.path for f in published.manifest.files] == ["README.md", "weights.safetensors"]
    assert [f.path for f in verify([store], published.artifact_cid, published.manifest_cid).files] == [
        "README.md",
        "weights.safetensors",
    ]
    everything = publish(folder, store, name="acme/secretive", version=1, contributors=who, include_hidden=True)
    assert [f.path for f in everything.manifest.files] == [
        ".env",
        ".git/config",
        "README.md",
        "weights.safetensors",
    ]
    assert everything.artifact_cid != published.artifact_cid


@pytest.mark.usefixtures("cheap_kdf")
def test_the_cli_says_what_it_will_publish_and_what_it_leaves_out(
    anvil: Anvil, dao_world: DaoWorld, tmp_path: Path
) -> None:
    folder = model_folder_with_secrets(tmp_path)
    people = dao_world.people
    record = tmp_path / "deployment.json"
    dao_world.dao.deployment.save(record)  # delegated: enough votes to propose
    home = tmp_path / "home"
    key, password = tmp_path / "key", tmp_path / "password"
    key.write_text(people.alice.key.hex())
    password.write_text("pw-for-tests")
    env = {"DEAI_GOV_HOME": str(home)}
    imported = CliRunner().invoke(
        main, ["--password-file", str(password), "account", "import", "alice", "--secret-file", str(key)], env=env
    )
    assert imported.exit_code == 0, imported.output
    argv = ["--rpc-url", anvil.url, "--deployment", str(record), "--store", str(tmp_path / "store"), "--account"]
    argv += ["alice", "--password-file", str(password), "--dry-run", "model", "propose", "register", "acme/dry"]
    result = CliRunner().invoke(main, [*argv, str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert f"2 files, 1,010 bytes from {folder}" in result.output
    assert "  README.md  10 bytes" in result.output and "  weights.safetensors  1,000 bytes" in result.output
    assert "left out 2 hidden (pass --include-hidden to publish them): .env, .git/config" in result.output
    assert "hf_secret" not in result.output


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (["a\\b.bin"], "is not portable"),
        (["con:fig.json"], "is not portable"),
        (["tab\there.txt"], "is not portable"),
        (["nul.txt"], "a device name on Windows"),
        (["weights."], "ends in a dot or space"),
        (["Config.json", "config.json"], "would be one file on a case-insensitive file system"),
        (["caf\u00e9.txt", "cafe\u0301.txt"], "would be one file on a case-insensitive file system"),
    ],
)
def test_names_that_are_not_portable_are_refused_at_publish(tmp_path: Path, names: list[str], words: str) -> None:
    from deai_gov.errors import InputError
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor

    folder = tmp_path / "model"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(b"x")
    if len(list(folder.iterdir())) < len(names):
        pytest.skip("this file system already folds these names into one file")
    with pytest.raises(InputError, match=words):
        publish(folder, EmbeddedStore(tmp_path / "store"), name="acme/names", version=1,
                contributors=[Contributor("0x" + "11" * 20, 10_000)])  # fmt: skip


def test_a_dag_with_a_windows_path_is_refused_at_pull(tmp_path: Path) -> None:
    """A folder entry named `..\\..\\x.dll` escapes the destination on Windows: the walk refuses it by name."""
    from deai_gov.ipfs.content import pull

    store = EmbeddedStore(tmp_path / "store")
    leaf = b"MZ"
    leaf_cid = block_cid(RAW, leaf)
    folder = encode_node([Link(leaf_cid, "..\\..\\x.dll", len(leaf))], encode_unixfs(NodeType.DIRECTORY))
    folder_cid = block_cid(DAG_PB, folder)

    def dag(sink: Callable[[bytes, bytes], None]) -> bytes:
        sink(leaf_cid, leaf)
        sink(folder_cid, folder)
        return folder_cid

    store.import_dag(dag)
    from deai_gov.ipfs.blockcid import to_text
    from deai_gov.ipfs.manifest import Contributor, FileEntry, Manifest

    manifest = Manifest("acme/win", 1, to_text(folder_cid), 2, {}, [FileEntry("x.dll", 2, "0" * 64, to_text(leaf_cid))],
                        [Contributor("0x" + "11" * 20, 10_000)])  # fmt: skip
    manifest_cid = store.import_dag(lambda sink: import_bytes(manifest.to_bytes(), sink).cid)
    with pytest.raises(VerificationError, match="not portable"):
        pull([store], to_text(folder_cid), to_text(manifest_cid), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def shard_block(links: list[Link], *, slots: list[int] | None = None, hash_type: int = 0x22) -> bytes:
    """A HAMT shard node (fanout 256) holding `links`; its bitmap names `slots` (default: the links' own)."""
    used = slots if slots is not None else [int(link.name[:2], 16) for link in links]
    bitmap = sum(1 << index for index in used)
    data = encode_unixfs(NodeType.HAMT_SHARD, data=bitmap.to_bytes(32, "big"), hash_type=hash_type, fanout=256)
    return encode_node(links, data)


def hostile_shards(leaf_cid: bytes) -> dict[str, list[bytes]]:
    """Sharded folders that lie, each as its blocks, the root last."""
    from deai_gov.ipfs.hamt import slot

    right = slot("weights.bin", 0)
    wrong = (right + 1) % 256
    entry = f"{right:02X}weights.bin"
    deep: list[bytes] = [shard_block([Link(leaf_cid, entry, 1)])]
    for _ in range(20):  # sub-shard under sub-shard, each with one link: deeper than any honest shard
        deep.append(shard_block([Link(block_cid(DAG_PB, deep[-1]), "00", 1)]))
    return {
        "entry in the wrong slot": [shard_block([Link(leaf_cid, f"{wrong:02X}weights.bin", 1)])],
        "bitmap naming other slots": [shard_block([Link(leaf_cid, entry, 1)], slots=[right, wrong])],
        "unknown hash function": [shard_block([Link(leaf_cid, entry, 1)], hash_type=0x12)],
        "slot that is not hex": [shard_block([Link(leaf_cid, "zzweights.bin", 1)], slots=[0])],
        "twenty sub-shards deep": deep,
    }


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("entry in the wrong slot", "not where its name hashes to"),
        ("bitmap naming other slots", "bitmap does not match its links"),
        ("unknown hash function", "is not murmur3-x64-64"),
        ("slot that is not hex", "does not start with a slot number"),
        ("twenty sub-shards deep", "more sub-shards than entries it could hold"),
    ],
)
def test_a_sharded_folder_that_lies_is_refused(tmp_path: Path, case: str, words: str) -> None:
    """HAMT shards (IPIP-499 folders) come from whoever published them: a shard whose entries are not where their
    names hash, whose bitmap or hash function is wrong, or which nests without end is one verification error."""
    from deai_gov.ipfs.blockcid import to_text
    from deai_gov.ipfs.content import verify
    from deai_gov.ipfs.manifest import Contributor, FileEntry, Manifest
    from deai_gov.ipfs.profiles import UNIXFS_V1_2025

    store = EmbeddedStore(tmp_path / "store")
    leaf_cid = block_cid(RAW, b"w")
    blocks = hostile_shards(leaf_cid)[case]

    def dag(sink: Callable[[bytes, bytes], None]) -> bytes:
        sink(leaf_cid, b"w")
        for block in blocks:
            sink(block_cid(DAG_PB, block), block)
        return block_cid(DAG_PB, blocks[-1])

    root = store.import_dag(dag)
    files = [FileEntry("weights.bin", 1, hashlib.sha256(b"w").hexdigest(), to_text(leaf_cid))]
    contributors = [Contributor("0x" + "11" * 20, 10_000)]
    manifest = Manifest("acme/shard", 1, to_text(root), 1, UNIXFS_V1_2025.to_dict(), files, contributors)
    manifest_cid = store.import_dag(lambda sink: import_bytes(manifest.to_bytes(), sink).cid)
    with pytest.raises(VerificationError, match=words) as refused:
        verify([store], to_text(root), to_text(manifest_cid))
    assert "\n" not in str(refused.value)


def test_every_call_the_dao_can_make_is_worded_and_the_dangerous_ones_flagged(dao: Dao, people: People) -> None:
    """Voters read actions, not calldata: role grants by role name, ownership, settings, guardians, transfers named
    as such (a reward only for the contributor the proposal registers), unknown calls with selector and arguments."""
    from eth_utils import keccak

    from deai_gov.dao.actions import Action, Proposal
    from deai_gov.workflows.describe import DANGER, describe_actions

    bob, carol = people.bob.address, people.carol.address
    register = reg.register_action(dao, "acme/worded", fake_cid("a"), fake_cid("m"), bob)
    actions = [
        dao.action("timelock", "grantRole", keccak(text="PROPOSER_ROLE"), carol),
        dao.action("timelock", "revokeRole", keccak(text="CANCELLER_ROLE"), dao.address("governor")),
        dao.action("timelock", "updateDelay", 60),
        dao.action("registry", "transferOwnership", carol),
        dao.action("governor", "setVotingPeriod", 600),
        dao.action("governor", "setProposalGuardian", carol),
        dao.action("governor", "updateTimelock", carol),
        dao.action("token", "approve", carol, 5 * 10**18),
        register,
        token.reward_action(dao, bob, 10**18),
        token.reward_action(dao, carol, 2 * 10**18),
        Action(carol, 7, bytes.fromhex("a9059cbb") + bytes(64)),
    ]
    words = describe_actions(dao, Proposal(tuple(actions), "# Everything"))
    assert words[0] == (
        f"{DANGER}grant the timelock's PROPOSER_ROLE to {carol} "
        "(it schedules any call as the DAO: whoever holds it controls the DAO)"
    )
    assert words[1].startswith(f"{DANGER}revoke the timelock's CANCELLER_ROLE of {dao.address('governor')}")
    assert words[2] == "set the timelock delay to 1 minute (between a vote passing and its execution)"
    assert words[3].startswith(f"{DANGER}make {carol} the registry's owner")
    assert words[4] == "set the governor's voting period to 10 minutes"
    assert words[5] == f"make {carol} the proposal guardian (it may cancel proposals)"
    assert words[6].startswith(f"{DANGER}move the DAO to the timelock {carol}")
    assert words[7] == f"{DANGER}allow {carol} to spend 5 MDL of the treasury"
    assert words[8].startswith("register acme/worded v1")
    assert words[9] == f"reward 1 MDL to {bob} from the treasury (the contributor of this proposal's version)"
    assert words[10] == (  # not the registry's contributor: a reward share only as the checked manifest says
        f"transfer 2 MDL from the treasury to {carol} (a contributor's reward share only if the version's manifest "
        "names it: see the check of its content)"
    )
    assert words[11] == (
        f"{DANGER}call {carol}, a contract outside the DAO: function 0xa9059cbb with 64 bytes of arguments "
        f"(0x{bytes(64).hex()}), value 7 wei"
    )


def test_a_registry_call_crediting_someone_the_manifest_does_not_name_is_reported(tmp_path: Path) -> None:
    """The contributor the registry records (and rewards) must be one the published manifest names."""
    from deai_gov.dao.registry import ProposedVersion
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.workflows.approved import check_proposed

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\x01" * 100)
    store = EmbeddedStore(tmp_path / "store")
    author, claimant = "0x" + "11" * 20, "0x" + "22" * 20
    published = publish(folder, store, name="acme/credit", version=1, contributors=[Contributor(author, 10_000)])
    honest = ProposedVersion("acme/credit", 1, published.artifact_cid, published.manifest_cid, author)
    assert check_proposed([store], honest) is None
    claimed = ProposedVersion("acme/credit", 1, published.artifact_cid, published.manifest_cid, claimant)
    problem = check_proposed([store], claimed)
    assert problem is not None and f"credits {claimant}" in problem and author in problem


def deploy_test_executor(dao: Dao, people: People) -> tuple[str, list[dict[str, object]]]:
    """The test-only multicall contract, from the brownie build (`brownie compile` runs before the tests)."""
    build = Path(__file__).resolve().parent.parent / "build" / "contracts" / "TestExecutor.json"
    assert build.exists(), f"{build} is missing: run `brownie compile` first"
    compiled = json.loads(build.read_text(encoding="utf-8"))
    deployed = send(dao.chain, people.deployer, PreparedTx(None, bytes.fromhex(compiled["bytecode"]), "deploy"))
    return str(deployed.receipt["contractAddress"]), compiled["abi"]


def queued_proposal(dao: Dao, people: People, name: str) -> tuple[int, gov.Proposal]:
    from .helpers import VOTING_PERIOD, propose_and_vote

    action = reg.register_action(dao, name, fake_cid(name + "/a"), fake_cid(name + "/m"), people.bob.address)
    pid = propose_and_vote(dao, people, [action], f"Register {name}")
    advance_time(dao.chain, VOTING_PERIOD + 1)
    send(dao.chain, people.bob, gov.queue(dao, pid))
    return pid, gov.get_proposal(dao, pid)[0]


def test_two_proposals_executed_in_one_transaction_are_each_credited(dao: Dao, people: People) -> None:
    """A multicall executes two proposals in one transaction: each version is traced to its own proposal (log
    order), not to the first timelock call in the transaction."""
    from deai_gov.contracts.abi import encode_call
    from deai_gov.workflows.provenance import approval_of

    from .helpers import TIMELOCK_DELAY

    executor, abi = deploy_test_executor(dao, people)
    first, first_proposal = queued_proposal(dao, people, "acme/one")
    second, second_proposal = queued_proposal(dao, people, "acme/two")
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    calls = [encode_call("ModelGovernor", "execute", p.args()) for p in (first_proposal, second_proposal)]
    data = function_selector(abi, "aggregate") + encode(
        ["address[]", "bytes[]"], [[dao.address("governor")] * 2, calls]
    )
    both = send(dao.chain, people.outsider, PreparedTx(executor, data, "execute both"))
    one, two = approval_of(dao, "acme/one", 1), approval_of(dao, "acme/two", 1)
    assert one.tx_hash == two.tx_hash == both.tx_hash
    assert (one.proposal_id, two.proposal_id) == (first, second)


def test_a_forged_call_executed_event_is_ignored(dao: Dao, people: People) -> None:
    """The executing contract first emits a look-alike CallExecuted naming another proposal's operation: only the
    timelock's own logs count, so the version is still credited to the proposal that wrote it."""
    from deai_gov.contracts.abi import encode_call
    from deai_gov.workflows.provenance import approval_of

    from .helpers import TIMELOCK_DELAY

    executor, abi = deploy_test_executor(dao, people)
    decoy, decoy_proposal = queued_proposal(dao, people, "acme/decoy")
    real, real_proposal = queued_proposal(dao, people, "acme/real")
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    send(dao.chain, people.outsider, gov.execute(dao, decoy))
    fake_id = gov.timelock_operation_id(dao, decoy_proposal)
    execute_real = encode_call("ModelGovernor", "execute", real_proposal.args())
    data = function_selector(abi, "forgeThenAggregate") + encode(
        ["bytes32", "address", "bytes", "address[]", "bytes[]"],
        [
            fake_id,
            dao.address("registry"),
            decoy_proposal.actions[0].calldata,
            [dao.address("governor")],
            [execute_real],
        ],
    )
    send(dao.chain, people.outsider, PreparedTx(executor, data, "forge, then execute"))
    assert approval_of(dao, "acme/real", 1).proposal_id == real
    assert approval_of(dao, "acme/decoy", 1).proposal_id == decoy


def function_selector(abi: list[dict[str, object]], name: str) -> bytes:
    from eth_utils import function_abi_to_4byte_selector

    return bytes(function_abi_to_4byte_selector(next(e for e in abi if e.get("name") == name)))  # type: ignore[arg-type]


def test_a_guardian_cannot_veto_its_own_replacement(dao: Dao, people: People) -> None:
    """A passed, queued proposal that removes both guardians cannot be cancelled by the guardian, and executes; a
    guardian change bundled with a treasury drain does not shield the drain: the guardian cancels that one."""
    from deai_gov.dao.deploy import ZERO_ADDRESS
    from deai_gov.errors import TransactionError

    from .helpers import TIMELOCK_DELAY, VOTING_PERIOD, propose_and_vote

    treasury = token.holding(dao, dao.address("timelock")).balance
    shielded = [
        dao.action("governor", "setProposalGuardian", people.carol.address),
        dao.action("token", "transfer", people.outsider.address, treasury),
    ]
    drain = propose_and_vote(dao, people, shielded, "New guardian, and the treasury to a friend")
    send(dao.chain, people.guardian, gov.cancel(dao, drain))
    assert gov.state(dao, drain) == ProposalState.CANCELED

    removal = [
        dao.action("governor", "setProposalGuardian", ZERO_ADDRESS),
        dao.action("registry", "setGuardian", ZERO_ADDRESS),
    ]
    pid = propose_and_vote(dao, people, removal, "Remove both guardians")
    with pytest.raises(TransactionError, match="cannot veto its own replacement"):
        send(dao.chain, people.guardian, gov.cancel(dao, pid))
    advance_time(dao.chain, VOTING_PERIOD + 1)
    send(dao.chain, people.bob, gov.queue(dao, pid))
    with pytest.raises(TransactionError, match=f"may not cancel proposal {pid}"):
        send(dao.chain, people.guardian, gov.cancel(dao, pid))  # queued: still no veto
    advance_time(dao.chain, TIMELOCK_DELAY + 1)
    send(dao.chain, people.outsider, gov.execute(dao, pid))
    assert gov.state(dao, pid) == ProposalState.EXECUTED
    assert dao.read("governor", "proposalGuardian") == ZERO_ADDRESS
    assert dao.read("registry", "guardian") == ZERO_ADDRESS


def test_a_suspension_survives_retirement(dao: Dao, people: People, tmp_path: Path) -> None:
    """Retiring a suspended model leaves it suspended (pulls still refused), and the guardian may suspend a model
    the DAO already retired."""
    from deai_gov.contracts.states import ModelStatus
    from deai_gov.errors import TransactionError
    from deai_gov.workflows.approved import pull_approved, resolve

    from .helpers import pass_proposal

    for name in ("acme/leaky", "acme/old"):
        register = reg.register_action(dao, name, fake_cid(f"{name} a"), fake_cid(f"{name} m"), people.bob.address)
        pass_proposal(dao, people, [register], f"Register {name}")
    send(dao.chain, people.guardian, reg.suspend(dao, "acme/leaky", "weights leak training data"))
    pass_proposal(dao, people, [reg.retire_action(dao, "acme/leaky", "escape the suspension")], "Retire acme/leaky")
    leaky = reg.get_model(dao, "acme/leaky")
    assert (leaky.status, leaky.suspended, leaky.label) == (ModelStatus.RETIRED, True, "retired, suspended")
    with pytest.raises(InputError, match="suspended by its guardian"):
        pull_approved(dao, [], "acme/leaky", tmp_path / "never-written")
    assert not (tmp_path / "never-written").exists()
    assert resolve(dao, "acme/leaky", allow_suspended=True).suspended

    pass_proposal(dao, people, [reg.retire_action(dao, "acme/old", "superseded")], "Retire acme/old")
    send(dao.chain, people.guardian, reg.suspend(dao, "acme/old", "found a backdoor after retirement"))
    old = reg.get_model(dao, "acme/old")
    assert old.retired and old.suspended and old.state == "suspended"
    with pytest.raises(TransactionError, match="already suspended"):
        send(dao.chain, people.guardian, reg.suspend(dao, "acme/old", "again"))
    send(dao.chain, people.guardian, reg.unsuspend(dao, "acme/old"))
    lifted = resolve(dao, "acme/old")
    assert lifted.retired and not lifted.suspended


def test_a_record_that_is_not_a_dao_the_package_deployed_is_refused(dao: Dao, people: People, tmp_path: Path) -> None:
    """A record whose registry is one the timelock does not own (anyone's registry, same code), or whose token is
    not the governor's, is refused at attach; `--custom-deployment` (custom=True) takes it anyway."""
    import dataclasses

    from deai_gov.contracts.abi import encode_deployment
    from deai_gov.dao.deploy import deploy_dao
    from deai_gov.errors import InputError

    from .helpers import dao_params

    code = encode_deployment("ModelRegistry", (people.outsider.address, "0x" + "00" * 20))
    rogue = send(dao.chain, people.outsider, PreparedTx(None, code, "deploy a registry")).receipt["contractAddress"]
    swapped = dataclasses.replace(dao.deployment, addresses={**dao.deployment.addresses, "registry": rogue})
    with pytest.raises(InputError, match=r"does not describe a DAO this package deployed: the registry's owner is"):
        Dao.attach(dao.chain, swapped)
    assert Dao.attach(dao.chain, swapped, custom=True).address("registry") == rogue

    other = deploy_dao(dao.chain, people.deployer, dao_params(people))
    mixed = dataclasses.replace(
        dao.deployment, addresses={**dao.deployment.addresses, "token": other.addresses["token"]}
    )
    with pytest.raises(InputError, match="the governor counts votes of"):
        Dao.attach(dao.chain, mixed)

    record = tmp_path / "swapped.json"
    swapped.save(record)
    base = ["--rpc-url", dao.chain.rpc_url or "", "--deployment", str(record)]
    if dao.chain.rpc_url:  # the CLI needs a node that outlives the command
        refused = CliRunner().invoke(main, [*base, "model", "list"])
        assert refused.exit_code == 3 and "--custom-deployment" in refused.output
        assert CliRunner().invoke(main, [*base, "--custom-deployment", "model", "list"]).exit_code == 0


def test_dao_verify_lists_every_check_and_finds_an_extra_proposer(
    anvil: Anvil, dao_world: DaoWorld, tmp_path: Path
) -> None:
    """`dao verify` proves the wiring; after the DAO votes to make someone else a proposer on its timelock, the
    holders read from the timelock's logs show it (the cheap checks at attach do not, by design)."""
    from eth_utils import keccak

    from .helpers import pass_proposal

    people, dao = dao_world.people, dao_world.dao
    record = tmp_path / "deployment.json"
    dao.deployment.save(record)
    base = ["--rpc-url", anvil.url, "--deployment", str(record)]
    verified = CliRunner().invoke(main, [*base, "--json", "dao", "verify"])
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    assert report["ok"] and len(report["checks"]) == 17 and all(c["ok"] for c in report["checks"])
    guardian = people.guardian.address
    assert {"check": "registry guardian", "ok": True,
            "detail": f"{guardian}, an account with one key (a multisig is safer)"} in report["checks"]  # fmt: skip
    assert {"check": "governor registry", "ok": True} in [{k: c[k] for k in ("check", "ok")} for c in report["checks"]]

    grant = dao.action("timelock", "grantRole", keccak(text="PROPOSER_ROLE"), people.carol.address)
    pass_proposal(dao, people, [grant], "Make carol a proposer")
    failed = CliRunner().invoke(main, [*base, "dao", "verify"])
    assert failed.exit_code == 3
    assert "FAIL  timelock PROPOSER_ROLE holders: the timelock's PROPOSER_ROLE is held by" in failed.output
    assert people.carol.address in failed.output


def test_a_vote_is_not_counted_for_another_proposal_with_its_number(dao: Dao, people: People) -> None:
    """L5: the chain is rolled back (as in a reorganisation) and another proposal gets the number voted on. The
    library refuses to relay the signed vote (it records what it was signed for); a relayer that drops that record
    gets the vote refused by the governor (the signature binds the content), and a direct vote bound to the
    content the voter was shown is refused by the governor too: nothing counts for the other proposal."""
    chain = dao.chain
    snapshot = chain.request("evm_snapshot")
    first = reg.register_action(dao, "acme/first", fake_cid("1a"), fake_cid("1m"), people.bob.address)
    pid, _ = propose(dao, people.alice, [first], "# Register acme/first")
    advance_time(chain, 61)
    signed = gov.sign_vote(dao, people.bob, pid, gov.Support.FOR)
    assert signed.proposal_hash and gov.SignedVote.from_dict(signed.to_dict()) == signed
    shown, _, _ = gov.get_proposal(dao, pid)
    direct = gov.vote(dao, pid, gov.Support.FOR, proposal=shown)
    chain.request("evm_revert", [snapshot])
    dao.proposals_read.clear()  # what a fresh process would know
    other = reg.register_action(dao, "acme/other", fake_cid("2a"), fake_cid("2m"), people.carol.address)
    same_number, _ = propose(dao, people.alice, [other], "# Register acme/other")
    assert same_number == pid
    advance_time(chain, 61)
    with pytest.raises(InputError, match=f"proposal {pid} is not the proposal this vote was signed for"):
        gov.relay(dao, signed)
    dropped = dataclasses.replace(signed, proposal_hash="")
    with pytest.raises(TransactionError, match="the vote signature is not valid"):
        send(chain, people.outsider, gov.relay(dao, dropped))
    with pytest.raises(TransactionError, match=f"other content than proposal {pid} now holds"):
        send(chain, people.bob, direct)
    assert list(dao.read("governor", "proposalVotes", pid)) == [0, 0, 0]


def test_proposal_show_leads_with_the_dangerous_actions(anvil: Anvil, dao_world: DaoWorld, tmp_path: Path) -> None:
    """A proposal hiding a role grant among harmless actions: `proposal show` says so before the body, and lists
    the tally before the artifact check."""
    from eth_utils import keccak

    people, dao = dao_world.people, dao_world.dao
    record = tmp_path / "deployment.json"
    dao.deployment.save(record)
    register = reg.register_action(dao, "acme/cover", fake_cid("ca"), fake_cid("cm"), people.bob.address)
    grant = dao.action("timelock", "grantRole", keccak(text="PROPOSER_ROLE"), people.carol.address)
    pid, _ = propose(dao, people.alice, [register, grant], "# Register acme/cover\n\nRoutine registration.")
    base = ["--rpc-url", anvil.url, "--deployment", str(record), "--store", str(tmp_path / "store")]
    shown = CliRunner().invoke(main, [*base, "proposal", "show", str(pid)], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[2] == "DANGER: action 2 of 2 could hand over the DAO, its treasury or its registry: read them twice"
    assert lines.index("Routine registration.") > 2
    tally = next(i for i, line in enumerate(lines) if line.startswith("votes: for 0 MDL, against 0 MDL"))
    artifact = next(i for i, line in enumerate(lines) if "artifact of acme/cover v1" in line)
    assert tally < artifact
    exact = json.loads(CliRunner().invoke(main, [*base, "--json", "proposal", "show", str(pid)]).output)
    assert exact["dangerous_actions"] == [2]


# ------------------------------------------------------------------ third audit (docs/security.md, "Three rules")


def test_after_a_rollback_an_upgrade_is_numbered_as_the_registry_numbers_it(
    dao: Dao, people: People, tmp_path: Path
) -> None:
    """M1: after a rollback the registry counts on from the latest version, not the current one. A proposal's
    words, its review and its manifest check use the number the registry will write, so an honest manifest
    matches, one claiming the current+1 number is flagged, and once executed the version pulls."""
    from deai_gov.dao.actions import Proposal
    from deai_gov.workflows.approved import check_proposed, pull_approved
    from deai_gov.workflows.describe import describe_actions
    from deai_gov.workflows.proposing import publish_version

    from .helpers import pass_proposal

    name, bob = "acme/rolled", people.bob.address
    pass_proposal(dao, people, [reg.register_action(dao, name, fake_cid("1a"), fake_cid("1m"), bob)], "Register")
    pass_proposal(dao, people, [reg.upgrade_action(dao, name, fake_cid("2a"), fake_cid("2m"), bob)], "Upgrade")
    pass_proposal(dao, people, [reg.rollback_action(dao, name, 1)], "Roll back")
    model = reg.get_model(dao, name)
    assert (model.current_version, model.latest_version) == (1, 2)

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"v3 weights")
    store = EmbeddedStore(tmp_path / "store")
    content = {"name": name, "parent": 1, "contributors": [(bob, 10_000)]}
    honest = publish_version(store, folder, version=3, **content)
    claims_current_plus_one = publish_version(store, folder, version=2, **content)
    upgrade = reg.upgrade_action(dao, name, honest.artifact_cid, honest.manifest_cid, bob)
    wrong = reg.upgrade_action(
        dao, name, claims_current_plus_one.artifact_cid, claims_current_plus_one.manifest_cid, bob
    )

    [words] = describe_actions(dao, Proposal((upgrade,), "# Upgrade"))
    assert words.startswith(f"upgrade {name} to v3 (if executed now)"), words
    [proposed] = reg.proposed_versions(dao, [upgrade])
    assert proposed.version == 3 and check_proposed([store], proposed) is None
    [misnumbered] = reg.proposed_versions(dao, [wrong])
    assert check_proposed([store], misnumbered) == f"its manifest is for {name} v2, not {name} v3"
    # two upgrades in one proposal: each counts on from the one before
    assert [v.version for v in reg.proposed_versions(dao, [upgrade, wrong])] == [3, 4]
    assert describe_actions(dao, Proposal((upgrade, wrong), "# Twice"))[1].startswith(f"upgrade {name} to v4")

    pass_proposal(dao, people, [upgrade], "Upgrade after the rollback")
    assert reg.get_model(dao, name).current_version == 3
    approved, report = pull_approved(dao, [store], name, tmp_path / "pulled")
    assert [f.path for f in report.files] == ["weights.bin"]
    assert approved.version.number == 3 and (tmp_path / "pulled" / "weights.bin").read_bytes() == b"v3 weights"
    store.close()


def test_a_manifest_naming_a_contributor_twice_is_reported_not_raised(tmp_path: Path) -> None:
    """M5: a manifest naming the same contributor twice is refused where it is read, and the reward check reports
    (never raises on) shares it cannot split, so a review still shows everything else."""
    from deai_gov.dao.registry import ProposedVersion
    from deai_gov.ipfs.content import fetch_manifest, publish
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.workflows.approved import check_proposed, check_reward_split

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\x02" * 100)
    store = EmbeddedStore(tmp_path / "store")
    author = "0x" + "11" * 20
    published = publish(folder, store, name="acme/twice", version=1, contributors=[Contributor(author, 10_000)])
    twice = published.manifest
    twice.contributors = [Contributor(author, 5_000), Contributor(author.upper().replace("0X", "0x"), 5_000)]
    manifest_cid = to_text(store.import_dag(lambda sink: import_bytes(twice.to_bytes(), sink).cid))
    with pytest.raises(VerificationError, match="names a contributor twice"):
        fetch_manifest([store], from_text(manifest_cid))
    proposed = ProposedVersion("acme/twice", 1, published.artifact_cid, manifest_cid, author)
    problem = check_proposed([store], proposed, [(author, 100 * 10**18)])
    assert problem is not None and "names a contributor twice" in problem
    # a manifest object nobody validated: the split is refused in words
    split = check_reward_split(twice, [(author, 100 * 10**18)])
    assert split is not None and split.startswith("the reward cannot be checked against the manifest's shares")
    store.close()


def test_a_pull_refuses_hidden_entries_unless_asked_and_a_review_flags_them(tmp_path: Path) -> None:
    """M2: an approved artifact holding `.git/` would run the proposer's command at the first `git status` in the
    pulled folder. Review flags hidden entries; a pull refuses them (writing nothing) unless asked; what it writes
    carries no executable bit."""
    from deai_gov.dao.registry import ProposedVersion
    from deai_gov.ipfs.content import publish, pull
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.workflows.approved import check_proposed

    folder = tmp_path / "model"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text("[core]\n\tfsmonitor = touch /tmp/pwned\n")
    (folder / "weights.bin").write_bytes(b"\x03" * 64)
    (folder / "weights.bin").chmod(0o755)
    store = EmbeddedStore(tmp_path / "store")
    author = "0x" + "11" * 20
    published = publish(
        folder, store, name="acme/git", version=1, contributors=[Contributor(author, 10_000)], include_hidden=True
    )
    proposed = ProposedVersion("acme/git", 1, published.artifact_cid, published.manifest_cid, author)
    problem = check_proposed([store], proposed)
    assert problem is not None and ".git/config" in problem and "can run code" in problem

    target = tmp_path / "pulled"
    with pytest.raises(InputError, match=r"holds 1 hidden entry \(\.git/config\).*nothing was written") as refused:
        pull([store], published.artifact_cid, published.manifest_cid, target)
    assert refused.value.hint and "--include-hidden" in refused.value.hint
    assert not target.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    pull([store], published.artifact_cid, published.manifest_cid, target, include_hidden=True)
    assert (target / ".git" / "config").read_text().startswith("[core]")
    assert (target / "weights.bin").stat().st_mode & 0o111 == 0  # published executable, pulled plain
    store.close()


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("é" * 130, "a name longer than 255 bytes"),  # 260 bytes in UTF-8: ext4 and APFS refuse to create it
        ("/".join(["d" * 200] * 4), "longer than 768 bytes"),
    ],
)
def test_a_file_name_no_file_system_takes_is_refused_where_the_manifest_is_read(
    tmp_path: Path, path: str, why: str
) -> None:
    """L8: a 312-byte name passed every check, and every pull then failed with ENAMETOOLONG and a traceback."""
    from deai_gov.ipfs.content import fetch_manifest
    from deai_gov.ipfs.manifest import Contributor, FileEntry, Manifest
    from deai_gov.names import check_file_path

    with pytest.raises(InputError, match=why):
        check_file_path(path)
    store = EmbeddedStore(tmp_path / "store")
    leaf = import_bytes(b"x", lambda cid, block: None).cid
    manifest = Manifest(
        "acme/long",
        1,
        to_text(leaf),
        1,
        {},
        [FileEntry(path, 1, "0" * 64, to_text(leaf))],
        [Contributor("0x" + "11" * 20, 10_000)],
    )
    manifest_cid = store.import_dag(lambda sink: import_bytes(manifest.to_bytes(), sink).cid)
    with pytest.raises(VerificationError, match=why):
        fetch_manifest([store], manifest_cid)
    store.close()


def test_a_damaged_log_index_rebuilds_itself(anvil: Anvil, dao: Dao, people: People, tmp_path: Path) -> None:
    """L4: a corrupt index file made `proposal list` and `proposal show` fail with a sqlite3 traceback until the user
    deleted it. It is a cache: a damaged one is dropped and read again from the chain, with the same answer."""
    import sqlite3

    from deai_gov.chain.logindex import LogIndex
    from deai_gov.chain.logs import iter_logs

    anvil_chain = connect(anvil.url)
    anvil_chain.request("anvil_mine", [hex(20)])  # the deployment's logs are confirmed, so the index keeps them

    def delegations() -> list[tuple[int, int]]:
        found = iter_logs(
            anvil_chain, "ModelToken", dao.address("token"), "DelegateChanged", from_block=dao.deployment.block
        )
        return [(log.block, log.log_index) for log in found]

    truth = delegations()
    assert truth  # deploy_dao_for delegates
    path = tmp_path / "index.sqlite"
    anvil_chain.log_index = LogIndex(path, anvil_chain)
    assert delegations() == truth and path.exists()
    anvil_chain.log_index.close()
    for damage in (b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000):
        path.write_bytes(damage)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        anvil_chain.log_index = LogIndex(path, anvil_chain)
        assert delegations() == truth
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
        anvil_chain.log_index.close()


def test_an_edited_watch_cursor_is_refused_not_followed(dao: Dao, people: People, tmp_path: Path) -> None:
    """L9: a cursor with `block_hash: null` turned the reorganisation check off, and one moved forward skipped
    events silently. A cursor must hold its block's hash and name one of the DAO's events."""
    from deai_gov.workflows.watch import follow

    pid, _ = propose(
        dao,
        people.alice,
        [reg.register_action(dao, "acme/l9", fake_cid("a"), fake_cid("m"), people.bob.address)],
        "# L9",
    )
    advance_time(dao.chain, 61)
    send(dao.chain, people.bob, gov.vote(dao, pid, gov.Support.FOR))
    cursor = tmp_path / "watch.cursor"
    start = dao.chain.block_number() - 2
    events = follow(dao, confirmations=0, cursor_path=cursor, from_block=start, once=True)
    assert next(events).name == "ProposalCreated"
    assert next(events).name == "VoteCast"  # asking for it saves the cursor just past ProposalCreated
    events.close()
    saved = json.loads(cursor.read_text())

    def following(**changes: object) -> list[str]:
        cursor.write_text(json.dumps(saved | changes))
        return [event.name for event in follow(dao, confirmations=0, cursor_path=cursor, once=True)]

    with pytest.raises(InputError, match="does not hold the hash of block"):
        following(block_hash=None)
    with pytest.raises(InputError, match="which is none of this DAO's events"):
        following(log_index=saved["log_index"] + 1)
    with pytest.raises(ChainError, match="no longer the one events were delivered from"):
        following(block=saved["block"] + 1)  # the next block, with the old block's hash
    assert following() == ["VoteCast"]  # the cursor as written: nothing skipped


class EchoingPinningService(BaseHTTPRequestHandler):
    """A pinning service that answers every request with a failure quoting the request's headers, or, at
    /deep/pins, with JSON nested 100,000 levels deep."""

    def do_GET(self) -> None:
        if self.path.startswith("/deep/"):
            body = b"[" * 100_000 + b"]" * 100_000
            self.send_response(200)
        else:
            echoed = {"error": {"reason": "BAD_REQUEST", "details": f"got {self.headers.get('Authorization')}"}}
            body = json.dumps(echoed).encode()
            self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_hostile_pinning_service_gets_one_line_and_never_the_token() -> None:
    """L6: deeply nested JSON raised an uncaught RecursionError; a service echoing the Authorization header got the
    token printed; a plain-http endpoint on another host was accepted (the token would cross the network in clear)."""
    from deai_gov.ipfs.pinning import PinningService

    token = "secret-pinning-token-0123456789"
    with serve_http(EchoingPinningService) as url:
        with pytest.raises(StoreError) as echoed:
            PinningService("echo", url, token, timeout=10).list()
        assert "BAD_REQUEST: got Bearer [token]" in str(echoed.value) and token not in str(echoed.value)
        with pytest.raises(StoreError, match="not JSON"):
            PinningService("deep", f"{url}/deep", token, timeout=10).list()
    for endpoint in ("http://pins.example.com/psa", "http://10.0.0.7:3000"):
        with pytest.raises(InputError, match="plain http, which would send the access token in clear text"):
            PinningService("remote", endpoint, token)
    for endpoint in ("https://pins.example.com/psa", "http://localhost:3000", "http://127.0.0.5:1", "http://[::1]:2"):
        assert PinningService("fine", endpoint, token).endpoint == endpoint
    with pytest.raises(InputError, match="is not an http"):
        PinningService("odd", "ftp://pins.example.com", token)


def test_actions_that_could_freeze_the_dao_are_marked_danger(dao: Dao, people: People) -> None:
    """L1: revoking the open executor role (even the repair proposal could never execute), revoking the timelock's
    own admin, a delay of 2**255 seconds, a threshold above the supply and a 100% quorum carried no DANGER mark,
    and `proposal create` built them. Any action not known to be safe is marked; the known-safe ones are not."""
    from deai_gov.dao import changes
    from deai_gov.dao.actions import Proposal
    from deai_gov.dao.deployed import timelock_roles
    from deai_gov.workflows.describe import DANGER, describe_actions

    roles, timelock, nobody = timelock_roles(), dao.address("timelock"), "0x" + "00" * 20
    freezing = [
        dao.action("timelock", "revokeRole", roles["EXECUTOR_ROLE"], nobody),
        dao.action("timelock", "revokeRole", roles["DEFAULT_ADMIN_ROLE"], timelock),
        changes.setting_action(dao, "timelock-delay", 2**255),
        changes.setting_action(dao, "threshold", str(10**30)),
        changes.setting_action(dao, "quorum", 100),
        changes.setting_action(dao, "voting-period", "90d"),
        dao.action("timelock", "updateDelay", 2**255),
        dao.action("token", "transferFrom", timelock, people.bob.address, 1),  # a call the review does not know
        dao.action("governor", "setModelRegistry", people.carol.address),  # the guardian could veto its replacement
    ]
    safe = [
        changes.transfer_action(dao, people.bob.address, 10**18),
        changes.setting_action(dao, "timelock-delay", "2d"),
        changes.setting_action(dao, "quorum", 4),
        changes.setting_action(dao, "threshold", "1"),
        dao.action("timelock", "revokeRole", roles["EXECUTOR_ROLE"], people.carol.address),
    ]
    words = describe_actions(dao, Proposal(tuple(freezing + safe), "# Freeze"))
    marked = [w.startswith(DANGER) for w in words]
    assert marked == [True] * len(freezing) + [False] * len(safe), "\n".join(words)
    assert "no proposal could ever execute again" in words[0]
    assert "nobody could ever propose again" in words[3]
    assert "veto a change of the current registry's guardian" in words[len(freezing) - 1]


class GethLike(BaseHTTPRequestHandler):
    """A node that says it is Geth on chain 1: not a development chain."""

    def do_POST(self) -> None:  # the standard library's name
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answers = {"eth_chainId": "0x1", "web3_clientVersion": "Geth/v1.14.11-stable/linux-amd64/go1.23.2"}
        body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": answers.get(request["method"])}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_development_key_signs_on_development_chains_only(
    anvil: Anvil, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L2: the keys `node accounts --import dev` saves are public knowledge, yet `dao deploy --account dev0` went
    through on a node that `node warp` calls "not a development chain". Such a keystore is marked, and signs on
    development chains only; an account of one's own is not held back."""
    from deai_gov.dev.devnet import anvil_dev_keys
    from deai_gov.home.accounts import import_private_key, is_development

    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path))
    password = tmp_path / "password"
    password.write_text("devnet\n")
    key = anvil_dev_keys(1)[0]
    import_private_key("dev0", key, "devnet", development=True)
    import_private_key("mine", "0x" + "5a" * 32, "devnet")
    assert is_development("dev0") and not is_development("mine") and not is_development("nobody")

    def delegate(url: str, alias: str) -> tuple[int, str]:
        args = ["--rpc-url", url, "--account", alias, "--password-file", str(password), "--yes"]
        result = CliRunner().invoke(main, [*args, "account", "delegate", "self"])
        return result.exit_code, result.stderr

    with serve_http(GethLike) as geth:
        code, err = delegate(geth, "dev0")
        assert code == 3 and "dev0 holds a development chain's public key, so it signs on development chains" in err
        assert "chain 1 (Geth/v1.14.11" in err and "account new" in err
        code, err = delegate(geth, "mine")
        assert code == 3 and "no deployment record" in err  # past the signer: held back by nothing of the kind
    code, err = delegate(anvil.url, "dev0")
    assert code == 3 and "no deployment record" in err  # on anvil the development key signs


def test_a_dag_of_one_repeated_empty_leaf_costs_a_few_requests_not_131_thousand(tmp_path: Path) -> None:
    """M6: a manifest or description DAG naming one empty leaf 130,000 times cost 131,136 sequential gateway requests
    (3 minutes on loopback, about 1.8 hours at 50 ms each) before anything printed. Each distinct block is fetched
    once, and the read has a time budget."""
    from .gateway import serve_trustless_gateway

    store = EmbeddedStore(tmp_path / "store")
    top_cid = fan_out_dag(store, b"", 5_000, 26)
    with serve_trustless_gateway(store, car=False) as gateway:
        started = time.monotonic()
        assert file_bytes([GatewaySource(gateway.url, timeout=10.0)], top_cid) == b""
        assert time.monotonic() - started < 10
    assert gateway.raw_requests <= 3, gateway.raw_requests  # top, middle, the empty leaf
    store.close()


def test_an_edited_log_index_row_is_caught_and_the_chain_read_instead(
    anvil: Anvil, dao: Dao, people: People, tmp_path: Path
) -> None:
    """L3: editing one row of the log index turned "transfer 1 MDL" into "1,000 MDL" in `proposal show` (config
    folders and CI caches are shared). A proposal read from logs is believed only when the governor confirms its
    contents (`getProposalId`); an edited row makes the cache go, and the chain is read again."""
    import sqlite3

    from deai_gov.chain.logindex import LogIndex
    from deai_gov.dao import changes
    from deai_gov.workflows.describe import describe_actions

    pid, _ = propose(dao, people.alice, [changes.transfer_action(dao, people.bob.address, 10**18)], "# Pay bob")
    dao = Dao(connect(anvil.url), dao.deployment)  # a chain object of this test's own, for its own log index
    dao.chain.request("anvil_mine", [hex(20)])  # confirmed: the index keeps the proposal's log
    path = tmp_path / "index.sqlite"
    dao.chain.log_index = LogIndex(path, dao.chain)
    dao.proposals_read.clear()  # read back from the logs, through the index
    proposal, _, _ = gov.get_proposal(dao, pid)
    assert describe_actions(dao, proposal)[0].startswith("transfer 1 MDL") and path.exists()

    one, thousand = f"{10**18:064x}", f"{1000 * 10**18:064x}"
    with sqlite3.connect(path) as db:
        edited = db.execute("UPDATE logs SET data = replace(data, ?, ?)", (one, thousand)).rowcount
    assert edited >= 1
    dao.proposals_read.clear()  # a new process: only the cache remembers
    proposal, _, _ = gov.get_proposal(dao, pid)
    assert describe_actions(dao, proposal)[0].startswith("transfer 1 MDL"), describe_actions(dao, proposal)
    with sqlite3.connect(path) as db:  # the cache was dropped and written again from the chain
        assert all(thousand not in data for (data,) in db.execute("SELECT data FROM logs"))
    dao.chain.log_index.close()


def test_the_simulation_runs_under_the_chains_conditions_and_tries_a_late_execution(dao: Dao, people: People) -> None:
    """M3: the fork simulation ran at gas price 0 and base fee 0, from a fixed executor, exactly at the eta: a target
    outside the DAO could tell it apart from the chain. Now it runs at the chain's fees from a fresh executor, tries
    the execution a day after the eta too, and says which actions call contracts it cannot vouch for."""
    from deai_gov.workflows.simulation import simulate_proposal

    build = Path(__file__).resolve().parent.parent / "build" / "contracts" / "TestChameleon.json"
    assert build.exists(), f"{build} is missing: run `brownie compile` first"
    compiled = json.loads(build.read_text(encoding="utf-8"))
    not_after = dao.chain.timestamp() + 2 * 3600  # the eta comes about 66 minutes from now on the test DAO
    code = bytes.fromhex(compiled["bytecode"]) + encode(["uint256"], [not_after])
    chameleon = str(send(dao.chain, people.deployer, PreparedTx(None, code, "deploy")).receipt["contractAddress"])
    from eth_utils import keccak

    act = gov.Action(chameleon, 0, keccak(text="act()")[:4])
    proposal = gov.build_proposal(dao, people.alice.address, [act], "# Call the chameleon")

    report = simulate_proposal(dao, proposal, proposer=people.alice.address)
    assert report.succeeded, report.lines(["call the chameleon"])  # seen through before: FAILS at action 1
    assert report.outside_actions == [1]
    lines = report.lines(["call the chameleon"])
    assert any("action 1 call contracts the DAO did not deploy" in line for line in lines), lines
    assert report.later is not None and "1 day after its eta instead, it would FAIL" in report.later, report.later


def test_the_simulations_relay_forwards_only_a_forks_reads_and_only_for_this_user(anvil: Anvil) -> None:
    """L7: the relay that keeps the RPC URL (and its key) off anvil's command line forwarded any local client's
    requests with that URL. It now forwards only what a fork reads, and only from this user's connections."""
    import os
    import subprocess

    import requests

    from deai_gov.chain.anvil import _RpcRelay, forwardable

    assert forwardable(b'{"jsonrpc":"2.0","id":1,"method":"eth_getStorageAt","params":[]}')
    assert forwardable(b'[{"id":1,"method":"eth_chainId"},{"id":2,"method":"eth_getCode","params":[]}]')
    for refused in (
        b'{"id":1,"method":"eth_sendRawTransaction","params":["0x00"]}',
        b'[{"id":1,"method":"eth_chainId"},{"id":2,"method":"eth_sendRawTransaction"}]',
        b'{"id":1,"method":"anvil_setBalance"}',
        b"[]",
        b"not json",
        b"[" * 10_000,
    ):
        assert not forwardable(refused), refused

    relay = _RpcRelay(anvil.url).start()
    try:
        asked = requests.post(relay.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=10)
        assert asked.status_code == 200 and asked.json()["result"] == "0x7a69"
        sent = {"jsonrpc": "2.0", "id": 2, "method": "eth_sendRawTransaction", "params": ["0x00"]}
        assert requests.post(relay.url, json=sent, timeout=10).status_code == 403
        system_python = "/usr/bin/python3"  # one that another user may run (the project's lives under root's home)
        if os.getuid() == 0 and os.access(system_python, os.X_OK):  # another user (nobody) is refused the same read
            probe = (
                "import json, sys, urllib.request, urllib.error\n"
                "body = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'eth_chainId'}).encode()\n"
                "request = urllib.request.Request(sys.argv[1], body, {'Content-Type': 'application/json'})\n"
                "try:\n    print(urllib.request.urlopen(request, timeout=10).status)\n"
                "except urllib.error.HTTPError as exc:\n    print(exc.code)\n"
            )
            other = subprocess.run(
                [system_python, "-I", "-c", probe, relay.url],
                capture_output=True,
                text=True,
                timeout=30,
                preexec_fn=lambda: os.setuid(65534),
                check=False,
            )
            assert other.stdout.strip() == "403", other.stderr[-300:]
    finally:
        relay.stop()


def test_a_hostile_vote_reason_is_shown_defanged_and_cut_in_proposal_votes(
    anvil: Anvil, dao_world: DaoWorld, tmp_path: Path
) -> None:
    """Anyone who votes writes a reason: a terminal escape, a bidi override and 20 KB of text show escaped and
    cut in the table (with the note), and whole in the JSON."""
    people, dao = dao_world.people, dao_world.dao
    record = tmp_path / "deployment.json"
    dao.deployment.save(record)
    action = reg.register_action(dao, "acme/voted", fake_cid("va"), fake_cid("vm"), people.bob.address)
    pid, _ = propose(dao, people.alice, [action], "# Register acme/voted")
    advance_time(dao.chain, 61)
    reason = "\x1b[2J\u202eevil" + "x" * 20_000
    send(dao.chain, people.bob, gov.vote(dao, pid, gov.Support.AGAINST, reason))
    base = ["--rpc-url", anvil.url, "--deployment", str(record)]
    shown = CliRunner().invoke(main, [*base, "proposal", "votes", str(pid)], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "\\x1b[2J<U+202E>evil" in shown.stdout and "x" * 100 not in shown.stdout
    assert "not obeyed" in shown.stderr
    whole = CliRunner().invoke(main, [*base, "proposal", "votes", str(pid), "--json"])
    assert json.loads(whole.stdout)[0]["reason"] == reason
