"""The README's main job: `deai-gov demo` deploys a DAO in-process and passes one registration by vote."""

from __future__ import annotations

import json
import subprocess
import sys


def test_demo_runs_the_whole_lifecycle() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deai_gov", "demo", "--json"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [p["state"] for p in report["proposals"]] == ["executed"] * 4
    assert report["proposals"][0]["votes"]["abstain"] == "250,000"  # the override moved member 2's votes
    model = report["model"]
    assert (model["status"], model["current_version"], model["latest_version"]) == ("retired", 1, 2)
    assert [v["status"] for v in model["versions"]] == ["current", "rolled_back"]
    assert model["versions"][1]["parent"] == 1 and model["v1_written_by_proposal"] == 1
    assert model["v1_approved_by_proposal"] == 3  # the rollback, which made v1 current again
    assert report["pulled"]["files"] == ["README.md", "config.json", "weights.json"]
    assert report["reward_paid"] == "50"
    assert report["seconds"] < 30


def test_help_is_fast_to_import() -> None:
    heavy = "('web3', 'eth_account', 'ipfshttpclient')"
    code = f"import sys, deai_gov.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
