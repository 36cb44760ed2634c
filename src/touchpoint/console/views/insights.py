"""Insights for leads: every figure drawn, tabled, and downloadable as CSV, from the figures the
worker keeps for each window (``insights.snapshots``): the page reads one row and says when they
were worked out."""

from __future__ import annotations

from collections.abc import Collection

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date, urlencode
from django.views.decorators.http import require_GET

from touchpoint.console.reads.insights import figure_view, journey_titles
from touchpoint.insights.export import figure_csv
from touchpoint.insights.models import SnapshotKind
from touchpoint.insights.report import FIGURES
from touchpoint.insights.snapshots import INSIGHTS_DAYS, REFRESH, insights_load, snapshot_read
from touchpoint.staff.access import staff_required

# Every figure covers the cases opened within one of these windows, never the whole history, so the
# page costs the same however old the shop is (`touchpoint insights` without --since still reads it all).
PERIODS = {str(days): days for days in INSIGHTS_DAYS}
RETRY_SECONDS = 60  # the worker works a missing window out on its next passes


def _scope(request: HttpRequest, names: Collection[str]) -> tuple[str, str]:
    journey = request.GET.get("journey", "")
    journey = journey if journey in names else ""
    period = request.GET.get("days", "30")
    return journey, period if period in PERIODS else "30"


@require_GET
@staff_required("lead")
def insights_page(request: HttpRequest) -> HttpResponse:
    titles = journey_titles()
    journey, period = _scope(request, titles)
    snapshot = snapshot_read(kind=SnapshotKind.INSIGHTS, days=PERIODS[period], journey=journey)
    query = urlencode({"journey": journey, "days": period} if journey else {"days": period})
    # The figures as drawn, worked out only when the page's kept drawing of them is missing: it is kept
    # ({% cache %}) under the snapshot's id and revision, the journeys' titles and the CSV links' query.
    figures = SimpleLazyObject(
        lambda: [] if snapshot is None else [figure_view(f, titles=titles) for f in insights_load(snapshot.figures)]
    )
    figures_key = None if snapshot is None or snapshot.key is None else repr((snapshot.key, titles, query))
    return render(
        request,
        "console/insights/page.html",
        {
            "figures": figures,
            "figures_key": figures_key,
            "computed_at": snapshot.computed_at if snapshot is not None else None,
            "refresh_minutes": int(REFRESH[PERIODS[period]].total_seconds() // 60),
            "journeys": sorted(titles.items(), key=lambda item: item[1]),
            "journey": journey,
            "period": period,
            "query": query,
        },
    )


@require_GET
@staff_required("lead")
def insights_csv(request: HttpRequest, key: str) -> HttpResponse:
    if key not in FIGURES:
        raise Http404("no such figure")
    journey, period = _scope(request, journey_titles())
    snapshot = snapshot_read(kind=SnapshotKind.INSIGHTS, days=PERIODS[period], journey=journey)
    if snapshot is None:
        response = HttpResponse(
            "These figures are being worked out; download them again in a minute.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_SECONDS)
        return response
    figure = next((f for f in insights_load(snapshot.figures) if f.key == key), None)
    if figure is None:
        raise Http404("no such figure")
    response = HttpResponse(figure_csv(figure), content_type="text/csv; charset=utf-8")
    suffix = f"-{journey}" if journey else ""
    response["Content-Disposition"] = f'attachment; filename="{key}{suffix}-{period}d.csv"'
    response["Last-Modified"] = http_date(snapshot.computed_at.timestamp())  # when they were worked out
    return response
