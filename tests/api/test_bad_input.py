"""Issue 13, item 4: exact requests to the signed webhooks that answered 500, and Stripe events
signed for a time in the future. Each gets a 4xx saying what is wrong, and nothing is stored."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from tests.payments.conftest import WEBHOOK_SECRET, RecordedStripe, signed
from touchpoint.api.signing import signature_for
from touchpoint.inbox.models import InboundMessage
from touchpoint.payments.models import PaymentEvent

pytestmark = pytest.mark.django_db
EMAIL_SECRET = "whsec-test-0123456789"
RAW = b"From: ian@example.com\r\nTo: help@touchpoint.localhost\r\nSubject: hello\r\n\r\nHi\r\n"


@pytest.fixture
def email_secret(settings: Any) -> None:
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = EMAIL_SECRET


def post_email(timestamp: str, *, body: bytes = RAW) -> Any:
    signature = signature_for(secret=EMAIL_SECRET, timestamp=timestamp, body=body)
    headers = {"X-Touchpoint-Timestamp": timestamp, "X-Touchpoint-Signature": signature}
    return Client().post("/hooks/email", data=body, content_type="message/rfc822", headers=headers)


def test_an_email_timestamp_of_309_nines_is_refused_before_authentication(email_secret: None) -> None:
    # int("9" * 309) is larger than any float: comparing it with time.time() raised OverflowError
    response = post_email("9" * 309)
    assert response.status_code == 401
    assert response.json() == {"error": "X-Touchpoint-Timestamp must be Unix time in whole seconds"}
    assert InboundMessage.objects.count() == 0


NOW_AS = {
    "superscript digits": lambda now: now.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")),
    "Arabic-Indic digits": lambda now: now.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    "underscores": lambda now: f"{int(now):_}",
    "a sign": lambda now: f"+{now}",
    "a decimal point": lambda now: f"{now}.0",
}


@pytest.mark.parametrize("written", NOW_AS.values(), ids=NOW_AS.keys())
def test_an_email_timestamp_in_anything_but_plain_digits_is_refused(email_secret: None, written: Any) -> None:
    # The time now, signed correctly, but not written as plain ASCII digits
    response = post_email(written(str(int(time.time()))))
    assert response.status_code == 401
    assert response.json() == {"error": "X-Touchpoint-Timestamp must be Unix time in whole seconds"}
    assert InboundMessage.objects.count() == 0


def post_stripe(payload: str, header: str) -> Any:
    return Client().post("/hooks/stripe", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_a_signed_stripe_event_nested_100000_deep_is_refused(recorded_stripe: RecordedStripe) -> None:
    # json.loads raised RecursionError on 100,000 "[" then "]": the signature was good, so it got there
    payload = "[" * 100_000 + "]" * 100_000
    header = signed_header(payload)
    response = post_stripe(payload, header)
    assert response.status_code == 400
    assert response.json() == {"error": "the body is not a Stripe event: it is nested too deeply to read"}
    assert PaymentEvent.objects.count() == 0


def signed_header(payload: str, *, timestamp: int | None = None) -> str:
    import stripe

    return str(stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=timestamp))


EVENT = {"id": "evt_from_the_future", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}


@pytest.mark.parametrize("skew", [301, 3600, 10**9])
def test_a_stripe_event_signed_for_the_future_beyond_the_tolerance_is_refused(
    recorded_stripe: RecordedStripe, skew: int
) -> None:
    payload, header = signed(EVENT, timestamp=int(time.time()) + skew)
    response = post_stripe(payload, header)
    assert response.status_code == 400
    assert response.json() == {
        "error": "the Stripe-Signature is dated more than 5 minutes ahead of our clock: "
        "check this server's clock, or the request was forged"
    }
    assert PaymentEvent.objects.count() == 0


@pytest.mark.parametrize("skew", [-301, -3600])
def test_a_stripe_event_signed_in_the_past_beyond_the_tolerance_is_still_refused(
    recorded_stripe: RecordedStripe, skew: int
) -> None:
    payload, header = signed(EVENT, timestamp=int(time.time()) + skew)
    response = post_stripe(payload, header)
    assert response.status_code == 400
    assert response.json() == {
        "error": "the Stripe-Signature is more than 5 minutes old: a delayed or replayed request is not accepted"
    }
    assert PaymentEvent.objects.count() == 0


@pytest.mark.parametrize("skew", [-240, 0, 240])
def test_a_stripe_event_signed_within_the_tolerance_either_way_is_taken(
    recorded_stripe: RecordedStripe, skew: int
) -> None:
    payload, header = signed(EVENT, timestamp=int(time.time()) + skew)
    response = post_stripe(payload, header)
    assert response.status_code == 200
    assert response.json()["event"] == "evt_from_the_future"
    assert PaymentEvent.objects.filter(event_id="evt_from_the_future").count() == 1


SHAPES = {
    "an id longer than any of Stripe's": {**EVENT, "id": "evt_" + "x" * 300},
    "a type longer than any of Stripe's": {**EVENT, "type": "customer." + "x" * 100},
    "a null character in the id": {**EVENT, "id": "evt_\x00"},
    "a null character in a session's id": {
        "id": "evt_nul_session",
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_\x00", "payment_status": "paid", "amount_total": 3900, "currency": "gbp"}},
    },
    "a null character in a refund's id": {
        "id": "evt_nul_refund",
        "type": "refund.updated",
        "data": {"object": {"id": "re_\x00", "status": "succeeded", "amount": 3900, "currency": "gbp"}},
    },
}


@pytest.mark.parametrize("event", SHAPES.values(), ids=SHAPES.keys())
def test_a_signed_event_whose_ids_no_stripe_event_has_is_refused(
    recorded_stripe: RecordedStripe, event: dict[str, Any]
) -> None:
    # Stored as sent, these overflowed their columns or met PostgreSQL's refusal of NUL (a 500 there)
    payload, header = signed(event)
    response = post_stripe(payload, header)
    assert response.status_code == 400
    assert response.json()["error"].startswith("the body is not a Stripe event: its ")
    assert PaymentEvent.objects.count() == 0
