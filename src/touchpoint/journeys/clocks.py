"""Which clock each limit of a journey counts in, said for a person (``journey check --clocks``).

A team's limits (its wait limit and the time it has to accept a handoff) count in the team's
business time unless the state says ``clock: calendar``; every other limit, and the customer's
silence bound, counts calendar time: customers and carriers don't keep our hours. The hours
themselves are set per team in the console, so a description of them is passed in when known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from touchpoint.hours import OpeningHours, business_add
from touchpoint.journeys.checker import ShopHours, guard_after, silence_on_calendar
from touchpoint.journeys.checker.silence_hours import GUARD_TOUCHPOINT
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Clock, Journey

REFERENCE_MONDAY = date(2026, 1, 12)  # a fortnight without clock changes


@dataclass(frozen=True)
class LimitClock:
    state: str
    limit: str  # "wait_limit" or "accept_within"
    seconds: int
    clock: Clock
    hours_of: str | None  # the team whose hours a business limit counts; None: the shop's

    def words(self, hours: Callable[[str | None], str | None]) -> str:
        what = "waits" if self.limit == "wait_limit" else "must be accepted within"
        amount = format_duration(self.seconds)
        if self.clock == "calendar":
            return f"`{self.state}` {what} {amount} of calendar time"
        whose = f"team:{self.hours_of}" if self.hours_of else "the shop"
        described = hours(self.hours_of) or "as set in the console's Opening hours; every hour while none are set"
        return f"`{self.state}` {what} {amount} of business time of {whose} ({described})"


def limit_clocks(journey: Journey) -> list[LimitClock]:
    """Every limit of ``journey``, in the order its states are written, with the clock it counts in."""
    found: list[LimitClock] = []
    for name, state in journey.states.items():
        for limit, seconds, clock in (
            ("wait_limit", state.wait_limit, state.wait_clock_used),
            ("accept_within", state.accept_within, state.limit_clock),
        ):
            if seconds is not None:
                found.append(LimitClock(name, limit, seconds, clock, state.team))
    return found


def silence_words(journey: Journey) -> str:
    return f"customer silence: at most {format_duration(journey.max_silence)} of calendar time (`max_silence`)"


def silence_caveat(journey: Journey) -> str | None:
    """When some wait counts business time, the plain silence bound counts it as if every hour were
    open: with opening hours set, a stretch through it lasts longer on the calendar. Said, not hidden
    (with the hours known, the next line says what they make of it)."""
    business = [n for n, s in journey.states.items() if s.wait_limit is not None and s.wait_clock_used == "business"]
    if not business:
        return None
    return (
        f"note: the worst silence counts the business-time waits ({len(business)} states) as if every hour "
        "were open; with opening hours set, nights, weekends and holidays make a stretch through them longer"
    )


def longest_span(seconds: int, hours: OpeningHours) -> int:
    """The longest ``seconds`` of open time can take on the calendar with ``hours`` (closed dates
    aside): starting at a closing time, when the whole closed stretch comes first. Every closing of a
    reference fortnight is tried."""
    duration = timedelta(seconds=seconds)
    closes = [
        close for offset in range(14) for _, close in hours.intervals_on(REFERENCE_MONDAY + timedelta(days=offset))
    ]
    return max(int((business_add(close, duration, hours) - close).total_seconds()) for close in closes)


def silence_with_hours(journey: Journey, hours: ShopHours) -> str:
    """The worst silence on the calendar ``hours`` make (every start over their window, closed days
    included: :func:`~touchpoint.journeys.checker.silence_on_calendar`), said for a person."""
    found = silence_on_calendar(journey, hours)
    allowed = format_duration(journey.max_silence)
    if found.worst_seconds is None:
        return f"with {hours.source} the worst silence has no bound ({allowed} allowed)"
    worst = format_duration(found.worst_seconds)
    verdict = "over" if found.worst_seconds > journey.max_silence else "within"
    stretch = " → ".join(f"`{s}`" for s in found.path)
    when = f", starting {found.starts_words()}" if found.starts is not None else ""
    rough = "" if found.exact else " (each business wait at its longest: too many routes to follow)"
    line = f"with {hours.source} the worst silence is {worst}, {verdict} {allowed}: {stretch}{when}{rough}"
    if verdict == "over" and GUARD_TOUCHPOINT in journey.touchpoints:
        line += f"; the silence guard sends `{GUARD_TOUCHPOINT}` after {format_duration(guard_after(journey))}"
    return line


def clocks_lines(
    journey: Journey,
    hours: Callable[[str | None], str | None] = lambda team: None,
    *,
    opening: ShopHours | None = None,
) -> list[str]:
    """The journey's limits and silence bound, one line each, saying which clock each counts in;
    with ``opening`` (the teams' hours), the silence those hours make on the calendar."""
    caveat = silence_caveat(journey)
    return [
        silence_words(journey),
        *([caveat] if caveat else []),
        *([silence_with_hours(journey, opening)] if opening is not None and caveat else []),
        *(limit.words(hours) for limit in limit_clocks(journey)),
    ]
