"""The command table: for every command, the module that defines it and its one-line summary, so that `--help`
lists the commands of a group without importing the modules that implement them (they import the library, which
takes far longer than click). A command's module is imported when the command is looked up to run, to print its
own help, or to complete its options.

The groups themselves (`account`, `dao`, `eval`, `mlflow`, `model`, `node`, `proposal`, `relay`, `safe`) are
defined here, with their help texts, so that a group's `--help` costs no more than click; their modules add the
commands to them. A test checks that each summary is the short help click derives from the command itself, and that
the table lists exactly the commands the modules define.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from gettext import gettext as _
from typing import TYPE_CHECKING, Any, NamedTuple

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


class CommandInfo(NamedTuple):
    """Where a command is defined (`getattr(import_module(module), attribute)`) and its short help."""

    module: str
    attribute: str
    summary: str


#: click 8.4 and later suggest close names for a mistyped command (`Did you mean 'proposal'?`).
_NO_SUCH_COMMAND: Any = getattr(click.exceptions, "NoSuchCommand", None)


def _terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size().columns` finds it: $COLUMNS, else the terminal of stdout,
    else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]  # None: caught
    except (AttributeError, ValueError, OSError):
        return 80


class _HelpFormatter(click.HelpFormatter):
    """click's help formatter, given the width click computes, without importing shutil to compute it (shutil imports
    zlib, bz2 and lzma: some 1.5 ms of a group's `--help`)."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
        if width is None and click.formatting.FORCED_WIDTH is None:
            width = max(min(_terminal_columns(), 80 if max_width is None else max_width) - 2, 50)
        super().__init__(indent_increment, width, max_width)


class _Context(click.Context):
    """The context of a LazyGroup: click's, with the formatter above."""

    formatter_class = _HelpFormatter


class LazyGroup(click.Group):
    """A click group whose commands are listed, summarised and completed from a table, and imported on first use.

    The table is the group's list of commands: a command's module adds it to its group when imported (as
    `@group.command()` does in any click group), and the table says which module to import for which name.
    """

    context_class = _Context

    def __init__(self, *args: Any, table: Mapping[str, CommandInfo] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table: Mapping[str, CommandInfo] = table or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.table)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        info = self.table.get(cmd_name)
        if info is None:
            return super().get_command(ctx, cmd_name)
        command: click.Command = getattr(importlib.import_module(info.module), info.attribute)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as refused:
            if _NO_SUCH_COMMAND is None or not isinstance(refused, _NO_SUCH_COMMAND):
                raise
            # click drew its suggestions from `self.commands`, which holds only the commands imported so far
            unknown: Any = refused
            raise _NO_SUCH_COMMAND(unknown.command_name, possibilities=self.table, ctx=ctx) from None

    def _summary(self, name: str, limit: int = 45) -> str:
        """The table's summary of command `name`, shortened to `limit` characters as click shortens a command's help
        (by a stand-in command that carries only the summary: nothing is imported)."""
        return click.Command(name, help=self.table[name].summary).get_short_help_str(limit)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The `Commands:` section, laid out as click's own `Group.format_commands` does."""
        names = self.list_commands(ctx)
        if names:
            limit = formatter.width - 6 - max(len(name) for name in names)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, self._summary(name, limit)) for name in names])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The commands whose names start with `incomplete`, then the group's own options, as click's own
        `Group.shell_complete` completes them."""
        from click.shell_completion import CompletionItem

        found = [
            CompletionItem(name, help=self._summary(name))
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
        ]
        return found + super(click.Group, self).shell_complete(ctx, incomplete)  # click.Command's: the options


def _table(module: str, entries: dict[str, tuple[str, str]]) -> dict[str, CommandInfo]:
    """Rows of one module: command name -> (attribute, summary)."""
    return {name: CommandInfo(module, attribute, summary) for name, (attribute, summary) in entries.items()}


#: The commands of `deai-gov` itself.
COMMANDS = {
    **_table(
        "deai_gov.cli.commands",
        {
            "account": ("account", "Accounts (encrypted keystores), balances, voting power, delegation."),
            "dao": ("dao", "The DAO: addresses, parameters, treasury."),
            "eval": (
                "eval_",
                "Evaluations of model versions, attested with the Ethereum Attestation Service, on or off chain: run, "
                "submit, relay, revoke, list, show.",
            ),
            "model": (
                "model",
                "Models in the registry: list, show, versions, approval, pull, verify, export and import; publish "
                "and propose; suspend and unsuspend (guardian).",
            ),
            "mlflow": (
                "mlflow",
                "The MLflow model registry: propose a version from it, mirror the DAO's decisions onto its aliases, "
                "draft proposals from its webhooks.",
            ),
            "node": ("node", "A local devnet kept between commands: start, stop, status."),
            "relay": (
                "relay",
                "A gasless relayer for the community: signed votes and delegations submitted from its account, each "
                "checked first, within a gas budget.",
            ),
            "safe": (
                "safe",
                "A Safe multisig's requests: show what a batch file or a Safe's vote does, sign it as an owner, run "
                "it once enough owners signed.",
            ),
            "proposal": (
                "proposal",
                "Proposals: create, list, show; vote, override, queue, execute, cancel; signed votes.",
            ),
        },
    ),
    **_table(
        "deai_gov.cli.ui",
        {
            "ui": (
                "ui",
                "Serve the DAO's web page: proposals with their tally and decoded actions, models as a lineage, the "
                "DAO.",
            )
        },
    ),
    **_table(
        "deai_gov.cli.demo",
        {"demo": ("demo", "Deploy a DAO on an embedded chain and pass one model registration by vote.")},
    ),
    **_table(
        "deai_gov.cli.watch",
        {
            "watch": (
                "watch",
                "Follow the DAO's events: proposals created, queued, executed, canceled; votes; versions published; "
                "current versions changed; models suspended, unsuspended, retired.",
            )
        },
    ),
}

#: The commands of each group below main.
ACCOUNT_COMMANDS = _table(
    "deai_gov.cli.account",
    {
        "balance": ("balance", "Governance token and native balance of ADDRESS (default: --account)."),
        "delegate": ("delegate", "Give your voting power to ADDRESS, or to yourself with `self`."),
        "delete": ("delete", "Delete the keystore of ALIAS (the key is lost unless backed up)."),
        "import": (
            "import_",
            "Import a private key (or a mnemonic) as ALIAS; the secret is read hidden and never shown.",
        ),
        "list": ("list_", "Stored accounts and their addresses."),
        "new": ("new", "Create a new key, stored encrypted under ALIAS."),
        "merit": (
            "merit",
            "The grants of merit ADDRESS received (default: --account): what is left of each and when it expires.",
        ),
        "expire-merit": (
            "expire_merit",
            "Burn a grant of merit that has expired (anyone may): its holder's votes fall by as much.",
        ),
        "power": ("power", "Token balance, voting power and delegate of ADDRESS (default: --account)."),
        "transfer": ("transfer", "Send AMOUNT governance tokens (e.g."),  # click ends the sentence at "e.g."
    },
)

DAO_COMMANDS = _table(
    "deai_gov.cli.dao",
    {
        "delegates": ("delegates", "The delegates with the most voting power now."),
        "deploy": (
            "deploy",
            "Deploy token, timelock, governor and registry, wire the roles, and write the deployment record.",
        ),
        "info": ("info", "Addresses, voting parameters, quorum, timelock delay, treasury and guardians."),
        "uri": (
            "uri",
            "The DAO's description for the tools that index DAOs (EIP-4824 daoURI): show it, or generate it from the "
            "chain, publish it on IPFS and propose it.",
        ),
        "verify": (
            "verify",
            "Prove the deployment's wiring from chain data: code, owners, roles, links (exit 3 if any check fails).",
        ),
    },
)

MODEL_COMMANDS = _table(
    "deai_gov.cli.model",
    {
        "approval": (
            "approval",
            "Which vote approved a version (default: the current one), proven from the chain alone.",
        ),
        "card": (
            "card",
            "A model card section stating the DAO's approval of a version: CIDs, contributor, vote, evaluations.",
        ),
        "diff": (
            "diff",
            "What changed from version V1 to V2: files added, removed, changed or moved, sizes, manifest fields.",
        ),
        "export": (
            "export_car",
            "Write a version to one CAR file: its artifact and manifest, every block verified first.",
        ),
        "import": (
            "import_car",
            "Import a CAR file into the configured store or IPFS node, every block checked against its CID first.",
        ),
        "list": ("list_models", "Every registered model with its status and current version."),
        "pin": (
            "pin",
            "Ask a remote pinning service (IPFS Pinning Service API) to keep a version's artifact and manifest.",
        ),
        "pins": ("pins", "Pin requests at a remote pinning service, of any status: all of them, or a version's two."),
        "propose": (
            "propose",
            "Propose a lifecycle change: register, upgrade, rollback, retire (with an optional reward).",
        ),
        "publish": (
            "publish",
            "Publish PATH as NAME's next version without proposing it, for evaluators to measure first.",
        ),
        "pull": (
            "pull",
            "Fetch the approved artifact, verify every block and file against the registry, write it atomically.",
        ),
        "show": ("show", "A model's status, current version and history (parents, contributors, CIDs)."),
        "signature": (
            "signature",
            "A version's OpenSSF model signature (key, trust, root digest, check) and the keys trusted for NAME.",
        ),
        "suspend": (
            "suspend",
            "Suspend a model at once, without a vote (the registry guardian, or the DAO by proposal).",
        ),
        "unpin": ("unpin", "Remove a version's pin requests (artifact and manifest) from a remote pinning service."),
        "unsuspend": ("unsuspend", "Lift a model's suspension (the registry guardian, or the DAO by proposal)."),
        "verify": ("verify", "Check the approved artifact against the registry without writing anything."),
        "versions": ("versions", "The versions of a model, oldest first."),
        "which": (
            "which",
            "Which model and version a CID is (artifact or manifest), its standing, and the vote that approved it.",
        ),
        "watch": (
            "watch_model",
            "Follow one model: registered, versions published, current version changed (upgrade, rollback), "
            "suspended, unsuspended, retired.",
        ),
    },
)

RELAY_COMMANDS = _table(
    "deai_gov.cli.relay",
    {
        "serve": (
            "serve",
            "Serve the relayer's HTTP API: signed votes and delegations relayed from --account, checked first, "
            "within a gas budget.",
        ),
    },
)

SAFE_COMMANDS = _table(
    "deai_gov.cli.safe",
    {
        "show": (
            "show",
            "What a Safe's request (a batch file or a Safe's vote) does, in words, and who has signed it.",
        ),
        "sign": ("sign", "Sign a Safe's request as one of its owners, after reading what it does."),
        "execute": (
            "execute",
            "Run a Safe's request once enough owners signed: the Safe's transaction, or its vote cast by signature.",
        ),
    },
)

MLFLOW_COMMANDS = _table(
    "deai_gov.cli.mlflow",
    {
        "propose": (
            "propose",
            "Propose an MLflow model version (models:/NAME/VERSION or @ALIAS) as a DAO model's next version.",
        ),
        "listen": (
            "listen",
            "Receive MLflow webhooks: verify each delivery's signature and age, draft a proposal for each new version.",
        ),
        "sync": (
            "sync",
            "Mirror the DAO's decisions onto MLflow: an alias on the version the DAO approved, tags naming the vote.",
        ),
    },
)

EVAL_COMMANDS = _table(
    "deai_gov.cli.evaluate",
    {
        "list": (
            "list_",
            "The evaluations attested for the DAO's models, each with whether it counts and, if not, why.",
        ),
        "relay": (
            "relay",
            "Record an off-chain evaluation on chain for the DAO (you pay the gas): its UID timestamped, its CID "
            "anchored.",
        ),
        "revoke": (
            "revoke",
            "Revoke one of your evaluations (on chain, or off chain through EAS's record of off-chain revocations).",
        ),
        "run": (
            "run",
            "Pull and verify a version, run the benchmark's harness on it, and attest the metrics it measured.",
        ),
        "show": ("show", "One attestation: the evaluation it records, its evaluator, and whether it counts."),
        "submit": (
            "submit",
            "Attest an evaluation computed elsewhere: a benchmark's metrics on a version's artifact.",
        ),
    },
)

NODE_COMMANDS = _table(
    "deai_gov.cli.node",
    {
        "accounts": (
            "accounts",
            "The funded accounts of the development chain (their keys are public: for devnets only).",
        ),
        "start": ("start", "Start the devnet in the background; chain state and IPFS blocks persist across restarts."),
        "status": ("status", "Whether the devnet runs, where, and its DAO's record."),
        "stop": ("stop", "Stop the devnet (the chain's state is saved)."),
        "warp": ("warp", "Skip the development chain DURATION ahead (90s, 15m, 2h, 7d); refused on any other chain."),
    },
)

PROPOSAL_COMMANDS = _table(
    "deai_gov.cli.proposal",
    {
        "cancel": (
            "cancel",
            "Cancel a proposal: the guardian until it executes; its proposer while pending (any time if no guardian).",
        ),
        "create": (
            "create",
            "Propose changes to the DAO itself: treasury transfers, merit, settings, guardians, evaluators, signer "
            "keys, reward policy, daoURI, any call, model rollbacks and retirements; combinable.",
        ),
        "execute": ("execute", "Execute a queued proposal once the timelock delay has passed."),
        "list": ("list_proposals", "Every proposal with its state, end of vote, tally and quorum, newest first."),
        "override": ("override", "Vote with your own tokens instead of letting your delegate's vote count for them."),
        "queue": ("queue", "Queue a succeeded proposal in the timelock."),
        "relay": ("relay", "Submit signed votes (files from sign-vote); the relaying account pays the gas."),
        "show": ("show", "Title, description, decoded actions, votes, quorum and deadline of a proposal."),
        "sign-vote": ("sign_vote", "Sign a vote (EIP-712) into a file that anyone can relay; nothing is sent."),
        "vote": ("vote", "Vote on a proposal with your delegated voting power."),
        "votes": ("votes", "Who voted on a proposal, how, with what weight and why (overrides of delegates included)."),
        "wait": (
            "wait",
            "Wait until a proposal reaches a state (exit 3 if it ends in another final state, 1 on time-out).",
        ),
    },
)


def _make_session(ctx: click.Context) -> None:
    """The callback of each group below main: the Session of the command it hands over to (a group's callback runs
    only then, never before the group prints its `--help`)."""
    from .session import Session

    ctx.obj = Session.for_command(ctx)


@click.group(cls=LazyGroup, table=ACCOUNT_COMMANDS)
@click.pass_context
def account(ctx: click.Context) -> None:
    """Accounts (encrypted keystores), balances, voting power, delegation."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=DAO_COMMANDS)
@click.pass_context
def dao(ctx: click.Context) -> None:
    """The DAO: addresses, parameters, treasury."""
    _make_session(ctx)


@click.group("eval", cls=LazyGroup, table=EVAL_COMMANDS)
@click.pass_context
def eval_(ctx: click.Context) -> None:
    """Evaluations of model versions, attested with the Ethereum Attestation Service, on or off chain: run, submit,
    relay, revoke, list, show."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=MODEL_COMMANDS)
@click.pass_context
def model(ctx: click.Context) -> None:
    """Models in the registry: list, show, versions, approval, pull, verify, export and import; publish and propose;
    suspend and unsuspend (guardian)."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=MLFLOW_COMMANDS)
@click.pass_context
def mlflow(ctx: click.Context) -> None:
    """The MLflow model registry: propose a version from it, mirror the DAO's decisions onto its aliases, draft
    proposals from its webhooks."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=NODE_COMMANDS)
@click.pass_context
def node(ctx: click.Context) -> None:
    """A local devnet kept between commands: start, stop, status."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=RELAY_COMMANDS)
@click.pass_context
def relay(ctx: click.Context) -> None:
    """A gasless relayer for the community: signed votes and delegations submitted from its account, each checked
    first, within a gas budget."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=SAFE_COMMANDS)
@click.pass_context
def safe(ctx: click.Context) -> None:
    """A Safe multisig's requests: show what a batch file or a Safe's vote does, sign it as an owner, run it once
    enough owners signed."""
    _make_session(ctx)


@click.group(cls=LazyGroup, table=PROPOSAL_COMMANDS)
@click.pass_context
def proposal(ctx: click.Context) -> None:
    """Proposals: create, list, show; vote, override, queue, execute, cancel; signed votes."""
    _make_session(ctx)
