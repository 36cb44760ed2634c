"""What every payment provider offers, and the plain data it hands back.

A provider never touches the database or a case: services decide what an answer means for the
case. That keeps the provider swappable and its edge (the network) the only thing tests replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

Outcome = Literal["succeeded", "declined", "expired", "waiting", "other"]


class ProviderError(Exception):
    """The provider could not be reached or refused the request; ``str()`` is safe to show staff."""


class WebhookRejected(Exception):
    """A webhook we can't trust or read; ``str()`` says what is wrong, for the sender."""


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str  # the case reference, shown to the customer and kept as Stripe metadata
    description: str
    amount: Decimal
    currency: str
    customer_email: str
    success_url: str
    cancel_url: str
    expires_at: datetime
    idempotency_key: str


@dataclass(frozen=True)
class CheckoutStarted:
    provider_ref: str
    url: str
    expires_at: datetime | None


@dataclass(frozen=True)
class ProviderEvent:
    """One verified notification, reduced to what Touchpoint acts on."""

    event_id: str
    type: str
    outcome: Outcome
    provider_ref: str  # the checkout session it is about; empty when it is about none
    amount: Decimal | None = None
    currency: str = ""


class PaymentProvider(Protocol):
    key: str
    label: str
    online: bool  # the customer pays on the provider's page (True) or staff record the money (False)


class CheckoutProvider(PaymentProvider, Protocol):
    def checkout_create(self, request: CheckoutRequest) -> CheckoutStarted: ...

    def event_parse(self, *, payload: bytes, signature: str | None) -> ProviderEvent: ...
