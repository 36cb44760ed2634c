"""Adding and subtracting business time: a limit of four working hours opened on Friday at 16:00,
with a 09:00–17:00 week, falls due on Monday at 12:00.

Every function takes aware datetimes (any zone) and answers in UTC. Time is counted as it passes:
on the night clocks change an interval from 01:00 to 03:00 holds one or three real hours. Intervals
are ``[open, close)``: a limit that uses up the last minute of a day falls due at the close, not the
next morning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from touchpoint.hours.week import HoursInvalid, OpeningHours

# Opening hours with no open minute for this long after (or before) some moment can't keep a limit.
HORIZON_DAYS = 400


def business_add(start: datetime, duration: timedelta, hours: OpeningHours) -> datetime:
    """The moment ``duration`` of open time after ``start`` (which may fall while closed: the count
    starts at the next opening)."""
    remaining = _positive(duration)
    at = _utc(start)
    for opens, closes in _intervals_after(at, hours):
        opens = max(opens, at)
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: _intervals_after never ends")  # pragma: no cover


def business_subtract(end: datetime, duration: timedelta, hours: OpeningHours) -> datetime:
    """The moment ``duration`` of open time before ``end``: ``business_add``'s inverse for a start
    that falls while open."""
    remaining = _positive(duration)
    at = _utc(end)
    for opens, closes in _intervals_before(at, hours):
        closes = min(closes, at)
        if remaining <= closes - opens:
            return closes - remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: _intervals_before never ends")  # pragma: no cover


def business_between(start: datetime, end: datetime, hours: OpeningHours) -> timedelta:
    """The open time from ``start`` to ``end`` (negative when ``end`` comes first)."""
    a, b = _utc(start), _utc(end)
    if b < a:
        return -business_between(b, a, hours)
    total = timedelta(0)
    for opens, closes in _intervals_after(a, hours):
        if opens >= b:
            break
        total += min(closes, b) - max(opens, a)
    return total


def next_open(at: datetime, hours: OpeningHours) -> datetime:
    """``at`` when open then, else the next opening."""
    moment = _utc(at)
    opens, _ = next(_intervals_after(moment, hours))
    return max(opens, moment)


def is_open(at: datetime, hours: OpeningHours) -> bool:
    moment = _utc(at)
    opens, _ = next(_intervals_after(moment, hours))
    return opens <= moment


def _positive(duration: timedelta) -> timedelta:
    if duration < timedelta(0):
        raise ValueError(f"a duration of business time can't be negative ({duration})")
    return duration


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone: business time needs an aware datetime")
    return moment.astimezone(UTC)


def _intervals_after(at: datetime, hours: OpeningHours) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals that end after ``at``, in order, for as long as the caller asks."""
    day = at.astimezone(hours.zone).date() - timedelta(days=1)  # a day's last interval may end after midnight
    closed_for = 0
    while True:
        found = False
        for opens, closes in hours.intervals_on(day):
            if closes > at:
                found = True
                yield opens, closes
        closed_for = 0 if found else closed_for + 1
        if closed_for > HORIZON_DAYS:
            raise HoursInvalid(f"closed for more than {HORIZON_DAYS} days after {at:%Y-%m-%d}: check the closed dates")
        day += timedelta(days=1)


def _intervals_before(at: datetime, hours: OpeningHours) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals that start before ``at``, latest first, for as long as the caller asks."""
    day = at.astimezone(hours.zone).date() + timedelta(days=1)
    closed_for = 0
    while True:
        found = False
        for opens, closes in reversed(hours.intervals_on(day)):
            if opens < at:
                found = True
                yield opens, closes
        closed_for = 0 if found else closed_for + 1
        if closed_for > HORIZON_DAYS:
            raise HoursInvalid(f"closed for more than {HORIZON_DAYS} days before {at:%Y-%m-%d}: check the closed dates")
        day -= timedelta(days=1)
