"""A team shut for over a year by its closed dates (a lead typing every weekday of the next 14
months, weekends shut anyway): no business time can be counted, but a customer's report still
opens its case, and care's limit counts calendar time instead of every move failing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_report import GOOD, png, start
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.core.clock import at
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def weekdays_from(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_a_report_to_a_team_closed_for_over_a_year_opens_and_its_limit_counts_calendar_time() -> None:
    lead = Client()
    lead.force_login(StaffFactory(username="lena", role=Role.LEAD))
    closed = weekdays_from(MONDAY.date(), 300)  # to mid-February 2028: over 400 days without an open hour
    assert (closed[-1] - closed[0]).days > 400
    url = reverse("console:shop_hours")
    stamp = lead.get(url).context["form"].initial["stamp"]
    saved = lead.post(
        url,
        {
            "stamp": stamp,
            "weekly": "Mon-Fri 09:00-17:00",
            "zone": "Europe/London",
            "country": "",
            "region": "",
            "closed_dates": "\n".join(day.isoformat() for day in closed),
        },
    )
    assert saved.status_code == 302, saved.content.decode()

    client = Client()
    with at(MONDAY):
        response = client.post("/report/", {**GOOD, "phone": "", "nonce": start(client), "photos": [png()]})

    assert response.status_code == 303
    case = Case.objects.get(customer__email="maya@example.com")
    assert (case.state, case.owner) == ("reported", "team:care")
    timers = list(Timer.objects.filter(case=case, status=TimerStatus.PENDING))
    assert timers
    # care's limits, counted on the calendar from the report, not past the closure
    assert all(MONDAY < timer.due_at < MONDAY + timedelta(days=7) for timer in timers), timers
