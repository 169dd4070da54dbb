"""A whole proposal played out on a throw-away fork of the chain: what a voter should see before voting.

`simulate_proposal` starts anvil forking the configured chain at its latest block (`anvil.Anvil`: the RPC URL goes
through a loopback relay, never onto anvil's command line) and moves the proposal through the governor as the DAO
would: proposed (when it is not yet), voted for by the delegates with the most votes at its snapshot until it
passes, queued, and executed through the timelock once its delay has run. Impersonation, zero gas prices and time
travel happen only on the fork. The report gives success, or the failing action with its decoded revert; what
changed in the registry, in token balances and in the DAO's settings; the events emitted; the execution's gas.
The fork is always stopped.

When the vote cannot pass even with every delegate for it (a quorum nobody can reach, a proposal already
defeated), the actions are executed from the timelock's address directly, in order, and the report says so. When
the chain cannot be forked here (no anvil installed, or the embedded chain), SimulationUnavailable says why and the
caller falls back to `governance.simulate_actions`, which checks each action on its own.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from ..chain.anvil import Anvil, find_anvil
from ..chain.client import Chain, PreparedTx, connect, eth_calls, fee_fields, simulate
from ..contracts.abi import bytes_argument, decode_any_log
from ..contracts.states import ProposalState
from ..dao.actions import Proposal, Support
from ..dao.deployed import CONTRACT_OF_ROLE, Dao, DaoSettings, read_settings
from ..dao.governance import outcome_words, propose, simulate_actions, state, vote, would_succeed
from ..dao.registry import model_from_view
from ..dao.token import delegate_addresses
from ..errors import ChainError, SimulationUnavailable, TransactionError
from ..names import address_or_none, checksum
from ..units import format_amount, format_duration

#: The address that queues and executes on the fork (anyone may; this one holds nothing on any chain).
#: How long after its eta the execution is tried again: a proposal that succeeds at the eta may fail later (an
#: expiry in a contract it calls), or the other way round; the real execution may come any time after the eta.
LATER = 24 * 3600


@dataclass(frozen=True)
class Change:
    """One thing the proposal changes: what, and its value before and after, in words."""

    what: str
    before: str
    after: str


@dataclass
class SimulationReport:
    """What executing a proposal does, as played out on a fork of the chain at `fork_block`."""

    fork_block: int
    #: "governor" (voted, queued and executed as the DAO would) or "timelock" (its actions run from the timelock).
    route: str = "governor"
    #: Why the actions ran from the timelock directly; None on the governor route.
    route_note: str | None = None
    #: What was done on the fork, in order, in words.
    steps: list[str] = field(default_factory=list)
    #: The number (from 1) of the first action that fails, and why; None when all succeed.
    failed_action: int | None = None
    failure: str | None = None
    gas_used: int | None = None
    models: list[Change] = field(default_factory=list)
    balances: list[Change] = field(default_factory=list)
    settings: list[Change] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    #: The numbers (from 1) of the actions that call contracts the DAO did not deploy: their code may tell a fork
    #: from the chain, so what they did here vouches for nothing.
    outside_actions: list[int] = field(default_factory=list)
    #: How executing it a day after its eta differs from executing it at the eta, in words; None when it does not.
    later: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.failed_action is None

    def lines(self, action_words: list[str] | None = None) -> list[str]:
        """The report in words, a line each (the CLI prints them; `action_words` name the failing action)."""
        lines = [f"simulated on a fork of block {self.fork_block:,}: {', '.join(self.steps) or 'nothing done'}"]
        if self.route_note:
            lines.append(f"note: {self.route_note}")
        if self.outside_actions:
            numbers = ", ".join(str(n) for n in self.outside_actions)
            lines.append(
                f"note: action{'s' if len(self.outside_actions) > 1 else ''} {numbers} call contracts the DAO did not "
                "deploy: the simulation cannot vouch for what their code does when the proposal really executes"
            )
        if self.later:
            lines.append(f"note: {self.later}")
        if not self.succeeded:
            assert self.failed_action is not None
            words = ""
            if action_words and 0 < self.failed_action <= len(action_words):
                words = f" ({action_words[self.failed_action - 1]})"
            lines.append(f"result: FAILS at action {self.failed_action}{words}: {self.failure}")
            lines.append("nothing would change: a failing action reverts the whole execution")
            return lines
        gas = f"; execution gas {self.gas_used:,}" if self.gas_used is not None else ""
        lines.append(f"result: every action succeeds{gas}")
        for title, changes in (("registry", self.models), ("balances", self.balances), ("settings", self.settings)):
            if changes:
                lines.append(f"{title}:")
                lines += [f"  {c.what}: {c.before} -> {c.after}" for c in changes]
        if not (self.models or self.balances or self.settings):
            lines.append("no change to the registry, token balances or settings")
        lines.append(f"events ({len(self.events)}):")
        lines += [f"  {event}" for event in self.events]
        return lines

    def to_json(self) -> dict[str, Any]:
        def changes(items: list[Change]) -> list[dict[str, str]]:
            return [{"what": c.what, "before": c.before, "after": c.after} for c in items]

        return {
            "fork_block": self.fork_block,
            "route": self.route,
            "route_note": self.route_note,
            "steps": self.steps,
            "succeeded": self.succeeded,
            "failed_action": self.failed_action,
            "failure": self.failure,
            "gas_used": self.gas_used,
            "registry": changes(self.models),
            "balances": changes(self.balances),
            "settings": changes(self.settings),
            "events": self.events,
            "outside_actions": self.outside_actions,
            "later": self.later,
        }


def simulate_proposal(
    dao: Dao, proposal: Proposal, *, proposal_id: int | None = None, proposer: str | None = None
) -> SimulationReport:
    """Play `proposal` out on a fork of `dao`'s chain: the existing proposal `proposal_id` from the state it is in,
    or (with `proposer`, who must hold the threshold) a new one proposed on the fork first. SimulationUnavailable
    when no fork can be made here, or when the proposal has nothing left to simulate (executed, canceled)."""

    if dao.chain.embedded or not dao.chain.rpc_url:
        raise SimulationUnavailable(
            "the embedded chain cannot be forked: a whole-proposal simulation needs an RPC node"
        )
    try:
        find_anvil()
    except ChainError as missing:
        raise SimulationUnavailable(f"no fork to simulate on: {missing}", hint=missing.hint) from None
    block = dao.chain.block_number()
    with Anvil(fork_url=dao.chain.rpc_url, fork_block=block) as node:
        fork = Dao(connect(node.url), dao.deployment)
        return _Run(fork, proposal, block).play(proposal_id, proposer)


class _Run:
    """One simulation on one fork."""

    def __init__(self, fork: Dao, proposal: Proposal, block: int):
        self.fork = fork
        self.chain: Chain = fork.chain
        self.proposal = proposal
        self.report = SimulationReport(fork_block=block)
        self.symbol = str(fork.read("token", "symbol"))
        self._names: dict[bytes, str] = {}  # model ids to names, as read
        self._roles = {fork.address(role).lower(): role for role in CONTRACT_OF_ROLE}  # address -> role
        self._shortfall: str | None = None  # why the vote could not pass, when it could not
        # whoever executes is anyone: a fresh address each run, so no target can recognise the simulation by it
        self.executor = checksum("0x" + os.urandom(20).hex())
        self.report.outside_actions = [
            number for number, action in enumerate(proposal.actions, 1) if action.target.lower() not in self._roles
        ]

    # ------------------------------------------------------------------ the route through the governor

    def play(self, proposal_id: int | None, proposer: str | None) -> SimulationReport:

        if proposal_id is None:
            proposal_id = self._propose(proposer)
            if proposal_id is None:
                return self._from_timelock()
        current = state(self.fork, proposal_id)
        if current in (ProposalState.EXECUTED, ProposalState.CANCELED):
            raise SimulationUnavailable(f"proposal {proposal_id} {current.phrase}: there is nothing left to simulate")
        if current == ProposalState.PENDING:
            self._travel_to(int(self.fork.read("governor", "proposalSnapshot", proposal_id)) + 1)
            current = state(self.fork, proposal_id)
        if current == ProposalState.ACTIVE:
            self._vote(proposal_id)
            self._travel_to(int(self.fork.read("governor", "proposalDeadline", proposal_id)) + 1)
            current = state(self.fork, proposal_id)
        if current in (ProposalState.DEFEATED, ProposalState.EXPIRED):
            self.report.route_note = (
                f"the proposal is {current.label} on the fork, so its actions were run from the timelock directly"
                + (f" ({self._shortfall})" if self._shortfall else "")
            )
            return self._from_timelock()
        if current == ProposalState.SUCCEEDED:
            if self.fork.read("governor", "proposalNeedsQueuing", proposal_id):
                self._send(self.executor, self._governor_call("queue"))
                self.report.steps.append("queued")
            current = state(self.fork, proposal_id)
        if current == ProposalState.QUEUED:
            eta = int(self.fork.read("governor", "proposalEta", proposal_id))
            delay = int(self.fork.read("timelock", "getMinDelay"))
            self._travel_to(eta)
            self.report.steps.append(f"executed once the timelock's delay ({format_duration(delay)}) had run")
        return self._execute()

    def _propose(self, proposer: str | None) -> int | None:

        if proposer is None:
            raise SimulationUnavailable("a new proposal needs its proposer to be simulated")
        tx = propose(self.fork, self.proposal)
        try:
            receipt = self._send(proposer, tx)
        except TransactionError as refused:
            self.report.route_note = f"it could not be proposed on the fork ({refused}), so its actions were run " + (
                "from the timelock directly"
            )
            return None
        self.report.steps.append(f"proposed by {proposer}")
        assert tx.read_outcome is not None
        return int(tx.read_outcome(receipt))

    def _vote(self, proposal_id: int) -> None:
        """Delegates with the most votes at the snapshot who have not voted vote for, until the proposal would pass."""

        snapshot = int(self.fork.read("governor", "proposalSnapshot", proposal_id))
        quorum = int(self.fork.read("governor", "quorum", snapshot))
        against, in_favour, abstain = (int(v) for v in self.fork.read("governor", "proposalVotes", proposal_id))
        delegates = delegate_addresses(self.fork)
        reads = [self.fork.call("governor", "getVotes", a, snapshot) for a in delegates]
        reads += [self.fork.call("governor", "hasVoted", proposal_id, a) for a in delegates]
        answers = self.fork.read_many(reads)
        weights, voted = answers[: len(delegates)], answers[len(delegates) :]
        ranked = sorted(
            ((int(w), a) for a, w, v in zip(delegates, weights, voted, strict=True) if int(w) > 0 and not v),
            reverse=True,
        )
        voters = 0
        added = 0
        for weight, delegate in ranked:
            if in_favour + abstain >= quorum and in_favour > against:
                break
            self._send(delegate, vote(self.fork, proposal_id, Support.FOR))
            in_favour += weight
            added += weight
            voters += 1
        if voters:
            self.report.steps.append(
                f"voted for by {voters} delegate{'s' if voters > 1 else ''} holding "
                f"{format_amount(added)} {self.symbol} (quorum {format_amount(quorum)} {self.symbol})"
            )
        if not (in_favour + abstain >= quorum and in_favour > against):
            self._shortfall = (
                f"with every delegate for it: {format_amount(in_favour)} {self.symbol} for, "
                f"{format_amount(against)} {self.symbol} against, quorum {format_amount(quorum)} {self.symbol}"
            )

    def _governor_call(self, step: str) -> PreparedTx:
        return self.fork.prepare("governor", step, self.proposal.args(), f"{step} the proposal")

    def _execute(self) -> SimulationReport:
        before = self._snapshot()
        execute = self._governor_call("execute")
        try:
            self._estimate(self.executor, execute)
        except TransactionError:  # which action fails, and why: replayed one at a time from the timelock
            self._revert(before)
            before = self._snapshot()
            self._replay(before)
            return self.report
        later = self._snapshot()
        self._try_later(execute)
        self._revert(later)
        receipt = self._send(self.executor, execute)
        self.report.gas_used = int(receipt["gasUsed"])
        self._changes([receipt], before)
        return self.report

    def _try_later(self, execute: PreparedTx) -> None:
        """Whether the execution that succeeds at the eta still does a day later (the state is reverted after)."""
        self._travel_to(int(self.chain.timestamp()) + LATER)
        try:
            self._estimate(self.executor, execute)
        except TransactionError as refused:
            self.report.later = f"executed {format_duration(LATER)} after its eta instead, it would FAIL: {refused}"

    # ------------------------------------------------------------------ the route from the timelock directly

    def _from_timelock(self) -> SimulationReport:
        self.report.route = "timelock"
        before = self._snapshot()
        receipts = self._replay(before)
        if self.report.succeeded:
            self.report.gas_used = sum(int(r["gasUsed"]) for r in receipts)
            self._changes(receipts, before)
        return self.report

    def _replay(self, before: str) -> list[dict[str, Any]]:
        """Each action in turn from the timelock's address; the first that would revert is the failing action."""
        timelock = self.fork.address("timelock")
        receipts = []
        for number, action in enumerate(self.proposal.actions, 1):
            tx = PreparedTx(action.target, action.calldata, f"action {number}", action.value)
            try:
                receipts.append(self._send(timelock, tx))
            except TransactionError as failed:
                self.report.failed_action, self.report.failure = number, str(failed)
                self._revert(before)
                return []
        return receipts

    # ------------------------------------------------------------------ what changed

    def _changes(self, receipts: list[dict[str, Any]], before: str) -> None:
        """Events of `receipts`, and the registry, balances and settings after them against the state at `before`."""
        logs = [log for receipt in receipts for log in receipt["logs"]]
        self.report.events = [self._event_words(log) for log in logs]
        model_ids, holders = self._touched(logs)
        after = self._read_state(model_ids, holders)
        self._revert(before)
        earlier = self._read_state(model_ids, holders)
        self.report.models = _diff(earlier["models"], after["models"])
        self.report.balances = _diff(earlier["balances"], after["balances"])
        self.report.settings = _diff(earlier["settings"], after["settings"])

    def _touched(self, logs: list[dict[str, Any]]) -> tuple[list[bytes], list[str]]:
        """The models the registry's logs name, and the addresses the token's transfers moved tokens between."""

        registry, token = self.fork.address("registry").lower(), self.fork.address("token").lower()
        model_ids: list[bytes] = []
        holders: list[str] = []
        for log in logs:
            address = str(log["address"]).lower()
            decoded = decode_any_log("ModelRegistry", log) if address == registry else None
            if decoded and "modelId" in decoded[1] and bytes(decoded[1]["modelId"]) not in model_ids:
                model_ids.append(bytes(decoded[1]["modelId"]))
            decoded = decode_any_log("ModelToken", log) if address == token else None
            if decoded and decoded[0] == "Transfer":
                holders += [a for a in (decoded[1]["from"], decoded[1]["to"]) if a not in holders and int(a, 16)]
        return model_ids, holders

    def _read_state(self, model_ids: list[bytes], holders: list[str]) -> dict[str, dict[str, str]]:

        answers = eth_calls(
            self.chain,
            [(self.fork.address("registry"), self.fork.calldata("registry", "getModel", i)) for i in model_ids],
        )
        models = {}
        for model_id, answer in zip(model_ids, answers, strict=True):
            if isinstance(answer, TransactionError):  # not registered (yet): named as the other read found it
                models[self._names.get(model_id, "0x" + model_id.hex())] = "not registered"
                continue
            info = model_from_view(self.fork.call("registry", "getModel", model_id).decode(answer))
            self._names[model_id] = info.name
            models[info.name] = f"{info.label}, current v{info.current_version} of {info.latest_version}"
        balances = self.fork.read_many([self.fork.call("token", "balanceOf", h) for h in holders])
        return {
            "models": models,
            "balances": {
                self._label(h): f"{format_amount(int(b))} {self.symbol}" for h, b in zip(holders, balances, strict=True)
            },
            "settings": _settings_in_words(read_settings(self.fork), self.symbol),
        }

    def _label(self, address: str) -> str:
        role = self._roles.get(address.lower())
        return f"{address} ({'treasury' if role == 'timelock' else role})" if role else address

    def _event_words(self, log: dict[str, Any]) -> str:

        role = self._roles.get(str(log["address"]).lower())
        decoded = decode_any_log(CONTRACT_OF_ROLE[role], log) if role else None
        if role and decoded:
            name, args = decoded
            amounts = role == "token" and name in ("Transfer", "Approval", "DelegateVotesChanged")
            shown = ", ".join(f"{k}={self._value_words(k, v, amounts)}" for k, v in args.items())
            return f"{role} {name}({shown})"
        topics = log.get("topics") or ["(no topic)"]
        return f"{log['address']} emitted an event unknown here, topic {topics[0]}"

    def _value_words(self, name: str, value: Any, amounts: bool) -> str:
        """An event argument as text: token amounts with the symbol, CIDs as CIDs, long bytes shortened, known
        addresses named."""
        if isinstance(value, bytes | bytearray):
            text = bytes_argument(name, value)
            long_hex = text.startswith("0x") and len(value) > 32
            return f"{text[:18]}… ({len(value):,} bytes)" if long_hex else text
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{format_amount(value)} {self.symbol}" if amounts else str(value)
        if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
            return self._label(value)
        return str(value)

    # ------------------------------------------------------------------ the fork's controls

    def _send(self, sender: str, tx: PreparedTx) -> dict[str, Any]:
        """Send `tx` as `sender` (impersonated, and given the gas money on the fork) at the chain's own base fee and a
        real priority fee, as a transaction on the chain would be, and return its receipt; TransactionError with the
        decoded revert if it would fail."""
        self.chain.request("anvil_impersonateAccount", [sender])
        gas, fees = self._estimate(sender, tx)
        limit = gas + gas // 5 + 50_000
        fields = {"from": sender, "data": "0x" + tx.data.hex(), "value": hex(tx.value)}
        fields |= {key: hex(value) for key, value in fees.items()}
        fields["gas"] = hex(limit)
        if tx.to is not None:
            fields["to"] = tx.to
        tx_hash = self.chain.request("eth_sendTransaction", [fields])
        deadline = time.monotonic() + 30
        while not (receipt := self.chain.request("eth_getTransactionReceipt", [tx_hash])):
            if time.monotonic() > deadline:
                raise ChainError(f"the fork did not mine {tx.description} within 30 s")
            time.sleep(0.01)  # anvil mines each transaction as it arrives, a moment later
        if int(receipt["status"], 16) != 1:
            raise TransactionError(f"{tx.description} reverted on the fork")
        return dict(self.chain.w3.eth.get_transaction_receipt(tx_hash))  # quantities as numbers

    def _estimate(self, sender: str, tx: PreparedTx) -> tuple[int, dict[str, int]]:
        """The gas `tx` needs from `sender` at the chain's own fees, and those fees; `sender` is given the money for
        a block's worth of gas at them first (the fee money only: a value it sends still needs its own balance)."""
        fees = fee_fields(self.chain.w3)
        held = int(self.chain.request("eth_getBalance", [sender, "latest"]), 16)
        block_gas = int(self.chain.request("eth_getBlockByNumber", ["latest", False])["gasLimit"], 16)
        fee_money = block_gas * max(fees.get("maxFeePerGas", 0), fees.get("gasPrice", 0))
        self.chain.request("anvil_setBalance", [sender, hex(held + fee_money)])
        return simulate(self.chain, sender, tx, fees=fees), fees

    def _travel_to(self, timestamp: int) -> None:
        if timestamp > self.chain.timestamp():
            self.chain.request("evm_setNextBlockTimestamp", [hex(timestamp)])
        self.chain.request("evm_mine", [])

    def _snapshot(self) -> str:
        return str(self.chain.request("evm_snapshot", []))

    def _revert(self, snapshot: str) -> None:
        self.chain.request("evm_revert", [snapshot])


def _settings_in_words(settings: DaoSettings, symbol: str) -> dict[str, str]:
    return {
        "voting delay": format_duration(settings.voting_delay),
        "voting period": format_duration(settings.voting_period),
        "proposal threshold": f"{format_amount(settings.proposal_threshold)} {symbol}",
        "quorum": f"{settings.quorum_percent}% of the supply",
        "late-quorum extension": format_duration(settings.late_quorum_extension),
        "timelock delay": format_duration(settings.timelock_delay),
        "proposal guardian (cancels proposals)": address_or_none(settings.proposal_guardian),
        "registry guardian (suspends models)": address_or_none(settings.registry_guardian),
    }


def _diff(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(key, before.get(key, "none"), after.get(key, "none"))
        for key in keys
        if before.get(key) != after.get(key)
    ]


@dataclass(frozen=True)
class ProposalCheck:
    """The best check of a proposal this machine can make: a whole-proposal simulation on a fork, or, where none
    can run (`unavailable` says why), each action checked on its own against the chain as it is."""

    report: SimulationReport | None
    unavailable: str | None = None
    #: Per action, None if it would succeed on its own now, else why not (only when there is no report).
    per_action: list[str | None] = field(default_factory=list)

    def lines(self, action_words: list[str]) -> list[str]:
        if self.report is not None:
            return self.report.lines(action_words)
        lines = [f"no whole-proposal simulation: {self.unavailable}; each action checked on its own instead"]
        for number, (words, outcome) in enumerate(zip(action_words, self.per_action, strict=False), 1):
            lines.append(f"  {number}. {words}: {outcome_words(outcome)}")
        return lines

    def to_json(self) -> dict[str, Any]:
        if self.report is not None:
            return self.report.to_json()
        return {
            "unavailable": self.unavailable,
            "would_succeed_now": [would_succeed(o) for o in self.per_action],
            "per_action": self.per_action,
        }


def check_proposal(
    dao: Dao, proposal: Proposal, *, proposal_id: int | None = None, proposer: str | None = None
) -> ProposalCheck:
    """`simulate_proposal` where it can run; else each action checked on its own (`governance.simulate_actions`)."""

    try:
        return ProposalCheck(simulate_proposal(dao, proposal, proposal_id=proposal_id, proposer=proposer))
    except SimulationUnavailable as unavailable:
        why = f"{unavailable} ({unavailable.hint})" if unavailable.hint else str(unavailable)
        return ProposalCheck(None, why, simulate_actions(dao, proposal))
