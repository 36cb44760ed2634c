"""Which clock each limit of a journey counts in, said for a person (``journey check --clocks``).

A team's limits (its wait limit and the time it has to accept a handoff) count in the team's
business time unless the state says ``clock: calendar``; every other limit, and the customer's
silence bound, counts calendar time: customers and carriers don't keep our hours. The hours
themselves are set per team in the console, so a description of them is passed in when known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from touchpoint.journeys.checker import silence_bound
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Clock, Journey


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
        for limit, seconds in (("wait_limit", state.wait_limit), ("accept_within", state.accept_within)):
            if seconds is not None:
                found.append(LimitClock(name, limit, seconds, state.limit_clock, state.team))
    return found


def silence_words(journey: Journey) -> str:
    return f"customer silence: at most {format_duration(journey.max_silence)} of calendar time (`max_silence`)"


def silence_caveat(journey: Journey) -> str | None:
    """When the worst silent stretch waits in business time, the bound counts those waits as if every
    hour were open: with opening hours set, the stretch lasts longer on the calendar. Said, not hidden."""
    path = silence_bound(journey).path
    business = [
        s for s in path if journey.states[s].wait_limit is not None and journey.states[s].limit_clock == "business"
    ]
    if not business:
        return None
    names = ", ".join(f"`{s}`" for s in business)
    return (
        f"note: the worst silence counts the business-time waits of {names} as if every hour were open; "
        "with opening hours set, nights, weekends and holidays make that stretch longer on the calendar"
    )


def clocks_lines(journey: Journey, hours: Callable[[str | None], str | None] = lambda team: None) -> list[str]:
    """The journey's limits and silence bound, one line each, saying which clock each counts in."""
    caveat = silence_caveat(journey)
    return [
        silence_words(journey),
        *([caveat] if caveat else []),
        *(limit.words(hours) for limit in limit_clocks(journey)),
    ]
