"""A proposal's actions in words, decoded against the DAO's own contracts: what a voter reads before voting."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..contracts.abi import decode_call
from ..contracts.states import ProposalState
from ..dao.actions import Proposal
from ..dao.deployed import CONTRACT_OF_ROLE, timelock_roles
from ..dao.governance import get_proposal, simulate_actions, state, would_succeed
from ..dao.registry import ProposedVersion, proposed_versions, trusted_evaluators, versions_written
from ..dao.token import symbol
from ..errors import DeaiGovError, TransactionError
from ..ipfs.blockcid import from_text, to_text
from ..ipfs.content import file_bytes
from ..units import format_amount, format_duration
from .approved import RewardShare, review_proposed
from .evaluations import EvaluationRecord
from .quality import MetricComparison
from .signatures import VersionSignature, version_signature

if TYPE_CHECKING:
    from ..dao.deployed import Dao
    from ..ipfs.manifest import Manifest
    from ..ipfs.stores import BlockSource
    from ..merit.policy import RewardPolicy


#: Marks an action that can hand over the DAO, its treasury or its registry: voters should read it twice.
DANGER = "DANGER: "
ZERO_ADDRESS = "0x" + "00" * 20

_ROLE_POWERS = {
    "PROPOSER_ROLE": "it schedules any call as the DAO: whoever holds it controls the DAO",
    "EXECUTOR_ROLE": "it executes scheduled calls",
    "CANCELLER_ROLE": "it cancels scheduled calls: whoever holds it can veto the DAO",
    "DEFAULT_ADMIN_ROLE": "it grants every role: whoever holds it controls the DAO",
}


#: The settings a proposal may change without a DANGER mark: within these, the DAO can still act, and change them
#: back by the next vote. Beyond them a change can freeze the DAO for good (a timelock delay of 2**255 seconds, a
#: quorum the treasury's unvotable tokens make unreachable, a threshold above the supply), so it is marked.
SAFE_LONGEST_DURATION = 30 * 24 * 3600
SAFE_HIGHEST_QUORUM_PERCENT = 50
SAFE_HIGHEST_THRESHOLD_PERCENT = 10


def _role_name(role: bytes) -> str:

    names = {role_id: name for name, role_id in timelock_roles().items()}
    return names.get(bytes(role), f"unknown role 0x{bytes(role).hex()}")


def describe_actions(dao: Dao, proposal: Proposal) -> list[str]:
    """Each action in words, decoded against the DAO's own contracts, with the ones that can hand over the DAO,
    its treasury or its registry marked `DANGER:`. A token transfer is called a reward only when it pays a
    contributor the same proposal writes into the registry; calls to other contracts show their selector and raw
    arguments."""

    roles = {dao.address(role).lower(): role for role in CONTRACT_OF_ROLE}
    decoded: list[tuple[str | None, str, dict[str, Any]] | None] = []
    for action in proposal.actions:
        role = roles.get(action.target.lower())
        try:
            decoded.append((role, *decode_call(CONTRACT_OF_ROLE[role], action.calldata)) if role else None)
        except ValueError:
            decoded.append((role, "", {}))
    contributors = {
        str(item[2]["contributor"]).lower()
        for item in decoded
        if item and item[0] == "registry" and item[1] in ("register", "upgrade")
    }
    token_symbol = functools.cache(lambda: symbol(dao))  # read once, and only for a proposal that needs it
    supply = functools.cache(lambda: int(dao.read("token", "totalSupply")))
    trusted = functools.cache(lambda: _trusted_or_none(dao))  # read only when it matters
    written = versions_written(dao, proposal.actions)
    registering = _registering(decoded)
    words = []
    for action, item, version in zip(proposal.actions, decoded, written, strict=True):
        if item is None:
            words.append(_unknown_call(action.target, action.calldata, action.value))
        elif not item[1]:
            words.append(f"{DANGER}call the {item[0]} with data it does not understand 0x{action.calldata[:4].hex()}…")
        else:
            words.append(
                _in_words(
                    dao,
                    item[0] or "",
                    item[1],
                    item[2],
                    contributors,
                    action.value,
                    token_symbol,
                    version,
                    supply,
                    trusted,
                    registering,
                )
            )
    return words


def _registering(decoded: list[tuple[str | None, str, dict[str, Any]] | None]) -> dict[bytes, str]:
    """The models the proposal registers, by id: a later call on one of them names it."""
    from eth_utils import keccak

    return {
        keccak(text=str(item[2]["name"])): str(item[2]["name"])
        for item in decoded
        if item and item[0] == "registry" and item[1] == "register"
    }


def _trusted_or_none(dao: Dao) -> set[str]:
    """The DAO's trusted evaluators (lowercase), or none when the registry cannot say (words never fail)."""
    try:
        return {address.lower() for address in trusted_evaluators(dao)}
    except DeaiGovError:
        return set()


def _unknown_call(target: str, calldata: bytes, value: int) -> str:
    arguments = calldata[4:]
    shown = "0x" + arguments[:64].hex() + ("…" if len(arguments) > 64 else "")
    return (
        f"{DANGER}call {target}, a contract outside the DAO: function 0x{calldata[:4].hex()} with "
        f"{len(arguments)} bytes of arguments ({shown}), value {value} wei"
    )


def _in_words(
    dao: Dao,
    role: str,
    function: str,
    args: dict[str, Any],
    contributors: set[str],
    value: int,
    token_symbol: Callable[[], str],
    version: ProposedVersion | None = None,
    supply: Callable[[], int] = lambda: 0,
    trusted: Callable[[], set[str]] = set,
    registering: dict[bytes, str] | None = None,
) -> str:

    if role == "registry":
        if function == "transferOwnership":
            return f"{DANGER}make {args['newOwner']} the registry's owner: it could then write versions without a vote"
        if function == "renounceOwnership":
            return f"{DANGER}leave the registry without an owner: no vote could ever change it again"
        return describe_registry_call(dao, function, args, version, registering)
    if role == "token":
        sym = token_symbol()
        if function == "transfer":
            amount = f"{format_amount(args['value'])} {sym}"
            if str(args["to"]).lower() in contributors:
                return f"reward {amount} to {args['to']} from the treasury (the contributor of this proposal's version)"
            if contributors and str(args["to"]).lower() in trusted():  # an evaluator's fee, if the policy gives it
                return (
                    f"pay {amount} from the treasury to {args['to']} (a trusted evaluator: a fee for reproducing the "
                    "version, within the reward policy only if its check below says so)"
                )
            if contributors:  # a version is written: a co-author's share, if its manifest names the recipient
                return (
                    f"transfer {amount} from the treasury to {args['to']} (a contributor's reward share only if the "
                    "version's manifest names it: see the check of its content)"
                )
            return f"transfer {amount} from the treasury to {args['to']}"
        if function == "mintMerit":
            amount = f"{format_amount(args['amount'])} {sym}"
            lifetime = int(args["lifetime"])
            keeps = f"voting power it keeps for {format_duration(lifetime)}" if lifetime else "voting power it keeps"
            if str(args["account"]).lower() in contributors:
                return (
                    f"grant {amount} of merit to {args['account']} (the contributor of this proposal's version): "
                    f"{keeps} and cannot transfer, for {args['reason']!r}"
                )
            if contributors and str(args["account"]).lower() in trusted():
                return (
                    f"grant {amount} of merit to {args['account']} (a trusted evaluator: a fee for reproducing the "
                    f"version, within the reward policy only if its check below says so): {keeps} and cannot "
                    f"transfer, for {args['reason']!r}"
                )
            if contributors:  # a version is written: a co-author's share, if its manifest names the recipient
                return (
                    f"grant {amount} of merit to {args['account']} (a contributor's share only if the version's "
                    f"manifest names it: see the check of its content): {keeps} and cannot transfer, "
                    f"for {args['reason']!r}"
                )
            return (  # voting power to someone this proposal names as no contributor: read twice
                f"{DANGER}grant {amount} of merit to {args['account']}, who contributes no version in this proposal: "
                f"{keeps} and cannot transfer, for {args['reason']!r}"
            )
        if function == "approve":
            return f"{DANGER}allow {args['spender']} to spend {format_amount(args['value'])} {sym} of the treasury"
        if function == "delegate":
            return f"{DANGER}give the treasury's voting power to {args['delegatee']}"
    if role == "timelock":
        if function in ("grantRole", "revokeRole", "renounceRole"):
            name = _role_name(args["role"])
            who = args.get("account") or args.get("callerConfirmation")
            verb = {"grantRole": "grant", "revokeRole": "revoke", "renounceRole": "renounce"}[function]
            power = _ROLE_POWERS.get(name, "")
            core = {dao.address("governor").lower(), dao.address("timelock").lower(), ZERO_ADDRESS}
            # known safe: taking a role back from an account outside the DAO (but for the proposer's and canceller's,
            # whose holders steer the DAO whoever they are)
            safe = (
                function != "grantRole"
                and name not in ("PROPOSER_ROLE", "CANCELLER_ROLE")
                and str(who).lower() not in core
            )
            if function != "grantRole" and name == "EXECUTOR_ROLE" and str(who).lower() == ZERO_ADDRESS:
                power = "anyone may execute today: without it no proposal could ever execute again"
            elif function != "grantRole" and str(who).lower() in core:
                power = f"{power}; taken from the DAO itself, it may never be given back" if power else power
            return f"{'' if safe else DANGER}{verb} the timelock's {name} {'to' if verb == 'grant' else 'of'} {who}" + (
                f" ({power})" if power else ""
            )
        if function == "updateDelay":
            return _duration_words(
                f"set the timelock delay to {format_duration(args['newDelay'])} (between a vote passing and its "
                "execution)",
                int(args["newDelay"]),
            )
    if role == "governor":
        durations = {
            "setVotingDelay": ("voting delay", "newVotingDelay"),
            "setVotingPeriod": ("voting period", "newVotingPeriod"),
            "setLateQuorumVoteExtension": ("late-quorum extension", "newVoteExtension"),
        }
        if function in durations:
            label, key = durations[function]
            return _duration_words(f"set the governor's {label} to {format_duration(args[key])}", int(args[key]))
        if function == "updateQuorumNumerator":
            percent = int(args["newQuorumNumerator"])
            words = f"set the governor's quorum to {percent}% of the supply"
            if percent > SAFE_HIGHEST_QUORUM_PERCENT:
                return (
                    f"{DANGER}{words}: no proposal passes unless that much of every token votes, the treasury's "
                    "included (it cannot vote), so it may never pass one again"
                )
            return words
        if function == "setProposalThreshold":
            threshold = int(args["newProposalThreshold"])
            words = f"set the proposal threshold to {format_amount(threshold)} {token_symbol()}"
            if threshold > supply():
                return f"{DANGER}{words}, more than the supply: nobody could ever propose again"
            if threshold * 100 > supply() * SAFE_HIGHEST_THRESHOLD_PERCENT:
                return (
                    f"{DANGER}{words}, over {SAFE_HIGHEST_THRESHOLD_PERCENT}% of the supply: few holders, or none, "
                    "could propose"
                )
            return words
        if function == "setProposalGuardian":
            return f"make {args['newProposalGuardian']} the proposal guardian (it may cancel proposals)"
        if function == "setModelRegistry":
            return (
                f"{DANGER}name {args['newRegistry']} as the DAO's model registry (the one whose guardian change the "
                "proposal guardian may not veto): it could then veto a change of the current registry's guardian"
            )
        if function == "updateTimelock":
            return f"{DANGER}move the DAO to the timelock {args['newTimelock']}: it would then execute every proposal"
        if function == "relay":
            inner = _unknown_call(args["target"], bytes(args["data"]), int(args["value"])).removeprefix(DANGER)
            return f"{DANGER}have the governor itself {inner}"
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())  # a call not known to be safe: marked
    return f"{DANGER}{role}.{function}({rendered})" + (f", value {value} wei" if value else "")


def _duration_words(words: str, seconds: int) -> str:
    """`words` about a duration setting, marked DANGER beyond what is known safe (`SAFE_LONGEST_DURATION`)."""
    if seconds > SAFE_LONGEST_DURATION:
        return f"{DANGER}{words}: over {format_duration(SAFE_LONGEST_DURATION)}, the DAO could not act for that long"
    return words


def describe_registry_call(
    dao: Dao,
    function: str,
    args: dict[str, Any],
    written: ProposedVersion | None = None,
    registering: dict[bytes, str] | None = None,
) -> str:
    """A registry call in words, e.g. 'register acme/vision v1, artifact bafy..., manifest bafy..., by 0x...';
    `written` is the version the call writes (`registry.versions_written`), when it writes one; `registering`, the
    models the same proposal registers (by id), named though not registered yet."""

    def model_of(mid: bytes) -> Any:
        try:
            return dao.read("registry", "getModel", mid)
        except TransactionError:  # not registered
            return None

    def name_of(mid: bytes) -> str:
        if registering and bytes(mid) in registering:
            return registering[bytes(mid)]
        found = model_of(mid)
        return str(found[1]) if found is not None else _unregistered(mid)

    if function == "register":
        return (
            f"register {args['name']} v1, artifact {to_text(args['artifactCid'])}, manifest "
            f"{to_text(args['manifestCid'])}, contributed by {args['contributor']}"
        )
    if function == "upgrade":
        name = written.name if written is not None else name_of(args["modelId"])
        which = f"v{written.version} (if executed now)" if written is not None else "a new version"
        return (
            f"upgrade {name} to {which}, artifact {to_text(args['artifactCid'])}, manifest "
            f"{to_text(args['manifestCid'])}, contributed by {args['contributor']}"
        )
    if function == "rollback":
        return f"roll {name_of(args['modelId'])} back to v{args['targetVersion']}"
    if function == "retire":
        return f"retire {name_of(args['modelId'])}: {args['reason']}"
    if function == "suspend":
        return f"suspend {name_of(args['modelId'])}: {args['reason']}"
    if function == "unsuspend":
        return f"lift the suspension of {name_of(args['modelId'])}"
    if function == "setGuardian":
        return f"make {args['newGuardian']} the registry guardian"
    if function == "setRewardPolicy":
        return (
            f"adopt the reward policy {args['uri']} (SHA-256 0x{bytes(args['digest']).hex()}): what accepted versions "
            "earn for their reproduced improvement"
        )
    if function == "setEvaluator":
        if args["trusted"]:
            return f"trust {args['evaluator']} as an evaluator: its evaluations of the DAO's models count from now on"
        return f"stop trusting {args['evaluator']} as an evaluator: its evaluations no longer count"
    if function == "setDaoURI":
        return (
            f"publish the DAO's description (EIP-4824 daoURI) at {args['uri']}: what indexers of DAOs show as its "
            "members, proposals, activity, governance and contracts"
        )
    if function == "setSigner":
        key = f"key sha256:{bytes(args['keyHash']).hex()}"
        if args["trusted"]:
            return (
                f"trust {key} to sign {name_of(args['id'])}'s versions (OpenSSF model signing): versions "
                "it signs count as signed from now on"
            )
        return f"stop trusting {key} to sign {name_of(args['id'])}'s versions: every version it signed is flagged"
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"registry.{function}({rendered})"


def _unregistered(model_id: bytes) -> str:
    return f"unregistered model 0x{bytes(model_id).hex()[:12]}…"


@dataclass(frozen=True)
class ProposalInfo:
    """A proposal as a voter sees it."""

    id: int
    proposal: Proposal
    proposer: str
    state: ProposalState
    snapshot: int
    deadline: int
    eta: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    quorum: int
    created_block: int
    actions_in_words: list[str] = field(default_factory=list)


def proposal_info(dao: Dao, proposal_id: int) -> ProposalInfo:
    """State, timing, tally, quorum and decoded actions of a proposal (its numbers read in one batch)."""
    proposal, proposer, block = get_proposal(dao, proposal_id)
    current = state(dao, proposal_id)
    snapshot, deadline, eta, votes, clock = dao.read_many(
        [
            dao.call("governor", "proposalSnapshot", proposal_id),
            dao.call("governor", "proposalDeadline", proposal_id),
            dao.call("governor", "proposalEta", proposal_id),
            dao.call("governor", "proposalVotes", proposal_id),
            dao.call("governor", "clock"),
        ]
    )
    against, for_, abstain = votes
    quorum = int(dao.read("governor", "quorum", min(int(snapshot), int(clock) - 1)))  # pending: today's quorum
    return ProposalInfo(
        id=proposal_id,
        proposal=proposal,
        proposer=proposer,
        state=current,
        snapshot=int(snapshot),
        deadline=int(deadline),
        eta=int(eta),
        votes_for=int(for_),
        votes_against=int(against),
        votes_abstain=int(abstain),
        quorum=quorum,
        created_block=block,
        actions_in_words=describe_actions(dao, proposal),
    )


@dataclass(frozen=True)
class ProposedArtifact:
    """A version a proposal would add, and whether its content is available and matches its manifest."""

    name: str
    version: int
    manifest_cid: str
    artifact_cid: str
    problem: str | None
    #: Whether the proposal pays its contributor from the treasury (the split among the manifest's contributors
    #: is then part of what `problem` checks).
    rewarded: bool = False
    #: With no problem: what the proposal pays each contributor the manifest names, with its share ([] if none).
    reward_shares: tuple[RewardShare, ...] = ()
    #: What evaluations that count say about it against the current version, per benchmark and metric.
    quality: tuple[MetricComparison, ...] = ()
    #: Why evaluations were not compared (no attestation service, unreadable), or None.
    quality_note: str | None = None
    #: Its OpenSSF model signature, checked against its manifest and the keys trusted for the model; None when
    #: the version is unsigned or its manifest could not be read.
    signature: VersionSignature | None = None
    #: Where its manifest says it came from outside the DAO (an MLflow version, a Hub commit), or {}.
    source: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "manifest": self.manifest_cid,
            "artifact": self.artifact_cid,
            "ok": self.ok,
            "problem": self.problem,
            "rewarded": self.rewarded,
            "reward_shares": [share.to_json() for share in self.reward_shares],
            "evaluations": [comparison.to_json() for comparison in self.quality],
            "evaluations_note": self.quality_note,
            "signature": self.signature.to_json() if self.signature else None,
            "source": self.source,
        }


@dataclass(frozen=True)
class ProposalReview:
    """Everything a voter is shown about a proposal (`deai-gov proposal show`)."""

    info: ProposalInfo
    #: Per action, None if it would succeed if executed now, else why not (empty once executed or canceled).
    simulation: list[str | None]
    artifacts: list[ProposedArtifact]
    #: The text behind an `ipfs://CID` in the description, verified; None when there is none.
    full_description: str | None
    #: For a proposal that writes versions: what the adopted reward policy gives them against what the proposal
    #: pays and mints, with what exceeds it; None when the DAO adopted no policy or the proposal writes no version.
    reward_check: dict[str, Any] | None = None

    @property
    def dangerous(self) -> list[int]:
        """The numbers (from 1) of the actions marked DANGER: they could hand over the DAO, treasury or registry."""
        return [i for i, words in enumerate(self.info.actions_in_words, 1) if words.startswith(DANGER)]

    def to_json(self) -> dict[str, Any]:
        """Token amounts as strings of base units; times as unix seconds."""
        info = self.info
        return {
            "id": info.id,
            "title": info.proposal.title,
            "description": info.proposal.description,
            "full_description": self.full_description,
            "proposer": info.proposer,
            "content_hash": "0x" + info.proposal.content_hash.hex(),
            "state": info.state.label,
            "snapshot": info.snapshot,
            "deadline": info.deadline,
            "eta": info.eta,
            "votes": {
                "for": str(info.votes_for),
                "against": str(info.votes_against),
                "abstain": str(info.votes_abstain),
            },
            "quorum": str(info.quorum),
            "actions": info.actions_in_words,
            "dangerous_actions": self.dangerous,
            "would_succeed_now": [would_succeed(outcome) for outcome in self.simulation],
            "simulation": self.simulation,
            "artifacts": [item.to_json() for item in self.artifacts],
            "reward_policy": self.reward_check,
        }


def review_proposal(dao: Dao, sources: list[BlockSource], proposal_id: int) -> ProposalReview:
    """A proposal as a voter should see it before voting: its info and actions in words, whether each action
    would succeed now, whether the artifacts it would register are available from `sources` and match, and its
    full description fetched from IPFS. With no `sources`, content is not checked (and says so)."""

    info = proposal_info(dao, proposal_id)
    done = info.state in (ProposalState.EXECUTED, ProposalState.CANCELED)
    simulation = [] if done else simulate_actions(dao, info.proposal)
    transfers = treasury_transfers(dao, info.proposal)
    writes = proposed_versions(dao, info.proposal.actions)
    policy, policy_note = _adopted(dao, sources) if writes else (None, None)
    fees = _fee_payees(dao, info.proposal, policy)
    versions = [_Written(dao, info, proposed, sources, fees) for proposed in writes]
    artifacts = []
    for written in versions:
        proposed = written.proposed
        problem, shares = (
            review_proposed(sources, proposed, transfers, written.manifest)  # fetched once, by `_Written`
            if sources
            else ("not checked (no IPFS source configured)", [])
        )
        rewarded = any(to.lower() == proposed.contributor.lower() for to, _ in transfers if proposed.contributor)
        quality, note = _quality(dao, written)
        signature = (
            version_signature(
                dao, sources, proposed.name, written.manifest, trusted_by_proposal=_signers_trusted(dao, info, proposed)
            )
            if written.manifest
            else None
        )
        if signature is not None and signature.problem and problem is None:
            problem = f"its signature does not hold: {signature.problem}"
        artifacts.append(
            ProposedArtifact(
                proposed.name,
                proposed.version,
                proposed.manifest_cid,
                proposed.artifact_cid,
                problem,
                rewarded,
                tuple(shares),
                tuple(quality),
                note,
                signature,
                dict(written.manifest.source) if written.manifest else {},
            )
        )
    described = full_description(sources, info.proposal.description)
    return ProposalReview(
        info, simulation, artifacts, described, _reward_check(dao, policy, policy_note, info, versions, transfers)
    )


def _signers_trusted(dao: Dao, info: ProposalInfo, proposed: ProposedVersion) -> frozenset[str]:
    """The key fingerprints (hex) the proposal trusts to sign `proposed`'s model."""
    from ..names import model_id

    registry, wanted = dao.address("registry").lower(), model_id(proposed.name)
    found = set()
    for action in info.proposal.actions:
        if action.target.lower() != registry:
            continue
        try:
            function, args = decode_call("ModelRegistry", action.calldata)
        except ValueError:
            continue
        if function == "setSigner" and args["trusted"] and bytes(args["id"]) == wanted:
            found.add(bytes(args["keyHash"]).hex())
    return frozenset(found)


def _adopted(dao: Dao, sources: list[BlockSource]) -> tuple[RewardPolicy | None, str | None]:
    """The DAO's adopted reward policy (None before one is), or why it could not be read: never raises (rule 2)."""
    from .rewards import adopted_policy

    try:
        return adopted_policy(dao, sources), None
    except DeaiGovError as exc:
        return None, f"the reward policy could not be applied: {exc}"


def _fee_payees(dao: Dao, proposal: Proposal, policy: RewardPolicy | None) -> set[str]:
    """The addresses (lowercase) the proposal pays nothing but the policy's evaluator fee: one transfer of exactly
    `evaluator_tokens` and one grant of exactly `evaluator_merit`, at most. A fee the DAO voted for does not make an
    evaluator dependent on the proposal; any other payment does."""
    if policy is None or not (policy.evaluator_tokens or policy.evaluator_merit):
        return set()
    paid: dict[str, list[tuple[str, int]]] = {}
    for function, payee, amount in _payments(dao, proposal):
        paid.setdefault(payee, []).append((function, amount))
    fee = {"transfer": policy.evaluator_tokens, "mintMerit": policy.evaluator_merit}
    return {
        payee
        for payee, payments in paid.items()
        if all(amount == fee[function] for function, amount in payments)
        and len(payments) == len({function for function, _ in payments})
    }


class _Written:
    """A version the proposal would write, its manifest (when it can be read), who cannot vouch for it, and its
    evaluations, read once for both the quality comparison and the reward check."""

    def __init__(
        self, dao: Dao, info: ProposalInfo, proposed: ProposedVersion, sources: list[BlockSource], fees: set[str]
    ):
        from .approved import fetch_proposed_manifest

        self.dao, self.proposed, self.sources = dao, proposed, sources
        self.manifest: Manifest | None = None
        # unavailable or not this version's: the review says so where it checks the content
        with contextlib.suppress(DeaiGovError):
            self.manifest = fetch_proposed_manifest(sources, proposed, info.id) if sources else None
        self.not_independent = _not_independent(dao, info, proposed, self.manifest, fees)
        self._records: list[EvaluationRecord] | None = None

    def files(self) -> dict[str, str]:
        """The candidate's files as its manifest lists them: CID (base32 CIDv1) -> path; {} without a manifest."""
        from ..ipfs.blockcid import normalize_cid

        return {normalize_cid(f.cid): f.path for f in self.manifest.files} if self.manifest else {}

    def records(self) -> list[EvaluationRecord]:
        """The model's evaluations with this version as proposed (raises as `find_evaluations` does)."""
        if self._records is None:
            from .evaluations import find_evaluations

            p = self.proposed
            self._records = find_evaluations(
                self.dao, p.name, proposed={(p.name, p.version): p.artifact_cid}, sources=self.sources
            )
        return self._records


def _reward_check(
    dao: Dao,
    policy: RewardPolicy | None,
    policy_note: str | None,
    info: ProposalInfo,
    versions: list[_Written],
    transfers: list[tuple[str, int]],
) -> dict[str, Any] | None:
    """What the adopted reward policy gives the versions the proposal writes (their contributors and the evaluators
    who reproduced them), against everything the proposal pays from the treasury and mints as merit; what exceeds
    it is flagged. Never raises (rule 2): a failure is a note."""
    from .rewards import auto_reward

    if not versions:
        return None
    if policy_note is not None:
        return {"note": policy_note, "flags": []}
    if policy is None:
        return None
    try:
        computed = [
            auto_reward(dao, policy, w.proposed.name, w.proposed.version, w.proposed.artifact_cid,
                        w.not_independent, w.records())
            for w in versions
        ]  # fmt: skip
    except DeaiGovError as exc:
        return {"note": f"the reward policy could not be applied: {exc}", "flags": []}
    paid = sum(amount for _, amount in transfers)
    minted = sum(int(args["amount"]) for function, args in token_calls(dao, info.proposal) if function == "mintMerit")
    allowed_tokens = sum(c.tokens_total for c in computed)
    allowed_merit = sum(c.merit_total for c in computed)
    flags = []
    if paid > allowed_tokens:
        flags.append(
            f"pays {format_amount(paid)} from the treasury, above the {format_amount(allowed_tokens)} the policy gives"
        )
    if minted > allowed_merit:
        flags.append(
            f"mints {format_amount(minted)} of merit, above the {format_amount(allowed_merit)} the policy gives"
        )
    recorded = re.search(r"reward policy 0x([0-9a-f]{64})", info.proposal.description)
    if recorded and bytes.fromhex(recorded.group(1)) != policy.digest:
        flags.append(
            f"its reward was computed under reward policy 0x{recorded.group(1)[:16]}…, not the adopted one "
            f"(0x{policy.digest.hex()[:16]}…)"
        )
    lifetimes = {int(args["lifetime"]) for f, args in token_calls(dao, info.proposal) if f == "mintMerit"}
    if policy.merit_lifetime and any(not t or t > policy.merit_lifetime for t in lifetimes):
        longest = "for good" if 0 in lifetimes else f"for {format_duration(max(lifetimes))}"
        flags.append(
            f"grants merit {longest}, longer than the {format_duration(policy.merit_lifetime)} the policy gives"
        )
    return {
        "policy": "0x" + policy.digest.hex(),
        "versions": [c.to_json() for c in computed],
        "tokens_allowed": str(allowed_tokens),
        "merit_allowed": str(allowed_merit),
        "tokens_paid": str(paid),
        "merit_minted": str(minted),
        "flags": flags,
        "note": None,
    }


def _not_independent(
    dao: Dao, info: ProposalInfo, proposed: ProposedVersion, manifest: Manifest | None, fees: set[str]
) -> dict[str, str]:
    """Who cannot vouch for a proposed version (lowercase address -> why): the proposal's proposer, the version's
    contributor, every contributor its manifest names (paid or not; when the manifest could be read), and whoever
    the proposal pays from the treasury or grants merit, except an evaluator paid only the policy's fee (`fees`)."""
    found = {info.proposer.lower(): "the proposal's proposer"}
    if proposed.contributor:
        found.setdefault(proposed.contributor.lower(), "the version's contributor")
    for contributor in manifest.contributors if manifest else []:
        found.setdefault(contributor.address.lower(), "a contributor its manifest names")
    for _, payee, _ in _payments(dao, info.proposal):
        if payee not in fees:
            found.setdefault(payee, "paid or granted merit by the proposal")
    return found


def _payments(dao: Dao, proposal: Proposal) -> list[tuple[str, str, int]]:
    """What the proposal pays: each token `transfer` (from the treasury) and `mintMerit`, as (function, payee in
    lowercase, amount)."""
    found = []
    for function, args in token_calls(dao, proposal):
        if function == "transfer":
            found.append((function, str(args["to"]).lower(), int(args["value"])))
        elif function == "mintMerit":
            found.append((function, str(args["account"]).lower(), int(args["amount"])))
    return found


def _quality(dao: Dao, written: _Written) -> tuple[list[MetricComparison], str | None]:
    """The evaluations of a proposed version against the current one, or why there are none to show; never raises
    for what the chain holds (rule 2: a review shows everything else whatever one check meets)."""
    from .quality import proposed_quality

    if not dao.records_attestation_service:
        return [], "this DAO records no attestation service: no evaluations"
    p = written.proposed
    try:
        found = proposed_quality(
            dao, p.name, p.version, p.artifact_cid, written.not_independent, written.records(), files=written.files()
        )
    except DeaiGovError as exc:
        return [], f"evaluations could not be read: {exc}"
    return found, None if found else "no evaluation that counts, of this version or the current one"


def treasury_transfers(dao: Dao, proposal: Proposal) -> list[tuple[str, int]]:
    """The (recipient, amount) of each token transfer the proposal makes from the treasury, in order."""
    return [(str(args["to"]), int(args["value"])) for function, args in token_calls(dao, proposal)
            if function == "transfer"]  # fmt: skip


def token_calls(dao: Dao, proposal: Proposal) -> list[tuple[str, dict[str, Any]]]:
    """(function, arguments) of each call the proposal makes on the DAO's token, in order; calls that do not
    decode against its ABI are left out (the actions in words mark them)."""
    token = dao.address("token").lower()
    found = []
    for action in proposal.actions:
        if action.target.lower() != token:
            continue
        try:
            found.append(decode_call("ModelToken", action.calldata))
        except ValueError:
            continue
    return found


def full_description_cid(description: str) -> str | None:
    """The CID of a proposal's full description: the first `ipfs://CID` in its description (None if there is none)."""
    match = re.search(r"ipfs://([A-Za-z0-9]+)", description)
    return match.group(1) if match else None


def full_description(sources: list[BlockSource], description: str) -> str | None:
    """The text behind the first `ipfs://CID` in a description, fetched and verified; None if there is none, and
    a line saying why when it cannot be had."""
    cid = full_description_cid(description)
    if cid is None:
        return None
    if not sources:
        return f"(full description {cid} unavailable: no IPFS source configured)"
    try:
        return file_bytes(sources, from_text(cid)).decode("utf-8", errors="replace")
    except (DeaiGovError, ValueError) as exc:
        return f"(full description {cid} unavailable: {exc})"
