"""The README's main job: `deai-gov demo` deploys a DAO in-process and passes one registration by vote."""

from __future__ import annotations

import json
import subprocess
import sys


def test_demo_registers_a_model_by_vote() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deai_gov", "demo", "--json"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["proposal_id"] == 1
    assert report["model"]["name"] == "demo/tiny-classifier"
    assert report["model"]["status"] == "active"
    assert report["model"]["version"] == 1
    assert report["model"]["approved_by_proposal"] == 1
    assert report["model"]["artifact_cid"].startswith("bafkrei")
    assert report["votes"]["abstain"] == "250,000"  # the override moved member 2's votes to abstain
    assert report["reward_paid"] == "50"


def test_help_is_fast_to_import() -> None:
    heavy = "('web3', 'eth_account', 'ipfshttpclient')"
    code = f"import sys, deai_gov.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
