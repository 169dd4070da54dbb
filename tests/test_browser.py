"""The web page in a real browser: Debian's Chromium driven by Playwright against anvil, the page and the relayer
served on loopback. The proposal list and a proposal's page render the tally and decoded actions; a proposal whose
title and description carry `<script>`, `javascript:` links and ANSI/bidi characters renders inert (no dialog ever
opens, the only script is the page's own); a vote is signed through an injected EIP-1193 provider that forwards
`eth_signTypedData_v4` to anvil's unlocked dev account, relayed, and the tally on the page changes; a holder
activates its votes by a signed delegation; the lineage graph shows a rollback. The main pages are screenshotted
(into the folder DEAI_GOV_SCREENSHOTS names, e.g. docs/images, else the test's own)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from deai_gov.chain.anvil import free_port
from deai_gov.chain.client import send
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN
from deai_gov.dev.devnet import Anvil
from deai_gov.web.relay_app import relay_app
from deai_gov.web.server import running
from deai_gov.web.ui_app import ui_app
from deai_gov.workflows.relaying import RelayBudget, Relayer

from .showcase import NAME, showcase_dao

CHROMIUM = Path("/usr/bin/chromium")
#: window.ethereum for the page: every request goes to the test through an exposed binding (not the network, which
#: the page's Content-Security-Policy keeps to its own origin and the relayer).
PROVIDER = """
window.ethereum = {
  isTestProvider: true,
  request: async ({ method, params }) => {
    const answer = JSON.parse(await window.__eip1193(JSON.stringify({ method, params: params || [] })));
    if (answer.error) { throw new Error(answer.error.message || "rejected"); }
    return answer.result;
  },
};
"""


@pytest.fixture
def world(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    return showcase_dao(anvil.url, anvil.dev_keys(), tmp_path)


def test_a_member_votes_and_delegates_from_a_browser_wallet_and_hostile_text_stays_inert(
    world: dict[str, Any], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Chromium is installed by tools/install-chromium (Debian's package)"
    dao, people, pid = world["dao"], world["people"], world["open"]
    ui_port, relay_port = free_port(), free_port()
    ui_url, relay_url = f"http://127.0.0.1:{ui_port}", f"http://127.0.0.1:{relay_port}"
    relayer = Relayer(dao, people.outsider, RelayBudget())
    wallet = {"account": people.alice.address}
    rpc = dao.chain.w3.provider

    def eip1193(request_text: str) -> str:
        request = json.loads(request_text)
        method, params = request["method"], request["params"]
        if method in ("eth_requestAccounts", "eth_accounts"):
            return json.dumps({"result": [wallet["account"]]})
        if method == "eth_signTypedData_v4":  # anvil signs with its unlocked dev account
            assert params[0].lower() == wallet["account"].lower()
            return json.dumps(rpc.make_request(method, params))  # type: ignore[arg-type]
        return json.dumps({"error": {"message": f"{method} is not offered by this test wallet"}})

    dialogs: list[str] = []
    images = Path(os.environ.get("DEAI_GOV_SCREENSHOTS") or tmp_path)
    images.mkdir(parents=True, exist_ok=True)
    with running(relay_app(relayer, allow_origins=(ui_url,)), port=relay_port), \
            running(ui_app(dao, [], relayer=relay_url), port=ui_port), sync_playwright() as playwright:  # fmt: skip
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.expose_function("__eip1193", eip1193)
        page.add_init_script(PROVIDER)

        # the list: tallies and titles as text
        page.goto(f"{ui_url}/proposals")
        assert page.locator("table.proposals tbody tr").count() == 4
        assert page.get_by_role("link", name="Retire acme/vision").is_visible()
        hostile_title = page.locator("table.proposals tbody tr").last.locator("td").nth(1).inner_text()
        assert "<script>alert(1)</script>" in hostile_title and "<U+202E>evil" in hostile_title
        assert page.locator("meter.for").count() == 4

        # the hostile proposal's page: inert
        page.goto(f"{ui_url}/proposals/1")
        assert (
            "[click](javascript:alert(2)) <img src=x onerror=alert(3)>" in page.locator("pre.description").inner_text()
        )
        assert page.evaluate("document.querySelectorAll('script').length") == 1  # the page's own wallet.js
        assert page.evaluate("document.querySelectorAll('img, iframe, [onerror]').length") == 0
        assert page.locator("a[href^='javascript']").count() == 0

        # the open proposal: decoded action, tally before, then a vote from the wallet through the relayer
        page.goto(f"{ui_url}/proposals/{pid}")
        assert "retire acme/vision: superseded by acme/vision-2" in page.locator("ol.actions").inner_text()
        assert page.locator("meter.for").get_attribute("value") == "0"
        alice_eth = dao.chain.balance(people.alice.address)
        page.fill("textarea[name=reason]", "the evaluations agree")
        with page.expect_navigation(timeout=20_000):
            page.click("button[data-support=for]")
        assert page.locator("meter.for").get_attribute("value") == str(700 * TOKEN)  # alice's and carol's votes
        votes = page.locator("table.votes").inner_text()
        assert people.alice.address in votes and "the evaluations agree" in votes
        assert dao.read("governor", "hasVoted", pid, people.alice.address)
        assert dao.chain.balance(people.alice.address) == alice_eth  # the relayer paid
        page.screenshot(path=str(images / "proposal-page.png"), full_page=True)

        # a holder without delegated votes activates them from the DAO page
        newcomer = people.guardian  # an unlocked dev account of anvil's, holding no tokens yet
        send(dao.chain, people.bob, token.transfer(dao, newcomer.address, 25 * TOKEN))
        before = dao.chain.balance(newcomer.address)
        wallet["account"] = newcomer.address
        page.goto(f"{ui_url}/dao")
        page.click("button[data-delegate=self]")
        page.wait_for_selector(".wallet-status:has-text('Your votes are active')", timeout=20_000)
        assert token.holding(dao, newcomer.address).votes == 25 * TOKEN
        assert dao.chain.balance(newcomer.address) == before  # the relayer paid
        page.screenshot(path=str(images / "dao-page.png"), full_page=True)

        # the lineage: v2 rolled back, v1 current
        page.goto(f"{ui_url}/models/{NAME}")
        assert page.title() == f"{NAME} · deai-gov"
        assert page.locator("svg.lineage g.node.rolled_back").count() == 1
        assert page.locator("svg.metric g.point").count() == 2  # what the evaluator measured on v1 and v2
        assert page.locator("svg.lineage g.node.is-current text").first.text_content() == "v1"
        page.screenshot(path=str(images / "model-lineage.png"), full_page=True)
        browser.close()
    assert dialogs == []  # nothing ever ran an alert
