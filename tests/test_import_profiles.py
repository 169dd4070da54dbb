"""Import profiles against independent implementations.

- IPIP-499's own test vectors for `unixfs-v1-2025`, rebuilt from the fixtures Kubo's tests generate: ChaCha20
  bytes keyed by the sha256 of a seed (`chunk-v1-seed`, `v1-2025-seed`), and a folder of 4,766 one-byte files
  named from the `hamt-unixfs-v1-2025` stream, at and one byte over the HAMT threshold.
- The maintained JS importer (npm `ipfs-unixfs-importer`, run by node through `tests/js/unixfs_import.mjs`) on
  files around every boundary and on folders (nested, empty, hidden, sharded), for both profiles.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from Crypto.Cipher import ChaCha20

from deai_gov.ipfs.blockcid import codec_of, to_text
from deai_gov.ipfs.content import publish, verify
from deai_gov.ipfs.importer import import_bytes, import_file, import_path, import_stream
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.profiles import LEGACY, PROFILES, UNIXFS_V1_2025, ImportProfile
from deai_gov.ipfs.stores import EmbeddedStore
from deai_gov.ipfs.unixfs import NodeType, decode_node

ROOT = Path(__file__).resolve().parent.parent
ORACLE = ROOT / "tests" / "js" / "unixfs_import.mjs"
MIB = 1024 * 1024
#: `testutils.AlphabetEasy` of Kubo's tests (with its repeated 0): file names of the HAMT fixtures.
ALPHABET = "abcdefghijklmnopqrstuvwxyz01234567890-_"

# IPIP-499, "Test fixtures", unixfs-v1-2025.
SMALL_FILE = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
FILE_AT_CHUNK = "bafkreiacndfy443ter6qr2tmbbdhadvxxheowwf75s6zehscklu6ezxmta"
FILE_OVER_CHUNK = "bafybeigmix7t42i6jacydtquhet7srwvgpizfg7gjbq7627d35mjomtu64"
FILE_AT_MAX_LINKS = "bafybeihmf37wcuvtx4hpu7he5zl5qaf2ineo2lqlfrapokkm5zzw7zyhvm"
FILE_OVER_MAX_LINKS = "bafybeibdsi225ugbkmpbdohnxioyab6jsqrmkts3twhpvfnzp77xtzpyhe"
DIR_AT_THRESHOLD = "bafybeic3h7rwruealwxkacabdy45jivq2crwz6bufb5ljwupn36gicplx4"
DIR_OVER_THRESHOLD = "bafybeiegvuterwurhdtkikfhbxcldohmxp566vpjdofhzmnhv6o4freidu"
EMPTY_DIR = "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"  # the UnixFS spec's vector


def seeded(seed: str) -> ChaCha20.ChaCha20Cipher:
    """Kubo's `testutils.DeterministicRandomReader`: ChaCha20, key sha256(seed), zero nonce, counter 0."""
    return ChaCha20.new(key=hashlib.sha256(seed.encode()).digest(), nonce=bytes(12))


def seeded_bytes(seed: str, size: int) -> bytes:
    return seeded(seed).encrypt(bytes(size))


def oracle(profile: ImportProfile, path: Path, *, hidden: bool = False) -> dict[str, object]:
    """What the JS importer makes of `path`: {"root": CID, "files": {relative path: CID}, "blocks": n}."""
    command = ["node", str(ORACLE), profile.name, str(path), *(["--hidden"] if hidden else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def ours(profile: ImportProfile, path: Path, *, hidden: bool = False) -> dict[str, object]:
    """The same summary from this package's importer."""
    files: dict[str, str] = {}
    blocks: set[bytes] = set()
    entry = import_path(
        path,
        lambda cid, block: blocks.add(cid),
        profile=profile,
        include_hidden=hidden,
        on_file=lambda relative, found: files.__setitem__(relative, to_text(found.cid)),
    )
    return {"root": to_text(entry.cid), "files": files}


# ------------------------------------------------------------------------------------------------ IPIP-499


def test_ipip_499_file_vectors_around_the_chunk_size() -> None:
    data = seeded_bytes("chunk-v1-seed", MIB + 1)
    assert to_text(import_bytes(b"hello world", lambda cid, block: None).cid) == SMALL_FILE
    assert to_text(import_bytes(data[:MIB], lambda cid, block: None).cid) == FILE_AT_CHUNK
    assert to_text(import_bytes(data, lambda cid, block: None).cid) == FILE_OVER_CHUNK


@pytest.fixture(scope="module")
def gibibyte_plus_one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,024 MiB + 1 byte of the `v1-2025-seed` stream, on disk (written once: ~7 s)."""
    path = tmp_path_factory.mktemp("ipip499") / "over-max-links.bin"
    stream = seeded("v1-2025-seed")
    zeros = bytes(8 * MIB)
    with path.open("wb") as out:
        for _ in range(1024 // 8):
            out.write(stream.encrypt(zeros))
        out.write(stream.encrypt(b"\0"))
    return path


class Prefix(io.RawIOBase):
    """The first `size` bytes of a file, as a stream."""

    def __init__(self, path: Path, size: int):
        self.file = path.open("rb")
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self.file.readinto(memoryview(buffer)[: min(len(buffer), self.left)])
        self.left -= n
        return n

    def close(self) -> None:
        self.file.close()
        super().close()


def test_ipip_499_file_vectors_around_the_link_limit(gibibyte_plus_one: Path) -> None:
    """1,024 chunks fill one node; one byte more makes the DAG two levels deep."""
    at_max: dict[bytes, bytes] = {}

    def keep_root_only(cid: bytes, block: bytes) -> None:
        if codec_of(cid) == "dag-pb":
            at_max[cid] = block

    with Prefix(gibibyte_plus_one, 1024 * MIB) as prefix:
        entry = import_stream(io.BufferedReader(prefix, MIB), keep_root_only)
    assert to_text(entry.cid) == FILE_AT_MAX_LINKS
    assert len(decode_node(at_max[entry.cid]).links) == 1024
    over: dict[bytes, bytes] = {}
    entry = import_file(
        gibibyte_plus_one, lambda cid, block: over.__setitem__(cid, block) if codec_of(cid) != "raw" else None
    )
    assert to_text(entry.cid) == FILE_OVER_MAX_LINKS
    assert len(decode_node(over[entry.cid]).links) == 2


def hamt_fixture(folder: Path, last_name_length: int) -> Path:
    """Kubo's `createDeterministicFiles`: 4,766 files holding `x`, 4,765 names of 11 characters then one of
    `last_name_length`, each character ALPHABET[byte % 39] of the `hamt-unixfs-v1-2025` stream."""
    folder.mkdir()
    stream = seeded("hamt-unixfs-v1-2025")
    for i in range(4766):
        length = last_name_length if i == 4765 else 11
        name = "".join(ALPHABET[b % len(ALPHABET)] for b in stream.encrypt(bytes(length)))
        (folder / name).write_bytes(b"x")
    return folder


@pytest.mark.parametrize(
    ("last_name_length", "expected", "sharded"),
    [(21, DIR_AT_THRESHOLD, False), (22, DIR_OVER_THRESHOLD, True)],
    ids=["at-threshold", "one-byte-over"],
)
def test_ipip_499_folder_vectors_at_and_over_the_hamt_threshold(
    tmp_path: Path, last_name_length: int, expected: str, sharded: bool
) -> None:
    """A folder whose block is exactly 262,144 bytes stays one block; one byte more and it is a HAMT shard."""
    blocks: dict[bytes, bytes] = {}
    folder = hamt_fixture(tmp_path / "names", last_name_length)
    entry = import_path(folder, lambda cid, block: blocks.__setitem__(cid, block))
    assert to_text(entry.cid) == expected
    root = decode_node(blocks[entry.cid])
    if sharded:
        assert root.type == NodeType.HAMT_SHARD and root.fanout == 256 and len(root.links) <= 256
    else:
        assert root.type == NodeType.DIRECTORY and len(blocks[entry.cid]) == 262_144 and len(root.links) == 4766


def test_the_empty_folder_vector(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for profile in PROFILES.values():
        assert to_text(import_path(tmp_path / "empty", lambda cid, block: None, profile=profile).cid) == EMPTY_DIR


# ------------------------------------------------------------------------------------------------ the JS importer


def boundary_sizes(profile: ImportProfile) -> list[int]:
    chunk = profile.chunk_size
    return [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5]


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES)
def test_files_around_every_boundary_match_the_js_importer(profile: ImportProfile, tmp_path: Path) -> None:
    for size in boundary_sizes(profile):
        path = tmp_path / f"{size}.bin"
        path.write_bytes(os.urandom(size))
        assert ours(profile, path)["root"] == oracle(profile, path)["root"], f"{size} bytes"


def test_a_two_level_legacy_file_matches_the_js_importer(tmp_path: Path) -> None:
    path = tmp_path / "two-levels.bin"
    path.write_bytes(os.urandom(175 * LEGACY.chunk_size + 3))  # one chunk more than a node holds
    assert ours(LEGACY, path)["root"] == oracle(LEGACY, path)["root"]


def test_a_two_level_file_matches_the_js_importer(gibibyte_plus_one: Path) -> None:
    assert oracle(UNIXFS_V1_2025, gibibyte_plus_one)["root"] == FILE_OVER_MAX_LINKS


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Nested folders, an empty one, hidden files and folders, a file of a few chunks."""
    root = tmp_path / "model"
    (root / "tokenizer" / "special").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[remote]\n")
    (root / ".env").write_text("TOKEN=secret\n")
    (root / "README.md").write_text("# acme/vision\n")
    (root / "tokenizer" / "vocab.txt").write_text("a\nb\n")
    (root / "tokenizer" / "special" / "tokens.json").write_text("{}")
    (root / "model.safetensors").write_bytes(os.urandom(2 * MIB + 7))
    return root


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES)
@pytest.mark.parametrize("hidden", [False, True], ids=["hidden-left-out", "hidden-included"])
def test_folders_match_the_js_importer(profile: ImportProfile, folder: Path, hidden: bool) -> None:
    mine, theirs = ours(profile, folder, hidden=hidden), oracle(profile, folder, hidden=hidden)
    assert mine["root"] == theirs["root"]
    assert mine["files"] == theirs["files"]
    assert (".env" in mine["files"]) == hidden


@pytest.fixture(scope="module")
def large_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,100 files with long names (a block of ~300 KiB unsharded) and a subfolder: large enough to shard, in as few
    files as the names allow."""
    root = tmp_path_factory.mktemp("large") / "checkpoints"
    (root / "logs").mkdir(parents=True)
    (root / "logs" / "train.log").write_text("step 1\n")
    for i in range(LARGE_FILES):
        (root / f"shard-{i:05d}-of-01100-{'x' * 200}.bin").write_bytes(i.to_bytes(4, "big"))
    return root


#: How many files `large_folder` holds (besides its log).
LARGE_FILES = 1_100


def test_a_folder_large_enough_to_shard_matches_the_js_importer(large_folder: Path) -> None:
    blocks: dict[bytes, bytes] = {}
    entry = import_path(large_folder, lambda cid, block: blocks.__setitem__(cid, block))
    root = decode_node(blocks[entry.cid])
    assert root.type == NodeType.HAMT_SHARD and root.hash_type == 0x22 and root.fanout == 256
    assert to_text(entry.cid) == oracle(UNIXFS_V1_2025, large_folder)["root"]
    unsharded = import_path(large_folder, lambda cid, block: None, profile=LEGACY)
    assert to_text(unsharded.cid) == oracle(LEGACY, large_folder)["root"]  # the legacy profile never shards


def test_a_sharded_folder_publishes_verifies_and_lists_every_file(large_folder: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    contributors = [Contributor("0x" + "11" * 20, 10_000)]
    published = publish(large_folder, store, name="acme/checkpoints", version=1, contributors=contributors)
    assert published.manifest.import_params["profile"] == "unixfs-v1-2025"
    report = verify([store], published.artifact_cid, published.manifest_cid)
    assert len(report.files) == LARGE_FILES + 1 and report.size == LARGE_FILES * 4 + len("step 1\n")


# ------------------------------------------------------------------------------------------------ records


def test_a_legacy_version_is_rederived_from_its_files_with_its_recorded_profile(folder: Path, tmp_path: Path) -> None:
    from deai_gov.ipfs.content import compare_local

    store = EmbeddedStore(tmp_path / "store")
    contributors = [Contributor("0x" + "11" * 20, 10_000)]
    published = publish(folder, store, name="acme/old", version=1, contributors=contributors, profile=LEGACY)
    assert published.manifest.import_params == LEGACY.to_dict()
    found = compare_local(folder, published.manifest)
    assert (found.matches, found.profile, found.artifact_cid) == (True, LEGACY.name, published.artifact_cid)
    # the default profile makes other CIDs of the same files: only the recorded profile re-derives the version
    assert to_text(import_path(folder, lambda cid, block: None).cid) != published.artifact_cid


#: What a manifest written before profiles had names holds under artifact.import.
V1_IMPORT_RECORD = {
    "cid_version": 1,
    "raw_leaves": True,
    "chunker": "size-262144",
    "layout": "balanced",
    "max_links": 174,
    "hash": "sha2-256",
    "cid_base": "base32",
}


def test_a_manifest_from_before_profiles_is_read_and_its_profile_known() -> None:
    from deai_gov.ipfs.manifest import Manifest
    from deai_gov.ipfs.profiles import profile_of

    document = {
        "schema": "deai-gov/manifest/v1",
        "name": "acme/old",
        "version": 1,
        "parent_version": 0,
        "artifact": {"root": SMALL_FILE, "size": 11, "import": V1_IMPORT_RECORD},
        "files": [{"path": "hello.txt", "size": 11, "sha256": "00" * 32, "cid": SMALL_FILE}],
        "contributors": [{"address": "0x" + "11" * 20, "share_bps": 10_000}],
    }
    manifest = Manifest.from_bytes(json.dumps(document).encode())
    assert manifest.schema == "deai-gov/manifest/v1" and json.loads(manifest.to_bytes())["schema"] == manifest.schema
    assert profile_of(manifest.import_params) is LEGACY


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"profile": "unixfs-v9"}, "unknown import profile 'unixfs-v9'; known: unixfs-v1-2025, cidv1-raw-256k-174"),
        (UNIXFS_V1_2025.to_dict() | {"max_links": 174}, "records profile unixfs-v1-2025 with other parameters"),
        (V1_IMPORT_RECORD | {"chunker": "size-1048576"}, "import parameters no known profile has"),
    ],
)
def test_an_import_record_no_profile_matches_is_refused_by_name(record: dict[str, object], words: str) -> None:
    from deai_gov.errors import InputError
    from deai_gov.ipfs.profiles import profile_of

    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        profile_of(record)
