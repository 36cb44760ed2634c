"""How long each step of a journey takes, from this shop's own history: the figures the worker keeps.

The samples are this shop's closed, successful cases of the same journey (by name, across
versions) that passed through a state. Each gives the time from when it first entered that state to
when it was *done*: when it reached the journey's last wait on the customer before a successful end
(the feedback ask, for a repair: the device is home), else when it closed. Waiting for the
customer's feedback is not part of how long a repair takes.

p50 and p90 are nearest-rank percentiles (a time some case really took) over the newest
:data:`MAX_SAMPLES` per state, among the newest :data:`WINDOW` closed cases of the journey, so
working them out costs the same however old the shop is. They are worked out by the worker
(:func:`eta_figures_work`, a job in ``worker/jobs.py``) whenever a case of the journey finishes
(:func:`eta_figures_mark_stale`, written in the closing transaction) or a version of it is
registered, and stored one row per journey version and state (:class:`EtaFigure`): the customer's
page reads one row. With fewer than :data:`MIN_SAMPLES` the history is thin: the page falls back to
the journey's own ``sim:`` assumptions along the most likely route to a successful end
(:func:`journey_guess`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Min

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, EtaFigure, EtaStale, JourneyVersion, TimelineEntry, TimelineKind
from touchpoint.core.clock import now
from touchpoint.journeys import Journey
from touchpoint.journeys.guards import GuardError, fields_of, guard_holds, parse_guard, witness
from touchpoint.journeys.model import Transition
from touchpoint.journeys.simulate import percentile

MIN_SAMPLES = 10
MAX_SAMPLES = 500
WINDOW = 2000  # the newest closed successful cases a recompute reads (a rare state's samples come from these)
DELETE_CHUNK = 500  # stale marks deleted per statement (SQLite caps a statement's parameters)


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


def samples_by_state(
    closed: Iterable[tuple[int, datetime]], entered: Mapping[int, Mapping[str, datetime]], done: frozenset[str]
) -> dict[str, list[float]]:
    """Seconds from first entering each state to done, per state, at most :data:`MAX_SAMPLES` each.

    ``closed`` is (case id, closed at), newest first; ``entered`` maps a case id to when it first
    entered each state it reached."""
    samples: dict[str, list[float]] = {}
    for case_id, closed_at in closed:
        reached = entered.get(case_id, {})
        finished = min((reached[state] for state in done if state in reached), default=None)
        for state, first in reached.items():
            per = samples.setdefault(state, [])
            if len(per) >= MAX_SAMPLES:
                continue
            # done before it came back here (a complaint reopened it): it ended at closing
            end = finished if finished is not None and finished >= first else closed_at
            per.append(max((end - first).total_seconds(), 0.0))
    return samples


def eta_figures_compute(*, journey_name: str) -> int:
    """Work out and store the figures of every version of ``journey_name`` from its newest closed
    successful cases (three queries and one transaction for the write, whatever the history's size);
    returns how many figures were stored. Needs no transaction; opens its own for the write, so a
    page reads the old figures or the new ones, never a mix."""
    versions = list(JourneyVersion.objects.filter(name=journey_name).defer("source"))
    # A closed case's state_entered_at is when it closed (the move that ended it), so the
    # (outcome, state_entered_at) index yields the newest closings without reading the rest.
    newest = (
        Case.objects.filter(journey__in=versions, outcome="success", closed_at__isnull=False)
        .order_by("-state_entered_at", "-pk")
        .values_list("pk", "closed_at")[:WINDOW]
    )
    closed = [(pk, closed_at) for pk, closed_at in newest if closed_at is not None]
    entered: dict[int, dict[str, datetime]] = {}
    rows = (
        TimelineEntry.objects.filter(case_id__in=[pk for pk, _ in closed], kind__in=_MOVES)
        .values_list("case_id", "to_state")
        .annotate(first=Min("at"))
        .order_by()
    )
    for case_id, state, first in rows:
        entered.setdefault(case_id, {})[state] = first
    at = now()
    figures = []
    for version in versions:
        journey = journey_of(version)
        done = done_states(journey)
        for state, samples in samples_by_state(closed, entered, done).items():
            here = journey.states.get(state)
            if here is None or here.terminal or state in done or not samples:
                continue  # nothing is left to estimate there
            p50, p90 = percentile(samples, 50), percentile(samples, 90)
            assert p50 is not None and p90 is not None
            figure = EtaFigure(journey=version, state=state, samples=len(samples), computed_at=at)
            figure.p50_seconds, figure.p90_seconds = p50, p90
            figures.append(figure)
    with transaction.atomic():
        # Two workers working the same journey out take turns here (PostgreSQL): FOR NO KEY UPDATE,
        # so cases can still be opened on these versions meanwhile.
        locked = JourneyVersion.objects.filter(pk__in=[v.pk for v in versions]).select_for_update(no_key=True)
        list(locked.values_list("pk", flat=True))
        EtaFigure.objects.filter(journey__in=versions).delete()
        EtaFigure.objects.bulk_create(figures)
    return len(figures)


_MOVES = [TimelineKind.OPENED, TimelineKind.TRANSITION]


def eta_figures_mark_stale(*, journey_name: str, at: datetime) -> None:
    """Ask the worker to work out ``journey_name``'s figures again. Called inside the transaction
    that finished a case of it, so the mark commits with the closing (an insert: closings never wait
    on each other for it)."""
    EtaStale.objects.create(journey_name=journey_name, marked_at=at)


def eta_figures_work(*, worker_id: str, batch: int, lease_seconds: float) -> int:
    """The worker's job: work out again up to ``batch`` journeys marked stale, the longest waiting
    first. Returns how many journeys were worked out. Two workers may work out the same journey at
    once on PostgreSQL; they take turns to store it, and each stores what it read."""
    names = list(
        EtaStale.objects.values("journey_name")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("journey_name", flat=True)[:batch]
    )
    for name in names:
        _recompute(name)
    return len(names)


def eta_figures_refresh_all() -> dict[str, int]:
    """Work every journey's figures out now (``touchpoint eta --refresh``): figures stored per name."""
    return {name: _recompute(name) for name in sorted(set(JourneyVersion.objects.values_list("name", flat=True)))}


def _recompute(name: str) -> int:
    """Work ``name``'s figures out and delete the marks read *before* doing so: a case that finishes
    meanwhile leaves a mark for the next pass, so none is missed."""
    marks = list(EtaStale.objects.filter(journey_name=name).values_list("pk", flat=True))
    stored = eta_figures_compute(journey_name=name)
    for start in range(0, len(marks), DELETE_CHUNK):
        EtaStale.objects.filter(pk__in=marks[start : start + DELETE_CHUNK]).delete()
    return stored


def eta_figure(*, journey_id: int, state: str) -> EtaFigure | None:
    """The stored figure for a case's journey version and state (one query), or ``None``."""
    return EtaFigure.objects.filter(journey_id=journey_id, state=state).first()


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
