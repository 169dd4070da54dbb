"""The local IPFS node (js-ipfs 0.66.1, Kubo RPC API) through ipfshttpclient 0.7.0: what the project relies on.

Every test talks to a real daemon. CIDs are compared as CIDs (js-ipfs answers base58btc for CIDv1 unless asked
for `cid-base=base32`), and expected CIDs are computed here with `multiformats`, independently of the node.
"""

from __future__ import annotations

import io
import os
import time
import urllib.request
from pathlib import Path
from typing import Any

import ipfshttpclient
import pytest
from multiformats import CID, multihash, varint

from deai_gov.dev.ipfsnode import JSIPFS_ENV, IpfsNode, connect_client, find_jsipfs
from deai_gov.errors import DeaiGovError, IpfsNodeError

HELLO = b"hello world\n"
HELLO_V0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
CHUNK = 262_144
# The fixed import parameters: CIDv1, raw leaves, 256 KiB chunks, base32.
FIXED = {"cid_version": 1, "raw_leaves": True, "chunker": f"size-{CHUNK}", "opts": {"cid-base": "base32"}}
B32 = {"cid-base": "base32"}


@pytest.fixture(scope="session")
def ipfs(ipfs_node: IpfsNode) -> Any:
    """An ipfshttpclient Client for the session's node."""
    return connect_client(ipfs_node.api_multiaddr, timeout=30)


# --- CIDs and CARs, built here without the node -------------------------------------------------------------


def raw_cid(data: bytes, codec: str = "raw") -> CID:
    """CIDv1 (base32, sha2-256) of one block."""
    return CID("base32", 1, codec, multihash.digest(data, "sha2-256"))


def cbor_bytes(value: bytes) -> bytes:
    """A CBOR byte string (major type 2)."""
    n = len(value)
    if n < 24:
        return bytes([0x40 + n]) + value
    if n < 256:
        return bytes([0x58, n]) + value
    return b"\x59" + n.to_bytes(2, "big") + value


def cbor_link(cid: CID) -> bytes:
    """A dag-cbor link: tag 42 around the binary CID prefixed by the identity multibase byte 0x00."""
    return b"\xd8\x2a" + cbor_bytes(b"\x00" + bytes(cid))


def car_v1(roots: list[CID], blocks: list[tuple[CID, bytes]]) -> bytes:
    """A CAR v1: varint-prefixed dag-cbor header {"roots": [...], "version": 1}, then varint-prefixed blocks."""
    assert len(roots) < 24
    # dag-cbor sorts map keys by length first: "roots" (5) before "version" (7).
    header = b"\xa2\x65roots" + bytes([0x80 + len(roots)]) + b"".join(map(cbor_link, roots)) + b"\x67version\x01"
    out = varint.encode(len(header)) + header
    for cid, data in blocks:
        section = bytes(cid) + data
        out += varint.encode(len(section)) + section
    return out


def read_car(car: bytes) -> tuple[bytes, list[tuple[CID, bytes]]]:
    """(header bytes, [(cid, block)...]) of a CAR v1 with CIDv1 blocks."""
    size, n, _ = varint.decode_raw(car)
    header, pos = car[n : n + size], n + size
    blocks = []
    while pos < len(car):
        size, n, _ = varint.decode_raw(car[pos:])
        section = car[pos + n : pos + n + size]
        pos += n + size
        cid_len = 0
        for _ in range(3):  # version, codec, multihash code
            cid_len += varint.decode_raw(section[cid_len:])[1]
        digest_len, n, _ = varint.decode_raw(section[cid_len:])
        cid_len += n + digest_len
        blocks.append((CID.decode(section[:cid_len]), section[cid_len:]))
    return header, blocks


def random_cid() -> CID:
    return raw_cid(os.urandom(32))


def recursive_pins(ipfs: Any) -> dict[CID, str]:
    """The node's recursive pins, keys decoded (js-ipfs lists CIDv1 in base58btc, and refuses base32 for CIDv0)."""
    return {CID.decode(key): value["Type"] for key, value in ipfs.pin.ls(type="recursive")["Keys"].items()}


# --- the node ------------------------------------------------------------------------------------------------


def test_version_and_addresses(ipfs_node: IpfsNode, ipfs: Any) -> None:
    assert ipfs_node.api_multiaddr == f"/ip4/127.0.0.1/tcp/{ipfs_node.port}/http"
    request = urllib.request.Request(f"{ipfs_node.api_url}/version", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert b'"Version":"0.18.1"' in response.read()
    version = ipfs.version()
    assert version["Version"] == "0.18.1"
    assert ipfs.id()["Addresses"] == []  # no swarm listener


def test_connect_refuses_the_node_so_construct_the_client(ipfs_node: IpfsNode) -> None:
    with pytest.raises(ipfshttpclient.exceptions.VersionMismatch):
        ipfshttpclient.connect(ipfs_node.api_multiaddr, timeout=5)


def test_add_with_defaults_matches_the_oracle(ipfs: Any) -> None:
    added = ipfs.add(io.BytesIO(HELLO))
    assert added["Hash"] == HELLO_V0
    assert added["Size"] == 20 and isinstance(added["Size"], int)  # Kubo answers a string
    assert ipfs.cat(HELLO_V0) == HELLO
    assert ipfs.cat(HELLO_V0, offset=6, length=5) == b"world"


def test_add_without_cid_base_answers_base58btc(ipfs: Any) -> None:
    added = ipfs.add(io.BytesIO(b"base58 by default"), cid_version=1, raw_leaves=True)
    assert added["Hash"].startswith("z")  # Kubo would answer base32
    assert CID.decode(added["Hash"]) == raw_cid(b"base58 by default")


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7])
def test_add_with_the_fixed_parameters(ipfs: Any, size: int) -> None:
    data = os.urandom(size)
    added = ipfs.add(io.BytesIO(data), **FIXED)
    root = CID.decode(added["Hash"])
    assert added["Hash"] == str(root) and str(root).startswith("b")  # base32
    assert isinstance(added["Size"], int)
    assert ipfs.cat(added["Hash"]) == data
    if size <= CHUNK:
        # one chunk: the file is a single raw block whose CID is the data's own
        assert root == raw_cid(data)
        assert added["Size"] == size
        assert ipfs.block.get(added["Hash"]) == data
        return
    assert root.codec.name == "dag-pb"
    # export the DAG and check every block against its CID; the raw leaves, in order, are the file
    header, blocks = read_car(ipfs.dag.export(added["Hash"]))
    assert header == read_car(car_v1([root], []))[0]
    assert blocks[0][0] == root
    for cid, block in blocks:
        assert raw_cid(block, cid.codec.name) == cid
    leaves = [block for cid, block in blocks if cid.codec.name == "raw"]
    assert [len(leaf) for leaf in leaves] == [min(CHUNK, size - i) for i in range(0, size, CHUNK)]
    assert b"".join(leaves) == data
    assert added["Size"] == sum(len(block) for _, block in blocks)  # cumulative DAG size


def test_block_put_get_stat(ipfs: Any) -> None:
    data = b"one raw block"
    expected = raw_cid(data)
    put = ipfs.block.put(io.BytesIO(data), opts={"format": "raw"})
    assert put["Key"] == str(expected) and put["Size"] == len(data)
    assert ipfs.block.get(str(expected)) == data
    stat = ipfs.block.stat(str(expected))
    assert CID.decode(stat["Key"]) == expected and stat["Key"].startswith("z")  # base58btc unless asked
    assert ipfs.block.stat(str(expected), opts=B32) == {"Key": str(expected), "Size": len(data)}


def test_block_put_takes_format_not_cid_codec(ipfs: Any) -> None:
    data = b"codec option"
    # js-ipfs ignores Kubo's `cid-codec` and stores the bytes under a dag-pb CIDv0
    assert ipfs.block.put(io.BytesIO(data), opts={"cid-codec": "raw"})["Key"].startswith("Qm")
    assert ipfs.block.put(io.BytesIO(data), opts={"format": "raw"})["Key"] == str(raw_cid(data))


def test_dag_import_of_a_hand_built_car_then_export(ipfs: Any) -> None:
    leaf_a, leaf_b = os.urandom(100), os.urandom(200)
    cid_a, cid_b = raw_cid(leaf_a), raw_cid(leaf_b)
    root_block = b"\x82" + cbor_link(cid_a) + cbor_link(cid_b)  # dag-cbor [link, link]
    root = raw_cid(root_block, "dag-cbor")
    car = car_v1([root], [(root, root_block), (cid_a, leaf_a), (cid_b, leaf_b)])

    imported = ipfs.dag.imprt(io.BytesIO(car))
    assert imported == {"Root": {"Cid": {"/": str(root)}, "PinErrorMsg": ""}}
    assert recursive_pins(ipfs)[root] == "recursive"
    assert ipfs.dag.export(str(root)) == car
    assert ipfs.block.get(str(cid_b)) == leaf_b


def test_dag_import_without_pinning_answers_nothing(ipfs: Any) -> None:
    data = os.urandom(50)
    cid = raw_cid(data)
    # no answer line at all: ipfshttpclient's single-item wrapper would assert, so do not ask for the result
    result = ipfs.dag.imprt(io.BytesIO(car_v1([cid], [(cid, data)])), opts={"pin-roots": "false"}, return_result=False)
    assert result is None
    assert ipfs.block.get(str(cid)) == data
    assert cid not in recursive_pins(ipfs)


def test_dag_import_stores_blocks_without_checking_them(ipfs: Any) -> None:
    claimed = raw_cid(os.urandom(32))
    ipfs.dag.imprt(io.BytesIO(car_v1([claimed], [(claimed, b"not the bytes of that CID")])))
    # the node hands back whatever it was given: readers must hash every block they fetch
    assert ipfs.block.get(str(claimed)) == b"not the bytes of that CID"
    ipfs.pin.rm(str(claimed))


def incomplete_dag() -> tuple[CID, bytes, CID]:
    """(root, CAR, missing leaf): a dag-cbor root linking two raw leaves, one of them left out of the CAR."""
    present, missing = os.urandom(10), random_cid()
    root_block = b"\x82" + cbor_link(raw_cid(present)) + cbor_link(missing)
    root = raw_cid(root_block, "dag-cbor")
    return root, car_v1([root], [(root, root_block), (raw_cid(present), present)]), missing


def test_incomplete_dag_import_unpinned_then_pin_with_a_timeout(ipfs: Any) -> None:
    root, car, missing = incomplete_dag()
    ipfs.dag.imprt(io.BytesIO(car), opts={"pin-roots": "false"}, return_result=False)
    started = time.monotonic()
    with pytest.raises(ipfshttpclient.exceptions.ErrorResponse, match="request timed out"):
        ipfs.pin.add(str(root), opts={"timeout": "1s"})  # pinning walks the whole DAG
    assert time.monotonic() - started < 3
    assert root not in recursive_pins(ipfs)
    # an export that runs into the missing block ends at the timeout with a truncated CAR and no error
    _, blocks = read_car(ipfs.dag.export(str(root), opts={"timeout": "1s"}))
    assert missing not in [cid for cid, _ in blocks] and blocks[0][0] == root
    list(ipfs.repo.gc(timeout=5))  # completes: no walk is left holding the GC lock


def test_pinned_import_of_an_incomplete_dag_blocks_gc_for_good() -> None:
    # Its own node: after the timeout the pinning walk goes on in the daemon and holds the GC lock, so
    # repo/gc and every later write wait forever. Import unpinned, check completeness, then pin/add.
    with IpfsNode() as node:
        ipfs = node.client(timeout=30)
        _, car, _ = incomplete_dag()
        with pytest.raises(ipfshttpclient.exceptions.ErrorResponse, match="request timed out"):
            ipfs.dag.imprt(io.BytesIO(car), opts={"timeout": "1s"})
        with pytest.raises(ipfshttpclient.exceptions.TimeoutError):
            list(ipfs.repo.gc(timeout=1))
        with pytest.raises(ipfshttpclient.exceptions.TimeoutError):
            ipfs.add(io.BytesIO(b"queued behind gc"), timeout=1)
        assert ipfs.version(timeout=2)["Version"] == "0.18.1"  # reads still answer


def test_cid_base_base32_is_refused_for_cidv0_in_listings(ipfs: Any) -> None:
    ipfs.add(io.BytesIO(HELLO))  # a pinned CIDv0
    assert CID.decode(HELLO_V0) in recursive_pins(ipfs)
    with pytest.raises(ipfshttpclient.exceptions.ErrorResponse, match="Cannot string encode V0 in base32"):
        ipfs.pin.ls(type="recursive", opts=B32)


def test_pin_add_ls_rm_and_gc(ipfs: Any) -> None:
    data = os.urandom(64)
    cid = str(raw_cid(data))
    ipfs.block.put(io.BytesIO(data), opts={"format": "raw"})  # not pinned
    assert CID.decode(cid) not in recursive_pins(ipfs)
    assert ipfs.pin.add(cid, opts=B32) == {"Pins": [cid]}
    assert ipfs.pin.ls(cid, opts=B32)["Keys"] == {cid: {"Type": "recursive"}}
    assert recursive_pins(ipfs)[CID.decode(cid)] == "recursive"
    assert ipfs.pin.rm(cid, opts=B32) == {"Pins": [cid]}
    assert CID.decode(cid) not in recursive_pins(ipfs)
    removed = {CID.decode(item["Key"]["/"]) for item in ipfs.repo.gc()}
    assert CID.decode(cid) in removed
    with pytest.raises(ipfshttpclient.exceptions.ErrorResponse, match="timed out"):
        ipfs.block.stat(cid, opts={"timeout": "500ms"})


def test_missing_block_fails_within_the_timeout(ipfs: Any) -> None:
    missing = str(random_cid())
    # client side: the HTTP read times out
    started = time.monotonic()
    with pytest.raises(ipfshttpclient.exceptions.TimeoutError):
        ipfs.block.get(missing, timeout=1)
    assert 0.9 < time.monotonic() - started < 3
    started = time.monotonic()
    with pytest.raises(ipfshttpclient.exceptions.TimeoutError):
        ipfs.cat(missing, timeout=1)
    assert time.monotonic() - started < 3
    # server side (`timeout` query option, Kubo has it too): a clean error answer
    started = time.monotonic()
    with pytest.raises(ipfshttpclient.exceptions.ErrorResponse, match="request timed out"):
        ipfs.block.get(missing, opts={"timeout": "1s"})
    assert time.monotonic() - started < 3
    assert ipfs.version()["Version"] == "0.18.1"  # still serving


def test_gateway_serves_file_content_only(ipfs_node: IpfsNode, ipfs: Any) -> None:
    data = os.urandom(CHUNK + 10)
    root = ipfs.add(io.BytesIO(data), **FIXED)["Hash"]
    for query, accept in [("", None), ("?format=raw", None), ("?format=car", None), ("", "application/vnd.ipld.car")]:
        headers = {"Accept": accept} if accept else {}
        request = urllib.request.Request(f"{ipfs_node.gateway_url}/ipfs/{root}{query}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            # no trustless gateway: `format` and the Accept header are ignored, the answer is the file itself
            assert response.read() == data


def test_daemon_uses_loopback_only(ipfs_node: IpfsNode) -> None:
    assert ipfs_node.process is not None
    pid = ipfs_node.process.pid
    proc = Path("/proc")
    if not (proc / str(pid) / "fd").is_dir():
        pytest.skip("needs Linux /proc")
    inodes = set()
    for fd in (proc / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    sockets = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in (proc / "net" / table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                sockets.append((table, fields[1], fields[2]))
    loopback = {"0100007F", "00000000000000000000000001000000"}
    assert sockets, "the daemon holds no socket"
    for table, local, remote in sockets:
        assert table.startswith("tcp"), f"unexpected {table} socket"
        assert local.split(":")[0] in loopback
        assert remote.split(":")[0] in loopback | {"00000000", "0" * 32}
    listening = {int(local.split(":")[1], 16) for _, local, remote in sockets if remote.endswith(":0000")}
    assert listening == {ipfs_node.port, ipfs_node.gateway_port}


def test_a_given_repository_persists_across_restarts(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with IpfsNode(repo=repo) as node:
        first_port = node.port
        root = node.client(timeout=30).add(io.BytesIO(b"kept"), **FIXED)["Hash"]
    assert (repo / "config").exists()
    with IpfsNode(repo=repo) as node:
        assert node.port != first_port  # a fresh free port, written into the kept configuration
        assert node.client(timeout=30).cat(root) == b"kept"
    assert repo.exists()


def test_missing_binary_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(JSIPFS_ENV, str(tmp_path / "nothing"))
    with pytest.raises(IpfsNodeError, match=JSIPFS_ENV):
        find_jsipfs()
    monkeypatch.delenv(JSIPFS_ENV)
    monkeypatch.setattr("deai_gov.dev.ipfsnode._project_node_dirs", lambda: [])
    with pytest.raises(DeaiGovError, match="is not installed") as missing:
        IpfsNode().start()
    assert missing.value.hint and "tools/install-ipfs-node" in missing.value.hint  # the next step, kept apart
