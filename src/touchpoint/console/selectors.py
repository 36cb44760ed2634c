"""What the console reads: journeys in use, and where their cases are now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Min, QuerySet

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, TimelineEntry, TimelineKind, Timer, TimerStatus
from touchpoint.journeys import Journey

# The journeys page counts a journey's open cases (they don't pile up with the shop's age) and, for
# its end states, only the cases that ended within this window: counting every case that ever ended
# would read the whole history on every view.
FINISHED_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    owner: str
    exception: bool
    terminal: bool
    cases: int  # open cases in the state; for an end state, cases that reached it within FINISHED_WINDOW
    oldest_entered: datetime | None


@dataclass(frozen=True)
class JourneySummary:
    version: JourneyVersion
    journey: Journey
    open_cases: int
    states: list[StateCount]


def open_per_state(cases: QuerySet[Case]) -> dict[tuple[int, str], tuple[int, datetime | None]]:
    """How many of ``cases`` are open in each (journey version, state), and the oldest arrival there:
    one grouped query, answered from the open cases' (outcome, journey, state, entered) index alone."""
    grouped = (
        cases.filter(outcome="")
        .values("journey_id", "state")
        .annotate(n=Count("pk"), oldest=Min("state_entered_at"))
        .order_by()
        .values_list("journey_id", "state", "n", "oldest")
    )
    return {(journey_id, state): (n, oldest) for journey_id, state, n, oldest in grouped}


def journey_summaries(*, at: datetime) -> list[JourneySummary]:
    """Every registered journey version with its open cases per state, and how many cases reached each
    end state within :data:`FINISHED_WINDOW` before ``at``: two queries for every version,
    through the open cases' index and the timeline's (state, time) index, however old the shop is."""
    versions = list(JourneyVersion.objects.defer("source").order_by("name", "-version"))  # parsed per process
    journeys = {version.pk: journey_of(version) for version in versions}
    counts = open_per_state(Case.objects.all())
    ends = sorted({name for journey in journeys.values() for name, s in journey.states.items() if s.terminal})
    ended = (
        TimelineEntry.objects.filter(kind=TimelineKind.TRANSITION, to_state__in=ends, at__gte=at - FINISHED_WINDOW)
        .values("case__journey_id", "to_state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in ended:
        counts[(r["case__journey_id"], r["to_state"])] = (r["n"], None)
    out = []
    for version in versions:
        journey = journeys[version.pk]
        states = []
        for name, s in journey.states.items():
            cases, oldest = counts.get((version.pk, name), (0, None))
            states.append(
                StateCount(name, s.label, s.owner, s.exception, s.terminal, cases, None if s.terminal else oldest)
            )
        open_cases = sum(c.cases for c in states if not c.terminal)
        out.append(JourneySummary(version, journey, open_cases, states))
    return out


def journey_version(name: str, version: int) -> JourneyVersion | None:
    return JourneyVersion.objects.filter(name=name, version=version).first()


# --- the live journey map -------------------------------------------------------------------

# A state piles up when it holds more than PILE_UP_FACTOR times the cases that usually enter it
# within one wait limit (measured over HISTORY, and never less than one case), so a busy state
# isn't flagged for being busy, only for being busier than it drains. It is late when its oldest
# case has sat there longer than the wait limit: the timer should have moved it on.
PILE_UP_FACTOR = 2
HISTORY = timedelta(days=14)


@dataclass(frozen=True)
class StateLive:
    state: str
    label: str
    owner: str
    exception: bool
    terminal: bool
    wait_limit: int | None  # seconds
    cases: int  # open cases in the state now
    oldest_entered: datetime | None
    oldest_age: timedelta | None
    overdue_timers: int  # pending timers of this state already past due
    usual: float  # cases that usually enter the state within one wait limit

    @property
    def pile_up(self) -> bool:
        if self.wait_limit is None or self.terminal:
            return False
        return self.cases > PILE_UP_FACTOR * max(self.usual, 1.0)

    @property
    def late(self) -> bool:
        return (
            self.wait_limit is not None
            and self.oldest_age is not None
            and self.oldest_age.total_seconds() > (self.wait_limit)
        )

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, on in (("pile-up", self.pile_up), ("late", self.late), ("overdue", self.overdue_timers > 0))
            if on
        )


@dataclass(frozen=True)
class JourneyLive:
    version: JourneyVersion
    journey: Journey
    at: datetime
    states: list[StateLive]

    @property
    def open_cases(self) -> int:
        return sum(s.cases for s in self.states)


def journey_live(*, version: JourneyVersion, at: datetime) -> JourneyLive:
    """Open cases per state of one journey version, the oldest of each, overdue timers and usual
    inflow: three grouped queries however many cases there are."""
    grouped = {state: found for (_, state), found in open_per_state(Case.objects.filter(journey=version)).items()}
    overdue = dict(
        Timer.objects.filter(
            case__journey=version,
            status=TimerStatus.PENDING,
            due_at__lt=at,
            state_seq=F("case__state_seq"),  # a timer of a state the case has left is stale, not overdue
        )
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("state", "n")
    )
    entered = dict(
        TimelineEntry.objects.filter(case__journey=version, at__gte=at - HISTORY)
        .exclude(to_state="")
        .values("to_state")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("to_state", "n")
    )
    journey = journey_of(version)
    states = []
    for name, s in journey.states.items():
        cases, oldest = grouped.get(name, (0, None))
        usual = entered.get(name, 0) * (s.wait_limit or 0) / HISTORY.total_seconds()
        states.append(
            StateLive(
                state=name,
                label=s.label,
                owner=s.owner,
                exception=s.exception,
                terminal=s.terminal,
                wait_limit=s.wait_limit,
                cases=cases,
                oldest_entered=oldest,
                oldest_age=at - oldest if oldest is not None else None,
                overdue_timers=overdue.get(name, 0),
                usual=usual,
            )
        )
    return JourneyLive(version, journey, at, states)
