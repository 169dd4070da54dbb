"""docs/tutorial.md, run as written: every command of its `sh` blocks, in order, against the devnet its first step
starts, each `text` block (what the reader should see) checked against the output of the block before it, and the
outcome checked on the chain and on disk.

`deai-gov ...` runs in-process through click's CliRunner with the arguments written (after the shell's `$VAR`
expansion), `export` and `cd` change this test's environment and folder, and every other command runs in bash. The one
command substitution the tutorial uses, `$(deai-gov ... | jq -r .KEY)`, is run the same way without needing jq here.
A command the test cannot run this way fails the test: the tutorial stays within what is checked.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from deai_gov.chain.client import connect
from deai_gov.cli import main
from deai_gov.contracts.states import ProposalState
from deai_gov.dao import governance as gov
from deai_gov.dao import registry as reg
from deai_gov.dao import token
from deai_gov.dao.deploy import TOKEN, Deployment
from deai_gov.dao.deployed import Dao
from deai_gov.dev import localnet
from deai_gov.dev.devnet import anvil_dev_keys, free_port
from deai_gov.workflows.provenance import approval_of

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"


@dataclass
class Block:
    """One `sh` block: its commands (continuation lines joined, comments left out) and the `text` block after it."""

    commands: list[str]
    expected: list[str] = field(default_factory=list)


def blocks(markdown: str) -> list[Block]:
    found: list[Block] = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", markdown, flags=re.DOTALL | re.MULTILINE):
        if language == "sh":
            joined = body.replace("\\\n", " ")
            lines = [line.strip() for line in joined.splitlines()]
            found.append(Block([line for line in lines if line and not line.startswith("#")]))
        elif language == "text":
            assert found and not found[-1].expected, "a text block must follow an sh block"
            found[-1].expected = [line for line in body.splitlines() if line.strip()]
        else:
            raise AssertionError(f"docs/tutorial.md: a ```{language} block: only sh and text blocks are run or checked")
    return found


_BOX = re.compile(r"[\u2500-\u257f]")  # rich's table borders


def _plain(line: str) -> str:
    return " ".join(_BOX.sub(" ", line).split())


def shown(expected: str, output: str) -> bool:
    """Whether a line the tutorial shows appears in `output`; `…` stands for anything, spacing and table borders do
    not count."""
    pattern = ".*".join(re.escape(part) for part in _plain(expected).split("…"))
    return any(re.search(pattern, _plain(line)) for line in output.splitlines())


class Reader:
    """Runs the tutorial's commands as a reader's shell would, in `folder`, with the variables it exports."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.variables: dict[str, str] = {}

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            if name == "PWD":
                return str(self.folder)
            assert name in self.variables, f"${name} is used before the tutorial sets it"
            return self.variables[name]

        return re.sub(r"\$(?:\{(\w+)\}|(\w+))", value, text)

    def cli(self, args: list[str]) -> str:
        os.chdir(self.folder)
        result = CliRunner().invoke(main, args, env=self.variables)
        assert result.exit_code == 0, f"deai-gov {shlex.join(args)} exited {result.exit_code}:\n{result.output}"
        return result.output

    def run(self, command: str) -> str:
        if command.startswith("deai-gov "):
            assert "$(" not in command and "|" not in command, command
            return self.cli(shlex.split(self.expand(command))[1:])
        if command.startswith("export "):
            substituted = re.fullmatch(r"export (\w+)=\$\(deai-gov (.+) \| jq -r \.(\w+)\)", command)
            if substituted:
                name, args, key = substituted.groups()
                answer = json.loads(self.cli(shlex.split(self.expand(args))))
                assert answer.get(key) is not None, f"{command}: no {key} in {answer}"
                self.variables[name] = str(answer[key])
            else:
                assert "$(" not in command, f"a command substitution the test cannot run: {command}"
                for assignment in shlex.split(self.expand(command))[1:]:
                    name, _, value = assignment.partition("=")
                    self.variables[name] = value
            return ""
        if command.startswith("cd "):
            self.folder = self.folder / shlex.split(command)[1]
            return ""
        assert not re.search(r"(^|[;&|(`]\s*)deai-gov\s", command), f"deai-gov inside another command: {command}"
        path = os.pathsep.join([str(ROOT / ".venv" / "bin"), str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]])
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.folder,
            env={**os.environ, **self.variables, "PATH": path},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        return done.stdout + done.stderr

    def block(self, block: Block) -> None:
        output = "".join(self.run(command) for command in block.commands)
        missing = [line for line in block.expected if not shown(line, output)]
        assert not missing, (
            f"after {block.commands}, these lines the tutorial shows were not printed: {missing}\n{output}"
        )


def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("DEAI_GOV_")]:
        monkeypatch.delenv(name)  # a developer's own network settings must not leak into the reader's shell
    home = tmp_path / "home"
    monkeypatch.setenv("DEAI_GOV_HOME", str(home))  # the devnet's record and keystores: this test's alone
    for name in ("DEAI_GOV_CHAIN_PORT", "DEAI_GOV_IPFS_PORT"):  # not 8545 and 5001: other tests run alongside
        monkeypatch.setenv(name, str(free_port()))
    monkeypatch.chdir(tmp_path)
    steps = blocks(TUTORIAL.read_text(encoding="utf-8"))
    stopping = next(i for i, b in enumerate(steps) if "deai-gov node stop" in b.commands)
    reader = Reader(tmp_path)
    started = time.monotonic()
    try:
        for block in steps[:stopping]:
            reader.block(block)

        folder = reader.folder
        exported = sorted(name for name in reader.variables if name.startswith("DEAI_GOV_"))
        assert not exported, f"the tutorial had the reader export {exported}"  # the devnet is found without them
        devnet = localnet.running(home)
        assert devnet is not None
        dao = Dao.attach(connect(devnet.rpc_url), Deployment.load(localnet.deployment_record(home)))
        maintainer = Account.from_key(anvil_dev_keys(2)[1]).address
        assert gov.state(dao, 1) == ProposalState.EXECUTED
        version = reg.get_version(dao, "acme/tiny")
        assert version.number == 1 and version.contributor == maintainer
        assert reg.get_model(dao, "acme/tiny").current_version == 1
        assert approval_of(dao, "acme/tiny", 1).proposal_id == 1
        assert token.holding(dao, maintainer).balance == 20_100 * TOKEN  # 20,000 handed out, 100 of reward
        source, pulled = folder / "tiny-model", folder / "pulled"
        assert {p.name: p.read_bytes() for p in pulled.iterdir()} == {p.name: p.read_bytes() for p in source.iterdir()}

        for block in steps[stopping:]:
            reader.block(block)
        assert localnet.running(home) is None
    finally:
        localnet.stop(home=home)
    print(f"the tutorial ran in {time.monotonic() - started:.1f} s")
