"""What the insights page shows: each figure with its chart's geometry and its table in words.

The figures keep machine column names (``p50_hours``: the CSV and the terminal table use them);
this page says them as people do ("Median hours"), names journeys by their titles, and leaves out
the state keys that sit beside their labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from touchpoint.cases.journeys import journey_parsed
from touchpoint.cases.models import JourneyVersion
from touchpoint.insights.charts import BarChart, bar_chart, row_labels
from touchpoint.insights.figures import Cell, Figure
from touchpoint.insights.reliability import ShareChart, shares_chart

# Columns the CSV keeps for machines and the page leaves out: a state's key sits beside its label.
KEYS_ONLY = frozenset({"state"})
HEADINGS = {
    "journey": "Journey",
    "label": "State",
    "stays": "Finished stays",
    "p50_hours": "Median hours",
    "p90_hours": "9 in 10 within (hours)",
    "there_now": "Cases there now",
    "open": "Open cases",
    "oldest_hours": "Oldest (hours)",
    "past_wait_limit": "Past the wait limit",
    "kind": "What happened",
    "times": "Times",
    "case": "Case",
    "longest_silence_hours": "Longest silence (hours)",
    "over_max_silence": "Longer than the journey allows",
    "case_is": "Case is",
    "exception": "Exception",
    "cause": "Cause",
    "responses": "Ratings",
    "average": "Average (1–5)",
    "share_4_or_5_pct": "Rated 4 or 5 (%)",
    "person": "Person",
    "journey_touch_points": "Touch-point messages",
    "automatic_notices": "Automatic notices",
    "persona_templates_by_staff": "Templates sent by staff",
    "own_words": "In staff's own words",
    "own_words_pct": "Own words (%)",
    "remedy": "Remedy",
    "given": "Given",
    "cost": "Cost",
    "currency": "Currency",
    "within_own_limit": "Within the giver's limit",
    "approved_by_lead": "Approved by a lead",
    "carrier": "Carrier",
    "service": "Service",
    "from_area": "From (postcode area)",
    "deliveries": "Delivered",
    "on_time": "On time",
    "late": "Late",
    "lost": "Lost",
    "on_time_pct": "On time (%)",
}


def heading(column: str) -> str:
    """A column's name in words (a column not listed: its name with spaces)."""
    return HEADINGS.get(column, column.replace("_", " ").capitalize())


@dataclass(frozen=True)
class FigureView:
    figure: Figure
    chart: BarChart | None
    headings: list[str]
    rows: list[list[Cell]]
    shares: ShareChart | None = None  # carrier reliability: each lane's parcels on time, late and lost


def journey_titles() -> dict[str, str]:
    """Each journey's title by name, from its newest version (one query; parsed once per process)."""
    newest: dict[str, tuple[int, str]] = {}
    for pk, name, sha256 in JourneyVersion.objects.order_by("name", "-version").values_list("pk", "name", "sha256"):
        newest.setdefault(name, (pk, sha256))
    return {name: journey_parsed(pk, sha256).title or name for name, (pk, sha256) in newest.items()}


def figure_view(figure: Figure, *, titles: Mapping[str, str]) -> FigureView:
    shown = [i for i, column in enumerate(figure.columns) if column not in KEYS_ONLY]
    journey = figure.columns.index("journey") if "journey" in figure.columns else None

    def cell(row: tuple[Cell, ...], i: int) -> Cell:
        return titles.get(str(row[i]), row[i]) if i == journey else row[i]

    return FigureView(
        figure=figure,
        chart=bar_chart(figure, labels=row_labels(figure, journey_titles=titles)),
        headings=[heading(figure.columns[i]) for i in shown],
        rows=[[cell(row, i) for i in shown] for row in figure.rows],
        shares=shares_chart(figure),
    )
