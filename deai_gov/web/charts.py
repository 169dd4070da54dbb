"""Evaluations drawn on the server as SVG: for each benchmark and metric, its value on each version of a model (the
mean when several evaluations that count measured it), so a voter sees at a glance whether a version improved.
Every text is escaped: benchmark and metric names come from attestations."""

from __future__ import annotations

import statistics
from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING

from ..display import shown
from ..units import format_fixed

if TYPE_CHECKING:
    from ..workflows.evaluations import EvaluationRecord

WIDTH, HEIGHT, PAD = 360, 150, 34


def metric_charts(records: list[EvaluationRecord]) -> list[tuple[str, str]]:
    """(title, SVG) for each benchmark and metric measured by evaluations that count, versions left to right."""
    series: dict[tuple[str, str, bool], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        evaluation = record.evaluation
        if evaluation is None or not record.counts:
            continue
        for measured in evaluation.metrics:
            key = (f"{evaluation.benchmark} {evaluation.benchmark_version}", measured.name, measured.higher_is_better)
            series[key][evaluation.version].append(measured.value)
    charts = []
    for (benchmark, metric, higher), by_version in sorted(series.items()):
        points = sorted((version, int(statistics.mean(values))) for version, values in by_version.items())
        better = "higher is better" if higher else "lower is better"
        title = f"{shown(benchmark, lines=False)}: {shown(metric, lines=False)} ({better})"
        charts.append((title, _chart(title, points)))
    return charts


def _chart(title: str, points: list[tuple[int, int]]) -> str:
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        x = PAD + index * step if len(points) > 1 else WIDTH / 2
        y = HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD) if high != low else HEIGHT / 2
        return round(x, 1), round(y, 1)

    coordinates = [xy(index, value) for index, (_, value) in enumerate(points)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="metric" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>',
    ]
    if len(coordinates) > 1:
        line = " ".join(f"{x},{y}" for x, y in coordinates)
        parts.append(f'<polyline class="series" points="{line}" fill="none"/>')
    for (version, value), (x, y) in zip(points, coordinates, strict=True):
        figure = escape(format_fixed(value))
        parts.append(
            f'<g class="point"><title>v{version}: {figure}</title><circle cx="{x}" cy="{y}" r="4"/>'
            f'<text class="value" x="{x}" y="{y - 8}" text-anchor="middle">{figure}</text>'
            f'<text class="version" x="{x}" y="{HEIGHT - PAD + 16}" text-anchor="middle">v{version}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
