"""Read-path scale benchmark: `proposal list`, `model list`, `model show` and `model versions` at growing sizes.

One anvil node holds three data sets, each grown in place from one size to the next (only the growth is sent):

- **proposals**: a DAO deployed with `deai_gov.dao.deploy.deploy_dao` (one holder with all the votes, threshold
  1 token, voting delay 1 s, voting period 7 days); the holder delegates to itself, then submits N proposals,
  each registering a different model (`Register bench/p-<i> v1`, description ending with `#proposer=`);
- **wide registry**: a separate `ModelRegistry` owned by a benchmark account (so no vote is needed to write
  it) holding M models of 10 versions each (a register and 9 upgrades per model);
- **deep registry**: another separate `ModelRegistry` with one model, `bench/deep-model`, upgraded to V versions.

Each registry is read through a copy of the DAO's deployment record whose `registry` address points at it, as
`--deployment FILE` for the CLI. Populating is not what is measured: transactions are sent from anvil's
unlocked accounts as JSON-RPC batches of `eth_sendTransaction` with explicit nonces while automine is off, then
mined with `evm_mine` (base fee pinned to 1 gwei) until the pool is empty, about 1,000 transactions a second.
Every data set is checked (counts on chain, and the rows the commands print) so a figure cannot come from a
command that read nothing.

For every command and size the benchmark times:

- **CLI**: `python -m deai_gov --rpc-url URL --deployment FILE <command> --json` as a fresh process (what users
  run: interpreter start and imports included), median of `--repeat` runs (a single run past 5 s);
- **in-process**: the same command through click's `CliRunner` in this process (connection, `Dao.attach`,
  reads and JSON output; no interpreter start), median of `--repeat` runs (a single run past 5 s), with the
  JSON-RPC requests it makes counted by method;
- **library**: the library calls the command makes: `governance.list_proposals`, `registry.list_models`,
  `registry.get_model` + `list_versions`, `registry.list_versions`; for `proposal list` its `ProposalCreated`
  log query (`logs.iter_logs`) is also timed alone, the rest being the state reads.

Goals: the CLI stays under 2 s at 1,000 items (proposals; models holding 10,000 versions; versions of one
model), and the in-process time grows linearly or better:
t(10x) / t(x) <= 10x for ten times the data, with 20% allowed for noise (a quadratic path would show ~100x).
The ratio of the CLI times is shown as well; it is smaller since the interpreter start (the `startup` figure:
`model list` on an empty registry, ~1 s) is a constant.

Usage:
    python benchmarks/scale.py [--rpc-url URL] [--json] [--large] [--profile [COMMANDS]]
        [--proposals 100,1000] [--models 100,1000] [--versions 100,1000,10000] [--repeat 3]

`--large` adds the 10,000-proposal and 10,000-model (100,000 versions) points. `--profile` runs the largest size
of every command (or of those named: `--profile "proposal list,model list"`) once more under cProfile and prints
where the time goes (the profiler roughly doubles the time). With `--rpc-url` the node must be a plain anvil
(unlocked default accounts, `evm_mine`, `anvil_setNextBlockBaseFeePerGas`). The exit status is 0 even when a
goal fails; failures are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import hashlib
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak
from runner import run_benchmark

from deai_gov.chain.client import Chain, PreparedTx, connect, send
from deai_gov.chain.logs import iter_logs
from deai_gov.contracts.abi import encode_deployment
from deai_gov.dao import governance, registry, token
from deai_gov.dao.deploy import DAY, TOKEN, DaoParams, Deployment, deploy_dao
from deai_gov.dao.deployed import Dao
from deai_gov.dev.devnet import Anvil, advance_time, anvil_dev_keys
from deai_gov.names import model_id

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 2.0
# Where the 2 s goal applies: 1,000 proposals; 1,000 models (10,000 versions); one model with 1,000 versions.
# Larger sizes are measured to show how the time grows.
GOAL_SIZE = 1_000
GROWTH_GOAL = 10.0  # t(10x) / t(x): linear or better
#: A linear command measures anywhere around 10x per 10x on a busy 2-core machine; a quadratic one ~100x.
GROWTH_TOLERANCE = 1.2
VERSIONS_PER_MODEL = 10
DEEP_MODEL = "bench/deep-model"
SEND_CHUNK = 2_000  # transactions in the pool at once (sent as JSON-RPC batches of BATCH)
BATCH = 500
BASE_FEE = 10**9
TX_FEES = {"maxFeePerGas": hex(20 * 10**9), "maxPriorityFeePerGas": hex(10**9)}
GAS = {"propose": 1_000_000, "register": 400_000, "upgrade": 300_000}
REPEAT_CUTOFF = 5.0  # seconds: a run slower than this is not repeated

SELECTORS = {
    "propose": keccak(text="propose(address[],uint256[],bytes[],string)")[:4],
    "register": keccak(text="register(string,bytes,bytes,address)")[:4],
    "upgrade": keccak(text="upgrade(bytes32,bytes,bytes,address)")[:4],
}

#: The commands measured, in table order (`model show` and `model versions` read the same data set).
COMMANDS = ("proposal list", "model list", "model show", "model versions")


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def binary_cid(seed: str, codec: int = 0x55) -> bytes:
    """A 36-byte binary CIDv1 (raw codec, sha2-256) derived from `seed`."""
    return bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(seed.encode()).digest()


# ----------------------------------------------------------------------------- raw JSON-RPC and pipelined writes


class Rpc:
    """A minimal JSON-RPC client for batches (web3 is used for everything that is measured)."""

    def __init__(self, url: str) -> None:
        import requests

        self.url = url
        self.session = requests.Session()

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Results of `calls`, in order; RuntimeError on the first error."""
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        import requests

        try:
            answers = self.session.post(self.url, json=body, timeout=300).json()
        except requests.RequestException as exc:
            raise RuntimeError(f"JSON-RPC batch of {len(calls)} calls to {self.url} failed: {exc}") from None
        if isinstance(answers, dict):  # the whole batch was refused
            raise RuntimeError(f"JSON-RPC batch refused: {answers.get('error')}")
        answers.sort(key=lambda a: a["id"])
        errors = [a["error"] for a in answers if "error" in a]
        if errors:
            raise RuntimeError(f"{len(errors)} of {len(calls)} JSON-RPC calls failed, first: {errors[0]}")
        return [a["result"] for a in answers]

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, list(params))])[0]


@dataclass
class Writer:
    """Sends transactions from one of anvil's unlocked accounts many at a time, and mines them."""

    rpc: Rpc
    sender: str
    sent: int = 0
    seconds: float = 0.0

    def send_all(self, transactions: Iterable[tuple[str, bytes, int]]) -> None:
        """Send every (to, calldata, gas) and mine until none is pending; nonces are consecutive."""
        start = time.perf_counter()
        nonce = int(self.rpc.call("eth_getTransactionCount", self.sender, "pending"), 16)
        self.rpc.call("evm_setAutomine", False)
        try:
            chunk: list[tuple[str, list[Any]]] = []
            for to, data, gas in transactions:
                tx = {"from": self.sender, "to": to, "data": "0x" + data.hex(), "gas": hex(gas), "nonce": hex(nonce)}
                chunk.append(("eth_sendTransaction", [tx | TX_FEES]))
                nonce += 1
                if len(chunk) == SEND_CHUNK:
                    self._flush(chunk)
                    chunk = []
            if chunk:
                self._flush(chunk)
        finally:
            self.rpc.call("evm_setAutomine", True)
        self.seconds += time.perf_counter() - start

    def _flush(self, chunk: list[tuple[str, list[Any]]]) -> None:
        for i in range(0, len(chunk), BATCH):
            self.rpc.batch(chunk[i : i + BATCH])
        self.sent += len(chunk)
        self.mine_pending()

    def mine_pending(self) -> None:
        """Mine blocks (each up to the gas limit, base fee pinned) until the pool is empty."""
        stuck = 0
        while True:
            pool = self.rpc.call("txpool_status")
            waiting = int(pool["pending"], 16) + int(pool["queued"], 16)
            if waiting == 0:
                return
            if int(pool["pending"], 16) == 0:
                stuck += 1
                if stuck > 3:
                    raise RuntimeError(f"{waiting} transactions stay queued (nonce gap?)")
            self.rpc.batch([("anvil_setNextBlockBaseFeePerGas", [hex(BASE_FEE)]), ("evm_mine", [])])


# ----------------------------------------------------------------------------- data sets


@dataclass
class Datasets:
    """The three data sets and how far each has been grown."""

    chain: Chain
    rpc: Rpc
    workdir: Path
    dao: Dao
    proposer: str
    wide: Dao
    deep: Dao
    records: dict[str, Path]
    proposals: int = 0
    models: int = 0
    deep_versions: int = 0
    writers: dict[str, Writer] = field(default_factory=dict)
    setup_seconds: float = 0.0


def deploy_registry(chain: Chain, owner: Any) -> str:
    """A ModelRegistry owned by `owner` (no guardian), as `deploy_dao` deploys it for the timelock."""
    data = encode_deployment("ModelRegistry", (owner.address, "0x" + "00" * 20))
    return str(send(chain, owner, PreparedTx(None, data, "deploy ModelRegistry")).receipt["contractAddress"])


def with_registry(deployment: Deployment, address: str) -> Deployment:
    """A copy of the DAO's record whose registry is `address`."""
    return dataclasses.replace(deployment, addresses={**deployment.addresses, "registry": address})


def setup(chain: Chain, url: str, keys: list[str], workdir: Path) -> Datasets:
    """Deploy the DAO (the proposer holds every vote) and the two benchmark registries; write their records."""
    start = time.perf_counter()
    deployer, proposer, wide_owner, deep_owner = (Account.from_key(k) for k in keys[:4])
    log("deploying the DAO and two benchmark registries")
    params = DaoParams(
        holders={proposer.address: 1_000_000 * TOKEN},
        treasury=1_000_000 * TOKEN,
        proposal_threshold=1 * TOKEN,
        quorum_percent=4,
        voting_delay=1,
        voting_period=7 * DAY,
        late_quorum_extension=DAY,
        timelock_delay=60,
    )
    deployment = deploy_dao(chain, deployer, params)
    dao = Dao.attach(chain, deployment)
    send(dao.chain, proposer, token.delegate(dao, proposer.address))
    advance_time(chain, 2)  # the votes must be checkpointed before the clock the proposals read them at
    # Registries owned by a benchmark account, not the timelock: custom deployments, attached as such.
    wide = Dao.attach(chain, with_registry(deployment, deploy_registry(chain, wide_owner)), custom=True)
    deep = Dao.attach(chain, with_registry(deployment, deploy_registry(chain, deep_owner)), custom=True)
    records = {"dao": workdir / "dao.json", "wide": workdir / "wide.json", "deep": workdir / "deep.json"}
    for key, which in (("dao", dao), ("wide", wide), ("deep", deep)):
        which.deployment.save(records[key])
    rpc = Rpc(url)
    writers = {
        "proposals": Writer(rpc, proposer.address),
        "wide": Writer(rpc, wide_owner.address),
        "deep": Writer(rpc, deep_owner.address),
    }
    return Datasets(
        chain, rpc, workdir, dao, proposer.address, wide, deep, records, writers=writers,
        setup_seconds=time.perf_counter() - start,
    )  # fmt: skip


def proposal_description(i: int, proposer: str) -> str:
    return governance.with_proposer_suffix(
        f"# Register bench/p-{i} v1\n\nBenchmark proposal {i}: registers a model nobody will vote on.", proposer
    )


def proposal_parts(data: Datasets, i: int) -> tuple[list[str], list[int], list[bytes], str]:
    """(targets, values, calldatas, description) of benchmark proposal `i`: it registers its own model."""
    name = f"bench/p-{i}"
    register = SELECTORS["register"] + abi_encode(
        ["string", "bytes", "bytes", "address"],
        [name, binary_cid(f"{name}/artifact", 0x70), binary_cid(f"{name}/manifest"), data.proposer],
    )
    return [data.dao.address("registry")], [0], [register], proposal_description(i, data.proposer)


def propose_transactions(data: Datasets, start: int, end: int) -> Iterator[tuple[str, bytes, int]]:
    """Proposals start+1..end (different descriptions, so each gets its own id)."""
    for i in range(start + 1, end + 1):
        calldata = SELECTORS["propose"] + abi_encode(
            ["address[]", "uint256[]", "bytes[]", "string"], list(proposal_parts(data, i))
        )
        yield data.dao.address("governor"), calldata, GAS["propose"]


def upgrade_call(name: str, version: int, contributor: str) -> bytes:
    return SELECTORS["upgrade"] + abi_encode(
        ["bytes32", "bytes", "bytes", "address"],
        [
            model_id(name),
            binary_cid(f"{name}@{version}", 0x70),
            binary_cid(f"{name}@{version}/m"),
            contributor,
        ],
    )


def register_call(name: str, contributor: str) -> bytes:
    return SELECTORS["register"] + abi_encode(
        ["string", "bytes", "bytes", "address"],
        [name, binary_cid(f"{name}@1", 0x70), binary_cid(f"{name}@1/m"), contributor],
    )


def model_transactions(data: Datasets, start: int, end: int) -> Iterator[tuple[str, bytes, int]]:
    """Models start..end-1 of the wide registry, each registered then upgraded to VERSIONS_PER_MODEL versions."""
    owner, address = data.writers["wide"].sender, data.wide.address("registry")
    for i in range(start, end):
        name = f"bench/model-{i:05d}"
        yield address, register_call(name, owner), GAS["register"]
        for version in range(2, VERSIONS_PER_MODEL + 1):
            yield address, upgrade_call(name, version, owner), GAS["upgrade"]


def deep_transactions(data: Datasets, start: int, end: int) -> Iterator[tuple[str, bytes, int]]:
    """Versions start+1..end of the deep registry's only model."""
    owner, address = data.writers["deep"].sender, data.deep.address("registry")
    for version in range(start + 1, end + 1):
        if version == 1:
            yield address, register_call(DEEP_MODEL, owner), GAS["register"]
        else:
            yield address, upgrade_call(DEEP_MODEL, version, owner), GAS["upgrade"]


def grow(data: Datasets, command: str, size: int) -> None:
    """Grow the data set `command` reads to `size` and check it on chain."""
    if command == "proposal list":
        data.writers["proposals"].send_all(propose_transactions(data, data.proposals, size))
        data.proposals = size
        if int(data.dao.read("governor", "getProposalId", *proposal_args(data, size))) != size:
            raise RuntimeError(f"proposal {size} is missing after populating")
    elif command == "model list":
        data.writers["wide"].send_all(model_transactions(data, data.models, size))
        data.models = size
        count = int(data.wide.read("registry", "modelCount"))
        last = registry.get_model(data.wide, f"bench/model-{size - 1:05d}")
        if count != size or last.latest_version != VERSIONS_PER_MODEL:
            raise RuntimeError(f"wide registry holds {count} models (last at v{last.latest_version}), not {size}")
    else:
        data.writers["deep"].send_all(deep_transactions(data, data.deep_versions, size))
        data.deep_versions = size
        latest = registry.get_model(data.deep, DEEP_MODEL).latest_version
        if latest != size:
            raise RuntimeError(f"{DEEP_MODEL} has {latest} versions, not {size}")


def proposal_args(data: Datasets, i: int) -> tuple[Any, ...]:
    """(targets, values, calldatas, descriptionHash) of benchmark proposal `i`, to look its id up."""
    targets, values, calldatas, description = proposal_parts(data, i)
    return targets, values, calldatas, keccak(text=description)


# ----------------------------------------------------------------------------- measurements


def cli_arguments(data: Datasets, url: str, command: str) -> list[str]:
    record = data.records[{"proposal list": "dao", "model list": "wide"}.get(command, "deep")]
    extra = [DEEP_MODEL] if command in ("model show", "model versions") else []
    custom = ["--custom-deployment"] if record != data.records["dao"] else []
    return ["--rpc-url", url, "--deployment", str(record), *custom, *command.split(), *extra, "--json"]


def clean_env() -> dict[str, str]:
    """This environment without DEAI_GOV_* settings, with the project on PYTHONPATH, and no log index: these
    figures are for reading the chain itself (the provider section measures the index)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEAI_GOV_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["DEAI_GOV_NO_INDEX"] = "1"
    return env


def run_subprocess(arguments: list[str]) -> tuple[float, Any]:
    """Seconds of `python -m deai_gov ARGS` in a fresh process, and its JSON output."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "deai_gov", *arguments], cwd=ROOT, env=clean_env(), capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"deai-gov {' '.join(arguments)} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, json.loads(done.stdout)


@contextlib.contextmanager
def counting_requests() -> Iterator[Counter[str]]:
    """Count the JSON-RPC requests sent by method (a batch counts each request in it), through web3's
    HTTPProvider and through the plain client of the read paths (`deai_gov.chain.rpc.JsonRpc`)."""
    from web3 import HTTPProvider

    from deai_gov.chain.rpc import JsonRpc

    counts: Counter[str] = Counter()
    single: Any = HTTPProvider._make_request
    batch: Any = HTTPProvider.make_batch_request
    plain: Any = JsonRpc._post

    def counted_single(self: Any, method: str, request_data: bytes) -> Any:
        counts[method] += 1
        counts["HTTP round trips"] += 1
        return single(self, method, request_data)

    def counted_batch(self: Any, requests: list[tuple[str, Any]]) -> Any:
        counts.update(method for method, _ in requests)
        counts["HTTP round trips"] += 1
        return batch(self, requests)

    def counted_plain(self: Any, payload: Any) -> Any:
        counts.update(item["method"] for item in (payload if isinstance(payload, list) else [payload]))
        counts["HTTP round trips"] += 1
        return plain(self, payload)

    HTTPProvider._make_request = counted_single  # type: ignore[method-assign,assignment]
    HTTPProvider.make_batch_request = counted_batch  # type: ignore[method-assign,assignment]
    JsonRpc._post = counted_plain  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        HTTPProvider._make_request = single  # type: ignore[method-assign]
        HTTPProvider.make_batch_request = batch  # type: ignore[method-assign]
        JsonRpc._post = plain  # type: ignore[method-assign]


def run_in_process(
    arguments: list[str], profiler: cProfile.Profile | None = None, *, home: Path | None = None
) -> tuple[float, Any, Counter[str]]:
    """Seconds of the command through click's CliRunner in this process, its JSON output and its requests. Without
    a configuration `home` there is no log index (the chain itself is read); with one, its index is used."""
    from click.testing import CliRunner

    from deai_gov.cli import main as cli

    runner = CliRunner()
    env: Any = {k: None for k in os.environ if k.startswith("DEAI_GOV_")}
    env.update({"DEAI_GOV_HOME": str(home)} if home is not None else {"DEAI_GOV_NO_INDEX": "1"})
    with counting_requests() as counts:
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        try:
            result = runner.invoke(cli, arguments, env=env, catch_exceptions=False)
        finally:
            if profiler is not None:
                profiler.disable()
        seconds = time.perf_counter() - start
    if result.exit_code != 0:
        raise RuntimeError(f"deai-gov {' '.join(arguments)} failed in process ({result.exit_code}): {result.output}")
    return seconds, json.loads(result.stdout), counts


def library_times(data: Datasets, command: str) -> dict[str, float]:
    """Seconds of the library calls behind `command` (for proposal list: also its log query alone)."""
    start = time.perf_counter()
    if command == "proposal list":
        dao = data.dao
        found = len(governance.list_proposals(dao))
        middle = time.perf_counter()
        wanted = {"proposalId", "proposer", "description"}
        governor = dao.address("governor")
        list(
            iter_logs(
                dao.chain, "ModelGovernor", governor, "ProposalCreated", from_block=dao.deployment.block, fields=wanted
            )
        )
        logs = time.perf_counter() - middle
        if found != data.proposals:
            raise RuntimeError(f"library read {found} proposals, not {data.proposals}")
        return {"total": middle - start, "logs": logs, "states": middle - start - logs}
    if command == "model list":
        found = len(registry.list_models(data.wide))
    elif command == "model show":
        registry.get_model(data.deep, DEEP_MODEL)
        found = len(registry.list_versions(data.deep, DEEP_MODEL))
    else:
        found = len(registry.list_versions(data.deep, DEEP_MODEL))
    return {"total": time.perf_counter() - start, "rows": found}


def rows_of(command: str, output: Any) -> int:
    """How many items the command printed."""
    return len(output["versions"]) if command == "model show" else len(output)


def expected_rows(data: Datasets, command: str) -> int:
    return {"proposal list": data.proposals, "model list": data.models}.get(command, data.deep_versions)


def measure(data: Datasets, url: str, command: str, repeat: int) -> dict[str, Any]:
    """CLI (fresh processes), in-process CLI and library times of `command` on the current data set."""
    arguments = cli_arguments(data, url, command)
    want = expected_rows(data, command)
    in_process, output, counts = run_in_process(arguments)
    if rows_of(command, output) != want:
        raise RuntimeError(f"{command} printed {rows_of(command, output)} rows in process, expected {want}")
    in_process_runs = [in_process]
    while len(in_process_runs) < repeat and in_process_runs[-1] <= REPEAT_CUTOFF:
        in_process_runs.append(run_in_process(arguments)[0])
    library = library_times(data, command)
    cli_runs: list[float] = []
    for _ in range(repeat):
        seconds, output = run_subprocess(arguments)
        if rows_of(command, output) != want:
            raise RuntimeError(f"{command} printed {rows_of(command, output)} rows, expected {want}")
        cli_runs.append(seconds)
        if seconds > REPEAT_CUTOFF:
            break
    round_trips = counts.pop("HTTP round trips", 0)
    return {
        "size": want,
        "cli_seconds": round(statistics.median(cli_runs), 3),
        "cli_runs": [round(s, 3) for s in cli_runs],
        "in_process_seconds": round(statistics.median(in_process_runs), 3),
        "in_process_runs": [round(s, 3) for s in in_process_runs],
        "library_seconds": {k: round(v, 3) if isinstance(v, float) else v for k, v in library.items()},
        "rpc_requests": dict(counts.most_common()),
        "http_round_trips": round_trips,
    }


PROFILED = r"deai_gov|web3|eth_abi|eth_utils|requests|urllib3|http|socket|multiformats|json"


def profile_command(data: Datasets, url: str, command: str, top: int) -> str:
    """cProfile of one in-process run of `command`: the top library functions by cumulative and by own time."""
    import sysconfig

    profiler = cProfile.Profile()
    run_in_process(cli_arguments(data, url, command), profiler)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(PROFILED, top)
    stats.sort_stats("tottime").print_stats(top // 2)
    report = text.getvalue()
    for prefix in (sysconfig.get_paths()["purelib"] + "/", sysconfig.get_paths()["stdlib"] + "/", f"{ROOT}/"):
        report = report.replace(prefix, "")
    return "\n".join(line for line in report.splitlines() if line.strip())


# ----------------------------------------------------------------------------- the run


PROVIDER_LIMITS = {"max_range": 100, "max_results": 1_000, "busy_every": 25}
PROVIDER_GOAL = 1.5  # second run through the provider, with the index, against the short chain without limits
APPROVED_MODEL = "bench/approved"


def pass_registration(data: Datasets) -> str:
    """Register APPROVED_MODEL by a vote that passes (propose, vote, queue, execute): what `model approval` finds."""
    from deai_gov.dao import governance as gov
    from deai_gov.dao.registry import register_action

    proposer = Account.from_key(anvil_dev_keys()[1])
    assert proposer.address == data.proposer
    action = register_action(data.dao, APPROVED_MODEL, text_cid("approved"), text_cid("approved-m"), proposer.address)
    proposal = gov.build_proposal(data.dao, proposer.address, [action], f"# Register {APPROVED_MODEL}")
    pid = int(send(data.chain, proposer, gov.propose(data.dao, proposal)).outcome)
    advance_time(data.chain, 2)
    send(data.chain, proposer, gov.vote(data.dao, pid, gov.Support.FOR))
    advance_time(data.chain, 7 * DAY + 1)
    send(data.chain, proposer, gov.queue(data.dao, pid))
    advance_time(data.chain, 61)
    send(data.chain, proposer, gov.execute(data.dao, pid))
    return APPROVED_MODEL


def text_cid(seed: str) -> str:
    from deai_gov.ipfs.blockcid import to_text

    return to_text(binary_cid(seed))


def provider_section(data: Datasets, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """`proposal list` (at the proposals data set's size) and `model approval`: on the chain as it is, through the
    provider stand-in without limits and without the index (the reference: the same loopback hop); then, once the
    chain is `--long-blocks` longer, through it imposing limits (PROVIDER_LIMITS: a range of 100 blocks, 1,000
    results, a 429 in 25 requests) with the log index: the first run (the index empty) and the second (filled)."""
    sys.path.insert(0, str(ROOT))
    from tests.provider import serve_provider

    log("provider: one registration passed by vote, for `model approval`")
    name = pass_registration(data)
    commands = {
        "proposal list": ["proposal", "list", "--json"],
        "model approval": ["model", "approval", name, "--json"],
    }
    record = ["--deployment", str(data.records["dao"])]
    rows: dict[str, dict[str, Any]] = {}
    with serve_provider(url) as unlimited:  # the same hop as the provider's, without its limits
        for command, words in commands.items():
            before = unlimited.requests
            runs = [run_in_process(["--rpc-url", unlimited.url, *record, *words])[0] for _ in range(args.repeat)]
            rows[command] = {
                "reference_seconds": round(statistics.median(runs), 3),
                "reference_requests": (unlimited.requests - before) // args.repeat,
            }
    log(f"provider: mining {args.long_blocks:,} empty blocks (a long history to read)")
    start = time.perf_counter()
    for done in range(0, args.long_blocks, 1_000):
        data.chain.request("anvil_mine", [hex(min(1_000, args.long_blocks - done))])
    mined = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="deai-gov-index-") as home, serve_provider(url, **PROVIDER_LIMITS) as proxy:
        for command, words in commands.items():
            for run_name in ("first", "second"):
                before = (proxy.requests, proxy.methods.get("eth_getLogs", 0), proxy.busy)
                seconds, output, _ = run_in_process(["--rpc-url", proxy.url, *record, *words], home=Path(home))
                rows[command][run_name] = {
                    "seconds": round(seconds, 3),
                    "requests": proxy.requests - before[0],
                    "get_logs": proxy.methods.get("eth_getLogs", 0) - before[1],
                    "busy": proxy.busy - before[2],
                }
            if command == "proposal list" and len(output) != data.proposals + 1:
                raise RuntimeError(f"proposal list printed {len(output)} rows, expected {data.proposals + 1}")
    for row in rows.values():
        row["ratio"] = round(row["second"]["seconds"] / row["reference_seconds"], 2)
        row["pass"] = row["ratio"] <= PROVIDER_GOAL
    return {
        "limits": PROVIDER_LIMITS,
        "long_blocks": args.long_blocks,
        "mining_seconds": round(mined, 1),
        "blocks": data.chain.block_number(),
        "rows": rows,
    }


def sizes_for(args: argparse.Namespace) -> dict[str, list[int]]:
    proposals, models = list(args.proposals), list(args.models)
    if args.large:
        proposals = sorted({*proposals, 10_000})
        models = sorted({*models, 10_000})
    return {"proposal list": proposals, "model list": models, "model show": list(args.versions)}


def run_node(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Grow every data set size by size and measure its command(s); return the raw figures."""
    chain = connect(url, timeout=300)
    sizes = sizes_for(args)
    results: dict[str, list[dict[str, Any]]] = {command: [] for command in COMMANDS}
    profiles: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="deai-gov-scale-") as scratch:
        data = setup(chain, url, anvil_dev_keys(), Path(scratch))
        log("startup: model list on an empty registry")
        run_in_process(cli_arguments(data, url, "model list"))  # warm caches (artifacts) in this process
        startup = [run_subprocess(cli_arguments(data, url, "model list"))[0] for _ in range(max(args.repeat, 1))]
        for command, command_sizes in sizes.items():
            readers = ["model show", "model versions"] if command == "model show" else [command]
            for size in command_sizes:
                log(f"{command}: growing to {size:,}")
                grow(data, command, size)
                for reader in readers:
                    log(f"{reader}: measuring at {size:,}")
                    results[reader].append(measure(data, url, reader, args.repeat))
            if args.profile:
                for reader in (r for r in readers if "all" in args.profile or r in args.profile):
                    log(f"{reader}: profiling at {command_sizes[-1]:,}")
                    profiles[reader] = profile_command(data, url, reader, args.profile_top)
        provider = provider_section(data, url, args) if args.provider else None
        population: dict[str, dict[str, Any]] = {
            "proposals": {"items": data.proposals, "transactions": data.writers["proposals"].sent},
            "wide registry": {"items": data.models, "transactions": data.writers["wide"].sent},
            "deep registry": {"items": data.deep_versions, "transactions": data.writers["deep"].sent},
        }
        for key, writer in (("proposals", "proposals"), ("wide registry", "wide"), ("deep registry", "deep")):
            population[key]["seconds"] = round(data.writers[writer].seconds, 1)
        return {
            "node": str(chain.w3.client_version),
            "blocks": int(chain.w3.eth.block_number),
            "startup_seconds": round(statistics.median(startup), 3),
            "setup_seconds": round(data.setup_seconds, 1),
            "population": population,
            "results": results,
            "profiles": profiles,
            "provider": provider,
        }


def with_ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with t(size)/t(previous size) for the CLI and in-process times (None on the first row)."""
    previous = None
    for row in rows:
        for key in ("cli", "in_process"):
            row[f"{key}_ratio"] = (
                None if previous is None else round(row[f"{key}_seconds"] / previous[f"{key}_seconds"], 2)
            )
        row["size_ratio"] = None if previous is None else round(row["size"] / previous["size"], 2)
        previous = row
    return rows


def verdicts(command: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The 2 s goal at the goal size (or the largest below it), and linear growth of the in-process time."""
    largest = [r for r in rows if r["size"] <= GOAL_SIZE][-1] if rows[0]["size"] <= GOAL_SIZE else rows[0]
    growth = [(r["in_process_ratio"], r["size_ratio"]) for r in rows if r["in_process_ratio"] is not None]
    worst = max((t / s * GROWTH_GOAL for t, s in growth), default=None)  # normalised to a 10x step
    return {
        "command": command,
        "largest": largest["size"],
        "cli_seconds": largest["cli_seconds"],
        "under_goal": largest["cli_seconds"] <= GOAL_SECONDS,
        "worst_growth_per_10x": None if worst is None else round(worst, 2),
        "linear": worst is None or worst <= GROWTH_GOAL * GROWTH_TOLERANCE,
    }


def build_report(node: dict[str, Any], runtime: float) -> dict[str, Any]:
    commands = {command: with_ratios(rows) for command, rows in node["results"].items() if rows}
    checks = [verdicts(command, rows) for command, rows in commands.items()]
    failed = [c["command"] for c in checks if not (c["under_goal"] and c["linear"])]
    if node["provider"]:
        failed += [f"{c} through a provider" for c, row in node["provider"]["rows"].items() if not row["pass"]]
    return {
        "node": node["node"],
        "blocks": node["blocks"],
        "startup_seconds": node["startup_seconds"],
        "setup_seconds": node["setup_seconds"],
        "population": node["population"],
        "commands": commands,
        "goals": checks,
        "goals_met": not failed,
        "failed": failed,
        "profiles": node["profiles"],
        "provider": node["provider"],
        "runtime_seconds": round(runtime, 1),
    }


def ratio_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def rpc_text(row: dict[str, Any]) -> str:
    requests = row["rpc_requests"]
    total = sum(requests.values())
    top = ", ".join(f"{method} {count:,}" for method, count in list(requests.items())[:2])
    return f"{total:,} ({top})"


def print_report(report: dict[str, Any]) -> None:
    print(f"Read path at scale on {report['node']} ({report['blocks']:,} blocks)")
    print(f"CLI = python -m deai_gov ... --json in a fresh process (median); startup alone "
          f"(model list, empty registry): {report['startup_seconds']:.2f} s\n")  # fmt: skip
    header = (
        f"{'command':<15} {'size':>7} {'CLI s':>7} {'ratio':>7} {'in-proc s':>10} {'ratio':>7} {'ms/item':>8} "
        f"{'library s':>10}"
    )
    print(f"{header}  RPC requests in process")
    for command, rows in report["commands"].items():
        for row in rows:
            library = row["library_seconds"]
            print(
                f"{command:<15} {row['size']:>7,} {row['cli_seconds']:>7.2f} {ratio_text(row['cli_ratio']):>7} "
                f"{row['in_process_seconds']:>10.3f} {ratio_text(row['in_process_ratio']):>7} "
                f"{1000 * row['in_process_seconds'] / row['size']:>8.2f} "
                f"{library['total']:>10.3f}  {rpc_text(row)}"
            )
            if "logs" in library:
                print(f"{'':<15} {'':>7} {'':>7} {'':>7} {'':>10} {'':>7} {'':>8}   (logs {library['logs']:.3f} s, "
                      f"states and the rest {library['states']:.3f} s)")  # fmt: skip
    print("\nsizes: proposals; models (10 versions each); versions of one model")
    print(
        f"goals: CLI <= {GOAL_SECONDS:.0f} s at {GOAL_SIZE:,} items; in-process time grows linearly or better "
        f"(<= {GROWTH_GOAL * GROWTH_TOLERANCE:.0f}x per 10x: {GROWTH_GOAL:.0f}x plus "
        f"{GROWTH_TOLERANCE - 1:.0%} for noise)\n"
    )
    for check in report["goals"]:
        growth = check["worst_growth_per_10x"]
        print(
            f"  {check['command']:<15} {check['largest']:>7,}: CLI {check['cli_seconds']:.2f} s "
            f"{'PASS' if check['under_goal'] else 'FAIL'}; growth "
            + ("-" if growth is None else f"{growth:.2f}x per 10x ")
            + ("PASS" if check["linear"] else "FAIL")
        )
    verdict = "all goals met" if report["goals_met"] else "FAILED: " + ", ".join(report["failed"])
    print(
        f"\n{len(report['goals']) - len(report['failed'])}/{len(report['goals'])} commands meet both goals; {verdict}"
    )
    print("\nPopulating (not measured above): setup (DAO, delegation, two registries) "
          f"{report['setup_seconds']:.1f} s")  # fmt: skip
    for name, figures in report["population"].items():
        rate = figures["transactions"] / figures["seconds"] if figures["seconds"] else 0
        print(
            f"  {name:<14} {figures['items']:>7,} items, {figures['transactions']:>7,} transactions "
            f"in {figures['seconds']:>6.1f} s ({rate:,.0f} tx/s)"
        )
    provider = report.get("provider")
    if provider:
        limits = provider["limits"]
        print(
            f"\nThrough a provider (ranges of {limits['max_range']} blocks, {limits['max_results']} results, a 429 in "
            f"{limits['busy_every']} requests) after {provider['long_blocks']:,} more blocks "
            f"({provider['blocks']:,} in all), with the log index; reference: the chain before, without limits or index"
        )
        print(f"{'command':<15} {'reference':>18}  {'first run':>28}  {'second run':>28}  {'ratio':>6}")
        for command, row in provider["rows"].items():
            first, second = row["first"], row["second"]
            print(
                f"{command:<15} {row['reference_seconds']:>6.3f} s {row['reference_requests']:>4} req  "
                f"{first['seconds']:>6.2f} s {first['requests']:>4} req {first['get_logs']:>4} logs  "
                f"{second['seconds']:>6.2f} s {second['requests']:>4} req {second['get_logs']:>4} logs  "
                f"{row['ratio']:>5.2f}x {'PASS' if row['pass'] else 'FAIL'} (goal <= {PROVIDER_GOAL}x)"
            )
    for command, text in report["profiles"].items():
        print(f"\nProfile of {command} at its largest size (in process, cProfile)\n{text}")
    print(f"\nbenchmark ran in {report['runtime_seconds']:.0f} s")


def size_list(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of sizes like 100,1000") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rpc-url", help="a plain anvil to use instead of starting one")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--proposals", type=size_list, default=[100, 1_000], help="proposal counts (100,1000)")
    parser.add_argument("--models", type=size_list, default=[100, 1_000], help="model counts (100,1000)")
    parser.add_argument(
        "--versions", type=size_list, default=[100, 1_000, 10_000], help="versions of one model (100,1000,10000)"
    )
    parser.add_argument("--large", action="store_true", help="add 10,000 proposals and 10,000 models")
    parser.add_argument("--repeat", type=int, default=3, help="CLI runs per point, median (default 3)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="all",
        type=lambda text: [part.strip() for part in text.split(",")],
        help="cProfile the largest size of every command, or of these (comma-separated, e.g. 'model list')",
    )
    parser.add_argument("--profile-top", type=int, default=24, help="functions shown per profile (default 24)")
    parser.add_argument(
        "--provider",
        action="store_true",
        help="also read proposals and an approval through a provider stand-in that limits eth_getLogs, with the index",
    )
    parser.add_argument(
        "--long-blocks", type=int, default=2_000, help="empty blocks mined before the provider runs (default 2000)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    if args.rpc_url:
        node = run_node(args.rpc_url, args)
    else:
        with Anvil() as anvil:
            node = run_node(anvil.url, args)
    return build_report(node, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; 0 even when a goal fails, 1 when the benchmark cannot run."""
    return run_benchmark(argv, parse_args, run, print_report)


if __name__ == "__main__":
    sys.exit(main())
