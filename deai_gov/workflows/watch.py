"""Following the DAO as it changes: its governor's and registry's events, delivered once each, in chain order, once
they are `confirmations` blocks deep, from where the last run stopped.

`follow` is an iterator (the CLI's `watch` and `model watch`, and any script, use the same): it polls the chain,
reads the logs of the governor and the registry in one query per range (see `logs.fetch_logs`: ranges a provider
refuses shrink), decodes each into a `WatchedEvent` and yields it. A `Cursor` file records the last event handled
(block, log index and block hash); it is written when the caller asks for the next event, so an event whose handling
was interrupted is delivered again on restart (at least once; exactly once when each run stops cleanly), and never
an event twice after it was handled.

Reorganisations: an event is delivered only once its block is `confirmations` deep, so a reorganisation shallower
than that never touches a delivered event. A deeper one is detected on the next poll or start: the cursor's block no
longer has the hash recorded, and `follow` stops with a ChainError saying from which block events may have changed.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import parsing
from ..chain.logs import fetch_logs, hex_text, quantity
from ..contracts.abi import bytes_argument, decode_any_log, event_shape
from ..dao.actions import description_title
from ..dao.deployed import Dao
from ..dao.token import symbol
from ..errors import ChainError, HookFailed, InputError, TransactionError
from ..names import address_or_none, model_id
from ..units import format_amount, format_duration, format_time

#: The events followed, by the role of the contract that emits them.
EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "governor": (
        "ModelGovernor",
        (
            "ProposalCreated",
            "ProposalQueued",
            "ProposalExecuted",
            "ProposalCanceled",
            "VoteCast",
            "VoteCastWithParams",
            "OverrideVoteCast",
            "ProposalExtended",
            "VotingDelaySet",
            "VotingPeriodSet",
            "ProposalThresholdSet",
            "QuorumNumeratorUpdated",
            "LateQuorumVoteExtensionSet",
            "ProposalGuardianSet",
            "TimelockChange",
            "ModelRegistrySet",
        ),
    ),
    "timelock": ("TimelockController", ("MinDelayChange", "RoleGranted", "RoleRevoked")),
    "registry": (
        "ModelRegistry",
        (
            "ModelRegistered",
            "VersionPublished",
            "CurrentVersionChanged",
            "ModelSuspended",
            "ModelUnsuspended",
            "ModelRetired",
            "GuardianChanged",
            "EvaluatorSet",
            "SignerSet",
            "RewardPolicyAdopted",
        ),
    ),
}
#: Token transfers are followed only out of the treasury (the timelock): `TREASURY_EVENT` with the timelock as sender.
TREASURY_EVENT = ("ModelToken", "Transfer")
_SUPPORT = {0: "against", 1: "for", 2: "abstain"}


_BLOCK_HASH = re.compile(r"0x[0-9a-fA-F]{64}")

#: The longest value `WatchedEvent.environment` puts in a variable (Linux refuses one of 128 KiB or more, and all of
#: them together past the argument limit).
VARIABLE_LIMIT = 16_384


@dataclass(frozen=True)
class WatchedEvent:
    """One event of the DAO, decoded: what happened (`summary`), where, and its arguments as JSON values."""

    name: str
    contract: str  # "governor" or "registry"
    block: int
    block_hash: str
    tx_hash: str
    log_index: int
    args: dict[str, Any]
    model: str | None = None
    summary: str = ""
    proposal_id: int | None = None  # the proposal it is about, or whose execution caused it

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.name,
            "contract": self.contract,
            "model": self.model,
            "proposal_id": self.proposal_id,
            "block": self.block,
            "block_hash": self.block_hash,
            "tx_hash": self.tx_hash,
            "log_index": self.log_index,
            "args": self.args,
            "summary": self.summary,
        }

    def environment(self) -> dict[str, str]:
        """The event as environment variables for a command run on it (`run_command`). A value longer than
        `VARIABLE_LIMIT` characters is left out (`DEAI_GOV_EVENT_JSON` of an event carrying a long vote reason, say):
        anyone may write such an event, and a variable too long for the kernel would stop every command; the whole
        event is always on the command's standard input."""
        env = {
            "DEAI_GOV_EVENT": self.name,
            "DEAI_GOV_CONTRACT": self.contract,
            "DEAI_GOV_BLOCK": str(self.block),
            "DEAI_GOV_TX": self.tx_hash,
            "DEAI_GOV_EVENT_JSON": json.dumps(self.to_json()),
        }
        if self.model is not None:
            env["DEAI_GOV_MODEL"] = self.model
        proposal_id = self.proposal_id if self.proposal_id is not None else self.args.get("proposalId")
        if proposal_id is not None:
            env["DEAI_GOV_PROPOSAL_ID"] = str(proposal_id)
        for key, variable in (("version", "DEAI_GOV_VERSION"), ("current", "DEAI_GOV_VERSION")):
            if key in self.args:
                env[variable] = str(self.args[key])
        return {name: value for name, value in env.items() if len(value) <= VARIABLE_LIMIT}


@dataclass
class Cursor:
    """Where a follower stopped: the last event handled, in a small JSON file written atomically."""

    path: Path
    chain_id: int = 0
    deployment: str = ""
    block: int = -1
    log_index: int = -1
    block_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, chain_id: int, deployment: str) -> Cursor | None:
        """The cursor saved at `path`, or None if there is none yet; InputError if it is unreadable or was saved
        for another chain or deployment."""
        try:
            data = parsing.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the cursor file {path}: {exc}") from None
        try:
            found = cls(
                path,
                int(data["chain_id"]),
                str(data["deployment"]),
                int(data["block"]),
                int(data["log_index"]),
                data.get("block_hash"),
            )
        except (KeyError, TypeError, ValueError):
            raise InputError(f"the cursor file {path} is not one this command wrote") from None
        if found.block >= 0 and not (isinstance(found.block_hash, str) and _BLOCK_HASH.fullmatch(found.block_hash)):
            # without the hash of the block it stopped at, a reorganisation (or an edited cursor) would go unseen
            raise InputError(
                f"the cursor file {path} does not hold the hash of block {found.block:,}: it is not one this command "
                "wrote",
                hint="start again without it (--from BLOCK) if the events after that block can be delivered again",
            )
        if (found.chain_id, found.deployment.lower()) != (chain_id, deployment.lower()):
            raise InputError(
                f"the cursor file {path} follows chain {found.chain_id}, governor {found.deployment}, not this DAO"
            )
        return found

    def save(self) -> None:
        data = {
            "chain_id": self.chain_id,
            "deployment": self.deployment,
            "block": self.block,
            "log_index": self.log_index,
            "block_hash": self.block_hash,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, self.path)


def follow(
    dao: Dao,
    *,
    confirmations: int = 2,
    cursor_path: Path | None = None,
    from_block: int | None = None,
    model: str | None = None,
    interval: float = 2.0,
    once: bool = False,
    stop: Callable[[], bool] | None = None,
    names: Mapping[str, str] | None = None,
) -> Generator[WatchedEvent, None, None]:
    """The DAO's events, oldest first, each once `confirmations` blocks deep; with `model`, only the registry's
    events about that model. Starts after the event in `cursor_path` (saved as events are handled), else at
    `from_block`, else at the next block. With `once`, returns when it has caught up; else polls every `interval`
    seconds until `stop()` says so. Summaries show the DAO's own contracts by their role, and the addresses in
    `names` (lowercase address -> name, e.g. this machine's accounts) with their name beside them."""

    if confirmations < 0:
        raise InputError("confirmations must be 0 or more")
    chain = dao.chain
    governor = dao.address("governor")
    cursor = Cursor.load(cursor_path, chain.chain_id, governor) if cursor_path is not None else None
    if cursor is None:
        start = from_block if from_block is not None else chain.block_number() - confirmations + 1
        cursor = Cursor(cursor_path or Path(os.devnull), chain.chain_id, governor, max(0, start) - 1, 2**62)
    decoder = _Decoder(dao, names or {})
    wanted_model = "0x" + model_id(model).hex() if model is not None else None
    queries = decoder.queries() if model is None else [([dao.address("registry")], [decoder.topics("registry")])]
    if cursor.block >= 0 and cursor.log_index < 2**62:  # a saved cursor: its block first, then its event
        _check_not_reorganised(chain, cursor, chain.block_number())
        _check_cursor_event(chain, cursor, decoder.queries())
    while True:
        latest = chain.block_number()
        _check_not_reorganised(chain, cursor, latest)
        tip = latest - confirmations
        if tip > cursor.block or (tip == cursor.block and cursor.log_index < 2**62):
            begin = cursor.block if cursor.log_index < 2**62 else cursor.block + 1
            found = [log for addresses, topics in queries for log in fetch_logs(chain, addresses, topics, begin, tip)]
            for log in sorted(found, key=lambda item: (quantity(item["blockNumber"]), quantity(item["logIndex"]))):
                block, index = quantity(log["blockNumber"]), quantity(log["logIndex"])
                if (block, index) <= (cursor.block, cursor.log_index):
                    continue
                event = decoder.decode(log)
                if event is not None and (wanted_model is None or _about(log, wanted_model)):
                    yield event  # the caller handles it; the cursor moves past it when the next one is asked for
                cursor.block, cursor.log_index, cursor.block_hash = block, index, hex_text(log["blockHash"])
                if cursor_path is not None:
                    cursor.save()
            cursor.block, cursor.log_index = tip, 2**62
            cursor.block_hash = _block_hash(chain, tip)
            if cursor_path is not None:
                cursor.save()
        if once or (stop is not None and stop()):
            return
        time.sleep(interval)
        if stop is not None and stop():
            return


def run_command(
    command: str, event: WatchedEvent, *, retries: int = 5, backoff: float = 1.0, timeout: float | None = 600.0
) -> int:
    """Run `command` (through the shell) with `event` as JSON on its standard input and in `DEAI_GOV_*` variables.
    Exit status 0: done. Anything else (or a time-out): tried again after `backoff`, doubling, up to `retries`
    more times; then HookFailed. Returns the number of attempts it took."""
    import subprocess

    payload = json.dumps(event.to_json()) + "\n"
    pause = backoff
    for attempt in range(1, retries + 2):
        try:
            done = subprocess.run(
                command,
                shell=True,
                input=payload.encode(),
                env={**os.environ, **event.environment()},
                timeout=timeout,
                check=False,
            )
            status: str = f"exit status {done.returncode}" if done.returncode else ""
        except subprocess.TimeoutExpired:
            status = f"no exit within {timeout:g} s"
        except OSError as exc:  # the command could not be started at all (E2BIG, ENOMEM...)
            status = f"it could not start: {exc.strerror or exc}"
        if not status:
            return attempt
        if attempt > retries:
            raise HookFailed(
                f"the command failed on {event.name} at block {event.block} ({status}) after {attempt} attempts; "
                "the cursor stays before this event, so a restart tries it again"
            )
        time.sleep(pause)
        pause = min(pause * 2, 60.0)
    raise AssertionError("unreachable")


def _about(log: dict[str, Any], wanted_model: str) -> bool:
    topics = [hex_text(t) for t in log.get("topics", [])]
    return len(topics) > 1 and topics[1].lower() == wanted_model.lower()


def _block_hash(chain: Any, number: int) -> str | None:
    if number < 0:
        return None
    block = chain.request("eth_getBlockByNumber", [hex(number), False])
    return str(block["hash"]) if isinstance(block, dict) else None


def _check_cursor_event(chain: Any, cursor: Cursor, queries: list[tuple[list[str], list[Any]]]) -> None:
    """InputError unless the event a saved cursor names (block, log index) is one of the DAO's: a cursor edited
    to a later position in its block would skip the events before it unseen."""
    found = [log for addresses, topics in queries for log in fetch_logs(chain, addresses, topics, cursor.block,
             cursor.block)]  # fmt: skip
    if not any(quantity(log["logIndex"]) == cursor.log_index for log in found):
        raise InputError(
            f"the cursor file {cursor.path} names event {cursor.log_index} of block {cursor.block:,}, which is none "
            "of this DAO's events: it is not one this command wrote",
            hint="start again without it (--from BLOCK) if the events after that block can be delivered again",
        )


def _check_not_reorganised(chain: Any, cursor: Cursor, latest: int) -> None:
    """ChainError if the block the cursor points at has another hash now (or is beyond the `latest` block): a
    reorganisation deeper than the confirmations replaced it, and events delivered from it on may no longer be on
    the chain."""
    if cursor.block < 0:
        return
    if cursor.block_hash is None:  # only a cursor made here before its first save: nothing was delivered yet
        return
    if latest < cursor.block:
        raise ChainError(
            f"the chain's latest block is below block {cursor.block:,}, where the last event was delivered: it was "
            "reorganised or reset; events from that block on may have changed (restart with a new cursor)"
        )
    now = _block_hash(chain, cursor.block)
    if now is not None and now.lower() != cursor.block_hash.lower():
        raise ChainError(
            f"block {cursor.block:,} is no longer the one events were delivered from (its hash changed): a "
            "reorganisation deeper than the confirmations; events from that block on may have changed (raise "
            "--confirmations, and restart from an earlier block with a new cursor)"
        )


class _Decoder:
    """Logs of the DAO's governor and registry into WatchedEvents, with model names and amounts in words."""

    def __init__(self, dao: Dao, names: Mapping[str, str]):

        self.dao = dao
        self.who_is = {**{k.lower(): v for k, v in names.items()}, **{dao.address(role).lower(): f"the {role}" for role
                       in ("governor", "timelock", "registry", "token")}}  # fmt: skip
        self.roles = {dao.address(role).lower(): role for role in EVENTS}
        self.roles[dao.address("token").lower()] = "token"
        self.shapes = {
            role: {event_shape(contract, name).topic: name for name in names}
            for role, (contract, names) in EVENTS.items()
        }
        self._names: dict[str, str] = {}
        self._symbol: str | None = None
        self._executed: dict[str, list[tuple[int, int]]] = {}  # tx hash -> (log index, proposal id) executed in it

    def topics(self, role: str) -> list[str]:
        return list(self.shapes[role])

    def queries(self) -> list[tuple[list[str], list[Any]]]:
        """The log queries (addresses, topics) that find every followed event: one for the governor, timelock and
        registry, one for the token's transfers out of the treasury."""
        timelock = self.dao.address("timelock")
        transfer = event_shape(*TREASURY_EVENT).topic
        merit = [event_shape("ModelToken", name).topic for name in ("MeritMinted", "MeritExpired")]
        return [
            ([self.dao.address(role) for role in EVENTS], [[t for role in EVENTS for t in self.topics(role)]]),
            ([self.dao.address("token")], [[transfer], ["0x" + "00" * 12 + timelock[2:].lower()]]),
            ([self.dao.address("token")], [merit]),
        ]

    def decode(self, log: dict[str, Any]) -> WatchedEvent | None:

        role = self.roles.get(str(log["address"]).lower())
        if role is None:
            return None
        decoded = decode_any_log(TREASURY_EVENT[0] if role == "token" else EVENTS[role][0], log)
        if decoded is None:
            return None
        name, raw_args = decoded
        if role == "token":  # the treasury's transfers, and merit minted
            treasury = (
                name == TREASURY_EVENT[1] and str(raw_args["from"]).lower() == self.dao.address("timelock").lower()
            )
            if not (treasury or name in ("MeritMinted", "MeritExpired")):
                return None
        elif name not in EVENTS[role][1]:
            return None
        args = {key: _json_value(key, value) for key, value in raw_args.items() if key not in ("targets", "values",
                "signatures", "calldatas")}  # fmt: skip
        if _is_no_change(name, args):
            return None  # e.g. a registry deployed without a guardian says "guardian none -> none"
        model = self._model(raw_args.get("modelId"), raw_args.get("name")) if role == "registry" else None
        tx_hash, index = hex_text(log["transactionHash"]), quantity(log["logIndex"])
        proposal_id = args.get("proposalId")
        return WatchedEvent(
            name,
            role,
            quantity(log["blockNumber"]),
            hex_text(log["blockHash"]),
            tx_hash,
            index,
            args,
            model,
            self._summary(name, args, model),
            int(proposal_id) if proposal_id is not None else self._executing(tx_hash, index),
        )

    def _executing(self, tx_hash: str, log_index: int) -> int | None:
        """The proposal whose execution emitted the log at `log_index` of `tx_hash`: the governor emits
        `ProposalExecuted` right after a proposal's calls, so the first one after the log names it; None for a log
        no governor execution caused (a deployment, the guardian's own transaction, a call on the timelock)."""
        if tx_hash not in self._executed:
            governor = self.dao.address("governor").lower()
            executed = []
            for log in self.dao.chain.receipt(tx_hash)["logs"]:
                decoded = decode_any_log("ModelGovernor", log) if str(log["address"]).lower() == governor else None
                if decoded is not None and decoded[0] == "ProposalExecuted":
                    executed.append((quantity(log["logIndex"]), int(decoded[1]["proposalId"])))
            self._executed[tx_hash] = executed
        return next((pid for index, pid in self._executed[tx_hash] if index > log_index), None)

    def _model(self, model_id: Any, name: Any) -> str | None:
        if model_id is None:
            return None
        key = "0x" + bytes(model_id).hex()
        if isinstance(name, str):
            self._names[key] = name
        if key not in self._names:
            try:
                self._names[key] = str(self.dao.read("registry", "getModel", bytes(model_id))[1])
            except TransactionError:  # a model the registry does not know (cannot happen for its own events)
                return key
        return self._names[key]

    def _tokens(self, units: int) -> str:
        if self._symbol is None:
            self._symbol = symbol(self.dao)
        return f"{format_amount(units)} {self._symbol}"

    def _summary(self, name: str, args: dict[str, Any], model: str | None) -> str:
        pid = args.get("proposalId")
        if name == "ProposalCreated":
            title = description_title(str(args["description"]))
            return f"proposal {pid} created by {self._who(args['proposer'])}: {title}"
        if name == "ProposalQueued":
            return f"proposal {pid} queued, executable from {format_time(int(args['etaSeconds']))}"
        if name in ("ProposalExecuted", "ProposalCanceled"):
            return f"proposal {pid} {name.removeprefix('Proposal').lower()}"
        if name in ("VoteCast", "VoteCastWithParams", "OverrideVoteCast"):
            how = "overrode its delegate's vote: " if name == "OverrideVoteCast" else "voted "
            support = _SUPPORT.get(int(args["support"]), str(args["support"]))
            weight = self._tokens(int(args["weight"]))
            return f"{self._who(args['voter'])} {how}{support} on proposal {pid} with {weight}"
        if name == "ModelRegistered":
            return f"{model} registered"
        if name == "VersionPublished":
            return f"{model} v{args['version']} published (artifact {args['artifactCid']})"
        if name == "CurrentVersionChanged":
            return f"{model}: current version v{args['previous']} -> v{args['current']}"
        if name == "ModelSuspended":
            return f"{model} suspended by {self._who(args['by'])}: {args['reason']}"
        if name == "ModelUnsuspended":
            return f"{model} unsuspended by {self._who(args['by'])}"
        if name == "ModelRetired":
            return f"{model} retired at v{args['finalVersion']}: {args['reason']}"
        if name == "GuardianChanged":
            return self._moved("registry guardian", args["previousGuardian"], args["newGuardian"])
        if name == "RewardPolicyAdopted":
            return f"reward policy adopted: {args['uri']} (SHA-256 {args['digest']})"
        if name == "EvaluatorSet":
            trusted = "now trusted" if args["trusted"] else "no longer trusted"
            return f"evaluator {self._who(args['evaluator'])} {trusted}"
        if name == "SignerSet":
            trusted = "now trusted" if args["trusted"] else "no longer trusted"
            return f"{model}: signer key sha256:{str(args['keyHash']).removeprefix('0x')[:16]}… {trusted}"
        if name == "ProposalExtended":
            return f"proposal {pid}'s vote extended to {format_time(int(args['extendedDeadline']))}"
        if name == "ProposalGuardianSet":
            return self._moved("proposal guardian", args["oldProposalGuardian"], args["newProposalGuardian"])
        durations = {
            "VotingDelaySet": ("voting delay", "oldVotingDelay", "newVotingDelay"),
            "VotingPeriodSet": ("voting period", "oldVotingPeriod", "newVotingPeriod"),
            "LateQuorumVoteExtensionSet": ("late-quorum extension", "oldVoteExtension", "newVoteExtension"),
            "MinDelayChange": ("timelock delay", "oldDuration", "newDuration"),
        }
        if name in durations:
            label, old, new = durations[name]
            return f"{label} {format_duration(int(args[old]))} -> {format_duration(int(args[new]))}"
        if name == "ProposalThresholdSet":
            before, after = int(args["oldProposalThreshold"]), int(args["newProposalThreshold"])
            return f"proposal threshold {self._tokens(before)} -> {self._tokens(after)}"
        if name == "QuorumNumeratorUpdated":
            return f"quorum {args['oldQuorumNumerator']}% -> {args['newQuorumNumerator']}% of the supply"
        if name == "TimelockChange":
            return self._moved("the governor's timelock", args["oldTimelock"], args["newTimelock"])
        if name == "ModelRegistrySet":
            return self._moved("the governor's model registry", args["oldRegistry"], args["newRegistry"])
        if name in ("RoleGranted", "RoleRevoked"):
            verb = "granted to" if name == "RoleGranted" else "revoked from"
            who = self._who(args["account"])
            if who == "none":  # OpenZeppelin's timelock: a role held by the zero address is open to anyone
                who = "anyone (the zero address)"
            return f"timelock role {_role_name(str(args['role']))} {verb} {who}"
        if name == "MeritMinted":
            expires = int(args["expiresAt"])
            until = f", until {format_time(expires)}" if expires else ""
            return (
                f"{self._tokens(int(args['amount']))} of merit to {self._who(args['account'])} (grant "
                f"{args['grantId']}{until}): {args['reason']}"
            )
        if name == "MeritExpired":
            return (
                f"grant {args['grantId']} of {self._who(args['account'])}'s merit expired: "
                f"{self._tokens(int(args['amount']))} burnt"
            )
        if name == "Transfer":
            return f"treasury sent {self._tokens(int(args['value']))} to {self._who(args['to'])}"
        return name

    def _who(self, address: Any) -> str:
        """An address as shown: none for the zero address, with its name beside it when it has one."""
        shown = address_or_none(address)
        name = self.who_is.get(str(address).lower())
        return f"{shown} ({name})" if name else shown

    def _moved(self, what: str, old: Any, new: Any) -> str:
        """`what old -> new` for an address setting, an unset one shown as none."""
        return f"{what} {self._who(old)} -> {self._who(new)}"


def _is_no_change(name: str, args: dict[str, Any]) -> bool:
    """Whether an event of a setting reports the value it already had (nothing for a follower to act on)."""
    pairs = {"GuardianChanged": ("previousGuardian", "newGuardian"), "ProposalGuardianSet": ("oldProposalGuardian",
             "newProposalGuardian")}  # fmt: skip
    if name not in pairs:
        return False
    old, new = pairs[name]
    return str(args[old]).lower() == str(args[new]).lower()


def _role_name(role: str) -> str:
    """A timelock role id in words (its name when it is one of the timelock's own)."""
    from ..dao.deployed import timelock_roles

    names = {"0x" + bytes(value).hex(): name for name, value in timelock_roles().items()}
    return names.get(role.lower(), role)


def _json_value(name: str, value: Any) -> Any:
    """An event argument as JSON: integers exact, CIDs as text, other bytes as hex, addresses checksummed."""
    if isinstance(value, bytes | bytearray):
        return bytes_argument(name, value)
    if isinstance(value, list | tuple):
        return [_json_value(name, item) for item in value]
    return value
