"""OpenSSF model signing: what signing adds to a publish, and what checking a signature costs a voter.

    python benchmarks/signing.py [--mib 256] [--files 8] [--runs 3] [--json]

A folder of `--files` files of random bytes, `--mib` MiB in all, is made once; then, `--runs` times each (medians):

- **publish (reference)**: `ipfs.content.publish` of the folder into an embedded store (IPIP-499's profile): what
  proposing costs without a signature;
- **sign**: `signing.folder.sign_folder`, the upstream library signing with an EC P-256 key (it hashes every file);
- **upstream verify (reference)**: `signing.folder.verify_folder`, as `model_signing verify key` checks a folder:
  every file hashed again;
- **review check**: what `proposal show`, `model pull` and `model verify` do before fetching any file: the bundle
  read, its files matched to the manifest's digests, its signature checked with the key (`workflows.signatures`
  does this from IPFS; here from the manifest and bundle in memory).

Goals: signing adds at most as much time as the publish it precedes (sign / publish <= 1.0), and the review check
costs under 1% of hashing the folder (review / upstream verify <= 0.01). Exit 0 even when a goal fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from runner import run_benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MIB = 1 << 20
GOAL_SIGN_OVER_PUBLISH = 1.0
GOAL_REVIEW_OVER_VERIFY = 0.01


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=256, help="Size of the folder in MiB.")
    parser.add_argument("--files", type=int, default=8, help="Number of files.")
    parser.add_argument("--runs", type=int, default=3, help="Timed runs of each step (medians).")
    parser.add_argument("--json", action="store_true", help="The figures as JSON.")
    return parser.parse_args(argv)


def _timed(step: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from deai_gov.ipfs.content import publish
    from deai_gov.ipfs.manifest import Contributor, SignatureRecord
    from deai_gov.ipfs.stores import EmbeddedStore
    from deai_gov.signing.bundle import BUNDLE_NAME, read_bundle
    from deai_gov.signing.folder import check_signed_files, sign_folder, verify_folder
    from deai_gov.signing.keys import check_statement_signature, fingerprint, public_key_pem

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / "model"
        folder.mkdir()
        each = args.mib * MIB // args.files
        for i in range(args.files):
            (folder / f"shard-{i:03d}.safetensors").write_bytes(os.urandom(each))
        key = root / "key.pem"
        private = ec.generate_private_key(ec.SECP256R1())
        key.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))  # fmt: skip
        pem = public_key_pem(key)
        published = [path.name for path in sorted(folder.iterdir())]

        def sign() -> None:
            (folder / BUNDLE_NAME).unlink(missing_ok=True)
            sign_folder(folder, key, None, [])

        counter = iter(range(1_000_000))

        def publish_once() -> None:
            store = EmbeddedStore(root / f"store-{next(counter)}")
            publish(folder, store, name="acme/bench", version=1, contributors=[Contributor("0x" + "11" * 20, 10_000)])
            store.close()

        t_sign = _timed(sign, args.runs)
        statement = read_bundle((folder / BUNDLE_NAME).read_bytes())
        record = SignatureRecord(BUNDLE_NAME, fingerprint(pem), pem, statement.root_digest)
        t_publish = _timed(publish_once, args.runs)
        store = EmbeddedStore(root / "store-final")
        manifest = publish(
            folder, store, name="acme/bench", version=1, contributors=[Contributor("0x" + "11" * 20, 10_000)],
            signature=record,
        ).manifest  # fmt: skip
        store.close()
        bundle = (folder / BUNDLE_NAME).read_bytes()

        def review() -> None:
            found = read_bundle(bundle)
            check_signed_files(found, {entry.path: entry.sha256 for entry in manifest.files})
            check_statement_signature(found, pem)

        t_verify = _timed(lambda: verify_folder(folder, pem, published), args.runs)
        t_review = _timed(review, max(args.runs, 20))
    return {
        "mib": args.mib,
        "files": args.files,
        "runs": args.runs,
        "seconds": {"publish": t_publish, "sign": t_sign, "upstream_verify": t_verify, "review_check": t_review},
        "ratios": {"sign_over_publish": t_sign / t_publish, "review_over_upstream_verify": t_review / t_verify},
        "goals": {
            "sign_over_publish": GOAL_SIGN_OVER_PUBLISH,
            "review_over_upstream_verify": GOAL_REVIEW_OVER_VERIFY,
        },
    }


def print_report(report: dict[str, Any]) -> None:
    s, r = report["seconds"], report["ratios"]
    print(f"{report['mib']} MiB in {report['files']} files, medians of {report['runs']} runs")
    print(f"{'step':<34}{'seconds':>10}")
    for label, key in (
        ("publish (reference)", "publish"),
        ("sign (upstream signer)", "sign"),
        ("upstream verify (reference)", "upstream_verify"),
        ("review check", "review_check"),
    ):
        print(f"{label:<34}{s[key]:>10.4f}")  # fmt: skip
    failed = []
    print(f"sign / publish                    {r['sign_over_publish']:>10.2f}  (goal <= {GOAL_SIGN_OVER_PUBLISH})")
    if r["sign_over_publish"] > GOAL_SIGN_OVER_PUBLISH:
        failed.append("sign / publish")
    print(f"review / upstream verify          {r['review_over_upstream_verify']:>10.4f}  (goal <= "
          f"{GOAL_REVIEW_OVER_VERIFY})")  # fmt: skip
    if r["review_over_upstream_verify"] > GOAL_REVIEW_OVER_VERIFY:
        failed.append("review / upstream verify")
    print("goals missed: " + ", ".join(failed) if failed else "all goals met")


if __name__ == "__main__":
    sys.exit(run_benchmark(None, parse_args, run, print_report))
