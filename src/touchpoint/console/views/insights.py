"""Insights for leads: every figure drawn, tabled, and downloadable as CSV."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.cases.models import JourneyVersion
from touchpoint.console.reads.insights import figure_view, journey_titles
from touchpoint.core.clock import now
from touchpoint.insights.export import figure_csv
from touchpoint.insights.figures import Scope
from touchpoint.insights.report import FIGURES, insights_report
from touchpoint.staff.access import staff_required

# Every figure covers the cases opened within one of these windows, never the whole history, so the
# page costs the same however old the shop is (`touchpoint insights` without --days still reads it all).
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


def _scope(request: HttpRequest, names: Collection[str]) -> tuple[Scope, str, str]:
    journey = request.GET.get("journey", "")
    journey = journey if journey in names else ""
    period = request.GET.get("days", "30")
    period = period if period in PERIODS else "30"
    return Scope(journey=journey or None, since=now() - timedelta(days=PERIODS[period])), journey, period


@require_GET
@staff_required("lead")
def insights_page(request: HttpRequest) -> HttpResponse:
    titles = journey_titles()
    scope, journey, period = _scope(request, titles)
    figures = [figure_view(figure, titles=titles) for figure in insights_report(scope)]
    journeys = sorted(titles.items(), key=lambda item: item[1])
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
    scope, journey, period = _scope(request, set(JourneyVersion.objects.values_list("name", flat=True)))
    figure = FIGURES[key](scope)
    response = HttpResponse(figure_csv(figure), content_type="text/csv; charset=utf-8")
    suffix = f"-{journey}" if journey else ""
    response["Content-Disposition"] = f'attachment; filename="{key}{suffix}-{period}d.csv"'
    return response
