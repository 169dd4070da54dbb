"""The command line against a real anvil node and an embedded store: outputs, files written, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deai_gov.chain.client import connect, send
from deai_gov.cli import main
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, free_port
from deai_gov.ipfs.content import publish
from deai_gov.ipfs.manifest import Contributor
from deai_gov.ipfs.stores import EmbeddedStore

from .helpers import deploy_recorded, onchain, pass_proposal, people_from, propose

NAME = "acme/cli-model"


@dataclass
class Deployed:
    rpc_url: str
    record: Path
    store: Path
    folder: Path
    proposal_id: int

    def args(self, *more: str) -> list[str]:
        return ["--rpc-url", self.rpc_url, "--deployment", str(self.record), "--store", str(self.store), *more]


@pytest.fixture(scope="module")
def deployed(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    from deai_gov.dev.devnet import advance_time

    tmp = tmp_path_factory.mktemp("cli")
    chain = connect(anvil.url)
    people = people_from(anvil.dev_keys())
    record = tmp / "deployment.json"
    dao = deploy_recorded(chain, people, record)
    send(dao.chain, people.alice, token.delegate(dao, people.alice.address))
    send(dao.chain, people.carol, token.delegate(dao, people.alice.address))
    advance_time(chain, 1)
    folder = tmp / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# cli model\n")
    (folder / "weights.safetensors").write_bytes(os.urandom(300_000))
    store = tmp / "store"
    result = publish(
        folder, EmbeddedStore(store), name=NAME, version=1, contributors=[Contributor(people.bob.address, 10_000)]
    )
    action = reg.register_action(dao, NAME, result.artifact_cid, result.manifest_cid, people.bob.address)
    pid = pass_proposal(dao, people, [action], "Register acme/cli-model v1")
    return Deployed(anvil.url, record, store, folder, pid)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_model_list_show_versions(deployed: Deployed) -> None:
    code, out, _ = run(*deployed.args("model", "list", "--json"))
    assert code == 0
    [listed] = json.loads(out)
    expected = {"name": NAME, "status": "active", "retired": False, "suspended": False}
    assert listed == expected | {"id": listed["id"], "current_version": 1, "latest_version": 1}
    assert listed["id"].startswith("0x") and len(listed["id"]) == 66
    code, out, _ = run(*deployed.args("--json", "model", "show", NAME))
    shown = json.loads(out)
    assert code == 0 and shown["versions"][0]["status"] == "current" and shown["versions"][0]["parent"] == 0
    assert {key: shown[key] for key in listed} == listed  # a model is the same object in a list and alone
    code, out, _ = run(*deployed.args("model", "versions", NAME))
    assert code == 0 and "current" in out


def test_model_pull_and_verify(deployed: Deployed, tmp_path: Path) -> None:
    target = tmp_path / "pulled"
    code, out, err = run(*deployed.args("--json", "model", "pull", f"{NAME}@1", "--to", str(target)))
    assert code == 0, err
    report = json.loads(out)
    assert report["version"] == 1 and report["path"] == str(target)
    assert report["bytes"] > 300_000 and report["blocks"] >= 2 and report["seconds"] > 0 and report["streams"] == []
    weights = deployed.folder / "weights.safetensors"
    assert (target / "weights.safetensors").read_bytes() == weights.read_bytes()
    code, out, _ = run(*deployed.args("model", "verify", NAME))
    assert code == 0 and "matches the registry" in out and "weights.safetensors" in out


def test_model_verify_local_recomputes_with_the_manifests_profile(deployed: Deployed, tmp_path: Path) -> None:
    """The maintainer's own folder is exactly the registered version; a copy with one byte changed, or an extra
    file, is not: exit 6 (verification failed), and each difference named."""
    import shutil

    code, out, err = run(*deployed.args("model", "verify", NAME, "--local", str(deployed.folder)))
    assert code == 0 and f"is exactly {NAME} v1" in out and "unixfs-v1-2025" in out, err
    copy = tmp_path / "copy"
    shutil.copytree(deployed.folder, copy)
    weights = copy / "weights.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"!")
    (copy / "notes.txt").write_text("local notes\n")
    code, out, err = run(*deployed.args("--json", "model", "verify", f"{NAME}@1", "--local", str(copy)))
    report = json.loads(out)
    assert code == 6 and not report["matches"] and report["profile"] == "unixfs-v1-2025"
    assert report["differences"] == ["weights.safetensors: differs from the manifest", "notes.txt: not in the manifest"]
    assert f"is not {NAME} v1" in err and len(err.strip().splitlines()) == 1


def test_model_export_then_import_into_another_store(deployed: Deployed, tmp_path: Path) -> None:
    """A version leaves as one CAR file and arrives in a store that never saw it; from there it verifies against
    the registry."""
    car = tmp_path / "v1.car"
    code, out, err = run(*deployed.args("--json", "model", "export", f"{NAME}@1", str(car)))
    exported = json.loads(out)
    assert (
        code == 0 and exported["path"] == str(car) and exported["version"]["files"] == 2 and car.stat().st_size > 0
    ), err
    chain_args = ["--rpc-url", deployed.rpc_url, "--deployment", str(deployed.record)]
    other = tmp_path / "air-gapped"
    code, out, err = run(*chain_args, "--store", str(other), "--json", "model", "import", str(car))
    imported = json.loads(out)
    assert code == 0 and imported["version"] == {"name": NAME, "version": 1, "files": 2}, err
    assert imported["blocks"] == exported["blocks"] and imported["roots"] == exported["roots"]
    code, out, err = run(*chain_args, "--store", str(other), "model", "verify", NAME)
    assert code == 0 and "matches the registry" in out, err
    code, _, err = run(*deployed.args("model", "export", NAME, str(car)))
    assert code == 3 and "already exists" in err


def test_model_pin_pins_and_unpin_at_a_pinning_service(
    deployed: Deployed, pinning_service_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version's artifact and manifest pinned at a service named in config.toml (the token from the environment
    variable it names, never printed), listed, then removed; asking again does not duplicate the requests."""
    from .conftest import PINNING_TOKEN

    home = tmp_path / "config"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[pinning.mock]\nendpoint = "{pinning_service_url}"\ntoken_env = "DEAI_GOV_TEST_PIN_TOKEN"\n'
    )
    monkeypatch.setenv("DEAI_GOV_HOME", str(home))
    code, _, err = run(*deployed.args("model", "pin", NAME, "--service", "mock", "--no-wait"))
    assert code == 3 and "DEAI_GOV_TEST_PIN_TOKEN is not set" in err
    monkeypatch.setenv("DEAI_GOV_TEST_PIN_TOKEN", PINNING_TOKEN)
    for _ in range(2):
        code, out, err = run(*deployed.args("--json", "model", "pin", NAME, "--service", "mock", "--no-wait"))
        pinned = json.loads(out)
        assert code == 0 and [p["status"] for p in pinned["pins"]] == ["queued", "queued"], err
        assert [p["name"] for p in pinned["pins"]] == [f"{NAME}@1 artifact", f"{NAME}@1 manifest"]
        assert PINNING_TOKEN not in out + err
    code, out, _ = run(*deployed.args("--json", "model", "pins", NAME, "--service", "mock"))
    assert code == 0 and sorted(p["name"] for p in json.loads(out)) == [f"{NAME}@1 artifact", f"{NAME}@1 manifest"]
    code, out, _ = run(*deployed.args("model", "unpin", NAME, "--service", "mock"))
    assert code == 0 and "removed 2 pin request(s)" in out
    code, out, _ = run(*deployed.args("--json", "model", "pins", NAME, "--service", "mock"))
    assert code == 0 and json.loads(out) == []
    code, _, err = run(*deployed.args("model", "pins", "--service", "nope"))
    assert code == 3 and "unknown pinning service 'nope' (known: mock" in err


def test_dao_info_and_proposals(deployed: Deployed) -> None:
    code, out, _ = run(*deployed.args("--json", "dao", "info"))
    info = json.loads(out)
    assert code == 0 and info["models"] == 1 and info["proposals"] == deployed.proposal_id
    code, out, _ = run(*deployed.args("--json", "proposal", "list", "--state", "executed"))
    assert code == 0 and [p["id"] for p in json.loads(out)] == [deployed.proposal_id]
    code, out, _ = run(*deployed.args("proposal", "show", str(deployed.proposal_id)))
    assert code == 0 and f"register {NAME} v1" in out and "(executed)" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["model", "show", "Acme/Bad"], 3, "not a valid model name"),
        (["model", "show", "acme/unknown"], 3, "no model named 'acme/unknown' is registered"),
        (["model", "pull", "acme/cli-model@0"], 3, "'0' is not a version number"),
        (["model", "pull", "acme/cli-model@9"], 3, "has no version 9"),
        (["proposal", "show", "77"], 3, "proposal 77 does not exist"),
        (["proposal", "show", "x"], 2, "'x' is not a valid integer"),
    ],
)
def test_bad_input_is_one_line_and_a_code(deployed: Deployed, args: list[str], code: int, message: str) -> None:
    exit_code, _, err = run(*deployed.args(*args))
    assert exit_code == code
    assert message in err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: " if code != 2 else "Error: ") and message in last
    if code != 2:  # click's own usage errors also print the usage line
        assert len(err.strip().splitlines()) == 1


def test_missing_deployment_and_rpc_down(deployed: Deployed, tmp_path: Path) -> None:
    code, _, err = run("--rpc-url", deployed.rpc_url, "--deployment", str(tmp_path / "none.json"), "model", "list")
    assert code == 3 and "no deployment record at" in err
    down = f"http://127.0.0.1:{free_port()}"
    code, _, err = run("--rpc-url", down, "--deployment", str(deployed.record), "model", "list")
    assert code == 4 and "cannot reach the RPC node" in err
    code, _, err = run("--network", "nowhere", "model", "list")
    assert code == 3 and "unknown network 'nowhere'" in err
    other_chain = json.loads(deployed.record.read_text()) | {"chain_id": 1}
    (tmp_path / "mainnet.json").write_text(json.dumps(other_chain))
    code, _, err = run("--rpc-url", deployed.rpc_url, "--deployment", str(tmp_path / "mainnet.json"), "model", "list")
    assert code == 3 and "the deployment record is for chain id 1, but the node is chain id 31337" in err


def test_tampered_store_is_refused_with_code_6(deployed: Deployed, tmp_path: Path) -> None:
    from deai_gov.ipfs.blockcid import from_text
    from deai_gov.ipfs.stores import walk_blocks

    copy = tmp_path / "store"
    subprocess.run(["cp", "-r", str(deployed.store), str(copy)], check=True)
    store = EmbeddedStore(copy)
    chain = connect(deployed.rpc_url)
    from deai_gov.dao.deploy import Deployment

    version = reg.get_version(Dao.attach(chain, Deployment.load(deployed.record)), NAME)
    leaves = [cid for cid, data in walk_blocks([store], from_text(version.artifact_cid)) if len(data) > 1000]
    pack, offset, _ = store.locate(leaves[0]) or (Path(), 0, 0)
    with pack.open("r+b") as f:
        f.seek(offset + 10)
        byte = f.read(1)
        f.seek(offset + 10)
        f.write(bytes([byte[0] ^ 1]))
    args = ["--rpc-url", deployed.rpc_url, "--deployment", str(deployed.record), "--store", str(copy)]
    code, _, err = run(*args, "model", "pull", NAME, "--to", str(tmp_path / "out"))
    assert code == 6 and "do not match block" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["model", "pull", NAME], ["model", "verify", f"{NAME}@1"]])
def test_a_version_on_no_source_asked_says_where_to_look(
    deployed: Deployed, tmp_path: Path, command: list[str]
) -> None:
    empty = tmp_path / "empty-store"
    args = ["--rpc-url", deployed.rpc_url, "--deployment", str(deployed.record), "--store", str(empty)]
    code, _, err = run(*args, *command, *(["--to", str(tmp_path / "out")] if command[1] == "pull" else []))
    assert code == 7 and err.startswith(f"error: {NAME} v1 is not on any IPFS source asked here: block ")
    assert "is not in the embedded store" in err and "--ipfs-api URL, --gateway URL" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_model_show_fits_100_columns_and_names_each_versions_cids(deployed: Deployed) -> None:
    code, out, err = run(*deployed.args("model", "show", NAME))
    assert code == 0, err
    lines = out.splitlines()  # unwrapped: off a terminal nothing is wrapped, so the lines are as printed
    assert lines[0] == f"{NAME}  active, current v1" and max(len(line) for line in lines) <= 100
    assert lines[1].startswith("v1  current, first version, 20") and " UTC, by 0x" in lines[1]
    assert lines[2].startswith("    artifact bafy") and lines[3].startswith("    manifest bafk")


def test_model_diff_lists_what_changed_between_two_versions_from_their_manifests(
    deployed: Deployed, anvil: Anvil, tmp_path: Path
) -> None:
    """`model diff NAME 1 2`: a file added, one removed, one changed, one moved with the same bytes, one the same,
    the license and the contributors' shares changed; read from the manifests (no artifact is fetched)."""
    chain = connect(deployed.rpc_url)
    from deai_gov.dao.deploy import Deployment

    dao = Dao.attach(chain, Deployment.load(deployed.record))
    people = people_from(anvil.dev_keys())
    name, store = "acme/diffed", EmbeddedStore(deployed.store)
    one, two = tmp_path / "v1", tmp_path / "v2"
    for folder, files in (
        (one, {"README.md": "---\nlicense: mit\n---\n", "w.bin": "a" * 1000, "old.txt": "bye", "cfg.json": "{}"}),
        (two, {"README.md": "---\nlicense: apache-2.0\n---\n", "w.bin": "b" * 1500, "conf/cfg.json": "{}",
               "tok.json": "[]"}),
    ):  # fmt: skip
        for relative, text in files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text)
    alone = [Contributor(people.bob.address, 10_000)]
    first = publish(one, store, name=name, version=1, contributors=alone)
    shared = [Contributor(people.bob.address, 6_000), Contributor(people.carol.address, 4_000)]
    second = publish(two, store, name=name, version=2, contributors=shared, parent_version=1)
    store.close()
    bob = people.bob.address
    pass_proposal(dao, people, [reg.register_action(dao, name, first.artifact_cid, first.manifest_cid, bob)], "v1")
    upgrade = [reg.upgrade_action(dao, name, second.artifact_cid, second.manifest_cid, bob)]
    pending, _ = propose(dao, people.alice, upgrade, "v2")
    # under vote: v1 against what the proposal would write
    code, out, err = run(*deployed.args("model", "diff", name, "1", "--proposal", str(pending)))
    assert code == 0, err
    assert out.startswith(f"{name} v1 -> v2 (proposed by {pending}): 1 added, 1 removed, 2 changed, 1 moved")
    code, _, err = run(*deployed.args("model", "diff", name, "1", "--proposal", str(deployed.proposal_id)))
    assert code == 3 and f"proposal {deployed.proposal_id} writes no version of {name}" in err
    code, _, err = run(*deployed.args("model", "diff", name, "1", "2", "--proposal", str(pending)))
    assert code == 3 and "not both" in err
    pass_proposal(dao, people, upgrade, "v2 again")

    code, out, err = run(*deployed.args("model", "diff", name, "1", "2"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{name} v1 -> v2: 1 added, 1 removed, 2 changed, 1 moved, 0 files the same;")
    assert lines[1:6] == [
        "  ~ README.md  (21 -> 28 bytes)",
        "  > conf/cfg.json  (from cfg.json, 2 bytes, same content)",
        "  - old.txt  (3 bytes)",
        "  + tok.json  (2 bytes)",
        "  ~ w.bin  (1,000 -> 1,500 bytes)",
    ]
    assert "  manifest license: mit -> apache-2.0" in lines
    assert f"  manifest contributors: {bob} 100% -> {bob} 60%, {people.carol.address} 40%" in lines
    code, out, _ = run(*deployed.args("--json", "model", "diff", name, "2", "1"))  # backwards: the other way round
    answer = json.loads(out)
    assert (answer["added"], answer["removed"], answer["changed"], answer["moved"]) == (1, 1, 2, 1)
    assert {f["path"]: f["change"] for f in answer["files"]}["old.txt"] == "added"
    assert (answer["old_version"], answer["new_version"], answer["proposal_id"]) == (2, 1, None)
    code, _, err = run(*deployed.args("model", "diff", name, "2", "2"))
    assert code == 3 and "v2 and v2 are the same version" in err
    code, _, err = run(*deployed.args("model", "diff", name, "1", "9"))
    assert code == 3 and "has no version 9" in err


def test_exit_codes_from_a_real_process(deployed: Deployed) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deai_gov", *deployed.args("model", "show", "acme/unknown")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert done.stderr.strip() == "error: no model named 'acme/unknown' is registered"


@pytest.mark.parametrize(
    ("command", "rows"),
    [
        (["proposal", "list"], lambda out, d: [p["id"] for p in out] == list(range(d.proposal_id, 0, -1))),
        (["model", "list"], lambda out, d: [m["name"] for m in out] == [NAME]),
        (["model", "show", NAME], lambda out, d: [v["number"] for v in out["versions"]] == [1]),
        (["model", "versions", NAME], lambda out, d: [v["number"] for v in out] == [1]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_read_commands_run_without_importing_web3(deployed: Deployed, command: list[str], rows: Any) -> None:
    """Read commands use plain JSON-RPC and ABI encoding: web3 (1-1.5 s to import) is never loaded."""
    probe = (
        "import json, sys\n"
        "from deai_gov.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "print(json.dumps({'code': code, 'web3': 'web3' in sys.modules}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *deployed.args("--json", *command)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {"code": 0, "web3": False}, done.stderr
    assert rows(json.loads(done.stdout), deployed), done.stdout


def test_model_approval_names_the_vote_that_wrote_a_version(deployed: Deployed) -> None:
    from deai_gov.dao.deploy import Deployment

    dao = Dao.attach(connect(deployed.rpc_url), Deployment.load(deployed.record))
    for reference in (NAME, f"{NAME}@1"):
        code, out, err = run(*deployed.args("--json", "model", "approval", reference))
        assert code == 0, err
        found = json.loads(out)
        expected = (deployed.proposal_id, "executed", 1)
        assert (found["proposal_id"], found["proposal_state"], found["version"]) == expected
        votes = onchain(dao, "governor").functions.proposalVotes(deployed.proposal_id).call()
        assert [int(found[k]) for k in ("votes_against", "votes_for", "votes_abstain")] == list(votes)
        assert found["artifact_cid"] == reg.get_version(dao, NAME, 1).artifact_cid
    code, out, _ = run(*deployed.args("model", "approval", NAME))
    assert code == 0 and f"{NAME} v1 was written by proposal {deployed.proposal_id} (executed)" in out


def test_cli_reference_is_up_to_date() -> None:
    from deai_gov.cli.reference import render

    reference = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    assert reference.read_text() == render(main), "run: python -m deai_gov.cli.reference > docs/cli.md"


def test_shell_completion() -> None:
    env = os.environ | {"COMP_WORDS": "deai-gov mo", "COMP_CWORD": "1", "_DEAI_GOV_COMPLETE": "bash_complete"}
    code = "from deai_gov.cli import main; main(prog_name='deai-gov')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "plain,model"


def test_proposal_text_is_printed_as_written(anvil: Anvil, tmp_path: Path) -> None:
    """Whatever a proposer writes is shown verbatim: rich markup in it must neither restyle, hide nor break output."""
    from deai_gov.dev.devnet import advance_time

    chain = connect(anvil.url)
    people = people_from(anvil.dev_keys())
    record = tmp_path / "deployment.json"
    dao = deploy_recorded(chain, people, record)
    send(dao.chain, people.alice, token.delegate(dao, people.alice.address))
    advance_time(chain, 1)
    title, body = "Pay [/bold] [black on black]hidden[/]", "Read this [red]first[/red].\n\nSecond paragraph."
    action = token.reward_action(dao, people.bob.address, 10**18)
    pid, _ = propose(dao, people.alice, [action], f"# {title}\n\n{body}")

    base = ["--rpc-url", anvil.url, "--deployment", str(record)]
    code, out, err = run(*base, "proposal", "list")
    assert code == 0, err
    assert "Pay [/bold] [black on" in out and "black]hidden[/]" in out  # the table wraps the title at 80 columns
    code, out, err = run(*base, "proposal", "show", str(pid))
    assert code == 0, err
    assert f"Proposal {pid}: {title}" in out and "Read this [red]first[/red]." in out and "Second paragraph." in out
    assert "#proposer=" not in out
