"""The Hugging Face Hub as a source, offline: a Hub cache laid out in the test as huggingface_hub lays it out
(`models--ORG--NAME/{refs, snapshots/<commit>/… links, blobs/}`), read with `HF_HUB_OFFLINE=1`. A snapshot is
proposed by branch and its manifest names the commit; the model card's base model, registered in the DAO, is its
lineage; a cache whose link leads outside its blobs, or a revision it does not hold, is one line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from deai_gov.dev.devnet import Anvil

from .helpers import cli_dao, fake_cid, pass_proposal, run_cli

COMMIT = "a3" * 20
CARD = "---\nlicense: apache-2.0\nbase_model: acme/base\n---\n# tiny\n"


def hub_cache(root: Path, repo: str, files: dict[str, bytes], commit: str = COMMIT, branch: str = "main") -> Path:
    """A Hub cache holding `repo` at `commit` (branch `branch` pointing at it): snapshot files are relative links to
    blobs named by their SHA-256, as huggingface_hub stores LFS files."""
    folder = root / f"models--{repo.replace('/', '--')}"
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / branch).write_text(commit)  # no newline: huggingface_hub reads it as is
    (folder / "blobs").mkdir(exist_ok=True)
    for path, data in files.items():
        blob = folder / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = folder / "snapshots" / commit / path
        link.parent.mkdir(parents=True, exist_ok=True)
        depth = len(Path(path).parts) + 1
        link.symlink_to(Path(*([".."] * depth)) / "blobs" / blob.name)
    return folder


run = run_cli


@pytest.fixture
def hub(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from deai_gov.dao import registry as reg

    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    world = cli_dao(anvil.url, anvil.dev_keys(), tmp_path)
    dao, people = world["dao"], world["people"]
    base = reg.register_action(dao, "acme/base", fake_cid("b1"), fake_cid("b1m"), people.bob.address)
    pass_proposal(dao, people, [base], "Register acme/base")
    return {"cli": world["base"] + world["signer"], "root": tmp_path / "hub", "store": tmp_path / "store"}


def test_a_hub_snapshot_is_proposed_at_a_commit_with_its_lineage(hub: dict[str, Any]) -> None:
    files = {"README.md": CARD.encode(), "config.json": b'{"layers": 2}', "weights/model.safetensors": b"\0" * 64}
    hub_cache(hub["root"], "Acme-Org/tiny", files)
    code, out, err = run(*hub["cli"], "--json", "model", "propose", "register", "acme/tiny", "--from",
                         "hf://Acme-Org/tiny@main")  # fmt: skip
    assert code == 0, err
    assert f"hf://Acme-Org/tiny@main: Acme-Org/tiny at commit {COMMIT}, 3 files (Hugging Face Hub)" in err
    assert "base model acme/base: in this DAO as acme/base v1, manifest " in err
    from deai_gov.ipfs.blockcid import from_text
    from deai_gov.ipfs.content import fetch_manifest
    from deai_gov.ipfs.stores import EmbeddedStore

    code, shown, _ = run(*hub["cli"][:6], "--json", "proposal", "show", str(json.loads(out)["proposal_id"]))
    [artifact] = json.loads(shown)["artifacts"]
    assert artifact["ok"] and artifact["source"]["commit"] == COMMIT, artifact
    _, text, _ = run(*hub["cli"][:6], "proposal", "show", str(json.loads(out)["proposal_id"]))
    assert (
        f"    from the Hugging Face Hub: Acme-Org/tiny at commit {COMMIT} (main); base model acme/base, in this DAO "
        in text
    )
    store = EmbeddedStore(hub["store"])
    manifest = fetch_manifest([store], from_text(artifact["manifest"]))
    store.close()
    assert {f.path for f in manifest.files} == set(files) and manifest.license == "apache-2.0"
    assert manifest.source["kind"] == "huggingface" and manifest.source["repo"] == "Acme-Org/tiny"
    assert (manifest.source["revision"], manifest.source["commit"]) == ("main", COMMIT)
    assert manifest.source["base_model"] == "acme/base"
    assert manifest.source["base_model_in_dao"].startswith("acme/base v1, manifest ")


@pytest.mark.parametrize(
    ("prepare", "uri", "code", "said"),
    [
        (lambda root: hub_cache(root, "acme/tiny", {"a.bin": b"a"}), "hf://acme/tiny@v9", 7, "is not in the Hub cache"),
        (lambda root: None, "hf://acme/absent", 7, "is not in the Hub cache"),
        (lambda root: None, "hf://not a repo", 3, "is not a Hub model"),
        (lambda root: (hub_cache(root, "acme/tiny", {"a.bin": b"a"}) / "snapshots" / COMMIT / "evil").symlink_to(
            "/etc/hostname"), "hf://acme/tiny", 3, "outside the repository's blobs"),
    ],
)  # fmt: skip
def test_a_bad_or_hostile_hub_source_is_one_line_and_nothing_is_proposed(
    hub: dict[str, Any], prepare: Any, uri: str, code: int, said: str
) -> None:
    hub["root"].mkdir(exist_ok=True)
    prepare(hub["root"])
    got, out, err = run(*hub["cli"], "model", "propose", "register", "acme/tiny", "--from", uri)
    assert got == code and said in err and err.strip().count("\n") == 0 and out == "", err
