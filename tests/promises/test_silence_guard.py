"""The customer's silence bound holds with the shop's real hours (issue 16): over Christmas, with
England's holidays, a wrong delivery reported on Thursday 24 December at 16:30 waits for care until
Tuesday 29th, longer than the 3 days order-problem promises without a word. The worker's silence
guard speaks before the bound; ``journey check`` and registering a journey say it beforehand.

Hours set as a lead sets them (the console's page), the case opened as a customer opens it (the
report form), the worker run at the moments named (its loop, a frozen clock)."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_report import GOOD, png, start
from tests.support import twilio_server
from tests.support.factories import StaffFactory
from tests.support.twilio_server import TwilioServer
from touchpoint.cases.errors import JourneyInvalid
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, Task, TaskStatus, TimelineEntry
from touchpoint.cli import main as touchpoint_main
from touchpoint.core.clock import at
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import Role
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
twilio = twilio_server.twilio  # the fixture: a fake Twilio on loopback, the settings pointing at it

NINE_TO_FIVE = {"weekly": "Mon-Fri 09:00-17:00", "zone": "Europe/London", "country": "GB", "region": "ENG"}
REPORTED = datetime(2026, 12, 24, 16, 30, tzinfo=UTC)  # Thursday; Christmas Day and Boxing Day's Monday follow
# The bound is 3 days; the guard speaks 2 hours before it: Sunday 27 December at 14:30
GUARD = datetime(2026, 12, 27, 14, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lead() -> Client:
    client = Client()
    client.force_login(StaffFactory(username="lena", role=Role.LEAD))
    return client


def lead_sets_hours(lead: Client) -> None:
    url = reverse("console:shop_hours")
    stamp = lead.get(url).context["form"].initial["stamp"]
    sent = lead.post(url, {"stamp": stamp, "closed_dates": "", **NINE_TO_FIVE})
    assert sent.status_code == 302, sent.content.decode()


def customer_reports(moment: datetime, **chose: str) -> Case:
    client = Client()
    answers = {**GOOD, "phone": "", **chose}
    with at(moment):
        response = client.post("/report/", {**answers, "nonce": start(client), "photos": [png()]})
    assert response.status_code == 303
    return Case.objects.select_related("journey").get(customer__email="maya@example.com")


def worker_at(moment: datetime) -> None:
    with at(moment):
        Worker(worker_id="w1").run(until_idle=True)


def guard_messages(case: Case) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(case=case, idempotency_key__startswith="silence:").order_by("pk"))


def guard_entries(case: Case) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case=case, event="silence_guard").order_by("seq"))


def order_problem_without_still_on_it(version: int) -> str:
    """order-problem as a shop might have written it: no "still on it" message (renamed away)."""
    path = library_file("order-problem")
    assert path is not None
    text = path.read_text(encoding="utf-8").replace("still_on_it", "news_soon")
    return re.sub(r"^version: \d+$", f"version: {version}", text, count=1, flags=re.M)


def test_over_christmas_the_guard_says_still_on_it_before_the_bound_once(
    lead: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # Given the 09:00–17:00 week with England's holidays, and a wrong delivery reported on Christmas Eve
    lead_sets_hours(lead)
    case = customer_reports(REPORTED)
    assert (case.state, case.owner) == ("reported", "team:care")
    # (order-problem was registered with the hours set: a warning, as its still_on_it keeps the bound)
    [warned] = [r.getMessage() for r in caplog.records if "order-problem.yaml" in r.getMessage()]
    assert "warning J209 silence-bound: with the shop's opening hours, a customer can go 4d 20h" in warned
    # (care's two open hours: 30 minutes on Thursday, 90 on Tuesday 29th: the case waits until 10:30 then)

    # When the worker runs a minute before the guard's time: nothing said yet
    worker_at(datetime(2026, 12, 27, 14, 29, tzinfo=UTC))
    assert guard_messages(case) == []
    # When it runs a minute after: the journey's "still on it" message, with when we write next
    worker_at(datetime(2026, 12, 27, 14, 31, tzinfo=UTC))
    [message] = guard_messages(case)
    assert (message.touchpoint, message.channel, message.recipient) == ("still_on_it", "email", "maya@example.com")
    body = re.sub(r"\s+", " ", message.body_text)
    assert "A person on our team is still working on your case, and we haven't forgotten you." in body
    assert "We'll write again by 10:30 on Tuesday 29 December at the latest" in body
    # And the case's timeline says why, in the same commit
    [entry] = guard_entries(case)
    assert entry.summary == "No word to the customer for 2d 22h (at most 3d): sent `still_on_it`"
    assert entry.detail["message"] == message.pk
    assert Case.objects.get(pk=case.pk).state == "reported"

    # When the worker passes again that day: the message ended the silence, nothing more
    worker_at(datetime(2026, 12, 27, 20, 0, tzinfo=UTC))
    assert len(guard_messages(case)) == 1
    assert len(guard_entries(case)) == 1
    # And care's limit still runs out at the moment the message named
    worker_at(datetime(2026, 12, 29, 10, 30, tzinfo=UTC))
    assert Case.objects.get(pk=case.pk).state != "reported"
    assert len(guard_messages(case)) == 1


def test_a_customer_who_chose_texts_hears_still_on_it_by_text(lead: Client, twilio: TwilioServer) -> None:
    # Given the same Christmas, reported by a customer who asked for texts on the form
    lead_sets_hours(lead)
    case = customer_reports(REPORTED, channel="sms", phone="07700 900123")
    assert case.customer.preferred_channel == "sms"
    # When the worker passes the guard's time
    worker_at(datetime(2026, 12, 27, 14, 31, tzinfo=UTC))
    # Then "still on it" goes as a text to their number (with their case's link), not as an email
    [message] = guard_messages(case)
    assert (message.touchpoint, message.channel, message.recipient) == ("still_on_it", "sms", "+447700900123")
    assert case.reference in message.body_text and "/c/" in message.body_text
    assert message.status == "sent"  # the worker texted it (14:31 is outside the night's quiet hours)
    assert twilio.sent[-1].form["Body"] == message.body_text
    [entry] = guard_entries(case)
    assert entry.detail["message"] == message.pk


def test_a_journey_without_still_on_it_gets_a_task_for_the_team_and_is_refused_once_hours_are_set(
    lead: Client,
) -> None:
    # Given order-problem without a "still on it" message, registered before the shop set its hours
    journey_register(source=order_problem_without_still_on_it(98), filename="order-problem.yaml")
    lead_sets_hours(lead)
    # When a new version is registered with the hours set: refused, saying the silence over Christmas
    with pytest.raises(JourneyInvalid) as refused:
        journey_register(source=order_problem_without_still_on_it(99), filename="order-problem.yaml")
    said = str(refused.value)
    assert "error J209 silence-bound: with the shop's opening hours, a customer can go 4d 20h" in said
    assert "starting Thu 24 Dec 2026 13:00 (Europe/London)" in said

    # Given a report on Christmas Eve (on version 98, the newest registered)
    case = customer_reports(REPORTED)
    assert case.journey.version == 98
    # When the worker runs past the guard's time: care gets a task to write, due at the bound
    worker_at(datetime(2026, 12, 27, 14, 31, tzinfo=UTC))
    [task] = Task.objects.filter(case=case, source_key__startswith="silence:")
    assert (task.owner, task.status, task.priority) == ("team:care", TaskStatus.OPEN, 1)
    assert task.title == f"{case.reference}: no word to the customer for 2d 22h — write to them before the 3d run out"
    assert task.due_at == datetime(2026, 12, 27, 16, 30, tzinfo=UTC)
    [entry] = guard_entries(case)
    assert entry.summary == "No word to the customer for 2d 22h (at most 3d): team:care asked to write"
    assert guard_messages(case) == []
    # When the worker passes again in the same silence: no second task
    worker_at(datetime(2026, 12, 28, 9, 0, tzinfo=UTC))
    assert Task.objects.filter(case=case, source_key__startswith="silence:").count() == 1
    assert len(guard_entries(case)) == 1


def test_journey_check_counts_the_silence_with_the_saved_hours(lead: Client) -> None:
    # Given the shop's saved hours with England's holidays
    lead_sets_hours(lead)
    out, err = io.StringIO(), io.StringIO()
    # When a person checks order-problem (the top-level command reads the database's hours)
    with at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)), redirect_stdout(out), redirect_stderr(err):
        code = touchpoint_main(["journey", "check", "order-problem"])
    # Then the silence over Christmas is said, as a warning: the guard's still_on_it keeps the bound
    assert (code, err.getvalue()) == (0, "")
    text = out.getvalue()
    assert "warning J209 silence-bound: with the shop's opening hours, a customer can go 4d 20h" in text
    assert "; the silence guard sends `still_on_it` after 2d 22h" in text
