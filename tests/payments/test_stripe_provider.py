"""The Stripe provider against Stripe's recorded answers: what it sends, and how it reads events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import stripe

from tests.payments.conftest import RECORDED, WEBHOOK_SECRET, RecordedStripe, signed, stripe_event
from touchpoint.payments.providers.base import CheckoutRequest, ProviderError, WebhookRejected
from touchpoint.payments.providers.stripe import StripeProvider

SESSION = "cs_test_a1Nano4gRepairTP0000000000000000000000000000000000000"


def provider(wire: RecordedStripe) -> StripeProvider:
    return StripeProvider(secret_key="sk_test_touchpoint", webhook_secret=WEBHOOK_SECRET, http_client=wire)


def request(**changes: object) -> CheckoutRequest:
    values: dict[str, object] = {
        "reference": "TP-4K7Q9",
        "description": "Repair order TP-4K7Q9: diagnosis and repair",
        "amount": Decimal("39.00"),
        "currency": "gbp",
        "customer_email": "ian@example.com",
        "success_url": "https://shop.example/c/tok/?payment=done",
        "cancel_url": "https://shop.example/c/tok/?payment=cancelled",
        "expires_at": datetime(2026, 11, 22, 19, 31, tzinfo=UTC),
        "idempotency_key": "checkout-TP-4K7Q9-v1-p7",
    }
    values.update(changes)
    return CheckoutRequest(**values)  # type: ignore[arg-type]


def test_a_checkout_session_is_created_with_the_price_in_pence_an_expiry_and_the_idempotency_key() -> None:
    # Given Stripe answers with its recorded session
    wire = RecordedStripe()
    wire.reply("checkout_session_created")
    # When the provider starts a checkout
    started = provider(wire).checkout_create(request())
    # Then it sent one POST to Stripe's checkout sessions with exactly what the case needs
    assert len(wire.requests) == 1
    sent = wire.requests[0]
    assert (sent["method"], sent["url"]) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent["idempotency_key"] == "checkout-TP-4K7Q9-v1-p7"
    assert sent["form"] == {
        "mode": "payment",
        "client_reference_id": "TP-4K7Q9",
        "customer_email": "ian@example.com",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "gbp",
        "line_items[0][price_data][unit_amount]": "3900",
        "line_items[0][price_data][product_data][name]": "Repair order TP-4K7Q9: diagnosis and repair",
        "metadata[case]": "TP-4K7Q9",
        "payment_intent_data[metadata][case]": "TP-4K7Q9",
        "success_url": "https://shop.example/c/tok/?payment=done",
        "cancel_url": "https://shop.example/c/tok/?payment=cancelled",
        "expires_at": str(int(datetime(2026, 11, 22, 19, 31, tzinfo=UTC).timestamp())),
    }
    # And it hands back the session's id and hosted page as Stripe recorded them, and the expiry it set
    assert started.provider_ref == SESSION
    assert started.url == f"https://checkout.stripe.com/c/pay/{SESSION}#fidkdWxOYHwnPyd1blpxYHZxWjA0"
    assert started.expires_at == datetime(2026, 11, 22, 19, 31, tzinfo=UTC)


def test_stripe_refusing_the_key_is_a_provider_error_that_says_so() -> None:
    wire = RecordedStripe()
    wire.reply("error_api_key_expired", status=401)
    with pytest.raises(ProviderError, match="Expired API Key provided"):
        provider(wire).checkout_create(request())


def test_a_signed_completed_event_reads_as_succeeded_with_its_session_and_amount() -> None:
    payload, header = signed(stripe_event("event_checkout_session_completed", event_id="evt_1", session_id="cs_x"))
    event = provider(RecordedStripe()).event_parse(payload=payload.encode(), signature=header)
    assert (event.event_id, event.type, event.outcome, event.provider_ref) == (
        "evt_1",
        "checkout.session.completed",
        "succeeded",
        "cs_x",
    )
    assert (event.amount, event.currency) == (Decimal("39.00"), "gbp")


@pytest.mark.parametrize(
    ("recorded", "changes", "outcome"),
    [
        ("event_checkout_session_expired", {}, "expired"),
        ("event_checkout_session_async_payment_failed", {}, "declined"),
        ("event_checkout_session_completed", {"payment_status": "unpaid"}, "waiting"),
    ],
)
def test_expired_failed_and_unsettled_sessions_read_as_such(
    recorded: str, changes: dict[str, str], outcome: str
) -> None:
    payload, header = signed(stripe_event(recorded, event_id="evt_2", session_id="cs_y", **changes))
    event = provider(RecordedStripe()).event_parse(payload=payload.encode(), signature=header)
    assert (event.outcome, event.provider_ref) == (outcome, "cs_y")


def test_an_event_about_something_else_is_other_and_names_no_session() -> None:
    body = json.loads((RECORDED / "event_payment_intent_created.json").read_text())
    payload, header = signed(body)
    event = provider(RecordedStripe()).event_parse(payload=payload.encode(), signature=header)
    assert (event.event_id, event.outcome, event.provider_ref) == ("evt_1RecordedIntentCreated", "other", "")


@pytest.mark.parametrize(
    ("body", "header", "message"),
    [
        ("wrong secret", "whsec_someone_else", "does not match: STRIPE_WEBHOOK_SECRET must be"),
        ("stale", "stale", "more than 5 minutes old"),
        ("no header", None, "header is missing"),
    ],
)
def test_a_forged_stale_or_unsigned_event_is_rejected_with_the_reason(
    body: str, header: str | None, message: str
) -> None:
    event = stripe_event("event_checkout_session_completed", event_id="evt_3", session_id="cs_z")
    if header == "stale":
        payload, sig = signed(event, timestamp=1_000_000_000)  # 2001: far outside the 5 minutes
    elif header is None:
        payload, sig = json.dumps(event), None
    else:
        payload, sig = signed(event, secret=header)
    with pytest.raises(WebhookRejected, match=message):
        provider(RecordedStripe()).event_parse(payload=payload.encode(), signature=sig)


def test_a_signed_body_that_is_not_an_event_is_rejected() -> None:
    payload = '{"hello": "world"}'
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    with pytest.raises(WebhookRejected, match="not a Stripe event"):
        provider(RecordedStripe()).event_parse(payload=payload.encode(), signature=header)
