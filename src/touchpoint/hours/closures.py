"""The days a team is closed, from where shops keep them: a country's public holidays (the
``holidays`` package) and the shop's own calendar (an iCalendar file, read with ``icalendar``).

Closed days are whole days in the team's time zone. A calendar's all-day events close their days
(a multi-day event each of its days; a yearly one, each year asked for); an event with a time of day
closes nothing and is listed as skipped with why, since a closed hour is part of the weekly hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from dateutil.rrule import rrulestr
from icalendar import Calendar

from touchpoint.hours.week import HoursInvalid

MAX_DAYS_PER_EVENT = 366  # a longer "closure" is a mistake in the file, not a holiday


@dataclass(frozen=True)
class CalendarDays:
    """What a calendar file closes (date → the event's name) and what it could not use, with why."""

    closed: dict[date, str]
    skipped: list[str]


def public_holidays(country: str, years: Iterable[int], *, region: str = "") -> dict[date, str]:
    """The public holidays of ``country`` (ISO 3166 two letters, e.g. ``GB``) and, when given, its
    ``region`` (e.g. ``SCT`` for Scotland), in ``years``: date → name."""
    try:
        found = holidays.country_holidays(country.strip().upper(), subdiv=region.strip().upper() or None, years=years)
    except NotImplementedError:
        where = f"{country}/{region}" if region else country
        raise HoursInvalid(
            f"no public holidays are known for “{where}”: write the country's two-letter code (GB, IE, DE, US …)"
            + (" and a region it has (e.g. GB: ENG, NIR, SCT, WLS)" if region else "")
        ) from None
    return {day: str(name) for day, name in sorted(found.items())}


def calendar_closed_days(data: bytes, *, years: Iterable[int]) -> CalendarDays:
    """The days an iCalendar file's all-day events close, within ``years`` (for repeating events)."""
    wanted = sorted(set(years))
    if not wanted:
        raise ValueError("say which years to read the calendar for")
    first, last = date(wanted[0], 1, 1), date(wanted[-1], 12, 31)
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise HoursInvalid(
            f"this is not an iCalendar file ({exc}): export the calendar as .ics (every calendar app can)"
        ) from None
    closed: dict[date, str] = {}
    skipped: list[str] = []
    for event in calendar.walk("VEVENT"):
        name = str(event.get("SUMMARY") or "Closed").strip()
        start = event.decoded("DTSTART", None)
        if not isinstance(start, date) or isinstance(start, datetime):
            skipped.append(f"“{name}”: has a time of day, so it closes no whole day (set the hours for that)")
            continue
        end = event.decoded("DTEND", None)
        length = (end - start).days if isinstance(end, date) and not isinstance(end, datetime) else 1
        if not 1 <= length <= MAX_DAYS_PER_EVENT:
            skipped.append(f"“{name}”: lasts {length} days; a closure is 1 to {MAX_DAYS_PER_EVENT} days")
            continue
        for begins in _occurrences(event, start, first, last, name, skipped):
            for offset in range(length):
                day = begins + timedelta(days=offset)
                if first <= day <= last:
                    closed.setdefault(day, name)
    return CalendarDays(dict(sorted(closed.items())), skipped)


def _occurrences(event: object, start: date, first: date, last: date, name: str, skipped: list[str]) -> list[date]:
    rule = getattr(event, "get", lambda _: None)("RRULE")
    if rule is None:
        return [start]
    try:
        recurrence = rrulestr(rule.to_ical().decode(), dtstart=datetime.combine(start, datetime.min.time()))
    except (ValueError, TypeError) as exc:
        skipped.append(f"“{name}”: its repeat rule can't be read ({exc})")
        return [start]
    window_start = datetime.combine(first - timedelta(days=MAX_DAYS_PER_EVENT), datetime.min.time())
    return [
        moment.date()
        for moment in recurrence.between(window_start, datetime.combine(last, datetime.max.time()), inc=True)
    ]
