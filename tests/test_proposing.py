"""Drafting a lifecycle proposal (`deai_gov.workflows.proposing`): the version's CIDs (given, computed in a dry run, or
published), the full description on IPFS, the on-chain description, and proposals already submitted."""

from __future__ import annotations

import hashlib
import random
import tempfile
from pathlib import Path

import pytest
from multiformats import CID, multihash

from deai_gov.chain.client import send
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import token
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import advance_time
from deai_gov.errors import DuplicateProposalError, InputError
from deai_gov.ipfs.blockcid import from_text, to_text
from deai_gov.ipfs.content import fetch_manifest, file_bytes
from deai_gov.ipfs.importer import import_bytes
from deai_gov.ipfs.stores import EmbeddedStore
from deai_gov.workflows.proposing import (
    VersionContent,
    check_content_request,
    draft_proposal,
    existing_proposal_state,
    given_version,
    publish_description,
    publish_version,
)

from .helpers import VOTING_DELAY, VOTING_PERIOD, People, fake_cid

CONTRIBUTOR = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
VERSION = {"name": "acme/vision", "version": 2, "parent": 1, "contributors": [(CONTRIBUTOR, 10_000)]}


def cids(found: VersionContent) -> tuple[str, str]:
    return found.artifact_cid, found.manifest_cid


def raw_cid(data: bytes) -> str:
    """CIDv1 (base32) of one raw block: what a file of at most one chunk is."""
    return str(CID("base32", 1, "raw", multihash.wrap(hashlib.sha256(data).digest(), "sha2-256")))


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A small model folder: a config file (one block) and weights of several 256 KiB chunks."""
    folder = tmp_path / "acme-vision"
    folder.mkdir()
    (folder / "config.json").write_text('{"layers": 4}\n')
    (folder / "weights.bin").write_bytes(random.Random(7).randbytes(600_000))
    return folder


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where temporary folders go during the test: empty afterwards if nothing was left behind."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# ------------------------------------------------------------------ the version's content: checked, given, published


def test_refuses_neither_path_nor_cids() -> None:
    with pytest.raises(InputError, match="give the model's PATH to publish, or both"):
        check_content_request(None, None, None, None)


@pytest.mark.parametrize("given", [{"artifact_cid": fake_cid("a")}, {"manifest_cid": fake_cid("m")}])
def test_refuses_one_cid_alone(given: dict[str, str]) -> None:
    with pytest.raises(InputError, match="both --artifact CID and --manifest CID"):
        check_content_request(None, None, given.get("artifact_cid"), given.get("manifest_cid"))


@pytest.mark.parametrize(
    "given",
    [
        {"artifact_cid": fake_cid("a"), "manifest_cid": fake_cid("m")},
        {"artifact_cid": fake_cid("a")},
        {"manifest_cid": fake_cid("m")},
    ],
)
def test_refuses_path_and_cids(model: Path, given: dict[str, str]) -> None:
    with pytest.raises(InputError, match="either PATH or --artifact/--manifest, not both"):
        check_content_request(None, model, given.get("artifact_cid"), given.get("manifest_cid"))


def test_refuses_no_copy_with_cids() -> None:
    with pytest.raises(InputError, match="--no-copy"):
        check_content_request(None, None, fake_cid("a"), fake_cid("m"), copy=False)


def test_refuses_a_cid_that_is_not_one() -> None:
    with pytest.raises(InputError, match="not a valid CID"):
        given_version("bafynot", fake_cid("m"))


def test_given_cids_are_normalized() -> None:
    digest = hashlib.sha256(b"artifact root").digest()
    v0 = str(CID("base58btc", 0, "dag-pb", multihash.wrap(digest, "sha2-256")))
    assert v0.startswith("Qm")
    manifest = fake_cid("manifest")  # base32 CIDv1, raw
    manifest_b58 = str(CID.decode(manifest).set(base="base58btc"))
    assert manifest_b58.startswith("z")
    found = given_version(v0, manifest_b58)
    assert found.artifact_cid == str(CID("base32", 1, "dag-pb", multihash.wrap(digest, "sha2-256")))
    assert found.manifest_cid == manifest
    assert found.where == "given CIDs"


def test_dry_run_computes_what_publishing_stores(model: Path, tmp_path: Path, scratch: Path) -> None:
    during: list[int] = []
    dry = publish_version(None, model, **VERSION, progress=lambda _: during.append(len(list(scratch.iterdir()))))
    assert during and set(during) == {1}  # a scratch store while computing...
    assert list(scratch.iterdir()) == []  # ...gone afterwards
    store = EmbeddedStore(tmp_path / "store")
    published = publish_version(store, model, **VERSION)
    assert (dry.artifact_cid, dry.manifest_cid) == (published.artifact_cid, published.manifest_cid)
    assert "dry run" in dry.where
    assert published.where == f"published to the {store.name}"
    assert store.has(from_text(published.artifact_cid)) and store.has(from_text(published.manifest_cid))
    # what the manifest says, checked against the files themselves
    manifest = fetch_manifest([store], from_text(published.manifest_cid))
    assert (manifest.name, manifest.version, manifest.parent_version) == ("acme/vision", 2, 1)
    assert manifest.artifact_root == published.artifact_cid
    assert [(c.address, c.share_bps) for c in manifest.contributors] == [(CONTRIBUTOR, 10_000)]
    on_disk = {p.name: p.read_bytes() for p in model.iterdir()}
    assert {f.path: (f.size, f.sha256) for f in manifest.files} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in on_disk.items()
    }
    config = next(f for f in manifest.files if f.path == "config.json")
    assert config.cid == raw_cid(on_disk["config.json"])
    store.close()


def test_dry_run_stores_nothing_in_a_store(model: Path, tmp_path: Path, scratch: Path) -> None:
    """A dry run takes no store: a store made beforehand stays empty, and no scratch folder is left."""
    store = EmbeddedStore(tmp_path / "store")
    dry = publish_version(None, model, **VERSION)
    assert not store.has(from_text(dry.artifact_cid))
    assert not store.has(from_text(dry.manifest_cid))
    assert not (tmp_path / "store").exists()
    assert list(scratch.iterdir()) == []


def test_dry_run_without_a_copy_computes_the_same(model: Path, scratch: Path) -> None:
    assert cids(publish_version(None, model, **VERSION, copy=False)) == cids(publish_version(None, model, **VERSION))
    assert list(scratch.iterdir()) == []


def test_publishing_without_a_copy_says_so(model: Path, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    found = publish_version(store, model, **VERSION, copy=False)
    assert "without a copy" in found.where and str(model) in found.where
    assert cids(found) == cids(publish_version(None, model, **VERSION))
    store.close()


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        publish_version(None, tmp_path / "nothing", **VERSION)


# ------------------------------------------------------------------ publish_description


@pytest.mark.parametrize("size", [0, 1_000, 700_000])
def test_description_cid(tmp_path: Path, scratch: Path, size: int) -> None:
    data = ("# Register acme/vision v2 ✓\n" + "benchmarks " * size)[:size].encode()
    path = tmp_path / "description.md"
    path.write_bytes(data)
    expected = to_text(import_bytes(data, lambda cid, block: None).cid)
    assert publish_description(None, path) == expected
    assert list(scratch.iterdir()) == []
    store = EmbeddedStore(tmp_path / "store")
    assert publish_description(store, path) == expected
    assert file_bytes([store], from_text(expected)) == data
    store.close()


def test_description_cid_of_a_small_file_is_its_raw_block(tmp_path: Path) -> None:
    data = b"# Retire acme/old\n\nreplaced by acme/vision\n"
    path = tmp_path / "description.md"
    path.write_bytes(data)
    assert publish_description(None, path) == raw_cid(data)


def test_description_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        publish_description(None, tmp_path / "missing.md")
    with pytest.raises(InputError, match="cannot read"):
        publish_description(None, tmp_path)


# ------------------------------------------------------------------ draft_proposal, existing_proposal_state


def test_draft_description_shape(dao: Dao, people: People) -> None:
    cid = fake_cid("full description")
    actions = [token.reward_action(dao, people.bob.address, 1)]
    proposal = draft_proposal(dao, people.alice.address, actions, "Register acme/vision v2", "Body line.", cid)
    assert proposal.description == (
        f"# Register acme/vision v2\n\nBody line.\n\nFull description: ipfs://{cid}\n\n#proposer={people.alice.address}"
    )
    assert proposal.title == "Register acme/vision v2"
    assert proposal.body == f"Body line.\n\nFull description: ipfs://{cid}"
    assert proposal.actions == tuple(actions)


def test_draft_description_without_body_or_link(dao: Dao, people: People) -> None:
    actions = [token.reward_action(dao, people.bob.address, 2)]
    bare = draft_proposal(dao, people.alice.address, actions, "Reward bob")
    assert bare.description == f"# Reward bob\n\n#proposer={people.alice.address}"
    assert bare.body == ""
    cid = fake_cid("only a link")
    linked = draft_proposal(dao, people.alice.address, actions, "Reward bob", full_description_cid=cid)
    assert linked.description == f"# Reward bob\n\nFull description: ipfs://{cid}\n\n#proposer={people.alice.address}"


def test_draft_refuses_no_actions(dao: Dao, people: People) -> None:
    with pytest.raises(InputError, match="at least one action"):
        draft_proposal(dao, people.alice.address, [], "Nothing")


def test_draft_after_the_same_proposal_was_sent(dao: Dao, people: People) -> None:
    actions = [token.reward_action(dao, people.bob.address, 3)]
    proposal = draft_proposal(dao, people.alice.address, actions, "Reward bob 3", "once")
    pid = send(dao.chain, people.alice, gov.propose(dao, proposal)).outcome
    assert pid == dao.read("governor", "latestProposalId")
    with pytest.raises(DuplicateProposalError) as raised:
        draft_proposal(dao, people.alice.address, actions, "Reward bob 3", "once")
    assert raised.value.proposal_id == pid
    assert isinstance(raised.value, InputError)
    # the same words from another proposer are another proposal (another suffix)
    other = draft_proposal(dao, people.bob.address, actions, "Reward bob 3", "once")
    assert other.description.endswith(f"#proposer={people.bob.address}")
    # and a different body is not a duplicate either
    assert draft_proposal(dao, people.alice.address, actions, "Reward bob 3", "twice").body == "twice"


def sent(dao: Dao, people: People, amount: int) -> int:
    actions = [token.reward_action(dao, people.bob.address, amount)]
    proposal = draft_proposal(dao, people.alice.address, actions, f"Reward bob {amount}")
    return int(send(dao.chain, people.alice, gov.propose(dao, proposal)).outcome)


def test_existing_proposal_state_of_a_live_proposal(dao: Dao, people: People) -> None:
    pid = sent(dao, people, 10)
    assert existing_proposal_state(dao, pid) == ProposalState.PENDING
    advance_time(dao.chain, VOTING_DELAY + 1)
    assert existing_proposal_state(dao, pid) == ProposalState.ACTIVE


def test_existing_proposal_state_refuses_a_canceled_one(dao: Dao, people: People) -> None:
    pid = sent(dao, people, 11)
    send(dao.chain, people.alice, gov.cancel(dao, pid))
    with pytest.raises(InputError, match=f"an identical proposal {pid} was canceled") as refused:
        existing_proposal_state(dao, pid)
    assert refused.value.hint == "change --title to propose it again"


def test_existing_proposal_state_refuses_a_defeated_one(dao: Dao, people: People) -> None:
    pid = sent(dao, people, 12)
    advance_time(dao.chain, VOTING_DELAY + VOTING_PERIOD + 2)
    with pytest.raises(InputError, match=f"an identical proposal {pid} was defeated"):
        existing_proposal_state(dao, pid)


def test_existing_proposal_state_of_an_unknown_proposal(dao: Dao) -> None:
    with pytest.raises(InputError, match="does not exist"):
        existing_proposal_state(dao, 10**6)
