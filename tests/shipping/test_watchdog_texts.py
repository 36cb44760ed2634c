"""Issue 15, part 6, by the customer's channel: the watchdog's honest word about a silent parcel goes
as a text to a customer who chose texts (within two segments, with their case's link), held through
the night on their clock like every text, and by email to one who opted out (or chose email, as
tests/shipping/test_watchdog.py shows). Kits ordered on the order page, dispatched at the scan
station, scanned by AfterShip's signed webhook; texts sent by the worker through Twilio's library to
a loopback server. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from tests.portal.story import Customer, crew, repair_at
from tests.shipping.parcel_story import T0, H, carrier_says, worker_pass
from tests.sms.twilio_posts import text_from
from tests.support import twilio_server
from tests.support.carriers import configure
from tests.support.twilio_server import TwilioServer
from touchpoint.cases.models import Case, Task
from touchpoint.core.clock import at
from touchpoint.outbox.models import OutboxMessage
from touchpoint.text.sms import sms_segments

pytestmark = pytest.mark.django_db
twilio = twilio_server.twilio  # the fixture: a fake Twilio on loopback, the settings pointing at it
NUMBER = "RM000000009GB"
PHONE = "+447700900123"  # the order form's "07700 900123", as the shop keeps it


@pytest.fixture(autouse=True)
def watchdog_settings(settings: Any) -> None:
    configure(settings)
    # No lane history: the bound is the ceiling, a day, inside the journey's 2½ days in the post
    settings.TOUCHPOINT_WATCHDOG_CEILING_HOURS = 24
    settings.TOUCHPOINT_WATCHDOG_FLOOR_HOURS = 24


def kit_sent(when: datetime, *, channel: str = "sms") -> Customer:
    """A prepaid-box repair ordered by a customer who chose ``channel``, its kit dispatched at ``when``
    and scanned by the carrier an hour later."""
    with at(when):
        customer = repair_at("box_to_send", channel=channel)
        staff = Client()
        staff.force_login(crew())
        response = staff.post(
            "/console/scan/",
            {
                "code": customer.case.reference,
                "action": "dispatched",
                "carrier": "Royal Mail",
                "tracking_number": NUMBER,
            },
        )
        assert response.status_code == 302
    carrier_says(NUMBER, [("InTransit", when + H)])
    return customer


def watchdog_messages(case: Case) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(case=case, idempotency_key__startswith="watchdog:").order_by("pk"))


def test_a_customer_who_chose_texts_hears_of_the_silent_parcel_by_text(twilio: TwilioServer) -> None:
    customer = kit_sent(T0)  # Monday 09:00, first scanned at 10:00
    case = customer.case
    # When the worker passes a minute after the bound (Tuesday 10:01, daytime in the UK)
    worker_pass(T0 + 25 * H + H / 60)
    # Then a person traces it, and the customer's word is a text to their number
    assert Task.objects.filter(case=case, source_key__startswith="watchdog:").count() == 1
    [message] = watchdog_messages(case)
    assert (message.channel, message.recipient) == ("sms", PHONE)
    body = message.body_text
    assert body.startswith(f"{case.reference}: Royal Mail hasn't scanned your repair kit since Monday 2 November.")
    assert "A person here is asking them to trace it now; nothing for you to do." in body
    assert "/c/" in body and body.endswith("Reply to reach a person.")
    assert sms_segments(body).segments <= 2
    assert "!" not in body
    # And the worker sent it through Twilio at once; no email said it too
    [sent] = [r for r in twilio.sent if r.form.get("Body") == body]
    assert sent.form["To"] == PHONE
    assert OutboxMessage.objects.get(pk=message.pk).status == "sent"
    assert not OutboxMessage.objects.filter(case=case, channel="email", subject__contains="gone quiet").exists()

    # When the worker passes again: no second text
    worker_pass(T0 + 30 * H)
    assert len(watchdog_messages(case)) == 1


def test_the_watchdogs_text_waits_for_the_morning_on_the_customers_clock(twilio: TwilioServer) -> None:
    customer = kit_sent(T0 + 12 * H)  # Monday 21:00, first scanned at 22:00
    case = customer.case
    # When the watchdog fires at 22:01 on Tuesday (London is on GMT in November)
    worker_pass(T0 + 37 * H + H / 60)
    # Then the task is a person's now, but the text waits for 08:00
    assert Task.objects.filter(case=case, source_key__startswith="watchdog:").count() == 1
    [message] = watchdog_messages(case)
    assert message.channel == "sms"
    assert message.next_attempt_at == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)
    assert not [r for r in twilio.sent if r.form.get("Body") == message.body_text]
    worker_pass(datetime(2026, 11, 4, 7, 59, tzinfo=UTC))
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"
    # When the morning comes: it goes
    worker_pass(datetime(2026, 11, 4, 8, 1, tzinfo=UTC))
    assert OutboxMessage.objects.get(pk=message.pk).status == "sent"
    assert [r.form["To"] for r in twilio.sent if r.form.get("Body") == message.body_text] == [PHONE]


def test_a_customer_who_texted_stop_hears_by_email(twilio: TwilioServer) -> None:
    customer = kit_sent(T0)
    case = customer.case
    # Given the customer texted STOP meanwhile
    with at(T0 + 2 * H):
        assert text_from(PHONE, "STOP").status_code == 200
    # When the watchdog fires
    worker_pass(T0 + 25 * H + H / 60)
    # Then its word goes by email, in full, and nothing is texted
    [message] = watchdog_messages(case)
    assert (message.channel, message.recipient) == ("email", "maya@example.com")
    assert "a person on our team is asking Royal Mail to trace it now" in message.body_text
    assert not [r for r in twilio.sent if "trace it" in r.form.get("Body", "")]
