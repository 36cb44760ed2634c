"""Opening hours (leads and admins): the shop's and each team's week, time zone and closed days,
a calendar file's closures imported, the closed days of the coming months listed so the lead sees
what counts, and the audit of every change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from touchpoint.console.views.shop_hours_forms import CALENDAR_MAX_BYTES, CalendarForm, HoursForm
from touchpoint.core.clock import now
from touchpoint.hours import HoursInvalid
from touchpoint.shop.hours_models import TeamHours
from touchpoint.shop.models import Area
from touchpoint.shop.opening_hours import (
    HOURS_FIELDS,
    HoursConflict,
    clock_of,
    closed_days,
    hours_calendar_import,
    hours_save,
)
from touchpoint.shop.selectors import setting_changes
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser, Team

AHEAD_DAYS = 183  # the closed days listed: the next six months, what a lead plans around


def _team(slug: str | None) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise Http404("no such team")
    return team


def _own_row(team: Team | None) -> TeamHours | None:
    return TeamHours.objects.filter(**({"team": team} if team else {"for_shop": True})).first()


def _url(team: Team | None) -> str:
    return reverse("console:shop_hours_team", args=[team.slug]) if team else reverse("console:shop_hours")


def _initial(row: TeamHours | None) -> dict[str, str]:
    if row is None:
        return {"stamp": ""}
    return {"stamp": row.stamp, **{name: getattr(row, name) for name in HOURS_FIELDS}}


def _coming(row: TeamHours | None) -> tuple[list[Any], str]:
    """The closed days of the next months, and the week described as the clock reads it."""
    if row is None:
        return [], ""
    today = timezone.localdate(now())
    last = today + timedelta(days=AHEAD_DAYS)
    years = range(today.year, last.year + 1)
    try:
        days = [d for d in closed_days(row, years=years).values() if today <= d.day <= last]
        return days, clock_of(row, years=years).describe()
    except HoursInvalid:  # a country's holidays that the package no longer knows: said on the form instead
        return [], ""


def _page(
    request: HttpRequest,
    team: Team | None,
    *,
    form: HoursForm | None = None,
    upload: CalendarForm | None = None,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    row = _own_row(team)
    shop_row = row if team is None else _own_row(None)
    coming, described = _coming(row)
    rows = {r.team_id: r for r in TeamHours.objects.filter(team__isnull=False)}
    context = {
        "team": team,
        "row": row,
        "shop_row": shop_row,
        "form": form or HoursForm(initial=_initial(row)),
        "upload": upload or CalendarForm(),
        "coming": coming,
        "described": described,
        "ahead_days": AHEAD_DAYS,
        "teams": [(t, rows.get(t.pk)) for t in Team.objects.order_by("name")],
        "changes": setting_changes(areas=(Area.HOURS,)),
        "problem": problem,
        "calendar_max_kb": CALENDAR_MAX_BYTES // 1000,
    }
    return render(request, "console/shop/hours.html", context, status=status)


def _user(request: HttpRequest) -> StaffUser:
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    return user


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def hours_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    team = _team(slug)
    if request.method == "GET":
        return _page(request, team)
    form = HoursForm(request.POST, initial=_initial(_own_row(team)))
    if not form.is_valid():
        return _page(request, team, form=form, status=400, problem="Nothing was saved: see below.")
    data = form.cleaned_data
    try:
        changes = hours_save(
            by=_user(request), team=team, values={name: data[name] for name in HOURS_FIELDS}, stamp=data["stamp"]
        )
    except HoursConflict:
        fresh = request.POST.copy()
        row = _own_row(team)
        fresh["stamp"] = row.stamp if row else ""
        problem = (
            "Nothing was saved: someone else saved these hours while you were editing (see the changes below). "
            "Check what you typed against theirs and save again."
        )
        return _page(request, team, form=HoursForm(fresh), status=409, problem=problem)
    except HoursInvalid as exc:  # what the form let through but the clock refuses
        return _page(request, team, form=form, status=400, problem=f"Nothing was saved: {exc}.")
    if changes:
        fields = ", ".join(sorted({str(form.fields[c.field].label or c.field) for c in changes}))
        messages.success(request, f"Saved: {fields}.")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return HttpResponseRedirect(_url(team))


@require_POST
@staff_required("lead")
def calendar_import(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    team = _team(slug)
    upload = CalendarForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, team, upload=upload, status=400, problem="Nothing was imported: see below.")
    file = upload.cleaned_data["calendar"]
    try:
        count, skipped = hours_calendar_import(
            by=_user(request), team=team, data=file.read(CALENDAR_MAX_BYTES + 1), name=file.name or "calendar.ics"
        )
    except HoursInvalid as exc:
        said = f"{str(exc)[:1].upper()}{str(exc)[1:]}."
        upload.add_error("calendar", said)
        return _page(request, team, upload=upload, status=400, problem=f"Nothing was imported. {said}")
    messages.success(request, f"Imported {file.name}: {count} closed day{'s' if count != 1 else ''}.")
    for reason in skipped[:20]:
        messages.warning(request, f"Not used: {reason}")
    return HttpResponseRedirect(_url(team))
