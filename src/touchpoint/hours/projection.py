"""Where a stretch of mixed time lands: some of it a team's open time (work done only while the team
is open), the rest calendar time (a parcel in the post, a customer deciding), from a given moment.

The ETA figures keep the two parts of a past case's time apart (``cases.eta``); the customer's page
lands them from now with this. The order the two parts come in is not kept (a figure is one number
per part, so the page reads one row), and it matters: three open hours then two days in the post
from a Friday afternoon lands on Tuesday, the post first lands on Monday. :func:`land` takes the
later of the two orders, so the day said is never earlier than either could make it (an estimate
kept early rather than late). Framework-free, like the rest of ``touchpoint.hours``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from touchpoint.hours.clock import business_add
from touchpoint.hours.week import OpeningHours


def land(start: datetime, *, business: timedelta, calendar: timedelta, hours: OpeningHours | None) -> datetime:
    """The moment ``business`` of open time of ``hours`` and ``calendar`` time after ``start`` have
    both passed, in the later of the two orders (UTC). With no hours (none set) every hour is open:
    ``start + business + calendar``."""
    if business < timedelta(0) or calendar < timedelta(0):
        raise ValueError(f"a stretch of time can't be negative ({business}, {calendar})")
    origin = start.astimezone(UTC)
    if hours is None or business == timedelta(0):
        return origin + business + calendar
    work_first = business_add(origin, business, hours) + calendar
    post_first = business_add(origin + calendar, business, hours)
    return max(work_first, post_first)
