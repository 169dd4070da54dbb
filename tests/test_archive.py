"""A version as one CAR file (`deai_gov.ipfs.archive`): exported after a full verification, imported after every
block is checked, into an embedded store and through a real IPFS node (js-ipfs's own `dag/import` and export)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from deai_gov.errors import BlockNotFound, InputError, VerificationError
from deai_gov.ipfs.archive import export_version, import_archive
from deai_gov.ipfs.blockcid import from_text, to_text
from deai_gov.ipfs.car import CarWriter, read_car
from deai_gov.ipfs.content import Published, compare_local, publish, pull, verify
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore, NodeStore

CONTRIBUTORS = [Contributor("0x" + "11" * 20, 10_000)]


@pytest.fixture
def version(tmp_path: Path) -> tuple[EmbeddedStore, Published, Path]:
    folder = tmp_path / "model"
    (folder / "tokenizer").mkdir(parents=True)
    (folder / "empty").mkdir()
    (folder / "model.safetensors").write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    (folder / "copy.safetensors").write_bytes((folder / "model.safetensors").read_bytes())  # repeated blocks
    (folder / "tokenizer" / "vocab.txt").write_text("a\nb\n")
    store = EmbeddedStore(tmp_path / "store")
    return (
        store,
        publish(folder, store, name="acme/car", version=2, parent_version=1, contributors=CONTRIBUTORS),
        folder,
    )


def test_a_version_round_trips_through_one_car_file(
    version: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    store, published, folder = version
    exported = export_version([store], published.artifact_cid, published.manifest_cid, tmp_path / "v2.car")
    assert exported.roots == [published.artifact_cid, published.manifest_cid]
    with (tmp_path / "v2.car").open("rb") as stream:
        roots, blocks = read_car(stream)
        cids = [cid for cid, _ in blocks]
    assert [from_text(r) for r in exported.roots] == roots and len(cids) == len(set(cids)) == exported.blocks
    assert not list(tmp_path.glob(".v2.car.partial-*"))
    fresh = EmbeddedStore(tmp_path / "fresh")
    imported = import_archive(tmp_path / "v2.car", fresh)
    assert imported.version is not None and (imported.version.manifest.name, imported.version.manifest.version) == (
        "acme/car",
        2,
    )
    assert (imported.blocks, imported.bytes) == (exported.blocks, exported.bytes)
    pull([fresh], published.artifact_cid, published.manifest_cid, tmp_path / "pulled")
    assert (tmp_path / "pulled" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()
    # the empty folder is part of the artifact: recorded, recreated, and the pulled copy re-derives the same CID
    assert published.manifest.empty_folders == ["empty"] and (tmp_path / "pulled" / "empty").is_dir()
    assert compare_local(tmp_path / "pulled", published.manifest).matches
    with pytest.raises(InputError, match="already exists"):
        export_version([store], published.artifact_cid, published.manifest_cid, tmp_path / "v2.car")


def test_a_car_with_a_bad_block_imports_nothing(version: tuple[EmbeddedStore, Published, Path], tmp_path: Path) -> None:
    store, published, _ = version
    export_version([store], published.artifact_cid, published.manifest_cid, tmp_path / "v2.car")
    with (tmp_path / "v2.car").open("rb") as stream:
        roots, blocks = read_car(stream)
        original = list(blocks)
    tampered = io.BytesIO()
    writer = CarWriter(tampered, roots)
    for index, (cid, data) in enumerate(original):
        writer.put(cid, data[:-1] + bytes([data[-1] ^ 1]) if index == len(original) - 1 else data)
    (tmp_path / "bad.car").write_bytes(tampered.getvalue())
    fresh = EmbeddedStore(tmp_path / "fresh")
    with pytest.raises(VerificationError, match=r"does not match its CID.*nothing was imported"):
        import_archive(tmp_path / "bad.car", fresh)
    assert not any(fresh.has(cid) for cid, _ in original)


def test_a_car_missing_blocks_is_named_incomplete(
    version: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    store, published, _ = version
    export_version([store], published.artifact_cid, published.manifest_cid, tmp_path / "v2.car")
    with (tmp_path / "v2.car").open("rb") as stream:
        roots, blocks = read_car(stream)
        kept = list(blocks)[:-2]
    short = io.BytesIO()
    writer = CarWriter(short, roots)
    for cid, data in kept:
        writer.put(cid, data)
    (tmp_path / "short.car").write_bytes(short.getvalue())
    with pytest.raises(BlockNotFound, match="block"):
        import_archive(tmp_path / "short.car", EmbeddedStore(tmp_path / "fresh"))


def test_an_exported_version_imports_into_a_real_node(
    version: tuple[EmbeddedStore, Published, Path], ipfs_node: object, tmp_path: Path
) -> None:
    """`ipfs dag import` of the exported CAR (what `model import` does with a node): the node then serves the
    version, checked block by block, and pins both roots."""
    store, published, _ = version
    export_version([store], published.artifact_cid, published.manifest_cid, tmp_path / "v2.car")
    node = NodeStore(ipfs_node.api_multiaddr, timeout=60)  # type: ignore[attr-defined]
    imported = import_archive(tmp_path / "v2.car", node)
    assert imported.version is not None and imported.version.size == verify([store], *imported.roots).size
    pins = {to_text(from_text(key)) for key in node.client().pin.ls(type="recursive")["Keys"]}
    assert {published.artifact_cid, published.manifest_cid} <= pins
