"""The community's web page (`deai-gov ui`): the DAO's proposals, models and settings, server-rendered from the same
library functions the CLI calls (no second read path).

Pages: `/proposals` (state, end of vote, tally against quorum), `/proposals/N` (timeline, tally, decoded actions
with their DANGER marks, artifact checks, the whole-proposal simulation on request with `?simulate=1`, who voted
how), `/models` and `/models/ORG/NAME` (the versions as a lineage graph, their CIDs, contributors and the vote that
approved each), `/dao` (settings, guardians, treasury, delegates, recent activity).

Every string from the chain or IPFS is HTML-escaped (Jinja2's autoescape) after `display.shown` made its control,
bidi and zero-width characters visible; links are only ever the page's own. The Content-Security-Policy allows the
page's own style sheet and nothing else: no script runs, nothing is loaded from elsewhere. The server holds no key.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..dao.actions import Proposal, Support
from ..dao.deployed import guardian_words, read_settings
from ..dao.governance import ballots, get_proposal, list_proposals, unsigned_ballot
from ..dao.registry import list_models, model_history
from ..dao.token import symbol, top_delegates, unsigned_delegation
from ..display import shown
from ..errors import DeaiGovError, InputError
from ..ipfs.blockcid import from_text
from ..ipfs.content import fetch_manifest
from ..names import checksum_address
from ..units import format_amount, format_duration
from ..workflows.describe import DANGER, review_proposal, token_calls, treasury_transfers
from ..workflows.evaluations import find_evaluations
from ..workflows.provenance import approval_of
from ..workflows.signatures import version_signature
from ..workflows.watch import follow
from .charts import metric_charts
from .lineage import lineage_svg

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource
    from ..workflows.provenance import Approval

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
RECENT_BLOCKS = 5_000


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("deai_gov.web", "templates"), autoescape=select_autoescape(default=True))
    env.filters["shown"] = lambda text: shown(str(text))
    env.filters["line"] = lambda text: shown(str(text), lines=False)
    env.filters["amount"] = lambda value: format_amount(int(value))
    env.filters["duration"] = lambda seconds: format_duration(max(0, int(seconds)))
    env.filters["when"] = lambda moment: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(moment)))
    env.globals["DANGER"] = DANGER
    return env


def ui_app(dao: Dao, sources: list[BlockSource], *, relayer: str | None = None) -> Starlette:
    """The page for `dao`, reading content from `sources` (none: the artifact checks say they could not run). With
    `relayer` (a `relay serve` URL), members vote and delegate from a browser wallet: the page asks the wallet to sign
    the ballot or delegation this server prepares, and posts the signature to the relayer, which pays."""
    env = _environment()
    headers = HEADERS | ({"Content-Security-Policy": _csp(relayer)} if relayer else {})

    def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = env.get_template(name).render(**values, chain_id=dao.chain.chain_id, relayer=relayer)
        return HTMLResponse(html, status_code=status, headers=headers)

    async def api(build: Any, request: Request) -> Response:
        try:
            data = await run_in_threadpool(build, request)
        except InputError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=422, headers=headers)
        except DeaiGovError as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=503, headers=headers)
        return JSONResponse({"ok": True} | data, headers=headers)

    def ballot(request: Request) -> dict[str, Any]:
        """The ballot a voter's wallet signs: bound to the proposal's content, at the voter's next keyed nonce."""
        params = request.query_params
        proposal_id = _number(params.get("proposal", ""))
        voter = checksum_address(params.get("voter", ""), "voter")
        reason = params.get("reason", "")[:1000]
        vote, typed = unsigned_ballot(dao, voter, proposal_id, Support.parse(params.get("support", "")), reason)
        fields = {key: value for key, value in vote.to_dict().items() if key != "signature"}
        return {"vote": fields | {"chain_id": dao.chain.chain_id, "governor": dao.address("governor")},
                "typed_data": wallet_typed_data(typed)}  # fmt: skip

    def delegation(request: Request) -> dict[str, Any]:
        """The delegation a holder's wallet signs to give its votes (to itself, by default), valid for an hour."""
        params = request.query_params
        delegator = checksum_address(params.get("delegator", ""), "delegator")
        delegatee = checksum_address(params.get("delegatee") or delegator, "delegate")
        expiry = int(dao.chain.now()) + 3600
        typed = unsigned_delegation(dao, delegator, delegatee, expiry)
        message = typed["message"]
        fields = {"delegator": delegator, "delegatee": delegatee, "nonce": str(message["nonce"]), "expiry": expiry}
        return {"delegation": fields | {"token": dao.address("token")}, "typed_data": wallet_typed_data(typed)}

    async def render(build: Any, request: Request) -> Response:
        try:
            name, values = await run_in_threadpool(build, request)
        except InputError as exc:
            return page("error.html", 404, message=str(exc))
        except DeaiGovError as exc:
            return page("error.html", 503, message=str(exc))
        return page(name, **values)

    def proposals(request: Request) -> tuple[str, dict[str, Any]]:
        now = dao.chain.now()
        return "proposals.html", {"proposals": list_proposals(dao), "now": now, "symbol": symbol(dao)}

    def proposal(request: Request) -> tuple[str, dict[str, Any]]:
        proposal_id = _number(request.path_params["proposal_id"])
        review = review_proposal(dao, sources, proposal_id)
        simulation = None
        if request.query_params.get("simulate") == "1" and review.simulation:
            from ..workflows.simulation import check_proposal

            whole = check_proposal(dao, review.info.proposal, proposal_id=proposal_id)
            simulation = whole.lines(review.info.actions_in_words)
        return "proposal.html", {
            "review": review,
            "info": review.info,
            "votes": ballots(dao, proposal_id),
            "now": dao.chain.now(),
            "symbol": symbol(dao),
            "simulation": simulation,
        }

    def models(request: Request) -> tuple[str, dict[str, Any]]:
        return "models.html", {"models": list_models(dao)}

    def model(request: Request) -> tuple[str, dict[str, Any]]:
        name = f"{request.path_params['org']}/{request.path_params['name']}"
        history = model_history(dao, name)
        approvals: dict[int, Approval | None] = {}
        rewards: dict[int, str] = {}
        for version in history.versions:
            try:
                approval = approvals[version.number] = approval_of(dao, name, version.number)
            except DeaiGovError:  # a version whose vote cannot be proven (a pruned node): said, not fatal
                approvals[version.number] = None
                continue
            writer = get_proposal(dao, approval.written_by or approval.proposal_id)[0]
            rewards[version.number] = _rewards_words(dao, writer)
        signatures: dict[int, str] = {}
        for version in history.versions if sources else []:  # signatures are read from the manifests on IPFS
            try:
                found = version_signature(dao, sources, name, fetch_manifest(sources, from_text(version.manifest_cid)))
            except (DeaiGovError, ValueError):  # content that cannot be had or read: said, not fatal
                signatures[version.number] = "manifest unavailable from the configured IPFS sources"
                continue
            signatures[version.number] = found.words(name) if found is not None else "not signed"
        charts, evaluations_note = [], ""
        if dao.records_attestation_service:
            try:
                charts = metric_charts(find_evaluations(dao, name, sources=sources))
            except DeaiGovError as exc:
                evaluations_note = f"evaluations could not be read: {exc}"
        else:
            evaluations_note = "this DAO records no evaluations (no attestation service)"
        return "model.html", {
            "history": history,
            "svg": lineage_svg(history),
            "approvals": approvals,
            "rewards": rewards,
            "signatures": signatures,
            "charts": charts,
            "evaluations_note": evaluations_note or ("" if charts else "no evaluation that counts yet"),
        }

    def dao_page(request: Request) -> tuple[str, dict[str, Any]]:
        settings = read_settings(dao)
        start = max(dao.deployment.block, dao.chain.block_number() - RECENT_BLOCKS)
        events = list(follow(dao, confirmations=0, from_block=start, once=True))[-25:]
        return "dao.html", {
            "settings": settings,
            "guardians": {
                "proposals": guardian_words(dao.chain, settings.proposal_guardian),
                "registry": guardian_words(dao.chain, settings.registry_guardian),
            },
            "delegates": top_delegates(dao, 20),
            "events": list(reversed(events)),
        }

    def route(build: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            return await render(build, request)

        return endpoint

    async def ballot_endpoint(request: Request) -> Response:
        return await api(ballot, request)

    async def delegation_endpoint(request: Request) -> Response:
        return await api(delegation, request)

    routes = [
        Route("/", route(proposals)),
        Route("/api/ballot", ballot_endpoint),
        Route("/api/delegation", delegation_endpoint),
        Route("/proposals", route(proposals)),
        Route("/proposals/{proposal_id}", route(proposal)),
        Route("/models", route(models)),
        Route("/models/{org}/{name}", route(model)),
        Route("/dao", route(dao_page)),
        Mount("/static", StaticFiles(packages=[("deai_gov.web", "static")]), name="static"),
    ]
    return Starlette(routes=routes)


def _rewards_words(dao: Dao, writer: Proposal) -> str:
    """What the proposal that wrote a version paid from the treasury and granted as merit, in words."""
    sym = symbol(dao)
    paid = sum(amount for _, amount in treasury_transfers(dao, writer))
    merit = sum(int(args["amount"]) for function, args in token_calls(dao, writer) if function == "mintMerit")
    parts = ([f"{format_amount(paid)} {sym} from the treasury"] if paid else []) + (
        [f"{format_amount(merit)} {sym} of merit"] if merit else []
    )
    return "rewarded " + " and ".join(parts) if parts else "no reward"


def _csp(relayer: str) -> str:
    """The policy with the page's own script (the wallet flow) and its relayer as the one place it may post to."""
    origin = relayer.rstrip("/")
    if not origin.startswith(("http://", "https://")) or any(c in origin for c in " ;'\"\n"):
        raise InputError(f"{relayer!r} is not a relayer URL (http:// or https://)")
    return CSP.replace("default-src 'none';", f"default-src 'none'; script-src 'self'; connect-src 'self' {origin};")


def wallet_typed_data(typed: dict[str, Any]) -> dict[str, Any]:
    """EIP-712 typed data as `eth_signTypedData_v4` takes it in JSON: integers as decimal strings (a nonce keyed by
    a content hash is far beyond what JavaScript's numbers hold), bytes as 0x-hex; the domain's chain id stays a
    number, as wallets compare it with the chain they are on."""

    def plain(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return str(value)
        if isinstance(value, bytes | bytearray):
            return "0x" + bytes(value).hex()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    domain = plain(typed["domain"]) | {"chainId": int(typed["domain"]["chainId"])}
    return {**typed, "domain": domain, "message": plain(typed["message"])}


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 78:
        raise InputError(f"{text[:80]!r} is not a proposal number")
    return int(text)
