"""People pages: the recognition board, a page per person; coaching flags for leads only.

The figures are the worker's (``insights.snapshots``), stored for everyone; the people are read
live (who is active, their names), and what a viewer may see is chosen here: coaching flags and the
complaints on someone's cases go to leads only."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.insights.models import SnapshotKind
from touchpoint.insights.people import CoachingFlag
from touchpoint.insights.snapshots import PEOPLE_DAYS, REFRESH, PeopleFigures, PersonFigures, people_load, snapshot_read
from touchpoint.remedies.models import KIND_CHOICES
from touchpoint.staff.access import has_role, staff_required
from touchpoint.staff.models import StaffUser

PERIODS = {str(days): days for days in PEOPLE_DAYS}


@dataclass(frozen=True)
class PersonRow:
    user: StaffUser
    figures: PersonFigures


def _period(request: HttpRequest) -> str:
    period = request.GET.get("days", "90")
    return period if period in PERIODS else "90"


def _figures(period: str) -> tuple[PeopleFigures | None, dict[str, object]]:
    snapshot = snapshot_read(kind=SnapshotKind.PEOPLE, days=PERIODS[period])
    context: dict[str, object] = {
        "period": period,
        "computed_at": snapshot.computed_at if snapshot is not None else None,
        "refresh_minutes": int(REFRESH[PERIODS[period]].total_seconds() // 60),
    }
    return (people_load(snapshot.figures) if snapshot is not None else None), context


def _flags(figures: PeopleFigures, users: dict[int, StaffUser]) -> list[CoachingFlag]:
    return [
        CoachingFlag(users[f.user_id], f.complaints, f.rated, f.rate, f.overall_rate)
        for f in figures.flags
        if f.user_id in users
    ]


@require_GET
@staff_required("agent")
def board(request: HttpRequest) -> HttpResponse:
    figures, context = _figures(_period(request))
    lead = has_role(request.user, "lead")
    users = {user.pk: user for user in StaffUser.objects.filter(is_active=True).order_by("first_name", "username")}
    if figures is not None:
        everyone = [PersonRow(user, figures.people.get(user.pk) or PersonFigures(user.pk)) for user in users.values()]
        everyone.sort(key=lambda row: (-row.figures.cases, row.user.username))
        by_id = {row.user.pk: row for row in everyone}
        context |= {
            "board": [by_id[pk] for pk in figures.board if pk in by_id],
            "everyone": everyone,
            # leads only: the flags are stored for everyone and left out here for anyone else
            "flags": _flags(figures, users) if lead else None,
        }
    return render(request, "console/people/board.html", context)


@require_GET
@staff_required("agent")
def person(request: HttpRequest, username: str) -> HttpResponse:
    user = StaffUser.objects.filter(is_active=True, username=username).first()
    if user is None:
        raise Http404("no active staff member by that name")
    figures, context = _figures(_period(request))
    lead = has_role(request.user, "lead")
    context |= {"user_shown": user, "lead": lead}
    if figures is not None:
        found = figures.people.get(user.pk) or PersonFigures(user.pk)
        if not lead:  # complaints on someone's cases are for leads only
            found = replace(found, complaint_count=0, complaints=[])
        kinds = dict(KIND_CHOICES)  # remedies by their names ("Goodwill credit"), never their keys
        remedies = [(kinds.get(kind, kind.replace("_", " ").capitalize()), n) for kind, n in found.remedies.items()]
        context |= {
            "p": PersonRow(user, found),
            "flag": next(iter(_flags(figures, {user.pk: user})), None) if lead else None,
            "remedies": remedies,
        }
    return render(request, "console/people/person.html", context)
