"""Pulls through trustless gateways as one CAR stream (`deai_gov.ipfs.carstream`), against the spec-following test
gateway (tests/gateway.py): one request for the whole artifact, every block verified as it streams, and the
gateway's blocks fetched one by one only where its CAR did not deliver them (refused, cut short, lying)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from deai_gov.errors import BlockMismatch
from deai_gov.ipfs.blockcid import from_text
from deai_gov.ipfs.content import Published, publish, pull, verify
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore, GatewaySource, walk_blocks

from .gateway import serve_trustless_gateway

CONTRIBUTORS = [Contributor("0x" + "11" * 20, 10_000)]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Published, Path]:
    """A folder with a subfolder before and after files (link order), an empty folder, a 5 MiB file and a file
    repeating its chunks (the same block twice)."""
    root = tmp_path_factory.mktemp("carstream")
    folder = root / "model"
    (folder / "a-tokenizer").mkdir(parents=True)
    (folder / "a-tokenizer" / "vocab.txt").write_text("a\nb\n")
    (folder / "empty").mkdir()
    (folder / "model.safetensors").write_bytes(os.urandom(5 * 1024 * 1024 + 3))
    (folder / "zeros.bin").write_bytes(bytes(3 * 1024 * 1024))
    (folder / "z-config").mkdir()
    (folder / "z-config" / "config.json").write_text("{}")
    store = EmbeddedStore(root / "store")
    return store, publish(folder, store, name="acme/stream", version=1, contributors=CONTRIBUTORS), folder


def blocks_under(store: EmbeddedStore, cid: str) -> int:
    return sum(1 for _ in walk_blocks([store], from_text(cid)))


def test_a_pull_is_one_car_request_for_the_whole_artifact(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    store, version, folder = published
    with serve_trustless_gateway(store) as gateway:
        report = pull([GatewaySource(gateway.url)], version.artifact_cid, version.manifest_cid, tmp_path / "out")
    assert gateway.car_requests == 1
    assert gateway.raw_requests == blocks_under(store, version.manifest_cid)  # the manifest, read block by block
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()
    assert (tmp_path / "out" / "empty").is_dir()
    [stream] = report.streams
    assert stream.ended is None and stream.blocks == gateway.car_blocks_sent
    assert not [thread for thread in threading.enumerate() if thread.name == "car-deadline"]  # its watchdog stopped


def test_a_gateway_without_cars_serves_block_by_block(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    store, version, _ = published
    with serve_trustless_gateway(store, car=False) as gateway:
        report = verify([GatewaySource(gateway.url)], version.artifact_cid, version.manifest_cid)
    assert gateway.car_requests == 1 and gateway.car_blocks_sent == 0
    assert gateway.raw_requests >= blocks_under(store, version.artifact_cid)
    assert [s.ended for s in report.streams] == ["no CAR: HTTP 400 without a content type"]


def test_block_by_block_reads_run_a_few_at_a_time(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    """From a distant gateway that refuses CARs, a file's next leaves are fetched ahead in parallel (at most the
    source's worker count at once), each still checked when the walk takes it."""
    store, version, folder = published
    with serve_trustless_gateway(store, car=False, delay=0.05) as gateway:
        pull([GatewaySource(gateway.url)], version.artifact_cid, version.manifest_cid, tmp_path / "out")
    assert 1 < gateway.max_in_flight <= GatewaySource.PREFETCH_WORKERS + 1
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()


def test_a_car_cut_short_is_completed_block_by_block(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    store, version, folder = published
    with serve_trustless_gateway(store, car_block_limit=5) as gateway:
        pull([GatewaySource(gateway.url)], version.artifact_cid, version.manifest_cid, tmp_path / "out")
    total = blocks_under(store, version.artifact_cid)
    assert gateway.car_blocks_sent == 5 and 0 < gateway.raw_requests < total + 5
    assert (tmp_path / "out" / "zeros.bin").read_bytes() == (folder / "zeros.bin").read_bytes()


def test_a_lying_car_is_refused_and_an_honest_gateway_used(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    """The first gateway's CAR (and raw blocks) flip a byte of every raw leaf: its stream ends at the first one,
    its block-by-block answers are refused by name, and the second gateway's CAR completes the pull."""
    store, version, folder = published

    def flip_leaves(cid: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if cid.startswith("bafk") and data else data

    with serve_trustless_gateway(store, tamper=flip_leaves) as liar:
        with pytest.raises(BlockMismatch, match=rf"gateway {liar.url} returned bytes that do not match"):
            verify([GatewaySource(liar.url)], version.artifact_cid, version.manifest_cid)
        with serve_trustless_gateway(store) as honest:
            report = pull(
                [GatewaySource(liar.url), GatewaySource(honest.url)],
                version.artifact_cid,
                version.manifest_cid,
                tmp_path / "out",
            )
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()
    liar_stream = next(s for s in report.streams if s.peer == f"gateway {liar.url}")
    assert liar_stream.ended and "does not match its CID" in liar_stream.ended
    assert honest.car_requests == 1


def test_a_trickling_car_is_given_up_and_the_rest_read_by_block(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    """A gateway whose CAR sends its header and then a byte every 0.2 s (every socket read within any time-out):
    the stream is given up at the per-block deadline and the pull completes from its raw blocks."""
    import time
    from http.server import BaseHTTPRequestHandler

    from deai_gov.ipfs.car import CarWriter

    from .gateway import serve_http

    store, version, folder = published

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            cid = from_text(path.removeprefix("/ipfs/"))
            if "format=car" in query:
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.ipld.car; version=1; order=dfs; dups=y")
                self.end_headers()
                CarWriter(self.wfile, [cid])
                self.wfile.write(b"\x80\x80\x40")  # a section of 1 MiB, then a byte at a time (the reader waits
                for _ in range(100):  # for the whole block: only the deadline ends that wait)
                    try:
                        self.wfile.write(b"\x01")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.2)
                return
            data = store.get_block(cid)
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.ipld.raw")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Trickle) as url:
        started = time.monotonic()
        report = pull([GatewaySource(url, timeout=1.0)], version.artifact_cid, version.manifest_cid, tmp_path / "out")
        elapsed = time.monotonic() - started
    assert elapsed < 5, f"the trickle held the pull for {elapsed:.1f} s"
    [stream] = report.streams
    assert stream.blocks == 0 and stream.ended and "no block within 1 s" in stream.ended
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()


def car_of(store: EmbeddedStore, root: str) -> bytes:
    import io

    from deai_gov.ipfs.stores import export_car

    out = io.BytesIO()
    export_car([store], from_text(root), out)
    return out.getvalue()


@pytest.mark.parametrize("coding", ["chunked", "gzip"])
def test_a_car_sent_chunked_or_compressed_streams_whole(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path, coding: str
) -> None:
    """Production gateways stream CARs with HTTP/1.1 chunked transfer coding (their size is not known ahead); a
    gateway may also compress one. Either way the whole artifact comes from the one CAR, every block verified."""
    import gzip
    from http.server import BaseHTTPRequestHandler

    from .gateway import serve_http

    store, version, folder = published
    car = car_of(store, version.artifact_cid)

    class Coding(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if "format=car" not in query:
                data = store.get_block(from_text(path.removeprefix("/ipfs/")))
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.ipld.raw")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.ipld.car; version=1; order=dfs; dups=n")
            if coding == "gzip":
                body = gzip.compress(car)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(car), 100_003):  # chunks that do not line up with sections
                piece = car[start : start + 100_003]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Coding) as url:
        report = pull([GatewaySource(url)], version.artifact_cid, version.manifest_cid, tmp_path / "out")
    [stream] = report.streams
    assert stream.ended == "the CAR ended"  # read to its end, not broken off
    assert stream.blocks == blocks_under(store, version.artifact_cid)  # each block once (dups=n)
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()


def test_an_independent_client_reads_through_the_test_gateway(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    """npm @helia/verified-fetch (Helia's verifying fetch) reads a file through the test gateway and gets exactly
    its bytes: the gateway speaks the trustless gateway protocol to a client that is not this project's."""
    import hashlib
    import json
    import subprocess

    store, _, folder = published
    weights = folder / "model.safetensors"
    single = publish(weights, store, name="acme/single", version=1, contributors=CONTRIBUTORS)
    root = Path(__file__).resolve().parent.parent
    script = root / "tests" / "js" / "verified_fetch.mjs"
    polyfill = root / "tools" / "ipfs-node" / "polyfill.cjs"  # Promise.withResolvers for Node 20
    with serve_trustless_gateway(store) as gateway:
        done = subprocess.run(
            ["node", "--require", str(polyfill), str(script), gateway.url, single.artifact_cid],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    fetched = json.loads(done.stdout.strip().splitlines()[-1])
    expected = weights.read_bytes()
    assert fetched == {"status": 200, "bytes": len(expected), "sha256": hashlib.sha256(expected).hexdigest()}
    assert gateway.raw_requests + gateway.car_requests > 0  # what it read, it read from this gateway


def test_a_pull_interrupted_and_run_again_fetches_only_what_it_lacks(
    published: tuple[EmbeddedStore, Published, Path], tmp_path: Path
) -> None:
    """With an embedded store configured, every block verified during a pull is kept there as it arrives. A pull
    interrupted part way (Ctrl-C after 2 MiB) keeps what it verified; run again, it asks the gateway only for the
    rest."""
    store, version, folder = published
    local = EmbeddedStore(tmp_path / "local")
    roots = (version.artifact_cid, version.manifest_cid)
    all_blocks = {cid for root in roots for cid, _ in walk_blocks([store], from_text(root))}
    received = [0]

    def interrupt_after_2_mib(size: int) -> None:
        received[0] += size
        if received[0] > 2 * 1024 * 1024:
            raise KeyboardInterrupt

    with serve_trustless_gateway(store) as first, pytest.raises(KeyboardInterrupt):
        pull([local, GatewaySource(first.url)], *roots, tmp_path / "out", interrupt_after_2_mib)
    assert not (tmp_path / "out").exists()
    kept = {cid for cid in all_blocks if local.has(cid)}
    assert 3 <= len(kept) < len(all_blocks)  # the manifest, the folders, the first leaves
    with serve_trustless_gateway(store, car=False) as second:
        pull([local, GatewaySource(second.url)], *roots, tmp_path / "out")
    assert second.raw_requested == all_blocks - kept  # nothing verified before is fetched again
    assert (tmp_path / "out" / "model.safetensors").read_bytes() == (folder / "model.safetensors").read_bytes()
    assert all(local.has(cid) for cid in all_blocks)
