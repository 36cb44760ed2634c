"""Delivery receipts: the worker texts a touch point through Twilio (a server on loopback), Twilio
posts what became of it to the signed status webhook, and the text's delivery follows, forward only.
An undeliverable text reaches the customer by email instead, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from tests.sms.customers import MOBILE, order_with_phone
from tests.support import twilio_server
from tests.support.twilio_server import TwilioRequest, TwilioServer, status_callback
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.core.clock import at
from touchpoint.links.services import link_token
from touchpoint.outbox.models import OutboxMessage
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
twilio = twilio_server.twilio  # the fixture: a fake Twilio on loopback per test, the settings pointing at it
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def texted(twilio: TwilioServer, **order: Any) -> tuple[Case, OutboxMessage, TwilioRequest]:
    """A customer who chose texts orders; the worker texts them the order's touch point."""
    with at(NOON):
        case = order_with_phone(**order)
        Worker(worker_id="w1").run(until_idle=True)
    [sent] = twilio.sent
    return case, OutboxMessage.objects.get(provider_ref=sent.sid), sent


def twilio_reports(sent: TwilioRequest, status: str, *, error_code: str | None = None) -> Any:
    """Twilio's signed status callback, a minute after the text went (on the tests' clock, not the
    machine's: what it writes must fall due when the worker next runs)."""
    url, form, headers = status_callback(sent, status, error_code=error_code)
    with at(NOON + timedelta(minutes=1)):
        return Client().post(
            _called(url), data=urlencode(form), content_type="application/x-www-form-urlencoded", headers=headers
        )


def _called(url: str) -> str:
    """The path and query Twilio calls (it signs both)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_receipt_moves_the_texts_delivery_forward_and_never_back(twilio: TwilioServer) -> None:
    _, text, sent = texted(twilio)
    assert text.delivery == "queued"

    answers = [twilio_reports(sent, status).json() for status in ("sent", "delivered", "sent")]

    assert [a["outcome"] for a in answers] == ["recorded", "recorded", "unchanged"]
    assert answers[0] == {
        "sid": sent.sid,
        "status": "sent",
        "outcome": "recorded",
        "message": text.pk,
        "fallback": None,
        "task": None,
    }
    text.refresh_from_db()
    assert (text.delivery, text.delivery_error) == ("delivered", "")


def test_an_undelivered_text_comes_by_email_instead_once(twilio: TwilioServer) -> None:
    case, text, sent = texted(twilio)

    first = twilio_reports(sent, "undelivered", error_code="30003")
    again = twilio_reports(sent, "undelivered", error_code="30003")
    late = twilio_reports(sent, "failed", error_code="30003")

    assert first.status_code == 200
    text.refresh_from_db()
    assert (text.delivery, text.delivery_error) == ("undelivered", "30003")
    email = OutboxMessage.objects.get(fallback_for=text)
    assert first.json()["fallback"] == email.pk
    assert (again.json()["outcome"], late.json()["outcome"]) == ("unchanged", "unchanged")
    assert (email.channel, email.recipient, email.touchpoint, email.case) == (
        "email",
        case.customer.email,
        text.touchpoint,
        case,
    )
    assert email.status == "pending"
    assert case.reference in email.subject
    entry = TimelineEntry.objects.get(case=case, event="text_undelivered")
    assert entry.summary.startswith(f"Text “{text.subject}” to {MOBILE} was not delivered (30003)")
    assert entry.summary.endswith("sent by email instead")
    assert not Task.objects.filter(kind=TaskKind.DELIVERY_FAILED).exists()

    with at(NOON + timedelta(minutes=2)):
        Worker(worker_id="w1").run(until_idle=True)
    email.refresh_from_db()
    assert email.status == "sent"  # the email went out through the mail channel
    assert len(twilio.sent) == 1  # and nothing was texted again


def test_a_receipt_for_a_text_we_never_sent_changes_nothing(twilio: TwilioServer) -> None:
    _, text, sent = texted(twilio)
    stranger = TwilioRequest("POST", sent.path, dict(sent.form), sent.auth, 201, sid="SM" + "f" * 32)
    response = twilio_reports(stranger, "undelivered", error_code="30003")
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown"
    text.refresh_from_db()
    assert text.delivery == "queued"
    assert not OutboxMessage.objects.filter(fallback_for__isnull=False).exists()


def test_a_forged_receipt_is_refused_and_changes_nothing(twilio: TwilioServer) -> None:
    _, text, sent = texted(twilio)
    url, form, _ = status_callback(sent, "undelivered", error_code="30003")
    for signature in ("", "Zm9yZ2Vk", status_callback(sent, "delivered")[2]["X-Twilio-Signature"]):
        response = Client().post(
            _called(url),
            data=urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature} if signature else {},
        )
        assert response.status_code == 401
        assert "X-Twilio-Signature" in response.json()["error"]
    text.refresh_from_db()
    assert text.delivery == "queued"
    assert not OutboxMessage.objects.filter(fallback_for__isnull=False).exists()


def test_an_undelivered_text_to_a_customer_who_wants_texts_only_is_a_task_not_an_email(twilio: TwilioServer) -> None:
    with at(NOON):
        case = order_with_phone()
    client = Client()
    token = link_token(case=case)  # the link in our message to them
    assert client.post(f"/c/{token}/reach/", {"channel": "sms_only", "phone": MOBILE}).status_code == 302
    with at(NOON):
        Worker(worker_id="w1").run(until_idle=True)
    [sent] = twilio.sent
    text = OutboxMessage.objects.get(provider_ref=sent.sid)

    first = twilio_reports(sent, "failed", error_code="30005")
    twilio_reports(sent, "failed", error_code="30005")

    task = Task.objects.get(kind=TaskKind.DELIVERY_FAILED)
    assert first.json()["task"] == task.pk
    assert task.case_id == case.pk
    assert task.title == f"{case.reference}: a text to {MOBILE} could not be delivered — reach them another way"
    assert "asked for texts only" in task.detail
    assert not OutboxMessage.objects.filter(fallback_for=text).exists()
    entry = TimelineEntry.objects.get(case=case, event="text_undelivered")
    assert entry.detail["task"] == task.pk


@pytest.mark.django_db(transaction=True)  # the receipt is posted from Twilio's thread: it must see committed rows
def test_a_receipt_that_comes_before_twilios_answer_is_kept_and_the_sends_record_does_not_undo_it(
    twilio: TwilioServer,
) -> None:
    """A number that fails at once: Twilio calls the status webhook while the worker still waits for
    the answer to its create request, so no text of ours has that SID yet. The callback's signed
    address names the text; the receipt records the SID itself, the email goes instead, and the
    worker's "sent, queued" afterwards does not move the delivery back."""
    answers: list[Any] = []
    twilio.before_answer = lambda sent: answers.append(twilio_reports(sent, "undelivered", error_code="30003"))
    with at(NOON):
        case = order_with_phone()
        Worker(worker_id="w1").run(until_idle=True)

    [sent] = twilio.sent
    [early] = answers
    assert early.status_code == 200, early.content
    text = OutboxMessage.objects.get(case=case, channel="sms")
    assert early.json()["outcome"] == "recorded"
    assert early.json()["message"] == text.pk
    assert (text.status, text.provider_ref) == ("sent", sent.sid)
    assert (text.delivery, text.delivery_error) == ("undelivered", "30003")
    email = OutboxMessage.objects.get(fallback_for=text)
    assert early.json()["fallback"] == email.pk
    assert email.channel == "email"
    assert TimelineEntry.objects.filter(case=case, event="text_undelivered").count() == 1
