"""How long a case should still take, from this shop's own history, told honestly.

The samples are this shop's closed, successful cases of the same journey (by name, across
versions) that passed through the case's current state. Each gives the time from when it first
entered that state to when it was *done*: when it reached the journey's last wait on the customer
before a successful end (the feedback ask, for a repair: the device is home), else when it closed.
Waiting for the customer's feedback is not part of how long a repair takes.

p50 and p90 are nearest-rank percentiles (a time some case really took) over the newest
:data:`MAX_SAMPLES`. With fewer than :data:`MIN_SAMPLES` the history is thin: the estimate falls
back to the journey's own ``sim:`` assumptions along the most likely route to a successful end,
and says it is a rough guess; when no such route can be worked out, it gives no number at all.
The time the case has already spent in its state is taken off both ends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db.models import Max, Min

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.core.clock import now
from touchpoint.journeys import Journey
from touchpoint.journeys.guards import GuardError, fields_of, guard_holds, parse_guard, witness
from touchpoint.journeys.model import Transition
from touchpoint.journeys.simulate import percentile

MIN_SAMPLES = 10
MAX_SAMPLES = 500

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


def done_states(journey: Journey) -> frozenset[str]:
    """States where the work is done but the case is not closed yet: a wait on the customer with a
    way straight to a successful end (the feedback ask)."""
    done = set()
    for transition in journey.transitions:
        target = journey.states.get(transition.to)
        if target is None or target.outcome != "success":
            continue
        for source in transition.from_:
            state = journey.states.get(source)
            if state is not None and state.owner == "customer" and not state.terminal:
                done.add(source)
    return frozenset(done)


def history_samples(*, journey_name: str, state: str, done: frozenset[str]) -> list[float]:
    """Seconds from first entering ``state`` to done, for the newest closed successful cases (two queries)."""
    entered = list(
        TimelineEntry.objects.filter(
            to_state=state, case__journey__name=journey_name, case__outcome="success", case__closed_at__isnull=False
        )
        .values("case_id")
        .annotate(entered=Min("at"), closed=Max("case__closed_at"))
        .order_by("-closed", "-case_id")[:MAX_SAMPLES]
    )
    if not entered:
        return []
    finished: dict[int, datetime] = {}
    if done:
        finished = dict(
            TimelineEntry.objects.filter(case_id__in=[row["case_id"] for row in entered], to_state__in=done)
            .values("case_id")
            .annotate(done=Min("at"))
            .values_list("case_id", "done")
        )
    samples = []
    for row in entered:
        end = finished.get(row["case_id"], row["closed"])
        if end < row["entered"]:  # done before it came back here (a complaint reopened it): it ended at closing
            end = row["closed"]
        samples.append(max((end - row["entered"]).total_seconds(), 0.0))
    return samples


def _may_take(transition: Transition, known: Mapping[str, Any]) -> bool:
    """A guard over what the case already knows is evaluated. One over a value the move itself asks
    for (a quote total, a rating) is decided only when the move happens, and one over data the case
    doesn't hold yet is left to the weights, as the simulator does."""
    guard = transition.guard
    if guard is None:
        return True
    try:
        fields = fields_of(parse_guard(guard))
    except GuardError:
        return False
    if fields & set(transition.asks) or not fields <= known.keys():
        return True
    return guard_holds(guard, known)


def _after(transition: Transition, known: dict[str, Any]) -> None:
    """What the case knows once ``transition`` is taken: its ``sets``, and for the values it asks
    for, ones its guard implies (so the twins further on agree with the branch taken); an asked
    value the guard says nothing about is no longer known."""
    implied = witness(transition.guard) or {}
    for name in transition.asks:
        if name in implied:
            known[name] = implied[name]
        else:
            known.pop(name, None)
    known.update(transition.sets)


def journey_guess(
    journey: Journey, state: str, done: frozenset[str], data: Mapping[str, Any] | None = None
) -> tuple[float, float] | None:
    """(median, p90) seconds along the most likely route from ``state`` to done, by the journey's
    ``sim:`` assumptions and the guards that ``data`` (the case's) can already decide, with each
    move's ``sets`` applied on the way (``qc_passed`` makes the device repaired); ``None`` when the
    route loops, stalls or ends badly. Summing the p90s overstates the route's p90, which suits a
    rough guess."""
    known = dict(data or {})
    here, median, p90, seen = state, 0.0, 0.0, set()
    while here not in done and not journey.states[here].terminal:
        if here in seen:
            return None
        seen.add(here)
        exits = [
            t
            for t in journey.transitions
            if here in t.from_ and t.sim is not None and t.sim.weight > 0 and _may_take(t, known)
        ]
        if not exits:
            return None
        chosen = max(exits, key=lambda t: t.sim.weight if t.sim else 0.0)  # the first of equals, in file order
        sim = chosen.sim
        assert sim is not None
        if sim.after is not None:
            median, p90 = median + sim.after, p90 + sim.after
        elif sim.median is not None and sim.p90 is not None:
            median, p90 = median + sim.median, p90 + sim.p90
        _after(chosen, known)
        here = chosen.to
    if journey.states[here].terminal and journey.states[here].outcome != "success":
        return None
    return median, p90


def time_in_state(case: Case, at: datetime) -> timedelta:
    """How long the case has been in its current state, counting from the start of this stay
    (a "running late" move back into the same state doesn't restart it)."""
    since = case.state_entered_at
    recent = (
        TimelineEntry.objects.filter(case=case, kind__in=[TimelineKind.OPENED, TimelineKind.TRANSITION])
        .order_by("-seq")
        .values_list("to_state", "at")[:20]
    )
    for to_state, entered in recent:
        if to_state != case.state:
            break
        since = entered
    return max(at - since, timedelta(0))


def case_eta(*, case: Case) -> Eta | None:
    """The case's remaining time, or ``None`` when there is nothing left to estimate (the case has
    ended, or the work is done and only the customer's feedback is awaited)."""
    journey = journey_of(case.journey)
    done = done_states(journey)
    if not case.is_open or case.state in done or journey.states[case.state].terminal:
        return None
    samples = history_samples(journey_name=journey.name, state=case.state, done=done)
    spent = time_in_state(case, now())
    if len(samples) >= MIN_SAMPLES:
        p50, p90 = percentile(samples, 50), percentile(samples, 90)
        assert p50 is not None and p90 is not None
        return _eta("history", len(samples), p50, p90, spent)
    guess = journey_guess(journey, case.state, done, case.data)
    if guess is None:
        return Eta("none", len(samples), None, None, None, None)
    return _eta("journey", len(samples), guess[0], guess[1], spent)


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
