"""A customer who chose texts on the order page gets their touch points by text: the number they
typed is kept in E.164, the worker hands each text to Twilio's Messages API (a server on loopback
speaking its shapes, tests/support/twilio_server.py), and Twilio's refusals are handled as the
outbox handles a mail server's: retried with backoff, or dead with a person's task; a number that
sent STOP to Twilio is never texted again. Texts wait through the night in the customer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, error_beside, field_html, start
from tests.support import twilio_server
from tests.support.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, TwilioServer
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry, Timer, TimerStatus
from touchpoint.core.clock import at
from touchpoint.customers.models import Customer
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.usefixtures("shop")
twilio = twilio_server.twilio  # the fixture: a fake Twilio on loopback per test, the settings pointing at it

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # London is on UTC in December
TEXTS = {**GOOD, "phone": "07700 900 123", "channel": "sms"}


def order_by_text(client: Client, *, when: datetime = NOON, **change: str) -> Case:
    """The customer orders on the order page, choosing texts, at ``when``."""
    with at(when):
        response = client.post(URL, {**TEXTS, **change, "nonce": start(client)})
    assert response.status_code == 303, response.content.decode()[:2000]
    return Case.objects.select_related("customer").get()


def worker_pass(when: datetime) -> None:
    with at(when):
        Worker(worker_id="w1").run(until_idle=True)


def payment_never_comes(case: Case) -> datetime:
    """The order's wait for payment runs out: the worker fires the timer when it falls due."""
    timer = Timer.objects.get(case=case, purpose="wait", status=TimerStatus.PENDING)
    worker_pass(timer.due_at)
    return timer.due_at


def test_a_customer_who_chooses_texts_gets_the_order_touch_point_by_text_from_twilio(
    client: Client, twilio: TwilioServer
) -> None:
    case = order_by_text(client)

    assert case.customer.phone == "+447700900123"  # as typed, "07700 900 123", kept in E.164
    assert case.customer.preferred_channel == "sms"
    worker_pass(NOON)

    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form["To"] == "+447700900123"
    assert request.form["From"] == FROM_NUMBER
    assert case.reference in request.form["Body"] and "/c/" in request.form["Body"]  # the case's own link
    message = OutboxMessage.objects.get(case=case)
    # our id for the text rides in the signed address, for a receipt that beats the worker's record
    assert request.form["StatusCallback"] == f"http://127.0.0.1:8000/hooks/sms/twilio/status?m={message.pk}"
    assert (message.channel, message.recipient, message.status) == ("sms", "+447700900123", MessageStatus.SENT)
    assert (message.provider_ref, message.delivery, message.attempts) == (request.sid, "queued", 1)
    assert message.body_text == request.form["Body"]


def test_texts_go_from_the_messaging_service_when_one_is_configured(
    client: Client, twilio: TwilioServer, settings: object
) -> None:
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32  # type: ignore[attr-defined]
    case = order_by_text(client)

    worker_pass(NOON)

    [request] = twilio.sent
    assert request.form["MessagingServiceSid"] == "MG" + "0" * 32 and "From" not in request.form
    assert OutboxMessage.objects.get(case=case).delivery == "accepted"


@pytest.mark.parametrize(
    ("typed", "country", "error"),
    [
        (
            "0113 496 0000",
            "GB",
            "0113 496 0000 isn&#x27;t a mobile number in the United Kingdom; type it as on your phone, "
            "e.g. 07700 900 123, or with +44.",
        ),
        (
            "07700 90012",
            "GB",
            "07700 90012 isn&#x27;t a complete phone number in the United Kingdom: check the digits; type it "
            "as on your phone, e.g. 07700 900 123, or with +44.",
        ),
        (
            "call me",
            "GB",
            "“call me” isn&#x27;t a phone number; type it as on your phone, e.g. 07700 900 123, or with +44.",
        ),
    ],
)
def test_a_number_we_cant_text_is_refused_at_intake_saying_how_to_type_it_and_the_entry_is_kept(
    client: Client, twilio: TwilioServer, typed: str, country: str, error: str
) -> None:
    response = client.post(URL, {**TEXTS, "phone": typed, "country": country, "nonce": start(client)})

    html = response.content.decode()
    assert response.status_code == 422
    assert error_beside(html, "phone") == error
    assert f'value="{typed}"' in field_html(html, "phone")
    assert (Case.objects.count(), Customer.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_a_number_twilio_calls_invalid_is_dead_at_once_and_a_person_gets_a_task(
    client: Client, twilio: TwilioServer
) -> None:
    case = order_by_text(client)
    twilio.answer("21211")

    worker_pass(NOON)

    message = OutboxMessage.objects.get(case=case)
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 1)
    assert message.last_error == (
        "Twilio 400 (error 21211): Unable to create record: Invalid 'To' Phone Number: +447700900123"
    )
    task = Task.objects.get(case=case, kind=TaskKind.DELIVERY_FAILED)
    assert task.title == f"{case.reference}: message to +447700900123 was refused"
    entry = TimelineEntry.objects.filter(case=case).latest("seq")
    assert entry.event == "message_failed"
    assert len(twilio.requests) == 1  # never tried again
    assert Customer.objects.get().sms_opted_out_at is None


def test_a_number_that_sent_stop_to_twilio_is_opted_out_and_the_next_touch_point_goes_by_email(
    client: Client, twilio: TwilioServer
) -> None:
    case = order_by_text(client)
    twilio.answer("21610")

    worker_pass(NOON)

    text = OutboxMessage.objects.get(case=case)
    assert (text.status, text.attempts) == (MessageStatus.DEAD, 1)
    assert "21610" in text.last_error
    customer = Customer.objects.get()
    assert customer.sms_opted_out_at == NOON
    opted = TimelineEntry.objects.get(case=case, event="sms_opted_out")
    assert opted.summary.startswith("+447700900123 opted out of texts (the provider refused: Twilio 400 (error 21610)")
    assert Task.objects.filter(case=case, kind=TaskKind.DELIVERY_FAILED).count() == 1  # a person tells them

    due = payment_never_comes(case)

    nudge = OutboxMessage.objects.filter(case=case).exclude(pk=text.pk).get()
    assert (nudge.touchpoint, nudge.channel, nudge.recipient) == ("payment_not_received", "email", "tom@example.com")
    assert nudge.status == MessageStatus.SENT and nudge.sent_at == due
    assert len(twilio.requests) == 1  # the opted-out number was never texted again


def test_twilio_saying_too_many_requests_is_retried_after_the_backoff_then_sent(
    client: Client, twilio: TwilioServer
) -> None:
    case = order_by_text(client)
    twilio.answer("429")

    worker_pass(NOON)

    message = OutboxMessage.objects.get(case=case)
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert message.last_error == "Twilio 429 (error 20429): Unable to create record: Too Many Requests"
    assert message.next_attempt_at == NOON + timedelta(seconds=30)
    worker_pass(NOON + timedelta(seconds=29))
    assert len(twilio.requests) == 1  # not before its time

    worker_pass(message.next_attempt_at)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_ref) == (MessageStatus.SENT, 2, twilio.sent[0].sid)
    assert [r.answered for r in twilio.requests] == [429, 201]


@pytest.mark.parametrize("trouble", ["500", "hang_up"])
def test_twilio_failing_or_not_answering_is_retried(client: Client, twilio: TwilioServer, trouble: str) -> None:
    case = order_by_text(client)
    twilio.answer(trouble)

    worker_pass(NOON)
    message = OutboxMessage.objects.get(case=case)
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    worker_pass(message.next_attempt_at)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)


def test_a_text_after_the_last_attempt_is_dead_and_a_person_gets_a_task(
    client: Client, twilio: TwilioServer, settings: object
) -> None:
    settings.TOUCHPOINT_OUTBOX_MAX_ATTEMPTS = 2  # type: ignore[attr-defined]
    case = order_by_text(client)
    twilio.answer("429", "429")

    worker_pass(NOON)
    worker_pass(OutboxMessage.objects.get(case=case).next_attempt_at)

    message = OutboxMessage.objects.get(case=case)
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 2)
    task = Task.objects.get(case=case, kind=TaskKind.DELIVERY_FAILED)
    assert task.title == f"{case.reference}: message to +447700900123 failed 2 times"


def test_a_text_at_night_waits_for_eight_in_the_morning_in_the_customers_time_zone(
    client: Client, twilio: TwilioServer
) -> None:
    # Ordered at 22:30 (the order's own answer goes at once: the customer just asked for it) ...
    case = order_by_text(client, when=datetime(2026, 12, 7, 22, 30, tzinfo=UTC))
    worker_pass(datetime(2026, 12, 7, 22, 30, tzinfo=UTC))
    assert [r.answered for r in twilio.requests] == [201]

    # ... and two days later, at 22:30, the wait for payment runs out: that nudge is ours, not asked for.
    due = payment_never_comes(case)

    nudge = OutboxMessage.objects.get(case=case, touchpoint="payment_not_received")
    assert due == datetime(2026, 12, 9, 22, 30, tzinfo=UTC)
    assert (nudge.channel, nudge.status) == ("sms", MessageStatus.PENDING)
    assert nudge.next_attempt_at == datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    worker_pass(datetime(2026, 12, 10, 7, 59, tzinfo=UTC))
    assert len(twilio.requests) == 1  # nothing in the night

    worker_pass(datetime(2026, 12, 10, 8, 0, tzinfo=UTC))

    assert [r.form["To"] for r in twilio.sent] == ["+447700900123", "+447700900123"]
    nudge.refresh_from_db()
    assert nudge.status == MessageStatus.SENT
