"""A customer who chose texts gets the touch point by text: the worker hands it to Twilio's
Messages API (a server on loopback speaking its shapes), records the SID, and treats Twilio's
refusals as the outbox treats a mail server's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.orders import place_repair_order
from tests.support.twilio_server import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, TwilioServer, twilio  # noqa: F401
from touchpoint.cases.models import Case
from touchpoint.core.clock import at
from touchpoint.customers.services import Contact
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.worker.loop import Worker

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TEXTS = Contact(
    name="Maya Okafor",
    email="maya@example.com",
    phone="07700 900 123",
    address_line1="12 Mill Lane",
    town="Bristol",
    postcode="BS1 4DJ",
    country="GB",
    preferred_channel="sms",
)


def ordered(contact: Contact = TEXTS) -> Case:
    with at(NOON):
        return place_repair_order(contact=contact)


@pytest.mark.django_db
def test_the_order_touch_point_goes_by_text_to_twilio_with_the_sid_recorded(twilio: TwilioServer) -> None:
    case = ordered()

    with at(NOON):
        totals = Worker(worker_id="w1").run(until_idle=True)

    assert totals.sent == 1
    [request] = twilio.sent
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.form["To"] == "+447700900123"
    assert request.form["From"] == FROM_NUMBER
    assert request.form["StatusCallback"] == "http://127.0.0.1:8000/hooks/sms/twilio/status"
    assert case.reference in request.form["Body"]
    message = OutboxMessage.objects.get(case=case)
    assert (message.channel, message.recipient, message.status) == ("sms", "+447700900123", MessageStatus.SENT)
    assert (message.provider_ref, message.delivery) == (request.sid, "queued")
    assert message.body_text == request.form["Body"]
