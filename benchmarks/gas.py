"""Gas and wall-time benchmark of one proposal cycle: this DAO against a naive reference registry.

Two DAOs are deployed the same way (`deai_gov.dao.deploy.deploy_dao`) on one node. The first drives its own
`ModelRegistry` (binary CIDs, packed records); the second drives a `NaiveModelRegistry` owned by its timelock
(CID strings, one slot per field). Both run the same script through the library: delegations, a proposal that
registers a model, then a proposal that upgrades it. Since the governor composition is identical, the
governance steps should cost the same; the execute steps show what the registry's storage layout saves.

Usage:
    python benchmarks/gas.py [--anvil | --rpc-url URL] [--json] [--cycles N] [--no-embedded]

Without `--rpc-url` the benchmark starts its own anvil. With `--rpc-url` the node must be a development
chain (time travel) funding anvil's default mnemonic accounts. The wall time of a proposal cycle is also
measured on the embedded in-process chain (py-evm) unless `--no-embedded`. The exit status is 0 even when a
goal fails; failures are printed.

The reference registry is not shipped with the package: it is read from the brownie build
(`build/contracts/NaiveModelRegistry.json`), so run `brownie compile` first.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from runner import run_benchmark

from deai_gov.chain.client import Chain, PreparedTx, ReadCall, call_many, connect, send
from deai_gov.contracts.abi import as_bytes, decode_call
from deai_gov.contracts.artifacts import DAO_CONTRACTS, Artifact, artifact
from deai_gov.dao import governance, registry, token
from deai_gov.dao.deploy import TOKEN, DaoParams, Deployment, deploy_dao
from deai_gov.dao.deployed import Dao
from deai_gov.dao.governance import Action, Support
from deai_gov.dev.devnet import Anvil, advance_time, anvil_dev_keys
from deai_gov.names import model_id

VOTING_DELAY = 60
VOTING_PERIOD = 3_600
TIMELOCK_DELAY = 300
LATE_QUORUM = 600
MODEL = "acme/vision-large"

#: The reference registry's build artifact (written by `brownie compile`; the package does not ship it).
NAIVE_BUILD = Path(__file__).resolve().parent.parent / "build" / "contracts" / "NaiveModelRegistry.json"

#: (key, label, goal as a percentage of the reference) in table order.
STEPS: tuple[tuple[str, str, int], ...] = (
    ("delegate", "delegate to self (first time)", 100),
    ("propose", "propose (register)", 100),
    ("cast_vote", "castVote bound to its content", 100),  # the later voter, as the CLI votes
    ("cast_vote_by_sig", "castVoteBySig via relayer", 100),
    ("cast_override_vote", "castOverrideVote", 100),
    ("queue", "queue", 100),
    ("execute_register", "execute register", 70),
    ("execute_upgrade", "execute upgrade", 70),
)

#: Builds the registry call of a proposal: (model name, artifact CID, manifest CID, contributor) -> Action.
ActionBuilder = Callable[[str, str, str, str], Action]


@dataclass
class People:
    """The benchmark's accounts (same roles and balances as the test suite)."""

    deployer: LocalAccount
    alice: LocalAccount  # 500 tokens, votes herself, proposes
    bob: LocalAccount  # 300 tokens, votes herself, contributor
    carol: LocalAccount  # 200 tokens, delegates to alice, overrides her vote
    guardian: LocalAccount
    relayer: LocalAccount  # no tokens: relays signed votes, queues and executes


@dataclass
class Subject:
    """One DAO and how to build its registry actions."""

    dao: Dao
    register: ActionBuilder
    upgrade: ActionBuilder


# ----------------------------------------------------------------------------- fixtures


def people_from_keys(keys: list[str]) -> People:
    """The six roles from the first six funded keys."""
    return People(*(Account.from_key(k) for k in keys[:6]))


def dao_params(people: People) -> DaoParams:
    """Short delays so time travel stays cheap; several holders so later votes and overrides exist."""
    return DaoParams(
        holders={people.alice.address: 500 * TOKEN, people.bob.address: 300 * TOKEN, people.carol.address: 200 * TOKEN},
        treasury=1_000 * TOKEN,
        proposal_threshold=100 * TOKEN,
        quorum_percent=10,
        voting_delay=VOTING_DELAY,
        voting_period=VOTING_PERIOD,
        late_quorum_extension=LATE_QUORUM,
        timelock_delay=TIMELOCK_DELAY,
        guardian=people.guardian.address,
    )


def make_cid(seed: bytes, codec: str) -> str:
    """A base32 CIDv1 over the sha2-256 of `seed` (`dag-pb` gives `bafybei...`, `raw` gives `bafkrei...`)."""
    from multiformats import CID, multihash

    return str(CID("base32", 1, codec, multihash.wrap(hashlib.sha256(seed).digest(), "sha2-256")))


def version_cids(tag: str) -> tuple[str, str]:
    """(artifact root, manifest) CIDs of a model version: a dag-pb root and a raw manifest block."""
    return make_cid(f"artifact {tag}".encode(), "dag-pb"), make_cid(f"manifest {tag}".encode(), "raw")


def description(title: str) -> str:
    """A realistic short description: a title and the CID of the full text; ~200 characters with the
    `#proposer=` suffix the library appends."""
    full_text = make_cid(f"description {title}".encode(), "raw")
    return f"# {title}\n\nFull proposal, evaluation and model card: ipfs://{full_text}"


def our_subject(dao: Dao) -> Subject:
    """This DAO driving its own ModelRegistry through `deai_gov.dao.registry`."""
    return Subject(
        dao,
        register=lambda n, a, m, c: registry.register_action(dao, n, a, m, c),
        upgrade=lambda n, a, m, c: registry.upgrade_action(dao, n, a, m, c),
    )


@functools.cache
def naive_artifact() -> Artifact:
    """NaiveModelRegistry from the brownie build; RuntimeError (one line) if it was not built."""
    if not NAIVE_BUILD.exists():
        raise RuntimeError(f"{NAIVE_BUILD} is missing: run `brownie compile` first")
    data = json.loads(NAIVE_BUILD.read_text(encoding="utf-8"))
    return Artifact("NaiveModelRegistry", data["abi"], "0x" + data["bytecode"], "0x" + data["deployedBytecode"])


def naive_contract(chain: Chain, address: str) -> Any:
    """A web3 contract object for the NaiveModelRegistry at `address`."""
    return chain.w3.eth.contract(address=chain.w3.to_checksum_address(address), abi=naive_artifact().abi)


def reference_subject(chain: Chain, people: People, dao: Dao) -> tuple[Subject, str, int]:
    """A NaiveModelRegistry owned by `dao`'s timelock, driven by `dao`; also returns its address and the gas
    its deployment used."""
    naive_code = naive_artifact()
    factory = chain.w3.eth.contract(abi=naive_code.abi, bytecode=naive_code.bytecode)
    data = factory.constructor(dao.address("timelock")).data_in_transaction
    deployed = send(chain, people.deployer, PreparedTx(None, bytes.fromhex(data[2:]), "deploy NaiveModelRegistry"))
    address = str(deployed.receipt["contractAddress"])
    naive = naive_contract(chain, address)
    subject = Subject(
        dao,
        register=lambda n, a, m, c: Action.from_call(naive.functions.register(n, a, m, c)),
        upgrade=lambda n, a, m, c: Action.from_call(naive.functions.upgrade(model_id(n), a, m, c)),
    )
    return subject, address, deployed.gas_used


def deploy(chain: Chain, people: People) -> tuple[Dao, dict[str, int]]:
    """Deploy a DAO; return it and the gas of each deployment transaction."""
    deployment = deploy_dao(chain, people.deployer, dao_params(people))
    gas = deployment_gas(chain, deployment, chain.w3.eth.block_number)
    return Dao.attach(chain, deployment), gas


def deployment_gas(chain: Chain, deployment: Deployment, last_block: int) -> dict[str, int]:
    """gasUsed of each transaction of a deployment, labelled by contract name or role granted/renounced."""
    w3 = chain.w3
    names = dict(zip(("timelock", "token", "governor", "registry"), DAO_CONTRACTS, strict=True))
    by_address = {address.lower(): names[role] for role, address in deployment.addresses.items()}
    role_names = ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE", "DEFAULT_ADMIN_ROLE")
    values = call_many(chain, [ReadCall(deployment.timelock, "TimelockController", role) for role in role_names])
    roles = {bytes(value): role for value, role in zip(values, role_names, strict=True)}
    gas: dict[str, int] = {}
    for number in range(deployment.block, last_block + 1):
        transactions: list[Any] = list(w3.eth.get_block(number, full_transactions=True)["transactions"])
        for tx in transactions:
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            if receipt["contractAddress"]:
                label = by_address.get(receipt["contractAddress"].lower(), receipt["contractAddress"])
            else:
                calldata = tx["input"] if "input" in tx else tx["data"]  # eth-tester names it `data`
                function, args = decode_call("TimelockController", as_bytes(calldata))
                label = f"{function}({roles.get(bytes(args['role']), 'role')})"
            gas[label] = int(receipt["gasUsed"])
    return gas


# ----------------------------------------------------------------------------- the proposal cycle


def delegate_all(chain: Chain, people: People, dao: Dao) -> int:
    """alice and bob delegate to themselves, carol to alice; return alice's (first) delegation gas."""
    gas = send(dao.chain, people.alice, token.delegate(dao, people.alice.address)).gas_used
    send(dao.chain, people.bob, token.delegate(dao, people.bob.address))
    send(dao.chain, people.carol, token.delegate(dao, people.alice.address))
    advance_time(chain, 1)  # votes count from the next second
    return gas


def proposal_cycle(
    chain: Chain, people: People, dao: Dao, action: Action, title: str, *, by_sig: bool
) -> dict[str, int]:
    """Propose one action, vote (alice first, then bob directly or by signature, then carol overrides alice
    against), queue and execute; return the gas of each step."""
    proposal = governance.build_proposal(dao, people.alice.address, [action], description(title))
    proposed = send(chain, people.alice, governance.propose(dao, proposal))
    proposal_id = proposed.outcome
    gas = {"propose": proposed.gas_used}
    advance_time(chain, VOTING_DELAY + 1)
    send(dao.chain, people.alice, governance.vote(dao, proposal_id, Support.FOR))  # the first vote reaches quorum
    if by_sig:
        vote = governance.sign_vote(dao, people.bob, proposal_id, Support.FOR)
        relayed = send(dao.chain, people.relayer, governance.relay(dao, vote)).gas_used
        gas["cast_vote_by_sig"] = relayed + signature_zero_byte_discount(vote.signature)
    else:
        bound = governance.vote(dao, proposal_id, Support.FOR, proposal=proposal)  # as the CLI votes
        gas["cast_vote"] = send(dao.chain, people.bob, bound).gas_used
    gas["cast_override_vote"] = send(
        dao.chain, people.carol, governance.override_vote(dao, proposal_id, Support.AGAINST)
    ).gas_used
    advance_time(chain, VOTING_PERIOD + 1)
    gas["queue"] = send(dao.chain, people.relayer, governance.queue(dao, proposal_id)).gas_used
    advance_time(chain, TIMELOCK_DELAY + 1)
    gas["execute"] = send(dao.chain, people.relayer, governance.execute(dao, proposal_id)).gas_used
    if governance.state(dao, proposal_id) != governance.ProposalState.EXECUTED:
        raise RuntimeError(f"proposal {proposal_id} did not end executed")
    return gas


#: Calldata price of a zero byte and of any other byte (EIP-2028).
ZERO_BYTE_GAS, NONZERO_BYTE_GAS = 4, 16


def signature_zero_byte_discount(signature: str) -> int:
    """The gas a signature's zero bytes saved in calldata. Which bytes of a signature are zero is chance (it signs
    the governor's address, which differs between the two DAOs), so castVoteBySig is compared with the 65 bytes all
    priced as non-zero; the discount is added back to gasUsed."""
    zero_bytes = bytes.fromhex(signature.removeprefix("0x")).count(0)
    return zero_bytes * (NONZERO_BYTE_GAS - ZERO_BYTE_GAS)


def run_scenario(chain: Chain, people: People, subject: Subject) -> dict[str, int]:
    """Delegations, a register proposal and an upgrade proposal; return the gas of every benchmarked step."""
    gas = {"delegate": delegate_all(chain, people, subject.dao)}
    contributor = people.bob.address
    register = subject.register(MODEL, *version_cids("v1"), contributor)
    first = proposal_cycle(chain, people, subject.dao, register, f"Register {MODEL} v1", by_sig=False)
    upgrade = subject.upgrade(MODEL, *version_cids("v2"), contributor)
    second = proposal_cycle(chain, people, subject.dao, upgrade, f"Upgrade {MODEL} to v2", by_sig=True)
    gas.update({k: first[k] for k in ("propose", "cast_vote", "cast_override_vote", "queue")})
    gas.update(cast_vote_by_sig=second["cast_vote_by_sig"], execute_register=first["execute"])
    gas["execute_upgrade"] = second["execute"]
    return gas


#: A vote with merit in play may cost at most this much more than a vote with tokens alone.
MERIT_VOTE_GOAL = 1.10


def merit_scenario(chain: Chain, people: People, dao: Dao) -> dict[str, int]:
    """Merit in play: a proposal grants the relayer (no tokens) merit, which it delegates to itself; on the next
    proposal bob votes with tokens and the relayer with merit, both after alice (later voters, as `cast_vote`).
    Also an evaluation attested with EAS (deployed here), and the schema's registration."""
    from deai_gov.merit import eas
    from deai_gov.merit.evaluation import EVALUATION_SCHEMA, Evaluation, Metric

    grant = token.merit_action(dao, people.relayer.address, 10 * TOKEN, "benchmark")
    gas = {"execute_merit": proposal_cycle(chain, people, dao, grant, "Merit for the relayer", by_sig=False)["execute"]}
    send(chain, people.relayer, token.delegate(dao, people.relayer.address))
    advance_time(chain, 1)
    action = our_subject(dao).upgrade(MODEL, *version_cids("v3"), people.bob.address)
    proposal = governance.build_proposal(dao, people.alice.address, [action], description("Upgrade, merit votes"))
    pid = send(chain, people.alice, governance.propose(dao, proposal)).outcome
    advance_time(chain, VOTING_DELAY + 1)
    send(chain, people.alice, governance.vote(dao, pid, Support.FOR))
    gas["vote_tokens"] = send(chain, people.bob, governance.vote(dao, pid, Support.FOR, proposal=proposal)).gas_used
    gas["vote_merit"] = send(chain, people.relayer, governance.vote(dao, pid, Support.FOR, proposal=proposal)).gas_used
    contracts = eas.deploy_eas(chain, people.deployer)
    registered = send(chain, people.deployer, eas.register_schema(contracts, EVALUATION_SCHEMA))
    gas["register_schema"] = registered.gas_used
    metrics = (Metric("accuracy", 875 * 10**15, True), Metric("loss", 31 * 10**16, False))
    registry = dao.address("registry")
    evaluation = Evaluation(MODEL, 1, version_cids("v1")[0], registry, "tiny", "1", "", b"\x01" * 32, metrics, "")
    attest = eas.attest(contracts, registered.outcome, evaluation.encode(), recipient=dao.address("registry"))
    gas["attest"] = send(chain, people.bob, attest).gas_used
    return gas


def check_our_registry(dao: Dao) -> None:
    """The register and upgrade landed: v2 is current with the CIDs proposed."""
    current = registry.get_version(dao, MODEL)
    if (current.number, current.artifact_cid, current.manifest_cid) != (2, *version_cids("v2")):
        raise RuntimeError(f"unexpected registry state after the benchmark: {current}")


def check_naive_registry(chain: Chain, address: str) -> None:
    """The naive registry holds v2 as current with the CIDs proposed."""
    naive = naive_contract(chain, address)
    model = naive.functions.models(model_id(MODEL)).call()
    version = naive.functions.versions(model_id(MODEL), 2).call()
    if model[2] != 2 or (version[0], version[1]) != version_cids("v2"):
        raise RuntimeError(f"unexpected naive registry state after the benchmark: {model} {version}")


def time_cycles(chain: Chain, people: People, dao: Dao, count: int) -> list[float]:
    """Wall time of `count` full register cycles (propose, three votes, queue, execute, time travel)."""
    seconds = []
    for i in range(count):
        name = f"bench/timed-{i}"
        start = time.perf_counter()
        action = registry.register_action(dao, name, *version_cids(name), people.bob.address)
        proposal_cycle(chain, people, dao, action, f"Register {name} v1", by_sig=False)
        seconds.append(time.perf_counter() - start)
    return seconds


# ----------------------------------------------------------------------------- runs


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def node_run(chain: Chain, keys: list[str], cycles: int) -> dict[str, Any]:
    """Both DAOs on one node: gas per step, deployment gas, cycle wall times."""
    people = people_from_keys(keys)
    log("deploying this DAO and the reference DAO")
    ours, deploy_gas = deploy(chain, people)
    reference_dao, _ = deploy(chain, people)
    reference, naive_address, naive_gas = reference_subject(chain, people, reference_dao)
    log("running the scenario on this DAO")
    our_gas = run_scenario(chain, people, our_subject(ours))
    check_our_registry(ours)
    log("running the scenario on the reference")
    reference_gas = run_scenario(chain, people, reference)
    check_naive_registry(chain, naive_address)
    log("merit in play, and an attestation")
    merit_gas = merit_scenario(chain, people, ours)
    log(f"timing {cycles} proposal cycle(s)")
    cycle_seconds = time_cycles(chain, people, ours, cycles)
    return {
        "node": str(chain.w3.client_version),
        "gas": our_gas,
        "merit_gas": merit_gas,
        "reference_gas": reference_gas,
        "deployment": deploy_gas,
        "registry_deployment": {
            "ModelRegistry": deploy_gas["ModelRegistry"],
            "NaiveModelRegistry": naive_gas,
        },
        "cycle_seconds": cycle_seconds,
    }


def fund_embedded(chain: Chain, addresses: list[str], amount: int = 1_000 * 10**18) -> None:
    """Give `addresses` ether on the embedded chain, from one of its own (unlocked) genesis accounts."""
    w3 = chain.w3
    for address in addresses:
        transfer: Any = {"from": w3.eth.accounts[0], "to": address, "value": amount}
        tx_hash = w3.eth.send_transaction(transfer)
        w3.eth.wait_for_transaction_receipt(tx_hash)


def embedded_run(keys: list[str], cycles: int) -> dict[str, Any]:
    """This DAO on a fresh in-process py-evm chain: the same scenario (gas cross-check) and cycle wall times.

    The same accounts as on the node (funded here), so contract addresses and calldata match and only the
    EVM implementation (and the chain id inside signatures) differs."""
    log("embedded chain: deploying and running the scenario")
    chain = connect(None)
    people = people_from_keys(keys)
    fund_embedded(chain, [p.address for p in vars(people).values()])
    dao, _ = deploy(chain, people)
    gas = run_scenario(chain, people, our_subject(dao))
    check_our_registry(dao)
    log(f"embedded chain: timing {cycles} proposal cycle(s)")
    return {"gas": gas, "cycle_seconds": time_cycles(chain, people, dao, cycles)}


# ----------------------------------------------------------------------------- report


def step_rows(gas: dict[str, int], reference: dict[str, int]) -> list[dict[str, Any]]:
    """One row per step with its ratio to the reference and whether it meets its goal."""
    return [
        {
            "step": key,
            "label": label,
            "this_dao": gas[key],
            "reference": reference[key],
            "ratio": round(gas[key] / reference[key], 4),
            "goal": goal / 100,
            "pass": gas[key] * 100 <= goal * reference[key],
        }
        for key, label, goal in STEPS
    ]


def cycle_summary(seconds: list[float]) -> dict[str, Any]:
    """Median, min and max of cycle wall times, in seconds."""
    return {
        "median": round(statistics.median(seconds), 3),
        "min": round(min(seconds), 3),
        "max": round(max(seconds), 3),
        "runs": len(seconds),
    }


def build_report(node: dict[str, Any], embedded: dict[str, Any] | None, runtime: float) -> dict[str, Any]:
    """Everything the benchmark measured, as printed or dumped with --json."""
    rows = step_rows(node["gas"], node["reference_gas"])
    report: dict[str, Any] = {
        "node": node["node"],
        "steps": rows,
        "goals_met": all(row["pass"] for row in rows),
        "failed": [row["label"] for row in rows if not row["pass"]],
        "deployment": {"transactions": node["deployment"], "total": sum(node["deployment"].values())},
        "registry_deployment": node["registry_deployment"],
        "cycle_seconds": {"node": cycle_summary(node["cycle_seconds"])},
        "merit": merit_report(node["merit_gas"]),
    }
    if not report["merit"]["pass"]:
        report["goals_met"] = False
        report["failed"].append("castVote with merit")
    if embedded is not None:
        report["cycle_seconds"]["embedded"] = cycle_summary(embedded["cycle_seconds"])
        report["embedded_gas_differs"] = {
            key: {"node": node["gas"][key], "embedded": embedded["gas"][key]}
            for key, _, _ in STEPS
            if node["gas"][key] != embedded["gas"][key]
        }
    report["runtime_seconds"] = round(runtime, 1)
    return report


def print_steps(report: dict[str, Any]) -> None:
    """The gas table, one row per step, and which goals failed."""
    print(f"Proposal cycle gas (gasUsed per transaction) on {report['node']}")
    print("castVoteBySig: gasUsed with the signature's zero bytes priced as non-zero (they are chance)")
    print("reference: same governor composition driving NaiveModelRegistry (CID strings, unpacked fields)\n")
    print(f"{'step':<30} {'this DAO':>10} {'reference':>10} {'ratio':>7} {'goal':>8}  result")
    for row in report["steps"]:
        print(
            f"{row['label']:<30} {row['this_dao']:>10,} {row['reference']:>10,} {row['ratio']:>6.3f}x "
            f"{'<= ' + format(row['goal'], '.2f'):>7}x  {'PASS' if row['pass'] else 'FAIL'}"
        )
    passed = len(report["steps"]) - len(report["failed"])
    verdict = "all goals met" if report["goals_met"] else "FAILED: " + ", ".join(report["failed"])
    print(f"\n{passed}/{len(report['steps'])} goals met; {verdict}\n")


def merit_report(gas: dict[str, int]) -> dict[str, Any]:
    """A vote with merit against a vote with tokens, and what granting merit and attesting cost."""
    ratio = gas["vote_merit"] / gas["vote_tokens"]
    return gas | {"vote_ratio": round(ratio, 3), "goal": MERIT_VOTE_GOAL, "pass": ratio <= MERIT_VOTE_GOAL}


def print_merit(report: dict[str, Any]) -> None:
    merit = report["merit"]
    print("Merit and evaluations (this DAO)")
    print(
        f"  castVote with merit {merit['vote_merit']:,} vs with tokens {merit['vote_tokens']:,}: "
        f"{merit['vote_ratio']:.3f}x (goal <= {merit['goal']:.2f}x) {'PASS' if merit['pass'] else 'FAIL'}"
    )
    print(f"  execute a proposal minting merit  {merit['execute_merit']:>10,}")
    print(f"  register the evaluation schema    {merit['register_schema']:>10,}")
    print(f"  attest an evaluation (2 metrics)  {merit['attest']:>10,}\n")


def print_deployment(report: dict[str, Any]) -> None:
    """Deployment gas per transaction, with runtime sizes of the contracts."""
    deployment = report["deployment"]
    print("Deployment gas (this DAO)")
    for label, gas in deployment["transactions"].items():
        size = f"{artifact(label).runtime_size:,} bytes runtime" if label in DAO_CONTRACTS else ""
        print(f"  {label:<38} {gas:>10,}  {size}".rstrip())
    wiring = sum(gas for label, gas in deployment["transactions"].items() if label not in DAO_CONTRACTS)
    print(f"  {'total':<38} {deployment['total']:>10,}  (role wiring {wiring:,})")
    registries = report["registry_deployment"]
    print(
        f"  registry alone: ModelRegistry {registries['ModelRegistry']:,}, "
        f"NaiveModelRegistry {registries['NaiveModelRegistry']:,}\n"
    )


def print_wall_time(report: dict[str, Any]) -> None:
    """Cycle wall times per chain, and whether the embedded chain charged the same gas."""
    print("Wall time of one proposal cycle (propose, 3 votes, queue, execute, time travel included)")
    for where, summary in report["cycle_seconds"].items():
        label = report["node"] if where == "node" else "embedded py-evm"
        print(
            f"  {label:<38} median {summary['median']:.3f} s "
            f"(min {summary['min']:.3f}, max {summary['max']:.3f}, {summary['runs']} runs)"
        )
    if "embedded_gas_differs" in report:
        differs = report["embedded_gas_differs"]
        labels = {key: label for key, label, _ in STEPS}
        details = [f"{labels[k]} {v['embedded']:,} vs {v['node']:,}" for k, v in differs.items()]
        print(
            f"  embedded gas: same as {report['node']} for every step"
            + (f" except {'; '.join(details)}" if details else "")
        )


def print_report(report: dict[str, Any]) -> None:
    """The report as tables."""
    print_steps(report)
    print_merit(report)
    print_deployment(report)
    print_wall_time(report)
    print(f"\nbenchmark ran in {report['runtime_seconds']:.1f} s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--anvil", action="store_true", help="start a local anvil (the default)")
    where.add_argument("--rpc-url", help="a development node funding anvil's default mnemonic accounts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--cycles", type=int, default=3, help="timed proposal cycles per chain (default 3)")
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded py-evm chain")
    args = parser.parse_args(argv)
    if args.cycles < 1:
        parser.error("--cycles must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; 0 even when a goal fails, 1 when the benchmark cannot run."""
    return run_benchmark(argv, parse_args, run, print_report)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure on the node (anvil unless --rpc-url) and on the embedded chain; return the report."""
    start = time.perf_counter()
    naive_artifact()  # the reference must be built: fail before starting any chain
    keys = anvil_dev_keys()
    if args.rpc_url:
        node = node_run(connect(args.rpc_url), keys, args.cycles)
    else:
        with Anvil() as anvil:
            node = node_run(connect(anvil.url), keys, args.cycles)
    embedded = None if args.no_embedded else embedded_run(keys, args.cycles)
    return build_report(node, embedded, time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
