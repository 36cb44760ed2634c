"""The demo card provider as the payment services see it (``payments.providers``): in the demo it is
the card provider, speaks Stripe's protocol, and refunds as Stripe refunds a test card."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.demopay.conftest import DEMO_SECRET, pay, place_order, to_checkout
from touchpoint.demopay.models import DemoEvent, DemoRefund, DemoSession, EventStatus
from touchpoint.demopay.provider import DemoCardProvider
from touchpoint.payments.providers.base import CheckoutRequest, ProviderError, RefundRequest, RefundStarted
from touchpoint.payments.providers.registry import card_provider, stripe_provider
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.usefixtures("demo_card")


def paid_session(client: Client) -> DemoSession:
    order = place_order()
    pay(client, to_checkout(client, order))
    return DemoSession.objects.get()


def refund(session: DemoSession, amount: str, key: str = "refund-1") -> RefundRequest:
    return RefundRequest(
        payment_ref=session.payment_intent,
        amount=Decimal(amount),
        currency="gbp",
        reference=session.reference,
        idempotency_key=key,
    )


def provider() -> DemoCardProvider:
    found = card_provider()
    assert isinstance(found, DemoCardProvider)
    return found


def test_in_the_demo_the_card_provider_is_the_demo_card_page_checking_stripes_signature(db: Any) -> None:
    found = provider()
    assert stripe_provider() == found
    assert (found.key, found.label, found.online, found.webhook_secret) == (
        "stripe",
        "Card (demo: no real money)",
        True,
        DEMO_SECRET,
    )


def test_the_same_idempotency_key_gets_the_same_session(db: Any) -> None:
    request = CheckoutRequest(
        reference="TP-DEMO1",
        description="Repair order TP-DEMO1: diagnosis and repair",
        amount=Decimal("39.00"),
        currency="gbp",
        customer_email="ian@example.com",
        success_url="http://127.0.0.1:8080/c/abc/?payment=done",
        cancel_url="http://127.0.0.1:8080/c/abc/?payment=cancelled",
        expires_at=datetime(2030, 1, 1, 12, 31, tzinfo=UTC),
        idempotency_key="checkout-TP-DEMO1-v1-p1",
    )

    first, second = provider().checkout_create(request), provider().checkout_create(request)

    assert first == second
    assert first.url == f"http://127.0.0.1:8080/demo-pay/checkout/{first.provider_ref}/"  # the customer's origin
    assert first.expires_at == request.expires_at
    assert DemoSession.objects.count() == 1


def test_a_refund_is_recorded_once_per_key_and_tells_the_shop_as_stripe_does(
    live_server: Any, settings: Any, client: Client
) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = live_server.url
    session = paid_session(client)

    first = provider().refund_create(refund(session, "10.00"))
    again = provider().refund_create(refund(session, "10.00"))

    assert isinstance(first, RefundStarted) and first == again
    assert first.status == "succeeded" and first.provider_ref.startswith("re_")
    stored = DemoRefund.objects.get()
    assert (stored.id, stored.amount, stored.reference) == (first.provider_ref, Decimal("10.00"), session.reference)
    assert DemoSession.objects.get().amount_refunded == Decimal("10.00")
    queued = {
        e.type: json.loads(e.payload)["data"]["object"] for e in DemoEvent.objects.exclude(type__startswith="checkout")
    }
    assert {k: queued["refund.created"][k] for k in ("id", "amount", "currency", "payment_intent", "status")} == {
        "id": first.provider_ref,
        "amount": 1000,
        "currency": "gbp",
        "payment_intent": session.payment_intent,
        "status": "succeeded",
    }
    assert {k: queued["charge.refunded"][k] for k in ("amount", "amount_refunded", "refunded")} == {
        "amount": 3900,
        "amount_refunded": 1000,
        "refunded": False,
    }
    Worker(worker_id="w1").run_once()
    assert set(DemoEvent.objects.values_list("status", flat=True)) == {EventStatus.DELIVERED}


@pytest.mark.parametrize(
    ("amount", "payment_ref", "problem"),
    [
        (
            "39.01",
            None,
            "The demo card page refused the refund: Refund amount (£39.01) is greater than unrefunded amount on "
            "charge (£39.00)",
        ),
        ("0", None, "The demo card page refused the refund: a refund must be more than zero"),
        ("5.00", "pi_nothing", "The demo card page refused the refund: No such payment_intent: 'pi_nothing'"),
    ],
)
def test_a_refund_stripe_would_refuse_is_refused_for_good_and_records_nothing(
    db: Any, client: Client, amount: str, payment_ref: str | None, problem: str
) -> None:
    session = paid_session(client)
    request = refund(session, amount)
    if payment_ref is not None:
        request = RefundRequest(**{**request.__dict__, "payment_ref": payment_ref})

    with pytest.raises(ProviderError) as refused:
        provider().refund_create(request)

    assert (str(refused.value), refused.value.permanent) == (problem, True)
    assert (DemoRefund.objects.count(), DemoSession.objects.get().amount_refunded) == (0, Decimal("0"))
    assert list(DemoEvent.objects.values_list("type", flat=True)) == ["checkout.session.completed"]


def test_what_is_left_can_be_refunded_and_no_more(db: Any, client: Client) -> None:
    session = paid_session(client)
    provider().refund_create(refund(session, "30.00", key="a"))
    provider().refund_create(refund(session, "9.00", key="b"))

    with pytest.raises(ProviderError) as refused:
        provider().refund_create(refund(session, "0.01", key="c"))

    assert "Refund amount (£0.01) is greater than unrefunded amount on charge (£0.00)" in str(refused.value)
    assert DemoSession.objects.get().amount_refunded == Decimal("39.00")
    charge = json.loads(DemoEvent.objects.filter(type="charge.refunded").last().payload)["data"]["object"]  # type: ignore[union-attr]
    assert (charge["amount_refunded"], charge["refunded"]) == (3900, True)
