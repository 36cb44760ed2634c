"""A limit a team keeps counts in its opening hours, and the message says the moment it falls due
(issue 16's "done when"): a wrong delivery reported on a Friday evening, with the shop open
Monday to Friday 09:00–17:00 in London, is due on Monday morning, and the acknowledgement's "by …"
is that Monday moment. The hours are set the way a lead sets them (the console's page), the case is
opened the way a customer opens it (the report form) and the limit runs out the way the worker runs
it out (its loop, at the due time). Expected moments are worked out by hand in the comments."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_report import GOOD, png, start
from tests.support.factories import StaffFactory, TeamFactory
from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.core.clock import at
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import Role
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db

NINE_TO_FIVE = {"weekly": "Mon-Fri 09:00-17:00", "zone": "Europe/London", "country": "GB", "region": "ENG"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lead() -> Client:
    client = Client()
    client.force_login(StaffFactory(username="lena", role=Role.LEAD))
    return client


def lead_sets_hours(lead: Client, url: str, **values: str) -> None:
    stamp = lead.get(url).context["form"].initial["stamp"]
    sent = lead.post(url, {"stamp": stamp, "closed_dates": "", **values})
    assert sent.status_code == 302, sent.content.decode()


def customer_reports(moment: datetime) -> Case:
    client = Client()
    with at(moment):
        response = client.post("/report/", {**GOOD, "phone": "", "nonce": start(client), "photos": [png()]})
    assert response.status_code == 303
    return Case.objects.select_related("journey").get(customer__email="maya@example.com")


def due(case: Case, purpose: str) -> datetime:
    return Timer.objects.get(case=case, purpose=purpose, status=TimerStatus.PENDING).due_at.astimezone(UTC)


def acknowledgement(case: Case) -> str:
    body = OutboxMessage.objects.get(case=case, touchpoint="report_received", channel="email").body_text
    return re.sub(r"\s+", " ", body)


def test_a_limit_opened_on_friday_evening_is_due_on_monday_in_opening_hours_and_the_message_says_so(
    lead: Client,
) -> None:
    # Given the shop works Monday to Friday, 09:00 to 17:00 in London (GMT in December)
    lead_sets_hours(lead, reverse("console:shop_hours"), **NINE_TO_FIVE)

    # When a customer reports a wrong delivery on Friday 11 December 2026 at 17:30
    case = customer_reports(datetime(2026, 12, 11, 17, 30, tzinfo=UTC))

    # Then care's wait limit (the replacement goes by itself after 2 hours) counts from Monday's
    # opening: Monday 11:00, not 19:30 on Friday evening as calendar hours would have it
    assert (case.state, case.owner) == ("reported", "team:care")
    assert due(case, "wait") == datetime(2026, 12, 14, 11, 0, tzinfo=UTC)
    # and the acknowledgement, sent at once on Friday, promises that Monday moment
    assert "You'll hear from us by 11:00 on Monday 14 December at the latest" in acknowledgement(case)

    # When the worker runs at Monday 10:59, the limit hasn't run out
    with at(datetime(2026, 12, 14, 10, 59, tzinfo=UTC)):
        Worker(worker_id="w1").run_once()
    assert Case.objects.get(pk=case.pk).state == "reported"
    # and at 11:00, the moment the message named, the replacement goes by itself
    with at(datetime(2026, 12, 14, 11, 0, tzinfo=UTC)):
        Worker(worker_id="w1").run_once()
    assert Case.objects.get(pk=case.pk).state != "reported"
    assert Timer.objects.get(case=case, purpose="wait", state="reported").status == TimerStatus.FIRED


def test_public_holidays_are_closed_days_for_the_limit_and_the_promise(lead: Client) -> None:
    # Given the 09:00–17:00 week with England's public holidays: Friday 25 December is Christmas
    # Day and Monday 28 December the Boxing Day holiday (the 26th is a Saturday)
    lead_sets_hours(lead, reverse("console:shop_hours"), **NINE_TO_FIVE)

    # When a report comes on Thursday 24 December at 16:30
    case = customer_reports(datetime(2026, 12, 24, 16, 30, tzinfo=UTC))

    # Then 30 open minutes are left on Thursday, and the other 90 are Tuesday 29th's first: 10:30
    assert due(case, "wait") == datetime(2026, 12, 29, 10, 30, tzinfo=UTC)
    assert "You'll hear from us by 10:30 on Tuesday 29 December at the latest" in acknowledgement(case)


def test_a_team_with_its_own_hours_counts_in_them_not_the_shops(lead: Client) -> None:
    # Given the shop's 09:00–17:00 week, and care working Monday to Saturday 08:00–20:00
    lead_sets_hours(lead, reverse("console:shop_hours"), **NINE_TO_FIVE)
    TeamFactory(slug="care", name="Care")
    care = reverse("console:shop_hours_team", args=["care"])
    lead_sets_hours(lead, care, weekly="Mon-Sat 08:00-20:00", zone="Europe/London")

    # When a report comes on Friday at 17:30
    case = customer_reports(datetime(2026, 12, 11, 17, 30, tzinfo=UTC))

    # Then care is still open: its two hours end at 19:30 that evening
    assert due(case, "wait") == datetime(2026, 12, 11, 19, 30, tzinfo=UTC)
    assert "You'll hear from us by 19:30 today at the latest" in acknowledgement(case)


def test_without_opening_hours_every_hour_counts() -> None:
    # Given no hours set anywhere (an install as it was before the page existed)
    # When a report comes on Friday at 17:30
    case = customer_reports(datetime(2026, 12, 11, 17, 30, tzinfo=UTC))

    # Then two calendar hours on: 19:30 on Friday
    assert due(case, "wait") == datetime(2026, 12, 11, 19, 30, tzinfo=UTC)
    assert "You'll hear from us by 19:30 today at the latest" in acknowledgement(case)


def test_asking_for_a_person_on_friday_night_is_answered_in_the_care_teams_hours_and_said_so(lead: Client) -> None:
    from touchpoint.cases.models import Task, TaskKind

    # Given the shop works Monday to Friday, 09:00 to 17:00 in London, and a customer's case
    lead_sets_hours(lead, reverse("console:shop_hours"), **NINE_TO_FIVE)
    client = Client()
    with at(datetime(2026, 12, 11, 16, 0, tzinfo=UTC)):
        placed = client.post("/report/", {**GOOD, "phone": "", "nonce": start(client), "photos": [png()]})
    assert placed.status_code == 303
    person = placed["Location"] + "person/"
    # When they open "talk to a person" on Friday at 23:00, the page promises the time the task will be
    # due: four opening hours of the care team from Monday 09:00 is Monday 13:00 (not 03:00 Saturday)
    with at(datetime(2026, 12, 11, 23, 0, tzinfo=UTC)):
        page = client.get(person)
    words = re.sub(r"\s+", " ", page.content.decode())
    assert "within 4 hours of our opening hours: by 13:00 on Monday 14 December if you ask now" in words
    nonce = page.context["form"].initial["nonce"]
    with at(datetime(2026, 12, 11, 23, 0, tzinfo=UTC)):
        asked = client.post(person, {"need": "Call me please", "reach_by": "email", "phone": "", "nonce": nonce})
    assert asked.status_code == 302
    # Then the task is due then, and the email says the same moment
    task = Task.objects.get(kind=TaskKind.PERSON_REQUESTED)
    assert task.due_at is not None and task.due_at.astimezone(UTC) == datetime(2026, 12, 14, 13, 0, tzinfo=UTC)
    email = OutboxMessage.objects.filter(case=task.case, subject__icontains="person").order_by("-id").first()
    assert email is not None
    assert "by 13:00 on Monday 14 December at the latest" in re.sub(r"\s+", " ", email.body_text)
