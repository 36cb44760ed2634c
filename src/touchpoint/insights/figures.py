"""The figures, each a small table with a title, a one-line explanation and how to draw it.

Every figure is computed from the records the system already keeps (the append-only timeline,
timer rows, the outbox, feedback and remedies), so each can be checked by hand against them.
Durations are in hours. Selectors only: nothing here writes."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, TimelineEntry, TimelineKind, Timer, TimerStatus
from touchpoint.core.clock import now
from touchpoint.hours import OpeningHours, business_between
from touchpoint.insights.stats import percentile
from touchpoint.journeys import Journey
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.shop.opening_hours import team_clock

Cell = str | int | float | None
HOUR = 3600.0


@dataclass(frozen=True)
class Chart:
    """How to draw a figure: one bar per row, labelled by ``label`` columns, sized by ``value``;
    ``upper`` (optional) draws a whisker to a second value (p50 bar, p90 whisker)."""

    label: tuple[int, ...]
    value: int
    upper: int | None = None
    unit: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    what: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    chart: Chart | None = None


@dataclass(frozen=True)
class Scope:
    """Which cases a figure covers: one journey (by name) or all, opened since a moment or ever."""

    journey: str | None = None
    since: datetime | None = None

    def cases(self) -> Iterable[Case]:
        return Case.objects.filter(**self.case_filter())

    def case_q(self, field: str = "case") -> Q:
        """Rows of the cases in scope, picked by case id: the database finds the scope's cases first
        (through the index on when they opened) and then each one's rows, instead of reading the
        whole history of the table to join it to the cases."""
        found = self.case_filter()
        return Q(**{f"{field}__in": Case.objects.filter(**found).values("pk")}) if found else Q()

    def case_filter(self, prefix: str = "") -> dict[str, object]:
        found: dict[str, object] = {}
        if self.journey:
            found[f"{prefix}journey__name"] = self.journey
        if self.since is not None:
            found[f"{prefix}opened_at__gte"] = self.since
        return found


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / HOUR, 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class _Journeys:
    """Parsed journey versions by id, read once per figure."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[JourneyVersion, Journey]] = {}

    def get(self, version_id: int) -> tuple[JourneyVersion, Journey]:
        if version_id not in self._by_id:
            version = JourneyVersion.objects.get(pk=version_id)
            self._by_id[version_id] = (version, journey_of(version))
        return self._by_id[version_id]


def _stays(scope: Scope) -> Iterable[tuple[int, int, list[tuple[datetime, str]]]]:
    """Per case: (case id, journey version id, [(entered at, state)…]) with repeats of the same
    state (a timeout that loops back) folded into one stay."""
    entries = (
        TimelineEntry.objects.filter(scope.case_q(), kind__in=[TimelineKind.OPENED, TimelineKind.TRANSITION])
        .exclude(to_state="")
        .order_by("case_id", "seq")
        .values_list("case_id", "case__journey_id", "at", "to_state")
    )
    current: tuple[int, int] | None = None
    stays: list[tuple[datetime, str]] = []
    for case_id, journey_id, at, state in entries.iterator(chunk_size=2000):
        if current is None or current[0] != case_id:
            if current is not None:
                yield current[0], current[1], stays
            current, stays = (case_id, journey_id), []
        if not stays or stays[-1][1] != state:
            stays.append((at, state))
    if current is not None:
        yield current[0], current[1], stays


def _business_clock(journey: Journey, state: str) -> tuple[str, OpeningHours | None]:
    """The clock a stay in ``state`` is counted in: a team's state whose wait limit counts business
    time (``journeys.clocks``) in the team's opening hours (else the shop's), when set; the rest, and
    every state while no hours are set, by the calendar. Returns (its words, the hours or None)."""
    definition = journey.states[state]
    if definition.wait_clock_used != "business" or not definition.team:
        return "calendar", None
    hours = team_clock(definition.team)
    if hours is None:
        return "calendar (no opening hours set)", None
    return f"opening hours of {definition.team}", hours


def time_in_state(scope: Scope) -> Figure:
    journeys = _Journeys()
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    ongoing: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[tuple[str, str], str] = {}
    clocks: dict[tuple[str, str], tuple[str, OpeningHours | None]] = {}
    for _case_id, journey_id, stays in _stays(scope):
        version, journey = journeys.get(journey_id)
        for index, (entered, state) in enumerate(stays):
            definition = journey.states.get(state)
            if definition is None or definition.outcome is not None:
                continue  # the end of a case is not a wait
            key = (version.name, state)
            labels[key] = definition.label or state
            if key not in clocks:
                clocks[key] = _business_clock(journey, state)
            if index + 1 < len(stays):
                left, hours = stays[index + 1][0], clocks[key][1]
                stay = business_between(entered, left, hours) if hours is not None else left - entered
                durations[key].append(stay.total_seconds() / HOUR)
            else:
                ongoing[key] += 1
    rows: list[tuple[Cell, ...]] = []
    for key in sorted(set(durations) | set(ongoing)):
        values = durations.get(key, [])
        rows.append(
            (
                key[0],
                key[1],
                labels[key],
                len(values),
                _round(percentile(values, 0.5)),
                _round(percentile(values, 0.9)),
                ongoing.get(key, 0),
                clocks[key][0],
            )
        )
    return Figure(
        "time_in_state",
        "Time in each state",
        "How long cases stayed in each step before moving on (hours, p50 and p90), and how many are there now. "
        "A team's step whose wait limit counts the team's opening hours is counted in them (nights, weekends "
        "and closed days left out); every other step by the calendar. The clock column says which.",
        ("journey", "state", "label", "stays", "p50_hours", "p90_hours", "there_now", "clock"),
        rows,
        Chart(label=(2,), value=4, upper=5, unit="h"),
    )


def pile_ups(scope: Scope) -> Figure:
    """Open cases per state, the oldest's age, and how many are past the state's wait limit."""
    journeys = _Journeys()
    at = now()
    open_cases = Case.objects.filter(outcome="", **scope.case_filter()).values_list(
        "journey_id", "state", "state_entered_at"
    )
    grouped: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for journey_id, state, entered_at in open_cases.iterator(chunk_size=2000):
        grouped[(journey_id, state)].append(entered_at)
    merged: dict[tuple[str, str], tuple[str, list[datetime], int | None]] = {}
    for (journey_id, state), entered in grouped.items():
        version, journey = journeys.get(journey_id)
        definition = journey.states.get(state)
        limit = definition.wait_limit if definition is not None else None
        label = (definition.label if definition is not None else None) or state
        _, before, _ = merged.get((version.name, state), (label, [], limit))
        merged[(version.name, state)] = (label, before + entered, limit)
    rows: list[tuple[Cell, ...]] = []
    for (name, state), (label, entered, limit) in merged.items():
        over = sum(1 for moment in entered if limit is not None and (at - moment).total_seconds() > limit)
        rows.append((name, state, label, len(entered), _hours(at - min(entered)), over))
    rows.sort(key=lambda row: (-int(row[5] or 0), -int(row[3] or 0), str(row[0]), str(row[1])))
    return Figure(
        "pile_ups",
        "Where cases pile up",
        "Open cases in each state now, the oldest one's age (hours) and how many are past the state's wait limit.",
        ("journey", "state", "label", "open", "oldest_hours", "past_wait_limit"),
        rows,
        Chart(label=(2,), value=3, unit=" cases"),
    )


def timer_breaches(scope: Scope) -> Figure:
    """Wait limits that ran out and handoffs not accepted in time, per state."""
    journeys = _Journeys()
    fired = (
        Timer.objects.filter(scope.case_q(), status=TimerStatus.FIRED)
        .values_list("case__journey_id", "state", "purpose")
        .iterator(chunk_size=2000)
    )
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for journey_id, state, purpose in fired:
        version, journey = journeys.get(journey_id)
        definition = journey.states.get(state)
        label = (definition.label if definition is not None else None) or state
        kind = "handoff not accepted in time" if purpose == "accept" else "wait limit ran out"
        counts[(version.name, state, label, kind)] += 1
    rows: list[tuple[Cell, ...]] = [(*key, count) for key, count in counts.items()]
    rows.sort(key=lambda row: (-int(row[4] or 0), str(row[0]), str(row[1]), str(row[3])))
    return Figure(
        "timer_breaches",
        "Timer breaches",
        "Each time a wait limit ran out or a handoff wasn't accepted in time, by state.",
        ("journey", "state", "label", "kind", "times"),
        rows,
        Chart(label=(2, 3), value=4),
    )


def silence_gaps(scope: Scope, *, top: int = 20) -> Figure:
    """For each case, the longest the customer went without a message from us (open cases count
    up to now); the longest first, with whether it broke the journey's ``max_silence``."""
    journeys = _Journeys()
    at = now()
    sent: dict[int, list[datetime]] = defaultdict(list)
    messages = OutboxMessage.objects.filter(
        scope.case_q(), status=MessageStatus.SENT, case__isnull=False, sent_at__isnull=False
    ).values_list("case_id", "sent_at")
    for case_id, sent_at in messages.iterator(chunk_size=2000):
        if case_id is not None and sent_at is not None:
            sent[case_id].append(sent_at)
    rows: list[tuple[Cell, ...]] = []
    cases = Case.objects.filter(**scope.case_filter()).values_list(
        "id", "reference", "journey_id", "opened_at", "closed_at"
    )
    for case_id, reference, journey_id, opened_at, closed_at in cases.iterator(chunk_size=2000):
        version, journey = journeys.get(journey_id)
        end = closed_at or at
        moments = [opened_at, *sorted(m for m in sent.get(case_id, []) if opened_at <= m <= end), end]
        longest = max((later - earlier for earlier, later in itertools.pairwise(moments)), default=timedelta(0))
        hours = _hours(longest)
        rows.append(
            (
                reference,
                version.name,
                hours,
                "yes" if longest.total_seconds() > journey.max_silence else "no",
                "open" if closed_at is None else "closed",
            )
        )
    rows.sort(key=lambda row: (-float(row[2] or 0), str(row[0])))
    return Figure(
        "silence_gaps",
        "Silence gaps",
        f"The longest each case went without a message to the customer (hours), longest first (top {top}).",
        ("case", "journey", "longest_silence_hours", "over_max_silence", "case_is"),
        rows[:top],
        Chart(label=(0,), value=2, unit="h"),
    )


def exceptions_by_cause(scope: Scope) -> Figure:
    """How cases came into exception states: the state and the event that took them there."""
    journeys = _Journeys()
    entries = (
        TimelineEntry.objects.filter(scope.case_q(), kind=TimelineKind.TRANSITION)
        .exclude(to_state="")
        .values_list("case__journey_id", "from_state", "to_state", "event")
        .iterator(chunk_size=2000)
    )
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for journey_id, from_state, to_state, event in entries:
        version, journey = journeys.get(journey_id)
        definition = journey.states.get(to_state)
        if definition is None or not definition.exception or from_state == to_state:
            continue
        counts[(version.name, definition.label or to_state, event.replace("_", " "))] += 1
    rows: list[tuple[Cell, ...]] = [(*key, count) for key, count in counts.items()]
    rows.sort(key=lambda row: (-int(row[3] or 0), str(row[0]), str(row[1]), str(row[2])))
    return Figure(
        "exceptions_by_cause",
        "Exceptions by cause",
        "How many times cases went into each exception, and what sent them there.",
        ("journey", "exception", "cause", "times"),
        rows,
        Chart(label=(1, 2), value=3),
    )
