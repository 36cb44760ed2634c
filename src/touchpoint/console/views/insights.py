"""Insights for leads: every figure drawn, tabled, and downloadable as CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from touchpoint.cases.models import JourneyVersion
from touchpoint.core.clock import now
from touchpoint.insights.charts import figure_svg
from touchpoint.insights.export import figure_csv
from touchpoint.insights.figures import Figure, Scope
from touchpoint.insights.report import FIGURES, insights_report
from touchpoint.staff.access import staff_required

PERIODS = {"7": 7, "30": 30, "90": 90, "all": None}
# Columns the CSV keeps for machines and the page leaves out: a state's key sits beside its label.
KEYS_ONLY = frozenset({"state"})


def _table(figure: Figure) -> dict[str, Any]:
    """A figure's table as people read it: no key columns, headings in words ("p50_hours" → "P50 hours")."""
    shown = [i for i, column in enumerate(figure.columns) if column not in KEYS_ONLY]
    return {
        "columns": [figure.columns[i].replace("_", " ").capitalize() for i in shown],
        "rows": [[row[i] for i in shown] for row in figure.rows],
    }


def _scope(request: HttpRequest) -> tuple[Scope, str, str]:
    names = set(JourneyVersion.objects.values_list("name", flat=True))
    journey = request.GET.get("journey", "")
    journey = journey if journey in names else ""
    period = request.GET.get("days", "30")
    period = period if period in PERIODS else "30"
    days = PERIODS[period]
    since = now() - timedelta(days=days) if days is not None else None
    return Scope(journey=journey or None, since=since), journey, period


@require_GET
@staff_required("lead")
def insights_page(request: HttpRequest) -> HttpResponse:
    scope, journey, period = _scope(request)
    figures = [
        {"figure": figure, "svg": mark_safe(figure_svg(figure)), "table": _table(figure)}  # noqa: S308 - figure_svg escapes
        for figure in insights_report(scope)
    ]
    journeys = sorted(set(JourneyVersion.objects.values_list("name", flat=True)))
    return render(
        request,
        "console/insights/page.html",
        {
            "figures": figures,
            "journeys": journeys,
            "journey": journey,
            "period": period,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@staff_required("lead")
def insights_csv(request: HttpRequest, key: str) -> HttpResponse:
    if key not in FIGURES:
        raise Http404("no such figure")
    scope, journey, period = _scope(request)
    figure = FIGURES[key](scope)
    response = HttpResponse(figure_csv(figure), content_type="text/csv; charset=utf-8")
    suffix = f"-{journey}" if journey else ""
    days = "all" if period == "all" else f"{period}d"
    response["Content-Disposition"] = f'attachment; filename="{key}{suffix}-{days}.csv"'
    return response
