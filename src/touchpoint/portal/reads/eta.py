"""How long the customer's case should still take, told honestly: the figure the worker stored for
the case's journey version and state (one row, however old the shop is: ``cases.eta``), less the
time the case has already spent in its state. With thin history the journey's own ``sim:``
assumptions along the most likely route give a rough guess, labelled as one; when no such route can
be worked out, no number at all.

A figure's time is split into the team's open time and calendar time (``cases.eta``: work happens
while the team is open), so the range is landed from now through the team's opening hours
(``touchpoint.hours.projection.land``): three working hours asked on Friday at 16:00 with a
09:00–17:00 week are done on Monday, and the page says so, with the days, rather than "3 hours"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from touchpoint.cases.eta import MIN_SAMPLES, done_states, eta_figure, journey_guess_parts
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, EtaFigure
from touchpoint.core.clock import now
from touchpoint.core.promises import day_words
from touchpoint.hours import HoursInvalid, OpeningHours, business_between
from touchpoint.hours.projection import land
from touchpoint.journeys.model import State
from touchpoint.portal.reads.customer_timeline import Move, case_moves
from touchpoint.shop.opening_hours import team_clock

Basis = Literal["history", "journey", "none"]


@dataclass(frozen=True)
class Eta:
    """What remains, from now. ``low``/``high`` are p50/p90 less the time already spent in the state
    (never below zero); ``None`` when there is no number to give."""

    basis: Basis
    samples: int  # how many past cases the numbers come from (0 for the journey's assumptions)
    p50: timedelta | None  # of the whole time from entering the state, before taking off the time spent
    p90: timedelta | None
    low: timedelta | None
    high: timedelta | None
    # When the range is landed through a team's opening hours: the moments it lands on (else None,
    # and the page says durations only, as every hour counts the same).
    low_at: datetime | None = None
    high_at: datetime | None = None

    @property
    def thin(self) -> bool:
        return self.basis != "history"

    @property
    def overdue(self) -> bool:
        return self.high is not None and self.high <= timedelta(0)


def stay_started(case: Case, moves: list[Move]) -> datetime:
    """When this stay in the case's current state began (a "running late" move back into the same
    state doesn't restart it)."""
    since = case.state_entered_at
    for to_state, entered in ((state, when) for when, state in reversed(moves)):
        if to_state != case.state:
            break
        since = entered
    return since


def time_in_state(case: Case, moves: list[Move], at: datetime) -> timedelta:
    """How long the case has been in its current state, counting from the start of this stay."""
    return max(at - stay_started(case, moves), timedelta(0))


def case_eta(*, case: Case, moves: list[Move] | None = None) -> Eta | None:
    """The case's remaining time, or ``None`` when there is nothing left to estimate (the case has
    ended, or the work is done and only the customer's feedback is awaited). One query for the
    figure, and one for the case's moves unless the page has read them (``moves``)."""
    journey = journey_of(case.journey)
    done = done_states(journey)
    if not case.is_open or case.state in done or journey.states[case.state].terminal:
        return None
    figure = eta_figure(journey_id=case.journey_id, state=case.state)
    moves = case_moves(case=case) if moves is None else moves
    spent = time_in_state(case, moves, now())
    if figure is not None and figure.samples >= MIN_SAMPLES:
        if figure.p90_business_seconds > 0 and (hours := team_clock(figure.hours_of or None)) is not None:
            landed = _landed_or_none(figure, hours, journey.states[case.state], stay_started(case, moves))
            if landed is not None:
                return landed
        return _eta("history", figure.samples, figure.p50_seconds, figure.p90_seconds, spent)
    samples = figure.samples if figure is not None else 0
    guess = journey_guess_parts(journey, case.state, done, case.data)
    if guess is None:
        return Eta("none", samples, None, None, None, None)
    if guess.p90_business > 0 and (hours := team_clock(guess.hours_of or None)) is not None:
        # The rough guess counts the same clocks as the figures: a team's steps in its open hours
        assumed = EtaFigure(
            samples=samples,
            p50_seconds=guess.median,
            p90_seconds=guess.p90,
            p50_business_seconds=guess.median_business,
            p90_business_seconds=guess.p90_business,
        )
        landed = _landed_or_none(assumed, hours, journey.states[case.state], stay_started(case, moves))
        if landed is not None:  # a guess names no days: the durations to the days it lands on
            return replace(landed, basis="journey", low_at=None, high_at=None)
    return _eta("journey", samples, guess.median, guess.p90, spent)


def _eta(basis: Basis, samples: int, p50: float, p90: float, spent: timedelta) -> Eta:
    whole50, whole90 = timedelta(seconds=p50), timedelta(seconds=p90)
    return Eta(basis, samples, whole50, whole90, max(whole50 - spent, timedelta(0)), max(whole90 - spent, timedelta(0)))


def _landed_or_none(figure: EtaFigure, hours: OpeningHours, state: State, since: datetime) -> Eta | None:
    """:func:`_landed`, or None when the hours are closed for over a year from now: no day to land
    on, so the page says the durations instead."""
    try:
        return _landed(figure, hours, state, since)
    except HoursInvalid:
        return None


def _landed(figure: EtaFigure, hours: OpeningHours, state: State, since: datetime) -> Eta:
    """The figure's two parts, less the time already spent here, landed from now through ``hours``.
    Time spent in a state on the business clock is counted in its team's open time and taken off
    the open part first; any other stay's, in calendar time off the calendar part first."""
    at = now()
    business_state = state.limit_clock == "business"
    stay_hours = team_clock(state.team) if business_state else None
    spent = max(at - since, timedelta(0)) if stay_hours is None else business_between(since, at, stay_hours)

    def left(total: float, business: float) -> tuple[timedelta, timedelta]:
        open_part = timedelta(seconds=business)
        calendar_part = timedelta(seconds=total - business)
        if business_state:
            taken = min(spent, open_part)
            return open_part - taken, max(calendar_part - (spent - taken), timedelta(0))
        taken = min(spent, calendar_part)
        return max(open_part - (spent - taken), timedelta(0)), calendar_part - taken

    low_open, low_calendar = left(figure.p50_seconds, figure.p50_business_seconds)
    high_open, high_calendar = left(figure.p90_seconds, figure.p90_business_seconds)
    overdue = spent >= timedelta(seconds=figure.p90_seconds)
    low_at = land(at, business=low_open, calendar=low_calendar, hours=hours)
    high_at = max(low_at, land(at, business=high_open, calendar=high_calendar, hours=hours))
    low, high = (timedelta(0), timedelta(0)) if overdue else (low_at - at, high_at - at)
    return Eta(
        "history",
        figure.samples,
        timedelta(seconds=figure.p50_seconds),
        timedelta(seconds=figure.p90_seconds),
        low,
        high,
        None if overdue else low_at,
        None if overdue else high_at,
    )


def spoken(duration: timedelta) -> str:
    """A duration as a person says it, never more precise than the data: hours under a day and a
    half, else whole days (rounded up: a promise is better kept early than late)."""
    hours = duration.total_seconds() / 3600
    if hours < 1:
        return "less than an hour"
    if hours < 36:
        whole = max(1, round(hours))
        return "1 hour" if whole == 1 else f"{whole} hours"
    days = int(-(-hours // 24))
    return f"{days} days"


def eta_sentence(eta: Eta) -> str:
    """The customer's sentence for an estimate, labelled honestly when history is thin."""
    if eta.basis == "none" or eta.low is None or eta.high is None:
        return (
            "We've only done a few of these so far, so we can't honestly give you a time yet. "
            "We'll tell you at every step."
        )
    if eta.overdue:
        return "This step is taking longer than it usually does. We'll tell you as soon as it moves."
    low, high = spoken(eta.low), spoken(eta.high)
    if eta.low <= timedelta(0):
        span = f"Any time now, and usually within {high}."
    elif low == high:
        span = f"Usually about {high} more."
    elif low.split()[-1] == high.split()[-1] and low[0].isdigit():  # same unit: "3 to 5 more days"
        span = f"Usually {low.split()[0]} to {high.split()[0]} more {high.split()[-1]}."
    else:
        span = f"Usually {low} to {high} more."
    if eta.basis == "journey":
        return f"We've only done a few of these, so this is a rough guess. {span}"
    if eta.low_at is not None and eta.high_at is not None:
        span = f"{span[:-1]}, counting our opening hours: {_days(eta.low_at, eta.high_at)}."
    closed = ", not counting the hours we're closed" if eta.low_at is not None else ""
    return (
        f"{span} Of our last {eta.samples} cases at this step, 9 in 10 were done "
        f"within {spoken(eta.p90 or eta.high)} of reaching it{closed}."
    )


def _days(low_at: datetime, high_at: datetime) -> str:
    """``done on Monday 14 December``, or ``done between Monday 14 December and Tuesday 15
    December`` (``today``/``tomorrow`` as such), in the shop's days."""
    first, last = day_words(low_at), day_words(high_at)
    if first == last:
        return f"done {first}"
    return f"done between {first.removeprefix('on ')} and {last.removeprefix('on ')}"
