"""The DAO described by EIP-4824: `dao uri --publish` generates the documents from the chain (members, proposals with
their calls, actions and status, activity log, governance, contracts), publishes them, and the DAO votes the
daoURI into its registry, which emits the standard's event. Every document validates against the schemas stated
from the standard's templates (tests/data/eip4824), and reflects a proposal executed in the same test; the
published CIDs are the ones the JS UnixFS importer computes from the documents written out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from deai_gov.chain.logs import iter_logs
from deai_gov.dao import registry as reg
from deai_gov.dev.devnet import Anvil
from deai_gov.ipfs.blockcid import from_text
from deai_gov.ipfs.content import file_bytes
from deai_gov.ipfs.profiles import UNIXFS_V1_2025
from deai_gov.ipfs.stores import EmbeddedStore

from .helpers import carried, cli_dao, fake_cid, pass_proposal, run_cli
from .test_import_profiles import oracle

SCHEMAS = Path(__file__).resolve().parent / "data" / "eip4824"
NAME = "acme/described"


def validator(name: str) -> Draft202012Validator:
    resources = [
        (json.loads(path.read_text())["$id"], Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.schema.json")
    ]
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return Draft202012Validator(schema, registry=Registry().with_resources(resources))


@pytest.fixture
def world(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    return cli_dao(anvil.url, anvil.dev_keys(), tmp_path)


def cli(w: dict[str, Any], *args: str, sign: bool = False) -> tuple[int, str, str]:
    return run_cli(*w["base"], *(w["signer"] if sign else []), *args)


def test_the_dao_publishes_its_eip4824_description_and_votes_its_dao_uri(world: dict[str, Any], tmp_path: Path) -> None:
    w, dao, people = world, world["dao"], world["people"]
    code, out, _ = cli(w, "dao", "uri")
    assert code == 0 and "no daoURI yet" in out

    # a proposal executed in this test: the description must show it, its calls, its actions and its votes
    code, out, err = cli(w, "--json", "proposal", "create", "--title", "Register the described model", "--call",
                         dao.address("registry"), "register(string,bytes,bytes,address)",
                         f"{NAME},0x{bytes(from_text(fake_cid('d1'))).hex()},0x{bytes(from_text(fake_cid('d1m'))).hex()},"
                         f"{people.bob.address}",
                         sign=True)  # fmt: skip
    assert code == 0, err
    registered = int(json.loads(out)["proposal_id"])
    carried(dao, people, registered)
    assert reg.get_model(dao, NAME).current_version == 1

    out_dir = tmp_path / "described"
    code, out, err = cli(w, "--json", "dao", "uri", "--publish", "--description", "Governs acme's models",
                         "--out", str(out_dir))  # fmt: skip
    assert code == 0, err
    published = json.loads(out)
    uri, folder = published["dao_uri"], published["folder_cid"]
    assert uri.startswith("ipfs://") and published["current"] is None
    assert published["proposals"] == 1 and published["members"] == 3 and published["contracts"] >= 5
    assert f"adopt it by vote: deai-gov proposal create --title 'Describe the DAO' --dao-uri {uri}" in err + out

    documents = {path.name: path for path in out_dir.iterdir()}
    assert set(documents) == {"dao.json", "members.json", "proposals.json", "activityLog.json", "contracts.json",
                              "governance.md"}  # fmt: skip
    for name in ("dao", "members", "proposals", "activityLog", "contracts"):
        errors = list(validator(name).iter_errors(json.loads(documents[f"{name}.json"].read_text())))
        assert not errors, [error.message for error in errors]

    description = json.loads(documents["dao.json"].read_text())
    assert description["type"] == "DAO" and description["description"] == "Governs acme's models"
    assert description["proposalsURI"] == f"ipfs://{folder}/proposals.json"
    assert description["governanceURI"] == f"ipfs://{folder}/governance.md"

    chain_id, governor = dao.chain.chain_id, dao.address("governor")
    proposals = json.loads(documents["proposals.json"].read_text())["proposals"]
    (entry,) = proposals
    assert entry["id"] == f"eip155:{chain_id}:{governor}?proposalId={registered}"
    assert entry["status"] == "executed" and entry["name"] == "Register the described model"
    assert entry["calls"][0]["to"] == dao.address("registry") and entry["calls"][0]["from"] == dao.address("timelock")
    assert entry["actions"][0].startswith(f"register {NAME} v1")
    activities = json.loads(documents["activityLog.json"].read_text())["activities"]
    assert [(a["member"]["id"], a["action"]) for a in activities] == [
        (f"eip155:{chain_id}:{people.alice.address}", "proposed"),
        (f"eip155:{chain_id}:{people.alice.address}", "voted for"),
    ]
    members = {m["id"] for m in json.loads(documents["members.json"].read_text())["members"]}
    assert members == {f"eip155:{chain_id}:{p.address}" for p in (people.alice, people.bob, people.carol)}
    assert "A passed proposal waits" in documents["governance.md"].read_text()

    # the CIDs are the JS importer's: anyone can re-derive the daoURI from the documents
    folder_copy = tmp_path / "subdocuments"
    folder_copy.mkdir()
    for name in ("members.json", "proposals.json", "activityLog.json", "contracts.json", "governance.md"):
        shutil.copy(documents[name], folder_copy / name)
    assert oracle(UNIXFS_V1_2025, folder_copy)["root"] == folder
    assert oracle(UNIXFS_V1_2025, documents["dao.json"])["root"] == uri.removeprefix("ipfs://")
    store = EmbeddedStore(Path(w["base"][w["base"].index("--store") + 1]))
    assert file_bytes([store], from_text(uri.removeprefix("ipfs://"))) == documents["dao.json"].read_bytes()

    # the DAO votes it: the registry answers it and emits the standard's event
    code, out, err = cli(w, "--json", "proposal", "create", "--title", "Describe the DAO", "--dao-uri", uri, sign=True)
    assert code == 0, err
    assert f"publish the DAO's description (EIP-4824 daoURI) at {uri}" in err
    pid = int(json.loads(out)["proposal_id"])
    carried(dao, people, pid)
    assert reg.dao_uri(dao) == uri
    (event,) = iter_logs(dao.chain, "ModelRegistry", dao.address("registry"), "DAOURIUpdate", from_block=0)
    assert (event.args["daoAddress"], event.args["daoURI"]) == (dao.address("registry"), uri)
    code, out, _ = cli(w, "dao", "uri")
    assert code == 0 and out.strip() == f"daoURI: {uri}"
    assert json.loads(cli(w, "--json", "dao", "info")[1])["dao_uri"] == uri


def test_a_bad_dao_uri_is_refused_before_anything_is_sent(world: dict[str, Any]) -> None:
    for bad, said in (("", "at most 2048 printable"), ("no scheme", "at most 2048 printable"),
                      ("nothing-but-text", "is not a URI"), ("ipfs://" + "a" * 3000, "at most 2048")):  # fmt: skip
        code, _, err = cli(world, "proposal", "create", "--title", "x", "--dao-uri", bad, sign=True)
        assert code == 3 and said in err, err
    code, _, err = cli(world, "dao", "uri", "--propose")
    assert code == 3 and "give both" in err


def test_chain_strings_in_dao_info_are_shown_as_text_never_as_markup_or_control(world: dict[str, Any]) -> None:
    dao, people = world["dao"], world["people"]
    hostile = "ipfs://a[bold]b[/bold]\x1b[2Jc"
    actions = [
        dao.action("registry", "setDaoURI", hostile),
        dao.action("registry", "setRewardPolicy", b"\x11" * 32, "ipfs://p[link=https://evil]x[/link]"),
    ]
    pass_proposal(dao, people, actions, "Hostile strings")
    code, out, err = cli(world, "dao", "info")
    assert code == 0, err
    assert "ipfs://a[bold]b[/bold]\\x1b[2Jc" in out and "\x1b" not in out
    assert "ipfs://p[link=https://evil]x[/link]" in out
    code, out, _ = cli(world, "dao", "uri")
    assert code == 0 and "\x1b" not in out and "a[bold]b[/bold]" in out
