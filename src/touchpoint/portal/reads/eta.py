"""How long the customer's case should still take, told honestly: the figure the worker stored for
the case's journey version and state (one row, however old the shop is: ``cases.eta``), less the
time the case has already spent in its state. With thin history the journey's own ``sim:``
assumptions along the most likely route give a rough guess, labelled as one; when no such route can
be worked out, no number at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from touchpoint.cases.eta import MIN_SAMPLES, done_states, eta_figure, journey_guess
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.portal.reads.customer_timeline import Move, case_moves

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

    @property
    def thin(self) -> bool:
        return self.basis != "history"

    @property
    def overdue(self) -> bool:
        return self.high is not None and self.high <= timedelta(0)


def time_in_state(case: Case, moves: list[Move], at: datetime) -> timedelta:
    """How long the case has been in its current state, counting from the start of this stay
    (a "running late" move back into the same state doesn't restart it)."""
    since = case.state_entered_at
    for to_state, entered in ((state, when) for when, state in reversed(moves)):
        if to_state != case.state:
            break
        since = entered
    return max(at - since, timedelta(0))


def case_eta(*, case: Case, moves: list[Move] | None = None) -> Eta | None:
    """The case's remaining time, or ``None`` when there is nothing left to estimate (the case has
    ended, or the work is done and only the customer's feedback is awaited). One query for the
    figure, and one for the case's moves unless the page has read them (``moves``)."""
    journey = journey_of(case.journey)
    done = done_states(journey)
    if not case.is_open or case.state in done or journey.states[case.state].terminal:
        return None
    figure = eta_figure(journey_id=case.journey_id, state=case.state)
    spent = time_in_state(case, case_moves(case=case) if moves is None else moves, now())
    if figure is not None and figure.samples >= MIN_SAMPLES:
        return _eta("history", figure.samples, figure.p50_seconds, figure.p90_seconds, spent)
    samples = figure.samples if figure is not None else 0
    guess = journey_guess(journey, case.state, done, case.data)
    if guess is None:
        return Eta("none", samples, None, None, None, None)
    return _eta("journey", samples, guess[0], guess[1], spent)


def _eta(basis: Basis, samples: int, p50: float, p90: float, spent: timedelta) -> Eta:
    whole50, whole90 = timedelta(seconds=p50), timedelta(seconds=p90)
    return Eta(basis, samples, whole50, whole90, max(whole50 - spent, timedelta(0)), max(whole90 - spent, timedelta(0)))


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
    return (
        f"{span} Of our last {eta.samples} cases at this step, 9 in 10 were done "
        f"within {spoken(eta.p90 or eta.high)} of reaching it."
    )
