"""OpenSSF model signing through the CLI, on anvil, with the upstream `model-signing` library and CLI as the
independent check: a version signed with a local key is proposed (the vote trusts its key), executed, pulled,
verified by deai-gov and by `model_signing verify key`; every tampered copy is refused by both; an upgrade by a
key the DAO does not trust is refused before anything is signed; a bundle made with the upstream tool is accepted
only when it signs every published file; a hostile manifest's signature is one line of the review; a key the DAO
stops trusting makes pulls refuse the versions it signed."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from deai_gov.dao import registry as reg
from deai_gov.dev.devnet import Anvil
from deai_gov.errors import InputError, VerificationError
from deai_gov.signing.bundle import read_bundle, root_digest
from deai_gov.signing.keys import check_statement_signature, fingerprint

from .helpers import carried as carried_by_vote
from .helpers import cli_dao, run_cli

UPSTREAM = Path(sys.executable).parent / "model_signing"
NAME = "acme/signed"


def write_key(path: Path, curve: ec.EllipticCurve | None = None) -> tuple[Path, Path]:
    """A new EC private key at `path` (PEM, unencrypted) and its public key beside it."""
    key = ec.generate_private_key(curve or ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public = path.with_suffix(".pub")
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return path, public


def upstream(*args: str) -> subprocess.CompletedProcess[str]:
    """The upstream CLI, as a user runs it."""
    return subprocess.run([str(UPSTREAM), *args], capture_output=True, text=True, timeout=120)


def upstream_verify(folder: Path, public: Path) -> subprocess.CompletedProcess[str]:
    return upstream("verify", "key", str(folder), "--signature", str(folder / "model.sig"), "--public_key", str(public))


def model_folder(path: Path, weights: bytes = b"weights v1") -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "model.safetensors").write_bytes(weights)
    (path / "config.json").write_text('{"layers": 2}')
    (path / "sub" / "tokenizer.json").write_text('{"vocab": ["a"]}')
    (path / "a.b").write_text("sorts after the folder a/ by path components, before it as plain text")
    (path / "a").mkdir()
    (path / "a" / "z").write_text("z")
    return path


# ------------------------------------------------------------------------------------------ the bundle, offline


def test_a_bundle_from_the_upstream_tool_is_read_its_root_digest_recomputed_and_its_signature_checked(
    tmp_path: Path,
) -> None:
    key, public = write_key(tmp_path / "key.pem")
    folder = model_folder(tmp_path / "m")
    done = upstream("sign", "key", str(folder), "--private_key", str(key), "--signature", str(folder / "model.sig"))
    assert done.returncode == 0, done.stderr
    statement = read_bundle((folder / "model.sig").read_bytes())
    assert set(statement.files) == {"model.safetensors", "config.json", "sub/tokenizer.json", "a.b", "a/z"}
    assert statement.root_digest == root_digest(statement.files)  # and read_bundle recomputed it: the order agrees
    assert statement.key_hint == fingerprint(public.read_bytes())
    assert "model.sig" in statement.ignore_paths and ".git" in statement.ignore_paths  # the upstream defaults
    check_statement_signature(statement, public.read_text())
    _, other = write_key(tmp_path / "other.pem")
    with pytest.raises(VerificationError, match="names key"):
        check_statement_signature(statement, other.read_text())
    forged = statement.__class__(**{**vars(statement), "key_hint": fingerprint(other.read_bytes())})
    with pytest.raises(VerificationError, match="does not verify"):
        check_statement_signature(forged, other.read_text())


def _rewritten(bundle: bytes, change: Any) -> bytes:
    """The bundle with its statement changed by `change` (the signature left as it was)."""
    raw = json.loads(bundle)
    statement = json.loads(base64.b64decode(raw["dsseEnvelope"]["payload"]))
    change(statement)
    raw["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    return json.dumps(raw).encode()


@pytest.mark.parametrize(
    ("hostile", "said"),
    [
        (lambda b: b[:40], "not UTF-8 JSON"),
        (lambda b: b"[" * 100_000, "not UTF-8 JSON"),
        (lambda b: json.dumps({**json.loads(b), "mediaType": "x"}).encode(), "not a Sigstore bundle"),
        (lambda b: _rewritten(b, lambda s: s["predicate"]["resources"][0].update(digest="00" * 32)), "root digest"),
        (lambda b: _rewritten(b, lambda s: s["predicate"]["resources"][0].update(name="../escape")), "'..'"),
        (lambda b: _rewritten(b, lambda s: s["predicate"]["serialization"].update(method="shards")), "hashes the"),
        (lambda b: _rewritten(b, lambda s: s.update(predicateType="https://x")), "not a model signature"),
        (
            lambda b: _rewritten(b, lambda s: s["predicate"]["resources"].append(s["predicate"]["resources"][0])),
            "twice",
        ),
    ],
)
def test_a_hostile_bundle_is_one_line(tmp_path: Path, hostile: Any, said: str) -> None:
    key, _ = write_key(tmp_path / "key.pem")
    folder = model_folder(tmp_path / "m")
    assert upstream("sign", "key", str(folder), "--private_key", str(key), "--signature", str(folder / "model.sig"))
    with pytest.raises(InputError, match=said) as caught:
        read_bundle(hostile((folder / "model.sig").read_bytes()))
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------------------------------ the CLI, on anvil


@pytest.fixture
def signed(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A DAO on anvil with alice's account in this test's home, an embedded store, two signer keys."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    world = cli_dao(anvil.url, anvil.dev_keys(), tmp_path)
    return world | {"key": write_key(tmp_path / "key.pem"), "other": write_key(tmp_path / "other.pem")}


run = run_cli


def cli(s: dict[str, Any], *args: str, sign: bool = False) -> tuple[int, str, str]:
    return run(*s["base"], *(s["signer"] if sign else []), *args)


def carried(s: dict[str, Any], pid: int) -> None:
    carried_by_vote(s["dao"], s["people"], pid)


def test_a_signed_version_is_proposed_executed_pulled_and_verified_by_deai_gov_and_the_upstream_cli(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    s = signed
    key, public = s["key"]
    other_key, other_public = s["other"]
    v1 = model_folder(tmp_path / "v1")

    # proposed: signed now, the bundle written into the folder, the vote trusting the key for the model
    code, out, err = cli(s, "--json", "model", "propose", "register", NAME, str(v1), "--sign-key", str(key), sign=True)
    assert code == 0, err
    key_id = fingerprint(public.read_bytes())
    assert f"signed now into {v1 / 'model.sig'}: key sha256:{key_id}, 5 files" in err
    assert f"the vote also trusts key sha256:{key_id[:16]}… to sign {NAME}" in err
    pid = int(json.loads(out)["proposal_id"])
    statement = read_bundle((v1 / "model.sig").read_bytes())
    assert upstream_verify(v1, public).returncode == 0  # the maintainer's folder, as signed

    code, out, _ = cli(s, "proposal", "show", str(pid))
    assert code == 0, out
    assert f"trust key sha256:{key_id} to sign {NAME}'s versions (OpenSSF model signing)" in out
    assert f"Signed with OpenSSF model signing (model.sig): key sha256:{key_id}, root digest sha256:" in out
    assert (
        f"    signed by key sha256:{key_id[:16]}… (trusted for {NAME} by this proposal): the signature covers every "
        f"file, root digest {statement.root_digest[:16]}…" in out
    )
    carried(s, pid)
    assert reg.trusted_signers(s["dao"], NAME) == [key_id]

    # pulled and verified: by deai-gov, then by the upstream CLI with the key deai-gov writes out
    pulled = tmp_path / "pulled"
    code, out, err = cli(s, "--json", "model", "pull", NAME, "--to", str(pulled))
    assert code == 0, err
    shown = json.loads(out)["signature"]
    assert shown == {
        "key_fingerprint": key_id, "root_digest": statement.root_digest, "trusted": True, "trusted_by": "the DAO",
        "checked": True, "verified": True, "problem": None,
    }  # fmt: skip
    code, out, _ = cli(s, "model", "verify", NAME)
    assert code == 0 and f"signed by key sha256:{key_id[:16]}… (trusted for {NAME} by the DAO)" in out
    written = tmp_path / "signer.pub"
    code, out, _ = cli(s, "model", "signature", NAME, "--public-key-out", str(written))
    assert code == 0 and f"keys the DAO trusts to sign {NAME}: sha256:{key_id}" in out
    assert written.read_bytes() == public.read_bytes()
    done = upstream_verify(pulled, written)
    assert done.returncode == 0 and "Verification succeeded" in done.stdout, done.stdout + done.stderr
    code, out, _ = cli(s, "model", "card", NAME)
    assert code == 0 and f"| Signed by | key `sha256:{key_id}` (trusted for the model by the DAO; OpenSSF model " in out
    assert f"root digest `{statement.root_digest}`): the signature holds |" in out

    # every tampered copy is refused, by deai-gov and by the upstream CLI
    def tampered(label: str, change: Any) -> Path:
        copy = tmp_path / f"tampered-{label}"
        shutil.copytree(pulled, copy)
        change(copy)
        return copy

    resigned = tampered("resigned", lambda c: (c / "model.sig").unlink())
    assert upstream("sign", "key", str(resigned), "--private_key", str(other_key), "--signature",
                    str(resigned / "model.sig")).returncode == 0  # fmt: skip
    copies = {
        "changed": tampered("changed", lambda c: (c / "config.json").write_text('{"layers": 3}')),
        "missing": tampered("missing", lambda c: (c / "sub" / "tokenizer.json").unlink()),
        "added": tampered("added", lambda c: (c / "extra.bin").write_bytes(b"x")),
        "resigned": resigned,
    }
    for label, copy in copies.items():
        code, _, err = cli(s, "model", "verify", NAME, "--local", str(copy))
        assert code != 0 and "is not acme/signed v1" in err and err.count("\n") <= 2, (label, err)
        assert upstream_verify(copy, written).returncode != 0, label

    # an upgrade signed by a key the DAO does not trust: refused before anything is signed or published
    v2 = model_folder(tmp_path / "v2", b"weights v2")
    code, _, err = cli(s, "model", "propose", "upgrade", NAME, str(v2), "--sign-key", str(other_key), sign=True)
    assert code != 0 and "which the DAO does not trust to sign acme/signed" in err and "--trust-signer" in err
    assert not (v2 / "model.sig").exists()
    code, out, err = cli(s, "--json", "model", "propose", "upgrade", NAME, str(v2), "--sign-key", str(other_key),
                         "--trust-signer", sign=True)  # fmt: skip
    assert code == 0, err
    other_id = fingerprint(other_public.read_bytes())
    code, out, _ = cli(s, "proposal", "show", str(json.loads(out)["proposal_id"]))
    assert f"(trusted for {NAME} by this proposal)" in out and f"trust key sha256:{other_id}" in out

    # the DAO stops trusting the first key: pulls of what it signed are refused, unless allowed explicitly
    code, out, err = cli(s, "--json", "proposal", "create", "--title", "Distrust the old key", "--signer", "distrust",
                         NAME, str(public), sign=True)  # fmt: skip
    assert code == 0, err
    carried(s, int(json.loads(out)["proposal_id"]))
    code, _, err = cli(s, "model", "pull", NAME, "--to", str(tmp_path / "again"))
    assert code != 0 and "which the DAO does not (or no longer) trust for it" in err
    assert not (tmp_path / "again").exists()
    code, _, err = cli(s, "model", "pull", NAME, "--to", str(tmp_path / "again"), "--allow-untrusted-signer")
    assert code == 0 and "NOT trusted for acme/signed by the DAO" in err


def test_a_bundle_made_with_the_upstream_tool_must_sign_every_published_file(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    s = signed
    key, public = s["key"]
    folder = model_folder(tmp_path / "m")
    (folder / ".gitattributes").write_text("*.safetensors filter=lfs")
    done = upstream("sign", "key", str(folder), "--private_key", str(key), "--signature", str(folder / "model.sig"))
    assert done.returncode == 0
    # the upstream default leaves .gitattributes unsigned: deai-gov refuses to publish it unsigned
    propose = ["model", "propose", "register", NAME, str(folder), "--signer-public-key", str(public)]
    code, _, err = cli(s, *propose, "--include-hidden", sign=True)
    assert code != 0 and "model.sig does not sign '.gitattributes'" in err
    # left out of the publish (hidden files are, by default), the rest is signed whole: accepted
    code, _, err = cli(s, "--json", *propose, sign=True)
    assert code == 0 and "its model.sig verified" in err, err
    # a model.sig nobody can check is refused; a folder changed after signing is refused
    code, _, err = cli(s, "model", "publish", NAME, str(folder), sign=True)
    assert code != 0 and "give its signer's public key (--signer-public-key PUB.pem)" in err
    (folder / "config.json").write_text("{}")
    code, _, err = cli(s, "model", "publish", NAME, str(folder), "--signer-public-key", str(public), sign=True)
    assert code != 0 and "model.sig does not verify: 'config.json' changed since it was signed" in err


def test_a_hostile_manifest_signature_is_one_line_of_the_review(signed: dict[str, Any], tmp_path: Path) -> None:
    """A proposal sent without the CLI, whose manifest records key A while the bundle is A's signature over other
    files, or B's signature: the review says the signature does not hold, and the rest of the review stands."""
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor, SignatureRecord
    from deai_gov.ipfs.stores import EmbeddedStore

    from .helpers import propose

    s = signed
    key, public = s["key"]
    other_key, _ = s["other"]
    dao, people = s["dao"], s["people"]
    store = EmbeddedStore(tmp_path / "store")
    cases = {
        "other-files": (key, lambda f: (f / "config.json").write_text("{}"), "is not the file model.sig signs"),
        "other-key": (other_key, lambda f: None, "names key"),
    }
    for label, (signing_key, after, said) in cases.items():
        folder = model_folder(tmp_path / label)
        assert upstream("sign", "key", str(folder), "--private_key", str(signing_key), "--signature",
                        str(folder / "model.sig")).returncode == 0  # fmt: skip
        after(folder)
        statement = read_bundle((folder / "model.sig").read_bytes())
        record = SignatureRecord(
            "model.sig", fingerprint(public.read_bytes()), public.read_text(), statement.root_digest
        )
        name = f"acme/{label}"
        published = publish(
            folder, store, name=name, version=1, contributors=[Contributor(people.bob.address, 10_000)],
            signature=record,
        )  # fmt: skip
        action = reg.register_action(dao, name, published.artifact_cid, published.manifest_cid, people.bob.address)
        pid, _ = propose(dao, people.alice, [action], f"# Register {name}")
        code, out, _ = cli(s, "proposal", "show", str(pid))
        assert code == 0 and f"Register {name}" in out
        assert f"artifact of {name} v1: its signature does not hold: " in out and said in out, out
        assert "    signature REFUSED: " in out
    store.close()
