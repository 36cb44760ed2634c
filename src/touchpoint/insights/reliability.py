"""The most reliable post: each carrier's service and lane as the shop's own parcels found it (on time,
late, lost; transit p50 and p90), from the lane figures the worker keeps (``shipping.lanes``).

One query, whatever the shop's age: the figures are already worked out, one row per lane, over each
lane's newest parcels (not the page's window of cases: a lane's history is what it is). The page
draws the transit times with the usual bar and whisker, and each lane's parcels as one bar split
into on time, late and lost (:func:`shares_chart`)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from touchpoint.insights.charts import LINE, WIDTH, WRAP, Line
from touchpoint.insights.figures import Cell, Chart, Figure, Scope
from touchpoint.shipping.models import LaneFigure

KEY = "carrier_reliability"
COLUMNS = (
    "carrier",
    "service",
    "from_area",
    "deliveries",
    "on_time",
    "late",
    "lost",
    "on_time_pct",
    "p50_hours",
    "p90_hours",
)
SHARE_WIDTH = 330  # the whole bar: every parcel of the lane that finished
BAR = 14
GAP = 12
# On time, late, lost: a colour each, and the words that go with it (the table has the numbers too).
PARTS = (("on_time", "on time", "#2e7d32"), ("late", "late", "#b26a00"), ("lost", "lost", "#b3261e"))


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def carrier_reliability(scope: Scope) -> Figure:
    """One row per lane, the most parcels first. ``scope`` is not applied: a lane's figures cover its
    newest finished parcels, whichever case they were for."""
    rows: list[tuple[Cell, ...]] = []
    lanes = LaneFigure.objects.all()
    for lane in sorted(lanes, key=lambda f: (-(f.deliveries + f.lost), f.carrier, f.service_level, f.origin_area)):
        rows.append(
            (
                lane.carrier or "Unnamed carrier",
                lane.service_level or "Service not given",
                lane.origin_area or "anywhere",
                lane.deliveries,
                lane.on_time,
                lane.late,
                lane.lost,
                _pct(lane.on_time, lane.on_time + lane.late),
                _hours(lane.p50_hours),
                _hours(lane.p90_hours),
            )
        )
    return Figure(
        KEY,
        "Carrier reliability",
        "Each carrier's service per lane (where the parcel starts), from this shop's own tracked parcels: "
        "delivered on time or late by the carrier's own expected date, lost (sent back, no longer tracked, "
        "or silent past the watchdog's bound), and how long delivery took from the first scan (hours, p50 and p90).",
        COLUMNS,
        rows,
        Chart(label=(0, 1, 2), value=8, upper=9, unit="h"),
    )


@dataclass(frozen=True)
class Part:
    x: float
    width: float
    colour: str
    words: str  # "12 on time"


@dataclass(frozen=True)
class ShareRow:
    label: str
    lines: tuple[Line, ...]
    y: int
    parts: tuple[Part, ...]
    summary: str  # "on time 80 % of 10 · 2 late · 0 lost"

    @property
    def bottom(self) -> int:
        return self.y + BAR

    @property
    def summary_y(self) -> int:
        return self.y + BAR + LINE - 2


@dataclass(frozen=True)
class ShareChart:
    key: str
    title: str
    description: str
    width: int
    height: int
    rows: tuple[ShareRow, ...]
    legend: tuple[tuple[str, str], ...]


def shares_chart(figure: Figure, *, limit: int = 20) -> ShareChart | None:
    """Each lane's finished parcels as one full-width bar split into on time, late and lost (those
    without an expected date are in neither: the bar is the lanes' parcels that can be judged);
    ``None`` when no lane has any to show."""
    if figure.key != KEY:
        return None
    index = {column: i for i, column in enumerate(figure.columns)}
    rows: list[ShareRow] = []
    y = 4
    for row in figure.rows[:limit]:
        counts = {name: int(row[index[name]] or 0) for name, _, _ in PARTS}
        judged = sum(counts.values())
        if judged == 0:
            continue
        label = f"{row[index['carrier']]} · {row[index['service']]} · from {row[index['from_area']]}"
        wrapped = textwrap.wrap(label, WRAP) or [""]
        lines = tuple(Line(text, y + LINE * (n + 1) - 4) for n, text in enumerate(wrapped))
        y += LINE * len(lines)
        parts, x = [], 0.0
        for name, words, colour in PARTS:
            width = round(SHARE_WIDTH * counts[name] / judged, 1)
            if counts[name]:
                parts.append(Part(round(x, 1), width, colour, f"{counts[name]} {words}"))
            x += width
        pct = row[index["on_time_pct"]]
        on_time = f"on time {pct} % of {counts['on_time'] + counts['late']}" if pct is not None else "no expected dates"
        summary = f"{on_time} · {counts['late']} late · {counts['lost']} lost"
        rows.append(ShareRow(label, lines, y, tuple(parts), summary))
        y += BAR + LINE + GAP
    if not rows:
        return None
    return ShareChart(
        key=f"{figure.key}-shares",
        title="On time, late and lost, per lane",
        description="Each lane's finished parcels: on time, late and lost. The table below has the same numbers.",
        width=WIDTH,
        height=y,
        rows=tuple(rows),
        legend=tuple((words, colour) for _, words, colour in PARTS),
    )
