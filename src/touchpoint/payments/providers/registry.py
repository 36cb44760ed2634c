"""Which providers are switched on (``TOUCHPOINT_PAYMENT_PROVIDERS``) and building them from settings."""

from __future__ import annotations

import stripe
from django.conf import settings

from touchpoint.payments.providers.offline import OfflineProvider
from touchpoint.payments.providers.stripe import StripeProvider

# Stripe's HTTP client; None is the library's own. Tests put a recorded one here (the internet's edge).
HTTP_CLIENT: stripe.HTTPClient | None = None


def enabled(key: str) -> bool:
    return key in settings.TOUCHPOINT_PAYMENT_PROVIDERS


def offline_provider() -> OfflineProvider | None:
    return OfflineProvider() if enabled("offline") else None


def stripe_provider() -> StripeProvider | None:
    """Stripe, when it is switched on and both keys are set."""
    if not enabled("stripe") or not settings.STRIPE_SECRET_KEY or not settings.STRIPE_WEBHOOK_SECRET:
        return None
    return StripeProvider(
        secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET, http_client=HTTP_CLIENT
    )
