"""The gasless relayer over real HTTP (uvicorn on loopback) against anvil: a signed vote is relayed once and counts,
whoever sends it again; a signed delegation activates a new holder's votes; every malformed, forged, replayed,
foreign, powerless, oversized or flooding submission is refused with a clear answer and no gas spent; and under
load, ballots from 100 distinct voters (500 in benchmarks/relay.py) are relayed with none lost or doubled."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account

from deai_gov.chain.client import send
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dev.devnet import Anvil
from deai_gov.web.relay_app import relay_app
from deai_gov.web.server import running
from deai_gov.workflows.relaying import RelayBudget, Relayer

from .helpers import cli_dao, fake_cid, open_proposal, propose, run_cli, voting_accounts

NAME = "acme/relayed"


@pytest.fixture
def world(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    return cli_dao(anvil.url, anvil.dev_keys(), tmp_path)


def register_action(dao: Any, name: str = NAME) -> Any:
    return reg.register_action(dao, name, fake_cid(name), fake_cid(name + "m"), "0x" + "22" * 20)


def post(url: str, path: str, body: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    answer = requests.post(url + path, data=data, headers={"Content-Type": "application/json"}, timeout=30, **kwargs)
    return answer.status_code, answer.json()


def test_a_signed_vote_is_relayed_once_counts_and_the_cli_hands_votes_to_a_remote_relayer(
    world: dict[str, Any], tmp_path: Path
) -> None:
    dao, people = world["dao"], world["people"]
    pid = open_proposal(dao, people.alice, [register_action(dao)], f"# Register {NAME}")
    relayer = Relayer(dao, people.outsider, RelayBudget())
    with running(relay_app(relayer)) as url:
        status = requests.get(url + "/v1/status", timeout=10)
        assert status.status_code == 200 and status.json()["status"]["relayer"] == people.outsider.address
        assert status.headers["content-security-policy"].startswith("default-src 'none'")

        ballot = gov.sign_vote(dao, people.alice, pid, gov.Support.FOR, "relayed for me").to_dict()
        code, answer = post(url, "/v1/votes", ballot)
        assert code == 200 and answer["ok"], answer
        receipt = answer["receipt"]
        assert (receipt["kind"], receipt["signer"], receipt["repeated"]) == ("vote", people.alice.address, False)
        assert dao.read("governor", "hasVoted", pid, people.alice.address)
        assert dao.read("governor", "proposalVotes", pid)[1] == 700 * TOKEN  # alice's 500 and carol's 200
        block = dao.chain.block_number()

        code, again = post(url, "/v1/votes", ballot)  # the same ballot: the same answer, no second transaction
        assert code == 200 and again["receipt"] == receipt | {"repeated": True}
        assert dao.chain.block_number() == block

        # the CLI hands bob's signed vote to the relayer, which pays
        signed = tmp_path / "bob.json"
        signed.write_text(json.dumps(gov.sign_vote(dao, people.bob, pid, gov.Support.AGAINST).to_dict()))
        code, out, err = run_cli(*world["base"], "--json", "proposal", "relay", str(signed), "--relayer", url)
        assert code == 0, err
        assert json.loads(out)[0]["signer"] == people.bob.address and "relayed bob.json" in err
        assert dao.read("governor", "proposalVotes", pid)[0] == 300 * TOKEN
        code, out, err = run_cli(*world["base"], "proposal", "relay", str(signed), "--relayer", url)
        assert code == 0 and "relayed before: the same answer" in err
        code, _, err = run_cli(*world["base"], "proposal", "relay", str(signed), "--relayer", "http://127.0.0.1:9")
        assert code == 7 and "cannot reach the relayer" in err


def test_abuse_is_refused_with_a_clear_answer_and_no_gas_spent(world: dict[str, Any]) -> None:
    dao, people = world["dao"], world["people"]
    pid = open_proposal(dao, people.alice, [register_action(dao)], f"# Register {NAME}")
    pending, _ = propose(dao, people.alice, [register_action(dao, "acme/pending")], "# Pending")
    relayer = Relayer(dao, people.outsider, RelayBudget())
    alice = gov.sign_vote(dao, people.alice, pid, gov.Support.FOR).to_dict()
    unbound = gov.sign_ballot(people.alice, governor=dao.address("governor"), governor_name="deai-gov Governor",
                              chain_id=dao.chain.chain_id, proposal_id=pid, content_hash=b"\x01" * 32,
                              support=gov.Support.FOR).to_dict()  # fmt: skip
    proposal = gov.get_proposal(dao, pid)[0]
    other_chain = gov.sign_ballot(people.alice, governor=dao.address("governor"), governor_name="deai-gov Governor",
                                  chain_id=1, proposal_id=pid, content_hash=proposal.content_hash,
                                  support=gov.Support.FOR).to_dict()  # fmt: skip
    cases: list[tuple[str, Any, int, str]] = [
        ("not JSON", b"{ nope", 400, "not JSON"),
        ("not an object", [], 422, "not a signed vote"),
        ("no signature", {k: v for k, v in alice.items() if k != "signature"}, 422, "missing field 'signature'"),
        ("forged voter", alice | {"voter": people.bob.address}, 422, "is not signed by " + people.bob.address),
        ("another chain's ballot", other_chain, 422, f"for this governor on chain {dao.chain.chain_id}"),
        ("another chain named", alice | {"chain_id": 1}, 422, "this relayer serves chain"),
        ("another governor named", alice | {"governor": people.bob.address}, 422, "serves the governor"),
        ("not bound to the content", unbound, 422, "not bound to proposal"),
        ("a pending proposal", gov.sign_vote(dao, people.bob, pending, gov.Support.FOR).to_dict(), 422,
         "is not open for votes"),
        ("zero power", gov.sign_vote(dao, people.outsider, pid, gov.Support.FOR).to_dict(), 422, "no voting power"),
        ("10 MB", b"[" + b"1," * 5_000_000 + b"1]", 413, "over 16,384 bytes"),
    ]  # fmt: skip
    spent_before = dao.chain.balance(people.outsider.address)
    block = dao.chain.block_number()
    with running(relay_app(relayer)) as url:
        for what, body, code, said in cases:
            answer_code, answer = post(url, "/v1/votes", body)
            assert (answer_code, answer["ok"]) == (code, False), (what, answer)
            assert said in answer["error"], (what, answer)
        # a body streamed without its length, past the limit: cut off
        chunks = (b"x" * 4096 for _ in range(2_500))  # 10 MB, chunked
        answer = requests.post(url + "/v1/votes", data=chunks, timeout=30)
        assert answer.status_code == 413
        assert dao.chain.block_number() == block and dao.chain.balance(people.outsider.address) == spent_before

        # the valid ballot goes through; replayed (signed again after voting) it is refused, unspent
        assert post(url, "/v1/votes", alice)[0] == 200
        spent = dao.chain.balance(people.outsider.address)
        code, answer = post(url, "/v1/votes", alice | {"voter": people.bob.address})  # its signature, another voter
        assert code == 422 and "is not signed by" in answer["error"]  # not taken for a repeat of alice's
        again = gov.sign_vote(dao, people.alice, pid, gov.Support.AGAINST).to_dict()
        code, answer = post(url, "/v1/votes", again)
        assert code == 422 and "has already voted" in answer["error"]

        # a flood from one address: 20 a minute, then 429 whatever they hold
        codes = [post(url, "/v1/votes", again | {"reason": f"flood {i}"})[0] for i in range(25)]
        assert codes.count(429) >= 5 and set(codes) <= {422, 429}
        assert dao.chain.balance(people.outsider.address) == spent

    # a budget used up: refused before sending
    tight = Relayer(dao, people.outsider, RelayBudget(per_signer_hour=10_000))
    with running(relay_app(tight)) as url:
        code, answer = post(url, "/v1/votes", gov.sign_vote(dao, people.bob, pid, gov.Support.FOR).to_dict())
        assert code == 429 and "share of the relayer's gas for this hour is spent" in answer["error"]
    assert dao.chain.balance(people.outsider.address) == spent


def test_a_signed_delegation_activates_a_new_holders_votes_without_gas(world: dict[str, Any]) -> None:
    dao, people = world["dao"], world["people"]
    newcomer = Account.create()
    send(dao.chain, people.alice, token.transfer(dao, newcomer.address, 40 * TOKEN))
    expiry = int(dao.chain.now()) + 3600
    signed = token.sign_delegation(dao, newcomer, newcomer.address, expiry).to_dict()
    relayer = Relayer(dao, people.outsider, RelayBudget())
    with running(relay_app(relayer)) as url:
        for body, said in (
            (signed | {"expiry": expiry - 1}, "was not signed by"),
            (signed | {"token": people.bob.address}, "serves the token"),
            (token.sign_delegation(dao, Account.create(), people.bob.address, expiry).to_dict(), "holds no tokens"),
            (token.sign_delegation(dao, newcomer, newcomer.address, 1).to_dict(), "has expired"),
        ):
            code, answer = post(url, "/v1/delegations", body)
            assert code == 422 and said in answer["error"], answer
        code, answer = post(url, "/v1/delegations", signed)
        assert code == 200 and answer["receipt"]["subject"] == newcomer.address, answer
        assert token.holding(dao, newcomer.address).votes == 40 * TOKEN
        assert dao.chain.balance(newcomer.address) == 0  # the newcomer never had gas
        code, answer = post(url, "/v1/delegations", signed)
        assert code == 200 and answer["receipt"]["repeated"]


def test_ballots_from_100_distinct_voters_are_relayed_concurrently_none_lost_or_doubled(world: dict[str, Any]) -> None:
    """100 voters here (benchmarks/relay.py relays 500 and reports the rate against sending them directly)."""
    dao, people = world["dao"], world["people"]
    voters = voting_accounts(dao, people.alice, 100)
    pid = open_proposal(dao, people.alice, [register_action(dao)], "# Load")
    ballots = [gov.sign_vote(dao, v, pid, gov.Support.FOR).to_dict() for v in voters]
    relayer = Relayer(dao, people.outsider, RelayBudget(per_hour=10**9))
    before = dao.chain.balance(people.outsider.address)
    with running(relay_app(relayer, client_per_minute=10_000)) as url, concurrent.futures.ThreadPoolExecutor(8) as pool:
        started = time.perf_counter()
        answers = list(pool.map(lambda body: post(url, "/v1/votes", body), ballots + ballots[:20]))  # 20 twice
        seconds = time.perf_counter() - started
    assert all(code == 200 for code, _ in answers), [a for a in answers if a[0] != 200][:3]
    hashes = [answer["receipt"]["tx_hash"] for _, answer in answers]
    assert len(set(hashes)) == 100  # none doubled: the 20 sent twice got their first answer
    assert sum(answer["receipt"]["repeated"] for _, answer in answers) == 20
    assert dao.read("governor", "proposalVotes", pid)[1] == 100 * (TOKEN // 2)  # none lost
    gas = sum(answer["receipt"]["gas_used"] for _, answer in answers if not answer["receipt"]["repeated"])
    assert relayer.status()["gas_spent_total"] == gas and before > dao.chain.balance(people.outsider.address)
    print(f"\nrelayed 120 ballots (20 of them twice) in {seconds:.1f} s: {120 / seconds:.0f} a second; {gas:,} gas "
          f"for the 100 votes, none for the repeats")  # fmt: skip


def test_relay_serve_runs_from_the_cli_on_loopback_and_answers(world: dict[str, Any], tmp_path: Path) -> None:
    from deai_gov.chain.anvil import free_port

    secret = tmp_path / "relayer.key"
    secret.write_text(world["people"].outsider.key.hex())
    password = world["signer"][world["signer"].index("--password-file") + 1]
    assert run_cli("--password-file", password, "account", "import", "relayer", "--secret-file", str(secret))[0] == 0
    port = free_port()
    env = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-m", "deai_gov", *world["base"], "--account", "relayer", "--password-file", password,
         "relay", "serve", "--port", str(port)],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/v1/status", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, "relay serve did not start"
                time.sleep(0.1)
        assert answer.json()["status"]["governor"] == world["dao"].address("governor")
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert f"on http://127.0.0.1:{port}" in err


def test_a_hostile_relayer_answer_is_one_line_read_no_further_than_its_bound(tmp_path: Path) -> None:
    """`proposal relay --relayer URL` reads what a relayer answers as outside input: an answer past 64 KiB is cut
    off unread, one that is not a relayer's JSON is said so, and a refusal's words are shown as text."""
    from http.server import BaseHTTPRequestHandler

    from deai_gov.errors import InputError, ServiceError
    from deai_gov.web.relay_client import submit

    from .gateway import serve_http

    answers = {
        "/huge/v1/votes": (200, b'{"ok": true, "receipt": {"x": "' + b"a" * 50_000_000 + b'"}}'),
        "/junk/v1/votes": (200, b"<html>not a relayer</html>"),
        "/refuses/v1/votes": (422, json.dumps({"ok": False, "error": "no \x1b[8mhidden\x1b[0m"}).encode()),
    }

    class Hostile(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            code, body = answers[self.path]
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client stopped reading: what it is meant to do
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with serve_http(Hostile) as url:
        started = time.monotonic()
        with pytest.raises(ServiceError, match="answered over 65,536 bytes"):
            submit(url + "/huge", "vote", {})
        assert time.monotonic() - started < 5
        with pytest.raises(ServiceError, match="answered HTTP 200, not as a deai-gov relayer does"):
            submit(url + "/junk", "vote", {})
        with pytest.raises(InputError, match="the relayer refused it: no \x1b\\[8mhidden") as refused:
            submit(url + "/refuses", "vote", {})
    from deai_gov.display import shown

    assert "\x1b" not in shown(str(refused.value))  # as the CLI prints it
