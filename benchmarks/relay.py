"""The gasless relayer under load: ballots per second through its HTTP API, against sending the same ballots
directly, and gas spent only on valid ones.

    python benchmarks/relay.py [--voters 500] [--threads 8] [--json]

On its own anvil, `--voters` accounts hold tokens and vote themselves (`tests.helpers.voting_accounts`). Two
proposals open; each voter signs a ballot on both. Then:

- **direct (reference)**: the first proposal's ballots sent one after another by one account with
  `governance.relay` and `chain.client.send`, as `proposal relay FILE --account …` does (polling for receipts as
  often as the relayer does);
- **relayer**: the second proposal's ballots posted to `relay serve`'s API (`web.relay_app` on uvicorn, loopback)
  by `--threads` clients at once, each checked before it is sent, plus a tenth of them posted twice and a tenth
  forged (signed by someone else), mixed in.

Goals: the relayer keeps at least half the direct rate (its checks, HTTP and the budget cost at most as much as the
sending itself: ratio >= 0.5); every valid ballot counts once (none lost, none doubled); the forged ones and the
repeats cost no gas. Exit 0 even when a goal fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys
import time
from pathlib import Path
from typing import Any

from runner import run_benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test DAO and its voters (tests.helpers)
GOAL_RATE_RATIO = 0.5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=500, help="Distinct voters (one valid ballot each).")
    parser.add_argument("--threads", type=int, default=8, help="Clients posting at once.")
    parser.add_argument("--json", action="store_true", help="The figures as JSON.")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import requests
    from eth_account import Account

    from deai_gov.chain.client import connect, send
    from deai_gov.dao import governance as gov
    from deai_gov.dao import registry as reg
    from deai_gov.dev.devnet import Anvil, advance_time
    from deai_gov.web.relay_app import relay_app
    from deai_gov.web.server import running
    from deai_gov.workflows.relaying import RelayBudget, Relayer
    from tests.helpers import VOTING_DELAY, deploy_dao_for, fake_cid, people_from, propose, voting_accounts

    with Anvil() as anvil:
        chain = connect(anvil.url)
        people = people_from(anvil.dev_keys())
        dao = deploy_dao_for(chain, people)
        voters = voting_accounts(dao, people.alice, args.voters)
        pids = []
        for name in ("acme/direct", "acme/relayed"):
            action = reg.register_action(dao, name, fake_cid(name), fake_cid(name + "m"), people.bob.address)
            pids.append(propose(dao, people.alice, [action], f"# {name}")[0])
        advance_time(chain, VOTING_DELAY + 1)
        direct = [gov.sign_vote(dao, v, pids[0], gov.Support.FOR) for v in voters]
        relayed = [gov.sign_vote(dao, v, pids[1], gov.Support.FOR).to_dict() for v in voters]
        tenth = max(1, args.voters // 10)
        forged = [b | {"voter": Account.create().address} for b in relayed[:tenth]]

        started = time.perf_counter()
        for vote in direct:
            send(chain, people.carol, gov.relay(dao, vote), poll=0.01)  # polled as the relayer polls
        direct_seconds = time.perf_counter() - started

        relayer = Relayer(dao, people.outsider, RelayBudget(per_hour=10**12))
        before = chain.balance(people.outsider.address)
        bodies = relayed + relayed[:tenth] + forged
        with running(relay_app(relayer, client_per_minute=10**6)) as url, \
                concurrent.futures.ThreadPoolExecutor(args.threads) as pool:  # fmt: skip

            def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
                answer = requests.post(url + "/v1/votes", data=json.dumps(body), timeout=60,
                                       headers={"Content-Type": "application/json"})  # fmt: skip
                return answer.status_code, answer.json()

            started = time.perf_counter()
            answers = list(pool.map(post, bodies))
            relayer_seconds = time.perf_counter() - started
        spent_wei = before - chain.balance(people.outsider.address)
        ok = [a["receipt"] for code, a in answers if code == 200]
        valid = [r for r in ok if not r["repeated"]]
        counted = int(dao.read("governor", "proposalVotes", pids[1])[1])
        expected = int(dao.read("governor", "proposalVotes", pids[0])[1])
        gas_valid = sum(r["gas_used"] for r in valid)
        receipts_gas = sum(
            int(chain.w3.eth.get_transaction_receipt(r["tx_hash"])["gasUsed"])
            for r in valid  # type: ignore[arg-type]
        )
    direct_rate = len(direct) / direct_seconds
    relayer_rate = len(relayed) / relayer_seconds
    return {
        "voters": args.voters,
        "threads": args.threads,
        "posted": len(bodies),
        "seconds": {"direct": direct_seconds, "relayer": relayer_seconds},
        "ballots_per_second": {"direct": direct_rate, "relayer": relayer_rate},
        "ratio": relayer_rate / direct_rate,
        "relayed": len(valid),
        "repeated_answers": len(ok) - len(valid),
        "refused": len(answers) - len(ok),
        "none_lost_or_doubled": len({r["tx_hash"] for r in valid}) == args.voters and counted == expected,
        "gas": {
            "valid_ballots": gas_valid,
            "from_receipts": receipts_gas,
            "per_ballot": gas_valid // max(1, len(valid)),
        },
        "wei_spent": spent_wei,
        "goal_ratio": GOAL_RATE_RATIO,
    }


def print_report(report: dict[str, Any]) -> None:
    rate, seconds = report["ballots_per_second"], report["seconds"]
    print(f"{report['voters']} voters, {report['posted']} posts by {report['threads']} clients "
          f"({report['repeated_answers']} repeats, {report['refused']} refused)")  # fmt: skip
    print(f"direct, one account (reference)   {rate['direct']:8.1f} ballots/s  ({seconds['direct']:.1f} s)")
    print(f"through the relayer's API         {rate['relayer']:8.1f} ballots/s  ({seconds['relayer']:.1f} s)")
    print(f"relayer / direct                  {report['ratio']:8.2f}  (goal >= {GOAL_RATE_RATIO})")
    gas = report["gas"]
    print(f"gas: {gas['valid_ballots']:,} for {report['relayed']} valid ballots ({gas['per_ballot']:,} each); "
          f"the receipts say {gas['from_receipts']:,}: nothing spent on repeats or forgeries")  # fmt: skip
    failed = []
    if report["ratio"] < GOAL_RATE_RATIO:
        failed.append("relayer / direct")
    if not report["none_lost_or_doubled"]:
        failed.append("none lost or doubled")
    if gas["valid_ballots"] != gas["from_receipts"]:
        failed.append("gas only on valid ballots")
    print("goals missed: " + ", ".join(failed) if failed else "all goals met")


if __name__ == "__main__":
    sys.exit(run_benchmark(None, parse_args, run, print_report))
