"""Starting a card checkout: one Stripe session per page the customer saw, and the case waits for Stripe."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.payments.conftest import SESSION_ID, RecordedStripe, open_repair, start_checkout, touchpoints
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.flows.payments import PaymentRefused, card_checkout_start, payment_event_apply
from touchpoint.payments.models import Payment, PaymentStatus
from touchpoint.payments.providers import registry
from touchpoint.payments.providers.base import ProviderEvent

pytestmark = pytest.mark.usefixtures("mail_in_repair")


def test_paying_by_card_makes_one_session_for_the_price_and_the_case_waits_for_stripe(
    recorded_stripe: RecordedStripe,
) -> None:
    # Given a new order for a nano-4g (diagnosis 39.00)
    case = open_repair()
    # When the customer presses "Pay by card"
    payment = start_checkout(case, recorded_stripe)
    # Then one pending card payment points at Stripe's session, and the case checks the payment
    assert (payment.provider, payment.amount, payment.currency, payment.status) == (
        "stripe",
        Decimal("39.00"),
        "gbp",
        PaymentStatus.PENDING,
    )
    assert (payment.provider_ref, payment.checkout_url) == (
        SESSION_ID,
        f"https://checkout.stripe.com/c/pay/{SESSION_ID}",
    )
    assert recorded_stripe.requests[0]["idempotency_key"] == f"checkout-{case.reference}-v1-p{payment.pk}"
    assert recorded_stripe.requests[0]["form"]["line_items[0][price_data][unit_amount]"] == "3900"
    # The session closes by itself 31 minutes on (Stripe's least is 30), so an abandoned one is reported
    expires = int((payment.created_at + timedelta(minutes=31)).timestamp())
    assert int(recorded_stripe.requests[0]["form"]["expires_at"]) == expires
    assert payment.expires_at is not None and int(payment.expires_at.timestamp()) == expires
    case.refresh_from_db()
    assert (case.state, case.version) == ("payment_processing", 2)
    # And the customer isn't messaged for watching the page process (the journey marks it silent)
    assert touchpoints(case) == ["order_received"]


def test_a_double_click_makes_one_session_and_one_move(recorded_stripe: RecordedStripe) -> None:
    # Given the customer pressed "Pay by card" once
    case = open_repair()
    first = start_checkout(case, recorded_stripe)
    # When the same page's button is pressed again (the page still says version 1)
    provider = registry.stripe_provider()
    assert provider is not None
    again = card_checkout_start(
        case=Case.objects.get(pk=case.pk),
        seen_version=1,
        provider=provider,
        success_url="http://testserver/c/token/?payment=done",
        cancel_url="http://testserver/c/token/?payment=cancelled",
    )
    # Then it is the same payment and session; Stripe was asked once; the case moved once
    assert again.pk == first.pk
    assert len(recorded_stripe.requests) == 1
    assert Payment.objects.count() == 1
    assert list(TimelineEntry.objects.filter(case=case).values_list("event", flat=True)) == ["opened", "card_submitted"]


def test_a_stale_page_is_refused_and_nothing_is_sent_to_stripe(recorded_stripe: RecordedStripe) -> None:
    case = open_repair()
    provider = registry.stripe_provider()
    assert provider is not None
    with pytest.raises(CaseConflict):
        card_checkout_start(case=case, seen_version=0, provider=provider, success_url="x", cancel_url="y")
    assert (recorded_stripe.requests, Payment.objects.count()) == ([], 0)


def test_stripe_unreachable_leaves_the_case_waiting_and_the_next_try_starts_afresh(
    recorded_stripe: RecordedStripe,
) -> None:
    # Given Stripe refuses the first request
    case = open_repair()
    recorded_stripe.reply("error_api_key_expired", status=401)
    provider = registry.stripe_provider()
    assert provider is not None
    with pytest.raises(
        PaymentRefused, match="couldn't reach the card payment service just now, and nothing was charged"
    ):
        card_checkout_start(case=case, seen_version=1, provider=provider, success_url="x", cancel_url="y")
    # Then the case still waits for payment and the failed attempt is kept with its reason
    case.refresh_from_db()
    assert (case.state, case.version) == ("awaiting_payment", 1)
    failed = Payment.objects.get()
    assert (failed.status, failed.idempotency_key, failed.provider_ref) == (PaymentStatus.FAILED, None, "")
    assert failed.problem.startswith("Stripe refused or could not be reached: Expired API Key provided")
    # When the customer tries again, a new attempt goes to Stripe under a new key
    payment = start_checkout(case, recorded_stripe)
    assert payment.pk != failed.pk
    keys = [r["idempotency_key"] for r in recorded_stripe.requests]
    assert keys == [f"checkout-{case.reference}-v1-p{failed.pk}", f"checkout-{case.reference}-v1-p{payment.pk}"]


def test_a_case_that_is_not_waiting_for_payment_is_refused(recorded_stripe: RecordedStripe) -> None:
    case = open_repair()
    start_checkout(case, recorded_stripe)
    moved = Case.objects.get(pk=case.pk)
    provider = registry.stripe_provider()
    assert provider is not None
    with pytest.raises(PaymentRefused, match="isn't waiting for a payment any more"):
        card_checkout_start(case=moved, seen_version=moved.version, provider=provider, success_url="x", cancel_url="y")
    assert (len(recorded_stripe.requests), Payment.objects.count()) == (1, 1)


def test_an_old_page_pressed_after_its_checkout_expired_is_stale_not_sent_to_a_dead_session(
    recorded_stripe: RecordedStripe,
) -> None:
    # Given the customer's first checkout expired, so the case now asks them to try again
    case = open_repair()
    payment = start_checkout(case, recorded_stripe)
    payment_event_apply(
        event=ProviderEvent(
            event_id="evt_gone", type="checkout.session.expired", outcome="expired", provider_ref=SESSION_ID
        )
    )
    moved = Case.objects.get(pk=case.pk)
    assert (moved.state, moved.version) == ("payment_failed", 3)
    # When the old page (version 1) is submitted from another tab
    provider = registry.stripe_provider()
    assert provider is not None
    with pytest.raises(CaseConflict):
        card_checkout_start(case=moved, seen_version=1, provider=provider, success_url="x", cancel_url="y")
    # Then nothing new is made: the fresh page (version 3) is the one that can try again
    assert (len(recorded_stripe.requests), Payment.objects.get().pk) == (1, payment.pk)
