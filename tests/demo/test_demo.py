"""The demo business: a living repair shop a newcomer sees at once, loaded twice without duplicates."""

from __future__ import annotations

import pytest

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, JourneyVersion, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import now
from touchpoint.customers.models import Customer
from touchpoint.demo.loader import demo_load
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import StaffUser
from touchpoint.themes.models import ThemeRun
from touchpoint.wall.models import WallItem

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "timeline": TimelineEntry.objects.count(),
        "messages": OutboxMessage.objects.count(),
        "timers": Timer.objects.count(),
        "customers": Customer.objects.count(),
        "staff": StaffUser.objects.count(),
        "journeys": JourneyVersion.objects.count(),
        "wall": WallItem.objects.count(),
        "theme_runs": ThemeRun.objects.count(),
    }


def test_the_demo_spreads_50_cases_over_the_mail_in_repair_journey_with_exceptions() -> None:
    summary = demo_load(password="touchpoint-demo", history=0)
    assert (summary.cases, summary.created, summary.staff) == (50, 50, ["admin", "alex", "jo", "priya", "sam"])
    cases = list(Case.objects.select_related("journey"))
    assert len(cases) == 50 and {c.journey.name for c in cases} == {"mail-in-repair"}
    journey = journey_of(cases[0].journey)
    states = {c.state for c in cases}
    assert len(states) >= 10  # spread over the journey, not piled in one state
    in_exceptions = [c for c in cases if journey.states[c.state].exception]
    assert len(in_exceptions) >= 5  # a living shop has things going wrong, each with a person on it
    assert any(journey.states[s].terminal for s in states) and any(not journey.states[s].terminal for s in states)
    # every open case waits on a running timer: nothing is waiting without one
    for case in cases:
        if not case.outcome:
            assert Timer.objects.filter(
                case=case, status=TimerStatus.PENDING, purpose="wait", due_at__gt=now()
            ).exists()
    assert StaffUser.objects.get(username="priya").check_password("touchpoint-demo")


def test_the_demo_has_a_finished_history_with_feedback_on_the_wall_and_themes() -> None:
    from touchpoint.feedback.models import Feedback
    from touchpoint.wall.models import Status

    summary = demo_load(password="touchpoint-demo", cases=0, history=40)
    assert summary.created == 40
    finished = Case.objects.exclude(outcome="")
    assert finished.count() >= 25  # walked to their end, weeks ago
    assert all(case.closed_at is not None and case.closed_at < now() for case in finished)
    given = Feedback.objects.count()
    assert given >= 5
    published = WallItem.objects.filter(status=Status.PUBLISHED)
    assert published.count() == WallItem.objects.count() - 2  # the newest two wait for a person
    assert ThemeRun.objects.count() == 1


def test_loading_the_demo_twice_duplicates_nothing() -> None:
    demo_load(password="touchpoint-demo", history=10)
    before = counts()
    again = demo_load(password="something-else", history=10)
    assert again.created == 0
    assert counts() == before
    assert StaffUser.objects.get(username="sam").check_password("touchpoint-demo")  # passwords kept too
