"""What acting through a Safe multisig costs, in gas, against the same act by one key.

    python benchmarks/safe.py [--version 1.5.0|1.4.1] [--json]

On its own anvil: a DAO whose guardian is a 2-of-3 Safe (the real contracts, from their compiled artifacts, as the
tests deploy them), and, for reference, the same DAO with one key as guardian. Every transaction is made through the
library (`safe.transaction`, `workflows.safe_requests`), as the CLI makes it:

- **suspend**: a guardian suspension by the key (reference) against the Safe's `execTransaction` of the same call,
  two owners' signatures checked;
- **vote by signature**: a voter's `castVoteBySig` relayed (reference) against the Safe's vote, its owners'
  signatures of the `SafeMessage` checked by the Safe's ERC-1271 handler;
- **two calls**: two Safe transactions (reference) against one batch of both through `MultiSendCallOnly`;
- **review**: the wall time of reading a Safe's request for an owner (`read_request`: the batch read and checked,
  the Safe's owners, threshold and nonce read, each call decoded in words), medians of 20, against one plain
  `eth_call` round trip.

Goals: the Safe's suspension costs at most 3x the key's (its fixed overhead over a small call), its vote at most
twice (both the later votes on the proposal); a batch of two costs at most 90% of two Safe transactions. Exit 0
even when a goal fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from runner import run_benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' Safe deployment and test DAO (tests.safes, tests.helpers)
#: A Safe transaction adds a fixed ~55k gas (execTransaction, two signatures recovered, its nonce): up to 3x a call
#: as small as a suspension (~35k); a vote by signature checks the owners' signatures instead of one ECDSA.
GOAL_SUSPEND_SAFE_OVER_KEY = 3.0
GOAL_VOTE_SAFE_OVER_KEY = 2.0
GOAL_BATCH_OVER_SEPARATE = 0.9
REVIEWS = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", choices=("1.5.0", "1.4.1"), default="1.5.0", help="The Safe contracts.")
    parser.add_argument("--json", action="store_true", help="The figures as JSON.")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from eth_account import Account

    from deai_gov.chain.client import connect, send
    from deai_gov.dao import governance as gov
    from deai_gov.dao import registry as reg
    from deai_gov.dao import token
    from deai_gov.dao.deploy import TOKEN
    from deai_gov.dev.devnet import Anvil, advance_time
    from deai_gov.safe.multisend import Call, safe_tx_for
    from deai_gov.safe.transaction import execute, safe_state, safe_transaction, sign
    from deai_gov.safe.txbuilder import batch_file
    from deai_gov.workflows.safe_requests import read_request, run_request, sign_request, vote_request
    from tests.helpers import VOTING_DELAY, dao_params, deploy_dao_for, fake_cid, pass_proposal, people_from
    from tests.safes import create_safe, safe_contracts

    with Anvil() as anvil, tempfile.TemporaryDirectory() as scratch:
        chain = connect(anvil.url)
        people = people_from(anvil.dev_keys())
        contracts = safe_contracts(chain.w3, people.deployer.address, args.version)
        owners = [Account.create() for _ in range(3)]
        safe = create_safe(chain.w3, people.deployer.address, [o.address for o in owners], 2, contracts).address
        by_safe = deploy_dao_for(chain, people, dataclasses.replace(dao_params(people), guardian=safe))
        by_key = deploy_dao_for(chain, people)
        for dao in (by_safe, by_key):
            for name in ("acme/a", "acme/b"):
                register = reg.register_action(dao, name, fake_cid(name), fake_cid(name + "m"), people.bob.address)
                pass_proposal(dao, people, [register], f"Register {name}")

        def through_safe(calls: list[Call]) -> int:
            state = safe_state(chain, safe)
            tx = safe_tx_for(calls, state.nonce, contracts.multisend.address)
            signatures = [sign(owner, chain.chain_id, safe, tx) for owner in owners[:2]]
            return int(send(chain, people.outsider, execute(state, chain.chain_id, tx, signatures)).gas_used)

        def call(prepared: Any) -> Call:
            return Call(prepared.to, prepared.value, prepared.data)

        gas: dict[str, int] = {}
        gas["suspend_key"] = send(chain, people.guardian, reg.suspend(by_key, "acme/a", "harm")).gas_used
        gas["suspend_safe"] = through_safe([call(reg.suspend(by_safe, "acme/a", "harm"))])
        # two calls: one Safe transaction each, then both in one batch
        gas["two_safe_transactions"] = through_safe([call(reg.unsuspend(by_safe, "acme/a"))]) + through_safe(
            [call(reg.suspend(by_safe, "acme/b", "harm"))]
        )
        gas["one_batch_of_two"] = through_safe(
            [call(reg.suspend(by_safe, "acme/a", "harm")), call(reg.unsuspend(by_safe, "acme/b"))]
        )
        # votes by signature: alice's relayed, then the Safe's (tokens delegated to itself first)
        send(chain, people.alice, token.transfer(by_safe, safe, 150 * TOKEN))
        state = safe_state(chain, safe)
        delegate = safe_transaction(state, token.delegate(by_safe, safe))
        signatures = [sign(o, chain.chain_id, safe, delegate) for o in owners[:2]]
        send(chain, people.outsider, execute(state, chain.chain_id, delegate, signatures))
        advance_time(chain, 1)
        retire = gov.build_proposal(by_safe, people.alice.address, [reg.retire_action(by_safe, "acme/b", "old")], "R")
        pid = send(chain, people.alice, gov.propose(by_safe, retire)).outcome
        advance_time(chain, VOTING_DELAY + 1)
        send(chain, people.bob, gov.vote(by_safe, pid, gov.Support.FOR))  # both measured votes are later votes
        signed = gov.sign_vote(by_safe, people.alice, pid, gov.Support.FOR)
        gas["vote_key"] = send(chain, people.outsider, gov.relay(by_safe, signed)).gas_used
        request = vote_request(by_safe, safe, pid, gov.Support.FOR)
        for owner in owners[:2]:
            request = dataclasses.replace(request, collected=sign_request(request, owner))
        gas["vote_safe"] = send(chain, people.outsider, run_request(by_safe, request)).gas_used

        # an owner's review of a batch file: read, checked, decoded
        batch = Path(scratch) / "batch.json"
        batch.write_text(json.dumps(batch_file(chain.chain_id, safe, [reg.unsuspend(by_safe, "acme/a")], name="b")))
        review, plain = [], []
        for _ in range(REVIEWS):
            started = time.perf_counter()
            read_request(by_safe, batch)
            review.append(time.perf_counter() - started)
            started = time.perf_counter()
            by_safe.read("registry", "modelCount")
            plain.append(time.perf_counter() - started)
    seconds = {"review": statistics.median(review), "eth_call": statistics.median(plain)}
    return {
        "safe_version": args.version,
        "gas": gas,
        "seconds": seconds,
        "ratios": {
            "suspend_safe_over_key": gas["suspend_safe"] / gas["suspend_key"],
            "vote_safe_over_key": gas["vote_safe"] / gas["vote_key"],
            "batch_over_separate": gas["one_batch_of_two"] / gas["two_safe_transactions"],
            "review_over_eth_call": seconds["review"] / seconds["eth_call"],
        },
        "goals": {
            "suspend_safe_over_key": GOAL_SUSPEND_SAFE_OVER_KEY,
            "vote_safe_over_key": GOAL_VOTE_SAFE_OVER_KEY,
            "batch_over_separate": GOAL_BATCH_OVER_SEPARATE,
        },
    }


def print_report(report: dict[str, Any]) -> None:
    g, r, s = report["gas"], report["ratios"], report["seconds"]
    print(f"Safe {report['safe_version']}, a 2-of-3 Safe against one key (gas used)")
    rows = (
        ("guardian suspension, one key (reference)", "suspend_key"),
        ("guardian suspension, the Safe", "suspend_safe"),
        ("vote by signature, one key (reference)", "vote_key"),
        ("vote by signature, the Safe (ERC-1271)", "vote_safe"),
        ("two calls, two Safe transactions (reference)", "two_safe_transactions"),
        ("two calls, one MultiSendCallOnly batch", "one_batch_of_two"),
    )
    for label, key in rows:
        print(f"{label:<48}{g[key]:>10,}")
    failed = []
    for label, key, goal in (
        ("suspension: Safe / key", "suspend_safe_over_key", GOAL_SUSPEND_SAFE_OVER_KEY),
        ("vote: Safe / key", "vote_safe_over_key", GOAL_VOTE_SAFE_OVER_KEY),
        ("batch of two / two transactions", "batch_over_separate", GOAL_BATCH_OVER_SEPARATE),
    ):
        print(f"{label:<48}{r[key]:>10.2f}  (goal <= {goal})")
        if r[key] > goal:
            failed.append(label)
    print(f"an owner's review of a batch: {s['review'] * 1000:.1f} ms, {r['review_over_eth_call']:.1f} eth_calls")
    print("goals missed: " + ", ".join(failed) if failed else "all goals met")


if __name__ == "__main__":
    sys.exit(run_benchmark(None, parse_args, run, print_report))
