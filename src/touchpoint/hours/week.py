"""When a team works: its weekly opening hours in its own time zone, and the dates it is closed.

Written as people say it and checked with a reason a person can act on:

    OpeningHours.parse("Mon-Fri 09:00-17:00; Sat 10:00-13:00", zone="Europe/London")

A day may have several intervals (``Mon-Fri 09:00-12:30, 13:30-17:00``); ``24:00`` closes at
midnight; a day not named is closed. Closed dates (public holidays, the shop's own days off) are whole
days in the team's time zone. Framework-free: the journey core and the simulation count with it too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MINUTES_A_DAY = 24 * 60
EXAMPLE = "Mon-Fri 09:00-17:00; Sat 10:00-13:00"

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class HoursInvalid(ValueError):
    """Opening hours that can't be used; ``str()`` says what is wrong and what to write."""


@dataclass(frozen=True)
class OpeningHours:
    """``weekly[d]`` holds day ``d``'s open intervals (Monday is 0) as minutes after local midnight,
    sorted and apart, each ``[open, close)``; ``closed`` the dates with no opening at all."""

    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    closed: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise HoursInvalid("opening hours need the seven days of the week, Monday first")
        if not any(self.weekly):
            raise HoursInvalid(f"these hours never open: give at least one day, e.g. “{EXAMPLE}”")

    @classmethod
    def parse(cls, spec: str, *, zone: str, closed: frozenset[date] | set[date] = frozenset()) -> OpeningHours:
        """Read ``spec`` (days, then intervals; groups apart by ``;``) in time zone ``zone``."""
        return cls(zone=zone_named(zone), weekly=_parse_week(spec), closed=frozenset(closed))

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of local date ``day`` (a closed date has none), in UTC: datetimes that
        share a ``ZoneInfo`` compare and subtract by wall clock, so on the day clocks change only UTC
        gives the time that really passes."""
        if day in self.closed:
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.weekly[day.weekday()]]

    def _at(self, day: date, minutes: int) -> datetime:
        if minutes >= MINUTES_A_DAY:
            day, minutes = day + timedelta(days=1), minutes - MINUTES_A_DAY
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone).astimezone(UTC)

    def describe(self) -> str:
        """The week as a person reads it: ``Mon–Fri 09:00–17:00; Sat 10:00–13:00 (Europe/London)``."""
        groups: list[tuple[list[int], tuple[tuple[int, int], ...]]] = []
        for day, intervals in enumerate(self.weekly):
            if intervals and groups and groups[-1][1] == intervals and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            elif intervals:
                groups.append(([day], intervals))
        parts = []
        for days, intervals in groups:
            named = DAYS[days[0]].title() + (f"–{DAYS[days[-1]].title()}" if len(days) > 1 else "")
            parts.append(named + " " + ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in intervals))
        return "; ".join(parts) + f" ({self.zone.key})"


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursInvalid(
            f"“{name}” is not a time zone: write one by its IANA name, e.g. Europe/London or America/New_York"
        ) from None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_week(spec: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    week: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    groups = [group.strip() for group in spec.split(";") if group.strip()]
    if not groups:
        raise HoursInvalid(f"no opening hours given: write days and times, e.g. “{EXAMPLE}”")
    for group in groups:
        head, _, rest = group.partition(" ")
        days = _days(head, group)
        intervals = [_interval(part.strip(), group) for part in rest.split(",") if part.strip()]
        if not intervals:
            raise HoursInvalid(f"“{group}”: say the times after the days, e.g. “{head} 09:00-17:00”")
        for day in days:
            if week[day]:
                raise HoursInvalid(f"“{group}”: {DAY_NAMES[day]} is given twice: write each day once")
            week[day] = sorted(intervals)
    for day, intervals in enumerate(week):
        for (_, close), (start, _) in pairwise(intervals):
            if start < close:
                overlap = f"{_clock(start)} starts before {_clock(close)} ends"
                raise HoursInvalid(f"{DAY_NAMES[day]}: {overlap}: the times overlap, give each once")
    return tuple(tuple(intervals) for intervals in week)


def _days(text: str, group: str) -> list[int]:
    days: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.partition("-")
        try:
            start = DAYS.index(first.strip()[:3]) if len(first.strip()) >= 3 else -1
            end = DAYS.index(last.strip()[:3]) if last else start
        except ValueError:
            start = end = -1
        if start < 0 or end < 0 or (last and end < start):
            raise HoursInvalid(
                f"“{group}”: “{part}” is not a day or a range of days: write Mon, Tue … Sun, or a range such as Mon-Fri"
            )
        days.extend(range(start, end + 1))
    return days


def _interval(text: str, group: str) -> tuple[int, int]:
    start_text, _, end_text = text.replace("–", "-").partition("-")
    start, end = _minutes(start_text, group), _minutes(end_text, group)
    if end <= start:
        raise HoursInvalid(
            f"“{group}”: {text} closes before it opens: write the opening time first; "
            "for hours past midnight, close at 24:00 and open again the next day"
        )
    return start, end


def _minutes(text: str, group: str) -> int:
    match = _CLOCK.match(text.strip())
    if match is None or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > MINUTES_A_DAY:
        raise HoursInvalid(
            f"“{group}”: “{text.strip()}” is not a time of day: write 24-hour times such as 09:00 or 17:30"
        )
    return int(match[1]) * 60 + int(match[2])
