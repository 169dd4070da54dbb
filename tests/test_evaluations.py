"""Evaluations through the CLI on a DAO deployed with its attestation service (EAS's own contracts on anvil):
`eval submit` attests, `eval list` and `eval show` read every attestation back with whether it counts, and a
hostile attestation (junk data, another artifact, an untrusted or revoked evaluator) is one row that says why it
does not count, never an error of the whole list."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account

from deai_gov.chain.client import send
from deai_gov.cli import main
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dev.devnet import Anvil
from deai_gov.merit import eas
from deai_gov.merit.evaluation import EVALUATION_SCHEMA, Evaluation, Metric

from .helpers import dao_params, deploy_recorded, fake_cid, pass_proposal, people_from

NAME = "acme/tiny"
BENCHMARK = {
    "name": "tiny-accuracy",
    "version": "1",
    "metrics": {"accuracy": {"better": "higher", "tolerance": "0.01"}, "loss": {"better": "lower"}},
}


@pytest.fixture(scope="module")
def deployed(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The module's DAO with its own EAS and acme/tiny v1 registered, deployed once (before any test's snapshot:
    what a test sends is undone after it)."""
    from deai_gov.chain.client import connect

    folder = tmp_path_factory.mktemp("evaluations")
    people = people_from(anvil.dev_keys())
    record = folder / "deployment.json"
    chain = connect(anvil.url)
    dao = deploy_recorded(chain, people, record, dataclasses.replace(dao_params(people), eas="deploy"), delegated=True)
    register = reg.register_action(dao, NAME, fake_cid("t1"), fake_cid("t1m"), people.bob.address)
    pass_proposal(dao, people, [register], "Register acme/tiny")
    return {"dao": dao, "people": people, "base": ["--rpc-url", anvil.url, "--deployment", str(record)]}


@pytest.fixture
def world(
    deployed: dict[str, Any], anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The module's DAO, with carol and dave (outsider) imported as accounts of this test's configuration folder."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    keys = anvil.dev_keys()
    password = tmp_path / "password.txt"
    password.write_text("evaluations\n")
    for alias, key in (("carol", keys[3]), ("dave", deployed["people"].outsider.key.hex()), ("alice", keys[1])):
        secret = tmp_path / f"{alias}.key"
        secret.write_text(key)
        assert run("--password-file", str(password), "account", "import", alias, "--secret-file", str(secret))[0] == 0
    benchmark = tmp_path / "benchmark.json"
    benchmark.write_text(json.dumps(BENCHMARK))
    return {**deployed, "password": password, "benchmark": benchmark}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a bug, never an outcome
    return result.exit_code, result.stdout, result.stderr


def submit(w: dict[str, Any], alias: str, *args: str) -> tuple[int, str, str]:
    signer = ["--account", alias, "--password-file", str(w["password"]), "--yes"]
    return run(*w["base"], *signer, "eval", "submit", *args)


def test_an_evaluation_is_attested_listed_and_counts_once_its_evaluator_is_trusted(world: dict[str, Any]) -> None:
    dao, people = world["dao"], world["people"]
    carol = people.carol.address
    code, out, err = submit(
        world, "carol", "--json", NAME, "--benchmark", str(world["benchmark"]), "--metric", "accuracy=0.875",
        "--metric", "loss=0.31",
    )  # fmt: skip
    assert code == 0, err
    assert f"evaluation of {NAME} v1 (artifact {fake_cid('t1')}) on tiny-accuracy v1: accuracy 0.875, loss 0.31" in err
    uid = json.loads(out)["uid"]
    assert uid.startswith("0x") and len(uid) == 66

    code, out, err = run(*world["base"], "--json", "eval", "list", NAME)
    assert code == 0, err
    [listed] = json.loads(out)
    assert listed["uid"] == uid and listed["attester"] == carol and listed["counts"] is False
    assert listed["problems"] == ["its evaluator is not one the DAO trusts"]
    assert [(m["name"], m["value"]) for m in listed["evaluation"]["metrics"]] == [
        ("accuracy", "0.875"),
        ("loss", "0.31"),
    ]

    pass_proposal(dao, people, [reg.evaluator_action(dao, carol, True)], "Trust carol")
    code, out, _ = run(*world["base"], "eval", "list")
    assert code == 0 and "tiny-accuracy v1" in out and f"{carol} (carol)" in out and "yes" in out
    code, out, _ = run(*world["base"], "eval", "show", uid)
    assert code == 0 and out.splitlines()[0] == f"attestation {uid}: counts"
    assert "  accuracy 0.875 (higher is better)" in out and "  loss 0.31 (lower is better)" in out

    # revoked by carol: it no longer counts
    contracts = dao.attestation_service()
    send(dao.chain, people.carol, eas.revoke(contracts, eas.schema_uid(EVALUATION_SCHEMA), bytes.fromhex(uid[2:])))
    code, out, _ = run(*world["base"], "--json", "eval", "show", uid)
    assert json.loads(out)["problems"] == ["revoked by its evaluator"]


def test_hostile_attestations_are_rows_that_say_why_they_do_not_count(world: dict[str, Any]) -> None:
    dao, people = world["dao"], world["people"]
    contracts = dao.attestation_service()
    schema = eas.schema_uid(EVALUATION_SCHEMA)
    registry = dao.address("registry")
    pass_proposal(dao, people, [reg.evaluator_action(dao, people.carol.address, True)], "Trust carol")
    honest = Evaluation(NAME, 1, fake_cid("t1"), registry, "tiny-accuracy", "1", "", b"\x01" * 32,
                        (Metric("accuracy", 9 * 10**17, True),), "")  # fmt: skip
    attested = [
        eas.attest(contracts, schema, b"\x00" * 40, recipient=registry),  # junk data
        eas.attest(
            contracts, schema, dataclasses.replace(honest, artifact_cid=fake_cid("zz")).encode(), recipient=registry
        ),  # fmt: skip  (another artifact)
        eas.attest(contracts, schema, dataclasses.replace(honest, version=7).encode(), recipient=registry),
        eas.attest(contracts, schema, honest.encode(), recipient=registry, expiration_time=dao.chain.timestamp() + 5),
    ]
    for tx in attested:
        send(dao.chain, people.carol, tx)
    from deai_gov.dev.devnet import advance_time

    advance_time(dao.chain, 60)
    code, out, err = run(*world["base"], "--json", "eval", "list")
    assert code == 0, err
    problems = [row["problems"] for row in json.loads(out)]
    assert problems == [
        ["the attestation's data is not an evaluation under this schema"],
        [f"made on another artifact ({fake_cid('zz')})"],
        [f"{NAME} has no version 7 in this DAO's registry"],
        ["expired"],
    ]
    code, out, err = run(*world["base"], "eval", "list")
    assert code == 0 and out.count("no: ") == 4, err


# ------------------------------------------------------------------ off chain: signed without gas, relayed by anyone


def test_an_offchain_evaluation_is_signed_without_gas_relayed_by_another_and_counts(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """carol signs an evaluation off chain (no transaction of hers) and it goes on IPFS; dave, who has gas, relays it;
    it is then found with the DAO's other evaluations, read back from IPFS, and counts once carol is trusted. It is
    relayed once only, and carol revokes it off chain."""
    dao, people = world["dao"], world["people"]
    store = ["--store", str(tmp_path / "store")]
    carol_nonce = dao.chain.w3.eth.get_transaction_count(people.carol.address)
    signer = ["--account", "carol", "--password-file", str(world["password"]), "--yes"]
    measured = ["--benchmark", str(world["benchmark"]), "--metric", "accuracy=0.75", "--metric", "loss=0.5"]
    code, out, err = run(*world["base"], *store, *signer, "--json", "eval", "submit", NAME, *measured, "--offchain")
    assert code == 0, err
    signed = json.loads(out)
    uid, cid = signed["uid"], signed["offchain_cid"]
    assert f"it counts once relayed on chain: deai-gov eval relay {cid}" in err
    assert dao.chain.w3.eth.get_transaction_count(people.carol.address) == carol_nonce  # no gas spent
    code, out, _ = run(*world["base"], *store, "--json", "eval", "list", NAME)
    assert json.loads(out) == []  # not on chain yet: nobody can find it

    relay = [*world["base"], *store, "--account", "dave", "--password-file", str(world["password"]), "--yes"]
    code, out, err = run(*relay, "--json", "eval", "relay", cid)
    assert code == 0, err
    assert [t["action"] for t in json.loads(out)["transactions"]] == [
        f"timestamp {uid[:18]}…",
        f"anchor off-chain attestation {uid[:18]}…",
    ]
    pass_proposal(dao, people, [reg.evaluator_action(dao, people.carol.address, True)], "Trust carol")
    code, out, _ = run(*world["base"], *store, "--json", "eval", "list", NAME)
    [row] = json.loads(out)
    assert (row["uid"], row["attester"], row["offchain_cid"], row["counts"]) == (uid, people.carol.address, cid, True)
    assert [(m["name"], m["value"]) for m in row["evaluation"]["metrics"]] == [("accuracy", "0.75"), ("loss", "0.5")]
    code, out, _ = run(*world["base"], *store, "eval", "show", uid)
    assert out.splitlines()[0] == f"attestation {uid}: counts" and f"package at {cid}" in out

    code, _, err = run(*relay, "eval", "relay", cid)  # twice: refused, nothing sent
    assert code == 3 and f"off-chain attestation {uid} is already relayed for this DAO" in err, err
    code, _, err = run(*relay, "eval", "revoke", uid)  # not dave's to revoke
    assert code == 3 and "only its evaluator" in err, err
    code, _, err = run(*world["base"], *store, *signer, "eval", "revoke", uid)
    assert code == 0, err
    code, out, _ = run(*world["base"], *store, "--json", "eval", "show", uid)
    assert json.loads(out)["problems"] == ["revoked by its evaluator"]


def test_hostile_offchain_packages_and_anchors_are_rows_or_refusals(world: dict[str, Any], tmp_path: Path) -> None:
    """Signed for another chain: refused by `eval relay`, and a row saying so when anchored by hand; an anchor of junk,
    of a CID nobody has, of another attestation's package: each a row, none an error of the list."""
    from deai_gov.ipfs.blockcid import to_text
    from deai_gov.ipfs.importer import import_bytes
    from deai_gov.ipfs.stores import EmbeddedStore
    from deai_gov.merit.offchain import ANCHOR_SCHEMA, Domain, encode_anchor, sign_offchain

    dao, people = world["dao"], world["people"]
    contracts, registry = dao.attestation_service(), dao.address("registry")
    evaluation = Evaluation(NAME, 1, fake_cid("t1"), registry, "tiny-accuracy", "1", "", b"\x01" * 32,
                            (Metric("accuracy", 9 * 10**17, True),), "")  # fmt: skip
    elsewhere = sign_offchain(people.carol, Domain("1.4.0", 1, contracts.eas), eas.schema_uid(EVALUATION_SCHEMA),
                              evaluation.encode(), recipient=registry, time=dao.chain.timestamp())  # fmt: skip
    package = tmp_path / "elsewhere.json"
    package.write_bytes(elsewhere.to_package())
    relay = [*world["base"], "--store", str(tmp_path / "store"), "--account", "dave", "--password-file",
             str(world["password"]), "--yes"]  # fmt: skip
    before = dao.chain.block_number()
    code, _, err = run(*relay, "eval", "relay", str(package))
    assert code == 3 and "this attestation was signed for chain 1" in err and dao.chain.block_number() == before, err

    store = EmbeddedStore(tmp_path / "store")
    cid = to_text(store.import_dag(lambda sink: import_bytes(elsewhere.to_package(), sink).cid))
    store.close()
    anchor_schema = eas.schema_uid(ANCHOR_SCHEMA)
    for data in (
        encode_anchor(elsewhere.uid, cid),  # replayed from another chain
        b"\x00" * 40,  # junk
        encode_anchor(b"\x44" * 32, fake_cid("nobody has it")),  # a package no source has
        encode_anchor(b"\x55" * 32, cid),  # someone else's package under another UID
    ):
        send(dao.chain, people.outsider, eas.attest(contracts, anchor_schema, data, recipient=registry))
    code, out, err = run(*world["base"], "--store", str(tmp_path / "store"), "--json", "eval", "list")
    assert code == 0, err
    problems = [row["problems"] for row in json.loads(out)]
    assert problems[0][0] == f"signed for another chain or attestation service (chain 1, EAS {contracts.eas})"
    assert problems[1] == ["the anchor's data is not an off-chain attestation's UID and CID"]
    assert problems[2][0].startswith(f"off chain at {fake_cid('nobody has it')}: ")
    assert problems[3] == [f"off chain at {cid}: that package is another attestation"]


#: Values refused before anything is sent: (arguments after NAME --benchmark FILE, words of the one-line error).
BAD_VALUES = [
    (["--metric", "accuracy=0.9"], "no value for tiny-accuracy's metric 'loss'"),
    (["--metric", "accuracy=0.9", "--metric", "loss=1", "--metric", "f1=2"], "defines no metric 'f1'"),
    (["--metric", "accuracy=NaN", "--metric", "loss=1"], "metric value 'NaN' is not a finite number"),
    (["--metric", "accuracy"], "write NAME=VALUE"),
    ([], "give the measured values with --metric NAME=VALUE (repeatable) or --metrics FILE, one of them"),
    (["--metric", "accuracy=0.9", "--metric", "loss=1", "--outputs", "nope"], "outputs CID 'nope' is not a CID"),
]

#: Benchmark files refused in one line naming the file: (content, words).
BAD_BENCHMARKS = [
    ("[1, 2]", "not a JSON object"),
    ('{"name": "b", "metrics": {}}', "it must name 1 to 64 metrics"),
    ('{"name": "b", "metrics": {"acc": {}}}', "say which direction is better"),
    ('{"name": "b", "metrics": {"acc": {"better": "higher"}}, "shell": "rm"}', "unknown field 'shell'"),
    ('{"name": "b", "dataset": "x", "metrics": {"acc": {"better": "higher"}}}', "its dataset 'x' is not a CID"),
    ("{" * 5000, "is not JSON"),
    ('{"name": "b", "holdout": true, "metrics": {"acc": {"better": "higher"}}}', "a holdout benchmark names its data"),
    (
        '{"name": "b", "holdout": 1, "dataset": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", '
        '"metrics": {"acc": {"better": "higher"}}}',
        "its holdout field must be true or false",
    ),
]


def test_bad_values_and_bad_benchmark_files_are_one_line_and_nothing_is_sent(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """One DAO for every case (each deploys nothing): a failure names the case."""
    before = world["dao"].chain.block_number()
    for args, words in BAD_VALUES:
        code, _, err = submit(world, "carol", NAME, "--benchmark", str(world["benchmark"]), *args)
        assert code == 3 and words in err and len(err.strip().splitlines()) == 1, (args, err)
    for index, (content, words) in enumerate(BAD_BENCHMARKS):
        bad = tmp_path / f"bad{index}.json"
        bad.write_text(content)
        code, _, err = submit(world, "carol", NAME, "--benchmark", str(bad), "--metric", "acc=1")
        assert code == 3 and f"benchmark {bad}" in err and words in err, (content[:40], err)
        assert len(err.strip().splitlines()) == 1, err
    assert world["dao"].chain.block_number() == before


# ------------------------------------------------------------------ eval run: the tiny benchmark, for real

HARNESS = Path(__file__).resolve().parent / "benchmark" / "tiny_harness.py"
#: Eight labelled points; the model below (weights 1, -1, bias 0.5) gets 4 right, weights 1, 1 would get all 8.
DATA = "1,1,1\n2,1,1\n1,2,1\n3,3,1\n-1,-1,0\n-2,-1,0\n-1,-2,0\n0.5,-1,0\n"


@pytest.fixture
def tiny(world: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """acme/tiny-clf v1 published for real (an embedded store) and registered; its data set and benchmark."""
    from deai_gov.ipfs.blockcid import to_text
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.importer import import_bytes
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.ipfs.stores import EmbeddedStore

    dao, people = world["dao"], world["people"]
    store_path = tmp_path / "store"
    store = EmbeddedStore(store_path)
    model = tmp_path / "clf"
    model.mkdir()
    (model / "model.json").write_text(json.dumps({"weights": [1.0, -1.0], "bias": 0.5}))
    published = publish(
        model, store, name="acme/tiny-clf", version=1, contributors=[Contributor(people.bob.address, 10_000)]
    )
    dataset = to_text(store.import_dag(lambda sink: import_bytes(DATA.encode(), sink).cid))
    store.close()
    register = reg.register_action(
        dao, "acme/tiny-clf", published.artifact_cid, published.manifest_cid, people.bob.address
    )
    pass_proposal(dao, people, [register], "Register acme/tiny-clf")
    benchmark = tmp_path / "tiny.json"
    benchmark.write_text(json.dumps({
        "name": "tiny-clf", "version": "1", "dataset": dataset,
        "command": [sys.executable, str(HARNESS), "{model}", "{dataset}", "{metrics}", "{outputs}"],
        "metrics": {"accuracy": {"better": "higher", "tolerance": "0.01"}, "mse": {"better": "lower"}},
    }))  # fmt: skip
    return {**world, "store": store_path, "benchmark": benchmark, "dataset": dataset}


def run_eval(t: dict[str, Any], *args: str, dry_run: bool = False) -> tuple[int, str, str]:
    signer = ["--account", "carol", "--password-file", str(t["password"]), "--yes", *(["--dry-run"] if dry_run else [])]
    return run(*t["base"], "--store", str(t["store"]), *signer, "eval", "run", *args)


def test_eval_run_pulls_runs_the_harness_and_attests_what_it_measured(tiny: dict[str, Any]) -> None:
    code, out, err = run_eval(tiny, "--json", "acme/tiny-clf", "--benchmark", str(tiny["benchmark"]))
    assert code == 0, err
    assert "measured in " in err and "accuracy 0.5, mse 0.5; outputs bafy" in err, err
    answer = json.loads(out)
    evaluation = answer["evaluation"]
    assert evaluation["dataset_cid"] == tiny["dataset"] and evaluation["outputs_cid"].startswith("bafy")
    assert [(m["name"], m["value"]) for m in evaluation["metrics"]] == [("accuracy", "0.5"), ("mse", "0.5")]
    # its outputs (predictions and the harness's log) are in the store, under the CID attested
    from deai_gov.ipfs.blockcid import from_text
    from deai_gov.ipfs.stores import EmbeddedStore

    store = EmbeddedStore(tiny["store"])
    assert store.get_block(from_text(evaluation["outputs_cid"]))
    store.close()
    code, out, _ = run(*tiny["base"], "--json", "eval", "list", "acme/tiny-clf")
    [listed] = json.loads(out)
    assert listed["uid"] == answer["uid"] and listed["problems"] == ["its evaluator is not one the DAO trusts"]


def test_a_holdout_benchmark_runs_on_the_data_its_evaluator_holds_checked_against_its_cid(
    tiny: dict[str, Any], tmp_path: Path
) -> None:
    """A holdout's data set is on no IPFS source: `eval run` needs the evaluator's copy, and takes it only if its
    bytes have the benchmark's CID."""
    from deai_gov.ipfs.blockcid import to_text
    from deai_gov.ipfs.importer import import_bytes

    held = "1,1,1\n-1,-1,0\n2,-3,0\n"  # never published
    cid = to_text(import_bytes(held.encode(), lambda _cid, _data: None).cid)
    bench = json.loads(tiny["benchmark"].read_text()) | {"name": "tiny-holdout", "dataset": cid, "holdout": True}
    holdout = tmp_path / "holdout.json"
    holdout.write_text(json.dumps(bench))
    code, _, err = run_eval(tiny, "acme/tiny-clf", "--benchmark", str(holdout), dry_run=True)
    assert code == 3 and "benchmark tiny-holdout is a holdout: its data set is not published" in err, err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(DATA)
    code, _, err = run_eval(tiny, "acme/tiny-clf", "--benchmark", str(holdout), "--dataset", str(wrong), dry_run=True)
    assert code == 3 and f"{wrong} is not tiny-holdout's data set: its bytes do not have the CID {cid}" in err, err
    mine = tmp_path / "mine.csv"
    mine.write_text(held)
    code, _, err = run_eval(tiny, "acme/tiny-clf", "--benchmark", str(holdout), "--dataset", str(mine), dry_run=True)
    assert code == 0 and "accuracy 0.333333, mse 0.666667" in err, err  # v1 gets one point of three right


def test_the_harness_gets_no_keys_no_config_and_a_home_of_its_own(tiny: dict[str, Any], tmp_path: Path) -> None:
    """A harness that looks for what it should not see fails the run if it finds any of it."""
    spy = tmp_path / "spy.py"
    spy.write_text(
        "import json, os, sys\n"
        "leaked = [k for k in os.environ if k.startswith(('DEAI_GOV', 'XDG')) or 'PASSWORD' in k]\n"
        "home = os.environ['HOME']\n"
        "if leaked or not home.startswith(os.getcwd()) or sys.stdin.read(1) != '':\n"
        "    sys.exit(f'saw {leaked} home {home}')\n"
        "json.dump({'accuracy': 1, 'mse': 0}, open(sys.argv[1], 'w'))\n"
    )
    bench = json.loads(tiny["benchmark"].read_text()) | {"command": [sys.executable, str(spy), "{metrics}"]}
    spied = tmp_path / "spied.json"
    spied.write_text(json.dumps(bench))
    code, _, err = run_eval(tiny, "acme/tiny-clf", "--benchmark", str(spied), dry_run=True)
    assert code == 0 and "accuracy 1, mse 0" in err and "dry run: nothing sent" in err, err


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("import os, sys; os.symlink('/etc/passwd', sys.argv[1])", "wrote no metrics file"),
        ("import sys; sys.exit(4)", "the harness exited with status 4"),
        ("import time; time.sleep(30)", "the harness ran longer than 1 s and was stopped"),
        ("import sys; open(sys.argv[1], 'w').write('[1]')", "not a JSON object of name -> number"),
        ("import sys; open(sys.argv[1], 'w').write('{\"accuracy\": 1}')", "no value for tiny-clf's metric 'mse'"),
    ],
    ids=["symlink-out", "fails", "hangs", "not-an-object", "missing-metric"],
)
def test_a_harness_that_misbehaves_is_one_line_and_nothing_is_attested(
    tiny: dict[str, Any], tmp_path: Path, script: str, words: str
) -> None:
    bench = json.loads(tiny["benchmark"].read_text()) | {"command": [sys.executable, "-c", script, "{metrics}"]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bench))
    before = tiny["dao"].chain.block_number()
    code, _, err = run_eval(tiny, "acme/tiny-clf", "--benchmark", str(bad), "--timeout", "1s")
    assert code == 3 and words in err, err
    assert err.strip().splitlines()[-1].startswith("error: ")
    assert tiny["dao"].chain.block_number() == before


def test_a_voter_sees_the_candidate_measured_against_the_current_version(tiny: dict[str, Any], tmp_path: Path) -> None:
    """v1 measured at 0.5; v2, under vote, measured by two trusted evaluators at 1 (an untrusted evaluator's word is
    left out); a second candidate that regressed, and a third nobody evaluated, are flagged in `proposal show`."""
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.ipfs.stores import EmbeddedStore

    from .helpers import propose

    dao, people = tiny["dao"], tiny["people"]
    evaluators = (people.carol.address, people.outsider.address, people.alice.address)
    pass_proposal(dao, people, [reg.evaluator_action(dao, a, True) for a in evaluators], "Trust carol, dave, alice")
    assert run_eval(tiny, "acme/tiny-clf", "--benchmark", str(tiny["benchmark"]))[0] == 0  # v1: 0.5

    candidates = []
    for index, (weights, bias) in enumerate([([1.0, 1.0], 0.0), ([1.0, -1.0], -3.0), ([2.0, 2.0], 0.0)]):
        folder = tmp_path / f"v2-{index}"
        folder.mkdir()
        (folder / "model.json").write_text(json.dumps({"weights": weights, "bias": bias}))
        store = EmbeddedStore(tiny["store"])
        published = publish(folder, store, name="acme/tiny-clf", version=2, parent_version=1,
                            contributors=[Contributor(people.bob.address, 10_000)])  # fmt: skip
        store.close()
        upgrade = reg.upgrade_action(dao, "acme/tiny-clf", published.artifact_cid, published.manifest_cid,
                                     people.bob.address)  # fmt: skip
        candidates.append(propose(dao, people.alice, [upgrade], f"Upgrade acme/tiny-clf, try {index}")[0])
    good, worse, unmeasured = candidates
    for alias in ("carol", "dave"):
        signer = ["--account", alias, "--password-file", str(tiny["password"]), "--yes"]
        args = ["eval", "run", "acme/tiny-clf", "--proposal", str(good), "--benchmark", str(tiny["benchmark"])]
        code, _, err = run(*tiny["base"], "--store", str(tiny["store"]), *signer, *args)
        assert code == 0 and "accuracy 1, mse 0" in err, err
    code, _, err = submit(tiny, "carol", "acme/tiny-clf", "--proposal", str(worse), "--benchmark",
                          str(tiny["benchmark"]), "--metric", "accuracy=0.25", "--metric", "mse=0.75")  # fmt: skip
    assert code == 0, err
    # an evaluator the DAO does not trust claims more: not counted
    contracts, schema = dao.attestation_service(), eas.schema_uid(EVALUATION_SCHEMA)
    [candidate] = reg.proposed_versions(dao, gov.get_proposal(dao, good)[0].actions)
    claim = Evaluation("acme/tiny-clf", 2, candidate.artifact_cid, dao.address("registry"), "tiny-clf", "1",
                       tiny["dataset"], b"\x00" * 32, (Metric("accuracy", 10**18, True),), "")  # fmt: skip
    send(dao.chain, people.guardian, eas.attest(contracts, schema, claim.encode(), recipient=dao.address("registry")))
    # alice, trusted, proposed the candidates: her word on one is not independent, left out and said to be
    [weaker] = reg.proposed_versions(dao, gov.get_proposal(dao, worse)[0].actions)
    digest = hashlib.sha256(tiny["benchmark"].read_bytes()).digest()  # the same benchmark as carol's
    own = dataclasses.replace(claim, artifact_cid=weaker.artifact_cid, harness_digest=digest)
    send(dao.chain, people.alice, eas.attest(contracts, schema, own.encode(), recipient=dao.address("registry")))

    show = [*tiny["base"], "--store", str(tiny["store"]), "proposal", "show"]
    code, out, err = run(*show, str(good))
    assert code == 0, err
    lines = [line.strip() for line in out.splitlines()]
    accuracy = next(line for line in lines if " accuracy (higher is better): " in line and "0x00000000" not in line)
    assert accuracy.endswith(
        "accuracy (higher is better): 1 reproduced by 2 trusted evaluators, against the current version's 0.5 (+0.5)"
    )
    # the untrusted claim was on another harness: its own line, said and not counted, not flagged
    claimed = next(line for line in lines if "(harness 0x00000000) accuracy" in line)
    assert claimed.endswith(
        "accuracy (higher is better): not evaluated, against no current value; not counted (not trusted by the "
        f"DAO): {people.guardian.address}"
    ), claimed
    mse = next(line for line in lines if " mse (lower is better): " in line)
    assert mse.endswith(
        "mse (lower is better): 0 reproduced by 2 trusted evaluators, against the current version's 0.5 (-0.5)"
    )
    code, out, _ = run(*show, str(good), "--json")
    [artifact] = json.loads(out)["artifacts"]
    _claimed, first, _ = artifact["evaluations"]  # sorted by benchmark label: the untrusted claim's harness first
    assert (first["metric"], first["candidate"], first["baseline"], first["delta"], first["flags"]) == (
        "accuracy",
        "1",
        "0.5",
        "0.5",
        [],
    )
    assert sorted(first["candidate_evaluators"]) == sorted([people.carol.address, people.outsider.address])
    code, out, _ = run(*show, str(worse))
    regressed = (
        "accuracy (higher is better): 0.25 by 1 trusted evaluator, against the current version's 0.5 (-0.25); "
        f"flagged: regressed, left out the evaluation by {people.alice.address} (alice) (the proposal's proposer)"
    )
    assert regressed in out
    code, out, _ = run(*show, str(worse), "--json")
    [artifact] = json.loads(out)["artifacts"]
    assert [c["left_out"] for c in artifact["evaluations"]] == [
        [{"evaluator": people.alice.address, "why": "the proposal's proposer"}],  # accuracy: her claim
        [],  # mse: she claimed none
    ]
    code, out, _ = run(*show, str(unmeasured))
    assert "accuracy (higher is better): not evaluated, against the current version's 0.5; flagged: not evaluated " \
           "on the candidate" in out  # fmt: skip
    # and `model show` keeps each version's evaluation history
    code, out, _ = run(*tiny["base"], "model", "show", "acme/tiny-clf")
    assert "    evaluated: tiny-clf v1 (harness 0x" in out and "accuracy 0.5 (2 trusted evaluator" not in out
    assert " accuracy 0.5 (1 trusted evaluator)" in out


def test_a_contributor_the_manifest_names_is_not_independent_even_unpaid(tiny: dict[str, Any], tmp_path: Path) -> None:
    """carol is a trusted evaluator and, with a share, a contributor of the candidate the proposal writes, though the
    proposal pays nobody: her evaluation of it is left out, and the voter is told why."""
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.ipfs.stores import EmbeddedStore

    from .helpers import propose

    dao, people = tiny["dao"], tiny["people"]
    pass_proposal(dao, people, [reg.evaluator_action(dao, people.carol.address, True)], "Trust carol")
    folder = tmp_path / "v2"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps({"weights": [1.0, 1.0], "bias": 0.0}))
    store = EmbeddedStore(tiny["store"])
    shares = [Contributor(people.bob.address, 6_000), Contributor(people.carol.address, 4_000)]
    v2 = publish(folder, store, name="acme/tiny-clf", version=2, parent_version=1, contributors=shares)
    store.close()
    upgrade = reg.upgrade_action(dao, "acme/tiny-clf", v2.artifact_cid, v2.manifest_cid, people.bob.address)
    pid = propose(dao, people.alice, [upgrade], "Upgrade acme/tiny-clf, unpaid")[0]
    signer = ["--account", "carol", "--password-file", str(tiny["password"]), "--yes"]
    args = ["eval", "run", "acme/tiny-clf", "--proposal", str(pid), "--benchmark", str(tiny["benchmark"])]
    assert run(*tiny["base"], "--store", str(tiny["store"]), *signer, *args)[0] == 0
    _, out, _ = run(*tiny["base"], "--store", str(tiny["store"]), "proposal", "show", str(pid))
    assert (
        "accuracy (higher is better): not evaluated, against no current value; flagged: not evaluated on the "
        f"candidate, left out the evaluation by {people.carol.address} (carol) (a contributor its manifest names)"
    ) in out, out


def test_a_candidate_shipping_the_benchmark_data_set_is_flagged(tiny: dict[str, Any], tmp_path: Path) -> None:
    """A public test set inside the model can be memorised: `eval run` warns, and the voter sees the metric flagged
    with the file's path."""
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.ipfs.stores import EmbeddedStore

    from .helpers import propose

    dao, people = tiny["dao"], tiny["people"]
    pass_proposal(dao, people, [reg.evaluator_action(dao, people.carol.address, True)], "Trust carol")
    folder = tmp_path / "v2"
    (folder / "extras").mkdir(parents=True)
    (folder / "model.json").write_text(json.dumps({"weights": [1.0, 1.0], "bias": 0.0}))
    (folder / "extras" / "eval.csv").write_text(DATA)  # the benchmark's labelled data, shipped with the model
    store = EmbeddedStore(tiny["store"])
    v2 = publish(folder, store, name="acme/tiny-clf", version=2, parent_version=1,
                 contributors=[Contributor(people.bob.address, 10_000)])  # fmt: skip
    store.close()
    upgrade = reg.upgrade_action(dao, "acme/tiny-clf", v2.artifact_cid, v2.manifest_cid, people.bob.address)
    pid = propose(dao, people.alice, [upgrade], "Upgrade acme/tiny-clf, with its test set")[0]
    signer = ["--account", "carol", "--password-file", str(tiny["password"]), "--yes"]
    args = ["eval", "run", "acme/tiny-clf", "--proposal", str(pid), "--benchmark", str(tiny["benchmark"])]
    code, _, err = run(*tiny["base"], "--store", str(tiny["store"]), *signer, *args)
    assert code == 0 and "warning: the version ships the benchmark's data set as extras/eval.csv" in err, err
    _, out, _ = run(*tiny["base"], "--store", str(tiny["store"]), "proposal", "show", str(pid))
    assert "flagged: the candidate contains the benchmark's data set (extras/eval.csv): it may be memorised" in out


def test_a_model_card_section_states_the_approval_and_what_trusted_evaluators_measured(
    tiny: dict[str, Any], tmp_path: Path
) -> None:
    """`model card` writes the DAO's approval into a model card: replaced in place on a second run, the card's YAML
    metadata and text kept, an attested name full of Markdown escaped."""
    dao, people = tiny["dao"], tiny["people"]
    pass_proposal(dao, people, [reg.evaluator_action(dao, people.carol.address, True)], "Trust carol")
    assert run_eval(tiny, "acme/tiny-clf", "--benchmark", str(tiny["benchmark"]))[0] == 0
    tricky = json.loads(tiny["benchmark"].read_text()) | {"name": "x|y](http://evil)"}
    (tmp_path / "tricky.json").write_text(json.dumps(tricky))
    signer = ["--account", "carol", "--password-file", str(tiny["password"]), "--yes"]
    code, _, err = run(*tiny["base"], *signer, "eval", "submit", "acme/tiny-clf", "--benchmark",
                       str(tmp_path / "tricky.json"), "--metric", "accuracy=0.5", "--metric", "mse=0.5")  # fmt: skip
    assert code == 0, err
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: mit\n---\n# tiny-clf\n\nA linear classifier.\n")
    card = [*tiny["base"], "--store", str(tiny["store"]), "model", "card", "acme/tiny-clf", "--update", str(readme)]
    code, _, err = run(*card)
    assert code == 0, err
    first = readme.read_text()
    assert first.startswith("---\nlicense: mit\n---\n# tiny-clf\n\nA linear classifier.\n\n<!-- deai-gov:approval -->")
    [approval] = [line for line in first.splitlines() if line.startswith("| Approved |")]
    assert approval.startswith("| Approved | written by proposal ") and "(executed)" in approval
    assert "| Evaluated: tiny-clf v1 (harness 0x" in first and "accuracy 0.5 (1 trusted evaluator) |" in first
    assert "| Evaluated: x\\|y\\]\\(http://evil) v1" not in first  # escaped, not a link or a column
    assert "x\\|y\\](http://evil)" in first
    assert run(*card)[0] == 0 and readme.read_text() == first  # the same section, in place, once
    code, out, _ = run(*tiny["base"], "--json", "model", "card", "acme/tiny-clf")
    facts = json.loads(out)
    assert facts["version"] == 1 and facts["markdown"].startswith("<!-- deai-gov:approval -->")
    assert [e["metric"] for e in facts["evaluations"]] == ["accuracy", "mse", "accuracy", "mse"]


# ------------------------------------------------------------------ the whole story: merit, through the CLI


def policy_document(benchmark: Path) -> bytes:
    """A reward policy paying for accuracy on the tiny benchmark: 100 tokens and 20 of merit per 1.0 gained, the merit
    lasting a year; each evaluator who reproduced the score earns 2 tokens and 1 of merit."""
    digest = "0x" + hashlib.sha256(benchmark.read_bytes()).hexdigest()
    return json.dumps({
        "schema": "deai-gov/reward-policy/v1",
        "benchmarks": [{"name": "tiny-clf", "version": "1", "harness": digest, "metric": "accuracy",
                        "better": "higher", "weight": "1", "tolerance": "0.01"}],
        "min_evaluators": 2, "tokens_per_unit": "100", "merit_per_unit": "20", "cap_per_version": "500",
        "merit_lifetime_days": 365, "evaluator_tokens": "2", "evaluator_merit": "1",
    }, indent=2).encode()  # fmt: skip


def test_merit_story_evaluations_decide_the_reward_and_contributions_earn_votes(
    tiny: dict[str, Any], anvil: Anvil, tmp_path: Path
) -> None:
    """The story end to end through the CLI: a model registered; two trusted evaluators and one untrusted evaluate
    v1 with the tiny benchmark; a reward policy adopted by vote; v2 (better accuracy) evaluated, then proposed with
    `--reward auto --merit auto`; `proposal show` puts v2 against v1, reproduced by two, the untrusted evaluator not
    counted, the reward within the policy; a second computation from another configuration folder finds the very
    same proposal (identical calldata and description); executed, the contributors are paid exactly the policy's
    amount and receive merit; a contributor who sold every token still votes with merit, and the vote counts; merit
    does not transfer."""
    from deai_gov.dao import token

    dao, people = tiny["dao"], tiny["people"]
    keys = anvil.dev_keys()
    for alias, key in (("frank", keys[8]), ("erin", keys[9])):  # frank: a new contributor; erin: not trusted
        secret = tmp_path / f"{alias}.key"
        secret.write_text(key)
        assert run("--password-file", str(tiny["password"]), "account", "import", alias, "--secret-file",
                   str(secret))[0] == 0  # fmt: skip
    frank, bob = Account.from_key(keys[8]).address, people.bob.address
    store = ["--store", str(tiny["store"])]

    def cli(alias: str | None, *args: str) -> tuple[int, str, str]:
        signer = ["--account", alias, "--password-file", str(tiny["password"]), "--yes"] if alias else []
        code, out, err = run(*tiny["base"], *store, *signer, *args)
        assert code == 0, (args, err)
        return code, out, err

    def passed(pid: int) -> None:
        """alice (with carol's delegation) votes for; the vote ends, the proposal is queued and executed."""
        cli(None, "node", "warp", "61s")
        cli("alice", "proposal", "vote", str(pid), "for")
        cli(None, "node", "warp", "61m")
        cli("alice", "proposal", "queue", str(pid))
        cli(None, "node", "warp", "301s")
        cli("alice", "proposal", "execute", str(pid))

    def proposal_id(out: str) -> int:
        return int(json.loads(out)["proposal_id"])

    # v1 registered, bob its contributor; carol and dave trusted by vote
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    for folder, weights, bias in ((v1, [1.0, -1.0], 0.5), (v2, [1.0, 1.0], 0.0)):
        folder.mkdir()
        (folder / "model.json").write_text(json.dumps({"weights": weights, "bias": bias}))
    _, out, _ = cli("alice", "--json", "model", "propose", "register", "acme/story", str(v1), "--contributor", bob)
    passed(proposal_id(out))
    _, out, _ = cli("alice", "--json", "proposal", "create", "--title", "Trust carol and dave as evaluators",
                    "--evaluator", "add", people.carol.address, "--evaluator", "add", "dave")  # fmt: skip
    passed(proposal_id(out))

    # v1 evaluated with the tiny benchmark by carol, dave (trusted) and erin (not)
    benchmark = ["--benchmark", str(tiny["benchmark"])]
    for alias in ("carol", "dave", "erin"):
        _, _, err = cli(alias, "eval", "run", "acme/story", *benchmark)
        assert "accuracy 0.5, mse 0.5" in err, err

    # the reward policy, adopted by vote
    policy = tmp_path / "policy.json"
    policy.write_text(policy_document(tiny["benchmark"]).decode())
    _, out, _ = cli("alice", "--json", "proposal", "create", "--title", "Reward accuracy", "--policy", str(policy))
    passed(proposal_id(out))
    _, out, _ = cli(None, "--json", "dao", "info")
    assert json.loads(out)["reward_policy"]["digest"] == "0x" + hashlib.sha256(policy.read_bytes()).hexdigest()

    # v2 published (not proposed), evaluated by the same three on its artifact, then proposed with the reward auto
    _, out, _ = cli("alice", "--json", "model", "publish", "acme/story", str(v2), "--contributor", f"{frank}:6000",
                    "--contributor", f"{bob}:4000")  # fmt: skip
    published = json.loads(out)
    assert (published["version"], published["parent_version"]) == (2, 1)
    for alias in ("carol", "dave", "erin"):
        candidate = ["--candidate", published["artifact_cid"], "--candidate-manifest", published["manifest_cid"]]
        _, _, err = cli(alias, "eval", "run", "acme/story", *candidate, *benchmark)
        assert "accuracy 1, mse 0" in err, err
    upgrade = ["model", "propose", "upgrade", "acme/story", "--artifact", published["artifact_cid"], "--manifest",
               published["manifest_cid"], "--reward", "auto", "--merit", "auto"]  # fmt: skip
    _, out, err = cli("alice", "--json", *upgrade)
    assert "tiny-clf v1 (harness 0x" in err and "accuracy: 1 against best 0.5: improved" in err, err
    assert "reward 50 MDL, merit 10 MDL" in err and "30 MDL (60%) to " in err and "20 MDL (40%) to " in err, err
    for evaluator in (people.carol.address, people.outsider.address):  # erin's word does not count: no fee
        assert f"evaluator's fee 2 MDL and 1 MDL of merit to {evaluator}" in err, err
    assert Account.from_key(keys[9]).address not in err
    pid = proposal_id(out)

    # what a voter sees: v2 against v1, reproduced by carol and dave, erin's word not counted, the reward checked
    _, shown, _ = cli(None, "proposal", "show", str(pid))
    print(shown)  # the voter's view, as the closing note quotes it
    lines = [line.strip() for line in shown.splitlines()]
    accuracy = next(line for line in lines if " accuracy (higher is better): " in line)
    assert accuracy.endswith(
        "accuracy (higher is better): 1 reproduced by 2 trusted evaluators, against the current version's 0.5 "
        f"(+0.5); not counted (not trusted by the DAO): {Account.from_key(keys[9]).address} (erin)"
    ), accuracy
    _, out, _ = cli(None, "--json", "proposal", "show", str(pid))
    review = json.loads(out)
    [artifact] = review["artifacts"]
    first = artifact["evaluations"][0]
    assert sorted(first["candidate_evaluators"]) == sorted([people.carol.address, people.outsider.address])
    check = review["reward_policy"]
    assert (check["tokens_allowed"], check["tokens_paid"]) == (str(54 * 10**18), str(54 * 10**18))  # 50 + 2 x 2
    # the proposal records the policy and the evaluations its reward followed: carol's and dave's of v1 and of v2
    # (erin's does not count, so it is not used)
    [computed] = check["versions"]
    digest = hashlib.sha256(policy.read_bytes()).hexdigest()
    assert len(computed["evaluations"]) == 4
    assert (
        f"\n\nReward computed under the adopted reward policy 0x{digest} from the evaluations "
        f"{', '.join(computed['evaluations'])}.\n\n#proposer=" in review["description"]
    )
    assert (check["merit_allowed"], check["merit_minted"], check["flags"]) == (str(12 * 10**18),) * 2 + ([],)

    # recomputed from another configuration folder: the same proposal, found, nothing sent
    other = tmp_path / "elsewhere"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEAI_GOV_HOME", str(other))
        secret = tmp_path / "alice.key"
        secret.write_text(keys[1])
        assert run("--password-file", str(tiny["password"]), "account", "import", "alice", "--secret-file",
                   str(secret))[0] == 0  # fmt: skip
        _, out, err = cli("alice", "--json", *upgrade)
    assert f"proposal {pid} already exists (pending): nothing sent" in err, err
    assert json.loads(out)["proposal_id"] == pid

    # a proposal paying more than the policy gives is flagged
    greedy = [*upgrade[:-4], "--reward", "400", "--title", "Upgrade acme/story, generously", "--description",
              "Computed under reward policy 0x" + "ab" * 32]  # fmt: skip
    _, out, _ = cli("alice", "--json", *greedy)
    _, shown_greedy, _ = cli(None, "proposal", "show", str(proposal_id(out)))
    assert "flagged: pays 400 from the treasury, above the 54 the policy gives" in shown_greedy
    assert f"its reward was computed under reward policy 0x{'ab' * 8}…, not the adopted one" in shown_greedy

    # executed: the contributors are paid exactly the policy's amount and receive merit
    evaluators = (people.carol.address, people.outsider.address)
    before = {who: token.holding(dao, who) for who in (frank, bob, *evaluators)}
    passed(pid)
    for who, tokens, merit in ((frank, 30, 6), (bob, 20, 4), *((e, 2, 1) for e in evaluators)):
        _, out, _ = cli(None, "--json", "account", "power", who)
        held = json.loads(out)
        merit_gained = int(held["merit"]) - before[who].merit
        gained = int(held["balance"]) - before[who].balance - merit_gained, merit_gained  # the balance holds merit
        assert gained == (tokens * 10**18, merit * 10**18), (who, gained)

    # frank sells every token he can; his merit does not move, and still votes once delegated
    cli("frank", "account", "transfer", "alice", "30")
    code, _, err = run(*tiny["base"], "--account", "frank", "--password-file", str(tiny["password"]), "--yes",
                       "account", "transfer", "alice", "1")  # fmt: skip
    assert code != 0 and "can transfer only 0 tokens (the rest of its balance is merit, which stays with it)" in err
    cli("frank", "account", "delegate", "self")
    _, out, _ = cli(None, "--json", "account", "power", frank)
    assert json.loads(out) | {"delegate": None} == {
        "address": frank, "balance": str(6 * 10**18), "votes": str(6 * 10**18), "delegate": None, "symbol": "MDL",
        "merit": str(6 * 10**18),
    }  # fmt: skip
    _, out, _ = cli("alice", "--json", "proposal", "create", "--title", "Thank the evaluators", "--transfer", "1",
                    "carol")  # fmt: skip
    following = proposal_id(out)
    cli(None, "node", "warp", "61s")
    cli("frank", "proposal", "vote", str(following), "for", "--reason", "merit, not money")
    _, out, _ = cli(None, "--json", "proposal", "votes", str(following))
    [ballot] = json.loads(out)
    assert (ballot["voter"], ballot["support"], ballot["weight"]) == (frank, "for", str(6 * 10**18))
    against, for_, abstain = dao.read("governor", "proposalVotes", following)
    assert (against, for_, abstain) == (0, 6 * 10**18, 0)  # counted in the governor's tally

    # a year on, frank's merit has expired under the policy: anyone burns it, and his say goes with it
    _, out, _ = cli(None, "--json", "account", "merit", frank)
    [grant] = json.loads(out)
    assert grant["amount"] == str(6 * 10**18) and grant["expires_at"] is not None
    code, _, err = run(*tiny["base"], "--account", "dave", "--password-file", str(tiny["password"]), "--yes",
                       "account", "expire-merit", frank, "0")  # fmt: skip
    assert code == 5 and "expires at" in err and "not yet" in err, (code, err)
    cli(None, "node", "warp", "366d")
    cli("dave", "account", "expire-merit", frank, "0")
    _, out, _ = cli(None, "--json", "account", "power", frank)
    assert (json.loads(out)["merit"], json.loads(out)["votes"]) == ("0", "0")
