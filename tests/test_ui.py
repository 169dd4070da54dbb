"""The community's web page (`deai-gov ui`) over real HTTP (uvicorn on loopback) against anvil: the proposal list and
a proposal's page show the tally against quorum, the decoded actions and who voted how; a model's page draws its
lineage with a rollback; the DAO's page its settings and recent activity. A proposal whose title, description and
vote reasons carry `<script>`, `javascript:` links, ANSI escapes and bidi controls renders inert: escaped, made
visible, and no script runs (the page has none, and its Content-Security-Policy allows none)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests

from deai_gov.chain.client import send
from deai_gov.dao import governance as gov
from deai_gov.dev.devnet import Anvil
from deai_gov.web.server import running
from deai_gov.web.ui_app import CSP, ui_app

from .helpers import run_cli
from .showcase import NAME, showcase_dao


@pytest.fixture
def world(anvil: Anvil, cheap_kdf: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The showcase DAO (tests/showcase.py); on its open proposal alice votes for (a hostile reason), bob against."""
    monkeypatch.setenv("DEAI_GOV_HOME", str(tmp_path / "home"))
    w = showcase_dao(anvil.url, anvil.dev_keys(), tmp_path)
    dao, people, pid = w["dao"], w["people"], w["open"]
    send(dao.chain, people.alice, gov.vote(dao, pid, gov.Support.FOR, "<b>yes</b> \u202eesrever"))
    send(dao.chain, people.bob, gov.vote(dao, pid, gov.Support.AGAINST, "too early"))
    return w


def get(url: str, path: str) -> requests.Response:
    return requests.get(url + path, timeout=30)


class _Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def inert(html: str) -> None:
    """Nothing in the page runs, hides or reorders: no script element, no event handler, no javascript: link, no
    inline style; no escape or bidi character left as such."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in ("script", "iframe", "object", "embed", "img"), tag
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    assert "\x1b" not in html and "\u202e" not in html and "\x07" not in html


def test_pages_show_tally_actions_votes_and_lineage_and_hostile_text_is_inert(world: dict[str, Any]) -> None:
    dao, people, pid = world["dao"], world["people"], world["open"]
    with running(ui_app(dao, [])) as url:
        listing = get(url, "/proposals")
        assert listing.status_code == 200 and listing.headers["content-security-policy"] == CSP
        html = listing.text
        inert(html)
        assert "Register &lt;script&gt;alert(1)&lt;/script&gt; \\x1b[8mhidden\\x1b[0m &lt;U+202E&gt;evil" in html
        assert f'<a href="/proposals/{pid}">Retire acme/vision</a>' in html and "closes in" in html
        assert html.count("<meter") >= 4 * 4  # four bars a proposal: for, against, abstain, quorum

        page = get(url, f"/proposals/{pid}")
        assert page.status_code == 200
        html = page.text
        inert(html)
        assert f"retire {NAME}: superseded by acme/vision-2" in html
        assert "would succeed if executed now" in html
        assert re.search(r'<meter class="for" min="0" max="\d+" value="700000000000000000000">', html)
        assert "&lt;b&gt;yes&lt;/b&gt; &lt;U+202E&gt;esrever" in html and "too early" in html
        assert f"<code>{people.alice.address}</code>" in html and 'class="against">against' in html
        assert "200 MDL needed for or abstaining: reached" in html  # for and abstain against the quorum

        first = get(url, "/proposals/1").text  # the hostile one: its description shown as text
        inert(first)
        assert "[click](javascript:alert(2)) &lt;img src=x onerror=alert(3)&gt; \\x1b]8;;http://evil\\x07link" in first
        assert f"register {NAME} v1" in first

        model = get(url, f"/models/{NAME}").text
        inert(model)
        assert f"<title>{NAME} · deai-gov</title>" in model
        assert '<g class="node current is-current">' in model and '<g class="node rolled_back">' in model
        assert "v1: current, the one in use" in model and "v2: rolled back" in model and 'class="strike"' in model
        # each version's standing vote, proven from the chain: v1 is current again by the rollback's
        written = (
            r'<td>v1</td>.*?href="/proposals/3">proposal 3</a> \(a rollback made it current again; written by '
            r'<a href="/proposals/1">proposal 1</a>\)<br><small>rewarded 100 MDL from the treasury'
        )
        assert re.search(written, model, re.S)
        assert re.search(r'<td>v2</td>.*?href="/proposals/2">proposal 2</a>', model, re.S)

        # the evaluations, charted across versions; the benchmark's name (from an attestation) escaped
        assert "vision &lt;eval&gt; 1: top-1 (higher is better)" in model
        assert '<text class="value" x="34.0" y="26.0" text-anchor="middle">0.81</text>' in model
        assert ">0.78</text>" in model

        dao_page = get(url, "/dao").text
        inert(dao_page)
        assert "proposal guardian" in dao_page and "an account with one key" in dao_page
        assert "VoteCast" in dao_page or "voted" in dao_page

        assert get(url, "/models").status_code == 200
        # what a browser sends the wallet's endpoints: refused as JSON in words, never a page or a trace
        for query, said in (("proposal=abc&voter=0x1&support=for", "is not a proposal number"),
                            (f"proposal={pid}&voter=nobody&support=for", "voter"),
                            (f"proposal={pid}&voter={people.bob.address}&support=maybe", "is not a vote"),
                            ("delegator=<script>", "delegator")):  # fmt: skip
            path = "/api/ballot?" if "proposal" in query else "/api/delegation?"
            answer = get(url, path + query)
            assert answer.status_code == 422 and answer.json()["ok"] is False and said in answer.json()["error"]
        prepared = get(url, f"/api/ballot?proposal={pid}&voter={people.carol.address}&support=for").json()
        assert prepared["vote"]["voter"] == people.carol.address and prepared["typed_data"]["primaryType"] == "Ballot"
        home = get(url, "/")
        assert home.status_code == 200 and "<h1>Proposals</h1>" in home.text
        missing = get(url, "/proposals/999")
        assert missing.status_code == 404 and "proposal 999 does not exist" in missing.text
        assert get(url, "/proposals/abc").status_code == 404
        assert get(url, "/models/acme/none").status_code == 404
        css = get(url, "/static/app.css")
        assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_the_whole_proposal_simulated_on_request_and_signatures_read_when_ipfs_sources_are_given(
    world: dict[str, Any],
) -> None:
    from deai_gov.ipfs.stores import EmbeddedStore

    dao, pid = world["dao"], world["open"]
    store = EmbeddedStore(Path(world["base"][world["base"].index("--store") + 1]))
    with running(ui_app(dao, [store])) as url:
        page = get(url, f"/proposals/{pid}?simulate=1").text
        inert(page)
        assert "The whole proposal, played out on a fork of the chain" in page and "result: " in page
        model = get(url, f"/models/{NAME}").text  # the showcase's CIDs are in no store: said, per version
        assert "<th>signature</th>" in model
        assert model.count("manifest unavailable from the configured IPFS sources") == 2


def test_ui_is_a_command_and_says_where_it_serves(world: dict[str, Any]) -> None:
    code, _, err = run_cli(*world["base"], "ui", "--port", "0")
    assert code == 2 and "--port" in err  # the port is checked before anything starts
