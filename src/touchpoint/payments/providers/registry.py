"""Which providers are switched on (``TOUCHPOINT_PAYMENT_PROVIDERS``) and building them from settings.

:func:`card_provider` is the one place that says which provider takes card payments (the pay
panel's button, the refund worker); :func:`checkout_provider` finds the one a payment went through."""

from __future__ import annotations

import stripe
from django.conf import settings
from django.utils.module_loading import import_string

from touchpoint.payments.providers.base import CheckoutProvider
from touchpoint.payments.providers.offline import OfflineProvider
from touchpoint.payments.providers.stripe import StripeProvider

# Stripe's HTTP client; None is the library's own. Tests put a recorded one here (the internet's edge).
HTTP_CLIENT: stripe.HTTPClient | None = None


def enabled(key: str) -> bool:
    return key in settings.TOUCHPOINT_PAYMENT_PROVIDERS


def offline_provider() -> OfflineProvider | None:
    return OfflineProvider() if enabled("offline") else None


def stripe_provider() -> StripeProvider | None:
    """Stripe, when it is switched on and both keys are set; in the demo (``demo`` on), its offline
    stand-in, which speaks Stripe's protocol and signs its events with the demo's secret."""
    if enabled("demo"):
        # Named by its dotted path, as Django names an email backend: the demo's page sits above payments.
        stand_in: type[StripeProvider] = import_string(settings.TOUCHPOINT_DEMO_CARD_PROVIDER)
        return stand_in(secret_key="", webhook_secret=settings.STRIPE_WEBHOOK_SECRET)
    if not enabled("stripe") or not settings.STRIPE_SECRET_KEY or not settings.STRIPE_WEBHOOK_SECRET:
        return None
    return StripeProvider(
        secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET, http_client=HTTP_CLIENT
    )


def card_provider() -> CheckoutProvider | None:
    """The provider customers pay by card through, or None when card payments are off."""
    return stripe_provider()


def checkout_provider(key: str) -> CheckoutProvider | None:
    """The provider that answers for payments recorded under ``key`` (a ``Payment.provider``), when
    it is switched on here. Card payments are ``stripe`` payments whichever card provider took them
    (a stand-in speaks Stripe's protocol), so they go back through :func:`card_provider`."""
    return card_provider() if key == "stripe" else None
