"""The demo's card provider: Stripe Checkout's protocol, played offline by ``touchpoint.demopay``.

It is a :class:`StripeProvider` that never calls Stripe: a checkout is a session on the demo's own
card page, a refund is recorded there, and Stripe's events come back signed with
``STRIPE_WEBHOOK_SECRET`` to ``/hooks/stripe``, where the inherited :meth:`event_parse` reads them,
the very code that reads Stripe's. Payments through it are ``stripe`` payments, as they would be."""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from touchpoint.demopay.services import DemoRefused, checkout_url, demo_refund_create, demo_session_create
from touchpoint.payments.providers.base import (
    CheckoutRequest,
    CheckoutStarted,
    ProviderError,
    RefundRequest,
    RefundStarted,
)
from touchpoint.payments.providers.stripe import StripeProvider


@dataclass
class DemoCardProvider(StripeProvider):
    label: str = "Card (demo: no real money)"
    page_name: str = "the demo card page (no real money is taken)"

    def _client(self) -> stripe.StripeClient:
        raise ProviderError("the demo card provider never calls Stripe")

    def checkout_create(self, request: CheckoutRequest) -> CheckoutStarted:
        """A session on the demo card page; the same ``idempotency_key`` gets the same session back."""
        session = demo_session_create(request=request)
        return CheckoutStarted(provider_ref=session.id, url=checkout_url(session), expires_at=session.expires_at)

    def refund_create(self, request: RefundRequest) -> RefundStarted:
        """Refunded at once, as Stripe refunds a test card; the same key gives the same refund back."""
        try:
            refund = demo_refund_create(request=request)
        except DemoRefused as exc:  # what Stripe answers with an invalid_request_error: asking again can't help
            raise ProviderError(f"The demo card page refused the refund: {exc}", permanent=True) from exc
        return RefundStarted(provider_ref=refund.id, status="succeeded")
