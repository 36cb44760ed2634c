"""People pages: the recognition board, a page per person; coaching flags for leads only."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.core.clock import now
from touchpoint.insights.people import coaching_flags, people, recognition_board
from touchpoint.remedies.models import KIND_CHOICES
from touchpoint.staff.access import has_role, staff_required

PERIODS = {"30": 30, "90": 90, "365": 365}


def _since(request: HttpRequest) -> tuple[str, datetime]:
    period = request.GET.get("days", "90")
    period = period if period in PERIODS else "90"
    return period, now() - timedelta(days=PERIODS[period])


@require_GET
@staff_required("agent")
def board(request: HttpRequest) -> HttpResponse:
    period, since = _since(request)
    everyone = people(since=since)
    lead = has_role(request.user, "lead")
    return render(
        request,
        "console/people/board.html",
        {
            "period": period,
            "board": recognition_board(everyone),
            "everyone": sorted(everyone.values(), key=lambda p: (-len(p.cases), p.user.username)),
            "flags": coaching_flags(everyone) if lead else None,
        },
    )


@require_GET
@staff_required("agent")
def person(request: HttpRequest, username: str) -> HttpResponse:
    period, since = _since(request)
    everyone = people(since=since)
    found = next((p for p in everyone.values() if p.user.username == username), None)
    if found is None:
        raise Http404("no active staff member by that name")
    lead = has_role(request.user, "lead")
    flag = next((f for f in coaching_flags(everyone) if f.user.pk == found.user.pk), None) if lead else None
    kinds = dict(KIND_CHOICES)  # remedies by their names ("Goodwill credit"), never their keys
    remedies = [(kinds.get(kind, kind.replace("_", " ").capitalize()), n) for kind, n in found.remedies.items()]
    context = {"period": period, "p": found, "flag": flag, "lead": lead, "remedies": remedies}
    return render(request, "console/people/person.html", context)
