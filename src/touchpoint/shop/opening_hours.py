"""Opening hours per team: the clock each team's limits count in (reads, cached per process) and
the lead's changes to them (writes, audited field by field like the shop's settings).

A team without hours of its own keeps the shop's; when the shop has none either, the answer is
``None`` and limits count calendar time (open all the time), which is how an install behaves until
someone sets hours. The clocks are ``touchpoint.hours.OpeningHours`` (framework-free): closed days
are the team's public holidays (country and region), the dates the lead typed and the all-day events
of the calendar file it uploaded, for the years around today.

The rows are few and every timer of a team-owned state asks for them, so they are kept in this
process's memory: the process that saves a change forgets its copy when the change commits (and keeps
none while it is being written), and another process's copy is checked against the rows' stamps
(one small query) once it is :data:`RECHECK_SECONDS` old."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from touchpoint.core.clock import now
from touchpoint.hours import HoursInvalid, OpeningHours
from touchpoint.hours.closures import calendar_closed_days, public_holidays
from touchpoint.shop.models import Area, SettingChange, TeamHours

if TYPE_CHECKING:
    from touchpoint.staff.models import StaffUser, Team

RECHECK_SECONDS = 5.0
HOURS_FIELDS = ("weekly", "zone", "country", "region", "closed_dates")
SHOP = ""  # the key of the shop's own hours in the kept copy (teams are keyed by slug)


class HoursConflict(Exception):
    """Someone else saved these hours after the form was drawn: nothing was written."""


@dataclass
class _Kept:
    rows: dict[str, TeamHours] | None = None
    stamps: frozenset[tuple[int, str]] = frozenset()
    clocks: dict[tuple[str, int], OpeningHours] = field(default_factory=dict)
    checked: float = 0.0
    writing: bool = False


_kept = _Kept()


def _rows() -> dict[str, TeamHours]:
    moment = time.monotonic()
    if _kept.rows is not None and moment - _kept.checked < RECHECK_SECONDS:
        return _kept.rows
    if _kept.rows is not None and frozenset(TeamHours.objects.values_list("pk", "stamp")) == _kept.stamps:
        _kept.checked = moment
        return _kept.rows
    rows = {(row.team.slug if row.team else SHOP): row for row in TeamHours.objects.select_related("team")}
    if not _kept.writing:  # a change this process is making may yet be rolled back
        _kept.rows, _kept.stamps, _kept.clocks = rows, frozenset((r.pk, r.stamp) for r in rows.values()), {}
        _kept.checked = moment
    return rows


def opening_hours_forget() -> None:
    """Drop this process's copy: the next read asks the database."""
    _kept.rows, _kept.clocks, _kept.writing = None, {}, False


def _writing() -> None:
    _kept.rows, _kept.clocks, _kept.writing = None, {}, True
    transaction.on_commit(opening_hours_forget)


def hours_row(team: str | None) -> TeamHours | None:
    """The row that says when ``team`` (a slug; None for the shop) works: its own, else the shop's."""
    rows = _rows()
    return rows.get(team or SHOP) or rows.get(SHOP)


def team_clock(team: str | None) -> OpeningHours | None:
    """The clock ``team``'s limits count in (its own hours, else the shop's), or None when no hours
    are set: limits then count calendar time."""
    row = hours_row(team)
    if row is None:
        return None
    year = now().year
    key = (team or SHOP, year)
    if (clock := _kept.clocks.get(key)) is not None:
        return clock
    clock = clock_of(row, years=range(year - 1, year + 3))
    if not _kept.writing:
        _kept.clocks[key] = clock
    return clock


def clock_of(row: TeamHours, *, years: range) -> OpeningHours:
    """The framework-free clock of ``row``, closed on its days in ``years``."""
    return OpeningHours.parse(row.weekly, zone=row.zone, closed=set(closed_days(row, years=years)))


@dataclass(frozen=True)
class ClosedDay:
    day: date
    name: str
    source: str  # "public holiday", "closed date", or the calendar file's name


def closed_days(row: TeamHours, *, years: range) -> dict[date, ClosedDay]:
    """Every day ``row`` is closed in ``years``: public holidays, the dates typed, the calendar's days."""
    found: dict[date, ClosedDay] = {}
    if row.country:
        for day, name in public_holidays(row.country, years, region=row.region).items():
            found[day] = ClosedDay(day, name, "public holiday")
    for day, name in closed_dates_parse(row.closed_dates).items():
        found[day] = ClosedDay(day, name, "closed date")
    for text, name in row.calendar_days.items():
        day = date.fromisoformat(text)
        if day.year in years:
            found.setdefault(day, ClosedDay(day, name, row.calendar_name or "calendar"))
    return dict(sorted(found.items()))


def closed_dates_parse(text: str) -> dict[date, str]:
    """The lead's closed dates: one a line, ``2026-12-24`` optionally followed by a name."""
    days: dict[date, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        first, _, name = line.strip().partition(" ")
        try:
            day = date.fromisoformat(first)
        except ValueError:
            raise HoursInvalid(
                f"line {number}: “{first}” is not a date: "
                "write one date a line as 2026-12-24, then its name if you like"
            ) from None
        days[day] = name.strip() or "Closed"
    return days


def hours_check(values: Mapping[str, str]) -> None:
    """Raise HoursInvalid saying what is wrong with ``values`` (weekly hours, zone, holidays' country
    and region, closed dates), or nothing when they make a clock."""
    OpeningHours.parse(values["weekly"], zone=values["zone"])
    if values.get("region") and not values.get("country"):
        raise HoursInvalid("a region needs its country: write the country's two-letter code too (GB for ENG)")
    if values.get("country"):
        public_holidays(values["country"], [now().year], region=values.get("region", ""))
    closed_dates_parse(values.get("closed_dates", ""))


def _subject(team: Team | None) -> str:
    return f"team:{team.slug}" if team else "shop"


def _audit(*, by: StaffUser, subject: str, changed: list[tuple[str, str, str]]) -> list[SettingChange]:
    at = now()
    return SettingChange.objects.bulk_create(
        SettingChange(
            at=at, by=by, by_name=by.get_username(), area=Area.HOURS, subject=subject, field=name, before=a, after=b
        )
        for name, a, b in changed
    )


def hours_save(*, by: StaffUser, team: Team | None, values: Mapping[str, str], stamp: str) -> list[SettingChange]:
    """Set ``team``'s hours (None: the shop's) to ``values`` (:data:`HOURS_FIELDS`, checked by
    :func:`hours_check`), one audit row per field changed. ``stamp`` is the row's when the form was
    drawn ("" when it had none): a row saved since raises HoursConflict and nothing is written.
    Opens its own transaction; the caller holds nothing."""
    hours_check(values)
    try:
        return _save(by=by, team=team, values=values, stamp=stamp)
    except IntegrityError:  # two first saves at once: the other made the row
        raise HoursConflict from None


def _save(*, by: StaffUser, team: Team | None, values: Mapping[str, str], stamp: str) -> list[SettingChange]:
    with transaction.atomic():
        row = _locked(team)
        if (row.stamp if row.pk else "") != stamp:
            raise HoursConflict
        changed = [
            (name, getattr(row, name), values[name]) for name in HOURS_FIELDS if getattr(row, name) != values[name]
        ]
        if not changed:
            return []
        for name, _, value in changed:
            setattr(row, name, value)
        if not row.pk:
            changed = [(name, "", value) for name, _, value in changed]
        row.stamp = TeamHours._meta.get_field("stamp").get_default()
        row.save()
        _writing()
        return _audit(by=by, subject=_subject(team), changed=changed)


def hours_calendar_import(*, by: StaffUser, team: Team | None, data: bytes, name: str) -> tuple[int, list[str]]:
    """Keep the all-day events of calendar file ``data`` as ``team``'s closed days (replacing the
    last file's), for this year and the next three. Raises HoursInvalid (nothing written) when the file
    isn't a calendar, and when the team has no hours yet (set them first). How many days it closes,
    and what was skipped with why."""
    year = now().year
    read = calendar_closed_days(data, years=range(year, year + 4))
    with transaction.atomic():
        row = _locked(team)
        if not row.pk:
            raise HoursInvalid("set the weekly hours and time zone first, then import the calendar")
        before = f"{row.calendar_name} ({len(row.calendar_days)} days)" if row.calendar_name else ""
        row.calendar_days = {day.isoformat(): text for day, text in read.closed.items()}
        row.calendar_name = name[:200]
        row.stamp = TeamHours._meta.get_field("stamp").get_default()
        row.save()
        _writing()
        _audit(
            by=by,
            subject=_subject(team),
            changed=[("calendar", before, f"{row.calendar_name} ({len(read.closed)} days)")],
        )
    return len(read.closed), read.skipped


def _locked(team: Team | None) -> TeamHours:
    found = TeamHours.objects.select_for_update().filter(**({"team": team} if team else {"for_shop": True})).first()
    return found or TeamHours(team=team, for_shop=team is None)
