"""STOP and START end to end: the customer texts the signed webhook, and what the worker then sends
(to Twilio on loopback, or by email) follows. An opted-out number is never texted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.sms.customers import MOBILE, order_with_phone
from tests.sms.twilio_posts import text_from
from tests.support import twilio_server
from tests.support.timers import time_runs_out
from tests.support.twilio_server import TwilioServer
from touchpoint.cases.models import Case
from touchpoint.core.clock import at
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db
twilio = twilio_server.twilio  # the fixture: a fake Twilio on loopback per test, the settings pointing at it
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def customer_texts(body: str) -> None:
    # on the tests' clock, not the machine's: what it writes must fall due when the worker next runs
    with at(NOON + timedelta(seconds=30)):
        assert text_from(MOBILE, body).status_code == 200


def worker_pass(when: datetime) -> None:
    with at(when):
        Worker(worker_id="w1").run(until_idle=True)


def test_after_stop_touch_points_come_by_email(twilio: TwilioServer) -> None:
    with at(NOON):
        case = order_with_phone()
    worker_pass(NOON)
    assert [r.form["To"] for r in twilio.sent] == [MOBILE]

    customer_texts("STOP")

    reminder = _overdue(case)
    assert (reminder.channel, reminder.recipient) == ("email", case.customer.email)
    worker_pass(reminder.next_attempt_at)
    assert len(twilio.sent) == 1  # nothing more was texted


def test_after_start_touch_points_come_by_text_again(twilio: TwilioServer) -> None:
    with at(NOON):
        case = order_with_phone()
    customer_texts("STOP")
    customer_texts("START")

    reminder = _overdue(case)

    assert (reminder.channel, reminder.recipient) == ("sms", MOBILE)
    worker_pass(reminder.next_attempt_at)
    assert [r.form["To"] for r in twilio.sent] == [MOBILE]
    assert twilio.sent[0].form["Body"] == reminder.body_text


def test_a_text_written_before_the_stop_comes_by_email_and_is_never_texted(twilio: TwilioServer) -> None:
    with at(NOON):
        case = order_with_phone()  # the order's text is written, not yet sent
    text = OutboxMessage.objects.get(case=case, channel="sms")

    customer_texts("STOP")
    worker_pass(NOON + timedelta(minutes=1))

    text.refresh_from_db()
    assert text.status == MessageStatus.CANCELLED
    email = OutboxMessage.objects.get(fallback_for=text)
    assert (email.channel, email.recipient, email.touchpoint, email.status) == (
        "email",
        case.customer.email,
        text.touchpoint,
        MessageStatus.SENT,
    )
    assert twilio.sent == []


def _overdue(case: Case) -> OutboxMessage:
    """The payment's wait runs out: the reminder touch point is written."""
    time_runs_out(case)
    message = OutboxMessage.objects.filter(case=case, touchpoint="payment_not_received").order_by("-pk").first()
    assert message is not None
    return message
