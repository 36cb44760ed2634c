"""Thin views: read through selectors, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.cases.journeys import journey_of
from touchpoint.console.selectors import journey_summaries, journey_version
from touchpoint.journeys.render import render_svg


@require_GET
@login_required
def journeys(request: HttpRequest) -> HttpResponse:
    return render(request, "console/journeys.html", {"summaries": journey_summaries()})


@require_GET
@login_required
def journey_map(request: HttpRequest, name: str, version: int) -> HttpResponse:
    found = journey_version(name, version)
    if found is None:
        raise Http404("no such journey version")
    journey = journey_of(found)
    return render(
        request, "console/journey_map.html", {"version": found, "journey": journey, "svg": render_svg(journey)}
    )
