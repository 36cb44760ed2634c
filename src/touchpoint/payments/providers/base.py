"""What every payment provider offers, and the plain data it hands back.

A provider never touches the database or a case: services decide what an answer means for the
case. That keeps the provider swappable and its edge (the network) the only thing tests replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

# A checkout session's outcomes, then a refund's (``provider_ref`` is then the refund's id).
Outcome = Literal["succeeded", "declined", "expired", "waiting", "refund_succeeded", "refund_failed", "other"]
RefundState = Literal["succeeded", "pending", "failed"]


class ProviderError(Exception):
    """The provider could not be reached or refused the request; ``str()`` is safe to show staff.

    ``permanent`` says asking again can't help (a refund of money already returned, an unknown
    payment): a person takes it at once. Otherwise (the network, the provider's own trouble) the
    caller may try again later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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
class RefundRequest:
    payment_ref: str  # the provider's id of the money taken (Stripe: the PaymentIntent, pi_…)
    amount: Decimal  # in major units, e.g. 39.00
    currency: str
    reference: str  # the case reference, kept with the refund as metadata
    idempotency_key: str  # the same key gives back the same refund, never a second one


@dataclass(frozen=True)
class RefundStarted:
    provider_ref: str  # the provider's id of the refund (Stripe: re_…)
    status: RefundState  # pending: accepted, the money is on its way back
    problem: str = ""  # why it failed, in words for staff


@dataclass(frozen=True)
class ProviderEvent:
    """One verified notification, reduced to what Touchpoint acts on."""

    event_id: str
    type: str
    outcome: Outcome
    provider_ref: str  # the checkout session (or, for a refund's outcome, the refund) it is about
    amount: Decimal | None = None
    currency: str = ""
    payment_ref: str = ""  # the money itself, once taken (Stripe: the session's PaymentIntent)
    problem: str = ""  # why a refund failed, in words for staff


class PaymentProvider(Protocol):
    key: str
    label: str
    online: bool  # the customer pays on the provider's page (True) or staff record the money (False)


class CheckoutProvider(PaymentProvider, Protocol):
    def checkout_create(self, request: CheckoutRequest) -> CheckoutStarted: ...

    def refund_create(self, request: RefundRequest) -> RefundStarted:
        """Return ``amount`` of the payment ``payment_ref`` to the customer, once per idempotency key.
        Raises :class:`ProviderError` (``permanent`` when retrying can't help)."""
        ...

    def event_parse(self, *, payload: bytes, signature: str | None) -> ProviderEvent: ...
