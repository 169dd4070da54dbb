"""docs/cli.md, generated from the click command tree (`python -m deai_gov.cli.reference > docs/cli.md`)."""

from __future__ import annotations

from typing import Any

import click

from . import main as cli_main
from .errors import EXIT_CODES, ExitCode

_EXIT_CODES = [
    (ExitCode.OK, "success"),
    (ExitCode.ERROR, "a declined confirmation (Aborted!), or any other failure"),
    (ExitCode.USAGE, "usage error: unknown option, missing or malformed argument"),
    (
        ExitCode.INPUT,
        "a value is not acceptable: model name, version, CID, address, unknown proposal or network, "
        "missing file or deployment record",
    ),
    (ExitCode.CHAIN, "the RPC node is unreachable or answered unexpectedly"),
    (ExitCode.REVERTED, "a transaction would revert or did (the reason is decoded)"),
    (ExitCode.VERIFICATION, "content does not match what the registry records (block, file or manifest named)"),
    (ExitCode.UNAVAILABLE, "content could not be fetched from any configured source"),
    (ExitCode.INTERRUPTED, "interrupted (Ctrl-C)"),
]


# As the CLI's own context settings, so the help printed here is the help users see.
_SETTINGS: dict[str, Any] = {"terminal_width": 100, "max_content_width": 100, "help_option_names": ["-h", "--help"]}


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command, click.Context]]:
    found = []
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx, **_SETTINGS)
        found.append((sub.command_path, command, sub))
        if isinstance(command, click.Group):
            found.extend(_commands(command, sub))
    return found


def render(main: click.Group) -> str:
    """The whole reference as markdown: every command's help, then the exit codes."""
    root = click.Context(main, info_name="deai-gov", **_SETTINGS)
    parts = [
        "# deai-gov command line reference",
        "",
        "Generated from the command definitions by `python -m deai_gov.cli.reference > docs/cli.md`;",
        "a test fails when this file is out of date.",
        "",
        "Conventions: `--json` on every command prints machine-readable output on stdout, in the shapes",
        "[json.md](json.md) documents (progress and transaction details go to stderr); transactions say what",
        "they do, the chain, the account and a gas estimate, then ask for confirmation unless `--yes`;",
        "`--dry-run` simulates and sends nothing; errors are one line on stderr (the error, then its hint) with",
        "the exit codes listed at the end. Passwords are prompted (hidden) or read from",
        "`--password-file` / `--password-env`; keys are never printed.",
        "",
        'Shell completion (bash, zsh, fish), e.g. for bash: `eval "$(_DEAI_GOV_COMPLETE=bash_source deai-gov)"`.',
        "",
        "## deai-gov",
        "",
        "```",
        main.get_help(root),
        "```",
    ]
    for path, command, ctx in _commands(main, root):
        parts += ["", f"## {path}", "", "```", command.get_help(ctx), "```"]
    parts += [
        "",
        "## Exit codes",
        "",
        "The one table of exit codes; the library's errors (`deai_gov.errors`) map to them by family",
        "(`deai_gov.cli.errors.EXIT_CODES`), and an error's hint, when it has one, follows its sentence.",
        "",
        "| code | meaning | errors |",
        "|---|---|---|",
    ]
    for code, meaning in _EXIT_CODES:
        families = ", ".join(f"`{family.__name__}`" for family, mapped in EXIT_CODES if mapped == code)
        if code == ExitCode.ERROR:
            families = "any other `DeaiGovError`"
        parts.append(f"| {int(code)} | {meaning} | {families} |")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    click.echo(render(cli_main), nl=False)
