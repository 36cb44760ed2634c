"""What the console reads: journeys in use, and where their cases are now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.journeys import Journey


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    owner: str
    exception: bool
    terminal: bool
    cases: int
    oldest_entered: datetime | None


@dataclass(frozen=True)
class JourneySummary:
    version: JourneyVersion
    journey: Journey
    open_cases: int
    states: list[StateCount]


def journey_summaries() -> list[JourneySummary]:
    """Every registered journey version with its cases per state (one grouped query per version)."""
    out = []
    for version in JourneyVersion.objects.order_by("name", "-version"):
        journey = journey_of(version)
        grouped = (
            Case.objects.filter(journey=version).values("state").annotate(n=Count("id"), oldest=Min("state_entered_at"))
        )
        counts: dict[str, tuple[int, datetime | None]] = {r["state"]: (r["n"], r["oldest"]) for r in grouped}
        states = []
        for name, s in journey.states.items():
            cases, oldest = counts.get(name, (0, None))
            states.append(
                StateCount(name, s.label, s.owner, s.exception, s.terminal, cases, None if s.terminal else oldest)
            )
        open_cases = sum(c.cases for c in states if not c.terminal)
        out.append(JourneySummary(version, journey, open_cases, states))
    return out


def journey_version(name: str, version: int) -> JourneyVersion | None:
    return JourneyVersion.objects.filter(name=name, version=version).first()
