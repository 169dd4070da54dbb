"""The content layer against a real IPFS node (js-ipfs serving the Kubo RPC API), started on loopback.

The node's own `add` with the fixed parameters must give this importer's CIDs; CARs move both ways between
the embedded store and the node; a pull from the node verifies every block; a missing block times out.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from deai_gov.dev.ipfsnode import IpfsNode
from deai_gov.errors import BlockNotFound
from deai_gov.ipfs.blockcid import codec_of, from_text, to_text
from deai_gov.ipfs.content import publish, pull, verify
from deai_gov.ipfs.importer import import_bytes, import_file
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.profiles import LEGACY
from deai_gov.ipfs.stores import EmbeddedStore, NodeStore, export_car

#: js-ipfs checks the legacy profile (it predates IPIP-499); the JS importer checks both (test_import_profiles.py).
CHUNK = LEGACY.chunk_size
CONTRIBUTOR = [Contributor("0x" + "22" * 20, 10_000)]
# Known CIDs (DESIGN §3): `printf 'hello world\n' | ipfs add` with defaults (CIDv0, dag-pb leaves) on js-ipfs, Kubo
# and Debian's ipfs-cid; and the same bytes with CIDv1 + raw leaves: a single raw block.
HELLO = b"hello world\n"
HELLO_DEFAULT_V0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
HELLO_RAW_V1 = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


@pytest.fixture(scope="module")
def node_store(ipfs_node: IpfsNode) -> NodeStore:
    return NodeStore(ipfs_node.api_multiaddr, timeout=60)


def node_add(store: NodeStore, data: bytes) -> str:
    answer = store.client().add(
        io.BytesIO(data), cid_version=1, raw_leaves=True, chunker=f"size-{CHUNK}", opts={"cid-base": "base32"}
    )
    return str(answer["Hash"])


def test_known_vectors(node_store: NodeStore) -> None:
    assert str(node_store.client().add(io.BytesIO(HELLO))["Hash"]) == HELLO_DEFAULT_V0
    ours = to_text(import_bytes(HELLO, lambda cid, block: None, profile=LEGACY).cid)
    assert ours == HELLO_RAW_V1 == node_add(node_store, HELLO)


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * 1024 * 1024 + 5, 174 * CHUNK, 174 * CHUNK + 1, 350 * CHUNK + 3],
    ids=lambda n: f"{n}B",
)
def test_the_node_computes_our_cids(node_store: NodeStore, size: int, tmp_path: Path) -> None:
    data = os.urandom(size)
    ours = to_text(import_bytes(data, lambda cid, block: None, profile=LEGACY).cid)
    assert node_add(node_store, data) == ours
    # files take their own path through the importer (two readers, a reused buffer): same blocks, same CID
    (tmp_path / "weights.bin").write_bytes(data)
    from_file: dict[bytes, bytes] = {}
    entry = import_file(tmp_path / "weights.bin", lambda cid, block: from_file.__setitem__(cid, block), profile=LEGACY)
    assert (to_text(entry.cid), entry.size, entry.sha256) == (ours, size, hashlib.sha256(data).hexdigest())
    assert b"".join(block for cid, block in from_file.items() if codec_of(cid) == "raw") == data
    assert bytes(node_store.client().cat(ours)) == data


def test_publish_to_the_node_then_cat_and_pull(node_store: NodeStore, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# acme/node\n")
    (folder / "model.safetensors").write_bytes(os.urandom(2 * CHUNK + 9))
    result = publish(folder, node_store, name="acme/node", version=1, contributors=CONTRIBUTOR)
    weights = result.manifest.files[1]
    assert bytes(node_store.client().cat(weights.cid)) == (folder / "model.safetensors").read_bytes()
    pins = node_store.client().pin.ls(type="recursive")["Keys"]
    assert {to_text(from_text(k)) for k in pins} >= {result.artifact_cid, result.manifest_cid}
    pull([node_store], result.artifact_cid, result.manifest_cid, tmp_path / "pulled")
    assert (tmp_path / "pulled" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()


def test_car_round_trip_embedded_to_node_to_embedded(node_store: NodeStore, tmp_path: Path) -> None:
    data = os.urandom(5 * CHUNK + 11)
    (tmp_path / "weights.bin").write_bytes(data)
    embedded = EmbeddedStore(tmp_path / "a")
    result = publish(tmp_path / "weights.bin", embedded, name="acme/car", version=1, contributors=CONTRIBUTOR)
    for root in (result.artifact_cid, result.manifest_cid):
        car = io.BytesIO()
        export_car([embedded], from_text(root), car)
        car.seek(0)
        node_store.put_car(car, [from_text(root)])
    assert bytes(node_store.client().cat(result.artifact_cid)) == data
    # and back: blocks fetched from the node, verified, kept by a second embedded store
    back = EmbeddedStore(tmp_path / "b")
    for root in (result.artifact_cid, result.manifest_cid):
        exported = io.BytesIO(bytes(node_store.client().dag.export(root)))  # the node's own CAR export
        back.put_car(exported, [from_text(root)])
    assert verify([back], result.artifact_cid, result.manifest_cid).size == len(data)


def test_a_pull_from_the_node_streams_its_dag_export(node_store: NodeStore, tmp_path: Path) -> None:
    """The node is asked for the artifact once, as a CAR (`dag/export`), every block verified as it streams."""
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("a")
    (folder / "weights.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 1))
    result = publish(folder, node_store, name="acme/export", version=1, contributors=CONTRIBUTOR)
    report = pull([node_store], result.artifact_cid, result.manifest_cid, tmp_path / "pulled")
    [stream] = report.streams
    assert stream.peer == node_store.name and stream.ended is None and stream.blocks >= 5
    assert (tmp_path / "pulled" / "weights.bin").read_bytes() == (folder / "weights.bin").read_bytes()


def test_a_missing_block_times_out_clearly(ipfs_node: IpfsNode) -> None:
    store = NodeStore(ipfs_node.api_multiaddr, timeout=2)
    absent = import_bytes(b"never published " + os.urandom(16), lambda cid, block: None).cid
    started = time.monotonic()
    with pytest.raises(BlockNotFound, match=r"did not deliver block \S+ within 2 s"):
        store.get_block(absent)
    assert time.monotonic() - started < 10
    assert store.version()  # the node still answers afterwards


def test_a_node_that_is_down_is_named(tmp_path: Path) -> None:
    from deai_gov.dev.devnet import free_port
    from deai_gov.errors import StoreError

    down = NodeStore(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(StoreError, match="is unreachable"):
        down.version()
    (tmp_path / "w.bin").write_bytes(b"weights")
    with pytest.raises(StoreError, match="is unreachable"):
        publish(tmp_path / "w.bin", down, name="acme/down", version=1, contributors=CONTRIBUTOR)
