"""A model card section stating what the DAO approved: the version's CIDs and contributor, the vote behind it (proven
from the chain, `provenance.approval_of`), and what trusted evaluators measured on it, for a Hugging Face model card
or any README.

The section sits between two HTML comments, so writing it again replaces it in place and leaves the rest of the card
(its YAML metadata included) as it was. Every text that comes from outside (benchmark and metric names) is escaped
for Markdown: a card shows what the chain says, not markup someone attested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

    from ..dao.deployed import Dao
    from ..ipfs.stores import BlockSource
    from .evaluations import EvaluationRecord
    from .signatures import VersionSignature

BEGIN = "<!-- deai-gov:approval -->"
END = "<!-- /deai-gov:approval -->"
#: A model card larger than this is refused unread (Hub cards are a few KiB).
MAX_CARD = 1024 * 1024


@dataclass(frozen=True)
class CardSection:
    """The section's Markdown and the facts it states."""

    markdown: str
    facts: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.facts | {"markdown": self.markdown}


def approval_section(dao: Dao, name: str, version: int | None, sources: list[BlockSource]) -> CardSection:
    """The section for version `version` of `name` (None: the current one).

    Raises:
        InputError: An unknown model or version.
        VerificationError: The vote behind the version cannot be proven from the chain.
    """
    from ..dao.token import symbol
    from ..units import format_amount, format_fixed
    from .evaluations import find_evaluations
    from .provenance import approval_of

    approval = approval_of(dao, name, version)
    number, written = approval.version.number, approval.version
    sym = symbol(dao)
    measured = (
        _measured(find_evaluations(dao, name, number, sources=sources), name, number)
        if (dao.records_attestation_service)
        else []
    )
    signature = _signature(dao, sources, name, approval) if sources else None
    how = "made current again by rollback proposal" if approval.made_current else "written by proposal"
    rows = [
        ("Model", f"`{name}` version {number}"),
        ("Artifact CID", f"`{written.artifact_cid}`"),
        ("Manifest CID", f"`{written.manifest_cid}`"),
        ("Contributor", f"`{written.contributor}`"),
        ("Approved", f"{how} {approval.proposal_id} ({approval.state.label})"),
        (
            "Votes",
            f"for {format_amount(approval.votes_for)} {sym}, against {format_amount(approval.votes_against)} {sym}, "
            f"abstain {format_amount(approval.votes_abstain)} {sym}",
        ),
        ("Executed in", f"`{approval.tx_hash}` (block {approval.block:,})"),
        ("Registry", f"`{dao.address('registry')}` on chain {dao.chain.chain_id}"),
    ]
    if signature is not None:
        trust = "trusted for the model by the DAO" if signature.trusted else "NOT trusted for the model by the DAO"
        state = "holds" if signature.verified else "NOT checked" if not signature.checked else "does NOT hold"
        rows.append(
            (
                "Signed by",
                f"key `sha256:{signature.fingerprint}` ({trust}; OpenSSF model signing, `model.sig`, root digest "
                f"`{signature.root_digest}`): the signature {state}",
            )
        )
    for label, metric, value, count in measured:
        rows.append(
            (
                f"Evaluated: {_md(label)}",
                f"{_md(metric)} {format_fixed(value)} ({count} trusted evaluator{'s' if count > 1 else ''})",
            )
        )
    lines = [
        BEGIN,
        "## Governance",
        "",
        f"This version was approved by its DAO's vote (deai-gov). Anyone can check it: "
        f"`deai-gov model approval {name}@{number}` proves the vote from the chain, and "
        f"`deai-gov model verify {name}@{number}` checks every block of the artifact against the CIDs below.",
        "",
        "| | |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in rows),
        END,
    ]
    facts = approval.to_json() | {
        "chain_id": dao.chain.chain_id,
        "registry": dao.address("registry"),
        "evaluations": [
            {"benchmark": label, "metric": metric, "value": format_fixed(value), "evaluators": count}
            for label, metric, value, count in measured
        ],
        "signature": signature.to_json() if signature is not None else None,
    }
    return CardSection("\n".join(lines) + "\n", facts)


def _signature(dao: Dao, sources: list[BlockSource], name: str, approval: Any) -> VersionSignature | None:
    """The version's model signature, checked (None when it is unsigned)."""
    from .approved import fetch_version_manifest, resolve
    from .signatures import version_signature

    approved = resolve(dao, name, approval.version.number, allow_suspended=True, allow_rolled_back=True)
    return version_signature(dao, sources, name, fetch_version_manifest(sources, approved))


def _measured(records: list[EvaluationRecord], name: str, version: int) -> list[tuple[str, str, int, int]]:
    """(benchmark label, metric, median value, evaluators) of the evaluations of version `version` that count, one
    value per evaluator (its latest), sorted by benchmark and metric."""
    import statistics

    from .evaluations import benchmark_label, latest_measurements

    found, _ = latest_measurements(records, name, version)
    grouped: dict[tuple[str, str], list[int]] = {}
    for (number, key, _), measured in found.items():
        if number == version:
            grouped.setdefault((benchmark_label(key), key[3]), []).append(measured.value)
    return [
        (label, metric, int(statistics.median_low(values)), len(values))
        for (label, metric), values in sorted(grouped.items())
    ]


def _md(text: str) -> str:
    """Text from outside, safe in a Markdown table cell: markup characters escaped, no line breaks."""
    return re.sub(r"([\\`*_\[\]<>#|!])", r"\\\1", " ".join(text.split()))


def write_into(card_file: Path, section: str) -> None:
    """Write `section` into the model card at `card_file` (`with_section`), creating the file if there is none; the
    file is replaced whole or not at all.

    Raises:
        InputError: The card cannot be read or written, is too large, or its markers are broken.
    """
    import os

    existing = ""
    if card_file.exists():
        if card_file.stat().st_size > MAX_CARD:
            raise InputError(f"{card_file} is larger than a model card can be ({MAX_CARD:,} bytes)")
        try:
            existing = card_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {card_file}: {getattr(exc, 'strerror', None) or exc}") from None
    updated = with_section(existing, section)
    scratch = card_file.with_name(f".{card_file.name}.deai-gov-tmp")
    try:
        scratch.write_text(updated, encoding="utf-8")
        os.replace(scratch, card_file)
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        raise InputError(f"cannot write {card_file}: {exc.strerror or exc}") from None


def with_section(card: str, section: str) -> str:
    """`card` with `section` in place of its earlier one, or appended after the rest (its YAML metadata kept first).

    Raises:
        InputError: The card holds the section's markers out of order or more than once.
    """
    begins, ends = card.count(BEGIN), card.count(END)
    if begins == ends == 0:
        return (card.rstrip("\n") + "\n\n" if card.strip() else "") + section
    start, stop = card.find(BEGIN), card.find(END)
    if begins != 1 or ends != 1 or stop < start:
        raise InputError(f"the card's {BEGIN} … {END} markers are broken (each must appear once, in that order)")
    return card[:start] + section.rstrip("\n") + card[stop + len(END) :]
