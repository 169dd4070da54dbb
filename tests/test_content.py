"""The content layer on the embedded store: importer vectors, publish/verify/pull, CAR, tampering, gateways."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from deai_gov.errors import BlockMismatch, BlockNotFound, CarError, VerificationError
from deai_gov.ipfs.blockcid import BlockCid, codec_of, from_text, to_text
from deai_gov.ipfs.car import CarWriter, read_car
from deai_gov.ipfs.content import publish, pull, verify
from deai_gov.ipfs.importer import import_bytes, import_stream
from deai_gov.ipfs.manifest import Contributor, Manifest
from deai_gov.ipfs.profiles import LEGACY, ImportProfile
from deai_gov.ipfs.stores import EmbeddedStore, GatewaySource, export_car, fetch_verified, walk_blocks
from deai_gov.ipfs.unixfs import NodeType, decode_node

from .gateway import serve_gateway

#: The layout tests below use the legacy profile's small chunks (IPIP-499's profile is in test_import_profiles.py).
CHUNK = LEGACY.chunk_size
EMPTY_FILE = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # raw leaf of b"" (sha256 of nothing)
CONTRIBUTOR = [Contributor("0x" + "11" * 20, 10_000, "alice")]


def blocks_of(data: bytes, profile: ImportProfile = LEGACY) -> tuple[BlockCid, dict[BlockCid, bytes]]:
    blocks: dict[BlockCid, bytes] = {}
    entry = import_bytes(data, lambda cid, block: blocks.__setitem__(cid, block), profile=profile)
    return entry.cid, blocks


def test_single_chunk_files_are_one_raw_block() -> None:
    assert to_text(blocks_of(b"")[0]) == EMPTY_FILE
    cid, blocks = blocks_of(b"hello world\n")
    assert codec_of(cid) == "raw" and cid.endswith(hashlib.sha256(b"hello world\n").digest())
    assert to_text(cid) == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    assert len(blocks) == 1
    assert codec_of(blocks_of(b"x" * CHUNK)[0]) == "raw"


@pytest.mark.parametrize(("chunks", "depth", "root_links"), [(2, 1, 2), (174, 1, 174), (175, 2, 2), (349, 2, 3)])
def test_balanced_layout(chunks: int, depth: int, root_links: int) -> None:
    data = os.urandom(16) * (CHUNK // 16) * (chunks - 1) + b"tail"
    cid, blocks = blocks_of(data)
    root = decode_node(blocks[cid])
    assert root.type == NodeType.FILE and root.filesize == len(data) and len(root.links) == root_links
    assert sum(root.blocksizes) == len(data)
    levels, node = 0, root
    while node is not None:
        levels += 1
        child = node.links[0].cid
        node = decode_node(blocks[child]) if codec_of(child) == "dag-pb" else None
    assert levels == depth
    leaves = [c for c in blocks if codec_of(c) == "raw"]
    assert len(leaves) <= chunks  # identical chunks share a block


def test_import_memory_stays_flat() -> None:
    class Zeros(io.RawIOBase):
        def __init__(self, size: int):
            self.left = size

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            n = min(len(buffer), self.left)
            buffer[:n] = bytes(n)
            self.left -= n
            return n

    tracemalloc.start()
    entry = import_stream(io.BufferedReader(Zeros(64 * 1024 * 1024)), lambda cid, block: None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert entry.size == 64 * 1024 * 1024
    assert entry.sha256 == hashlib.sha256(bytes(64 * 1024 * 1024)).hexdigest()
    assert peak < 12 * 1024 * 1024, f"importing 64 MiB peaked at {peak / 2**20:.1f} MiB"


def test_background_sha256_matches_hashlib() -> None:
    from deai_gov.ipfs.hashing import BackgroundSha256

    chunks = [os.urandom(n) for n in (0, 1, CHUNK, CHUNK + 1, 3)] * 20  # more chunks than the queue holds
    digest = BackgroundSha256(depth=4)
    for chunk in chunks:
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()
    digest.close()  # closing again is harmless


def test_a_dag_walk_reads_the_index_a_window_at_a_time(
    tmp_path: Path, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import deai_gov.ipfs.stores

    monkeypatch.setattr(deai_gov.ipfs.stores, "_WINDOW", 16)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(CHUNK * 60 + 5))  # 61 leaves under one node
    result = publish(weights, store, name="acme/big", version=1, contributors=CONTRIBUTOR, profile=LEGACY)
    reader = EmbeddedStore(store.root)
    queries: list[str] = []
    reader._index().set_trace_callback(queries.append)
    report = verify([reader], result.artifact_cid, result.manifest_cid)
    assert (report.blocks, report.size) == (62, CHUNK * 60 + 5)
    lookups = [q for q in queries if q.startswith("SELECT")]
    # one lookup and one window per 16 blocks, not one lookup per block
    assert 4 <= len(lookups) <= 2 * (62 // 16 + 3), lookups


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "acme-vision"
    (folder / "tokenizer").mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\ntags: [vision]\n---\n# acme/vision\n")
    (folder / "config.json").write_text(json.dumps({"hidden_size": 64}))
    (folder / "model.safetensors").write_bytes(os.urandom(CHUNK * 3 + 17))
    (folder / "tokenizer" / "vocab.txt").write_text("a\nb\n")
    return folder


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    return EmbeddedStore(tmp_path / "store")


def published(folder: Path, store: EmbeddedStore):  # type: ignore[no-untyped-def]
    return publish(folder, store, name="acme/vision", version=1, contributors=CONTRIBUTOR)


def test_publish_verify_pull_round_trip(model_folder: Path, store: EmbeddedStore, tmp_path: Path) -> None:
    result = published(model_folder, store)
    manifest = result.manifest
    assert [f.path for f in manifest.files] == ["README.md", "config.json", "model.safetensors", "tokenizer/vocab.txt"]
    weights = manifest.files[2]
    assert weights.sha256 == hashlib.sha256((model_folder / "model.safetensors").read_bytes()).hexdigest()
    assert (manifest.license, manifest.format, manifest.model_card["tags"]) == ("apache-2.0", "safetensors", ["vision"])
    assert Manifest.from_bytes(manifest.to_bytes()) == manifest
    assert result.artifact_cid.startswith("bafybei") and result.manifest_cid.startswith("bafkrei")

    report = verify([store], result.artifact_cid, result.manifest_cid)
    assert report.size == sum(p.stat().st_size for p in model_folder.rglob("*") if p.is_file())
    out = tmp_path / "pulled"
    pull([store], result.artifact_cid, result.manifest_cid, out)
    for path in model_folder.rglob("*"):
        if path.is_file():
            assert (out / path.relative_to(model_folder)).read_bytes() == path.read_bytes()
    # the same bytes give the same CIDs, in another store
    again = published(model_folder, EmbeddedStore(tmp_path / "other"))
    assert (again.artifact_cid, again.manifest_cid) == (result.artifact_cid, result.manifest_cid)


def test_single_file_artifact(tmp_path: Path, store: EmbeddedStore) -> None:
    weights = tmp_path / "model.gguf"
    weights.write_bytes(os.urandom(CHUNK + 1))
    result = publish(weights, store, name="acme/tiny", version=1, contributors=CONTRIBUTOR)
    assert [f.path for f in result.manifest.files] == ["model.gguf"]
    pull([store], result.artifact_cid, result.manifest_cid, tmp_path / "out")
    assert (tmp_path / "out" / "model.gguf").read_bytes() == weights.read_bytes()


def test_car_round_trip_between_stores(model_folder: Path, store: EmbeddedStore, tmp_path: Path) -> None:
    result = published(model_folder, store)
    car = io.BytesIO()
    export_car([store], from_text(result.artifact_cid), car)
    export_car([store], from_text(result.manifest_cid), car_manifest := io.BytesIO())
    other = EmbeddedStore(tmp_path / "imported")
    for stream, root in ((car, result.artifact_cid), (car_manifest, result.manifest_cid)):
        stream.seek(0)
        other.put_car(stream, [from_text(root)])
    assert (
        verify([other], result.artifact_cid, result.manifest_cid).size
        == verify([store], result.artifact_cid, result.manifest_cid).size
    )


def test_a_car_with_a_wrong_block_is_refused() -> None:
    cid, _ = blocks_of(b"some bytes")
    car = io.BytesIO()
    writer = CarWriter(car, [cid])
    writer.put(cid, b"other bytes")
    car.seek(0)
    _, stream = read_car(car)
    with pytest.raises(CarError, match="does not match its CID"):
        list(stream)


def _largest_block(store: EmbeddedStore, blocks: list[BlockCid]) -> BlockCid:
    return max(blocks, key=lambda cid: (store.locate(cid) or (None, 0, 0))[2])


def _all_blocks(store: EmbeddedStore, root: str) -> list[BlockCid]:
    return [cid for cid, _ in walk_blocks([store], from_text(root))]


def _nothing_left(tmp_path: Path, name: str) -> None:
    assert not (tmp_path / name).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{name}.partial-")]


def test_a_flipped_byte_is_refused_and_nothing_written(
    model_folder: Path, store: EmbeddedStore, tmp_path: Path
) -> None:
    result = published(model_folder, store)
    block = _largest_block(store, _all_blocks(store, result.artifact_cid))
    pack, offset, _ = store.locate(block) or (Path(), 0, 0)
    with pack.open("r+b") as f:  # flip one bit of the block, in place on disk
        f.seek(offset + 1000)
        byte = f.read(1)
        f.seek(offset + 1000)
        f.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(BlockMismatch, match=f"do not match block {to_text(block)}"):
        pull([store], result.artifact_cid, result.manifest_cid, tmp_path / "out")
    _nothing_left(tmp_path, "out")
    with pytest.raises(BlockMismatch):
        verify([store], result.artifact_cid, result.manifest_cid)


def test_a_missing_block_is_refused_and_nothing_written(
    model_folder: Path, store: EmbeddedStore, tmp_path: Path
) -> None:
    result = published(model_folder, store)
    block = _largest_block(store, _all_blocks(store, result.artifact_cid))
    store.forget(block)
    with pytest.raises(BlockNotFound, match=f"block {to_text(block)} is not in the embedded store"):
        pull([store], result.artifact_cid, result.manifest_cid, tmp_path / "out")
    _nothing_left(tmp_path, "out")


def test_a_swapped_cid_in_the_manifest_is_refused(model_folder: Path, store: EmbeddedStore, tmp_path: Path) -> None:
    result = published(model_folder, store)
    raw = result.manifest.to_dict()
    raw["files"][1]["cid"] = raw["files"][0]["cid"]  # config.json now claims README.md's CID
    forged = json.dumps(raw, sort_keys=True).encode()
    forged_cid = to_text(import_bytes(forged, lambda cid, block: store.put_block(cid, block)).cid)
    with pytest.raises(VerificationError, match=r"config\.json: the artifact's CID \S+ is not the manifest's"):
        pull([store], result.artifact_cid, forged_cid, tmp_path / "out")
    _nothing_left(tmp_path, "out")
    other = published(model_folder / "tokenizer", store)  # a real manifest, but of another artifact
    with pytest.raises(VerificationError, match="describes artifact"):
        verify([store], result.artifact_cid, other.manifest_cid)


def test_a_lying_gateway_is_refused_and_an_honest_one_used(
    model_folder: Path, store: EmbeddedStore, tmp_path: Path
) -> None:
    result = published(model_folder, store)
    with serve_gateway(store, tamper=lambda cid, data: data[:-1] + bytes([data[-1] ^ 1])) as liar:
        liar_source = GatewaySource(liar, timeout=5)
        with pytest.raises(BlockMismatch, match=rf"gateway {liar} returned bytes that do not match"):
            pull([liar_source], result.artifact_cid, result.manifest_cid, tmp_path / "out")
        _nothing_left(tmp_path, "out")
        with serve_gateway(store) as honest:
            report = pull(
                [liar_source, GatewaySource(honest)], result.artifact_cid, result.manifest_cid, tmp_path / "out"
            )
    assert len(report.files) == 4
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (model_folder / "model.safetensors").read_bytes()


def test_fetch_reports_every_source() -> None:
    empty = EmbeddedStore(Path("/nonexistent-deai-gov"))
    with pytest.raises(BlockNotFound, match="not in the embedded store"):
        fetch_verified([empty], from_text(EMPTY_FILE))
    with pytest.raises(BlockNotFound, match="no source configured"):
        fetch_verified([], from_text(EMPTY_FILE))


def _pack_bytes(store: EmbeddedStore) -> int:
    return sum(p.stat().st_size for p in store.packs.glob("*.car"))


def test_publishing_without_a_copy_leaves_the_bytes_in_place(
    model_folder: Path, store: EmbeddedStore, tmp_path: Path
) -> None:
    in_place = publish(model_folder, store, name="acme/vision", version=1, contributors=CONTRIBUTOR, copy=False)
    copied = published(model_folder, EmbeddedStore(tmp_path / "copied"))
    assert (in_place.artifact_cid, in_place.manifest_cid) == (copied.artifact_cid, copied.manifest_cid)
    weights = model_folder / "model.safetensors"
    assert _pack_bytes(store) < 8 * 1024 < weights.stat().st_size  # only folder nodes and the manifest
    leaves = [cid for cid in _all_blocks(store, in_place.artifact_cid) if codec_of(cid) == "raw"]
    assert {store.origin(cid) for cid in leaves} == {p.resolve() for p in model_folder.rglob("*") if p.is_file()}
    assert verify([store], in_place.artifact_cid, in_place.manifest_cid).size == copied.manifest.artifact_size
    pull([store], in_place.artifact_cid, in_place.manifest_cid, tmp_path / "out")
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == weights.read_bytes()

    # publishing with a copy afterwards makes the store independent of the folder
    published(model_folder, store)
    assert {store.origin(cid) for cid in leaves} == {None}
    weights.write_bytes(b"changed")
    assert verify([store], in_place.artifact_cid, in_place.manifest_cid).size == copied.manifest.artifact_size


def test_a_file_changed_after_publishing_without_a_copy_is_refused(
    model_folder: Path, store: EmbeddedStore, tmp_path: Path
) -> None:
    result = publish(model_folder, store, name="acme/vision", version=1, contributors=CONTRIBUTOR, copy=False)
    weights = model_folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[CHUNK + 5] ^= 1
    weights.write_bytes(bytes(data))
    with pytest.raises(BlockMismatch, match=f"{weights.resolve()} has changed since it was published without a copy"):
        pull([EmbeddedStore(store.root)], result.artifact_cid, result.manifest_cid, tmp_path / "out")
    _nothing_left(tmp_path, "out")
    weights.write_bytes(bytes(data[:CHUNK]))
    with pytest.raises(BlockNotFound, match=f"published without a copy from {weights.resolve()}, now shorter"):
        verify([EmbeddedStore(store.root)], result.artifact_cid, result.manifest_cid)
    weights.unlink()
    with pytest.raises(BlockNotFound, match=f"from {weights.resolve()}, which cannot be read now"):
        verify([EmbeddedStore(store.root)], result.artifact_cid, result.manifest_cid)


def test_only_an_embedded_store_publishes_without_a_copy(model_folder: Path) -> None:
    from deai_gov.errors import InputError
    from deai_gov.ipfs.stores import NodeStore

    with pytest.raises(InputError, match="publishing without a copy needs an embedded store"):
        publish(
            model_folder, NodeStore("http://127.0.0.1:1"), name="a/b", version=1, contributors=CONTRIBUTOR, copy=False
        )


def test_a_file_changing_while_it_is_published_is_refused(tmp_path: Path, store: EmbeddedStore) -> None:
    from deai_gov.errors import InputError

    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(CHUNK * 4))

    def grow(_: int) -> None:  # another program still writing the file
        with weights.open("ab") as f:
            f.write(b"more")

    with pytest.raises(InputError, match=r"weights\.bin changed while it was being published"):
        publish(weights, store, name="acme/w", version=1, contributors=CONTRIBUTOR, progress=grow)
    assert not list(store.packs.glob("*.car"))  # nothing indexed, no pack left


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_pulled_folder_gets_the_permissions_the_umask_gives(
    model_folder: Path, store: EmbeddedStore, tmp_path: Path, umask: int
) -> None:
    """A server running as another user reads the pulled model: its folder is made as `mkdir` makes one (0755 under
    the usual umask 022), not private as a temporary folder is; a private umask keeps it private."""
    result = published(model_folder, store)
    previous = os.umask(umask)
    try:
        pull([store], result.artifact_cid, result.manifest_cid, tmp_path / "served")
    finally:
        os.umask(previous)
    assert (tmp_path / "served").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (tmp_path / "served" / "tokenizer").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (tmp_path / "served" / "README.md").stat().st_mode & 0o777 == 0o666 & ~umask
