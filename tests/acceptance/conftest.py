"""The route walker's world: the demo shop, mail delivered to a mailbox the test reads, Stripe at
the internet's edge, and the signed inbound-email webhook switched on."""

from __future__ import annotations

from typing import Any

import pytest

INBOUND_SECRET = "walker-inbound-secret"


@pytest.fixture
def world(settings: Any, monkeypatch: pytest.MonkeyPatch, db: Any) -> tuple[Any, Any]:
    """(the shop, the payment provider's edge) for a walk through the test client."""
    from tests.acceptance.drivers import StripeEdge
    from tests.acceptance.shop import shop_open
    from tests.payments.conftest import install_recorded_stripe

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.TOUCHPOINT_PUBLIC_URL = "http://testserver"
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = INBOUND_SECRET
    wire = install_recorded_stripe(settings, monkeypatch)
    return shop_open(), StripeEdge(wire)
