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
(:func:`journey_guess`).

**Business time.** A team's work happens while the team is open: a repair that spent three working
hours in surgery over a weekend took three hours of work, not 65. So each sample is measured the
way its time was spent (:class:`Sample`): a stay in a state on a team's business clock
(``clock: business``, the default for a team's state) counts only that team's open time, by its
opening hours (``shop.opening_hours.team_clock``, today's hours), and every other stay (the post,
the customer) counts calendar time. The samples are ranked by the two together, and a percentile
keeps the split of the case that took it; the page lands the two parts from now through the team's
hours (``touchpoint.hours.projection``). The other way, calendar samples projected through the
hours, would count a past case's weekend twice (once in the sample, again in the projection) and
mix Friday-opened cases' weekends into Monday-opened ones' estimates; measuring what was open time
gives the honest date. With no hours set for a team its stays stay calendar time, as before."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Min

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, EtaFigure, EtaStale, JourneyVersion, TimelineEntry, TimelineKind
from touchpoint.core.clock import now
from touchpoint.hours import HoursInvalid, OpeningHours, business_between
from touchpoint.journeys import Journey
from touchpoint.journeys.guards import GuardError, fields_of, guard_holds, parse_guard, witness
from touchpoint.journeys.model import Transition
from touchpoint.shop.opening_hours import team_clock

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


@dataclass(frozen=True)
class Sample:
    """One past case's time from first entering a state to done: ``business`` seconds of it were
    spent in states on a team's business clock and count only while that team was open (``teams``:
    those open seconds per team, ``""`` for the shop's hours), ``calendar`` seconds everywhere else."""

    business: float
    calendar: float
    teams: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """The time it took with the team's closed hours left out: what the samples are ranked by."""
        return self.business + self.calendar


# (start, end, hours key) -> open seconds, or None when that team (or the shop) has no hours set;
# a team's key is its slug, the shop's "".
OpenSeconds = Callable[[datetime, datetime, str], float | None]


def calendar_seconds(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0)


def no_hours(start: datetime, end: datetime, key: str) -> float | None:
    """No team keeps hours: every stay is calendar time."""
    return None


def business_keys(journey: Journey) -> dict[str, str]:
    """The states of ``journey`` on the business clock, each with whose hours it counts in (the
    owning team's slug; ``""``, the shop's, for a state no team owns)."""
    return {
        name: state.team or ""
        for name, state in journey.states.items()
        if not state.terminal and state.limit_clock == "business"
    }


def samples_by_state(
    closed: Iterable[tuple[int, datetime]],
    moves: Mapping[int, Sequence[tuple[datetime, str]]],
    done: frozenset[str],
    business: Mapping[str, str] | None = None,
    open_seconds: OpenSeconds = no_hours,
) -> dict[str, list[Sample]]:
    """Each state's samples: the time from first entering it to done, at most :data:`MAX_SAMPLES`
    each, split into open time (the stays in ``business`` states, measured by ``open_seconds``) and
    calendar time (every other stay, and a business state's stay while its team has no hours set:
    then every hour is open, and the page needs no hours to land it).

    ``closed`` is (case id, closed at), newest first; ``moves`` maps a case id to its moves in
    order, (when, the state entered)."""
    keys = business or {}
    samples: dict[str, list[Sample]] = {}
    for case_id, closed_at in closed:
        path = list(moves.get(case_id, ()))
        if not path:
            continue
        # Running totals at each move: the stays before it, each in its own clock.
        ends = [when for when, _ in path[1:]] + [max(closed_at, path[-1][0])]
        running = [Sample(0.0, 0.0)]
        for (start, state), end in zip(path, ends, strict=True):
            last = running[-1]
            key = keys.get(state)
            spent = None if key is None else open_seconds(start, end, key)
            if key is None or spent is None:
                running.append(Sample(last.business, last.calendar + calendar_seconds(start, end), last.teams))
            else:
                teams = dict(last.teams)
                teams[key] = teams.get(key, 0.0) + spent
                running.append(Sample(last.business + spent, last.calendar, teams))
        first: dict[str, int] = {}
        for index, (_, state) in enumerate(path):
            first.setdefault(state, index)
        finished = min((first[state] for state in done if state in first), default=None)
        for state, index in first.items():
            per = samples.setdefault(state, [])
            if len(per) >= MAX_SAMPLES:
                continue
            # done before it came back here (a complaint reopened it): it ended at closing
            reopened = finished is None or path[finished][0] < path[index][0]
            stop = len(path) if reopened else max(finished or 0, index)
            per.append(_between(running[index], running[stop]))
    return samples


def _between(start: Sample, end: Sample) -> Sample:
    teams = {key: end.teams[key] - start.teams.get(key, 0.0) for key in end.teams}
    return Sample(end.business - start.business, end.calendar - start.calendar, teams)


def nearest_rank(samples: Sequence[Sample], p: float) -> Sample:
    """The sample at the nearest-rank ``p``th percentile by :attr:`Sample.total` (a time some case
    really took, with its own split between open and calendar time)."""
    ordered = sorted(samples, key=lambda s: (s.total, s.business))
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def busiest_team(samples: Iterable[Sample]) -> str:
    """Whose hours the open time of a figure counts in: the team the samples spent the most open
    time with (``""``: the shop's)."""
    totals: dict[str, float] = {}
    for sample in samples:
        for key, seconds in sample.teams.items():
            totals[key] = totals.get(key, 0.0) + seconds
    return max(sorted(totals), key=lambda key: totals[key], default="")


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
    moves: dict[int, list[tuple[datetime, str]]] = {}
    rows = (
        TimelineEntry.objects.filter(case_id__in=[pk for pk, _ in closed], kind__in=_MOVES)
        .order_by("case_id", "seq")
        .values_list("case_id", "to_state", "at")
    )
    for case_id, state, moved in rows:
        moves.setdefault(case_id, []).append((moved, state))
    open_seconds = _open_seconds()
    at = now()
    figures = []
    for version in versions:
        journey = journey_of(version)
        done = done_states(journey)
        for state, samples in samples_by_state(closed, moves, done, business_keys(journey), open_seconds).items():
            here = journey.states.get(state)
            if here is None or here.terminal or state in done or not samples:
                continue  # nothing is left to estimate there
            p50, p90 = nearest_rank(samples, 50), nearest_rank(samples, 90)
            figure = EtaFigure(journey=version, state=state, samples=len(samples), computed_at=at)
            figure.p50_seconds, figure.p90_seconds = p50.total, p90.total
            figure.p50_business_seconds, figure.p90_business_seconds = p50.business, p90.business
            figure.hours_of = busiest_team(samples)
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


def _open_seconds() -> OpenSeconds:
    """Open seconds of a stay by today's opening hours of the team (its own, else the shop's; every
    hour when none are set), each stay measured once however many versions ask."""
    clocks: dict[str, OpeningHours | None] = {}
    measured: dict[tuple[datetime, datetime, str], float] = {}

    def measure(start: datetime, end: datetime, key: str) -> float | None:
        if key not in clocks:
            clocks[key] = team_clock(key or None)
        hours = clocks[key]
        if hours is None:
            return None
        if end <= start:
            return 0.0
        if (start, end, key) not in measured:
            try:
                measured[start, end, key] = business_between(start, end, hours).total_seconds()
            except HoursInvalid:  # closed for over a year inside the stay: count it as calendar time
                return None
        return measured[start, end, key]

    return measure


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
    guess = journey_guess_parts(journey, state, done, data)
    return None if guess is None else (guess.median, guess.p90)


@dataclass(frozen=True)
class Guess:
    """:func:`journey_guess` with its open-time part: the stays in states on the business clock (as
    ``journey simulate`` counts them: a team's step takes its ``sim:`` time in the team's open
    hours), and whose hours they are (the team with the most of it; ``""``: the shop's)."""

    median: float
    p90: float
    median_business: float
    p90_business: float
    hours_of: str


def journey_guess_parts(
    journey: Journey, state: str, done: frozenset[str], data: Mapping[str, Any] | None = None
) -> Guess | None:
    """:func:`journey_guess`, each step's time also summed apart when its state counts open hours."""
    known = dict(data or {})
    business = business_keys(journey)
    here, median, p90, seen = state, 0.0, 0.0, set()
    open50, open90 = 0.0, 0.0
    teams: dict[str, float] = {}
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
        step50, step90 = (sim.after, sim.after) if sim.after is not None else (sim.median, sim.p90)
        if step50 is not None and step90 is not None:
            median, p90 = median + step50, p90 + step90
            if here in business:
                open50, open90 = open50 + step50, open90 + step90
                teams[business[here]] = teams.get(business[here], 0.0) + step90
        _after(chosen, known)
        here = chosen.to
    if journey.states[here].terminal and journey.states[here].outcome != "success":
        return None
    hours_of = max(sorted(teams), key=lambda key: teams[key], default="")
    return Guess(median, p90, open50, open90, hours_of)
