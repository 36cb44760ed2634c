"""Where a figure's bars go: numbers and words only, drawn by the insights page's template.

One bar per row, its label written in full above it (wrapped, never cut short, so two states can't
look the same), the value beside the bar's end and an optional whisker to a second value (p50 bar,
p90 whisker). The page's template draws the SVG from a :class:`BarChart`; the table beside it has
the same numbers for screen readers and CSV."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from touchpoint.insights.figures import Cell, Figure

WIDTH = 480
BAR_WIDTH = 330  # the longest bar; its value is written after it, in the rest of the width
LINE = 16  # one line of label text
BAR = 14
GAP = 12  # between rows
WRAP = 60  # characters per label line at 13 px in the chart's width


def cell_text(cell: Cell) -> str:
    """A cell as people read it: 1,234 and 12.5 (one decimal), nothing for no value."""
    if isinstance(cell, float):
        return f"{cell:,.1f}"
    return "" if cell is None else f"{cell:,}" if isinstance(cell, int) else str(cell)


def _unit(unit: str, value: float) -> str:
    """ " cases" after 2 and " case" after 1; "h" after any."""
    return unit[:-1] if value == 1 and unit.startswith(" ") and unit.endswith("s") else unit


def _number(cell: Cell) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0


@dataclass(frozen=True)
class Line:
    text: str
    y: int  # baseline


@dataclass(frozen=True)
class Bar:
    label: str  # in full, for the row's tooltip
    lines: tuple[Line, ...]
    y: int  # the bar's top
    width: float
    value: str  # "48.0h – 67.2h"
    value_x: float
    whisker_x: float | None  # where the whisker ends (the second value), if drawn

    @property
    def middle(self) -> float:
        return self.y + BAR / 2

    @property
    def bottom(self) -> int:
        return self.y + BAR


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]


def row_labels(figure: Figure, *, journey_titles: Mapping[str, str] | None = None) -> list[str]:
    """Each row's label from the chart's label columns; a label two rows share (the same state name
    in two journeys) says which journey, and, if that is not enough, the state's key."""
    chart = figure.chart
    if chart is None:
        return []
    labels = [" · ".join(cell_text(row[i]) for i in chart.label) for row in figure.rows]
    titles = journey_titles or {}
    for column, spell in (("journey", lambda key: titles.get(key, key)), ("state", str)):
        if column not in figure.columns:
            continue
        index = figure.columns.index(column)
        shared = {label for label, count in Counter(labels).items() if count > 1}
        labels = [
            (f"{spell(str(row[index]))}: {label}" if column == "journey" else f"{label} ({row[index]})")
            if label in shared
            else label
            for row, label in zip(figure.rows, labels, strict=True)
        ]
    return labels


def bar_chart(figure: Figure, *, labels: Sequence[str] | None = None, limit: int = 20) -> BarChart | None:
    """The figure's first ``limit`` rows as bars, labelled by ``labels`` (default :func:`row_labels`);
    ``None`` when it has no chart, no rows, or nothing above zero to draw (the table says so)."""
    chart = figure.chart
    if chart is None or not figure.rows:
        return None
    rows = figure.rows[:limit]
    names = list(labels if labels is not None else row_labels(figure))[:limit]
    columns = [chart.value] if chart.upper is None else [chart.value, chart.upper]
    top = max(_number(row[i]) for row in rows for i in columns)
    if top <= 0:
        return None
    scale = BAR_WIDTH / top
    bars: list[Bar] = []
    y = 4
    for row, name in zip(rows, names, strict=True):
        wrapped = textwrap.wrap(name, WRAP) or [""]
        lines = tuple(Line(text, y + LINE * (n + 1) - 4) for n, text in enumerate(wrapped))
        y += LINE * len(lines)
        value = _number(row[chart.value])
        width = round(max(value * scale, 1.0 if value > 0 else 0.0), 1)
        shown = cell_text(row[chart.value]) + _unit(chart.unit, value)
        whisker: float | None = None
        if chart.upper is not None and row[chart.upper] is not None:
            whisker = round(_number(row[chart.upper]) * scale, 1)
            shown += f" – {cell_text(row[chart.upper])}{_unit(chart.unit, _number(row[chart.upper]))}"
        end = max(width, whisker or 0.0)
        bars.append(Bar(name, lines, y, width, shown, round(end + 6, 1), whisker))
        y += BAR + GAP
    return BarChart(
        key=figure.key,
        title=figure.title,
        description=f"{figure.what} The table below has the same numbers.",
        width=WIDTH,
        height=y,
        bars=tuple(bars),
    )
