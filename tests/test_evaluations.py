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
    accuracy = next(line for line in lines if " accuracy (higher is better): " in line)
    assert accuracy.endswith(
        "accuracy (higher is better): 1 by 2 trusted evaluators, against the current version's 0.5 (+0.5)"
    )
    mse = next(line for line in lines if " mse (lower is better): " in line)
    assert mse.endswith("mse (lower is better): 0 by 2 trusted evaluators, against the current version's 0.5 (-0.5)")
    code, out, _ = run(*show, str(good), "--json")
    [artifact] = json.loads(out)["artifacts"]
    first, _ = artifact["evaluations"]
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
        f"flagged: regressed, left out the evaluation by {people.alice.address} (the proposal's proposer)"
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


# ------------------------------------------------------------------ rewards from measured impact


def test_a_reward_follows_the_adopted_policy_from_reproduced_improvement(tiny: dict[str, Any], tmp_path: Path) -> None:
    """v1 measured at 0.5 by two trusted evaluators; a policy adopted by vote (100 tokens and 20 of merit per 1.0 of
    accuracy gained); v2, evaluated before it is proposed at 1 by the same two, is proposed with `--reward auto
    --merit auto`: 50 tokens and 10 of merit, which `proposal show` recomputes and finds within the policy, and
    which an independent recomputation writes byte for byte; a proposal paying more is flagged."""
    from deai_gov.dao import token
    from deai_gov.ipfs.blockcid import to_text
    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.importer import import_bytes
    from deai_gov.ipfs.manifest import Contributor
    from deai_gov.ipfs.stores import EmbeddedStore
    from deai_gov.workflows.rewards import adopted_policy, auto_reward, policy_action

    from .helpers import finish, propose_and_vote

    dao, people = tiny["dao"], tiny["people"]
    evaluators = (people.carol.address, people.outsider.address)
    pass_proposal(dao, people, [reg.evaluator_action(dao, a, True) for a in evaluators], "Trust carol and dave")
    for alias in ("carol", "dave"):
        signer = ["--account", alias, "--password-file", str(tiny["password"]), "--yes"]
        args = ["eval", "run", "acme/tiny-clf", "--benchmark", str(tiny["benchmark"])]
        assert run(*tiny["base"], "--store", str(tiny["store"]), *signer, *args)[0] == 0
    digest = "0x" + hashlib.sha256(tiny["benchmark"].read_bytes()).hexdigest()
    document = json.dumps({
        "schema": "deai-gov/reward-policy/v1",
        "benchmarks": [{"name": "tiny-clf", "version": "1", "harness": digest, "metric": "accuracy",
                        "better": "higher", "weight": "1", "tolerance": "0.01"}],
        "min_evaluators": 2, "tokens_per_unit": "100", "merit_per_unit": "20", "cap_per_version": "500",
    }).encode()  # fmt: skip
    store = EmbeddedStore(tiny["store"])
    policy_cid = to_text(store.import_dag(lambda sink: import_bytes(document, sink).cid))
    folder = tmp_path / "v2"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps({"weights": [1.0, 1.0], "bias": 0.0}))
    bob = [Contributor(people.bob.address, 10_000)]
    v2 = publish(folder, store, name="acme/tiny-clf", version=2, parent_version=1, contributors=bob)
    store.close()
    pass_proposal(dao, people, [policy_action(dao, document, policy_cid)], "Adopt the reward policy")

    # evaluated before anyone proposes it: the candidate artifact, as v2
    for alias in ("carol", "dave"):
        signer = ["--account", alias, "--password-file", str(tiny["password"]), "--yes"]
        args = ["eval", "run", "acme/tiny-clf", "--candidate", v2.artifact_cid, "--candidate-manifest",
                v2.manifest_cid, "--benchmark", str(tiny["benchmark"])]  # fmt: skip
        code, _, err = run(*tiny["base"], "--store", str(tiny["store"]), *signer, *args)
        assert code == 0 and "accuracy 1, mse 0" in err, err
    signer = ["--account", "alice", "--password-file", str(tiny["password"]), "--yes", "--json"]
    code, out, err = run(
        *tiny["base"], "--store", str(tiny["store"]), *signer, "model", "propose", "upgrade", "acme/tiny-clf",
        str(folder), "--contributor", people.bob.address, "--reward", "auto", "--merit", "auto",
    )  # fmt: skip
    assert code == 0, err
    assert "accuracy: 1 against best 0.5: improved" in err and "reward 50 MDL, merit 10 MDL" in err
    pid = json.loads(out)["proposal_id"]

    code, out, err = run(*tiny["base"], "--store", str(tiny["store"]), "--json", "proposal", "show", str(pid))
    check = json.loads(out)["reward_policy"]
    assert (check["tokens_allowed"], check["merit_allowed"]) == (str(50 * 10**18), str(10 * 10**18))
    assert (check["tokens_paid"], check["merit_minted"], check["flags"]) == (str(50 * 10**18), str(10 * 10**18), [])
    # an independent recomputation writes the same calldata, byte for byte
    policy = adopted_policy(dao, [EmbeddedStore(tiny["store"])])
    assert policy is not None
    not_independent = {people.alice.address.lower(): "the proposer", people.bob.address.lower(): "a contributor"}
    again = auto_reward(dao, policy, "acme/tiny-clf", 2, v2.artifact_cid, not_independent)
    expected = [token.reward_action(dao, people.bob.address, again.tokens),
                token.merit_action(dao, people.bob.address, again.merit, "acme/tiny-clf v2")]  # fmt: skip
    actions = gov.get_proposal(dao, pid)[0].actions
    assert [a.calldata for a in actions[1:]] == [a.calldata for a in expected]

    # a proposal paying more than the policy gives is flagged
    greedy = [reg.upgrade_action(dao, "acme/tiny-clf", v2.artifact_cid, v2.manifest_cid, people.bob.address),
              token.reward_action(dao, people.bob.address, 400 * 10**18)]  # fmt: skip
    greedy_id = propose_and_vote(dao, people, greedy, "Upgrade acme/tiny-clf, generously")
    code, out, _ = run(*tiny["base"], "--store", str(tiny["store"]), "proposal", "show", str(greedy_id))
    assert "flagged: pays 400 from the treasury, above the 50 the policy gives" in out

    # executed: bob is paid exactly the policy's amount and receives its merit
    before = token.holding(dao, people.bob.address)
    from deai_gov.dao import governance

    send(dao.chain, people.alice, governance.vote(dao, pid, governance.Support.FOR))
    finish(dao, people, pid)
    after = token.holding(dao, people.bob.address)
    assert (after.balance - before.balance, after.merit - before.merit) == (60 * 10**18, 10 * 10**18)
