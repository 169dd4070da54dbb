"""The command table (`deai_gov.cli.commands`): it lists exactly the commands the modules define, with the summaries
click derives from them; help and completion read the same from it as from the commands; and a group's `--help`
imports neither the library nor rich."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import deai_gov.cli
from deai_gov.cli import main
from deai_gov.cli.commands import LazyGroup

#: What a group's --help may import of the package: the start-up modules, nothing of the library.
START_UP_MODULES = {"deai_gov", "deai_gov.cli", "deai_gov.cli.commands"}
#: Heavy libraries a --help must not import (web3 alone takes ~600 ms).
HEAVY = ("rich", "web3", "eth_abi", "eth_account")


def every_cli_module() -> list[str]:
    """Every module of deai_gov.cli, imported (a command defined anywhere there is then registered)."""
    found = pkgutil.iter_modules(deai_gov.cli.__path__)
    names = [f"deai_gov.cli.{info.name}" for info in found if info.name != "__main__"]  # that one runs the CLI
    for name in names:
        importlib.import_module(name)
    return names


def lazy_groups() -> dict[str, LazyGroup]:
    """The groups that list their commands from a table, by command path."""
    found = {"deai-gov": main}
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        if isinstance(command, LazyGroup):
            found[f"deai-gov {name}"] = command
    return found


def reachable(group: click.Group) -> set[int]:
    """The commands reachable from `group` through click's own lookup (`list_commands`, `get_command`), by id."""
    ctx = click.Context(group)
    found = {id(group)}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{group.name} lists {name!r} but cannot find it"
        found |= reachable(command) if isinstance(command, click.Group) else {id(command)}
    return found


def test_the_table_lists_exactly_the_commands_the_modules_define() -> None:
    modules = every_cli_module()
    groups = lazy_groups()
    assert sorted(groups) == [
        f"deai-gov{g}"
        for g in ("", " account", " dao", " eval", " mlflow", " model", " node", " proposal", " relay", " safe")
    ]
    for path, group in groups.items():
        for name, info in group.table.items():
            command = getattr(importlib.import_module(info.module), info.attribute)
            assert isinstance(command, click.Command), f"{path} {name}: {info} is not a click command"
            assert command.name == name and not command.hidden, f"{path} {name}: named {command.name!r}"
            assert info.summary == command.get_short_help_str(limit=sys.maxsize), f"{path} {name}: stale summary"
        # its modules add the commands to the group when imported: each must be the table's, none beyond it
        assert set(group.commands) <= set(group.table), f"{path}: {sorted(set(group.commands) - set(group.table))}"
        for name, command in group.commands.items():
            assert group.get_command(click.Context(group), name) is command, f"{path} {name}"
    assert not main.commands, f"added to main, not in its table: {sorted(main.commands)}"
    listed = reachable(main)
    for name in modules:  # a command defined in any module of the CLI can be reached from main
        for attribute, value in vars(sys.modules[name]).items():
            assert not isinstance(value, click.Command) or id(value) in listed, f"{name}.{attribute} is not listed"


@pytest.mark.parametrize("width", [40, 80, 110, 200])
def test_help_and_completion_read_from_the_table_what_click_reads_from_the_commands(width: int) -> None:
    """Rendered from the table, the `Commands:` section and the completions are click's own, at every width."""
    every_cli_module()
    for path, group in lazy_groups().items():
        # the CLI's help option names: click keeps a command's help option once made, for later contexts too
        ctx = click.Context(
            group, info_name=path, terminal_width=width, max_content_width=width, help_option_names=["-h", "--help"]
        )
        from_table, from_commands = ctx.make_formatter(), ctx.make_formatter()
        group.format_commands(ctx, from_table)
        click.Group.format_commands(group, ctx, from_commands)
        assert from_table.getvalue() == from_commands.getvalue() != ""
        for incomplete in ("", "p", "s", "w", "-", "--h"):
            lazy = [(c.value, c.help, c.type) for c in group.shell_complete(ctx, incomplete)]
            real = [(c.value, c.help, c.type) for c in click.Group.shell_complete(group, ctx, incomplete)]
            assert lazy == real, f"{path} {incomplete!r}"


def run_fresh(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`deai-gov ARGS` in a new interpreter, and the modules it had imported when it ended."""
    probe = (
        "import json, sys\n"
        "from deai_gov.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='deai-gov')\n"
        "finally:\n"
        "    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DEAI_GOV_")}
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60, env=env)
    *err, modules = done.stderr.splitlines()
    done.stderr = "\n".join(err)
    return done, set(json.loads(modules))


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (
            ["--help"],
            ["account", "dao", "demo", "model", "node", "proposal", "watch", "Accounts (encrypted keystores)"],
        ),
        (
            ["proposal", "--help"],
            ["create", "sign-vote", "wait", "Vote on a proposal with your delegated voting power."],
        ),
    ],
)
def test_a_groups_help_imports_neither_the_library_nor_rich(args: list[str], listed: list[str]) -> None:
    done, modules = run_fresh(*args)
    assert done.returncode == 0, done.stderr
    assert all(text in done.stdout for text in listed), done.stdout
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not heavy, f"deai-gov {' '.join(args)} imported {heavy}"
    ours = sorted(m for m in modules if m.split(".")[0] == "deai_gov")
    assert set(ours) <= START_UP_MODULES, f"deai-gov {' '.join(args)} imported {ours}"


def test_a_command_loads_its_module_and_a_mistyped_one_is_still_suggested() -> None:
    done, modules = run_fresh("proposal", "show", "--help")
    assert done.returncode == 0 and "Usage: deai-gov proposal show [OPTIONS] PROPOSAL_ID" in done.stdout
    assert "deai_gov.cli.proposal" in modules and "deai_gov.cli.model" not in modules
    done, _ = run_fresh("proposal", "shw")
    assert done.returncode == 2 and "No such command 'shw'. Did you mean 'show'?" in done.stderr
    done, _ = run_fresh("proposl")
    assert done.returncode == 2 and "No such command 'proposl'. Did you mean 'proposal'?" in done.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["proposal", "--help"], 0),  # a group's help resolves nothing
        (["proposal"], 2),  # nor does its usage
        (["proposal", "show", "--help"], 3),  # a command's help comes after its group has made the Session
        (["account", "list"], 3),  # a command that never reads the network still refuses a wrong one
        (["node", "status"], 3),
        (["watch", "--help"], 3),  # a command of main's own
    ],
)
def test_the_network_is_resolved_when_a_command_is_to_run(tmp_path: Path, args: list[str], code: int) -> None:
    result = CliRunner().invoke(main, ["--network", "nowhere", *args], env={"DEAI_GOV_HOME": str(tmp_path)})
    assert result.exit_code == code, result.output
    if code == 3:
        assert result.stdout == "" and result.stderr.startswith("error: unknown network 'nowhere' (known: none")
        assert len(result.stderr.splitlines()) == 1
