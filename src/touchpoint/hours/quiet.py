"""Quiet hours: the time of night no text should arrive, in the recipient's own time zone.

``quiet_until(at, zone=…, start=21:00, end=08:00)`` is None when ``at`` is outside the window, else
the moment it ends (the next ``end`` on the recipient's clock, in UTC). Wall-clock times through
:mod:`zoneinfo`, so a DST change at night moves the morning with it; an ``end`` the clocks skip that
day is read on the clock before the jump (02:30 when 02:00 jumps to 03:00 is 03:30). Framework-free."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, *, start: time, end: time) -> bool:
    """Whether a wall-clock time is inside the window (which may wrap midnight, as 21:00–08:00 does)."""
    if start == end:
        return False  # no quiet hours
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_until(at: datetime, *, zone: ZoneInfo, start: time, end: time) -> datetime | None:
    """When the quiet hours around ``at`` (aware) end in ``zone``, in UTC; None when it isn't quiet then."""
    local = at.astimezone(zone)
    if not in_quiet_hours(local.time().replace(tzinfo=None), start=start, end=end):
        return None
    day = local if local.time().replace(tzinfo=None) < end else local + timedelta(days=1)
    return datetime.combine(day.date(), end, tzinfo=zone).astimezone(UTC)
