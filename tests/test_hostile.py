"""Adversaries: proposers, executors and peers who send what no honest client would. Each test plays one attack
against the real contracts (embedded chain or anvil) and checks that voters still see what they vote on and that
nothing fails for everyone."""

from __future__ import annotations

import contextlib
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

from deai_gov.chain.client import PreparedTx, send
from deai_gov.cli import main
from deai_gov.contracts.abi import function_shape
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, advance_time
from deai_gov.errors import InputError, StoreError, VerificationError
from deai_gov.ipfs.blockcid import DAG_PB, RAW, block_cid
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


def test_a_fan_out_dag_stops_within_its_block_budget(tmp_path: Path) -> None:
    """A small DAG whose links point at the same blocks again and again would need 100 million fetches (20,000 x
    5,000 links to one byte): the walk stops at the budget its declared size allows."""
    store = EmbeddedStore(tmp_path / "store")
    leaf = b"x"
    leaf_cid = block_cid(RAW, leaf)
    store.put_block(leaf_cid, leaf)
    middle = file_node([(leaf_cid, 1)] * 5_000)
    middle_cid = block_cid(DAG_PB, middle)
    store.put_block(middle_cid, middle)
    top = file_node([(middle_cid, 5_000)] * 20_000)
    top_cid = block_cid(DAG_PB, top)
    store.put_block(top_cid, top)
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
    assert words[10] == f"transfer 2 MDL from the treasury to {carol}"  # not the contributor: not a reward
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
    assert report["ok"] and len(report["checks"]) == 15 and all(c["ok"] for c in report["checks"])
    assert {"check": "governor registry", "ok": True} in [{k: c[k] for k in ("check", "ok")} for c in report["checks"]]

    grant = dao.action("timelock", "grantRole", keccak(text="PROPOSER_ROLE"), people.carol.address)
    pass_proposal(dao, people, [grant], "Make carol a proposer")
    failed = CliRunner().invoke(main, [*base, "dao", "verify"])
    assert failed.exit_code == 3
    assert "FAIL  timelock PROPOSER_ROLE holders: the timelock's PROPOSER_ROLE is held by" in failed.output
    assert people.carol.address in failed.output


def test_a_signed_vote_is_not_relayed_to_another_proposal_with_its_number(dao: Dao, people: People) -> None:
    """Votes sign a proposal number. The chain is rolled back (as in a reorganisation) and another proposal gets
    that number: relaying the signed vote is refused, since it records what it was signed for."""
    chain = dao.chain
    snapshot = chain.request("evm_snapshot")
    first = reg.register_action(dao, "acme/first", fake_cid("1a"), fake_cid("1m"), people.bob.address)
    pid, _ = propose(dao, people.alice, [first], "# Register acme/first")
    advance_time(chain, 61)
    signed = gov.sign_vote(dao, people.bob, pid, gov.Support.FOR)
    assert signed.proposal_hash and gov.SignedVote.from_dict(signed.to_dict()) == signed
    chain.request("evm_revert", [snapshot])
    gov._seen_proposals.clear()  # what a fresh process would know
    other = reg.register_action(dao, "acme/other", fake_cid("2a"), fake_cid("2m"), people.carol.address)
    same_number, _ = propose(dao, people.alice, [other], "# Register acme/other")
    assert same_number == pid
    advance_time(chain, 61)
    with pytest.raises(InputError, match=f"proposal {pid} is not the proposal this vote was signed for"):
        gov.relay(dao, signed)


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
