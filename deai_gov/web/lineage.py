"""A model's versions as a lineage graph, drawn on the server as SVG: one node per version, left to right, an edge
from each version to the one it was built on, the current version ringed, rolled-back versions struck through, and
the model's suspension or retirement said in the title. Every text in it is escaped: names come from the chain."""

from __future__ import annotations

from html import escape

from ..dao.registry import ModelHistory
from ..display import shown

STEP, RADIUS, TOP, HEIGHT = 90, 18, 40, 120


def lineage_svg(history: ModelHistory) -> str:
    """The SVG of `history`'s versions (an empty graph says so)."""
    versions = history.versions
    width = max(STEP * len(versions) + 40, 240)
    x = {version.number: 40 + STEP * index for index, version in enumerate(versions)}
    title = f"{shown(history.model.name, lines=False)}: {history.model.label}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for version in versions:  # edges first, under the nodes
        if version.parent and version.parent in x:
            x1, x2 = x[version.parent], x[version.number]
            lift = 0 if version.parent == version.number - 1 else 30  # a jump back: an arc over the others
            parts.append(
                f'<path class="edge" d="M{x1 + RADIUS},{TOP} C{x1 + RADIUS},{TOP - lift} {x2 - RADIUS},{TOP - lift} '
                f'{x2 - RADIUS},{TOP}" fill="none"/>'
            )
    for version in versions:
        status = version.status.name.lower()
        current = version.number == history.model.current_version
        classes = " ".join(["node", status, *(["is-current"] if current else [])])
        cx = x[version.number]
        label = f"v{version.number}: {status.replace('_', ' ')}" + (", the one in use" if current else "")
        parts.append(f'<g class="{classes}"><title>{escape(label)}</title>')
        parts.append(f'<circle cx="{cx}" cy="{TOP}" r="{RADIUS}"/>')
        parts.append(f'<text x="{cx}" y="{TOP + 5}" text-anchor="middle">v{version.number}</text>')
        if status == "rolled_back":
            parts.append(f'<line class="strike" x1="{cx - RADIUS}" y1="{TOP + RADIUS}" x2="{cx + RADIUS}" '
                         f'y2="{TOP - RADIUS}"/>')  # fmt: skip
        parts.append(f'<text class="caption" x="{cx}" y="{TOP + RADIUS + 22}" text-anchor="middle">'
                     f"{escape(status.replace('_', ' '))}</text></g>")  # fmt: skip
    if not versions:
        parts.append(f'<text x="20" y="{TOP}">no versions</text>')
    parts.append("</svg>")
    return "".join(parts)
